/* api_fuzz: seeded random operations over virtevent's public API, with freed and foreign
 * handles mixed in and callbacks that re-enter the API, checking invariants as it goes.
 *
 *   api_fuzz                         8 fixed seeds x 4000 operations (about a second); exit 1 on a violation
 *   api_fuzz --seconds N [--seed S]  seeds S, S+1, ... (default from time and pid) for N seconds, then
 *                                    "api_fuzz: seeds=<n> ops=<N> violations=<V> crashes=<C>"
 *   api_fuzz --seed S --ops N [-v]   one seed (reproduction); -v prints every operation
 *   options: --ops N (operations per seed; default 3000), --timeout T (watchdog per seed, s; 20),
 *            --no-fork (in-process, for a debugger), --quiet-cap N (FAIL lines per kind and seed; 3),
 *            --avoid 3,4,5,6,8 (leave out the operations that provoke those defects of issue 13)
 *
 * Each seed runs in a forked child, so a crash or hang is reported (and counted) with its seed
 * and the operation it happened in. Every violation prints
 *   FAIL api_fuzz seed=<S> op=<K> kind=<kind>: <what>
 * (K is 0-based: `--seed S --ops K+1 -v` replays up to it), and each seed ends with
 *   PASS api_fuzz seed=<S> ops=<N> violations=0     or     FAIL api_fuzz seed=<S> ops=<N> violations=<V> <kind>=<n>...
 * The run is single-threaded (default loop), so a seed replays identically.
 *
 * Invariants (see ../shared/SPEC.md and include/virtevent.h):
 * - every failing call (-1 / NULL) sets a last error with a non-empty message;
 * - freed domain handles, closed connections and foreign pointers (never handed out) are
 *   refused with VIR_ERR_INVALID_DOMAIN / VIR_ERR_INVALID_CONN, and the value of a freed
 *   handle is never handed out again for another object ("tokens that are never reused");
 * - a connection whose application references are all given back is not alive, refuses
 *   virConnectRef and virConnectClose with VIR_ERR_INVALID_CONN and every registration (with
 *   that code when nothing else is wrong), and its callbacks never fire again;
 * - freecb runs exactly once per accepted registration: never for a refused one, never for a
 *   registration that is still live, never while its callback runs; after deregistration or
 *   "expired" by the end of the next loop iteration; when virConnectClose gives back the last
 *   application reference, before it returns (from inside a callback: by the end of that loop
 *   iteration); no callback after its freecb, deregistration, connection close or "expired";
 * - generic callbacks: per registration, resourceVersion strictly increases (bookmark and
 *   expired: never decreases), a watch's first event comes after its sinceVersion, bookmark /
 *   expired only to registrations that asked for bookmarks / are watches, with dom NULL;
 *   eventName matches eventID; the dom's name, UUID and ID are the event's; filters hold;
 * - typed callbacks: conn is the registration's; the dom's name is one its UUID had since the
 *   previous loop iteration (a model of the hypervisors, resynchronized after every operation)
 *   and equals the name in the dom's event snapshot XML (VIR_DOMAIN_XML_EVENT_SNAPSHOT);
 * - compare-and-swap: a define of the XML just read with its resourceVersion is not refused as
 *   a conflict; after a change to the domain it is refused with RESOURCE_VERSION_CONFLICT;
 * - the application's loop handles and timeouts: removal of a live one succeeds, its ff runs
 *   once by the end of the next iteration, no callback after removal; a nested
 *   virEventRunDefaultImpl is refused; list versions never go backwards; the error API;
 * - no crash, no hang (a per-seed alarm()).
 * Where the contract is silent the check is the weaker one (see the comments at each check):
 * a freed handle value reused for the same domain, and an ff run for a refused
 * virEventAddHandle, are only counted as notes.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- configuration ------------------------------------------------------------------------- */

#define MAXNAME 64
#define MAXCONNS 512
#define MAXLIVE 7
#define MAXOWNED 40
#define STALE_RING 128
#define MAXREGS 8192
#define MAXLOOP 512
#define MAXBACKENDS (MAXCONNS + 1)
#define MAXU 24
#define MAXR 8
#define REG_MAGIC 0x52454721u
#define LOOP_MAGIC 0x4c4f4f50u

static const char *const NAMES[] = {"alpha", "beta", "gamma", "delta", "eps", "zeta"};
#define NNAMES 6
static const char *const UUIDS[] = {
    "6a1a0000-0000-4000-8000-000000000001", "6a1a0000-0000-4000-8000-000000000002",
    "6a1a0000-0000-4000-8000-000000000003", "6a1a0000-0000-4000-8000-000000000004",
    "6a1a0000-0000-4000-8000-000000000005",
};
#define NUUIDS 5

/* ---- violation kinds and shared results ----------------------------------------------------- */

enum {
    K_ERR_NOT_SET,
    K_ERR_CODE,
    K_STALE_ACCEPTED,
    K_FOREIGN_ACCEPTED,
    K_HANDLE_REUSED,
    K_CLOSED_ACCEPTS,
    K_CLOSED_ALIVE,
    K_BAD_REG_ACCEPTED,
    K_FREECB_REFUSED,
    K_FREECB_TWICE,
    K_FREECB_EARLY,
    K_FREECB_RUNNING,
    K_FREECB_MISSING,
    K_CB_AFTER_FREECB,
    K_CB_AFTER_DEREG,
    K_CB_AFTER_CLOSE,
    K_CB_AFTER_EXPIRED,
    K_VERSION_ORDER,
    K_CB_NAME,
    K_CB_STALE_NAME,
    K_CB_UUID,
    K_CB_ID,
    K_CB_FILTER,
    K_CB_CONN,
    K_CB_DOM,
    K_DEREG,
    K_HANDLE,
    K_CAS,
    K_LOOP,
    K_ERROR_API,
    K_PANIC,
    K_STDERR,
    K_BAD_ARG_ACCEPTED,
    K_CRASH,
    K_HANG,
    NK
};

static const char *const KNAME[NK] = {
    "error-not-set",         "wrong-error-code",         "stale-handle-accepted",   "foreign-handle-accepted",
    "handle-reused",         "closed-conn-accepts",      "closed-conn-alive",       "bad-registration-accepted",
    "freecb-refused-reg",    "freecb-twice",             "freecb-early",            "freecb-while-running",
    "freecb-missing",        "callback-after-freecb",    "callback-after-deregister", "callback-after-close",
    "callback-after-expired", "version-order",           "callback-dom-name",       "callback-stale-name",
    "callback-dom-uuid",     "callback-dom-id",          "callback-filter",         "callback-conn",
    "callback-dom",          "deregister",               "handle-identity",         "compare-and-swap",
    "event-loop",            "error-api",                "internal-panic",          "stderr-output",
    "bad-argument-accepted", "crash",                    "hang",
};

/* Observations that are not violations (the contract is silent or ambiguous about them). */
enum { N_SAME_DOMAIN_REUSE, N_FF_ON_REFUSED_ADD, N_EXPIRED, N_BOOKMARK, N_CALLBACKS, NN };
static const char *const NNAME[NN] = {"same-domain-handle-reuse", "ff-ran-for-refused-virEventAddHandle",
                                      "expired-events", "bookmark-events", "callbacks"};

struct shared {
    volatile unsigned long long cur_op;
    volatile unsigned long long ops;
    volatile unsigned long long violations;
    volatile unsigned long long by_kind[NK];
    volatile unsigned long long notes[NN];
};

static struct shared local_shared;
static struct shared *sh = &local_shared;
static int verbose;
static int print_cap = 3;
static unsigned long long seed;
static unsigned long long cur_op;
static unsigned long long seed_kind[NK];
static int stop_seed;
/* --avoid: operations that provoke the known defects of issue 13 left out (bit n: defect n),
 * to see what else the other invariants find. */
static unsigned avoid;
static int tearing_down;
/* Changes callbacks made to domains during this loop iteration (bounded, so that events
 * causing changes causing events cannot go on for ever). */
static int cb_changes;

/* ---- PRNG (splitmix64): one stream for operations, one for callbacks ---------------------------- */

static uint64_t op_state, cb_state;
static int cb_depth;

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned rn(unsigned n)
{
    uint64_t v = splitmix64(cb_depth ? &cb_state : &op_state);
    return n ? (unsigned)(v % n) : 0;
}

static int pct(unsigned p)
{
    return rn(100) < p;
}

/* ---- reporting -------------------------------------------------------------------------------- */

