/* Networks, storage pools, node devices and secrets, and their events, through the public
 * header as an application uses them: libvirt's default test objects, every change call with
 * the event it must produce, object filters, families kept apart (a domain registration never
 * sees a network event, nor the generic callback), family-checked handles, deregistration only
 * through the family's own call, freecb on deregistration and close, re-entrancy from inside a
 * callback, and bad input. */
#include "harness.h"

#define NET_UUID "11111111-2222-3333-4444-000000000001"
#define NET_XML "<network><name>n1</name><uuid>" NET_UUID "</uuid><bridge name='vb1'/></network>"
#define POOL_XML "<pool type='dir'><name>p1</name><target><path>/p1</path></target></pool>"
#define VHBA_XML                                                                                \
    "<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'>" \
    "<wwnn>2000000012341111</wwnn><wwpn>1000000012341111</wwpn></capability></capability></device>"
#define SECRET_UUID "11111111-2222-3333-4444-0000000000c1"
#define SECRET_XML                                                                              \
    "<secret ephemeral='no' private='no'><uuid>" SECRET_UUID "</uuid>"                          \
    "<usage type='volume'><volume>/var/lib/images/a.img</volume></usage></secret>"

/* What the callbacks saw, one line per event: "family:name:what". */
static char seen[64][96];
static int nseen;

static void note(const char *family, const char *name, const char *what)
{
    if (nseen < 64)
        snprintf(seen[nseen++], sizeof seen[0], "%s:%s:%s", family, name ? name : "(null)", what);
}

static int saw(const char *line)
{
    for (int i = 0; i < nseen; i++)
        if (strcmp(seen[i], line) == 0)
            return 1;
    return 0;
}

static const char *event_word(int event)
{
    static const char *words[] = {"0", "1", "2", "3", "4", "5"};
    return event >= 0 && event < 6 ? words[event] : "?";
}

static void on_network(virConnectPtr c, virNetworkPtr net, int event, int detail, void *opaque)
{
    (void)c, (void)detail, (void)opaque;
    note("net", virNetworkGetName(net), event_word(event));
}

static void on_pool(virConnectPtr c, virStoragePoolPtr pool, int event, int detail, void *opaque)
{
    (void)c, (void)detail, (void)opaque;
    note("pool", virStoragePoolGetName(pool), event_word(event));
}

static void on_pool_refresh(virConnectPtr c, virStoragePoolPtr pool, void *opaque)
{
    (void)c, (void)opaque;
    note("pool", virStoragePoolGetName(pool), "refresh");
}

static void on_device(virConnectPtr c, virNodeDevicePtr dev, int event, int detail, void *opaque)
{
    (void)c, (void)detail, (void)opaque;
    note("dev", virNodeDeviceGetName(dev), event_word(event));
}

static void on_secret(virConnectPtr c, virSecretPtr secret, int event, int detail, void *opaque)
{
    (void)c, (void)detail, (void)opaque;
    char uuid[VIR_UUID_STRING_BUFLEN];
    virSecretGetUUIDString(secret, uuid);
    note("secret", uuid, event_word(event));
    CHECK(virSecretGetUsageType(secret) == VIR_SECRET_USAGE_TYPE_VOLUME);
    CHECK(strcmp(virSecretGetUsageID(secret), "/var/lib/images/a.img") == 0);
}

static void on_secret_value(virConnectPtr c, virSecretPtr secret, void *opaque)
{
    (void)c, (void)opaque;
    char uuid[VIR_UUID_STRING_BUFLEN];
    virSecretGetUUIDString(secret, uuid);
    note("secret", uuid, "value");
}

static int domain_events;
static int on_domain(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c, (void)d, (void)event, (void)detail, (void)opaque;
    domain_events++;
    return 0;
}

static int generic_events;
static void on_generic(virConnectPtr c, virDomainPtr d, const virConnectEvent *e, void *opaque)
{
    (void)c, (void)d, (void)e, (void)opaque;
    generic_events++;
}

