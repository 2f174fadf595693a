/* segment.c -- step: sentences and tokens as spans, for Cyrillic and Latin text.
 *
 * Tokens: words (letters, marks, digits; joined across inner hyphens and
 * apostrophes: "well-known", "don't", "o'clock"), numbers with inner
 * separators ("04.04.2025", "1.5", "6,550", "01:12"), abbreviations and
 * initials with their periods ("e.g.", "Mr.", "J."), URLs and e-mail
 * addresses whole, "..." whole, and every other punctuation mark alone.
 * Sentences end at a line break, or after . ! ? … (and closing quotes)
 * when the next token starts like a sentence; never after an abbreviation
 * or initial unless the abbreviation is listed as `final`.
 *
 * Why not ICU's break iterators: ICU splits hyphenated words, and its
 * sentence rules do not know Bulgarian or Ukrainian abbreviations; both
 * behaviours are part of what this step promises, and the abbreviation
 * lists belong in config files.  utf8proc supplies the character classes. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "convert/plugin.h"
#include "util.h"
#include "yamlfile.h"

typedef struct segment_opts {
    const char *abbreviations;
    int sentences, tokens;
} segment_opts;

static const cv_optmap segment_optmap[] = {
    {.key = "abbreviations", .type = CV_OPT_PATH, .offset = offsetof(segment_opts, abbreviations),
     .help = "YAML with `abbreviations: {lang: [forms]}` and `final: [forms]` (see config/segment/abbreviations.yaml)"},
    {.key = "sentences", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(segment_opts, sentences),
     .help = "add sentence spans"},
    {.key = "tokens", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(segment_opts, tokens),
     .help = "add token spans"},
    {0},
};

typedef struct abbr {
    char *form;
    size_t len;
    int final;
} abbr;

typedef struct seg {
    const cv_host *host;
    cv_ctx *ctx;
    abbr *abbrs; /* sorted by form, for bsearch */
    size_t nabbrs;
    size_t max_abbr;
    segment_opts o;
} seg;

enum tok_kind { T_WORD, T_NUMBER, T_ABBR, T_ABBR_FINAL, T_INITIAL, T_PUNCT, T_END_MARK, T_OTHER };

typedef struct tok {
    size_t start, end;
    enum tok_kind kind;
    int newline_after; /* a line break follows before the next token */
} tok;

static int cmp_abbr(const void *a, const void *b) { return strcmp(((const abbr *)a)->form, ((const abbr *)b)->form); }

static void segment_destroy(void *p)
{
    seg *s = p;
    for (size_t i = 0; i < s->nabbrs; i++)
        free(s->abbrs[i].form);
    free(s->abbrs);
    free(s);
}

static void add_abbr(seg *s, const char *form, int final)
{
    for (size_t i = 0; i < s->nabbrs; i++)
        if (!strcmp(s->abbrs[i].form, form)) {
            s->abbrs[i].final |= final;
            return;
        }
    s->abbrs = xrealloc(s->abbrs, (s->nabbrs + 1) * sizeof *s->abbrs);
    s->abbrs[s->nabbrs++] = (abbr){strdup(form), strlen(form), final};
    if (strlen(form) > s->max_abbr)
        s->max_abbr = strlen(form);
}

static int load_abbrs(seg *s, const char *path)
{
    char err[1024];
    json_t *root = yaml_file_load(path, err, sizeof err);
    if (!root) {
        s->host->error(s->ctx, "%s", err);
        return -1;
    }
    json_t *langs = json_object_get(root, "abbreviations"), *list;
    const char *lang;
    size_t i;
    json_t *v;
    json_object_foreach(langs, lang, list) json_array_foreach(list, i, v) if (json_is_string(v))
        add_abbr(s, json_string_value(v), 0);
    json_array_foreach(json_object_get(root, "final"), i, v) if (json_is_string(v)) add_abbr(s, json_string_value(v), 1);
    json_decref(root);
    qsort(s->abbrs, s->nabbrs, sizeof *s->abbrs, cmp_abbr);
    return 0;
}

static void *segment_create(const cv_host *h, cv_ctx *ctx)
{
    seg *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->host = h;
    s->ctx = ctx;
    h->opt_load(ctx, &s->o);
    if (s->o.abbreviations && load_abbrs(s, s->o.abbreviations) < 0) {
        segment_destroy(s);
        return NULL;
    }
    return s;
}

/* ---- character classes ---- */

/* The code point at byte i, and where the next one starts.  Document text is
 * valid UTF-8, so this is util.h's unchecked decoder. */
static utf8proc_int32_t at(const char *t, size_t i, size_t *next)
{
    *next = i;
    return utf8_next(t, next);
}

