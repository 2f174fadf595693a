/* extract.c -- see extract.h. */
#include "extract.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { K_PARA, K_HEAD, K_ITEM, K_PRE, K_CELL };

typedef struct block {
    size_t start, len;  /* bytes of the page text */
    size_t chars, link; /* code points, of them in links */
    size_t own_link;    /* ...of them in links to another page of the page's own site */
    int kind;
    int pane; /* in a hidden pane (shown_kin): kept with its container, no vote for one */
    xmlNodePtr node; /* the block element */
} block;

/* What the scorer knows of an element (hung on its _private). */
typedef struct elem {
    double score;
    size_t chars, link; /* text and link text under it */
    int scored;         /* a candidate */
    int positive;       /* its class or id holds a positive word */
    uint64_t unit;      /* its class under its ancestors', hashed (discount_repeated_positives); 0: no class */
} elem;

typedef struct walk {
    const hints *h;
    size_t total; /* text bytes of the whole page */
    cv_buf text; /* all blocks' text, back to back */
    block *b;
    size_t nb, cb;
    size_t cur_start;      /* where the open block's text starts */
    size_t cur_chars, cur_link, cur_own;
    int cur_kind;
    xmlNodePtr cur_node;
    int in_link, in_pre, in_pane, in_own;
    const char *site; /* the page's host (without "www."), site_len bytes; 0: unknown */
    size_t site_len;
    uint64_t path; /* the classes of the open block elements, hashed from the root */
    int space; /* a space is owed before the next word */
    int chrome_tags; /* nav, aside, footer, header, form...: walked too (looking for an <article>) */
    elem *e;
    size_t ne, ce;
} walk;

/* libxml2's HTML parser lower-cases element names, so strcmp does. */
static int is(const xmlNode *n, const char *name) { return n->name && !strcmp((const char *)n->name, name); }

static int in_list(const xmlNode *n, const char *const *set)
{
    for (; *set; set++)
        if (is(n, *set))
            return 1;
    return 0;
}

static const char *const skipped[] = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object",
                                      "embed", "canvas", "form", "button", "select", "textarea", "input", "nav",
                                      "footer", "aside", "menu", "dialog", "head", "figure", "video", "audio", "map",
                                      "label", "option", NULL};
static const char *const blocks[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th",
                                     "dd", "dt", "div", "section", "article", "main", "figcaption", "address",
                                     "summary", "caption", "table", "tr", "ul", "ol", "dl", "body", "header", "center",
                                     "details", NULL};

static int kind_of(const xmlNode *n)
{
    if (n->name && (n->name[0] == 'h' || n->name[0] == 'H') && n->name[1] >= '1' && n->name[1] <= '6' && !n->name[2])
        return K_HEAD;
    if (is(n, "li") || is(n, "dd") || is(n, "dt"))
        return K_ITEM;
    if (is(n, "pre"))
        return K_PRE;
    if (is(n, "td") || is(n, "th"))
        return K_CELL;
    return K_PARA;
}

static char *attr(const xmlNode *n, const char *name)
{
    return (char *)xmlGetProp((xmlNodePtr)n, (const xmlChar *)name);
}

/* Which hint lists (bits) have a word that a token of the class or id
 * (split at anything not a letter or digit) equals, or begins with if the
 * word has four letters or more (hintset.h)?  The
 * part of a class name after "--" is a BEM modifier, which says what an
 * element has or how it looks, not what it is ("section--has-ads" is a
 * section), so its tokens do not count. */
static unsigned hinted(const char *v, const hint_set *words)
{
    char tok[128];
    int modifier = 0;
    unsigned found = 0;
    while (v && *v) {
        size_t k = 0;
        while (*v && !isalnum((unsigned char)*v)) {
            if (v[0] == '-' && v[1] == '-')
                modifier = 1;
            else if (isspace((unsigned char)*v))
                modifier = 0; /* the next class name */
            v++;
        }
        while (*v && isalnum((unsigned char)*v)) {
            if (k + 1 < sizeof tok)
                tok[k++] = (char)tolower((unsigned char)*v);
            v++;
        }
        if (!modifier)
            found |= hint_set_match(words, tok, k);
    }
    return found;
}

#define FNV_START 0xcbf29ce484222325u

/* FNV-1a of n bytes, on from h. */
static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
    return h;
}

/* FNV-1a of a string (NULL: none), on from h. */
static uint64_t hash_on(uint64_t h, const char *c) { return c ? hash_bytes(h, c, strlen(c)) : h; }

/* The hash of an element's class attribute, never 0 (0: no class). */
static uint64_t class_hash(const char *c)
{
    uint64_t h = hash_on(FNV_START, c);
    return h ? h : 1;
}

#define HINT_WEIGHT 25 /* a class word's points, up or down */
#define ANCHOR_WORDS 2 /* words of a heading's own text that its id spells to be an anchor */
#define ANCHOR_MAX_BYTES 300 /* a longer id or heading is no title's anchor */

/* The next word of s from *s on: a run of letters and digits (bytes past
 * ASCII count as letters); its length in *k, NULL past the last. */
static const char *next_word(const char **s, size_t *k)
{
    const char *p = *s;
    while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
        p++;
    if (!*p)
        return NULL;
    const char *q = p;
    while (*q && (isalnum((unsigned char)*q) || (unsigned char)*q >= 0x80))
        q++;
    *k = (size_t)(q - p);
    *s = q;
    return p;
}

/* Does a heading's id spell words of its own text, and its text hold no
 * negative hint word ("nav_nur_die_folie__1" on "Nur die Folie bleibt
 * zuruck")?  Then it is an anchor that a table of contents made from the
 * title, and the hint word in it says nothing of the element's role
 * ("comments-title" over "142 replies" still does, and so does
 * "comment-post-message" over "Post a Comment"). */
static int anchor_id(const walk *w, const xmlNode *n, const char *id)
{
    if (strlen(id) > ANCHOR_MAX_BYTES)
        return 0;
    xmlChar *text = xmlNodeGetContent(n);
    size_t found = 0, k, m;
    const char *c = id, *t;
    if (!text || strlen((const char *)text) > ANCHOR_MAX_BYTES ||
        (hinted((const char *)text, w->h->words) & HINT_NEGATIVE))
        c = ""; /* the title itself names chrome (or is no title: words by words would be quadratic) */
    while (found < ANCHOR_WORDS && (t = next_word(&c, &k))) {
        const char *d = (const char *)text, *u;
        int in = 0;
        while (!in && (u = next_word(&d, &m)))
            in = m == k && !strncasecmp(u, t, k);
        found += in && k > 1;
    }
    xmlFree(text);
    return found >= ANCHOR_WORDS;
}

static int class_weight(const walk *w, const xmlNode *n, int *negative, int *positive, uint64_t *cls)
{
    char *c = attr(n, "class"), *id = attr(n, "id");
    unsigned in_id = w->h->words ? hinted(id, w->h->words) : 0;
    if ((in_id & HINT_NEGATIVE) && kind_of(n) == K_HEAD && anchor_id(w, n, id))
        in_id = 0;
    unsigned found = w->h->words ? (hinted(c, w->h->words) | in_id) & w->h->use : 0;
    int neg = (found & HINT_NEGATIVE) != 0, pos = (found & HINT_POSITIVE) != 0;
    *cls = c && *c ? class_hash(c) : 0;
    xmlFree(c);
    xmlFree(id);
    *negative = neg && !pos;
    *positive = pos;
    return (pos ? HINT_WEIGHT : 0) - (neg ? HINT_WEIGHT : 0);
}

/* The next token of a class attribute from *c on (its length in *k), or
 * NULL past the last; *c moves past it. */