static int frees;
static void count_free(void *opaque)
{
    (void)opaque;
    frees++;
}

static void test_default_objects_are_libvirts(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    virNetworkPtr net = virNetworkLookupByName(conn, "default");
    char uuid[VIR_UUID_STRING_BUFLEN];
    CHECK(net && virNetworkGetUUIDString(net, uuid) == 0 && strcmp(uuid, "dd8fe884-6c02-601e-7551-cca97df1c5df") == 0);
    CHECK(virNetworkIsActive(net) == 1 && virNetworkIsPersistent(net) == 1);
    virStoragePoolPtr pool = virStoragePoolLookupByUUIDString(conn, "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566");
    CHECK(pool && strcmp(virStoragePoolGetName(pool), "default-pool") == 0);
    virNodeDevicePtr *devs = NULL;
    int n = virConnectListAllNodeDevices(conn, &devs, 0);
    CHECK(n == 4);
    for (int i = 0; i < n; i++)
        virNodeDeviceFree(devs[i]);
    free(devs);
    virNetworkPtr *nets = NULL;
    CHECK(virConnectListAllNetworks(conn, &nets, VIR_CONNECT_LIST_NETWORKS_INACTIVE) == 0);
    free(nets);
    CHECK(virConnectListAllSecrets(conn, NULL, 0) == 0);
    char *xml = virNetworkGetXMLDesc(net, 0);
    CHECK(xml && strstr(xml, "<bridge name='virbr0' stp='on' delay='0'/>"));
    free(xml);
    virNetworkFree(net);
    virStoragePoolFree(pool);
    virConnectClose(conn);
}

static void test_every_change_gives_its_event_and_families_stay_apart(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    nseen = domain_events = generic_events = 0;
    int ids[6];
    ids[0] = virConnectNetworkEventRegisterAny(conn, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE, VIR_NETWORK_EVENT_CALLBACK(on_network), NULL, NULL);
    ids[1] = virConnectStoragePoolEventRegisterAny(conn, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool), NULL, NULL);
    ids[2] = virConnectStoragePoolEventRegisterAny(conn, NULL, VIR_STORAGE_POOL_EVENT_ID_REFRESH, VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_refresh), NULL, NULL);
    ids[3] = virConnectNodeDeviceEventRegisterAny(conn, NULL, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, VIR_NODE_DEVICE_EVENT_CALLBACK(on_device), NULL, NULL);
    ids[4] = virConnectSecretEventRegisterAny(conn, NULL, VIR_SECRET_EVENT_ID_LIFECYCLE, VIR_SECRET_EVENT_CALLBACK(on_secret), NULL, NULL);
    ids[5] = virConnectSecretEventRegisterAny(conn, NULL, VIR_SECRET_EVENT_ID_VALUE_CHANGED, VIR_SECRET_EVENT_CALLBACK(on_secret_value), NULL, NULL);
    for (int i = 0; i < 6; i++)
        CHECK(ids[i] >= 0);
    int dom_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(on_domain), NULL, NULL);
    int gen_id = virConnectEventRegister(conn, NULL, NULL, on_generic, NULL, NULL);
    CHECK(dom_id >= 0 && gen_id >= 0);

    virNetworkPtr net = virNetworkDefineXML(conn, NET_XML);
    CHECK(net && virNetworkCreate(net) == 0);
    CHECK(virNetworkUndefine(net) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virNetworkDestroy(net) == 0 && virNetworkUndefine(net) == 0);
    CHECK(virNetworkCreate(net) == -1);
    EXPECT_ERROR(VIR_ERR_NO_NETWORK);
    virStoragePoolPtr pool = virStoragePoolDefineXML(conn, POOL_XML, 0);
    CHECK(pool && virStoragePoolCreate(pool, 0) == 0 && virStoragePoolRefresh(pool, 0) == 0);
    CHECK(virStoragePoolDestroy(pool) == 0 && virStoragePoolUndefine(pool) == 0);
    virNodeDevicePtr dev = virNodeDeviceCreateXML(conn, VHBA_XML, 0);
    CHECK(dev && strcmp(virNodeDeviceGetName(dev), "scsi_host12") == 0);
    CHECK(virNodeDeviceDestroy(dev) == 0);
    virSecretPtr secret = virSecretDefineXML(conn, SECRET_XML, 0);
    CHECK(secret && virSecretSetValue(secret, (const unsigned char *)"pw", 2, 0) == 0);
    size_t size = 0;
    unsigned char *value = virSecretGetValue(secret, &size, 0);
    CHECK(value && size == 2 && memcmp(value, "pw", 2) == 0);
    free(value);
    CHECK(virSecretUndefine(secret) == 0);
    pump();

    const char *want[] = {"net:n1:0", "net:n1:2", "net:n1:3", "net:n1:1", "pool:p1:0", "pool:p1:2", "pool:p1:refresh",
                          "pool:p1:3", "pool:p1:1", "dev:scsi_host12:0", "dev:scsi_host12:1", "secret:" SECRET_UUID ":0",
                          "secret:" SECRET_UUID ":value", "secret:" SECRET_UUID ":1"};
    int nwant = (int)(sizeof want / sizeof want[0]);
    CHECK(nseen == nwant);
    for (int i = 0; i < nwant && i < nseen; i++) {
        if (strcmp(seen[i], want[i]) != 0)
            fprintf(stderr, "event %d: %s, wanted %s\n", i, seen[i], want[i]);
        CHECK(strcmp(seen[i], want[i]) == 0);
    }
    CHECK(domain_events == 0);
    CHECK(generic_events == 0);

    CHECK(virConnectDomainEventDeregisterAny(conn, ids[0]) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectStoragePoolEventDeregisterAny(conn, ids[0]) == -1);
    CHECK(virConnectNetworkEventDeregisterAny(conn, dom_id) == -1);
    CHECK(virConnectNetworkEventDeregisterAny(conn, ids[0]) == 0);
    CHECK(virConnectNetworkEventDeregisterAny(conn, ids[0]) == -1);
    virNetworkFree(net);
    virStoragePoolFree(pool);
    virNodeDeviceFree(dev);
    virSecretFree(secret);
    virConnectClose(conn);
}

