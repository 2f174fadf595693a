/* html.c -- step: an HTML document becomes its main content as plain text
 * (extract.h), with metadata.title, html_lang, date and url from the page.
 * A page that shows less than half of the articleBody (or the HowTo steps)
 * its JSON-LD declares (rendered by a script) gives that text instead.
 * Documents that are not HTML (by content_type, or by their first bytes)
 * pass untouched; a page with no main content is dropped (html:no_content).
 *
 * The parser is libxml2's HTML parser (Debian's libxml2, what lxml and so
 * readability-lxml use): forgiving with broken markup, and a tree API small
 * enough to walk by hand.  See docs/architecture.md for the measurements. */
#include <ctype.h>
#include <limits.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert/plugin.h"
#include "arena.h"
#include "bound.h"
#include "extract.h"
#include "howto.h"
#include "ldwalk.h"
#include "util.h"
#include "yamlfile.h"

typedef struct html_opts {
    const char *hints;
    int64_t min_chars;
    int sniff;
} html_opts;

static const cv_optmap html_optmap[] = {
    {.key = "hints", .type = CV_OPT_PATH, .offset = offsetof(html_opts, hints),
     .help = "YAML with negative: and positive: lists of class/id words (config/html/hints.yaml); without it only "
             "tags and text decide"},
    {.key = "min_chars", .type = CV_OPT_INT, .default_value = "25", .offset = offsetof(html_opts, min_chars),
     .help = "a page whose main content is shorter is dropped (html:no_content)"},
    {.key = "sniff", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(html_opts, sniff),
     .help = "treat a document as HTML when its first bytes look like markup, not only when its content_type says so"},
    {0},
};

typedef struct step {
    const cv_host *host;
    cv_ctx *ctx;
    hints h;
    int64_t min_chars;
    int sniff;
    phrase_list *appendix, *credit; /* s->h.appendix and s->h.credit, owned */
    cv_buf out, unnul, stripped, flat;
    arena *mem; /* the parsed page's memory; NULL: libxml2's malloc */
    xmlNodePtr *metas; /* the page's html, title, meta, link, script and time elements, in document order */
    size_t nmetas, cmetas;
} step;

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

static void html_destroy(void *p)
{
    step *s = p;
    hint_set_free(s->h.words);
    phrase_list_free(s->appendix);
    phrase_list_free(s->credit);
    buf_free(&s->out);
    buf_free(&s->unnul);
    buf_free(&s->stripped);
    buf_free(&s->flat);
    arena_free(s->mem);
    free(s->metas);
    free(s);
}

static int load_list(json_t *v, char ***out, size_t *n)
{
    if (!v)
        return 0;
    if (!json_is_array(v))
        return -1;
    *n = json_array_size(v);
    *out = xcalloc(*n + 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        const char *w = json_string_value(json_array_get(v, i));
        if (!w || !*w)
            return -1;
        char *c = strdup(w);
        for (char *q = c; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        (*out)[i] = c;
    }
    return 0;
}

static void *html_create(const cv_host *h, cv_ctx *ctx)
{
    step *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->host = h;
    s->ctx = ctx;
    html_opts o;
    h->opt_load(ctx, &o);
    s->min_chars = o.min_chars;
    s->sniff = o.sniff;
    xmlInitParser();
    s->mem = arena_new();
    const char *path = o.hints;
    if (path) {
        char err[512];
        json_t *root = yaml_file_load(path, err, sizeof err);
        char **neg = NULL, **pos = NULL, **app = NULL, **cred = NULL;
        size_t nneg = 0, npos = 0, napp = 0, ncred = 0;
        int bad = !root || load_list(json_object_get(root, "negative"), &neg, &nneg) < 0 ||
                  load_list(json_object_get(root, "positive"), &pos, &npos) < 0 ||
                  load_list(json_object_get(root, "appendix"), &app, &napp) < 0 ||
                  load_list(json_object_get(root, "credit"), &cred, &ncred) < 0;
        if (!bad) { /* list i is bit i: HINT_NEGATIVE, HINT_POSITIVE */
            char *const *const lists[] = {neg, pos};
            const size_t counts[] = {nneg, npos};
            s->h.words = hint_set_new(lists, counts, 2);
            s->h.use = HINT_NEGATIVE | HINT_POSITIVE;
            if (napp)
                s->h.appendix = s->appendix = phrase_list_new(app, napp);
            if (ncred)
                s->h.credit = s->credit = phrase_list_new(cred, ncred);
        }
        free_list(neg, nneg);
        free_list(pos, npos);
        free_list(app, napp);
        free_list(cred, ncred);
        json_decref(root);
        if (bad || !s->h.words) {
            h->error(ctx, "hints: %s",
                     !root ? err : bad ? "expected negative:, positive: (appendix:, credit:) lists of words" : "too many words");
            html_destroy(s);
            return NULL;
        }
    }
    return s;
}

/* HTML by its declared type, or by markup among its first bytes. */
static int is_html(const step *s, const cv_doc *doc, const char *t, size_t len)
{
    const char *ct = s->host->meta_get_string(doc, "content_type");
    if (ct)
        return strstr(ct, "html") != NULL;
    if (!s->sniff)
        return 0;
    size_t n = len < 1024 ? len : 1024;
    char head[1025];
    for (size_t i = 0; i < n; i++)
        head[i] = (char)tolower((unsigned char)t[i]);
    head[n] = '\0';
    return strstr(head, "<!doctype html") || strstr(head, "<html") || strstr(head, "<head") || strstr(head, "<body");
}

static char *prop(xmlNodePtr n, const char *name) { return (char *)xmlGetProp(n, (const xmlChar *)name); }

static int named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && !strcasecmp((const char *)n->name, name);
}

