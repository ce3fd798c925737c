/* The informational calls a management tool (virsh's dominfo, net-info, pool-info) makes beside
 * the event API: autostart flags, a pool's size, the security model and labels, a network's
 * bridge, the OS type, the library version; each with libvirt's answers and argument errors. */
#include "harness.h"

static void test_versions_are_the_librarys(void)
{
    unsigned long lib = 0, type = 0;
    CHECK(virGetVersion(&lib, NULL, &type) == 0 && lib == 9000000 && type == 9000000);
    type = 0;
    CHECK(virGetVersion(&lib, "Test", &type) == 0 && type == 9000000);
    type = 0;
    CHECK(virGetVersion(&lib, "QEMU", &type) == 0 && type == 9000000);
    CHECK(virGetVersion(NULL, NULL, NULL) == 0);
}

static void test_domain_autostart_os_type_and_label(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    CHECK(dom != NULL);
    int autostart = -1;
    CHECK(virDomainGetAutostart(dom, &autostart) == 0 && autostart == 0);
    CHECK(virDomainSetAutostart(dom, 1) == 0);
    CHECK(virDomainGetAutostart(dom, &autostart) == 0 && autostart == 1);
    CHECK(virDomainSetAutostart(dom, 0) == 0);
    CHECK(virDomainGetAutostart(dom, &autostart) == 0 && autostart == 0);
    CHECK(virDomainGetAutostart(dom, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    char *os = virDomainGetOSType(dom);
    CHECK(os && strcmp(os, "hvm") == 0);
    free(os);
    virDomainPtr xen = virDomainDefineXML(
        conn, "<domain type='test'><name>pv</name><memory>1024</memory><os><type>xen</type></os></domain>");
    os = xen ? virDomainGetOSType(xen) : NULL;
    CHECK(os && strcmp(os, "xen") == 0);
    free(os);

    virSecurityModel model;
    memset(&model, 'x', sizeof model);
    CHECK(virNodeGetSecurityModel(conn, &model) == 0);
    CHECK(strcmp(model.model, "testSecurity") == 0 && model.doi[0] == '\0');
    CHECK(virNodeGetSecurityModel(conn, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virSecurityLabel label;
    memset(&label, 'x', sizeof label);
    CHECK(virDomainGetSecurityLabel(dom, &label) == 0 && strcmp(label.label, "libvirt-test") == 0 && label.enforcing == 1);
    CHECK(xen && virDomainGetSecurityLabel(xen, &label) == 0 && label.label[0] == '\0' && label.enforcing == 0);
    CHECK(virDomainGetSecurityLabel(dom, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* A read-only connection reads, but does not change. */
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virDomainPtr seen = virDomainLookupByName(ro, "test");
    CHECK(virDomainSetAutostart(seen, 1) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_DENIED);
    CHECK(virDomainGetAutostart(seen, &autostart) == 0 && autostart == 0);
    virDomainFree(seen);
    virConnectClose(ro);

    if (xen) {
        CHECK(virDomainUndefine(xen) == 0);
        CHECK(virDomainGetOSType(xen) == NULL);
        EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
        virDomainFree(xen);
    }
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_network_and_pool_details(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virNetworkPtr net = virNetworkDefineXML(conn, "<network><name>n</name><bridge name='br7'/></network>");
    CHECK(net != NULL);
    char *bridge = virNetworkGetBridgeName(net);
    CHECK(bridge && strcmp(bridge, "br7") == 0);
    free(bridge);
    int autostart = -1;
    CHECK(virNetworkGetAutostart(net, &autostart) == 0 && autostart == 0);
    CHECK(virNetworkSetAutostart(net, 1) == 0);
    CHECK(virNetworkGetAutostart(net, &autostart) == 0 && autostart == 1);
    CHECK(virNetworkGetAutostart(net, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virNetworkPtr bare = virNetworkCreateXML(conn, "<network><name>bare</name></network>");
    CHECK(bare && virNetworkGetBridgeName(bare) == NULL);
    EXPECT_ERROR(VIR_ERR_INTERNAL_ERROR);

    /* Every pool is 100 GiB, as libvirt's test driver makes them, whatever its XML says. */
    virStoragePoolPtr pool = virStoragePoolDefineXML(
        conn, "<pool type='dir'><name>p</name><capacity unit='G'>1</capacity><target><path>/p</path></target></pool>", 0);
    CHECK(pool != NULL);
    virStoragePoolInfo info;
    memset(&info, 0xff, sizeof info);
    CHECK(virStoragePoolGetInfo(pool, &info) == 0);
    CHECK(info.state == VIR_STORAGE_POOL_INACTIVE && info.capacity == 107374182400ULL && info.allocation == 0 &&
          info.available == 107374182400ULL);
    CHECK(virStoragePoolCreate(pool, 0) == 0);
    CHECK(virStoragePoolGetInfo(pool, &info) == 0 && info.state == VIR_STORAGE_POOL_RUNNING);
    char *xml = virStoragePoolGetXMLDesc(pool, 0);
    CHECK(xml && strstr(xml, "<capacity unit='bytes'>107374182400</capacity>"));
    free(xml);
    CHECK(virStoragePoolGetAutostart(pool, &autostart) == 0 && autostart == 0);
    CHECK(virStoragePoolSetAutostart(pool, 1) == 0);
    CHECK(virStoragePoolGetAutostart(pool, &autostart) == 0 && autostart == 1);
    CHECK(virStoragePoolGetInfo(pool, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virStoragePoolGetInfo(NULL, &info) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STORAGE_POOL);

    virNetworkFree(net);
    if (bare)
        virNetworkFree(bare);
    virStoragePoolFree(pool);
    virConnectClose(conn);
}

int main(void)
{
    harness_init();
    harness_watchdog(30);
    RUN(test_versions_are_the_librarys);
    RUN(test_domain_autostart_os_type_and_label);
    RUN(test_network_and_pool_details);
    return harness_exit();
}
