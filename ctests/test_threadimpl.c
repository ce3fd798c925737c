/* virEventRegisterThreadImpl (virtevent extension): the library runs the event loop on a thread
 * of its own. Events caused from the main thread reach their callbacks on that one thread, in
 * order, while the main thread never runs a loop; free callbacks run once; a callback may
 * deregister itself or close the last connection; closing the last connection stops (joins)
 * the thread, opening one starts it again; process exit with the thread running is clean. */
#include "harness.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

/* Generous, for valgrind. */
#define WAIT_MS 20000

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until *v reaches at least `want`, or WAIT_MS pass; returns the last value seen. */
static int wait_for(atomic_int *v, int want)
{
    for (int waited = 0; atomic_load(v) < want && waited < WAIT_MS; waited++)
        sleep_ms(1);
    return atomic_load(v);
}

/* The threads of this process whose name is the dispatch thread's. */
static int dispatch_threads(void)
{
    DIR *dir = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    if (!dir)
        return -1;
    while ((e = readdir(dir))) {
        char path[300], comm[64] = "";
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f) && strncmp(comm, "virtevent-loop", 14) == 0)
            n++;
        fclose(f);
    }
    closedir(dir);
    return n;
}

/* A new thread names itself as it starts, so it may not be counted yet just after the open that
 * started it; one that was joined is gone at once. */
static int wait_dispatch_threads(int want)
{
    int n = dispatch_threads();
    for (int waited = 0; n != want && waited < WAIT_MS; waited++) {
        sleep_ms(1);
        n = dispatch_threads();
    }
    return n;
}

/* ---- what the callbacks saw -------------------------------------------------------------- */

#define MAX_EVENTS 512

struct seen {
    atomic_int count;
    int events[MAX_EVENTS];
    pthread_t thread;     /* the thread of the first call */
    atomic_int other_thread; /* calls on a thread other than the first call's */
    atomic_int on_main;
    atomic_int frees;
    atomic_int freed_on_main;
    atomic_int action;    /* what to do on the first call: see enum below */
    atomic_int action_rc;
    virConnectPtr conn;
    int id;
};

enum { DO_NOTHING, DEREGISTER_SELF, CLOSE_CONNECTION };

static pthread_t main_thread;

static int record_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    struct seen *s = opaque;
    (void)c;
    (void)d;
    (void)detail;
    int n = atomic_load(&s->count);
    if (n == 0)
        s->thread = pthread_self();
    else if (!pthread_equal(s->thread, pthread_self()))
        atomic_fetch_add(&s->other_thread, 1);
    if (pthread_equal(pthread_self(), main_thread))
        atomic_fetch_add(&s->on_main, 1);
    if (n < MAX_EVENTS)
        s->events[n] = event;
    if (n == 0) {
        switch (atomic_load(&s->action)) {
        case DEREGISTER_SELF:
            atomic_store(&s->action_rc, virConnectDomainEventDeregisterAny(s->conn, s->id));
            break;
        case CLOSE_CONNECTION:
            atomic_store(&s->action_rc, virConnectClose(s->conn));
            break;
        }
    }
    atomic_fetch_add(&s->count, 1); /* last: the main thread reads events[] up to count */
    return 0;
}

static void record_free(void *opaque)
{
    struct seen *s = opaque;
    if (pthread_equal(pthread_self(), main_thread))
        atomic_fetch_add(&s->freed_on_main, 1);
    atomic_fetch_add(&s->frees, 1);
}

static void seen_reset(struct seen *s, virConnectPtr conn, int action)
{
    memset(s, 0, sizeof *s);
    s->conn = conn;
    atomic_store(&s->action, action);
}

static int register_on(virConnectPtr conn, virDomainPtr dom, struct seen *s)
{
    s->id = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(record_cb), s, record_free);
    return s->id;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_register_is_idempotent(void)
{
    CHECK(virEventRegisterThreadImpl() == 0);
    CHECK(virEventRegisterThreadImpl() == 0);
    CHECK(dispatch_threads() == 0); /* no connection open yet */
    CHECK(virEventRunDefaultImpl() == -1); /* the library's thread runs the loop */
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
}

