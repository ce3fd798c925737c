/* Callbacks that re-enter the library, and the free callback (freecb) contract: it runs exactly
 * once per registration — on deregistration or on close of the connection — never while its
 * callback runs, and never under a lock of the library (a freecb may call the API). Callbacks
 * may deregister themselves or others, register new ones, call domain APIs or close their own
 * connection. */
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

/* ---- a registration under test ---------------------------------------------------------- */

enum action {
    ACT_NONE,
    ACT_DEREG_SELF,        /* deregister itself (Any) on its first call */
    ACT_DEREG_SELF_LEGACY, /* the same through virConnectDomainEventDeregister */
    ACT_DEREG_OTHER,       /* deregister `other` on its first call */
    ACT_REGISTER_OTHER,    /* register `other` on its first call */
    ACT_CLOSE_CONN,        /* close its own connection on its first call */
    ACT_DOMAIN_APIS,       /* use domain APIs, changing domain "re-y" */
};

typedef int (*lifecycle_cb)(virConnectPtr, virDomainPtr, int, int, void *);

struct reg {
    virConnectPtr conn;
    lifecycle_cb fn;
    int id;
    enum action action;
    struct reg *other;
    int calls;
    int frees;
    int running;
    int freed_while_running;
    int action_rc;       /* result of the action's own call */
    int events[16];      /* the lifecycle events it saw */
    int apis_ok;         /* ACT_DOMAIN_APIS: how many of the calls worked */
};

static void reg_free(void *opaque)
{
    struct reg *r = opaque;
    r->frees++;
    if (r->running)
        r->freed_while_running++;
}

static int reg_register(struct reg *r)
{
    r->id = virConnectDomainEventRegisterAny(r->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(r->fn), r, reg_free);
    return r->id;
}

static void do_domain_apis(struct reg *r, virConnectPtr conn, virDomainPtr dom)
{
    virDomainPtr y = virDomainLookupByName(conn, "re-y");
    int st = -1;
    if (y) {
        r->apis_ok++;
        if (virDomainGetState(y, &st, NULL, 0) == 0 && st == VIR_DOMAIN_RUNNING)
            r->apis_ok++;
        if (virDomainSuspend(y) == 0)
            r->apis_ok++;
        if (virDomainResume(y) == 0)
            r->apis_ok++;
        virDomainFree(y);
    }
    char *xml = virDomainGetXMLDesc(dom, 0);
    if (xml) {
        r->apis_ok++;
        free(xml);
    }
    if (virDomainGetState(dom, &st, NULL, 0) == 0 && st == VIR_DOMAIN_PAUSED)
        r->apis_ok++;
    virDomainPtr *list = NULL;
    int n = virConnectListAllDomains(conn, &list, 0);
    if (n == 2)
        r->apis_ok++;
    for (int i = 0; list && i < n; i++)
        virDomainFree(list[i]);
    free(list);
    if (virConnectNumOfDomains(conn) == 2)
        r->apis_ok++;
}

static int common_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail, struct reg *r)
{
    (void)detail;
    r->running = 1;
    if (r->calls < 16)
        r->events[r->calls] = event;
    r->calls++;
    if (r->calls == 1) {
        switch (r->action) {
        case ACT_NONE:
            break;
        case ACT_DEREG_SELF:
            r->action_rc = virConnectDomainEventDeregisterAny(conn, r->id);
            break;
        case ACT_DEREG_SELF_LEGACY:
            r->action_rc = virConnectDomainEventDeregister(conn, r->fn);
            break;
        case ACT_DEREG_OTHER:
            r->action_rc = virConnectDomainEventDeregisterAny(conn, r->other->id);
            break;
        case ACT_REGISTER_OTHER:
            r->action_rc = reg_register(r->other);
            break;
        case ACT_CLOSE_CONN:
            r->action_rc = virConnectClose(conn);
            break;
        case ACT_DOMAIN_APIS:
            do_domain_apis(r, conn, dom);
            break;
        }
    }
    r->running = 0;
    return 0;
}

/* Distinct functions, since one connection refuses the same callback twice for one event. */
static int cb_0(virConnectPtr c, virDomainPtr d, int e, int det, void *o) { return common_cb(c, d, e, det, o); }
static int cb_1(virConnectPtr c, virDomainPtr d, int e, int det, void *o) { return common_cb(c, d, e, det, o); }
static int cb_2(virConnectPtr c, virDomainPtr d, int e, int det, void *o) { return common_cb(c, d, e, det, o); }
static int cb_3(virConnectPtr c, virDomainPtr d, int e, int det, void *o) { return common_cb(c, d, e, det, o); }

