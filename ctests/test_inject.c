/* virTestDomainInject: every happening on a domain configured for it (every event that follows,
 * in order, with its fields, and the state after), the same on a domain without the device
 * (refused, nothing emitted), bad parameters (refused, nothing changed), the runtime state the
 * happenings leave (disk errors, block info, guest users), the generic callback against
 * RegisterAny for every kind, and the capability query both ways. */
#include "harness.h"

#include <stdarg.h>
#include <stdint.h>

static virConnectPtr conn;

/* ---- two logs of formatted events: RegisterAny ('A') and the generic callback ('G') ------- */

#define MAXLINES 64
#define LINELEN 256
struct elog {
    char line[MAXLINES][LINELEN];
    int n;
};
static struct elog alog, glog;
/* Every event ID seen in any way during the run, for the capability check. */
static int seen[VIR_DOMAIN_EVENT_ID_EXT_LAST];

static void note_id(int id)
{
    if (id >= 0 && id < VIR_DOMAIN_EVENT_ID_EXT_LAST)
        seen[id] = 1;
}

static void logf_(struct elog *log, const char *fmt, ...)
{
    if (log->n >= MAXLINES) {
        log->n++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(log->line[log->n++], LINELEN, fmt, ap);
    va_end(ap);
}

static const char *s_(const char *s)
{
    return s ? s : "-";
}

static void put_graphics(struct elog *log, const char *dom, int phase, const virDomainEventGraphicsAddress *l,
                         const virDomainEventGraphicsAddress *r, const char *auth, const virDomainEventGraphicsSubject *subj)
{
    char ids[128] = "";
    size_t used = 0;
    for (int i = 0; i < subj->nidentity && used < sizeof ids; i++)
        used += snprintf(ids + used, sizeof ids - used, " %s=%s", subj->identities[i].type, subj->identities[i].name);
    logf_(log, "graphics %s %d local=%d,%s,%s remote=%d,%s,%s %s%s", dom, phase, l->family, l->node, l->service,
          r->family, r->node, r->service, auth, ids);
}

/* RegisterAny callbacks, one per callback type. */
static void a_lifecycle(virConnectPtr c, virDomainPtr d, int ev, int detail, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    logf_(&alog, "lifecycle %s %d %d", virDomainGetName(d), ev, detail);
}
static void a_generic(virConnectPtr c, virDomainPtr d, void *o)
{
    (void)c;
    note_id(*(int *)o);
    logf_(&alog, "%s %s", virConnectDomainEventIDToName(*(int *)o), virDomainGetName(d));
}
static void a_rtc(virConnectPtr c, virDomainPtr d, long long off, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_RTC_CHANGE);
    logf_(&alog, "rtc-change %s %lld", virDomainGetName(d), off);
}
static void a_int(virConnectPtr c, virDomainPtr d, int v, void *o)
{
    (void)c;
    note_id(*(int *)o);
    logf_(&alog, "%s %s %d", virConnectDomainEventIDToName(*(int *)o), virDomainGetName(d), v);
}
static void a_io(virConnectPtr c, virDomainPtr d, const char *src, const char *alias, int action, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_IO_ERROR);
    logf_(&alog, "io-error %s %s %s %d", virDomainGetName(d), src, alias, action);
}
static void a_io_reason(virConnectPtr c, virDomainPtr d, const char *src, const char *alias, int action, const char *reason, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON);
    logf_(&alog, "io-error-reason %s %s %s %d %s", virDomainGetName(d), src, alias, action, reason);
}
static void a_graphics(virConnectPtr c, virDomainPtr d, int phase, const virDomainEventGraphicsAddress *l,
                       const virDomainEventGraphicsAddress *r, const char *auth, const virDomainEventGraphicsSubject *s, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_GRAPHICS);
    put_graphics(&alog, virDomainGetName(d), phase, l, r, auth, s);
}
static void a_disk_change(virConnectPtr c, virDomainPtr d, const char *old, const char *new_, const char *alias, int reason, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_DISK_CHANGE);
    logf_(&alog, "disk-change %s %s %s %s %d", virDomainGetName(d), s_(old), s_(new_), alias, reason);
}
static void a_tray(virConnectPtr c, virDomainPtr d, const char *alias, int reason, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_TRAY_CHANGE);
    logf_(&alog, "tray-change %s %s %d", virDomainGetName(d), alias, reason);
}
static void a_balloon(virConnectPtr c, virDomainPtr d, unsigned long long actual, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE);
    logf_(&alog, "balloon-change %s %llu", virDomainGetName(d), actual);
}
static void a_device_removed(virConnectPtr c, virDomainPtr d, const char *alias, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED);
    logf_(&alog, "device-removed %s %s", virDomainGetName(d), alias);
}
static void a_agent(virConnectPtr c, virDomainPtr d, int state, int reason, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE);
    logf_(&alog, "agent-lifecycle %s %d %d", virDomainGetName(d), state, reason);
}
static void a_threshold(virConnectPtr c, virDomainPtr d, const char *dev, const char *path, unsigned long long t,
                        unsigned long long excess, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD);
    logf_(&alog, "block-threshold %s %s %s %llu %llu", virDomainGetName(d), dev, s_(path), t, excess);
}
static void a_memory_failure(virConnectPtr c, virDomainPtr d, int recipient, int action, unsigned int flags, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE);
    logf_(&alog, "memory-failure %s %d %d %u", virDomainGetName(d), recipient, action, flags);
}
static void a_guest_user(virConnectPtr c, virDomainPtr d, const char *user, const char *domain, int state, void *o)
{
    (void)c, (void)o;
    note_id(VIR_DOMAIN_EVENT_ID_GUEST_USER);
    logf_(&alog, "guest-user %s %s %s %d", virDomainGetName(d), user, s_(domain), state);
}

