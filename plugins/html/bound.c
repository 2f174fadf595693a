/* bound.c -- see bound.h.  The tokenizer follows libxml2 2.9's HTML parser
 * where it decides what a tag holds: where a tag, an attribute name and a
 * value end, which text is a comment or a script's. */
#include "bound.h"

#include <string.h>
#include <strings.h>

static int blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int letter(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int name_char(char c)
{
    return letter(c) || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' || c == '.';
}

/* libxml2 reads a name 100 bytes at a time: a longer one is several. */
#define NAME_CHUNK 100

typedef struct tag {
    size_t name, name_len; /* the element's name */
    size_t end;            /* the index of its '>', or len */
    size_t cut;            /* where its attribute max+1 starts; 0 when it has no more */
    int empty;             /* written <x/> */
} tag;

/* A copy of s being made with some of its bytes left out. */
typedef struct edit {
    const char *s;
    cv_buf *out;
    size_t copied; /* s before this is in out, less what was left out */
    int rewrote;   /* out holds the copy (else it is untouched) */
} edit;

/* s[from, to) is left out.  A cut may reach into the last one (the '/' of
 * a "<script/>" an attribute's unquoted value took with it): only what is
 * past it goes. */
static void edit_cut(edit *e, size_t from, size_t to)
{
    if (from < e->copied)
        from = e->copied;
    if (to < from)
        to = from;
    if (!e->rewrote)
        e->out->len = 0;
    e->rewrote = 1;
    buf_add(e->out, e->s + e->copied, from - e->copied);
    e->copied = to;
}

/* The copy made: s with what was cut left out (1), or nothing to do (0). */
static int edit_done(edit *e, size_t len)
{
    if (e->rewrote)
        buf_add(e->out, e->s + e->copied, len - e->copied);
    return e->rewrote;
}

/* Where the part of an address in s[from, to) that names its site ends:
 * past its scheme and host ("https://example.org"), past its scheme alone
 * when it has no host ("mailto:"), or past its first byte when it has
 * neither (a relative address, an anchor "#top"). */
static size_t site_end(const char *s, size_t from, size_t to)
{
    size_t i = from;
    while (i < to && blank(s[i]))
        i++;
    size_t k = i;
    while (k < to && (letter(s[k]) || (s[k] >= '0' && s[k] <= '9') || s[k] == '+' || s[k] == '-' || s[k] == '.'))
        k++;
    if (k > i && k < to && s[k] == ':')
        k++; /* the scheme */
    else
        k = i;
    if (k + 1 < to && s[k] == '/' && s[k + 1] == '/') {
        for (k += 2; k < to && !strchr("/?#\\", s[k]); k++)
            ;
        return k;
    }
    return k > i ? k : (i < to ? i + 1 : to);
}

/* s[i] is the first letter of a start tag's name.  With keep, an attribute
 * it refuses, or past the first max, is cut from e: the name, and the
 * value with its '=' (the blanks around it stay).  A name longer than the
 * parser reads at once stays (the parser would see several), unless past
 * max. */
static void scan_tag(const char *s, size_t len, size_t i, size_t max, bound_keep_fn keep, edit *e, tag *t)
{
    t->name = i;
    while (i < len && name_char(s[i]))
        i++;
    t->name_len = i - t->name;
    t->cut = 0;
    size_t n = 0;
    for (;;) {
        while (i < len && blank(s[i]))
            i++;
        if (i >= len || s[i] == '>')
            break;
        if (s[i] == '/' && i + 1 < len && s[i + 1] == '>') {
            i++;
            break;
        }
        if (!letter(s[i]) && s[i] != '_' && s[i] != ':' && s[i] != '.') {
            /* not a name: the parser skips it up to a blank or the tag's end */
            while (i < len && !blank(s[i]) && s[i] != '>' && !(s[i] == '/' && i + 1 < len && s[i + 1] == '>'))
                i++;
            continue;
        }
        size_t a = i;
        while (i < len && name_char(s[i]))
            i++;
        size_t before = n, name_end = i;
        n += (i - a + NAME_CHUNK - 1) / NAME_CHUNK;
        if (before <= max && n > max && !t->cut)
            t->cut = a;
        size_t j = i, value = 0, value_end = 0; /* a quoted value's bytes */
        while (j < len && blank(s[j]))
            j++;
        if (j < len && s[j] == '=') {
            j++;
            while (j < len && blank(s[j]))
                j++;
            if (j < len && (s[j] == '"' || s[j] == '\'')) {
                const char *q = memchr(s + j + 1, s[j], len - j - 1);
                i = q ? (size_t)(q - s) + 1 : len;
                if (q)
                    value = j + 1, value_end = (size_t)(q - s);
            } else {
                while (j < len && !blank(s[j]) && s[j] != '>')
                    j++;
                i = j;
            }
        }
        int verdict = keep && n <= max && name_end - a <= NAME_CHUNK
                          ? keep(s + t->name, t->name_len, s + a, name_end - a) : BOUND_KEEP;
        if (keep && (n > max || !verdict))
            edit_cut(e, a, i);
        else if (keep && verdict == BOUND_KEEP_SITE && site_end(s, value, value_end) < value_end)
            edit_cut(e, site_end(s, value, value_end), value_end);
    }
    t->end = i;
    t->empty = i < len && i > 0 && s[i - 1] == '/';
}

/* The index just past what starts at s[i] == '<' when it is a comment, a
 * doctype or a processing instruction; 0 when it is none of these. */
static size_t skip_markup(const char *s, size_t len, size_t i)
{
    if (i + 1 >= len || (s[i + 1] != '!' && s[i + 1] != '?'))
        return 0;
    if (i + 3 < len && s[i + 1] == '!' && s[i + 2] == '-' && s[i + 3] == '-') {
        for (size_t k = i + 4; k + 2 < len; k++) {
            const char *d = memchr(s + k, '-', len - k);
            if (!d)
                break;
            k = (size_t)(d - s);
            if (k + 2 < len && s[k + 1] == '-' && s[k + 2] == '>')
                return k + 3;
            if (k + 3 < len && s[k + 1] == '-' && s[k + 2] == '!' && s[k + 3] == '>')
                return k + 4;
        }
        return len;
    }
    const char *gt = memchr(s + i, '>', len - i);
    return gt ? (size_t)(gt - s) + 1 : len;
}

/* A script or style element: its text is raw, up to its own end tag. */
static int raw_name(const char *s, const tag *t)
{
    return (t->name_len == 6 && !strncasecmp(s + t->name, "script", 6)) ||
           (t->name_len == 5 && !strncasecmp(s + t->name, "style", 5));
}

/* Script and style hold text up to their own end tag, as in the parser
 * (which closes one written <x/> at once). */
static int raw_text(const char *s, const tag *t) { return !t->empty && raw_name(s, t); }

/* The index of the "</name" that ends the raw text starting at i, or len. */
static size_t raw_end(const char *s, size_t len, size_t i, const tag *t)
{
    while (i < len) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt)
            return len;
        i = (size_t)(lt - s);
        if (i + 1 + t->name_len < len && s[i + 1] == '/' && !strncasecmp(s + i + 2, s + t->name, t->name_len))
            return i;
        i++;
    }
    return len;
}

