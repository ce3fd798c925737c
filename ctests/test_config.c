/* test:///ABSOLUTE/PATH.xml: libvirt's custom test-driver configuration files. What a file
 * holds is there after the open, with the history of its coming into being; each connection
 * has its own copy; broken, oversized or unsupported files are refused with an error and leave
 * nothing behind. (ctests/dropin/config.c compares the same with libvirt 9.0.) */
#include "harness.h"

#include <sys/stat.h>

static char dir[] = "/tmp/virtevent-config-XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static virConnectPtr open_file(const char *name)
{
    char uri[256];
    snprintf(uri, sizeof uri, "test://%s/%s", dir, name);
    return virConnectOpen(uri);
}

#define NS "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'"
#define DOMAIN(name, extra) \
    "<domain type='test' " NS "><name>" name "</name><memory>1024</memory><os><type>hvm</type></os>" extra "</domain>"

static void test_the_file_is_the_hypervisor(void)
{
    write_file("vol.xml", "<volume><name>v2</name><capacity unit='M'>8</capacity></volume>");
    write_file("node.xml",
               "<node><cpu><sockets>1</sockets><cores>2</cores><threads>1</threads><nodes>1</nodes><mhz>3000</mhz>"
               "<model>aarch64</model></cpu><memory>4194304</memory>" DOMAIN("up", "") DOMAIN(
                   "held", "<test:runstate>3</test:runstate>") DOMAIN("down", "<test:runstate>5</test:runstate>")
                   DOMAIN("sleeping", "<test:runstate>7</test:runstate><test:transient/>")
                       "<network><name>n1</name></network>"
                       "<pool type='dir'><name>p1</name><target><path>/p1</path></target>"
                       "<volume><name>v1</name><capacity unit='M'>1</capacity><allocation unit='K'>4</allocation></volume><volume file='vol.xml'/></pool>"
                       "<device><name>dev1</name><capability type='system'/></device></node>");
    virConnectPtr conn = open_file("node.xml");
    CHECK(conn != NULL);
    if (!conn)
        return;
    virNodeInfo node;
    CHECK(virNodeGetInfo(conn, &node) == 0);
    CHECK(strcmp(node.model, "aarch64") == 0 && node.cpus == 2 && node.mhz == 3000 && node.memory == 4194304);
    CHECK(strcmp(virConnectGetType(conn), "TEST") == 0);
    char *uri = virConnectGetURI(conn);
    CHECK(uri && strstr(uri, "node.xml") != NULL);
    free(uri);

    struct {
        const char *name;
        int state, active, persistent;
    } want[] = {{"up", VIR_DOMAIN_RUNNING, 1, 1},
                {"held", VIR_DOMAIN_PAUSED, 1, 1},
                {"down", VIR_DOMAIN_SHUTOFF, 0, 1},
                {"sleeping", VIR_DOMAIN_PMSUSPENDED, 1, 0}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        virDomainPtr dom = virDomainLookupByName(conn, want[i].name);
        CHECK(dom != NULL);
        if (!dom)
            continue;
        int state = -1, reason = -1;
        CHECK(virDomainGetState(dom, &state, &reason, 0) == 0);
        CHECK(state == want[i].state && reason == 0);
        CHECK(virDomainIsActive(dom) == want[i].active);
        CHECK(virDomainIsPersistent(dom) == want[i].persistent);
        char *xml = virDomainGetXMLDesc(dom, 0);
        CHECK(xml && !strstr(xml, "test:") && !strstr(xml, "xmlns"));
        free(xml);
        virDomainFree(dom);
    }

    /* The history since revision 0 tells how the file's domains came to be, in order:
     * "held" is added, starts, then is suspended, never resumed before started. */
    virConnectEventStreamPtr stream =
        virConnectEventStreamOpen(conn, NULL, NULL, 0, VIR_CONNECT_EVENT_REGISTER_SINCE);
    CHECK(stream != NULL);
    const virConnectEvent *ev[64];
    int n = stream ? virConnectEventStreamRead(stream, ev, 64, 0) : -1;
    int held[3], k = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(ev[i]->domainName, "held") == 0 && k < 3)
            held[k++] = ev[i]->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE ? ev[i]->data.lifecycle.event : -ev[i]->eventID;
    CHECK(k == 3);
    CHECK(k == 3 && held[0] == -VIR_DOMAIN_EVENT_ID_EXISTENCE && held[1] == VIR_DOMAIN_EVENT_STARTED &&
          held[2] == VIR_DOMAIN_EVENT_SUSPENDED);
    if (stream)
        virConnectEventStreamClose(stream);

    virNetworkPtr net = virNetworkLookupByName(conn, "n1");
    CHECK(net && virNetworkIsActive(net) == 1);
    if (net)
        virNetworkFree(net);
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "p1");
    char *pool_xml = pool ? virStoragePoolGetXMLDesc(pool, 0) : NULL;
    CHECK(pool_xml && strstr(pool_xml, "<allocation unit='bytes'>8392704</allocation>"));
    free(pool_xml);
    if (pool)
        virStoragePoolFree(pool);
    virNodeDevicePtr dev = virNodeDeviceLookupByName(conn, "dev1");
    CHECK(dev != NULL);
    if (dev)
        virNodeDeviceFree(dev);

    /* A second connection reads the file again: a private copy. */
    virConnectPtr other = open_file("node.xml");
    virDomainPtr up = virDomainLookupByName(conn, "up");
    CHECK(up && virDomainDestroy(up) == 0);
    virDomainPtr up2 = other ? virDomainLookupByName(other, "up") : NULL;
    CHECK(up2 && virDomainIsActive(up2) == 1);
    if (up)
        virDomainFree(up);
    if (up2)
        virDomainFree(up2);
    if (other)
        virConnectClose(other);
    virConnectClose(conn);
}