/* Collapse white space; the result is malloc'd (NULL when empty). */
static char *clean_text(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s), k = 0;
    char *o = xmalloc(n + 1);
    int space = 0;
    for (const char *p = s; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = k > 0;
            continue;
        }
        if (space)
            o[k++] = ' ';
        space = 0;
        o[k++] = *p;
    }
    o[k] = '\0';
    if (!k) {
        free(o);
        return NULL;
    }
    return o;
}

typedef struct found {
    char *title, *og_title, *lang, *date, *canonical;
    char *body; /* the longest articleBody of the page's JSON-LD (malloc'd) */
} found;

static void keep(char **slot, char *v)
{
    if (!*slot && v && *v)
        *slot = v;
    else
        xmlFree(v);
}

/* A date as YYYY-MM-DD when it starts like an ISO 8601 one. */
static char *iso_date(const char *v)
{
    if (!v)
        return NULL;
    while (isspace((unsigned char)*v))
        v++;
    if (strlen(v) < 10 || !isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[3]) || v[4] != '-' ||
        !isdigit((unsigned char)v[5]) || v[7] != '-' || !isdigit((unsigned char)v[8]))
        return NULL;
    char *d = xmalloc(11);
    memcpy(d, v, 10);
    d[10] = '\0';
    return d;
}

static void set_date(found *f, const char *v)
{
    char *d = iso_date(v);
    if (d && !f->date)
        f->date = d;
    else
        free(d);
}

/* "datePublished": "..." in JSON-LD, found as text rather than parsed. */
static void json_ld_date(found *f, const char *s)
{
    const char *k = s ? strstr(s, "\"datePublished\"") : NULL;
    if (!k)
        return;
    const char *q = strchr(k + 15, '"');
    if (q)
        set_date(f, q + 1);
}

typedef struct ld_body {
    const char *best; /* the longest articleBody string so far, NULL: none */
    size_t len;       /* its bytes, or the body already found (none shorter counts) */
} ld_body;

/* An object's articleBody string into the ld_body when longer. */
static int visit_body(json_t *v, void *ctx)
{
    ld_body *b = ctx;
    json_t *body = json_object_get(v, "articleBody");
    if (json_is_string(body) && json_string_length(body) > b->len) {
        b->best = json_string_value(body);
        b->len = json_string_length(body);
    }
    return LD_DESCEND;
}

/* f->body becomes text (len bytes) when it is longer. */
static void longer_body(found *f, const char *text, size_t len)
{
    if (f->body && strlen(f->body) >= len)
        return;
    free(f->body);
    f->body = xmalloc(len + 1);
    memcpy(f->body, text, len);
    f->body[len] = '\0';
}

