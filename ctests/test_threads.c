/* Events caused from several threads at once: none lost, and per domain in the order the
 * changes happened. Also the event loop running in its own thread while the main thread makes
 * the changes. */
#include "harness.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static const char *xml_for(char *buf, size_t len, const char *name)
{
    snprintf(buf, len,
             "<domain type='test'><name>%s</name><memory>1024</memory>"
             "<os><type>hvm</type></os></domain>",
             name);
    return buf;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#define NTHREADS 4
#define PER_THREAD 2
#define NDOMS (NTHREADS * PER_THREAD)
#define CYCLES 200

/* Per-domain record of what arrived. Written by whichever thread runs the loop. */
struct track {
    atomic_int count;
    atomic_int bad_order; /* events out of SUSPENDED/RESUMED alternation */
    atomic_int other;     /* anything else */
    int first_bad;        /* index of the first out-of-order event, for the message */
};
static struct track track[NDOMS];
static atomic_int unknown_domain;

static int dom_index(virDomainPtr dom)
{
    const char *name = virDomainGetName(dom);
    int t, k;
    if (name && sscanf(name, "thr-%d-%d", &t, &k) == 2 && t >= 0 && t < NTHREADS && k >= 0 && k < PER_THREAD)
        return t * PER_THREAD + k;
    return -1;
}

static int track_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)detail;
    (void)opaque;
    int i = dom_index(d);
    if (i < 0) {
        atomic_fetch_add(&unknown_domain, 1);
        return 0;
    }
    if (event != VIR_DOMAIN_EVENT_SUSPENDED && event != VIR_DOMAIN_EVENT_RESUMED) {
        atomic_fetch_add(&track[i].other, 1);
        return 0;
    }
    int n = atomic_fetch_add(&track[i].count, 1);
    int want = n % 2 == 0 ? VIR_DOMAIN_EVENT_SUSPENDED : VIR_DOMAIN_EVENT_RESUMED;
    if (event != want) {
        if (atomic_fetch_add(&track[i].bad_order, 1) == 0)
            track[i].first_bad = n;
    }
    return 0;
}

static void track_reset(void)
{
    for (int i = 0; i < NDOMS; i++) {
        atomic_store(&track[i].count, 0);
        atomic_store(&track[i].bad_order, 0);
        atomic_store(&track[i].other, 0);
        track[i].first_bad = -1;
    }
    atomic_store(&unknown_domain, 0);
}

static void check_tracks(int per_domain, int line)
{
    for (int i = 0; i < NDOMS; i++) {
        int n = atomic_load(&track[i].count);
        int bad = atomic_load(&track[i].bad_order);
        int other = atomic_load(&track[i].other);
        if (n != per_domain || bad != 0 || other != 0)
            fprintf(stderr, "%s:%d: domain thr-%d-%d: %d of %d events, %d out of order (first at #%d), %d others\n",
                    __FILE__, line, i / PER_THREAD, i % PER_THREAD, n, per_domain, bad, track[i].first_bad, other);
        CHECK(n == per_domain);
        CHECK(bad == 0);
        CHECK(other == 0);
    }
    CHECK(atomic_load(&unknown_domain) == 0);
}

/* ---- workers -------------------------------------------------------------------------------- */

struct worker {
    int index;
    virConnectPtr conn;   /* shared, or the worker's own */
    int own_connection;   /* open its own test:///default connection and define its domains */
    virDomainPtr dom[PER_THREAD];
    int cycles;
    int failures;
    char first_error[256];
};

static atomic_int workers_done;

static void note_failure(struct worker *w, const char *what)
{
    if (w->failures++ == 0)
        snprintf(w->first_error, sizeof w->first_error, "%s: %s", what, virGetLastErrorMessage());
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char xml[512], name[32];
    if (w->own_connection) {
        w->conn = virConnectOpen("test:///default");
        if (!w->conn) {
            note_failure(w, "open");
            goto done;
        }
        for (int k = 0; k < PER_THREAD; k++) {
            snprintf(name, sizeof name, "thr-%d-%d", w->index, k);
            w->dom[k] = virDomainDefineXML(w->conn, xml_for(xml, sizeof xml, name));
            if (!w->dom[k] || virDomainCreate(w->dom[k]) != 0)
                note_failure(w, "define/create");
        }
    }
    for (int c = 0; c < w->cycles; c++) {
        for (int k = 0; k < PER_THREAD; k++)
            if (!w->dom[k] || virDomainSuspend(w->dom[k]) != 0)
                note_failure(w, "suspend");
        for (int k = 0; k < PER_THREAD; k++)
            if (!w->dom[k] || virDomainResume(w->dom[k]) != 0)
                note_failure(w, "resume");
    }
    if (w->own_connection) {
        for (int k = 0; k < PER_THREAD; k++) {
            if (!w->dom[k])
                continue;
            if (virDomainDestroy(w->dom[k]) != 0 || virDomainUndefine(w->dom[k]) != 0)
                note_failure(w, "destroy/undefine");
            virDomainFree(w->dom[k]);
            w->dom[k] = NULL;
        }
        if (w->conn)
            virConnectClose(w->conn);
        w->conn = NULL;
    }
done:
    atomic_fetch_add(&workers_done, 1);
    return NULL;
}

