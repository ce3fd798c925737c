/* A short scripted life of a few domains on test:///default, printing one line per event as
 * `virsh event --all --loop` does. Written against libvirt's API only. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

static const char *event_names[] = {"Defined", "Undefined", "Started", "Suspended", "Resumed",
                                    "Stopped", "Shutdown", "PMSuspended", "Crashed"};

static const char *detail_name(int event, int detail)
{
    static const char *defined[] = {"Added", "Updated", "Renamed", "Snapshot"};
    static const char *undefined[] = {"Removed", "Renamed"};
    static const char *started[] = {"Booted", "Migrated", "Restored", "Snapshot", "Event wakeup"};
    static const char *suspended[] = {"Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot",
                                      "API error", "Post-copy", "Post-copy Error"};
    static const char *resumed[] = {"Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"};
    static const char *stopped[] = {"Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot"};
    static const char *shutdown[] = {"Finished", "Finished after guest request", "Finished after host request"};
    const char **table = NULL;
    int n = 0;
#define PICK(t) do { table = t; n = (int)(sizeof(t) / sizeof(t[0])); } while (0)
    switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: PICK(defined); break;
    case VIR_DOMAIN_EVENT_UNDEFINED: PICK(undefined); break;
    case VIR_DOMAIN_EVENT_STARTED: PICK(started); break;
    case VIR_DOMAIN_EVENT_SUSPENDED: PICK(suspended); break;
    case VIR_DOMAIN_EVENT_RESUMED: PICK(resumed); break;
    case VIR_DOMAIN_EVENT_STOPPED: PICK(stopped); break;
    case VIR_DOMAIN_EVENT_SHUTDOWN: PICK(shutdown); break;
    }
#undef PICK
    return table && detail >= 0 && detail < n ? table[detail] : "unknown";
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)opaque;
    const char *name = event >= 0 && event < (int)(sizeof(event_names) / sizeof(event_names[0]))
                           ? event_names[event] : "unknown";
    printf("event 'lifecycle' for domain '%s': %s %s\n", virDomainGetName(dom), name, detail_name(event, detail));
    return 0;
}

static void on_reboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    (void)conn;
    (void)opaque;
    printf("event 'reboot' for domain '%s'\n", virDomainGetName(dom));
}

static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type, const char *nsuri, void *opaque)
{
    (void)conn;
    (void)opaque;
    printf("event 'metadata-change' for domain '%s': type %d, nsuri %s\n", virDomainGetName(dom), type,
           nsuri ? nsuri : "(none)");
}

static void once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

/* One turn of the loop that cannot block (a timer due now), delivering what is queued. */
static void run_loop(void)
{
    virEventAddTimeout(0, once, NULL, NULL);
    virEventRunDefaultImpl();
}

/* Failures are printed by STEP itself, not by libvirt's default error printer. */
static void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

#define STEP(what, call)                                                          \
    do {                                                                          \
        printf("-- %s\n", what);                                                  \
        if ((call) < 0)                                                           \
            printf("   failed: %s\n", virGetLastErrorMessage());                  \
        run_loop();                                                               \
    } while (0)

int main(void)
{
    const char *xml =
        "<domain type='test'><name>demo-vm</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os></domain>";
    const char *transient_xml =
        "<domain type='test'><name>demo-transient</name><memory unit='MiB'>256</memory>"
        "<os><type>hvm</type></os></domain>";

    virSetErrorFunc(NULL, quiet);
    virEventRegisterDefaultImpl();
    virConnectPtr conn = virConnectOpen("test:///default");
    if (!conn) {
        fprintf(stderr, "cannot open test:///default: %s\n", virGetLastErrorMessage());
        return 1;
    }
    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_reboot), NULL, NULL);
    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_metadata), NULL, NULL);

    virDomainPtr vm = NULL;
    printf("-- define demo-vm\n");
    vm = virDomainDefineXML(conn, xml);
    run_loop();
    STEP("start demo-vm paused", virDomainCreateWithFlags(vm, VIR_DOMAIN_START_PAUSED));
    STEP("resume demo-vm", virDomainResume(vm));
    STEP("set its title", virDomainSetMetadata(vm, VIR_DOMAIN_METADATA_TITLE, "Demo", NULL, NULL, 0));
    STEP("reboot demo-vm", virDomainReboot(vm, 0));
    STEP("shut demo-vm down", virDomainShutdown(vm));
    STEP("undefine demo-vm", virDomainUndefine(vm));
    virDomainFree(vm);

    printf("-- boot transient demo-transient\n");
    virDomainPtr t = virDomainCreateXML(conn, transient_xml, 0);
    run_loop();
    STEP("suspend it", virDomainSuspend(t));
    STEP("destroy it", virDomainDestroy(t));
    virDomainFree(t);

    virDomainPtr test = virDomainLookupByName(conn, "test");
    STEP("suspend the built-in 'test'", virDomainSuspend(test));
    STEP("suspend it again (refused)", virDomainSuspend(test));
    STEP("resume it", virDomainResume(test));
    virDomainFree(test);

    virConnectClose(conn);
    return 0;
}