static void test_object_filter_and_duplicates(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    nseen = 0;
    virNetworkPtr a = virNetworkDefineXML(conn, NET_XML);
    virNetworkPtr b = virNetworkDefineXML(conn, "<network><name>n2</name></network>");
    int id = virConnectNetworkEventRegisterAny(conn, a, VIR_NETWORK_EVENT_ID_LIFECYCLE, VIR_NETWORK_EVENT_CALLBACK(on_network), NULL, count_free);
    CHECK(id >= 0);
    CHECK(virConnectNetworkEventRegisterAny(conn, a, VIR_NETWORK_EVENT_ID_LIFECYCLE, VIR_NETWORK_EVENT_CALLBACK(on_network), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virNetworkCreate(b) == 0 && virNetworkCreate(a) == 0);
    pump();
    CHECK(nseen == 1 && saw("net:n1:2"));
    frees = 0;
    virConnectClose(conn);
    CHECK(frees == 1);
    CHECK(virNetworkGetName(a) != NULL);
    virNetworkFree(a);
    virNetworkFree(b);
}

static void test_handles_are_checked_by_family(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    virNetworkPtr net = virNetworkLookupByName(conn, "default");
    CHECK(virStoragePoolGetName((virStoragePoolPtr)net) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_STORAGE_POOL);
    CHECK(virNodeDeviceGetName((virNodeDevicePtr)net) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_NODE_DEVICE);
    CHECK(virNetworkRef(net) == 0 && virNetworkFree(net) == 0 && virNetworkFree(net) == 0);
    CHECK(virNetworkGetName(net) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_NETWORK);
    CHECK(virNetworkGetName(NULL) == NULL);
    CHECK(virNetworkLookupByName(conn, "nope") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_NETWORK);
    CHECK(virNetworkLookupByName(conn, NULL) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virNetworkDefineXML(conn, "<network>") == NULL);
    EXPECT_ERROR(VIR_ERR_XML_DETAIL);
    CHECK(virNetworkDefineXML(conn, "<network/>") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_NAME);
    CHECK(virSecretLookupByUUIDString(conn, "not-a-uuid") == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectNetworkEventRegisterAny(conn, NULL, VIR_NETWORK_EVENT_ID_LAST, VIR_NETWORK_EVENT_CALLBACK(on_network), NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectSecretEventRegisterAny(conn, NULL, 0, NULL, NULL, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virNodeDeviceCreateXML(conn, "<device><parent>computer</parent></device>", 0) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    virConnectClose(conn);

    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virStoragePoolPtr pool = virStoragePoolLookupByName(ro, "default-pool");
    CHECK(virStoragePoolRefresh(pool, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virNetworkDefineXML(ro, NET_XML) == NULL);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    virStoragePoolFree(pool);
    virConnectClose(ro);
}

/* A callback that changes its own family's objects and deregisters itself. */
static int reentrant_id = -1;
static int reentrant_calls;
static void on_pool_reenter(virConnectPtr c, virStoragePoolPtr pool, int event, int detail, void *opaque)
{
    (void)detail, (void)opaque;
    reentrant_calls++;
    if (event == VIR_STORAGE_POOL_EVENT_STARTED) {
        CHECK(virStoragePoolIsActive(pool) == 1);
        CHECK(virStoragePoolRefresh(pool, 0) == 0);
        CHECK(virConnectStoragePoolEventDeregisterAny(c, reentrant_id) == 0);
    }
}

static void test_callbacks_may_reenter(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    nseen = 0;
    reentrant_calls = 0;
    reentrant_id = virConnectStoragePoolEventRegisterAny(conn, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                         VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_reenter), NULL, count_free);
    int refresh = virConnectStoragePoolEventRegisterAny(conn, NULL, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                                        VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_refresh), NULL, NULL);
    virStoragePoolPtr pool = virStoragePoolCreateXML(conn, POOL_XML, 0);
    CHECK(pool != NULL);
    frees = 0;
    pump();
    CHECK(reentrant_calls == 1 && frees == 1);
    CHECK(saw("pool:p1:refresh"));
    CHECK(virStoragePoolDestroy(pool) == 0);
    pump();
    CHECK(reentrant_calls == 1);
    CHECK(virStoragePoolLookupByName(conn, "p1") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_STORAGE_POOL);
    CHECK(virConnectStoragePoolEventDeregisterAny(conn, refresh) == 0);
    virStoragePoolFree(pool);
    virConnectClose(conn);
}

static void test_host_calls(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    unsigned long version = 0;
    CHECK(virConnectGetVersion(conn, &version) == 0 && version == 2);
    CHECK(virConnectGetVersion(conn, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectGetMaxVcpus(conn, NULL) == 32 && virConnectGetMaxVcpus(conn, "test") == 32);
    virNodeInfo info;
    CHECK(virNodeGetInfo(conn, &info) == 0 && strcmp(info.model, "i686") == 0);
    CHECK(info.cpus == info.nodes * info.sockets * info.cores * info.threads && info.memory == 3145728);
    char *caps = virConnectGetCapabilities(conn);
    CHECK(caps && strstr(caps, "<domain type='test'/>") && strstr(caps, "<cells num='2'>"));
    free(caps);
    char *host = virConnectGetHostname(conn);
    CHECK(host && host[0]);
    free(host);
    virConnectClose(conn);
    CHECK(virConnectGetCapabilities(conn) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
}

int main(void)
{
    harness_init();
    harness_watchdog(60);
    RUN(test_default_objects_are_libvirts);
    RUN(test_every_change_gives_its_event_and_families_stay_apart);
    RUN(test_object_filter_and_duplicates);
    RUN(test_handles_are_checked_by_family);
    RUN(test_callbacks_may_reenter);
    RUN(test_host_calls);
    return harness_exit();
}