static void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vlog(const char *fmt, ...)
{
    if (!verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("  op=%llu%s ", cur_op, cb_depth ? " [cb]" : "");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static void violation(int kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(int kind, const char *fmt, ...)
{
    sh->violations++;
    sh->by_kind[kind]++;
    seed_kind[kind]++;
    if (!verbose && seed_kind[kind] > (unsigned long long)print_cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL api_fuzz seed=%llu op=%llu kind=%s%s: ", seed, cur_op, KNAME[kind], cb_depth ? " (in a callback)" : "");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static void note(int n)
{
    sh->notes[n]++;
}

static const char *errmsg(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "(no error)";
}

/* A call returned -1/NULL: the last error must be set, with a message. Returns its code. */
static int check_err(const char *api)
{
    virErrorPtr e = virGetLastError();
    if (!e || !e->message || !e->message[0]) {
        violation(K_ERR_NOT_SET, "%s failed without setting the last error (virGetLastError() %s)", api,
                  e ? "has an empty message" : "is NULL");
        return -1;
    }
    if (strstr(e->message, "unexpectedly inside virtevent"))
        violation(K_PANIC, "%s: a panic inside the library was caught: %s", api, e->message);
    return e->code;
}

static void check_code(const char *api, int want)
{
    int code = check_err(api);
    if (code >= 0 && code != want)
        violation(K_ERR_CODE, "%s: error code %d (%s), wanted %d", api, code, errmsg(), want);
}

/* ---- small helpers ---------------------------------------------------------------------------- */

static int parse_uuid(const char *s, unsigned char out[VIR_UUID_BUFLEN])
{
    int n = 0;
    for (const char *p = s; *p && n < 2 * VIR_UUID_BUFLEN; p++) {
        if (*p == '-')
            continue;
        int v;
        if (*p >= '0' && *p <= '9')
            v = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            v = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            v = *p - 'A' + 10;
        else
            return -1;
        if (n % 2 == 0)
            out[n / 2] = (unsigned char)(v << 4);
        else
            out[n / 2] |= (unsigned char)v;
        n++;
    }
    return n == 2 * VIR_UUID_BUFLEN ? 0 : -1;
}

static void fmt_uuid(const unsigned char u[VIR_UUID_BUFLEN], char out[VIR_UUID_STRING_BUFLEN])
{
    snprintf(out, VIR_UUID_STRING_BUFLEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static void copy_name(char dst[MAXNAME], const char *src)
{
    snprintf(dst, MAXNAME, "%s", src ? src : "");
}

/* The text of the first <name> element of a domain XML. */
static int xml_name(const char *xml, char out[MAXNAME])
{
    const char *a = strstr(xml, "<name>");
    if (!a)
        return -1;
    a += 6;
    const char *b = strstr(a, "</name>");
    if (!b || b - a >= MAXNAME)
        return -1;
    memcpy(out, a, (size_t)(b - a));
    out[b - a] = 0;
    return 0;
}

/* ---- the set of every handle value the library ever gave us ---------------------------------- */

static uintptr_t *obs;
static size_t obs_cap, obs_len;

static size_t obs_slot(uintptr_t v, uintptr_t *tab, size_t cap)
{
    size_t h = (size_t)((v >> 3) * 0x9e3779b97f4a7c15ULL) & (cap - 1);
    while (tab[h] && tab[h] != v)
        h = (h + 1) & (cap - 1);
    return h;
}

static void observe(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    if (!v)
        return;
    if (obs_len * 2 >= obs_cap) {
        size_t ncap = obs_cap ? obs_cap * 2 : 4096;
        uintptr_t *n = calloc(ncap, sizeof *n);
        if (!n)
            abort();
        for (size_t i = 0; i < obs_cap; i++)
            if (obs[i])
                n[obs_slot(obs[i], n, ncap)] = obs[i];
        free(obs);
        obs = n;
        obs_cap = ncap;
    }
    size_t s = obs_slot(v, obs, obs_cap);
    if (!obs[s]) {
        obs[s] = v;
        obs_len++;
    }
}

static int observed(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    return v && obs_cap && obs[obs_slot(v, obs, obs_cap)] == v;
}

/* ---- model: connections, owned domain handles, freed handles, hypervisors --------------------- */

typedef struct conn_rec {
    virConnectPtr ptr;
    int serial;
    int backend; /* 0: test:///default (kept alive by the anchor); else a private test:///empty */
    int app_refs;
    int closed;  /* the application gave back its last reference */
    int closing; /* a virConnectClose giving back the last reference is in progress */
    int anchor;
    int readonly;
    int tainted; /* the library accepted what it should have refused: no more checks on it */
    int reused;  /* its value was handed out again for another connection */
    unsigned long long closed_op;
    struct loop_rec *closecb; /* its registered close callback, if any */
} conn_rec;

static conn_rec *conns[MAXCONNS];
static int nconns;
static conn_rec *anchor;
static conn_rec foreign_conn = {.serial = -1, .backend = -1, .closed = 1, .tainted = 1};

typedef struct dom_rec {
    virDomainPtr ptr;
    conn_rec *conn;
    int refs;
    int lent; /* a virDomainRef of a dom lent to a callback: the library may keep it alive */
    char name[MAXNAME];
    unsigned char uuid[VIR_UUID_BUFLEN];
} dom_rec;

static dom_rec owned[MAXOWNED];
static int nowned;

typedef struct stale_dom {
    void *ptr;
    int backend;
    char name[MAXNAME];
    unsigned char uuid[VIR_UUID_BUFLEN];
    unsigned long long freed_op;
} stale_dom;

static stale_dom stale[STALE_RING];
static int stale_next;

typedef struct ment {
    int used;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char cur[MAXNAME];
    char recent[MAXR][MAXNAME];
    int nrecent;
    int overflow;
} ment;

typedef struct bmodel {
    ment e[MAXU];
    int overflow;
    int seen; /* resynced at least once */
    unsigned long long max_version;
} bmodel;

static bmodel *bm;
static int nbackends;

/* ---- registrations ---------------------------------------------------------------------------- */

enum { S_LEGACY, S_ANY, S_GENERIC };
enum { R_PENDING = 1, R_ACCEPTED, R_REFUSED };

typedef struct reg_rec {
    uint32_t magic;
    int serial;
    conn_rec *conn;
    int style;
    int event_id; /* LEGACY/ANY: the ID; GENERIC: the filter's ID or -1 for all */
    int variant;
    int since, bookmarks;
    unsigned long long since_version;
    int has_dom_filter;
    unsigned char filter_uuid[VIR_UUID_BUFLEN];
    int id;
    int state;
    int dereg_pending, deregistered, expired;
    int freed;
    int running;
    int on_closed; /* accepted where it should not have been: reported, not checked further */
    int have_version;
    unsigned long long last_version;
    long calls;
    unsigned long long reg_op, dereg_op, freed_op;
    uint64_t reported;
} reg_rec;

static reg_rec *regs;
static int nregs;

static const char *style_name(int s)
{
    return s == S_LEGACY ? "legacy" : s == S_ANY ? "any" : "generic";
}

static int report_once(reg_rec *r, int kind)
{
    uint64_t bit = 1ULL << kind;
    if (r->reported & bit)
        return 0;
    r->reported |= bit;
    return 1;
}

/* ---- event loop records ----------------------------------------------------------------------- */

typedef struct loop_rec {
    uint32_t magic;
    int is_handle; /* 1: a handle, 0: a timeout, 2: a connection's close callback */
    int id;
    int refused;
    int removed;
    int ff;
    int fired;
    int reported;
} loop_rec;

static loop_rec *loops;
static int nloops;
static int pipefd[2] = {-1, -1};

/* ---- persistent objects used as foreign pointers ---------------------------------------------- */

static char static_blob[256];
static char *heap_blob;
static char save_paths[3][256];
static char stderr_path[256]; /* the child's stderr, checked at the end of the seed */

/* ================================================================================================ */
/* hypervisor model                                                                                 */

static ment *model_find(int b, const unsigned char *uuid, int create)
{
    if (b < 0 || b >= MAXBACKENDS)
        return NULL;
    bmodel *m = &bm[b];
    ment *fre = NULL;
    for (int i = 0; i < MAXU; i++) {
        if (m->e[i].used && memcmp(m->e[i].uuid, uuid, VIR_UUID_BUFLEN) == 0)
            return &m->e[i];
        if (!m->e[i].used && !fre)
            fre = &m->e[i];
    }
    if (!create)
        return NULL;
    if (!fre) {
        m->overflow = 1;
        return NULL;
    }
    memset(fre, 0, sizeof *fre);
    fre->used = 1;
    memcpy(fre->uuid, uuid, VIR_UUID_BUFLEN);
    return fre;
}

static void ment_add_recent(ment *e, const char *name)
{
    for (int i = 0; i < e->nrecent; i++)
        if (strcmp(e->recent[i], name) == 0)
            return;
    if (e->nrecent == MAXR) {
        e->overflow = 1;
        return;
    }
    copy_name(e->recent[e->nrecent++], name);
}

/* 1: `name` is a name `uuid` had on backend `b` since the last loop iteration; 0: it is not;
 * -1: the model cannot tell. */
static int model_allowed(int b, const unsigned char *uuid, const char *name)
{
    if (b < 0 || b >= MAXBACKENDS || !bm[b].seen || bm[b].overflow)
        return -1;
    ment *e = model_find(b, uuid, 0);
    if (!e)
        return 0;
    if (e->overflow)
        return -1;
    for (int i = 0; i < e->nrecent; i++)
        if (strcmp(e->recent[i], name) == 0)
            return 1;
    return 0;
}

static void model_allowed_str(int b, const unsigned char *uuid, char *out, size_t n)
{
    ment *e = model_find(b, uuid, 0);
    out[0] = 0;
    if (!e) {
        snprintf(out, n, "(never seen)");
        return;
    }
    size_t len = 0;
    for (int i = 0; i < e->nrecent && len + 2 < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "", e->recent[i]);
}

/* After a loop iteration delivered everything: each UUID's recent names are its current one. */
static void model_settle(void)
{
    for (int b = 0; b < nbackends; b++) {
        for (int i = 0; i < MAXU; i++) {
            ment *e = &bm[b].e[i];
            if (!e->used)
                continue;
            e->nrecent = 0;
            e->overflow = 0;
            if (e->cur[0])
                copy_name(e->recent[e->nrecent++], e->cur);
            else
                e->used = 0;
        }
    }
}

static conn_rec *live_conn_of_backend(int b)
{
    if (b == 0)
        return anchor;
    for (int i = 0; i < nconns; i++)
        if (conns[i]->backend == b && conns[i]->app_refs > 0 && !conns[i]->tainted)
            return conns[i];
    return NULL;
}

static void retire_dom(void *ptr, int backend, const char *name, const unsigned char *uuid);
static void reuse_check(void *ptr, int backend, const char *name, const unsigned char *uuid, const char *api);

/* Reads the backend's domains into the model (after every operation that may change them). */
static void resync(int b)
{
    if (b < 0 || b >= nbackends)
        return;
    conn_rec *c = live_conn_of_backend(b);
    if (!c)
        return;
    virDomainPtr *list = NULL;
    unsigned long long version = 0;
    int n = virConnectListAllDomainsVersioned(c->ptr, &list, &version, 0);
    if (n < 0) {
        check_err("virConnectListAllDomainsVersioned");
        return;
    }
    bmodel *m = &bm[b];
    if (version < m->max_version)
        violation(K_VERSION_ORDER, "virConnectListAllDomainsVersioned on backend %d: version %llu after %llu was seen", b,
                  version, m->max_version);
    else
        m->max_version = version;
    for (int i = 0; i < MAXU; i++)
        m->e[i].cur[0] = 0;
    for (int i = 0; i < n; i++) {
        virDomainPtr d = list[i];
        const char *nm = virDomainGetName(d);
        unsigned char u[VIR_UUID_BUFLEN];
        char name[MAXNAME];
        if (!nm || virDomainGetUUID(d, u) < 0) {
            violation(K_HANDLE, "a handle from virConnectListAllDomainsVersioned has no name/uuid: %s", errmsg());
            continue;
        }
        copy_name(name, nm);
        reuse_check(d, b, name, u, "virConnectListAllDomainsVersioned");
        observe(d);
        ment *e = model_find(b, u, 1);
        if (e) {
            copy_name(e->cur, name);
            ment_add_recent(e, name);
        }
        /* the model's own reads are not fed to the freed-handle pool (less noise) */
        if (virDomainFree(d) < 0)
            violation(K_HANDLE, "virDomainFree of a listed handle failed: %s", errmsg());
    }
    free(list);
    m->seen = 1;
}

/* ================================================================================================ */
/* handles                                                                                          */

static void retire_dom(void *ptr, int backend, const char *name, const unsigned char *uuid)
{
    for (int i = 0; i < STALE_RING; i++)
        if (stale[i].ptr == ptr)
            stale[i].ptr = NULL;
    stale_dom *s = &stale[stale_next];
    stale_next = (stale_next + 1) % STALE_RING;
    s->ptr = ptr;
    s->backend = backend;
    copy_name(s->name, name);
    memcpy(s->uuid, uuid, VIR_UUID_BUFLEN);
    s->freed_op = cur_op;
}

/* A handle value the library hands out must not be one of a freed handle (of another domain). */
static void reuse_check(void *ptr, int backend, const char *name, const unsigned char *uuid, const char *api)
{
    for (int i = 0; i < STALE_RING; i++) {
        stale_dom *s = &stale[i];
        if (!s->ptr || s->ptr != ptr)
            continue;
        if (s->backend != backend || strcmp(s->name, name) != 0 || memcmp(s->uuid, uuid, VIR_UUID_BUFLEN) != 0) {
            char a[VIR_UUID_STRING_BUFLEN], b[VIR_UUID_STRING_BUFLEN];
            fmt_uuid(s->uuid, a);
            fmt_uuid(uuid, b);
            violation(K_HANDLE_REUSED,
                      "virDomainPtr %p, freed at op %llu (domain '%s' %s, backend %d), handed out again by %s for "
                      "domain '%s' %s (backend %d): calls on the freed handle now act on '%s' "
                      "(e.g. virDomainUndefine(freed) undefines it)",
                      ptr, s->freed_op, s->name, a, s->backend, api, name, b, backend, name);
        } else {
            note(N_SAME_DOMAIN_REUSE);
        }
        s->ptr = NULL;
    }
}

static dom_rec *find_owned(void *ptr)
{
    for (int i = 0; i < nowned; i++)
        if (owned[i].ptr == ptr)
            return &owned[i];
    return NULL;
}

static void remove_owned(dom_rec *d)
{
    int i = (int)(d - owned);
    owned[i] = owned[nowned - 1];
    nowned--;
}

/* Takes a handle the library just returned (one reference). */
static void adopt(virDomainPtr p, conn_rec *c, const char *api, int lent)
{
    const char *nm = virDomainGetName(p);
    unsigned char u[VIR_UUID_BUFLEN];
    char name[MAXNAME];
    if (!nm || virDomainGetUUID(p, u) < 0) {
        violation(K_HANDLE, "%s returned handle %p, on which virDomainGetName/GetUUID fail: %s", api, (void *)p, errmsg());
        return;
    }
    copy_name(name, nm);
    if (!lent)
        reuse_check(p, c->backend, name, u, api);
    observe(p);
    dom_rec *d = find_owned(p);
    if (d) {
        if (strcmp(d->name, name) != 0 || memcmp(d->uuid, u, VIR_UUID_BUFLEN) != 0)
            violation(K_HANDLE, "%s returned handle %p, which is our live handle of domain '%s', now naming '%s'", api,
                      (void *)p, d->name, name);
        d->refs++;
        return;
    }
    if (nowned == MAXOWNED) {
        /* no room (only from callbacks): give it back at once */
        if (virDomainFree(p) < 0)
            violation(K_HANDLE, "virDomainFree of a fresh handle failed: %s", errmsg());
        else if (!lent)
            retire_dom(p, c->backend, name, u);
        return;
    }
    d = &owned[nowned++];
    memset(d, 0, sizeof *d);
    d->ptr = p;
    d->conn = c;
    d->refs = 1;
    d->lent = lent;
    copy_name(d->name, name);
    memcpy(d->uuid, u, VIR_UUID_BUFLEN);
}

static void free_owned(dom_rec *d)
{
    vlog("virDomainFree(%p '%s' refs=%d)", (void *)d->ptr, d->name, d->refs);
    if (virDomainFree(d->ptr) < 0) {
        check_err("virDomainFree");
        violation(K_HANDLE, "virDomainFree of live handle %p ('%s', %d refs held) failed: %s", (void *)d->ptr, d->name,
                  d->refs, errmsg());
        remove_owned(d);
        return;
    }
    if (--d->refs == 0) {
        if (!d->lent)
            retire_dom(d->ptr, d->conn->backend, d->name, d->uuid);
        remove_owned(d);
    }
}

static void make_room(int n)
{
    while (nowned > MAXOWNED - n)
        free_owned(&owned[rn((unsigned)nowned)]);
}

/* A connection the application holds (the anchor, at least, until the teardown). */
static conn_rec *pick_live(void)
{
    conn_rec *c[MAXCONNS];
    int n = 0;
    for (int i = 0; i < nconns; i++)
        if (conns[i]->app_refs > 0 && !conns[i]->tainted)
            c[n++] = conns[i];
    return n ? c[rn((unsigned)n)] : NULL;
}

static conn_rec *pick_live_nonanchor(void)
{
    conn_rec *c[MAXCONNS];
    int n = 0;
    for (int i = 0; i < nconns; i++)
        if (conns[i]->app_refs > 0 && !conns[i]->tainted && (!conns[i]->anchor || conns[i]->app_refs > 1))
            c[n++] = conns[i];
    return n ? c[rn((unsigned)n)] : NULL;
}

static conn_rec *pick_closed(void)
{
    conn_rec *c[MAXCONNS];
    int n = 0;
    if (avoid & (1u << 5))
        return NULL;
    for (int i = 0; i < nconns; i++)
        if (conns[i]->closed && !conns[i]->reused && !conns[i]->tainted)
            c[n++] = conns[i];
    return n ? c[rn((unsigned)n)] : NULL;
}

static int count_live(void)
{
    int n = 0;
    for (int i = 0; i < nconns; i++)
        n += conns[i]->app_refs > 0;
    return n;
}

/* A pointer no handle ever had: NULL, small integers, our own objects, misaligned handles. */
static void *foreign_ptr(void)
{
    char stack_obj[16];
    void *p = NULL;
    for (int tries = 0; tries < 8; tries++) {
        switch (rn(6)) {
        case 0:
            p = NULL;
            break;
        case 1:
            p = (void *)(uintptr_t)(1 + rn(4095));
            break;
        case 2:
            p = static_blob + rn(64);
            break;
        case 3:
            /* only compared, never dereferenced by a correct library; the frame is gone after */
            p = (void *)((uintptr_t)stack_obj + rn(8));
            break;
        case 4:
            p = heap_blob + rn(128);
            break;
        default:
            p = nowned ? (void *)((char *)owned[rn((unsigned)nowned)].ptr + 1 + rn(7)) : (void *)(uintptr_t)0x10;
            break;
        }
        if (!observed(p))
            return p;
    }
    return NULL;
}

/* A freed domain handle whose value has not been handed out again, or NULL. */
static stale_dom *pick_stale(void)
{
    int idx[STALE_RING], n = 0;
    for (int i = 0; i < STALE_RING; i++)
        if (stale[i].ptr && !find_owned(stale[i].ptr))
            idx[n++] = i;
    return n ? &stale[idx[rn((unsigned)n)]] : NULL;
}

static conn_rec *new_conn(virConnectPtr p, int backend, int ro)
{
    observe(p);
    for (int i = 0; i < nconns; i++) {
        conn_rec *o = conns[i];
        if (o->ptr != p || o->reused)
            continue;
        if (o->closed)
            violation(K_HANDLE_REUSED,
                      "connection #%d (%p), closed at op %llu, has its value handed out again for a new connection: "
                      "virConnectClose(stale) would close the new one",
                      o->serial, (void *)p, o->closed_op);
        else
            violation(K_HANDLE_REUSED, "virConnectOpen returned %p, the handle of live connection #%d", (void *)p,
                      o->serial);
        o->reused = 1;
    }
    conn_rec *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->ptr = p;
    c->serial = nconns;
    c->backend = backend;
    c->app_refs = 1;
    c->readonly = ro;
    conns[nconns++] = c;
    return c;
}

/* ================================================================================================ */
/* registrations and callbacks                                                                      */

static void reg_freecb(void *opaque);
static void random_register(conn_rec *force, int in_cb);
static void deregister(reg_rec *r, const char *why);
static void close_conn(conn_rec *c);

static reg_rec *cb_enter(void *opaque, const char *what)
{
    reg_rec *r = opaque;
    if (!r || r->magic != REG_MAGIC) {
        violation(K_CB_FILTER, "%s callback called with opaque %p, which is none of our registrations", what, opaque);
        return NULL;
    }
    r->calls++;
    note(N_CALLBACKS);
    if (!(r->on_closed || r->conn->tainted)) {
        if (r->state != R_ACCEPTED && report_once(r, K_CB_AFTER_DEREG))
            violation(K_CB_AFTER_DEREG, "%s callback of registration #%d, which was %s", what, r->serial,
                      r->state == R_REFUSED ? "refused" : "not yet accepted");
        if (r->freed) {
            if (report_once(r, K_CB_AFTER_FREECB))
                violation(K_CB_AFTER_FREECB, "%s callback of registration #%d (%s) after its freecb ran at op %llu", what,
                          r->serial, style_name(r->style), r->freed_op);
        } else if (r->deregistered) {
            if (report_once(r, K_CB_AFTER_DEREG))
                violation(K_CB_AFTER_DEREG, "%s callback of registration #%d (%s) after its deregistration at op %llu",
                          what, r->serial, style_name(r->style), r->dereg_op);
        }
        if (r->conn->closed && report_once(r, K_CB_AFTER_CLOSE))
            violation(K_CB_AFTER_CLOSE, "%s callback of registration #%d on connection #%d, closed at op %llu", what,
                      r->serial, r->conn->serial, r->conn->closed_op);
        if (r->expired && report_once(r, K_CB_AFTER_EXPIRED))
            violation(K_CB_AFTER_EXPIRED, "%s callback of watch #%d after its \"expired\" event", what, r->serial);
    }
    r->running++;
    cb_depth++;
    return r;
}

static void cb_leave(reg_rec *r)
{
    r->running--;
    cb_depth--;
}

static int checked(reg_rec *r)
{
    return !(r->on_closed || r->conn->tainted);
}

/* Checks a dom lent to a callback: not a freed handle of another domain; returns its name/uuid. */
static int lent_dom(reg_rec *r, virDomainPtr dom, char name[MAXNAME], unsigned char uuid[VIR_UUID_BUFLEN], const char *what)
{
    const char *nm = virDomainGetName(dom);
    if (!nm) {
        check_err("virDomainGetName");
        violation(K_CB_DOM, "virDomainGetName on the dom lent to a %s callback failed: %s", what, errmsg());
        return -1;
    }
    copy_name(name, nm);
    if (virDomainGetUUID(dom, uuid) < 0) {
        check_err("virDomainGetUUID");
        violation(K_CB_DOM, "virDomainGetUUID on the dom lent to a %s callback failed: %s", what, errmsg());
        return -1;
    }
    reuse_check(dom, r->conn->backend, name, uuid, "an event callback");
    observe(dom);
    return 0;
}

/* For a registration not checked any more: still note the dom's value (freed-handle reuse). */
static void track_lent(reg_rec *r, virDomainPtr dom)
{
    const char *nm = dom ? virDomainGetName(dom) : NULL;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char name[MAXNAME];
    if (!nm || virDomainGetUUID(dom, uuid) < 0)
        return;
    copy_name(name, nm);
    reuse_check(dom, r->conn->backend, name, uuid, "an event callback");
    observe(dom);
}

static void check_snapshot_name(virDomainPtr dom, const char *name, const char *what)
{
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_EVENT_SNAPSHOT);
    if (!xml) {
        check_err("virDomainGetXMLDesc(EVENT_SNAPSHOT)");
        return;
    }
    char sn[MAXNAME];
    if (xml_name(xml, sn) == 0 && strcmp(sn, name) != 0)
        violation(K_CB_STALE_NAME, "%s callback: virDomainGetName(dom) = '%s' but the dom's event snapshot XML names '%s'",
                  what, name, sn);
    free(xml);
}

static void check_model_name(reg_rec *r, const unsigned char *uuid, const char *name, const char *what, const char *whose)
{
    if (model_allowed(r->conn->backend, uuid, name) == 0) {
        char us[VIR_UUID_STRING_BUFLEN], allowed[256];
        fmt_uuid(uuid, us);
        model_allowed_str(r->conn->backend, uuid, allowed, sizeof allowed);
        violation(K_CB_STALE_NAME,
                  "%s callback (registration #%d, %s): %s '%s' for uuid %s, which since the last loop iteration was "
                  "only named {%s} (stale handle after the UUID was reused?)",
                  what, r->serial, style_name(r->style), whose, name, us, allowed);
    }
}

/* What a callback does back into the API. It may change the state of the dom it was given
 * (new events in the same loop iteration), never a domain's name (the model stays exact). */
static void cb_actions(reg_rec *r, virDomainPtr dom)
{
    if (tearing_down)
        return;
    if (dom && cb_changes < 16 && pct(4)) {
        int rc;
        const char *api;
        cb_changes++;
        switch (rn(5)) {
        case 0:
            api = "virDomainSuspend";
            rc = virDomainSuspend(dom);
            break;
        case 1:
            api = "virDomainResume";
            rc = virDomainResume(dom);
            break;
        case 2:
            api = "virDomainReboot";
            rc = virDomainReboot(dom, 0);
            break;
        case 3: {
            char text[64];
            snprintf(text, sizeof text, "cb%d", cb_changes);
            api = "virDomainSetMetadata";
            rc = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, text, NULL, NULL, 0);
            break;
        }
        default:
            api = "virDomainDestroy";
            rc = virDomainDestroy(dom);
            break;
        }
        vlog("%s(dom lent to registration #%d) = %d%s%s", api, r->serial, rc, rc < 0 ? ": " : "", rc < 0 ? errmsg() : "");
        if (rc < 0)
            check_err(api);
    }
    if (dom && pct(25)) {
        static const unsigned fl[] = {0, VIR_DOMAIN_XML_INACTIVE, VIR_DOMAIN_XML_RESOURCE_VERSION, VIR_DOMAIN_XML_EVENT_SNAPSHOT,
                                      VIR_DOMAIN_XML_EVENT_SNAPSHOT | VIR_DOMAIN_XML_RESOURCE_VERSION};
        char *x = virDomainGetXMLDesc(dom, fl[rn(5)]);
        if (!x)
            check_err("virDomainGetXMLDesc");
        free(x);
    }
    if (dom && pct(20)) {
        int st, rs;
        if (virDomainGetState(dom, &st, &rs, 0) < 0)
            check_err("virDomainGetState");
    }
    if (dom && pct(5)) {
        virDomainInfo info;
        if (virDomainGetInfo(dom, &info) < 0)
            check_err("virDomainGetInfo");
    }
    if (dom && pct(4) && nowned < MAXOWNED) {
        if (virDomainRef(dom) == 0)
            adopt(dom, r->conn, "virDomainRef(dom lent to a callback)", 1);
        else
            check_err("virDomainRef");
    }
    if (pct(2)) {
        int rc = virEventRunDefaultImpl();
        if (rc == 0)
            violation(K_LOOP, "virEventRunDefaultImpl nested inside an event callback returned 0 (should be refused)");
        else
            check_err("virEventRunDefaultImpl (nested)");
    }
    if (pct(2) && r->conn->app_refs > 0) {
        unsigned size = 2 + rn(7);
        if (virConnectSetEventHistorySize(r->conn->ptr, size) < 0)
            check_err("virConnectSetEventHistorySize");
    }
    if (pct(5)) {
        /* deregister another registration */
        int idx[64], n = 0;
        for (int i = 0; i < nregs && n < 64; i++) {
            int j = (int)rn((unsigned)nregs);
            reg_rec *o = &regs[j];
            if (o != r && o->state == R_ACCEPTED && !o->deregistered && !o->freed && !o->expired && !o->on_closed &&
                !o->conn->tainted && !o->conn->closed)
                idx[n++] = j;
            if (n >= 4)
                break;
        }
        if (n)
            deregister(&regs[idx[rn((unsigned)n)]], "from another callback");
    }
    if (pct(5))
        random_register(NULL, 1);
    if (pct(5) && !r->deregistered && !r->expired && !r->conn->closed)
        deregister(r, "itself, from its own callback");
    if (pct(2) && r->conn->app_refs > 0 && !r->conn->anchor)
        close_conn(r->conn);
}

static void typed_common(virConnectPtr conn, virDomainPtr dom, void *opaque, int event_id, const char *what)
{
    reg_rec *r = cb_enter(opaque, what);
    if (!r)
        return;
    vlog("%s callback of registration #%d (%s, conn #%d)", what, r->serial, style_name(r->style), r->conn->serial);
    if (!checked(r))
        track_lent(r, dom);
    else {
        if (r->style == S_GENERIC || r->event_id != event_id)
            violation(K_CB_FILTER, "%s callback called for registration #%d, registered as %s for event %d", what,
                      r->serial, style_name(r->style), r->event_id);
        if (conn != r->conn->ptr && report_once(r, K_CB_CONN))
            violation(K_CB_CONN, "%s callback got conn %p, registered on connection #%d (%p)", what, (void *)conn,
                      r->conn->serial, (void *)r->conn->ptr);
        if (!dom) {
            violation(K_CB_DOM, "%s callback got a NULL dom", what);
        } else {
            char name[MAXNAME];
            unsigned char uuid[VIR_UUID_BUFLEN];
            if (lent_dom(r, dom, name, uuid, what) == 0) {
                if (r->has_dom_filter && memcmp(uuid, r->filter_uuid, VIR_UUID_BUFLEN) != 0) {
                    char a[VIR_UUID_STRING_BUFLEN], b[VIR_UUID_STRING_BUFLEN];
                    fmt_uuid(uuid, a);
                    fmt_uuid(r->filter_uuid, b);
                    violation(K_CB_FILTER, "%s callback for domain %s, registration #%d filters on %s", what, a,
                              r->serial, b);
                }
                check_model_name(r, uuid, name, what, "virDomainGetName(dom) is");
                check_snapshot_name(dom, name, what);
            }
        }
    }
    if (!r->conn->tainted)
        cb_actions(r, dom);
    cb_leave(r);
}

static int lifecycle_a(virConnectPtr c, virDomainPtr d, int ev, int det, void *op)
{
    (void)ev;
    (void)det;
    typed_common(c, d, op, VIR_DOMAIN_EVENT_ID_LIFECYCLE, "lifecycle");
    return 0;
}
static int lifecycle_b(virConnectPtr c, virDomainPtr d, int ev, int det, void *op)
{
    return lifecycle_a(c, d, ev, det, op);
}
static void reboot_a(virConnectPtr c, virDomainPtr d, void *op)
{
    typed_common(c, d, op, VIR_DOMAIN_EVENT_ID_REBOOT, "reboot");
}
static void reboot_b(virConnectPtr c, virDomainPtr d, void *op)
{
    reboot_a(c, d, op);
}
static void metadata_a(virConnectPtr c, virDomainPtr d, int type, const char *nsuri, void *op)
{
    (void)type;
    (void)nsuri;
    typed_common(c, d, op, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, "metadata-change");
}
static void metadata_b(virConnectPtr c, virDomainPtr d, int type, const char *nsuri, void *op)
{
    metadata_a(c, d, type, nsuri, op);
}
static void existence_a(virConnectPtr c, virDomainPtr d, int type, void *op)
{
    (void)type;
    typed_common(c, d, op, VIR_DOMAIN_EVENT_ID_EXISTENCE, "existence");
}
static void existence_b(virConnectPtr c, virDomainPtr d, int type, void *op)
{
    existence_a(c, d, type, op);
}
static void watchdog_a(virConnectPtr c, virDomainPtr d, int action, void *op)
{
    (void)action;
    typed_common(c, d, op, VIR_DOMAIN_EVENT_ID_WATCHDOG, "watchdog");
}
static void watchdog_b(virConnectPtr c, virDomainPtr d, int action, void *op)
{
    watchdog_a(c, d, action, op);
}

static void generic_common(virConnectPtr conn, virDomainPtr dom, const virConnectEvent *ev, void *opaque)
{
    reg_rec *r = cb_enter(opaque, "generic");
    if (!r)
        return;
    if (!ev) {
        violation(K_CB_DOM, "generic callback got a NULL event");
        cb_leave(r);
        return;
    }
    int about_watch = ev->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK || ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED;
    vlog("generic callback of registration #%d (conn #%d): %s v%llu '%s'", r->serial, r->conn->serial,
         ev->eventName ? ev->eventName : "?", ev->resourceVersion, ev->domainName ? ev->domainName : "?");
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED)
        note(N_EXPIRED);
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK)
        note(N_BOOKMARK);
    if (!checked(r))
        track_lent(r, dom);
    else {
        if (r->style != S_GENERIC)
            violation(K_CB_FILTER, "generic callback called for %s registration #%d", style_name(r->style), r->serial);
        if (conn != r->conn->ptr && report_once(r, K_CB_CONN))
            violation(K_CB_CONN, "generic callback got conn %p, registered on connection #%d (%p)", (void *)conn,
                      r->conn->serial, (void *)r->conn->ptr);
        const char *want_name = virConnectDomainEventIDToName(ev->eventID);
        if (!ev->eventName || !want_name || strcmp(ev->eventName, want_name) != 0)
            violation(K_CB_FILTER, "generic event ID %d carries name '%s' (virConnectDomainEventIDToName says '%s')",
                      ev->eventID, ev->eventName ? ev->eventName : "(null)", want_name ? want_name : "(null)");
        /* versions */
        if (r->have_version) {
            if (about_watch ? ev->resourceVersion < r->last_version : ev->resourceVersion <= r->last_version)
                violation(K_VERSION_ORDER,
                          "registration #%d (%s%s): %s event at version %llu after version %llu was delivered%s", r->serial,
                          r->since ? "watch" : "generic", r->bookmarks ? "+bookmarks" : "",
                          ev->eventName ? ev->eventName : "?", ev->resourceVersion, r->last_version,
                          r->calls == 1 && r->since ? " (its sinceVersion)" : "");
        }
        if (!r->have_version || ev->resourceVersion > r->last_version)
            r->last_version = ev->resourceVersion;
        r->have_version = 1;
        if (r->conn->backend >= 0 && r->conn->backend < nbackends && ev->resourceVersion > bm[r->conn->backend].max_version)
            bm[r->conn->backend].max_version = ev->resourceVersion;
        if (about_watch) {
            if (dom)
                violation(K_CB_DOM, "%s event delivered with a non-NULL dom", ev->eventName ? ev->eventName : "?");
            if (ev->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK && !r->bookmarks)
                violation(K_CB_FILTER, "bookmark event delivered to registration #%d, which did not ask for bookmarks",
                          r->serial);
            if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED && !r->since)
                violation(K_CB_FILTER, "expired event delivered to registration #%d, which is not a watch", r->serial);
        } else {
            if (r->event_id >= 0 && ev->eventID != r->event_id)
                violation(K_CB_FILTER, "registration #%d for event %d got event %d (%s)", r->serial, r->event_id,
                          ev->eventID, ev->eventName ? ev->eventName : "?");
            if (r->has_dom_filter && memcmp(ev->domainUUID, r->filter_uuid, VIR_UUID_BUFLEN) != 0)
                violation(K_CB_FILTER, "registration #%d with a domain filter got an event of another domain ('%s')",
                          r->serial, ev->domainName ? ev->domainName : "?");
            if (!dom) {
                violation(K_CB_DOM, "generic %s event about '%s' delivered with a NULL dom",
                          ev->eventName ? ev->eventName : "?", ev->domainName ? ev->domainName : "?");
            } else {
                unsigned int id = virDomainGetID(dom);
                if (id != (unsigned int)ev->domainID)
                    violation(K_CB_ID, "generic %s event of '%s': virDomainGetID(dom) = %d, the event's domainID = %d",
                              ev->eventName ? ev->eventName : "?", ev->domainName ? ev->domainName : "?", (int)id,
                              ev->domainID);
                char name[MAXNAME];
                unsigned char uuid[VIR_UUID_BUFLEN];
                if (lent_dom(r, dom, name, uuid, "generic") == 0) {
                    if (!ev->domainName || strcmp(name, ev->domainName) != 0)
                        violation(K_CB_NAME,
                                  "generic %s event (v%llu): virDomainGetName(dom) = '%s' but the event's domainName = '%s'",
                                  ev->eventName ? ev->eventName : "?", ev->resourceVersion, name,
                                  ev->domainName ? ev->domainName : "(null)");
                    if (memcmp(uuid, ev->domainUUID, VIR_UUID_BUFLEN) != 0) {
                        char a[VIR_UUID_STRING_BUFLEN], b[VIR_UUID_STRING_BUFLEN];
                        fmt_uuid(uuid, a);
                        fmt_uuid(ev->domainUUID, b);
                        violation(K_CB_UUID, "generic %s event: dom's uuid %s, the event's %s",
                                  ev->eventName ? ev->eventName : "?", a, b);
                    }
                    char us[VIR_UUID_STRING_BUFLEN], us2[VIR_UUID_STRING_BUFLEN];
                    fmt_uuid(ev->domainUUID, us);
                    if (virDomainGetUUIDString(dom, us2) < 0)
                        check_err("virDomainGetUUIDString");
                    else if (strcasecmp(us, us2) != 0)
                        violation(K_CB_UUID, "generic event: virDomainGetUUIDString(dom) = %s, the event's uuid %s", us2, us);
                    /* a watch replays history from its sinceVersion: older than the model's memory */
                    if (ev->domainName && !r->since)
                        check_model_name(r, ev->domainUUID, ev->domainName, "generic", "the event's domainName is");
                    check_snapshot_name(dom, name, "generic");
                }
            }
        }
    }
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED)
        r->expired = 1;
    else if (!about_watch && !r->conn->tainted)
        cb_actions(r, dom);
    cb_leave(r);
}

static void generic_a(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *op)
{
    generic_common(c, d, ev, op);
}
static void generic_b(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *op)
{
    generic_common(c, d, ev, op);
}

static virConnectDomainEventCallback legacy_fn(int variant)
{
    return variant ? lifecycle_b : lifecycle_a;
}

static virConnectDomainEventGenericCallback any_fn(int event_id, int variant)
{
    switch (event_id) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        return VIR_DOMAIN_EVENT_CALLBACK(variant ? lifecycle_b : lifecycle_a);
    case VIR_DOMAIN_EVENT_ID_REBOOT:
        return VIR_DOMAIN_EVENT_CALLBACK(variant ? reboot_b : reboot_a);
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(variant ? metadata_b : metadata_a);
    case VIR_DOMAIN_EVENT_ID_EXISTENCE:
        return VIR_DOMAIN_EVENT_CALLBACK(variant ? existence_b : existence_a);
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
        return VIR_DOMAIN_EVENT_CALLBACK(variant ? watchdog_b : watchdog_a);
    default:
        return VIR_DOMAIN_EVENT_CALLBACK(variant ? reboot_b : reboot_a);
    }
}

