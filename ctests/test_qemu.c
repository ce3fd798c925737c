/* The QEMU backend with real QEMU processes (machine 'none': no guest, fast start) under a
 * temporary root: lifecycle events in order, suspend/resume, reset, shutdown requests, destroy,
 * QEMU terminated or killed from outside, unsupported configuration refused, a second process
 * refused the root, reconnection after the last connection closed. Prints SKIP without
 * qemu-system-x86_64. Every QEMU it starts is killed before it exits, also on failure. */
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

static char root[64];
static const char *self_path;
static char uri[128];

/* ---- QEMU processes: found through their pid files, killed whatever happens ------------ */

#define MAXPIDS 64
static volatile pid_t pids[MAXPIDS];
static volatile int npids;

static pid_t read_pid_at(const char *path)
{
    char buf[32] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 ? (pid_t)atoi(buf) : -1;
}

static pid_t read_pid(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/run/qemu/%s.pid", root, name);
    return read_pid_at(path);
}

/* Records the domain's QEMU for the final cleanup; returns its pid. */
static pid_t track(const char *name)
{
    pid_t pid = read_pid(name);
    if (pid > 0 && npids < MAXPIDS)
        pids[npids++] = pid;
    return pid;
}

static void kill_all(void)
{
    for (int i = 0; i < npids; i++)
        kill(pids[i], SIGKILL);
}

static void on_watchdog(int sig)
{
    static const char msg[] = "FAIL watchdog: test_qemu hung\n";
    (void)sig;
    kill_all();
    if (write(1, msg, sizeof msg - 1) < 0) {
    }
    _exit(3);
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[512];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        remove_tree(child);
    }
    closedir(d);
    rmdir(path);
}

/* Whether a process is gone (a zombie counts as gone: its parent is not us). */
static int gone(pid_t pid)
{
    char path[64], buf[512] = {0};
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    const char *p = n > 0 ? strrchr(buf, ')') : NULL;
    return !p || p[2] == 'Z' || p[2] == 'X';
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- events ----------------------------------------------------------------------------- */

#define MAXLOG 64
static char evlog[MAXLOG][64];
static int nlog;

static const char *ev_name(int event)
{
    static const char *names[] = {"DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED",
                                  "STOPPED", "SHUTDOWN", "PMSUSPENDED", "CRASHED"};
    return event >= 0 && event < (int)(sizeof names / sizeof names[0]) ? names[event] : "?";
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)opaque;
    if (nlog < MAXLOG)
        snprintf(evlog[nlog++], sizeof evlog[0], "%s:%s:%d", virDomainGetName(dom), ev_name(event), detail);
    return 0;
}

static void on_reboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    (void)conn;
    (void)opaque;
    if (nlog < MAXLOG)
        snprintf(evlog[nlog++], sizeof evlog[0], "%s:REBOOT", virDomainGetName(dom));
}

static void on_existence(virConnectPtr conn, virDomainPtr dom, int type, void *opaque)
{
    (void)conn;
    (void)opaque;
    if (nlog < MAXLOG)
        snprintf(evlog[nlog++], sizeof evlog[0], "%s:%s", virDomainGetName(dom),
                 type == VIR_DOMAIN_EVENT_EXISTENCE_ADDED ? "ADDED" : "REMOVED");
}

/* Delivers events until `n` are logged or `ms` passed. */
static void wait_events(int n, int ms)
{
    double until = now_ms() + ms;
    do {
        pump();
        if (nlog >= n)
            return;
        usleep(1000);
    } while (now_ms() < until);
}

/* Compares the log with the expected entries (NULL-terminated), then clears it. */
static void expect_log(const char *const *want)
{
    int n = 0;
    while (want[n])
        n++;
    wait_events(n, 5000);
    /* Anything more arriving late is also a mismatch. */
    pump();
    int ok = nlog == n;
    for (int i = 0; ok && i < n; i++)
        ok = !strcmp(evlog[i], want[i]);
    if (!ok) {
        fprintf(stderr, "event log mismatch; got %d:", nlog);
        for (int i = 0; i < nlog; i++)
            fprintf(stderr, " %s", evlog[i]);
        fprintf(stderr, "\n  wanted %d:", n);
        for (int i = 0; i < n; i++)
            fprintf(stderr, " %s", want[i]);
        fprintf(stderr, "\n");
    }
    CHECK(ok);
    nlog = 0;
}
#define EXPECT_LOG(...) expect_log((const char *const[]){__VA_ARGS__, NULL})

static virConnectPtr conn;
static int lifecycle_id = -1, reboot_id = -1, existence_id = -1;

static void open_conn(void)
{
    conn = virConnectOpen(uri);
    CHECK(conn != NULL);
    if (!conn) {
        fprintf(stderr, "cannot open %s: %s\n", uri, virGetLastErrorMessage());
        kill_all();
        exit(1);
    }
    lifecycle_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                    CB(on_lifecycle), NULL, NULL);
    reboot_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, CB(on_reboot),
                                                 NULL, NULL);
    existence_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_EXISTENCE,
                                                    CB(on_existence), NULL, NULL);
    CHECK(lifecycle_id >= 0 && reboot_id >= 0 && existence_id >= 0);
}

static const char *domain_xml(char *buf, size_t len, const char *name, const char *extra)
{
    snprintf(buf, len,
             "<domain type='qemu'><name>%s</name><memory unit='MiB'>16</memory>"
             "<os><type arch='x86_64' machine='none'>hvm</type></os>%s</domain>",
             name, extra);
    return buf;
}

