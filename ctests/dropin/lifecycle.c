/* A libvirt program, built against the real libvirt's headers and -lvirt, that prints what it
 * sees of a scripted session on test:///default: run on libvirt 9.0 and on virtevent's
 * libvirt.so.0 (LD_LIBRARY_PATH), the two outputs must be equal. Differences documented in the
 * README (wrong-state errors are OPERATION_INVALID here, INTERNAL_ERROR in libvirt's test
 * driver) are left out. */
#include "dropin.h"
#include <stdio.h>
#include <stdlib.h>

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)opaque;
    printf("event %s %d %d\n", virDomainGetName(dom), event, detail);
    return 0;
}

int main(void)
{
    virSetErrorFunc(NULL, quiet);
    virEventRegisterDefaultImpl();
    virConnectPtr conn = virConnectOpen("test:///default");
    if (!conn)
        return 1;
    unsigned long version = 0;
    virConnectGetLibVersion(conn, &version);
    char *uri = virConnectGetURI(conn);
    printf("uri %s libversion %lu alive %d\n", uri, version, virConnectIsAlive(conn));
    free(uri);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
    report("register", id >= 0 ? 0 : -1);
    virDomainPtr dom = virDomainDefineXML(conn, "<domain type='test'><name>dropin</name><memory>1024</memory>"
                                                "<os><type>hvm</type></os></domain>");
    report("define", dom ? 0 : -1);
    report("create", virDomainCreate(dom));
    report("suspend", virDomainSuspend(dom));
    int state = -1, reason = -1;
    virDomainGetState(dom, &state, &reason, 0);
    printf("state %d %d persistent %d active %d\n", state, reason, virDomainIsPersistent(dom), virDomainIsActive(dom));
    report("resume", virDomainResume(dom));
    report("destroy", virDomainDestroy(dom));
    report("undefine", virDomainUndefine(dom));
    virDomainFree(dom);
    report("lookup missing", virDomainLookupByName(conn, "dropin") ? 0 : -1);
    report("lookup NULL name", virDomainLookupByName(conn, NULL) ? 0 : -1);
    report("lookup on NULL connection", virDomainLookupByName(NULL, "test") ? 0 : -1);
    report("name of NULL domain", virDomainGetName(NULL) ? 0 : -1);
    report("register unknown event", virConnectDomainEventRegisterAny(conn, NULL, 999, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL));
    report("deregister unknown callback", virConnectDomainEventDeregisterAny(conn, 999));
    report("keepalive", virConnectSetKeepAlive(conn, 5, 3));
    report("close NULL", virConnectClose(NULL));
    printf("type %s\n", virConnectGetType(conn));
    printf("running %d\n", virConnectNumOfDomains(conn));
    settle();
    report("deregister", virConnectDomainEventDeregisterAny(conn, id));
    report("close", virConnectClose(conn));
    return 0;
}