static void reg_freecb(void *opaque)
{
    reg_rec *r = opaque;
    if (!r || r->magic != REG_MAGIC) {
        violation(K_FREECB_TWICE, "freecb called with opaque %p, which is none of our registrations", opaque);
        return;
    }
    /* A freecb may call back into the API: it must never run under a library lock. */
    if (r->conn != &foreign_conn) {
        (void)virConnectIsAlive(r->conn->ptr);
        (void)virConnectDomainEventDeregisterAny(r->conn->ptr, -12345);
    }
    (void)virConnectDomainEventIDToName(VIR_DOMAIN_EVENT_ID_REBOOT);
    vlog("freecb of registration #%d", r->serial);
    if (r->freed++) {
        violation(K_FREECB_TWICE, "freecb of registration #%d (%s) ran again (first at op %llu)", r->serial,
                  style_name(r->style), r->freed_op);
        return;
    }
    r->freed_op = cur_op;
    if (r->state == R_REFUSED) {
        violation(K_FREECB_REFUSED, "freecb ran for registration #%d, which was refused", r->serial);
    } else if (r->state == R_ACCEPTED && !r->on_closed && !r->conn->tainted &&
               !(r->dereg_pending || r->deregistered || r->conn->closing || r->conn->closed || r->expired)) {
        violation(K_FREECB_EARLY,
                  "freecb of registration #%d (%s on connection #%d) ran although it is neither deregistered, nor "
                  "expired, nor its connection closed",
                  r->serial, style_name(r->style), r->conn->serial);
    }
    if (r->running)
        violation(K_FREECB_RUNNING, "freecb of registration #%d ran while its callback is running", r->serial);
    if (!tearing_down && nregs && pct(10)) {
        /* a freecb may call any API: deregister a registration of another, open connection */
        reg_rec *o = &regs[rn((unsigned)nregs)];
        if (o != r && o->state == R_ACCEPTED && !o->deregistered && !o->freed && !o->expired && !o->on_closed &&
            !o->conn->tainted && !o->conn->closed && !o->conn->closing && !o->dereg_pending && o->conn != r->conn)
            deregister(o, "from a freecb");
    }
}

