/* An application's own event loop (virEventRegisterImpl): a tiny poll() loop kept in static
 * arrays, driven by this test. The library must put its own timers there, route the public
 * virEventAdd/Update/Remove calls to it, deliver domain events through it, and give back
 * (remove, with their free callbacks) the timers it added once the connection is gone.
 * Single-threaded on purpose: every call into this loop happens on the main thread. */
#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the loop ------------------------------------------------------------------------------- */

#define MAXW 32

struct my_handle {
    int used, deleted, id, fd, events;
    virEventHandleCallback cb;
    void *opaque;
    virFreeCallback ff;
};

struct my_timer {
    int used, deleted, id, freq;
    long long due;
    virEventTimeoutCallback cb;
    void *opaque;
    virFreeCallback ff;
};

static struct my_handle handles[MAXW];
static struct my_timer timers[MAXW];
static int next_id = 1;
static int dispatching;
static int wrong_thread_or_reentry; /* calls we did not expect (bookkeeping errors) */
static struct {
    int add_handle, update_handle, remove_handle, add_timeout, update_timeout, remove_timeout, ff_calls;
} stats;

static void my_cleanup(void)
{
    for (int i = 0; i < MAXW; i++) {
        if (handles[i].used && handles[i].deleted) {
            virFreeCallback ff = handles[i].ff;
            void *opaque = handles[i].opaque;
            handles[i].used = 0;
            if (ff) {
                stats.ff_calls++;
                ff(opaque);
            }
        }
        if (timers[i].used && timers[i].deleted) {
            virFreeCallback ff = timers[i].ff;
            void *opaque = timers[i].opaque;
            timers[i].used = 0;
            if (ff) {
                stats.ff_calls++;
                ff(opaque);
            }
        }
    }
}

static int my_add_handle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
    stats.add_handle++;
    for (int i = 0; i < MAXW; i++) {
        if (!handles[i].used) {
            handles[i] = (struct my_handle){1, 0, next_id++, fd, events, cb, opaque, ff};
            return handles[i].id;
        }
    }
    return -1;
}

static struct my_handle *find_handle(int id)
{
    for (int i = 0; i < MAXW; i++)
        if (handles[i].used && !handles[i].deleted && handles[i].id == id)
            return &handles[i];
    return NULL;
}

static void my_update_handle(int id, int events)
{
    stats.update_handle++;
    struct my_handle *h = find_handle(id);
    if (h)
        h->events = events;
}

static int my_remove_handle(int id)
{
    stats.remove_handle++;
    struct my_handle *h = find_handle(id);
    if (!h)
        return -1;
    h->deleted = 1;
    if (!dispatching)
        my_cleanup();
    return 0;
}

static int my_add_timeout(int freq, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    stats.add_timeout++;
    for (int i = 0; i < MAXW; i++) {
        if (!timers[i].used) {
            timers[i] = (struct my_timer){1, 0, next_id++, freq, now_ms() + (freq > 0 ? freq : 0), cb, opaque, ff};
            return timers[i].id;
        }
    }
    return -1;
}

static struct my_timer *find_timer(int id)
{
    for (int i = 0; i < MAXW; i++)
        if (timers[i].used && !timers[i].deleted && timers[i].id == id)
            return &timers[i];
    return NULL;
}

static void my_update_timeout(int id, int freq)
{
    stats.update_timeout++;
    struct my_timer *t = find_timer(id);
    if (t) {
        t->freq = freq;
        t->due = now_ms() + (freq > 0 ? freq : 0);
    }
}

static int my_remove_timeout(int id)
{
    stats.remove_timeout++;
    struct my_timer *t = find_timer(id);
    if (!t)
        return -1;
    t->deleted = 1;
    if (!dispatching)
        my_cleanup();
    return 0;
}

static int live_timers(void)
{
    int n = 0;
    for (int i = 0; i < MAXW; i++)
        n += timers[i].used && !timers[i].deleted;
    return n;
}

static int live_handles(void)
{
    int n = 0;
    for (int i = 0; i < MAXW; i++)
        n += handles[i].used && !handles[i].deleted;
    return n;
}

