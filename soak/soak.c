/* The soak: 8 threads for N seconds on one shared test:///default connection, under both event
 * loop modes, checking that no event is lost or reordered and that every registration's free
 * callback runs exactly once, at the right moment.
 *
 *   soak                          both modes, 2 s each (in parallel), seed 1
 *   soak --seconds N [--seed S]   both modes, N s each (in parallel), a random seed unless given
 *   soak --mode default|thread …  one mode in this process (an event loop implementation can
 *                                 be registered once per process: the two above fork+exec this)
 *
 * Threads: 4 domain workers, each owning 3 domains ("slots") that it defines, creates, starts,
 * suspends, resumes, reboots, shuts down, destroys and undefines at random (a slot's UUID is
 * reused with a different name on every new life), recording the events each successful call
 * must produce, and checking that calls invalid in the state fail and produce nothing; 3
 * registrars registering and deregistering callbacks of every style (RegisterAny for several
 * event IDs and with a domain filter, the legacy virConnectDomainEventRegister, the generic
 * virConnectEventRegister, with a name or without, and virConnectEventRegisterSince), on the
 * shared connection and on private connections that they close with registrations still on
 * them; 1 lister making list-then-watch registrations (virConnectListAllDomainsVersioned then
 * virConnectEventRegisterFlags SINCE, with bookmarks or not) on the shared connection, and on
 * private test:///empty connections with a history of 2 events, so that watches expire.
 *
 * A watcher registered through virConnectEventRegisterSince from the first list sees every
 * event: each resourceVersion must be the previous plus one (no loss, no duplicate), and each
 * domain's events must be exactly those its worker's successful calls produced, in order.
 *
 * Every registration's opaque is a record checked by its callbacks and its free callback: a
 * callback never runs after its freecb, nor for a refused registration, nor after the
 * connection's close returned, nor concurrently with another callback; the freecb runs exactly
 * once per accepted registration, never while its callback runs, never without a
 * deregistration, connection close or expiry, and before virConnectClose returns. Callback
 * handles must carry the event's own name, UUID and ID. A closed connection must refuse
 * registrations and references. Records are reused only after a quarantine, so that a late
 * callback lands on a record marked freed, not on freed memory.
 *
 * Output: "PASS soak mode=<m> seconds=<n> ops=<N> events=<E> registrations=<R> frees=<F> …",
 * or one "FAIL soak mode=<m> <invariant>: <count> times, first: …" line per broken invariant
 * followed by an "INFO soak …" line with the same figures. The seed picks the operations; the
 * threads' interleaving is the machine's.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CB(cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

enum { N_WORKERS = 4, SLOTS_PER_WORKER = 3, N_SLOTS = N_WORKERS * SLOTS_PER_WORKER, N_REGISTRARS = 3 };
enum { POOL_SIZE = 4096, QUARANTINE_MS = 300, MAX_BACKLOG = 1500 };

static const char *mode = "";
static int seconds;
static unsigned long long seed;

/* ---- clock, randomness --------------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static unsigned rnd(unsigned long long *state, unsigned n)
{
    unsigned long long x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (unsigned)((x * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static unsigned long long thread_seed(int index)
{
    unsigned long long s = (seed + 1) * 0x9E3779B97F4A7C15ULL ^ (unsigned long long)(index + 1) * 0xBF58476D1CE4E5B9ULL;
    return s ? s : 1;
}

/* ---- invariants ---------------------------------------------------------------------------- */

enum inv {
    INV_SETUP,
    INV_OP_FAILED,
    INV_INVALID_OP_ACCEPTED,
    INV_VERSION_GAP,
    INV_EVENT_SEQUENCE,
    INV_EVENTS_NOT_DELIVERED,
    INV_HANDLE,
    INV_FILTER,
    INV_WATCH_ORDER,
    INV_CB_AFTER_FREE,
    INV_CB_UNACCEPTED,
    INV_CB_CONCURRENT,
    INV_FREE_TWICE,
    INV_FREE_DURING_CB,
    INV_FREE_UNASKED,
    INV_NEVER_FREED,
    INV_AFTER_CLOSE,
    INV_CB_AFTER_CLOSE,
    INV_REG_REFUSED,
    INV_DUP_ACCEPTED,
    INV_DEREG_FAILED,
    INV_CLOSED_CONN,
    INV_CLOSE,
    INV_COUNT
};

static const char *const inv_name[INV_COUNT] = {
    "setup",
    "operation-failed",
    "invalid-operation-accepted",
    "watcher-version-gap",
    "event-sequence",
    "events-not-delivered",
    "callback-domain-handle",
    "domain-filter",
    "watch-version-order",
    "callback-after-freecb",
    "callback-of-unaccepted-registration",
    "concurrent-callbacks",
    "freecb-twice",
    "freecb-during-callback",
    "freecb-without-deregistration",
    "freecb-never-ran",
    "freecb-after-close-returned",
    "callback-after-close-returned",
    "registration-refused",
    "duplicate-registration-accepted",
    "deregistration-failed",
    "closed-connection-accepted",
    "close",
};

static atomic_long inv_count[INV_COUNT];
static char inv_first[INV_COUNT][400];
static pthread_mutex_t inv_lock = PTHREAD_MUTEX_INITIALIZER;

static void violation(enum inv k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(enum inv k, const char *fmt, ...)
{
    if (atomic_fetch_add(&inv_count[k], 1) != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&inv_lock);
    vsnprintf(inv_first[k], sizeof inv_first[k], fmt, ap);
    pthread_mutex_unlock(&inv_lock);
    va_end(ap);
}

static void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static const char *last_error(void)
{
    const char *m = virGetLastErrorMessage();
    return m ? m : "(no error set)";
}

enum { K_COUNT_MAX = 16 };

/* ---- totals -------------------------------------------------------------------------------- */

static atomic_long total_ops, total_invalid_ops, total_events, total_callbacks, total_registrations, total_frees;
static atomic_long total_refused_dups, total_watches, total_expired, total_bookmarks, total_private_conns;
static atomic_long total_closed_checks;
static atomic_int stop_flag;
/* Which kinds of registration broke the freecb-at-close rules, to tell the causes apart. */
static atomic_long never_freed_by_kind[K_COUNT_MAX][2], late_free_by_kind[K_COUNT_MAX];
static atomic_long never_freed_deregistered; /* not expired, deregistered before the close: freecb pending */
static atomic_int callbacks_running;

/* ---- slots: the domains and the events they must produce ----------------------------------- */

enum { S_SHUTOFF, S_RUNNING, S_PAUSED };

/* Event codes: existence and reboot, or 16 + lifecycle event * 16 + detail. */
enum { C_ADDED = 1, C_REMOVED = 2, C_REBOOT = 3, C_OTHER = 255 };
#define C_LIFECYCLE(event, detail) ((unsigned char)(16 + (event) * 16 + (detail)))

struct bytes {
    unsigned char *v;
    size_t n, cap;
};

static void bytes_push(struct bytes *b, unsigned char c)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4096;
        b->v = realloc(b->v, b->cap);
        if (!b->v)
            abort();
    }
    b->v[b->n++] = c;
}

struct slot {
    /* the worker's model (its thread only) */
    int exists, persistent, state, gen, broken;
    virDomainPtr dom;
    char name[32];
    char uuid[VIR_UUID_STRING_BUFLEN];
    struct bytes expected;
    /* the watcher's view (the event loop's thread only) */
    struct bytes received;
    char seen_name[32];
};

static struct slot slots[N_SLOTS];
static atomic_long expected_total, received_total;

static int slot_of_uuid(const unsigned char *u)
{
    static const unsigned char prefix[14] = {0x50, 0xa4, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0};
    if (memcmp(u, prefix, sizeof prefix) != 0 || u[14] != 0 || u[15] >= N_SLOTS)
        return -1;
    return u[15];
}

static void slot_name(int slot, int gen, char *buf, size_t len)
{
    snprintf(buf, len, "soak-%02d-%c", slot, gen % 2 ? 'b' : 'a');
}