static const char *next_class(const char **c, size_t *k)
{
    const char *p = *c;
    while (p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f'))
        p++;
    if (!p || !*p)
        return NULL;
    *k = strcspn(p, " \t\n\r\f");
    *c = p + *k;
    return p;
}

/* A utility class that hides (without a leading "!"). */
static int hiding(const char *t, size_t k)
{
    return k == 6 && (!memcmp(t, "hidden", 6) || !memcmp(t, "d-none", 6));
}

/* A class that hides the element on every screen: CSS frameworks' utility
 * classes "hidden" (Tailwind, Bootstrap 3; "!hidden" forces it) and
 * "d-none" (Bootstrap 4+), unless another class shows it from some screen
 * width on ("hidden md:block", "d-none d-lg-flex"): a banner asking to
 * update the browser, a closed dialog. */
static int hidden_class(const char *c)
{
    int hides = 0, shows = 0;
    size_t k;
    for (const char *t; (t = next_class(&c, &k));) {
        if (k && *t == '!')
            t++, k--;
        if (hiding(t, k))
            hides = 1;
        else if (k > 2 && !memcmp(t, "d-", 2))
            shows = 1;
        else if (memchr(t, ':', k)) { /* a variant: shows when it sets a display */
            const char *v = t + k;
            while (v[-1] != ':')
                v--;
            size_t vk = (size_t)(t + k - v);
            static const char *const displays[] = {"block", "flex", "grid", "inline", "inline-block",
                                                   "inline-flex", "table", "contents", NULL};
            for (const char *const *d = displays; *d; d++)
                shows |= vk == strlen(*d) && !memcmp(v, *d, vk);
        }
    }
    return hides && !shows;
}

static int hidden(const xmlNode *n)
{
    if (xmlHasProp((xmlNodePtr)n, (const xmlChar *)"hidden"))
        return 1;
    char *c = attr(n, "class");
    int by_class = hidden_class(c);
    xmlFree(c);
    if (by_class)
        return 1;
    char *a = attr(n, "aria-hidden");
    int h = a && !strcasecmp(a, "true");
    xmlFree(a);
    if (h)
        return 1;
    char *st = attr(n, "style");
    if (st) {
        char flat[256];
        size_t k = 0;
        for (const char *p = st; *p && k + 1 < sizeof flat; p++)
            if (!isspace((unsigned char)*p))
                flat[k++] = (char)tolower((unsigned char)*p);
        flat[k] = '\0';
        h = strstr(flat, "display:none") || strstr(flat, "visibility:hidden");
        xmlFree(st);
    }
    return h;
}

/* The first token of an element's class: what kind of element it is
 * ("tab-pane", "gallery-slide"); the tokens after it say its state.  Empty
 * when it has none or it starts with a hiding class. */
static size_t kind_token(const char *c, const char **tok)
{
    size_t k;
    const char *t = next_class(&c, &k);
    if (!t)
        return 0;
    *tok = t;
    if (*t == '!' ? hiding(t + 1, k - 1) : hiding(t, k))
        return 0; /* a hiding class names no kind */
    return k;
}

#define KIN_MAX_SIBLINGS 64 /* siblings looked at for a shown one of the same kind */

/* A hidden element with a shown sibling of its tag and kind is one pane of
 * a set the page shows one at a time (tabs, a slide show, an accordion, the
 * rest of a text behind "read more"): its text is the page's as much as
 * the shown pane's.  Hidden chrome (a dialog, a notice, a banner) stands
 * alone. */
static int shown_kin(const xmlNode *n)
{
    char *c = attr(n, "class");
    const char *tok = NULL;
    size_t k = kind_token(c, &tok);
    int found = 0, looked = 0;
    for (const xmlNode *s = n->parent ? n->parent->children : NULL; s && k && !found && looked < KIN_MAX_SIBLINGS;
         s = s->next) {
        if (s == n || s->type != XML_ELEMENT_NODE || !xmlStrEqual(s->name, n->name))
            continue;
        looked++;
        char *sc = attr(s, "class");
        const char *stok = NULL;
        size_t sk = kind_token(sc, &stok);
        found = sk == k && !memcmp(stok, tok, k) && !hidden(s);
        xmlFree(sc);
    }
    xmlFree(c);
    return found;
}

static elem *elem_of(walk *w, xmlNodePtr n)
{
    if (n->_private)
        return &w->e[(size_t)n->_private - 1];
    if (w->ne == w->ce) {
        w->ce = w->ce ? 2 * w->ce : 256;
        w->e = xrealloc(w->e, w->ce * sizeof *w->e);
    }
    w->e[w->ne] = (elem){0};
    n->_private = (void *)(w->ne + 1);
    return &w->e[w->ne++];
}

static void flush(walk *w)
{
    /* trim the block's trailing space and line breaks */
    while (w->text.len > w->cur_start && (w->text.p[w->text.len - 1] == ' ' || w->text.p[w->text.len - 1] == '\n'))
        w->text.len--;
    if (w->text.len > w->cur_start && w->cur_node) {
        if (w->nb == w->cb) {
            w->cb = w->cb ? 2 * w->cb : 128;
            w->b = xrealloc(w->b, w->cb * sizeof *w->b);
        }
        w->b[w->nb++] = (block){w->cur_start, w->text.len - w->cur_start, w->cur_chars, w->cur_link, w->cur_own,
                                w->cur_kind, w->in_pane > 0, w->cur_node};
    } else {
        w->text.len = w->cur_start;
    }
    w->cur_start = w->text.len;
    w->cur_chars = w->cur_link = w->cur_own = 0;
    w->space = 0;
}

static void add_text(walk *w, const char *s)
{
    /* written in place: at most a space owed from before, and s */
    buf_reserve(&w->text, strlen(s) + 1);
    char *o = w->text.p;
    size_t k = w->text.len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (!w->in_pre && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == '\f')) {
            w->space = k > w->cur_start;
            continue;
        }
        if (!w->in_pre && *p == 0xC2 && p[1] == 0xA0) { /* a no-break space is a space */
            w->space = k > w->cur_start;
            p++;
            continue;
        }
        if (w->space) {
            o[k++] = ' ';
            w->cur_chars++;
            w->space = 0;
        }
        o[k++] = (char)*p;
        if ((*p & 0xC0) != 0x80) {
            w->cur_chars++;
            w->cur_link += w->in_link;
            w->cur_own += w->in_own;
        }
    }
    o[k] = '\0';
    w->text.len = k;
}

/* Elements that never hold the main text, however broken the markup.  A
 * ruby annotation (rt: the reading printed above a Japanese or Chinese
 * word, rp: the brackets around it where ruby is not shown) is no part of
 * the sentence: kept, it splits every annotated word in two. */
static const char *const never_content[] = {"script", "style", "template", "svg", "math", "iframe", "object",
                                            "embed", "canvas", "select", "textarea", "input", "button", "head",
                                            "video", "audio", "map", "option", "rt", "rp", NULL};

/* Which of the sets above a tag name is in, remembered by the name's
 * address for the page being walked: libxml2 keeps one copy of each name in
 * the document's dictionary, and a page has a few dozen.  A name not seen
 * before (or not interned) is looked up in the lists. */
enum { IN_NEVER = 1, IN_SKIP = 2, IN_BLOCK = 4, TAG_CACHE = 128 };
static __thread struct {
    const xmlChar *name;
    unsigned char sets;
} tag_cache[TAG_CACHE];

static unsigned tag_sets(const xmlNode *n)
{
    /* names in a dictionary lie a few bytes apart: hash the whole address */
    size_t h = (size_t)(((uint64_t)(uintptr_t)n->name * 0x9E3779B97F4A7C15u) >> 57) % TAG_CACHE;
    if (tag_cache[h].name == n->name && n->name)
        return tag_cache[h].sets;
    unsigned v = (in_list(n, never_content) ? IN_NEVER : 0) | (in_list(n, skipped) ? IN_SKIP : 0) |
                 (in_list(n, blocks) ? IN_BLOCK : 0);
    tag_cache[h].name = n->name;
    tag_cache[h].sets = (unsigned char)v;
    return v;
}


static size_t text_under(const xmlNode *n);

/* Text bytes of n and the siblings after it, but what never holds content. */
static size_t text_bytes(const xmlNode *n)
{
    size_t t = 0;
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content)
            t += strlen((const char *)n->content);
        else if (n->type == XML_ELEMENT_NODE && !(tag_sets(n) & IN_NEVER))
            t += text_under(n);
    }
    return t;
}

/* text_bytes(n->children), kept on n for the page: the passes ask for the
 * same subtrees again and again (each element that may swallow the page,
 * each paragraph of one).  It sits in psvi, plus one, which libxml2 uses
 * only for XML Schema validation. */
static size_t text_under(const xmlNode *n)
{
    xmlNode *m = (xmlNode *)n;
    if (!m->psvi)
        m->psvi = (void *)(uintptr_t)(text_bytes(n->children) + 1);
    return (size_t)(uintptr_t)m->psvi - 1;
}

/* A form, a noscript or a footer left open by broken markup can hold the
 * rest of the page (an ASP.NET page is one big form): an element to leave
 * out keeps its place when it holds more than this share of the text... */
