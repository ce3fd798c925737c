/* The job API of seed 004 through the public header: every path of the state machine, every
 * refused operation, PERSIST and DISMISS, two jobs on one disk, interlocked jobs, the blocking
 * save aborted from another thread, migration between two hypervisors, and JOB_STATE ordered
 * against the old events and the lifecycle events. Jobs run on the test backend's own clock. */
#include "harness.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define CHAIN_DOMAIN(name)                                                                        \
    "<domain type='test'><name>" name "</name><memory>1024</memory><os><type>hvm</type></os>"     \
    "<devices><disk type='file' device='disk'><source file='/" name "-top.qcow2'/>"               \
    "<backingStore type='file'><format type='qcow2'/><source file='/" name "-mid.qcow2'/>"        \
    "<backingStore type='file'><format type='raw'/><source file='/" name "-base.img'/>"           \
    "</backingStore></backingStore><target dev='vda'/></disk></devices></domain>"

/* 1 MiB/s: a pull of this chain (384 MiB) would take minutes, so it stays where the test puts it. */
#define CRAWL 1

/* ---- what the callbacks saw ------------------------------------------------------------- */

#define MAXLOG 512
struct seen {
    int id;        /* event ID */
    char job[64];  /* job name, disk, … */
    int a, b;      /* old/new state, block job type/status, lifecycle event/detail, … */
    unsigned long long version;
    char error[128];
};
static struct seen seen[MAXLOG];
static int nseen;

static void on_event(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    (void)d;
    (void)opaque;
    if (nseen >= MAXLOG)
        return;
    struct seen *s = &seen[nseen++];
    memset(s, 0, sizeof *s);
    s->id = ev->eventID;
    s->version = ev->resourceVersion;
    switch (ev->eventID) {
    case VIR_DOMAIN_EVENT_ID_JOB_STATE:
        snprintf(s->job, sizeof s->job, "%s", ev->data.jobState.name);
        s->a = ev->data.jobState.oldState;
        s->b = ev->data.jobState.newState;
        if (ev->data.jobState.error)
            snprintf(s->error, sizeof s->error, "%s", ev->data.jobState.error);
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        snprintf(s->job, sizeof s->job, "%s", ev->data.blockJob.disk);
        s->a = ev->data.blockJob.type;
        s->b = ev->data.blockJob.status;
        break;
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        s->a = ev->data.lifecycle.event;
        s->b = ev->data.lifecycle.detail;
        break;
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        s->a = ev->data.migrationIteration.iteration;
        break;
    case VIR_DOMAIN_EVENT_ID_EXISTENCE:
        s->a = ev->data.existence.type;
        break;
    default:
        break;
    }
}

/* The position of the first event after `from` matching (id, a, b) (-1: any), or -1. */
static int find_seen(int from, int id, int a, int b)
{
    for (int i = from; i < nseen; i++)
        if (seen[i].id == id && (a < 0 || seen[i].a == a) && (b < 0 || seen[i].b == b))
            return i;
    return -1;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The state of job `name`, or -1 when it is not listed. */
static int job_state(virDomainPtr dom, const char *name)
{
    virDomainJobPtr *jobs = NULL;
    int n = virDomainJobList(dom, &jobs, 0);
    int state = -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(jobs[i]->name, name) == 0)
            state = jobs[i]->state;
        virDomainJobFree(jobs[i]);
    }
    free(jobs);
    return state;
}

/* Waits (up to 5 s) for job `name` to be in `state` (-1: gone), then delivers the events. */
static int wait_job(virDomainPtr dom, const char *name, int state)
{
    for (int i = 0; i < 5000; i++) {
        if (job_state(dom, name) == state) {
            pump();
            return 1;
        }
        sleep_ms(1);
    }
    fprintf(stderr, "job %s never reached state %d (is %d)\n", name, state, job_state(dom, name));
    return 0;
}

static virConnectPtr conn;