/* One iteration: wait (at most max_wait ms) for a due timer or a ready handle, dispatch. */
static void my_run_once(int max_wait)
{
    struct pollfd fds[MAXW];
    int ids[MAXW];
    int nfds = 0;
    long long now = now_ms();
    int wait = max_wait;

    if (dispatching) {
        wrong_thread_or_reentry++;
        return;
    }
    for (int i = 0; i < MAXW; i++) {
        if (!timers[i].used || timers[i].deleted || timers[i].freq < 0)
            continue;
        long long d = timers[i].due - now;
        if (d < 0)
            d = 0;
        if (d < wait)
            wait = (int)d;
    }
    for (int i = 0; i < MAXW; i++) {
        if (!handles[i].used || handles[i].deleted || handles[i].events == 0)
            continue;
        fds[nfds].fd = handles[i].fd;
        fds[nfds].events = (short)(((handles[i].events & VIR_EVENT_HANDLE_READABLE) ? POLLIN : 0) |
                                   ((handles[i].events & VIR_EVENT_HANDLE_WRITABLE) ? POLLOUT : 0));
        fds[nfds].revents = 0;
        ids[nfds] = handles[i].id;
        nfds++;
    }
    if (poll(fds, (nfds_t)nfds, wait) < 0)
        nfds = 0;

    dispatching = 1;
    int last_id = next_id; /* timers added while dispatching wait for the next iteration */
    now = now_ms();
    for (int i = 0; i < MAXW; i++) {
        struct my_timer *t = &timers[i];
        if (!t->used || t->deleted || t->freq < 0 || t->id >= last_id || now < t->due)
            continue;
        t->due = now + t->freq;
        t->cb(t->id, t->opaque);
    }
    for (int k = 0; k < nfds; k++) {
        if (!fds[k].revents)
            continue;
        struct my_handle *h = find_handle(ids[k]);
        if (!h)
            continue;
        int ev = ((fds[k].revents & POLLIN) ? VIR_EVENT_HANDLE_READABLE : 0) |
                 ((fds[k].revents & POLLOUT) ? VIR_EVENT_HANDLE_WRITABLE : 0) |
                 ((fds[k].revents & POLLERR) ? VIR_EVENT_HANDLE_ERROR : 0) |
                 ((fds[k].revents & POLLHUP) ? VIR_EVENT_HANDLE_HANGUP : 0);
        h->cb(h->id, h->fd, ev, h->opaque);
    }
    dispatching = 0;
    my_cleanup();
}

/* Runs iterations that do not wait until nothing is due any more (or `max` iterations). */
static int my_drain(int max)
{
    int n = 0;
    for (; n < max; n++) {
        int due = 0;
        long long now = now_ms();
        for (int i = 0; i < MAXW; i++)
            if (timers[i].used && !timers[i].deleted && timers[i].freq >= 0 && timers[i].due <= now)
                due = 1;
        if (!due)
            break;
        my_run_once(0);
    }
    return n;
}

/* ---- helpers for the cases ------------------------------------------------------------------ */

struct counter {
    int fires;
    int frees;
    int last_events;
};

static void count_timer(int timer, void *opaque)
{
    (void)timer;
    ((struct counter *)opaque)->fires++;
}

static void count_handle(int watch, int fd, int events, void *opaque)
{
    char buf[16];
    (void)watch;
    struct counter *c = opaque;
    c->fires++;
    c->last_events = events;
    if (events & VIR_EVENT_HANDLE_READABLE) {
        if (read(fd, buf, sizeof buf) < 0) {
        }
    }
}

static void count_free(void *opaque)
{
    ((struct counter *)opaque)->frees++;
}

#define MAXLOG 32
static int evlog[MAXLOG][2];
static int nlog;
static int legacy_calls;

static int record_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    const char *name = virDomainGetName(d);
    if (!name || strcmp(name, "custom") != 0)
        return 0;
    if (nlog < MAXLOG) {
        evlog[nlog][0] = event;
        evlog[nlog][1] = detail;
    }
    nlog++;
    return 0;
}

static int legacy_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)d;
    (void)event;
    (void)detail;
    (void)opaque;
    legacy_calls++;
    return 0;
}

static int reg_frees;
static void reg_free(void *opaque)
{
    (void)opaque;
    reg_frees++;
}

/* ---- cases ---------------------------------------------------------------------------------- */