static void expect_refused(const char *name, int code)
{
    virResetLastError();
    virConnectPtr conn = open_file(name);
    CHECK(conn == NULL);
    if (conn) {
        fprintf(stderr, "%s opened\n", name);
        virConnectClose(conn);
        return;
    }
    EXPECT_ERROR(code);
}

static void test_broken_files_are_refused(void)
{
    expect_refused("absent.xml", VIR_ERR_XML_ERROR);
    expect_refused("", VIR_ERR_XML_ERROR); /* the directory itself */
    write_file("root.xml", "<domain type='test'/>");
    expect_refused("root.xml", VIR_ERR_XML_ERROR);
    write_file("cut.xml", "<node><network><name>x</name>");
    expect_refused("cut.xml", VIR_ERR_XML_ERROR);
    write_file("cpu.xml", "<node><cpu><cores>-1</cores></cpu></node>");
    expect_refused("cpu.xml", VIR_ERR_XML_ERROR);
    write_file("ref.xml", "<node><domain file='node.xml'/></node>"); /* a <node> where a <domain> goes */
    expect_refused("ref.xml", VIR_ERR_XML_ERROR);
    write_file("state.xml", "<node>" DOMAIN("a", "<test:runstate>x</test:runstate>") "</node>");
    expect_refused("state.xml", VIR_ERR_XML_ERROR);
    write_file("unknown.xml", "<node>" DOMAIN("a", "<test:bogus/>") "</node>");
    expect_refused("unknown.xml", VIR_ERR_XML_ERROR);
    write_file("twice.xml", "<node><network><name>n</name></network><network><name>n</name></network></node>");
    expect_refused("twice.xml", VIR_ERR_OPERATION_FAILED);
    write_file("auth.xml", "<node><auth><user password='x'>admin</user></auth></node>");
    expect_refused("auth.xml", VIR_ERR_CONFIG_UNSUPPORTED);
    write_file("snapshot.xml", "<node>" DOMAIN("a", "<test:domainsnapshot/>") "</node>");
    expect_refused("snapshot.xml", VIR_ERR_CONFIG_UNSUPPORTED);

    /* Larger than a document may be: refused without reading it all. */
    char path[256];
    snprintf(path, sizeof path, "%s/huge.xml", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("<node>", f);
        for (int i = 0; i < 6 * 1024; i++)
            fprintf(f, "<!-- %1010d -->", i);
        fputs("</node>", f);
        fclose(f);
    }
    expect_refused("huge.xml", VIR_ERR_XML_ERROR);

    virResetLastError();
    CHECK(virConnectOpen("test://relative.xml") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_CONNECT);
}

int main(void)
{
    harness_init();
    harness_watchdog(60);
    CHECK(mkdtemp(dir) != NULL);
    RUN(test_the_file_is_the_hypervisor);
    RUN(test_broken_files_are_refused);
    const char *files[] = {"vol.xml", "node.xml", "root.xml", "cut.xml", "cpu.xml", "ref.xml", "state.xml",
                           "unknown.xml", "twice.xml", "auth.xml", "snapshot.xml", "huge.xml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return harness_exit();
}
