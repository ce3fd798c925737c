/* Untrusted domain XML: documents nested too deep, with too many attributes or too large are
 * refused quickly with VIR_ERR_XML_ERROR naming the limit (the process survives); metadata
 * keys, namespaces and elements are validated before anything changes, and text written into
 * the domain XML is escaped, so a domain's own XML always defines again. */
#include "harness.h"

#include <time.h>

#define HEAD "<domain type='test'><name>limits</name><memory>1024</memory><os><type>hvm</type></os>"
#define TAIL "</domain>"
#define GOOD_XML HEAD TAIL

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Long enough for linear work on a few MiB, far too short for quadratic work; valgrind (which
 * preloads its own libraries) slows everything down some fifty times. */
static double time_limit(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "vgpreload") ? 60.0 : 1.0;
}

/* HEAD <metadata> inner TAIL, with `inner` given as `repeat` copies of `open`, an optional
 * `middle`, then `repeat` copies of `close`. The caller frees the result. */
static char *domain_with_metadata(const char *open, const char *middle, const char *close, size_t repeat)
{
    size_t lo = strlen(open), lm = strlen(middle), lc = strlen(close);
    size_t len = strlen(HEAD) + strlen("<metadata>") + repeat * (lo + lc) + lm + strlen("</metadata>") + strlen(TAIL);
    char *xml = malloc(len + 1);
    if (!xml)
        abort();
    char *p = xml;
    p = stpcpy(p, HEAD "<metadata>");
    for (size_t i = 0; i < repeat; i++)
        p = stpcpy(p, open);
    p = stpcpy(p, middle);
    for (size_t i = 0; i < repeat; i++)
        p = stpcpy(p, close);
    stpcpy(p, "</metadata>" TAIL);
    return xml;
}

/* The last error's message contains `needle`. */
static int last_message_has(const char *needle)
{
    virErrorPtr err = virGetLastError();
    int found = err && err->message && strstr(err->message, needle);
    if (!found)
        fprintf(stderr, "last error %s does not mention '%s'\n", err && err->message ? err->message : "(none)", needle);
    return found;
}

/* The domain's XML defines again (keeping its name), and the domain starts and stops. */
static void check_usable(virConnectPtr conn, virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    CHECK(xml != NULL);
    if (xml) {
        virDomainPtr again = virDomainDefineXML(conn, xml);
        CHECK(again != NULL);
        if (!again)
            fprintf(stderr, "own XML no longer defines: %s\n%s\n", virGetLastErrorMessage(), xml);
        if (again) {
            CHECK(strcmp(virDomainGetName(again), virDomainGetName(dom)) == 0);
            virDomainFree(again);
        }
        free(xml);
    }
    CHECK(virDomainCreate(dom) == 0);
    CHECK(virDomainDestroy(dom) == 0);
}

/* ---- defect 2: attributes ------------------------------------------------------------------- */

static char *element_with_attributes(size_t n, int duplicate_first)
{
    char *attrs = malloc(n * 16 + 64);
    if (!attrs)
        abort();
    char *p = attrs;
    p += sprintf(p, "<x");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, " a%zu='%zu'", duplicate_first && i == n - 1 ? (size_t)0 : i, i);
    strcpy(p, "/>");
    char *xml = domain_with_metadata("", attrs, "", 0);
    free(attrs);
    return xml;
}

