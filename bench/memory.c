/* memory: peak resident set size with N items, for the driver to subtract the same program's
 * figure with N = 0 (the empty-process baseline) and divide by N.
 *
 * Usage: memory callbacks N   N domain-filtered lifecycle callbacks, spread over 100 distinct
 *                             callback functions and 1,000 defined domains (both libraries
 *                             refuse a second registration of the same function for the same
 *                             domain); the 1,000 domains are defined for N = 0 too.
 *        memory domains N     N defined (inactive) domains.
 * Domain handles are freed as soon as they are no longer needed, so that the figure is the
 * library's own records (the 1,000 filter domains' handles are in the baseline too). */
#include "bench.h"


#define FILTER_DOMAINS 1000
#define FUNCTIONS 100

/* FUNCTIONS distinct callbacks: each returns its own number, so none can be folded into another. */
#define CALLBACK_FN(n)                                                                            \
    static int cb_##n(virConnectPtr c, virDomainPtr d, int e, int det, void *o)                   \
    {                                                                                             \
        (void)c;                                                                                  \
        (void)d;                                                                                  \
        (void)e;                                                                                  \
        (void)det;                                                                                \
        (void)o;                                                                                  \
        return n;                                                                                 \
    }
#define TEN_FNS(t)                                                                                \
    CALLBACK_FN(t##0) CALLBACK_FN(t##1) CALLBACK_FN(t##2) CALLBACK_FN(t##3) CALLBACK_FN(t##4)     \
    CALLBACK_FN(t##5) CALLBACK_FN(t##6) CALLBACK_FN(t##7) CALLBACK_FN(t##8) CALLBACK_FN(t##9)
TEN_FNS(1) TEN_FNS(2) TEN_FNS(3) TEN_FNS(4) TEN_FNS(5) TEN_FNS(6) TEN_FNS(7) TEN_FNS(8) TEN_FNS(9)
TEN_FNS(10)
#define TEN_PTRS(t) cb_##t##0, cb_##t##1, cb_##t##2, cb_##t##3, cb_##t##4, cb_##t##5, cb_##t##6, \
                    cb_##t##7, cb_##t##8, cb_##t##9
typedef int (*lifecycle_fn)(virConnectPtr, virDomainPtr, int, int, void *);
static const lifecycle_fn functions[FUNCTIONS] = {
    TEN_PTRS(1), TEN_PTRS(2), TEN_PTRS(3), TEN_PTRS(4), TEN_PTRS(5),
    TEN_PTRS(6), TEN_PTRS(7), TEN_PTRS(8), TEN_PTRS(9), TEN_PTRS(10),
};

/* The peak resident set size of this process image (VmHWM). getrusage's ru_maxrss is not used:
 * Linux carries the parent's peak across fork and exec into it, so a big parent (the Python
 * driver) would inflate the baseline. */
static long peak_rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    BENCH_MUST(f != NULL);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    BENCH_MUST(kib > 0);
    return kib;
}

static void free_domains(virDomainPtr *doms, int count)
{
    for (int i = 0; i < count; i++)
        virDomainFree(doms[i]);
    free(doms);
}

int main(int argc, char **argv)
{
    int callbacks = argc == 3 && strcmp(argv[1], "callbacks") == 0;
    if (argc != 3 || (!callbacks && strcmp(argv[1], "domains") != 0) || atoi(argv[2]) < 0 ||
        (callbacks && atoi(argv[2]) > FILTER_DOMAINS * FUNCTIONS)) {
        fprintf(stderr, "usage: memory callbacks|domains N (callbacks: N <= %d)\n", FILTER_DOMAINS * FUNCTIONS);
        return 2;
    }
    int n = atoi(argv[2]);
    bench_watchdog(240);
    BENCH_MUST(virEventRegisterDefaultImpl() == 0);
    virConnectPtr conn = virConnectOpen("test:///default");
    BENCH_MUST(conn != NULL);
    if (callbacks) {
        virDomainPtr *doms = define_domains(conn, "memory", FILTER_DOMAINS, 0);
        for (int i = 0; i < n; i++)
            BENCH_MUST(virConnectDomainEventRegisterAny(conn, doms[i % FILTER_DOMAINS], VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                        BENCH_CB(functions[i / FILTER_DOMAINS]), NULL, NULL) >= 0);
        free_domains(doms, FILTER_DOMAINS);
    } else {
        char xml[512];
        for (int i = 0; i < n; i++) {
            virDomainPtr dom = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "memory", i));
            BENCH_MUST(dom != NULL);
            virDomainFree(dom);
        }
    }
    printf("RESULT memory %s %d peak_rss_kib=%ld\n", argv[1], n, peak_rss_kib());
    return 0;
}
