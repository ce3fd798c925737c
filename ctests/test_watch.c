/* Staying in sync without polling (seeds 002, 003): a versioned list, a watch from that
 * version, resource versions in the XML, compare-and-swap defines, expiry and bookmarks. */
#include "harness.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *xml_for(char *buf, size_t len, const char *name, int mem)
{
    snprintf(buf, len,
             "<domain type='test'><name>%s</name><memory>%d</memory><os><type>hvm</type></os></domain>", name,
             mem);
    return buf;
}

/* Replaces the text of <memory> in a domain XML (the XML keeps its resourceVersion). */
static char *with_memory(const char *xml, int mem)
{
    const char *start = strstr(xml, "<memory");
    const char *end = start ? strstr(start, "</memory>") : NULL;
    if (!start || !end)
        return NULL;
    size_t head = (size_t)(start - xml);
    size_t len = strlen(xml) + 64;
    char *out = malloc(len);
    snprintf(out, len, "%.*s<memory unit='KiB'>%d%s", (int)head, xml, mem, end);
    return out;
}

/* ---- the informer: a cache built from one list and then only events ----------------------- */

#define MAXCACHE 64
struct item {
    int used;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char name[32];
    int state;
    unsigned long long version;
    char *xml;
};

struct informer {
    virConnectPtr conn;
    struct item items[MAXCACHE];
    int id;                         /* the watch's callback ID, -1 if none */
    unsigned long long last_seen;   /* newest version the cache reflects */
    long events, expiries, out_of_order, relists;
};

static struct item *find_item(struct informer *inf, const unsigned char *uuid, int create)
{
    struct item *free_slot = NULL;
    for (int i = 0; i < MAXCACHE; i++) {
        if (inf->items[i].used && memcmp(inf->items[i].uuid, uuid, VIR_UUID_BUFLEN) == 0)
            return &inf->items[i];
        if (!inf->items[i].used && !free_slot)
            free_slot = &inf->items[i];
    }
    if (!create || !free_slot)
        return NULL;
    memset(free_slot, 0, sizeof *free_slot);
    free_slot->used = 1;
    memcpy(free_slot->uuid, uuid, VIR_UUID_BUFLEN);
    return free_slot;
}

static void clear_cache(struct informer *inf)
{
    for (int i = 0; i < MAXCACHE; i++) {
        free(inf->items[i].xml);
        memset(&inf->items[i], 0, sizeof inf->items[i]);
    }
}

static void informer_watch(struct informer *inf);

static void on_change(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    struct informer *inf = opaque;
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED) {
        inf->expiries++;
        inf->id = -1; /* the library ends the watch; the informer relists on its next turn */
        return;
    }
    if (ev->resourceVersion <= inf->last_seen)
        inf->out_of_order++; /* a duplicate, or older than what the cache holds */
    inf->last_seen = ev->resourceVersion;
    inf->events++;
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXISTENCE && ev->data.existence.type == VIR_DOMAIN_EVENT_EXISTENCE_REMOVED) {
        struct item *it = find_item(inf, ev->domainUUID, 0);
        if (it) {
            free(it->xml);
            memset(it, 0, sizeof *it);
        }
        return;
    }
    struct item *it = find_item(inf, ev->domainUUID, 1);
    if (!it)
        return;
    snprintf(it->name, sizeof it->name, "%s", ev->domainName);
    it->state = ev->state;
    it->version = ev->resourceVersion;
    free(it->xml);
    it->xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_EVENT_SNAPSHOT | VIR_DOMAIN_XML_RESOURCE_VERSION);
}