static int is_space(utf8proc_int32_t c)
{
    if (c < 0x80)
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    return !(c >= 0x400 && c < 0x530) && utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
}

static int is_alnum(utf8proc_int32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    if (c >= 0x400 && c < 0x482)
        return 1; /* Cyrillic letters: the hot case, without a table lookup */
    utf8proc_category_t k = utf8proc_category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
           (k >= UTF8PROC_CATEGORY_MN && k <= UTF8PROC_CATEGORY_ME) || k == UTF8PROC_CATEGORY_ND;
}

static int is_digit(utf8proc_int32_t c)
{
    return c < 0x80 ? c >= '0' && c <= '9' : utf8proc_category(c) == UTF8PROC_CATEGORY_ND;
}
static int is_upper(utf8proc_int32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    if (c >= 0x410 && c < 0x430)
        return 1;
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LU;
}
static int is_joiner(utf8proc_int32_t c) { return c == '-' || c == 0x2010 || c == 0x2011; }
static int is_apostrophe(utf8proc_int32_t c) { return c == '\'' || c == 0x2019 || c == 0x02BC; }
static int is_num_sep(utf8proc_int32_t c) { return c == '.' || c == ',' || c == ':' || c == '/' || c == '-'; }
static int is_end_mark(utf8proc_int32_t c) { return c == '.' || c == '!' || c == '?' || c == 0x2026; }
static int is_closer(utf8proc_int32_t c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0xBB || c == 0x201C || c == 0x201D || c == 0x2019;
}
static int is_opener(utf8proc_int32_t c)
{
    return c == '"' || c == '(' || c == 0xAB || c == 0x201E || c == 0x201C || c == 0x2018 || c == 0x2014 ||
           c == 0x2013 || c == '-';
}

/* ---- tokens ---- */

/* Longest listed abbreviation starting at i (ending in '.'), or 0. */
static size_t match_abbr(const seg *s, const char *t, size_t len, size_t i, int *final)
{
    size_t limit = len - i < s->max_abbr ? len - i : s->max_abbr;
    for (size_t n = limit; n >= 2; n--) {
        if (t[i + n - 1] != '.')
            continue;
        if (i + n < len) { /* the form must end at a word boundary */
            size_t nx;
            if (is_alnum(at(t, i + n, &nx)))
                continue;
        }
        char buf[128];
        if (n >= sizeof buf)
            continue;
        memcpy(buf, t + i, n);
        buf[n] = '\0';
        abbr key = {buf, n, 0};
        const abbr *a = bsearch(&key, s->abbrs, s->nabbrs, sizeof *s->abbrs, cmp_abbr);
        if (a) {
            *final = a->final;
            return n;
        }
    }
    return 0;
}

/* A URL or e-mail address: the run of non-space characters holding :// or a
 * word@word.word, without trailing punctuation.  Returns its end, or 0. */
static size_t match_link(const char *t, size_t len, size_t i)
{
    size_t e = i;
    while (e < len && t[e] != ' ' && t[e] != '\n' && t[e] != '\t')
        e++;
    const char *run = t + i;
    size_t n = e - i;
    int link = 0;
    for (size_t k = 0; k + 2 < n; k++)
        if (run[k] == ':' && run[k + 1] == '/' && run[k + 2] == '/')
            link = 1;
    const char *atsign = memchr(run, '@', n);
    if (!link && atsign && atsign > run && memchr(atsign, '.', n - (size_t)(atsign - run)))
        link = 1;
    if (!link)
        return 0;
    while (e > i && strchr(".,;:!?)]\"'", t[e - 1]))
        e--;
    return e;
}