static const char *code_name(unsigned char c, char *buf, size_t len)
{
    static const char *const lifecycle[] = {"DEFINED",  "UNDEFINED", "STARTED",     "SUSPENDED", "RESUMED",
                                            "STOPPED",  "SHUTDOWN",  "PMSUSPENDED", "CRASHED"};
    if (c == C_ADDED)
        return "ADDED";
    if (c == C_REMOVED)
        return "REMOVED";
    if (c == C_REBOOT)
        return "REBOOT";
    if (c >= 16 && c < 16 + 9 * 16) {
        snprintf(buf, len, "%s/%d", lifecycle[(c - 16) / 16], (c - 16) % 16);
        return buf;
    }
    snprintf(buf, len, "code %d", c);
    return buf;
}

static unsigned char code_of(const virConnectEvent *ev)
{
    switch (ev->eventID) {
    case VIR_DOMAIN_EVENT_ID_EXISTENCE:
        return ev->data.existence.type == VIR_DOMAIN_EVENT_EXISTENCE_ADDED     ? C_ADDED
               : ev->data.existence.type == VIR_DOMAIN_EVENT_EXISTENCE_REMOVED ? C_REMOVED
                                                                               : C_OTHER;
    case VIR_DOMAIN_EVENT_ID_REBOOT:
        return C_REBOOT;
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        if (ev->data.lifecycle.event >= 0 && ev->data.lifecycle.event < 9 && ev->data.lifecycle.detail >= 0 &&
            ev->data.lifecycle.detail < 16)
            return C_LIFECYCLE(ev->data.lifecycle.event, ev->data.lifecycle.detail);
        return C_OTHER;
    default:
        return C_OTHER;
    }
}

/* ---- registration records ------------------------------------------------------------------ */

enum rstate { R_IDLE, R_PENDING, R_LIVE, R_DEREG, R_FREED, R_REFUSED, R_ABANDONED };

enum kind {
    K_ANY_LIFECYCLE,
    K_ANY_LIFECYCLE_DOM,
    K_ANY_REBOOT,
    K_ANY_EXISTENCE,
    K_LEGACY,
    K_GEN_ALL,
    K_GEN_LIFECYCLE,
    K_GEN_REBOOT,
    K_GEN_SINCE,
    K_WATCH,
    K_WATCH_BOOKMARKS,
    K_PRIVATE_WATCH,
    K_PRIVATE_WATCH_BOOKMARKS,
    K_WATCHER,
    K_COUNT
};

_Static_assert((int)K_COUNT <= (int)K_COUNT_MAX, "K_COUNT_MAX too small");
static const char *const kind_name[K_COUNT] = {
    "RegisterAny lifecycle",
    "RegisterAny lifecycle of one domain",
    "RegisterAny reboot",
    "RegisterAny existence",
    "legacy DomainEventRegister",
    "generic (every event)",
    "generic \"lifecycle\"",
    "generic \"reboot\"",
    "generic since",
    "watch (list, then SINCE)",
    "watch (list, then SINCE|BOOKMARKS)",
    "private watch SINCE, history 2",
    "private watch SINCE|BOOKMARKS, history 2",
    "the watcher",
};

struct reg {
    atomic_int state;
    atomic_int in_cb;
    atomic_int expired;
    atomic_int conn_closing; /* its connection is being closed: a freecb without deregistration is due */
    atomic_int conn_closed;  /* virConnectClose returned: nothing may run any more */
    atomic_llong freed_at;
    unsigned long long last_version; /* callbacks only (one at a time) */
    int seen_any;
    enum kind kind;
    int id;
    int filter_slot;
    int on_private;
    long conn_serial;
    virConnectPtr conn;
};

struct pool {
    struct reg *regs;
    int cursor;
};

static void pool_init(struct pool *p)
{
    p->regs = calloc(POOL_SIZE, sizeof *p->regs);
    if (!p->regs)
        abort();
    p->cursor = 0;
}

/* A record nobody can reach any more (never registered, refused, or freed long enough ago). */
static struct reg *pool_take(struct pool *p, enum kind kind, virConnectPtr conn, long serial)
{
    long long now = now_ms();
    for (int i = 0; i < POOL_SIZE; i++) {
        int at = (p->cursor + i) % POOL_SIZE;
        struct reg *r = &p->regs[at];
        int st = atomic_load(&r->state);
        if (st == R_IDLE || st == R_REFUSED || (st == R_FREED && now - atomic_load(&r->freed_at) > QUARANTINE_MS)) {
            p->cursor = (at + 1) % POOL_SIZE;
            atomic_store(&r->in_cb, 0);
            atomic_store(&r->expired, 0);
            atomic_store(&r->conn_closing, 0);
            atomic_store(&r->conn_closed, 0);
            r->last_version = 0;
            r->seen_any = 0;
            r->kind = kind;
            r->id = -1;
            r->filter_slot = -1;
            r->on_private = 0;
            r->conn_serial = serial;
            r->conn = conn;
            atomic_store(&r->state, R_PENDING);
            return r;
        }
    }
    return NULL;
}

/* The registration call returned `id`. */
static int reg_accepted(struct reg *r, int id)
{
    r->id = id;
    int pending = R_PENDING;
    atomic_fetch_add(&total_registrations, 1);
    /* it may already be over (an expired watch): then it stays freed */
    return atomic_compare_exchange_strong(&r->state, &pending, R_LIVE);
}

static void reg_free(void *opaque)
{
    struct reg *r = opaque;
    atomic_fetch_add(&total_frees, 1);
    if (atomic_load(&r->in_cb) != 0)
        violation(INV_FREE_DURING_CB, "%s registration %d: freecb ran while its callback was running", kind_name[r->kind],
                  r->id);
    if (atomic_load(&r->conn_closed)) {
        atomic_fetch_add(&late_free_by_kind[r->kind], 1);
        violation(INV_AFTER_CLOSE, "%s registration %d: freecb ran after virConnectClose had returned",
                  kind_name[r->kind], r->id);
    }
    int st = atomic_load(&r->state);
    switch (st) {
    case R_DEREG:
    case R_ABANDONED:
        break;
    case R_LIVE:
    case R_PENDING:
        if (!atomic_load(&r->expired) && !atomic_load(&r->conn_closing))
            violation(INV_FREE_UNASKED, "%s registration %d: freecb ran with no deregistration, close or expiry",
                      kind_name[r->kind], r->id);
        break;
    case R_FREED:
        violation(INV_FREE_TWICE, "%s registration %d: freecb ran twice", kind_name[r->kind], r->id);
        break;
    default:
        violation(INV_FREE_TWICE, "%s: freecb ran for a refused registration (state %d)", kind_name[r->kind], st);
        break;
    }
    atomic_store(&r->freed_at, now_ms());
    atomic_store(&r->state, R_FREED);
}

static void cb_enter(struct reg *r, virConnectPtr conn)
{
    if (atomic_fetch_add(&callbacks_running, 1) != 0)
        violation(INV_CB_CONCURRENT, "%s registration %d: called while another callback was running", kind_name[r->kind],
                  r->id);
    atomic_fetch_add(&r->in_cb, 1);
    atomic_fetch_add(&total_callbacks, 1);
    int st = atomic_load(&r->state);
    if (st == R_FREED)
        violation(INV_CB_AFTER_FREE, "%s registration %d: callback after its freecb", kind_name[r->kind], r->id);
    else if (st == R_IDLE || st == R_REFUSED)
        violation(INV_CB_UNACCEPTED, "%s: callback of a registration that was refused (state %d)", kind_name[r->kind], st);
    if (atomic_load(&r->conn_closed))
        violation(INV_CB_AFTER_CLOSE, "%s registration %d: callback after virConnectClose had returned (state %d)",
                  kind_name[r->kind], r->id, st);
    if (conn != r->conn && st != R_ABANDONED)
        violation(INV_HANDLE, "%s registration %d: callback got connection %p, registered on %p", kind_name[r->kind],
                  r->id, (void *)conn, (void *)r->conn);
}