#define SWALLOW_TAG 0.4
#define SWALLOW_CLASS 0.6
#define SWALLOW_PARAS 3         /* ...or this many paragraphs... */
#define SWALLOW_PARA_BYTES 200  /* ...of this many bytes of text */
#define PANE_MIN_BYTES 200 /* a hidden pane holds a paragraph at least: not a toggled label or a form's message */
#define TRIM_CHARS 40     /* shorter lines without a sentence end at the end of the text go */
#define SHORT_CHARS 20    /* ...and anywhere in it */
#define DATE_LINE_CHARS 60 /* a date line (by the headline, under the text) is no longer... */
#define DATE_LINE_WORDS 4  /* ...and has at most this many words besides its numbers */
#define LEAD_GAP 3        /* blocks of another kind between a lead and the text */
#define LEAD_MIN_CHARS 70 /* a lead or a last paragraph is at least this long */
#define RETRY_CHARS 300         /* a text shorter than this is tried again without negative hints */
#define ARTICLE_MIN_TEXT 100    /* an <article> with less text outside links is none (the last try) */
#define INTRO_CHARS 60          /* a line introducing a left-out list is shorter */
#define CREDIT_CHARS 1000       /* a block with a copyright sign is a credit line when shorter */
#define TAIL_CHARS 300          /* a paragraph after the text, in another wrapper, is page furniture when shorter */
#define TAIL_MIN_PARAS 3        /* ...once the text's own wrapper holds this many paragraphs */

/* Paragraphs of prose under n, counted up to `enough`. */
static size_t prose_paragraphs(const xmlNode *n, size_t enough)
{
    size_t k = 0;
    for (; n && k < enough; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || (tag_sets(n) & IN_NEVER))
            continue;
        if (is(n, "p") && text_under(n) >= SWALLOW_PARA_BYTES)
            k++;
        else
            k += prose_paragraphs(n->children, enough - k);
    }
    return k;
}

/* Does n hold what it cannot be: much of the page's text, or several
 * paragraphs of prose (a modal or a share widget left open by broken
 * markup takes in the article after it)? */
static int swallows(const walk *w, const xmlNode *n, double share)
{
    return (w->total && (double)text_under(n) > share * (double)w->total) ||
           prose_paragraphs(n->children, SWALLOW_PARAS) >= SWALLOW_PARAS;
}

/* A header that holds the page's h1 is the article's own. */
static int has_h1(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (is(c, "h1") || has_h1(c)))
            return 1;
    return 0;
}

/* The host of an address ("https://www.example.org:8080/a" gives
 * "example.org", without "www."), its length in *k; NULL when there is none. */
static const char *url_host(const char *u, size_t *k)
{
    const char *p = u ? strstr(u, "//") : NULL;
    if (!p)
        return NULL;
    p += 2;
    if (!strncasecmp(p, "www.", 4))
        p += 4;
    *k = strcspn(p, "/:?#\\ ");
    return *k ? p : NULL;
}

/* Is one host the other or a subdomain of it ("blog.example.org" of "example.org")? */
static int same_host(const char *a, size_t ak, const char *b, size_t bk)
{
    if (ak < bk) {
        const char *t = a;
        size_t tk = ak;
        a = b, ak = bk, b = t, bk = tk;
    }
    return !strncasecmp(a + ak - bk, b, bk) && (ak == bk || a[ak - bk - 1] == '.');
}

/* Does a link (<a href>) go to another page of the page's own site: a
 * relative address, or one on the page's host?  Not an anchor on the page
 * ("#top"), a script's, a mail address or a phone number. */
static int own_site_link(const walk *w, const xmlNode *n)
{
    char *href = attr(n, "href");
    const char *p = href;
    int own = 0;
    while (p && isspace((unsigned char)*p))
        p++;
    if (p && *p && *p != '#') {
        size_t k = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
        if (p[0] == '/' && p[1] == '/') { /* the scheme's left out */
            const char *host = url_host(p, &k);
            own = host && w->site_len && same_host(host, k, w->site, w->site_len);
        } else if (k && p[k] == ':') { /* an address with a scheme */
            const char *host = (!strncasecmp(p, "http", 4) && (k == 4 || (k == 5 && (p[4] | 32) == 's')))
                                   ? url_host(p, &k) : NULL;
            own = host && w->site_len && same_host(host, k, w->site, w->site_len);
        } else {
            own = 1; /* relative */
        }
    }
    xmlFree(href);
    return own;
}

static void walk_node(walk *w, xmlNodePtr n, int in_article)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                add_text(w, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "br")) {
            if (w->text.len > w->cur_start) {
                buf_addc(&w->text, '\n');
                w->space = 0;
            }
            continue;
        }
        int keep_always = is(n, "html") || is(n, "body") || is(n, "article") || is(n, "main");
        int negative = 0, positive = 0, pane = 0;
        uint64_t cls = 0, save_path = w->path, path = w->path;
        elem *e = NULL;
        int weight = 0;
        if (!keep_always) {
            if (tag_sets(n) & IN_NEVER)
                continue;
            int chrome =
                !w->chrome_tags && ((tag_sets(n) & IN_SKIP) || (is(n, "header") && !in_article && !has_h1(n)));
            /* chrome or hidden goes, unless it holds the page (broken
             * markup); a hidden pane of a set shown one at a time stays */
            if ((chrome || hidden(n)) && !swallows(w, n, SWALLOW_TAG)) {
                pane = !chrome && text_under(n) >= PANE_MIN_BYTES && shown_kin(n);
                if (!pane)
                    continue;
            }
            weight = class_weight(w, n, &negative, &positive, &cls);
            if (negative && !swallows(w, n, SWALLOW_CLASS))
                continue;
        }
        int block = (tag_sets(n) & IN_BLOCK) != 0;
        if (block) {
            flush(w);
            e = elem_of(w, n);
            e->score += weight;
            e->positive = positive;
            path = hash_on(hash_on(w->path * 0x9E3779B97F4A7C15u, (const char *)n->name), "/") ^ cls;
            e->unit = cls ? (path ? path : 1) : 0;
            if (is(n, "div"))
                e->score += 5;
            else if (is(n, "pre") || is(n, "td") || is(n, "blockquote"))
                e->score += 3;
            else if (is(n, "ol") || is(n, "ul") || is(n, "dl") || is(n, "dd") || is(n, "dt") || is(n, "li") ||
                     is(n, "address"))
                e->score -= 3;
            else if (kind_of(n) == K_HEAD || is(n, "th"))
                e->score -= 5;
            else if (is(n, "article") || is(n, "main"))
                e->score += 10;
        }
        xmlNodePtr save_node = w->cur_node;
        int save_kind = w->cur_kind;
        if (block) {
            w->cur_node = n;
            w->cur_kind = kind_of(n);
        }
        int link = is(n, "a"), pre = is(n, "pre"), own = link && own_site_link(w, n);
        w->in_link += link;
        w->in_own += own;
        w->in_pre += pre;
        w->in_pane += pane;
        w->path = path;
        walk_node(w, n->children, in_article || is(n, "article") || is(n, "main"));
        w->in_link -= link;
        w->in_own -= own;
        w->in_pre -= pre;
        w->in_pane -= pane;
        w->path = save_path;
        if (block) {
            flush(w);
            w->cur_node = save_node;
            w->cur_kind = save_kind;
        }
    }
}

static size_t commas(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == ',' || (i + 2 < len && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
                             (unsigned char)s[i + 2] == 0x8C); /* ， */
    return n;
}

static int inside(xmlNodePtr n, xmlNodePtr root)
{
    for (; n; n = n->parent)
        if (n == root)
            return 1;
    return 0;
}

/* The bytes of a closing quote or bracket at t[k] (a sentence ends inside
 * them: 'He said "Ok."'; German closes with U+201C, French with U+00BB,
 * Swiss with U+00AB), 0 if none. */
static size_t closer(const char *t, size_t len, size_t k)
{
    static const char *const quotes[] = {"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x99", "\xC2\xBB", "\xC2\xAB", NULL};
    if (t[k] == '"' || t[k] == '\'' || t[k] == ')' || t[k] == ']')
        return 1;
    for (const char *const *q = quotes; *q; q++) {
        size_t n = strlen(*q);
        if (k + n <= len && !memcmp(t + k, *q, n))
            return n;
    }
    return 0;
}

/* Reads like prose: a sentence end ("." "!" "?", and closing quotes or
 * brackets, followed by a space, or at the end). */