static void test_events_arrive_in_order_on_one_thread(void)
{
    enum { CYCLES = 200 };
    static struct seen s;
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    if (!conn)
        return;
    CHECK(wait_dispatch_threads(1) == 1);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    CHECK(dom != NULL);
    seen_reset(&s, conn, DO_NOTHING);
    CHECK(register_on(conn, dom, &s) >= 0);

    int failures = 0;
    for (int i = 0; i < CYCLES; i++) {
        failures += virDomainSuspend(dom) != 0;
        failures += virDomainResume(dom) != 0;
    }
    CHECK(failures == 0);
    int got = wait_for(&s.count, 2 * CYCLES);
    if (got != 2 * CYCLES)
        fprintf(stderr, "%s:%d: %d of %d events arrived\n", __FILE__, __LINE__, got, 2 * CYCLES);
    CHECK(got == 2 * CYCLES);
    int bad_order = 0;
    for (int i = 0; i < got && i < MAX_EVENTS; i++)
        bad_order += s.events[i] != (i % 2 == 0 ? VIR_DOMAIN_EVENT_SUSPENDED : VIR_DOMAIN_EVENT_RESUMED);
    CHECK(bad_order == 0);
    CHECK(atomic_load(&s.other_thread) == 0);
    CHECK(atomic_load(&s.on_main) == 0);
    CHECK(got == 0 || !pthread_equal(s.thread, main_thread));

    CHECK(virConnectDomainEventDeregisterAny(conn, s.id) == 0);
    CHECK(wait_for(&s.frees, 1) == 1);
    CHECK(virConnectDomainEventDeregisterAny(conn, s.id) == -1);
    CHECK(virDomainSuspend(dom) == 0 && virDomainResume(dom) == 0);
    sleep_ms(50);
    CHECK(atomic_load(&s.count) == 2 * CYCLES); /* nothing after deregistration */
    CHECK(atomic_load(&s.frees) == 1);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_deregister_inside_callback(void)
{
    static struct seen s;
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    CHECK(dom != NULL);
    seen_reset(&s, conn, DEREGISTER_SELF);
    CHECK(register_on(conn, dom, &s) >= 0);
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virDomainResume(dom) == 0);
    CHECK(wait_for(&s.frees, 1) == 1); /* runs on the dispatch thread once the callback returned */
    CHECK(atomic_load(&s.action_rc) == 0);
    CHECK(atomic_load(&s.freed_on_main) == 0);
    sleep_ms(50);
    CHECK(atomic_load(&s.count) == 1); /* the resume came after the deregistration */
    CHECK(atomic_load(&s.frees) == 1);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_closing_last_connection_stops_the_thread(void)
{
    static struct seen s;
    virConnectPtr a = virConnectOpen("test:///default");
    virConnectPtr b = virConnectOpen("test:///default");
    CHECK(a != NULL && b != NULL);
    if (!a || !b)
        return;
    CHECK(wait_dispatch_threads(1) == 1);
    CHECK(virConnectClose(a) == 0);
    CHECK(wait_dispatch_threads(1) == 1); /* b is still open */
    seen_reset(&s, b, DO_NOTHING);
    CHECK(register_on(b, NULL, &s) >= 0);
    virDomainPtr dom = virDomainLookupByName(b, "test");
    CHECK(dom != NULL && virDomainSuspend(dom) == 0);
    CHECK(wait_for(&s.count, 1) == 1);
    virDomainFree(dom);
    CHECK(virConnectClose(b) == 0);
    CHECK(dispatch_threads() == 0); /* stopped and joined before virConnectClose returned */
    CHECK(atomic_load(&s.frees) == 1);

    /* a new connection brings the thread back */
    virConnectPtr c = virConnectOpen("test:///default");
    CHECK(c != NULL);
    CHECK(wait_dispatch_threads(1) == 1);
    seen_reset(&s, c, DO_NOTHING);
    CHECK(register_on(c, NULL, &s) >= 0);
    dom = c ? virDomainLookupByName(c, "test") : NULL;
    CHECK(dom != NULL && virDomainSuspend(dom) == 0);
    CHECK(wait_for(&s.count, 1) == 1);
    CHECK(!pthread_equal(s.thread, main_thread));
    if (dom)
        virDomainFree(dom);
    CHECK(c && virConnectClose(c) == 0);
    CHECK(dispatch_threads() == 0);
}

static void test_close_last_connection_inside_callback(void)
{
    static struct seen s;
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    CHECK(dom != NULL);
    seen_reset(&s, conn, CLOSE_CONNECTION);
    CHECK(register_on(conn, NULL, &s) >= 0);
    CHECK(dom && virDomainSuspend(dom) == 0);
    CHECK(wait_for(&s.frees, 1) == 1);
    CHECK(atomic_load(&s.action_rc) > 0); /* domain handles still hold references */
    CHECK(atomic_load(&s.freed_on_main) == 0);
    CHECK(wait_dispatch_threads(0) == 0); /* the thread stopped itself after the callback */
    if (dom) {
        CHECK(virDomainResume(dom) == 0);
        virDomainFree(dom);
    }
    sleep_ms(20);
    CHECK(atomic_load(&s.count) == 1);
    CHECK(atomic_load(&s.frees) == 1);
}

/* Leaves a connection open with events in flight: the exit handler stops the thread. */
static void test_exit_with_thread_running(void)
{
    static struct seen s;
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    seen_reset(&s, conn, DO_NOTHING);
    CHECK(register_on(conn, NULL, &s) >= 0);
    for (int i = 0; i < 50 && dom; i++)
        CHECK(virDomainSuspend(dom) == 0 && virDomainResume(dom) == 0);
    CHECK(wait_for(&s.count, 1) >= 1);
    CHECK(wait_dispatch_threads(1) == 1);
    if (dom)
        virDomainFree(dom);
}

int main(void)
{
    harness_watchdog(100);
    main_thread = pthread_self();
    /* This program never runs a loop itself, so the harness's loop set-up and pump stay unused. */
    (void)harness_init;
    (void)pump;
    virSetErrorFunc(NULL, harness_quiet);
    RUN(test_register_is_idempotent);
    RUN(test_events_arrive_in_order_on_one_thread);
    RUN(test_deregister_inside_callback);
    RUN(test_closing_last_connection_stops_the_thread);
    RUN(test_close_last_connection_inside_callback);
    RUN(test_exit_with_thread_running);
    return harness_exit();
}
