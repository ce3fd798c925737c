/* The default event loop through the public API, with libvirt's semantics: a timeout of 0
 * fires on every iteration, N ms about every N ms, -1 never; virEventUpdateTimeout changes
 * that; a handle fires when its fd is ready; a free callback runs once after removal; removing
 * unknown IDs fails. (An application's own loop, virEventRegisterImpl, is in test_customloop.c,
 * since it replaces the process-wide loop.) */
#include "harness.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Lets the loop finish deferred work (a loop may run free callbacks after the iteration that
 * removed a timer or handle, possibly from an idle job that a 0 ms timer would starve): runs
 * iterations until a 20 ms one-shot timer of ours has fired. */
static int settle_done;

static void settle_once(int timer, void *opaque)
{
    (void)opaque;
    settle_done = 1;
    virEventRemoveTimeout(timer);
}

static void settle(void)
{
    settle_done = 0;
    if (virEventAddTimeout(20, settle_once, NULL, NULL) < 0)
        return;
    for (int i = 0; i < 50 && !settle_done; i++)
        virEventRunDefaultImpl();
}

/* ---- timer bookkeeping ---------------------------------------------------------------------- */

#define MAXFIRES 64
struct tstate {
    int fires;
    int last_timer;
    long long at[MAXFIRES];
    int frees;
    int running;
    int freed_while_running;
    int remove_self;     /* remove the timer from inside its callback */
    int nested_rc;       /* result of a nested virEventRunDefaultImpl, if tried */
    int try_nested;
};

static void tstate_init(struct tstate *s)
{
    memset(s, 0, sizeof *s);
    s->nested_rc = 12345;
}

static void timer_cb(int timer, void *opaque)
{
    struct tstate *s = opaque;
    s->running = 1;
    if (s->fires < MAXFIRES)
        s->at[s->fires] = now_ms();
    s->fires++;
    s->last_timer = timer;
    if (s->try_nested)
        s->nested_rc = virEventRunDefaultImpl();
    if (s->remove_self)
        virEventRemoveTimeout(timer);
    s->running = 0;
}

static void tstate_free(void *opaque)
{
    struct tstate *s = opaque;
    s->frees++;
    if (s->running)
        s->freed_while_running++;
}

/* ---- cases ---------------------------------------------------------------------------------- */

static void test_timeout_zero_fires_every_iteration(void)
{
    struct tstate s;
    tstate_init(&s);
    int t = virEventAddTimeout(0, timer_cb, &s, tstate_free);
    CHECK(t >= 0);
    for (int i = 0; i < 10; i++)
        CHECK(virEventRunDefaultImpl() == 0); /* never blocks: the timer is always due */
    CHECK(s.fires == 10);
    CHECK(s.last_timer == t);
    CHECK(virEventRemoveTimeout(t) == 0);
    pump();
    pump();
    CHECK(s.fires == 10);
    settle();
    CHECK(s.frees == 1);

    /* two timers: distinct IDs, both fire on each iteration */
    struct tstate a, b;
    tstate_init(&a);
    tstate_init(&b);
    int ta = virEventAddTimeout(0, timer_cb, &a, NULL);
    int tb = virEventAddTimeout(0, timer_cb, &b, NULL);
    CHECK(ta >= 0 && tb >= 0 && ta != tb && ta != t && tb != t);
    for (int i = 0; i < 3; i++)
        virEventRunDefaultImpl();
    CHECK(a.fires == 3 && b.fires == 3);
    CHECK(virEventRemoveTimeout(ta) == 0);
    CHECK(virEventRemoveTimeout(tb) == 0);
    pump();
    CHECK(a.fires == 3 && b.fires == 3);
}

