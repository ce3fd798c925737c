/* qemu: the QEMU backend with real QEMU processes (machine 'none') under a temporary
 * qemu:///embed root. "start": virDomainCreateXML until it has returned (STARTED committed:
 * QEMU launched, its monitor connected, its CPUs running), then virDomainDestroy; reports the
 * start's p50 and p99 in milliseconds. "event": a thread of ours runs the event loop while the
 * main thread suspends and resumes one domain; each sample is from just before the call to its
 * lifecycle callback (the QMP round trip, QEMU's STOP/RESUME event, the commit and the
 * dispatch); p50 and p99 in microseconds. Without a usable backend (libvirt without its QEMU
 * driver set up for embedding, or no qemu-system-x86_64) the case is reported unsupported.
 *
 * Usage: qemu start|event [seconds] */
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>

#define MAX_SAMPLES 100000

#include "probe.h"

static const char XML[] = "<domain type='qemu'><name>bench</name><memory unit='MiB'>16</memory>"
                          "<os><type arch='x86_64' machine='none'>hvm</type></os></domain>";

int main(int argc, char **argv)
{
    int start_case = argc > 1 && strcmp(argv[1], "start") == 0;
    if (argc < 2 || (!start_case && strcmp(argv[1], "event") != 0)) {
        fprintf(stderr, "usage: qemu start|event [seconds]\n");
        return 2;
    }
    double seconds = seconds_arg(argc, argv, 2);
    bench_watchdog(120);
    samples = calloc(MAX_SAMPLES, sizeof *samples);
    BENCH_MUST(samples != NULL);
    char root[] = "/tmp/vqb-XXXXXX";
    BENCH_MUST(mkdtemp(root) != NULL);
    char uri[128], cleanup[128];
    snprintf(uri, sizeof uri, "qemu:///embed?root=%s", root);
    snprintf(cleanup, sizeof cleanup, "rm -rf %s", root);
    BENCH_MUST(virEventRegisterDefaultImpl() == 0);
    virSetErrorFunc(NULL, NULL);
    virConnectPtr conn = virConnectOpen(uri);
    virDomainPtr probe = conn ? virDomainCreateXML(conn, XML, 0) : NULL;
    if (!probe) {
        printf("RESULT qemu %s unsupported\n", argv[1]);
        fprintf(stderr, "qemu: %s\n", virGetLastErrorMessage());
        if (conn)
            virConnectClose(conn);
        return system(cleanup) == 0 ? 0 : 1;
    }

    long measured = 0;
    double began = now_s();
    if (start_case) {
        BENCH_MUST(virDomainDestroy(probe) == 0);
        virDomainFree(probe);
        /* At least 20 starts, whatever the time asked for. */
        while (measured < MAX_SAMPLES && (measured < 20 || now_s() - began < seconds)) {
            long long t = now_ns();
            virDomainPtr dom = virDomainCreateXML(conn, XML, 0);
            samples[measured++] = now_ns() - t;
            BENCH_MUST(dom != NULL);
            BENCH_MUST(virDomainDestroy(dom) == 0);
            virDomainFree(dom);
        }
    } else {
        pthread_t loop_thread;
        BENCH_MUST(virConnectDomainEventRegisterAny(conn, probe, VIR_DOMAIN_EVENT_ID_LIFECYCLE, BENCH_CB(on_lifecycle),
                                                    NULL, NULL) >= 0);
        BENCH_MUST(pthread_create(&loop_thread, NULL, run_loop, NULL) == 0);
        while (measured < MAX_SAMPLES && (measured % 100 != 0 || now_s() - began < seconds)) {
            atomic_store(&stamp_ns, now_ns());
            BENCH_MUST((measured % 2 ? virDomainResume(probe) : virDomainSuspend(probe)) == 0);
            while (atomic_load(&arrived) <= measured)
                usleep(10);
            measured++;
        }
        atomic_store(&loop_stop, 1);
        virEventAddTimeout(0, wake_once, NULL, NULL);
        pthread_join(loop_thread, NULL);
        BENCH_MUST(virDomainDestroy(probe) == 0);
        virDomainFree(probe);
    }
    qsort(samples, (size_t)measured, sizeof *samples, cmp_ll);
    double p50 = samples[measured / 2], p99 = samples[measured * 99 / 100];
    if (start_case)
        printf("RESULT qemu start p50_ms=%.2f p99_ms=%.2f samples=%ld\n", p50 / 1e6, p99 / 1e6, measured);
    else
        printf("RESULT qemu event p50_us=%.2f p99_us=%.2f samples=%ld\n", p50 / 1e3, p99 / 1e3, measured);
    virConnectClose(conn);
    free(samples);
    return system(cleanup) == 0 ? 0 : 1;
}
