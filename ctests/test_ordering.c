/* Ordering and consistency of delivered events (the seed fixes):
 * (a) an event is delivered only after the change it reports is committed, so a callback
 *     already sees it through lookups, the XML and the state;
 * (b) a paused start reports STARTED then SUSPENDED, never RESUMED;
 * (c) many operations on several domains before one loop turn arrive in the order they
 *     happened, for every domain. */
#include "harness.h"

#include <signal.h>
#include <stdint.h>
#include <unistd.h>

static const char *xml_for(char *buf, size_t len, const char *name)
{
    snprintf(buf, len,
             "<domain type='test'><name>%s</name><memory>1024</memory>"
             "<os><type>hvm</type></os></domain>",
             name);
    return buf;
}

static const char *ev_name(int event)
{
    static const char *names[] = {"DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED",
                                  "STOPPED", "SHUTDOWN", "PMSUSPENDED", "CRASHED"};
    return event >= 0 && event < (int)(sizeof names / sizeof names[0]) ? names[event] : "?";
}

#define MAXLOG 2048
struct logent {
    int event;
    int detail;
    char name[32];
};
static struct logent evlog[MAXLOG];
static int nlog;

static void log_reset(void)
{
    nlog = 0;
}

static int record_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    if (nlog < MAXLOG) {
        const char *n = virDomainGetName(d);
        evlog[nlog].event = event;
        evlog[nlog].detail = detail;
        snprintf(evlog[nlog].name, sizeof evlog[nlog].name, "%s", n ? n : "(null)");
    }
    nlog++;
    return 0;
}

struct want {
    const char *name;
    int event;
    int detail;
};

static void dump_log(void)
{
    for (int i = 0; i < nlog && i < MAXLOG; i++)
        fprintf(stderr, "    got[%d]: %s %s detail %d\n", i, evlog[i].name, ev_name(evlog[i].event), evlog[i].detail);
}

/* The events of domain `name` (all domains if NULL), in delivery order, must be `want`. */
static void check_seq_at(const char *name, const struct want *want, int n, int line)
{
    int k = 0, ok = 1;
    for (int i = 0; i < nlog && i < MAXLOG; i++) {
        if (name && strcmp(evlog[i].name, name) != 0)
            continue;
        if (k >= n || strcmp(evlog[i].name, want[k].name) != 0 || evlog[i].event != want[k].event ||
            evlog[i].detail != want[k].detail)
            ok = 0;
        k++;
    }
    if (k != n)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "%s:%d: events of %s out of order or missing; wanted:\n", __FILE__, line,
                name ? name : "all domains");
        for (int i = 0; i < n; i++)
            fprintf(stderr, "    want[%d]: %s %s detail %d\n", i, want[i].name, ev_name(want[i].event), want[i].detail);
        dump_log();
    }
    CHECK(ok);
}
#define CHECK_SEQ(name, ...)                                                            \
    do {                                                                                \
        const struct want w_[] = {__VA_ARGS__};                                         \
        check_seq_at(name, w_, (int)(sizeof w_ / sizeof w_[0]), __LINE__);              \
    } while (0)

/* ---- (a) committed before delivery -------------------------------------------------------- */

struct seen {
    int defined_calls;
    int defined_lookup_ok;
    int defined_xml_ok;
    int defined_persistent;
    int started_calls;
    int started_active;
    int started_state;
    int started_id_ok;
    int stopped_calls;
    int stopped_active;
    int undefined_calls;
    int undefined_lookup_code;
    int transient_stopped_lookup_code;
};
static struct seen seen;

static int committed_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    const char *name = virDomainGetName(dom);
    (void)detail;
    (void)opaque;
    if (!name)
        return 0;
    if (event == VIR_DOMAIN_EVENT_DEFINED) {
        seen.defined_calls++;
        virDomainPtr found = virDomainLookupByName(conn, name);
        if (found) {
            seen.defined_lookup_ok = 1;
            char *xml = virDomainGetXMLDesc(found, 0);
            char needle[64];
            snprintf(needle, sizeof needle, "<name>%s</name>", name);
            if (xml && strstr(xml, needle))
                seen.defined_xml_ok = 1;
            free(xml);
            seen.defined_persistent = virDomainIsPersistent(found);
            virDomainFree(found);
        }
    } else if (event == VIR_DOMAIN_EVENT_STARTED) {
        seen.started_calls++;
        seen.started_active = virDomainIsActive(dom);
        int st = -1;
        if (virDomainGetState(dom, &st, NULL, 0) == 0)
            seen.started_state = st;
        virDomainPtr found = virDomainLookupByName(conn, name);
        if (found) {
            seen.started_id_ok = (int)virDomainGetID(found) > 0;
            virDomainFree(found);
        }
    } else if (event == VIR_DOMAIN_EVENT_STOPPED) {
        seen.stopped_calls++;
        if (strcmp(name, "ord-transient") == 0) {
            virDomainPtr found = virDomainLookupByName(conn, name);
            seen.transient_stopped_lookup_code = found ? 0 : virGetLastErrorCode();
            if (found)
                virDomainFree(found);
        } else {
            seen.stopped_active = virDomainIsActive(dom);
        }
    } else if (event == VIR_DOMAIN_EVENT_UNDEFINED) {
        seen.undefined_calls++;
        virDomainPtr found = virDomainLookupByName(conn, name);
        seen.undefined_lookup_code = found ? 0 : virGetLastErrorCode();
        if (found)
            virDomainFree(found);
    }
    return 0;
}