static void reg_init(struct reg *r, virConnectPtr conn, lifecycle_cb fn, enum action action)
{
    memset(r, 0, sizeof *r);
    r->conn = conn;
    r->fn = fn;
    r->id = -1;
    r->action = action;
    r->action_rc = -99;
}

/* ---- cases ---------------------------------------------------------------------------------- */

static void test_freecb_on_deregister(void)
{
    char xml[512];
    struct reg any, legacy;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-dereg"), 0);
    CHECK(dom != NULL);

    reg_init(&any, conn, cb_0, ACT_NONE);
    reg_init(&legacy, conn, cb_1, ACT_NONE);
    CHECK(reg_register(&any) >= 0);
    CHECK(virConnectDomainEventRegister(conn, legacy.fn, &legacy, reg_free) == 0);
    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK(any.calls == 1 && legacy.calls == 1);
    CHECK(any.frees == 0 && legacy.frees == 0);

    CHECK(virConnectDomainEventDeregisterAny(conn, any.id) == 0);
    CHECK(any.frees == 1);
    CHECK(virConnectDomainEventDeregister(conn, legacy.fn) == 0);
    CHECK(legacy.frees == 1);
    pump();
    /* a failed second deregistration does not run it again */
    CHECK(virConnectDomainEventDeregisterAny(conn, any.id) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventDeregister(conn, legacy.fn) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(any.frees == 1 && legacy.frees == 1);

    /* a refused (duplicate) registration does not run the freecb of the opaque it was
     * given (the caller still owns it), and the accepted one still gets exactly one */
    struct reg dup;
    reg_init(&dup, conn, cb_2, ACT_NONE);
    CHECK(reg_register(&dup) >= 0);
    int first = dup.id;
    CHECK(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(dup.fn), &dup, reg_free) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(dup.frees == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, first) == 0);
    CHECK(dup.frees == 1);

    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK(any.calls == 1 && legacy.calls == 1 && dup.calls == 0);
    CHECK(any.freed_while_running == 0 && legacy.freed_while_running == 0);

    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_freecb_on_close(void)
{
    char xml[512];
    struct reg r[4];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-close"), 0);
    CHECK(dom != NULL);

    reg_init(&r[0], conn, cb_0, ACT_NONE);
    reg_init(&r[1], conn, cb_1, ACT_NONE);
    reg_init(&r[2], conn, cb_2, ACT_NONE);
    reg_init(&r[3], conn, cb_3, ACT_NONE);
    CHECK(reg_register(&r[0]) >= 0);
    CHECK(virConnectDomainEventRegister(conn, r[1].fn, &r[1], reg_free) == 0);
    r[2].id = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(r[2].fn), &r[2], reg_free);
    CHECK(r[2].id >= 0);
    r[3].id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, CB(cb_3), &r[3], reg_free);
    CHECK(r[3].id >= 0);

    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK(r[0].calls == 1 && r[1].calls == 1 && r[2].calls == 1);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);

    /* an event still queued when the connection closes is not delivered afterwards */
    for (int i = 0; i < 4; i++)
        CHECK(r[i].frees == 0);
    CHECK(virConnectClose(conn) == 0);
    for (int i = 0; i < 4; i++) {
        if (r[i].frees != 1)
            fprintf(stderr, "%s:%d: registration %d: freecb ran %d times on close\n", __FILE__, __LINE__, i, r[i].frees);
        CHECK(r[i].frees == 1);
    }
    pump();
    pump();
    for (int i = 0; i < 4; i++)
        CHECK(r[i].frees == 1);
    CHECK(r[0].calls == 1 && r[1].calls == 1 && r[2].calls == 1 && r[3].calls == 0);
}

/* A freecb may call the API: it runs under no lock of the library. */
static virConnectPtr reenter_conn;
static int reenter_frees, reenter_ok;

static void reenter_dummy(virConnectPtr c, virDomainPtr d, void *o)
{
    (void)c;
    (void)d;
    (void)o;
}

static void reentering_free(void *opaque)
{
    (void)opaque;
    reenter_frees++;
    if (virConnectNumOfDomains(reenter_conn) >= 0)
        reenter_ok++;
    int id = virConnectDomainEventRegisterAny(reenter_conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, CB(reenter_dummy), NULL, NULL);
    if (id >= 0 && virConnectDomainEventDeregisterAny(reenter_conn, id) == 0)
        reenter_ok++;
    virDomainPtr t = virDomainLookupByName(reenter_conn, "test");
    if (t) {
        reenter_ok++;
        virDomainFree(t);
    }
}

