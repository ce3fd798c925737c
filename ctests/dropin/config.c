/* A libvirt program, built against the real libvirt's headers and -lvirt, that opens the
 * test-driver configuration files in ctests/dropin/config/ (test:///ABSOLUTE/PATH.xml) and prints
 * what it finds: the host, the domains with their state, the networks and pools, what a few
 * changes emit, and how broken files are refused. Run from the repository's top directory on
 * libvirt 9.0 and on virtevent's libvirt.so.0, the two outputs must be equal. */
#include "dropin.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    printf("%s: event %s %d %d\n", (const char *)opaque, virDomainGetName(dom), event, detail);
    return 0;
}

static char *uri_of(const char *file)
{
    char path[PATH_MAX];
    if (!realpath(file, path)) {
        printf("%s: missing fixture\n", file);
        exit(1);
    }
    char *uri = malloc(strlen(path) + 8);
    sprintf(uri, "test://%s", path);
    return uri;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(virDomainGetName(*(virDomainPtr const *)a), virDomainGetName(*(virDomainPtr const *)b));
}

static int network_by_name(const void *a, const void *b)
{
    return strcmp(virNetworkGetName(*(virNetworkPtr const *)a), virNetworkGetName(*(virNetworkPtr const *)b));
}

static void print_size(const char *xml, const char *element)
{
    const char *at = strstr(xml, element);
    const char *value = at ? strchr(at, '>') : NULL;
    printf(" %s=", element + 1);
    for (value = value ? value + 1 : ""; *value && *value != '<'; value++)
        putchar(*value);
}

static void print_host(virConnectPtr conn)
{
    virNodeInfo node;
    if (virNodeGetInfo(conn, &node) == 0)
        printf("node %s %lu KiB %u cpus %u MHz %u nodes %u sockets %u cores %u threads\n", node.model,
               node.memory, node.cpus, node.mhz, node.nodes, node.sockets, node.cores, node.threads);
    char *caps = virConnectGetCapabilities(conn);
    printf("capabilities %s NUMA cells\n", caps && strstr(caps, "<cells num='0'>") ? "without" : "with");
    free(caps);
}

static void print_domains(virConnectPtr conn)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    qsort(doms, n, sizeof(*doms), by_name);
    for (int i = 0; i < n; i++) {
        int state = -1, reason = -1;
        virDomainInfo info;
        char uuid[VIR_UUID_STRING_BUFLEN];
        virDomainGetState(doms[i], &state, &reason, 0);
        virDomainGetInfo(doms[i], &info);
        virDomainGetUUIDString(doms[i], uuid);
        char *xml = virDomainGetXMLDesc(doms[i], 0);
        printf("domain %s %s id %d state %d/%d active %d persistent %d managedsave %d memory %lu vcpus %u%s\n",
               virDomainGetName(doms[i]), uuid, virDomainGetID(doms[i]), state, reason, virDomainIsActive(doms[i]),
               virDomainIsPersistent(doms[i]), virDomainHasManagedSaveImage(doms[i], 0), info.maxMem,
               info.nrVirtCpu, xml && strstr(xml, "test:") ? " (test namespace in XML)" : "");
        free(xml);
        virDomainFree(doms[i]);
    }
    free(doms);
}

static void print_objects(virConnectPtr conn)
{
    virNetworkPtr *nets = NULL;
    int n = virConnectListAllNetworks(conn, &nets, 0);
    qsort(nets, n, sizeof(*nets), network_by_name);
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        virNetworkGetUUIDString(nets[i], uuid);
        printf("network %s %s active %d persistent %d\n", virNetworkGetName(nets[i]), uuid,
               virNetworkIsActive(nets[i]), virNetworkIsPersistent(nets[i]));
        virNetworkFree(nets[i]);
    }
    free(nets);
    virStoragePoolPtr *pools = NULL;
    n = virConnectListAllStoragePools(conn, &pools, 0);
    for (int i = 0; i < n; i++) {
        char *xml = virStoragePoolGetXMLDesc(pools[i], 0);
        printf("pool %s active %d", virStoragePoolGetName(pools[i]), virStoragePoolIsActive(pools[i]));
        print_size(xml, "<capacity");
        print_size(xml, "<allocation");
        print_size(xml, "<available");
        printf("%s\n", strstr(xml, "<volume") ? " (volumes in XML)" : "");
        free(xml);
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    virNodeDevicePtr *devices = NULL;
    n = virConnectListAllNodeDevices(conn, &devices, 0);
    printf("node devices %d\n", n);
    for (int i = 0; i < n; i++)
        virNodeDeviceFree(devices[i]);
    free(devices);
}

int main(void)
{
    virSetErrorFunc(NULL, quiet);
    virEventRegisterDefaultImpl();
    char *uri = uri_of("ctests/dropin/config/node.xml");
    virConnectPtr first = virConnectOpen(uri);
    virConnectPtr second = virConnectOpen(uri);
    if (!first || !second) {
        printf("cannot open the configuration\n");
        return 1;
    }
    const char *type = virConnectGetType(first);
    printf("type %s\n", type ? type : "?");
    print_host(first);
    print_domains(first);
    print_objects(first);

    virConnectDomainEventRegister(first, on_lifecycle, "first", NULL);
    virConnectDomainEventRegister(second, on_lifecycle, "second", NULL);
    virDomainPtr batch = virDomainLookupByName(first, "batch");
    virDomainPtr spare = virDomainLookupByName(first, "spare");
    report("resume batch", virDomainResume(batch));
    report("destroy batch", virDomainDestroy(batch));
    report("undefine spare", virDomainUndefine(spare));
    report("start spare", virDomainCreate(spare));
    report("spare managed save after start", virDomainHasManagedSaveImage(spare, 0));
    settle();
    printf("-- first, after the changes\n");
    print_domains(first);
    printf("-- second: its own copy of the configuration\n");
    print_domains(second);
    virDomainFree(batch);
    virDomainFree(spare);
    virConnectDomainEventDeregister(first, on_lifecycle);
    virConnectDomainEventDeregister(second, on_lifecycle);
    virConnectClose(first);
    virConnectClose(second);
    free(uri);

    /* libvirt's XML parser writes its own warnings about unreadable files to stderr. */
    if (!freopen("/dev/null", "w", stderr))
        return 1;
    const char *broken[] = {"missing", "bad-root", "bad-cpu", "bad-ref", "bad-state", "bad-dup"};
    for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++) {
        char path[PATH_MAX];
        /* realpath() of the directory: one of the files does not exist. */
        if (!realpath("ctests/dropin/config", path))
            return 1;
        char full[PATH_MAX + 160];
        snprintf(full, sizeof(full), "test://%s/%s.xml", path, broken[i]);
        virConnectPtr conn = virConnectOpen(full);
        virErrorPtr err = virGetLastError();
        printf("open %s: %s", broken[i], conn ? "opened" : "refused");
        if (!conn && err)
            printf(" (error code %d domain %d)", err->code, err->domain);
        printf("\n");
        if (conn)
            virConnectClose(conn);
    }
    return 0;
}
