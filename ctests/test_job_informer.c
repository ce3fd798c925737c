/* An application that listens only to "job-state" keeps an exact table of every domain's jobs
 * and their states: after thousands of random job operations (starts of every kind, controls,
 * failures, speed changes, domains destroyed and started again) the table equals
 * virDomainJobList at every checkpoint. The seed is printed; VIRTEVENT_SEED repeats another. */
#include "harness.h"

#include <stdint.h>
#include <time.h>

#define NDOMS 3
#define OPS 3000
#define CHECK_EVERY 100
#define MAXJOBS 256

static const char *DOMAIN_XML =
    "<domain type='test'><name>%s</name><memory>1024</memory><os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/%s-a.qcow2'/><backingStore type='file'>"
    "<source file='/%s-b.qcow2'/><backingStore type='file'><source file='/%s-c.img'/></backingStore>"
    "</backingStore><target dev='vda'/></disk>"
    "<disk type='file' device='disk'><source file='/%s-d.qcow2'/><backingStore type='file'>"
    "<source file='/%s-e.img'/></backingStore><target dev='vdb'/></disk></devices></domain>";

static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* ---- the table kept from events alone ------------------------------------------------------ */

struct row {
    char dom[32];
    char job[64];
    int state;
};
static struct row table[MAXJOBS];
static int nrows;
static int overflow;

static void on_job_state(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    (void)d;
    (void)opaque;
    CHECK(ev->eventID == VIR_DOMAIN_EVENT_ID_JOB_STATE);
    const char *dom = ev->domainName, *job = ev->data.jobState.name;
    int at = -1;
    for (int i = 0; i < nrows; i++)
        if (strcmp(table[i].dom, dom) == 0 && strcmp(table[i].job, job) == 0)
            at = i;
    if (ev->data.jobState.newState == VIR_DOMAIN_JOB_STATE_NONE) {
        CHECK(at >= 0);
        if (at >= 0)
            table[at] = table[--nrows];
        return;
    }
    if (at < 0) {
        CHECK(ev->data.jobState.oldState == VIR_DOMAIN_JOB_STATE_NONE); /* a job is born once */
        if (nrows == MAXJOBS) {
            overflow = 1;
            return;
        }
        at = nrows++;
        snprintf(table[at].dom, sizeof table[at].dom, "%s", dom);
        snprintf(table[at].job, sizeof table[at].job, "%s", job);
    } else {
        CHECK(table[at].state == ev->data.jobState.oldState); /* transitions chain up */
    }
    table[at].state = ev->data.jobState.newState;
}

/* ---- the world -------------------------------------------------------------------------------- */

static virConnectPtr conn;
static virDomainPtr doms[NDOMS];
static char names[NDOMS][16];

static void start_domain(int i)
{
    char xml[1024];
    const char *n = names[i];
    snprintf(xml, sizeof xml, DOMAIN_XML, n, n, n, n, n, n);
    doms[i] = virDomainCreateXML(conn, xml, 0);
    CHECK(doms[i] != NULL);
}

/* A random listed job of domain i (its name copied into buf), or NULL. */
static const char *some_job(int i, char *buf, size_t len)
{
    virDomainJobPtr *jobs = NULL;
    int n = virDomainJobList(doms[i], &jobs, VIR_DOMAIN_JOB_LIST_NO_STATS);
    const char *found = NULL;
    if (n > 0) {
        snprintf(buf, len, "%s", jobs[rnd((unsigned)n)]->name);
        found = buf;
    }
    for (int k = 0; k < n; k++)
        virDomainJobFree(jobs[k]);
    free(jobs);
    return found;
}

static int started;

