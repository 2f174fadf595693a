/* doc.c -- document storage and the host functions that edit it. */
#include "doc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "err.h"
#include "utf8.h"

#define TEXT_PAD 32

cv_doc *cv_doc_new(void)
{
    cv_doc *d = cv_xcalloc(1, sizeof *d);
    d->meta = json_object();
    d->text = cv_xcalloc(1, TEXT_PAD);
    d->cap = TEXT_PAD;
    return d;
}

void cv_doc_free(cv_doc *d)
{
    if (!d)
        return;
    free(d->id);
    free(d->text);
    json_decref(d->meta);
    free(d->spans);
    for (size_t i = 0; i < d->nstrs; i++)
        free(d->strs[i]);
    free(d->strs);
    free(d->drop_reason);
    free(d->drop_detail);
    cv_doc_set_scratch(d, NULL, NULL);
    if (d->retired && d->retired_free)
        d->retired_free(d->retired);
    free(d);
}

void cv_doc_set_scratch(cv_doc *d, void *p, void (*free_fn)(void *p))
{
    if (d->scratch && d->scratch_free)
        d->scratch_free(d->scratch);
    d->scratch = p;
    d->scratch_free = free_fn;
}

/* A serial step's turn may be taken on another thread than the one whose
 * prepare() allocated the scratch: freed there, it waited on the other
 * thread's malloc arena, which that thread was using (a -j 2 MinHash run's
 * most frequent futex).  Freed with the document, it goes back from the
 * thread that read the document, which most often prepared it too. */
void cv_doc_retire_scratch(cv_doc *d)
{
    if (!d->scratch)
        return;
    if (d->retired && d->retired_free)
        d->retired_free(d->retired); /* (a second step with a scratch: seldom) */
    d->retired = d->scratch;
    d->retired_free = d->scratch_free;
    d->scratch = NULL;
    d->scratch_free = NULL;
}

void *cv_doc_scratch(const cv_doc *d) { return d->scratch; }

uint64_t cv_doc_order(const cv_doc *d) { return d->ord; }

const char *cv_doc_id(const cv_doc *d) { return d->id ? d->id : ""; }

int cv_doc_set_id(cv_doc *d, const char *id)
{
    if (!id)
        return -1;
    free(d->id);
    d->id = cv_xstrdup(id);
    return 0;
}

const char *cv_doc_text(const cv_doc *d, size_t *len)
{
    if (len)
        *len = d->len;
    return d->text;
}

/* The one promise about text: it is valid UTF-8, so no plugin has to check again. */
static int valid_text(const char *text, size_t len)
{
    return (text || !len) && cv_utf8_valid_prefix(text, len) == len;
}

static void store_text(cv_doc *d, const char *text, size_t len)
{
    /* TEXT_PAD zero bytes follow the text: vectorised scanners (PCRE2's JIT
     * reads 16 bytes at a time) may look past the end without touching
     * memory that is not ours or not initialised. */
    if (len + TEXT_PAD > d->cap) {
        /* The text may alias our own buffer (a step passing a slice of it). */
        char *n = cv_xmalloc(len + TEXT_PAD);
        if (len)
            memcpy(n, text, len);
        free(d->text);
        d->text = n;
        d->cap = len + TEXT_PAD;
    } else if (len) {
        memmove(d->text, text, len);
    }
    memset(d->text + len, 0, TEXT_PAD);
    d->len = len;
    d->nspans = 0;
    d->unchecked = 0;
}

int cv_doc_set_text(cv_doc *d, const char *text, size_t len)
{
    if (!valid_text(text, len))
        return -1;
    store_text(d, text, len);
    return 0;
}

/* CONVERT_CHECK_TEXT=1: doc_set_text_unchecked checks after all (tests). */
static int check_all;
static pthread_once_t check_once = PTHREAD_ONCE_INIT;
static void read_check_env(void)
{
    const char *e = getenv("CONVERT_CHECK_TEXT");
    check_all = e && e[0] && strcmp(e, "0") != 0;
}

int cv_doc_set_text_unchecked(cv_doc *d, const char *text, size_t len)
{
    pthread_once(&check_once, read_check_env);
    if (check_all && !valid_text(text, len)) {
        cv_log(CV_LOG_ERROR, "step '%s' passed invalid UTF-8 to doc_set_text_unchecked (document '%s'): a bug in "
               "that plugin (CONVERT_CHECK_TEXT is set)", d->stage ? d->stage : "?", d->id ? d->id : "?");
        abort();
    }
    store_text(d, text, len);
    return 0;
}

char *cv_doc_text_room(cv_doc *d, size_t len, unsigned flags)
{
    if (!d->reading || len > SIZE_MAX / 2)
        return NULL;
    if (len + TEXT_PAD > d->cap) {
        /* Geometric, so a reader growing the text a chunk at a time copies
         * it a bounded number of times; exact when it asks for the size at once. */
        size_t cap = d->unchecked && d->cap + d->cap / 2 > len + TEXT_PAD ? d->cap + d->cap / 2 : len + TEXT_PAD;
        char *n = realloc(d->text, cap);
        if (!n)
            return NULL;
        d->text = n;
        d->cap = cap;
        if (cap >= (size_t)2 << 20) { /* a long text: faulted in 2 MB at a time (a hint) */
            uintptr_t from = ((uintptr_t)n + 4095) & ~(uintptr_t)4095, to = ((uintptr_t)n + cap) & ~(uintptr_t)4095;
            if (to > from)
                madvise((void *)from, to - from, MADV_HUGEPAGE);
        }
    }
    d->len = len;
    d->nspans = 0;
    d->unchecked = 1;
    d->text_flags = flags;
    return d->text;
}