static virDomainPtr start_chain(const char *xml)
{
    virDomainPtr d = virDomainCreateXML(conn, xml, 0);
    CHECK(d != NULL);
    return d;
}

static int watch(virDomainPtr d)
{
    nseen = 0;
    int id = virConnectEventRegister(conn, d, NULL, on_event, NULL, NULL);
    CHECK(id >= 0);
    return id;
}

/* ---- 1. the paths of the state machine ----------------------------------------------------- */

static void test_pull_runs_to_completion(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("pull"));
    int cb = watch(d);
    CHECK(virDomainBlockPull(d, "vda", 0, 0) == 0);
    virDomainBlockJobInfo info;
    CHECK(virDomainGetBlockJobInfo(d, "vda", &info, 0) >= 0);
    CHECK(wait_job(d, "block-pull-vda", -1));
    CHECK(virDomainGetBlockJobInfo(d, "vda", &info, 0) == 0);
    /* CREATED, RUNNING, PENDING, COMPLETED, then gone; BLOCK_JOB_2 COMPLETED after COMPLETED */
    int at = find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_NONE, VIR_DOMAIN_JOB_STATE_CREATED);
    CHECK(at >= 0);
    at = find_seen(at, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING);
    CHECK(at >= 0);
    at = find_seen(at, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING);
    CHECK(at >= 0);
    int done = find_seen(at, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_PENDING, VIR_DOMAIN_JOB_STATE_COMPLETED);
    CHECK(done >= 0);
    int old = find_seen(0, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL, VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    CHECK(old == done + 1);
    CHECK(old >= 0 && strcmp(seen[old].job, "vda") == 0);
    CHECK(find_seen(old, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE) == old + 1);
    for (int i = 1; i < nseen; i++)
        CHECK(seen[i].version == seen[i - 1].version + 1); /* each transition its own revision */
    virConnectEventUnregister(conn, cb);
    virDomainDestroy(d);
    virDomainFree(d);
}

static void test_copy_ready_then_finalize_pivots(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("copy"));
    int cb = watch(d);
    CHECK(virDomainBlockCopy(d, "vda", "<disk type='file'><source file='/copy-dest.qcow2'/></disk>", NULL, 0, 0) == 0);
    CHECK(wait_job(d, "block-copy-vda", VIR_DOMAIN_JOB_STATE_READY));
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, VIR_DOMAIN_BLOCK_JOB_TYPE_COPY, VIR_DOMAIN_BLOCK_JOB_READY) >= 0);
    /* pause in ready is standby; resume brings it back */
    CHECK(virDomainJobControl(d, "block-copy-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE, 0) == 0);
    CHECK(job_state(d, "block-copy-vda") == VIR_DOMAIN_JOB_STATE_STANDBY);
    CHECK(virDomainJobControl(d, "block-copy-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainJobControl(d, "block-copy-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_RESUME, 0) == 0);
    CHECK(job_state(d, "block-copy-vda") == VIR_DOMAIN_JOB_STATE_READY);
    CHECK(virDomainJobControl(d, "block-copy-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE, 0) == 0);
    CHECK(wait_job(d, "block-copy-vda", -1));
    int pend = find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_READY, VIR_DOMAIN_JOB_STATE_PENDING);
    CHECK(pend >= 0);
    CHECK(find_seen(pend, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_PENDING, VIR_DOMAIN_JOB_STATE_COMPLETED) > pend);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_READY, VIR_DOMAIN_JOB_STATE_STANDBY) >= 0);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_STANDBY, VIR_DOMAIN_JOB_STATE_READY) >= 0);
    virConnectEventUnregister(conn, cb);
    virDomainDestroy(d);
    virDomainFree(d);
}