/* A page rendered by script can hold its text only in its schema.org
 * data: the longest articleBody, as plain text (one with markup in it is
 * left alone), or a HowTo's description and steps (howto.h), kept in
 * f->body. */
static void json_ld_body(found *f, const char *s)
{
    if (!s || (!strstr(s, "\"articleBody\"") && !strstr(s, "\"HowTo\"")))
        return;
    json_t *root = json_loads(s, JSON_DECODE_ANY, NULL);
    cv_buf steps = {0};
    if (howto_text(root, &steps) && !memchr(steps.p, '\0', steps.len))
        longer_body(f, steps.p, steps.len);
    buf_free(&steps);
    ld_body found = {NULL, f->body ? strlen(f->body) : 0};
    ld_walk(root, visit_body, &found);
    const char *best = found.best;
    size_t len = found.len;
    int markup = 0;
    for (const char *p = best; p && *p && !markup; p++)
        markup = *p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/');
    if (best && !markup && memchr(best, '\0', len) == NULL)
        longer_body(f, best, len);
    json_decref(root);
}

enum { T_OTHER, T_HTML, T_TITLE, T_META, T_LINK, T_SCRIPT, T_TIME };

/* Which of the elements read_meta reads n is: its first letter leaves at
 * most one name to compare, as the parser asks for every element. */
static int meta_tag(xmlNodePtr n)
{
    if (!n->name)
        return T_OTHER;
    switch (n->name[0] | 0x20) {
    case 'h':
        return named(n, "html") ? T_HTML : T_OTHER;
    case 't':
        return named(n, "title") ? T_TITLE : named(n, "time") ? T_TIME : T_OTHER;
    case 'm':
        return named(n, "meta") ? T_META : T_OTHER;
    case 'l':
        return named(n, "link") ? T_LINK : T_OTHER;
    case 's':
        return named(n, "script") ? T_SCRIPT : T_OTHER;
    default:
        return T_OTHER;
    }
}

/* What element n (of kind tag) says of the page.  Called for those
 * elements in document order, first to last, so that the first title, date
 * and og:url and the last canonical link win. */
static void read_meta(xmlNodePtr n, int tag, found *f)
{
    if (tag == T_HTML)
        keep(&f->lang, prop(n, "lang"));
    else if (tag == T_TITLE && !f->title) {
        xmlChar *t = xmlNodeGetContent(n);
        f->title = clean_text((const char *)t);
        xmlFree(t);
    } else if (tag == T_META) {
        char *p = prop(n, "property"), *nm = prop(n, "name"), *ip = prop(n, "itemprop"), *c = prop(n, "content");
        const char *key = p ? p : nm ? nm : ip;
        if (key && c) {
            if (!strcasecmp(key, "og:title") && !f->og_title)
                f->og_title = clean_text(c);
            else if (!strcasecmp(key, "article:published_time") || !strcasecmp(key, "datePublished") ||
                     !strcasecmp(key, "date") || !strcasecmp(key, "pubdate") || !strcasecmp(key, "dc.date"))
                set_date(f, c);
            else if (!strcasecmp(key, "og:url") && !f->canonical) {
                f->canonical = c;
                c = NULL;
            }
        }
        xmlFree(p);
        xmlFree(nm);
        xmlFree(ip);
        xmlFree(c);
    } else if (tag == T_LINK) {
        char *rel = prop(n, "rel");
        if (rel && !strcasecmp(rel, "canonical")) {
            char *href = prop(n, "href");
            if (href && *href) { /* the canonical link wins over og:url */
                xmlFree(f->canonical);
                f->canonical = href;
            } else {
                xmlFree(href);
            }
        }
        xmlFree(rel);
    } else if (tag == T_SCRIPT) {
        char *type = prop(n, "type");
        if (type && !strcasecmp(type, "application/ld+json")) {
            xmlChar *t = xmlNodeGetContent(n);
            json_ld_date(f, (const char *)t);
            json_ld_body(f, (const char *)t);
            xmlFree(t);
        }
        xmlFree(type);
    } else if (tag == T_TIME) {
        char *dt = prop(n, "datetime");
        set_date(f, dt);
        xmlFree(dt);
    }
}