static const char *const GEN_NAMES[] = {"lifecycle", "reboot", "existence", "metadata-change"};
static const int GEN_IDS[] = {VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_ID_EXISTENCE,
                              VIR_DOMAIN_EVENT_ID_METADATA_CHANGE};
static const int ANY_IDS[] = {VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_ID_REBOOT,
                              VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, VIR_DOMAIN_EVENT_ID_EXISTENCE,
                              VIR_DOMAIN_EVENT_ID_WATCHDOG};

/* One registration attempt of a random style. `force`: on that connection (a closed one, say). */
static void random_register(conn_rec *force, int in_cb)
{
    if (nregs >= MAXREGS)
        return;
    conn_rec *c;
    virConnectPtr cptr;
    int target; /* 0 live, 1 closed, 2 foreign */
    if (force) {
        c = force;
        cptr = c->ptr;
        target = c->closed ? 1 : 0;
    } else {
        unsigned t = rn(100);
        c = NULL;
        if (t >= 92 && (c = pick_closed()) != NULL) {
            target = 1;
        } else if (t >= 86) {
            c = &foreign_conn;
            target = 2;
        } else {
            c = pick_live();
            target = 0;
            if (!c)
                return;
        }
        cptr = target == 2 ? (virConnectPtr)foreign_ptr() : c->ptr;
    }

    reg_rec *r = &regs[nregs];
    memset(r, 0, sizeof *r);
    r->magic = REG_MAGIC;
    r->serial = nregs++;
    r->conn = c;
    r->variant = (int)rn(2);
    r->reg_op = cur_op;
    r->event_id = -1;
    unsigned s = rn(100);
    r->style = s < 18 ? S_LEGACY : s < 55 ? S_ANY : S_GENERIC;

    int bad = 0;  /* expected error code when the connection is fine but an argument is not */
    int nbad = 0; /* how many arguments are wrong (the code is checked only for exactly one) */
    int uncertain = 0; /* a since version that may have expired: another refusal may come first */
    virDomainPtr filt = NULL;
    const char *filt_desc = "";
    if (r->style != S_LEGACY) {
        unsigned f = rn(100);
        if (f < 25 && nowned) {
            dom_rec *d = &owned[rn((unsigned)nowned)];
            filt = d->ptr;
            r->has_dom_filter = 1;
            memcpy(r->filter_uuid, d->uuid, VIR_UUID_BUFLEN);
            if (target != 2 && d->conn->backend != c->backend) {
                bad = VIR_ERR_INVALID_ARG; /* a domain of another hypervisor */
                nbad++;
            }
        } else if (f < 31) {
            stale_dom *st = pct(60) ? pick_stale() : NULL;
            filt = st ? (virDomainPtr)st->ptr : (virDomainPtr)foreign_ptr();
            filt_desc = st ? "a freed domain handle" : "a foreign domain pointer";
            if (filt) {
                bad = VIR_ERR_INVALID_DOMAIN;
                nbad++;
            }
        }
    }

    int rc = -1;
    const char *api = "";
    char what[160];
    r->state = R_PENDING;
    if (r->style == S_LEGACY) {
        r->event_id = VIR_DOMAIN_EVENT_ID_LIFECYCLE;
        api = "virConnectDomainEventRegister";
        snprintf(what, sizeof what, "legacy lifecycle cb%c", 'A' + r->variant);
        rc = virConnectDomainEventRegister(cptr, legacy_fn(r->variant), r, reg_freecb);
    } else if (r->style == S_ANY) {
        unsigned e = rn(20);
        if (e == 0) {
            r->event_id = pct(50) ? VIR_DOMAIN_EVENT_ID_LAST + 5 : -3;
            if (!bad)
                bad = VIR_ERR_INVALID_ARG;
            nbad++;
        } else {
            r->event_id = ANY_IDS[rn(sizeof ANY_IDS / sizeof ANY_IDS[0])];
        }
        api = "virConnectDomainEventRegisterAny";
        snprintf(what, sizeof what, "any event %d cb%c filter=%s", r->event_id, 'A' + r->variant,
                 filt ? (bad == VIR_ERR_INVALID_DOMAIN ? filt_desc : "dom") : "none");
        rc = virConnectDomainEventRegisterAny(cptr, filt, r->event_id, any_fn(r->event_id, r->variant), r, reg_freecb);
    } else {
        const char *ename = NULL;
        unsigned e = rn(100);
        if (e < 40) {
            ename = NULL;
        } else if (e < 92) {
            unsigned k = rn(4);
            ename = GEN_NAMES[k];
            r->event_id = GEN_IDS[k];
        } else {
            ename = pct(50) ? "bookmark" : "no-such-event";
            if (!bad)
                bad = VIR_ERR_INVALID_ARG;
            nbad++;
        }
        unsigned m = rn(100);
        unsigned flags = 0;
        int use_flags = 0;
        if (m < 30) {
            /* plain */
        } else if (m < 55) {
            r->since = 1;
        } else if (m < 65) {
            use_flags = 1;
            flags = VIR_CONNECT_EVENT_REGISTER_SINCE;
            r->since = 1;
        } else if (m < 88) {
            use_flags = 1;
            flags = VIR_CONNECT_EVENT_REGISTER_SINCE | VIR_CONNECT_EVENT_REGISTER_BOOKMARKS;
            r->since = r->bookmarks = 1;
            if (avoid & (1u << 4)) {
                flags = VIR_CONNECT_EVENT_REGISTER_SINCE;
                r->bookmarks = 0;
            }
        } else if (m < 97) {
            use_flags = 1;
            flags = VIR_CONNECT_EVENT_REGISTER_BOOKMARKS;
            r->bookmarks = 1;
        } else {
            use_flags = 1;
            flags = 1u << 7;
            if (!bad)
                bad = VIR_ERR_INVALID_ARG;
            nbad++;
        }
        unsigned long long v = 0;
        if (r->since) {
            if (target == 0 && virConnectListAllDomainsVersioned(cptr, NULL, &v, 0) < 0) {
                check_err("virConnectListAllDomainsVersioned");
                v = 0;
            }
            unsigned k = rn(100);
            if (k < 70) {
                /* the current version */
            } else if (k < 85) {
                unsigned back = rn(6);
                v = v > back ? v - back : 0;
                uncertain = 1;
            } else if (k < 95) {
                v = 0;
                uncertain = 1;
            } else {
                v += 1000;
                if (target == 0) {
                    if (!bad)
                        bad = VIR_ERR_INVALID_ARG; /* newer than the hypervisor */
                    nbad++;
                }
            }
            if (target != 0)
                uncertain = 1; /* a version not read from that hypervisor */
            r->since_version = v;
            r->last_version = v;
            r->have_version = 1;
        }
        virConnectEventCallback fn = r->variant ? generic_b : generic_a;
        snprintf(what, sizeof what, "generic '%s' %s%s since=%llu cb%c filter=%s", ename ? ename : "*",
                 r->since ? "watch" : "plain", r->bookmarks ? "+bookmarks" : "", v, 'A' + r->variant,
                 filt ? (bad == VIR_ERR_INVALID_DOMAIN ? filt_desc : "dom") : "none");
        if (use_flags) {
            api = "virConnectEventRegisterFlags";
            rc = virConnectEventRegisterFlags(cptr, filt, ename, v, fn, r, reg_freecb, flags);
        } else if (r->since) {
            api = "virConnectEventRegisterSince";
            rc = virConnectEventRegisterSince(cptr, filt, ename, v, fn, r, reg_freecb);
        } else {
            api = "virConnectEventRegister";
            rc = virConnectEventRegister(cptr, filt, ename, fn, r, reg_freecb);
        }
    }
    vlog("%s(conn #%d%s, %s) = %d%s%s", api, c->serial, target == 1 ? " CLOSED" : target == 2 ? " FOREIGN" : "", what, rc,
         rc < 0 ? ": " : "", rc < 0 ? errmsg() : "");
    (void)in_cb;

    if (rc < 0) {
        r->state = R_REFUSED;
        if (r->freed)
            violation(K_FREECB_REFUSED, "%s refused registration #%d (%s) but ran its freecb", api, r->serial, what);
        /* A foreign or closed connection is refused as such, unless another argument is wrong
         * too, the version may have expired, or (closed) an earlier registration wrongly accepted
         * on it makes this one a duplicate. */
        int dup_possible = 0;
        for (int i = 0; target == 1 && i < nregs - 1; i++)
            dup_possible |= regs[i].conn == c && regs[i].on_closed;
        if (target != 0 && !nbad && !uncertain && !dup_possible)
            check_code(api, VIR_ERR_INVALID_CONN);
        else if (target == 0 && nbad == 1 && !uncertain)
            check_code(api, bad);
        else
            check_err(api);
        return;
    }
    r->state = R_ACCEPTED;
    r->id = r->style == S_LEGACY ? -1 : rc;
    if (r->freed)
        violation(K_FREECB_EARLY, "%s accepted registration #%d but its freecb already ran", api, r->serial);
    if (target == 1) {
        violation(K_CLOSED_ACCEPTS,
                  "%s on connection #%d, closed at op %llu (virConnectIsAlive %d), accepted registration #%d (%s) "
                  "(returned %d); its freecb can never run",
                  api, c->serial, c->closed_op, virConnectIsAlive(c->ptr), r->serial, what, rc);
        r->on_closed = 1;
    } else if (target == 2) {
        violation(K_FOREIGN_ACCEPTED, "%s on foreign pointer %p accepted registration #%d (%s)", api, (void *)cptr,
                  r->serial, what);
        r->on_closed = 1;
    } else if (bad) {
        violation(bad == VIR_ERR_INVALID_DOMAIN ? K_STALE_ACCEPTED : K_BAD_REG_ACCEPTED,
                  "%s accepted registration #%d (%s), which should have failed with error %d", api, r->serial, what, bad);
    }
}

static int id_in_use(int id)
{
    for (int i = 0; i < nregs; i++) {
        reg_rec *o = &regs[i];
        if (o->state == R_ACCEPTED && o->id == id && !o->freed)
            return 1;
    }
    return 0;
}

