/* The generic (tagged-union) callback, existence events, event snapshots and the capability
 * query: virtevent's extensions from seeds 000 and 001. */
#include "harness.h"

#include <signal.h>
#include <stdint.h>
#include <unistd.h>

static const char *xml_for(char *buf, size_t len, const char *name, const char *uuid, int mem)
{
    if (uuid)
        snprintf(buf, len,
                 "<domain type='test'><name>%s</name><uuid>%s</uuid><memory>%d</memory>"
                 "<os><type>hvm</type></os></domain>",
                 name, uuid, mem);
    else
        snprintf(buf, len,
                 "<domain type='test'><name>%s</name><memory>%d</memory><os><type>hvm</type></os></domain>",
                 name, mem);
    return buf;
}

/* ---- a log shared by every style of callback --------------------------------------------- */

#define MAXLOG 256
struct entry {
    char who;        /* 'G' generic, 'A' RegisterAny, 'L' legacy, other: test-specific */
    int id;          /* event ID */
    int a, b;        /* lifecycle event/detail, existence type, … */
    char dom[40];
    int state, reason;
    unsigned long long version;
};
static struct entry elog[MAXLOG];
static int nlog;

static void put(char who, int id, int a, int b, const char *dom, int state, int reason, unsigned long long version)
{
    if (nlog < MAXLOG) {
        struct entry *e = &elog[nlog];
        e->who = who;
        e->id = id;
        e->a = a;
        e->b = b;
        snprintf(e->dom, sizeof e->dom, "%s", dom ? dom : "");
        e->state = state;
        e->reason = reason;
        e->version = version;
    }
    nlog++;
}

/* Checks the common header against the domain handle and records the event. */
static void on_generic(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    char who = opaque ? *(char *)opaque : 'G';
    CHECK(ev != NULL);
    CHECK(ev->eventName != NULL && strcmp(ev->eventName, virConnectDomainEventIDToName(ev->eventID)) == 0);
    CHECK(ev->timestamp > 1600000000000000ULL);
    CHECK(ev->resourceVersion > 0);
    if (d) {
        unsigned char uuid[VIR_UUID_BUFLEN];
        CHECK(virDomainGetUUID(d, uuid) == 0 && memcmp(uuid, ev->domainUUID, VIR_UUID_BUFLEN) == 0);
        CHECK(strcmp(virDomainGetName(d), ev->domainName) == 0);
        CHECK((int)virDomainGetID(d) == ev->domainID);
    }
    int a = -1, b = -1;
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE) {
        a = ev->data.lifecycle.event;
        b = ev->data.lifecycle.detail;
    } else if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXISTENCE) {
        a = ev->data.existence.type;
    } else if (ev->eventID == VIR_DOMAIN_EVENT_ID_METADATA_CHANGE) {
        a = ev->data.metadataChange.type;
    }
    put(who, ev->eventID, a, b, ev->domainName, ev->state, ev->reason, ev->resourceVersion);
}

static void on_any_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    put('A', VIR_DOMAIN_EVENT_ID_LIFECYCLE, event, detail, virDomainGetName(d), -1, -1, 0);
}

static int on_legacy(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    put('L', VIR_DOMAIN_EVENT_ID_LIFECYCLE, event, detail, virDomainGetName(d), -1, -1, 0);
    return 0;
}

static void on_any_existence(virConnectPtr c, virDomainPtr d, int type, void *opaque)
{
    (void)c;
    (void)opaque;
    put('X', VIR_DOMAIN_EVENT_ID_EXISTENCE, type, -1, virDomainGetName(d), -1, -1, 0);
}

static int count_of(char who, int id)
{
    int n = 0;
    for (int i = 0; i < nlog && i < MAXLOG; i++)
        n += elog[i].who == who && (id < 0 || elog[i].id == id);
    return n;
}

static void dump(void)
{
    for (int i = 0; i < nlog && i < MAXLOG; i++)
        fprintf(stderr, "    [%d] %c id %d %d/%d %s state %d/%d v%llu\n", i, elog[i].who, elog[i].id, elog[i].a,
                elog[i].b, elog[i].dom, elog[i].state, elog[i].reason, elog[i].version);
}

/* ---- 1. every event, one name, one domain ------------------------------------------------ */

