/* A program with the shape of libvirt's examples/c/misc/event-test.c (written here, not copied):
 * VIR_ENUM_SENTINELS and static asserts that its tables cover every event ID of libvirt 9.0, the
 * legacy domain callback, RegisterAny for every domain, network, storage pool, node device and
 * secret event ID with its own typed callback, a close callback, keepalive, and the callbacks'
 * free functions. Instead of waiting for signals it drives a scripted session on
 * test:///default (or argv[1]) and prints every event, so that its output on libvirt 9.0 and on
 * virtevent can be compared line by line (ctests/dropin/check.sh): built against libvirt's
 * header and run on both libraries, and built against virtevent's header. */
#define VIR_ENUM_SENTINELS

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((__unused__))

static const char *or_null(const char *s)
{
    return s ? s : "(null)";
}

/* ---- domain callbacks: one per callback type ---------------------------------------------- */

#define DOM_PRINT(fmt, ...) \
    printf("domain %s(%d) " fmt "\n", virDomainGetName(dom), virDomainGetID(dom), __VA_ARGS__)

static int dom_legacy(virConnectPtr c UNUSED, virDomainPtr dom, int event, int detail, void *o UNUSED)
{
    DOM_PRINT("legacy lifecycle %d/%d", event, detail);
    return 0;
}
static int dom_lifecycle(virConnectPtr c UNUSED, virDomainPtr dom, int event, int detail, void *o UNUSED)
{
    DOM_PRINT("lifecycle %d/%d", event, detail);
    return 0;
}
static int dom_plain(virConnectPtr c UNUSED, virDomainPtr dom, void *o)
{
    DOM_PRINT("%s", (const char *)o);
    return 0;
}
static int dom_rtc(virConnectPtr c UNUSED, virDomainPtr dom, long long offset, void *o UNUSED)
{
    DOM_PRINT("rtc-change %lld", offset);
    return 0;
}
static int dom_watchdog(virConnectPtr c UNUSED, virDomainPtr dom, int action, void *o UNUSED)
{
    DOM_PRINT("watchdog %d", action);
    return 0;
}
static int dom_io_error(virConnectPtr c UNUSED, virDomainPtr dom, const char *path, const char *alias, int action, void *o UNUSED)
{
    DOM_PRINT("io-error %s %s %d", or_null(path), or_null(alias), action);
    return 0;
}
static int dom_io_error_reason(virConnectPtr c UNUSED, virDomainPtr dom, const char *path, const char *alias, int action,
                               const char *reason, void *o UNUSED)
{
    DOM_PRINT("io-error-reason %s %s %d %s", or_null(path), or_null(alias), action, or_null(reason));
    return 0;
}
static int dom_graphics(virConnectPtr c UNUSED, virDomainPtr dom, int phase, virDomainEventGraphicsAddressPtr local,
                        virDomainEventGraphicsAddressPtr remote, const char *scheme, virDomainEventGraphicsSubjectPtr subject,
                        void *o UNUSED)
{
    DOM_PRINT("graphics %d %s:%s %s:%s %s %d", phase, or_null(local->node), or_null(local->service), or_null(remote->node),
              or_null(remote->service), or_null(scheme), subject->nidentity);
    return 0;
}
static int dom_block_job(virConnectPtr c UNUSED, virDomainPtr dom, const char *disk, int type, int status, void *o)
{
    DOM_PRINT("%s %s %d %d", (const char *)o, or_null(disk), type, status);
    return 0;
}
static int dom_disk_change(virConnectPtr c UNUSED, virDomainPtr dom, const char *old_src, const char *new_src, const char *alias,
                           int reason, void *o UNUSED)
{
    DOM_PRINT("disk-change %s %s %s %d", or_null(old_src), or_null(new_src), or_null(alias), reason);
    return 0;
}
static int dom_tray(virConnectPtr c UNUSED, virDomainPtr dom, const char *alias, int reason, void *o UNUSED)
{
    DOM_PRINT("tray-change %s %d", or_null(alias), reason);
    return 0;
}
static int dom_pm(virConnectPtr c UNUSED, virDomainPtr dom, int reason, void *o)
{
    DOM_PRINT("%s %d", (const char *)o, reason);
    return 0;
}
static int dom_balloon(virConnectPtr c UNUSED, virDomainPtr dom, unsigned long long actual, void *o UNUSED)
{
    DOM_PRINT("balloon-change %llu", actual);
    return 0;
}
static int dom_device(virConnectPtr c UNUSED, virDomainPtr dom, const char *alias, void *o)
{
    DOM_PRINT("%s %s", (const char *)o, or_null(alias));
    return 0;
}
static int dom_params(virConnectPtr c UNUSED, virDomainPtr dom, virTypedParameterPtr params, int nparams, void *o)
{
    DOM_PRINT("%s %d params", (const char *)o, params ? nparams : -1);
    return 0;
}
static int dom_agent(virConnectPtr c UNUSED, virDomainPtr dom, int state, int reason, void *o UNUSED)
{
    DOM_PRINT("agent-lifecycle %d %d", state, reason);
    return 0;
}
static int dom_iteration(virConnectPtr c UNUSED, virDomainPtr dom, int iteration, void *o UNUSED)
{
    DOM_PRINT("migration-iteration %d", iteration);
    return 0;
}
static int dom_metadata(virConnectPtr c UNUSED, virDomainPtr dom, int type, const char *nsuri, void *o UNUSED)
{
    DOM_PRINT("metadata-change %d %s", type, or_null(nsuri));
    return 0;
}
static int dom_threshold(virConnectPtr c UNUSED, virDomainPtr dom, const char *dev, const char *path, unsigned long long threshold,
                         unsigned long long excess, void *o UNUSED)
{
    DOM_PRINT("block-threshold %s %s %llu %llu", or_null(dev), or_null(path), threshold, excess);
    return 0;
}
static int dom_memory_failure(virConnectPtr c UNUSED, virDomainPtr dom, int recipient, int action, unsigned int flags, void *o UNUSED)
{
    DOM_PRINT("memory-failure %d %d %u", recipient, action, flags);
    return 0;
}
static int dom_memory_size(virConnectPtr c UNUSED, virDomainPtr dom, const char *alias, unsigned long long size, void *o UNUSED)
{
    DOM_PRINT("memory-device-size-change %s %llu", or_null(alias), size);
    return 0;
}