/* Deregisters a live registration through its own style's call. */
static void deregister(reg_rec *r, const char *why)
{
    int rc;
    const char *api;
    /* A watch whose backlog outgrew the history may already be ended before its "expired"
     * event is delivered, so only other registrations must deregister successfully. */
    int unchecked = r->on_closed || r->conn->tainted;
    const char *gone = r->conn->closed ? "on a closed connection"
                       : r->freed      ? "already freed"
                       : r->deregistered ? "already deregistered"
                                         : NULL;
    int expect_ok = !r->since && !gone && !r->expired && !unchecked;
    r->dereg_pending = 1;
    if (r->style == S_LEGACY) {
        api = "virConnectDomainEventDeregister";
        rc = virConnectDomainEventDeregister(r->conn->ptr, legacy_fn(r->variant));
    } else if (r->style == S_ANY) {
        api = "virConnectDomainEventDeregisterAny";
        rc = virConnectDomainEventDeregisterAny(r->conn->ptr, r->id);
    } else {
        api = "virConnectEventUnregister";
        rc = virConnectEventUnregister(r->conn->ptr, r->id);
    }
    r->dereg_pending = 0;
    vlog("%s(conn #%d, registration #%d id %d) %s = %d", api, r->conn->serial, r->serial, r->id, why, rc);
    if (rc == 0) {
        if (!r->deregistered)
            r->dereg_op = cur_op;
        r->deregistered = 1;
        if (gone && !unchecked)
            violation(K_DEREG, "%s of registration #%d succeeded although it is %s", api, r->serial, gone);
    } else {
        check_err(api);
        if (expect_ok)
            violation(K_DEREG, "%s of live registration #%d (%s, id %d, connection #%d) %s failed: %s", api, r->serial,
                      style_name(r->style), r->id, r->conn->serial, why, errmsg());
    }
}

/* ================================================================================================ */
/* connection lifetime and checks                                                                   */

static void check_conn_regs_freed(conn_rec *c, const char *when)
{
    for (int i = 0; i < nregs; i++) {
        reg_rec *r = &regs[i];
        if (r->conn != c || r->state != R_ACCEPTED || r->on_closed || r->freed || r->running)
            continue;
        if (report_once(r, K_FREECB_MISSING))
            violation(K_FREECB_MISSING,
                      "%s gave back connection #%d's last reference, but registration #%d (%s%s%s, registered at op %llu%s) "
                      "has not had its freecb",
                      when, c->serial, r->serial, style_name(r->style), r->since ? " watch" : "",
                      r->bookmarks ? "+bookmarks" : "", r->reg_op, r->expired ? ", expired" : "");
    }
}

static void close_conn(conn_rec *c)
{
    int last = c->app_refs == 1;
    if (last)
        c->closing = 1;
    int rc = virConnectClose(c->ptr);
    c->closing = 0;
    vlog("virConnectClose(conn #%d, app refs %d) = %d", c->serial, c->app_refs, rc);
    if (rc < 0) {
        check_err("virConnectClose");
        violation(K_HANDLE, "virConnectClose of live connection #%d (%d application references) failed: %s", c->serial,
                  c->app_refs, errmsg());
        return;
    }
    c->app_refs--;
    if (rc < c->app_refs)
        violation(K_HANDLE, "virConnectClose returned %d, but the application still holds %d references", rc, c->app_refs);
    if (c->app_refs == 0) {
        c->closed = 1;
        c->closed_op = cur_op;
        int alive = virConnectIsAlive(c->ptr);
        if (alive == 1)
            violation(K_CLOSED_ALIVE, "virConnectIsAlive(connection #%d) = 1 after its last virConnectClose", c->serial);
        else if (alive < 0)
            check_code("virConnectIsAlive", VIR_ERR_INVALID_CONN);
        /* From inside a callback, a callback of this connection may be running: its freecbs
         * may wait for it (checked after the loop iteration, in post_pump). */
        if (!cb_depth)
            check_conn_regs_freed(c, "virConnectClose");
    }
}

/* After a loop iteration from the top: deferred freecbs must have run, the model settles. */
static void post_pump(void)
{
    for (int i = 0; i < nregs; i++) {
        reg_rec *r = &regs[i];
        if (r->state != R_ACCEPTED || r->on_closed || r->freed || r->conn->tainted)
            continue;
        if (!(r->deregistered || r->expired || r->conn->closed))
            continue;
        if (report_once(r, K_FREECB_MISSING))
            violation(K_FREECB_MISSING,
                      "registration #%d (%s%s%s on connection #%d, registered at op %llu) %s, but a loop iteration later "
                      "its freecb has not run",
                      r->serial, style_name(r->style), r->since ? " watch" : "", r->bookmarks ? "+bookmarks" : "",
                      r->conn->serial, r->reg_op,
                      r->expired ? "got its \"expired\" event" : r->deregistered ? "was deregistered" : "lost its connection");
    }
    for (int i = 0; i < nloops; i++) {
        loop_rec *l = &loops[i];
        if (l->removed && !l->refused && l->ff != 1 && !l->reported) {
            l->reported = 1;
            if (l->is_handle == 2)
                violation(K_FREECB_MISSING, "close callback unregistered, but a loop iteration later its freecb ran %d times",
                          l->ff);
            else
                violation(K_LOOP, "%s %d removed, but a loop iteration later its ff ran %d times",
                          l->is_handle ? "handle" : "timeout", l->id, l->ff);
        }
    }
    model_settle();
}

static void once_cb(int timer, void *opaque)
{
    int *fired = opaque;
    *fired = 1;
    if (virEventRemoveTimeout(timer) < 0)
        check_err("virEventRemoveTimeout");
}

static void pump(int wait_ms)
{
    int fired = 0;
    int t = virEventAddTimeout(wait_ms, once_cb, &fired, NULL);
    if (t < 0) {
        check_err("virEventAddTimeout");
        return;
    }
    if (virEventRunDefaultImpl() < 0)
        check_err("virEventRunDefaultImpl");
    if (!fired)
        (void)virEventRemoveTimeout(t);
}

/* ================================================================================================ */
/* operations                                                                                       */

static void mkxml(char *buf, size_t n, const char *name, const char *uuid, int mem)
{
    snprintf(buf, n,
             "<domain type='test'><name>%s</name><uuid>%s</uuid><memory unit='KiB'>%d</memory><vcpu>1</vcpu>"
             "<os><type>hvm</type></os></domain>",
             name, uuid, mem);
}

static const char *pick_name_for(int b, const char *uuid)
{
    unsigned char u[VIR_UUID_BUFLEN];
    if (avoid & (1u << 6)) {
        /* every UUID always carries the same name */
        for (int i = 0; i < NUUIDS; i++)
            if (uuid == UUIDS[i])
                return NAMES[i];
    }
    if (pct(60) && parse_uuid(uuid, u) == 0) {
        ment *e = model_find(b, u, 0);
        if (e && e->cur[0])
            return e->cur;
    }
    return NAMES[rn(NNAMES)];
}

static void op_open(void)
{
    if (nconns >= MAXCONNS || count_live() >= MAXLIVE)
        return;
    unsigned k = rn(20);
    const char *uri;
    int backend, ro = 0, bad = 0;
    if (k < 10) {
        uri = "test:///default";
        backend = 0;
    } else if (k < 17) {
        uri = "test:///empty";
        backend = nbackends;
    } else if (k < 18) {
        uri = NULL;
        backend = 0;
    } else {
        uri = pct(50) ? "qemu:///nowhere" : "test:///no/such/file.xml";
        backend = -1;
        bad = 1;
    }
    if (backend >= MAXBACKENDS)
        return;
    virConnectPtr p;
    unsigned how = rn(10);
    if (how < 2) {
        ro = 1;
        p = virConnectOpenReadOnly(uri);
    } else if (how < 4) {
        ro = pct(30);
        p = virConnectOpenAuth(uri, pct(50) ? virConnectAuthPtrDefault : NULL, ro ? VIR_CONNECT_RO : 0);
    } else {
        p = virConnectOpen(uri);
    }
    vlog("open(%s%s) = %p", uri ? uri : "NULL", ro ? ", ro" : "", (void *)p);
    if (!p) {
        check_err("virConnectOpen");
        return;
    }
    if (bad) {
        /* not an invariant of this fuzzer; just give it back */
        virConnectClose(p);
        return;
    }
    if (backend == nbackends)
        nbackends++;
    new_conn(p, backend, ro);
    resync(backend);
}

static void op_close(void)
{
    conn_rec *c = pick_live_nonanchor();
    if (!c)
        return;
    close_conn(c);
}

static void op_conn_ref(void)
{
    conn_rec *c = pick_live();
    if (!c)
        return;
    int alive = virConnectIsAlive(c->ptr);
    if (alive != 1)
        violation(K_HANDLE, "virConnectIsAlive(connection #%d, %d application references) = %d: %s", c->serial, c->app_refs,
                  alive, alive < 0 ? errmsg() : "");
    if (c->app_refs >= 3)
        return;
    int rc = virConnectRef(c->ptr);
    vlog("virConnectRef(conn #%d) = %d", c->serial, rc);
    if (rc < 0) {
        check_err("virConnectRef");
        violation(K_HANDLE, "virConnectRef of live connection #%d failed: %s", c->serial, errmsg());
        return;
    }
    c->app_refs++;
}

/* A closed connection refuses what needs an open one. */
static void op_probe_closed(void)
{
    conn_rec *c = pick_closed();
    if (!c)
        return;
    int held = 0;
    for (int i = 0; i < nowned; i++)
        held += owned[i].conn == c;
    switch (rn(6)) {
    case 0: {
        int rc = virConnectRef(c->ptr);
        vlog("virConnectRef(closed conn #%d, %d handles held) = %d", c->serial, held, rc);
        if (rc == 0) {
            violation(K_CLOSED_ACCEPTS,
                      "virConnectRef on connection #%d succeeded, although its last reference was given back at op %llu "
                      "(virConnectIsAlive %d, %d domain handles of ours hold it)",
                      c->serial, c->closed_op, virConnectIsAlive(c->ptr), held);
            c->tainted = 1;
        } else {
            check_code("virConnectRef", VIR_ERR_INVALID_CONN);
        }
        break;
    }
    case 1: {
        int rc = virConnectClose(c->ptr);
        vlog("virConnectClose(closed conn #%d) = %d", c->serial, rc);
        if (rc >= 0) {
            violation(K_CLOSED_ACCEPTS, "virConnectClose on connection #%d, already closed at op %llu, returned %d",
                      c->serial, c->closed_op, rc);
            c->tainted = 1;
        } else {
            check_code("virConnectClose", VIR_ERR_INVALID_CONN);
        }
        break;
    }
    case 2: {
        int alive = virConnectIsAlive(c->ptr);
        if (alive == 1)
            violation(K_CLOSED_ALIVE, "virConnectIsAlive(connection #%d) = 1 after its close at op %llu", c->serial,
                      c->closed_op);
        else if (alive < 0)
            check_code("virConnectIsAlive", VIR_ERR_INVALID_CONN);
        break;
    }
    default:
        random_register(c, 0);
        break;
    }
}

/* Calls on a foreign connection pointer must all fail with VIR_ERR_INVALID_CONN. */
static void op_probe_foreign_conn(void)
{
    virConnectPtr p = (virConnectPtr)foreign_ptr();
    const char *api = "";
    int ok = 0;
    switch (rn(9)) {
    case 0:
        api = "virConnectClose";
        ok = virConnectClose(p) >= 0;
        break;
    case 1:
        api = "virConnectRef";
        ok = virConnectRef(p) == 0;
        break;
    case 2: {
        api = "virConnectGetURI";
        char *u = virConnectGetURI(p);
        ok = u != NULL;
        free(u);
        break;
    }
    case 3:
        api = "virConnectIsAlive";
        ok = virConnectIsAlive(p) >= 0;
        break;
    case 4:
        api = "virConnectNumOfDomains";
        ok = virConnectNumOfDomains(p) >= 0;
        break;
    case 5: {
        api = "virDomainLookupByName";
        virDomainPtr d = virDomainLookupByName(p, "test");
        ok = d != NULL;
        break;
    }
    case 6:
        api = "virConnectSetEventHistorySize";
        ok = virConnectSetEventHistorySize(p, 4) == 0;
        break;
    case 7:
        api = "virConnectDomainEventDeregisterAny";
        ok = virConnectDomainEventDeregisterAny(p, (int)rn(50)) == 0;
        break;
    default:
        random_register(NULL, 0);
        return;
    }
    vlog("%s(foreign %p) ok=%d", api, (void *)p, ok);
    if (ok) {
        violation(K_FOREIGN_ACCEPTED, "%s accepted foreign connection pointer %p", api, (void *)p);
        stop_seed = 1; /* it acted on something we cannot know */
    } else {
        check_code(api, VIR_ERR_INVALID_CONN);
    }
}

static void op_define(int transient)
{
    conn_rec *c = pick_live();
    if (!c)
        return;
    unsigned t = rn(100);
    int target = 0;
    virConnectPtr cptr = c->ptr;
    if (t >= 94) {
        conn_rec *cl = pick_closed();
        if (cl) {
            c = cl;
            cptr = c->ptr;
            target = 1;
        }
    } else if (t >= 90) {
        cptr = (virConnectPtr)foreign_ptr();
        target = 2;
    }
    make_room(1);
    const char *uuid = UUIDS[rn(NUUIDS)];
    char xml[512];
    mkxml(xml, sizeof xml, pick_name_for(c->backend, uuid), uuid, 1024 * (1 + (int)rn(8)));
    virDomainPtr d;
    const char *api;
    if (transient) {
        api = "virDomainCreateXML";
        d = virDomainCreateXML(cptr, xml, pct(30) ? VIR_DOMAIN_START_PAUSED : 0);
    } else {
        int with_flags = pct(50);
        api = with_flags ? "virDomainDefineXMLFlags" : "virDomainDefineXML";
        d = with_flags ? virDomainDefineXMLFlags(cptr, xml, 0) : virDomainDefineXML(cptr, xml);
    }
    vlog("%s(conn #%d%s, %.60s...) = %p%s%s", api, c->serial, target == 1 ? " CLOSED" : target == 2 ? " FOREIGN" : "",
         strstr(xml, "<name>") + 6, (void *)d, d ? "" : ": ", d ? "" : errmsg());
    if (!d) {
        if (target == 2)
            check_code(api, VIR_ERR_INVALID_CONN);
        else
            check_err(api);
        return;
    }
    if (target == 2) {
        violation(K_FOREIGN_ACCEPTED, "%s accepted foreign connection pointer %p", api, (void *)cptr);
        stop_seed = 1;
        return;
    }
    adopt(d, c, api, 0);
    resync(c->backend);
}