/* A script whose text the page's metadata is read from (JSON-LD), or whose
 * type may be written with a character reference, keeps its text. */
static int keeps_text(const char *tag, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (tag[k] == '&')
            return 1;
        if (k + 7 <= n && !strncasecmp(tag + k, "ld+json", 7))
            return 1;
    }
    return 0;
}

int bound_strip_nul(const char *s, size_t len, cv_buf *out)
{
    const char *nul = memchr(s, 0, len);
    if (!nul)
        return 0;
    out->len = 0;
    buf_reserve(out, len);
    for (const char *p = s, *end = s + len; p < end;) {
        buf_add(out, p, (size_t)(nul - p));
        p = nul + 1;
        nul = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
        if (!nul)
            nul = end;
    }
    return 1;
}

int bound_strip_raw(const char *s, size_t len, bound_keep_fn keep, size_t max, cv_buf *out)
{
    edit e = {s, out, 0, 0};
    size_t i = 0;
    int tags = 0, capped = 0;
    int strict = 1; /* the parser reads the page as this pass does, so far: text and attributes may go */
    while (i < len) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - s);
        size_t past = skip_markup(s, len, i);
        if (past && tags && i + 2 < len && (s[i + 2] | 0x20) == 'd')
            strict = 0; /* a DOCTYPE among the tags: the parser reads what follows it its own way */
        if (past) {
            i = past;
            continue;
        }
        if (strict && i + 2 < len && s[i + 1] == '/' &&
            (letter(s[i + 2]) || s[i + 2] == '_' || s[i + 2] == ':' || s[i + 2] == '.')) {
            const char *gt = memchr(s + i, '>', len - i); /* an end tag: the parser skips to its '>' */
            i = gt ? (size_t)(gt - s) + 1 : len;
            continue;
        }
        if (i + 1 >= len || !letter(s[i + 1])) {
            i++;
            continue;
        }
        tag t;
        scan_tag(s, len, i + 1, max, strict ? keep : NULL, &e, &t);
        tags = 1;
        if (t.cut) {
            capped = 1;
            if (!strict || !keep) /* else scan_tag cut them */
                edit_cut(&e, t.cut, t.empty ? t.end - 1 : t.end); /* up to its '>' (or "/>") */
        }
        /* A browser reads <script/> as <script>: what follows, up to its
         * end tag, is script, where the parser would show it as text.  The
         * '/' goes, so that the parser reads it as the browser does (not
         * when no end tag follows, where the browser would hide the rest
         * of the page). */
        size_t body = t.end + 1, end = 0;
        if (strict && t.empty && raw_name(s, &t) && t.end < len && (end = raw_end(s, len, body, &t)) < len)
            edit_cut(&e, t.end - 1, t.end);
        else if (!raw_text(s, &t) || t.end >= len) {
            i = t.end;
            continue;
        } else
            end = raw_end(s, len, body, &t);
        /* Where the parser may not read it as this tokenizer does, the rest
         * of the page keeps its text and attributes: text that starts with
         * a tag (an end tag, or one that closes the element, is read as
         * markup; "<!--" is not), holds a NUL (which ends the parser's raw
         * text), or ends in "</scriptx" (another element's end tag: the raw
         * text goes on after it). */
        if ((end > body + 1 && s[body] == '<' &&
             (s[body + 1] == '/' || letter(s[body + 1]) || s[body + 1] == '_' || s[body + 1] == ':')) ||
            memchr(s + body, '\0', end - body) ||
            (end + 2 + t.name_len < len && name_char(s[end + 2 + t.name_len])))
            strict = 0;
        else if (strict && end > body && !keeps_text(s + i, t.end - i))
            edit_cut(&e, body, end);
        i = end;
    }
    return edit_done(&e, len) | (capped ? BOUND_CAPPED : 0);
}

