/* fanout: D running domains with one domain-filtered lifecycle callback each; suspend/resume
 * round-robin over the domains (a pass suspends every domain, the next resumes them), the event
 * loop run once every 100 operations. Every event must reach exactly its domain's callback.
 * Reports delivered events per second. Usage: fanout D [seconds] */
#include "bench.h"


static long delivered;
static long misdelivered;
/* During the warm-up every callback checks that the event is its domain's; the timed part only
 * counts, so that the figure is the library's cost and not the check's. */
static int verifying = 1;

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)event;
    (void)detail;
    if (verifying && strcmp(virDomainGetName(dom), (const char *)opaque) != 0)
        misdelivered++;
    delivered++;
    return 0;
}

static int domains;
static long next_op;

static void one_operation(virDomainPtr *doms)
{
    long i = next_op % domains;
    if ((next_op / domains) % 2 == 0)
        BENCH_MUST(virDomainSuspend(doms[i]) == 0);
    else
        BENCH_MUST(virDomainResume(doms[i]) == 0);
    next_op++;
}

static void round_of_100(virDomainPtr *doms)
{
    for (int i = 0; i < 100; i++)
        one_operation(doms);
    BENCH_MUST(virEventRunDefaultImpl() == 0);
}

static void drain(long expected)
{
    while (delivered < expected)
        BENCH_MUST(virEventRunDefaultImpl() == 0);
}

int main(int argc, char **argv)
{
    if (argc < 2 || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: fanout DOMAINS [seconds]\n");
        return 2;
    }
    domains = atoi(argv[1]);
    double seconds = seconds_arg(argc, argv, 2);
    bench_watchdog(240);
    BENCH_MUST(virEventRegisterDefaultImpl() == 0);
    virConnectPtr conn = virConnectOpen("test:///default");
    BENCH_MUST(conn != NULL);
    virDomainPtr *doms = define_domains(conn, "fanout", domains, 1);
    char **names = calloc((size_t)domains, sizeof *names);
    BENCH_MUST(names != NULL);
    for (int i = 0; i < domains; i++) {
        names[i] = strdup(virDomainGetName(doms[i]));
        BENCH_MUST(virConnectDomainEventRegisterAny(conn, doms[i], VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                    BENCH_CB(on_lifecycle), names[i], NULL) >= 0);
    }

    /* Warm-up: one full suspend pass and one resume pass (at least 2,000 operations). */
    while (next_op < 2L * domains || next_op < 2000 || (next_op / domains) % 2 != 0)
        round_of_100(doms);
    drain(next_op);
    if (misdelivered != 0 || delivered != next_op) {
        fprintf(stderr, "fanout: %ld events delivered (%ld to the wrong callback) for %ld operations\n", delivered,
                misdelivered, next_op);
        return 1;
    }
    verifying = 0;
    delivered = 0;

    long operations = 0;
    double start = now_s();
    do {
        round_of_100(doms);
        operations += 100;
    } while (now_s() - start < seconds);
    drain(operations);
    double elapsed = now_s() - start;
    if (delivered != operations) {
        fprintf(stderr, "fanout: %ld events delivered for %ld operations\n", delivered, operations);
        return 1;
    }
    printf("RESULT fanout %d events_per_s=%.0f events=%ld seconds=%.3f\n", domains, delivered / elapsed, delivered,
           elapsed);
    return 0;
}