static void op_lookup(void)
{
    conn_rec *c = pick_live();
    if (!c)
        return;
    int target = 0;
    if (pct(5)) {
        conn_rec *cl = pick_closed();
        if (cl) {
            c = cl;
            target = 1;
        }
    }
    make_room(1);
    virDomainPtr d = NULL;
    const char *api = "";
    char arg[64];
    switch (rn(6)) {
    case 0:
    case 1: {
        api = "virDomainLookupByName";
        unsigned k = rn(NNAMES + 2);
        snprintf(arg, sizeof arg, "%s", k < NNAMES ? NAMES[k] : k == NNAMES ? "test" : "no-such-domain");
        d = virDomainLookupByName(c->ptr, arg);
        break;
    }
    case 2: {
        api = "virDomainLookupByUUID";
        unsigned char u[VIR_UUID_BUFLEN];
        snprintf(arg, sizeof arg, "%s", UUIDS[rn(NUUIDS)]);
        parse_uuid(arg, u);
        d = virDomainLookupByUUID(c->ptr, u);
        break;
    }
    case 3:
        api = "virDomainLookupByUUIDString";
        snprintf(arg, sizeof arg, "%s", pct(90) ? UUIDS[rn(NUUIDS)] : "not-a-uuid");
        d = virDomainLookupByUUIDString(c->ptr, arg);
        break;
    default:
        api = "virDomainLookupByID";
        snprintf(arg, sizeof arg, "%u", 1 + rn(8));
        d = virDomainLookupByID(c->ptr, atoi(arg));
        break;
    }
    vlog("%s(conn #%d%s, %s) = %p", api, c->serial, target ? " CLOSED" : "", arg, (void *)d);
    if (!d) {
        check_err(api);
        return;
    }
    adopt(d, c, api, 0);
}

static void op_list(void)
{
    conn_rec *c = pick_live();
    if (!c)
        return;
    make_room(2);
    static const unsigned fl[] = {0,
                                  VIR_CONNECT_LIST_DOMAINS_ACTIVE,
                                  VIR_CONNECT_LIST_DOMAINS_INACTIVE,
                                  VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
                                  VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
                                  VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_PERSISTENT};
    unsigned flags = fl[rn(6)];
    virDomainPtr *list = NULL;
    unsigned long long version = 0;
    int versioned = pct(50);
    int want_list = pct(90);
    int n = versioned ? virConnectListAllDomainsVersioned(c->ptr, want_list ? &list : NULL, &version, flags)
                      : virConnectListAllDomains(c->ptr, want_list ? &list : NULL, flags);
    vlog("%s(conn #%d, flags 0x%x) = %d", versioned ? "virConnectListAllDomainsVersioned" : "virConnectListAllDomains",
         c->serial, flags, n);
    if (n < 0) {
        check_err("virConnectListAllDomains");
        return;
    }
    if (versioned && c->backend >= 0) {
        bmodel *m = &bm[c->backend];
        if (version < m->max_version)
            violation(K_VERSION_ORDER, "virConnectListAllDomainsVersioned: version %llu after %llu was seen on backend %d",
                      version, m->max_version, c->backend);
        else
            m->max_version = version;
    }
    if (!list)
        return;
    int keep = (int)rn(3);
    for (int i = 0; i < n; i++) {
        virDomainPtr d = list[i];
        if (i < keep && nowned < MAXOWNED) {
            adopt(d, c, "virConnectListAllDomains", 0);
            continue;
        }
        const char *nm = virDomainGetName(d);
        unsigned char u[VIR_UUID_BUFLEN];
        char name[MAXNAME];
        if (!nm || virDomainGetUUID(d, u) < 0) {
            violation(K_HANDLE, "a listed handle has no name/uuid: %s", errmsg());
            continue;
        }
        copy_name(name, nm);
        reuse_check(d, c->backend, name, u, "virConnectListAllDomains");
        observe(d);
        if (virDomainFree(d) < 0)
            violation(K_HANDLE, "virDomainFree of a listed handle failed: %s", errmsg());
        else
            retire_dom(d, c->backend, name, u);
    }
    free(list);
}

static unsigned metadata_serial;

/* Domains whose XML a wrongly accepted metadata key broke: their later failures are not new. */
#define MAXBROKEN 64
static struct {
    int backend;
    unsigned char uuid[VIR_UUID_BUFLEN];
} broken[MAXBROKEN];
static int nbroken;

static int is_broken(int backend, const unsigned char *uuid)
{
    for (int i = 0; i < nbroken; i++)
        if (broken[i].backend == backend && memcmp(broken[i].uuid, uuid, VIR_UUID_BUFLEN) == 0)
            return 1;
    return 0;
}

static void op_domop(void)
{
    if (!nowned) {
        op_lookup();
        return;
    }
    dom_rec *d = &owned[rn((unsigned)nowned)];
    virDomainPtr p = d->ptr;
    conn_rec *c = d->conn;
    int b = c->backend;
    int rc = 0;
    const char *api = "";
    unsigned k = rn(34);
    switch (k) {
    case 0:
    case 1:
        api = "virDomainUndefine";
        rc = pct(60) ? virDomainUndefine(p) : virDomainUndefineFlags(p, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE);
        break;
    case 2:
    case 3:
    case 4:
        api = "virDomainCreate";
        rc = pct(70) ? virDomainCreate(p) : virDomainCreateWithFlags(p, VIR_DOMAIN_START_PAUSED);
        break;
    case 5:
    case 6:
        api = "virDomainDestroy";
        rc = virDomainDestroy(p);
        break;
    case 7:
        api = "virDomainShutdown";
        rc = virDomainShutdown(p);
        break;
    case 8:
    case 9:
    case 10:
        api = "virDomainReboot";
        rc = virDomainReboot(p, 0);
        break;
    case 11:
        api = "virDomainReset";
        rc = virDomainReset(p, 0);
        break;
    case 12:
        api = "virDomainSuspend";
        rc = virDomainSuspend(p);
        break;
    case 13:
        api = "virDomainResume";
        rc = virDomainResume(p);
        break;
    case 14:
        api = "virDomainSave";
        rc = virDomainSave(p, save_paths[rn(3)]);
        break;
    case 15:
        api = "virDomainManagedSave";
        rc = virDomainManagedSave(p, 0);
        break;
    case 16:
    case 17: {
        api = "virDomainSetMetadata";
        char text[64];
        snprintf(text, sizeof text, "t%u", ++metadata_serial);
        switch (rn(4)) {
        case 0:
            rc = virDomainSetMetadata(p, VIR_DOMAIN_METADATA_TITLE, text, NULL, NULL, 0);
            break;
        case 1:
            rc = virDomainSetMetadata(p, VIR_DOMAIN_METADATA_DESCRIPTION, pct(80) ? text : NULL, NULL, NULL, 0);
            break;
        default: {
            char elem[96];
            snprintf(elem, sizeof elem, "<x n='%s'/>", text);
            if (!(avoid & (1u << 3)) && pct(3)) {
                /* a key that is no XML name: to be refused before anything changes (issue 13, 3) */
                static const char *const bad_keys[] = {"a>b", "x y", "1abc", "a'b"};
                const char *key = bad_keys[rn(4)];
                rc = virDomainSetMetadata(p, VIR_DOMAIN_METADATA_ELEMENT, elem, key, "http://fuzz.example/bad", 0);
                vlog("virDomainSetMetadata(%p '%s', key '%s') = %d", (void *)p, d->name, key, rc);
                if (rc == 0) {
                    violation(K_BAD_ARG_ACCEPTED,
                              "virDomainSetMetadata accepted metadata key '%s', which is no XML name (the domain's XML "
                              "now holds it unescaped)",
                              key);
                    if (nbroken < MAXBROKEN) {
                        broken[nbroken].backend = b;
                        memcpy(broken[nbroken++].uuid, d->uuid, VIR_UUID_BUFLEN);
                    }
                } else
                    check_err(api);
                resync(b);
                return;
            }
            rc = virDomainSetMetadata(p, VIR_DOMAIN_METADATA_ELEMENT, pct(85) ? elem : NULL, "fz", "http://fuzz.example/ns", 0);
            break;
        }
        }
        break;
    }
    case 18: {
        api = "virDomainRef";
        rc = virDomainRef(p);
        vlog("virDomainRef(%p '%s') = %d", (void *)p, d->name, rc);
        if (rc < 0) {
            check_err(api);
            violation(K_HANDLE, "virDomainRef of live handle %p failed: %s", (void *)p, errmsg());
        } else {
            d->refs++;
        }
        return;
    }
    case 19:
    case 20:
    case 21:
        free_owned(d);
        return;
    default: {
        /* getters: on a live handle they work and say what the handle is */
        api = "getters";
        const char *nm = virDomainGetName(p);
        if (!nm)
            violation(K_HANDLE, "virDomainGetName of live handle %p ('%s') failed: %s", (void *)p, d->name, errmsg());
        else if (d->lent)
            ; /* a callback's dom kept with virDomainRef: the contract does not fix its name */
        else if (strcmp(nm, d->name) != 0)
            violation(K_HANDLE, "virDomainGetName of live handle %p changed from '%s' to '%s'", (void *)p, d->name, nm);
        char us[VIR_UUID_STRING_BUFLEN], mine[VIR_UUID_STRING_BUFLEN];
        fmt_uuid(d->uuid, mine);
        if (virDomainGetUUIDString(p, us) < 0)
            violation(K_HANDLE, "virDomainGetUUIDString of live handle %p failed: %s", (void *)p, errmsg());
        else if (!d->lent && strcasecmp(us, mine) != 0)
            violation(K_HANDLE, "virDomainGetUUIDString of live handle %p changed from %s to %s", (void *)p, mine, us);
        if (!c->closed) {
            virConnectPtr cc = virDomainGetConnect(p);
            if (cc != c->ptr)
                violation(K_HANDLE, "virDomainGetConnect of handle %p = %p, obtained through connection #%d (%p)",
                          (void *)p, (void *)cc, c->serial, (void *)c->ptr);
        }
        (void)virDomainGetID(p);
        int st, rs;
        if (virDomainGetState(p, &st, &rs, 0) < 0)
            check_err("virDomainGetState");
        virDomainInfo info;
        if (virDomainGetInfo(p, &info) < 0)
            check_err("virDomainGetInfo");
        if (virDomainIsActive(p) < 0)
            check_err("virDomainIsActive");
        if (virDomainIsPersistent(p) < 0)
            check_err("virDomainIsPersistent");
        unsigned long long v;
        if (virDomainGetResourceVersion(p, &v) < 0)
            check_err("virDomainGetResourceVersion");
        static const unsigned fl[] = {0, VIR_DOMAIN_XML_INACTIVE, VIR_DOMAIN_XML_RESOURCE_VERSION,
                                      VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_RESOURCE_VERSION};
        char *x = virDomainGetXMLDesc(p, fl[rn(4)]);
        if (!x)
            check_err("virDomainGetXMLDesc");
        free(x);
        vlog("getters(%p '%s')", (void *)p, d->name);
        return;
    }
    }
    vlog("%s(%p '%s' via conn #%d) = %d%s%s", api, (void *)p, d->name, c->serial, rc, rc < 0 ? ": " : "",
         rc < 0 ? errmsg() : "");
    if (rc < 0)
        check_err(api);
    else
        resync(b);
}

/* Calls on a freed or foreign domain handle must all fail with VIR_ERR_INVALID_DOMAIN. */
static void op_probe_stale_dom(void)
{
    stale_dom *s = pct(75) ? pick_stale() : NULL;
    virDomainPtr p = s ? (virDomainPtr)s->ptr : (virDomainPtr)foreign_ptr();
    const char *api = "";
    int ok = 0, destructive = 0;
    char got[MAXNAME] = "";
    switch (rn(12)) {
    case 0:
    case 1: {
        api = "virDomainGetName";
        const char *nm = virDomainGetName(p);
        ok = nm != NULL;
        if (nm)
            copy_name(got, nm);
        break;
    }
    case 2: {
        api = "virDomainGetUUIDString";
        char us[VIR_UUID_STRING_BUFLEN];
        ok = virDomainGetUUIDString(p, us) == 0;
        if (ok)
            copy_name(got, us);
        break;
    }
    case 3: {
        api = "virDomainGetState";
        int st, rs;
        ok = virDomainGetState(p, &st, &rs, 0) == 0;
        break;
    }
    case 4: {
        api = "virDomainGetXMLDesc";
        char *x = virDomainGetXMLDesc(p, 0);
        ok = x != NULL;
        if (x)
            xml_name(x, got);
        free(x);
        break;
    }
    case 5:
        api = "virDomainIsActive";
        ok = virDomainIsActive(p) >= 0;
        break;
    case 6:
        api = "virDomainUndefine";
        destructive = 1;
        ok = virDomainUndefine(p) == 0;
        break;
    case 7:
        api = "virDomainDestroy";
        destructive = 1;
        ok = virDomainDestroy(p) == 0;
        break;
    case 8:
        api = "virDomainSuspend";
        destructive = 1;
        ok = virDomainSuspend(p) == 0;
        break;
    case 9:
        api = "virDomainCreate";
        destructive = 1;
        ok = virDomainCreate(p) == 0;
        break;
    case 10: {
        api = "virDomainRef";
        ok = virDomainRef(p) == 0;
        if (ok)
            (void)virDomainFree(p); /* give back what it took */
        break;
    }
    default: {
        api = "virDomainGetID";
        unsigned id = virDomainGetID(p);
        ok = id != (unsigned)-1;
        if (!ok) {
            /* (unsigned)-1 is also "not running": an error must be set for an invalid handle */
            check_code(api, VIR_ERR_INVALID_DOMAIN);
            vlog("%s(%s %p) = -1", api, s ? "freed" : "foreign", (void *)p);
            return;
        }
        break;
    }
    }
    vlog("%s(%s %p%s%s) ok=%d%s%s", api, s ? "freed" : "foreign", (void *)p, s ? " of " : "", s ? s->name : "", ok,
         got[0] ? " -> " : "", got);
    if (!ok) {
        check_code(api, VIR_ERR_INVALID_DOMAIN);
        return;
    }
    if (s) {
        char us[VIR_UUID_STRING_BUFLEN];
        fmt_uuid(s->uuid, us);
        violation(K_STALE_ACCEPTED,
                  "%s accepted virDomainPtr %p, freed at op %llu (domain '%s' %s, backend %d)%s%s%s", api, (void *)p,
                  s->freed_op, s->name, us, s->backend, got[0] ? ": it answered '" : "", got, got[0] ? "'" : "");
    } else {
        violation(K_FOREIGN_ACCEPTED, "%s accepted foreign domain pointer %p", api, (void *)p);
    }
    if (destructive) {
        /* something changed somewhere: read every hypervisor again */
        for (int b = 0; b < nbackends; b++)
            resync(b);
    }
}

