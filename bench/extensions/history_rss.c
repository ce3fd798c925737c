/* Memory stays flat: a million events through a small event history with no watcher, then
 * with a watch that falls behind (it expires rather than hold the backlog). Prints peak RSS
 * (VmHWM) before and after each phase. virtevent only: the history is an extension. */
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

static void once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static int expired;
static void on_event(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    (void)d;
    (void)opaque;
    expired += ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED;
}

int main(int argc, char **argv)
{
    long events = argc > 1 ? atol(argv[1]) : 1000000;
    virEventRegisterDefaultImpl();
    virConnectPtr conn = virConnectOpen("test:///empty");
    virConnectSetEventHistorySize(conn, 256);
    virDomainPtr d = virDomainCreateXML(conn,
                                        "<domain type='test'><name>rss</name><memory>1024</memory>"
                                        "<os><type>hvm</type></os></domain>",
                                        0);
    if (!conn || !d)
        return 1;
    /* warm up, so that the baseline includes the library's steady state */
    for (int i = 0; i < 1000; i++) {
        virDomainSuspend(d);
        virDomainResume(d);
    }
    long before = peak_rss_kib();
    for (long i = 0; i < events / 2; i++) {
        virDomainSuspend(d);
        virDomainResume(d);
    }
    long after = peak_rss_kib();
    printf("no watcher:       %ld events, history 256: peak RSS %ld KiB before, %ld KiB after (%+ld KiB)\n", events,
           before, after, after - before);

    unsigned long long version = 0;
    virConnectListAllDomainsVersioned(conn, NULL, &version, 0);
    virConnectEventRegisterSince(conn, NULL, NULL, version, on_event, NULL, NULL);
    before = peak_rss_kib();
    for (long i = 0; i < events / 2; i++) {
        virDomainSuspend(d);
        virDomainResume(d);
    }
    virEventAddTimeout(0, once, NULL, NULL);
    virEventRunDefaultImpl();
    after = peak_rss_kib();
    printf("undispatched watch: %ld events, history 256: peak RSS %ld KiB before, %ld KiB after (%+ld KiB), expired %d\n",
           events, before, after, after - before, expired);
    virDomainDestroy(d);
    virDomainFree(d);
    virConnectClose(conn);
    return 0;
}