static void cb_leave(struct reg *r)
{
    atomic_fetch_sub(&r->in_cb, 1);
    atomic_fetch_sub(&callbacks_running, 1);
}

/* The domain handle a callback got: named as its slot (by UUID), and, when the callback has
 * the event, carrying the event's own name, UUID and ID. Returns the slot, or -1 for a domain
 * that is not ours. */
static int check_domain(struct reg *r, virDomainPtr dom, const virConnectEvent *ev)
{
    unsigned char uuid[VIR_UUID_BUFLEN];
    if (!dom) {
        violation(INV_HANDLE, "%s registration %d: callback without a domain", kind_name[r->kind], r->id);
        return -1;
    }
    const char *name = virDomainGetName(dom);
    if (!name || virDomainGetUUID(dom, uuid) != 0) {
        violation(INV_HANDLE, "%s registration %d: the callback's domain handle is refused: %s", kind_name[r->kind], r->id,
                  last_error());
        return -1;
    }
    int slot = slot_of_uuid(uuid);
    if (ev) {
        if (strcmp(name, ev->domainName) != 0)
            violation(INV_HANDLE, "%s registration %d: handle named \"%s\" for an event of \"%s\" (%s, version %llu)",
                      kind_name[r->kind], r->id, name, ev->domainName, ev->eventName, ev->resourceVersion);
        if (memcmp(uuid, ev->domainUUID, VIR_UUID_BUFLEN) != 0)
            violation(INV_HANDLE, "%s registration %d: handle UUID differs from the event's (%s)", kind_name[r->kind],
                      r->id, ev->domainName);
        if ((int)virDomainGetID(dom) != ev->domainID)
            violation(INV_HANDLE, "%s registration %d: handle ID %d, event ID %d (%s)", kind_name[r->kind], r->id,
                      (int)virDomainGetID(dom), ev->domainID, ev->domainName);
    }
    if (slot >= 0) {
        int named_slot;
        char gen;
        if (sscanf(name, "soak-%d-%c", &named_slot, &gen) != 2 || named_slot != slot)
            violation(INV_HANDLE, "%s registration %d: handle of slot %d's UUID named \"%s\"", kind_name[r->kind], r->id,
                      slot, name);
    }
    if (r->filter_slot >= 0 && slot != r->filter_slot)
        violation(INV_FILTER, "%s registration %d: for slot %d, got an event of \"%s\"", kind_name[r->kind], r->id,
                  r->filter_slot, name);
    return slot;
}

/* ---- callbacks ----------------------------------------------------------------------------- */

static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    struct reg *r = opaque;
    cb_enter(r, c);
    check_domain(r, d, NULL);
    if (event < 0 || event > VIR_DOMAIN_EVENT_CRASHED || detail < 0)
        violation(INV_HANDLE, "%s registration %d: lifecycle event %d detail %d", kind_name[r->kind], r->id, event, detail);
    cb_leave(r);
    return 0;
}

static void on_reboot(virConnectPtr c, virDomainPtr d, void *opaque)
{
    struct reg *r = opaque;
    cb_enter(r, c);
    check_domain(r, d, NULL);
    cb_leave(r);
}

static void on_existence(virConnectPtr c, virDomainPtr d, int type, void *opaque)
{
    struct reg *r = opaque;
    cb_enter(r, c);
    check_domain(r, d, NULL);
    if (type != VIR_DOMAIN_EVENT_EXISTENCE_ADDED && type != VIR_DOMAIN_EVENT_EXISTENCE_REMOVED)
        violation(INV_HANDLE, "%s registration %d: existence type %d", kind_name[r->kind], r->id, type);
    cb_leave(r);
}

/* Generic callbacks: every kind that sees every event must see consecutive versions. */
static void on_generic(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    struct reg *r = opaque;
    cb_enter(r, c);
    unsigned long long v = ev->resourceVersion;
    int every = r->kind == K_GEN_ALL || r->kind == K_GEN_SINCE || r->kind == K_WATCH || r->kind == K_WATCH_BOOKMARKS ||
                r->kind == K_PRIVATE_WATCH || r->kind == K_PRIVATE_WATCH_BOOKMARKS;
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED) {
        atomic_store(&r->expired, 1);
        atomic_fetch_add(&total_expired, 1);
    } else if (ev->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK) {
        atomic_fetch_add(&total_bookmarks, 1);
        if (r->kind != K_WATCH_BOOKMARKS && r->kind != K_PRIVATE_WATCH_BOOKMARKS)
            violation(INV_WATCH_ORDER, "%s registration %d: a bookmark it did not ask for", kind_name[r->kind], r->id);
        if (v < r->last_version)
            violation(INV_WATCH_ORDER, "%s registration %d: bookmark %llu after version %llu", kind_name[r->kind], r->id, v,
                      r->last_version);
        r->last_version = v;
        r->seen_any = 1;
    } else {
        check_domain(r, d, ev);
        if (r->kind == K_GEN_LIFECYCLE && ev->eventID != VIR_DOMAIN_EVENT_ID_LIFECYCLE)
            violation(INV_FILTER, "%s registration %d: got \"%s\"", kind_name[r->kind], r->id, ev->eventName);
        if (r->kind == K_GEN_REBOOT && ev->eventID != VIR_DOMAIN_EVENT_ID_REBOOT)
            violation(INV_FILTER, "%s registration %d: got \"%s\"", kind_name[r->kind], r->id, ev->eventName);
        /* a live registration starts anywhere; a watch right after its version */
        int first_free = r->kind == K_GEN_ALL && !r->seen_any;
        if (every && !first_free && v != r->last_version + 1)
            violation(INV_WATCH_ORDER, "%s registration %d: version %llu after %llu (%s of \"%s\")", kind_name[r->kind],
                      r->id, v, r->last_version, ev->eventName, ev->domainName);
        if (!every && v <= r->last_version)
            violation(INV_WATCH_ORDER, "%s registration %d: version %llu after %llu", kind_name[r->kind], r->id, v,
                      r->last_version);
        r->last_version = v;
        r->seen_any = 1;
    }
    cb_leave(r);
}

/* One variant of each callback per registrar, so that registrars never collide on libvirt's
 * duplicate rule (same connection, callback, event and domain), and each knows exactly which
 * of its registrations must be refused as duplicates. */
#define VARIANTS(X) X(0) X(1) X(2) X(3)
#define DEFINE_VARIANT(v)                                                                                \
    static int lifecycle_cb##v(virConnectPtr c, virDomainPtr d, int e, int det, void *o)                 \
    {                                                                                                    \
        return on_lifecycle(c, d, e, det, o);                                                            \
    }                                                                                                    \
    static int legacy_cb##v(virConnectPtr c, virDomainPtr d, int e, int det, void *o)                    \
    {                                                                                                    \
        return on_lifecycle(c, d, e, det, o);                                                            \
    }                                                                                                    \
    static void reboot_cb##v(virConnectPtr c, virDomainPtr d, void *o)                                   \
    {                                                                                                    \
        on_reboot(c, d, o);                                                                              \
    }                                                                                                    \
    static void existence_cb##v(virConnectPtr c, virDomainPtr d, int t, void *o)                         \
    {                                                                                                    \
        on_existence(c, d, t, o);                                                                        \
    }                                                                                                    \
    static void generic_cb##v(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *o)       \
    {                                                                                                    \
        on_generic(c, d, ev, o);                                                                         \
    }                                                                                                    \
    static void since_cb##v(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *o)         \
    {                                                                                                    \
        on_generic(c, d, ev, o);                                                                         \
    }