/* ---- other families ------------------------------------------------------------------------ */

static void net_lifecycle(virConnectPtr c UNUSED, virNetworkPtr net, int event, int detail, void *o UNUSED)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    virNetworkGetUUIDString(net, uuid);
    printf("network %s %s lifecycle %d/%d\n", virNetworkGetName(net), uuid, event, detail);
}
static void pool_lifecycle(virConnectPtr c UNUSED, virStoragePoolPtr pool, int event, int detail, void *o UNUSED)
{
    printf("pool %s lifecycle %d/%d\n", virStoragePoolGetName(pool), event, detail);
}
static void pool_refresh(virConnectPtr c UNUSED, virStoragePoolPtr pool, void *o UNUSED)
{
    printf("pool %s refresh\n", virStoragePoolGetName(pool));
}
static void device_lifecycle(virConnectPtr c UNUSED, virNodeDevicePtr dev, int event, int detail, void *o UNUSED)
{
    printf("node device %s lifecycle %d/%d\n", virNodeDeviceGetName(dev), event, detail);
}
static void device_update(virConnectPtr c UNUSED, virNodeDevicePtr dev, void *o UNUSED)
{
    printf("node device %s update\n", virNodeDeviceGetName(dev));
}
static void secret_lifecycle(virConnectPtr c UNUSED, virSecretPtr secret, int event, int detail, void *o UNUSED)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    virSecretGetUUIDString(secret, uuid);
    printf("secret %s lifecycle %d/%d\n", uuid, event, detail);
}
static void secret_value(virConnectPtr c UNUSED, virSecretPtr secret, void *o UNUSED)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    virSecretGetUUIDString(secret, uuid);
    printf("secret %s value-changed\n", uuid);
}

/* ---- the registration tables, checked against each family's _LAST -------------------------- */