static void check_state(virDomainPtr dom, int want_state, int want_reason)
{
    int state = -1, reason = -1;
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0);
    if (state != want_state || reason != want_reason)
        fprintf(stderr, "state %d/%d, wanted %d/%d\n", state, reason, want_state, want_reason);
    CHECK(state == want_state && reason == want_reason);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_lifecycle(void)
{
    char xml[512];
    virDomainPtr dom = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "life", ""));
    CHECK(dom != NULL);
    if (!dom)
        return;
    double t0 = now_ms();
    CHECK(virDomainCreate(dom) == 0);
    double started = now_ms() - t0;
    pid_t pid = track("life");
    CHECK(pid > 0 && !gone(pid));
    printf("# start to STARTED (machine none): %.1f ms\n", started);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    CHECK(virDomainIsActive(dom) == 1 && virDomainGetID(dom) > 0);

    CHECK(virDomainSuspend(dom) == 0);
    check_state(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    CHECK(virDomainSuspend(dom) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainResume(dom) == 0);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    CHECK(virDomainReset(dom, 0) == 0);
    /* With no guest the power button does nothing: the domain keeps running. */
    CHECK(virDomainShutdown(dom) == 0);
    /* Likewise a reboot asks the guest to power off (then QEMU would be reset). */
    CHECK(virDomainReboot(dom, 0) == 0);
    CHECK(virDomainReboot(dom, VIR_DOMAIN_REBOOT_GUEST_AGENT) < 0);
    EXPECT_ERROR(VIR_ERR_ARGUMENT_UNSUPPORTED);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    /* libvirt's full dump (its own image format, not only the memory) is not done here. */
    CHECK(virDomainCoreDump(dom, "/tmp/never", 0) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_UNSUPPORTED);
    CHECK(virDomainSave(dom, "") < 0);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainCreate(dom) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainDestroy(dom) == 0);
    check_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
    CHECK(virDomainDestroy(dom) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    EXPECT_LOG("life:ADDED", "life:DEFINED:0", "life:STARTED:0", "life:SUSPENDED:0", "life:RESUMED:0", "life:REBOOT",
               "life:STOPPED:1");
    for (int i = 0; i < 500 && !gone(pid); i++)
        usleep(1000);
    CHECK(gone(pid));
    CHECK(read_pid("life") < 0);

    /* Started again: a new process; a paused start gives STARTED then SUSPENDED. */
    CHECK(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) == 0);
    pid_t again = track("life");
    CHECK(again > 0 && again != pid);
    check_state(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    CHECK(virDomainResume(dom) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    EXPECT_LOG("life:STARTED:0", "life:SUSPENDED:0", "life:RESUMED:0", "life:STOPPED:1", "life:UNDEFINED:0",
               "life:REMOVED");
    CHECK(virDomainLookupByName(conn, "life") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);
}

/* Seed 002: virDomainCreateXML of a defined domain runs it; DEFINED came before STARTED. */
static void test_create_xml_of_a_defined_domain(void)
{
    char xml[512];
    domain_xml(xml, sizeof xml, "dual", "<uuid>8f1d7c9e-2b4a-4e6f-9a0b-1c2d3e4f5a6b</uuid>");
    virDomainPtr def = virDomainDefineXML(conn, xml);
    virDomainPtr run = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED);
    CHECK(def && run);
    if (!def || !run)
        return;
    track("dual");
    CHECK(virDomainIsPersistent(run) == 1 && virDomainIsActive(def) == 1);
    CHECK(virDomainCreateXML(conn, xml, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainDestroy(run) == 0 && virDomainUndefine(def) == 0);
    EXPECT_LOG("dual:ADDED", "dual:DEFINED:0", "dual:STARTED:0", "dual:SUSPENDED:0", "dual:STOPPED:1",
               "dual:UNDEFINED:0", "dual:REMOVED");
    virDomainFree(def);
    virDomainFree(run);
}

static void test_terminated_and_killed_from_outside(void)
{
    char xml[512];
    /* A transient domain whose QEMU gets SIGTERM: QEMU reports SHUTDOWN (host) and exits. */
    virDomainPtr dom = virDomainCreateXML(conn, domain_xml(xml, sizeof xml, "term", ""), 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    pid_t pid = track("term");
    CHECK(pid > 0 && kill(pid, SIGTERM) == 0);
    EXPECT_LOG("term:ADDED", "term:STARTED:0", "term:SHUTDOWN:2", "term:STOPPED:0", "term:REMOVED");
    CHECK(virDomainLookupByName(conn, "term") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);

    /* A persistent domain whose QEMU is killed: STOPPED(FAILED), shut off as crashed. */
    dom = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "killed", ""));
    CHECK(dom != NULL);
    if (!dom)
        return;
    CHECK(virDomainCreate(dom) == 0);
    pid = track("killed");
    CHECK(pid > 0 && kill(pid, SIGKILL) == 0);
    EXPECT_LOG("killed:ADDED", "killed:DEFINED:0", "killed:STARTED:0", "killed:STOPPED:5");
    check_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    CHECK(read_pid("killed") < 0);
    CHECK(virDomainUndefine(dom) == 0);
    EXPECT_LOG("killed:UNDEFINED:0", "killed:REMOVED");
    virDomainFree(dom);
}

static int count_pidfiles(void);

/* virDomainSave through QEMU's migration to a file, virDomainRestore from it. */
static void test_save_restore(void)
{
    char xml[512], path[128];
    snprintf(path, sizeof path, "%s/saved.img", root);
    virDomainPtr dom = virDomainCreateXML(conn, domain_xml(xml, sizeof xml, "saved", ""), 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    pid_t pid = track("saved");
    CHECK(virDomainSave(dom, path) == 0);
    EXPECT_LOG("saved:ADDED", "saved:STARTED:0", "saved:SUSPENDED:0", "saved:STOPPED:4", "saved:REMOVED");
    CHECK(virDomainLookupByName(conn, "saved") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    for (int i = 0; i < 500 && !gone(pid); i++)
        usleep(1000);
    CHECK(gone(pid));
    virDomainFree(dom);

    CHECK(virDomainRestore(conn, path) == 0);
    EXPECT_LOG("saved:ADDED", "saved:STARTED:2");
    dom = virDomainLookupByName(conn, "saved");
    CHECK(dom != NULL);
    if (!dom)
        return;
    pid_t again = track("saved");
    CHECK(again > 0 && again != pid);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED);
    CHECK(virDomainDestroy(dom) == 0);
    EXPECT_LOG("saved:STOPPED:1", "saved:REMOVED");
    virDomainFree(dom);

    /* A paused domain comes back paused. */
    dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("saved");
    CHECK(virDomainSave(dom, path) == 0);
    virDomainFree(dom);
    CHECK(virDomainRestore(conn, path) == 0);
    dom = virDomainLookupByName(conn, "saved");
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("saved");
    check_state(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    EXPECT_LOG("saved:ADDED", "saved:STARTED:0", "saved:SUSPENDED:0", "saved:STOPPED:4", "saved:REMOVED", "saved:ADDED",
               "saved:STARTED:2", "saved:SUSPENDED:4", "saved:STOPPED:1", "saved:REMOVED");

    CHECK(virDomainRestore(conn, "/nonexistent/saved.img") < 0);
    EXPECT_ERROR(VIR_ERR_SYSTEM_ERROR);
    FILE *junk = fopen(path, "w");
    CHECK(junk != NULL);
    if (junk) {
        fputs("not an image\n", junk);
        fclose(junk);
    }
    CHECK(virDomainRestore(conn, path) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_FAILED);
    CHECK(count_pidfiles() == 0);
}

/* virDomainManagedSave, then virDomainCreate restores it (or FORCE_BOOT discards it). */
static void test_managed_save(void)
{
    char xml[512], path[128];
    snprintf(path, sizeof path, "%s/etc/qemu/managed.save", root);
    virDomainPtr dom = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "managed", ""));
    CHECK(dom != NULL);
    if (!dom)
        return;
    CHECK(virDomainCreate(dom) == 0);
    track("managed");
    CHECK(virDomainManagedSave(dom, 0) == 0);
    check_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED);
    CHECK(access(path, F_OK) == 0);
    virDomainPtr *listed = NULL;
    int n = virConnectListAllDomains(conn, &listed, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE);
    CHECK(n == 1);
    for (int i = 0; i < n; i++)
        virDomainFree(listed[i]);
    free(listed);
    CHECK(virDomainUndefine(dom) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainCreate(dom) == 0);
    track("managed");
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED);
    CHECK(access(path, F_OK) != 0);
    CHECK(virDomainManagedSave(dom, 0) == 0);
    CHECK(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_FORCE_BOOT) == 0);
    track("managed");
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    CHECK(access(path, F_OK) != 0);
    CHECK(virDomainManagedSave(dom, 0) == 0);
    CHECK(virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE) == 0);
    CHECK(access(path, F_OK) != 0);
    EXPECT_LOG("managed:ADDED", "managed:DEFINED:0", "managed:STARTED:0", "managed:SUSPENDED:0", "managed:STOPPED:4",
               "managed:STARTED:2", "managed:SUSPENDED:0", "managed:STOPPED:4", "managed:STARTED:0",
               "managed:SUSPENDED:0", "managed:STOPPED:4", "managed:UNDEFINED:0", "managed:REMOVED");
    virDomainFree(dom);
}

