/* The call-to-callback probe the latency programs share (latency.c, qemu.c): the caller stamps
 * `stamp_ns` just before a suspend or resume, the lifecycle callback records how long after the
 * stamp it ran, and `run_loop` runs the default event loop on a thread of the program's until
 * `loop_stop` is set. Include after defining MAX_SAMPLES. */
#ifndef VIRTEVENT_BENCH_PROBE_H
#define VIRTEVENT_BENCH_PROBE_H

#include "bench.h"

#include <stdatomic.h>

static atomic_llong stamp_ns;
static atomic_long arrived;
static long long *samples;
static atomic_int loop_stop;

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)dom;
    (void)detail;
    (void)opaque;
    if (event != VIR_DOMAIN_EVENT_SUSPENDED && event != VIR_DOMAIN_EVENT_RESUMED)
        return 0;
    long long delay = now_ns() - atomic_load(&stamp_ns);
    long n = atomic_load(&arrived);
    if (n < MAX_SAMPLES)
        samples[n] = delay;
    atomic_store(&arrived, n + 1);
    return 0;
}

static void *run_loop(void *arg)
{
    (void)arg;
    while (!atomic_load(&loop_stop))
        BENCH_MUST(virEventRunDefaultImpl() == 0);
    return NULL;
}

static void wake_once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

#endif