struct domain_event {
    int id;
    virConnectDomainEventGenericCallback cb;
    const char *label;
    int callback_id;
};
#define DOMAIN_ENTRY(id, cb, label) {id, VIR_DOMAIN_EVENT_CALLBACK(cb), label, -1}
static struct domain_event domain_events[] = {
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_LIFECYCLE, dom_lifecycle, "lifecycle"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_REBOOT, dom_plain, "reboot"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_RTC_CHANGE, dom_rtc, "rtc-change"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_WATCHDOG, dom_watchdog, "watchdog"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_IO_ERROR, dom_io_error, "io-error"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_GRAPHICS, dom_graphics, "graphics"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON, dom_io_error_reason, "io-error-reason"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_CONTROL_ERROR, dom_plain, "control-error"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, dom_block_job, "block-job"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_DISK_CHANGE, dom_disk_change, "disk-change"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, dom_tray, "tray-change"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_PMWAKEUP, dom_pm, "pm-wakeup"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_PMSUSPEND, dom_pm, "pm-suspend"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, dom_balloon, "balloon-change"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK, dom_pm, "pm-suspend-disk"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, dom_device, "device-removed"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, dom_block_job, "block-job-2"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_TUNABLE, dom_params, "tunable"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE, dom_agent, "agent-lifecycle"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, dom_device, "device-added"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, dom_iteration, "migration-iteration"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, dom_params, "job-completed"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, dom_device, "device-removal-failed"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, dom_metadata, "metadata-change"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD, dom_threshold, "block-threshold"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE, dom_memory_failure, "memory-failure"),
    DOMAIN_ENTRY(VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE, dom_memory_size, "memory-device-size-change"),
};

struct network_event {
    int id;
    virConnectNetworkEventGenericCallback cb;
    const char *label;
    int callback_id;
};
static struct network_event network_events[] = {
    {VIR_NETWORK_EVENT_ID_LIFECYCLE, VIR_NETWORK_EVENT_CALLBACK(net_lifecycle), "network lifecycle", -1},
};

struct pool_event {
    int id;
    virConnectStoragePoolEventGenericCallback cb;
    const char *label;
    int callback_id;
};
static struct pool_event pool_events[] = {
    {VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, VIR_STORAGE_POOL_EVENT_CALLBACK(pool_lifecycle), "pool lifecycle", -1},
    {VIR_STORAGE_POOL_EVENT_ID_REFRESH, VIR_STORAGE_POOL_EVENT_CALLBACK(pool_refresh), "pool refresh", -1},
};

struct device_event {
    int id;
    virConnectNodeDeviceEventGenericCallback cb;
    const char *label;
    int callback_id;
};
static struct device_event device_events[] = {
    {VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, VIR_NODE_DEVICE_EVENT_CALLBACK(device_lifecycle), "node device lifecycle", -1},
    {VIR_NODE_DEVICE_EVENT_ID_UPDATE, VIR_NODE_DEVICE_EVENT_CALLBACK(device_update), "node device update", -1},
};

struct secret_event {
    int id;
    virConnectSecretEventGenericCallback cb;
    const char *label;
    int callback_id;
};
static struct secret_event secret_events[] = {
    {VIR_SECRET_EVENT_ID_LIFECYCLE, VIR_SECRET_EVENT_CALLBACK(secret_lifecycle), "secret lifecycle", -1},
    {VIR_SECRET_EVENT_ID_VALUE_CHANGED, VIR_SECRET_EVENT_CALLBACK(secret_value), "secret value-changed", -1},
};

_Static_assert(COUNT(domain_events) == VIR_DOMAIN_EVENT_ID_LAST, "a callback for every domain event ID");
_Static_assert(COUNT(network_events) == VIR_NETWORK_EVENT_ID_LAST, "a callback for every network event ID");
_Static_assert(COUNT(pool_events) == VIR_STORAGE_POOL_EVENT_ID_LAST, "a callback for every storage pool event ID");
_Static_assert(COUNT(device_events) == VIR_NODE_DEVICE_EVENT_ID_LAST, "a callback for every node device event ID");
_Static_assert(COUNT(secret_events) == VIR_SECRET_EVENT_ID_LAST, "a callback for every secret event ID");
_Static_assert(VIR_CONNECT_CLOSE_REASON_LAST == 4, "libvirt 9.0's close reasons");

