/* xml_fuzz: mutates valid domain XML (truncation, duplicated and deleted slices, deep
 * nesting, many and huge attributes, entities, bad UTF-8, DOCTYPEs, CDATA, comments, processing
 * instructions, byte flips, odd namespaces) and feeds it to virDomainDefineXML(Flags),
 * virDomainCreateXML and virDomainSetMetadata on a test:///empty connection, checking:
 *
 *   - no crash and no hang (signal and alarm handlers report the document that did it);
 *   - a failure returns NULL/-1 and sets a last error with a non-empty message, never an
 *     internal error (a caught panic), and a refused virDomainSetMetadata changes nothing;
 *   - a success sets no error, and the domain's virDomainGetXMLDesc defines again with the same
 *     name and UUID and gives the same XML back (a fixed point);
 *   - no document takes seconds, and the resident set stays under a bound.
 *
 * Only the public libvirt headers are used. Every document is generated from (seed, index)
 * alone, so one can be reproduced with --seed S --doc K.
 *
 *   xml_fuzz                          fixed seed, a few seconds; PASS/FAIL summary line
 *   xml_fuzz --seconds N [--seed S]   N seconds from seed S (default: from time and pid)
 *   xml_fuzz --seed S --doc K         print document K of seed S and run it alone
 *   xml_fuzz [--docs N] [--max-rss-mib M]
 *
 * Exit status: 0 without violations, 1 with, 2 for bad arguments; a crash or hang prints a
 * FAIL line naming the document and dies of it. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SEED 0x5eedf00dULL
#define DEFAULT_DOCS 5000
#define DEFAULT_MAX_RSS_MIB 1024
#define HANG_SECONDS 30
/* The largest document takes about 0.1 s; one that takes this long is quadratic somewhere. */
#define SLOW_SECONDS 3.0
#define SECONDS_TEXT_(n) #n
#define SECONDS_TEXT(n) SECONDS_TEXT_(n)
#define MAX_REPORTED 50
#define BASE_NAME "xml-fuzz-base"
#define BASE_UUID "0f0f0f0f-1111-2222-3333-444444444444"

/* ---- random numbers: splitmix64, one stream per document ------------------------------------ */

typedef struct {
    uint64_t state;
} Rng;

static uint64_t rng_next(Rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t below(Rng *rng, size_t n)
{
    return n ? (size_t)(rng_next(rng) % n) : 0;
}

static int percent(Rng *rng, unsigned p)
{
    return below(rng, 100) < p;
}

#define PICK(rng, array) ((array)[below((rng), sizeof(array) / sizeof((array)[0]))])

/* Document `index` of run `seed` depends on nothing else. */
static Rng document_rng(uint64_t seed, uint64_t index)
{
    Rng rng = {seed ^ (index * 0xd1342543de82ef95ULL)};
    rng_next(&rng);
    return rng;
}

/* ---- a growable byte buffer, always NUL-terminated ------------------------------------------ */

typedef struct {
    char *p;
    size_t len, cap;
} Buf;

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        fprintf(stderr, "xml_fuzz: out of memory\n");
        exit(2);
    }
    b->p = p;
    b->cap = cap;
}

