/* What the drop-in comparison programs share: they are libvirt programs, built against the real
 * libvirt's headers (and against ours), so only libvirt's public API is used here. */
#ifndef VIRTEVENT_DROPIN_H
#define VIRTEVENT_DROPIN_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

/* An error handler that prints nothing: the programs print the errors they expect. */
static inline void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static inline void once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

/* Lets the loop deliver everything queued so far. */
static inline void settle(void)
{
    for (int i = 0; i < 3; i++) {
        virEventAddTimeout(0, once, NULL, NULL);
        virEventRunDefaultImpl();
    }
}

/* Prints a call's result, with the error's code and domain when it failed. */
static inline void report(const char *what, int rc)
{
    virErrorPtr err = virGetLastError();
    printf("%s -> %d", what, rc);
    if (rc < 0 && err)
        printf(" (error code %d domain %d)", err->code, err->domain);
    printf("\n");
}

#endif
