/* dates.c -- step: the publication date, as ISO 8601, into metadata.date.
 *
 * Month names and date patterns come from a YAML file (config/dates/).
 * Datelines win: the first short line that holds a date is where news pages
 * print the publication time.  Failing that, the first date in the text.
 * metadata.date_source says which ("dateline" or "text").  Run it before
 * boilerplate, which removes datelines. */
#include <pcre2.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "convert/plugin.h"
#include "text.h"
#include "util.h"
#include "yamlfile.h"

typedef struct dates_opts {
    const char *rules;
    int64_t dateline_max_words, min_year, max_year;
    int search_text;
} dates_opts;

static const cv_optmap dates_optmap[] = {
    {.key = "rules", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(dates_opts, rules),
     .help = "YAML with `months:` and `patterns:` (see config/dates/dates.yaml)"},
    {.key = "dateline_max_words", .type = CV_OPT_INT, .default_value = "12",
     .offset = offsetof(dates_opts, dateline_max_words),
     .help = "a line of at most this many words holding a date is a dateline"},
    {.key = "search_text", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(dates_opts, search_text),
     .help = "without a dateline, take the first date anywhere in the text"},
    {.key = "min_year", .type = CV_OPT_INT, .default_value = "1900", .offset = offsetof(dates_opts, min_year),
     .help = "earliest plausible year"},
    {.key = "max_year", .type = CV_OPT_INT, .default_value = "2100", .offset = offsetof(dates_opts, max_year),
     .help = "latest plausible year"},
    {0},
};

typedef struct month_form {
    char *folded; /* case-folded */
    int month;
} month_form;

typedef struct dates {
    const cv_host *host;
    cv_ctx *ctx;
    pcre2_code **re;
    size_t nre;
    pcre2_match_data *md;
    pcre2_match_context *mctx; /* bounds one match: a bad pattern cannot hang a run */
    month_form *forms;
    size_t nforms;
    dates_opts o;
} dates;

static void dates_destroy(void *p)
{
    dates *d = p;
    for (size_t i = 0; i < d->nre; i++)
        pcre2_code_free(d->re[i]);
    for (size_t i = 0; i < d->nforms; i++)
        free(d->forms[i].folded);
    free(d->re);
    free(d->forms);
    pcre2_match_data_free(d->md);
    pcre2_match_context_free(d->mctx);
    free(d);
}

static char *fold(const char *s, size_t len)
{
    utf8proc_uint8_t *out = NULL;
    if (utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD) < 0)
        return strndup(s, len);
    return (char *)out;
}

static int load(dates *d, const char *file)
{
    char err[1024];
    json_t *root = yaml_file_load(file, err, sizeof err);
    if (!root) {
        d->host->error(d->ctx, "%s", err);
        return -1;
    }
    /* The {month} alternation: every form, longest first so "september" beats "sep". */
    cv_buf alt = {0};
    const char *lang;
    json_t *months, *forms, *f;
    size_t m, k;
    json_object_foreach(json_object_get(root, "months"), lang, months) {
        if (json_array_size(months) != 12) {
            d->host->error(d->ctx, "%s: months.%s needs 12 lists of forms", file, lang);
            json_decref(root);
            return -1;
        }
        json_array_foreach(months, m, forms) json_array_foreach(forms, k, f) {
            const char *s = json_string_value(f);
            if (!s || !s[0])
                continue;
            d->forms = realloc(d->forms, (d->nforms + 1) * sizeof *d->forms);
            d->forms[d->nforms++] = (month_form){fold(s, strlen(s)), (int)m + 1};
        }
    }
    /* longest first (insertion sort: a few hundred forms at most) */
    for (size_t i = 1; i < d->nforms; i++)
        for (size_t j = i; j > 0 && strlen(d->forms[j].folded) > strlen(d->forms[j - 1].folded); j--) {
            month_form t = d->forms[j];
            d->forms[j] = d->forms[j - 1];
            d->forms[j - 1] = t;
        }
    buf_addc(&alt, '(');
    buf_adds(&alt, "?:");
    for (size_t i = 0; i < d->nforms; i++) {
        if (i)
            buf_addc(&alt, '|');
        buf_adds(&alt, d->forms[i].folded); /* forms are letters only: no escaping needed */
    }
    buf_addc(&alt, ')');
    json_t *pats = json_object_get(root, "patterns"), *p;
    json_array_foreach(pats, k, p) {
        const char *pat = json_string_value(p);
        if (!pat)
            continue;
        cv_buf full = {0};
        for (const char *s = pat, *hole; s && *s; s = hole ? hole + 7 : NULL) {
            hole = strstr(s, "{month}");
            buf_add(&full, s, hole ? (size_t)(hole - s) : strlen(s));
            if (hole)
                buf_add(&full, alt.p, alt.len);
        }
        int code;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)full.p, full.len, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code,
                                       &off, NULL);
        buf_free(&full);
        if (!re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            d->host->error(d->ctx, "%s: pattern %zu: %s", file, k + 1, msg);
            buf_free(&alt);
            json_decref(root);
            return -1;
        }
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        d->re = realloc(d->re, (d->nre + 1) * sizeof *d->re);
        d->re[d->nre++] = re;
    }
    buf_free(&alt);
    json_decref(root);
    if (!d->nre) {
        d->host->error(d->ctx, "%s: no patterns", file);
        return -1;
    }
    return 0;
}