static int count_pidfiles(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/run/qemu", root);
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".pid") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_refused_configuration(void)
{
    char xml[512];
    const char *unsupported[] = {
        "<devices><disk type='block' device='disk'><source dev='/dev/sda'/><target dev='vda'/></disk></devices>",
        "<devices><disk type='file' device='disk'><driver type='vmdk'/><source file='/x.img'/><target dev='vda'/></disk></devices>",
        "<devices><interface type='user'/></devices>",
        "<features><acpi/></features>",
        "<on_crash>restart</on_crash>",
    };
    const char *named[] = {"<disk type='block'>", "'vmdk'", "<devices><interface>", "<features>", "<on_crash>"};
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        CHECK(virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "bad", unsupported[i])) == NULL);
        EXPECT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
        CHECK(strstr(virGetLastErrorMessage(), named[i]) != NULL);
        CHECK(virDomainCreateXML(conn, xml, 0) == NULL);
        EXPECT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
    }
    CHECK(virDomainCreateXML(conn, "<domain type='qemu'><name>x</name>", 0) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_DETAIL);
    CHECK(virDomainCreateXML(conn, "<domain type='test'><name>t</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0) == NULL);
    EXPECT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
    /* A machine QEMU does not know is QEMU's own refusal, reported with what it said. */
    virDomainPtr dom = virDomainCreateXML(conn,
        "<domain type='qemu'><name>nomachine</name><memory>1024</memory>"
        "<os><type machine='no-such-machine'>hvm</type></os></domain>", 0);
    CHECK(dom == NULL);
    EXPECT_ERROR(VIR_ERR_OPERATION_FAILED);
    CHECK(strstr(virGetLastErrorMessage(), "unsupported machine type") != NULL);
    CHECK(virDomainLookupByName(conn, "bad") == NULL && virDomainLookupByName(conn, "nomachine") == NULL);
    CHECK(count_pidfiles() == 0);
    EXPECT_LOG(NULL);
}

/* ---- a real block-stream job through the job API ---------------------------------------- */

#define MAXJOBLOG 32
/* What a job-state callback saw, in order. */
struct joblog {
    const char *what;
    int entries[MAXJOBLOG];
    int n;
};

static void log_job(struct joblog *log, int entry)
{
    if (log->n < MAXJOBLOG)
        log->entries[log->n++] = entry;
}

/* Waits up to 10 s for `n` entries, compares them with `want`, then clears the log. */
static void expect_joblog(struct joblog *log, const int *want, int n)
{
    double until = now_ms() + 10000;
    while (log->n < n && now_ms() < until) {
        pump();
        usleep(1000);
    }
    pump();
    int ok = log->n == n;
    for (int i = 0; ok && i < n; i++)
        ok = log->entries[i] == want[i];
    if (!ok) {
        fprintf(stderr, "%s events:", log->what);
        for (int i = 0; i < log->n; i++)
            fprintf(stderr, " %d", log->entries[i]);
        fprintf(stderr, "\n");
    }
    CHECK(ok);
    log->n = 0;
}
#define EXPECT_JOBLOG(log, ...) \
    expect_joblog((log), (const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

static struct joblog joblog = {.what = "job"};

static void on_job_state(virConnectPtr c, virDomainPtr dom, const char *jobname, virDomainJobKind kind,
                         virDomainJobState state, void *opaque)
{
    (void)c;
    (void)dom;
    (void)opaque;
    CHECK((!strcmp(jobname, "block-pull-vda") && kind == VIR_DOMAIN_JOB_TYPE_BLOCK_PULL) ||
          (!strcmp(jobname, "block-commit-active-vda") && kind == VIR_DOMAIN_JOB_TYPE_BLOCK_COMMIT_ACTIVE) ||
          (!strcmp(jobname, "block-copy-vda") && kind == VIR_DOMAIN_JOB_TYPE_BLOCK_COPY));
    log_job(&joblog, state);
}

static void on_block_job(virConnectPtr c, virDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    (void)c;
    (void)dom;
    (void)opaque;
    CHECK(!strcmp(disk, "vda") && (type == VIR_DOMAIN_BLOCK_JOB_TYPE_PULL || type == VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT ||
                                   type == VIR_DOMAIN_BLOCK_JOB_TYPE_COPY));
    /* Block job statuses after the job states: 100 + status. */
    log_job(&joblog, 100 + status);
}

#define EXPECT_JOBS(...) EXPECT_JOBLOG(&joblog, __VA_ARGS__)

/* A base image with 1 MiB of data and an empty qcow2 overlay on it; the domain's XML. */
static int make_chain(const char *name, char *xml, size_t len)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "qemu-img create -q -f qcow2 %s/%s-base.qcow2 4M && "
             "qemu-io -c 'write -P 0x5a 0 1M' %s/%s-base.qcow2 >/dev/null && "
             "qemu-img create -q -f qcow2 -b %s/%s-base.qcow2 -F qcow2 %s/%s-top.qcow2",
             root, name, root, name, root, name, root, name);
    if (system(cmd) != 0)
        return -1;
    char disk[512];
    snprintf(disk, sizeof disk,
             "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
             "<source file='%s/%s-top.qcow2'/><backingStore type='file'><format type='qcow2'/>"
             "<source file='%s/%s-base.qcow2'/></backingStore><target dev='vda' bus='virtio'/></disk></devices>",
             root, name, root, name);
    domain_xml(xml, len, name, disk);
    return 0;
}

static void test_block_pull(void)
{
    if (system("command -v qemu-img >/dev/null 2>&1 && command -v qemu-io >/dev/null 2>&1") != 0) {
        printf("SKIP test_block_pull: qemu-img is not installed\n");
        return;
    }
    int job_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_JOB_STATE, CB(on_job_state), NULL, NULL);
    int block_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, CB(on_block_job), NULL, NULL);
    CHECK(job_id >= 0 && block_id >= 0);
    char xml[2048];
    CHECK(make_chain("pull", xml, sizeof xml) == 0);
    virDomainPtr dom = virDomainCreateXML(conn, xml, 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("pull");
    CHECK(virDomainBlockPull(dom, "vdb", 0, 0) < 0);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    /* A threshold on the active image and on its backing image; no such third layer. */
    CHECK(virDomainSetBlockThreshold(dom, "vda", 1 << 20, 0) == 0);
    CHECK(virDomainSetBlockThreshold(dom, "vda[1]", 1 << 20, 0) == 0);
    CHECK(virDomainSetBlockThreshold(dom, "vda[2]", 1 << 20, 0) < 0);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    /* To the end, kept listed by PERSIST: CREATED, RUNNING, PENDING, COMPLETED, BLOCK_JOB completed. */
    CHECK(virDomainBlockPull(dom, "vda", 0, VIR_DOMAIN_JOB_PERSIST) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                VIR_DOMAIN_JOB_STATE_COMPLETED, 100 + VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    virDomainJobPtr *jobs = NULL;
    int n = virDomainJobList(dom, &jobs, 0);
    CHECK(n == 1);
    if (n == 1) {
        unsigned long long current = 0, end = 0;
        CHECK(jobs[0]->state == VIR_DOMAIN_JOB_STATE_COMPLETED);
        CHECK(virTypedParamsGetULLong(jobs[0]->data, (int)jobs[0]->ndata, "current", &current) == 1);
        CHECK(virTypedParamsGetULLong(jobs[0]->data, (int)jobs[0]->ndata, "end", &end) == 1);
        CHECK(end > 0 && current == end);
    }
    for (int i = 0; i < n; i++)
        virDomainJobFree(jobs[i]);
    free(jobs);
    char *desc = virDomainGetXMLDesc(dom, 0);
    CHECK(desc && !strstr(desc, "pull-base.qcow2") && !strstr(desc, "backingStore"));
    free(desc);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "qemu-img info -U %s/pull-top.qcow2 | grep -q 'backing file'", root);
    CHECK(system(cmd) != 0);
    CHECK(virDomainJobControl(dom, "block-pull-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS, 0) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_NONE);
    CHECK(virDomainBlockPull(dom, "vda", 0, 0) < 0);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);

    /* At one byte per second a pull stays running: progress shows, and an abort ends it. */
    CHECK(make_chain("slow", xml, sizeof xml) == 0);
    dom = virDomainCreateXML(conn, xml, 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("slow");
    CHECK(virDomainBlockPull(dom, "vda", 1, VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES) == 0);
    virDomainBlockJobInfo info = {0};
    CHECK(virDomainGetBlockJobInfo(dom, "vda", &info, 0) == 1);
    CHECK(info.type == VIR_DOMAIN_BLOCK_JOB_TYPE_PULL && info.end > 0 && info.cur < info.end);
    CHECK(virDomainBlockPull(dom, "vda", 0, 0) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainBlockJobAbort(dom, "vda", 0) == 0);
    CHECK(virDomainGetBlockJobInfo(dom, "vda", &info, 0) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_ABORTING,
                VIR_DOMAIN_JOB_STATE_ABORTED, 100 + VIR_DOMAIN_BLOCK_JOB_CANCELED, VIR_DOMAIN_JOB_STATE_NONE);
    desc = virDomainGetXMLDesc(dom, 0);
    CHECK(desc && strstr(desc, "slow-base.qcow2"));
    free(desc);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);

    /* An active commit waits READY; the pivot (FINALIZE) makes the base the active image. */
    CHECK(make_chain("commit", xml, sizeof xml) == 0);
    dom = virDomainCreateXML(conn, xml, 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("commit");
    CHECK(virDomainBlockCommit(dom, "vda", NULL, NULL, 0, 0) < 0);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainBlockCommit(dom, "vda", NULL, NULL, 0, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_READY,
                100 + VIR_DOMAIN_BLOCK_JOB_READY);
    CHECK(virDomainBlockJobAbort(dom, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_PENDING, VIR_DOMAIN_JOB_STATE_COMPLETED, 100 + VIR_DOMAIN_BLOCK_JOB_COMPLETED,
                VIR_DOMAIN_JOB_STATE_NONE);
    desc = virDomainGetXMLDesc(dom, 0);
    CHECK(desc && strstr(desc, "commit-base.qcow2") && !strstr(desc, "commit-top.qcow2") && !strstr(desc, "backingStore"));
    free(desc);
    /* The base is now the active image: a threshold lands on its node. */
    CHECK(virDomainSetBlockThreshold(dom, "vda", 1 << 20, 0) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);

    /* A copy to a new raw file: READY, then the pivot makes it the disk, with the same data. */
    CHECK(make_chain("copy", xml, sizeof xml) == 0);
    dom = virDomainCreateXML(conn, xml, 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("copy");
    char dest[512], cmd2[1024];
    snprintf(dest, sizeof dest, "<disk type='file'><source file='%s/copy-dest.raw'/><driver type='raw'/></disk>", root);
    CHECK(virDomainBlockCopy(dom, "vda", "<disk type='file'><source file='rel.raw'/></disk>", NULL, 0, 0) < 0);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    CHECK(virDomainBlockCopy(dom, "vda", dest, NULL, 0, 0) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_READY,
                100 + VIR_DOMAIN_BLOCK_JOB_READY);
    CHECK(virDomainJobControl(dom, "block-copy-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE, 0) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_PENDING, VIR_DOMAIN_JOB_STATE_COMPLETED, 100 + VIR_DOMAIN_BLOCK_JOB_COMPLETED,
                VIR_DOMAIN_JOB_STATE_NONE);
    desc = virDomainGetXMLDesc(dom, 0);
    CHECK(desc && strstr(desc, "copy-dest.raw") && !strstr(desc, "copy-top.qcow2") && !strstr(desc, "backingStore"));
    free(desc);
    snprintf(cmd2, sizeof cmd2, "qemu-img compare -q -U %s/copy-top.qcow2 %s/copy-dest.raw", root, root);
    CHECK(system(cmd2) == 0);

    /* Another copy aborted in READY: the disk stays the first copy. */
    snprintf(dest, sizeof dest, "<disk type='file'><source file='%s/copy-dest2.raw'/><driver type='raw'/></disk>", root);
    CHECK(virDomainBlockCopy(dom, "vda", dest, NULL, 0, 0) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_READY,
                100 + VIR_DOMAIN_BLOCK_JOB_READY);
    CHECK(virDomainBlockJobAbort(dom, "vda", 0) == 0);
    EXPECT_JOBS(VIR_DOMAIN_JOB_STATE_ABORTING, VIR_DOMAIN_JOB_STATE_ABORTED, 100 + VIR_DOMAIN_BLOCK_JOB_CANCELED,
                VIR_DOMAIN_JOB_STATE_NONE);
    desc = virDomainGetXMLDesc(dom, 0);
    CHECK(desc && strstr(desc, "copy-dest.raw") && !strstr(desc, "copy-dest2.raw"));
    free(desc);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    virConnectDomainEventDeregisterAny(conn, job_id);
    virConnectDomainEventDeregisterAny(conn, block_id);
    nlog = 0;
}

/* ---- virDomainBackupBegin: QEMU's blockdev-backup per disk, one backup job ------------------ */

static struct joblog backuplog = {.what = "backup job"};
static int backup_completed_events;

static void on_backup_job(virConnectPtr c, virDomainPtr dom, const char *jobname, virDomainJobKind kind,
                          virDomainJobState state, void *opaque)
{
    (void)c;
    (void)dom;
    (void)opaque;
    CHECK(!strcmp(jobname, "backup") && kind == VIR_DOMAIN_JOB_TYPE_BACKUP);
    log_job(&backuplog, state);
}

static void on_job_completed(virConnectPtr c, virDomainPtr dom, virTypedParameterPtr params, int n, void *opaque)
{
    (void)c;
    (void)dom;
    (void)params;
    (void)n;
    (void)opaque;
    backup_completed_events++;
}

#define EXPECT_BACKUP_JOBS(...) EXPECT_JOBLOG(&backuplog, __VA_ARGS__)

static void test_backup(void)
{
    if (system("command -v qemu-img >/dev/null 2>&1 && command -v qemu-io >/dev/null 2>&1") != 0) {
        printf("SKIP test_backup: qemu-img is not installed\n");
        return;
    }
    int job_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_JOB_STATE, CB(on_backup_job), NULL, NULL);
    int done_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, CB(on_job_completed), NULL, NULL);
    CHECK(job_id >= 0 && done_id >= 0);
    char cmd[1024], xml[1024], disk[512], bx[512];
    snprintf(cmd, sizeof cmd,
             "qemu-img create -q -f raw %s/bk.raw 4M && qemu-io -f raw -c 'write -P 0x3c 1M 1M' %s/bk.raw >/dev/null", root,
             root);
    CHECK(system(cmd) == 0);
    snprintf(disk, sizeof disk,
             "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
             "<source file='%s/bk.raw'/><target dev='vda' bus='virtio'/></disk></devices>",
             root);
    virDomainPtr dom = virDomainCreateXML(conn, domain_xml(xml, sizeof xml, "backedup", disk), 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("backedup");

    /* Refused before anything starts: pull mode, incremental, a qcow2 target to create, no backup
     * to describe. */
    CHECK(virDomainBackupBegin(dom, "<domainbackup mode='pull'/>", NULL, 0) < 0);
    EXPECT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
    CHECK(virDomainBackupBegin(dom, "<domainbackup><incremental>c1</incremental></domainbackup>", NULL, 0) < 0);
    EXPECT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
    snprintf(bx, sizeof bx,
             "<domainbackup><disks><disk name='vda' type='file'><target file='%s/bk-out.qcow2'/>"
             "<driver type='qcow2'/></disk></disks></domainbackup>",
             root);
    CHECK(virDomainBackupBegin(dom, bx, NULL, 0) < 0);
    EXPECT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
    CHECK(virDomainBackupGetXMLDesc(dom, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN_BACKUP);
    EXPECT_BACKUP_JOBS();

    /* A push backup to a new raw file, kept listed by PERSIST: the same data as the disk. */
    snprintf(bx, sizeof bx,
             "<domainbackup><disks><disk name='vda' type='file'><target file='%s/bk-out.raw'/>"
             "<driver type='raw'/></disk></disks></domainbackup>",
             root);
    backup_completed_events = 0;
    CHECK(virDomainBackupBegin(dom, bx, NULL, VIR_DOMAIN_JOB_PERSIST) == 0);
    EXPECT_BACKUP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                       VIR_DOMAIN_JOB_STATE_COMPLETED);
    CHECK(backup_completed_events == 1);
    snprintf(cmd, sizeof cmd, "qemu-img compare -q -U -f raw -F raw %s/bk.raw %s/bk-out.raw", root, root);
    CHECK(system(cmd) == 0);
    CHECK(virDomainBackupGetXMLDesc(dom, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN_BACKUP);
    CHECK(virDomainJobControl(dom, "backup", VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS, 0) == 0);
    EXPECT_BACKUP_JOBS(VIR_DOMAIN_JOB_STATE_NONE);

    /* The target exists now: without REUSE_EXTERNAL it is not overwritten; with it, it is. */
    CHECK(virDomainBackupBegin(dom, bx, NULL, 0) < 0);
    EXPECT_ERROR(VIR_ERR_SYSTEM_ERROR);
    EXPECT_BACKUP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_FAILED,
                       VIR_DOMAIN_JOB_STATE_NONE);
    CHECK(virDomainBackupBegin(dom, bx, NULL, VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL) == 0);
    EXPECT_BACKUP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                       VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);
    CHECK(system(cmd) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);

    /* Aborted: 256 MiB of data (0.2 to 0.6 s to copy here) are not copied before the cancel that
     * follows the call. */
    snprintf(cmd, sizeof cmd,
             "qemu-img create -q -f raw %s/big.raw 256M && qemu-io -f raw -c 'write -P 0x71 0 256M' %s/big.raw >/dev/null", root,
             root);
    CHECK(system(cmd) == 0);
    snprintf(disk, sizeof disk,
             "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
             "<source file='%s/big.raw'/><target dev='vda' bus='virtio'/></disk></devices>",
             root);
    dom = virDomainCreateXML(conn, domain_xml(xml, sizeof xml, "bigbackup", disk), 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("bigbackup");
    snprintf(bx, sizeof bx,
             "<domainbackup><disks><disk name='vda' type='file'><target file='%s/big-out.raw'/></disk></disks></domainbackup>",
             root);
    backup_completed_events = 0;
    CHECK(virDomainBackupBegin(dom, bx, NULL, 0) == 0);
    CHECK(virDomainJobControl(dom, "backup", VIR_DOMAIN_JOB_CONTROL_OPERATION_ABORT, 0) == 0);
    EXPECT_BACKUP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_ABORTING,
                       VIR_DOMAIN_JOB_STATE_ABORTED, VIR_DOMAIN_JOB_STATE_NONE);
    CHECK(backup_completed_events == 0);
    /* Its target node is gone from QEMU: the same target can be backed up to again. */
    double t0 = now_ms();
    CHECK(virDomainBackupBegin(dom, bx, NULL, VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL) == 0);
    EXPECT_BACKUP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                       VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);
    printf("# backup of 256 MiB (raw, from the call to COMPLETED): %.1f ms\n", now_ms() - t0);
    snprintf(cmd, sizeof cmd, "qemu-img compare -q -U -f raw -F raw %s/big.raw %s/big-out.raw", root, root);
    CHECK(system(cmd) == 0);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    virConnectDomainEventDeregisterAny(conn, job_id);
    virConnectDomainEventDeregisterAny(conn, done_id);
    nlog = 0;
}

/* ---- virDomainCoreDump: QEMU's dump-guest-memory as a dump job ----------------------------- */

static struct joblog dumplog = {.what = "dump job"};

static void on_dump_job(virConnectPtr c, virDomainPtr dom, const char *jobname, virDomainJobKind kind,
                        virDomainJobState state, void *opaque)
{
    (void)c;
    (void)dom;
    (void)opaque;
    CHECK(!strcmp(jobname, "dump") && kind == VIR_DOMAIN_JOB_TYPE_DUMP);
    log_job(&dumplog, state);
}

#define EXPECT_DUMP_JOBS(...) EXPECT_JOBLOG(&dumplog, __VA_ARGS__)
#define EXPECT_NO_EVENTS() expect_log((const char *const[]){NULL})

/* Whether the file at `path` starts with `magic` (its first `len` bytes). */
static int starts_with(const char *path, const char *magic, size_t len)
{
    char head[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(head, 1, len, f);
    fclose(f);
    return got == len && !memcmp(head, magic, len);
}

static void test_core_dump(void)
{
    int job_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_JOB_STATE, CB(on_dump_job), NULL, NULL);
    CHECK(job_id >= 0);
    /* The previous test's last events may still be on their way. */
    wait_events(MAXLOG, 200);
    nlog = 0;
    char xml[512], path[128], missing[160];
    snprintf(path, sizeof path, "%s/core.elf", root);
    snprintf(missing, sizeof missing, "%s/no-such-dir/core.elf", root);
    virDomainPtr dom = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "dumped", ""));
    CHECK(dom != NULL);
    if (!dom)
        return;
    CHECK(virDomainCreate(dom) == 0);
    pid_t pid = track("dumped");
    EXPECT_LOG("dumped:ADDED", "dumped:DEFINED:0", "dumped:STARTED:0");

    /* Refused before anything happens: libvirt's full dump (its own image format), exclusive
     * flags, an unknown format. */
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, 0) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_UNSUPPORTED);
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
                                      VIR_DUMP_MEMORY_ONLY | VIR_DUMP_CRASH | VIR_DUMP_LIVE) < 0);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
                                      VIR_DUMP_MEMORY_ONLY | VIR_DUMP_BYPASS_CACHE) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_UNSUPPORTED);
    CHECK(virDomainCoreDumpWithFormat(dom, path, 99, VIR_DUMP_MEMORY_ONLY) < 0);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(access(path, F_OK) != 0);
    EXPECT_NO_EVENTS();
    EXPECT_DUMP_JOBS();

    /* Paused for the dump, resumed after; kept listed by PERSIST, its progress at the end. */
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
                                      VIR_DUMP_MEMORY_ONLY | VIR_DOMAIN_JOB_PERSIST) == 0);
    CHECK(starts_with(path, "\177ELF", 4));
    EXPECT_LOG("dumped:SUSPENDED:0", "dumped:RESUMED:0");
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                     VIR_DOMAIN_JOB_STATE_COMPLETED);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    virDomainJobPtr *jobs = NULL;
    int n = virDomainJobList(dom, &jobs, 0);
    CHECK(n == 1);
    if (n == 1) {
        unsigned long long current = 0, end = 0;
        CHECK(jobs[0]->state == VIR_DOMAIN_JOB_STATE_COMPLETED);
        CHECK(virTypedParamsGetULLong(jobs[0]->data, (int)jobs[0]->ndata, "current", &current) == 1);
        CHECK(virTypedParamsGetULLong(jobs[0]->data, (int)jobs[0]->ndata, "end", &end) == 1);
        /* 16 MiB of guest memory. */
        CHECK(end == 16 << 20 && current == end);
    }
    for (int i = 0; i < n; i++)
        virDomainJobFree(jobs[i]);
    free(jobs);
    CHECK(virDomainJobControl(dom, "dump", VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS, 0) == 0);
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_NONE);

    /* LIVE: not paused first, but QEMU stops the CPUs while it writes and resumes them. */
    CHECK(unlink(path) == 0);
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, VIR_DUMP_MEMORY_ONLY | VIR_DUMP_LIVE) == 0);
    CHECK(starts_with(path, "\177ELF", 4));
    EXPECT_LOG("dumped:SUSPENDED:0", "dumped:RESUMED:0");
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                     VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);

    /* kdump-zlib is in Debian's QEMU (makedumpfile's flattened format); a format the QEMU lacks
     * is refused by name. */
    CHECK(unlink(path) == 0);
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, VIR_DUMP_MEMORY_ONLY | VIR_DUMP_LIVE) == 0);
    CHECK(starts_with(path, "makedumpfile", 12) || starts_with(path, "KDUMP   ", 8));
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                     VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);
    EXPECT_LOG("dumped:SUSPENDED:0", "dumped:RESUMED:0");
    CHECK(unlink(path) == 0);
    if (virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO, VIR_DUMP_MEMORY_ONLY | VIR_DUMP_LIVE) < 0) {
        CHECK(virGetLastErrorCode() == VIR_ERR_OPERATION_UNSUPPORTED);
        CHECK(strstr(virGetLastErrorMessage(), "'kdump-lzo'") != NULL);
        CHECK(access(path, F_OK) != 0);
    } else {
        CHECK(starts_with(path, "makedumpfile", 12) || starts_with(path, "KDUMP   ", 8));
        EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                         VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);
        unlink(path);
        EXPECT_LOG("dumped:SUSPENDED:0", "dumped:RESUMED:0");
    }
    EXPECT_DUMP_JOBS();

    /* A path QEMU cannot open: the job fails with QEMU's error, the domain runs on. */
    CHECK(virDomainCoreDumpWithFormat(dom, missing, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, VIR_DUMP_MEMORY_ONLY) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_FAILED);
    EXPECT_LOG("dumped:SUSPENDED:0", "dumped:RESUMED:0");
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_FAILED,
                     VIR_DOMAIN_JOB_STATE_NONE);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);

    /* A relative path is the application's working directory's, not QEMU's. */
    char cwd[512];
    CHECK(getcwd(cwd, sizeof cwd) != NULL && chdir(root) == 0);
    CHECK(virDomainCoreDumpWithFormat(dom, "relative.elf", VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, VIR_DUMP_MEMORY_ONLY) == 0);
    CHECK(chdir(cwd) == 0);
    char relative[160];
    snprintf(relative, sizeof relative, "%s/relative.elf", root);
    CHECK(starts_with(relative, "\177ELF", 4));
    CHECK(unlink(relative) == 0);
    EXPECT_LOG("dumped:SUSPENDED:0", "dumped:RESUMED:0");
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                     VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);

    /* RESET: the reset (REBOOT) while paused, then the domain runs again. */
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, VIR_DUMP_MEMORY_ONLY | VIR_DUMP_RESET) == 0);
    CHECK(starts_with(path, "\177ELF", 4));
    EXPECT_LOG("dumped:SUSPENDED:0", "dumped:REBOOT", "dumped:RESUMED:0");
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                     VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);
    check_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);

    /* CRASH: dumped while paused, then QEMU ends: STOPPED(CRASHED). */
    CHECK(unlink(path) == 0);
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, VIR_DUMP_MEMORY_ONLY | VIR_DUMP_CRASH) == 0);
    CHECK(starts_with(path, "\177ELF", 4));
    EXPECT_LOG("dumped:SUSPENDED:0", "dumped:STOPPED:2");
    EXPECT_DUMP_JOBS(VIR_DOMAIN_JOB_STATE_CREATED, VIR_DOMAIN_JOB_STATE_RUNNING, VIR_DOMAIN_JOB_STATE_PENDING,
                     VIR_DOMAIN_JOB_STATE_COMPLETED, VIR_DOMAIN_JOB_STATE_NONE);
    check_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    for (int i = 0; i < 500 && !gone(pid); i++)
        usleep(1000);
    CHECK(gone(pid));
    CHECK(virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, VIR_DUMP_MEMORY_ONLY) < 0);
    EXPECT_ERROR(VIR_ERR_OPERATION_INVALID);
    CHECK(virDomainUndefine(dom) == 0);
    EXPECT_LOG("dumped:UNDEFINED:0", "dumped:REMOVED");
    virDomainFree(dom);
    unlink(path);
    virConnectDomainEventDeregisterAny(conn, job_id);
    EXPECT_DUMP_JOBS();
    CHECK(count_pidfiles() == 0);
}