static int sentence_end(const char *t, size_t len, const char *marks)
{
    for (size_t k = 0; k < len; k++) {
        if (!t[k] || !strchr(marks, t[k]))
            continue;
        size_t j = k + 1;
        for (size_t n; j < len && (n = closer(t, len, j));)
            j += n;
        if (j == len || t[j] == ' ')
            return 1;
    }
    return 0;
}

static int prose(const char *t, size_t len) { return sentence_end(t, len, ".!?"); }

/* A short sibling without links that holds a sentence end (". " or a final
 * full stop): a last paragraph, not chrome. */
static int ends_like_prose(const walk *w, xmlNodePtr n)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (!inside(b->node, n))
            continue;
        if (sentence_end(w->text.p + b->start, b->len, "."))
            return 1;
    }
    return 0;
}

/* Same element name and class: one of the wrappers a site puts its
 * paragraphs in, several times over. */
static int same_kind(const xmlNode *a, const xmlNode *b)
{
    if (a == b)
        return 1;
    if (!a || !b || !xmlStrEqual(a->name, b->name))
        return 0;
    char *c1 = attr(a, "class"), *c2 = attr(b, "class");
    int same = (!c1 && !c2) || (c1 && c2 && !strcmp(c1, c2));
    xmlFree(c1);
    xmlFree(c2);
    return same;
}

/* Short paragraphs at the end of the text that sit in another wrapper than
 * the text's own (the parent most kept paragraphs share) are what a site
 * appends to every page: a call to subscribe, an author's box, a licence,
 * other stories' blurbs; and so is the heading over them ("More on this"),
 * the last one to go. */
typedef struct para_parent {
    xmlNodePtr parent;
    size_t at; /* the block's index */
} para_parent;

static int by_parent(const void *a, const void *b)
{
    const para_parent *x = a, *y = b;
    if (x->parent != y->parent)
        return (uintptr_t)x->parent < (uintptr_t)y->parent ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

/* The text's own wrapper: the parent with the most kept paragraphs (ties:
 * the one seen first), by sorting them: counting each against all was
 * quadratic in a page's blocks.  *most: its paragraphs. */
static xmlNodePtr own_wrapper(const walk *w, const unsigned char *sel, size_t *most_out)
{
    para_parent *pp = xmalloc((w->nb + 1) * sizeof *pp);
    size_t n = 0;
    for (size_t i = 0; i < w->nb; i++)
        if (sel[i] && w->b[i].kind == K_PARA)
            pp[n++] = (para_parent){w->b[i].node->parent, i};
    qsort(pp, n, sizeof *pp, by_parent);
    xmlNodePtr own = NULL;
    size_t most = 0, own_at = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && pp[j].parent == pp[i].parent;)
            j++;
        if (j - i > most || (j - i == most && pp[i].at < own_at))
            most = j - i, own = pp[i].parent, own_at = pp[i].at;
    }
    free(pp);
    *most_out = most;
    return own;
}

static void drop_foreign_tail(const walk *w, unsigned char *sel)
{
    size_t most;
    xmlNodePtr own = own_wrapper(w, sel, &most);
    for (size_t i = w->nb; most >= TAIL_MIN_PARAS && i-- > 0;) {
        if (!sel[i])
            continue;
        const block *b = &w->b[i];
        if ((b->kind != K_PARA && b->kind != K_HEAD) || b->chars >= TAIL_CHARS || same_kind(b->node->parent, own))
            break;
        sel[i] = 0;
        if (b->kind == K_HEAD)
            break; /* the title of what was appended ("More on this"): the text is above it */
    }
}

#define APPENDIX_TITLE_CHARS 80 /* a title over what a site appends is no longer */
#define APPENDIX_AFTER_SHARE 0.25 /* ...and this share of the text above it (0.1-0.4: the same on web-dev) */
#define APPENDIX_TAIL_SHARE 0.1   /* what follows a box's title inside the text is no less than this share of it (0.1-0.12: the same on web-dev; 0.18 cuts an article's last paragraphs) */

/* A short line whose words begin as a title of what sites append to every
 * article ("Mehr zum Thema", "Related posts", "Gefällt mir:"; hints.yaml's
 * appendix: list), past the text's first quarter (a short article has
 * more teasers after it than text): it and all after it are the appendix
 * (teasers of other stories, share prompts, comments), not the article.  Unless paragraphs (longer than a title) of the
 * text's own wrapper follow it: then it was a box inside the text ("Read
 * also: ..."), if the text goes on for more than a tenth of it after the
 * title (a contact or the next post's preview at the end is written in
 * paragraphs like the text's). */
static void drop_appendix(const walk *w, unsigned char *sel)
{
    if (!w->h->appendix)
        return;
    size_t total = 0, above = 0, most, cut = w->nb, own_last = 0;
    xmlNodePtr own = own_wrapper(w, sel, &most);
    for (size_t i = 0; i < w->nb; i++)
        if (sel[i]) {
            total += w->b[i].chars;
            if (own && w->b[i].kind == K_PARA && w->b[i].chars > APPENDIX_TITLE_CHARS &&
                same_kind(w->b[i].node->parent, own))
                own_last = i;
        }
    for (size_t i = 0; i < w->nb && cut == w->nb; i++) {
        const block *b = &w->b[i];
        if (!sel[i])
            continue;
        if ((i > own_last || (double)(total - above - b->chars) < APPENDIX_TAIL_SHARE * (double)total) &&
            b->chars <= APPENDIX_TITLE_CHARS &&
            (double)above >= APPENDIX_AFTER_SHARE * (double)total &&
            phrase_list_starts(w->h->appendix, w->text.p + b->start, b->len))
            cut = i;
        above += b->chars;
    }
    for (size_t i = cut; i < w->nb; i++)
        sel[i] = 0;
}

/* Thresholds of the passes below, by what they judge.  Link density is the
 * share of a block's (or an element's) characters inside links. */
#define SCORE_MIN_CHARS 25        /* a shorter block (or a heading) scores nothing for its parents */
#define SCORE_CHARS_PER_POINT 100 /* a block scores a point per this many characters... */
#define SCORE_MAX_LENGTH_POINTS 3 /* ...up to this many */
#define GOOD_MIN_CHARS 70         /* a good block, the fallback's unit, is at least this long... */
#define PROSE_MAX_LINKS 0.2       /* ...with less link text than this; prose joining the text too */
#define PROSE_MIN_CHARS 70        /* prose between the kept blocks is at least this long */
#define LINK_LIST_LINKS 0.5       /* a block with more link text than this is a link list; a kept one has less */
#define BYLINE_CHARS 50           /* ...unless shorter (not an item): a linked byline ("By Jane Doe"); 40-60: the same on web-dev */
#define ITEM_MAX_LINKS 0.3        /* a list item with more link text than this is another story's title */
#define RIVAL_SHARE 0.75          /* a candidate this close to the best one: the text is split */
#define MAX_RIVALS 8
#define SIBLING_SHARE 0.2         /* a sibling of the container scoring this share of it joins... */
#define SIBLING_MIN_SCORE 10      /* ...or this much, whichever is more... */
#define SIBLING_MIN_CHARS 80      /* ...or holds more characters than this... */
#define SIBLING_MAX_LINKS 0.25    /* ...with less link text than this */
#define REPEATED_UNITS 10         /* a unit on this many elements is a widget's part */
#define MAX_KEPT_ELEMENTS 256     /* the container and its siblings kept */
#define SPLIT_SHARE 0.7           /* a container with less of the page's long prose than this holds part of it */

static double link_density(const elem *e) { return e->chars ? (double)e->link / (double)e->chars : 0; }

/* An element's score discounted by its links. */
static double link_score(const elem *e) { return e->score * (1 - link_density(e)); }

/* A block without text would count as all links (a block always has some). */
static double block_links(const block *b) { return b->chars ? (double)b->link / (double)b->chars : 1; }

/* A good block: long prose, few links, shown (not in a hidden pane).  The
 * fallback's unit, and what a container is measured against. */
static int good_block(const block *b)
{
    return !b->pane && b->chars >= GOOD_MIN_CHARS && block_links(b) < PROSE_MAX_LINKS;
}

static int block_prose(const walk *w, const block *b) { return prose(w->text.p + b->start, b->len); }

static elem *marked(const walk *w, const xmlNode *n) { return n->_private ? &w->e[(size_t)n->_private - 1] : NULL; }

