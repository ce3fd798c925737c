/* A minimal test harness for the C tests: checks count failures, each case prints PASS/FAIL,
 * and ctests/run.sh adds them up. Only the public libvirt headers are used. */
#ifndef VIRTEVENT_CTEST_HARNESS_H
#define VIRTEVENT_CTEST_HARNESS_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int harness_failures;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);    \
            harness_failures++;                                                         \
        }                                                                               \
    } while (0)

/* Checks that the last call failed with `want`, and that its message says something. */
#define EXPECT_ERROR(want)                                                              \
    do {                                                                                \
        int want_ = (want);                                                             \
        virErrorPtr err_ = virGetLastError();                                           \
        CHECK(err_ != NULL);                                                            \
        if (err_) {                                                                     \
            if (err_->code != want_)                                                    \
                fprintf(stderr, "%s:%d: error code %d (%s), wanted %d\n", __FILE__,     \
                        __LINE__, err_->code, err_->message, want_);                    \
            CHECK(err_->code == want_);                                                 \
            CHECK(err_->message != NULL && strlen(err_->message) > 0);                  \
        }                                                                               \
    } while (0)
#define CHECK_ERROR(want) EXPECT_ERROR(want)

/* VIR_DOMAIN_EVENT_CALLBACK with a cast through void (*)(void), which -Wcast-function-type
 * accepts in any compiler's headers. */
#define CB(cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

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
static inline void pump(void)
{
    virEventAddTimeout(0, harness_once, NULL, NULL);
    virEventRunDefaultImpl();
}

static void harness_watchdog_fire(int sig)
{
    static const char msg[] = "FAIL watchdog: the test hung (deadlock or lost wakeup?)\n";
    (void)sig;
    if (write(1, msg, sizeof msg - 1) < 0) {
    }
    _exit(3);
}

/* A test that hangs fails after `seconds` instead of blocking the run. */
static void harness_watchdog(unsigned seconds)
{
    signal(SIGALRM, harness_watchdog_fire);
    alarm(seconds);
}

static inline void harness_init(void)
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