static void test_generic_all_name_and_domain_filters(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    char all = 'G', lc = 'l', one = 'o';
    int gid = virConnectEventRegister(conn, NULL, NULL, on_generic, &all, NULL);
    int lid = virConnectEventRegister(conn, NULL, "lifecycle", on_generic, &lc, NULL);
    CHECK(gid >= 0 && lid >= 0 && gid != lid);
    /* the same callback, name and domain again is a duplicate, as in libvirt */
    CHECK(virConnectEventRegister(conn, NULL, "lifecycle", on_generic, &lc, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    virDomainPtr a = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "gen-a", NULL, 1024));
    virDomainPtr b = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "gen-b", NULL, 1024));
    CHECK(a && b);
    pump(); /* their ADDED and DEFINED */
    int did = virConnectEventRegister(conn, b, NULL, on_generic, &one, NULL);
    CHECK(did >= 0);
    nlog = 0;
    CHECK(virDomainCreate(a) == 0);
    CHECK(virDomainCreate(b) == 0);
    CHECK(virDomainSetMetadata(b, VIR_DOMAIN_METADATA_TITLE, "B", NULL, NULL, 0) == 0);
    pump();
    /* all: 2 STARTED + metadata; lifecycle: 2 STARTED; domain b: STARTED + metadata */
    CHECK(count_of('G', -1) == 3);
    CHECK(count_of('G', VIR_DOMAIN_EVENT_ID_METADATA_CHANGE) == 1);
    CHECK(count_of('l', -1) == 2 && count_of('l', VIR_DOMAIN_EVENT_ID_LIFECYCLE) == 2);
    CHECK(count_of('o', -1) == 2);
    for (int i = 0; i < nlog && i < MAXLOG; i++) {
        if (elog[i].who == 'o')
            CHECK(strcmp(elog[i].dom, "gen-b") == 0);
        if (elog[i].id == VIR_DOMAIN_EVENT_ID_LIFECYCLE)
            CHECK(elog[i].a == VIR_DOMAIN_EVENT_STARTED && elog[i].b == VIR_DOMAIN_EVENT_STARTED_BOOTED &&
                  elog[i].state == VIR_DOMAIN_RUNNING && elog[i].reason == VIR_DOMAIN_RUNNING_BOOTED);
        if (elog[i].id == VIR_DOMAIN_EVENT_ID_METADATA_CHANGE)
            CHECK(elog[i].a == VIR_DOMAIN_METADATA_TITLE);
    }

    /* unknown names are refused, so are the watch-only ones */
    CHECK(virConnectEventRegister(conn, NULL, "no-such-event", on_generic, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventRegister(conn, NULL, "expired", on_generic, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventRegister(conn, NULL, NULL, NULL, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventRegister(NULL, NULL, NULL, on_generic, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);

    CHECK(virConnectEventUnregister(conn, gid) == 0);
    CHECK(virConnectEventUnregister(conn, lid) == 0);
    CHECK(virConnectEventUnregister(conn, did) == 0);
    CHECK(virConnectEventUnregister(conn, did) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virDomainDestroy(a);
    virDomainDestroy(b);
    virDomainFree(a);
    virDomainFree(b);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- 2. mixed with the libvirt styles; one ID space; wrong-style deregistration ----------- */

static void test_mixed_styles_in_registration_order(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    char g1 = 'G', g2 = 'H';
    int id1 = virConnectEventRegister(conn, NULL, "lifecycle", on_generic, &g1, NULL);
    int id2 = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(on_any_lifecycle), NULL, NULL);
    CHECK(virConnectDomainEventRegister(conn, on_legacy, NULL, NULL) == 0);
    int id3 = virConnectEventRegister(conn, NULL, NULL, on_generic, &g2, NULL);
    CHECK(id1 >= 0 && id2 >= 0 && id3 >= 0 && id1 != id2 && id2 != id3 && id1 != id3);

    /* each ID only through its own style's call, with an error that says which */
    CHECK(virConnectDomainEventDeregisterAny(conn, id1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virErrorPtr err = virGetLastError();
    CHECK(err && err->message && strstr(err->message, "virConnectEventUnregister") != NULL);
    CHECK(virConnectEventUnregister(conn, id2) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    nlog = 0;
    virDomainPtr d = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "mixed", NULL, 1024), 0);
    CHECK(d != NULL);
    pump();
    /* STARTED reaches G, A, L, H in that (registration) order; H also saw ADDED first */
    const char order[] = {'H', 'G', 'A', 'L', 'H'};
    int ok = nlog == 5;
    for (int i = 0; ok && i < 5; i++)
        ok = elog[i].who == order[i];
    ok = ok && elog[0].id == VIR_DOMAIN_EVENT_ID_EXISTENCE && elog[0].a == VIR_DOMAIN_EVENT_EXISTENCE_ADDED;
    if (!ok)
        dump();
    CHECK(ok);

    CHECK(virConnectEventUnregister(conn, id1) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, id2) == 0);
    CHECK(virConnectDomainEventDeregister(conn, on_legacy) == 0);
    CHECK(virConnectEventUnregister(conn, id3) == 0);
    virDomainDestroy(d);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- 3. unregistering from inside the callback; freecb once ------------------------------- */

struct selfreg {
    virConnectPtr conn;
    int id;
    int calls;
    int frees;
    int unregister_rc;
};

static void unregister_self(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    (void)d;
    (void)ev;
    struct selfreg *s = opaque;
    s->calls++;
    s->unregister_rc = virConnectEventUnregister(s->conn, s->id);
}

static void selfreg_free(void *opaque)
{
    ((struct selfreg *)opaque)->frees++;
}

static void test_unregister_inside_callback(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    struct selfreg s = {conn, -1, 0, 0, 99};
    s.id = virConnectEventRegister(conn, NULL, NULL, unregister_self, &s, selfreg_free);
    CHECK(s.id >= 0);
    virDomainPtr d = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "selfunreg", NULL, 1024), 0);
    CHECK(d != NULL);
    virDomainSuspend(d);
    virDomainResume(d);
    pump();
    CHECK(s.calls == 1); /* ADDED, then nothing more */
    CHECK(s.unregister_rc == 0);
    CHECK(s.frees == 1);

    /* close frees the rest exactly once */
    struct selfreg t = {conn, -1, 0, 0, 0};
    CHECK(virConnectEventRegister(conn, NULL, "reboot", unregister_self, &t, selfreg_free) >= 0);
    virDomainDestroy(d);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
    CHECK(t.frees == 1 && s.frees == 1);
}

/* ---- 4. state and version at the event, not at delivery ----------------------------------- */

static void test_state_and_version_at_the_event(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr d = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "snapstate", NULL, 1024), 0);
    CHECK(d != NULL);
    pump();
    int id = virConnectEventRegister(conn, d, "lifecycle", on_generic, NULL, NULL);
    CHECK(id >= 0);
    nlog = 0;
    CHECK(virDomainSuspend(d) == 0);
    CHECK(virDomainResume(d) == 0);
    pump(); /* both delivered after both ran */
    CHECK(nlog == 2);
    if (nlog == 2) {
        CHECK(elog[0].a == VIR_DOMAIN_EVENT_SUSPENDED && elog[0].state == VIR_DOMAIN_PAUSED &&
              elog[0].reason == VIR_DOMAIN_PAUSED_USER);
        CHECK(elog[1].a == VIR_DOMAIN_EVENT_RESUMED && elog[1].state == VIR_DOMAIN_RUNNING &&
              elog[1].reason == VIR_DOMAIN_RUNNING_UNPAUSED);
        CHECK(elog[0].version < elog[1].version);
    }
    CHECK(virConnectEventUnregister(conn, id) == 0);
    virDomainDestroy(d);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- 5. the XML as of each event ------------------------------------------------------------ */

static virDomainPtr kept[8];
static int nkept;
static int snapshot_xml_ok;

static void keep_domain(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    (void)opaque;
    (void)ev;
    char *now = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_EVENT_SNAPSHOT | VIR_DOMAIN_XML_RESOURCE_VERSION);
    char want[64];
    snprintf(want, sizeof want, "resourceVersion='%llu'", ev->resourceVersion);
    snapshot_xml_ok += now != NULL && strstr(now, want) != NULL;
    free(now);
    if (nkept < 8 && virDomainRef(d) == 0)
        kept[nkept++] = d;
}

static void test_event_snapshot_xml(void)
{
    char xml[512], uuid[VIR_UUID_STRING_BUFLEN];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    nkept = 0;
    snapshot_xml_ok = 0;
    int id = virConnectEventRegister(conn, NULL, NULL, keep_domain, NULL, NULL);
    virDomainPtr d = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "snapxml", NULL, 1024));
    CHECK(d != NULL && virDomainGetUUIDString(d, uuid) == 0);
    virDomainPtr again = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "snapxml", uuid, 4096));
    CHECK(again != NULL);
    virDomainFree(again);
    CHECK(virDomainUndefine(d) == 0);
    pump();
    /* ADDED, DEFINED(added), DEFINED(updated), UNDEFINED, REMOVED */
    CHECK(nkept == 5);
    CHECK(snapshot_xml_ok == 5);
    if (nkept == 5) {
        char *x1 = virDomainGetXMLDesc(kept[1], VIR_DOMAIN_XML_EVENT_SNAPSHOT);
        char *x2 = virDomainGetXMLDesc(kept[2], VIR_DOMAIN_XML_EVENT_SNAPSHOT);
        char *x4 = virDomainGetXMLDesc(kept[4], VIR_DOMAIN_XML_EVENT_SNAPSHOT);
        CHECK(x1 && strstr(x1, ">1024</memory>") != NULL);
        CHECK(x2 && strstr(x2, ">4096</memory>") != NULL);
        CHECK(x4 && strstr(x4, "<name>snapxml</name>") != NULL); /* the domain is gone, its last XML is not */
        free(x1);
        free(x2);
        free(x4);
        /* without the flag it is the live XML, and the domain no longer exists */
        CHECK(virDomainGetXMLDesc(kept[4], 0) == NULL);
        EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    }
    for (int i = 0; i < nkept; i++)
        virDomainFree(kept[i]);
    /* a handle that did not come from an event has no snapshot */
    CHECK(virDomainGetXMLDesc(d, VIR_DOMAIN_XML_EVENT_SNAPSHOT) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virDomainFree(d);
    CHECK(virConnectEventUnregister(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- 6. names and IDs ------------------------------------------------------------------------ */

static void test_names_and_ids(void)
{
    CHECK(virConnectDomainEventNameToID("lifecycle") == VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    CHECK(virConnectDomainEventNameToID("io-error") == VIR_DOMAIN_EVENT_ID_IO_ERROR);
    CHECK(virConnectDomainEventNameToID("block-threshold") == VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD);
    CHECK(virConnectDomainEventNameToID("existence") == VIR_DOMAIN_EVENT_ID_EXISTENCE);
    for (int id = 0; id < VIR_DOMAIN_EVENT_ID_LAST; id++) {
        const char *name = virConnectDomainEventIDToName(id);
        CHECK(name != NULL && virConnectDomainEventNameToID(name) == id);
    }
    CHECK(VIR_DOMAIN_EVENT_ID_EXISTENCE >= 256 && VIR_DOMAIN_EVENT_ID_EXT_FIRST == 256);
    CHECK(strcmp(virConnectDomainEventIDToName(VIR_DOMAIN_EVENT_ID_EXISTENCE), "existence") == 0);
    CHECK(virConnectDomainEventNameToID("nope") == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventNameToID(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventIDToName(VIR_DOMAIN_EVENT_ID_LAST) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventIDToName(-1) == NULL);
}

/* ---- 7. the capability query, checked against a backend that emits ------------------------ */

static int any_calls;
static void count_any(virConnectPtr c, virDomainPtr d, void *opaque)
{
    (void)c;
    (void)d;
    (void)opaque;
    any_calls++;
}

/* A block pull on a disk with a backing file, run to its end. */
static int pull_to_the_end(virDomainPtr d)
{
    virDomainBlockJobInfo info;
    if (virDomainBlockPull(d, "vda", 0, 0) < 0)
        return 0;
    while (virDomainGetBlockJobInfo(d, "vda", &info, 0) == 1)
        usleep(1000);
    return 1;
}

/* Makes the backend emit event `id`; 0 if this test does not know how (then it fails: a newly
 * supported event needs a trigger here). */
/* virTestDomainInject with parameters written "name=value;name:u=42" (u ullong, l llong,
 * b boolean, else string). */
static int inject(virDomainPtr d, const char *what, const char *spec)
{
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *colon = strchr(item, ':');
        char type = colon ? colon[1] : 's';
        if (colon)
            *colon = '\0';
        if (type == 'u')
            virTypedParamsAddULLong(&params, &n, &max, item, strtoull(eq + 1, NULL, 10));
        else if (type == 'l')
            virTypedParamsAddLLong(&params, &n, &max, item, strtoll(eq + 1, NULL, 10));
        else if (type == 'b')
            virTypedParamsAddBoolean(&params, &n, &max, item, atoi(eq + 1));
        else
            virTypedParamsAddString(&params, &n, &max, item, eq + 1);
    }
    int rc = virTestDomainInject(d, what, params, n, 0);
    virTypedParamsFree(params, n);
    return rc;
}

static int trigger(virConnectPtr conn, int id)
{
    int ok = 1;
    virDomainPtr d = virDomainCreateXML(conn,
                                        "<domain type='test'><name>capab</name><memory>1024</memory>"
                                        "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
                                        "<source file='/capab.qcow2'/><backingStore type='file'>"
                                        "<source file='/capab-base.img'/></backingStore><target dev='vda'/>"
                                        "</disk><disk type='file' device='cdrom'><source file='/a.iso'/>"
                                        "<target dev='hdc'/><alias name='ide0-1-0'/></disk>"
                                        "<graphics type='vnc' port='5900'/><watchdog model='i6300esb' action='none'/>"
                                        "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
                                        "</channel></devices></domain>", 0);
    if (!d)
        return 0;
    switch (id) {
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
    case VIR_DOMAIN_EVENT_ID_JOB_STATE:
        ok = pull_to_the_end(d);
        break;
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
    case VIR_DOMAIN_EVENT_ID_JOB_COMPLETED: {
        virConnectPtr other = virConnectOpen("test:///empty");
        virDomainPtr there = other ? virDomainMigrate(d, other, 0, NULL, NULL, 0) : NULL;
        ok = there != NULL;
        if (there)
            virDomainFree(there);
        if (other)
            virConnectClose(other);
        break;
    }
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        ok = virDomainSuspend(d) == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_REBOOT:
        ok = virDomainReboot(d, 0) == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
        ok = virDomainSetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "d", NULL, NULL, 0) == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_EXISTENCE:
        break; /* the create did it */
    /* The hypervisor's part, played by virTestDomainInject (ctests/test_inject.c checks each). */
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
        ok = inject(d, "rtc", "offset:l=60") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
        ok = inject(d, "watchdog", "") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        ok = inject(d, "io-error", "disk=vda;reason=eio") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_GRAPHICS:
        ok = inject(d, "graphics", "phase=connect;family=ipv4;node=10.1.1.1;service=4000;auth=none") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
        ok = inject(d, "media-change", "disk=hdc;source=/b.iso") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
        ok = inject(d, "tray", "disk=hdc;open:b=1") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
        ok = inject(d, "guest-pm-suspend", "target=mem") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
        ok = inject(d, "guest-pm-suspend", "target=mem") == 0 && inject(d, "guest-pm-wakeup", "") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
        ok = inject(d, "guest-pm-suspend", "target=disk") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        ok = inject(d, "balloon", "actual:u=512") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
        ok = inject(d, "device-removed", "alias=ide0-1-0") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        ok = inject(d, "agent", "state=connected") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_GUEST_USER:
        ok = inject(d, "agent", "state=connected") == 0 && inject(d, "guest-user", "user=u;state=logon") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        ok = virDomainSetBlockThreshold(d, "vda", 1, 0) == 0 && inject(d, "guest-write", "disk=vda;bytes:u=1") == 0;
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
        ok = inject(d, "memory-failure", "") == 0;
        break;
    default:
        ok = 0;
    }
    virDomainDestroy(d);
    virDomainFree(d);
    return ok;
}

static void test_capability_query(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    int *ids = NULL;
    int n = virConnectListDomainEventIDs(conn, &ids, 0);
    CHECK(n > 0 && ids != NULL);
    CHECK(virConnectListDomainEventIDs(conn, NULL, 0) == n);
    for (int i = 0; i < n; i++) {
        CHECK(virConnectDomainEventIsSupported(conn, ids[i]) == 1);
        /* register in the libvirt style where the ID is libvirt's, generically otherwise */
        char who = 'c';
        int gid = virConnectEventRegister(conn, NULL, virConnectDomainEventIDToName(ids[i]), on_generic, &who, NULL);
        int aid = virConnectDomainEventRegisterAny(conn, NULL, ids[i], CB(count_any), NULL, NULL);
        CHECK(gid >= 0 && aid >= 0);
        nlog = 0;
        any_calls = 0;
        int known = trigger(conn, ids[i]);
        if (!known)
            fprintf(stderr, "%s:%d: no trigger for supported event %d\n", __FILE__, __LINE__, ids[i]);
        CHECK(known);
        pump();
        if (count_of('c', ids[i]) < 1 || any_calls < 1)
            fprintf(stderr, "%s:%d: supported event %s was not seen\n", __FILE__, __LINE__,
                    virConnectDomainEventIDToName(ids[i]));
        CHECK(count_of('c', ids[i]) >= 1);
        CHECK(any_calls >= 1);
        virConnectEventUnregister(conn, gid);
        virConnectDomainEventDeregisterAny(conn, aid);
    }
    free(ids);
    /* what the test backend cannot emit yet is reported honestly, and still registrable */
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED) == 0);
    int aid = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, CB(count_any), NULL, NULL);
    CHECK(aid >= 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, aid) == 0);
    CHECK(virConnectDomainEventIsSupported(conn, 12345) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventIsSupported(NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectListDomainEventIDs(conn, &ids, 1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- 8. an exact list of domains kept from existence and lifecycle events alone ------------ */

#define NDOM 6
#define NOPS 4000
struct cached {
    char name[16];
    int exists;
    int state;
    int persistent;
};
static struct cached cache[NDOM];
static int existence_violations;

static int index_of(const char *name)
{
    for (int i = 0; i < NDOM; i++)
        if (strcmp(cache[i].name, name) == 0)
            return i;
    return -1;
}

static void apply_event(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    (void)d;
    (void)opaque;
    int i = index_of(ev->domainName);
    if (i < 0)
        return; /* the built-in 'test' domain */
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXISTENCE) {
        int added = ev->data.existence.type == VIR_DOMAIN_EVENT_EXISTENCE_ADDED;
        existence_violations += added == cache[i].exists; /* ADDED twice, or REMOVED when gone */
        cache[i].exists = added;
    } else if (!cache[i].exists) {
        existence_violations++; /* an event before ADDED or after REMOVED */
    } else if (ev->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE) {
        if (ev->data.lifecycle.event == VIR_DOMAIN_EVENT_DEFINED)
            cache[i].persistent = 1;
        if (ev->data.lifecycle.event == VIR_DOMAIN_EVENT_UNDEFINED)
            cache[i].persistent = 0;
    }
    if (cache[i].exists)
        cache[i].state = ev->state;
}

static unsigned long long rng_state;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng_state >> 33) % n;
}

