/* register: virConnectDomainEventRegisterAny + virConnectDomainEventDeregisterAny pairs while D
 * other callbacks (one domain-filtered lifecycle callback for each of D defined domains) stay
 * registered. Reports pairs per second. Usage: register D [seconds] */
#include "bench.h"


static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)dom;
    (void)event;
    (void)detail;
    (void)opaque;
    return 0;
}

/* The measured registration has no domain filter, so it is not a duplicate of the others. */
static void pairs(virConnectPtr conn, int count)
{
    for (int i = 0; i < count; i++) {
        int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  BENCH_CB(on_lifecycle), NULL, NULL);
        BENCH_MUST(id >= 0);
        BENCH_MUST(virConnectDomainEventDeregisterAny(conn, id) == 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || atoi(argv[1]) < 0) {
        fprintf(stderr, "usage: register OTHERS [seconds]\n");
        return 2;
    }
    int others = atoi(argv[1]);
    double seconds = seconds_arg(argc, argv, 2);
    bench_watchdog(240);
    BENCH_MUST(virEventRegisterDefaultImpl() == 0);
    virConnectPtr conn = virConnectOpen("test:///default");
    BENCH_MUST(conn != NULL);
    virDomainPtr *doms = define_domains(conn, "register", others, 0);
    for (int i = 0; i < others; i++)
        BENCH_MUST(virConnectDomainEventRegisterAny(conn, doms[i], VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                    BENCH_CB(on_lifecycle), NULL, NULL) >= 0);
    pairs(conn, 1000);

    long done = 0;
    double start = now_s();
    do {
        pairs(conn, 100);
        done += 100;
    } while (now_s() - start < seconds);
    double elapsed = now_s() - start;
    printf("RESULT register %d pairs_per_s=%.0f pairs=%ld seconds=%.3f\n", others, done / elapsed, done, elapsed);
    return 0;
}
