/* Domain lifecycle events through the three registration styles libvirt offers to C
 * (virConnectDomainEventRegister, virConnectDomainEventRegisterAny, and both mixed), for every
 * state change the test hypervisor performs: define/undefine, start/stop, pause, shutdown,
 * save/restore, managed save, reboot/reset, metadata. Events are recorded by the callbacks and
 * compared, in order, with what the operations must produce. */
#include "harness.h"

#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

/* ---- small helpers ---------------------------------------------------------------------- */

static const char *xml_for(char *buf, size_t len, const char *name, const char *uuid)
{
    if (uuid)
        snprintf(buf, len,
                 "<domain type='test'><name>%s</name><uuid>%s</uuid><memory>1024</memory>"
                 "<os><type>hvm</type></os></domain>",
                 name, uuid);
    else
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

/* The event log every callback appends to: which registration saw what, for which domain. */
#define MAXLOG 128
struct logent {
    int tag;
    int event;
    int detail;
    char name[64];
};
static struct logent evlog[MAXLOG];
static int nlog;

static void log_reset(void)
{
    nlog = 0;
    memset(evlog, 0, sizeof evlog);
}

static void log_add(int tag, virDomainPtr dom, int event, int detail)
{
    if (nlog < MAXLOG) {
        const char *n = virDomainGetName(dom);
        evlog[nlog].tag = tag;
        evlog[nlog].event = event;
        evlog[nlog].detail = detail;
        snprintf(evlog[nlog].name, sizeof evlog[nlog].name, "%s", n ? n : "(null)");
    }
    nlog++;
}

struct want {
    int tag;
    const char *name; /* NULL: don't care */
    int event;
    int detail;
};

static void dump_log(void)
{
    for (int i = 0; i < nlog && i < MAXLOG; i++)
        fprintf(stderr, "    got[%d]: tag %d %s %s(%d) detail %d\n", i, evlog[i].tag, evlog[i].name,
                ev_name(evlog[i].event), evlog[i].event, evlog[i].detail);
}

/* Checks that the log is exactly `want`, in order. */
static void check_log_at(const struct want *want, int n, int line)
{
    int ok = nlog == n;
    for (int i = 0; ok && i < n; i++) {
        if (evlog[i].tag != want[i].tag || evlog[i].event != want[i].event ||
            evlog[i].detail != want[i].detail || (want[i].name && strcmp(evlog[i].name, want[i].name) != 0))
            ok = 0;
    }
    if (!ok) {
        fprintf(stderr, "%s:%d: event log mismatch; wanted %d events:\n", __FILE__, line, n);
        for (int i = 0; i < n; i++)
            fprintf(stderr, "    want[%d]: tag %d %s %s(%d) detail %d\n", i, want[i].tag,
                    want[i].name ? want[i].name : "*", ev_name(want[i].event), want[i].event, want[i].detail);
        dump_log();
    }
    CHECK(ok);
}
#define CHECK_LOG(...)                                                                  \
    do {                                                                                \
        const struct want w_[] = {__VA_ARGS__};                                         \
        check_log_at(w_, (int)(sizeof w_ / sizeof w_[0]), __LINE__);                    \
    } while (0)
#define CHECK_LOG_EMPTY()                                                               \
    do {                                                                                \
        if (nlog != 0) {                                                                \
            fprintf(stderr, "%s:%d: wanted no events\n", __FILE__, __LINE__);           \
            dump_log();                                                                 \
        }                                                                               \
        CHECK(nlog == 0);                                                               \
    } while (0)

/* ---- callbacks ---------------------------------------------------------------------------- */

/* Each callback records with a fixed tag, so that the log shows which registration fired. */
static int legacy_a(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    log_add(1, d, event, detail);
    return 0;
}

static int legacy_b(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    log_add(3, d, event, detail);
    return 0;
}

static int any_a(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    log_add(2, d, event, detail);
    return 0;
}

static int any_b(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    log_add(4, d, event, detail);
    return 0;
}

/* Tag taken from opaque: lets one function serve several connections. */
static int any_tagged(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    log_add((int)(intptr_t)opaque, d, event, detail);
    return 0;
}

#define TAG_REBOOT 50
static void on_reboot(virConnectPtr c, virDomainPtr d, void *opaque)
{
    (void)c;
    (void)opaque;
    log_add(TAG_REBOOT, d, -1, -1);
}

#define TAG_META 60
static char meta_nsuri[256];
static void on_metadata(virConnectPtr c, virDomainPtr d, int type, const char *nsuri, void *opaque)
{
    (void)c;
    (void)opaque;
    log_add(TAG_META, d, type, -1);
    snprintf(meta_nsuri, sizeof meta_nsuri, "%s", nsuri ? nsuri : "(null)");
}

static int register_any(virConnectPtr conn, virDomainPtr dom, int (*cb)(virConnectPtr, virDomainPtr, int, int, void *),
                        void *opaque)
{
    int id = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              CB(cb), opaque, NULL);
    CHECK(id >= 0);
    return id;
}