/* ---- VNC: a client's phases as GRAPHICS events ------------------------------------------ */

static int graphics_phases[8], ngraphics;
static char vnc_path[100];

static void on_graphics(virConnectPtr c, virDomainPtr dom, int phase, const virDomainEventGraphicsAddress *local,
                        const virDomainEventGraphicsAddress *remote, const char *auth,
                        const virDomainEventGraphicsSubject *subject, void *opaque)
{
    (void)c;
    (void)dom;
    (void)opaque;
    CHECK(local->family == VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX && !strcmp(local->service, vnc_path));
    CHECK(remote->family == VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX);
    CHECK(!strcmp(auth, "none") && subject->nidentity == 0);
    if (ngraphics < 8)
        graphics_phases[ngraphics++] = phase;
}

static int read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

/* An RFB 3.8 client with security type None, up to the server's init message. */
static int vnc_session(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    unsigned char buf[64], count;
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && read_full(fd, buf, 12) == 0 &&
             !memcmp(buf, "RFB 003.008\n", 12) && write(fd, "RFB 003.008\n", 12) == 12 &&
             read_full(fd, &count, 1) == 0 && count > 0 && read_full(fd, buf, count) == 0 && memchr(buf, 1, count) &&
             write(fd, "\x01", 1) == 1 && read_full(fd, buf, 4) == 0 && !memcmp(buf, "\0\0\0\0", 4) &&
             write(fd, "\x01", 1) == 1 && read_full(fd, buf, 24) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

static void test_vnc(void)
{
    snprintf(vnc_path, sizeof vnc_path, "%s/vnc.sock", root);
    char graphics[256], xml[512];
    snprintf(graphics, sizeof graphics, "<devices><graphics type='vnc' socket='%s'/></devices>", vnc_path);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_GRAPHICS, CB(on_graphics), NULL, NULL);
    CHECK(id >= 0);
    virDomainPtr dom = virDomainCreateXML(conn, domain_xml(xml, sizeof xml, "vnc", graphics), 0);
    CHECK(dom != NULL);
    if (!dom)
        return;
    track("vnc");
    CHECK(vnc_session(vnc_path) == 0);
    double until = now_ms() + 5000;
    while (ngraphics < 3 && now_ms() < until) {
        pump();
        usleep(1000);
    }
    CHECK(ngraphics == 3 && graphics_phases[0] == VIR_DOMAIN_EVENT_GRAPHICS_CONNECT &&
          graphics_phases[1] == VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE &&
          graphics_phases[2] == VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT);
    CHECK(virDomainDestroy(dom) == 0);
    virDomainFree(dom);
    CHECK(virDomainCreateXML(conn, domain_xml(xml, sizeof xml, "vnc", "<devices><graphics type='vnc' autoport='yes'/></devices>"), 0) == NULL);
    EXPECT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
    virConnectDomainEventDeregisterAny(conn, id);
    nlog = 0;
}

