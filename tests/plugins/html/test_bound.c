/* bound_strip_raw, with libxml2's HTML parser as the oracle: for pages of
 * random tag soup (scripts and styles with text that looks like markup,
 * comments, quoted attributes holding tags, unclosed elements), the page
 * parsed with its script and style text left out is the same tree, but
 * for that text: the same elements, attributes, text and comments in the
 * same places, and a JSON-LD script's text whole.  With attributes left
 * out too, the same tree but for them. */
#include <libxml/HTMLparser.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bound.h"
#include "harness.h"

static uint64_t seed = 0x2545F4914F6CDD1Dull;

static unsigned rnd(unsigned n) { return (unsigned)(th_xorshift(&seed) % n); }

static const char *const pieces[] = {
    "<p>", "</p>", "<div class='a'>", "</div>", "text, more ", "<br>", "<a href=\"x>y\">", "</a>",
    "<script>", "<script type=\"application/ld+json\">", "<SCRIPT type=text/javascript>", "</script>", "</SCRIPT >",
    "<style>", "</style>", "<style/>", "<script/>", "if (a < b && c > d) {}", "</scr", "</p><p>", "'\"", "<!-- c -->",
    "<!-- <script> -->", "<!--x--!>", "<!doctype html>", "<?pi x?>", "<![CDATA[ y ]]>", "<img alt='<script>'>",
    "<title>t</title>", "<ul><li>one<li>two</ul>", "<table><tr><td>c</table>", "{\"datePublished\": \"2024-01-02\"}",
    "</scriptx>", "<b>bold", "&amp; &lt;", " ", "\n", "<span data-x=<script>>", "<script src=a.js></script>",
    "</style x>", "x = 1;", "p { color: red }", "word", "<td>", "<html>", "<body>", "</body>", "<head>", "</head>",
    "<scripts>", "<stylesheet>", "<p ID=x title=\"a b\" Class=c>", "<a href=y/>", "<div x/>", "<i a=\"1\"b='2'c=3>",
    "<div data-x = 'a>b' class = \"k\">", "<span x=&amp;y class=>", "<em\tclass\n=\r'z'\n>", "<img src=a alt=b>",
    "<p c" "lass=q " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "class=long>", "<u \"odd\" class=u>", "<script type=module async>", "<meta name=a content=b charset=c>",
};

/* What the test keeps: class and id anywhere, alt of an img, a script's type. */
static int kept(const char *tag, size_t tn, const char *a, size_t an)
{
    if ((an == 5 && !strncasecmp(a, "class", 5)) || (an == 2 && !strncasecmp(a, "id", 2)))
        return 1;
    if (tn == 3 && !strncasecmp(tag, "img", 3))
        return an == 3 && !strncasecmp(a, "alt", 3);
    return tn == 6 && !strncasecmp(tag, "script", 6) && an == 4 && !strncasecmp(a, "type", 4);
}

static bound_keep_fn keep_attrs; /* the attributes tree() shows; NULL: all */

/* The tree as text: script and style text left out, but for JSON-LD. */
static void flat(xmlNodePtr n, int in_raw, int keep, cv_buf *o)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            buf_add(o, "<", 1);
            buf_add(o, (const char *)n->name, strlen((const char *)n->name));
            for (xmlAttrPtr a = n->properties; a; a = a->next) {
                if (keep_attrs && !keep_attrs((const char *)n->name, strlen((const char *)n->name),
                                              (const char *)a->name, strlen((const char *)a->name)))
                    continue;
                xmlChar *v = xmlGetProp(n, a->name);
                buf_add(o, " ", 1);
                buf_add(o, (const char *)a->name, strlen((const char *)a->name));
                buf_add(o, "=", 1);
                if (v)
                    buf_add(o, (const char *)v, strlen((const char *)v));
                xmlFree(v);
            }
            buf_add(o, ">", 1);
            int raw = !strcmp((const char *)n->name, "script") || !strcmp((const char *)n->name, "style");
            xmlChar *type = raw ? xmlGetProp(n, (const xmlChar *)"type") : NULL;
            int ld = type && !strcasecmp((const char *)type, "application/ld+json");
            xmlFree(type);
            flat(n->children, raw, ld, o);
            buf_add(o, "</>", 3);
        } else if (n->content && (!in_raw || keep)) {
            buf_add(o, n->type == XML_COMMENT_NODE ? "#c:" : "#t:", 3);
            buf_add(o, (const char *)n->content, strlen((const char *)n->content));
        }
    }
}