static int by_hash(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The first of the n sorted k not below v (n when none is). */
static size_t lower_bound(const uint64_t *k, size_t n, uint64_t v)
{
    size_t lo = 0;
    while (n) {
        size_t half = n / 2;
        if (k[lo + half] < v)
            lo += half + 1, n -= half + 1;
        else
            n = half;
    }
    return lo;
}

/* A positive class word on a unit the page repeats (an FAQ's answers, an
 * accordion's "panel-body", the reviews under a product) names the
 * widget's parts, not the page's main text, which a page has once: such an
 * element loses the word's points.  A unit: an element's class, and its
 * ancestors' classes and tags up to the root (a site's generic "text"
 * class in unrelated places is no unit); repeated: on REPEATED_UNITS
 * elements or more.  Sorting the units keeps this n log n. */
static void discount_repeated_positives(walk *w)
{
    uint64_t *k = xmalloc((w->ne + 1) * sizeof *k);
    size_t n = 0;
    for (size_t i = 0; i < w->ne; i++)
        if (w->e[i].unit)
            k[n++] = w->e[i].unit;
    qsort(k, n, sizeof *k, by_hash);
    for (size_t i = 0; i < w->ne; i++) {
        elem *e = &w->e[i];
        if (!e->positive || !e->unit)
            continue;
        size_t at = lower_bound(k, n, e->unit);
        if (at + REPEATED_UNITS <= n && k[at + REPEATED_UNITS - 1] == e->unit)
            e->score -= HINT_WEIGHT;
    }
    free(k);
}

/* Text and link totals up the tree; paragraph scores to parent and
 * grandparent.  Returns the characters of the page's good blocks. */
static size_t score_blocks(walk *w)
{
    size_t good_chars = 0;
    for (size_t i = 0; i < w->nb; i++) {
        block *b = &w->b[i];
        for (xmlNodePtr n = b->node; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
            elem *e = marked(w, n);
            if (!e)
                continue;
            e->chars += b->chars;
            e->link += b->link;
        }
        if (b->pane)
            continue; /* a hidden tab or slide must not draw the text away from the shown one */
        if (good_block(b))
            good_chars += b->chars;
        if (b->chars < SCORE_MIN_CHARS || b->kind == K_HEAD)
            continue;
        size_t length_points = b->chars / SCORE_CHARS_PER_POINT;
        double s = 1 + (double)commas(w->text.p + b->start, b->len) +
                   (double)(length_points < SCORE_MAX_LENGTH_POINTS ? length_points : SCORE_MAX_LENGTH_POINTS);
        xmlNodePtr parent = b->node->parent, grand = parent ? parent->parent : NULL;
        elem *e = parent ? marked(w, parent) : NULL;
        if (e) {
            e->score += s;
            e->scored = 1;
        }
        e = grand ? marked(w, grand) : NULL;
        if (e) {
            e->score += s / 2;
            e->scored = 1;
        }
    }
    return good_chars;
}

/* The best container, discounted by its links; NULL when nothing scored.
 * A list is part of a text, never its container: a paper's references
 * (an item of many commas each) outscored the body that cites them. */
static xmlNodePtr best_container(const walk *w, double *best)
{
    xmlNodePtr top = NULL;
    *best = 0;
    for (size_t i = 0; i < w->nb; i++)
        for (xmlNodePtr n = w->b[i].node; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
            const elem *e = marked(w, n);
            if (!e || !e->scored || is(n, "ol") || is(n, "ul"))
                continue;
            double s = link_score(e);
            if (!top || s > *best) {
                *best = s;
                top = n;
            }
        }
    return top;
}

/* Candidates nearly as good as the best, under one ancestor with it: the
 * text is split over several of them, and the ancestor holds them all. */
static xmlNodePtr widen_to_rivals(const walk *w, xmlNodePtr top, double *best)
{
    xmlNodePtr alt[MAX_RIVALS];
    size_t nalt = 0;
    for (size_t i = 0; i < w->nb && nalt < MAX_RIVALS; i++)
        for (xmlNodePtr n = w->b[i].node; n && n->type == XML_ELEMENT_NODE && nalt < MAX_RIVALS; n = n->parent) {
            const elem *e = marked(w, n);
            if (!e || n == top)
                continue;
            if (!e->scored || link_score(e) < RIVAL_SHARE * *best || inside(n, top) || inside(top, n))
                continue;
            size_t k = 0;
            while (k < nalt && alt[k] != n)
                k++;
            if (k == nalt)
                alt[nalt++] = n;
        }
    if (nalt < 2)
        return top;
    xmlNodePtr anc = top->parent;
    for (; anc && anc->type == XML_ELEMENT_NODE; anc = anc->parent) {
        size_t under = 0;
        for (size_t k = 0; k < nalt; k++)
            under += inside(alt[k], anc);
        if (under >= 2)
            break;
    }
    const elem *e = anc && anc->type == XML_ELEMENT_NODE ? marked(w, anc) : NULL;
    if (!e)
        return top;
    *best = link_score(e) > *best ? link_score(e) : *best;
    return anc;
}

/* The container and its siblings that score well enough, or read like
 * paragraphs, into keep; how many. */
static size_t with_siblings(const walk *w, xmlNodePtr top, double best, xmlNodePtr *keep)
{
    size_t nkeep = 0;
    keep[nkeep++] = top;
    double bar = best * SIBLING_SHARE > SIBLING_MIN_SCORE ? best * SIBLING_SHARE : SIBLING_MIN_SCORE;
    for (xmlNodePtr s = top->parent ? top->parent->children : NULL; s && nkeep < MAX_KEPT_ELEMENTS; s = s->next) {
        if (s == top || s->type != XML_ELEMENT_NODE)
            continue;
        const elem *e = marked(w, s);
        if (!e)
            continue;
        double ld = link_density(e);
        if ((e->scored && e->score * (1 - ld) >= bar) || (e->chars > SIBLING_MIN_CHARS && ld < SIBLING_MAX_LINKS) ||
            (e->chars > 0 && e->link == 0 && ends_like_prose(w, s)))
            keep[nkeep++] = s;
    }
    return nkeep;
}

/* Elements of the container's own tag and class elsewhere in the page:
 * a text split over wrappers of one kind (a section per part of a story,
 * parts nested apart by the layout) is kept whole.  Of one kind: the same
 * class, or the same first class token, which names the kind while the
 * tokens after it say which one or how it looks (kind_token:
 * "field--story" and "field--story field--story--article", a page
 * builder's "wpb_text_column vc_custom_1570185518034" and "..._1574846848815").
 * A wrapper without a class says nothing of its kind. */
static size_t with_same_kind(const walk *w, xmlNodePtr top, xmlNodePtr *keep, size_t nkeep)
{
    char *tc = attr(top, "class");
    const char *kind = NULL;
    size_t kind_len = tc ? kind_token(tc, &kind) : 0;
    xmlNodePtr last = NULL;
    for (size_t i = 0; tc && *tc && i < w->nb && nkeep < MAX_KEPT_ELEMENTS; i++) {
        xmlNodePtr n = w->b[i].node->parent;
        if (n == last)
            continue; /* the paragraphs of one wrapper: looked at once */
        last = n;
        for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
            if (!xmlStrEqual(n->name, top->name))
                continue;
            char *c = attr(n, "class");
            const char *k = NULL;
            int same = c && (!strcmp(c, tc) || (kind_len && kind_token(c, &k) == kind_len && !memcmp(k, kind, kind_len)));
            xmlFree(c);
            if (same)
                break;
        }
        if (!n || n->type != XML_ELEMENT_NODE)
            continue;
        const elem *e = marked(w, n);
        size_t k = 0;
        while (k < nkeep && !inside(n, keep[k]) && !inside(keep[k], n))
            k++;
        if (k == nkeep && e && e->chars > SIBLING_MIN_CHARS && link_density(e) < SIBLING_MAX_LINKS)
            keep[nkeep++] = n;
    }
    xmlFree(tc);
    return nkeep;
}

/* The blocks inside the kept elements, but link lists: a block (a heading
 * too) mostly of link text, a list item of much link text (another story's title). */
static void select_in_kept(const walk *w, xmlNodePtr const *keep, size_t nkeep, unsigned char *sel)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        double ld = block_links(b);
        int in = 0;
        for (size_t k = 0; k < nkeep && !in; k++)
            in = inside(b->node, keep[k]);
        sel[i] = (unsigned char)(in && ld < LINK_LIST_LINKS && !(b->kind == K_ITEM && ld > ITEM_MAX_LINKS));
    }
}

#define CARD_TEXT_CHARS 400 /* a teaser's text is shorter */
#define CARD_UP 6           /* ancestors of a teaser's text looked at for its card */
#define CARD_OTHER_CHARS 60 /* a card's text outside links besides the teaser's (a date, a section) is at most this (60-100: the same on web-dev) */
#define CARD_MIN 3          /* teaser cards kept before any of them go: a grid of other stories */

