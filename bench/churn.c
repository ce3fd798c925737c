/* churn: one domain, one lifecycle callback, suspend/resume pairs, the event loop run once every
 * 100 operations. Reports delivered events per second, end to end (the operations, the loop
 * runs and the callbacks). Usage: churn [seconds] */
#include "bench.h"


static long delivered;

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)dom;
    (void)event;
    (void)detail;
    (void)opaque;
    delivered++;
    return 0;
}

/* 100 operations (50 suspend/resume pairs), then one loop iteration. */
static void round_of_100(virDomainPtr dom)
{
    for (int i = 0; i < 50; i++) {
        BENCH_MUST(virDomainSuspend(dom) == 0);
        BENCH_MUST(virDomainResume(dom) == 0);
    }
    BENCH_MUST(virEventRunDefaultImpl() == 0);
}

/* Runs the loop until every event caused so far has been delivered; a queued event keeps the
 * loop's flush timer at 0, so none of these iterations blocks. */
static void drain(long expected)
{
    while (delivered < expected)
        BENCH_MUST(virEventRunDefaultImpl() == 0);
}

int main(int argc, char **argv)
{
    double seconds = seconds_arg(argc, argv, 1);
    bench_watchdog(120);
    BENCH_MUST(virEventRegisterDefaultImpl() == 0);
    virConnectPtr conn = virConnectOpen("test:///default");
    BENCH_MUST(conn != NULL);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    BENCH_MUST(dom != NULL);
    BENCH_MUST(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, BENCH_CB(on_lifecycle),
                                                NULL, NULL) >= 0);

    for (int i = 0; i < 20; i++)
        round_of_100(dom);
    drain(2000);
    delivered = 0;

    long operations = 0;
    double start = now_s();
    do {
        round_of_100(dom);
        operations += 100;
    } while (now_s() - start < seconds);
    drain(operations);
    double elapsed = now_s() - start;
    if (delivered != operations) {
        fprintf(stderr, "churn: %ld events delivered for %ld operations\n", delivered, operations);
        return 1;
    }
    printf("RESULT churn 1 events_per_s=%.0f events=%ld seconds=%.3f\n", delivered / elapsed, delivered, elapsed);
    virDomainFree(dom);
    virConnectClose(conn);
    return 0;
}