/* The document shares the parser's dictionary, and every element's name is
 * the dictionary's one copy of it: libxml2 gives an HTML element a name of
 * its own (a malloc'd copy per element), and a name kept once per page
 * lets extract.c know a tag by its address.  Nothing else changes: the
 * same strings, freed with the dictionary instead of one by one. */
static void start_document(void *ctx)
{
    xmlParserCtxtPtr c = ctx;
    xmlSAX2StartDocument(ctx);
    if (c->myDoc && !c->myDoc->dict && c->dict) {
        c->myDoc->dict = c->dict;
        xmlDictReference(c->dict);
    }
}

/* The elements read_meta wants are noted as the parser makes them, not
 * looked for in the whole tree afterwards: the parser makes elements in
 * document order and only ever appends them, so the list is the order of
 * a walk of the tree.  (A script's content is text to the parser: no
 * element is ever inside one.) */
static void note_meta(step *s, xmlNodePtr n)
{
    if (meta_tag(n) == T_OTHER)
        return;
    if (s->nmetas == s->cmetas) {
        s->cmetas = s->cmetas ? 2 * s->cmetas : 64;
        s->metas = xrealloc(s->metas, s->cmetas * sizeof *s->metas);
    }
    s->metas[s->nmetas++] = n;
}

/* The name as the dictionary's copy (the parser passes its own, but for
 * the html, head and body it implies). */
static const xmlChar *interned(xmlDictPtr dict, const xmlChar *name)
{
    return xmlDictOwns(dict, name) ? name : xmlDictLookup(dict, name, -1);
}

/* An attribute as xmlSAX2StartElement adds it to an HTML element, taking
 * the value the parser allocated (*value is left NULL, so the parser does
 * not free it) instead of copying it, and registering no ID: nothing here
 * looks an element up by its id. */
static void add_attr(xmlParserCtxtPtr c, xmlNodePtr n, const xmlChar *name, const xmlChar **value)
{
    xmlChar *v = (xmlChar *)*value;
    if (!v && htmlIsBooleanAttr(name))
        v = xmlStrdup(name);
    else
        *value = NULL;
    xmlAttrPtr a = xmlNewNsPropEatName(n, NULL, (xmlChar *)interned(c->dict, name), NULL);
    if (!a || !v) {
        xmlFree(v);
        return;
    }
    a->children = a->last = xmlNewDocText(c->myDoc, NULL);
    if (!a->children) {
        xmlFree(v);
        return;
    }
    a->children->content = v;
    a->children->parent = (xmlNodePtr)a;
}

/* xmlSAX2StartElement for an HTML page, less its copies: the element is
 * named by the dictionary's copy of its name (libxml2 makes a copy per
 * element; with one per page, extract.c knows a tag by its address), and
 * attributes keep the parser's values (add_attr).  A name with a colon is
 * split into prefix and name by libxml2's own, which then gets the
 * dictionary's name.  The elements read_meta wants are noted as they come
 * (note_meta). */
static void start_element(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    xmlParserCtxtPtr c = ctx;
    xmlNodePtr parent = c->node;
    if (!c->html || c->validate || !c->dict || !c->myDoc || c->myDoc->dict != c->dict ||
        strchr((const char *)name, ':')) {
        xmlSAX2StartElement(ctx, name, atts);
        xmlNodePtr n = c->node;
        if (!n || n == parent || n->type != XML_ELEMENT_NODE)
            return;
        note_meta(c->_private, n);
        if (!n->doc || !n->doc->dict || xmlDictOwns(n->doc->dict, n->name))
            return;
        const xmlChar *in = xmlDictLookup(n->doc->dict, n->name, -1);
        if (in) {
            xmlFree((xmlChar *)n->name);
            n->name = in;
        }
        return;
    }
    xmlNodePtr n = xmlNewDocNodeEatName(c->myDoc, NULL, (xmlChar *)interned(c->dict, name), NULL);
    if (!n)
        return;
    if (!c->myDoc->children)
        xmlAddChild((xmlNodePtr)c->myDoc, n);
    else if (!parent)
        parent = c->myDoc->children;
    c->nodemem = -1;
    if (c->linenumbers && c->input)
        n->line = c->input->line < USHRT_MAX ? (unsigned short)c->input->line : USHRT_MAX;
    if (nodePush(c, n) < 0) {
        xmlUnlinkNode(n);
        xmlFreeNode(n);
        return;
    }
    if (parent && parent->type == XML_ELEMENT_NODE)
        xmlAddChild(parent, n);
    else if (parent)
        xmlAddSibling(parent, n);
    for (size_t i = 0; atts && atts[i]; i += 2)
        add_attr(c, n, atts[i], &atts[i + 1]);
    note_meta(c->_private, n);
}