size_t cv_doc_check_text(cv_doc *d)
{
    if (!d->unchecked)
        return 0;
    d->unchecked = 0;
    memset(d->text + d->len, 0, TEXT_PAD); /* the reader wrote only the text */
    if (d->drop_reason || valid_text(d->text, d->len))
        return 0;
    if (!(d->text_flags & CV_TEXT_REPAIR)) {
        cv_doc_drop(d, "invalid_utf8", NULL);
        return 0;
    }
    /* Rare: a copy more, and the buffer's layout stays store_text()'s alone. */
    size_t bad, n = cv_utf8_repair(d->text, d->len, NULL, &bad);
    char *fixed = cv_xmalloc(n); /* n >= 3: a bad byte became U+FFFD */
    cv_utf8_repair(d->text, d->len, fixed, &bad);
    store_text(d, fixed, n);
    free(fixed);
    return bad;
}

void cv_doc_drop(cv_doc *d, const char *reason, const char *detail)
{
    free(d->drop_reason);
    free(d->drop_detail);
    d->drop_reason = cv_xasprintf("%s:%s", d->stage ? d->stage : "core", reason && reason[0] ? reason : "dropped");
    d->drop_detail = detail ? cv_xstrdup(detail) : NULL;
}

static int meta_set(cv_doc *d, const char *key, json_t *v)
{
    if (!key || !v)
        return json_decref(v), -1;
    return json_object_set_new(d->meta, key, v);
}

/* jansson checks UTF-8 a byte at a time; a headline per document made that
 * ~2% of a run.  Same rule, checked by the core's validator. */
int cv_meta_set_string(cv_doc *d, const char *key, const char *value)
{
    size_t n = value ? strlen(value) : 0;
    if (!value || !valid_text(value, n))
        return -1;
    return meta_set(d, key, json_stringn_nocheck(value, n));
}
int cv_meta_set_int(cv_doc *d, const char *key, int64_t value) { return meta_set(d, key, json_integer(value)); }
int cv_meta_set_float(cv_doc *d, const char *key, double value) { return meta_set(d, key, json_real(value)); }
int cv_meta_set_bool(cv_doc *d, const char *key, int value) { return meta_set(d, key, json_boolean(value)); }

int cv_meta_set_json(cv_doc *d, const char *key, const char *json)
{
    if (!json)
        return -1;
    return meta_set(d, key, json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL));
}

const char *cv_meta_get_string(const cv_doc *d, const char *key)
{
    return key ? json_string_value(json_object_get(d->meta, key)) : NULL;
}

/* ---- meta_dump ---------------------------------------------------------
 * Writers dump every document's metadata; json_dumps() was 5% of a cleaning
 * run (a character at a time through its escaper).  Objects of strings and
 * integers, what readers and steps set per document, are written here,
 * byte for byte as json_dumps(JSON_COMPACT) writes them (a test compares the
 * two on random metadata); any other value is still handed to jansson. */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = cv_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* As jansson escapes: quote and backslash, control characters (\b \f \n \r \t
 * by name, the rest as \u00XX); everything else, non-ASCII too, as it is. */
static void sb_add_string(sbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sb_add(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        const char *named = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (!named)
            snprintf(esc, sizeof esc, "\\u%04X", c);
        sb_add(b, named ? named : esc, strlen(named ? named : esc));
    }
    sb_add(b, s + run, n - run);
    sb_add(b, "\"", 1);
}

char *cv_meta_dump(const cv_doc *d, const char *key)
{
    const json_t *v = key ? json_object_get(d->meta, key) : d->meta;
    if (!v || !json_is_object(v))
        return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    sbuf b = {0};
    sb_add(&b, "{", 1);
    const char *k;
    json_t *m;
    int first = 1;
    json_object_foreach((json_t *)v, k, m) {
        if (!first)
            sb_add(&b, ",", 1);
        first = 0;
        sb_add_string(&b, k, strlen(k));
        sb_add(&b, ":", 1);
        if (json_is_string(m)) {
            sb_add_string(&b, json_string_value(m), json_string_length(m));
        } else if (json_is_integer(m)) {
            char num[32];
            int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(m));
            sb_add(&b, num, (size_t)n);
        } else {
            char *j = json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY);
            if (!j) {
                free(b.p);
                return NULL;
            }
            sb_add(&b, j, strlen(j));
            free(j);
        }
    }
    sb_add(&b, "}", 1);
    return b.p;
}

static const char *intern(cv_doc *d, const char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < d->nstrs; i++) /* called for every token: the first byte settles most */
        if (d->strs[i][0] == s[0] && !strcmp(d->strs[i], s))
            return d->strs[i];
    d->strs = cv_xrealloc(d->strs, (d->nstrs + 1) * sizeof *d->strs);
    return d->strs[d->nstrs++] = cv_xstrdup(s);
}

int cv_span_add(cv_doc *d, const cv_span *s)
{
    if (!s || !s->type || s->start > s->end || s->end > d->len)
        return -1;
    if (d->nspans == d->cspans) {
        d->cspans = d->cspans ? d->cspans * 2 : 64;
        d->spans = cv_xrealloc(d->spans, d->cspans * sizeof *d->spans);
    }
    cv_span *o = &d->spans[d->nspans++];
    *o = *s;
    o->type = intern(d, s->type);
    o->label = intern(d, s->label);
    return 0;
}

size_t cv_span_count(const cv_doc *d) { return d->nspans; }

int cv_span_get(const cv_doc *d, size_t i, cv_span *out)
{
    if (i >= d->nspans || !out)
        return -1;
    *out = d->spans[i];
    return 0;
}