static void report_workers(struct worker *w)
{
    for (int t = 0; t < NTHREADS; t++) {
        if (w[t].failures)
            fprintf(stderr, "%s:%d: worker %d: %d failed calls, first: %s\n", __FILE__, __LINE__, t, w[t].failures,
                    w[t].first_error);
        CHECK(w[t].failures == 0);
    }
}

/* Four threads share one test:///empty connection, two domains each; the main thread pumps. */
static void test_four_threads_shared_connection(void)
{
    char xml[512], name[32];
    struct worker w[NTHREADS];
    pthread_t th[NTHREADS];
    memset(w, 0, sizeof w);
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    for (int t = 0; t < NTHREADS; t++) {
        w[t].index = t;
        w[t].conn = conn;
        w[t].cycles = CYCLES;
        for (int k = 0; k < PER_THREAD; k++) {
            snprintf(name, sizeof name, "thr-%d-%d", t, k);
            w[t].dom[k] = virDomainCreateXML(conn, xml_for(xml, sizeof xml, name), 0);
            CHECK(w[t].dom[k] != NULL);
        }
    }
    track_reset();
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(track_cb), NULL, NULL);
    CHECK(id >= 0);

    atomic_store(&workers_done, 0);
    for (int t = 0; t < NTHREADS; t++)
        CHECK(pthread_create(&th[t], NULL, worker_main, &w[t]) == 0);
    while (atomic_load(&workers_done) < NTHREADS) {
        pump();
        sleep_ms(1);
    }
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    pump();
    pump();

    report_workers(w);
    check_tracks(CYCLES * 2, __LINE__);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    for (int t = 0; t < NTHREADS; t++)
        for (int k = 0; k < PER_THREAD; k++)
            if (w[t].dom[k]) {
                CHECK(virDomainDestroy(w[t].dom[k]) == 0);
                virDomainFree(w[t].dom[k]);
            }
    CHECK(virConnectClose(conn) == 0);
}

/* Four threads, each with its own connection to test:///default; the main thread's own
 * connection receives everything. */
static void test_four_threads_own_connections(void)
{
    struct worker w[NTHREADS];
    pthread_t th[NTHREADS];
    memset(w, 0, sizeof w);
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    if (!conn)
        return;
    track_reset();
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(track_cb), NULL, NULL);
    CHECK(id >= 0);

    atomic_store(&workers_done, 0);
    for (int t = 0; t < NTHREADS; t++) {
        w[t].index = t;
        w[t].own_connection = 1;
        w[t].cycles = CYCLES / 2;
        CHECK(pthread_create(&th[t], NULL, worker_main, &w[t]) == 0);
    }
    while (atomic_load(&workers_done) < NTHREADS) {
        pump();
        sleep_ms(1);
    }
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    pump();
    pump();

    report_workers(w);
    /* each domain also had DEFINED, STARTED, STOPPED, UNDEFINED: 4 "other" events */
    for (int i = 0; i < NDOMS; i++) {
        int n = atomic_load(&track[i].count);
        int bad = atomic_load(&track[i].bad_order);
        int other = atomic_load(&track[i].other);
        if (n != CYCLES || bad != 0 || other != 4)
            fprintf(stderr, "%s:%d: domain thr-%d-%d: %d of %d events, %d out of order, %d others (want 4)\n",
                    __FILE__, __LINE__, i / PER_THREAD, i % PER_THREAD, n, CYCLES, bad, other);
        CHECK(n == CYCLES);
        CHECK(bad == 0);
        CHECK(other == 4);
    }
    CHECK(atomic_load(&unknown_domain) == 0);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- the loop in its own thread ------------------------------------------------------------- */

static atomic_int loop_stop, loop_iterations, loop_errors;

static void *loop_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&loop_stop)) {
        if (virEventRunDefaultImpl() < 0) {
            atomic_fetch_add(&loop_errors, 1);
            break;
        }
        atomic_fetch_add(&loop_iterations, 1);
    }
    return NULL;
}

static void wake_once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static int total_events(void)
{
    int n = 0;
    for (int i = 0; i < NDOMS; i++)
        n += atomic_load(&track[i].count);
    return n;
}