VARIANTS(DEFINE_VARIANT)
#define NAME_VARIANT(prefix, v) prefix##_cb##v,
#define LIFECYCLE_V(v) NAME_VARIANT(lifecycle, v)
#define LEGACY_V(v) NAME_VARIANT(legacy, v)
#define REBOOT_V(v) NAME_VARIANT(reboot, v)
#define EXISTENCE_V(v) NAME_VARIANT(existence, v)
#define GENERIC_V(v) NAME_VARIANT(generic, v)
#define SINCE_V(v) NAME_VARIANT(since, v)
static virConnectDomainEventCallback const lifecycle_cbs[] = {VARIANTS(LIFECYCLE_V)};
static virConnectDomainEventCallback const legacy_cbs[] = {VARIANTS(LEGACY_V)};
static void (*const reboot_cbs[])(virConnectPtr, virDomainPtr, void *) = {VARIANTS(REBOOT_V)};
static virConnectDomainEventExistenceCallback const existence_cbs[] = {VARIANTS(EXISTENCE_V)};
static virConnectEventCallback const generic_cbs[] = {VARIANTS(GENERIC_V)};
static virConnectEventCallback const since_cbs[] = {VARIANTS(SINCE_V)};

/* The watcher: every event of the backend, from the first list on. */
static atomic_ullong watcher_version;
static long watcher_foreign;

static void on_watcher(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    char a[32];
    struct reg *r = opaque;
    cb_enter(r, c);
    unsigned long long last = atomic_load_explicit(&watcher_version, memory_order_relaxed);
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED) {
        atomic_store(&r->expired, 1);
        violation(INV_EVENTS_NOT_DELIVERED, "the watcher expired after version %llu (the loop fell behind the history)",
                  last);
    } else if (ev->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK) {
        violation(INV_WATCH_ORDER, "the watcher got a bookmark it did not ask for");
    } else {
        if (ev->resourceVersion != last + 1)
            violation(INV_VERSION_GAP, "the watcher got version %llu after %llu (%s of \"%s\")", ev->resourceVersion, last,
                      ev->eventName, ev->domainName);
        int slot = check_domain(r, d, ev);
        if (slot >= 0) {
            struct slot *s = &slots[slot];
            unsigned char code = code_of(ev);
            if (code == C_ADDED)
                snprintf(s->seen_name, sizeof s->seen_name, "%s", ev->domainName);
            else if (strcmp(s->seen_name, ev->domainName) != 0)
                violation(INV_EVENT_SEQUENCE, "slot %d: %s event of \"%s\" during the life of \"%s\"", slot,
                          code_name(code, a, sizeof a), ev->domainName, s->seen_name);
            if (code == C_REMOVED)
                s->seen_name[0] = 0;
            bytes_push(&s->received, code);
            atomic_fetch_add(&received_total, 1);
        } else {
            watcher_foreign++;
        }
        atomic_fetch_add(&total_events, 1);
        /* release: the slots' records are complete for whoever reads this version */
        atomic_store_explicit(&watcher_version, ev->resourceVersion, memory_order_release);
    }
    cb_leave(r);
}

/* ---- connections --------------------------------------------------------------------------- */

static virConnectPtr shared;
static atomic_long next_serial;

/* Marks the records of connection `serial` in `p` before its close. */
static void mark_closing(struct pool *p, long serial)
{
    for (int i = 0; i < POOL_SIZE; i++) {
        struct reg *r = &p->regs[i];
        int st = atomic_load(&r->state);
        if (r->conn_serial == serial && (st == R_PENDING || st == R_LIVE || st == R_DEREG))
            atomic_store(&r->conn_closing, 1);
    }
}

/* After virConnectClose returned: every accepted registration of the connection is freed, and
 * nothing of it may run any more. */
static void check_closed(struct pool *p, long serial, const char *which)
{
    for (int i = 0; i < POOL_SIZE; i++) {
        struct reg *r = &p->regs[i];
        if (r->conn_serial != serial)
            continue;
        int st = atomic_load(&r->state);
        if (st == R_IDLE || st == R_REFUSED)
            continue;
        atomic_store(&r->conn_closed, 1);
        if (st != R_FREED && st != R_ABANDONED) {
            atomic_fetch_add(&never_freed_by_kind[r->kind][atomic_load(&r->expired) ? 1 : 0], 1);
            if (st == R_DEREG && !atomic_load(&r->expired))
                atomic_fetch_add(&never_freed_deregistered, 1);
            violation(INV_NEVER_FREED, "%s registration %d on %s: its freecb had not run when virConnectClose returned%s",
                      kind_name[r->kind], r->id, which, atomic_load(&r->expired) ? " (it had received \"expired\")" : "");
            atomic_store(&r->state, R_ABANDONED);
        }
    }
}

/* ---- domain workers ------------------------------------------------------------------------ */

struct worker {
    int index;
    unsigned long long rng;
    pthread_t thread;
};

static long long deadline_ms;

static const char *domain_xml(char *buf, size_t len, const struct slot *s)
{
    snprintf(buf, len,
             "<domain type='test'><name>%s</name><uuid>%s</uuid><memory>1024</memory>"
             "<os><type>hvm</type></os></domain>",
             s->name, s->uuid);
    return buf;
}

static void expect(struct slot *s, unsigned char code)
{
    bytes_push(&s->expected, code);
    atomic_fetch_add(&expected_total, 1);
}

static void op_failed(struct slot *s, int slot, const char *op)
{
    violation(INV_OP_FAILED, "slot %d (%s, state %d, %s): %s failed: %s", slot, s->name, s->state,
              s->persistent ? "persistent" : "transient", op, last_error());
    s->broken = 1;
}

static void gone(struct slot *s)
{
    virDomainFree(s->dom);
    s->dom = NULL;
    s->exists = 0;
}

/* An operation the model says is invalid: it must fail with VIR_ERR_OPERATION_INVALID and
 * produce no event. */
static void invalid_op(struct worker *w, struct slot *s, int slot)
{
    const char *what;
    int rc;
    unsigned pick = rnd(&w->rng, 2);
    switch (s->state) {
    case S_SHUTOFF:
        what = pick ? "virDomainSuspend of an inactive domain" : "virDomainReboot of an inactive domain";
        rc = pick ? virDomainSuspend(s->dom) : virDomainReboot(s->dom, 0);
        break;
    case S_RUNNING:
        what = pick ? "virDomainResume of a running domain" : "virDomainCreate of a running domain";
        rc = pick ? virDomainResume(s->dom) : virDomainCreate(s->dom);
        break;
    default:
        what = pick ? "virDomainSuspend of a paused domain" : "virDomainCreate of a paused domain";
        rc = pick ? virDomainSuspend(s->dom) : virDomainCreate(s->dom);
        break;
    }
    atomic_fetch_add(&total_invalid_ops, 1);
    if (rc == 0) {
        violation(INV_INVALID_OP_ACCEPTED, "slot %d (%s): %s succeeded", slot, s->name, what);
        s->broken = 1;
    } else if (virGetLastErrorCode() != VIR_ERR_OPERATION_INVALID) {
        violation(INV_INVALID_OP_ACCEPTED, "slot %d (%s): %s failed with code %d (%s), not OPERATION_INVALID", slot,
                  s->name, what, virGetLastErrorCode(), last_error());
    }
}