/* Fills the cache from a versioned list and watches from its version. */
static void informer_list_and_watch(struct informer *inf)
{
    virDomainPtr *doms = NULL;
    unsigned long long version = 0;
    clear_cache(inf);
    int n = virConnectListAllDomainsVersioned(inf->conn, &doms, &version, 0);
    CHECK(n >= 0);
    for (int k = 0; k < n; k++) {
        unsigned char uuid[VIR_UUID_BUFLEN];
        virDomainGetUUID(doms[k], uuid);
        struct item *it = find_item(inf, uuid, 1);
        /* the list is a snapshot at `version`; reading details afterwards may already see
         * newer changes, whose events then simply bring the same values again */
        if (it) {
            snprintf(it->name, sizeof it->name, "%s", virDomainGetName(doms[k]));
            virDomainGetState(doms[k], &it->state, NULL, 0);
            virDomainGetResourceVersion(doms[k], &it->version);
            it->xml = virDomainGetXMLDesc(doms[k], VIR_DOMAIN_XML_RESOURCE_VERSION);
        }
        virDomainFree(doms[k]);
    }
    free(doms);
    inf->relists++;
    inf->last_seen = version;
    informer_watch(inf);
}

static void informer_watch(struct informer *inf)
{
    inf->id = virConnectEventRegisterSince(inf->conn, NULL, NULL, inf->last_seen, on_change, inf, NULL);
    if (inf->id < 0 && virGetLastErrorCode() == VIR_ERR_RESOURCE_VERSION_EXPIRED) {
        informer_list_and_watch(inf); /* history too short: relist, as on a 410 Gone */
        return;
    }
    CHECK(inf->id >= 0);
}

/* Compares the cache with a fresh list: names, states, versions and XML. */
static int informer_matches(struct informer *inf)
{
    virDomainPtr *doms = NULL;
    unsigned long long version = 0;
    int n = virConnectListAllDomainsVersioned(inf->conn, &doms, &version, 0);
    int mismatches = 0, cached = 0;
    for (int i = 0; i < MAXCACHE; i++)
        cached += inf->items[i].used;
    if (cached != n) {
        fprintf(stderr, "%s:%d: cache holds %d domains, the list %d\n", __FILE__, __LINE__, cached, n);
        mismatches++;
    }
    for (int k = 0; k < n; k++) {
        unsigned char uuid[VIR_UUID_BUFLEN];
        int state = -1;
        unsigned long long rv = 0;
        virDomainGetUUID(doms[k], uuid);
        virDomainGetState(doms[k], &state, NULL, 0);
        virDomainGetResourceVersion(doms[k], &rv);
        char *xml = virDomainGetXMLDesc(doms[k], VIR_DOMAIN_XML_RESOURCE_VERSION);
        struct item *it = find_item(inf, uuid, 0);
        if (!it || strcmp(it->name, virDomainGetName(doms[k])) != 0 || it->state != state || it->version != rv ||
            !it->xml || !xml || strcmp(it->xml, xml) != 0) {
            fprintf(stderr, "%s:%d: %s differs: cache %s state %d version %llu, list state %d version %llu\n", __FILE__,
                    __LINE__, virDomainGetName(doms[k]), it ? "has it," : "lacks it", it ? it->state : -1,
                    it ? it->version : 0, state, rv);
            mismatches++;
        }
        free(xml);
        virDomainFree(doms[k]);
    }
    free(doms);
    CHECK(version >= inf->last_seen);
    return mismatches == 0;
}

/* ---- writers ---------------------------------------------------------------------------------- */

#define NWRITERS 4
#define NDOMS 20
static atomic_int stop_writers;
static atomic_long ops_done, cas_wins, cas_conflicts;

struct writer {
    int index;
    unsigned long long rng;
};