/* ---- plumbing ------------------------------------------------------------------------------ */

static void free_label(void *opaque)
{
    printf("free %s\n", (char *)opaque);
    free(opaque);
}

static void on_close(virConnectPtr c UNUSED, int reason, void *o UNUSED)
{
    printf("connection closed, reason %d\n", reason);
}

static void quiet(void *o UNUSED, virErrorPtr e UNUSED)
{
}

static void once(int timer, void *o UNUSED)
{
    virEventRemoveTimeout(timer);
}

/* Lets the loop deliver everything queued so far. */
static void settle(void)
{
    for (int i = 0; i < 3; i++) {
        virEventAddTimeout(0, once, NULL, NULL);
        virEventRunDefaultImpl();
    }
}

/* Prints the outcome of a step (with the error's code and domain when it failed), then the
 * events it caused. */
static void step(const char *what, int ok)
{
    virErrorPtr err = virGetLastError();
    printf("-- %s: %s", what, ok ? "ok" : "failed");
    if (!ok && err)
        printf(" (code %d, domain %d)", err->code, err->domain);
    printf("\n");
    settle();
}

/* Registers one table entry; a refused registration frees its label itself (its free callback
 * never runs then). */
#define REGISTER(kind, call, entry)                                                           \
    do {                                                                                      \
        char *label_ = strdup((entry)->label);                                                \
        (entry)->callback_id = call(conn, NULL, (entry)->id, (entry)->cb, label_, free_label); \
        if ((entry)->callback_id < 0) {                                                       \
            printf("register %s: failed (code %d)\n", (entry)->label, virGetLastErrorCode()); \
            free(label_);                                                                     \
        }                                                                                     \
    } while (0)