static void test_active_commit_through_the_old_api(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("acommit"));
    CHECK(virDomainBlockCommit(d, "vda", NULL, NULL, 0, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainBlockCommit(d, "vda", "vda[1]", NULL, CRAWL, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE) == 0);
    CHECK(virDomainBlockJobAbort(d, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) == -1);
    EXPECT_ERROR(VIR_ERR_BLOCK_COPY_ACTIVE); /* not ready for the pivot yet */
    CHECK(virDomainBlockJobSetSpeed(d, "vda", 0, 0) == 0);
    CHECK(wait_job(d, "block-commit-active-vda", VIR_DOMAIN_JOB_STATE_READY));
    virDomainBlockJobInfo info;
    CHECK(virDomainGetBlockJobInfo(d, "vda", &info, 0) == 1);
    CHECK(info.type == VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT && info.cur == info.end && info.end > 0);
    CHECK(virDomainBlockJobAbort(d, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) == 0);
    CHECK(virDomainGetBlockJobInfo(d, "vda", &info, 0) == 0); /* synchronous: gone */
    /* the chain is one image shorter: committing the active image again reaches what was vda[2] */
    CHECK(virDomainBlockCommit(d, "vda", "vda[2]", NULL, 0, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virDomainDestroy(d);
    virDomainFree(d);
}

static void test_pause_resume_and_speed(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("pause"));
    int cb = watch(d);
    CHECK(virDomainBlockPull(d, "vda", CRAWL, 0) == 0);
    virDomainBlockJobInfo info;
    CHECK(virDomainGetBlockJobInfo(d, "vda", &info, 0) == 1 && info.bandwidth == CRAWL);
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE, 0) == 0);
    CHECK(job_state(d, "block-pull-vda") == VIR_DOMAIN_JOB_STATE_PAUSED);
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_RESUME, 0) == 0);
    CHECK(virDomainBlockJobSetSpeed(d, "vda", 0, 0) == 0); /* back to the default: done soon */
    CHECK(wait_job(d, "block-pull-vda", -1));
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PAUSED) >= 0);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_PAUSED, VIR_DOMAIN_JOB_STATE_RUNNING) >= 0);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_PENDING, VIR_DOMAIN_JOB_STATE_COMPLETED) >= 0);
    virConnectEventUnregister(conn, cb);
    virDomainDestroy(d);
    virDomainFree(d);
}

/* Abort from running, paused, ready and standby (CREATED and PENDING pass within one commit or
 * one tick here; the Rust unit tests cover ABORT there). */
static void abort_from(int how)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("abort"));
    int cb = watch(d);
    const char *name = how < 2 ? "block-pull-vda" : "block-copy-vda";
    if (how < 2) {
        CHECK(virDomainBlockPull(d, "vda", CRAWL, 0) == 0);
    } else {
        CHECK(virDomainBlockRebase(d, "vda", "/abort-copy.img", 0, VIR_DOMAIN_BLOCK_REBASE_COPY) == 0);
        CHECK(wait_job(d, name, VIR_DOMAIN_JOB_STATE_READY));
    }
    int from = how == 0 ? VIR_DOMAIN_JOB_STATE_RUNNING : how == 2 ? VIR_DOMAIN_JOB_STATE_READY
                                                                   : (how == 1 ? VIR_DOMAIN_JOB_STATE_PAUSED : VIR_DOMAIN_JOB_STATE_STANDBY);
    if (how == 1 || how == 3)
        CHECK(virDomainJobControl(d, name, VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE, 0) == 0);
    CHECK(job_state(d, name) == from);
    CHECK(virDomainJobControl(d, name, VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT, 0) == 0);
    CHECK(wait_job(d, name, -1));
    int at = find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, from, VIR_DOMAIN_JOB_STATE_ABORTING);
    CHECK(at >= 0);
    CHECK(find_seen(at, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_ABORTING, VIR_DOMAIN_JOB_STATE_ABORTED) > at);
    CHECK(find_seen(at, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, VIR_DOMAIN_BLOCK_JOB_CANCELED) > at);
    virConnectEventUnregister(conn, cb);
    virDomainDestroy(d);
    virDomainFree(d);
}