static void test_freecb_reenters_api(void)
{
    virConnectPtr c1 = virConnectOpen("test:///default");
    reenter_conn = virConnectOpen("test:///default"); /* same hypervisor, same event state */
    CHECK(c1 && reenter_conn);
    if (!c1 || !reenter_conn)
        return;
    reenter_frees = reenter_ok = 0;

    int id = virConnectDomainEventRegisterAny(c1, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(cb_0), NULL, reentering_free);
    CHECK(id >= 0);
    CHECK(virConnectDomainEventDeregisterAny(c1, id) == 0);
    CHECK(reenter_frees == 1);
    CHECK(reenter_ok == 3);

    /* and on close */
    id = virConnectDomainEventRegisterAny(c1, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(cb_0), NULL, reentering_free);
    CHECK(id >= 0);
    CHECK(virConnectDomainEventRegister(c1, cb_1, NULL, reentering_free) == 0);
    CHECK(virConnectClose(c1) == 0);
    CHECK(reenter_frees == 3);
    CHECK(reenter_ok == 9);
    CHECK(virConnectClose(reenter_conn) == 0);
    reenter_conn = NULL;
}

static void test_callback_deregisters_itself(void)
{
    char xml[512];
    struct reg self, legacy, bystander;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-self"), 0);
    CHECK(dom != NULL);

    reg_init(&self, conn, cb_0, ACT_DEREG_SELF);
    reg_init(&legacy, conn, cb_1, ACT_DEREG_SELF_LEGACY);
    reg_init(&bystander, conn, cb_2, ACT_NONE);
    CHECK(reg_register(&self) >= 0);
    CHECK(virConnectDomainEventRegister(conn, legacy.fn, &legacy, reg_free) == 0);
    CHECK(reg_register(&bystander) >= 0);

    /* two events queued: the second must not reach the callbacks that left on the first */
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK(self.calls == 1);
    CHECK(self.action_rc == 0);
    CHECK(self.frees == 1);
    CHECK(self.freed_while_running == 0);
    CHECK(legacy.calls == 1);
    CHECK(legacy.action_rc == 0);
    CHECK(legacy.frees == 1);
    CHECK(legacy.freed_while_running == 0);
    CHECK(bystander.calls == 2);
    CHECK(bystander.frees == 0);

    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK(self.calls == 1 && legacy.calls == 1 && bystander.calls == 3);
    CHECK(self.frees == 1 && legacy.frees == 1);

    CHECK(virConnectDomainEventDeregisterAny(conn, bystander.id) == 0);
    CHECK(bystander.frees == 1);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
    CHECK(self.frees == 1 && legacy.frees == 1 && bystander.frees == 1);
}

static void test_callback_deregisters_other(void)
{
    char xml[512];
    struct reg killer, later, earlier_victim, late_killer;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-other"), 0);
    CHECK(dom != NULL);

    /* order: earlier_victim, killer, later, late_killer
     * killer removes `later` (registered after it): later must not see this event;
     * late_killer removes `earlier_victim` (already called for this event): no more events. */
    reg_init(&earlier_victim, conn, cb_0, ACT_NONE);
    reg_init(&killer, conn, cb_1, ACT_DEREG_OTHER);
    reg_init(&later, conn, cb_2, ACT_NONE);
    reg_init(&late_killer, conn, cb_3, ACT_DEREG_OTHER);
    killer.other = &later;
    late_killer.other = &earlier_victim;
    CHECK(reg_register(&earlier_victim) >= 0);
    CHECK(reg_register(&killer) >= 0);
    CHECK(reg_register(&later) >= 0);
    CHECK(reg_register(&late_killer) >= 0);

    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK(killer.action_rc == 0);
    CHECK(late_killer.action_rc == 0);
    CHECK(earlier_victim.calls == 1);
    CHECK(killer.calls == 1);
    CHECK(later.calls == 0);
    CHECK(late_killer.calls == 1);
    CHECK(later.frees == 1);
    CHECK(earlier_victim.frees == 1);
    CHECK(earlier_victim.freed_while_running == 0);

    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK(earlier_victim.calls == 1 && later.calls == 0);
    CHECK(killer.calls == 2 && late_killer.calls == 2);

    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
    CHECK(killer.frees == 1 && late_killer.frees == 1 && later.frees == 1 && earlier_victim.frees == 1);
}