static void random_operation(virConnectPtr conn, const char *save_path)
{
    char xml[512];
    int i = (int)rnd(NDOM);
    const char *name = cache[i].name;
    virDomainPtr d = virDomainLookupByName(conn, name);
    switch (rnd(12)) {
    case 0:
    case 1:
        virDomainFree(virDomainDefineXML(conn, xml_for(xml, sizeof xml, name, NULL, 1024 + (int)rnd(4) * 1024)));
        break;
    case 2:
        virDomainFree(virDomainCreateXML(conn, xml_for(xml, sizeof xml, name, NULL, 2048), rnd(2) ? VIR_DOMAIN_START_PAUSED : 0));
        break;
    case 3:
        if (d)
            virDomainUndefine(d);
        break;
    case 4:
        if (d)
            virDomainCreateWithFlags(d, rnd(2) ? VIR_DOMAIN_START_PAUSED : 0);
        break;
    case 5:
        if (d)
            virDomainDestroy(d);
        break;
    case 6:
        if (d)
            virDomainShutdown(d);
        break;
    case 7:
        if (d)
            virDomainSuspend(d);
        break;
    case 8:
        if (d)
            virDomainResume(d);
        break;
    case 9:
        if (d && virDomainSave(d, save_path) == 0 && rnd(2))
            virDomainRestore(conn, save_path);
        break;
    case 10:
        if (d)
            virDomainManagedSave(d, 0);
        break;
    case 11:
        if (d)
            virDomainReboot(d, 0);
        break;
    }
    if (d)
        virDomainFree(d);
}