static void test_abort_from_running(void) { abort_from(0); }
static void test_abort_from_paused(void) { abort_from(1); }
static void test_abort_from_ready(void) { abort_from(2); }
static void test_abort_from_standby(void) { abort_from(3); }

static void test_a_job_fails(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("fail"));
    int cb = watch(d);
    CHECK(virDomainBlockPull(d, "vda", CRAWL, VIR_DOMAIN_JOB_PERSIST) == 0);
    CHECK(virTestDomainFailJob(d, "block-pull-vda", "the disk fell off", 0) == 0);
    pump();
    int at = find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_FAILED);
    CHECK(at >= 0 && strcmp(seen[at].error, "the disk fell off") == 0);
    CHECK(find_seen(at, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, VIR_DOMAIN_BLOCK_JOB_FAILED) == at + 1);
    char *xml = virDomainJobGetXMLDesc(d, "block-pull-vda", 0);
    CHECK(xml && strstr(xml, "<job name='block-pull-vda' type='block-pull' state='failed'>"));
    CHECK(xml && strstr(xml, "<error>the disk fell off</error>") && strstr(xml, "<stats>"));
    free(xml);
    xml = virDomainJobGetXMLDesc(d, "block-pull-vda", VIR_DOMAIN_JOB_XML_NO_STATS);
    CHECK(xml && !strstr(xml, "<stats>") && strstr(xml, "<disk>vda</disk>"));
    free(xml);
    virDomainJobPtr *jobs = NULL;
    CHECK(virDomainJobList(d, &jobs, VIR_DOMAIN_JOB_LIST_FINISHED) == 1);
    const char *err = NULL;
    unsigned long long end = 0;
    CHECK(virTypedParamsGetString(jobs[0]->data, (int)jobs[0]->ndata, "error", &err) == 1 && strcmp(err, "the disk fell off") == 0);
    CHECK(virTypedParamsGetULLong(jobs[0]->data, (int)jobs[0]->ndata, "end", &end) == 1 && end > 0);
    virDomainJobFree(jobs[0]);
    free(jobs);
    CHECK(virTestDomainFailJob(d, "block-pull-vda", "again", 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    virConnectEventUnregister(conn, cb);
    virDomainDestroy(d);
    virDomainFree(d);
}

/* ---- 2. refused operations ------------------------------------------------------------------ */

static void expect_refused(virDomainPtr d, const char *job, int op, const char *state_word, const char *op_word)
{
    CHECK(virDomainJobControl(d, job, op, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    const char *msg = virGetLastErrorMessage();
    CHECK(strstr(msg, job) && strstr(msg, state_word) && strstr(msg, op_word));
}

static void test_refused_operations(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("refuse"));
    CHECK(virDomainBlockPull(d, "vda", CRAWL, 0) == 0);
    expect_refused(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_RESUME, "running", "resume");
    expect_refused(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE, "running", "finalize");
    expect_refused(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS, "running", "dismiss");
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE, 0) == 0);
    expect_refused(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE, "paused", "pause");
    expect_refused(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE, "paused", "finalize");
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT, 0) == 0);
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT, 0) == -1 ||
          job_state(d, "block-pull-vda") == -1); /* aborting (or already gone) */
    CHECK(wait_job(d, "block-pull-vda", -1));
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT, 0) == -1);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN_JOB);
    CHECK(strstr(virGetLastErrorMessage(), "block-pull-vda") != NULL);
    CHECK(virDomainJobGetXMLDesc(d, "nosuch", 0) == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN_JOB);
    CHECK(virDomainJobControl(d, "x", VIR_DOMAIN_JOB_CONTROL_OPERATION_NONE, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainJobControl(d, "x", 99, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainJobControl(d, NULL, VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainJobList(d, NULL, 1u << 20) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainBlockPull(d, "vdz", 0, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainAbortJob(d) == -1); /* no domain job */
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    virDomainDestroy(d);
    virDomainFree(d);
}

/* ---- 3. persist and dismiss, two jobs on a disk, interlocks -------------------------------- */

static void test_persist_and_dismiss(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("persist"));
    CHECK(virDomainBlockPull(d, "vda", 0, VIR_DOMAIN_JOB_PERSIST) == 0);
    CHECK(wait_job(d, "block-pull-vda", VIR_DOMAIN_JOB_STATE_COMPLETED));
    CHECK(virDomainJobList(d, NULL, VIR_DOMAIN_JOB_LIST_ACTIVE) == 0);
    virDomainJobPtr *jobs = NULL;
    CHECK(virDomainJobList(d, &jobs, VIR_DOMAIN_JOB_LIST_NO_STATS) == 1);
    CHECK(jobs[0]->type == VIR_DOMAIN_JOB_TYPE_BLOCK_PULL && jobs[0]->state == VIR_DOMAIN_JOB_STATE_COMPLETED);
    CHECK(jobs[0]->data == NULL && jobs[0]->ndata == 0);
    virDomainJobFree(jobs[0]);
    free(jobs);
    /* a second pull of the same disk gets its own name while the first is kept */
    CHECK(virDomainBlockPull(d, "vda", CRAWL, VIR_DOMAIN_JOB_PERSIST) == 0);
    CHECK(job_state(d, "block-pull-vda-2") == VIR_DOMAIN_JOB_STATE_RUNNING);
    CHECK(virDomainJobControl(d, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS, 0) == 0);
    CHECK(job_state(d, "block-pull-vda") == -1);
    CHECK(virDomainJobControl(d, "block-pull-vda-2", VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT, 0) == 0);
    CHECK(wait_job(d, "block-pull-vda-2", VIR_DOMAIN_JOB_STATE_ABORTED));
    CHECK(virDomainJobControl(d, "block-pull-vda-2", VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS, 0) == 0);
    CHECK(virDomainJobList(d, NULL, 0) == 0);
    virDomainDestroy(d);
    virDomainFree(d);
}

static void test_two_jobs_on_one_disk(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("twojobs"));
    CHECK(virDomainBlockCopy(d, "vda", "<disk type='file'><source file='/two-dest.qcow2'/></disk>", NULL, 0, 0) == 0);
    CHECK(virDomainBackupBegin(d, "<domainbackup mode='push'><disks><disk name='vda' backup='yes' type='file'>"
                                  "<target file='/two.bak'/></disk></disks></domainbackup>", NULL, 0) == 0);
    CHECK(virDomainJobList(d, NULL, VIR_DOMAIN_JOB_LIST_ACTIVE) == 2);
    char *bx = virDomainBackupGetXMLDesc(d, 0);
    CHECK(bx && strstr(bx, "<target file='/two.bak'/>"));
    free(bx);
    /* a second block job on the disk is refused, as libvirt refuses it */
    CHECK(virDomainBlockPull(d, "vda", 0, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(wait_job(d, "backup", -1));
    CHECK(wait_job(d, "block-copy-vda", VIR_DOMAIN_JOB_STATE_READY));
    CHECK(virDomainBlockJobAbort(d, "vda", 0) == 0); /* abort keeps the source, synchronously */
    CHECK(job_state(d, "block-copy-vda") == -1);
    virDomainDestroy(d);
    virDomainFree(d);
}

/* ---- 4. the blocking save, aborted from another thread; interlocks --------------------------- */

struct saver {
    virDomainPtr dom;
    int rc;
    int code;
};

static void *save_thread(void *arg)
{
    struct saver *s = arg;
    s->rc = virDomainSaveFlags(s->dom, "/nonexistent-dir/never.img", NULL, 0);
    s->code = virGetLastErrorCode();
    return NULL;
}

static void test_blocking_save_aborted_from_another_thread(void)
{
    /* a big guest: its save takes seconds, so it is caught running */
    virDomainPtr d = virDomainCreateXML(conn, "<domain type='test'><name>bigsave</name><memory unit='GiB'>64</memory>"
                                              "<os><type>hvm</type></os></domain>", 0);
    CHECK(d != NULL);
    int cb = watch(d);
    struct saver s = {d, 0, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, save_thread, &s) == 0);
    CHECK(wait_job(d, "save", VIR_DOMAIN_JOB_STATE_RUNNING));
    virDomainJobInfo info;
    CHECK(virDomainGetJobInfo(d, &info) == 0 && info.type == VIR_DOMAIN_JOB_BOUNDED && info.memTotal > 0);
    /* interlocked: no dump or migration while the save runs */
    CHECK(virDomainCoreDumpWithFormat(d, "/tmp/never.dump", VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainBackupBegin(d, NULL, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    /* a domain job is no block job: it neither pauses nor finalizes while running */
    expect_refused(d, "save", VIR_DOMAIN_JOB_CONTROL_OPERATION_PAUSE, "running", "pause");
    expect_refused(d, "save", VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE, "running", "finalize");
    CHECK(virDomainAbortJob(d) == 0);
    pthread_join(t, NULL);
    CHECK(s.rc == -1 && s.code == VIR_ERR_OPERATION_ABORTED);
    CHECK(virDomainIsActive(d) == 1);
    int type = -1, n = 0;
    virTypedParameterPtr params = NULL;
    CHECK(virDomainGetJobStats(d, &type, &params, &n, VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) == 0);
    CHECK(type == VIR_DOMAIN_JOB_CANCELLED);
    int op = -1, success = 1;
    CHECK(virTypedParamsGetInt(params, n, VIR_DOMAIN_JOB_OPERATION, &op) == 1 && op == VIR_DOMAIN_JOB_OPERATION_SAVE);
    CHECK(virTypedParamsGetBoolean(params, n, VIR_DOMAIN_JOB_SUCCESS, &success) == 1 && success == 0);
    virTypedParamsFree(params, n);
    pump();
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_ABORTING, VIR_DOMAIN_JOB_STATE_ABORTED) >= 0);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1) == -1);
    virConnectEventUnregister(conn, cb);
    virDomainDestroy(d);
    virDomainFree(d);
}

static void test_save_and_dump_complete(void)
{
    virDomainPtr d = virDomainCreateXML(conn, "<domain type='test'><name>smallsave</name><memory>1024</memory>"
                                              "<os><type>hvm</type></os></domain>", 0);
    char path[] = "/tmp/virtevent-jobs-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(virDomainCoreDump(d, path, VIR_DUMP_LIVE | VIR_DOMAIN_JOB_PERSIST) == 0);
    CHECK(job_state(d, "dump") == VIR_DOMAIN_JOB_STATE_COMPLETED);
    int cb = watch(d);
    CHECK(virDomainSaveFlags(d, path, NULL, 0) == 0);
    pump();
    int done = find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_PENDING, VIR_DOMAIN_JOB_STATE_COMPLETED);
    CHECK(done >= 0);
    CHECK(find_seen(done, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, -1, -1) == done + 1);
    CHECK(find_seen(done, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED) > done);
    virConnectEventUnregister(conn, cb);
    CHECK(virDomainRestore(conn, path) == 0);
    unlink(path);
    virDomainPtr back = virDomainLookupByName(conn, "smallsave");
    CHECK(back != NULL);
    virDomainDestroy(back);
    virDomainFree(back);
    virDomainFree(d);
}

