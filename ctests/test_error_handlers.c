/* Error handlers: an error raised by a call on a connection goes to that connection's
 * virConnSetErrorFunc handler, other errors to the virSetErrorFunc one, each exactly once, and
 * a handler may call the API itself. */
#include "harness.h"

static int global_calls, conn_calls, nested_ok;
static virConnectPtr handler_conn;

static void on_global(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
    global_calls++;
}

static void on_conn(void *opaque, virErrorPtr err)
{
    CHECK(opaque == (void *)&conn_calls);
    CHECK(err && err->code == VIR_ERR_OPERATION_INVALID);
    conn_calls++;
    /* The API from inside the handler works (and, as in libvirt, resets the last error). */
    nested_ok = virConnectNumOfDomains(handler_conn) >= 0;
}

static void test_errors_reach_their_connections_handler(void)
{
    virSetErrorFunc(NULL, on_global);
    virConnectPtr with = virConnectOpen("test:///empty");
    virConnectPtr without = virConnectOpen("test:///empty");
    handler_conn = with;
    virConnSetErrorFunc(with, &conn_calls, on_conn);
    const char *xml = "<domain type='test'><name>h</name><memory>1024</memory><os><type>hvm</type></os></domain>";
    virDomainPtr a = virDomainDefineXML(with, xml);
    virDomainPtr b = virDomainDefineXML(without, xml);
    CHECK(a && b);

    CHECK(virDomainSuspend(a) == -1); /* not running: the connection's handler */
    CHECK(conn_calls == 1 && global_calls == 0 && nested_ok);
    CHECK(virDomainSuspend(b) == -1); /* the other connection: the global handler */
    CHECK(conn_calls == 1 && global_calls == 1);
    CHECK(virDomainSuspend(NULL) == -1); /* no connection at all: the global handler */
    CHECK(conn_calls == 1 && global_calls == 2);

    virConnSetErrorFunc(with, NULL, NULL);
    CHECK(virDomainSuspend(a) == -1);
    CHECK(conn_calls == 1 && global_calls == 3);

    virDomainUndefine(a);
    virDomainUndefine(b);
    virDomainFree(a);
    virDomainFree(b);
    virConnectClose(with);
    virConnectClose(without);
    virSetErrorFunc(NULL, harness_quiet);
}

int main(void)
{
    harness_init();
    harness_watchdog(30);
    RUN(test_errors_reach_their_connections_handler);
    return harness_exit();
}
