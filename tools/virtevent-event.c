/* virtevent-event: prints the domain events virtevent delivers, one line per event in the format
 * of `virsh event` (libvirt 9.0), plus virtevent's extension events. Options as virsh's:
 * --domain, --event, --all, --loop, --timeout, --timestamp, --list, -c URI; and virtevent's:
 * --since VERSION (replay every event after that resource version, then watch), --json (one
 * JSON object per event: the common header, its timestamp included, and the union member),
 * --run SCRIPT (drive a session
 * on the same connection: the test hypervisors live inside the process that opens them).
 *
 * Events come through one generic registration (virConnectEventRegisterFlags), so that history
 * can be replayed; an event libvirt reports under two IDs (io-error and io-error-reason,
 * block-job and block-job-2) prints both lines with --all, as virsh's two registrations do. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const char *pick(const char *const *names, size_t n, int i, const char *unknown)
{
    return i >= 0 && (size_t)i < n && names[i] ? names[i] : unknown;
}
#define PICK(table, i, unknown) pick(table, N_ELEMENTS(table), i, unknown)

/* ---- virsh's names ----------------------------------------------------------------------- */

static const char *const lifecycle_names[] = {"Defined", "Undefined", "Started", "Suspended", "Resumed",
                                              "Stopped", "Shutdown", "PMSuspended", "Crashed"};
static const char *const defined_details[] = {"Added", "Updated", "Renamed", "Snapshot"};
static const char *const undefined_details[] = {"Removed", "Renamed"};
static const char *const started_details[] = {"Booted", "Migrated", "Restored", "Snapshot", "Event wakeup"};
static const char *const suspended_details[] = {"Paused", "Migrated", "I/O Error", "Watchdog", "Restored",
                                                "Snapshot", "API error", "Post-copy", "Post-copy Error"};
static const char *const resumed_details[] = {"Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"};
static const char *const stopped_details[] = {"Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot"};
static const char *const shutdown_details[] = {"Finished", "Finished after guest request", "Finished after host request"};
static const char *const pmsuspended_details[] = {"Memory", "Disk"};
static const char *const crashed_details[] = {"Panicked", "Crashloaded"};
static const char *const watchdog_actions[] = {"none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi"};
static const char *const io_error_actions[] = {"none", "pause", "report"};
static const char *const graphics_phases[] = {"connect", "initialize", "disconnect"};
static const char *const graphics_families[] = {"IPv4", "IPv6", "unix"};
static const char *const block_job_types[] = {"Unknown job", "Block Pull", "Block Copy", "Block Commit",
                                              "Active Block Commit", "Backup"};
static const char *const block_job_statuses[] = {"completed", "failed", "canceled", "ready"};
static const char *const disk_change_reasons[] = {"changed", "dropped"};
static const char *const tray_reasons[] = {"opened", "closed"};
static const char *const agent_states[] = {"unknown", "connected", "disconnected"};
static const char *const agent_reasons[] = {"unknown", "domain started", "channel event"};
static const char *const metadata_types[] = {"description", "title", "element"};
static const char *const memory_failure_recipients[] = {"hypervisor", "guest"};
static const char *const memory_failure_actions[] = {"ignore", "inject", "fatal", "reset"};
/* virtevent's extension events. */
static const char *const existence_types[] = {"added", "removed"};
static const char *const guest_user_states[] = {"logon", "logoff"};
static const char *const job_kinds[] = {"none", "migration", "block-pull", "block-commit", "block-commit-active",
                                        "block-copy", "backup", "save", "dump", "blockdev-create"};
static const char *const job_states[] = {"none", "running", "ready", "failed", "completed", "aborted",
                                         "created", "paused", "standby", "pending", "aborting"};

