/* Drives block pull, active commit and block copy through libvirt's old job API on
 * test:///default and prints every answer and every old event (BLOCK_JOB, BLOCK_JOB_2), one
 * per line, so that the output of this program built against libvirt (-lvirt) and against
 * virtevent (-lvirtevent) can be compared line by line (`make compare`). It uses only
 * libvirt 9.0's API. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int ready_seen;
/* Events are printed at fixed points (after a job's end or readiness), so that the output does
 * not depend on how the loop thread and the calls interleave. */
static char pending[4096];
static volatile int stop_loop;

static void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static const char *status_name(int s)
{
    static const char *names[] = {"COMPLETED", "FAILED", "CANCELED", "READY"};
    return s >= 0 && s < 4 ? names[s] : "?";
}

static void on_block_job(virConnectPtr c, virDomainPtr d, const char *disk, int type, int status, void *opaque)
{
    (void)c;
    (void)d;
    pthread_mutex_lock(&lock);
    size_t used = strlen(pending);
    snprintf(pending + used, sizeof pending - used, "event %s disk=%s type=%d status=%s\n", (const char *)opaque, disk,
             type, status_name(status));
    if (status == VIR_DOMAIN_BLOCK_JOB_READY)
        ready_seen = 1;
    pthread_mutex_unlock(&lock);
}

static void *loop(void *arg)
{
    (void)arg;
    while (!stop_loop)
        virEventRunDefaultImpl();
    return NULL;
}

static void report(const char *call, int rc)
{
    pthread_mutex_lock(&lock);
    if (rc < 0)
        printf("%s: -1 error %d\n", call, virGetLastErrorCode());
    else
        printf("%s: %d\n", call, rc);
    fflush(stdout);
    pthread_mutex_unlock(&lock);
}

static void flush_events(void)
{
    pthread_mutex_lock(&lock);
    fputs(pending, stdout);
    fflush(stdout);
    pending[0] = 0;
    pthread_mutex_unlock(&lock);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls the disk's job until it is gone (or 3 s), then reports what the old API says. */
static void wait_gone(virDomainPtr d)
{
    virDomainBlockJobInfo info;
    int rc = 1;
    for (int i = 0; i < 3000 && rc == 1; i++) {
        rc = virDomainGetBlockJobInfo(d, "vda", &info, 0);
        sleep_ms(1);
    }
    sleep_ms(50); /* the events of its end reach the loop thread */
    flush_events();
    report("virDomainGetBlockJobInfo after the end", rc);
}

static void wait_ready(void)
{
    for (int i = 0; i < 3000; i++) {
        pthread_mutex_lock(&lock);
        int r = ready_seen;
        pthread_mutex_unlock(&lock);
        if (r)
            break;
        sleep_ms(1);
    }
    flush_events();
}

int main(void)
{
    virSetErrorFunc(NULL, quiet);
    virEventRegisterDefaultImpl();
    virConnectPtr conn = virConnectOpen("test:///default");
    if (!conn) {
        printf("cannot open test:///default\n");
        return 1;
    }
    virDomainPtr d = virDomainLookupByName(conn, "test");
    int id1 = virConnectDomainEventRegisterAny(conn, d, VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                               VIR_DOMAIN_EVENT_CALLBACK(on_block_job), "BLOCK_JOB", NULL);
    int id2 = virConnectDomainEventRegisterAny(conn, d, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                               VIR_DOMAIN_EVENT_CALLBACK(on_block_job), "BLOCK_JOB_2", NULL);
    report("register BLOCK_JOB", id1 >= 0 ? 0 : -1);
    report("register BLOCK_JOB_2", id2 >= 0 ? 0 : -1);
    pthread_t t;
    pthread_create(&t, NULL, loop, NULL);

    /* the domain job of the old API: none running */
    virDomainJobInfo jinfo;
    int rc = virDomainGetJobInfo(d, &jinfo);
    report("virDomainGetJobInfo", rc);
    if (rc == 0)
        printf("  type=%d\n", jinfo.type);
    int type = -1, nparams = 0;
    virTypedParameterPtr params = NULL;
    rc = virDomainGetJobStats(d, &type, &params, &nparams, 0);
    report("virDomainGetJobStats", rc);
    if (rc == 0)
        printf("  type=%d nparams=%d\n", type, nparams);
    virTypedParamsFree(params, nparams);
    report("virDomainAbortJob without a job", virDomainAbortJob(d));

    virDomainBlockJobInfo info;
    report("virDomainGetBlockJobInfo before", virDomainGetBlockJobInfo(d, "vda", &info, 0));

    /* block pull */
    report("virDomainBlockPull", virDomainBlockPull(d, "vda", 0, 0));
    wait_gone(d);

    /* active commit: needs a backing file, which the default domain's disk lacks */
    report("virDomainBlockCommit active", virDomainBlockCommit(d, "vda", NULL, NULL, 0, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE));
    wait_gone(d);

    /* block copy: READY, then the pivot */
    report("virDomainBlockCopy",
           virDomainBlockCopy(d, "vda", "<disk type='file'><source file='/tmp/virtevent-compare-copy.img'/></disk>",
                              NULL, 0, VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB));
    wait_ready();
    report("virDomainBlockJobSetSpeed", virDomainBlockJobSetSpeed(d, "vda", 10, 0));
    rc = virDomainGetBlockJobInfo(d, "vda", &info, 0);
    report("virDomainGetBlockJobInfo while ready", rc);
    if (rc == 1) {
        printf("  type=%d bandwidth=%lu cur==end:%d\n", info.type, info.bandwidth, info.cur == info.end);
    }
    report("virDomainBlockJobAbort pivot", virDomainBlockJobAbort(d, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT));
    wait_gone(d);
    report("virDomainBlockJobAbort without a job", virDomainBlockJobAbort(d, "vda", 0));

    virConnectDomainEventDeregisterAny(conn, id1);
    virConnectDomainEventDeregisterAny(conn, id2);
    virDomainFree(d);
    /* the loop thread may be inside virEventRunDefaultImpl: the process ends with it */
    stop_loop = 1;
    return 0;
}