static void test_public_timeout_calls_use_custom_loop(void)
{
    struct counter c = {0, 0, 0};
    int before = stats.add_timeout;
    int t = virEventAddTimeout(0, count_timer, &c, count_free);
    CHECK(t >= 0);
    CHECK(stats.add_timeout == before + 1);
    CHECK(find_timer(t) != NULL);

    for (int i = 0; i < 3; i++)
        my_run_once(0);
    CHECK(c.fires == 3);

    before = stats.update_timeout;
    virEventUpdateTimeout(t, -1);
    CHECK(stats.update_timeout == before + 1);
    CHECK(find_timer(t) && find_timer(t)->freq == -1);
    my_run_once(0);
    CHECK(c.fires == 3);
    virEventUpdateTimeout(t, 0);
    my_run_once(0);
    CHECK(c.fires == 4);

    before = stats.remove_timeout;
    CHECK(virEventRemoveTimeout(t) == 0);
    CHECK(stats.remove_timeout == before + 1);
    my_run_once(0);
    CHECK(c.fires == 4);
    CHECK(c.frees == 1); /* our loop's ff call reached the application's ff */
    CHECK(virEventRemoveTimeout(t) == -1);
    CHECK(c.frees == 1);
}

static void test_public_handle_calls_use_custom_loop(void)
{
    int p[2];
    struct counter c = {0, 0, 0};
    CHECK(pipe(p) == 0);
    CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
    int before = stats.add_handle;
    int w = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, count_handle, &c, count_free);
    CHECK(w >= 0);
    CHECK(stats.add_handle == before + 1);
    CHECK(find_handle(w) != NULL);

    my_run_once(0);
    CHECK(c.fires == 0);
    CHECK(write(p[1], "q", 1) == 1);
    my_run_once(100);
    CHECK(c.fires == 1);
    CHECK(c.last_events & VIR_EVENT_HANDLE_READABLE);

    virEventUpdateHandle(w, 0);
    CHECK(find_handle(w) && find_handle(w)->events == 0);
    CHECK(write(p[1], "r", 1) == 1);
    my_run_once(0);
    CHECK(c.fires == 1);
    virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
    my_run_once(0);
    CHECK(c.fires == 2);

    CHECK(virEventRemoveHandle(w) == 0);
    CHECK(c.frees == 1);
    CHECK(virEventRemoveHandle(w) == -1);
    close(p[0]);
    close(p[1]);
}

static void test_domain_events_through_custom_loop(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virDomainPtr d = virDomainCreateXML(conn,
                                        "<domain type='test'><name>custom</name><memory>1024</memory>"
                                        "<os><type>hvm</type></os></domain>",
                                        0);
    CHECK(d != NULL);
    if (!d) {
        virConnectClose(conn);
        return;
    }
    nlog = 0;
    legacy_calls = 0;
    reg_frees = 0;
    int timers_before = live_timers();
    int adds_before = stats.add_timeout;
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(record_lifecycle), NULL,
                                              reg_free);
    CHECK(id >= 0);
    CHECK(virConnectDomainEventRegister(conn, legacy_lifecycle, NULL, reg_free) == 0);
    /* the library hooked itself into our loop */
    CHECK(stats.add_timeout > adds_before);
    CHECK(live_timers() > timers_before);

    CHECK(virDomainSuspend(d) == 0);
    CHECK(virDomainResume(d) == 0);
    CHECK(nlog == 0); /* nothing before our loop runs */
    int iterations = my_drain(10);
    CHECK(iterations >= 1);
    CHECK(nlog == 2);
    CHECK(legacy_calls == 2);
    if (nlog == 2) {
        CHECK(evlog[0][0] == VIR_DOMAIN_EVENT_SUSPENDED && evlog[0][1] == VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        CHECK(evlog[1][0] == VIR_DOMAIN_EVENT_RESUMED && evlog[1][1] == VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    }
    /* quiet once drained: nothing stays due */
    CHECK(my_drain(10) == 0);

    /* again, with a paused start and a destroy queued together */
    CHECK(virDomainDestroy(d) == 0);
    virDomainFree(d);
    d = virDomainCreateXML(conn,
                           "<domain type='test'><name>custom</name><memory>1024</memory>"
                           "<os><type>hvm</type></os></domain>",
                           VIR_DOMAIN_START_PAUSED);
    CHECK(d != NULL);
    nlog = 0;
    my_drain(10);
    CHECK(nlog == 3);
    if (nlog == 3) {
        CHECK(evlog[0][0] == VIR_DOMAIN_EVENT_STOPPED);
        CHECK(evlog[1][0] == VIR_DOMAIN_EVENT_STARTED);
        CHECK(evlog[2][0] == VIR_DOMAIN_EVENT_SUSPENDED);
    }

    /* deregistration works as with the default loop */
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(reg_frees == 1);
    nlog = 0;
    if (d) {
        CHECK(virDomainResume(d) == 0);
        CHECK(virDomainDestroy(d) == 0);
        virDomainFree(d);
    }
    my_drain(10);
    CHECK(nlog == 0);
    CHECK(legacy_calls == 2 + 3 + 2);

    CHECK(virConnectClose(conn) == 0);
    CHECK(reg_frees == 2);
    my_run_once(0);
    /* the connection and its hypervisor are gone: the library gave its timers back */
    if (live_timers() != timers_before || live_handles() != 0)
        fprintf(stderr, "%s:%d: %d timers and %d handles still registered in the application's loop\n", __FILE__,
                __LINE__, live_timers() - timers_before, live_handles());
    CHECK(live_timers() == timers_before);
    CHECK(live_handles() == 0);
}

/* A callback that deregisters itself and closes the connection, dispatched from our loop. */
static virConnectPtr closing_conn;
static int closer_calls;

static int closer(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)d;
    (void)event;
    (void)detail;
    (void)opaque;
    closer_calls++;
    if (c == closing_conn) {
        virConnectClose(c);
        closing_conn = NULL;
    }
    return 0;
}