static void test_callback_registers_new(void)
{
    char xml[512];
    struct reg maker, made;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-new"), 0);
    CHECK(dom != NULL);

    reg_init(&maker, conn, cb_0, ACT_REGISTER_OTHER);
    reg_init(&made, conn, cb_1, ACT_NONE);
    maker.other = &made;
    CHECK(reg_register(&maker) >= 0);

    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK(maker.calls == 1);
    CHECK(maker.action_rc >= 0);
    CHECK(made.id >= 0 && made.id != maker.id);
    int before = made.calls; /* whether it sees the event being dispatched is not specified */
    CHECK(before <= 1);

    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK(made.calls == before + 1);
    CHECK(made.calls >= 1 && made.events[made.calls - 1] == VIR_DOMAIN_EVENT_RESUMED);
    CHECK(maker.calls == 2);

    CHECK(virConnectDomainEventDeregisterAny(conn, made.id) == 0);
    CHECK(made.frees == 1);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
    CHECK(maker.frees == 1 && made.frees == 1);
}

static void test_callback_calls_domain_apis(void)
{
    char xml[512];
    struct reg user, recorder;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr x = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-x"), 0);
    virDomainPtr y = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-y"), 0);
    CHECK(x && y);
    if (!x || !y)
        return;

    reg_init(&user, conn, cb_0, ACT_DOMAIN_APIS);
    reg_init(&recorder, conn, cb_1, ACT_NONE);
    user.id = virConnectDomainEventRegisterAny(conn, x, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(user.fn), &user, reg_free);
    CHECK(user.id >= 0);
    CHECK(reg_register(&recorder) >= 0);

    CHECK(virDomainSuspend(x) == 0);
    pump();
    pump();
    CHECK(user.calls == 1);
    if (user.apis_ok != 8)
        fprintf(stderr, "%s:%d: %d of 8 API calls from the callback worked\n", __FILE__, __LINE__, user.apis_ok);
    CHECK(user.apis_ok == 8);
    /* the changes the callback made were reported too, after the one it handled */
    CHECK(recorder.calls == 3);
    CHECK(recorder.events[0] == VIR_DOMAIN_EVENT_SUSPENDED);
    CHECK(recorder.events[1] == VIR_DOMAIN_EVENT_SUSPENDED);
    CHECK(recorder.events[2] == VIR_DOMAIN_EVENT_RESUMED);
    int st = -1;
    CHECK(virDomainGetState(y, &st, NULL, 0) == 0 && st == VIR_DOMAIN_RUNNING);

    CHECK(virConnectDomainEventDeregisterAny(conn, user.id) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, recorder.id) == 0);
    CHECK(virDomainDestroy(x) == 0);
    CHECK(virDomainDestroy(y) == 0);
    virDomainFree(x);
    virDomainFree(y);
    CHECK(virConnectClose(conn) == 0);
}

static void test_callback_closes_connection(void)
{
    struct reg closer, after, legacy, other_conn;
    virConnectPtr c1 = virConnectOpen("test:///default");
    virConnectPtr c2 = virConnectOpen("test:///default");
    CHECK(c1 && c2);
    if (!c1 || !c2)
        return;

    reg_init(&closer, c1, cb_0, ACT_CLOSE_CONN);
    reg_init(&after, c1, cb_1, ACT_NONE);
    reg_init(&legacy, c1, cb_2, ACT_NONE);
    reg_init(&other_conn, c2, cb_3, ACT_NONE);
    CHECK(reg_register(&closer) >= 0);
    CHECK(reg_register(&after) >= 0);
    CHECK(virConnectDomainEventRegister(c1, legacy.fn, &legacy, reg_free) == 0);
    CHECK(reg_register(&other_conn) >= 0);

    virDomainPtr t = virDomainLookupByName(c2, "test");
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(virDomainSuspend(t) == 0);
    CHECK(virDomainResume(t) == 0); /* queued behind: must not reach c1's callbacks */
    pump();
    CHECK(closer.calls == 1);
    CHECK(closer.action_rc >= 0);
    /* closing deregistered everything of c1, including those not yet called for this event */
    CHECK(after.calls == 0);
    CHECK(legacy.calls == 0);
    CHECK(closer.frees == 1 && after.frees == 1 && legacy.frees == 1);
    CHECK(closer.freed_while_running == 0);
    CHECK(other_conn.calls == 2);
    CHECK(other_conn.frees == 0);

    CHECK(virDomainSuspend(t) == 0);
    CHECK(virDomainResume(t) == 0);
    pump();
    CHECK(closer.calls == 1 && after.calls == 0 && legacy.calls == 0);
    CHECK(closer.frees == 1 && after.frees == 1 && legacy.frees == 1);
    CHECK(other_conn.calls == 4);

    virDomainFree(t);
    CHECK(virConnectDomainEventDeregisterAny(c2, other_conn.id) == 0);
    CHECK(other_conn.frees == 1);
    CHECK(virConnectClose(c2) == 0);
}