static const char *detail_name(int event, int detail)
{
    switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: return PICK(defined_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_UNDEFINED: return PICK(undefined_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_STARTED: return PICK(started_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_SUSPENDED: return PICK(suspended_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_RESUMED: return PICK(resumed_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_STOPPED: return PICK(stopped_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_SHUTDOWN: return PICK(shutdown_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return PICK(pmsuspended_details, detail, "unknown");
    case VIR_DOMAIN_EVENT_CRASHED: return PICK(crashed_details, detail, "unknown");
    }
    return "unknown";
}

/* ---- options and output state ------------------------------------------------------------ */

static struct {
    const char *uri, *domain, *event, *script;
    int all, loop, timestamp, json, list, since_set;
    unsigned long long since;
    int timeout_ms; /* 0: none */
} opt;

static int count;
static volatile sig_atomic_t interrupted;
static int timed_out, done, expired;

/* A growable text buffer for one event's output. */
struct buf {
    char *s;
    size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)n;
        char *s = realloc(b->s, cap);
        if (!s)
            return;
        b->s = s;
        b->cap = cap;
    }
}

/* Prints one event's text as virsh's virshEventPrintf does: with --timestamp the time first;
 * without --loop, only the first event. */
static void emit(const virConnectEvent *ev, struct buf *b)
{
    if (!b->s)
        return;
    if (!opt.loop && count)
        goto out;
    if (opt.timestamp && !opt.json) {
        time_t secs = (time_t)(ev->timestamp / 1000000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        printf("%04d-%02d-%02d %02d:%02d:%02d.%03d+0000: ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
               tm.tm_min, tm.tm_sec, (int)(ev->timestamp / 1000 % 1000));
    }
    fputs(b->s, stdout);
    fflush(stdout);
    count++;
    if (!opt.loop)
        done = 1;
out:
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

static void typed_params(struct buf *b, virTypedParameterPtr params, int n)
{
    for (int i = 0; i < n; i++) {
        virTypedParameterPtr p = &params[i];
        switch (p->type) {
        case VIR_TYPED_PARAM_INT: bprintf(b, "\t%s: %d\n", p->field, p->value.i); break;
        case VIR_TYPED_PARAM_UINT: bprintf(b, "\t%s: %u\n", p->field, p->value.ui); break;
        case VIR_TYPED_PARAM_LLONG: bprintf(b, "\t%s: %lld\n", p->field, p->value.l); break;
        case VIR_TYPED_PARAM_ULLONG: bprintf(b, "\t%s: %llu\n", p->field, p->value.ul); break;
        case VIR_TYPED_PARAM_DOUBLE: bprintf(b, "\t%s: %lf\n", p->field, p->value.d); break;
        case VIR_TYPED_PARAM_BOOLEAN: bprintf(b, "\t%s: %s\n", p->field, p->value.b ? "yes" : "no"); break;
        case VIR_TYPED_PARAM_STRING: bprintf(b, "\t%s: %s\n", p->field, p->value.s); break;
        }
    }
}

#define NULLSTR(s) ((s) ? (s) : "<null>")

/* The text virsh prints for `ev` seen under event ID `id`. */
static void format_text(const virConnectEvent *ev, int id, struct buf *b)
{
    const char *dom = ev->domainName;
    const char *name = virConnectDomainEventIDToName(id);
    switch (id) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        bprintf(b, "event 'lifecycle' for domain '%s': %s %s\n", dom, PICK(lifecycle_names, ev->data.lifecycle.event, "unknown"),
                detail_name(ev->data.lifecycle.event, ev->data.lifecycle.detail));
        break;
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
        bprintf(b, "event 'rtc-change' for domain '%s': %lld\n", dom, ev->data.rtcChange.utcOffset);
        break;
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
        bprintf(b, "event 'watchdog' for domain '%s': %s\n", dom, PICK(watchdog_actions, ev->data.watchdog.action, "unknown"));
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
        bprintf(b, "event 'io-error' for domain '%s': %s (%s) %s\n", dom, ev->data.ioError.srcPath, ev->data.ioError.devAlias,
                PICK(io_error_actions, ev->data.ioError.action, "unknown"));
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        bprintf(b, "event 'io-error' for domain '%s': %s (%s) %s due to %s\n", dom, ev->data.ioError.srcPath,
                ev->data.ioError.devAlias, PICK(io_error_actions, ev->data.ioError.action, "unknown"), ev->data.ioError.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_GRAPHICS: {
        const virDomainEventGraphicsAddress *l = ev->data.graphics.local, *r = ev->data.graphics.remote;
        bprintf(b, "event 'graphics' for domain '%s': %s local[%s %s %s] remote[%s %s %s] %s\n", dom,
                PICK(graphics_phases, ev->data.graphics.phase, "unknown"), PICK(graphics_families, l->family, "unknown"),
                l->node, l->service, PICK(graphics_families, r->family, "unknown"), r->node, r->service,
                ev->data.graphics.authScheme);
        for (int i = 0; i < ev->data.graphics.subject->nidentity; i++)
            bprintf(b, "\t%s=%s\n", ev->data.graphics.subject->identities[i].type, ev->data.graphics.subject->identities[i].name);
        break;
    }
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        bprintf(b, "event '%s' for domain '%s': %s for %s %s\n", name, dom,
                PICK(block_job_types, ev->data.blockJob.type, "Unknown job"),
                id == VIR_DOMAIN_EVENT_ID_BLOCK_JOB ? ev->data.blockJob.path : ev->data.blockJob.disk,
                PICK(block_job_statuses, ev->data.blockJob.status, "unknown"));
        break;
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
        bprintf(b, "event 'disk-change' for domain '%s' disk %s: %s -> %s: %s\n", dom, ev->data.diskChange.devAlias,
                NULLSTR(ev->data.diskChange.oldSrcPath), NULLSTR(ev->data.diskChange.newSrcPath),
                PICK(disk_change_reasons, ev->data.diskChange.reason, "unknown"));
        break;
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
        bprintf(b, "event 'tray-change' for domain '%s' disk %s: %s\n", dom, ev->data.trayChange.devAlias,
                PICK(tray_reasons, ev->data.trayChange.reason, "unknown"));
        break;
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        bprintf(b, "event 'balloon-change' for domain '%s': %lluKiB\n", dom, ev->data.balloonChange.actual);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
        bprintf(b, "event 'device-removed' for domain '%s': %s\n", dom, ev->data.deviceRemoved.devAlias);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_ADDED:
        bprintf(b, "event 'device-added' for domain '%s': %s\n", dom, ev->data.deviceAdded.devAlias);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
        bprintf(b, "event 'device-removal-failed' for domain '%s': %s\n", dom, ev->data.deviceRemovalFailed.devAlias);
        break;
    case VIR_DOMAIN_EVENT_ID_TUNABLE:
        bprintf(b, "event 'tunable' for domain '%s':\n", dom);
        typed_params(b, ev->data.tunable.params, ev->data.tunable.nparams);
        break;
    case VIR_DOMAIN_EVENT_ID_JOB_COMPLETED:
        bprintf(b, "event 'job-completed' for domain '%s':\n", dom);
        typed_params(b, ev->data.jobCompleted.params, ev->data.jobCompleted.nparams);
        break;
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        bprintf(b, "event 'agent-lifecycle' for domain '%s': state: '%s' reason: '%s'\n", dom,
                PICK(agent_states, ev->data.agentLifecycle.state, "unsupported value"),
                PICK(agent_reasons, ev->data.agentLifecycle.reason, "unsupported value"));
        break;
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        bprintf(b, "event 'migration-iteration' for domain '%s': iteration: '%d'\n", dom, ev->data.migrationIteration.iteration);
        break;
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
        bprintf(b, "event 'metadata-change' for domain '%s': type %s, uri %s\n", dom,
                PICK(metadata_types, ev->data.metadataChange.type, "unsupported value"), NULLSTR(ev->data.metadataChange.nsuri));
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        bprintf(b, "event 'block-threshold' for domain '%s': dev: %s(%s) %llu %llu\n", dom, ev->data.blockThreshold.dev,
                NULLSTR(ev->data.blockThreshold.path), ev->data.blockThreshold.threshold, ev->data.blockThreshold.excess);
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
        bprintf(b, "event 'memory-failure' for domain '%s':\nrecipient: %s\naction: %s\n", dom,
                PICK(memory_failure_recipients, ev->data.memoryFailure.recipient, "unsupported value"),
                PICK(memory_failure_actions, ev->data.memoryFailure.action, "unsupported value"));
        bprintf(b, "flags:\n\taction required: %d\n\trecursive: %d\n",
                !!(ev->data.memoryFailure.flags & VIR_DOMAIN_MEMORY_FAILURE_ACTION_REQUIRED),
                !!(ev->data.memoryFailure.flags & VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE));
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
        bprintf(b, "event 'memory-device-size-change' for domain '%s':\nalias: %s\nsize: %llu\n", dom,
                ev->data.memoryDeviceSizeChange.alias, ev->data.memoryDeviceSizeChange.size);
        break;
    /* virtevent's extensions, in the same style */
    case VIR_DOMAIN_EVENT_ID_EXISTENCE:
        bprintf(b, "event 'existence' for domain '%s': %s\n", dom, PICK(existence_types, ev->data.existence.type, "unknown"));
        break;
    case VIR_DOMAIN_EVENT_ID_JOB_STATE:
        bprintf(b, "event 'job-state' for domain '%s': %s (%s) %s -> %s%s%s\n", dom, ev->data.jobState.name,
                PICK(job_kinds, ev->data.jobState.kind, "unknown"), PICK(job_states, ev->data.jobState.oldState, "unknown"),
                PICK(job_states, ev->data.jobState.newState, "unknown"), ev->data.jobState.error ? ": " : "",
                ev->data.jobState.error ? ev->data.jobState.error : "");
        break;
    case VIR_DOMAIN_EVENT_ID_GUEST_USER:
        bprintf(b, "event 'guest-user' for domain '%s': %s%s%s %s\n", dom, ev->data.guestUser.domain ? ev->data.guestUser.domain : "",
                ev->data.guestUser.domain ? "\\" : "", ev->data.guestUser.user,
                PICK(guest_user_states, ev->data.guestUser.state, "unknown"));
        break;
    default: /* reboot, control-error, pm-wakeup, pm-suspend, pm-suspend-disk */
        bprintf(b, "event '%s' for domain '%s'\n", name ? name : "unknown", dom);
    }
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void json_str(struct buf *b, const char *s)
{
    if (!s) {
        bprintf(b, "null");
        return;
    }
    bprintf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            bprintf(b, "\\%c", *p);
        else if (*p < 0x20)
            bprintf(b, "\\u%04x", *p);
        else
            bprintf(b, "%c", *p);
    }
    bprintf(b, "\"");
}

static void json_kv_str(struct buf *b, const char *key, const char *value, int comma)
{
    bprintf(b, "%s\"%s\":", comma ? "," : "", key);
    json_str(b, value);
}

static void json_params(struct buf *b, virTypedParameterPtr params, int n)
{
    bprintf(b, "{");
    for (int i = 0; i < n; i++) {
        virTypedParameterPtr p = &params[i];
        bprintf(b, "%s", i ? "," : "");
        json_str(b, p->field);
        switch (p->type) {
        case VIR_TYPED_PARAM_INT: bprintf(b, ":%d", p->value.i); break;
        case VIR_TYPED_PARAM_UINT: bprintf(b, ":%u", p->value.ui); break;
        case VIR_TYPED_PARAM_LLONG: bprintf(b, ":%lld", p->value.l); break;
        case VIR_TYPED_PARAM_ULLONG: bprintf(b, ":%llu", p->value.ul); break;
        case VIR_TYPED_PARAM_DOUBLE: bprintf(b, ":%.17g", p->value.d); break;
        case VIR_TYPED_PARAM_BOOLEAN: bprintf(b, ":%s", p->value.b ? "true" : "false"); break;
        case VIR_TYPED_PARAM_STRING: bprintf(b, ":"); json_str(b, p->value.s); break;
        default: bprintf(b, ":null");
        }
    }
    bprintf(b, "}");
}

static void json_address(struct buf *b, const char *key, const virDomainEventGraphicsAddress *a)
{
    bprintf(b, ",\"%s\":{\"family\":%d", key, a->family);
    json_kv_str(b, "node", a->node, 1);
    json_kv_str(b, "service", a->service, 1);
    bprintf(b, "}");
}

/* One object: the common header, then the union member named after the event. */
static void format_json(const virConnectEvent *ev, struct buf *b)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    const unsigned char *u = ev->domainUUID;
    snprintf(uuid, sizeof uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
             u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    bprintf(b, "{");
    json_kv_str(b, "event", ev->eventName, 0);
    bprintf(b, ",\"eventID\":%d", ev->eventID);
    json_kv_str(b, "domain", ev->domainName, 1);
    json_kv_str(b, "uuid", uuid, 1);
    bprintf(b, ",\"domainID\":%d,\"resourceVersion\":%llu,\"state\":%d,\"reason\":%d,\"timestamp\":%llu", ev->domainID,
            ev->resourceVersion, ev->state, ev->reason, ev->timestamp);
    switch (ev->eventID) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        bprintf(b, ",\"lifecycle\":{\"event\":%d,\"detail\":%d}", ev->data.lifecycle.event, ev->data.lifecycle.detail);
        break;
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
        bprintf(b, ",\"rtcChange\":{\"utcOffset\":%lld}", ev->data.rtcChange.utcOffset);
        break;
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
        bprintf(b, ",\"watchdog\":{\"action\":%d}", ev->data.watchdog.action);
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        bprintf(b, ",\"ioError\":{");
        json_kv_str(b, "srcPath", ev->data.ioError.srcPath, 0);
        json_kv_str(b, "devAlias", ev->data.ioError.devAlias, 1);
        bprintf(b, ",\"action\":%d", ev->data.ioError.action);
        json_kv_str(b, "reason", ev->data.ioError.reason, 1);
        bprintf(b, "}");
        break;
    case VIR_DOMAIN_EVENT_ID_GRAPHICS:
        bprintf(b, ",\"graphics\":{\"phase\":%d", ev->data.graphics.phase);
        json_address(b, "local", ev->data.graphics.local);
        json_address(b, "remote", ev->data.graphics.remote);
        json_kv_str(b, "authScheme", ev->data.graphics.authScheme, 1);
        bprintf(b, ",\"subject\":[");
        for (int i = 0; i < ev->data.graphics.subject->nidentity; i++) {
            bprintf(b, "%s{", i ? "," : "");
            json_kv_str(b, "type", ev->data.graphics.subject->identities[i].type, 0);
            json_kv_str(b, "name", ev->data.graphics.subject->identities[i].name, 1);
            bprintf(b, "}");
        }
        bprintf(b, "]}");
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        bprintf(b, ",\"blockJob\":{");
        json_kv_str(b, "disk", ev->data.blockJob.disk, 0);
        bprintf(b, ",\"type\":%d,\"status\":%d", ev->data.blockJob.type, ev->data.blockJob.status);
        json_kv_str(b, "path", ev->data.blockJob.path, 1);
        bprintf(b, "}");
        break;
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
        bprintf(b, ",\"diskChange\":{");
        json_kv_str(b, "oldSrcPath", ev->data.diskChange.oldSrcPath, 0);
        json_kv_str(b, "newSrcPath", ev->data.diskChange.newSrcPath, 1);
        json_kv_str(b, "devAlias", ev->data.diskChange.devAlias, 1);
        bprintf(b, ",\"reason\":%d}", ev->data.diskChange.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
        bprintf(b, ",\"trayChange\":{");
        json_kv_str(b, "devAlias", ev->data.trayChange.devAlias, 0);
        bprintf(b, ",\"reason\":%d}", ev->data.trayChange.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
        bprintf(b, ",\"pmWakeup\":{\"reason\":%d}", ev->data.pmWakeup.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
        bprintf(b, ",\"pmSuspend\":{\"reason\":%d}", ev->data.pmSuspend.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
        bprintf(b, ",\"pmSuspendDisk\":{\"reason\":%d}", ev->data.pmSuspendDisk.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        bprintf(b, ",\"balloonChange\":{\"actual\":%llu}", ev->data.balloonChange.actual);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_ADDED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
        bprintf(b, ",\"%s\":{", ev->eventID == VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED ? "deviceRemoved"
                                : ev->eventID == VIR_DOMAIN_EVENT_ID_DEVICE_ADDED ? "deviceAdded" : "deviceRemovalFailed");
        json_kv_str(b, "devAlias", ev->data.deviceRemoved.devAlias, 0);
        bprintf(b, "}");
        break;
    case VIR_DOMAIN_EVENT_ID_TUNABLE:
        bprintf(b, ",\"tunable\":");
        json_params(b, ev->data.tunable.params, ev->data.tunable.nparams);
        break;
    case VIR_DOMAIN_EVENT_ID_JOB_COMPLETED:
        bprintf(b, ",\"jobCompleted\":");
        json_params(b, ev->data.jobCompleted.params, ev->data.jobCompleted.nparams);
        break;
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        bprintf(b, ",\"agentLifecycle\":{\"state\":%d,\"reason\":%d}", ev->data.agentLifecycle.state, ev->data.agentLifecycle.reason);
        break;
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        bprintf(b, ",\"migrationIteration\":{\"iteration\":%d}", ev->data.migrationIteration.iteration);
        break;
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
        bprintf(b, ",\"metadataChange\":{\"type\":%d", ev->data.metadataChange.type);
        json_kv_str(b, "nsuri", ev->data.metadataChange.nsuri, 1);
        bprintf(b, "}");
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        bprintf(b, ",\"blockThreshold\":{");
        json_kv_str(b, "dev", ev->data.blockThreshold.dev, 0);
        json_kv_str(b, "path", ev->data.blockThreshold.path, 1);
        bprintf(b, ",\"threshold\":%llu,\"excess\":%llu}", ev->data.blockThreshold.threshold, ev->data.blockThreshold.excess);
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
        bprintf(b, ",\"memoryFailure\":{\"recipient\":%d,\"action\":%d,\"flags\":%u}", ev->data.memoryFailure.recipient,
                ev->data.memoryFailure.action, ev->data.memoryFailure.flags);
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
        bprintf(b, ",\"memoryDeviceSizeChange\":{");
        json_kv_str(b, "alias", ev->data.memoryDeviceSizeChange.alias, 0);
        bprintf(b, ",\"size\":%llu}", ev->data.memoryDeviceSizeChange.size);
        break;
    case VIR_DOMAIN_EVENT_ID_EXISTENCE:
        bprintf(b, ",\"existence\":{\"type\":%d}", ev->data.existence.type);
        break;
    case VIR_DOMAIN_EVENT_ID_JOB_STATE:
        bprintf(b, ",\"jobState\":{");
        json_kv_str(b, "name", ev->data.jobState.name, 0);
        bprintf(b, ",\"kind\":%d,\"oldState\":%d,\"newState\":%d", ev->data.jobState.kind, ev->data.jobState.oldState,
                ev->data.jobState.newState);
        json_kv_str(b, "error", ev->data.jobState.error, 1);
        bprintf(b, "}");
        break;
    case VIR_DOMAIN_EVENT_ID_GUEST_USER:
        bprintf(b, ",\"guestUser\":{");
        json_kv_str(b, "user", ev->data.guestUser.user, 0);
        json_kv_str(b, "domain", ev->data.guestUser.domain, 1);
        bprintf(b, ",\"state\":%d}", ev->data.guestUser.state);
        break;
    }
    bprintf(b, "}\n");
}

static void on_event(virConnectPtr conn, virDomainPtr dom, const virConnectEvent *ev, void *opaque)
{
    (void)conn, (void)dom, (void)opaque;
    struct buf b = {0};
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED) {
        /* The library ended the watch: it fell further behind than the event history. */
        fprintf(stderr, "error: the watch fell further behind than the event history holds (at version %llu): watch again\n",
                ev->resourceVersion);
        done = expired = 1;
        return;
    }
    if (opt.json) {
        format_json(ev, &b);
        emit(ev, &b);
        return;
    }
    /* Registered for every event, the newer ID stands for both of libvirt's: print the older
     * one's line first, as virsh's registration for it comes first. */
    if (!opt.event && ev->eventID == VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON) {
        format_text(ev, VIR_DOMAIN_EVENT_ID_IO_ERROR, &b);
        emit(ev, &b);
    } else if (!opt.event && ev->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2) {
        format_text(ev, VIR_DOMAIN_EVENT_ID_BLOCK_JOB, &b);
        emit(ev, &b);
    }
    format_text(ev, ev->eventID, &b);
    emit(ev, &b);
}

/* ---- the script (--run) --------------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    size_t n;
    while (s && (n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *grown = realloc(s, cap *= 2);
            if (!grown)
                free(s);
            s = grown;
        }
    }
    fclose(f);
    if (s)
        s[len] = '\0';
    return s;
}

/* Parameters of an inject line: name=value (string), name:u=, name:l=, name:b= (0/1). */
static int inject(virDomainPtr d, const char *what, char **args, int nargs)
{
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0, rc = 0;
    for (int i = 0; i < nargs && rc == 0; i++) {
        char *eq = strchr(args[i], '=');
        if (!eq) {
            fprintf(stderr, "virtevent-event: parameter '%s' is not name=value\n", args[i]);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *colon = strchr(args[i], ':');
        char type = colon ? colon[1] : 's';
        if (colon)
            *colon = '\0';
        const char *v = eq + 1;
        rc = type == 'u' ? virTypedParamsAddULLong(&params, &n, &max, args[i], strtoull(v, NULL, 10))
             : type == 'l' ? virTypedParamsAddLLong(&params, &n, &max, args[i], strtoll(v, NULL, 10))
             : type == 'b' ? virTypedParamsAddBoolean(&params, &n, &max, args[i], atoi(v))
                           : virTypedParamsAddString(&params, &n, &max, args[i], v);
    }
    if (rc == 0)
        rc = virTestDomainInject(d, what, params, n, 0);
    virTypedParamsFree(params, n);
    return rc;
}

/* Runs one script line; -1 on failure, with libvirt's message in `why` (or one printed). */
static int run_line(virConnectPtr conn, const char *dir, char *line, char *why, size_t whylen)
{
    char *words[32];
    int n = 0;
    for (char *save = NULL, *w = strtok_r(line, " \t", &save); w && n < 32; w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    if (n == 0 || words[0][0] == '#')
        return 0;
    const char *cmd = words[0];
    if (n < 2) {
        fprintf(stderr, "virtevent-event: '%s' needs an argument\n", cmd);
        return -1;
    }
    if (!strcmp(cmd, "define") || !strcmp(cmd, "create")) {
        char path[8192];
        if (snprintf(path, sizeof path, "%s%s%s", words[1][0] == '/' ? "" : dir, words[1][0] == '/' ? "" : "/", words[1]) >=
            (int)sizeof path) {
            fprintf(stderr, "virtevent-event: path too long\n");
            return -1;
        }
        char *xml = read_file(path);
        if (!xml) {
            fprintf(stderr, "virtevent-event: cannot read %s: %s\n", path, strerror(errno));
            return -1;
        }
        virDomainPtr d = !strcmp(cmd, "define") ? virDomainDefineXML(conn, xml) : virDomainCreateXML(conn, xml, 0);
        free(xml);
        if (!d) {
            snprintf(why, whylen, "%s", virGetLastErrorMessage());
            return -1;
        }
        virDomainFree(d);
        return 0;
    }
    virDomainPtr d = virDomainLookupByName(conn, words[1]);
    if (!d) {
        snprintf(why, whylen, "%s", virGetLastErrorMessage());
        return -1;
    }
    int rc;
    if (!strcmp(cmd, "start"))
        rc = virDomainCreate(d);
    else if (!strcmp(cmd, "suspend"))
        rc = virDomainSuspend(d);
    else if (!strcmp(cmd, "resume"))
        rc = virDomainResume(d);
    else if (!strcmp(cmd, "destroy"))
        rc = virDomainDestroy(d);
    else if (!strcmp(cmd, "shutdown"))
        rc = virDomainShutdown(d);
    else if (!strcmp(cmd, "reboot"))
        rc = virDomainReboot(d, 0);
    else if (!strcmp(cmd, "undefine"))
        rc = virDomainUndefine(d);
    else if (!strcmp(cmd, "threshold") && n == 4)
        rc = virDomainSetBlockThreshold(d, words[2], strtoull(words[3], NULL, 10), 0);
    else if (!strcmp(cmd, "inject") && n >= 3)
        rc = inject(d, words[2], words + 3, n - 3);
    else {
        fprintf(stderr, "virtevent-event: unknown script command '%s' (or wrong arguments)\n", cmd);
        rc = -1;
    }
    /* virDomainFree resets the last error: keep its message for the caller. */
    const char *msg = rc < 0 ? virGetLastErrorMessage() : NULL;
    if (msg)
        snprintf(why, whylen, "%s", msg);
    virDomainFree(d);
    return rc;
}

static int run_script(virConnectPtr conn, const char *path)
{
    char *text = read_file(path);
    if (!text) {
        fprintf(stderr, "virtevent-event: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int lineno = 0, rc = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char why[1024] = "failed";
        if (run_line(conn, dir, line, why, sizeof why) < 0) {
            fprintf(stderr, "virtevent-event: %s, line %d: %s\n", path, lineno, why);
            rc = -1;
        }
    }
    free(text);
    return rc;
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: virtevent-event [-c URI] [--domain NAME] (--event NAME | --all | --list) [--loop]\n"
            "                       [--timeout SECONDS] [--timestamp] [--since VERSION] [--json] [--run SCRIPT]\n"
            "Prints domain events as `virsh event` does. --since replays every event after resource\n"
            "version VERSION first; --json prints one JSON object per event; --run drives a session\n"
            "from SCRIPT on the same connection (define|create FILE, start|suspend|resume|destroy|\n"
            "shutdown|reboot|undefine NAME, threshold NAME DEV BYTES, inject NAME WHAT [name[:u|l|b]=value]...).\n");
}

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void on_timeout(int timer, void *opaque)
{
    (void)timer, (void)opaque;
    timed_out = 1;
}

/* Wakes the loop now and then, so that an interrupt is noticed. */
static void on_tick(int timer, void *opaque)
{
    (void)timer, (void)opaque;
}

static void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque, (void)err;
}

static int error(const char *what)
{
    const char *msg = virGetLastErrorMessage();
    fprintf(stderr, "error: %s%s%s\n", what, msg ? ": " : "", msg ? msg : "");
    return 1;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define VALUE() (next ? (i++, next) : (fprintf(stderr, "error: option %s needs a value\n", a), exit(1), ""))
        if (!strcmp(a, "-c") || !strcmp(a, "--connect"))
            opt.uri = VALUE();
        else if (!strcmp(a, "--domain"))
            opt.domain = VALUE();
        else if (!strcmp(a, "--event"))
            opt.event = VALUE();
        else if (!strcmp(a, "--all"))
            opt.all = 1;
        else if (!strcmp(a, "--loop"))
            opt.loop = 1;
        else if (!strcmp(a, "--list"))
            opt.list = 1;
        else if (!strcmp(a, "--timestamp"))
            opt.timestamp = 1;
        else if (!strcmp(a, "--json"))
            opt.json = 1;
        else if (!strcmp(a, "--run"))
            opt.script = VALUE();
        else if (!strcmp(a, "--timeout")) {
            char *end;
            long s = strtol(VALUE(), &end, 10);
            if (*end || s <= 0 || s > 86400) {
                fprintf(stderr, "error: invalid timeout value\n");
                return 1;
            }
            opt.timeout_ms = (int)s * 1000;
        } else if (!strcmp(a, "--since")) {
            char *end;
            opt.since = strtoull(VALUE(), &end, 10);
            if (*end) {
                fprintf(stderr, "error: --since takes a resource version\n");
                return 1;
            }
            opt.since_set = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 1;
        }
    }
    if (opt.list) {
        if (opt.all || opt.event) {
            fprintf(stderr, "error: --list cannot be combined with --all or --event\n");
            return 1;
        }
        for (int id = 0; id < VIR_DOMAIN_EVENT_ID_EXT_LAST; id++) {
            if (id >= VIR_DOMAIN_EVENT_ID_LAST && id < VIR_DOMAIN_EVENT_ID_EXT_FIRST)
                continue;
            if (id == VIR_DOMAIN_EVENT_ID_BOOKMARK || id == VIR_DOMAIN_EVENT_ID_EXPIRED)
                continue;
            printf("%s\n", virConnectDomainEventIDToName(id));
        }
        return 0;
    }
    if (opt.all == !!opt.event) {
        fprintf(stderr, opt.all ? "error: Options --all and --event are mutually exclusive\n"
                                : "error: one of --list, --all, or --event <type> is required\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet);
    if (opt.event && virConnectDomainEventNameToID(opt.event) < 0) {
        fprintf(stderr, "error: unknown event type %s\n", opt.event);
        return 1;
    }
    if (virEventRegisterDefaultImpl() < 0)
        return error("cannot set up the event loop");
    virConnectPtr conn = virConnectOpen(opt.uri);
    if (!conn)
        return error("failed to connect to the hypervisor");
    int status = 1;
    virDomainPtr dom = NULL;
    if (opt.domain) {
        char *end;
        long id = strtol(opt.domain, &end, 10);
        dom = !*end && id >= 0 ? virDomainLookupByID(conn, (int)id) : NULL;
        if (!dom)
            dom = virDomainLookupByName(conn, opt.domain);
        if (!dom && strlen(opt.domain) == VIR_UUID_STRING_BUFLEN - 1)
            dom = virDomainLookupByUUIDString(conn, opt.domain);
        if (!dom) {
            fprintf(stderr, "error: failed to get domain '%s'\n", opt.domain);
            virConnectClose(conn);
            return 1;
        }
    }
    int cb = virConnectEventRegisterFlags(conn, dom, opt.event, opt.since, on_event, NULL, NULL,
                                          opt.since_set ? VIR_CONNECT_EVENT_REGISTER_SINCE : 0);
    if (cb < 0) {
        error("cannot watch events");
        goto out;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    int tick = virEventAddTimeout(100, on_tick, NULL, NULL);
    if (opt.script && run_script(conn, opt.script) < 0)
        goto deregister;
    /* Counted from when the session has run, so that its events are all in time. */
    if (opt.timeout_ms)
        virEventAddTimeout(opt.timeout_ms, on_timeout, NULL, NULL);
    while (!done && !timed_out && !interrupted)
        virEventRunDefaultImpl();
    if (interrupted)
        printf("event loop interrupted\n");
    else if (timed_out && !done)
        printf("event loop timed out\n");
    printf("events received: %d\n", count);
    status = count && !expired ? 0 : 1;
deregister:
    virEventRemoveTimeout(tick);
    virConnectEventUnregister(conn, cb);
out:
    if (dom)
        virDomainFree(dom);
    virConnectClose(conn);
    return status;
}