static size_t tokenize(const seg *s, const char *t, size_t len, tok **out, size_t *cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t nx;
        utf8proc_int32_t c = at(t, i, &nx);
        if (is_space(c)) {
            if (c == '\n' && n)
                (*out)[n - 1].newline_after = 1;
            i = nx;
            continue;
        }
        XGROW(*out, *cap, n + 1);
        tok *k = &(*out)[n++];
        *k = (tok){.start = i, .kind = T_OTHER};
        int final = 0;
        size_t e;
        if ((e = match_link(t, len, i))) {
            k->end = e;
            k->kind = T_WORD;
        } else if (is_alnum(c) && s->nabbrs && (e = match_abbr(s, t, len, i, &final))) {
            k->end = i + e;
            k->kind = final ? T_ABBR_FINAL : T_ABBR;
        } else if (is_digit(c)) {
            size_t j = nx;
            for (;;) {
                size_t j2, j3;
                utf8proc_int32_t d = j < len ? at(t, j, &j2) : 0;
                if (d && is_digit(d)) {
                    j = j2;
                } else if (d && is_num_sep(d) && j2 < len && is_digit(at(t, j2, &j3))) {
                    j = j3;
                } else {
                    break;
                }
            }
            k->end = j;
            k->kind = T_NUMBER;
            /* "2000-s", "5-th": a number joined to letters by a hyphen stays one word */
            size_t j2, j3;
            if (j < len && is_joiner(at(t, j, &j2)) && j2 < len && is_alnum(at(t, j2, &j3))) {
                j = j3;
                while (j < len && is_alnum(at(t, j, &j2)))
                    j = j2;
                k->end = j;
                k->kind = T_WORD;
            }
        } else if (is_alnum(c)) {
            size_t j = nx;
            for (;;) {
                size_t j2, j3;
                utf8proc_int32_t d = j < len ? at(t, j, &j2) : 0;
                if (d && is_alnum(d))
                    j = j2;
                else if (d && (is_joiner(d) || is_apostrophe(d)) && j2 < len && is_alnum(at(t, j2, &j3)))
                    j = j3;
                else
                    break;
            }
            k->end = j;
            k->kind = T_WORD;
            /* An initial: one capital letter and a period ("J. Smith"). */
            if (j == nx && is_upper(c) && j < len && t[j] == '.') {
                k->end = j + 1;
                k->kind = T_INITIAL;
            }
        } else if (c == '.' && i + 2 < len && t[i + 1] == '.' && t[i + 2] == '.') {
            size_t j = i;
            while (j < len && t[j] == '.')
                j++;
            k->end = j;
            k->kind = T_END_MARK;
        } else {
            k->end = nx;
            k->kind = is_end_mark(c) ? T_END_MARK : T_PUNCT;
        }
        i = k->end;
    }
    return n;
}

/* Does token k start like a sentence? */
static int starts_sentence(const char *t, const tok *k)
{
    size_t nx;
    utf8proc_int32_t c = at(t, k->start, &nx);
    return is_upper(c) || is_digit(c) || is_opener(c);
}

/* Is the byte at `end` white space (or the end of the text)? */
static int space_follows(const char *t, size_t len, size_t end)
{
    size_t nx;
    return end >= len || is_space(at(t, end, &nx));
}

static cv_status segment_process(void *p, cv_doc *doc)
{
    seg *s = p;
    const cv_host *h = s->host;
    size_t len;
    const char *t = h->doc_text(doc, &len);
    tok *toks = NULL;
    size_t cap = 0, n = tokenize(s, t, len, &toks, &cap);
    /* Pass 1: where sentences end. */
    unsigned char *boundary = xcalloc(n ? n : 1, 1);
    for (size_t i = 0; i < n; i++) {
        if (i + 1 == n || toks[i].newline_after) {
            boundary[i] = 1;
            continue;
        }
        if (toks[i].kind != T_END_MARK && toks[i].kind != T_ABBR_FINAL)
            continue;
        /* Closing quotes and brackets glued to the mark stay in the sentence. */
        size_t j = i + 1, nx;
        while (j < n && toks[j].start == toks[j - 1].end && !toks[j - 1].newline_after &&
               is_closer(at(t, toks[j].start, &nx)))
            j++;
        if (j < n && !toks[j - 1].newline_after && starts_sentence(t, &toks[j]))
            boundary[j - 1] = 1;
    }
    /* Pass 2: the spans. */
    int failed = 0;
    size_t sent_start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s->o.tokens) {
            cv_span sp = {toks[i].start, toks[i].end, "token", NULL, 0};
            if (!space_follows(t, len, toks[i].end))
                sp.flags |= CV_SPAN_NO_SPACE_AFTER;
            failed |= h->span_add(doc, &sp) < 0;
        }
        if (boundary[i]) {
            if (s->o.sentences) {
                cv_span sp = {toks[sent_start].start, toks[i].end, "sentence", NULL, 0};
                failed |= h->span_add(doc, &sp) < 0;
            }
            sent_start = i + 1;
        }
    }
    free(boundary);
    free(toks);
    if (failed) {
        h->error(s->ctx, "could not add spans");
        return CV_ERROR;
    }
    return CV_OK;
}

static const cv_plugin segment = {
    CV_PLUGIN_HEADER,
    .name = "segment",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Sentence and token spans (byte offsets, space-after) for Cyrillic and Latin text",
    .optmap = segment_optmap,
    .create = segment_create,
    .destroy = segment_destroy,
    .process = segment_process,
};

CONVERT_PLUGINS(&segment)