static void test_existence_keeps_an_exact_list(void)
{
    const char *seed_env = getenv("VIRTEVENT_SEED");
    unsigned long long seed = seed_env ? strtoull(seed_env, NULL, 10) : 20261123ULL;
    printf("# existence test seed %llu (set VIRTEVENT_SEED to repeat another)\n", seed);
    rng_state = seed;
    char save_path[64];
    snprintf(save_path, sizeof save_path, "/tmp/virtevent-existence-%d.save", (int)getpid());

    virConnectPtr c1 = virConnectOpen("test:///default");
    virConnectPtr c2 = virConnectOpen("test:///default");
    virConnectPtr watcher = virConnectOpen("test:///default");
    CHECK(c1 && c2 && watcher);
    memset(cache, 0, sizeof cache);
    existence_violations = 0;
    for (int i = 0; i < NDOM; i++)
        snprintf(cache[i].name, sizeof cache[i].name, "ex-%d", i);
    int eid = virConnectEventRegister(watcher, NULL, "existence", apply_event, NULL, NULL);
    int lid = virConnectEventRegister(watcher, NULL, "lifecycle", apply_event, NULL, NULL);
    CHECK(eid >= 0 && lid >= 0);

    for (int op = 0; op < NOPS; op++) {
        random_operation(rnd(2) ? c1 : c2, save_path);
        if (rnd(8) == 0)
            pump();
    }
    pump();
    unlink(save_path);

    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c1, &doms, 0);
    CHECK(n >= 1);
    int listed[NDOM] = {0}, mismatches = 0;
    for (int k = 0; k < n; k++) {
        int i = index_of(virDomainGetName(doms[k]));
        if (i >= 0) {
            int state = -1;
            listed[i] = 1;
            virDomainGetState(doms[k], &state, NULL, 0);
            if (!cache[i].exists || cache[i].state != state || cache[i].persistent != virDomainIsPersistent(doms[k])) {
                fprintf(stderr, "%s:%d: %s: cache says exists %d state %d persistent %d, list says state %d persistent %d\n",
                        __FILE__, __LINE__, cache[i].name, cache[i].exists, cache[i].state, cache[i].persistent, state,
                        virDomainIsPersistent(doms[k]));
                mismatches++;
            }
        }
        virDomainFree(doms[k]);
    }
    free(doms);
    for (int i = 0; i < NDOM; i++)
        if (cache[i].exists && !listed[i]) {
            fprintf(stderr, "%s:%d: %s is in the cache but not listed\n", __FILE__, __LINE__, cache[i].name);
            mismatches++;
        }
    CHECK(mismatches == 0);
    CHECK(existence_violations == 0);

    /* leave test:///default as we found it */
    for (int i = 0; i < NDOM; i++) {
        virDomainPtr d = virDomainLookupByName(c1, cache[i].name);
        if (d) {
            virDomainDestroy(d);
            virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE);
            virDomainFree(d);
        }
    }
    pump();
    CHECK(virConnectEventUnregister(watcher, eid) == 0);
    CHECK(virConnectEventUnregister(watcher, lid) == 0);
    CHECK(virConnectClose(watcher) == 0);
    CHECK(virConnectClose(c2) == 0);
    CHECK(virConnectClose(c1) == 0);
}

/* RegisterAny works for the extension ID too, with its own callback type. */
static void test_existence_through_register_any(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_EXISTENCE, CB(on_any_existence), NULL, NULL);
    CHECK(id >= 0);
    nlog = 0;
    virDomainPtr d = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "ex-any", NULL, 1024), 0);
    CHECK(d != NULL);
    CHECK(virDomainDestroy(d) == 0);
    pump();
    CHECK(nlog == 2);
    if (nlog == 2)
        CHECK(elog[0].a == VIR_DOMAIN_EVENT_EXISTENCE_ADDED && elog[1].a == VIR_DOMAIN_EVENT_EXISTENCE_REMOVED &&
              strcmp(elog[1].dom, "ex-any") == 0);
    virDomainFree(d);
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

int main(void)
{
    harness_watchdog(60);
    harness_init();
    RUN(test_generic_all_name_and_domain_filters);
    RUN(test_mixed_styles_in_registration_order);
    RUN(test_unregister_inside_callback);
    RUN(test_state_and_version_at_the_event);
    RUN(test_event_snapshot_xml);
    RUN(test_names_and_ids);
    RUN(test_capability_query);
    RUN(test_existence_through_register_any);
    RUN(test_existence_keeps_an_exact_list);
    return harness_exit();
}
