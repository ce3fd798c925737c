/* Shared helpers for the benchmark programs. They are written against libvirt's public API only,
 * so each builds unchanged against libvirt (-lvirt) and against virtevent (-lvirtevent);
 * virtevent's extensions are used only under #ifdef VIRTEVENT_H. Each program prints one line
 * "RESULT <case> <size> <metric>=<value> ..." that bench/run.py collects. */
#ifndef BENCH_H
#define BENCH_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Casts any domain event callback for virConnectDomainEventRegisterAny; the detour through
 * void (*)(void) keeps -Wcast-function-type quiet with either header. */
#define BENCH_CB(cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

/* How long a timed measurement runs, in seconds (argv may override it). */
#define BENCH_DEFAULT_SECONDS 0.5

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Stops the benchmark with the library's own explanation of a failed call. */
#define BENCH_MUST(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #cond,          \
                    virGetLastErrorMessage());                                            \
            exit(1);                                                                      \
        }                                                                                 \
    } while (0)

/* A lost event would leave a program waiting for it forever; SIGALRM's default action ends the
 * program instead, and run.py reports the failure. */
static inline void bench_watchdog(unsigned seconds)
{
    alarm(seconds);
}

static inline double seconds_arg(int argc, char **argv, int index)
{
    return argc > index ? atof(argv[index]) : BENCH_DEFAULT_SECONDS;
}

/* The same minimal persistent domain in both libraries. */
static inline const char *domain_xml(char *buf, size_t len, const char *prefix, int n)
{
    snprintf(buf, len,
             "<domain type='test'><name>%s-%d</name><memory>1024</memory><vcpu>1</vcpu>"
             "<os><type>hvm</type></os></domain>",
             prefix, n);
    return buf;
}

/* Defines `count` domains named <prefix>-<i> (and starts them when `start`); returns them. */
static inline virDomainPtr *define_domains(virConnectPtr conn, const char *prefix, int count, int start)
{
    char xml[512];
    virDomainPtr *doms = calloc((size_t)count + 1, sizeof *doms);
    BENCH_MUST(doms != NULL);
    for (int i = 0; i < count; i++) {
        doms[i] = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, prefix, i));
        BENCH_MUST(doms[i] != NULL);
        if (start)
            BENCH_MUST(virDomainCreate(doms[i]) == 0);
    }
    return doms;
}

#endif
