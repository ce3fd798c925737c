/* Handles and registrations that must never outlive what they stand for (defects found by
 * fuzzing): a watch that expired still gets its freecb; a closed connection refuses
 * registrations and references; a callback's domain handle carries the event's own name after
 * a UUID is defined again under another name; a freed handle is an error even when its memory
 * is used again; every failure sets a last error. */
#include "harness.h"

#include <stdint.h>

#define UUID_A "3a5e2c1b-7d4f-4e8a-9b6c-0d1e2f3a4b5c"

static const char *xml_for(char *buf, size_t len, const char *name, const char *uuid)
{
    snprintf(buf, len,
             "<domain type='test'><name>%s</name>%s%s%s<memory>1024</memory>"
             "<os><type>hvm</type></os></domain>",
             name, uuid ? "<uuid>" : "", uuid ? uuid : "", uuid ? "</uuid>" : "");
    return buf;
}

struct reg {
    int calls;
    int expired;
    int frees;
    int calls_after_free;
    char last_name[64];
    char last_event_name[64];
};

static void reg_free(void *opaque)
{
    ((struct reg *)opaque)->frees++;
}

static void on_generic(virConnectPtr conn, virDomainPtr dom, const virConnectEvent *ev, void *opaque)
{
    struct reg *r = opaque;
    (void)conn;
    if (r->frees)
        r->calls_after_free++;
    r->calls++;
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED)
        r->expired++;
    if (dom) {
        const char *name = virDomainGetName(dom);
        snprintf(r->last_name, sizeof r->last_name, "%s", name ? name : "(null)");
        snprintf(r->last_event_name, sizeof r->last_event_name, "%s", ev->domainName);
    }
}

static void on_reboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    struct reg *r = opaque;
    (void)conn;
    r->calls++;
    const char *name = virDomainGetName(dom);
    snprintf(r->last_name, sizeof r->last_name, "%s", name ? name : "(null)");
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)dom;
    (void)event;
    (void)detail;
    struct reg *r = opaque;
    if (r->frees)
        r->calls_after_free++;
    r->calls++;
    return 0;
}

/* Defect 4: a SINCE | BOOKMARKS watch that falls behind a history of 2 gets "expired", and its
 * freecb runs then (it used to stay in the bookmark list forever, even past close). */
static void test_expired_bookmark_watch_is_freed(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    CHECK(virConnectSetEventHistorySize(conn, 2) == 0);
    unsigned long long v = 0;
    CHECK(virConnectListAllDomainsVersioned(conn, NULL, &v, 0) == 0);
    struct reg r = {0};
    int id = virConnectEventRegisterFlags(conn, NULL, NULL, v, on_generic, &r, reg_free,
                                          VIR_CONNECT_EVENT_REGISTER_SINCE | VIR_CONNECT_EVENT_REGISTER_BOOKMARKS);
    CHECK(id >= 0);
    for (int i = 0; i < 5; i++) {
        virDomainPtr d = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "cycled", NULL), 0);
        CHECK(d != NULL);
        CHECK(virDomainDestroy(d) == 0);
        virDomainFree(d);
    }
    pump();
    CHECK(r.expired == 1);
    CHECK(r.frees == 1);
    CHECK(virConnectEventUnregister(conn, id) == -1); /* the bus ended it */
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectClose(conn) == 0);
    CHECK(r.frees == 1);
    CHECK(r.calls_after_free == 0);
}

/* Defect 5: a connection closed while a domain still holds its handle refuses registrations
 * of every style and new references; nothing registered before the close fires again. */
static void test_closed_connection_refuses_registrations(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    struct reg before = {0};
    CHECK(virConnectDomainEventRegister(conn, on_lifecycle, &before, reg_free) == 0);
    virDomainPtr d = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "held", NULL));
    CHECK(d != NULL);
    pump();
    CHECK(before.calls == 1);
    CHECK(virConnectClose(conn) == 1); /* the domain keeps the handle */
    CHECK(before.frees == 1);
    CHECK(virConnectIsAlive(conn) == 0);

    struct reg after = {0};
    CHECK(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(on_lifecycle), &after,
                                           reg_free) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectDomainEventRegisterAny(conn, d, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(on_lifecycle), &after,
                                           reg_free) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectDomainEventRegister(conn, on_lifecycle, &after, reg_free) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectEventRegister(conn, NULL, NULL, on_generic, &after, reg_free) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectEventRegisterSince(conn, NULL, NULL, 0, on_generic, &after, reg_free) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectRef(conn) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectClose(conn) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);

    /* the domain handle still works, and its changes reach nobody through the closed connection */
    CHECK(virDomainCreate(d) == 0);
    CHECK(virDomainDestroy(d) == 0);
    pump();
    CHECK(after.calls == 0 && after.frees == 0);
    CHECK(before.calls == 1 && before.calls_after_free == 0);
    CHECK(virDomainFree(d) == 0);
    /* the last domain reference took the handle: it is now unknown, not closed */
    CHECK(virConnectIsAlive(conn) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
}