/* ---- 5. migration between two hypervisors ---------------------------------------------------- */

static struct seen dst_seen[64];
static int ndst;
static void on_dst(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    (void)d;
    (void)opaque;
    if (ndst < 64) {
        dst_seen[ndst].id = ev->eventID;
        dst_seen[ndst].a = ev->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE ? ev->data.lifecycle.event : ev->data.existence.type;
        dst_seen[ndst].b = ev->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE ? ev->data.lifecycle.detail : 0;
        ndst++;
    }
}

static void test_migration_between_two_hypervisors(void)
{
    virConnectPtr dst = virConnectOpen("test:///empty");
    CHECK(dst != NULL);
    virDomainPtr d = virDomainCreateXML(conn, "<domain type='test'><name>traveller</name><memory unit='MiB'>64</memory>"
                                              "<os><type>hvm</type></os></domain>", 0);
    int cb = watch(d);
    ndst = 0;
    int dcb = virConnectEventRegister(dst, NULL, NULL, on_dst, NULL, NULL);
    CHECK(virDomainMigrate(d, conn, 0, NULL, NULL, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID); /* not to itself */
    virDomainPtr there = virDomainMigrate(d, dst, VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST, NULL, NULL, 0);
    CHECK(there != NULL);
    pump();
    int state = -1, reason = -1;
    CHECK(virDomainGetState(there, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING && reason == VIR_DOMAIN_RUNNING_MIGRATED);
    CHECK(virDomainIsPersistent(there) == 1);
    CHECK(virDomainLookupByName(conn, "traveller") == NULL);
    /* source: iterations, the job's end, JOB_COMPLETED, STOPPED(MIGRATED), REMOVED */
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, 1, -1) >= 0);
    int last_pass = find_seen(0, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, 3, -1);
    int done = find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_PENDING, VIR_DOMAIN_JOB_STATE_COMPLETED);
    CHECK(last_pass >= 0 && done > last_pass);
    CHECK(find_seen(done, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, -1, -1) == done + 1);
    int stopped = find_seen(done, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_MIGRATED);
    CHECK(stopped > done);
    CHECK(find_seen(stopped, VIR_DOMAIN_EVENT_ID_EXISTENCE, VIR_DOMAIN_EVENT_EXISTENCE_REMOVED, -1) > stopped);
    /* destination: ADDED, STARTED(MIGRATED), DEFINED(ADDED) */
    CHECK(ndst == 3);
    CHECK(dst_seen[0].id == VIR_DOMAIN_EVENT_ID_EXISTENCE && dst_seen[0].a == VIR_DOMAIN_EVENT_EXISTENCE_ADDED);
    CHECK(dst_seen[1].id == VIR_DOMAIN_EVENT_ID_LIFECYCLE && dst_seen[1].a == VIR_DOMAIN_EVENT_STARTED &&
          dst_seen[1].b == VIR_DOMAIN_EVENT_STARTED_MIGRATED);
    CHECK(dst_seen[2].id == VIR_DOMAIN_EVENT_ID_LIFECYCLE && dst_seen[2].a == VIR_DOMAIN_EVENT_DEFINED);
    virConnectEventUnregister(conn, cb);
    virConnectEventUnregister(dst, dcb);
    virDomainDestroy(there);
    virDomainFree(there);
    virDomainFree(d);
    virConnectClose(dst);
}