static void test_capabilities(void)
{
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_LIFECYCLE) == 1);
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_REBOOT) == 1);
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_WATCHDOG) == 0);
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2) == 1);
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD) == 1);
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_GRAPHICS) == 1);
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE) == 0);
    CHECK(virConnectDomainEventIsSupported(conn, VIR_DOMAIN_EVENT_ID_GUEST_USER) == 0);
    /* The hypervisor-simulation API is the test backend's: a real hypervisor refuses it. */
    char xml[512];
    virDomainPtr dom = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "noinject", ""));
    CHECK(dom != NULL);
    if (dom) {
        CHECK(virTestDomainInject(dom, "guest-reboot", NULL, 0, 0) == -1);
        EXPECT_ERROR(VIR_ERR_NO_SUPPORT);
        CHECK(virDomainSetAutostart(dom, 1) == -1);
        EXPECT_ERROR(VIR_ERR_NO_SUPPORT);
        int autostart = -1;
        CHECK(virDomainGetAutostart(dom, &autostart) == 0 && autostart == 0);
        char *os = virDomainGetOSType(dom);
        CHECK(os && !strcmp(os, "hvm"));
        free(os);
        CHECK(virDomainUndefine(dom) == 0);
        virDomainFree(dom);
        /* The refused calls emitted nothing. */
        EXPECT_LOG("noinject:ADDED", "noinject:DEFINED:0", "noinject:UNDEFINED:0", "noinject:REMOVED");
    }
    char *got = virConnectGetURI(conn);
    CHECK(got && !strcmp(got, uri));
    free(got);
}