/* The elements libxml2 2.9 knows as empty: they open no level. */
static int void_element(const char *name, size_t n)
{
    static const char *const names[] = {"area", "base", "basefont", "br",      "col",  "embed", "frame",
                                        "hr",   "img",  "input",    "isindex", "link", "meta",  "param"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k]) == n && !strncasecmp(name, names[k], n))
            return 1;
    return 0;
}

void bound_flatten(const char *s, size_t len, size_t depth, cv_buf *out)
{
    size_t i = 0, copied = 0, level = 0, excess = 0;
    out->len = 0;
    while (i < len) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - s);
        size_t past = skip_markup(s, len, i);
        if (past) {
            i = past;
            continue;
        }
        if (i + 1 < len && s[i + 1] == '/') { /* an end tag: to its '>' */
            const char *gt = memchr(s + i, '>', len - i);
            size_t end = gt ? (size_t)(gt - s) + 1 : len;
            if (excess) {
                buf_add(out, s + copied, i - copied);
                buf_addc(out, ' ');
                copied = end;
                excess--;
            } else if (level) {
                level--;
            }
            i = end;
            continue;
        }
        if (i + 1 >= len || !letter(s[i + 1])) {
            i++;
            continue;
        }
        tag t;
        scan_tag(s, len, i + 1, (size_t)-1, NULL, NULL, &t);
        size_t end = t.end < len ? t.end + 1 : len;
        int raw = raw_text(s, &t);
        if (raw)
            end = end < len ? raw_end(s, len, end, &t) : len;
        if (t.empty || void_element(s + t.name, t.name_len)) {
            i = end;
            continue;
        }
        if (level < depth) {
            level++;
            i = end;
            continue;
        }
        /* too deep: the tag goes; a script or style goes with its text */
        buf_add(out, s + copied, i - copied);
        buf_addc(out, ' ');
        copied = end;
        if (raw && end < len) {
            const char *gt = memchr(s + end, '>', len - end);
            copied = gt ? (size_t)(gt - s) + 1 : len;
        } else {
            excess++;
        }
        i = copied;
    }
    buf_add(out, s + copied, len - copied);
}