static void *dates_create(const cv_host *h, cv_ctx *ctx)
{
    dates *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->host = h;
    d->ctx = ctx;
    h->opt_load(ctx, &d->o);
    if (load(d, d->o.rules) < 0) {
        dates_destroy(d);
        return NULL;
    }
    d->md = pcre2_match_data_create(16, NULL);
    d->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(d->mctx, 1000000);
    pcre2_set_depth_limit(d->mctx, 10000);
    return d;
}

static int group(const dates *d, pcre2_code *re, const char *name, size_t *start, size_t *len)
{
    int n = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
    if (n < 0)
        return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(d->md);
    if (ov[2 * n] == PCRE2_UNSET)
        return 0;
    *start = ov[2 * n];
    *len = ov[2 * n + 1] - ov[2 * n];
    return 1;
}

static int days_in(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

static int number(const char *s, size_t len)
{
    int v = 0;
    for (size_t i = 0; i < len && i < 6; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return len ? v : -1;
}

static int month_of(const dates *d, const char *s, size_t len)
{
    int n = number(s, len);
    if (n >= 0)
        return n;
    char *f = fold(s, len);
    int m = -1;
    for (size_t i = 0; i < d->nforms && m < 0; i++)
        if (!strcmp(d->forms[i].folded, f))
            m = d->forms[i].month;
    free(f);
    return m;
}

/* The earliest valid date in s[0..len) as ISO text into out; 1 if found. */
static int find_date(dates *d, const char *s, size_t len, char *out, size_t outlen)
{
    size_t best_at = SIZE_MAX;
    for (size_t r = 0; r < d->nre; r++) {
        PCRE2_SIZE from = 0;
        while (from < len && pcre2_match(d->re[r], (PCRE2_SPTR)s, len, from, PCRE2_NO_UTF_CHECK, d->md, d->mctx) >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(d->md);
            size_t at = ov[0];
            from = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            if (at >= best_at)
                break;
            size_t ys, yl, ms, ml, ds, dl;
            if (!group(d, d->re[r], "year", &ys, &yl) || !group(d, d->re[r], "month", &ms, &ml))
                continue;
            int year = number(s + ys, yl), month = month_of(d, s + ms, ml);
            int day = group(d, d->re[r], "day", &ds, &dl) ? number(s + ds, dl) : 0;
            if (year < d->o.min_year || year > d->o.max_year || month < 1 || month > 12 || day < 0 ||
                day > days_in(year, month))
                continue;
            best_at = at;
            if (day)
                snprintf(out, outlen, "%04d-%02d-%02d", year, month, day);
            else
                snprintf(out, outlen, "%04d-%02d", year, month);
            break;
        }
    }
    return best_at != SIZE_MAX;
}

static cv_status dates_process(void *p, cv_doc *doc)
{
    dates *d = p;
    size_t len;
    const char *text = d->host->doc_text(doc, &len);
    char iso[48];
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        if (e > i && (int64_t)count_words(text + i, e - i) <= d->o.dateline_max_words &&
            find_date(d, text + i, e - i, iso, sizeof iso)) {
            d->host->meta_set_string(doc, "date", iso);
            d->host->meta_set_string(doc, "date_source", "dateline");
            d->host->count(d->ctx, "found:dateline", 1);
            return CV_OK;
        }
        i = e + 1;
    }
    if (d->o.search_text && find_date(d, text, len, iso, sizeof iso)) {
        d->host->meta_set_string(doc, "date", iso);
        d->host->meta_set_string(doc, "date_source", "text");
        d->host->count(d->ctx, "found:text", 1);
        return CV_OK;
    }
    d->host->count(d->ctx, "not_found", 1);
    return CV_OK;
}

static const cv_plugin dates_step = {
    CV_PLUGIN_HEADER,
    .name = "dates",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Publication date (ISO 8601) from datelines or text, month names per language from config",
    .optmap = dates_optmap,
    .create = dates_create,
    .destroy = dates_destroy,
    .process = dates_process,
};

CONVERT_PLUGINS(&dates_step)