/* ---- 6. destroy with a live job: JOB_STATE, then the old event, then the lifecycle ------------- */

static void test_destroy_ends_live_jobs_before_stopped(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("destroyed"));
    CHECK(virDomainBlockPull(d, "vda", CRAWL, 0) == 0);
    pump();
    int cb = watch(d);
    CHECK(virDomainDestroy(d) == 0);
    pump();
    int failed = find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_FAILED);
    CHECK(failed == 0);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, VIR_DOMAIN_BLOCK_JOB_FAILED) == 1);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_JOB_STATE, VIR_DOMAIN_JOB_STATE_FAILED, VIR_DOMAIN_JOB_STATE_NONE) == 2);
    CHECK(find_seen(0, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED) == 3);
    virConnectEventUnregister(conn, cb);
    virDomainFree(d);
}

/* ---- 7. the typed callback of the seed ------------------------------------------------------ */

static int typed_calls;
static int typed_last_state = -1;
static void on_job_state(virConnectPtr c, virDomainPtr d, const char *jobname, virDomainJobKind jobtype,
                         virDomainJobState newstate, void *opaque)
{
    (void)c;
    (void)opaque;
    CHECK(d != NULL && jobname != NULL && strcmp(jobname, "block-pull-vda") == 0);
    CHECK(jobtype == VIR_DOMAIN_JOB_TYPE_BLOCK_PULL);
    typed_last_state = newstate;
    typed_calls++;
}