static void worker_step(struct worker *w)
{
    char xml[512];
    int slot = w->index * SLOTS_PER_WORKER + (int)rnd(&w->rng, SLOTS_PER_WORKER);
    struct slot *s = &slots[slot];
    unsigned r = rnd(&w->rng, 100);
    if (s->broken)
        return;
    if (!s->exists) {
        s->gen++;
        slot_name(slot, s->gen, s->name, sizeof s->name);
        if (r < 60) {
            s->dom = virDomainDefineXML(shared, domain_xml(xml, sizeof xml, s));
            if (!s->dom)
                {
                op_failed(s, slot, "virDomainDefineXML");
                return;
            }
            expect(s, C_ADDED);
            expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED));
            s->exists = s->persistent = 1;
            s->state = S_SHUTOFF;
        } else {
            int paused = r >= 85;
            s->dom = virDomainCreateXML(shared, domain_xml(xml, sizeof xml, s), paused ? VIR_DOMAIN_START_PAUSED : 0);
            if (!s->dom)
                {
                op_failed(s, slot, "virDomainCreateXML");
                return;
            }
            expect(s, C_ADDED);
            expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED));
            if (paused)
                expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
            s->exists = 1;
            s->persistent = 0;
            s->state = paused ? S_PAUSED : S_RUNNING;
        }
        atomic_fetch_add(&total_ops, 1);
        return;
    }
    if (r < 8) {
        invalid_op(w, s, slot);
        return;
    }
    r = rnd(&w->rng, 100);
    if (s->state == S_SHUTOFF) {
        if (r < 50) {
            int paused = r < 10;
            if (virDomainCreateWithFlags(s->dom, paused ? VIR_DOMAIN_START_PAUSED : 0) != 0)
                {
                op_failed(s, slot, "virDomainCreateWithFlags");
                return;
            }
            expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED));
            if (paused)
                expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
            s->state = paused ? S_PAUSED : S_RUNNING;
        } else if (r < 85) {
            if (virDomainUndefine(s->dom) != 0)
                {
                op_failed(s, slot, "virDomainUndefine");
                return;
            }
            expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED));
            expect(s, C_REMOVED);
            gone(s);
        } else {
            virDomainPtr again = virDomainDefineXML(shared, domain_xml(xml, sizeof xml, s));
            if (!again)
                {
                op_failed(s, slot, "virDomainDefineXML (update)");
                return;
            }
            virDomainFree(again);
            expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_UPDATED));
        }
        atomic_fetch_add(&total_ops, 1);
        return;
    }
    /* running or paused */
    if (r < 30) {
        if (s->state == S_RUNNING) {
            if (virDomainSuspend(s->dom) != 0)
                {
                op_failed(s, slot, "virDomainSuspend");
                return;
            }
            expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
            s->state = S_PAUSED;
        } else {
            if (virDomainResume(s->dom) != 0)
                {
                op_failed(s, slot, "virDomainResume");
                return;
            }
            expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED));
            s->state = S_RUNNING;
        }
    } else if (r < 45) {
        if (virDomainReboot(s->dom, 0) != 0)
            {
                op_failed(s, slot, "virDomainReboot");
                return;
            }
        expect(s, C_REBOOT);
    } else if (r < 65) {
        if (virDomainDestroy(s->dom) != 0)
            {
                op_failed(s, slot, "virDomainDestroy");
                return;
            }
        expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED));
        s->state = S_SHUTOFF;
        if (!s->persistent) {
            expect(s, C_REMOVED);
            gone(s);
        }
    } else if (r < 75) {
        if (virDomainShutdown(s->dom) != 0)
            {
                op_failed(s, slot, "virDomainShutdown");
                return;
            }
        expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED));
        expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN));
        s->state = S_SHUTOFF;
        if (!s->persistent) {
            expect(s, C_REMOVED);
            gone(s);
        }
    } else if (s->persistent && r < 88) {
        if (virDomainUndefine(s->dom) != 0)
            {
                op_failed(s, slot, "virDomainUndefine (active)");
                return;
            }
        expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED));
        s->persistent = 0;
    } else {
        virDomainPtr again = virDomainDefineXML(shared, domain_xml(xml, sizeof xml, s));
        if (!again)
            {
                op_failed(s, slot, "virDomainDefineXML (of an active domain)");
                return;
            }
        virDomainFree(again);
        expect(s, C_LIFECYCLE(VIR_DOMAIN_EVENT_DEFINED,
                              s->persistent ? VIR_DOMAIN_EVENT_DEFINED_UPDATED : VIR_DOMAIN_EVENT_DEFINED_ADDED));
        s->persistent = 1;
    }
    atomic_fetch_add(&total_ops, 1);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    while (!atomic_load(&stop_flag)) {
        /* the watcher may not fall behind by more than the backend's history */
        while (atomic_load(&expected_total) - atomic_load(&received_total) > MAX_BACKLOG && !atomic_load(&stop_flag))
            sleep_us(200);
        worker_step(w);
    }
    return NULL;
}

/* ---- registrars ---------------------------------------------------------------------------- */

/* Keys on the shared connection: one per kind, and one per slot for the domain filter. */
enum {
    KEY_ANY_LIFECYCLE,
    KEY_ANY_REBOOT,
    KEY_ANY_EXISTENCE,
    KEY_LEGACY,
    KEY_GEN_ALL,
    KEY_GEN_LIFECYCLE,
    KEY_GEN_REBOOT,
    KEY_GEN_SINCE,
    KEY_DOM_FIRST,
    N_KEYS = KEY_DOM_FIRST + N_SLOTS
};
/* Keys on a private connection: registrations that never see a domain's removal. */
enum { PKEY_ANY_REBOOT, PKEY_GEN_REBOOT, PKEY_ANY_LIFECYCLE, N_PKEYS };

struct registrar {
    int index;
    unsigned long long rng;
    pthread_t thread;
    struct pool pool;
    struct reg *live[N_KEYS];
    virConnectPtr priv;
    long priv_serial;
    long long priv_until;
    struct reg *priv_live[N_PKEYS];
};

static enum kind kind_of_key(int key)
{
    static const enum kind kinds[KEY_DOM_FIRST] = {K_ANY_LIFECYCLE, K_ANY_REBOOT,    K_ANY_EXISTENCE, K_LEGACY,
                                                   K_GEN_ALL,       K_GEN_LIFECYCLE, K_GEN_REBOOT,    K_GEN_SINCE};
    return key < KEY_DOM_FIRST ? kinds[key] : K_ANY_LIFECYCLE_DOM;
}

static enum kind kind_of_pkey(int key)
{
    static const enum kind kinds[N_PKEYS] = {K_ANY_REBOOT, K_GEN_REBOOT, K_ANY_LIFECYCLE};
    return kinds[key];
}

/* Makes registration `kind` for record r; returns the ID (0 for the legacy style) or -1. */
static int do_register(int v, virConnectPtr conn, struct reg *r, virDomainPtr dom)
{
    switch (r->kind) {
    case K_ANY_LIFECYCLE:
    case K_ANY_LIFECYCLE_DOM:
        return virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(lifecycle_cbs[v]), r,
                                                reg_free);
    case K_ANY_REBOOT:
        return virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, CB(reboot_cbs[v]), r, reg_free);
    case K_ANY_EXISTENCE:
        return virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_EXISTENCE, CB(existence_cbs[v]), r,
                                                reg_free);
    case K_LEGACY:
        return virConnectDomainEventRegister(conn, legacy_cbs[v], r, reg_free);
    case K_GEN_ALL:
        return virConnectEventRegister(conn, NULL, NULL, generic_cbs[v], r, reg_free);
    case K_GEN_LIFECYCLE:
        return virConnectEventRegister(conn, NULL, "lifecycle", generic_cbs[v], r, reg_free);
    case K_GEN_REBOOT:
        return virConnectEventRegister(conn, NULL, "reboot", generic_cbs[v], r, reg_free);
    case K_GEN_SINCE: {
        unsigned long long version;
        if (virConnectListAllDomainsVersioned(conn, NULL, &version, 0) < 0) {
            violation(INV_SETUP, "virConnectListAllDomainsVersioned: %s", last_error());
            return -1;
        }
        r->last_version = version;
        return virConnectEventRegisterSince(conn, NULL, NULL, version, since_cbs[v], r, reg_free);
    }
    default:
        abort();
    }
}

static int do_deregister(int v, virConnectPtr conn, struct reg *r)
{
    switch (r->kind) {
    case K_ANY_LIFECYCLE:
    case K_ANY_LIFECYCLE_DOM:
    case K_ANY_REBOOT:
    case K_ANY_EXISTENCE:
        return virConnectDomainEventDeregisterAny(conn, r->id);
    case K_LEGACY:
        return virConnectDomainEventDeregister(conn, legacy_cbs[v]);
    default:
        return virConnectEventUnregister(conn, r->id);
    }
}