static void check_state(virDomainPtr dom, int state, int reason, int line)
{
    int s = -1, r = -1;
    int rc = virDomainGetState(dom, &s, &r, 0);
    if (rc != 0 || s != state || r != reason)
        fprintf(stderr, "%s:%d: state %d/%d (rc %d), wanted %d/%d\n", __FILE__, line, s, r, rc, state, reason);
    CHECK(rc == 0 && s == state && r == reason);
}
#define CHECK_STATE(dom, s, r) check_state(dom, s, r, __LINE__)

/* ---- cases -------------------------------------------------------------------------------- */

static void test_createxml_legacy(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    log_reset();
    CHECK(virConnectDomainEventRegister(conn, legacy_a, NULL, NULL) == 0);

    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tlegacy", NULL), 0);
    CHECK(dom != NULL);
    CHECK_LOG_EMPTY(); /* queued, not delivered before the loop runs */
    pump();
    CHECK_LOG({1, "tlegacy", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED});
    CHECK(virDomainIsPersistent(dom) == 0);

    log_reset();
    CHECK(virDomainDestroy(dom) == 0);
    pump();
    CHECK_LOG({1, "tlegacy", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED});
    /* a transient domain vanishes when stopped */
    virDomainPtr gone = virDomainLookupByName(conn, "tlegacy");
    CHECK(gone == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    if (gone)
        virDomainFree(gone);

    CHECK(virConnectDomainEventDeregister(conn, legacy_a) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_createxml_any(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);

    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tany", NULL), 0);
    CHECK(dom != NULL);
    pump();
    CHECK(virDomainDestroy(dom) == 0);
    pump();
    CHECK_LOG({2, "tany", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {2, "tany", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED});

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* Legacy and Any registrations interleaved: every callback once per event, in registration order. */
static void test_mixed_registration_order(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    log_reset();
    CHECK(virConnectDomainEventRegister(conn, legacy_a, NULL, NULL) == 0);
    int id_a = register_any(conn, NULL, any_a, NULL);
    CHECK(virConnectDomainEventRegister(conn, legacy_b, NULL, NULL) == 0);
    int id_b = register_any(conn, NULL, any_b, NULL);
    CHECK(id_a != id_b);

    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tmixed", NULL), 0);
    CHECK(dom != NULL);
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    pump();
    CHECK_LOG({1, "tmixed", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {2, "tmixed", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {3, "tmixed", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {4, "tmixed", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {1, "tmixed", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {2, "tmixed", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {3, "tmixed", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {4, "tmixed", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {1, "tmixed", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {2, "tmixed", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {3, "tmixed", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {4, "tmixed", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED});

    /* Dropping the two in the middle leaves the others' order alone. */
    CHECK(virConnectDomainEventDeregisterAny(conn, id_a) == 0);
    CHECK(virConnectDomainEventDeregister(conn, legacy_b) == 0);
    virDomainFree(dom);
    log_reset();
    dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tmixed", NULL), 0);
    CHECK(dom != NULL);
    pump();
    CHECK_LOG({1, "tmixed", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {4, "tmixed", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED});

    CHECK(virConnectDomainEventDeregister(conn, legacy_a) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, id_b) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_define_undefine(void)
{
    char xml[512], uuid[VIR_UUID_STRING_BUFLEN];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);

    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tdef", NULL));
    CHECK(dom != NULL);
    pump();
    CHECK_LOG({2, "tdef", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED});
    CHECK(virDomainIsPersistent(dom) == 1);
    CHECK(virDomainIsActive(dom) == 0);
    CHECK_STATE(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);

    /* redefining the same name and UUID updates it */
    CHECK(virDomainGetUUIDString(dom, uuid) == 0);
    log_reset();
    virDomainPtr again = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tdef", uuid));
    CHECK(again != NULL);
    pump();
    CHECK_LOG({2, "tdef", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_UPDATED});
    if (again) {
        char uuid2[VIR_UUID_STRING_BUFLEN];
        CHECK(virDomainGetUUIDString(again, uuid2) == 0 && strcmp(uuid, uuid2) == 0);
        virDomainFree(again);
    }

    log_reset();
    CHECK(virDomainUndefine(dom) == 0);
    pump();
    CHECK_LOG({2, "tdef", VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED});
    virDomainPtr gone = virDomainLookupByName(conn, "tdef");
    CHECK(gone == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    if (gone)
        virDomainFree(gone);

    /* define with an explicit UUID, start, undefine while running: it becomes transient */
    log_reset();
    virDomainPtr d2 = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tdef2", "11111111-2222-3333-4444-555555555555"));
    CHECK(d2 != NULL);
    CHECK(virDomainCreate(d2) == 0);
    CHECK(virDomainUndefine(d2) == 0);
    CHECK(virDomainIsPersistent(d2) == 0);
    CHECK(virDomainIsActive(d2) == 1);
    CHECK(virDomainDestroy(d2) == 0);
    pump();
    CHECK_LOG({2, "tdef2", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED},
              {2, "tdef2", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {2, "tdef2", VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED},
              {2, "tdef2", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED});
    gone = virDomainLookupByUUIDString(conn, "11111111-2222-3333-4444-555555555555");
    CHECK(gone == NULL);
    if (gone)
        virDomainFree(gone);
    virDomainFree(d2);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* The built-in domain "test" of test:///default: destroy and start it again. */
static void test_default_destroy_create(void)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);

    virDomainPtr dom = virDomainLookupByName(conn, "test");
    CHECK(dom != NULL);
    if (!dom) {
        virConnectClose(conn);
        return;
    }
    CHECK(virDomainGetUUIDString(dom, uuid) == 0);
    CHECK(strcmp(uuid, TEST_UUID) == 0);
    CHECK(virDomainGetID(dom) == 1);
    CHECK(virDomainIsActive(dom) == 1);
    CHECK(virDomainIsPersistent(dom) == 1);

    CHECK(virDomainDestroy(dom) == 0);
    pump();
    CHECK_LOG({2, "test", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED});
    CHECK_STATE(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
    CHECK(virDomainIsActive(dom) == 0);

    log_reset();
    CHECK(virDomainCreate(dom) == 0);
    pump();
    CHECK_LOG({2, "test", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED});
    CHECK_STATE(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* Changes made through one connection reach the callbacks of every connection to the same
 * hypervisor, read-only ones included. */
static void test_second_connection(void)
{
    virConnectPtr c1 = virConnectOpen("test:///default");
    virConnectPtr c2 = virConnectOpen("test:///default");
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    CHECK(c1 && c2 && ro);
    if (!c1 || !c2 || !ro)
        return;
    log_reset();
    int id1 = register_any(c1, NULL, any_tagged, (void *)(intptr_t)11);
    int id2 = register_any(c2, NULL, any_tagged, (void *)(intptr_t)12);
    int id3 = register_any(ro, NULL, any_tagged, (void *)(intptr_t)13);

    virDomainPtr dom2 = virDomainLookupByName(c2, "test");
    CHECK(dom2 != NULL);
    CHECK(virDomainDestroy(dom2) == 0);
    pump();
    CHECK(virDomainCreate(dom2) == 0);
    pump();

    /* each connection, in order; we check per connection, not across connections */
    for (int tag = 11; tag <= 13; tag++) {
        int seen = 0;
        for (int i = 0; i < nlog && i < MAXLOG; i++) {
            if (evlog[i].tag != tag)
                continue;
            CHECK(strcmp(evlog[i].name, "test") == 0);
            if (seen == 0)
                CHECK(evlog[i].event == VIR_DOMAIN_EVENT_STOPPED && evlog[i].detail == VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
            if (seen == 1)
                CHECK(evlog[i].event == VIR_DOMAIN_EVENT_STARTED && evlog[i].detail == VIR_DOMAIN_EVENT_STARTED_BOOTED);
            seen++;
        }
        if (seen != 2) {
            fprintf(stderr, "%s:%d: connection tag %d saw %d events, wanted 2\n", __FILE__, __LINE__, tag, seen);
            dump_log();
        }
        CHECK(seen == 2);
    }
    CHECK(nlog == 6);

    /* and the domain seen from the first connection agrees */
    virDomainPtr dom1 = virDomainLookupByName(c1, "test");
    CHECK(dom1 != NULL);
    if (dom1) {
        CHECK(virDomainIsActive(dom1) == 1);
        virDomainFree(dom1);
    }

    CHECK(virConnectDomainEventDeregisterAny(c1, id1) == 0);
    CHECK(virConnectDomainEventDeregisterAny(c2, id2) == 0);
    CHECK(virConnectDomainEventDeregisterAny(ro, id3) == 0);
    /* an ID belongs to the connection that registered it */
    CHECK(virConnectDomainEventDeregisterAny(c1, id2) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    if (dom2)
        virDomainFree(dom2);
    CHECK(virConnectClose(ro) == 0);
    CHECK(virConnectClose(c2) == 0);
    CHECK(virConnectClose(c1) == 0);
}

static void test_suspend_resume(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tpause", NULL), 0);
    CHECK(dom != NULL);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);

    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK_LOG({2, "tpause", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED});
    CHECK_STATE(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    CHECK(virDomainIsActive(dom) == 1);

    log_reset();
    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK_LOG({2, "tpause", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED});
    CHECK_STATE(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);

    /* a refused operation produces no event */
    log_reset();
    CHECK(virDomainResume(dom) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    pump();
    CHECK_LOG_EMPTY();

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_paused_start(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tstartpaused", NULL), VIR_DOMAIN_START_PAUSED);
    CHECK(dom != NULL);
    pump();
    CHECK_LOG({2, "tstartpaused", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {2, "tstartpaused", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED});
    if (dom) {
        CHECK_STATE(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        CHECK(virDomainDestroy(dom) == 0);
        virDomainFree(dom);
    }
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

static void test_shutdown(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tshut", NULL));
    CHECK(dom != NULL);
    CHECK(virDomainCreate(dom) == 0);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);

    CHECK(virDomainShutdown(dom) == 0);
    pump();
    CHECK_LOG({2, "tshut", VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED},
              {2, "tshut", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN});
    CHECK_STATE(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
    CHECK(virDomainIsPersistent(dom) == 1); /* still defined */

    /* a transient one shuts down the same way and then is gone */
    log_reset();
    virDomainPtr t = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tshut-transient", NULL), 0);
    CHECK(t != NULL);
    CHECK(virDomainShutdown(t) == 0);
    pump();
    CHECK_LOG({2, "tshut-transient", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {2, "tshut-transient", VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED},
              {2, "tshut-transient", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN});
    virDomainPtr gone = virDomainLookupByName(conn, "tshut-transient");
    CHECK(gone == NULL);
    if (gone)
        virDomainFree(gone);
    if (t)
        virDomainFree(t);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static int make_temp(char *path, size_t len)
{
    snprintf(path, len, "/tmp/virtevent-ctest-save-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static void test_save_restore(void)
{
    char xml[512], path[64];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (make_temp(path, sizeof path) < 0) {
        virConnectClose(conn);
        return;
    }
    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tsave", NULL));
    CHECK(dom != NULL);
    CHECK(virDomainCreate(dom) == 0);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);

    /* persistent domain */
    CHECK(virDomainSave(dom, path) == 0);
    pump();
    CHECK_LOG({2, "tsave", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED});
    CHECK_STATE(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED);

    log_reset();
    CHECK(virDomainRestore(conn, path) == 0);
    pump();
    CHECK_LOG({2, "tsave", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED});
    CHECK_STATE(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED);
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);

    /* transient domain: gone after the save, back after the restore */
    virDomainPtr t = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tsave-transient", NULL), 0);
    CHECK(t != NULL);
    pump();
    log_reset();
    CHECK(virDomainSave(t, path) == 0);
    pump();
    CHECK_LOG({2, "tsave-transient", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED});
    virDomainPtr gone = virDomainLookupByName(conn, "tsave-transient");
    CHECK(gone == NULL);
    if (gone)
        virDomainFree(gone);

    log_reset();
    CHECK(virDomainRestore(conn, path) == 0);
    pump();
    CHECK_LOG({2, "tsave-transient", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED});
    virDomainPtr back = virDomainLookupByName(conn, "tsave-transient");
    CHECK(back != NULL);
    if (back) {
        CHECK(virDomainIsActive(back) == 1);
        CHECK(virDomainDestroy(back) == 0);
        virDomainFree(back);
    }
    if (t)
        virDomainFree(t);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    unlink(path);
    CHECK(virConnectClose(conn) == 0);
}

static void test_managed_save(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tmsave", NULL));
    CHECK(dom != NULL);
    CHECK(virDomainCreate(dom) == 0);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);

    CHECK(virDomainManagedSave(dom, 0) == 0);
    pump();
    CHECK_LOG({2, "tmsave", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED});
    CHECK_STATE(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED);

    log_reset();
    CHECK(virDomainCreate(dom) == 0);
    pump();
    CHECK_LOG({2, "tmsave", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED});
    CHECK_STATE(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED);

    /* the image is used up: the next start boots */
    log_reset();
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainCreate(dom) == 0);
    pump();
    CHECK_LOG({2, "tmsave", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {2, "tmsave", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED});

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_reboot_reset(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    CHECK(dom != NULL);
    if (!dom) {
        virConnectClose(conn);
        return;
    }
    log_reset();
    int rid = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                               CB(on_reboot), NULL, NULL);
    CHECK(rid >= 0);
    int lid = register_any(conn, NULL, any_a, NULL);

    CHECK(virDomainReboot(dom, 0) == 0);
    pump();
    CHECK_LOG({TAG_REBOOT, "test", -1, -1}); /* no lifecycle event for a reboot */
    CHECK_STATE(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    log_reset();
    CHECK(virDomainReset(dom, 0) == 0);
    pump();
    CHECK_LOG({TAG_REBOOT, "test", -1, -1});
    CHECK(virDomainIsActive(dom) == 1);

    /* an inactive domain cannot be rebooted: no event */
    CHECK(virDomainDestroy(dom) == 0);
    pump();
    log_reset();
    CHECK(virDomainReboot(dom, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    pump();
    CHECK_LOG_EMPTY();
    CHECK(virDomainCreate(dom) == 0);

    CHECK(virConnectDomainEventDeregisterAny(conn, rid) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, lid) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_metadata(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tmeta", NULL));
    CHECK(dom != NULL);
    log_reset();
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                              CB(on_metadata), NULL, NULL);
    CHECK(id >= 0);

    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "A title", NULL, NULL, 0) == 0);
    pump();
    CHECK_LOG({TAG_META, "tmeta", VIR_DOMAIN_METADATA_TITLE, -1});
    CHECK(strcmp(meta_nsuri, "(null)") == 0);

    log_reset();
    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "<item>1</item>", "app",
                               "http://example.org/app/1", 0) == 0);
    pump();
    CHECK_LOG({TAG_META, "tmeta", VIR_DOMAIN_METADATA_ELEMENT, -1});
    CHECK(strcmp(meta_nsuri, "http://example.org/app/1") == 0);

    char *desc = virDomainGetXMLDesc(dom, 0);
    CHECK(desc != NULL);
    if (desc) {
        CHECK(strstr(desc, "A title") != NULL);
        free(desc);
    }

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* A registration for one domain sees only that domain's events. */
static void test_domain_filter(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr a = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "filt-a", NULL));
    virDomainPtr b = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "filt-b", NULL));
    CHECK(a && b);
    if (!a || !b)
        goto out;
    log_reset();
    int ida = register_any(conn, a, any_a, NULL);
    int idb = register_any(conn, b, any_b, NULL);
    int idall = register_any(conn, NULL, any_tagged, (void *)(intptr_t)9);

    CHECK(virDomainCreate(a) == 0);
    CHECK(virDomainCreate(b) == 0);
    CHECK(virDomainSuspend(b) == 0);
    CHECK(virDomainDestroy(a) == 0);
    pump();
    /* registration order is a, b, all: a's events go to a's and the unfiltered one */
    CHECK_LOG({2, "filt-a", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {9, "filt-a", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {4, "filt-b", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {9, "filt-b", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED},
              {4, "filt-b", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {9, "filt-b", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED},
              {2, "filt-a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED},
              {9, "filt-a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED});

    /* the same callback may be registered again with another filter */
    int ida2 = register_any(conn, b, any_a, NULL);
    CHECK(ida2 >= 0 && ida2 != ida);
    log_reset();
    CHECK(virDomainResume(b) == 0);
    pump();
    CHECK_LOG({4, "filt-b", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED},
              {9, "filt-b", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED},
              {2, "filt-b", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED});

    CHECK(virConnectDomainEventDeregisterAny(conn, ida) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, idb) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, idall) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, ida2) == 0);
    CHECK(virDomainDestroy(b) == 0);
out:
    if (a) {
        virDomainUndefine(a);
        virDomainFree(a);
    }
    if (b) {
        virDomainUndefine(b);
        virDomainFree(b);
    }
    CHECK(virConnectClose(conn) == 0);
}

static void test_deregister_stops_delivery(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "tdereg", NULL), 0);
    CHECK(dom != NULL);
    log_reset();
    int id = register_any(conn, NULL, any_a, NULL);
    CHECK(virConnectDomainEventRegister(conn, legacy_a, NULL, NULL) == 0);

    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK(nlog == 2);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    log_reset();
    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK_LOG({1, "tdereg", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED});

    CHECK(virConnectDomainEventDeregister(conn, legacy_a) == 0);
    log_reset();
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virDomainResume(dom) == 0);
    pump();
    CHECK_LOG_EMPTY();

    /* deregistering before the loop runs drops what was queued for that callback */
    id = register_any(conn, NULL, any_a, NULL);
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    log_reset();
    pump();
    CHECK_LOG_EMPTY();

    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* The domain handed to a callback names the right domain and can be kept with virDomainRef. */
static virDomainPtr kept[8];
static int nkept;
static char want_uuid[VIR_UUID_STRING_BUFLEN];
static int bad_identity;

static int keep_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    unsigned char raw[VIR_UUID_BUFLEN];
    (void)opaque;
    log_add(7, d, event, detail);
    if (virDomainGetUUIDString(d, uuid) != 0 || strcmp(uuid, want_uuid) != 0)
        bad_identity++;
    if (virDomainGetUUID(d, raw) != 0)
        bad_identity++;
    const char *name = virDomainGetName(d);
    if (!name || strcmp(name, "tkeep") != 0)
        bad_identity++;
    if (virDomainGetConnect(d) != c)
        bad_identity++;
    if (nkept < 8 && virDomainRef(d) == 0)
        kept[nkept++] = d;
    return 0;
}

static void test_callback_domain_ref(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    snprintf(want_uuid, sizeof want_uuid, "%s", "c0ffee00-1234-5678-9abc-def012345678");
    nkept = 0;
    bad_identity = 0;
    log_reset();
    int id = register_any(conn, NULL, keep_cb, NULL);
    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "tkeep", want_uuid));
    CHECK(dom != NULL);
    CHECK(virDomainCreate(dom) == 0);
    CHECK(virDomainSuspend(dom) == 0);
    pump();
    CHECK(nlog == 3);
    CHECK(nkept == 3);
    CHECK(bad_identity == 0);

    /* the kept handles outlive the callbacks and still work */
    for (int i = 0; i < nkept; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN] = "";
        const char *name = virDomainGetName(kept[i]);
        CHECK(name != NULL && strcmp(name, "tkeep") == 0);
        CHECK(virDomainGetUUIDString(kept[i], uuid) == 0 && strcmp(uuid, want_uuid) == 0);
        CHECK(virDomainIsActive(kept[i]) == 1);
    }
    if (nkept > 0)
        CHECK(virDomainResume(kept[0]) == 0);
    pump();
    CHECK(nkept == 4);
    for (int i = 0; i < nkept; i++)
        CHECK(virDomainFree(kept[i]) == 0);
    nkept = 0;

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    RUN(test_createxml_legacy);
    RUN(test_createxml_any);
    RUN(test_mixed_registration_order);
    RUN(test_define_undefine);
    RUN(test_default_destroy_create);
    RUN(test_second_connection);
    RUN(test_suspend_resume);
    RUN(test_paused_start);
    RUN(test_shutdown);
    RUN(test_save_restore);
    RUN(test_managed_save);
    RUN(test_reboot_reset);
    RUN(test_metadata);
    RUN(test_domain_filter);
    RUN(test_deregister_stops_delivery);
    RUN(test_callback_domain_ref);
    return harness_exit();
}