/* Compare-and-swap defines. */
static void op_cas(void)
{
    if (!nowned)
        return;
    virDomainPtr p = owned[rn((unsigned)nowned)].ptr;
    make_room(1); /* may free handles and move the others */
    dom_rec *d = find_owned(p);
    if (!d)
        return;
    conn_rec *c = d->conn;
    if (c->closed || c->readonly || c->tainted || is_broken(c->backend, d->uuid))
        return;
    char *x = virDomainGetXMLDesc(p, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_RESOURCE_VERSION);
    if (!x) {
        check_err("virDomainGetXMLDesc");
        return;
    }
    if (!strstr(x, "resourceVersion="))
        violation(K_CAS, "virDomainGetXMLDesc(VIR_DOMAIN_XML_RESOURCE_VERSION) of '%s' has no resourceVersion", d->name);
    int stale_mode = pct(40);
    if (stale_mode) {
        char text[64];
        snprintf(text, sizeof text, "cas%u", ++metadata_serial);
        if (virDomainSetMetadata(p, VIR_DOMAIN_METADATA_TITLE, text, NULL, NULL, 0) < 0) {
            check_err("virDomainSetMetadata");
            free(x);
            return;
        }
    }
    virDomainPtr r = virDomainDefineXML(c->ptr, x);
    vlog("compare-and-swap %s define of '%s' (%.200s) = %p%s%s", stale_mode ? "stale" : "fresh", d->name, x, (void *)r, r ? "" : ": ",
         r ? "" : errmsg());
    if (!r) {
        int code = check_err("virDomainDefineXML");
        if (!stale_mode && code == VIR_ERR_RESOURCE_VERSION_CONFLICT)
            violation(K_CAS, "a define of the XML just read (with its resourceVersion) from '%s' was refused as a conflict: %s",
                      d->name, errmsg());
        if (stale_mode && code >= 0 && code != VIR_ERR_RESOURCE_VERSION_CONFLICT)
            violation(K_CAS, "a stale compare-and-swap define of '%s' failed with code %d instead of a conflict: %s",
                      d->name, code, errmsg());
    } else {
        if (stale_mode)
            violation(K_CAS, "a define of '%s' with a stale resourceVersion (the domain changed since) succeeded", d->name);
        adopt(r, c, "virDomainDefineXML", 0);
    }
    free(x);
    resync(c->backend);
}

static void op_restore(void)
{
    conn_rec *c = pick_live();
    if (!c)
        return;
    const char *path = save_paths[rn(3)];
    int rc = virDomainRestore(c->ptr, path);
    vlog("virDomainRestore(conn #%d, %s) = %d%s%s", c->serial, path, rc, rc < 0 ? ": " : "", rc < 0 ? errmsg() : "");
    if (rc < 0)
        check_err("virDomainRestore");
    else
        resync(c->backend);
}

static void op_history(void)
{
    conn_rec *c = pick_live();
    if (!c)
        return;
    unsigned size = pct(65) ? 2 + rn(7) : pct(90) ? 16u << rn(8) : 0;
    int rc = virConnectSetEventHistorySize(c->ptr, size);
    vlog("virConnectSetEventHistorySize(conn #%d, %u) = %d", c->serial, size, rc);
    if (rc < 0)
        check_err("virConnectSetEventHistorySize");
    else if (size == 0)
        violation(K_HANDLE, "virConnectSetEventHistorySize(0) succeeded (documented to fail)");
    if (pct(30)) {
        unsigned ms = pct(90) ? 1 + rn(20) : 0;
        rc = virConnectSetEventBookmarkInterval(c->ptr, ms);
        vlog("virConnectSetEventBookmarkInterval(conn #%d, %u) = %d", c->serial, ms, rc);
        if (rc < 0)
            check_err("virConnectSetEventBookmarkInterval");
    }
}

static void op_dereg(void)
{
    int idx[32], n = 0;
    for (int t = 0; t < 64 && n < 32 && nregs; t++) {
        int j = (int)rn((unsigned)nregs);
        reg_rec *r = &regs[j];
        if (r->state == R_ACCEPTED && !r->on_closed && !r->conn->tainted && !r->conn->reused && !r->deregistered &&
            !r->freed && !r->expired)
            idx[n++] = j;
    }
    unsigned mode = rn(10);
    if (mode < 7) {
        if (n)
            deregister(&regs[idx[rn((unsigned)n)]], "");
        return;
    }
    if (mode == 7 && n) {
        /* the wrong style's call */
        reg_rec *r = &regs[idx[rn((unsigned)n)]];
        if (r->style == S_LEGACY || r->conn->closed)
            return;
        const char *api;
        int rc;
        if (r->style == S_ANY) {
            api = "virConnectEventUnregister";
            rc = virConnectEventUnregister(r->conn->ptr, r->id);
        } else {
            api = "virConnectDomainEventDeregisterAny";
            rc = virConnectDomainEventDeregisterAny(r->conn->ptr, r->id);
        }
        vlog("%s(conn #%d, id %d of a %s registration) = %d", api, r->conn->serial, r->id, style_name(r->style), rc);
        if (rc == 0) {
            violation(K_DEREG, "%s removed registration #%d, made with the %s style", api, r->serial, style_name(r->style));
            r->deregistered = 1;
            r->dereg_op = cur_op;
        } else {
            check_err(api);
        }
        return;
    }
    if (mode == 8) {
        /* again, after it is gone */
        for (int t = 0; t < 16 && nregs; t++) {
            reg_rec *r = &regs[rn((unsigned)nregs)];
            if (r->state != R_ACCEPTED || r->on_closed || r->conn->tainted || !(r->deregistered || r->freed))
                continue;
            if (r->conn == &foreign_conn || r->conn->reused)
                return;
            int rc;
            const char *api;
            if (r->style == S_LEGACY) {
                for (int i = 0; i < nregs; i++) {
                    reg_rec *o = &regs[i];
                    if (o->conn == r->conn && o->style == S_LEGACY && o->variant == r->variant && o->state == R_ACCEPTED &&
                        !o->freed)
                        return;
                }
                api = "virConnectDomainEventDeregister";
                rc = virConnectDomainEventDeregister(r->conn->ptr, legacy_fn(r->variant));
            } else {
                if (id_in_use(r->id))
                    return;
                api = r->style == S_ANY ? "virConnectDomainEventDeregisterAny" : "virConnectEventUnregister";
                rc = r->style == S_ANY ? virConnectDomainEventDeregisterAny(r->conn->ptr, r->id)
                                       : virConnectEventUnregister(r->conn->ptr, r->id);
            }
            vlog("%s(conn #%d, registration #%d again) = %d", api, r->conn->serial, r->serial, rc);
            if (rc == 0)
                violation(K_DEREG, "%s of registration #%d succeeded again (already %s)", api, r->serial,
                          r->freed ? "freed" : "deregistered");
            else
                check_err(api);
            return;
        }
        return;
    }
    /* an ID nobody was given */
    conn_rec *c = pick_live();
    if (!c)
        return;
    int id = (int)(0x20000000u + rn(1000));
    if (id_in_use(id))
        return;
    int rc = pct(50) ? virConnectDomainEventDeregisterAny(c->ptr, id) : virConnectEventUnregister(c->ptr, id);
    vlog("deregister unknown id %d on conn #%d = %d", id, c->serial, rc);
    if (rc == 0)
        violation(K_DEREG, "deregistering callback ID %d, never handed out, succeeded", id);
    else
        check_err("virConnectDomainEventDeregisterAny/virConnectEventUnregister");
}

/* ---- the application's own handles and timeouts in the default loop ----------------------------- */

static loop_rec *new_loop_rec(int is_handle)
{
    if (nloops >= MAXLOOP)
        return NULL;
    loop_rec *l = &loops[nloops++];
    memset(l, 0, sizeof *l);
    l->magic = LOOP_MAGIC;
    l->is_handle = is_handle;
    l->id = -1;
    return l;
}

static void loop_ff(void *opaque)
{
    loop_rec *l = opaque;
    if (!l || l->magic != LOOP_MAGIC) {
        violation(K_LOOP, "an event loop ff got opaque %p, none of ours", opaque);
        return;
    }
    l->ff++;
    if (l->refused) {
        note(N_FF_ON_REFUSED_ADD);
        return;
    }
    if (!l->removed)
        violation(K_LOOP, "ff of %s %d ran although it was never removed", l->is_handle ? "handle" : "timeout", l->id);
    if (l->ff > 1)
        violation(K_LOOP, "ff of %s %d ran %d times", l->is_handle ? "handle" : "timeout", l->id, l->ff);
}

static void loop_handle_cb(int watch, int fd, int events, void *opaque)
{
    (void)fd;
    (void)events;
    loop_rec *l = opaque;
    if (!l || l->magic != LOOP_MAGIC || l->removed || l->ff)
        violation(K_LOOP, "handle callback %d fired for a removed or unknown handle", watch);
    else
        l->fired++;
}

static void loop_timeout_cb(int timer, void *opaque)
{
    loop_rec *l = opaque;
    if (!l || l->magic != LOOP_MAGIC || l->removed || l->ff)
        violation(K_LOOP, "timeout callback %d fired for a removed or unknown timeout", timer);
    else
        l->fired++;
}

static void close_cb(virConnectPtr conn, int reason, void *opaque)
{
    loop_rec *l = opaque;
    violation(K_LOOP, "close callback (%p) called for connection %p, reason %d: an in-process connection never closes "
                      "by itself",
              opaque, (void *)conn, reason);
    if (l && l->magic == LOOP_MAGIC)
        l->fired++;
}

static void close_cb_free(void *opaque)
{
    loop_rec *l = opaque;
    if (!l || l->magic != LOOP_MAGIC) {
        violation(K_FREECB_TWICE, "close callback freecb got opaque %p, none of ours", opaque);
        return;
    }
    if (l->ff++)
        violation(K_FREECB_TWICE, "close callback freecb ran %d times", l->ff);
    if (l->refused)
        violation(K_FREECB_REFUSED, "close callback freecb ran although virConnectRegisterCloseCallback refused it");
}

static void op_close_callback(void)
{
    conn_rec *c = pick_live();
    if (!c)
        return;
    if (c->closecb && pct(60)) {
        loop_rec *l = c->closecb;
        int rc = virConnectUnregisterCloseCallback(c->ptr, close_cb);
        vlog("virConnectUnregisterCloseCallback(conn #%d) = %d", c->serial, rc);
        if (rc < 0) {
            check_err("virConnectUnregisterCloseCallback");
            violation(K_LOOP, "virConnectUnregisterCloseCallback of connection #%d's close callback failed: %s", c->serial,
                      errmsg());
        } else {
            l->removed = 1;
            c->closecb = NULL;
        }
        return;
    }
    loop_rec *l = new_loop_rec(2);
    if (!l)
        return;
    l->refused = 1; /* until accepted */
    int rc = virConnectRegisterCloseCallback(c->ptr, close_cb, l, close_cb_free);
    vlog("virConnectRegisterCloseCallback(conn #%d) = %d", c->serial, rc);
    if (rc < 0) {
        check_err("virConnectRegisterCloseCallback");
        if (!c->closecb)
            violation(K_LOOP, "virConnectRegisterCloseCallback on connection #%d, which has none, failed: %s", c->serial,
                      errmsg());
        return;
    }
    if (c->closecb)
        violation(K_LOOP, "a second close callback on connection #%d was accepted (one per connection)", c->serial);
    l->refused = 0;
    c->closecb = l;
}

static loop_rec *pick_loop(int is_handle, int live)
{
    int idx[MAXLOOP], n = 0;
    for (int i = 0; i < nloops; i++)
        if (loops[i].is_handle == is_handle && !loops[i].refused && (live ? !loops[i].removed : loops[i].removed))
            idx[n++] = i;
    return n ? &loops[idx[rn((unsigned)n)]] : NULL;
}

static int count_loops(int is_handle)
{
    int n = 0;
    for (int i = 0; i < nloops; i++)
        n += loops[i].is_handle == is_handle && !loops[i].refused && !loops[i].removed;
    return n;
}

static void op_loop(void)
{
    switch (rn(9)) {
    case 0: {
        if (avoid & (1u << 8))
            return;
        loop_rec *l = new_loop_rec(1);
        if (!l)
            return;
        l->refused = 1;
        int rc = virEventAddHandle(-1, VIR_EVENT_HANDLE_READABLE, loop_handle_cb, l, loop_ff);
        vlog("virEventAddHandle(-1) = %d", rc);
        if (rc < 0)
            check_err("virEventAddHandle(fd -1)");
        else {
            l->refused = 0;
            l->id = rc;
        }
        return;
    }
    case 1: {
        if (count_loops(1) >= 3)
            return;
        loop_rec *l = new_loop_rec(1);
        if (!l)
            return;
        int rc = virEventAddHandle(pipefd[0], VIR_EVENT_HANDLE_READABLE, loop_handle_cb, l, loop_ff);
        vlog("virEventAddHandle(pipe) = %d", rc);
        if (rc < 0) {
            l->refused = 1;
            check_err("virEventAddHandle");
        } else {
            l->id = rc;
        }
        return;
    }
    case 2:
    case 3: {
        int is_handle = (int)rn(2);
        loop_rec *l = pick_loop(is_handle, 1);
        if (!l)
            return;
        l->removed = 1;
        int rc = is_handle ? virEventRemoveHandle(l->id) : virEventRemoveTimeout(l->id);
        vlog("virEventRemove%s(%d) = %d", is_handle ? "Handle" : "Timeout", l->id, rc);
        if (rc < 0) {
            check_err(is_handle ? "virEventRemoveHandle" : "virEventRemoveTimeout");
            violation(K_LOOP, "removing our live %s %d failed: %s", is_handle ? "handle" : "timeout", l->id, errmsg());
            l->refused = 1;
        }
        return;
    }
    case 4: {
        /* removing what is not there (again, or never added) */
        if (avoid & (1u << 8))
            return;
        int is_handle = (int)rn(2);
        loop_rec *l = pct(50) ? pick_loop(is_handle, 0) : NULL;
        int id = l ? l->id : (int)(0x30000000u + rn(1000));
        int rc = is_handle ? virEventRemoveHandle(id) : virEventRemoveTimeout(id);
        vlog("virEventRemove%s(unknown %d) = %d", is_handle ? "Handle" : "Timeout", id, rc);
        if (rc == 0)
            violation(K_LOOP, "removing unknown %s %d succeeded", is_handle ? "handle" : "timeout", id);
        else
            check_err(is_handle ? "virEventRemoveHandle(unknown)" : "virEventRemoveTimeout(unknown)");
        return;
    }
    case 5:
    case 6: {
        if (count_loops(0) >= 3)
            return;
        loop_rec *l = new_loop_rec(0);
        if (!l)
            return;
        static const int freq[] = {-1, 0, 1, 20};
        int rc = virEventAddTimeout(freq[rn(4)], loop_timeout_cb, l, loop_ff);
        vlog("virEventAddTimeout = %d", rc);
        if (rc < 0) {
            l->refused = 1;
            check_err("virEventAddTimeout");
        } else {
            l->id = rc;
        }
        return;
    }
    case 7: {
        loop_rec *l = pick_loop(0, 1);
        if (l)
            virEventUpdateTimeout(l->id, pct(50) ? -1 : (int)rn(5));
        l = pick_loop(1, 1);
        if (l)
            virEventUpdateHandle(l->id, pct(50) ? 0 : VIR_EVENT_HANDLE_READABLE);
        return;
    }
    default: {
        /* the error API itself */
        virError copy;
        memset(&copy, 0, sizeof copy);
        (void)virDomainLookupByName(anchor->ptr, "no-such-domain-at-all");
        int code = virCopyLastError(&copy);
        if (code != VIR_ERR_NO_DOMAIN)
            violation(K_ERROR_API, "virCopyLastError after a failed lookup returned %d, wanted %d", code, VIR_ERR_NO_DOMAIN);
        virResetError(&copy);
        virErrorPtr saved = virSaveLastError();
        if (!saved || saved->code != VIR_ERR_NO_DOMAIN)
            violation(K_ERROR_API, "virSaveLastError after a failed lookup gave code %d", saved ? saved->code : -1);
        virFreeError(saved);
        virResetLastError();
        if (virGetLastError() != NULL)
            violation(K_ERROR_API, "virGetLastError is not NULL after virResetLastError");
        return;
    }
    }
}