static unsigned rnd(struct writer *w, unsigned n)
{
    w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(w->rng >> 33) % n;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    virConnectPtr conn = virConnectOpen("test:///default");
    char name[32], xml[512];
    while (!atomic_load(&stop_writers)) {
        snprintf(name, sizeof name, "inf-%u", rnd(w, NDOMS));
        virDomainPtr d = virDomainLookupByName(conn, name);
        switch (rnd(w, 10)) {
        case 0:
            virDomainFree(virDomainDefineXML(conn, xml_for(xml, sizeof xml, name, 1024 * (1 + (int)rnd(w, 8)))));
            break;
        case 1:
            virDomainFree(virDomainCreateXML(conn, xml_for(xml, sizeof xml, name, 2048), 0));
            break;
        case 2:
            if (d)
                virDomainCreate(d);
            break;
        case 3:
            if (d)
                virDomainSuspend(d);
            break;
        case 4:
            if (d)
                virDomainResume(d);
            break;
        case 5:
            if (d)
                virDomainDestroy(d);
            break;
        case 6:
            if (d)
                virDomainUndefine(d);
            break;
        default: /* compare-and-swap redefine from what this writer read a moment ago */
            if (d) {
                char *read = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_RESOURCE_VERSION);
                if (read) {
                    char *changed = with_memory(read, 1024 * (1 + (int)rnd(w, 8)));
                    if (rnd(w, 2))
                        sched_yield();
                    virDomainPtr r = changed ? virDomainDefineXML(conn, changed) : NULL;
                    if (r) {
                        atomic_fetch_add(&cas_wins, 1);
                        virDomainFree(r);
                    } else if (virGetLastErrorCode() == VIR_ERR_RESOURCE_VERSION_CONFLICT) {
                        atomic_fetch_add(&cas_conflicts, 1);
                    }
                    free(changed);
                    free(read);
                }
            }
            break;
        }
        if (d)
            virDomainFree(d);
        atomic_fetch_add(&ops_done, 1);
        if (rnd(w, 64) == 0)
            usleep(50); /* let the reader's loop thread in on this 2-core machine */
    }
    virConnectClose(conn);
    return NULL;
}

static void tick(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

/* Runs the reader's loop for `ms`, relisting whenever its watch expired. */
static void informer_run(struct informer *inf, long long ms)
{
    long long until = now_ms() + ms;
    while (now_ms() < until) {
        virEventRunDefaultImpl();
        if (inf->id < 0)
            informer_list_and_watch(inf);
    }
}

static void cleanup_domains(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    char name[32];
    for (int i = 0; i < NDOMS; i++) {
        snprintf(name, sizeof name, "inf-%d", i);
        virDomainPtr d = virDomainLookupByName(conn, name);
        if (d) {
            virDomainDestroy(d);
            virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE);
            virDomainFree(d);
        }
    }
    virConnectClose(conn);
}

