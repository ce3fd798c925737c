/* latency: one thread runs the event loop, the main thread suspends/resumes domain "test",
 * stamping the time just before each call; the callback records how long after the stamp it
 * ran. One event at a time: the next call waits until the previous event has arrived.
 * Reports p50, p99 and max in microseconds.
 *
 * Usage: latency loop [seconds]    a thread of ours loops on virEventRunDefaultImpl
 *        latency thread [seconds]  virtevent's virEventRegisterThreadImpl runs the loop
 *                                  (libvirt has no such mode: reported as unsupported) */
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>

#define MAX_SAMPLES 400000
#define WARMUP 2000

#include "probe.h"

/* One operation, then a busy wait (the loop thread has the other core) for its event. */
static void one_event(virDomainPtr dom, long n)
{
    atomic_store(&stamp_ns, now_ns());
    if (n % 2 == 0)
        BENCH_MUST(virDomainSuspend(dom) == 0);
    else
        BENCH_MUST(virDomainResume(dom) == 0);
    while (atomic_load(&arrived) <= n) {
    }
}

int main(int argc, char **argv)
{
    int thread_mode = argc > 1 && strcmp(argv[1], "thread") == 0;
    if (argc < 2 || (!thread_mode && strcmp(argv[1], "loop") != 0)) {
        fprintf(stderr, "usage: latency loop|thread [seconds]\n");
        return 2;
    }
    double seconds = seconds_arg(argc, argv, 2);
    bench_watchdog(120);
    samples = calloc(MAX_SAMPLES, sizeof *samples);
    BENCH_MUST(samples != NULL);
    pthread_t loop_thread;
    if (thread_mode) {
#ifdef VIRTEVENT_H
        BENCH_MUST(virEventRegisterThreadImpl() == 0);
#else
        printf("RESULT latency thread unsupported\n");
        return 0;
#endif
    } else {
        BENCH_MUST(virEventRegisterDefaultImpl() == 0);
    }
    virConnectPtr conn = virConnectOpen("test:///default");
    BENCH_MUST(conn != NULL);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    BENCH_MUST(dom != NULL);
    BENCH_MUST(virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE, BENCH_CB(on_lifecycle), NULL,
                                                NULL) >= 0);
    if (!thread_mode)
        BENCH_MUST(pthread_create(&loop_thread, NULL, run_loop, NULL) == 0);

    long n = 0;
    for (; n < WARMUP; n++)
        one_event(dom, n);
    atomic_store(&arrived, 0);
    long measured = 0;
    double start = now_s();
    while (measured < MAX_SAMPLES && (measured % 1000 != 0 || now_s() - start < seconds)) {
        one_event(dom, measured);
        measured++;
    }

    qsort(samples, (size_t)measured, sizeof *samples, cmp_ll);
    printf("RESULT latency %s p50_us=%.2f p99_us=%.2f max_us=%.2f samples=%ld\n", thread_mode ? "thread" : "loop",
           samples[measured / 2] / 1e3, samples[measured * 99 / 100] / 1e3, samples[measured - 1] / 1e3, measured);

    if (!thread_mode) {
        atomic_store(&loop_stop, 1);
        virEventAddTimeout(0, wake_once, NULL, NULL);
        pthread_join(loop_thread, NULL);
    }
    virDomainFree(dom);
    virConnectClose(conn);
    free(samples);
    return 0;
}