static void test_close_from_callback_in_custom_loop(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    int timers_before = live_timers();
    reg_frees = 0;
    closer_calls = 0;
    closing_conn = conn;
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(closer), NULL, reg_free);
    CHECK(id >= 0);
    virDomainPtr d = virDomainCreateXML(conn,
                                        "<domain type='test'><name>custom-close</name><memory>1024</memory>"
                                        "<os><type>hvm</type></os></domain>",
                                        0);
    CHECK(d != NULL);
    if (d) {
        CHECK(virDomainSuspend(d) == 0);
        virDomainFree(d); /* the connection now lives only through the application's reference */
    }
    my_drain(10);
    CHECK(closer_calls == 1);
    CHECK(closing_conn == NULL);
    CHECK(reg_frees == 1);
    my_run_once(0);
    CHECK(live_timers() == timers_before);
    CHECK(wrong_thread_or_reentry == 0);
}

/* virEventRegisterImpl with a missing function is ignored: our loop stays in place. */
static void test_incomplete_impl_ignored(void)
{
    virEventRegisterImpl(NULL, my_update_handle, my_remove_handle, my_add_timeout, my_update_timeout,
                         my_remove_timeout);
    struct counter c = {0, 0, 0};
    int before = stats.add_timeout;
    int t = virEventAddTimeout(0, count_timer, &c, count_free);
    CHECK(t >= 0);
    CHECK(stats.add_timeout == before + 1);
    my_run_once(0);
    CHECK(c.fires == 1);
    CHECK(virEventRemoveTimeout(t) == 0);
    CHECK(c.frees == 1);
}

int main(void)
{
    harness_watchdog(100);
    /* Our loop must end up registered whichever rule the library follows: libvirt 9.0 keeps
     * the first loop registered and ignores later ones, while this project's contract lets a
     * later virEventRegisterImpl replace the loop. So register before harness_init (which
     * registers the default loop) and again after it, before any callback exists. */
    virEventRegisterImpl(my_add_handle, my_update_handle, my_remove_handle, my_add_timeout, my_update_timeout,
                         my_remove_timeout);
    harness_init();
    virEventRegisterImpl(my_add_handle, my_update_handle, my_remove_handle, my_add_timeout, my_update_timeout,
                         my_remove_timeout);
    (void)pump; /* the harness's pump drives the default loop, which is not in use here */
    RUN(test_public_timeout_calls_use_custom_loop);
    RUN(test_public_handle_calls_use_custom_loop);
    RUN(test_domain_events_through_custom_loop);
    RUN(test_close_from_callback_in_custom_loop);
    RUN(test_incomplete_impl_ignored);
    /* nothing of the library may be left in our loop */
    my_run_once(0);
    if (live_timers() || live_handles())
        fprintf(stderr, "leftover: %d timers, %d handles\n", live_timers(), live_handles());
    return harness_exit();
}
