/* Event streams (virConnectEventStream*): events read in batches, with no event loop at all —
 * this program never registers one — and a descriptor readable exactly while events are
 * pending. */
#include "harness.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static const char *xml_for(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "<domain type='test'><name>%s</name><memory>1024</memory><os><type>hvm</type></os></domain>",
             name);
    return buf;
}

/* A defined and started domain of `conn`. */
static virDomainPtr running(virConnectPtr conn, const char *name)
{
    char xml[256];
    virDomainPtr dom = virDomainDefineXML(conn, xml_for(xml, sizeof xml, name));
    CHECK(dom != NULL);
    CHECK(dom && virDomainCreate(dom) == 0);
    return dom;
}

static int readable(virConnectEventStreamPtr stream, int timeout_ms)
{
    struct pollfd pfd = {.fd = virConnectEventStreamFD(stream), .events = POLLIN};
    CHECK(pfd.fd >= 0);
    return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

static unsigned long long version_of(virConnectPtr conn)
{
    virDomainPtr *doms = NULL;
    unsigned long long version = 0;
    int n = virConnectListAllDomainsVersioned(conn, &doms, &version, 0);
    CHECK(n >= 0);
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return version;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void test_batches_and_descriptor_readiness(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virDomainPtr dom = running(conn, "batch");
    virConnectEventStreamPtr stream = virConnectEventStreamOpen(conn, NULL, NULL, 0, 0);
    CHECK(stream != NULL);
    const virConnectEvent *ev[8];
    CHECK(!readable(stream, 0));
    CHECK(virConnectEventStreamRead(stream, ev, 8, 0) == 0);

    for (int i = 0; i < 5; i++) {
        CHECK(virDomainSuspend(dom) == 0);
        CHECK(virDomainResume(dom) == 0);
    }
    CHECK(readable(stream, 0));
    CHECK(virConnectEventStreamRead(stream, ev, 4, 0) == 4);
    CHECK(readable(stream, 0)); /* six are still pending */
    CHECK(ev[0]->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    CHECK(strcmp(ev[0]->eventName, "lifecycle") == 0);
    CHECK(strcmp(ev[0]->domainName, "batch") == 0);
    CHECK(ev[0]->data.lifecycle.event == VIR_DOMAIN_EVENT_SUSPENDED);
    CHECK(ev[0]->state == VIR_DOMAIN_PAUSED);
    CHECK(ev[1]->data.lifecycle.event == VIR_DOMAIN_EVENT_RESUMED);
    CHECK(ev[1]->state == VIR_DOMAIN_RUNNING);
    unsigned char uuid[VIR_UUID_BUFLEN];
    virDomainGetUUID(dom, uuid);
    CHECK(memcmp(ev[3]->domainUUID, uuid, VIR_UUID_BUFLEN) == 0);
    for (int i = 1; i < 4; i++)
        CHECK(ev[i]->resourceVersion == ev[i - 1]->resourceVersion + 1);
    unsigned long long last = ev[3]->resourceVersion;

    CHECK(virConnectEventStreamRead(stream, ev, 8, 0) == 6);
    CHECK(ev[0]->resourceVersion == last + 1);
    CHECK(!readable(stream, 0)); /* emptied: no longer readable */
    unsigned long long dom_version = 0;
    virDomainGetResourceVersion(dom, &dom_version);
    CHECK(ev[5]->resourceVersion == dom_version);

    /* A blocked read returns with the event another thread causes; a timeout with nothing. */
    long long start = now_ms();
    CHECK(virConnectEventStreamRead(stream, ev, 8, 30) == 0);
    CHECK(now_ms() - start >= 29);
    CHECK(virConnectEventStreamClose(stream) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* The events a read hands out stay intact until the next read, whatever happens meanwhile. */
static void test_events_stay_valid_until_the_next_read(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virDomainPtr dom = running(conn, "kept");
    virConnectEventStreamPtr stream = virConnectEventStreamOpen(conn, NULL, NULL, 0, 0);
    const virConnectEvent *ev[4];
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virConnectEventStreamRead(stream, ev, 4, 0) == 1);
    /* The domain goes away entirely (its definition with it) while the event is held. */
    CHECK(virDomainDestroy(dom) == 0);
    CHECK(virDomainUndefine(dom) == 0);
    CHECK(strcmp(ev[0]->domainName, "kept") == 0);
    CHECK(ev[0]->data.lifecycle.event == VIR_DOMAIN_EVENT_SUSPENDED);
    CHECK(strcmp(ev[0]->eventName, "lifecycle") == 0);
    /* Then come stopped, undefined and removed, in that order. */
    int n = virConnectEventStreamRead(stream, ev, 4, 0);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(ev[0]->data.lifecycle.event == VIR_DOMAIN_EVENT_STOPPED);
        CHECK(ev[1]->data.lifecycle.event == VIR_DOMAIN_EVENT_UNDEFINED);
        CHECK(ev[2]->eventID == VIR_DOMAIN_EVENT_ID_EXISTENCE);
        CHECK(ev[2]->data.existence.type == VIR_DOMAIN_EVENT_EXISTENCE_REMOVED);
        CHECK(strcmp(ev[2]->domainName, "kept") == 0);
    }
    virConnectEventStreamClose(stream);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_since_version_replays_then_goes_live(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virDomainPtr dom = running(conn, "since");
    unsigned long long listed = version_of(conn);
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virDomainResume(dom) == 0);
    virConnectEventStreamPtr stream = virConnectEventStreamOpen(conn, NULL, NULL, listed, VIR_CONNECT_EVENT_REGISTER_SINCE);
    CHECK(stream != NULL);
    CHECK(readable(stream, 0)); /* the replay is pending at once */
    CHECK(virDomainSuspend(dom) == 0);
    const virConnectEvent *ev[8];
    int n = virConnectEventStreamRead(stream, ev, 8, 0);
    CHECK(n == 3);
    for (int i = 0; i < n; i++)
        CHECK(ev[i]->resourceVersion == listed + 1 + (unsigned long long)i);
    virConnectEventStreamClose(stream);

    /* From 0: the whole history, starting with the domain's existence. */
    stream = virConnectEventStreamOpen(conn, NULL, "existence", 0, VIR_CONNECT_EVENT_REGISTER_SINCE);
    CHECK(virConnectEventStreamRead(stream, ev, 8, 0) == 1);
    CHECK(ev[0]->data.existence.type == VIR_DOMAIN_EVENT_EXISTENCE_ADDED);
    virConnectEventStreamClose(stream);

    /* Without the flag the version is ignored: live events only. */
    stream = virConnectEventStreamOpen(conn, NULL, NULL, 1, 0);
    CHECK(virConnectEventStreamRead(stream, ev, 8, 0) == 0);
    virConnectEventStreamClose(stream);

    /* A version from the future, or one the history no longer reaches, is refused. */
    CHECK(virConnectEventStreamOpen(conn, NULL, NULL, version_of(conn) + 1, VIR_CONNECT_EVENT_REGISTER_SINCE) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectSetEventHistorySize(conn, 2) == 0);
    CHECK(virDomainResume(dom) == 0);
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virDomainResume(dom) == 0);
    CHECK(virConnectEventStreamOpen(conn, NULL, NULL, listed, VIR_CONNECT_EVENT_REGISTER_SINCE) == NULL);
    EXPECT_ERROR(VIR_ERR_RESOURCE_VERSION_EXPIRED);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_a_reader_behind_the_history_expires(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virDomainPtr dom = running(conn, "expiry");
    CHECK(virConnectSetEventHistorySize(conn, 8) == 0);
    virConnectEventStreamPtr stream = virConnectEventStreamOpen(conn, NULL, NULL, 0, 0);
    const virConnectEvent *ev[64];
    CHECK(virDomainSuspend(dom) == 0);
    CHECK(virConnectEventStreamRead(stream, ev, 64, 0) == 1);
    for (int i = 0; i < 10; i++) {
        CHECK(virDomainResume(dom) == 0);
        CHECK(virDomainSuspend(dom) == 0);
    }
    CHECK(readable(stream, 0));
    CHECK(virConnectEventStreamRead(stream, ev, 64, 0) == 1);
    CHECK(ev[0]->eventID == VIR_DOMAIN_EVENT_ID_EXPIRED);
    CHECK(strcmp(ev[0]->eventName, "expired") == 0);
    CHECK(strcmp(ev[0]->domainName, "") == 0);
    CHECK(ev[0]->resourceVersion == version_of(conn));
    /* Then nothing, at once and forever, and nothing pending. */
    CHECK(!readable(stream, 0));
    CHECK(virDomainResume(dom) == 0);
    long long start = now_ms();
    CHECK(virConnectEventStreamRead(stream, ev, 64, 1000) == 0);
    CHECK(now_ms() - start < 500);
    CHECK(!readable(stream, 0));
    CHECK(virConnectEventStreamClose(stream) == 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_a_stream_per_domain_and_per_event_name(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virDomainPtr a = running(conn, "a");
    virDomainPtr b = running(conn, "b");
    virConnectEventStreamPtr of_a = virConnectEventStreamOpen(conn, a, NULL, 0, 0);
    virConnectEventStreamPtr of_b = virConnectEventStreamOpen(conn, b, NULL, 0, 0);
    virConnectEventStreamPtr existence = virConnectEventStreamOpen(conn, NULL, "existence", 0, 0);
    virConnectEventStreamPtr lifecycle_of_b = virConnectEventStreamOpen(conn, b, "lifecycle", 0, 0);
    virConnectEventStreamPtr reboot = virConnectEventStreamOpen(conn, NULL, "reboot", 0, 0);
    CHECK(of_a && of_b && existence && lifecycle_of_b && reboot);

    CHECK(virDomainSuspend(a) == 0);
    CHECK(virDomainSuspend(b) == 0);
    CHECK(virDomainDestroy(b) == 0);
    CHECK(virDomainUndefine(b) == 0);

    const virConnectEvent *ev[16];
    CHECK(virConnectEventStreamRead(of_a, ev, 16, 0) == 1);
    CHECK(strcmp(ev[0]->domainName, "a") == 0);
    int n = virConnectEventStreamRead(of_b, ev, 16, 0);
    CHECK(n == 4); /* suspended, stopped, undefined, removed */
    for (int i = 0; i < n; i++)
        CHECK(strcmp(ev[i]->domainName, "b") == 0);
    CHECK(virConnectEventStreamRead(existence, ev, 16, 0) == 1);
    CHECK(ev[0]->eventID == VIR_DOMAIN_EVENT_ID_EXISTENCE && ev[0]->data.existence.type == VIR_DOMAIN_EVENT_EXISTENCE_REMOVED);
    n = virConnectEventStreamRead(lifecycle_of_b, ev, 16, 0);
    CHECK(n == 3);
    for (int i = 0; i < n; i++)
        CHECK(ev[i]->eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    CHECK(!readable(reboot, 0));
    CHECK(virDomainResume(a) == 0);
    CHECK(virDomainReboot(a, 0) == 0);
    CHECK(virConnectEventStreamRead(reboot, ev, 16, 0) == 1);
    CHECK(ev[0]->eventID == VIR_DOMAIN_EVENT_ID_REBOOT && strcmp(ev[0]->domainName, "a") == 0);

    virConnectEventStreamClose(of_a);
    virConnectEventStreamClose(of_b);
    virConnectEventStreamClose(existence);
    virConnectEventStreamClose(lifecycle_of_b);
    virConnectEventStreamClose(reboot);
    virDomainFree(a);
    virDomainFree(b);
    virConnectClose(conn);
}

struct blocked_read {
    virConnectEventStreamPtr stream;
    int result;
    int code;
};

static void *read_forever(void *arg)
{
    struct blocked_read *r = arg;
    const virConnectEvent *ev[4];
    r->result = virConnectEventStreamRead(r->stream, ev, 4, -1);
    r->code = virGetLastErrorCode();
    return NULL;
}

static void test_close_wakes_a_blocked_read_and_one_reader_at_a_time(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    struct blocked_read r = {.stream = virConnectEventStreamOpen(conn, NULL, NULL, 0, 0), .result = 99};
    pthread_t reader;
    pthread_create(&reader, NULL, read_forever, &r);
    /* While the other thread reads, a second reader is refused. */
    const virConnectEvent *ev[4];
    int refused = 0;
    for (int i = 0; i < 200 && !refused; i++) {
        if (virConnectEventStreamRead(r.stream, ev, 4, 0) < 0 && virGetLastErrorCode() == VIR_ERR_OPERATION_INVALID)
            refused = 1;
        else
            usleep(1000);
    }
    CHECK(refused);
    CHECK(virConnectEventStreamClose(r.stream) == 0);
    pthread_join(reader, NULL);
    CHECK(r.result == -1);
    CHECK(r.code == VIR_ERR_INVALID_STREAM);
    /* The handle is gone for good. */
    CHECK(virConnectEventStreamRead(r.stream, ev, 4, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    CHECK(virConnectEventStreamFD(r.stream) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    CHECK(virConnectEventStreamClose(r.stream) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    virConnectClose(conn);
}

static void test_closing_the_connection_ends_its_streams(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virDomainPtr dom = running(conn, "closing");
    struct blocked_read r = {.stream = virConnectEventStreamOpen(conn, NULL, "reboot", 0, 0), .result = 99};
    virConnectEventStreamPtr pending = virConnectEventStreamOpen(conn, NULL, NULL, 0, 0);
    CHECK(virDomainSuspend(dom) == 0);
    pthread_t reader;
    pthread_create(&reader, NULL, read_forever, &r);
    usleep(20000);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
    pthread_join(reader, NULL);
    CHECK(r.result == -1);
    CHECK(r.code == VIR_ERR_INVALID_CONN);
    /* Readable for good, so that a poller notices; reads fail, even with events unread. */
    CHECK(readable(pending, 0));
    const virConnectEvent *ev[4];
    CHECK(virConnectEventStreamRead(pending, ev, 4, -1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(readable(pending, 0));
    CHECK(virConnectEventStreamClose(pending) == 0);
    CHECK(virConnectEventStreamClose(r.stream) == 0);
    /* A closed connection opens no stream. */
    CHECK(virConnectEventStreamOpen(conn, NULL, NULL, 0, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
}

static void test_bookmarks_wake_the_descriptor(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virDomainPtr dom = running(conn, "bookmarks");
    CHECK(virConnectSetEventBookmarkInterval(conn, 40) == 0);
    virConnectEventStreamPtr stream = virConnectEventStreamOpen(conn, NULL, "lifecycle", 0, VIR_CONNECT_EVENT_REGISTER_BOOKMARKS);
    CHECK(stream != NULL);
    CHECK(!readable(stream, 0));
    CHECK(virDomainSuspend(dom) == 0);
    const virConnectEvent *ev[4];
    CHECK(virConnectEventStreamRead(stream, ev, 4, 0) == 1);
    CHECK(!readable(stream, 10));
    long long start = now_ms();
    CHECK(readable(stream, 2000)); /* the bookmark is due */
    CHECK(now_ms() - start >= 20);
    CHECK(virConnectEventStreamRead(stream, ev, 4, 0) == 1);
    CHECK(ev[0]->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK);
    CHECK(ev[0]->resourceVersion == version_of(conn));
    CHECK(!readable(stream, 0));
    /* A blocked read also returns the next one. */
    CHECK(virConnectEventStreamRead(stream, ev, 4, 2000) == 1);
    CHECK(ev[0]->eventID == VIR_DOMAIN_EVENT_ID_BOOKMARK);
    virConnectEventStreamClose(stream);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_bad_arguments(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    virConnectPtr other = virConnectOpen("test:///empty");
    virDomainPtr foreign = running(other, "elsewhere");
    const virConnectEvent *ev[4];
    CHECK(virConnectEventStreamOpen(NULL, NULL, NULL, 0, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_CONN);
    CHECK(virConnectEventStreamOpen(conn, NULL, NULL, 0, 1u << 2) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventStreamOpen(conn, NULL, "no-such-event", 0, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventStreamOpen(conn, NULL, "expired", 0, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventStreamOpen(conn, foreign, NULL, 0, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventStreamOpen(conn, (virDomainPtr)(void *)ev, NULL, 0, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_INVALID_DOMAIN);

    virConnectEventStreamPtr stream = virConnectEventStreamOpen(conn, NULL, NULL, 0, 0);
    CHECK(virConnectEventStreamRead(stream, NULL, 4, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventStreamRead(stream, ev, 0, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventStreamRead(stream, ev, 4, -2) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virConnectEventStreamRead(NULL, ev, 4, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    /* A connection or a domain is not a stream, nor is junk. */
    CHECK(virConnectEventStreamRead((virConnectEventStreamPtr)(void *)conn, ev, 4, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    CHECK(virConnectEventStreamClose((virConnectEventStreamPtr)(void *)foreign) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    CHECK(virConnectEventStreamFD((virConnectEventStreamPtr)(void *)ev) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    CHECK(virConnectEventStreamClose(stream) == 0);
    /* A new stream never gets a closed one's handle back. */
    virConnectEventStreamPtr again = virConnectEventStreamOpen(conn, NULL, NULL, 0, 0);
    CHECK(again != stream);
    CHECK(virConnectEventStreamRead(stream, ev, 4, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_STREAM);
    virConnectEventStreamClose(again);
    virDomainFree(foreign);
    virConnectClose(other);
    virConnectClose(conn);
}

/* ---- 4 streams read from 4 threads while 2 threads make changes ------------------------------ */

#define PAIRS 3000
#define BATCH 64

static virConnectPtr shared_conn;

struct consumer {
    virConnectEventStreamPtr stream;
    long expected;
    long received;
    long out_of_order;
    unsigned long long first, last;
    int contiguous; /* every revision from first to last, as when nothing else happens */
    int gaps;
};

static void *consume(void *arg)
{
    struct consumer *c = arg;
    const virConnectEvent *ev[BATCH];
    while (c->received < c->expected) {
        int n = virConnectEventStreamRead(c->stream, ev, BATCH, 5000);
        if (n <= 0)
            break; /* a lost event: the count below fails */
        for (int i = 0; i < n; i++) {
            unsigned long long v = ev[i]->resourceVersion;
            if (c->received == 0)
                c->first = v;
            else if (v <= c->last)
                c->out_of_order++; /* a duplicate or a reordering */
            else if (c->contiguous && v != c->last + 1)
                c->gaps++;
            c->last = v;
            c->received++;
        }
    }
    return NULL;
}

static void *churn(void *arg)
{
    virDomainPtr dom = arg;
    for (int i = 0; i < PAIRS; i++) {
        if (virDomainSuspend(dom) != 0 || virDomainResume(dom) != 0) {
            fprintf(stderr, "churn failed: %s\n", virGetLastErrorMessage());
            break;
        }
    }
    return NULL;
}

static void test_four_readers_two_writers_no_loss_no_reorder_no_duplicate(void)
{
    shared_conn = virConnectOpen("test:///empty");
    CHECK(virConnectSetEventHistorySize(shared_conn, 4 * PAIRS * 2) == 0);
    virDomainPtr a = running(shared_conn, "writer-a");
    virDomainPtr b = running(shared_conn, "writer-b");
    unsigned long long start = version_of(shared_conn);
    /* Three open now: every event, domain a's, lifecycle events. The fourth opens after one
     * more change, from the version before it, so it first replays that change. */
    struct consumer c[4] = {
        {.stream = virConnectEventStreamOpen(shared_conn, NULL, NULL, 0, 0), .expected = 4 * PAIRS + 2, .contiguous = 1},
        {.stream = virConnectEventStreamOpen(shared_conn, a, NULL, 0, 0), .expected = 2 * PAIRS},
        {.stream = virConnectEventStreamOpen(shared_conn, NULL, "lifecycle", 0, 0), .expected = 4 * PAIRS + 2, .contiguous = 1},
        {.stream = NULL, .expected = 4 * PAIRS + 2, .contiguous = 1},
    };
    CHECK(virDomainSuspend(b) == 0);
    CHECK(virDomainResume(b) == 0);
    c[3].stream = virConnectEventStreamOpen(shared_conn, NULL, NULL, start, VIR_CONNECT_EVENT_REGISTER_SINCE);
    for (int i = 0; i < 4; i++)
        CHECK(c[i].stream != NULL);

    pthread_t readers[4], writers[2];
    for (int i = 0; i < 4; i++)
        pthread_create(&readers[i], NULL, consume, &c[i]);
    pthread_create(&writers[0], NULL, churn, a);
    pthread_create(&writers[1], NULL, churn, b);
    for (int i = 0; i < 2; i++)
        pthread_join(writers[i], NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(readers[i], NULL);

    unsigned long long end = version_of(shared_conn);
    for (int i = 0; i < 4; i++) {
        if (c[i].received != c[i].expected || c[i].out_of_order || c[i].gaps)
            fprintf(stderr, "stream %d: %ld of %ld events, %ld out of order, %d gaps\n", i, c[i].received, c[i].expected,
                    c[i].out_of_order, c[i].gaps);
        CHECK(c[i].received == c[i].expected);
        CHECK(c[i].out_of_order == 0);
        CHECK(c[i].gaps == 0);
        CHECK(c[i].last == end || i == 1);
        /* Nothing more is pending. */
        CHECK(!readable(c[i].stream, 0));
        virConnectEventStreamClose(c[i].stream);
    }
    CHECK(c[3].first == start + 1);
    virDomainFree(a);
    virDomainFree(b);
    virConnectClose(shared_conn);
}

int main(void)
{
    harness_watchdog(60);
    /* Deliberately no virEventRegister*Impl: streams need no event loop. */
    virSetErrorFunc(NULL, harness_quiet);
    RUN(test_batches_and_descriptor_readiness);
    RUN(test_events_stay_valid_until_the_next_read);
    RUN(test_since_version_replays_then_goes_live);
    RUN(test_a_reader_behind_the_history_expires);
    RUN(test_a_stream_per_domain_and_per_event_name);
    RUN(test_close_wakes_a_blocked_read_and_one_reader_at_a_time);
    RUN(test_closing_the_connection_ends_its_streams);
    RUN(test_bookmarks_wake_the_descriptor);
    RUN(test_bad_arguments);
    RUN(test_four_readers_two_writers_no_loss_no_reorder_no_duplicate);
    return harness_exit();
}
