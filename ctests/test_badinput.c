/* Bad input of every kind gets a clear error — the exact libvirt error code and a message that
 * says something — never a crash, and the library keeps working afterwards. Also the error
 * API itself: virGetLastError, virCopyLastError/virResetError, virSaveLastError/virFreeError,
 * virSetErrorFunc, virGetLastErrorMessage. */
#include "harness.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#define GOOD_XML(name)                                                                  \
    "<domain type='test'><name>" name "</name><memory>1024</memory>"                   \
    "<os><type>hvm</type></os></domain>"

static int lifecycle_cb(virConnectPtr c, virDomainPtr d, int e, int det, void *o)
{
    (void)c;
    (void)d;
    (void)e;
    (void)det;
    if (o)
        (*(int *)o)++;
    return 0;
}

static int lifecycle_cb2(virConnectPtr c, virDomainPtr d, int e, int det, void *o)
{
    return lifecycle_cb(c, d, e, det, o);
}

/* The library still does normal work: define, start, look up, stop, undefine, with events. */
static void check_still_works(int line)
{
    int events = 0;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn) {
        fprintf(stderr, "%s:%d: library no longer opens connections\n", __FILE__, line);
        return;
    }
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &events, NULL);
    CHECK(id >= 0);
    virDomainPtr d = virDomainDefineXML(conn, GOOD_XML("still-works"));
    CHECK(d != NULL);
    CHECK(virGetLastError() == NULL);
    if (d) {
        CHECK(virDomainCreate(d) == 0);
        virDomainPtr l = virDomainLookupByName(conn, "still-works");
        CHECK(l != NULL);
        if (l) {
            CHECK(virDomainIsActive(l) == 1);
            virDomainFree(l);
        }
        CHECK(virDomainDestroy(d) == 0);
        CHECK(virDomainUndefine(d) == 0);
        virDomainFree(d);
    }
    pump();
    if (events != 4)
        fprintf(stderr, "%s:%d: %d events after a define/start/destroy/undefine, wanted 4\n", __FILE__, line, events);
    CHECK(events == 4);
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- connections ---------------------------------------------------------------------------- */