static void test_timeout_period(void)
{
    enum { PERIOD = 50, COUNT = 5 };
    struct tstate s;
    tstate_init(&s);
    long long start = now_ms();
    int t = virEventAddTimeout(PERIOD, timer_cb, &s, NULL);
    CHECK(t >= 0);
    long long deadline = start + 5000;
    while (s.fires < COUNT && now_ms() < deadline)
        CHECK(virEventRunDefaultImpl() == 0); /* each iteration sleeps until the timer is due */
    CHECK(s.fires == COUNT);
    CHECK(virEventRemoveTimeout(t) == 0);

    /* never early (allow a few ms of clock rounding), never wildly late */
    long long prev = start;
    for (int i = 0; i < s.fires && i < COUNT; i++) {
        long long gap = s.at[i] - prev;
        if (gap < PERIOD - 5 || gap > PERIOD * 10)
            fprintf(stderr, "%s:%d: fire %d came %lld ms after the previous one (period %d)\n", __FILE__, __LINE__,
                    i, gap, PERIOD);
        CHECK(gap >= PERIOD - 5);
        CHECK(gap <= PERIOD * 10);
        prev = s.at[i];
    }
}

static void test_timeout_disabled_and_updated(void)
{
    struct tstate s;
    tstate_init(&s);
    int t = virEventAddTimeout(-1, timer_cb, &s, NULL);
    CHECK(t >= 0);
    for (int i = 0; i < 5; i++)
        pump();
    CHECK(s.fires == 0);

    /* -1 -> 0: fires on each iteration */
    virEventUpdateTimeout(t, 0);
    pump();
    CHECK(s.fires == 1);
    pump();
    CHECK(s.fires == 2);

    /* 0 -> -1: stops */
    virEventUpdateTimeout(t, -1);
    for (int i = 0; i < 3; i++)
        pump();
    CHECK(s.fires == 2);

    /* -1 -> 30 ms: the loop waits for it, and it comes no earlier */
    settle();
    long long before = now_ms();
    virEventUpdateTimeout(t, 30);
    for (int i = 0; i < 50 && s.fires < 3; i++)
        CHECK(virEventRunDefaultImpl() == 0);
    CHECK(s.fires == 3);
    CHECK(now_ms() - before >= 25);
    virEventUpdateTimeout(t, -1);

    /* a long period shortened to 0 fires at once */
    virEventUpdateTimeout(t, 100000);
    pump();
    CHECK(s.fires == 3);
    virEventUpdateTimeout(t, 0);
    pump();
    CHECK(s.fires == 4);

    CHECK(virEventRemoveTimeout(t) == 0);
    pump();
    CHECK(s.fires == 4);
    /* updating a removed timer is harmless */
    virEventUpdateTimeout(t, 0);
    pump();
    CHECK(s.fires == 4);
}

static void test_timeout_free_callback(void)
{
    /* removal from outside */
    struct tstate s;
    tstate_init(&s);
    int t = virEventAddTimeout(0, timer_cb, &s, tstate_free);
    CHECK(t >= 0);
    pump();
    CHECK(s.frees == 0);
    CHECK(virEventRemoveTimeout(t) == 0);
    settle();
    CHECK(s.frees == 1);
    CHECK(virEventRemoveTimeout(t) == -1); /* already gone */
    settle();
    CHECK(s.frees == 1);

    /* removal from inside its own callback: ff after the callback returned */
    tstate_init(&s);
    s.remove_self = 1;
    t = virEventAddTimeout(0, timer_cb, &s, tstate_free);
    CHECK(t >= 0);
    pump();
    pump();
    pump();
    CHECK(s.fires == 1);
    settle();
    CHECK(s.frees == 1);
    CHECK(s.freed_while_running == 0);

    /* a disabled timer is removed the same way */
    tstate_init(&s);
    t = virEventAddTimeout(-1, timer_cb, &s, tstate_free);
    CHECK(t >= 0);
    CHECK(virEventRemoveTimeout(t) == 0);
    settle();
    CHECK(s.frees == 1 && s.fires == 0);
}