#define DEREGISTER(table, call)                                         \
    for (size_t i_ = 0; i_ < COUNT(table); i_++)                        \
        if ((table)[i_].callback_id >= 0)                               \
            step("deregister " #table, call(conn, (table)[i_].callback_id) == 0)

int main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "test:///default";
    virSetErrorFunc(NULL, quiet);
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0)
        return 1;
    virConnectPtr conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
    if (!conn)
        return 1;
    /* What a libvirt program asks at startup. */
    unsigned long version = 0, libversion = 0;
    step("version", virConnectGetVersion(conn, &version) == 0 && virConnectGetLibVersion(conn, &libversion) == 0);
    printf("hypervisor %lu library %lu type %s max vcpus %d\n", version, libversion, virConnectGetType(conn),
           virConnectGetMaxVcpus(conn, NULL));
    char *hostname = virConnectGetHostname(conn);
    printf("hostname known %d\n", hostname != NULL && hostname[0] != '\0');
    free(hostname);
    char *uri_now = virConnectGetURI(conn);
    printf("uri %s alive %d encrypted %d secure %d\n", uri_now, virConnectIsAlive(conn), virConnectIsEncrypted(conn),
           virConnectIsSecure(conn));
    free(uri_now);
    virNodeInfo node;
    step("node info", virNodeGetInfo(conn, &node) == 0);
    printf("node %s %lu KiB %u cpus %u MHz %u nodes %u sockets %u cores %u threads\n", node.model, node.memory, node.cpus,
           node.mhz, node.nodes, node.sockets, node.cores, node.threads);
    char *caps = virConnectGetCapabilities(conn);
    printf("capabilities:\n%s", caps ? caps : "(none)\n");
    free(caps);
    step("close callback", virConnectRegisterCloseCallback(conn, on_close, NULL, NULL) == 0);
    step("legacy register", virConnectDomainEventRegister(conn, dom_legacy, strdup("legacy"), free_label) == 0);
    for (size_t i = 0; i < COUNT(domain_events); i++)
        REGISTER(domain, virConnectDomainEventRegisterAny, &domain_events[i]);
    for (size_t i = 0; i < COUNT(network_events); i++)
        REGISTER(network, virConnectNetworkEventRegisterAny, &network_events[i]);
    for (size_t i = 0; i < COUNT(pool_events); i++)
        REGISTER(pool, virConnectStoragePoolEventRegisterAny, &pool_events[i]);
    for (size_t i = 0; i < COUNT(device_events); i++)
        REGISTER(device, virConnectNodeDeviceEventRegisterAny, &device_events[i]);
    for (size_t i = 0; i < COUNT(secret_events); i++)
        REGISTER(secret, virConnectSecretEventRegisterAny, &secret_events[i]);
    step("keepalive", virConnectSetKeepAlive(conn, 5, 3) == 0);

    virDomainPtr dom = virDomainDefineXML(conn, "<domain type='test'><name>shape</name><memory>1024</memory>"
                                                "<os><type>hvm</type></os></domain>");
    step("domain define", dom != NULL);
    step("domain start", virDomainCreate(dom) == 0);
    step("domain suspend", virDomainSuspend(dom) == 0);
    step("domain resume", virDomainResume(dom) == 0);
    step("domain title", virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "a title", NULL, NULL, 0) == 0);
    step("domain destroy", virDomainDestroy(dom) == 0);
    step("domain undefine", virDomainUndefine(dom) == 0);
    virDomainFree(dom);

    virNetworkPtr net = virNetworkDefineXML(conn, "<network><name>shape-net</name>"
                                                  "<uuid>7f5c2a4e-2a1b-4c1d-9e8f-0a1b2c3d4e01</uuid></network>");
    step("network define", net != NULL);
    step("network start", virNetworkCreate(net) == 0);
    step("network start again", virNetworkCreate(net) == 0);
    step("network destroy", virNetworkDestroy(net) == 0);
    step("network undefine", virNetworkUndefine(net) == 0);
    virNetworkFree(net);
    virNetworkPtr default_net = virNetworkLookupByName(conn, "default");
    step("network default lookup", default_net != NULL);
    step("network default undefine while running", virNetworkUndefine(default_net) == 0);
    virNetworkFree(default_net);

    virStoragePoolPtr pool = virStoragePoolDefineXML(conn, "<pool type='dir'><name>shape-pool</name>"
                                                           "<target><path>/shape-pool</path></target></pool>", 0);
    step("pool define", pool != NULL);
    step("pool refresh while inactive", virStoragePoolRefresh(pool, 0) == 0);
    step("pool start", virStoragePoolCreate(pool, 0) == 0);
    step("pool refresh", virStoragePoolRefresh(pool, 0) == 0);
    step("pool destroy", virStoragePoolDestroy(pool) == 0);
    step("pool undefine", virStoragePoolUndefine(pool) == 0);
    virStoragePoolFree(pool);

    virNodeDevicePtr dev = virNodeDeviceCreateXML(conn,
        "<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'>"
        "<wwnn>2000000012345678</wwnn><wwpn>1000000012345678</wwpn></capability></capability></device>", 0);
    step("node device create", dev != NULL);
    printf("node device name %s\n", dev ? virNodeDeviceGetName(dev) : "(none)");
    step("node device destroy", dev && virNodeDeviceDestroy(dev) == 0);
    if (dev)
        virNodeDeviceFree(dev);

    virSecretPtr secret = virSecretDefineXML(conn, "<secret ephemeral='no' private='no'>"
                                                   "<uuid>7f5c2a4e-2a1b-4c1d-9e8f-0a1b2c3d4e05</uuid>"
                                                   "<usage type='ceph'><name>client.shape</name></usage></secret>", 0);
    step("secret define", secret != NULL);
    step("secret set value", secret && virSecretSetValue(secret, (const unsigned char *)"s3cr3t", 6, 0) == 0);
    step("secret undefine", secret && virSecretUndefine(secret) == 0);
    if (secret)
        virSecretFree(secret);

    step("legacy deregister", virConnectDomainEventDeregister(conn, dom_legacy) == 0);
    DEREGISTER(domain_events, virConnectDomainEventDeregisterAny);
    DEREGISTER(network_events, virConnectNetworkEventDeregisterAny);
    DEREGISTER(pool_events, virConnectStoragePoolEventDeregisterAny);
    DEREGISTER(device_events, virConnectNodeDeviceEventDeregisterAny);
    DEREGISTER(secret_events, virConnectSecretEventDeregisterAny);
    step("close callback unregister", virConnectUnregisterCloseCallback(conn, on_close) == 0);
    step("close", virConnectClose(conn) == 0);
    return 0;
}