/* htmlReadMemory(text, len, NULL, "UTF-8", options), step by step, to see
 * whether the parser stopped early: past 256 levels of nesting it halts
 * and the rest of the page would be lost.  s->metas: the elements of the
 * page read_meta wants (note_meta). */
static htmlDocPtr parse(step *s, const char *text, size_t len, int *halted)
{
    *halted = 0;
    s->nmetas = 0;
    int n = (int)(len > 0x7fffffff ? 0x7fffffff : len);
#if LIBXML_VERSION < 21200 /* what 2.9's htmlReadMemory does; deprecated since 2.12, whose makes an HTML context */
    xmlParserCtxtPtr c = xmlCreateMemoryParserCtxt(text, n);
    if (!c)
        return NULL;
    htmlDefaultSAXHandlerInit();
    if (c->sax)
        memcpy(c->sax, &htmlDefaultSAXHandler, sizeof(xmlSAXHandlerV1));
#else
    htmlParserCtxtPtr c = htmlCreateMemoryParserCtxt(text, n);
    if (!c)
        return NULL;
#endif
    htmlCtxtUseOptions(c, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                              HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC);
    c->html = 1;
    c->_private = s;
    if (c->sax) {
        c->sax->startDocument = start_document;
        c->sax->startElement = start_element;
    }
    xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8");
    if (utf8) {
        xmlSwitchToEncoding(c, utf8);
        xmlFree((xmlChar *)c->input->encoding);
        c->input->encoding = xmlStrdup((const xmlChar *)"UTF-8");
    }
    htmlParseDocument(c);
    htmlDocPtr d = c->myDoc;
    c->myDoc = NULL;
    *halted = c->disableSAX != 0;
    if (c->dictNames && d && d->dict == c->dict)
        c->dict = NULL;
    xmlFreeParserCtxt(c);
    return d;
}

/* The attributes this step reads (read_meta, and extract.c's class and id
 * hints and hidden elements): the parser is shown no other.  It would copy
 * each one character by character into the tree, and links, image sources
 * and data- attributes are much of a page; of a link's address it is shown
 * the part that names the site (bound.h), all extract.c asks of it.  An
 * attribute read anywhere in the step must be listed here. */
static int read_attr(const char *tag, size_t tag_len, const char *a, size_t a_len)
{
#define NAMED(s, n, lit) ((n) == sizeof lit - 1 && !strncasecmp(s, lit, sizeof lit - 1))
    if (NAMED(a, a_len, "class") || NAMED(a, a_len, "id") || NAMED(a, a_len, "style") ||
        NAMED(a, a_len, "hidden") || NAMED(a, a_len, "aria-hidden"))
        return 1;
    if (NAMED(tag, tag_len, "meta"))
        return NAMED(a, a_len, "property") || NAMED(a, a_len, "name") || NAMED(a, a_len, "itemprop") ||
               NAMED(a, a_len, "content");
    if (NAMED(tag, tag_len, "link"))
        return NAMED(a, a_len, "rel") || NAMED(a, a_len, "href");
    if (NAMED(tag, tag_len, "a")) /* where a link goes: to the page's own site or away (extract.c) */
        return NAMED(a, a_len, "href") ? BOUND_KEEP_SITE : 0;
    if (NAMED(tag, tag_len, "script"))
        return NAMED(a, a_len, "type");
    if (NAMED(tag, tag_len, "time"))
        return NAMED(a, a_len, "datetime");
    if (NAMED(tag, tag_len, "html"))
        return NAMED(a, a_len, "lang");
    return 0;
#undef NAMED
}