static void test_remove_unknown(void)
{
    CHECK(virEventRemoveTimeout(987654) == -1);
    CHECK(virEventRemoveTimeout(-1) == -1);
    CHECK(virEventRemoveHandle(987654) == -1);
    CHECK(virEventRemoveHandle(-1) == -1);
    /* updates of unknown IDs are ignored */
    virEventUpdateTimeout(987654, 0);
    virEventUpdateHandle(987654, VIR_EVENT_HANDLE_READABLE);
    pump();
    /* NULL callbacks are refused (libvirt takes them and crashes when they fire) */
    int t = virEventAddTimeout(0, NULL, NULL, NULL);
    CHECK(t == -1);
    if (t >= 0)
        virEventRemoveTimeout(t);
    int w = virEventAddHandle(0, VIR_EVENT_HANDLE_READABLE, NULL, NULL, NULL);
    CHECK(w == -1);
    if (w >= 0)
        virEventRemoveHandle(w);
}

/* ---- handles ---------------------------------------------------------------------------------- */

struct hstate {
    int calls;
    int last_watch;
    int last_fd;
    int last_events;
    int bytes;
    int frees;
    int running;
    int freed_while_running;
    int remove_self;
};

static void handle_cb(int watch, int fd, int events, void *opaque)
{
    struct hstate *s = opaque;
    char buf[64];
    s->running = 1;
    s->calls++;
    s->last_watch = watch;
    s->last_fd = fd;
    s->last_events = events;
    if (events & VIR_EVENT_HANDLE_READABLE) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            s->bytes += (int)n;
    }
    if (s->remove_self)
        virEventRemoveHandle(watch);
    s->running = 0;
}

static void hstate_free(void *opaque)
{
    struct hstate *s = opaque;
    s->frees++;
    if (s->running)
        s->freed_while_running++;
}

static void test_handle_pipe(void)
{
    int p[2];
    struct hstate s;
    memset(&s, 0, sizeof s);
    CHECK(pipe(p) == 0);
    CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);

    int w = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, handle_cb, &s, hstate_free);
    CHECK(w >= 0);
    pump();
    CHECK(s.calls == 0); /* nothing to read yet */

    CHECK(write(p[1], "abc", 3) == 3);
    pump();
    CHECK(s.calls == 1);
    CHECK(s.last_watch == w);
    CHECK(s.last_fd == p[0]);
    CHECK(s.last_events & VIR_EVENT_HANDLE_READABLE);
    CHECK(s.bytes == 3);
    pump();
    CHECK(s.calls == 1); /* drained */

    /* a write alone wakes a loop iteration that would otherwise block */
    CHECK(write(p[1], "d", 1) == 1);
    CHECK(virEventRunDefaultImpl() == 0);
    CHECK(s.calls == 2 && s.bytes == 4);

    /* events 0: not watched while readable */
    virEventUpdateHandle(w, 0);
    CHECK(write(p[1], "e", 1) == 1);
    pump();
    pump();
    CHECK(s.calls == 2);
    virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
    pump();
    CHECK(s.calls == 3 && s.bytes == 5);

    /* the writer goes away: HANGUP */
    close(p[1]);
    pump();
    CHECK(s.calls == 4);
    CHECK(s.last_events & VIR_EVENT_HANDLE_HANGUP);

    CHECK(s.frees == 0);
    CHECK(virEventRemoveHandle(w) == 0);
    int calls = s.calls;
    settle();
    CHECK(s.frees == 1);
    CHECK(s.freed_while_running == 0);
    CHECK(s.calls == calls);
    CHECK(virEventRemoveHandle(w) == -1);
    settle();
    CHECK(s.frees == 1);
    close(p[0]);
}