static void buf_insert(Buf *b, size_t at, const char *s, size_t n)
{
    if (at > b->len)
        at = b->len;
    buf_reserve(b, n);
    memmove(b->p + at + n, b->p + at, b->len - at);
    memcpy(b->p + at, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_insert_str(Buf *b, size_t at, const char *s)
{
    buf_insert(b, at, s, strlen(s));
}

static void buf_set(Buf *b, const char *s)
{
    b->len = 0;
    buf_insert_str(b, 0, s);
}

static void buf_append_repeat(Buf *b, const char *s, size_t times)
{
    size_t n = strlen(s);
    buf_reserve(b, n * times);
    for (size_t i = 0; i < times; i++) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
    b->p[b->len] = '\0';
}

static void buf_appendf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void buf_erase(Buf *b, size_t at, size_t n)
{
    if (at >= b->len)
        return;
    if (n > b->len - at)
        n = b->len - at;
    memmove(b->p + at, b->p + at + n, b->len - at - n);
    b->len -= n;
    b->p[b->len] = '\0';
}

/* ---- seeds ---------------------------------------------------------------------------------- */

static const char *const domain_seeds[] = {
    "<domain type='test'><name>fuzz-min</name><memory>1024</memory><os><type>hvm</type></os></domain>",

    "<domain type='test' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "  <name>fuzz-full</name>\n"
    "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e1930</uuid>\n"
    "  <title>Full &amp; proper</title>\n"
    "  <description>A description with &lt;markup&gt; and &#233; &#x263A;</description>\n"
    "  <metadata>\n"
    "    <app:config xmlns:app='http://example.org/app/1.0' level='3'><app:item key='a'>one</app:item></app:config>\n"
    "  </metadata>\n"
    "  <memory unit='MiB'>512</memory>\n"
    "  <currentMemory unit='KiB'>262144</currentMemory>\n"
    "  <vcpu placement='static'>2</vcpu>\n"
    "  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>\n"
    "  <features><acpi/><apic/></features>\n"
    "  <clock offset='utc'/>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'><source file='/var/lib/x &amp; y.img'/><target dev='vda' bus='virtio'/></disk>\n"
    "    <disk type='block' device='cdrom'><source dev='/dev/sr0'/><target dev='hdc' bus='ide'/><readonly/></disk>\n"
    "    <interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>\n"
    "    <graphics type='vnc' port='5900' listen='127.0.0.1'/>\n"
    "    <watchdog model='i6300esb' action='pause'/>\n"
    "  </devices>\n"
    "  <qemu:commandline><qemu:arg value='-foo'/></qemu:commandline>\n"
    "</domain>\n",

    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<!DOCTYPE domain>\n"
    "<!-- a comment before the root -->\n"
    "<?app-instruction data?>\n"
    "<domain type=\"kvm\" id=\"7\">\n"
    "  <name><![CDATA[fuzz-prolog]]></name>\n"
    "  <description><![CDATA[<not markup> & ]]]]><![CDATA[> kept]]></description>\n"
    "  <memory>2048</memory>\n"
    "  <os><type>hvm</type></os>\n"
    "  <!-- inside -->\n"
    "  <metadata><m:x xmlns:m=\"urn:example:m\" a=\"&quot;q&quot;\"/></metadata>\n"
    "</domain>\n",
};

static const char *const metadata_seeds[] = {
    "<item>1</item>",
    "<app:cfg xmlns:app='http://example.org/app' a='1'><k v='x'/>text &amp; more</app:cfg>",
    "<x/>",
    "<deep><a><b><c>t</c></b></a></deep>",
    "<r><![CDATA[cdata <here>]]><!-- c --><?pi x?></r>",
};

static const char *const good_keys[] = {"app", "k1", "_x", "\xc3\xa9t\xc3\xa9", "a.b-c"};
static const char *const bad_keys[] = {
    "a>b", "a:b", "", " ", "x'y", "1x", "<k>", "a b", "x\"", "k/", "\xff", "-a",
};
static const char *const good_uris[] = {
    "http://example.org/app", "urn:x", "http://u/a'b&c", "https://h/p?q=1#f", "http://\xc3\xbc.example/",
};
static const char *const bad_uris[] = {
    "", "relative", "http://u/\"", "http://u/<x>", "http://u/ x", "\x01", "http://u/%zz", "1a:b", "http://u/\n",
};
static const char *const odd_texts[] = {
    "plain", "a<b>&c]]>'\"", "</title><name>evil</name>", "line\nbreak", "tab\there", "\x01\x02",
    "\xef\xbf\xbf", "&amp;&lt;", "<![CDATA[x]]>", "\r\n", "   ", "\xe2\x80\xa8", "",
};

/* ---- mutations ------------------------------------------------------------------------------ */

/* A position just after a '>' that is not the document's last: usually between two tags inside
 * the root, where markup of our own can go. */
static size_t boundary(Rng *rng, const Buf *b)
{
    size_t count = 0;
    for (size_t i = 0; i + 1 < b->len; i++)
        count += b->p[i] == '>';
    if (!count)
        return below(rng, b->len + 1);
    size_t pick = below(rng, count);
    for (size_t i = 0; i + 1 < b->len; i++)
        if (b->p[i] == '>' && pick-- == 0)
            return i + 1;
    return b->len;
}

/* Inside <metadata> when there is one, else at a boundary. */
static size_t metadata_slot(Rng *rng, const Buf *b)
{
    const char *end = strstr(b->p, "</metadata>");
    return end && percent(rng, 80) ? (size_t)(end - b->p) : boundary(rng, b);
}

static void m_truncate(Rng *rng, Buf *b)
{
    b->len = below(rng, b->len + 1);
    b->p[b->len] = '\0';
}

static void m_duplicate(Rng *rng, Buf *b)
{
    if (!b->len)
        return;
    size_t at = below(rng, b->len), n = 1 + below(rng, b->len - at);
    char *copy = malloc(n);
    if (!copy)
        abort();
    memcpy(copy, b->p + at, n);
    buf_insert(b, below(rng, b->len + 1), copy, n);
    free(copy);
}

static void m_delete(Rng *rng, Buf *b)
{
    if (!b->len)
        return;
    size_t at = below(rng, b->len);
    buf_erase(b, at, 1 + below(rng, percent(rng, 70) ? 8 : b->len - at));
}

static void m_flip(Rng *rng, Buf *b)
{
    for (size_t n = 1 + below(rng, 4); n && b->len; n--) {
        size_t at = below(rng, b->len);
        unsigned char c = percent(rng, 50) ? (unsigned char)(b->p[at] ^ (1u << below(rng, 8)))
                                           : (unsigned char)below(rng, 256);
        b->p[at] = c ? (char)c : 'Z'; /* a NUL would only truncate */
    }
}

static void m_token(Rng *rng, Buf *b)
{
    static const char *const tokens[] = {
        "<", ">", "/>", "</", "'", "\"", "=", "&", ";", "&amp;", "]]>", "<!--", "-->", "<?", "?>",
        "<![CDATA[", "</domain>", "<domain type='test'>", "<name>", "</name>", "xmlns:", "xmlns='x'",
        " a='1'", " a='1' a='2'", ":", "<name>dup</name>", "<uuid>6695eb01-f6a4-8304-79aa-97f2502e1930</uuid>",
        "<memory>0</memory>", "<vcpu>0</vcpu>", "<title>t\nt</title>", " id='1'", " resourceVersion='x'",
    };
    buf_insert_str(b, percent(rng, 50) ? boundary(rng, b) : below(rng, b->len + 1), PICK(rng, tokens));
}

static void m_benign(Rng *rng, Buf *b)
{
    static const char *const pieces[] = {
        "<!-- comment -->", "<?pi data?>", "<![CDATA[cdata & <text>]]>", "&amp;", "&#65;", "&#x1F600;",
        "\n  ", "<extra a='1' b=\"2\"/>", "<e>t&lt;x&gt;</e>", "<ns:e xmlns:ns='urn:n'/>", "\xc3\xa9",
        "<empty></empty>", "<!---->", "<a><b><c/></b></a>",
    };
    buf_insert_str(b, boundary(rng, b), PICK(rng, pieces));
}

static void m_deep(Rng *rng, Buf *b)
{
    static const size_t depths[] = {2, 50, 200, 250, 252, 253, 254, 255, 256, 257, 300, 1000, 100000};
    size_t depth = PICK(rng, depths);
    Buf nest = {0};
    buf_append_repeat(&nest, "<n>", depth);
    if (percent(rng, 30))
        buf_appendf(&nest, "text");
    if (percent(rng, 85))
        buf_append_repeat(&nest, "</n>", depth);
    buf_insert(b, metadata_slot(rng, b), nest.p, nest.len);
    free(nest.p);
}

static void m_attributes(Rng *rng, Buf *b)
{
    static const size_t counts[] = {1, 10, 200, 254, 255, 256, 257, 1000, 100000};
    size_t n = PICK(rng, counts);
    int duplicate = percent(rng, 15), odd_name = percent(rng, 10);
    Buf e = {0};
    buf_appendf(&e, "<many");
    for (size_t i = 0; i < n; i++)
        buf_appendf(&e, " %sa%zu='%zu'", odd_name && i == n / 2 ? "1" : "", duplicate && i == n - 1 ? (size_t)0 : i, i);
    buf_appendf(&e, "/>");
    buf_insert(b, metadata_slot(rng, b), e.p, e.len);
    free(e.p);
}

static void m_huge(Rng *rng, Buf *b)
{
    static const size_t large[] = {1000, 100000, 1000000}, limit[] = {4000000, 4194304, 5000000};
    size_t n = percent(rng, 80) ? PICK(rng, large) : PICK(rng, limit);
    Buf e = {0};
    int attribute = percent(rng, 50);
    buf_appendf(&e, attribute ? "<big v='" : "<big>");
    buf_reserve(&e, n);
    memset(e.p + e.len, percent(rng, 50) ? 'x' : ' ', n);
    e.len += n;
    e.p[e.len] = '\0';
    buf_appendf(&e, attribute ? "'/>" : "</big>");
    buf_insert(b, metadata_slot(rng, b), e.p, e.len);
    free(e.p);
}

static void m_long_name(Rng *rng, Buf *b)
{
    static const size_t lengths[] = {100, 1023, 1024, 1025, 5000};
    size_t n = PICK(rng, lengths);
    Buf e = {0};
    buf_appendf(&e, "<");
    buf_append_repeat(&e, "n", n);
    buf_appendf(&e, percent(rng, 50) ? "/>" : " a='1'/>");
    if (percent(rng, 40)) {
        e.len = 0;
        buf_appendf(&e, "<e ");
        buf_append_repeat(&e, "a", n);
        buf_appendf(&e, "='v'/>");
    }
    buf_insert(b, metadata_slot(rng, b), e.p, e.len);
    free(e.p);
}

static void m_devices(Rng *rng, Buf *b)
{
    static const size_t few[] = {2, 10, 100, 1000}, many[] = {30000, 49000};
    size_t n = percent(rng, 10) ? PICK(rng, many) : PICK(rng, few);
    int duplicate = percent(rng, 20);
    Buf e = {0};
    buf_appendf(&e, "<devices>");
    for (size_t i = 0; i < n; i++) {
        switch (below(rng, 4)) {
        case 0:
            buf_appendf(&e, "<interface type='network'><mac address='52:54:00:00:%02zx:%02zx'/></interface>", i >> 8 & 0xff, i & 0xff);
            break;
        case 1:
            buf_appendf(&e, "<graphics type='vnc' port='%zu'/>", 5900 + i);
            break;
        default:
            buf_appendf(&e, "<disk device='disk'><source file='/d/%zu'/><target dev='vd%zu'/></disk>", i,
                        duplicate && i == n - 1 ? (size_t)0 : i);
        }
    }
    buf_appendf(&e, "</devices>");
    buf_insert(b, boundary(rng, b), e.p, e.len);
    free(e.p);
}

static void m_entity(Rng *rng, Buf *b)
{
    static const char *const refs[] = {
        "&lol9;", "&undefined;", "&", "&amp", "&#0;", "&#xD800;", "&#1114112;", "&#x110000;", "&#-1;",
        "&#x;", "&#65", "&lt;&gt;&quot;&apos;", "&#9;&#10;&#13;", "&#xFFFE;", "&#12;", "&e;",
    };
    static const char *const laughs =
        "<!DOCTYPE domain [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY e SYSTEM \"file:///etc/passwd\">\n"
        "]>\n";
    if (percent(rng, 40) && !strstr(b->p, "<!DOCTYPE"))
        buf_insert_str(b, 0, laughs);
    const char *ref = PICK(rng, refs);
    if (percent(rng, 50)) {
        buf_insert_str(b, boundary(rng, b), ref);
    } else {
        Buf e = {0};
        buf_appendf(&e, "<ent v='%s'>%s</ent>", ref, ref);
        buf_insert(b, metadata_slot(rng, b), e.p, e.len);
        free(e.p);
    }
}

static void m_doctype(Rng *rng, Buf *b)
{
    static const char *const doctypes[] = {
        "<!DOCTYPE domain>",
        "<!DOCTYPE domain SYSTEM \"http://example.org/domain.dtd\">",
        "<!DOCTYPE domain PUBLIC \"-//X//Y//EN\" \"y.dtd\">",
        "<!DOCTYPE domain [<!ELEMENT domain ANY><!ATTLIST domain type CDATA #IMPLIED>]>",
        "<!DOCTYPE domain [<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;]>",
        "<!DOCTYPE domain [ <!-- ] > --> ]>",
        "<!DOCTYPE domain [",
        "<!doctype domain>",
    };
    buf_insert_str(b, percent(rng, 60) ? 0 : boundary(rng, b), PICK(rng, doctypes));
}

static void m_bad_utf8(Rng *rng, Buf *b)
{
    static const char *const sequences[] = {
        "\xff", "\xc0\x80", "\x80", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
        "\xc3", "\xef\xbb\xbf", "\xe0\x80\xaf",
    };
    buf_insert_str(b, percent(rng, 50) ? boundary(rng, b) : below(rng, b->len + 1), PICK(rng, sequences));
}

static void m_cdata(Rng *rng, Buf *b)
{
    static const char *const sections[] = {
        "<![CDATA[]]>", "<![CDATA[]]]]>", "<![CDATA[a]]>b]]>", "<![CDATA[\x01]]>", "<![CDATA[<domain>]]>",
        "<![CDATA[", "<![CDATA[ ]]>", "<![cdata[x]]>", "<![CDATA[&amp;]]>",
    };
    buf_insert_str(b, boundary(rng, b), PICK(rng, sections));
}

static void m_comment_pi(Rng *rng, Buf *b)
{
    static const char *const pieces[] = {
        "<!-- a -- b -->", "<!--->", "<!-- unterminated", "<?pi?>", "<?xml version='1.0'?>",
        "<?xml-stylesheet href='x'?>", "<? ?>", "<?pi", "<!-- \x01 -->", "<!---->",
    };
    buf_insert_str(b, percent(rng, 20) ? 0 : boundary(rng, b), PICK(rng, pieces));
}

static void m_namespace(Rng *rng, Buf *b)
{
    static const char *const elements[] = {
        "<p:x xmlns:p='%s'/>", "<x xmlns='%s'/>", "<q:y/>", "<x xmlns:xmlns='%s'/>", "<xml:x/>",
        "<p:x xmlns:p='%s' p:a='1' p:a='2'/>", "<a:b:c xmlns:a='%s'/>", "<:x/>", "<p: xmlns:p='%s'/>",
    };
    const char *uri = percent(rng, 50) ? PICK(rng, good_uris) : PICK(rng, bad_uris);
    Buf e = {0};
    buf_appendf(&e, PICK(rng, elements), uri);
    size_t at = metadata_slot(rng, b);
    if (!strstr(b->p, "<metadata>") && percent(rng, 70)) {
        buf_insert_str(&e, 0, "<metadata>");
        buf_appendf(&e, "</metadata>");
    }
    buf_insert(b, at, e.p, e.len);
    free(e.p);
}

static void m_quotes(Rng *rng, Buf *b)
{
    for (size_t i = 0, n = 1 + below(rng, 3); i < b->len && n; i++) {
        if ((b->p[i] == '\'' || b->p[i] == '"') && percent(rng, 20)) {
            b->p[i] = b->p[i] == '\'' ? '"' : '\'';
            n--;
        }
    }
}

/* Replaces the text of a leading child (name, title, description) with odd text. */
static void m_text(Rng *rng, Buf *b)
{
    static const char *const tags[] = {"name", "title", "description"};
    static const char *const texts[] = {
        "a&amp;b&lt;c&gt;", "&#x2F;slash", "x/y", "<![CDATA[c]]>", "\xc3\xa9\xe2\x98\xba", "  spaced  ",
        "&quot;&apos;", "t\nt", "", "&#13;", "]]>", "a<b", "\t",
    };
    const char *tag = PICK(rng, tags);
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    char *start = strstr(b->p, open), *end = start ? strstr(start, close) : NULL;
    if (!start || !end)
        return;
    size_t at = (size_t)(start - b->p) + strlen(open);
    buf_erase(b, at, (size_t)(end - start) - strlen(open));
    buf_insert_str(b, at, PICK(rng, texts));
}

typedef void (*Mutation)(Rng *, Buf *);

/* Weighted: benign and structural changes often, the expensive ones (huge, deep) rarely. */
static const struct {
    Mutation apply;
    unsigned weight;
} mutations[] = {
    {m_truncate, 6}, {m_duplicate, 6}, {m_delete, 6},   {m_flip, 8},       {m_token, 10},
    {m_benign, 14},  {m_deep, 4},      {m_attributes, 4}, {m_huge, 1},     {m_long_name, 2},
    {m_entity, 6},   {m_doctype, 4},   {m_bad_utf8, 4}, {m_cdata, 5},      {m_comment_pi, 5},
    {m_namespace, 6}, {m_quotes, 3},   {m_text, 8},       {m_devices, 2},
};

static void mutate(Rng *rng, Buf *b, size_t max_mutations)
{
    unsigned total = 0;
    for (size_t i = 0; i < sizeof mutations / sizeof *mutations; i++)
        total += mutations[i].weight;
    for (size_t n = below(rng, max_mutations + 1); n; n--) {
        size_t pick = below(rng, total);
        size_t i = 0;
        while (pick >= mutations[i].weight)
            pick -= mutations[i++].weight;
        mutations[i].apply(rng, b);
    }
}

/* ---- one document --------------------------------------------------------------------------- */

typedef enum { OP_DEFINE, OP_DEFINE_VALIDATE, OP_CREATE, OP_SET_METADATA } Op;
static const char *const op_names[] = {"define", "define-validate", "create", "set-metadata"};

/* What document (seed, index) is: the operation and its arguments. */
typedef struct {
    Op op;
    Buf xml;            /* the domain XML, or the metadata text */
    int metadata_type;  /* for OP_SET_METADATA */
    int metadata_null;  /* remove instead of set */
    const char *key;    /* NULL allowed */
    const char *uri;    /* NULL allowed */
    unsigned flags;
} Doc;

static void generate(uint64_t seed, uint64_t index, Doc *doc)
{
    Rng rng = document_rng(seed, index);
    size_t op = below(&rng, 100);
    doc->op = op < 55 ? OP_DEFINE : op < 65 ? OP_DEFINE_VALIDATE : op < 80 ? OP_CREATE : OP_SET_METADATA;
    doc->metadata_type = VIR_DOMAIN_METADATA_ELEMENT;
    doc->metadata_null = 0;
    doc->key = doc->uri = NULL;
    doc->flags = 0;
    if (doc->op != OP_SET_METADATA) {
        buf_set(&doc->xml, PICK(&rng, domain_seeds));
        mutate(&rng, &doc->xml, percent(&rng, 25) ? 1 : 4);
        return;
    }
    static const unsigned flag_choices[] = {0, VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_AFFECT_LIVE, 0x80};
    doc->flags = percent(&rng, 85) ? 0 : PICK(&rng, flag_choices);
    size_t kind = below(&rng, 100);
    if (kind < 70) {
        buf_set(&doc->xml, PICK(&rng, metadata_seeds));
        mutate(&rng, &doc->xml, percent(&rng, 30) ? 0 : 3);
        doc->key = percent(&rng, 75) ? PICK(&rng, good_keys) : percent(&rng, 80) ? PICK(&rng, bad_keys) : NULL;
        doc->uri = percent(&rng, 75) ? PICK(&rng, good_uris) : percent(&rng, 80) ? PICK(&rng, bad_uris) : NULL;
    } else {
        doc->metadata_type = kind < 85 ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION;
        buf_set(&doc->xml, PICK(&rng, odd_texts));
        if (percent(&rng, 30))
            mutate(&rng, &doc->xml, 2);
    }
    doc->metadata_null = percent(&rng, 10);
}

typedef struct {
    uint64_t seed;
    uint64_t docs, accepted, refused, violations;
    uint64_t index; /* the document being run */
    Op op;
    unsigned long peak_rss_mib, max_rss_mib;
    double slowest_seconds;
    uint64_t slowest_index;
    char refusal[512]; /* the last refusal's message, for --doc */
} Run;

static void violation(Run *run, const char *fmt, ...)
{
    run->violations++;
    if (run->violations > MAX_REPORTED)
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    printf("FAIL xml_fuzz seed=%llu doc=%llu op=%s: %s (reproduce: --seed %llu --doc %llu)\n",
           (unsigned long long)run->seed, (unsigned long long)run->index, op_names[run->op], message,
           (unsigned long long)run->seed, (unsigned long long)run->index);
    fflush(stdout);
}

/* A call that failed set a proper last error. */
static void check_failure(Run *run, const char *call)
{
    virErrorPtr err = virGetLastError();
    snprintf(run->refusal, sizeof run->refusal, "%s", err && err->message ? err->message : "");
    if (!err)
        violation(run, "%s failed without setting the last error", call);
    else if (err->code == VIR_ERR_OK || !err->message || !*err->message)
        violation(run, "%s failed with error code %d and message '%s'", call, err->code,
                  err->message ? err->message : "(null)");
    else if (err->code == VIR_ERR_INTERNAL_ERROR)
        violation(run, "%s failed with an internal error: %s", call, err->message);
}

static void check_success(Run *run, const char *call)
{
    virErrorPtr err = virGetLastError();
    if (err)
        violation(run, "%s succeeded but left the last error set: %s", call, err->message ? err->message : "");
}

/* The domain's XML defines again, to the same name, UUID and XML. */
static void check_round_trip(Run *run, virConnectPtr conn, virDomainPtr dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN], uuid2[VIR_UUID_STRING_BUFLEN];
    const char *name = virDomainGetName(dom);
    if (!name || virDomainGetUUIDString(dom, uuid) != 0) {
        violation(run, "accepted domain has no name or UUID");
        return;
    }
    char *xml = virDomainGetXMLDesc(dom, 0);
    if (!xml) {
        check_failure(run, "virDomainGetXMLDesc");
        violation(run, "virDomainGetXMLDesc failed on an accepted domain");
        return;
    }
    virDomainPtr again = virDomainDefineXML(conn, xml);
    if (!again) {
        virErrorPtr err = virGetLastError();
        violation(run, "the domain's own XML does not define again: %s", err && err->message ? err->message : "(no error)");
        free(xml);
        return;
    }
    const char *name2 = virDomainGetName(again);
    if (!name2 || strcmp(name, name2) != 0 || virDomainGetUUIDString(again, uuid2) != 0 || strcmp(uuid, uuid2) != 0)
        violation(run, "round trip changed the domain: '%s' %s became '%s' %s", name, uuid, name2 ? name2 : "(null)", uuid2);
    char *xml2 = virDomainGetXMLDesc(again, 0);
    if (!xml2 || strcmp(xml, xml2) != 0) {
        size_t at = 0;
        while (xml2 && xml[at] && xml[at] == xml2[at])
            at++;
        violation(run, "round trip is not a fixed point: the XML differs from byte %zu", at);
    }
    free(xml2);
    virDomainFree(again);
    free(xml);
}

/* Leaves the connection without domains, whatever the document did. */
static void clean(virConnectPtr conn)
{
    virDomainPtr *domains = NULL;
    int n = virConnectListAllDomains(conn, &domains, 0);
    for (int i = 0; i < n; i++) {
        if (virDomainIsActive(domains[i]) == 1)
            virDomainDestroy(domains[i]);
        if (virDomainIsPersistent(domains[i]) == 1)
            virDomainUndefine(domains[i]);
        virDomainFree(domains[i]);
    }
    free(domains);
}

static void run_domain_xml(Run *run, virConnectPtr conn, const Doc *doc)
{
    const char *call = doc->op == OP_CREATE ? "virDomainCreateXML" : "virDomainDefineXMLFlags";
    virDomainPtr dom = doc->op == OP_CREATE ? virDomainCreateXML(conn, doc->xml.p, 0)
                       : virDomainDefineXMLFlags(conn, doc->xml.p, doc->op == OP_DEFINE_VALIDATE ? VIR_DOMAIN_DEFINE_VALIDATE : 0);
    if (!dom) {
        run->refused++;
        check_failure(run, call);
        return;
    }
    run->accepted++;
    check_success(run, call);
    check_round_trip(run, conn, dom);
    virDomainFree(dom);
}

static void run_set_metadata(Run *run, virConnectPtr conn, const Doc *doc)
{
    virDomainPtr base = virDomainDefineXML(conn, "<domain type='test'><name>" BASE_NAME "</name><uuid>" BASE_UUID
                                                 "</uuid><memory>1024</memory><os><type>hvm</type></os>"
                                                 "<metadata><o:old xmlns:o='http://example.org/app'/></metadata></domain>");
    if (!base) {
        violation(run, "cannot define the base domain: %s", virGetLastErrorMessage());
        return;
    }
    char *before = virDomainGetXMLDesc(base, 0);
    int r = virDomainSetMetadata(base, doc->metadata_type, doc->metadata_null ? NULL : doc->xml.p, doc->key, doc->uri, doc->flags);
    if (r == 0) {
        run->accepted++;
        check_success(run, "virDomainSetMetadata");
        check_round_trip(run, conn, base);
    } else if (r == -1) {
        run->refused++;
        check_failure(run, "virDomainSetMetadata");
        char *after = virDomainGetXMLDesc(base, 0);
        if (!before || !after || strcmp(before, after) != 0)
            violation(run, "a refused virDomainSetMetadata changed the domain");
        free(after);
    } else {
        run->refused++;
        violation(run, "virDomainSetMetadata returned %d", r);
    }
    free(before);
    virDomainFree(base);
}

/* ---- crash, hang and memory watch ----------------------------------------------------------- */

static char fatal_prefix[256];
static size_t fatal_prefix_len;

static void write_all(const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(STDOUT_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_fatal_signal(int sig)
{
    char number[16];
    size_t n = sizeof number;
    number[--n] = '\n';
    int v = sig;
    do {
        number[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n);
    write_all(fatal_prefix, fatal_prefix_len);
    if (sig == SIGALRM) {
        static const char hung[] = "hung (no answer in " SECONDS_TEXT(HANG_SECONDS) " s)\n";
        write_all(hung, sizeof hung - 1);
        _exit(3);
    }
    static const char died[] = "died of signal ";
    write_all(died, sizeof died - 1);
    write_all(number + n, sizeof number - n);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_watch(void)
{
    static char alternate_stack[1 << 16];
    stack_t ss = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    int signals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGALRM};
    for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
        sigaction(signals[i], &sa, NULL);
}

static void arm_watch(const Run *run)
{
    int n = snprintf(fatal_prefix, sizeof fatal_prefix, "FAIL xml_fuzz seed=%llu doc=%llu op=%s: ",
                     (unsigned long long)run->seed, (unsigned long long)run->index, op_names[run->op]);
    fatal_prefix_len = n < 0 ? 0 : (size_t)n < sizeof fatal_prefix ? (size_t)n : sizeof fatal_prefix - 1;
    alarm(HANG_SECONDS);
}

static unsigned long rss_mib(void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%lu %lu", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (unsigned long)sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

static void check_memory(Run *run)
{
    unsigned long rss = rss_mib();
    if (rss > run->peak_rss_mib)
        run->peak_rss_mib = rss;
    if (rss > run->max_rss_mib)
        violation(run, "resident set is %lu MiB, over the bound of %lu MiB", rss, run->max_rss_mib);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- driver --------------------------------------------------------------------------------- */

static void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static void run_one(Run *run, virConnectPtr conn, Doc *doc, int show)
{
    generate(run->seed, run->index, doc);
    run->op = doc->op;
    if (show) {
        printf("xml_fuzz: seed=%llu doc=%llu op=%s", (unsigned long long)run->seed, (unsigned long long)run->index,
               op_names[doc->op]);
        if (doc->op == OP_SET_METADATA)
            printf(" type=%d key=%s%s%s uri=%s%s%s flags=0x%x%s", doc->metadata_type, doc->key ? "'" : "",
                   doc->key ? doc->key : "NULL", doc->key ? "'" : "", doc->uri ? "'" : "", doc->uri ? doc->uri : "NULL",
                   doc->uri ? "'" : "", doc->flags, doc->metadata_null ? " metadata=NULL" : "");
        printf(" (%zu bytes):\n", doc->xml.len);
        fwrite(doc->xml.p, 1, doc->xml.len, stdout);
        printf("\n");
        fflush(stdout);
    }
    arm_watch(run);
    double started = now_seconds();
    if (doc->op == OP_SET_METADATA)
        run_set_metadata(run, conn, doc);
    else
        run_domain_xml(run, conn, doc);
    double took = now_seconds() - started;
    alarm(0);
    if (took > SLOW_SECONDS)
        violation(run, "took %.1f s (%zu bytes): something is worse than linear", took, doc->xml.len);
    if (took > run->slowest_seconds) {
        run->slowest_seconds = took;
        run->slowest_index = run->index;
    }
    run->docs++;
    clean(conn);
}

static int usage(void)
{
    fprintf(stderr, "usage: xml_fuzz [--seconds N] [--seed S] [--doc K] [--docs N] [--max-rss-mib M]\n");
    return 2;
}

static int parse_number(const char *s, unsigned long long *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    *out = strtoull(s, &end, 0);
    return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
    unsigned long long seconds = 0, seed = DEFAULT_SEED, doc_index = 0, docs = DEFAULT_DOCS, max_rss = DEFAULT_MAX_RSS_MIB;
    int have_seed = 0, have_doc = 0;
    for (int i = 1; i < argc; i++) {
        unsigned long long *target = NULL;
        if (!strcmp(argv[i], "--seconds"))
            target = &seconds;
        else if (!strcmp(argv[i], "--seed"))
            target = &seed, have_seed = 1;
        else if (!strcmp(argv[i], "--doc"))
            target = &doc_index, have_doc = 1;
        else if (!strcmp(argv[i], "--docs"))
            target = &docs;
        else if (!strcmp(argv[i], "--max-rss-mib"))
            target = &max_rss;
        if (!target || i + 1 >= argc || parse_number(argv[++i], target) < 0)
            return usage();
    }
    if (seconds && !have_seed)
        seed = (unsigned long long)time(NULL) * 1000003ULL ^ (unsigned long long)getpid();

    virSetErrorFunc(NULL, quiet);
    install_watch();
    virConnectPtr conn = virConnectOpen("test:///empty");
    if (!conn) {
        printf("FAIL xml_fuzz seed=%llu: cannot open test:///empty: %s\n", seed, virGetLastErrorMessage());
        return 1;
    }
    Run run = {.seed = seed, .max_rss_mib = max_rss};
    Doc doc = {0};

    if (have_doc) {
        run.index = doc_index;
        run_one(&run, conn, &doc, 1);
        if (run.accepted)
            printf("xml_fuzz: accepted, %llu violation(s)\n", (unsigned long long)run.violations);
        else
            printf("xml_fuzz: refused (%s), %llu violation(s)\n", run.refusal, (unsigned long long)run.violations);
    } else {
        if (seconds)
            printf("xml_fuzz: seed=%llu for %llu s (reproduce a document with --seed %llu --doc K)\n", seed, seconds, seed);
        double started = now_seconds(), next_report = started + 10;
        for (run.index = 0;; run.index++) {
            double now = now_seconds();
            if (seconds ? now - started >= (double)seconds : run.index >= docs)
                break;
            if (seconds && now >= next_report) {
                check_memory(&run);
                printf("xml_fuzz: %.0f s docs=%llu accepted=%llu refused=%llu violations=%llu rss=%lu MiB\n", now - started,
                       (unsigned long long)run.docs, (unsigned long long)run.accepted, (unsigned long long)run.refused,
                       (unsigned long long)run.violations, rss_mib());
                fflush(stdout);
                next_report += 10;
            }
            run_one(&run, conn, &doc, 0);
            if (run.index % 64 == 0)
                check_memory(&run);
        }
    }
    check_memory(&run);
    if (!have_doc)
        printf("xml_fuzz: peak RSS %lu MiB, slowest document %llu (%.1f ms)\n", run.peak_rss_mib,
               (unsigned long long)run.slowest_index, run.slowest_seconds * 1000);
    free(doc.xml.p);
    if (virConnectClose(conn) != 0)
        violation(&run, "virConnectClose did not release the last reference");
    printf("%s xml_fuzz seed=%llu docs=%llu accepted=%llu refused=%llu%s", run.violations ? "FAIL" : "PASS", seed,
           (unsigned long long)run.docs, (unsigned long long)run.accepted, (unsigned long long)run.refused,
           run.violations ? "" : "\n");
    if (run.violations)
        printf(" violations=%llu\n", (unsigned long long)run.violations);
    return run.violations ? 1 : 0;
}