/* Registers `key` (of the private connection when `priv`); a key already registered must be
 * refused as a duplicate, any other accepted. */
static void registrar_register(struct registrar *R, int key, int priv)
{
    virConnectPtr conn = priv ? R->priv : shared;
    struct reg **where = priv ? &R->priv_live[key] : &R->live[key];
    enum kind kind = priv ? kind_of_pkey(key) : kind_of_key(key);
    virDomainPtr dom = NULL;
    if (kind == K_ANY_LIFECYCLE_DOM) {
        char name[32];
        int slot = key - KEY_DOM_FIRST;
        for (int gen = 0; gen < 2 && !dom; gen++) {
            slot_name(slot, gen, name, sizeof name);
            dom = virDomainLookupByName(conn, name);
        }
        if (!dom)
            return; /* not defined now */
    }
    struct reg *r = pool_take(&R->pool, kind, conn, priv ? R->priv_serial : 0);
    if (!r) {
        virDomainFree(dom);
        sleep_us(1000); /* every record is in use or in quarantine */
        return;
    }
    r->on_private = priv;
    if (kind == K_ANY_LIFECYCLE_DOM)
        r->filter_slot = key - KEY_DOM_FIRST;
    int dup = *where != NULL;
    int id = do_register(R->index, conn, r, dom);
    virDomainFree(dom);
    if (id < 0) {
        atomic_store(&r->state, R_REFUSED);
        if (dup)
            atomic_fetch_add(&total_refused_dups, 1);
        else if (kind != K_ANY_LIFECYCLE_DOM || virGetLastErrorCode() != VIR_ERR_NO_DOMAIN)
            violation(INV_REG_REFUSED, "%s on the %s connection refused: %s", kind_name[kind], priv ? "private" : "shared",
                      last_error());
        return;
    }
    reg_accepted(r, id);
    if (dup) {
        /* left registered: it must be freed when its connection closes */
        violation(INV_DUP_ACCEPTED, "%s registered twice on one connection (IDs %d and %d)", kind_name[kind],
                  (*where)->id, id);
        return;
    }
    *where = r;
}

static void registrar_deregister(struct registrar *R, int key, int priv)
{
    virConnectPtr conn = priv ? R->priv : shared;
    struct reg **where = priv ? &R->priv_live[key] : &R->live[key];
    struct reg *r = *where;
    if (!r)
        return;
    *where = NULL;
    int live = R_LIVE;
    if (!atomic_compare_exchange_strong(&r->state, &live, R_DEREG))
        return; /* over already: an expired watch (its freecb checked that) */
    if (do_deregister(R->index, conn, r) != 0 && !atomic_load(&r->expired))
        violation(INV_DEREG_FAILED, "%s registration %d on the %s connection: %s", kind_name[r->kind], r->id,
                  priv ? "private" : "shared", last_error());
}

/* Closes the private connection with registrations still on it, sometimes holding a domain
 * (then the connection handle outlives the close, and must refuse new registrations). */
static void registrar_close_private(struct registrar *R)
{
    virDomainPtr held = rnd(&R->rng, 3) == 0 ? virDomainLookupByName(R->priv, "test") : NULL;
    mark_closing(&R->pool, R->priv_serial);
    /* a domain lent to a callback running right now may hold one more reference */
    int rc = virConnectClose(R->priv);
    if (rc < (held ? 1 : 0))
        violation(INV_CLOSE, "virConnectClose of a private connection %s returned %d (%s)",
                  held ? "with a domain held" : "", rc, rc < 0 ? last_error() : "");
    check_closed(&R->pool, R->priv_serial, "a private connection");
    if (held) {
        atomic_fetch_add(&total_closed_checks, 1);
        struct reg *r = pool_take(&R->pool, K_ANY_LIFECYCLE, R->priv, -1);
        if (r) {
            int id = virConnectDomainEventRegisterAny(R->priv, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                      CB(lifecycle_cbs[R->index]), r, reg_free);
            if (id >= 0) {
                violation(INV_CLOSED_CONN, "virConnectDomainEventRegisterAny on a closed connection returned %d", id);
                reg_accepted(r, id);
                atomic_store(&r->conn_closing, 1);
                atomic_store(&r->state, R_DEREG);
                if (virConnectDomainEventDeregisterAny(R->priv, id) != 0)
                    atomic_store(&r->state, R_ABANDONED);
            } else {
                atomic_store(&r->state, R_REFUSED);
                if (virGetLastErrorCode() != VIR_ERR_INVALID_CONN)
                    violation(INV_CLOSED_CONN, "a registration on a closed connection failed with code %d (%s), not INVALID_CONN",
                              virGetLastErrorCode(), last_error());
            }
        }
        if (virConnectRef(R->priv) == 0) {
            violation(INV_CLOSED_CONN, "virConnectRef of a closed connection succeeded");
            virConnectClose(R->priv);
        }
        virDomainFree(held);
    }
    R->priv = NULL;
    memset(R->priv_live, 0, sizeof R->priv_live);
}

static void *registrar_main(void *arg)
{
    struct registrar *R = arg;
    while (!atomic_load(&stop_flag)) {
        unsigned r = rnd(&R->rng, 100);
        if (r < 3) {
            if (!R->priv) {
                R->priv = virConnectOpen("test:///default");
                if (!R->priv) {
                    violation(INV_SETUP, "virConnectOpen(test:///default): %s", last_error());
                    continue;
                }
                R->priv_serial = atomic_fetch_add(&next_serial, 1) + 1;
                R->priv_until = now_ms() + 100 + rnd(&R->rng, 500);
                atomic_fetch_add(&total_private_conns, 1);
            } else if (now_ms() > R->priv_until) {
                registrar_close_private(R);
            }
        } else if (R->priv && r < 23) {
            int key = (int)rnd(&R->rng, N_PKEYS);
            if (rnd(&R->rng, 2))
                registrar_register(R, key, 1);
            else
                registrar_deregister(R, key, 1);
        } else {
            int key = (int)rnd(&R->rng, N_KEYS);
            if (rnd(&R->rng, 2))
                registrar_register(R, key, 0);
            else
                registrar_deregister(R, key, 0);
        }
    }
    for (int key = 0; key < N_KEYS; key++)
        registrar_deregister(R, key, 0);
    if (R->priv)
        registrar_close_private(R);
    return NULL;
}

/* ---- the lister: list-then-watch, and watches that expire ---------------------------------- */

static struct pool lister_pool;
static pthread_t lister_thread;

static void lister_watch_shared(unsigned long long *rng)
{
    virDomainPtr *doms = NULL;
    unsigned long long version;
    int n = virConnectListAllDomainsVersioned(shared, &doms, &version, 0);
    if (n < 0) {
        violation(INV_SETUP, "virConnectListAllDomainsVersioned: %s", last_error());
        return;
    }
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    int bookmarks = rnd(rng, 3) == 0;
    struct reg *r = pool_take(&lister_pool, bookmarks ? K_WATCH_BOOKMARKS : K_WATCH, shared, 0);
    if (!r)
        return;
    r->last_version = version;
    int id = virConnectEventRegisterFlags(
        shared, NULL, NULL, version, since_cbs[3], r, reg_free,
        VIR_CONNECT_EVENT_REGISTER_SINCE | (bookmarks ? VIR_CONNECT_EVENT_REGISTER_BOOKMARKS : 0));
    if (id < 0) {
        atomic_store(&r->state, R_REFUSED);
        violation(INV_REG_REFUSED, "%s from version %llu refused: %s", kind_name[r->kind], version, last_error());
        return;
    }
    reg_accepted(r, id);
    atomic_fetch_add(&total_watches, 1);
    sleep_us(10000 + rnd(rng, 90000));
    int live = R_LIVE;
    if (!atomic_compare_exchange_strong(&r->state, &live, R_DEREG))
        return;
    if (virConnectEventUnregister(shared, id) != 0 && !atomic_load(&r->expired))
        violation(INV_DEREG_FAILED, "%s registration %d: %s", kind_name[r->kind], id, last_error());
}