static void test_committed_before_delivery(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    memset(&seen, 0, sizeof seen);
    seen.started_state = -1;
    seen.stopped_active = -1;
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(committed_cb), NULL, NULL);
    CHECK(id >= 0);

    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "ord-commit"));
    CHECK(dom != NULL);
    pump();
    CHECK(seen.defined_calls == 1);
    CHECK(seen.defined_lookup_ok == 1);
    CHECK(seen.defined_xml_ok == 1);
    CHECK(seen.defined_persistent == 1);

    CHECK(virDomainCreate(dom) == 0);
    pump();
    CHECK(seen.started_calls == 1);
    CHECK(seen.started_active == 1);
    CHECK(seen.started_state == VIR_DOMAIN_RUNNING);
    CHECK(seen.started_id_ok == 1);

    CHECK(virDomainDestroy(dom) == 0);
    pump();
    CHECK(seen.stopped_calls == 1);
    CHECK(seen.stopped_active == 0);

    CHECK(virDomainUndefine(dom) == 0);
    pump();
    CHECK(seen.undefined_calls == 1);
    CHECK(seen.undefined_lookup_code == VIR_ERR_NO_DOMAIN);

    /* a transient domain is already gone when its STOPPED event arrives */
    virDomainPtr t = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "ord-transient"), 0);
    CHECK(t != NULL);
    pump();
    CHECK(seen.started_calls == 2);
    CHECK(seen.started_active == 1);
    CHECK(virDomainDestroy(t) == 0);
    pump();
    CHECK(seen.stopped_calls == 2);
    CHECK(seen.transient_stopped_lookup_code == VIR_ERR_NO_DOMAIN);
    if (t)
        virDomainFree(t);

    /* the same through a second connection: the change made on one is visible from a
     * callback of the other */
    virConnectPtr c1 = virConnectOpen("test:///default");
    virConnectPtr c2 = virConnectOpen("test:///default");
    CHECK(c1 && c2);
    if (c1 && c2) {
        memset(&seen, 0, sizeof seen);
        int id1 = virConnectDomainEventRegisterAny(c1, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(committed_cb), NULL, NULL);
        CHECK(id1 >= 0);
        virDomainPtr d2 = virDomainDefineXML(c2, xml_for(xml, sizeof xml, "ord-other-conn"));
        CHECK(d2 != NULL);
        pump();
        CHECK(seen.defined_calls == 1);
        CHECK(seen.defined_lookup_ok == 1);
        CHECK(seen.defined_xml_ok == 1);
        if (d2) {
            CHECK(virDomainUndefine(d2) == 0);
            virDomainFree(d2);
        }
        pump();
        CHECK(seen.undefined_calls == 1);
        CHECK(seen.undefined_lookup_code == VIR_ERR_NO_DOMAIN);
        CHECK(virConnectDomainEventDeregisterAny(c1, id1) == 0);
    }
    if (c2)
        virConnectClose(c2);
    if (c1)
        virConnectClose(c1);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- (b) paused start ----------------------------------------------------------------------- */