static char *tree(const char *s, size_t len)
{
    htmlDocPtr d = htmlReadMemory(s, (int)len, NULL, "UTF-8",
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    cv_buf o = {0};
    buf_add(&o, "", 0);
    if (d)
        flat(xmlDocGetRootElement(d), 0, 0, &o);
    xmlFreeDoc(d);
    buf_addc(&o, '\0');
    return o.p;
}

/* page with those of its "<script/>" and "<style/>" that an end tag follows
 * and whose bit is set in `open` written open, as a browser reads them (the
 * pass opens those it reads as tags while it trusts its reading). */
static void open_some(const cv_buf *page, unsigned open, cv_buf *out)
{
    out->len = 0;
    for (size_t i = 0; i < page->len;) {
        const char *p = page->p + i;
        size_t n = !strncmp(p, "<script/>", 9) ? 6 : !strncmp(p, "<style/>", 8) ? 5 : 0;
        char close[9] = "</";
        memcpy(close + 2, p + 1, n);
        close[2 + n] = 0;
        if (n && strcasestr(p, close)) {
            int opened = open & 1;
            open >>= 1;
            if (opened) {
                buf_add(out, p, n + 1);
                buf_addc(out, '>');
                i += n + 3;
                continue;
            }
        }
        buf_addc(out, *p);
        i++;
    }
}

static void same_tree(bound_keep_fn keep)
{
    size_t stripped = 0;
    for (int round = 0; round < 20000; round++) {
        cv_buf page = {0}, out = {0};
        unsigned n = 1 + rnd(40);
        for (unsigned k = 0; k < n; k++) {
            const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            buf_add(&page, p, strlen(p));
        }
        int did = bound_strip_raw(page.p, page.len, keep, (size_t)-1, &out);
        if (did) {
            stripped++;
            assert_true(out.len < page.len);
            keep_attrs = keep; /* past a place the pass stops at, refused attributes stay */
            char *b = tree(out.p, out.len), *a = NULL;
            cv_buf opened = {0};
            for (unsigned open = 0; open < 1u << 12; open++) { /* 40 pieces hold few of them */
                open_some(&page, open, &opened);
                free(a);
                a = tree(opened.p, opened.len);
                if (!strcmp(a, b))
                    break;
            }
            keep_attrs = NULL;
            if (strcmp(a, b))
                fail_msg("page: %.*s\nwhole: %s\nstripped: %s", (int)page.len, page.p, a, b);
            buf_free(&opened);
            free(a);
            free(b);
        }
        buf_free(&page);
        buf_free(&out);
    }
    print_message("%zu of 20000 pages had text%s left out\n", stripped, keep ? " or attributes" : "");
    assert_true(stripped > 1000); /* the property was tested, not skipped */
}

static void test_same_tree(void **state)
{
    (void)state;
    same_tree(NULL);
}

static void test_same_tree_attrs(void **state)
{
    (void)state;
    same_tree(kept);
}

static void test_cases(void **state)
{
    (void)state;
    cv_buf out = {0};
    const char *none = "<p>no scripts</p><script></script><script src=x></script>";
    assert_int_equal(bound_strip_raw(none, strlen(none), NULL, (size_t)-1, &out), 0);
    const char *page = "<p>a</p><script>var x = '<p>';</script><style>p{}</style><p>b";
    assert_int_equal(bound_strip_raw(page, strlen(page), NULL, (size_t)-1, &out), 1);
    assert_int_equal(out.len, strlen("<p>a</p><script></script><style></style><p>b"));
    assert_memory_equal(out.p, "<p>a</p><script></script><style></style><p>b", out.len);
    const char *ld = "<script type=\"application/ld+json\">{\"a\":1}</script><script type=a&#43;b>x</script>";
    assert_int_equal(bound_strip_raw(ld, strlen(ld), NULL, (size_t)-1, &out), 0);
    const char nul[] = "<script>a\0b</script><p>x";
    assert_int_equal(bound_strip_raw(nul, sizeof nul - 1, NULL, (size_t)-1, &out), 0);
    const char *open = "<p>x<script>never closed <p>y";
    assert_int_equal(bound_strip_raw(open, strlen(open), NULL, (size_t)-1, &out), 1);
    assert_memory_equal(out.p, "<p>x<script>", out.len);
    buf_free(&out);
}

static void expect(const char *page, bound_keep_fn keep, size_t max, int did, const char *want)
{
    cv_buf out = {0};
    assert_int_equal(bound_strip_raw(page, strlen(page), keep, max, &out), did);
    if (did & BOUND_REWROTE) {
        assert_int_equal(out.len, strlen(want));
        assert_memory_equal(out.p, want, out.len);
    }
    buf_free(&out);
}

/* A tag's attributes past the first max go, with or without keep, and past
 * a place where the pass stops leaving anything else out. */
/* <script/> as a browser reads it: the script goes on to its end tag. */
static void test_self_closed(void **state)
{
    (void)state;
    expect("<p>a</p><script type=x/>var a = '<p>b</p>';</SCRIPT><p>c", NULL, (size_t)-1, BOUND_REWROTE,
           "<p>a</p><script type=x></SCRIPT><p>c");
    expect("<style/>p { x: 1 }</style>", NULL, (size_t)-1, BOUND_REWROTE, "<style></style>");
    expect("<script type=\"application/ld+json\"/>{}</script>", NULL, (size_t)-1, BOUND_REWROTE,
           "<script type=\"application/ld+json\">{}</script>");
    expect("<script/></script><p>a", NULL, (size_t)-1, BOUND_REWROTE, "<script></script><p>a");
    /* no end tag: the browser would hide the rest of the page; the parser shows it */
    expect("<script/>x = 1;<p>b", NULL, (size_t)-1, 0, NULL);
}

static void test_capped(void **state)
{
    (void)state;
    const int both = BOUND_REWROTE | BOUND_CAPPED;
    expect("<p a=1 b=2>x", NULL, 2, 0, NULL);
    expect("<p a=1 b=2 c=3 d='>'>x", NULL, 2, both, "<p a=1 b=2 >x");
    expect("<br a b c/>", NULL, 1, both, "<br a />");
    expect("<p class=a x=1 id=b>t", kept, 2, both, "<p class=a  >t");
    expect("<p class=a id=b>t", kept, 2, 0, NULL);
    expect("<p x=1>t", kept, 2, BOUND_REWROTE, "<p >t");
    expect("<p>x<!doctype html><i x=1 b=2 c=3>", kept, 1, both, "<p>x<!doctype html><i x=1 >");
}

static int site_of_href(const char *tag, size_t tn, const char *a, size_t an)
{
    (void)tag, (void)tn;
    return an == 4 && !strncasecmp(a, "href", 4) ? BOUND_KEEP_SITE : BOUND_KEEP;
}

/* BOUND_KEEP_SITE: of a quoted address, the part that names the site. */
static void test_keep_site(void **state)
{
    (void)state;
    const size_t all = (size_t)-1;
    expect("<a href=\"https://www.example.org/a/b?c=1#d\">x</a>", site_of_href, all, BOUND_REWROTE,
           "<a href=\"https://www.example.org\">x</a>");
    expect("<a href='//cdn.example.org:8080/x' class=k>x</a>", site_of_href, all, BOUND_REWROTE,
           "<a href='//cdn.example.org:8080' class=k>x</a>");
    expect("<a HREF=\"mailto:a@example.org\">m</a>", site_of_href, all, BOUND_REWROTE, "<a HREF=\"mailto:\">m</a>");
    expect("<a href=\"/news/2025/story.html\">s</a><a href=\"#top\">t</a>", site_of_href, all, BOUND_REWROTE,
           "<a href=\"/\">s</a><a href=\"#\">t</a>");
    expect("<a href=\" page.html?x=https://other.example/\">p</a>", site_of_href, all, BOUND_REWROTE,
           "<a href=\" p\">p</a>");
    /* a name alone, an unquoted value, and one already no longer than its site stay */
    expect("<a href=\"https://example.org\" href2=x href=/a/b>x</a><a href=\"\">e</a>", site_of_href, all, 0, NULL);
}

/* NUL bytes go, every other byte stays, wherever the NULs are. */
static void test_strip_nul(void **state)
{
    (void)state;
    cv_buf out = {0};
    const char *none = "<p>no NUL</p>";
    assert_int_equal(bound_strip_nul(none, strlen(none), &out), 0);
    const char page[] = "\0<p>a\0\0b</p>\0";
    assert_int_equal(bound_strip_nul(page, sizeof page - 1, &out), 1);
    assert_int_equal(out.len, strlen("<p>ab</p>"));
    assert_memory_equal(out.p, "<p>ab</p>", out.len);
    const char only[] = "\0\0";
    assert_int_equal(bound_strip_nul(only, sizeof only - 1, &out), 1);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases), cmocka_unit_test(test_strip_nul),
                                       cmocka_unit_test(test_same_tree), cmocka_unit_test(test_same_tree_attrs),
                                       cmocka_unit_test(test_capped), cmocka_unit_test(test_self_closed),
                                       cmocka_unit_test(test_keep_site)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
