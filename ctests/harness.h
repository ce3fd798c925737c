/* A minimal test harness for the C tests: checks count failures, each case prints PASS/FAIL,
 * and ctests/run.sh adds them up. Only the public libvirt headers are used. */
#ifndef VIRTEVENT_CTEST_HARNESS_H
#define VIRTEVENT_CTEST_HARNESS_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_failures;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);    \
            harness_failures++;                                                         \
        }                                                                               \
    } while (0)

/* Checks that the last call failed with `code`, and that its message says something. */
#define CHECK_ERROR(code)                                                               \
    do {                                                                                \
        virErrorPtr err_ = virGetLastError();                                           \
        CHECK(err_ != NULL);                                                            \
        if (err_) {                                                                     \
            if (err_->code != (code))                                                   \
                fprintf(stderr, "%s:%d: error code %d (%s), wanted %d\n", __FILE__,     \
                        __LINE__, err_->code, err_->message, (code));                   \
            CHECK(err_->code == (code));                                                \
            CHECK(err_->message != NULL && strlen(err_->message) > 0);                  \
        }                                                                               \
    } while (0)

#define RUN(test)                                                                       \
    do {                                                                                \
        int before_ = harness_failures;                                                 \
        test();                                                                         \
        printf("%s %s\n", harness_failures == before_ ? "PASS" : "FAIL", #test);        \
        fflush(stdout);                                                                 \
    } while (0)

static void harness_quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static void harness_once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

/* One loop iteration that never blocks: it delivers every event queued so far. */
static void pump(void)
{
    virEventAddTimeout(0, harness_once, NULL, NULL);
    virEventRunDefaultImpl();
}

static void harness_init(void)
{
    virSetErrorFunc(NULL, harness_quiet);
    if (virEventRegisterDefaultImpl() < 0) {
        fprintf(stderr, "cannot register the default event loop\n");
        exit(2);
    }
}

static int harness_exit(void)
{
    return harness_failures ? 1 : 0;
}

#endif