static void test_paused_start_order(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    log_reset();
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(record_cb), NULL, NULL);
    CHECK(id >= 0);

    /* defined domain, virDomainCreateWithFlags */
    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "ord-paused"));
    CHECK(dom != NULL);
    pump();
    log_reset();
    CHECK(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) == 0);
    pump();
    CHECK_SEQ(NULL, {"ord-paused", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-paused", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED});
    int st = -1, reason = -1;
    CHECK(virDomainGetState(dom, &st, &reason, 0) == 0);
    CHECK(st == VIR_DOMAIN_PAUSED);

    /* only an explicit resume gives RESUMED */
    log_reset();
    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK_SEQ(NULL, {"ord-paused", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED});

    /* the same with the define and the paused start queued together */
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);
    pump();
    log_reset();
    dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "ord-paused"));
    CHECK(dom != NULL);
    CHECK(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) == 0);
    pump();
    CHECK_SEQ(NULL, {"ord-paused", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED},
              {"ord-paused", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-paused", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED});
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);

    /* transient domain, virDomainCreateXML */
    pump();
    log_reset();
    virDomainPtr t = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "ord-paused-t"), VIR_DOMAIN_START_PAUSED);
    CHECK(t != NULL);
    pump();
    CHECK_SEQ(NULL, {"ord-paused-t", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-paused-t", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED});
    if (t) {
        CHECK(virDomainGetState(t, &st, &reason, 0) == 0);
        CHECK(st == VIR_DOMAIN_PAUSED);
        CHECK(virDomainDestroy(t) == 0);
        virDomainFree(t);
    }

    /* never a RESUMED anywhere above without a resume call */
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- (c) many operations, one loop turn ----------------------------------------------------- */

static void test_many_operations_one_pump(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    log_reset();
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(record_cb), NULL, NULL);
    CHECK(id >= 0);

    virDomainPtr a = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "ord-a"));
    virDomainPtr b = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "ord-b"));
    CHECK(a && b);
    if (!a || !b)
        return;
    CHECK(virDomainCreate(a) == 0);
    virDomainPtr c = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "ord-c"), 0);
    CHECK(c != NULL);
    CHECK(virDomainSuspend(a) == 0);
    CHECK(virDomainCreateWithFlags(b, VIR_DOMAIN_START_PAUSED) == 0);
    CHECK(virDomainSuspend(c) == 0);
    CHECK(virDomainResume(b) == 0);
    CHECK(virDomainResume(a) == 0);
    CHECK(virDomainDestroy(c) == 0);
    CHECK(virDomainShutdown(b) == 0);
    CHECK(virDomainDestroy(a) == 0);
    CHECK(virDomainUndefine(a) == 0);
    CHECK(virDomainCreate(b) == 0);
    CHECK(nlog == 0);
    pump();

    CHECK_SEQ("ord-a", {"ord-a", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED},
              {"ord-a", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-a", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {"ord-a", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED},
              {"ord-a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {"ord-a", VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED});
    CHECK_SEQ("ord-b", {"ord-b", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED},
              {"ord-b", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-b", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {"ord-b", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED},
              {"ord-b", VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED},
              {"ord-b", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN},
              {"ord-b", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED});
    CHECK_SEQ("ord-c", {"ord-c", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-c", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {"ord-c", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED});
    /* one thread, one hypervisor: the whole stream is in operation order too */
    CHECK_SEQ(NULL, {"ord-a", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED},
              {"ord-b", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED},
              {"ord-a", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-c", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-a", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {"ord-b", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {"ord-b", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {"ord-c", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {"ord-b", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED},
              {"ord-a", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED},
              {"ord-c", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {"ord-b", VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED},
              {"ord-b", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN},
              {"ord-a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {"ord-a", VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED},
              {"ord-b", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED});

    CHECK(virDomainDestroy(b) == 0);
    CHECK(virDomainUndefine(b) == 0);
    virDomainFree(a);
    virDomainFree(b);
    if (c)
        virDomainFree(c);
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

/* Hundreds of alternating suspend/resume calls on three domains, all queued, one loop turn. */
static void test_long_queue_per_domain_order(void)
{
    enum { NDOM = 3, ROUNDS = 150 };
    char xml[512], name[32];
    virDomainPtr dom[NDOM];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    for (int i = 0; i < NDOM; i++) {
        snprintf(name, sizeof name, "ord-q%d", i);
        dom[i] = virDomainCreateXML(conn, xml_for(xml, sizeof xml, name), 0);
        CHECK(dom[i] != NULL);
        if (!dom[i])
            return;
    }
    log_reset();
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(record_cb), NULL, NULL);
    CHECK(id >= 0);

    /* interleave domains in a pattern that differs per round */
    int failures = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < NDOM; k++) {
            int i = (r + k) % NDOM;
            failures += virDomainSuspend(dom[i]) != 0;
        }
        for (int k = NDOM - 1; k >= 0; k--) {
            int i = (r * 2 + k) % NDOM;
            failures += virDomainResume(dom[i]) != 0;
        }
    }
    CHECK(failures == 0);
    pump();
    CHECK(nlog == NDOM * ROUNDS * 2);

    for (int i = 0; i < NDOM; i++) {
        int n = 0, bad = 0;
        snprintf(name, sizeof name, "ord-q%d", i);
        for (int e = 0; e < nlog && e < MAXLOG; e++) {
            if (strcmp(evlog[e].name, name) != 0)
                continue;
            int want = n % 2 == 0 ? VIR_DOMAIN_EVENT_SUSPENDED : VIR_DOMAIN_EVENT_RESUMED;
            if (evlog[e].event != want) {
                if (!bad)
                    fprintf(stderr, "%s:%d: %s event #%d is %s, wanted %s\n", __FILE__, __LINE__, name, n,
                            ev_name(evlog[e].event), ev_name(want));
                bad++;
            }
            n++;
        }
        CHECK(bad == 0);
        CHECK(n == ROUNDS * 2);
    }

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    for (int i = 0; i < NDOM; i++) {
        CHECK(virDomainDestroy(dom[i]) == 0);
        virDomainFree(dom[i]);
    }
    CHECK(virConnectClose(conn) == 0);
}

/* Operations from two connections to test:///default, interleaved, all before one loop turn:
 * each connection's callback gets every event in the order the changes were made. */
static struct logent conn_log[2][64];
static int conn_nlog[2];

static int per_conn_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    int which = (int)(intptr_t)opaque;
    (void)c;
    if (conn_nlog[which] < 64) {
        struct logent *e = &conn_log[which][conn_nlog[which]];
        const char *n = virDomainGetName(d);
        e->event = event;
        e->detail = detail;
        snprintf(e->name, sizeof e->name, "%s", n ? n : "(null)");
    }
    conn_nlog[which]++;
    return 0;
}

static void test_two_connections_same_order(void)
{
    char xml[512];
    virConnectPtr c[2];
    c[0] = virConnectOpen("test:///default");
    c[1] = virConnectOpen("test:///default");
    CHECK(c[0] && c[1]);
    if (!c[0] || !c[1])
        return;
    conn_nlog[0] = conn_nlog[1] = 0;
    int id0 = virConnectDomainEventRegisterAny(c[0], NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(per_conn_cb), (void *)0, NULL);
    int id1 = virConnectDomainEventRegisterAny(c[1], NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(per_conn_cb), (void *)1, NULL);
    CHECK(id0 >= 0 && id1 >= 0);

    virDomainPtr t0 = virDomainLookupByName(c[0], "test");
    virDomainPtr x1 = virDomainDefineXML(c[1], xml_for(xml, sizeof xml, "ord-x"));
    CHECK(t0 && x1);
    if (t0 && x1) {
        CHECK(virDomainSuspend(t0) == 0);
        CHECK(virDomainCreate(x1) == 0);
        CHECK(virDomainResume(t0) == 0);
        CHECK(virDomainDestroy(x1) == 0);
        CHECK(virDomainUndefine(x1) == 0);
    }
    pump();
    static const struct want want[] = {
        {"ord-x", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED},
        {"test", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
        {"ord-x", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
        {"test", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED},
        {"ord-x", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
        {"ord-x", VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED},
    };
    for (int w = 0; w < 2; w++) {
        int ok = conn_nlog[w] == 6;
        for (int i = 0; ok && i < 6; i++)
            ok = strcmp(conn_log[w][i].name, want[i].name) == 0 && conn_log[w][i].event == want[i].event &&
                 conn_log[w][i].detail == want[i].detail;
        if (!ok) {
            fprintf(stderr, "%s:%d: connection %d saw:\n", __FILE__, __LINE__, w);
            for (int i = 0; i < conn_nlog[w] && i < 64; i++)
                fprintf(stderr, "    %s %s %d\n", conn_log[w][i].name, ev_name(conn_log[w][i].event), conn_log[w][i].detail);
        }
        CHECK(ok);
    }
    if (t0)
        virDomainFree(t0);
    if (x1)
        virDomainFree(x1);
    CHECK(virConnectDomainEventDeregisterAny(c[0], id0) == 0);
    CHECK(virConnectDomainEventDeregisterAny(c[1], id1) == 0);
    CHECK(virConnectClose(c[1]) == 0);
    CHECK(virConnectClose(c[0]) == 0);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    RUN(test_committed_before_delivery);
    RUN(test_paused_start_order);
    RUN(test_many_operations_one_pump);
    RUN(test_long_queue_per_domain_order);
    RUN(test_two_connections_same_order);
    return harness_exit();
}