static void test_handle_writable_and_self_removal(void)
{
    int p[2];
    struct hstate s;
    memset(&s, 0, sizeof s);
    CHECK(pipe(p) == 0);

    /* an empty pipe is writable at once */
    int w = virEventAddHandle(p[1], VIR_EVENT_HANDLE_WRITABLE, handle_cb, &s, hstate_free);
    CHECK(w >= 0);
    pump();
    CHECK(s.calls == 1);
    CHECK(s.last_events & VIR_EVENT_HANDLE_WRITABLE);
    CHECK(virEventRemoveHandle(w) == 0);
    settle();
    CHECK(s.frees == 1);

    /* a handle removing itself from its callback */
    memset(&s, 0, sizeof s);
    s.remove_self = 1;
    w = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, handle_cb, &s, hstate_free);
    CHECK(w >= 0);
    CHECK(write(p[1], "xy", 2) == 2);
    pump();
    CHECK(write(p[1], "z", 1) == 1);
    pump();
    settle();
    CHECK(s.calls == 1);
    CHECK(s.frees == 1);
    CHECK(s.freed_while_running == 0);
    close(p[0]);
    close(p[1]);
}

/* virEventRunDefaultImpl from inside one of its own callbacks is refused. */
static void test_nested_run_refused(void)
{
    struct tstate s;
    tstate_init(&s);
    s.try_nested = 1;
    int t = virEventAddTimeout(0, timer_cb, &s, NULL);
    CHECK(t >= 0);
    pump();
    CHECK(s.fires == 1);
    CHECK(s.nested_rc == -1);
    CHECK(virEventRemoveTimeout(t) == 0);
    pump();
}

/* A timer added from another thread wakes an iteration blocked with nothing to do. */
static atomic_int woke;

static void *blocked_loop(void *arg)
{
    (void)arg;
    virEventRunDefaultImpl();
    atomic_store(&woke, 1);
    return NULL;
}

static void wake_once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static void test_cross_thread_wakeup(void)
{
    pthread_t th;
    settle(); /* nothing left over that could end the iteration early */
    atomic_store(&woke, 0);
    CHECK(pthread_create(&th, NULL, blocked_loop, NULL) == 0);
    sleep_ms(50);
    CHECK(atomic_load(&woke) == 0); /* it is blocked: nothing is due */
    long long before = now_ms();
    virEventAddTimeout(0, wake_once, NULL, NULL);
    pthread_join(th, NULL);
    CHECK(atomic_load(&woke) == 1);
    CHECK(now_ms() - before < 2000);
}

/* Domain events go through the same loop: a lifecycle callback fires on a loop iteration,
 * not before. */
static int lifecycle_events;

static int count_lifecycle(virConnectPtr c, virDomainPtr d, int e, int det, void *o)
{
    (void)c;
    (void)d;
    (void)e;
    (void)det;
    (void)o;
    lifecycle_events++;
    return 0;
}

static void test_domain_events_need_loop(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    if (!conn)
        return;
    lifecycle_events = 0;
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(count_lifecycle), NULL, NULL);
    CHECK(id >= 0);
    virDomainPtr t = virDomainLookupByName(conn, "test");
    CHECK(t != NULL);
    if (t) {
        CHECK(virDomainSuspend(t) == 0);
        CHECK(virDomainResume(t) == 0);
        sleep_ms(20);
        CHECK(lifecycle_events == 0);
        /* one blocking iteration is enough: queued events make it return */
        CHECK(virEventRunDefaultImpl() == 0);
        CHECK(lifecycle_events == 2);
        virDomainFree(t);
    }
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    RUN(test_timeout_zero_fires_every_iteration);
    RUN(test_timeout_period);
    RUN(test_timeout_disabled_and_updated);
    RUN(test_timeout_free_callback);
    RUN(test_remove_unknown);
    RUN(test_handle_pipe);
    RUN(test_handle_writable_and_self_removal);
    RUN(test_nested_run_refused);
    RUN(test_cross_thread_wakeup);
    RUN(test_domain_events_need_loop);
    return harness_exit();
}