static void run_informer(int resume_midway, int relist_midway)
{
    unsigned long long seed = 4242 + (unsigned)resume_midway * 2 + (unsigned)relist_midway;
    printf("# informer seed %llu (resume midway %d, relist midway %d)\n", seed, resume_midway, relist_midway);
    static struct informer inf;
    memset(&inf, 0, sizeof inf);
    inf.conn = virConnectOpen("test:///default");
    CHECK(inf.conn != NULL);
    CHECK(virConnectSetEventHistorySize(inf.conn, 65536) == 0);
    int timer = virEventAddTimeout(10, tick, NULL, NULL);
    informer_list_and_watch(&inf);

    pthread_t th[NWRITERS];
    struct writer w[NWRITERS];
    atomic_store(&stop_writers, 0);
    atomic_store(&ops_done, 0);
    atomic_store(&cas_wins, 0);
    atomic_store(&cas_conflicts, 0);
    for (int i = 0; i < NWRITERS; i++) {
        w[i].index = i;
        w[i].rng = seed * 1000003ULL + (unsigned long long)i;
        pthread_create(&th[i], NULL, writer_main, &w[i]);
    }
    informer_run(&inf, 700);
    if (resume_midway || relist_midway) {
        /* the reader goes away for a while and comes back from where it was */
        if (inf.id >= 0)
            CHECK(virConnectEventUnregister(inf.conn, inf.id) == 0);
        inf.id = -1;
        usleep(100 * 1000);
        if (relist_midway)
            informer_list_and_watch(&inf);
        else
            informer_watch(&inf);
    }
    informer_run(&inf, 700);
    atomic_store(&stop_writers, 1);
    for (int i = 0; i < NWRITERS; i++)
        pthread_join(th[i], NULL);
    /* quiesce: everything committed is delivered by the next turns of the loop */
    pump();
    if (inf.id < 0)
        informer_list_and_watch(&inf);
    pump();
    printf("# %ld operations, %ld CAS wins, %ld CAS conflicts, %ld events applied, %ld relists, %ld expiries\n",
           atomic_load(&ops_done), atomic_load(&cas_wins), atomic_load(&cas_conflicts), inf.events, inf.relists,
           inf.expiries);
    /* The run is timed, so how much happens depends on the machine (valgrind makes it ten times
     * slower): these only check that the writers and the watch really ran. */
    CHECK(atomic_load(&ops_done) > 200);
    CHECK(atomic_load(&cas_wins) > 0);
    CHECK(inf.events > 200);
    CHECK(inf.out_of_order == 0);
    CHECK(informer_matches(&inf));

    if (inf.id >= 0)
        CHECK(virConnectEventUnregister(inf.conn, inf.id) == 0);
    clear_cache(&inf);
    virEventRemoveTimeout(timer);
    cleanup_domains();
    pump();
    CHECK(virConnectClose(inf.conn) == 0);
}

static void test_informer_under_concurrency(void)
{
    run_informer(0, 0);
}

static void test_informer_resumes_from_last_seen_version(void)
{
    run_informer(1, 0);
}

static void test_informer_relists_midway(void)
{
    run_informer(0, 1);
}

/* ---- expiry ----------------------------------------------------------------------------------- */

struct counter {
    int events, expired, frees;
    unsigned long long expired_version;
    int dom_was_null;
};

static void count_events(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    struct counter *k = opaque;
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED) {
        k->expired++;
        k->expired_version = ev->resourceVersion;
        k->dom_was_null = d == NULL;
    } else {
        k->events++;
    }
}

static void counter_free(void *opaque)
{
    ((struct counter *)opaque)->frees++;
}

static void churn(virDomainPtr d, int pairs)
{
    for (int i = 0; i < pairs; i++) {
        virDomainSuspend(d);
        virDomainResume(d);
    }
}