static void test_typed_job_state_callback(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("typed"));
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_JOB_STATE) == 1);
    CHECK(strcmp(virConnectDomainEventIDToName(VIR_DOMAIN_EVENT_ID_JOB_STATE), "job-state") == 0);
    CHECK(VIR_DOMAIN_EVENT_ID_JOB_STATE >= VIR_DOMAIN_EVENT_ID_EXT_FIRST && VIR_DOMAIN_EVENT_ID_JOB_STATE < VIR_DOMAIN_EVENT_ID_EXT_LAST);
    CHECK(VIR_ERR_NO_DOMAIN_JOB >= 1000);
    int id = virConnectDomainEventRegisterAny(conn, d, VIR_DOMAIN_EVENT_ID_JOB_STATE, CB(on_job_state), NULL, NULL);
    CHECK(id >= 0);
    typed_calls = 0;
    CHECK(virDomainBlockPull(d, "vda", 0, 0) == 0);
    CHECK(wait_job(d, "block-pull-vda", -1));
    CHECK(typed_calls == 5 && typed_last_state == VIR_DOMAIN_JOB_STATE_NONE);
    virConnectDomainEventDeregisterAny(conn, id);
    virDomainDestroy(d);
    virDomainFree(d);
}

/* ---- 8. job events are in the history: a watch from a version replays them ------------------ */