static void test_close_reference_counting(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    CHECK(virConnectRef(conn) == 0);
    CHECK(virConnectClose(conn) == 1);
    CHECK(virConnectIsAlive(conn) == 1); /* still ours through the second reference */
    CHECK(virConnectNumOfDomains(conn) == 0);
    CHECK(virConnectClose(conn) == 0);
    CHECK(virConnectClose(conn) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);

    /* a domain holds its connection: the close reports it, the domain stays usable */
    virConnectPtr d = virConnectOpen("test:///default");
    CHECK(d != NULL);
    if (!d)
        return;
    virDomainPtr t = virDomainLookupByName(d, "test");
    CHECK(t != NULL);
    CHECK(virConnectClose(d) == 1);
    if (t) {
        const char *name = virDomainGetName(t);
        CHECK(name != NULL && strcmp(name, "test") == 0);
        CHECK(virDomainFree(t) == 0);
    }
}

/* Deregistration from another thread while the callback runs on the loop thread: the freecb
 * waits until the callback has returned. */
static atomic_int th_in_cb, th_go, th_running, th_calls, th_frees, th_freed_while_running, th_stop;

static int blocking_cb(virConnectPtr c, virDomainPtr d, int e, int det, void *o)
{
    (void)c;
    (void)d;
    (void)e;
    (void)det;
    (void)o;
    atomic_store(&th_running, 1);
    atomic_fetch_add(&th_calls, 1);
    atomic_store(&th_in_cb, 1);
    /* wait for the main thread, but never forever: a deregistration that waits for us is
     * allowed, it must just not run the freecb early */
    for (int i = 0; i < 2000 && !atomic_load(&th_go); i++)
        sleep_ms(1);
    sleep_ms(20);
    atomic_store(&th_running, 0);
    return 0;
}

static void blocking_free(void *o)
{
    (void)o;
    atomic_fetch_add(&th_frees, 1);
    if (atomic_load(&th_running))
        atomic_fetch_add(&th_freed_while_running, 1);
}

static void wake_once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static void *loop_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&th_stop))
        if (virEventRunDefaultImpl() < 0)
            break;
    return NULL;
}

static int wait_for(atomic_int *flag, int value, int ms)
{
    for (int i = 0; i < ms; i++) {
        if (atomic_load(flag) >= value)
            return 1;
        sleep_ms(1);
    }
    return atomic_load(flag) >= value;
}

static void test_freecb_deferred_across_threads(void)
{
    char xml[512];
    pthread_t th;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "re-thread"), 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    atomic_store(&th_in_cb, 0);
    atomic_store(&th_go, 0);
    atomic_store(&th_running, 0);
    atomic_store(&th_calls, 0);
    atomic_store(&th_frees, 0);
    atomic_store(&th_freed_while_running, 0);
    atomic_store(&th_stop, 0);

    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(blocking_cb), NULL, blocking_free);
    CHECK(id >= 0);
    CHECK(pthread_create(&th, NULL, loop_thread, NULL) == 0);

    CHECK(virDomainSuspend(dom) == 0);
    CHECK(wait_for(&th_in_cb, 1, 5000));
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    atomic_store(&th_go, 1);
    CHECK(wait_for(&th_frees, 1, 5000));
    CHECK(atomic_load(&th_freed_while_running) == 0);

    /* later events do not reach it */
    CHECK(virDomainResume(dom) == 0);
    sleep_ms(50);
    CHECK(atomic_load(&th_calls) == 1);
    CHECK(atomic_load(&th_frees) == 1);

    atomic_store(&th_stop, 1);
    virEventAddTimeout(0, wake_once, NULL, NULL);
    pthread_join(th, NULL);

    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
    CHECK(atomic_load(&th_frees) == 1);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    RUN(test_freecb_on_deregister);
    RUN(test_freecb_on_close);
    RUN(test_freecb_reenters_api);
    RUN(test_callback_deregisters_itself);
    RUN(test_callback_deregisters_other);
    RUN(test_callback_registers_new);
    RUN(test_callback_calls_domain_apis);
    RUN(test_callback_closes_connection);
    RUN(test_close_reference_counting);
    RUN(test_freecb_deferred_across_threads);
    return harness_exit();
}