static void random_op(void)
{
    int i = (int)rnd(NDOMS);
    virDomainPtr d = doms[i];
    const char *disk = rnd(2) ? "vda" : "vdb";
    unsigned long bw = rnd(3) ? 1 : 0; /* mostly crawling, so that jobs are caught alive */
    unsigned persist = rnd(2) ? VIR_DOMAIN_JOB_PERSIST : 0;
    char name[64];
    switch (rnd(16)) {
    case 0:
    case 1:
        started += virDomainBlockPull(d, disk, bw, persist) == 0;
        break;
    case 2:
    case 3:
        started += virDomainBlockRebase(d, disk, "/copy.img", bw, VIR_DOMAIN_BLOCK_REBASE_COPY | persist) == 0;
        break;
    case 4:
        started += virDomainBlockCommit(d, disk, NULL, NULL, bw, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE | persist) == 0;
        break;
    case 5:
        started += virDomainBackupBegin(d, NULL, NULL, persist) == 0;
        break;
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
        if (some_job(i, name, sizeof name))
            virDomainJobControl(d, name, (int)rnd(5) + 1, 0);
        break;
    case 11:
        if (some_job(i, name, sizeof name))
            virTestDomainFailJob(d, name, "random failure", 0);
        break;
    case 12:
    case 13:
        virDomainBlockJobSetSpeed(d, disk, rnd(2) ? 0 : 1, 0);
        break;
    case 14:
        virDomainBlockJobAbort(d, disk, VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC | (rnd(2) ? VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT : 0));
        break;
    case 15:
        if (rnd(8) == 0) {
            virDomainDestroy(d);
            virDomainFree(d);
            start_domain(i);
        }
        break;
    }
}

/* Jobs that are finishing (aborting, pending, fast ones) settle within a few ticks. */
static void settle(void)
{
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
    pump();
}

static int compare(void)
{
    int listed = 0, equal = 1;
    for (int i = 0; i < NDOMS; i++) {
        virDomainJobPtr *jobs = NULL;
        int n = virDomainJobList(doms[i], &jobs, 0);
        CHECK(n >= 0);
        for (int k = 0; k < n; k++) {
            int found = 0;
            for (int r = 0; r < nrows; r++)
                if (strcmp(table[r].dom, names[i]) == 0 && strcmp(table[r].job, jobs[k]->name) == 0)
                    found = table[r].state == jobs[k]->state;
            if (!found) {
                fprintf(stderr, "%s/%s in state %d is not in the table\n", names[i], jobs[k]->name, jobs[k]->state);
                equal = 0;
            }
            virDomainJobFree(jobs[k]);
        }
        free(jobs);
        listed += n;
    }
    if (listed != nrows) {
        fprintf(stderr, "the table has %d jobs, the lists %d\n", nrows, listed);
        equal = 0;
    }
    return equal;
}

/* The list and the table, once nothing moves between two looks (up to 2 s). */
static int checkpoint(void)
{
    for (int tries = 0; tries < 100; tries++) {
        settle();
        if (compare())
            return 1;
    }
    return compare();
}

static void test_table_from_job_state_events_equals_the_lists(void)
{
    int cb = virConnectEventRegister(conn, NULL, "job-state", on_job_state, NULL, NULL);
    CHECK(cb >= 0);
    int checkpoints = 0, agreed = 0;
    for (int op = 1; op <= OPS; op++) {
        random_op();
        if (op % 7 == 0)
            pump();
        if (op % CHECK_EVERY == 0) {
            checkpoints++;
            agreed += checkpoint();
        }
    }
    CHECK(!overflow);
    CHECK(checkpoints == OPS / CHECK_EVERY && agreed == checkpoints);
    CHECK(started > OPS / 20); /* the random walk really ran jobs */
    printf("# %d jobs started, %d checkpoints agreed, %d jobs listed at the end\n", started, agreed, nrows);
    virConnectEventUnregister(conn, cb);
}

int main(void)
{
    harness_watchdog(110);
    harness_init();
    const char *seed_env = getenv("VIRTEVENT_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 20261125ULL;
    printf("# job informer seed %llu (set VIRTEVENT_SEED to repeat another)\n", (unsigned long long)seed);
    rng_state = seed ? seed : 1;
    conn = virConnectOpen("test:///empty");
    if (!conn) {
        printf("FAIL open\n");
        return 1;
    }
    for (int i = 0; i < NDOMS; i++) {
        snprintf(names[i], sizeof names[i], "inf%d", i);
        start_domain(i);
    }
    RUN(test_table_from_job_state_events_equals_the_lists);
    for (int i = 0; i < NDOMS; i++) {
        virDomainDestroy(doms[i]);
        virDomainFree(doms[i]);
    }
    virConnectClose(conn);
    return harness_exit();
}