static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n - 2;
}

static int threads_at_start;

/* In another process: opening the root works once this one has closed it. */
static int probe_open(const char *probe_uri)
{
    virSetErrorFunc(NULL, harness_quiet);
    virConnectPtr c = virConnectOpen(probe_uri);
    if (!c)
        return 20;
    virDomainPtr keep = virDomainLookupByName(c, "keep");
    int state = -1, reason = -1;
    int ok = keep && virDomainGetState(keep, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING;
    if (keep)
        virDomainFree(keep);
    virConnectClose(c);
    return ok ? 0 : 21;
}

/* In another process with XDG directories under `dir`: qemu:///session keeps a domain's
 * definition under $XDG_CONFIG_HOME and its runtime files under $XDG_RUNTIME_DIR. */
static int probe_session(const char *dir)
{
    char config[256], runtime[256], path[512], xml[512];
    snprintf(config, sizeof config, "%s/config", dir);
    snprintf(runtime, sizeof runtime, "%s/runtime", dir);
    setenv("XDG_CONFIG_HOME", config, 1);
    setenv("XDG_RUNTIME_DIR", runtime, 1);
    virSetErrorFunc(NULL, harness_quiet);
    virConnectPtr c = virConnectOpen("qemu:///session");
    if (!c)
        return 30;
    virDomainPtr dom = virDomainDefineXML(c, domain_xml(xml, sizeof xml, "sess", ""));
    int ok = dom && virDomainCreate(dom) == 0;
    snprintf(path, sizeof path, "%s/virtevent/qemu/sess.xml", config);
    ok = ok && access(path, F_OK) == 0;
    snprintf(path, sizeof path, "%s/virtevent/qemu/sess.pid", runtime);
    ok = ok && access(path, F_OK) == 0;
    pid_t pid = read_pid_at(path);
    if (dom) {
        ok = virDomainDestroy(dom) == 0 && ok;
        ok = virDomainUndefine(dom) == 0 && ok;
        virDomainFree(dom);
    }
    if (pid > 0)
        kill(pid, SIGKILL);
    virConnectClose(c);
    return ok ? 0 : 31;
}

static int run_self(const char *mode)
{
    pid_t child = fork();
    if (child == 0) {
        execl(self_path, self_path, mode, uri, (char *)NULL);
        _exit(12);
    }
    int status = -1;
    if (child <= 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* In a second process (this program run again): opening the same root must fail. */
static int probe_lock(const char *probe_uri)
{
    virSetErrorFunc(NULL, harness_quiet);
    virConnectPtr c = virConnectOpen(probe_uri);
    if (c) {
        virConnectClose(c);
        return 10;
    }
    return virGetLastErrorCode() == VIR_ERR_OPERATION_INVALID && strstr(virGetLastErrorMessage(), "lock") ? 0 : 11;
}

static void test_session(void)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/xdg", root);
    CHECK(mkdir(dir, 0700) == 0);
    pid_t child = fork();
    if (child == 0) {
        execl(self_path, self_path, "--probe-session", dir, (char *)NULL);
        _exit(12);
    }
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_second_process_refused(void)
{
    CHECK(run_self("--probe-lock") == 0);
    /* A second connection in this process shares the backend. */
    virConnectPtr again = virConnectOpen(uri);
    CHECK(again != NULL);
    if (again)
        virConnectClose(again);
}

static void test_reconnect(void)
{
    char xml[512];
    virDomainPtr keep = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "keep", ""));
    virDomainPtr lost = virDomainDefineXML(conn, domain_xml(xml, sizeof xml, "lost", ""));
    virDomainPtr transient = virDomainCreateXML(conn, domain_xml(xml, sizeof xml, "passing", ""), VIR_DOMAIN_START_PAUSED);
    CHECK(keep && lost && transient);
    if (!keep || !lost || !transient)
        return;
    CHECK(virDomainCreate(keep) == 0 && virDomainCreate(lost) == 0);
    pid_t keep_pid = track("keep"), lost_pid = track("lost"), passing_pid = track("passing");
    virDomainFree(keep);
    virDomainFree(lost);
    virDomainFree(transient);
    virConnectDomainEventDeregisterAny(conn, lifecycle_id);
    virConnectDomainEventDeregisterAny(conn, reboot_id);
    virConnectDomainEventDeregisterAny(conn, existence_id);
    CHECK(virConnectClose(conn) == 0);
    nlog = 0;

    /* Nobody is connected: the domains keep running, no thread of ours is left, the root is
     * free for another process (which finds the domains, and leaves them running); then one
     * dies meanwhile. */
    CHECK(!gone(keep_pid) && !gone(passing_pid));
    int threads = count_threads();
    for (int i = 0; i < 500 && threads > threads_at_start; i++) {
        usleep(1000);
        threads = count_threads();
    }
    if (threads != threads_at_start)
        fprintf(stderr, "%d threads after the last close, %d before the first open\n", threads, threads_at_start);
    CHECK(threads == threads_at_start);
    CHECK(run_self("--probe-open") == 0);
    CHECK(!gone(keep_pid) && !gone(passing_pid));
    CHECK(kill(lost_pid, SIGKILL) == 0);
    for (int i = 0; i < 500 && !gone(lost_pid); i++)
        usleep(1000);

    open_conn();
    keep = virDomainLookupByName(conn, "keep");
    lost = virDomainLookupByName(conn, "lost");
    transient = virDomainLookupByName(conn, "passing");
    CHECK(keep && lost && transient);
    if (!keep || !lost || !transient)
        return;
    check_state(keep, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    check_state(transient, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    CHECK(virDomainIsPersistent(transient) == 0 && virDomainIsPersistent(keep) == 1);
    check_state(lost, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    CHECK(read_pid("lost") < 0);

    /* The reconnected monitors deliver events again. */
    CHECK(virDomainSuspend(keep) == 0);
    CHECK(virDomainResume(transient) == 0);
    CHECK(kill(keep_pid, SIGKILL) == 0);
    EXPECT_LOG("keep:SUSPENDED:0", "passing:RESUMED:0", "keep:STOPPED:5");
    CHECK(virDomainDestroy(transient) == 0);
    EXPECT_LOG("passing:STOPPED:1", "passing:REMOVED");
    CHECK(virDomainUndefine(keep) == 0 && virDomainUndefine(lost) == 0);
    EXPECT_LOG("keep:UNDEFINED:0", "keep:REMOVED", "lost:UNDEFINED:0", "lost:REMOVED");
    virDomainFree(keep);
    virDomainFree(lost);
    virDomainFree(transient);
    CHECK(count_pidfiles() == 0);
}

static int have_qemu(void)
{
    return system("command -v qemu-system-x86_64 >/dev/null 2>&1") == 0;
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 3 && !strcmp(argv[1], "--probe-lock"))
        return probe_lock(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "--probe-open"))
        return probe_open(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "--probe-session"))
        return probe_session(argv[2]);
    if (!have_qemu()) {
        printf("SKIP test_qemu: qemu-system-x86_64 is not installed\n");
        return 0;
    }
    threads_at_start = count_threads();
    harness_init();
    harness_watchdog(100);
    /* The same time limit, killing this test's QEMUs before it fails. */
    signal(SIGALRM, on_watchdog);
    snprintf(root, sizeof root, "/tmp/vq-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(uri, sizeof uri, "qemu:///embed?root=%s", root);
    open_conn();
    RUN(test_capabilities);
    RUN(test_lifecycle);
    RUN(test_create_xml_of_a_defined_domain);
    RUN(test_terminated_and_killed_from_outside);
    RUN(test_save_restore);
    RUN(test_managed_save);
    RUN(test_refused_configuration);
    RUN(test_block_pull);
    RUN(test_core_dump);
    RUN(test_backup);
    RUN(test_vnc);
    RUN(test_second_process_refused);
    RUN(test_session);
    RUN(test_reconnect);
    virConnectClose(conn);
    kill_all();
    remove_tree(root);
    return harness_exit();
}