static void test_watch_replays_job_transitions(void)
{
    virDomainPtr d = start_chain(CHAIN_DOMAIN("replay"));
    unsigned long long before = 0;
    CHECK(virDomainGetResourceVersion(d, &before) == 0);
    CHECK(virDomainBlockPull(d, "vda", 0, 0) == 0);
    CHECK(wait_job(d, "block-pull-vda", -1));
    nseen = 0;
    int id = virConnectEventRegisterSince(conn, d, "job-state", before, on_event, NULL, NULL);
    CHECK(id >= 0);
    pump();
    CHECK(nseen == 5);
    CHECK(nseen == 5 && seen[0].a == VIR_DOMAIN_JOB_STATE_NONE && seen[4].b == VIR_DOMAIN_JOB_STATE_NONE);
    for (int i = 1; i < nseen; i++)
        CHECK(seen[i].version > seen[i - 1].version && seen[i].a == seen[i - 1].b);
    virConnectEventUnregister(conn, id);
    virDomainDestroy(d);
    virDomainFree(d);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    conn = virConnectOpen("test:///empty");
    if (!conn) {
        printf("FAIL open\n");
        return 1;
    }
    RUN(test_pull_runs_to_completion);
    RUN(test_copy_ready_then_finalize_pivots);
    RUN(test_active_commit_through_the_old_api);
    RUN(test_pause_resume_and_speed);
    RUN(test_abort_from_running);
    RUN(test_abort_from_paused);
    RUN(test_abort_from_ready);
    RUN(test_abort_from_standby);
    RUN(test_a_job_fails);
    RUN(test_refused_operations);
    RUN(test_persist_and_dismiss);
    RUN(test_two_jobs_on_one_disk);
    RUN(test_blocking_save_aborted_from_another_thread);
    RUN(test_save_and_dump_complete);
    RUN(test_migration_between_two_hypervisors);
    RUN(test_destroy_ends_live_jobs_before_stopped);
    RUN(test_typed_job_state_callback);
    RUN(test_watch_replays_job_transitions);
    virConnectClose(conn);
    return harness_exit();
}