static void test_expired_history(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    CHECK(virConnectSetEventHistorySize(conn, 16) == 0);
    CHECK(virConnectSetEventHistorySize(conn, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virDomainPtr d = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "expiry", 1024), 0);
    CHECK(d != NULL);
    unsigned long long old = 0;
    CHECK(virConnectListAllDomainsVersioned(conn, NULL, &old, 0) == 1);
    churn(d, 20); /* 40 events through a history of 16 */

    struct counter k = {0};
    CHECK(virConnectEventRegisterSince(conn, NULL, NULL, old, count_events, &k, counter_free) == -1);
    EXPECT_ERROR(VIR_ERR_RESOURCE_VERSION_EXPIRED);
    CHECK(k.frees == 0);
    churn(d, 1);
    pump();
    CHECK(k.events == 0); /* nothing was registered */

    /* relist, then watch from the new version */
    unsigned long long fresh = 0;
    CHECK(virConnectListAllDomainsVersioned(conn, NULL, &fresh, 0) == 1);
    CHECK(fresh > old);
    int id = virConnectEventRegisterSince(conn, NULL, NULL, fresh, count_events, &k, counter_free);
    CHECK(id >= 0);
    churn(d, 2);
    pump();
    CHECK(k.events == 4 && k.expired == 0);

    /* a version from the future (another hypervisor instance) */
    CHECK(virConnectEventRegisterSince(conn, NULL, NULL, fresh + 1000000, count_events, &k, NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virErrorPtr err = virGetLastError();
    char want[32];
    snprintf(want, sizeof want, "%llu", fresh + 1000000);
    CHECK(err && strstr(err->message, want) != NULL);

    /* the watch stops being dispatched while thousands of changes happen */
    k.events = 0;
    churn(d, 1500);
    unsigned long long now = 0;
    CHECK(virConnectListAllDomainsVersioned(conn, NULL, &now, 0) == 1);
    pump();
    CHECK(k.expired == 1 && k.events == 0);
    CHECK(k.expired_version == now);
    CHECK(k.dom_was_null);
    CHECK(k.frees == 1);
    churn(d, 5);
    pump();
    CHECK(k.expired == 1 && k.events == 0 && k.frees == 1);
    CHECK(virConnectEventUnregister(conn, id) == -1); /* already gone */
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);

    virDomainDestroy(d);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- compare-and-swap ------------------------------------------------------------------------ */

static int updated_events;
static int count_updates(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)d;
    (void)opaque;
    updated_events += event == VIR_DOMAIN_EVENT_DEFINED && detail == VIR_DOMAIN_EVENT_DEFINED_UPDATED;
    return 0;
}

static void test_compare_and_swap(void)
{
    char xml[512];
    virConnectPtr a = virConnectOpen("test:///default");
    virConnectPtr b = virConnectOpen("test:///default");
    CHECK(a && b);
    virDomainPtr da = virDomainDefineXML(a, xml_for(xml, sizeof xml, "cas", 1024));
    CHECK(da != NULL);
    virDomainPtr db = virDomainLookupByName(b, "cas");
    CHECK(db != NULL);
    pump();
    int id = virConnectDomainEventRegisterAny(a, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, CB(count_updates), NULL, NULL);
    updated_events = 0;

    unsigned long long v = 0;
    CHECK(virDomainGetResourceVersion(da, &v) == 0 && v > 0);
    char *read_a = virDomainGetXMLDesc(da, VIR_DOMAIN_XML_RESOURCE_VERSION);
    char *read_b = virDomainGetXMLDesc(db, VIR_DOMAIN_XML_RESOURCE_VERSION);
    char want[48];
    snprintf(want, sizeof want, "resourceVersion='%llu'", v);
    CHECK(read_a && read_b && strstr(read_a, want) && strcmp(read_a, read_b) == 0);
    char *mine = with_memory(read_a, 2048), *theirs = with_memory(read_b, 8192);

    virDomainPtr won = virDomainDefineXML(a, mine);
    CHECK(won != NULL);
    CHECK(virDomainDefineXML(b, theirs) == NULL);
    EXPECT_ERROR(VIR_ERR_RESOURCE_VERSION_CONFLICT);
    virErrorPtr err = virGetLastError();
    snprintf(want, sizeof want, "%llu", v);
    CHECK(err && strstr(err->message, want) != NULL);

    char *now = virDomainGetXMLDesc(db, 0);
    CHECK(now && strstr(now, ">2048</memory>") != NULL);
    unsigned long long v2 = 0;
    CHECK(virDomainGetResourceVersion(db, &v2) == 0 && v2 > v);
    pump();
    CHECK(updated_events == 1);

    /* a runtime change is a change too: XML read before it no longer swaps */
    char *before_start = virDomainGetXMLDesc(da, VIR_DOMAIN_XML_RESOURCE_VERSION);
    CHECK(virDomainCreate(da) == 0);
    char *late = with_memory(before_start, 4096);
    CHECK(virDomainDefineXML(a, late) == NULL);
    EXPECT_ERROR(VIR_ERR_RESOURCE_VERSION_CONFLICT);
    /* and XML without a version redefines unconditionally, as in libvirt */
    virDomainPtr plain = virDomainDefineXML(b, xml_for(xml, sizeof xml, "cas", 512));
    CHECK(plain == NULL); /* a new UUID under the same name is refused, as in libvirt */
    char uuid[VIR_UUID_STRING_BUFLEN];
    virDomainGetUUIDString(da, uuid);
    snprintf(xml, sizeof xml,
             "<domain type='test'><name>cas</name><uuid>%s</uuid><memory>512</memory><os><type>hvm</type></os></domain>",
             uuid);
    plain = virDomainDefineXML(b, xml);
    CHECK(plain != NULL);
    pump();
    CHECK(updated_events == 2);

    free(read_a);
    free(read_b);
    free(mine);
    free(theirs);
    free(now);
    free(before_start);
    free(late);
    virDomainFree(won);
    virDomainFree(plain);
    CHECK(virConnectDomainEventDeregisterAny(a, id) == 0);
    virDomainDestroy(da);
    CHECK(virDomainUndefine(da) == 0);
    virDomainFree(da);
    virDomainFree(db);
    pump();
    CHECK(virConnectClose(a) == 0);
    CHECK(virConnectClose(b) == 0);
}

/* ---- bookmarks ---------------------------------------------------------------------------------- */

struct marks {
    int bookmarks, others;
    unsigned long long last;
    int dom_was_null;
};

static void on_mark(virConnectPtr c, virDomainPtr d, const virConnectEvent *ev, void *opaque)
{
    (void)c;
    struct marks *m = opaque;
    if (ev->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK) {
        m->bookmarks++;
        m->dom_was_null = d == NULL;
        CHECK(strcmp(ev->eventName, "bookmark") == 0);
    } else {
        fprintf(stderr, "unexpected event %d (%s) v%llu\n", ev->eventID, ev->eventName, ev->resourceVersion);
        m->others++;
    }
    m->last = ev->resourceVersion;
}

static void test_bookmarks(void)
{
    char xml[512];
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    CHECK(virConnectSetEventBookmarkInterval(conn, 20) == 0);
    virDomainPtr d = virDomainCreateXML(conn, xml_for(xml, sizeof xml, "marked", 1024), 0);
    unsigned long long v = 0;
    CHECK(virConnectListAllDomainsVersioned(conn, NULL, &v, 0) == 1);
    struct marks m = {0};
    /* a watch on another domain's events only: nothing reaches it but bookmarks */
    int id = virConnectEventRegisterFlags(conn, NULL, "reboot", v, on_mark, &m, NULL,
                                          VIR_CONNECT_EVENT_REGISTER_SINCE | VIR_CONNECT_EVENT_REGISTER_BOOKMARKS);
    CHECK(id >= 0);
    CHECK(virDomainSuspend(d) == 0); /* advances the version, but is not a reboot */
    unsigned long long v2 = 0;
    CHECK(virConnectListAllDomainsVersioned(conn, NULL, &v2, 0) == 1);
    long long until = now_ms() + 150;
    int timer = virEventAddTimeout(5, (virEventTimeoutCallback)(void (*)(void))tick, NULL, NULL);
    while (now_ms() < until)
        virEventRunDefaultImpl();
    virEventRemoveTimeout(timer);
    CHECK(m.bookmarks >= 2);
    CHECK(m.others == 0);
    CHECK(m.last == v2); /* the watcher's last-seen version advanced without any event for it */
    CHECK(m.dom_was_null);
    CHECK(virConnectEventRegisterFlags(conn, NULL, NULL, 0, on_mark, &m, NULL, 1u << 20) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventUnregister(conn, id) == 0);
    virDomainDestroy(d);
    virDomainFree(d);
    CHECK(virConnectClose(conn) == 0);
}

int main(void)
{
    harness_watchdog(90);
    harness_init();
    RUN(test_expired_history);
    RUN(test_compare_and_swap);
    RUN(test_bookmarks);
    RUN(test_informer_under_concurrency);
    RUN(test_informer_resumes_from_last_seen_version);
    RUN(test_informer_relists_midway);
    return harness_exit();
}