/* The generic callback formats the same fields from the union. */
static void on_generic(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *o)
{
    (void)c, (void)o;
    const char *dom = ev->domainName;
    CHECK(d != NULL && strcmp(virDomainGetName(d), dom) == 0);
    note_id(ev->eventID);
    switch (ev->eventID) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        logf_(&glog, "lifecycle %s %d %d", dom, ev->data.lifecycle.event, ev->data.lifecycle.detail);
        break;
    case VIR_DOMAIN_EVENT_ID_REBOOT:
        logf_(&glog, "reboot %s", dom);
        break;
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
        logf_(&glog, "rtc-change %s %lld", dom, ev->data.rtcChange.utcOffset);
        break;
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
        logf_(&glog, "watchdog %s %d", dom, ev->data.watchdog.action);
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
        logf_(&glog, "io-error %s %s %s %d", dom, ev->data.ioError.srcPath, ev->data.ioError.devAlias, ev->data.ioError.action);
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        logf_(&glog, "io-error-reason %s %s %s %d %s", dom, ev->data.ioError.srcPath, ev->data.ioError.devAlias,
              ev->data.ioError.action, ev->data.ioError.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_GRAPHICS:
        put_graphics(&glog, dom, ev->data.graphics.phase, ev->data.graphics.local, ev->data.graphics.remote,
                     ev->data.graphics.authScheme, ev->data.graphics.subject);
        break;
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
        logf_(&glog, "disk-change %s %s %s %s %d", dom, s_(ev->data.diskChange.oldSrcPath), s_(ev->data.diskChange.newSrcPath),
              ev->data.diskChange.devAlias, ev->data.diskChange.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
        logf_(&glog, "tray-change %s %s %d", dom, ev->data.trayChange.devAlias, ev->data.trayChange.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
        logf_(&glog, "pm-wakeup %s %d", dom, ev->data.pmWakeup.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
        logf_(&glog, "pm-suspend %s %d", dom, ev->data.pmSuspend.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
        logf_(&glog, "pm-suspend-disk %s %d", dom, ev->data.pmSuspendDisk.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        logf_(&glog, "balloon-change %s %llu", dom, ev->data.balloonChange.actual);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
        logf_(&glog, "device-removed %s %s", dom, ev->data.deviceRemoved.devAlias);
        break;
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        logf_(&glog, "agent-lifecycle %s %d %d", dom, ev->data.agentLifecycle.state, ev->data.agentLifecycle.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        logf_(&glog, "block-threshold %s %s %s %llu %llu", dom, ev->data.blockThreshold.dev, s_(ev->data.blockThreshold.path),
              ev->data.blockThreshold.threshold, ev->data.blockThreshold.excess);
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
        logf_(&glog, "memory-failure %s %d %d %u", dom, ev->data.memoryFailure.recipient, ev->data.memoryFailure.action,
              ev->data.memoryFailure.flags);
        break;
    case VIR_DOMAIN_EVENT_ID_GUEST_USER:
        logf_(&glog, "guest-user %s %s %s %d", dom, ev->data.guestUser.user, s_(ev->data.guestUser.domain), ev->data.guestUser.state);
        break;
    default:
        logf_(&glog, "%s %s", ev->eventName, dom);
    }
}

/* Every event ID something can inject, each with its RegisterAny callback. */
static int watched_ids[] = {
    VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_ID_RTC_CHANGE,
    VIR_DOMAIN_EVENT_ID_WATCHDOG, VIR_DOMAIN_EVENT_ID_IO_ERROR, VIR_DOMAIN_EVENT_ID_GRAPHICS,
    VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON, VIR_DOMAIN_EVENT_ID_DISK_CHANGE, VIR_DOMAIN_EVENT_ID_TRAY_CHANGE,
    VIR_DOMAIN_EVENT_ID_PMWAKEUP, VIR_DOMAIN_EVENT_ID_PMSUSPEND, VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE,
    VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
    VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD, VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE, VIR_DOMAIN_EVENT_ID_GUEST_USER,
};
#define NWATCHED ((int)(sizeof watched_ids / sizeof watched_ids[0]))
static int any_ids[NWATCHED], gen_ids[NWATCHED];

static virConnectDomainEventGenericCallback any_callback(int id)
{
    switch (id) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE: return CB(a_lifecycle);
    case VIR_DOMAIN_EVENT_ID_REBOOT: return CB(a_generic);
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE: return CB(a_rtc);
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK: return CB(a_int);
    case VIR_DOMAIN_EVENT_ID_IO_ERROR: return CB(a_io);
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON: return CB(a_io_reason);
    case VIR_DOMAIN_EVENT_ID_GRAPHICS: return CB(a_graphics);
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE: return CB(a_disk_change);
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE: return CB(a_tray);
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE: return CB(a_balloon);
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED: return CB(a_device_removed);
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE: return CB(a_agent);
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD: return CB(a_threshold);
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE: return CB(a_memory_failure);
    case VIR_DOMAIN_EVENT_ID_GUEST_USER: return CB(a_guest_user);
    }
    return NULL;
}

/* Registers both styles for every watched ID, RegisterAny first, so that each log receives
 * the same events in the same order. */
static void watch(void)
{
    for (int i = 0; i < NWATCHED; i++) {
        any_ids[i] = virConnectDomainEventRegisterAny(conn, NULL, watched_ids[i], any_callback(watched_ids[i]),
                                                      &watched_ids[i], NULL);
        gen_ids[i] = virConnectEventRegister(conn, NULL, virConnectDomainEventIDToName(watched_ids[i]), on_generic, NULL, NULL);
        CHECK(any_ids[i] >= 0 && gen_ids[i] >= 0);
    }
}

static void unwatch(void)
{
    for (int i = 0; i < NWATCHED; i++) {
        CHECK(virConnectDomainEventDeregisterAny(conn, any_ids[i]) == 0);
        CHECK(virConnectEventUnregister(conn, gen_ids[i]) == 0);
    }
}

static void clear_logs(void)
{
    pump();
    alog.n = glog.n = 0;
}

/* Delivers what is queued and checks that both logs hold exactly `expected` (NULL-ended). */
#define EXPECT_EVENTS(...) expect_events(__LINE__, (const char *[]){__VA_ARGS__, NULL})
#define EXPECT_NO_EVENTS() expect_events(__LINE__, (const char *[]){NULL})
static void expect_events(int line, const char **expected)
{
    pump();
    int n = 0;
    while (expected[n])
        n++;
    int ok = alog.n == n && glog.n == n;
    for (int i = 0; ok && i < n; i++)
        ok = strcmp(alog.line[i], expected[i]) == 0 && strcmp(glog.line[i], expected[i]) == 0;
    if (!ok) {
        fprintf(stderr, "line %d: expected %d events:\n", line, n);
        for (int i = 0; i < n; i++)
            fprintf(stderr, "    %s\n", expected[i]);
        fprintf(stderr, "  RegisterAny saw %d:\n", alog.n);
        for (int i = 0; i < alog.n && i < MAXLINES; i++)
            fprintf(stderr, "    %s\n", alog.line[i]);
        fprintf(stderr, "  generic saw %d:\n", glog.n);
        for (int i = 0; i < glog.n && i < MAXLINES; i++)
            fprintf(stderr, "    %s\n", glog.line[i]);
    }
    CHECK(ok);
    alog.n = glog.n = 0;
}

/* ---- domains and injections ----------------------------------------------------------------- */

/* A domain with every device a happening can need. */
static virDomainPtr configured(const char *name, const char *watchdog_action, const char *on_crash)
{
    char xml[4096];
    snprintf(xml, sizeof xml,
             "<domain type='test'><name>%s</name><memory>1048576</memory><currentMemory>524288</currentMemory>"
             "<os><type>hvm</type></os><on_crash>%s</on_crash><devices>"
             "<disk type='file' device='disk'><driver name='qemu' type='qcow2' error_policy='stop'/>"
             "<source file='/img/%s.qcow2'/><target dev='vda' bus='virtio'/><alias name='virtio-disk0'/></disk>"
             "<disk type='file' device='disk'><driver name='qemu' error_policy='report'/>"
             "<source file='/img/data.img'/><target dev='vdb' bus='virtio'/><alias name='virtio-disk1'/></disk>"
             "<disk type='file' device='disk'><source file='/img/scratch.img'/><target dev='vdc'/></disk>"
             "<disk type='file' device='cdrom'><source file='/iso/a.iso'/><target dev='hdc' bus='ide'/>"
             "<alias name='ide0-1-0'/></disk>"
             "<graphics type='vnc' port='5901' autoport='no'><listen type='address' address='192.168.1.5'/></graphics>"
             "<watchdog model='i6300esb' action='%s'/>"
             "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
             "<memballoon model='virtio'><alias name='balloon0'/></memballoon>"
             "</devices></domain>",
             name, on_crash, name, watchdog_action);
    virDomainPtr d = virDomainCreateXML(conn, xml, 0);
    CHECK(d != NULL);
    return d;
}

/* A running domain with no devices at all (not even a balloon). */
static virDomainPtr bare(const char *name)
{
    char xml[512];
    snprintf(xml, sizeof xml,
             "<domain type='test'><name>%s</name><memory>1024</memory><os><type>hvm</type></os>"
             "<devices><memballoon model='none'/></devices></domain>", name);
    virDomainPtr d = virDomainCreateXML(conn, xml, 0);
    CHECK(d != NULL);
    return d;
}

/* Injects `what` with parameters written "name=value;name:u=42" (types: none string, u ullong,
 * l llong, b boolean, i int). */
static int inject(virDomainPtr d, const char *what, const char *spec)
{
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec ? spec : "");
    for (char *save = NULL, *item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *value = eq + 1;
        char *colon = strchr(item, ':');
        char type = 's';
        if (colon) {
            *colon = '\0';
            type = colon[1];
        }
        int rc = type == 'u' ? virTypedParamsAddULLong(&params, &n, &max, item, strtoull(value, NULL, 10))
                 : type == 'l' ? virTypedParamsAddLLong(&params, &n, &max, item, strtoll(value, NULL, 10))
                 : type == 'b' ? virTypedParamsAddBoolean(&params, &n, &max, item, atoi(value))
                 : type == 'i' ? virTypedParamsAddInt(&params, &n, &max, item, atoi(value))
                               : virTypedParamsAddString(&params, &n, &max, item, value);
        CHECK(rc == 0);
    }
    int rc = virTestDomainInject(d, what, params, n, 0);
    virTypedParamsFree(params, n);
    return rc;
}

static unsigned long long version_of(virDomainPtr d)
{
    unsigned long long v = 0;
    CHECK(virDomainGetResourceVersion(d, &v) == 0);
    return v;
}

static void expect_state(virDomainPtr d, int state, int reason)
{
    int s = -1, r = -1;
    CHECK(virDomainGetState(d, &s, &r, 0) == 0);
    if (s != state || r != reason)
        fprintf(stderr, "state %d/%d, wanted %d/%d\n", s, r, state, reason);
    CHECK(s == state && r == reason);
}

/* The injection fails with `code`, and the domain is left exactly as it was: same resource
 * version, no event. */
#define EXPECT_REFUSED(d, what, spec, code) expect_refused(__LINE__, d, what, spec, code)
static void expect_refused(int line, virDomainPtr d, const char *what, const char *spec, int code)
{
    pump();
    alog.n = glog.n = 0;
    unsigned long long before = version_of(d);
    int rc = inject(d, what, spec);
    if (rc != -1)
        fprintf(stderr, "line %d: '%s' {%s} was accepted\n", line, what, spec ? spec : "");
    CHECK(rc == -1);
    virErrorPtr err = virGetLastError();
    if (err && err->code != code)
        fprintf(stderr, "line %d: '%s': error %d (%s), wanted %d\n", line, what, err->code, err->message, code);
    EXPECT_ERROR(code);
    CHECK(version_of(d) == before);
    expect_events(line, (const char *[]){NULL});
}

static void destroy(virDomainPtr d)
{
    virDomainDestroy(d);
    virDomainFree(d);
    clear_logs();
}

/* ---- each happening ---------------------------------------------------------------------- */

static void test_io_error(void)
{
    virDomainPtr d = configured("io", "none", "destroy");
    clear_logs();
    CHECK(virDomainGetDiskErrors(d, NULL, 0, 0) == 0);

    /* error_policy='report': the guest sees the error and runs on */
    CHECK(inject(d, "io-error", "disk=vdb;reason=eio") == 0);
    EXPECT_EVENTS("io-error io /img/data.img virtio-disk1 2", "io-error-reason io /img/data.img virtio-disk1 2 eio");
    expect_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    /* no policy (QEMU's enospace default), by source path: reported unless the disk is full */
    CHECK(inject(d, "io-error", "disk=/img/scratch.img;reason=eio") == 0);
    EXPECT_EVENTS("io-error io /img/scratch.img vdc 2", "io-error-reason io /img/scratch.img vdc 2 eio");

    /* error_policy='stop', by alias: the domain really pauses, after the I/O error events */
    CHECK(inject(d, "io-error", "disk=virtio-disk0;reason=enospc") == 0);
    EXPECT_EVENTS("io-error io /img/io.qcow2 virtio-disk0 1", "io-error-reason io /img/io.qcow2 virtio-disk0 1 enospc",
                  "lifecycle io 3 2");
    expect_state(d, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR);

    virDomainDiskError errors[4];
    CHECK(virDomainGetDiskErrors(d, NULL, 0, 0) == 3);
    CHECK(virDomainGetDiskErrors(d, errors, 4, 0) == 3);
    const char *disks[] = {"vdb", "vdc", "vda"};
    int codes[] = {VIR_DOMAIN_DISK_ERROR_UNSPEC, VIR_DOMAIN_DISK_ERROR_UNSPEC, VIR_DOMAIN_DISK_ERROR_NO_SPACE};
    for (int i = 0; i < 3; i++) {
        CHECK(strcmp(errors[i].disk, disks[i]) == 0);
        CHECK(errors[i].error == codes[i]);
        free(errors[i].disk);
    }
    CHECK(virDomainGetDiskErrors(d, errors, 1, 0) == 1);
    free(errors[0].disk);
    CHECK(virDomainGetDiskErrors(d, NULL, 2, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* a paused guest does no I/O */
    EXPECT_REFUSED(d, "io-error", "disk=vda;reason=eio", VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainResume(d) == 0);
    EXPECT_EVENTS("lifecycle io 4 0");
    CHECK(virDomainGetDiskErrors(d, NULL, 0, 0) == 0);

    EXPECT_REFUSED(d, "io-error", "disk=vdz;reason=eio", VIR_ERR_OPERATION_INVALID);
    destroy(d);

    virDomainPtr b = bare("io-bare");
    clear_logs();
    EXPECT_REFUSED(b, "io-error", "disk=vda;reason=eio", VIR_ERR_OPERATION_INVALID);
    destroy(b);
}

static void test_watchdog(void)
{
    struct {
        const char *action;
        const char *events[4];
        int state, reason;
    } cases[] = {
        {"reset", {"watchdog wd 2", "reboot wd"}, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {"poweroff", {"watchdog wd 3", "lifecycle wd 5 1"}, -1, -1},
        {"shutdown", {"watchdog wd 4", "lifecycle wd 6 2", "lifecycle wd 5 0"}, -1, -1},
        {"pause", {"watchdog wd 1", "lifecycle wd 3 3"}, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_WATCHDOG},
        {"dump", {"watchdog wd 5"}, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {"inject-nmi", {"watchdog wd 6"}, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {"none", {"watchdog wd 0"}, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        virDomainPtr d = configured("wd", cases[i].action, "destroy");
        clear_logs();
        CHECK(inject(d, "watchdog", NULL) == 0);
        const char *expected[5] = {0};
        memcpy(expected, cases[i].events, sizeof cases[i].events);
        expect_events(__LINE__, expected);
        if (cases[i].state >= 0) {
            expect_state(d, cases[i].state, cases[i].reason);
        } else {
            /* transient: it went out of existence when it stopped */
            virDomainPtr gone = virDomainLookupByName(conn, "wd");
            CHECK(gone == NULL);
            EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
        }
        destroy(d);
    }
    virDomainPtr b = bare("wd-bare");
    clear_logs();
    EXPECT_REFUSED(b, "watchdog", NULL, VIR_ERR_OPERATION_INVALID);
    destroy(b);
}

static void test_graphics(void)
{
    virDomainPtr d = configured("gfx", "none", "destroy");
    clear_logs();
    CHECK(inject(d, "graphics", "phase=connect;family=ipv4;node=10.0.0.7;service=51234;auth=none") == 0);
    CHECK(inject(d, "graphics", "phase=initialize;family=ipv4;node=10.0.0.7;service=51234;auth=vnc;"
                                "x509dname=CN=client;saslUsername=fred") == 0);
    CHECK(inject(d, "graphics", "phase=disconnect;family=ipv6;node=::1;service=51235;auth=vnc") == 0);
    EXPECT_EVENTS("graphics gfx 0 local=0,192.168.1.5,5901 remote=0,10.0.0.7,51234 none",
                  "graphics gfx 1 local=0,192.168.1.5,5901 remote=0,10.0.0.7,51234 vnc x509dname=CN=client saslUsername=fred",
                  "graphics gfx 2 local=0,192.168.1.5,5901 remote=1,::1,51235 vnc");
    EXPECT_REFUSED(d, "graphics", "phase=wave;family=ipv4;node=a;service=1;auth=none", VIR_ERR_INVALID_ARG);
    destroy(d);
    virDomainPtr b = bare("gfx-bare");
    clear_logs();
    EXPECT_REFUSED(b, "graphics", "phase=connect;family=ipv4;node=a;service=1;auth=none", VIR_ERR_OPERATION_INVALID);
    destroy(b);
}

/* The users virDomainGetGuestInfo reports, as "name@domain name2 …". */
static void guest_users(virDomainPtr d, char *out, size_t len)
{
    virTypedParameterPtr params = NULL;
    int n = 0;
    out[0] = '\0';
    CHECK(virDomainGetGuestInfo(d, VIR_DOMAIN_GUEST_INFO_USERS, &params, &n, 0) == 0);
    unsigned int count = 99;
    CHECK(virTypedParamsGetUInt(params, n, "user.count", &count) == 1);
    size_t used = 0;
    for (unsigned int i = 0; i < count; i++) {
        char key[64];
        const char *name = NULL, *domain = NULL;
        unsigned long long login = 0;
        snprintf(key, sizeof key, "user.%u.name", i);
        CHECK(virTypedParamsGetString(params, n, key, &name) == 1);
        snprintf(key, sizeof key, "user.%u.domain", i);
        virTypedParamsGetString(params, n, key, &domain);
        snprintf(key, sizeof key, "user.%u.login-time", i);
        CHECK(virTypedParamsGetULLong(params, n, key, &login) == 1);
        CHECK(login > 1600000000000ULL);
        used += snprintf(out + used, len - used, "%s%s%s%s", i ? " " : "", name ? name : "?", domain ? "@" : "",
                         domain ? domain : "");
    }
    virTypedParamsFree(params, n);
}

static void test_agent_and_guest_users(void)
{
    char users[256];
    virDomainPtr d = configured("agent", "none", "destroy");
    clear_logs();
    virTypedParameterPtr params = NULL;
    int n = 0;
    CHECK(virDomainGetGuestInfo(d, VIR_DOMAIN_GUEST_INFO_USERS, &params, &n, 0) == -1);
    EXPECT_ERROR(VIR_ERR_AGENT_UNRESPONSIVE);
    /* the seed's guest-user event needs the agent's co-operation */
    EXPECT_REFUSED(d, "guest-user", "user=alice;state=logon", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(d, "agent", "state=disconnected", VIR_ERR_OPERATION_INVALID);

    CHECK(inject(d, "agent", "state=connected") == 0);
    EXPECT_EVENTS("agent-lifecycle agent 1 2");
    guest_users(d, users, sizeof users);
    CHECK(strcmp(users, "") == 0);
    CHECK(inject(d, "guest-user", "user=alice;state=logon") == 0);
    CHECK(inject(d, "guest-user", "user=bob;domain=CORP;state=logon") == 0);
    EXPECT_EVENTS("guest-user agent alice - 0", "guest-user agent bob CORP 0");
    guest_users(d, users, sizeof users);
    CHECK(strcmp(users, "alice bob@CORP") == 0);
    EXPECT_REFUSED(d, "guest-user", "user=alice;state=logon", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(d, "guest-user", "user=bob;state=logoff", VIR_ERR_OPERATION_INVALID);
    CHECK(inject(d, "guest-user", "user=alice;state=logoff") == 0);
    EXPECT_EVENTS("guest-user agent alice - 1");
    guest_users(d, users, sizeof users);
    CHECK(strcmp(users, "bob@CORP") == 0);
    CHECK(virDomainGetGuestInfo(d, VIR_DOMAIN_GUEST_INFO_OS, &params, &n, 0) == -1);
    EXPECT_ERROR(VIR_ERR_ARGUMENT_UNSUPPORTED);

    CHECK(inject(d, "agent", "state=disconnected") == 0);
    EXPECT_EVENTS("agent-lifecycle agent 2 2");
    EXPECT_REFUSED(d, "guest-user", "user=bob;domain=CORP;state=logoff", VIR_ERR_OPERATION_INVALID);
    destroy(d);

    virDomainPtr b = bare("agent-bare");
    clear_logs();
    EXPECT_REFUSED(b, "agent", "state=connected", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(b, "guest-user", "user=alice;state=logon", VIR_ERR_OPERATION_INVALID);
    destroy(b);
}

static void test_guest_write_and_thresholds(void)
{
    virDomainPtr d = configured("wr", "none", "destroy");
    clear_logs();
    virDomainBlockInfo info;
    CHECK(virDomainGetBlockInfo(d, "vda", &info, 0) == 0);
    const unsigned long long start = info.allocation, cap = info.capacity;
    CHECK(cap > start && start > 0);

    CHECK(virDomainSetBlockThreshold(d, "vda", start + 1000, 0) == 0);
    CHECK(virDomainSetBlockThreshold(d, "vda[0]", start + 5000, 0) == 0);
    CHECK(virDomainSetBlockThreshold(d, "vda[3]", 1, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    /* below the thresholds: the disk grows, no event */
    CHECK(inject(d, "guest-write", "disk=vda;bytes:u=1000") == 0);
    EXPECT_NO_EVENTS();
    CHECK(virDomainGetBlockInfo(d, "vda", &info, 0) == 0 && info.allocation == start + 1000);
    char expected1[128], expected2[128];
    snprintf(expected1, sizeof expected1, "block-threshold wr vda /img/wr.qcow2 %llu 1", start + 1000);
    CHECK(inject(d, "guest-write", "disk=vda;bytes:u=1") == 0);
    EXPECT_EVENTS(expected1);
    /* fired once: the threshold is gone */
    CHECK(inject(d, "guest-write", "disk=virtio-disk0;bytes:u=10") == 0);
    EXPECT_NO_EVENTS();
    snprintf(expected2, sizeof expected2, "block-threshold wr vda[0] /img/wr.qcow2 %llu %llu", start + 5000,
             start + 1000 + 1 + 10 + 4000 - (start + 5000));
    CHECK(inject(d, "guest-write", "disk=vda;bytes:u=4000") == 0);
    EXPECT_EVENTS(expected2);
    /* a write past the end stops at the capacity */
    CHECK(inject(d, "guest-write", "disk=vda;bytes:u=18446744073709551615") == 0);
    CHECK(virDomainGetBlockInfo(d, "/img/wr.qcow2", &info, 0) == 0 && info.allocation == cap && info.capacity == cap);
    EXPECT_NO_EVENTS();
    CHECK(virDomainGetBlockInfo(d, "vdz", &info, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainGetBlockInfo(d, "vda", NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    EXPECT_REFUSED(d, "guest-write", "disk=vda;bytes=100", VIR_ERR_INVALID_ARG);
    destroy(d);
    virDomainPtr b = bare("wr-bare");
    clear_logs();
    EXPECT_REFUSED(b, "guest-write", "disk=vda;bytes:u=1", VIR_ERR_OPERATION_INVALID);
    destroy(b);
}

/* A block pull writes into the active image, a commit into its base: their thresholds fire
 * too, by the names they were set with. */
static void test_thresholds_passed_by_jobs(void)
{
    virDomainPtr d = virDomainCreateXML(conn,
        "<domain type='test'><name>pj</name><memory>1024</memory><os><type>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/top.qcow2'/><backingStore type='file'>"
        "<source file='/mid.qcow2'/><backingStore type='file'><source file='/base.img'/></backingStore>"
        "</backingStore><target dev='vda'/></disk></devices></domain>", 0);
    CHECK(d != NULL);
    clear_logs();
    virDomainBlockInfo info;
    CHECK(virDomainGetBlockInfo(d, "vda", &info, 0) == 0);
    const unsigned long long active = info.allocation, mid = active / 2, base = active / 4;
    CHECK(virDomainSetBlockThreshold(d, "vda[2]", base + 1, 0) == 0);
    CHECK(virDomainBlockCommit(d, "vda", "vda[2]", "vda[1]", 0, 0) == 0);
    virDomainBlockJobInfo job;
    for (int i = 0; i < 2000 && virDomainGetBlockJobInfo(d, "vda", &job, 0) == 1; i++)
        usleep(2000);
    char expected[128];
    snprintf(expected, sizeof expected, "block-threshold pj vda[2] /base.img %llu %llu", base + 1, mid - 1);
    EXPECT_EVENTS(expected);
    /* the chain is now /top.qcow2 over /base.img: a pull brings the base into the top */
    CHECK(virDomainSetBlockThreshold(d, "vda", active + 1, 0) == 0);
    CHECK(virDomainBlockPull(d, "vda", 0, 0) == 0);
    for (int i = 0; i < 2000 && virDomainGetBlockJobInfo(d, "vda", &job, 0) == 1; i++)
        usleep(2000);
    snprintf(expected, sizeof expected, "block-threshold pj vda /top.qcow2 %llu %llu", active + 1, base + mid - 1);
    EXPECT_EVENTS(expected);
    CHECK(virDomainGetBlockInfo(d, "vda", &info, 0) == 0 && info.allocation == active + mid + base);
    destroy(d);
}

static void test_guest_lifecycle(void)
{
    virDomainPtr d = configured("gl", "none", "destroy");
    clear_logs();
    CHECK(inject(d, "guest-reboot", NULL) == 0);
    EXPECT_EVENTS("reboot gl");
    expect_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    CHECK(inject(d, "guest-shutdown", NULL) == 0);
    EXPECT_EVENTS("lifecycle gl 6 1", "lifecycle gl 5 0");
    CHECK(virDomainLookupByName(conn, "gl") == NULL);
    virDomainFree(d);

    /* a persistent domain stays, shut off */
    d = configured("gl2", "none", "destroy");
    char *xml = virDomainGetXMLDesc(d, 0);
    CHECK(xml != NULL);
    virDomainDestroy(d);
    virDomainFree(d);
    d = virDomainDefineXML(conn, xml);
    free(xml);
    CHECK(d != NULL && virDomainCreate(d) == 0);
    clear_logs();
    EXPECT_REFUSED(d, "guest-pm-wakeup", NULL, VIR_ERR_OPERATION_INVALID);
    CHECK(inject(d, "guest-pm-suspend", "target=mem") == 0);
    EXPECT_EVENTS("pm-suspend gl2 0", "lifecycle gl2 7 0");
    expect_state(d, VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN);
    EXPECT_REFUSED(d, "guest-reboot", NULL, VIR_ERR_OPERATION_INVALID);
    CHECK(inject(d, "guest-pm-wakeup", NULL) == 0);
    EXPECT_EVENTS("pm-wakeup gl2 0", "lifecycle gl2 2 4");
    expect_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_WAKEUP);
    CHECK(inject(d, "guest-pm-suspend", "target=disk") == 0);
    EXPECT_EVENTS("pm-suspend-disk gl2 0", "lifecycle gl2 7 1", "lifecycle gl2 5 0");
    expect_state(d, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
    /* nothing happens in a guest that is not running */
    EXPECT_REFUSED(d, "guest-reboot", NULL, VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(d, "rtc", "offset:l=5", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(d, "device-removed", "alias=balloon0", VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainUndefine(d) == 0);
    virDomainFree(d);
    clear_logs();
}

static void test_guest_crash(void)
{
    struct {
        const char *on_crash;
        const char *events[3];
        int state, reason;
    } cases[] = {
        {"destroy", {"lifecycle cr 8 0", "lifecycle cr 5 2"}, -1, -1},
        {"coredump-destroy", {"lifecycle cr 8 0", "lifecycle cr 5 2"}, -1, -1},
        {"restart", {"lifecycle cr 8 0", "reboot cr"}, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_CRASHED},
        {"preserve", {"lifecycle cr 8 0"}, VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        virDomainPtr d = configured("cr", "none", cases[i].on_crash);
        clear_logs();
        CHECK(inject(d, "guest-crash", NULL) == 0);
        const char *expected[4] = {0};
        memcpy(expected, cases[i].events, sizeof cases[i].events);
        expect_events(__LINE__, expected);
        if (cases[i].state >= 0)
            expect_state(d, cases[i].state, cases[i].reason);
        else
            CHECK(virDomainIsActive(d) == -1); /* transient and stopped: gone */
        destroy(d);
    }
}

static void test_devices(void)
{
    virDomainPtr d = configured("dev", "none", "destroy");
    clear_logs();
    CHECK(inject(d, "tray", "disk=hdc;open:b=1") == 0);
    EXPECT_EVENTS("tray-change dev ide0-1-0 0");
    EXPECT_REFUSED(d, "tray", "disk=hdc;open:b=1", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(d, "tray", "disk=vda;open:b=1", VIR_ERR_OPERATION_INVALID); /* not removable */
    CHECK(inject(d, "media-change", "disk=hdc;source=/iso/b.iso") == 0);
    CHECK(inject(d, "media-change", "disk=hdc;source=") == 0);
    CHECK(inject(d, "tray", "disk=hdc;open:b=0") == 0);
    EXPECT_EVENTS("disk-change dev /iso/a.iso /iso/b.iso ide0-1-0 0", "disk-change dev /iso/b.iso - ide0-1-0 1",
                  "tray-change dev ide0-1-0 1");
    char *xml = virDomainGetXMLDesc(d, 0);
    CHECK(xml && !strstr(xml, "a.iso") && !strstr(xml, "b.iso") && strstr(xml, "dev='hdc'"));
    free(xml);

    CHECK(inject(d, "balloon", "actual:u=262144") == 0);
    EXPECT_EVENTS("balloon-change dev 262144");
    virDomainInfo info;
    CHECK(virDomainGetInfo(d, &info) == 0 && info.memory == 262144);
    EXPECT_REFUSED(d, "balloon", "actual:u=2097152", VIR_ERR_INVALID_ARG); /* more than <memory> */

    CHECK(inject(d, "rtc", "offset:l=-3600") == 0);
    CHECK(inject(d, "memory-failure", NULL) == 0);
    EXPECT_EVENTS("rtc-change dev -3600", "memory-failure dev 1 1 1");

    CHECK(inject(d, "device-removed", "alias=virtio-disk1") == 0);
    EXPECT_EVENTS("device-removed dev virtio-disk1");
    xml = virDomainGetXMLDesc(d, 0);
    CHECK(xml && !strstr(xml, "virtio-disk1") && !strstr(xml, "data.img") && strstr(xml, "virtio-disk0"));
    free(xml);
    EXPECT_REFUSED(d, "device-removed", "alias=virtio-disk1", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(d, "io-error", "disk=vdb;reason=eio", VIR_ERR_OPERATION_INVALID);
    destroy(d);

    virDomainPtr b = bare("dev-bare");
    clear_logs();
    EXPECT_REFUSED(b, "tray", "disk=hdc;open:b=1", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(b, "media-change", "disk=hdc;source=/x.iso", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(b, "balloon", "actual:u=512", VIR_ERR_OPERATION_INVALID);
    EXPECT_REFUSED(b, "device-removed", "alias=virtio-disk0", VIR_ERR_OPERATION_INVALID);
    destroy(b);
}

static void test_bad_parameters(void)
{
    virDomainPtr d = configured("bad", "reset", "destroy");
    clear_logs();
    EXPECT_REFUSED(d, "no-such-thing", NULL, VIR_ERR_INVALID_ARG);
    EXPECT_REFUSED(d, "io-error", "disk=vda", VIR_ERR_INVALID_ARG);                       /* missing */
    EXPECT_REFUSED(d, "io-error", "disk=vda;reason=eio;colour=red", VIR_ERR_INVALID_ARG); /* unknown */
    EXPECT_REFUSED(d, "io-error", "disk:u=1;reason=eio", VIR_ERR_INVALID_ARG);            /* ill-typed */
    EXPECT_REFUSED(d, "io-error", "disk=;reason=eio", VIR_ERR_INVALID_ARG);               /* empty */
    EXPECT_REFUSED(d, "rtc", "offset:u=5", VIR_ERR_INVALID_ARG);
    EXPECT_REFUSED(d, "rtc", "offset:i=5", VIR_ERR_INVALID_ARG);
    EXPECT_REFUSED(d, "tray", "disk=hdc;open=yes", VIR_ERR_INVALID_ARG);
    EXPECT_REFUSED(d, "guest-pm-suspend", "target=hybrid", VIR_ERR_INVALID_ARG);
    EXPECT_REFUSED(d, "watchdog", "action=reset", VIR_ERR_INVALID_ARG); /* takes none */

    /* a parameter given twice (built by hand: virTypedParamsAdd* refuses it) */
    virTypedParameter twice[3];
    memset(twice, 0, sizeof twice);
    const char *fields[] = {"disk", "reason", "disk"};
    const char *values[] = {"vda", "eio", "vdb"};
    for (int i = 0; i < 3; i++) {
        snprintf(twice[i].field, sizeof twice[i].field, "%s", fields[i]);
        twice[i].type = VIR_TYPED_PARAM_STRING;
        twice[i].value.s = (char *)values[i];
    }
    unsigned long long before = version_of(d);
    CHECK(virTestDomainInject(d, "io-error", twice, 3, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    twice[1].value.s = NULL;
    CHECK(virTestDomainInject(d, "io-error", twice, 2, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    twice[1].type = 42;
    CHECK(virTestDomainInject(d, "io-error", twice, 2, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virTestDomainInject(d, "io-error", NULL, 2, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virTestDomainInject(d, "io-error", twice, -1, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virTestDomainInject(d, NULL, NULL, 0, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virTestDomainInject(d, "watchdog", NULL, 0, 1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virTestDomainInject(NULL, "watchdog", NULL, 0, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);
    CHECK(version_of(d) == before);
    EXPECT_NO_EVENTS();
    expect_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    /* a read-only connection changes nothing */
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virDomainPtr t = ro ? virDomainLookupByName(ro, "test") : NULL;
    CHECK(t != NULL);
    CHECK(virTestDomainInject(t, "guest-reboot", NULL, 0, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    CHECK(virDomainGetGuestInfo(t, VIR_DOMAIN_GUEST_INFO_USERS, &params, &nparams, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainGetDiskErrors(t, NULL, 0, 0) == 0); /* reading is allowed */
    virDomainFree(t);
    virConnectClose(ro);
    destroy(d);
}

/* ---- capability query both ways ------------------------------------------------------------ */

/* What the test backend's own calls emit (test_generic.c and test_jobs.c trigger them). */
static int emitted_by_calls(int id)
{
    switch (id) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
    case VIR_DOMAIN_EVENT_ID_REBOOT:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
    case VIR_DOMAIN_EVENT_ID_JOB_COMPLETED:
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
    case VIR_DOMAIN_EVENT_ID_EXISTENCE:
    case VIR_DOMAIN_EVENT_ID_JOB_STATE:
        return 1;
    }
    return 0;
}

static void test_capability_query(void)
{
    int supported[VIR_DOMAIN_EVENT_ID_EXT_LAST] = {0};
    int *ids = NULL;
    int n = virConnectListDomainEventIDs(conn, &ids, 0);
    CHECK(n > 0 && ids != NULL);
    for (int i = 0; i < n; i++) {
        CHECK(ids[i] >= 0 && ids[i] < VIR_DOMAIN_EVENT_ID_EXT_LAST);
        supported[ids[i]] = 1;
        /* every reported ID is produced by an injection above or by the backend's own calls */
        if (!seen[ids[i]] && !emitted_by_calls(ids[i]))
            fprintf(stderr, "supported event %s was never produced\n", virConnectDomainEventIDToName(ids[i]));
        CHECK(seen[ids[i]] || emitted_by_calls(ids[i]));
    }
    free(ids);
    for (int id = 0; id < VIR_DOMAIN_EVENT_ID_EXT_LAST; id++) {
        if (id >= VIR_DOMAIN_EVENT_ID_LAST && id < VIR_DOMAIN_EVENT_ID_EXT_FIRST)
            continue;
        const char *name = virConnectDomainEventIDToName(id);
        CHECK(name != NULL);
        int answer = virConnectDomainEventIsSupported(conn, id);
        CHECK(answer == supported[id]);
        /* every denied ID was never produced */
        if (!supported[id] && seen[id])
            fprintf(stderr, "denied event %s was produced\n", name);
        CHECK(supported[id] || !seen[id]);
    }
    CHECK(supported[VIR_DOMAIN_EVENT_ID_GUEST_USER] && supported[VIR_DOMAIN_EVENT_ID_IO_ERROR]);
    CHECK(!supported[VIR_DOMAIN_EVENT_ID_DEVICE_ADDED] && !supported[VIR_DOMAIN_EVENT_ID_TUNABLE]);
    CHECK(virConnectDomainEventNameToID("guest-user") == VIR_DOMAIN_EVENT_ID_GUEST_USER);
    CHECK(VIR_DOMAIN_EVENT_ID_GUEST_USER >= VIR_DOMAIN_EVENT_ID_EXT_FIRST && VIR_DOMAIN_EVENT_ID_GUEST_USER < VIR_DOMAIN_EVENT_ID_EXT_LAST);
}

/* Everything, of every kind, as the generic callback sees it without a name filter. */
static void on_everything(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *o)
{
    (void)c, (void)d, (void)o;
    note_id(ev->eventID);
}

int main(void)
{
    harness_init();
    harness_watchdog(120);
    conn = virConnectOpen("test:///empty");
    if (!conn)
        return 2;
    int all = virConnectEventRegister(conn, NULL, NULL, on_everything, NULL, NULL);
    CHECK(all >= 0);
    watch();
    RUN(test_io_error);
    RUN(test_watchdog);
    RUN(test_graphics);
    RUN(test_agent_and_guest_users);
    RUN(test_guest_write_and_thresholds);
    RUN(test_thresholds_passed_by_jobs);
    RUN(test_guest_lifecycle);
    RUN(test_guest_crash);
    RUN(test_devices);
    RUN(test_bad_parameters);
    unwatch();
    RUN(test_capability_query);
    CHECK(virConnectEventUnregister(conn, all) == 0);
    virConnectClose(conn);
    return harness_exit();
}