/* The card a kept block is the blurb of: its nearest ancestor (a few
 * levels up) that holds links outside it and no other text but a line
 * (a date), or NULL.  A grid of other stories under an article is cards
 * of a picture, a linked title, the blurb and "read more". */
static xmlNodePtr card_of(const walk *w, const block *b)
{
    size_t own_text = b->chars - b->link;
    xmlNodePtr n = b->node->parent;
    for (int up = 0; n && n->type == XML_ELEMENT_NODE && up < CARD_UP; n = n->parent, up++) {
        const elem *e = marked(w, n);
        if (!e)
            continue;
        if (e->chars - e->link > own_text + CARD_OTHER_CHARS)
            return NULL; /* other text beside it: a text's wrapper, not a card */
        if (e->link > b->link)
            return n;
    }
    return NULL;
}

/* Blurbs of other stories, each in a card with its link (the teaser grid
 * an article is followed by), after the text's last paragraph of its own
 * (one in no card), go when there are CARD_MIN or more of them; fewer
 * may be the text's own (a box with a link), and cards between the
 * text's paragraphs are its parts. */
static void drop_teaser_cards(const walk *w, unsigned char *sel)
{
    size_t cards = 0, last = w->nb;
    unsigned char *card = xcalloc(w->nb + 1, 1);
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (!sel[i] || b->kind != K_PARA)
            continue;
        if (b->chars < CARD_TEXT_CHARS && card_of(w, b))
            card[i] = 1, cards++;
        else if (good_block(b))
            last = i, cards = 0; /* the text's own paragraph: the cards before it stay */
    }
    for (size_t i = last + 1; last < w->nb && cards >= CARD_MIN && i < w->nb; i++)
        if (card[i])
            sel[i] = 0;
    free(card);
}

/* The fallback: the page's good blocks and the headings among them. */
static void select_good_blocks(const walk *w, unsigned char *sel)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        sel[i] = (unsigned char)(good_block(b) || (!b->pane && b->kind == K_HEAD && b->link == 0));
    }
}

/* A short sentence alone between two kept blocks, without links ("Nobody
 * expected it."), is the text's own: the passes above ask prose outside a
 * container to be long, and a lead or the fallback's long blocks left it
 * out.  Alone: a run of short lines is chrome. */
static void add_short_sentences(const walk *w, unsigned char *sel)
{
    int prev = w->nb && sel[0]; /* the block before i was kept before this pass */
    for (size_t i = 1; i + 1 < w->nb; i++) {
        const block *b = &w->b[i];
        int was = sel[i] != 0;
        if (!was && prev && sel[i + 1] && !b->pane && b->link == 0 && b->kind == K_PARA &&
            b->chars >= SHORT_CHARS && block_prose(w, b))
            sel[i] = 1;
        prev = was;
    }
}

/* The container holds most of the page's long prose but not all of it
 * (a text in sections the layout puts in unrelated wrappers, a lead or a
 * description apart from the rest): the long prose outside it is the
 * text's too, as the fallback would keep it. */
static void add_prose_elsewhere(const walk *w, unsigned char *sel)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (!sel[i] && good_block(b) && block_prose(w, b))
            sel[i] = 1;
    }
}

/* Prose between the first and the last block kept belongs to the text too,
 * and so does a lead just before it, or a last paragraph just after (held
 * apart by a date line or a picture's credit at most, and a lead by a short
 * linked byline too: after the text such a line heads an author's box). */
static void add_prose_around(const walk *w, unsigned char *sel)
{
    size_t first = w->nb, last = 0;
    for (size_t i = 0; i < w->nb; i++)
        if (sel[i]) {
            first = first == w->nb ? i : first;
            last = i;
        }
    for (size_t i = first; i < last; i++) {
        const block *b = &w->b[i];
        if (!sel[i] && !b->pane && b->chars >= PROSE_MIN_CHARS && block_links(b) < PROSE_MAX_LINKS &&
            block_prose(w, b))
            sel[i] = 1;
    }
    if (first == w->nb)
        return;
    for (int dir = -1; dir <= 1; dir += 2) {
        size_t i = dir < 0 ? first : last;
        for (int misses = 0; misses < LEAD_GAP;) {
            if ((dir < 0 && i == 0) || (dir > 0 && i + 1 >= w->nb))
                break;
            i = dir < 0 ? i - 1 : i + 1;
            const block *b = &w->b[i];
            if (!b->pane && b->chars >= LEAD_MIN_CHARS && block_links(b) < PROSE_MAX_LINKS && block_prose(w, b))
                sel[i] = 1, misses = 0;
            else if (block_links(b) > LINK_LIST_LINKS && (dir > 0 || b->kind == K_ITEM || b->chars >= BYLINE_CHARS))
                break; /* a link list: the page's chrome starts here (a linked byline between a lead and the text is none) */
            else
                misses++;
        }
    }
}

/* A heading over nothing kept (a link list we left out) goes, and so does a
 * short line that introduces one ("More on this:").  A heading that holds a
 * full stop or an exclamation mark is a sentence (a closing line set as a
 * heading), not a title over a list; a question may be either. */
static void drop_orphan_headings(const walk *w, unsigned char *sel)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        int intro = b->kind == K_PARA && b->chars < INTRO_CHARS && b->len &&
                    (w->text.p[b->start + b->len - 1] == ':' || !block_prose(w, b));
        if (!sel[i] || (b->kind != K_HEAD && !intro) ||
            (b->kind == K_HEAD && sentence_end(w->text.p + b->start, b->len, ".!")))
            continue;
        size_t j = i + 1, later = j;
        while (later < w->nb && !sel[later])
            later++;
        if (later == w->nb || (j < w->nb && !sel[j] && block_links(&w->b[j]) > LINK_LIST_LINKS))
            sel[i] = 0;
    }
}

#define CREDIT_LINE_CHARS 200 /* a source or credit line is shorter (inside the text: 30-1000 the same on web-dev) */

static int credit_line(const walk *w, const block *b)
{
    return b->chars < CREDIT_LINE_CHARS && phrase_list_starts(w->h->credit, w->text.p + b->start, b->len);
}

/* Source and credit lines ("Quelle: dpa", "Titelbild: ...", "Fotos: ...";
 * hints.yaml's credit: list) are the page's, sentences or not: at the
 * text's end, any block but a heading (run last: what the other passes
 * take from the end can uncover them); inside the text, a paragraph or a
 * heading of its own (under a table or a picture: "Quelle: Landesregierung",
 * "Quellenangaben:").  A table's cell or a list's item that says so is the
 * data's. */
static void drop_credit_lines(const walk *w, unsigned char *sel)
{
    for (size_t i = w->nb; i-- > 0;) {
        if (!sel[i])
            continue;
        const block *b = &w->b[i];
        if (b->kind == K_HEAD || !credit_line(w, b))
            break;
        sel[i] = 0;
    }
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (sel[i] && (b->kind == K_PARA || b->kind == K_HEAD) && credit_line(w, b))
            sel[i] = 0;
    }
}

#define REPEATED_LINES 4 /* a line the text holds this many times word for word is a widget's label */

static int by_text(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* A line that is no sentence (a paragraph or a heading) and that the text
 * holds REPEATED_LINES times or more, word for word, is a label the page
 * puts on each of its widgets (a button under each picture, "Bild anzeigen
 * Bild schliessen"; the same note under each product box), not the text,
 * which says a thing once.  Sentences stay (a refrain, a page of one
 * paragraph over and over).  Sorting the lines' hashes keeps this n log n. */
static void drop_repeated_lines(const walk *w, unsigned char *sel)
{
    uint64_t (*h)[2] = xmalloc((w->nb + 1) * sizeof *h);
    size_t n = 0;
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (sel[i] && (b->kind == K_PARA || b->kind == K_HEAD)) {
            h[n][0] = hash_bytes(FNV_START, w->text.p + b->start, b->len);
            h[n++][1] = i;
        }
    }
    qsort(h, n, sizeof *h, by_text);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && h[j][0] == h[i][0];)
            j++;
        if (j - i < REPEATED_LINES || block_prose(w, &w->b[h[i][1]]))
            continue; /* the lines of a group are one text: one is asked */
        for (size_t k = i; k < j; k++)
            sel[h[k][1]] = 0;
    }
    free(h);
}