/* A private test:///empty backend with a history of 2 events: a watch registered, then up to
 * ten changes at once, so that it often falls behind and expires. Whether it expired or not, its
 * freecb must have run once the connection is closed. */
static void lister_expiring_watch(unsigned long long *rng)
{
    static const char xml[] = "<domain type='test'><name>expiring</name><memory>1024</memory>"
                              "<os><type>hvm</type></os></domain>";
    long serial = atomic_fetch_add(&next_serial, 1) + 1;
    virConnectPtr c = virConnectOpen("test:///empty");
    if (!c) {
        violation(INV_SETUP, "virConnectOpen(test:///empty): %s", last_error());
        return;
    }
    atomic_fetch_add(&total_private_conns, 1);
    virDomainPtr dom = virDomainDefineXML(c, xml);
    unsigned long long version = 0;
    if (!dom || virConnectSetEventHistorySize(c, 2) != 0 || virConnectSetEventBookmarkInterval(c, 5) != 0 ||
        virConnectListAllDomainsVersioned(c, NULL, &version, 0) < 0) {
        violation(INV_SETUP, "private test:///empty setup: %s", last_error());
        virDomainFree(dom);
        virConnectClose(c);
        return;
    }
    int bookmarks = rnd(rng, 2);
    struct reg *r = pool_take(&lister_pool, bookmarks ? K_PRIVATE_WATCH_BOOKMARKS : K_PRIVATE_WATCH, c, serial);
    int id = -1;
    if (r) {
        r->on_private = 1;
        r->last_version = version;
        id = virConnectEventRegisterFlags(
            c, NULL, NULL, version, since_cbs[2 + bookmarks], r, reg_free,
            VIR_CONNECT_EVENT_REGISTER_SINCE | (bookmarks ? VIR_CONNECT_EVENT_REGISTER_BOOKMARKS : 0));
        if (id < 0) {
            atomic_store(&r->state, R_REFUSED);
            violation(INV_REG_REFUSED, "%s refused: %s", kind_name[r->kind], last_error());
            r = NULL;
        } else {
            reg_accepted(r, id);
            atomic_fetch_add(&total_watches, 1);
        }
    }
    /* up to ten changes at once: more than 2 may expire it; with 0 or 1 cycle it must not,
     * and it gets bookmarks while it waits */
    int cycles = (int)rnd(rng, 6);
    for (int i = 0; i < cycles; i++)
        if (virDomainCreate(dom) != 0 || virDomainDestroy(dom) != 0)
            violation(INV_OP_FAILED, "private domain create/destroy: %s", last_error());
    sleep_us(5000 + rnd(rng, 30000));
    if (r && cycles <= 1 && atomic_load(&r->expired))
        violation(INV_WATCH_ORDER, "%s registration %d expired after %d changes with a history of 2", kind_name[r->kind],
                  id, cycles * 2);
    if (r && rnd(rng, 2)) {
        int live = R_LIVE;
        if (atomic_compare_exchange_strong(&r->state, &live, R_DEREG) && virConnectEventUnregister(c, id) != 0 &&
            !atomic_load(&r->expired))
            violation(INV_DEREG_FAILED, "%s registration %d: %s", kind_name[r->kind], id, last_error());
    }
    if (virDomainUndefine(dom) != 0)
        violation(INV_OP_FAILED, "private domain undefine: %s", last_error());
    virDomainFree(dom);
    mark_closing(&lister_pool, serial);
    int rc = virConnectClose(c);
    if (rc != 0)
        violation(INV_CLOSE, "virConnectClose of a private test:///empty connection returned %d", rc);
    check_closed(&lister_pool, serial, "a private test:///empty connection");
}

static void *lister_main(void *arg)
{
    unsigned long long rng = thread_seed(100);
    (void)arg;
    while (!atomic_load(&stop_flag)) {
        if (rnd(&rng, 3) == 0)
            lister_expiring_watch(&rng);
        else
            lister_watch_shared(&rng);
    }
    return NULL;
}

/* ---- the default loop's thread ------------------------------------------------------------- */

static atomic_int loop_stop;
static pthread_t loop_thread;

static void *loop_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&loop_stop))
        if (virEventRunDefaultImpl() != 0) {
            violation(INV_SETUP, "virEventRunDefaultImpl: %s", last_error());
            break;
        }
    return NULL;
}