static void test_many_attributes(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);

    char *xml = element_with_attributes(100000, 0);
    double started = now_seconds();
    CHECK(virDomainDefineXML(conn, xml) == NULL);
    double took = now_seconds() - started;
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    CHECK(last_message_has("256 attributes"));
    if (took >= time_limit())
        fprintf(stderr, "refusing 100,000 attributes took %.2f s\n", took);
    CHECK(took < time_limit());
    CHECK(virDomainCreateXML(conn, xml, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    free(xml);

    /* A duplicate among many is found (and quickly). */
    xml = element_with_attributes(256, 1);
    CHECK(virDomainDefineXML(conn, xml) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_DETAIL);
    CHECK(last_message_has("twice"));
    free(xml);

    /* At the limit: accepted, and round-trips. */
    xml = element_with_attributes(256, 0);
    virDomainPtr dom = virDomainDefineXML(conn, xml);
    CHECK(dom != NULL);
    if (dom) {
        check_usable(conn, dom);
        CHECK(virDomainUndefine(dom) == 0);
        virDomainFree(dom);
    }
    free(xml);
    CHECK(virConnectClose(conn) == 0);
}

/* Duplicate disk targets are looked for with a set, not by comparing every pair. */
static void test_many_disks(void)
{
    size_t n = 49000;
    char *disks = malloc(n * 48 + 32);
    if (!disks)
        abort();
    char *p = stpcpy(disks, "</os><devices>");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "<disk><target dev='vd%zu'/></disk>", i);
    strcpy(p, "</devices>");
    const char *os_end = strstr(HEAD, "</os>");
    size_t head = (size_t)(os_end - HEAD);
    char *xml = malloc(strlen(HEAD) + strlen(disks) + strlen(TAIL) + 1);
    if (!xml)
        abort();
    sprintf(xml, "%.*s%s%s", (int)head, HEAD, disks, TAIL);

    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    double started = now_seconds();
    virDomainPtr dom = virDomainDefineXML(conn, xml);
    double took = now_seconds() - started;
    CHECK(dom != NULL);
    if (took >= time_limit())
        fprintf(stderr, "defining 49,000 disks took %.2f s\n", took);
    CHECK(took < time_limit());
    if (dom) {
        CHECK(virDomainUndefine(dom) == 0);
        virDomainFree(dom);
    }
    free(xml);
    free(disks);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- defect 3: metadata injection ----------------------------------------------------------- */

static void on_metadata_change(virConnectPtr c, virDomainPtr d, int type, const char *nsuri, void *opaque)
{
    (void)c;
    (void)d;
    (void)type;
    (void)nsuri;
    (*(int *)opaque)++;
}

static void test_metadata_key_injection(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainDefineXML(conn, GOOD_XML);
    CHECK(dom != NULL);
    if (!dom)
        return;
    int changes = 0;
    int id = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                              CB(on_metadata_change), &changes, NULL);
    CHECK(id >= 0);
    char *before = virDomainGetXMLDesc(dom, 0);

    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", "a>b", "http://u/", 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(last_message_has("a>b"));
    pump();
    CHECK(changes == 0);

    char *after = virDomainGetXMLDesc(dom, 0);
    CHECK(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);
    check_usable(conn, dom);

    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", "app", "http://u/", 0) == 0);
    pump();
    CHECK(changes == 1);
    CHECK(virConnectDomainEventDeregisterAny(conn, id) == 0);
    char *xml = virDomainGetXMLDesc(dom, 0);
    CHECK(xml && strstr(xml, "<app:x xmlns:app='http://u/'/>"));
    free(xml);
    check_usable(conn, dom);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

static void test_injection_attempts(void)
{
    static const char *bad_keys[] = {"a b", "a:b", "", "x'y", "x/>", "1x", "<k>"};
    static const char *bad_uris[] = {
        "http://u/\"x", "http://u/'/><evil/>", "http://u/ x", "", "not a uri", "http://u/\n", "http://u/%zz",
    };
    static const char *bad_elements[] = {
        "<x>", "<x/><y/>", "text", "<x>&undefined;</x>", "<x a='1' a='2'/>", "<a:b:c/>", "<x>\x01</x>",
        "<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>",
    };
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);
    virDomainPtr dom = virDomainDefineXML(conn, GOOD_XML);
    CHECK(dom != NULL);
    if (!dom)
        return;
    char *before = virDomainGetXMLDesc(dom, 0);

    for (size_t i = 0; i < sizeof bad_keys / sizeof *bad_keys; i++) {
        CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", bad_keys[i], "http://u/", 0) == -1);
        EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    }
    for (size_t i = 0; i < sizeof bad_uris / sizeof *bad_uris; i++) {
        CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", "app", bad_uris[i], 0) == -1);
        EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    }
    for (size_t i = 0; i < sizeof bad_elements / sizeof *bad_elements; i++) {
        CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, bad_elements[i], "app", "http://u/", 0) == -1);
        EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    }
    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "bell\x07", NULL, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, "\xef\xbf\xbf", NULL, NULL, 0) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    char *after = virDomainGetXMLDesc(dom, 0);
    CHECK(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);

    /* Markup in text and a quote in a (valid) namespace URI are escaped, not interpreted. */
    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "a<b>&c]]>'\"", NULL, NULL, 0) == 0);
    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, "</description><name>evil</name>", NULL, NULL, 0) == 0);
    CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "<x v='&lt;&amp;'>]]&gt;</x>", "app", "http://u/a'b&c", 0) == 0);
    char *xml = virDomainGetXMLDesc(dom, 0);
    CHECK(xml != NULL);
    if (xml) {
        CHECK(strstr(xml, "<title>a&lt;b&gt;&amp;c]]&gt;'\"</title>") != NULL);
        CHECK(strstr(xml, "<description>&lt;/description&gt;&lt;name&gt;evil&lt;/name&gt;</description>") != NULL);
        CHECK(strstr(xml, "<app:x xmlns:app='http://u/a&apos;b&amp;c' v='&lt;&amp;'>]]&gt;</app:x>") != NULL);
        virDomainPtr again = virDomainDefineXML(conn, xml);
        CHECK(again != NULL);
        if (again) {
            char *xml2 = virDomainGetXMLDesc(again, 0);
            CHECK(xml2 && strcmp(xml, xml2) == 0);
            free(xml2);
            virDomainFree(again);
        }
        free(xml);
    }
    CHECK(virDomainLookupByName(conn, "evil") == NULL);
    EXPECT_ERROR(VIR_ERR_NO_DOMAIN);
    check_usable(conn, dom);
    CHECK(virDomainUndefine(dom) == 0);
    virDomainFree(dom);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- size and names ------------------------------------------------------------------------- */