static void test_loop_thread(void)
{
    enum { LOOP_CYCLES = 100 };
    char xml[512], name[32];
    virDomainPtr dom[NDOMS];
    pthread_t th;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    for (int i = 0; i < NDOMS; i++) {
        snprintf(name, sizeof name, "thr-%d-%d", i / PER_THREAD, i % PER_THREAD);
        dom[i] = virDomainCreateXML(conn, xml_for(xml, sizeof xml, name), 0);
        CHECK(dom[i] != NULL);
    }
    track_reset();
    atomic_store(&loop_stop, 0);
    atomic_store(&loop_iterations, 0);
    atomic_store(&loop_errors, 0);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(track_cb), NULL, NULL);
    CHECK(id >= 0);
    CHECK(pthread_create(&th, NULL, loop_main, NULL) == 0);

    /* the loop thread is (probably) blocked in poll with nothing to do: the first change must
     * wake it up */
    sleep_ms(20);
    CHECK(dom[0] && virDomainSuspend(dom[0]) == 0);
    int waited = 0;
    while (total_events() < 1 && waited < 3000) {
        sleep_ms(1);
        waited++;
    }
    CHECK(total_events() == 1);

    CHECK(dom[0] && virDomainResume(dom[0]) == 0);
    int failures = 0;
    for (int c = 0; c < LOOP_CYCLES; c++)
        for (int i = 1; i < NDOMS; i++) {
            failures += !dom[i] || virDomainSuspend(dom[i]) != 0;
            failures += !dom[i] || virDomainResume(dom[i]) != 0;
        }
    CHECK(failures == 0);
    int want_total = 2 + (NDOMS - 1) * LOOP_CYCLES * 2;
    waited = 0;
    while (total_events() < want_total && waited < 10000) {
        sleep_ms(1);
        waited++;
    }
    if (total_events() != want_total)
        fprintf(stderr, "%s:%d: %d of %d events arrived through the loop thread\n", __FILE__, __LINE__,
                total_events(), want_total);
    CHECK(total_events() == want_total);

    atomic_store(&loop_stop, 1);
    virEventAddTimeout(0, wake_once, NULL, NULL);
    pthread_join(th, NULL);
    CHECK(atomic_load(&loop_errors) == 0);
    CHECK(atomic_load(&loop_iterations) > 0);

    for (int i = 0; i < NDOMS; i++) {
        int want = i == 0 ? 2 : LOOP_CYCLES * 2;
        CHECK(atomic_load(&track[i].count) == want);
        CHECK(atomic_load(&track[i].bad_order) == 0);
        CHECK(atomic_load(&track[i].other) == 0);
    }

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    for (int i = 0; i < NDOMS; i++)
        if (dom[i]) {
            CHECK(virDomainDestroy(dom[i]) == 0);
            virDomainFree(dom[i]);
        }
    pump(); /* the loop is ours again */
    CHECK(virConnectClose(conn) == 0);
}

/* Registrations and deregistrations from several threads while events flow: IDs are unique,
 * every freecb runs once. */
#define REG_ROUNDS 100
static atomic_int reg_frees;
static atomic_int reg_failures;

static void count_free(void *o)
{
    (void)o;
    atomic_fetch_add(&reg_frees, 1);
}

static int noop_cb(virConnectPtr c, virDomainPtr d, int e, int det, void *o)
{
    (void)c;
    (void)d;
    (void)e;
    (void)det;
    (void)o;
    return 0;
}

struct reg_worker {
    virConnectPtr conn;
    virDomainPtr dom;
};

static void *reg_worker_main(void *arg)
{
    struct reg_worker *rw = arg;
    for (int i = 0; i < REG_ROUNDS; i++) {
        int id = virConnectDomainEventRegisterAny(rw->conn, rw->dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(noop_cb), NULL,
                                                  count_free);
        if (id < 0) {
            atomic_fetch_add(&reg_failures, 1);
            continue;
        }
        if (virDomainSuspend(rw->dom) != 0 || virDomainResume(rw->dom) != 0)
            atomic_fetch_add(&reg_failures, 1);
        if (virConnectDomainEventDeregisterAny(rw->conn, id) != 0)
            atomic_fetch_add(&reg_failures, 1);
    }
    atomic_fetch_add(&workers_done, 1);
    return NULL;
}

static void test_concurrent_registration(void)
{
    char xml[512], name[32];
    struct reg_worker rw[NTHREADS];
    pthread_t th[NTHREADS];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    for (int t = 0; t < NTHREADS; t++) {
        rw[t].conn = conn;
        snprintf(name, sizeof name, "thr-%d-0", t);
        rw[t].dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, name), 0);
        CHECK(rw[t].dom != NULL);
    }
    atomic_store(&reg_frees, 0);
    atomic_store(&reg_failures, 0);
    atomic_store(&workers_done, 0);
    for (int t = 0; t < NTHREADS; t++)
        CHECK(pthread_create(&th[t], NULL, reg_worker_main, &rw[t]) == 0);
    while (atomic_load(&workers_done) < NTHREADS) {
        pump();
        sleep_ms(1);
    }
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    pump();
    CHECK(atomic_load(&reg_failures) == 0);
    CHECK(atomic_load(&reg_frees) == NTHREADS * REG_ROUNDS);

    for (int t = 0; t < NTHREADS; t++)
        if (rw[t].dom) {
            CHECK(virDomainDestroy(rw[t].dom) == 0);
            virDomainFree(rw[t].dom);
        }
    CHECK(virConnectClose(conn) == 0);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    RUN(test_four_threads_shared_connection);
    RUN(test_four_threads_own_connections);
    RUN(test_loop_thread);
    RUN(test_concurrent_registration);
    return harness_exit();
}