static void wake_once(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

/* ---- one mode ------------------------------------------------------------------------------ */

static void watchdog_fire(int sig)
{
    char msg[128];
    int n = snprintf(msg, sizeof msg, "FAIL soak mode=%s watchdog: the run hung (deadlock or lost wakeup?)\n", mode);
    (void)sig;
    if (write(1, msg, (size_t)n) < 0) {
    }
    _exit(3);
}

/* Waits until the watcher has seen the backend's current version. */
static int drain(unsigned long long *version)
{
    if (virConnectListAllDomainsVersioned(shared, NULL, version, 0) < 0) {
        violation(INV_SETUP, "virConnectListAllDomainsVersioned: %s", last_error());
        return 0;
    }
    long long until = now_ms() + 30000;
    while (atomic_load_explicit(&watcher_version, memory_order_acquire) < *version && now_ms() < until)
        sleep_us(1000);
    return atomic_load_explicit(&watcher_version, memory_order_acquire) >= *version;
}

static void compare_slots(void)
{
    char a[32], b[32];
    for (int i = 0; i < N_SLOTS; i++) {
        struct slot *s = &slots[i];
        size_t n = s->expected.n < s->received.n ? s->expected.n : s->received.n;
        size_t at = 0;
        while (at < n && s->expected.v[at] == s->received.v[at])
            at++;
        if (at == s->expected.n && at == s->received.n)
            continue;
        violation(INV_EVENT_SEQUENCE,
                  "slot %d: %zu events expected, %zu received; they differ at #%zu: expected %s, received %s", i,
                  s->expected.n, s->received.n, at,
                  at < s->expected.n ? code_name(s->expected.v[at], a, sizeof a) : "nothing",
                  at < s->received.n ? code_name(s->received.v[at], b, sizeof b) : "nothing");
    }
}

/* Static: the records stay reachable (and valid for a late callback) until exit. */
static struct worker workers[N_WORKERS];
static struct registrar registrars[N_REGISTRARS];
static struct pool main_pool;

static int run_mode(void)
{
    unsigned long long version;

    signal(SIGALRM, watchdog_fire);
    alarm((unsigned)seconds + 120);
    virSetErrorFunc(NULL, quiet); /* errors are expected (invalid operations, duplicates) */
    if (strcmp(mode, "thread") == 0) {
        if (virEventRegisterThreadImpl() != 0) {
            printf("FAIL soak mode=%s setup: virEventRegisterThreadImpl: %s\n", mode, last_error());
            return 1;
        }
    } else if (virEventRegisterDefaultImpl() != 0) {
        printf("FAIL soak mode=%s setup: virEventRegisterDefaultImpl: %s\n", mode, last_error());
        return 1;
    }
    shared = virConnectOpen("test:///default");
    if (!shared || virConnectSetEventHistorySize(shared, 65536) != 0 ||
        virConnectSetEventBookmarkInterval(shared, 20) != 0) {
        printf("FAIL soak mode=%s setup: %s\n", mode, last_error());
        return 1;
    }
    for (int i = 0; i < N_SLOTS; i++)
        snprintf(slots[i].uuid, sizeof slots[i].uuid, "50a40000-0000-4000-8000-0000000000%02x", i);
    pool_init(&main_pool);
    pool_init(&lister_pool);

    /* the watcher: list, then watch from the list's version */
    if (virConnectListAllDomainsVersioned(shared, NULL, &version, 0) < 0) {
        printf("FAIL soak mode=%s setup: %s\n", mode, last_error());
        return 1;
    }
    atomic_store(&watcher_version, version);
    struct reg *watcher = pool_take(&main_pool, K_WATCHER, shared, 0);
    int watcher_id = virConnectEventRegisterSince(shared, NULL, NULL, version, on_watcher, watcher, reg_free);
    if (watcher_id < 0) {
        printf("FAIL soak mode=%s setup: virConnectEventRegisterSince: %s\n", mode, last_error());
        return 1;
    }
    reg_accepted(watcher, watcher_id);

    if (strcmp(mode, "default") == 0)
        pthread_create(&loop_thread, NULL, loop_main, NULL);
    long long started = now_ms();
    deadline_ms = started + (long long)seconds * 1000;
    for (int i = 0; i < N_WORKERS; i++) {
        workers[i].index = i;
        workers[i].rng = thread_seed(i);
        pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    }
    for (int i = 0; i < N_REGISTRARS; i++) {
        memset(&registrars[i], 0, sizeof registrars[i]);
        registrars[i].index = i;
        registrars[i].rng = thread_seed(10 + i);
        pool_init(&registrars[i].pool);
        pthread_create(&registrars[i].thread, NULL, registrar_main, &registrars[i]);
    }
    pthread_create(&lister_thread, NULL, lister_main, NULL);

    while (now_ms() < deadline_ms)
        sleep_us(20000);
    atomic_store(&stop_flag, 1);
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(workers[i].thread, NULL);
    for (int i = 0; i < N_REGISTRARS; i++)
        pthread_join(registrars[i].thread, NULL);
    pthread_join(lister_thread, NULL);

    /* every event delivered, each domain's in the order of its worker's calls */
    if (!drain(&version))
        violation(INV_EVENTS_NOT_DELIVERED, "the watcher is at version %llu, the backend at %llu, 30 s after the end",
                  (unsigned long long)atomic_load(&watcher_version), version);
    compare_slots();

    /* close with the watcher (and any leftovers) still registered: their freecbs run by then */
    for (int i = 0; i < N_SLOTS; i++)
        if (slots[i].dom)
            virDomainFree(slots[i].dom);
    mark_closing(&main_pool, 0);
    mark_closing(&lister_pool, 0);
    for (int i = 0; i < N_REGISTRARS; i++)
        mark_closing(&registrars[i].pool, 0);
    int rc = virConnectClose(shared);
    if (rc != 0)
        violation(INV_CLOSE, "virConnectClose of the shared connection returned %d (%s)", rc,
                  rc < 0 ? last_error() : "references left");
    check_closed(&main_pool, 0, "the shared connection");
    check_closed(&lister_pool, 0, "the shared connection");
    for (int i = 0; i < N_REGISTRARS; i++)
        check_closed(&registrars[i].pool, 0, "the shared connection");

    /* nothing may run after the close: give it the chance */
    sleep_us(200000);
    if (strcmp(mode, "default") == 0) {
        atomic_store(&loop_stop, 1);
        virEventAddTimeout(0, wake_once, NULL, NULL);
        pthread_join(loop_thread, NULL);
    }
    long regs = atomic_load(&total_registrations), frees = atomic_load(&total_frees);
    if (regs != frees)
        violation(INV_NEVER_FREED, "%ld registrations accepted, %ld freecbs ran", regs, frees);

    int failed = 0;
    for (int k = 0; k < INV_COUNT; k++) {
        long n = atomic_load(&inv_count[k]);
        if (n == 0)
            continue;
        failed = 1;
        pthread_mutex_lock(&inv_lock);
        printf("FAIL soak mode=%s %s: %ld times, first: %s", mode, inv_name[k], n, inv_first[k]);
        if (k == INV_NEVER_FREED || k == INV_AFTER_CLOSE) {
            const char *sep = "; by kind: ";
            for (int kind = 0; kind < K_COUNT; kind++) {
                long counts[3] = {atomic_load(&never_freed_by_kind[kind][0]), atomic_load(&never_freed_by_kind[kind][1]),
                                  atomic_load(&late_free_by_kind[kind])};
                for (int e = 0; e < 2 && k == INV_NEVER_FREED; e++)
                    if (counts[e]) {
                        printf("%s%s%s %ld", sep, kind_name[kind], e ? " (expired)" : "", counts[e]);
                        sep = ", ";
                    }
                if (k == INV_AFTER_CLOSE && counts[2]) {
                    printf("%s%s %ld", sep, kind_name[kind], counts[2]);
                    sep = ", ";
                }
            }
            if (k == INV_NEVER_FREED)
                printf("; %ld of those not expired had been deregistered before the close (freecb pending)",
                       atomic_load(&never_freed_deregistered));
        }
        printf("\n");
        pthread_mutex_unlock(&inv_lock);
    }
    printf("%s soak mode=%s seconds=%d ops=%ld events=%ld registrations=%ld frees=%ld seed=%llu"
           " invalid_ops=%ld callbacks=%ld duplicates_refused=%ld watches=%ld expired=%ld bookmarks=%ld"
           " private_connections=%ld closed_connection_checks=%ld\n",
           failed ? "INFO" : "PASS", mode, seconds, atomic_load(&total_ops), atomic_load(&total_events), regs, frees, seed,
           atomic_load(&total_invalid_ops), atomic_load(&total_callbacks), atomic_load(&total_refused_dups),
           atomic_load(&total_watches), atomic_load(&total_expired), atomic_load(&total_bookmarks),
           atomic_load(&total_private_conns), atomic_load(&total_closed_checks));
    fflush(stdout);
    return failed;
}

/* ---- both modes ---------------------------------------------------------------------------- */

static int run_both(void)
{
    static const char *const modes[] = {"default", "thread"};
    char self[4096], secs[32], sd[32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        printf("FAIL soak: cannot find its own executable: %s\n", strerror(errno));
        return 1;
    }
    self[n] = 0;
    snprintf(secs, sizeof secs, "%d", seconds);
    snprintf(sd, sizeof sd, "%llu", seed);
    printf("soak: seed %llu, %d s, modes default and thread in parallel\n", seed, seconds);
    fflush(stdout);
    pid_t pids[2];
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            printf("FAIL soak mode=%s: fork: %s\n", modes[i], strerror(errno));
            return 1;
        }
        if (pids[i] == 0) {
            char *args[] = {self, "--mode", (char *)modes[i], "--seconds", secs, "--seed", sd, NULL};
            execv(self, args);
            printf("FAIL soak mode=%s: exec %s: %s\n", modes[i], self, strerror(errno));
            fflush(stdout);
            _exit(2);
        }
    }
    int failed = 0;
    for (int i = 0; i < 2; i++) {
        int status;
        if (waitpid(pids[i], &status, 0) < 0) {
            printf("FAIL soak mode=%s: waitpid: %s\n", modes[i], strerror(errno));
            failed = 1;
        } else if (WIFSIGNALED(status)) {
            printf("FAIL soak mode=%s: killed by signal %d (%s)\n", modes[i], WTERMSIG(status), strsignal(WTERMSIG(status)));
            failed = 1;
        } else if (WEXITSTATUS(status) != 0) {
            /* 1: it printed its FAIL lines; anything else is a failure it could not report */
            if (WEXITSTATUS(status) != 1 && WEXITSTATUS(status) != 3)
                printf("FAIL soak mode=%s: exited with status %d\n", modes[i], WEXITSTATUS(status));
            failed = 1;
        }
    }
    return failed;
}

static void usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--seconds N] [--seed S] [--mode default|thread]\n", argv0);
    exit(2);
}

int main(int argc, char **argv)
{
    int long_run = 0;
    seconds = 2;
    seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = atoi(argv[++i]);
            long_run = 1;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 0);
            long_run |= 2;
        } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            mode = argv[++i];
            if (strcmp(mode, "default") != 0 && strcmp(mode, "thread") != 0)
                usage(argv[0]);
        } else {
            usage(argv[0]);
        }
    }
    if (seconds < 1)
        usage(argv[0]);
    if (long_run == 1)
        seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 16);
    if (*mode)
        return run_mode();
    return run_both();
}