/* The page parsed in time linear in its size, with all its text: too many
 * attributes on a tag are cut before the parser's quadratic check of them,
 * and a page the parser gave up on for its depth is read again flattened
 * (at a depth well inside the parser's limit, then with no levels at all). */
static htmlDocPtr parse_bounded(step *s, const char *text, size_t len)
{
    if (bound_strip_nul(text, len, &s->unnul)) {
        text = s->unnul.p;
        len = s->unnul.len;
    }
    int did = bound_strip_raw(text, len, read_attr, BOUND_MAX_ATTRS, &s->stripped);
    if (did & BOUND_CAPPED)
        s->host->count(s->ctx, "bounded:attributes", 1);
    if (did & BOUND_REWROTE) {
        text = s->stripped.p;
        len = s->stripped.len;
    }
    int halted;
    htmlDocPtr d = parse(s, text, len, &halted);
    static const size_t depths[] = {128, 0};
    for (size_t k = 0; halted && k < sizeof depths / sizeof depths[0]; k++) {
        xmlFreeDoc(d);
        bound_flatten(text, len, depths[k], &s->flat);
        s->host->count(s->ctx, "bounded:depth", 1);
        d = parse(s, s->flat.p, s->flat.len, &halted);
    }
    return d;
}

/* The page's tree and whatever else libxml2 allocated for it go: at once
 * with the arena, node by node for what spilled out of it. */
static void done_with(step *s, htmlDocPtr d)
{
    xmlResetLastError(); /* the thread's copy of the last parse error, made in the arena */
    if (arena_end(s->mem))
        xmlFreeDoc(d);
    arena_reset(s->mem);
}

static cv_status html_process(void *p, cv_doc *doc)
{
    step *s = p;
    const cv_host *h = s->host;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    if (!is_html(s, doc, text, len))
        return CV_OK;
    arena_begin(s->mem);
    htmlDocPtr d = parse_bounded(s, text, len);
    if (!d) {
        done_with(s, NULL);
        h->doc_drop(doc, "no_content", "not parsable");
        return CV_DROP;
    }
    found f = {0};
    for (size_t i = 0; i < s->nmetas; i++)
        read_meta(s->metas[i], meta_tag(s->metas[i]), &f);
    /* the page's own site: its address as the input gives it, or as the page does */
    const char *url = h->meta_get_string(doc, "url");
    extract_main(d, &s->h, url ? url : f.canonical, &s->out);
    /* The page shows less than half of the text its data declares: the
     * text was left for a script to render (or the page is a teaser of it). */
    if (f.body && 2 * utf8_chars(s->out.p, s->out.len) < utf8_chars(f.body, strlen(f.body))) {
        s->out.len = 0;
        buf_add(&s->out, f.body, strlen(f.body));
        buf_add(&s->out, "", 0);
    }
    free(f.body);
    const char *title = f.title ? f.title : f.og_title;
    if (title)
        h->meta_set_string(doc, "title", title);
    if (f.lang)
        h->meta_set_string(doc, "html_lang", f.lang);
    if (f.date)
        h->meta_set_string(doc, "date", f.date);
    if (f.canonical && !h->meta_get_string(doc, "url"))
        h->meta_set_string(doc, "url", f.canonical);
    free(f.title);
    free(f.og_title);
    free(f.date);
    xmlFree(f.lang);
    xmlFree(f.canonical);
    done_with(s, d);
    size_t chars = utf8_chars(s->out.p, s->out.len);
    if ((int64_t)chars < s->min_chars || chars == 0) {
        h->doc_drop(doc, "no_content", NULL);
        return CV_DROP;
    }
    if (h->doc_set_text(doc, s->out.p, s->out.len) < 0) {
        h->error(s->ctx, "the extracted text is not valid UTF-8");
        return CV_ERROR;
    }
    h->meta_set_string(doc, "content_type", "text/plain");
    return CV_OK;
}

static const cv_plugin html_step = {
    CV_PLUGIN_HEADER,
    .name = "html",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "HTML pages to their main content as plain text, with title, language, date and canonical url",
    .optmap = html_optmap,
    .create = html_create,
    .destroy = html_destroy,
    .process = html_process,
};

CONVERT_PLUGINS(&html_step)