static void test_bad_connections(void)
{
    int junk[16] = {0};
    virConnectPtr bogus = (virConnectPtr)(void *)junk; /* never a connection */

    /* NULL */
    CHECK(virDomainDefineXML(NULL, GOOD_XML("x")) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virDomainCreateXML(NULL, GOOD_XML("x"), 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virDomainLookupByName(NULL, "test") == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectNumOfDomains(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectDomainEventRegisterAny(NULL, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectDomainEventRegister(NULL, lifecycle_cb, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectDomainEventDeregisterAny(NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectClose(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectRef(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virDomainRestore(NULL, "/nonexistent") == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);

    /* a pointer that was never a connection */
    CHECK(virDomainLookupByName(bogus, "test") == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectNumOfDomains(bogus) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectDomainEventRegisterAny(bogus, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectClose(bogus) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);

    /* a closed one */
    virConnectPtr closed = virConnectOpen("test:///empty");
    CHECK(closed != NULL);
    CHECK(virConnectClose(closed) == 0);
    CHECK(virDomainDefineXML(closed, GOOD_XML("x")) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectNumOfDomains(closed) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectDomainEventRegisterAny(closed, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectClose(closed) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);

    /* unknown URI */
    virConnectPtr none = virConnectOpen("bogus:///");
    CHECK(none == NULL);
    EXPECT_ERROR(VIR_ERR_NO_CONNECT);
    if (none)
        virConnectClose(none);
    none = virConnectOpenReadOnly("bogus:///");
    CHECK(none == NULL);
    EXPECT_ERROR(VIR_ERR_NO_CONNECT);
    if (none)
        virConnectClose(none);

    check_still_works(__LINE__);
}

/* ---- domains ---------------------------------------------------------------------------------- */

static void test_bad_domains(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;

    /* NULL */
    CHECK(virDomainSuspend(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainResume(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainCreate(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainDestroy(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainUndefine(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainGetName(NULL) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainGetXMLDesc(NULL, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainRef(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainFree(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    int st = 0;
    CHECK(virDomainGetState(NULL, &st, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainIsActive(NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainSave(NULL, "/tmp/x") == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);

    /* freed */
    virDomainPtr d = virDomainDefineXML(conn, GOOD_XML("bad-dom"));
    CHECK(d != NULL);
    virDomainPtr stale = virDomainLookupByName(conn, "bad-dom");
    CHECK(stale != NULL);
    CHECK(virDomainFree(stale) == 0);
    CHECK(virDomainCreate(stale) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainGetName(stale) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    /* double free: the second one fails cleanly */
    CHECK(virDomainFree(stale) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);

    /* a registration filtered on a freed or NULL-but-invalid domain */
    CHECK(virConnectDomainEventRegisterAny(conn, stale, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);

    /* the first handle is unaffected */
    CHECK(d && virDomainCreate(d) == 0);
    CHECK(d && virDomainDestroy(d) == 0);

    /* a domain undefined meanwhile through another handle */
    virDomainPtr other = virDomainLookupByName(conn, "bad-dom");
    CHECK(other != NULL);
    CHECK(other && virDomainUndefine(other) == 0);
    if (other)
        virDomainFree(other);
    CHECK(virDomainCreate(d) == -1);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    CHECK(virDomainSuspend(d) == -1);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    CHECK(virDomainGetState(d, &st, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    char *xml = virDomainGetXMLDesc(d, 0);
    CHECK(xml == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    free(xml);
    /* the handle itself is still valid for its own data */
    const char *name = virDomainGetName(d);
    CHECK(name != NULL && strcmp(name, "bad-dom") == 0);
    virDomainFree(d);

    /* unknown domains */
    CHECK(virDomainLookupByName(conn, "no-such-domain") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    CHECK(virDomainLookupByUUIDString(conn, "01234567-89ab-cdef-0123-456789abcdef") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    CHECK(virDomainLookupByID(conn, 4242) == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    CHECK(virDomainLookupByID(conn, -1) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainLookupByName(conn, NULL) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    CHECK(virConnectClose(conn) == 0);
    check_still_works(__LINE__);
}

/* ---- XML ---------------------------------------------------------------------------------- */

static void check_define_fails(virConnectPtr conn, const char *xml, int code_wanted, int line)
{
    virDomainPtr d = virDomainDefineXML(conn, xml);
    if (d) {
        fprintf(stderr, "%s:%d: defining this XML succeeded: %s\n", __FILE__, line, xml);
        virDomainFree(d);
    }
    CHECK(d == NULL);
    if (virGetLastErrorCode() != code_wanted)
        fprintf(stderr, "%s:%d: for XML: %s\n", __FILE__, line, xml);
    EXPECT_ERROR(code_wanted);

    d = virDomainCreateXML(conn, xml, 0);
    if (d)
        virDomainFree(d);
    CHECK(d == NULL);
    EXPECT_ERROR(code_wanted);
}

static void test_bad_xml(void)
{
    int events = 0;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &events, NULL);

    /* not well-formed */
    check_define_fails(conn, "<domain type='test'><name>broken</name><memory>1024</memory>", VIR_ERR_XML_DETAIL, __LINE__);
    check_define_fails(conn, "<domain type='test'><name>broken</nam></domain>", VIR_ERR_XML_DETAIL, __LINE__);
    check_define_fails(conn, "<domain type='test'><name>a&b</name><memory>1024</memory><os><type>hvm</type></os></domain>",
                       VIR_ERR_XML_DETAIL, __LINE__);
    check_define_fails(conn, "<domain type='test' <name>x</name></domain>", VIR_ERR_XML_DETAIL, __LINE__);
    /* well-formed but no name */
    check_define_fails(conn, "<domain type='test'><memory>1024</memory><os><type>hvm</type></os></domain>",
                       VIR_ERR_NO_NAME, __LINE__);
    /* no memory, no os type, wrong root */
    check_define_fails(conn, "<domain type='test'><name>nomem</name><os><type>hvm</type></os></domain>",
                       VIR_ERR_XML_ERROR, __LINE__);
    check_define_fails(conn, "<domain type='test'><name>noos</name><memory>1024</memory></domain>", VIR_ERR_XML_ERROR,
                       __LINE__);
    check_define_fails(conn, "<domain type='test'><name>noostype</name><memory>1024</memory><os></os></domain>",
                       VIR_ERR_XML_ERROR, __LINE__);
    check_define_fails(conn, "<network><name>net</name></network>", VIR_ERR_XML_ERROR, __LINE__);

    /* NULL XML */
    CHECK(virDomainDefineXML(conn, NULL) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainCreateXML(conn, NULL, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* nothing was created, nothing was reported */
    pump();
    CHECK(events == 0);
    CHECK(virConnectNumOfDomains(conn) == 0);
    CHECK(virConnectNumOfDefinedDomains(conn) == 0);

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectClose(conn) == 0);
    check_still_works(__LINE__);
}

/* ---- wrong state -------------------------------------------------------------------------- */

static void test_wrong_state(void)
{
    int events = 0;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virDomainPtr d = virDomainDefineXML(conn, GOOD_XML("wrong-state"));
    CHECK(d != NULL);
    if (!d) {
        virConnectClose(conn);
        return;
    }
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &events, NULL);

    /* shut off */
    CHECK(virDomainSuspend(d) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainResume(d) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainDestroy(d) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainShutdown(d) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainReboot(d, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainManagedSave(d, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);

    /* running */
    CHECK(virDomainCreate(d) == 0);
    CHECK(virDomainCreate(d) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainResume(d) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);

    /* paused */
    CHECK(virDomainSuspend(d) == 0);
    CHECK(virDomainSuspend(d) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainResume(d) == 0);
    CHECK(virDomainDestroy(d) == 0);

    /* transient */
    virDomainPtr t = virDomainCreateXML(conn, GOOD_XML("wrong-state-t"), 0);
    CHECK(t != NULL);
    CHECK(t && virDomainUndefine(t) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(t && virDomainManagedSave(t, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    /* a second CreateXML of a running name */
    virDomainPtr t2 = virDomainCreateXML(conn, GOOD_XML("wrong-state-t"), 0);
    CHECK(t2 == NULL);
    CHECK(virGetLastError() != NULL);
    if (t2)
        virDomainFree(t2);
    if (t) {
        CHECK(virDomainDestroy(t) == 0);
        virDomainFree(t);
    }

    /* exactly the successful operations were reported */
    pump();
    if (events != 6)
        fprintf(stderr, "%s:%d: %d events, wanted 6\n", __FILE__, __LINE__, events);
    CHECK(events == 6); /* d: started, suspended, resumed, stopped; t: started, stopped */

    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virDomainUndefine(d) == 0);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
    check_still_works(__LINE__);
}

/* ---- events ------------------------------------------------------------------------------- */

static void test_bad_event_registration(void)
{
    int n = 0;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;

    /* unknown event IDs */
    CHECK(virConnectDomainEventRegisterAny(conn, NULL, 999, CB(lifecycle_cb), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventRegisterAny(conn, NULL, -1, CB(lifecycle_cb), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LAST, CB(lifecycle_cb), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* NULL callback */
    CHECK(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventRegister(conn, NULL, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* unknown IDs and double deregistration */
    CHECK(virConnectDomainEventDeregisterAny(conn, 123456) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventDeregisterAny(conn, -1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &n, NULL);
    CHECK(id >= 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventDeregister(conn, lifecycle_cb) == -1); /* never registered that way */
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectDomainEventRegister(conn, lifecycle_cb, &n, NULL) == 0);
    CHECK(virConnectDomainEventDeregister(conn, lifecycle_cb) == 0);
    CHECK(virConnectDomainEventDeregister(conn, lifecycle_cb) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* duplicates */
    id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &n, NULL);
    CHECK(id >= 0);
    CHECK(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &n, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    /* a different callback, or another event ID, is no duplicate */
    int id2 = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb2), &n, NULL);
    CHECK(id2 >= 0 && id2 != id);
    CHECK(virConnectDomainEventRegister(conn, lifecycle_cb2, &n, NULL) == 0);
    CHECK(virConnectDomainEventRegister(conn, lifecycle_cb2, &n, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    /* the same callback on another connection is no duplicate either */
    virConnectPtr other = virConnectOpen("test:///empty");
    CHECK(other != NULL);
    int id3 = -1;
    if (other) {
        id3 = virConnectDomainEventRegisterAny(other, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &n, NULL);
        CHECK(id3 >= 0);
        /* ...and an ID of one connection cannot be deregistered through another */
        CHECK(virConnectDomainEventDeregisterAny(other, id2) == -1);
        EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    }
    /* the failed calls did not disturb the accepted registrations */
    virDomainPtr d = virDomainCreateXML(conn, GOOD_XML("dup-check"), 0);
    CHECK(d != NULL);
    pump();
    CHECK(n == 3); /* lifecycle_cb (Any), lifecycle_cb2 (Any), lifecycle_cb2 (legacy) */
    if (d) {
        CHECK(virDomainDestroy(d) == 0);
        virDomainFree(d);
    }
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectDomainEventDeregisterAny(conn, id2) == 0);
    CHECK(virConnectDomainEventDeregister(conn, lifecycle_cb2) == 0);
    if (other) {
        CHECK(virConnectDomainEventDeregisterAny(other, id3) == 0);
        CHECK(virConnectClose(other) == 0);
    }
    CHECK(virConnectClose(conn) == 0);
    check_still_works(__LINE__);
}

/* ---- read-only connections ---------------------------------------------------------------- */

static void test_read_only(void)
{
    int events = 0;
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virConnectPtr rw = virConnectOpen("test:///default");
    CHECK(ro && rw);
    if (!ro || !rw)
        return;
    virDomainPtr t = virDomainLookupByName(ro, "test");
    CHECK(t != NULL);
    if (!t)
        return;
    int st = -1;
    CHECK(virDomainGetState(t, &st, NULL, 0) == 0 && st == VIR_DOMAIN_RUNNING);
    char *xml = virDomainGetXMLDesc(t, 0);
    CHECK(xml != NULL);
    free(xml);

    CHECK(virDomainSuspend(t) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainDestroy(t) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainShutdown(t) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainReboot(t, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainUndefine(t) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainSetMetadata(t, VIR_DOMAIN_METADATA_TITLE, "no", NULL, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainDefineXML(ro, GOOD_XML("ro-def")) == NULL);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainCreateXML(ro, GOOD_XML("ro-def"), 0) == NULL);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainGetState(t, &st, NULL, 0) == 0 && st == VIR_DOMAIN_RUNNING);

    /* but it may watch */
    int id = virConnectDomainEventRegisterAny(ro, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cb), &events, NULL);
    CHECK(id >= 0);
    virDomainPtr w = virDomainLookupByName(rw, "test");
    CHECK(w != NULL);
    if (w) {
        CHECK(virDomainSuspend(w) == 0);
        CHECK(virDomainResume(w) == 0);
        virDomainFree(w);
    }
    pump();
    CHECK(events == 2);
    CHECK(virConnectDomainEventDeregisterAny(ro, id) == 0);

    virDomainFree(t);
    CHECK(virConnectClose(ro) == 0);
    CHECK(virConnectClose(rw) == 0);
    check_still_works(__LINE__);
}

/* ---- UUIDs and out-parameters ------------------------------------------------------------- */

static void test_uuids_and_out_params(void)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    unsigned char raw[VIR_UUID_BUFLEN];
    virConnectPtr conn = virConnectOpen("test:///default");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virDomainPtr t = virDomainLookupByName(conn, "test");
    CHECK(t != NULL);
    if (!t) {
        virConnectClose(conn);
        return;
    }

    CHECK(virDomainGetUUIDString(t, uuid) == 0);
    CHECK(strcmp(uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f") == 0);
    virDomainPtr again = virDomainLookupByUUIDString(conn, uuid);
    CHECK(again != NULL);
    if (again) {
        CHECK(strcmp(virDomainGetName(again), "test") == 0);
        virDomainFree(again);
    }
    CHECK(virDomainGetUUID(t, raw) == 0);
    CHECK(raw[0] == 0x66 && raw[1] == 0x95 && raw[15] == 0x3f);
    again = virDomainLookupByUUID(conn, raw);
    CHECK(again != NULL);
    if (again)
        virDomainFree(again);
    again = virDomainLookupByID(conn, 1);
    CHECK(again != NULL);
    if (again) {
        CHECK(strcmp(virDomainGetName(again), "test") == 0);
        virDomainFree(again);
    }
    /* upper case is the same UUID */
    again = virDomainLookupByUUIDString(conn, "6695EB01-F6A4-8304-79AA-97F2502E193F");
    CHECK(again != NULL);
    if (again)
        virDomainFree(again);

    /* malformed UUID strings */
    static const char *bad[] = {"", "not-a-uuid", "6695eb01-f6a4-8304-79aa-97f2502e193",
                                "6695eb01-f6a4-8304-79aa-97f2502e193fff", "g695eb01-f6a4-8304-79aa-97f2502e193f"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        virDomainPtr d = virDomainLookupByUUIDString(conn, bad[i]);
        if (d) {
            fprintf(stderr, "%s:%d: UUID '%s' was accepted\n", __FILE__, __LINE__, bad[i]);
            virDomainFree(d);
        }
        CHECK(d == NULL);
        EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    }
    CHECK(virDomainLookupByUUIDString(conn, NULL) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainLookupByUUID(conn, NULL) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* NULL out-parameters */
    CHECK(virDomainGetState(t, NULL, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainGetInfo(t, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainGetUUIDString(t, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainGetUUID(t, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    /* reason may be NULL */
    int st = -1;
    CHECK(virDomainGetState(t, &st, NULL, 0) == 0 && st == VIR_DOMAIN_RUNNING);
    virDomainInfo info;
    CHECK(virDomainGetInfo(t, &info) == 0);
    CHECK(info.state == VIR_DOMAIN_RUNNING);

    virDomainFree(t);
    CHECK(virConnectClose(conn) == 0);
    check_still_works(__LINE__);
}

/* ---- the error API ------------------------------------------------------------------------ */

static int errfunc_calls;
static int errfunc_last_code;
static void *errfunc_user;

static void my_errfunc(void *userData, virErrorPtr err)
{
    errfunc_calls++;
    errfunc_user = userData;
    errfunc_last_code = err ? err->code : -1;
}

static void *other_thread_error(void *arg)
{
    (void)arg;
    virDomainPtr d = virDomainLookupByName(NULL, "x"); /* fails on this thread only */
    if (d)
        virDomainFree(d);
    return NULL;
}

static void test_error_api(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;

    /* an error, then a success: the success resets it */
    CHECK(virDomainLookupByName(conn, "nope") == NULL);
    CHECK(virGetLastError() != NULL);
    CHECK(virGetLastErrorCode() == VIR_ERR_NO_DOMAIN);
    const char *msg = virGetLastErrorMessage();
    CHECK(msg != NULL && strlen(msg) > 0 && strcmp(msg, "no error") != 0);
    CHECK(virConnectNumOfDomains(conn) == 0);
    CHECK(virGetLastError() == NULL);
    CHECK(virGetLastErrorCode() == VIR_ERR_OK);
    msg = virGetLastErrorMessage();
    CHECK(msg != NULL && strcmp(msg, "no error") == 0);

    /* virCopyLastError / virResetError */
    virError copy;
    memset(&copy, 0, sizeof copy);
    CHECK(virDomainLookupByName(conn, "nope") == NULL);
    CHECK(virCopyLastError(&copy) == VIR_ERR_NO_DOMAIN);
    CHECK(copy.code == VIR_ERR_NO_DOMAIN);
    CHECK(copy.message != NULL && strlen(copy.message) > 0);
    CHECK(copy.level == VIR_ERR_ERROR);
    virErrorPtr last = virGetLastError();
    CHECK(last != NULL && copy.message != last->message); /* a copy, not the same string */
    CHECK(last && last->message && copy.message && strcmp(last->message, copy.message) == 0);
    virResetError(&copy);
    CHECK(copy.code == VIR_ERR_OK);
    CHECK(copy.message == NULL);
    virResetError(NULL); /* ignored */
    CHECK(virCopyLastError(NULL) == -1);
    /* with no error the copy is empty */
    virResetLastError();
    CHECK(virGetLastError() == NULL);
    memset(&copy, 0, sizeof copy);
    copy.code = 12345;
    CHECK(virCopyLastError(&copy) == 0);
    CHECK(copy.code == VIR_ERR_OK);
    virResetError(&copy);

    /* virSaveLastError / virFreeError: the saved copy survives later calls */
    CHECK(virDomainCreate(NULL) == -1);
    virErrorPtr saved = virSaveLastError();
    CHECK(saved != NULL);
    CHECK(virConnectNumOfDomains(conn) == 0);
    CHECK(virGetLastError() == NULL);
    if (saved) {
        CHECK(saved->code == VIR_ERR_INVALID_DOMAIN);
        CHECK(saved->message != NULL && strlen(saved->message) > 0);
        virFreeError(saved);
    }
    virFreeError(NULL); /* ignored */

    /* virSetErrorFunc receives every error, with its user data */
    int marker = 0;
    errfunc_calls = 0;
    errfunc_last_code = -1;
    virSetErrorFunc(&marker, my_errfunc);
    CHECK(virDomainLookupByName(conn, "nope") == NULL);
    CHECK(errfunc_calls == 1);
    CHECK(errfunc_last_code == VIR_ERR_NO_DOMAIN);
    CHECK(errfunc_user == &marker);
    CHECK(virDomainSuspend(NULL) == -1);
    CHECK(errfunc_calls == 2);
    CHECK(errfunc_last_code == VIR_ERR_INVALID_DOMAIN);
    CHECK(virConnectNumOfDomains(conn) == 0); /* success: not called */
    CHECK(errfunc_calls == 2);
    virSetErrorFunc(NULL, harness_quiet);
    CHECK(virDomainLookupByName(conn, "nope") == NULL);
    CHECK(errfunc_calls == 2);

    /* errors are per thread */
    CHECK(virConnectNumOfDomains(conn) == 0);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, other_thread_error, NULL) == 0);
    pthread_join(th, NULL);
    CHECK(virGetLastError() == NULL);

    CHECK(virConnectClose(conn) == 0);
    check_still_works(__LINE__);
}

/* ---- other bad arguments ------------------------------------------------------------------ */

static void test_misc_bad_args(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virDomainPtr d = virDomainCreateXML(conn, GOOD_XML("misc"), 0);
    CHECK(d != NULL);
    if (!d) {
        virConnectClose(conn);
        return;
    }
    CHECK(virDomainSave(d, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainRestore(conn, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainRestore(conn, "/nonexistent/virtevent/image") == -1);
    CHECK(virGetLastError() != NULL);
    CHECK(virDomainSetMetadata(d, 99, "x", NULL, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<a/>", "k", NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    /* unknown flags */
    CHECK(virDomainCreateXML(conn, GOOD_XML("misc2"), 1u << 30) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainGetXMLDesc(d, 1u << 30) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    /* the domain is still running and fine */
    CHECK(virDomainIsActive(d) == 1);
    CHECK(virDomainDestroy(d) == 0);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
    check_still_works(__LINE__);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    RUN(test_bad_connections);
    RUN(test_bad_domains);
    RUN(test_bad_xml);
    RUN(test_wrong_state);
    RUN(test_bad_event_registration);
    RUN(test_read_only);
    RUN(test_uuids_and_out_params);
    RUN(test_error_api);
    RUN(test_misc_bad_args);
    return harness_exit();
}