#define LINK_GAP_BLOCKS 2   /* left-out blocks between the text and what a site appends to it... */
#define LINK_GAP_LINKS 0.3  /* ...with this share of link text at least (0.2-0.4: the same on web-dev)... */
#define LINK_GAP_AFTER 0.9  /* ...past this share of the kept text (0.85-0.95: the same; 0.8 cuts conclusions) */

/* Kept blocks in the text's last tenth that come after two or more
 * left-out blocks of links (a share bar, a tag list, "Auch interessant:"
 * and its teasers, which the passes above left out) are what the site
 * appends to the article, not its end: a job board's call, an author's
 * box, a newsletter's.  They go, and all after them.  Between the text's
 * paragraphs (before its last tenth) such a list is a box inside it. */
static void drop_after_link_gap(const walk *w, unsigned char *sel)
{
    size_t total = 0, above = 0, gap = 0, gap_chars = 0, gap_links = 0, cut = w->nb;
    for (size_t i = 0; i < w->nb; i++)
        total += sel[i] ? w->b[i].chars : 0;
    for (size_t i = 0; i < w->nb && cut == w->nb; i++) {
        const block *b = &w->b[i];
        if (!sel[i]) {
            gap++, gap_chars += b->chars, gap_links += b->link;
            continue;
        }
        if (gap >= LINK_GAP_BLOCKS && (double)above >= LINK_GAP_AFTER * (double)total &&
            (double)gap_links >= LINK_GAP_LINKS * (double)gap_chars)
            cut = i;
        above += b->chars;
        gap = gap_chars = gap_links = 0;
    }
    for (size_t i = cut; i < w->nb; i++)
        sel[i] = 0;
}

/* Short lines that are not sentences after the last paragraph are the
 * page's chrome (tags, credits, "share"), not the text's end. */
static void drop_trailing_chrome(const walk *w, unsigned char *sel)
{
    for (size_t i = w->nb; i-- > 0;) {
        if (!sel[i])
            continue;
        const block *b = &w->b[i];
        if (b->chars >= TRIM_CHARS || b->kind == K_ITEM || block_prose(w, b))
            break; /* a list without links at the end is the text's own */
        sel[i] = 0;
    }
}

#define SITE_LINE_CHARS 200 /* a line at the end linking to another page of the site is shorter (150-250: the same on web-dev) */
#define SITE_LINES 3        /* ...and at most this many such lines go (1-5: the same) */

/* Short paragraphs at the text's very end with a link to another page of
 * the page's own site are what the site puts under each article: a call to
 * subscribe or sign up, "more on this here", a note to log in, an author's
 * archive.  A text's own short last paragraph seldom does: it links away
 * (a source) or not at all (on web-dev, 10 such lines were chrome and 1
 * the text's).  The text's first block stays whatever it is. */
static void drop_trailing_site_links(const walk *w, unsigned char *sel)
{
    size_t first = 0, dropped = 0;
    while (first < w->nb && !sel[first])
        first++;
    for (size_t i = w->nb; i-- > first + 1 && dropped < SITE_LINES;) {
        if (!sel[i])
            continue;
        const block *b = &w->b[i];
        if (b->kind != K_PARA || b->chars >= SITE_LINE_CHARS || !b->own_link)
            break;
        sel[i] = 0;
        dropped++;
    }
}

/* A copyright or picture credit line, in any language. */
static void drop_credits(const walk *w, unsigned char *sel)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (sel[i] && b->chars < CREDIT_CHARS && memmem(w->text.p + b->start, b->len, "\xC2\xA9", 2)) /* U+00A9 */
            sel[i] = 0;
    }
}

/* A paragraph this short that is no sentence (not a heading, an item or a
 * cell) is a label, a name or a date, wherever it stands. */
static void drop_labels(const walk *w, unsigned char *sel)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (sel[i] && b->kind == K_PARA && b->chars < SHORT_CHARS && !block_prose(w, b))
            sel[i] = 0;
    }
}

/* An image somewhere under n but outside skip (at most `budget` elements looked at). */
static int has_image(const xmlNode *n, const xmlNode *skip, int *budget)
{
    for (const xmlNode *c = n->children; c && *budget > 0; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c == skip)
            continue;
        --*budget;
        if (is(c, "img") || is(c, "picture") || has_image(c, skip, budget))
            return 1;
    }
    return 0;
}

#define CAPTION_CHARS 200 /* a caption beside a picture is shorter */
#define CAPTION_LOOK 64   /* elements of its wrapper looked at for the picture */

/* A short block that shares a small wrapper with a picture, and nothing
 * else of much text, is the picture's caption (a figure marked up as
 * divs: "Abbildung: ...", "Enlarge The camera ..."), not the text. */
static void drop_captions(const walk *w, unsigned char *sel)
{
    for (size_t i = 0; i < w->nb; i++) {
        const block *b = &w->b[i];
        if (!sel[i] || b->kind != K_PARA || b->chars >= CAPTION_CHARS)
            continue;
        const xmlNode *wrap = b->node->parent;
        if (!wrap || wrap->type != XML_ELEMENT_NODE || is(wrap, "li") || /* a step of a list, with its picture */
            text_under(wrap) > b->len + b->len / 4 + 8 ||
            (i > 0 && inside(w->b[i - 1].node, (xmlNodePtr)wrap)) ||
            (i + 1 < w->nb && inside(w->b[i + 1].node, (xmlNodePtr)wrap)))
            continue; /* another block beside it: a card (an icon, a heading, a line), not a figure */
        int budget = CAPTION_LOOK;
        if (has_image(wrap, b->node, &budget))
            sel[i] = 0;
    }
}

enum { NO_DATE, DATE_LINE, DATE_TIME_LINE };

/* The value of the decimal digit at t[i], ASCII or another script's
 * (Arabic-Indic, Devanagari, Bengali, Thai, fullwidth...), its bytes in
 * *n; -1 if there is none. */
static int digit_at(const char *t, size_t len, size_t i, size_t *n)
{
    static const int zeros[] = {0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
                                0x0CE6, 0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810, 0xFF10};
    unsigned char c = (unsigned char)t[i];
    if (isdigit(c)) {
        *n = 1;
        return c - '0';
    }
    if (c < 0xD9) /* U+0660, the first of them, is D9 A0 */
        return -1;
    size_t j = i;
    int cp = utf8_next(t, &j);
    for (size_t z = 0; j <= len && z < sizeof zeros / sizeof *zeros; z++)
        if (cp >= zeros[z] && cp <= zeros[z] + 9) {
            *n = j - i;
            return cp - zeros[z];
        }
    return -1;
}

/* A line that is a date or a time with a few words around it ("Posted on
 * April 29, 2022", "15. Mai 2019, 05:28 Uhr", "Aktualisiert: 11.04.2020"):
 * two numbers or more (in any script's digits), one a year (19xx, 20xx)
 * or a time (h:mm), at most DATE_LINE_WORDS words.  Words are runs of
 * letters (any script's: bytes past ASCII, but for the punctuation of
 * U+0080-U+00BF and U+2000-U+206F, and digits).  DATE_TIME_LINE: one with
 * a time of day, a stamp of when it was posted. */
static int date_line(const char *t, size_t len)
{
    size_t words = 0, numbers = 0, n;
    int dated = 0, timed = 0, v;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)t[i];
        if ((v = digit_at(t, len, i, &n)) >= 0) {
            size_t j = i + n, digits = 1;
            int lead = v; /* the first two digits' value */
            for (; j < len && (v = digit_at(t, len, j, &n)) >= 0; j += n, digits++)
                lead = digits == 1 ? lead * 10 + v : lead;
            numbers++;
            if (digits == 4 && (lead == 19 || lead == 20))
                dated = 1;
            size_t k;
            if (digits <= 2 && j + 1 < len && t[j] == ':' && digit_at(t, len, j + 1, &k) >= 0 &&
                j + 1 + k < len && digit_at(t, len, j + 1 + k, &n) >= 0)
                timed = 1;
            i = j;
        } else if (isalpha(c) || (c >= 0xC3 && !(c == 0xE2 && i + 1 < len && (unsigned char)t[i + 1] == 0x80))) {
            size_t j = i;
            while (j < len) {
                unsigned char d = (unsigned char)t[j];
                if (isalpha(d) || d >= 0x80) {
                    if (d == 0xC2 || (d == 0xE2 && j + 1 < len && (unsigned char)t[j + 1] == 0x80))
                        break; /* punctuation */
                    j++;
                } else {
                    break;
                }
            }
            if (j == i)
                j++;
            words++;
            i = j;
        } else {
            i++;
        }
    }
    if (!(dated || timed) || numbers < 2 || words > DATE_LINE_WORDS)
        return NO_DATE;
    return timed ? DATE_TIME_LINE : DATE_LINE;
}