static void test_size_and_names(void)
{
    size_t big = 5u << 20;
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);

    char *filler = malloc(big + 1);
    if (!filler)
        abort();
    memset(filler, 'x', big);
    filler[big] = '\0';
    char *xml = domain_with_metadata("<x>", filler, "</x>", 1);
    CHECK(virDomainDefineXML(conn, xml) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    CHECK(last_message_has("4194304 bytes"));
    free(xml);

    virDomainPtr dom = virDomainDefineXML(conn, GOOD_XML);
    CHECK(dom != NULL);
    if (dom) {
        CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, filler, NULL, NULL, 0) == -1);
        EXPECT_ERROR(VIR_ERR_INVALID_ARG);
        check_usable(conn, dom);
        CHECK(virDomainUndefine(dom) == 0);
        virDomainFree(dom);
    }

    filler[2000] = '\0';
    char *name = malloc(2002 + 3);
    if (!name)
        abort();
    sprintf(name, "<%s/>", filler);
    xml = domain_with_metadata("", name, "", 0);
    CHECK(virDomainDefineXML(conn, xml) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    CHECK(last_message_has("1024 bytes"));
    free(xml);
    free(name);
    free(filler);
    CHECK(virConnectClose(conn) == 0);
}

/* ---- defect 1: depth (last: the unfixed library dies here) ---------------------------------- */

static void test_deep_nesting(void)
{
    virConnectPtr conn = virConnectOpen("test:///empty");
    CHECK(conn != NULL);

    /* 100,000 levels, closed and unclosed (the error path), by every call that takes XML. */
    char *deep = domain_with_metadata("<x>", "", "</x>", 100000);
    char *unclosed = domain_with_metadata("<x>", "", "", 100000);
    double started = now_seconds();
    CHECK(virDomainDefineXML(conn, deep) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    CHECK(last_message_has("256 levels"));
    CHECK(virDomainDefineXMLFlags(conn, unclosed, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    CHECK(virDomainCreateXML(conn, deep, 0) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    double took = now_seconds() - started;
    if (took >= time_limit())
        fprintf(stderr, "refusing 100,000 levels took %.2f s\n", took);
    CHECK(took < time_limit());
    free(deep);
    free(unclosed);

    virDomainPtr dom = virDomainDefineXML(conn, GOOD_XML);
    CHECK(dom != NULL);
    if (dom) {
        char *element = domain_with_metadata("<x>", "", "</x>", 100000);
        char *nested = strstr(element, "<x>");
        *strstr(nested, "</metadata>") = '\0';
        CHECK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, nested, "app", "http://u/", 0) == -1);
        EXPECT_ERROR(VIR_ERR_INVALID_ARG);
        free(element);
        CHECK(virDomainUndefine(dom) == 0);
        virDomainFree(dom);
    }

    /* <domain> and <metadata> are levels 1 and 2: 254 more reach the limit of 256. */
    char *at_limit = domain_with_metadata("<x>", "", "</x>", 254);
    char *over = domain_with_metadata("<x>", "", "</x>", 255);
    CHECK(virDomainDefineXML(conn, over) == NULL);
    EXPECT_ERROR(VIR_ERR_XML_ERROR);
    dom = virDomainDefineXML(conn, at_limit);
    CHECK(dom != NULL);
    if (dom) {
        check_usable(conn, dom);
        CHECK(virDomainUndefine(dom) == 0);
        virDomainFree(dom);
    }
    free(at_limit);
    free(over);

    char *ordinary = domain_with_metadata("<x>", "", "</x>", 200);
    dom = virDomainDefineXML(conn, ordinary);
    CHECK(dom != NULL);
    if (dom) {
        check_usable(conn, dom);
        CHECK(virDomainUndefine(dom) == 0);
        virDomainFree(dom);
    }
    free(ordinary);
    CHECK(virConnectClose(conn) == 0);
}

int main(void)
{
    harness_watchdog(100);
    harness_init();
    RUN(test_many_attributes);
    RUN(test_many_disks);
    RUN(test_metadata_key_injection);
    RUN(test_injection_attempts);
    RUN(test_size_and_names);
    RUN(test_deep_nesting);
    return harness_exit();
}
