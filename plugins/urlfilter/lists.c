/* lists.c -- see lists.h.
 *
 * Every check is a bounded number of hash lookups: a host is looked up once
 * per label suffix ("a.b.bad.com", "b.bad.com", "bad.com", "com"), so a
 * domain blocks its subdomains and never a look-alike (notbad.com has no
 * suffix "bad.com" that starts at a dot); a word list is looked up at each
 * place a word may start, once per length the list holds. */
#include "lists.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define HOST_MAX 253
#define MAX_LABELS 127
#define MAX_SEGMENTS 32

static int is_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_alnum(int c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static void fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* ---- reading lists -------------------------------------------------------- */

typedef struct reader {
    const char *path;
    FILE *f;
    char *line;
    size_t cap, lineno;
} reader;

/* The next line, trimmed, that is not empty or a # comment; NULL at the end. */
static char *next_line(reader *r, size_t *len, int *bad)
{
    ssize_t n;
    *bad = 0;
    while ((n = getline(&r->line, &r->cap, r->f)) >= 0) {
        r->lineno++;
        char *s = r->line;
        size_t l = (size_t)n;
        if (memchr(s, '\0', l)) {
            *bad = 1;
            *len = 0;
            return s;
        }
        while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
            l--;
        while (l && (*s == ' ' || *s == '\t'))
            s++, l--;
        if (!l || *s == '#')
            continue;
        s[l] = '\0';
        *len = l;
        return s;
    }
    return NULL;
}

static int open_list(reader *r, const char *path, char *err, size_t cap)
{
    *r = (reader){.path = path};
    r->f = fopen(path, "r");
    if (!r->f) {
        fail(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int close_list(reader *r, char *err, size_t cap)
{
    int bad = ferror(r->f);
    fclose(r->f);
    free(r->line);
    if (bad) {
        fail(err, cap, "%s: read error", r->path);
        return -1;
    }
    return 0;
}

/* A host as the lists and URLs are compared: ASCII lower case, no trailing
 * dot.  0 when it cannot be one (empty labels, spaces, too long). */
static size_t norm_host(char *h, size_t n)
{
    while (n && h[n - 1] == '.')
        n--;
    if (!n || n > HOST_MAX || h[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        h[i] = (char)lower(c);
        if (c == '.' && h[i + 1] == '.')
            return 0;
        if (!(is_alnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80))
            return 0;
    }
    return n;
}

/* "bad.com/videos/" -> host "bad.com", path "/videos" (no trailing slash). */
static int add_url_entry(strset *urls, strset *domains, char *s, size_t n, uint16_t value)
{
    const char *scheme = strstr(s, "://");
    if (scheme && scheme - s < 12) {
        n -= (size_t)(scheme + 3 - s);
        s += scheme + 3 - s;
    }
    char *slash = memchr(s, '/', n);
    size_t hl = slash ? (size_t)(slash - s) : n;
    size_t h = norm_host(s, hl);
    if (!h)
        return -1;
    size_t pl = n - hl;
    while (pl && s[hl + pl - 1] == '/')
        pl--;
    for (size_t i = hl; i < hl + pl; i++)
        if ((unsigned char)s[i] <= ' ')
            return -1;
    if (!pl)
        return strset_add(domains, s, h, value) < 0 ? -2 : 0;
    if (h != hl)
        memmove(s + h, s + hl, pl);
    return strset_add(urls, s, h + pl, value) < 0 ? -2 : 0;
}

enum { LIST_DOMAINS, LIST_URLS, LIST_MIXED, LIST_WORDS };

/* Lines and bytes of an open file, read once ahead so the sets are sized
 * once (the page cache makes the second read cheap); the file is rewound. */
static void measure(FILE *f, size_t *lines, size_t *bytes)
{
    char block[1 << 16];
    size_t n;
    *lines = 1;
    *bytes = 0;
    while ((n = fread(block, 1, sizeof block, f)) > 0) {
        *bytes += n;
        for (const char *p = block; (p = memchr(p, '\n', n - (size_t)(p - block))); p++)
            ++*lines;
    }
    clearerr(f);
    rewind(f);
}

/* Read one list into its sets; malformed lines are counted, or with
 * strict an error naming the file and line. */
static int load_list(uf_lists *l, const char *path, int kind, strset *dom, strset *urls, uf_words *words,
                     uint16_t value, int strict, char *err, size_t cap)
{
    reader r;
    if (open_list(&r, path, err, cap) < 0)
        return -1;
    if (kind != LIST_WORDS) {
        size_t lines, bytes;
        measure(r.f, &lines, &bytes);
        strset_reserve(dom, kind == LIST_URLS ? 0 : lines, kind == LIST_URLS ? 0 : bytes);
        strset_reserve(urls, kind == LIST_DOMAINS ? 0 : lines, kind == LIST_DOMAINS ? 0 : bytes);
    }
    char *s;
    size_t n;
    int bad, rc = 0;
    while ((s = next_line(&r, &n, &bad))) {
        int res = bad ? -1 : 0;
        if (!bad && kind == LIST_DOMAINS) {
            size_t h = norm_host(s, n);
            res = !h ? -1 : strset_add(dom, s, h, value) < 0 ? -2 : 0;
        } else if (!bad && (kind == LIST_URLS || (kind == LIST_MIXED && memchr(s, '/', n)))) {
            res = add_url_entry(urls, dom, s, n, value);
        } else if (!bad && kind == LIST_MIXED) {
            size_t h = norm_host(s, n);
            res = !h ? -1 : strset_add(dom, s, h, value) < 0 ? -2 : 0;
        } else if (!bad) { /* words: lower case, letters and digits only, as datatrove's lists */
            size_t w = 0;
            for (size_t i = 0; i < n; i++)
                if (is_alnum((unsigned char)s[i]))
                    s[w++] = (char)lower((unsigned char)s[i]);
            if (!w || w > 255) {
                res = -1;
            } else {
                size_t k = 0;
                while (k < words->nlengths && words->lengths[k] != w)
                    k++;
                if (k == words->nlengths) {
                    if (k == UF_MAX_LENGTHS) {
                        fail(err, cap, "%s:%zu: more than %d word lengths", path, r.lineno, UF_MAX_LENGTHS);
                        rc = -1;
                        break;
                    }
                    words->lengths[words->nlengths++] = (uint8_t)w;
                }
                if (words->set.n >= UINT16_MAX) {
                    fail(err, cap, "%s:%zu: more than %d words", path, r.lineno, UINT16_MAX);
                    rc = -1;
                    break;
                }
                res = strset_add(&words->set, s, w, (uint16_t)words->set.n) < 0 ? -2 : 0;
            }
        }
        if (res == -2) {
            fail(err, cap, "%s:%zu: the lists hold more than 4 GB", path, r.lineno);
            rc = -1;
            break;
        }
        if (res < 0) {
            if (strict) {
                fail(err, cap, "%s:%zu: malformed entry (malformed: error)", path, r.lineno);
                rc = -1;
                break;
            }
            l->malformed++;
        } else {
            l->entries++;
        }
    }
    char ignored[8];
    if (close_list(&r, rc ? ignored : err, rc ? sizeof ignored : cap) < 0)
        rc = -1;
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int add_category(uf_lists *l, const char *dir, const char *name, int named, const uf_config *c, char *err,
                        size_t cap)
{
    char path[4096];
    if (l->ncategories >= UINT16_MAX) {
        fail(err, cap, "%s: more than %d categories", dir, UINT16_MAX);
        return -1;
    }
    uint16_t value = (uint16_t)l->ncategories;
    int found = 0;
    snprintf(path, sizeof path, "%s/%s/domains", dir, name);
    if (is_file(path)) {
        found = 1;
        if (load_list(l, path, LIST_DOMAINS, &l->domains, &l->urls, NULL, value, c->strict, err, cap) < 0)
            return -1;
    }
    snprintf(path, sizeof path, "%s/%s/urls", dir, name);
    if (is_file(path)) {
        found = 1;
        if (load_list(l, path, LIST_URLS, &l->domains, &l->urls, NULL, value, c->strict, err, cap) < 0)
            return -1;
    }
    if (!found) {
        if (named) {
            fail(err, cap, "%s/%s: no such category (no domains or urls file)", dir, name);
            return -1;
        }
        return 0;
    }
    l->categories[l->ncategories++] = strdup(name);
    return 0;
}

static int load_blocklist(uf_lists *l, const uf_config *c, char *err, size_t cap)
{
    struct stat st;
    if (stat(c->blocklist, &st) < 0) {
        fail(err, cap, "blocklist %s: %s", c->blocklist, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fail(err, cap, "blocklist %s: not a folder (expected DIR/<category>/domains and /urls)", c->blocklist);
        return -1;
    }
    if (c->ncategories) {
        l->categories = calloc(c->ncategories, sizeof *l->categories);
        for (size_t i = 0; i < c->ncategories; i++)
            if (strchr(c->categories[i], '/') || add_category(l, c->blocklist, c->categories[i], 1, c, err, cap) < 0) {
                if (strchr(c->categories[i], '/'))
                    fail(err, cap, "category '%s': a name, not a path", c->categories[i]);
                return -1;
            }
        return 0;
    }
    DIR *d = opendir(c->blocklist);
    if (!d) {
        fail(err, cap, "blocklist %s: %s", c->blocklist, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, ncap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        XGROW(names, ncap, n + 1);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    /* sorted: the first category that lists a domain names its drops, the same on every machine */
    qsort(names, n, sizeof *names, cmp_str);
    l->categories = calloc(n ? n : 1, sizeof *l->categories);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc && add_category(l, c->blocklist, names[i], 0, c, err, cap) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    if (!rc && l->ncategories == 0) {
        fail(err, cap, "blocklist %s: no category in it (expected DIR/<category>/domains or /urls)", c->blocklist);
        rc = -1;
    }
    return rc;
}

uf_lists *uf_load(const uf_config *c, char *err, size_t cap)
{
    uf_lists *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->soft_threshold = c->soft_threshold;
    int rc = 0;
    if (c->blocklist)
        rc = load_blocklist(l, c, err, cap);
    if (!rc && c->allow)
        rc = load_list(l, c->allow, LIST_MIXED, &l->allow_domains, &l->allow_urls, NULL, 0, c->strict, err, cap);
    const char *wpath[] = {c->banned_words, c->banned_subwords, c->soft_banned_words, c->false_positives};
    uf_words *wset[] = {&l->words, &l->subwords, &l->soft, &l->fps};
    for (int k = 0; k < 4 && !rc; k++)
        if (wpath[k])
            rc = load_list(l, wpath[k], LIST_WORDS, NULL, NULL, wset[k], 0, c->strict, err, cap);
    if (rc) {
        uf_free(l);
        return NULL;
    }
    strset *sets[] = {&l->domains, &l->urls, &l->allow_domains, &l->allow_urls};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        strset_trim(sets[i]);
    return l;
}

void uf_free(uf_lists *l)
{
    if (!l)
        return;
    strset_free(&l->domains);
    strset_free(&l->urls);
    strset_free(&l->allow_domains);
    strset_free(&l->allow_urls);
    strset_free(&l->words.set);
    strset_free(&l->subwords.set);
    strset_free(&l->soft.set);
    strset_free(&l->fps.set);
    for (size_t i = 0; i < l->ncategories; i++)
        free(l->categories[i]);
    free(l->categories);
    free(l);
}

/* ---- checking a URL ---------------------------------------------------------- */

typedef struct url_parts {
    char *host; /* lower case, in scratch */
    size_t hlen;
    const char *path; /* from the '/' on, without query and fragment */
    size_t plen;
} url_parts;

static int split_url(const char *url, size_t len, char *hostbuf, url_parts *u)
{
    const char *p = url, *end = url + len;
    const char *scheme = NULL;
    for (const char *q = p; q < end && q - p < 16; q++)
        if (q + 2 < end && q[0] == ':' && q[1] == '/' && q[2] == '/') {
            scheme = q;
            break;
        }
    if (scheme)
        p = scheme + 3;
    const char *a = p;
    while (p < end && *p != '/' && *p != '?' && *p != '#' && *p != '\\')
        p++;
    const char *ae = p;
    for (const char *q = ae; q > a; q--) /* user:pass@ */
        if (q[-1] == '@') {
            a = q;
            break;
        }
    if (a < ae && *a == '[') { /* [v6]:port */
        const char *rb = memchr(a, ']', (size_t)(ae - a));
        ae = rb ? rb + 1 : ae;
    } else {
        const char *colon = memchr(a, ':', (size_t)(ae - a));
        if (colon)
            ae = colon;
    }
    size_t hl = (size_t)(ae - a);
    if (hl == 0 || hl > HOST_MAX)
        return -1;
    memcpy(hostbuf, a, hl);
    hostbuf[hl] = '\0';
    while (hl && hostbuf[hl - 1] == '.')
        hl--;
    for (size_t i = 0; i < hl; i++)
        hostbuf[i] = (char)lower((unsigned char)hostbuf[i]);
    u->host = hostbuf;
    u->hlen = hl;
    const char *ps = p;
    while (p < end && *p != '?' && *p != '#')
        p++;
    u->path = ps < end && *ps == '/' ? ps : NULL;
    u->plen = u->path ? (size_t)(p - ps) : 0;
    while (u->plen && u->path[u->plen - 1] == '/')
        u->plen--;
    return hl ? 0 : -1;
}

/* The category of the first host suffix in set, or -1; *at: where it starts. */
static int find_host(const strset *set, const char *h, size_t hl, size_t *at)
{
    if (!set->n)
        return -1;
    size_t i = 0;
    for (int labels = 0; labels < MAX_LABELS && i < hl; labels++) {
        int v = strset_find(set, h + i, hl - i);
        if (v >= 0) {
            *at = i;
            return v;
        }
        const char *dot = memchr(h + i, '.', hl - i);
        if (!dot)
            break;
        i = (size_t)(dot - h) + 1;
    }
    return -1;
}

/* host suffix + path prefix ending at a '/' or at the end of the path. */
static int find_url(const strset *set, const url_parts *u, char *key, char *detail, size_t dcap)
{
    if (!set->n || !u->path)
        return -1;
    size_t i = 0;
    for (int labels = 0; labels < MAX_LABELS && i < u->hlen; labels++) {
        size_t hl = u->hlen - i;
        memcpy(key, u->host + i, hl);
        int segments = 0;
        for (size_t j = 1; j <= u->plen && segments < MAX_SEGMENTS; j++) {
            if (j < u->plen && u->path[j] != '/')
                continue;
            segments++;
            memcpy(key + hl, u->path, j);
            int v = strset_find(set, key, hl + j);
            if (v >= 0) {
                snprintf(detail, dcap, "%.*s", (int)(hl + j), key);
                return v;
            }
        }
        const char *dot = memchr(u->host + i, '.', u->hlen - i);
        if (!dot)
            break;
        i = (size_t)(dot - u->host) + 1;
    }
    return -1;
}

/* A word of w at s[i] bounded by non-letters (or where bounded says not to
 * care: sub-words); its value and *wl its length, or -1. */
static int word_at(const uf_words *w, const char *s, size_t n, size_t i, int bounded, size_t *wl)
{
    if (bounded && i > 0 && is_alpha((unsigned char)s[i - 1]))
        return -1;
    for (size_t k = 0; k < w->nlengths; k++) {
        size_t L = w->lengths[k];
        if (i + L > n || (bounded && i + L < n && is_alpha((unsigned char)s[i + L])))
            continue;
        int v = strset_find(&w->set, s + i, L);
        if (v >= 0) {
            *wl = L;
            return v;
        }
    }
    return -1;
}

static void grow_scratch(uf_scratch *s, size_t len)
{
    size_t need = len + HOST_MAX + 16;
    if (need <= s->cap)
        return;
    s->cap = need * 2;
    s->lower = realloc(s->lower, s->cap);
    s->norm = realloc(s->norm, s->cap);
    s->key = realloc(s->key, s->cap);
    s->cover = realloc(s->cover, s->cap * sizeof *s->cover);
    if (!s->lower || !s->norm || !s->key || !s->cover)
        abort();
}

void uf_scratch_free(uf_scratch *s)
{
    free(s->lower);
    free(s->norm);
    free(s->key);
    free(s->cover);
    *s = (uf_scratch){0};
}

static void set_detail(uf_verdict *v, const char *reason, const char *s, size_t n)
{
    v->reason = reason;
    snprintf(v->detail, sizeof v->detail, "%.*s", (int)(n < 300 ? n : 300), s);
}

static void block_verdict(const uf_lists *l, const char *url, size_t len, const url_parts *u, uf_scratch *s,
                          uf_verdict *v)
{
    size_t at, wl;
    int c;
    if (u && (c = find_host(&l->domains, u->host, u->hlen, &at)) >= 0) {
        set_detail(v, l->categories[c], u->host + at, u->hlen - at);
        return;
    }
    if (u && (c = find_url(&l->urls, u, s->key, v->detail, sizeof v->detail)) >= 0) {
        v->reason = l->categories[c];
        return;
    }
    if (!l->words.set.n && !l->soft.set.n && !l->subwords.set.n)
        return;
    for (size_t i = 0; i < len; i++)
        s->lower[i] = (char)lower((unsigned char)url[i]);
    if (l->words.set.n)
        for (size_t i = 0; i < len; i++)
            if (word_at(&l->words, s->lower, len, i, 1, &wl) >= 0) {
                set_detail(v, "banned_word", s->lower + i, wl);
                return;
            }
    if (l->soft.set.n) {
        int seen[16], nseen = 0;
        for (size_t i = 0; i < len && nseen < 16; i++) {
            int w = word_at(&l->soft, s->lower, len, i, 1, &wl);
            int k = 0;
            while (w >= 0 && k < nseen && seen[k] != w)
                k++;
            if (w >= 0 && k == nseen) {
                seen[nseen++] = w;
                if (nseen >= l->soft_threshold) {
                    set_detail(v, "soft_banned_words", s->lower + i, wl);
                    return;
                }
            }
        }
    }
    if (!l->subwords.set.n)
        return;
    /* Sub-words anywhere inside a run of letters and digits, unless inside
     * a known false positive: cover[i] is how far the false positives that
     * start at or before i reach.  datatrove deletes the other characters
     * and searches the rest, so "https://example.com" holds "sex"; here the
     * runs stay apart ('|' is in no word). */
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (is_alnum((unsigned char)s->lower[i]))
            s->norm[n++] = s->lower[i];
        else if (n && s->norm[n - 1] != '|')
            s->norm[n++] = '|';
    uint32_t reach = 0;
    for (size_t i = 0; i < n && l->fps.set.n; i++) {
        for (size_t k = 0; k < l->fps.nlengths; k++) {
            size_t L = l->fps.lengths[k];
            if (i + L <= n && i + L > reach && strset_find(&l->fps.set, s->norm + i, L) >= 0)
                reach = (uint32_t)(i + L);
        }
        s->cover[i] = reach;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < l->subwords.nlengths; k++) {
            size_t L = l->subwords.lengths[k];
            if (i + L > n || strset_find(&l->subwords.set, s->norm + i, L) < 0)
                continue;
            if (l->fps.set.n && s->cover[i] >= i + L)
                continue;
            set_detail(v, "banned_subword", s->norm + i, L);
            return;
        }
    }
}

void uf_check(const uf_lists *l, const char *url, size_t len, uf_scratch *s, uf_verdict *v)
{
    *v = (uf_verdict){0};
    grow_scratch(s, len);
    url_parts u;
    char host[HOST_MAX + 1];
    int have = split_url(url, len, host, &u) == 0;
    block_verdict(l, url, len, have ? &u : NULL, s, v);
    if (!v->reason || !have)
        return;
    size_t at;
    char det[sizeof v->detail];
    if (find_host(&l->allow_domains, u.host, u.hlen, &at) >= 0 ||
        find_url(&l->allow_urls, &u, s->key, det, sizeof det) >= 0)
        v->allowed = 1;
}