/* Defect 6: the handle given to a callback carries the event's own name, also when the UUID
 * was defined again under another name and the registration never saw the first go. */
static void test_callback_handle_has_the_events_name(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    struct reg typed = {0}, generic = {0};
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, CB(on_reboot), &typed, NULL);
    int gid = virConnectEventRegister(conn, NULL, "reboot", on_generic, &generic, NULL);
    CHECK(id >= 0 && gid >= 0);

    const char *names[] = {"alpha", "beta", "gamma"};
    for (int i = 0; i < 3; i++) {
        virDomainPtr d = virDomainDefineXML(conn, xml_for(xml, sizeof xml, names[i], UUID_A));
        CHECK(d != NULL);
        CHECK(virDomainCreate(d) == 0);
        CHECK(virDomainReboot(d, 0) == 0);
        pump();
        CHECK(typed.calls == i + 1);
        CHECK(strcmp(typed.last_name, names[i]) == 0);
        CHECK(strcmp(generic.last_name, names[i]) == 0);
        CHECK(strcmp(generic.last_event_name, names[i]) == 0);
        if (strcmp(typed.last_name, names[i]) != 0)
            fprintf(stderr, "reboot of %s arrived as %s\n", names[i], typed.last_name);
        CHECK(virDomainDestroy(d) == 0);
        CHECK(virDomainUndefine(d) == 0);
        virDomainFree(d);
    }
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    CHECK(virConnectEventUnregister(conn, gid) == 0);
    CHECK(virConnectClose(conn) == 0);
}

/* Defect 7: a freed handle stays an error however many handles come after it, so a call through
 * it can never act on another object (handles used to be addresses, and addresses are reused). */
static void test_freed_handles_never_name_new_objects(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr a = virDomainDefineXML(conn, xml_for(xml, sizeof xml, "first", NULL));
    CHECK(a != NULL);
    virDomainPtr stale = a;
    CHECK(virDomainFree(a) == 0);
    virDomainPtr others[256];
    int reused = 0;
    for (int i = 0; i < 256; i++) {
        char name[32];
        snprintf(name, sizeof name, "other-%d", i);
        others[i] = virDomainDefineXML(conn, xml_for(xml, sizeof xml, name, NULL));
        CHECK(others[i] != NULL);
        if (others[i] == stale)
            reused++;
    }
    CHECK(reused == 0);
    CHECK(virDomainGetName(stale) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainUndefine(stale) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainFree(stale) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virConnectNumOfDefinedDomains(conn) == 257);
    for (int i = 0; i < 256; i++)
        virDomainFree(others[i]);

    /* connections: a closed one stays closed while new ones open */
    virConnectPtr stale_conn = virConnectOpen("test:///empty");
    CHECK(stale_conn != NULL);
    CHECK(virConnectClose(stale_conn) == 0);
    virConnectPtr fresh[64];
    for (int i = 0; i < 64; i++) {
        fresh[i] = virConnectOpen("test:///empty");
        CHECK(fresh[i] != NULL && fresh[i] != stale_conn);
    }
    CHECK(virConnectClose(stale_conn) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    for (int i = 0; i < 64; i++) {
        CHECK(virConnectIsAlive(fresh[i]) == 1);
        CHECK(virConnectClose(fresh[i]) == 0);
    }

    /* a domain pointer is never taken for a connection, nor the other way round */
    virDomainPtr d = virDomainLookupByName(conn, "first");
    CHECK(d != NULL);
    CHECK(virConnectIsAlive((virConnectPtr)(void *)d) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virDomainGetName((virDomainPtr)(void *)conn) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    /* nor is a number near a real one */
    CHECK(virDomainGetName((virDomainPtr)(void *)((uintptr_t)d + 1)) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(virDomainUndefine(d) == 0);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
}

static void on_timer(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

static void on_handle(int watch, int fd, int events, void *opaque)
{
    (void)watch;
    (void)fd;
    (void)events;
    (void)opaque;
}

/* Defect 8: the loop calls' failures set a last error like every other call. */
static void test_event_loop_failures_set_an_error(void)
{
    CHECK(virEventAddHandle(-1, VIR_EVENT_HANDLE_READABLE, on_handle, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virEventRemoveHandle(987654) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virEventRemoveTimeout(987654) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virEventRemoveTimeout(-1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    int t = virEventAddTimeout(-1, on_timer, NULL, NULL);
    CHECK(t >= 0);
    CHECK(virGetLastError() == NULL);
    CHECK(virEventRemoveTimeout(t) == 0);
    CHECK(virGetLastError() == NULL);
    CHECK(virEventRemoveTimeout(t) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
}

int main(void)
{
    harness_watchdog(60);
    harness_init();
    RUN(test_expired_bookmark_watch_is_freed);
    RUN(test_closed_connection_refuses_registrations);
    RUN(test_callback_handle_has_the_events_name);
    RUN(test_freed_handles_never_name_new_objects);
    RUN(test_event_loop_failures_set_an_error);
    return harness_exit();
}