/* ================================================================================================ */
/* one seed                                                                                         */

enum {
    OP_OPEN,
    OP_CLOSE,
    OP_CONN_REF,
    OP_PROBE_CLOSED,
    OP_PROBE_FOREIGN_CONN,
    OP_DEFINE,
    OP_CREATEXML,
    OP_DOMOP,
    OP_PROBE_STALE_DOM,
    OP_LOOKUP,
    OP_LIST,
    OP_REGISTER,
    OP_DEREGISTER,
    OP_HISTORY,
    OP_PUMP,
    OP_CAS,
    OP_RESTORE,
    OP_LOOP,
    OP_CLOSE_CALLBACK,
    NOPS
};
static const unsigned WEIGHT[NOPS] = {
    [OP_OPEN] = 4,     [OP_CLOSE] = 3,   [OP_CONN_REF] = 2,  [OP_PROBE_CLOSED] = 4,      [OP_PROBE_FOREIGN_CONN] = 1,
    [OP_DEFINE] = 8,   [OP_CREATEXML] = 4, [OP_DOMOP] = 24,  [OP_PROBE_STALE_DOM] = 4,   [OP_LOOKUP] = 8,
    [OP_LIST] = 3,     [OP_REGISTER] = 9, [OP_DEREGISTER] = 4, [OP_HISTORY] = 2,         [OP_PUMP] = 15,
    [OP_CAS] = 3,      [OP_RESTORE] = 2, [OP_LOOP] = 3,      [OP_CLOSE_CALLBACK] = 1,
};

static void do_op(void)
{
    unsigned total = 0;
    for (int i = 0; i < NOPS; i++)
        total += WEIGHT[i];
    unsigned r = rn(total);
    int op = 0;
    while (r >= WEIGHT[op])
        r -= WEIGHT[op++];
    switch (op) {
    case OP_OPEN:
        op_open();
        break;
    case OP_CLOSE:
        op_close();
        break;
    case OP_CONN_REF:
        op_conn_ref();
        break;
    case OP_PROBE_CLOSED:
        op_probe_closed();
        break;
    case OP_PROBE_FOREIGN_CONN:
        op_probe_foreign_conn();
        break;
    case OP_DEFINE:
        op_define(0);
        break;
    case OP_CREATEXML:
        op_define(1);
        break;
    case OP_DOMOP:
        op_domop();
        break;
    case OP_PROBE_STALE_DOM:
        op_probe_stale_dom();
        break;
    case OP_LOOKUP:
        op_lookup();
        break;
    case OP_LIST:
        op_list();
        break;
    case OP_REGISTER:
        random_register(NULL, 0);
        break;
    case OP_DEREGISTER:
        op_dereg();
        break;
    case OP_HISTORY:
        op_history();
        break;
    case OP_PUMP: {
        int wait = pct(8) ? 1 + (int)rn(3) : 0;
        vlog("pump (wait %d ms)", wait);
        cb_changes = 0;
        pump(wait);
        if (cb_changes)
            for (int b = 0; b < nbackends; b++)
                resync(b);
        post_pump();
        break;
    }
    case OP_CAS:
        op_cas();
        break;
    case OP_RESTORE:
        op_restore();
        break;
    case OP_LOOP:
        op_loop();
        break;
    case OP_CLOSE_CALLBACK:
        op_close_callback();
        break;
    }
}

static void quiet_errors(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static void reset_state(void)
{
    for (int i = 0; i < nconns; i++)
        free(conns[i]);
    nconns = 0;
    anchor = NULL;
    nowned = 0;
    memset(stale, 0, sizeof stale);
    stale_next = 0;
    free(obs);
    obs = NULL;
    obs_cap = obs_len = 0;
    nbackends = 1;
    memset(bm, 0, sizeof(bmodel) * MAXBACKENDS);
    nregs = 0;
    nloops = 0;
    memset(seed_kind, 0, sizeof seed_kind);
    stop_seed = 0;
    nbroken = 0;
    tearing_down = 0;
    cb_depth = 0;
    metadata_serial = 0;
}

/* Runs one seed in this process; returns its number of violations. */
static unsigned long long run_seed(unsigned long long s, long nops, const char *dir)
{
    static int initialized;
    if (!initialized) {
        bm = calloc(MAXBACKENDS, sizeof(bmodel));
        regs = calloc(MAXREGS, sizeof(reg_rec));
        loops = calloc(MAXLOOP, sizeof(loop_rec));
        heap_blob = malloc(256);
        if (!bm || !regs || !loops || !heap_blob)
            abort();
        virSetErrorFunc(NULL, quiet_errors);
        if (virEventRegisterDefaultImpl() < 0) {
            printf("FAIL api_fuzz: virEventRegisterDefaultImpl failed: %s\n", errmsg());
            exit(2);
        }
        initialized = 1;
    }
    reset_state();
    seed = s;
    op_state = s;
    cb_state = s ^ 0xc2b2ae3d27d4eb4fULL;
    unsigned long long v0 = sh->violations;
    for (int i = 0; i < 3; i++)
        snprintf(save_paths[i], sizeof save_paths[i], "%s/save%d.img", dir, i);
    if (pipe(pipefd) < 0) {
        perror("pipe");
        exit(2);
    }

    cur_op = 0;
    virConnectPtr a = virConnectOpen("test:///default");
    if (!a) {
        printf("FAIL api_fuzz seed=%llu: cannot open test:///default: %s\n", s, errmsg());
        return 1;
    }
    anchor = new_conn(a, 0, 0);
    anchor->anchor = 1;
    resync(0);
    model_settle();

    long done = 0;
    for (cur_op = 0; (long)cur_op < nops && !stop_seed; cur_op++) {
        sh->cur_op = cur_op;
        do_op();
        done++;
        sh->ops = (unsigned long long)done;
    }
    if (stop_seed)
        printf("NOTE api_fuzz seed=%llu: stopped after op %llu (the library acted on an object we cannot identify)\n", s,
               cur_op - 1);

    /* teardown: every handle back, every connection closed, then every accepted registration
     * must have had its freecb exactly once */
    cur_op = (unsigned long long)done;
    tearing_down = 1;
    while (nowned)
        free_owned(&owned[0]);
    for (int i = 0; i < nconns; i++) {
        conn_rec *c = conns[i];
        while (c->app_refs > 0 && !c->tainted)
            close_conn(c);
    }
    for (int i = 0; i < nloops; i++) {
        loop_rec *l = &loops[i];
        if (!l->refused && !l->removed && l->is_handle != 2) {
            l->removed = 1;
            int rc = l->is_handle ? virEventRemoveHandle(l->id) : virEventRemoveTimeout(l->id);
            if (rc < 0)
                violation(K_LOOP, "removing our %s %d at the end failed: %s", l->is_handle ? "handle" : "timeout", l->id,
                          errmsg());
        }
    }
    pump(0);
    pump(0);
    post_pump();
    for (int i = 0; i < nregs; i++) {
        reg_rec *r = &regs[i];
        if (r->state == R_ACCEPTED && !r->on_closed && !r->conn->tainted && !r->freed && report_once(r, K_FREECB_MISSING))
            violation(K_FREECB_MISSING,
                      "at the end (every connection closed), registration #%d (%s%s%s, registered at op %llu%s) never had "
                      "its freecb",
                      r->serial, style_name(r->style), r->since ? " watch" : "", r->bookmarks ? "+bookmarks" : "", r->reg_op,
                      r->expired ? ", expired" : "");
    }
    close(pipefd[0]);
    close(pipefd[1]);

    if (stderr_path[0]) {
        fflush(stderr);
        FILE *f = fopen(stderr_path, "r");
        char line[300] = "";
        int found = 0;
        while (f && !found && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            found = line[0] != 0;
        }
        if (found) {
            violation(K_STDERR, "the library wrote to the application's stderr (the error handler is silenced): \"%s\"",
                      line);
        }
        if (f)
            fclose(f);
    }

    unsigned long long v = sh->violations - v0;
    if (v == 0) {
        printf("PASS api_fuzz seed=%llu ops=%ld violations=0\n", s, done);
    } else {
        printf("FAIL api_fuzz seed=%llu ops=%ld violations=%llu:", s, done, v);
        for (int k = 0; k < NK; k++)
            if (seed_kind[k])
                printf(" %s=%llu", KNAME[k], seed_kind[k]);
        printf("\n");
    }
    fflush(stdout);
    return v;
}

/* ================================================================================================ */
/* driver: seeds in forked children                                                                 */

static void on_alarm(int sig)
{
    (void)sig;
    _exit(3);
}

struct totals {
    unsigned long long seeds, ops, violations, crashes;
    unsigned long long by_kind[NK];
    unsigned long long notes[NN];
};

static void cleanup_dir(const char *dir)
{
    char e[300];
    snprintf(e, sizeof e, "%s/stderr", dir);
    unlink(e);
    for (int i = 0; i < 3; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/save%d.img", dir, i);
        unlink(p);
    }
    rmdir(dir);
}

static void run_one(unsigned long long s, long nops, int timeout, int fork_it, struct totals *t)
{
    char dir[] = "/tmp/api_fuzz.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    if (!fork_it) {
        alarm((unsigned)timeout);
        signal(SIGALRM, on_alarm);
        run_seed(s, nops, dir);
        alarm(0);
    } else {
        memset(sh, 0, sizeof *sh);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(2);
        }
        if (pid == 0) {
            snprintf(stderr_path, sizeof stderr_path, "%s/stderr", dir);
            int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0) {
                dup2(fd, 2);
                close(fd);
            } else {
                stderr_path[0] = 0;
            }
            signal(SIGALRM, on_alarm);
            alarm((unsigned)timeout);
            unsigned long long v = run_seed(s, nops, dir);
            fflush(stdout);
            _exit(v ? 1 : 0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) > 1)) {
            int hang = WIFEXITED(status) && WEXITSTATUS(status) == 3;
            t->crashes++;
            sh->violations++;
            sh->by_kind[hang ? K_HANG : K_CRASH]++;
            if (hang)
                printf("FAIL api_fuzz seed=%llu op=%llu kind=hang: the seed did not finish within %d s (reproduce: api_fuzz "
                       "--seed %llu --ops %llu -v)\n",
                       s, sh->cur_op, timeout, s, sh->cur_op + 1);
            else if (WIFSIGNALED(status))
                printf("FAIL api_fuzz seed=%llu op=%llu kind=crash: killed by signal %d (%s) (reproduce: api_fuzz --seed "
                       "%llu --ops %llu -v)\n",
                       s, sh->cur_op, WTERMSIG(status), strsignal(WTERMSIG(status)), s, sh->cur_op + 1);
            else
                printf("FAIL api_fuzz seed=%llu op=%llu kind=crash: exited with status %d\n", s, sh->cur_op,
                       WEXITSTATUS(status));
            fflush(stdout);
        }
    }
    cleanup_dir(dir);
    t->seeds++;
    t->ops += sh->ops;
    t->violations += sh->violations;
    for (int k = 0; k < NK; k++)
        t->by_kind[k] += sh->by_kind[k];
    for (int k = 0; k < NN; k++)
        t->notes[k] += sh->notes[k];
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr, "usage: api_fuzz                                  (fixed seeds, short run)\n"
                    "       api_fuzz --seconds N [--seed S] [--ops N]  (seeds S, S+1, ... for N seconds)\n"
                    "       api_fuzz --seed S --ops N [-v]             (one seed)\n"
                    "options: --timeout T (per-seed watchdog, s), --no-fork, --quiet-cap N (FAIL lines per kind),\n"
                    "         --avoid 3,4,5,6,8 (leave out what provokes those defects of issue 13)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    double seconds = -1;
    long nops = -1;
    int have_seed = 0, fork_it = 1, timeout = 20;
    unsigned long long s0 = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            s0 = strtoull(argv[++i], NULL, 0);
            have_seed = 1;
        } else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
            nops = atol(argv[++i]);
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            timeout = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--quiet-cap") && i + 1 < argc)
            print_cap = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "--avoid") && i + 1 < argc) {
            for (char *p = argv[++i]; *p; p++)
                if (*p >= '0' && *p <= '9')
                    avoid |= 1u << (*p - '0');
        } else if (!strcmp(argv[i], "--no-fork"))
            fork_it = 0;
        else
            usage();
    }
    if (fork_it) {
        void *m = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            perror("mmap");
            return 2;
        }
        sh = m;
    }
    struct totals t;
    memset(&t, 0, sizeof t);

    if (seconds > 0) {
        if (!have_seed)
            s0 = ((unsigned long long)time(NULL) << 16) ^ (unsigned long long)getpid();
        if (nops <= 0)
            nops = 3000;
        printf("api_fuzz: running seeds from %llu for %.0f s, %ld operations each\n", s0, seconds, nops);
        fflush(stdout);
        double start = now_s();
        for (unsigned long long s = s0; now_s() - start < seconds; s++)
            run_one(s, nops, timeout, fork_it, &t);
        printf("api_fuzz: by kind:");
        int any = 0;
        for (int k = 0; k < NK; k++)
            if (t.by_kind[k]) {
                printf(" %s=%llu", KNAME[k], t.by_kind[k]);
                any = 1;
            }
        printf("%s\napi_fuzz: notes:", any ? "" : " none");
        for (int k = 0; k < NN; k++)
            printf(" %s=%llu", NNAME[k], t.notes[k]);
        printf("\napi_fuzz: seeds=%llu ops=%llu violations=%llu crashes=%llu\n", t.seeds, t.ops, t.violations, t.crashes);
        return t.violations || t.crashes ? 1 : 0;
    }
    if (have_seed) {
        run_one(s0, nops > 0 ? nops : 3000, timeout, fork_it, &t);
        if (verbose) {
            printf("api_fuzz: notes:");
            for (int k = 0; k < NN; k++)
                printf(" %s=%llu", NNAME[k], t.notes[k]);
            printf("\n");
        }
        return t.violations || t.crashes ? 1 : 0;
    }
    /* the short fixed-seed run */
    static const unsigned long long fixed[] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        run_one(fixed[i], nops > 0 ? nops : 4000, timeout, fork_it, &t);
    return t.violations || t.crashes ? 1 : 0;
}