/* Date lines before the text's first paragraph (by the headline) or after
 * its last one are the page's metadata, not the text; so is a line of a
 * date and a time alone inside it (under a lead: "Aktualisiert:
 * 11.04.2020, 10:27").  A date alone inside may be the text's ("Deadline:
 * 03.11.2019"), and so are two stamps or more (a ticker's, a schedule's). */
static int date_kind(const walk *w, size_t i)
{
    const block *b = &w->b[i];
    return b->kind == K_PARA && b->chars <= DATE_LINE_CHARS ? date_line(w->text.p + b->start, b->len) : NO_DATE;
}

static void drop_date_lines(const walk *w, unsigned char *sel)
{
    size_t first = w->nb, last = 0, stamps = 0;
    for (size_t i = 0; i < w->nb; i++)
        if (sel[i] && w->b[i].chars >= GOOD_MIN_CHARS) {
            first = first == w->nb ? i : first;
            last = i;
        }
    for (size_t i = first; i < last; i++)
        stamps += sel[i] && date_kind(w, i) == DATE_TIME_LINE;
    for (size_t i = 0; i < w->nb; i++) {
        int kind = sel[i] ? date_kind(w, i) : NO_DATE;
        if (kind != NO_DATE && (i < first || i > last || (kind == DATE_TIME_LINE && stamps == 1)))
            sel[i] = 0;
    }
}

/* The blocks kept; *text_chars: their characters outside links (a
 * paragraph with a few links in it is still the text). */
static size_t count_kept(const walk *w, const unsigned char *sel, size_t *text_chars)
{
    size_t kept = 0;
    *text_chars = 0;
    for (size_t i = 0; i < w->nb; i++)
        if (sel[i]) {
            kept++;
            *text_chars += w->b[i].chars - w->b[i].link;
        }
    return kept;
}

/* The kept blocks, a blank line apart; a run of list items a line apart. */
static void emit(const walk *w, const unsigned char *sel, cv_buf *out)
{
    out->len = 0;
    buf_reserve(out, w->text.len + 2 * w->nb); /* the blocks and the breaks between them, at most */
    for (size_t i = 0; i < w->nb; i++) {
        if (!sel[i])
            continue;
        const block *b = &w->b[i];
        int item_run = b->kind == K_ITEM && i > 0 && sel[i - 1] && w->b[i - 1].kind == K_ITEM;
        if (out->len)
            buf_add(out, item_run ? "\n" : "\n\n", item_run ? 1 : 2);
        buf_add(out, w->text.p + b->start, b->len);
    }
    buf_add(out, "", 0); /* terminated, when nothing was kept too */
}

/* The last try's unit: the page's <article> element that holds the most
 * text (its links too: an article can be a list of links with a line on
 * each), or NULL; one of links alone (a footer's columns) is none. */
static xmlNodePtr largest_article(const walk *w)
{
    xmlNodePtr best = NULL;
    size_t most = 0;
    for (size_t i = 0; i < w->nb; i++)
        for (xmlNodePtr n = w->b[i].node; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
            const elem *e = marked(w, n);
            if (e && is(n, "article") && e->chars > most && e->chars - e->link >= ARTICLE_MIN_TEXT)
                most = e->chars, best = n;
        }
    return best;
}

/* How a pass finds the text: by scoring containers, or as the largest
 * <article> element's blocks. */
enum { BY_SCORE, BY_ARTICLE };

/* *shown: the characters of the kept blocks outside hidden panes, by
 * which a pass is judged: hidden tabs alone are no text found. */
static size_t extract_pass(xmlDocPtr doc, const hints *h, const char *url, int how, cv_buf *out, size_t *shown)
{
    walk w = {.h = h, .chrome_tags = how == BY_ARTICLE};
    w.site = url_host(url, &w.site_len);
    if (!w.site)
        w.site_len = 0;
    out->len = 0;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root)
        return 0;
    memset(tag_cache, 0, sizeof tag_cache); /* the names of the last page are freed with it */
    w.total = text_bytes(root);
    /* the walk's text is at most the page's (and a line break a <br>):
     * room for it at once, not by doubling a large page's buffer */
    buf_reserve(&w.text, w.total + w.total / 16 + 256);
    walk_node(&w, root, 0);
    flush(&w);
    discount_repeated_positives(&w);
    size_t good_chars = score_blocks(&w);
    size_t kept = 0, kept_chars = 0;
    unsigned char *sel = xcalloc(w.nb + 1, 1);
    if (how == BY_ARTICLE) {
        xmlNodePtr a = largest_article(&w);
        for (size_t i = 0; a && i < w.nb; i++)
            sel[i] = (unsigned char)inside(w.b[i].node, a);
        drop_credits(&w, sel);
        drop_labels(&w, sel);
        kept = count_kept(&w, sel, &kept_chars);
    }
    double best;
    xmlNodePtr top = how == BY_SCORE ? best_container(&w, &best) : NULL;
    xmlNodePtr keep[MAX_KEPT_ELEMENTS];
    size_t nkeep = 0;
    if (top) {
        top = widen_to_rivals(&w, top, &best);
        nkeep = with_siblings(&w, top, best, keep);
        nkeep = with_same_kind(&w, top, keep, nkeep);
    }
    for (int pass = 0; how == BY_SCORE && pass < 2 && kept == 0; pass++) {
        if (pass == 0) {
            select_in_kept(&w, keep, nkeep, sel);
            add_prose_around(&w, sel);
        } else {
            select_good_blocks(&w, sel);
        }
        add_short_sentences(&w, sel);
        drop_orphan_headings(&w, sel);
        drop_trailing_chrome(&w, sel);
        drop_credits(&w, sel);
        drop_foreign_tail(&w, sel);
        drop_after_link_gap(&w, sel);
        drop_teaser_cards(&w, sel);
        drop_appendix(&w, sel);
        drop_trailing_site_links(&w, sel);
        drop_credit_lines(&w, sel);
        drop_labels(&w, sel);
        drop_captions(&w, sel);
        drop_date_lines(&w, sel);
        drop_repeated_lines(&w, sel);
        kept = count_kept(&w, sel, &kept_chars);
        if (pass == 0 && kept_chars * 2 < good_chars) /* the container missed most of the page's prose */
            kept = 0;
        else if (pass == 0 && (double)kept_chars < SPLIT_SHARE * (double)good_chars) {
            add_prose_elsewhere(&w, sel);
            drop_teaser_cards(&w, sel); /* long blurbs of other stories are prose elsewhere too */
            kept = count_kept(&w, sel, &kept_chars);
        }
    }
    emit(&w, sel, out);
    *shown = 0;
    for (size_t i = 0; i < w.nb; i++)
        *shown += sel[i] && !w.b[i].pane ? w.b[i].chars : 0;
    free(sel);
    free(w.b); /* the _private marks die with the document */
    free(w.e);
    buf_free(&w.text);
    return kept;
}

static void clear_marks(xmlNodePtr n)
{
    for (; n; n = n->next) {
        n->_private = NULL;
        if (n->type == XML_ELEMENT_NODE)
            clear_marks(n->children);
    }
}

size_t extract_main(xmlDocPtr doc, const hints *h, const char *url, cv_buf *out)
{
    size_t chars;
    size_t kept = extract_pass(doc, h, url, BY_SCORE, out, &chars);
    /* Little or nothing: the text may sit in an element whose class names
     * chrome ("article-ads", a theme's "print" wrapper): once more without
     * the negative hints.  Still little: the page's <article> element,
     * wherever it is (a site that puts it in an <aside>), with its links (a
     * post that is a list of links, a line on each).  The longest text
     * wins. */
    hints bare = {h->words, h->use & ~(unsigned)HINT_NEGATIVE, h->appendix, h->credit};
    for (int how = BY_SCORE; how <= BY_ARTICLE && chars < RETRY_CHARS; how++) {
        cv_buf again = {0};
        clear_marks(xmlDocGetRootElement(doc));
        size_t chars2;
        size_t kept2 = extract_pass(doc, how == BY_SCORE ? &bare : h, url, how, &again, &chars2);
        if (chars2 > chars) {
            buf_free(out);
            *out = again;
            kept = kept2;
            chars = chars2;
        } else {
            buf_free(&again);
        }
    }
    return kept;
}
