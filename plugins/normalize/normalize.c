/* normalize.c -- step: Unicode normalisation and white-space hygiene.
 *
 * utf8proc does the Unicode work (NFC/NFKC, line-break unification, the
 * optional quote/dash "lumping", character categories); this file only
 * decides what to keep, in one pass over the text (two when utf8proc must
 * compose or decompose something first). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "convert/plugin.h"
#include "lookalike.h"
#include "simd.h"
#include "util.h"

typedef struct normalize_opts {
    const char *form, *double_quotes;
    int unify_punctuation, remove_controls, remove_invisible, collapse_spaces, trim_lines, repair_lookalikes;
    int64_t max_blank_lines;
} normalize_opts;

static const cv_optmap normalize_optmap[] = {
    {.key = "form", .type = CV_OPT_STRING, .default_value = "NFC", .choices = "NFC|NFKC",
     .offset = offsetof(normalize_opts, form),
     .help = "Unicode normal form: NFC or NFKC (NFKC also folds ligatures, full-width forms...)"},
    {.key = "unify_punctuation", .type = CV_OPT_BOOL, .default_value = "false",
     .offset = offsetof(normalize_opts, unify_punctuation),
     .help = "map dashes, single quotes and other look-alikes to ASCII (utf8proc's LUMP), and double_quotes to '\"'"},
    {.key = "double_quotes", .type = CV_OPT_STRING,
     .default_value = "\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\x9E\xE2\x80\x9F\xC2\xAB\xC2\xBB\xE2\x80\xB3",
     .offset = offsetof(normalize_opts, double_quotes),
     .help = "with unify_punctuation: the characters that become '\"' (LUMP leaves double quotes alone)"},
    {.key = "remove_controls", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(normalize_opts, remove_controls), .help = "drop control characters (tabs become spaces)"},
    {.key = "remove_invisible", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(normalize_opts, remove_invisible),
     .help = "drop zero-width and format characters (soft hyphen, BOM, ZWSP...; ZWJ/ZWNJ are kept)"},
    {.key = "collapse_spaces", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(normalize_opts, collapse_spaces),
     .help = "all Unicode spaces become one ASCII space; runs collapse"},
    {.key = "trim_lines", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(normalize_opts, trim_lines),
     .help = "strip spaces at both ends of every line"},
    {.key = "max_blank_lines", .type = CV_OPT_INT, .default_value = "1",
     .offset = offsetof(normalize_opts, max_blank_lines), .help = "longest run of empty lines kept (-1: keep all)"},
    {.key = "repair_lookalikes", .type = CV_OPT_BOOL, .default_value = "false",
     .offset = offsetof(normalize_opts, repair_lookalikes),
     .help = "in a word that mixes Cyrillic with Latin or Greek, replace the minority's letters by their look-alikes "
             "(Unicode confusables, via ICU); counted per document in metadata.lookalikes_repaired"},
    {0},
};

typedef struct norm {
    const cv_host *host;
    cv_ctx *ctx;
    normalize_opts o;
    utf8proc_option_t flags;
    int fast; /* NFC without lumping: texts NFC cannot change skip utf8proc_map */
    utf8proc_int32_t quotes[32]; /* double quotes to unify, when unify_punctuation */
    size_t nquotes;
    /* Bytes copied as they are: printable ASCII, continuation bytes, and the
     * lead bytes of U+00C0..U+02FF, U+0400..U+047F and U+04C0..U+04FF (Latin,
     * Cyrillic), which hold no space, control or format character and
     * nothing NFC changes.  Most text is only these. */
    unsigned char plain[256];
    int wide; /* plain holds all printable ASCII and the Cyrillic leads: plain8 may be used */
    cv_buf out;
    lookalike *look; /* repair_lookalikes; NULL: off */
    cv_buf fixed;
} norm;

static void *normalize_create(const cv_host *h, cv_ctx *ctx)
{
    norm *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->host = h;
    n->ctx = ctx;
    h->opt_load(ctx, &n->o);
    const normalize_opts *o = &n->o;
    n->flags = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_NLF2LF;
    if (!strcmp(o->form, "NFKC"))
        n->flags |= UTF8PROC_COMPAT;
    if (o->unify_punctuation) {
        n->flags |= UTF8PROC_LUMP;
        const char *q = o->double_quotes;
        size_t qlen = strlen(q);
        for (size_t i = 0; i < qlen && n->nquotes < 32;) {
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)q + i, (utf8proc_ssize_t)(qlen - i),
                                                  &n->quotes[n->nquotes]);
            if (k <= 0) {
                h->error(ctx, "double_quotes is not valid UTF-8");
                free(n);
                return NULL;
            }
            i += (size_t)k;
            n->nquotes++;
        }
    }
    n->fast = n->flags == (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_NLF2LF);
    for (int c = 0; c < 256; c++)
        n->plain[c] = (c >= 0x21 && c <= 0x7E) || (c >= 0x80 && c <= 0xBF) || (c >= 0xC3 && c <= 0xCB) || c == 0xD0 ||
                      c == 0xD1 || c == 0xD3;
    for (size_t q = 0; q < n->nquotes; q++) { /* quotes to unify take the slow path */
        char u[4];
        if (utf8proc_encode_char(n->quotes[q], (utf8proc_uint8_t *)u) > 0)
            n->plain[(unsigned char)u[0]] = 0;
    }
    n->wide = n->plain[0xD0] && n->plain[0xD1];
    for (int c = 0x21; c <= 0x7E; c++)
        n->wide &= n->plain[c];
    if (o->repair_lookalikes) {
        char err[256];
        if (!(n->look = lookalike_new(err, sizeof err))) {
            h->error(ctx, "repair_lookalikes: %s", err);
            free(n);
            return NULL;
        }
    }
    return n;
}

static void normalize_destroy(void *p)
{
    norm *n = p;
    buf_free(&n->out);
    buf_free(&n->fixed);
    lookalike_free(n->look);
    free(n);
}

/* Finish a line: trim its end, and count it toward the blank-line limit. */
static void end_line(norm *n, size_t line_start, int *blank_run)
{
    cv_buf *o = &n->out;
    if (n->o.trim_lines)
        while (o->len > line_start && o->p[o->len - 1] == ' ')
            o->len--;
    if (o->len == line_start) {
        ++*blank_run;
        if (n->o.max_blank_lines >= 0 && *blank_run > n->o.max_blank_lines)
            return; /* drop this empty line */
    } else {
        *blank_run = 0;
    }
    buf_addc(o, '\n');
}

/* NFC leaves a character alone when it is no combining mark and nothing NFC
 * replaces.  These ranges hold neither (their NFC_Quick_Check is Yes and none
 * combines with what precedes it), and they cover most Latin and Cyrillic
 * text; a text with anything else goes through utf8proc first. */
static int nfc_stable(int cp)
{
    return cp < 0x80 || (cp >= 0xA0 && cp < 0x300) || (cp >= 0x400 && cp < 0x483) || (cp >= 0x48A && cp < 0x530) ||
           (cp >= 0x2010 && cp < 0x2060) || (cp >= 0x20A0 && cp < 0x20C0);
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Bytes of x that are zero, as their high bits. */
static uint64_t zeros(uint64_t x) { return ~(((x & ~HIGHS) + ~HIGHS) | x | ~HIGHS); }

/* Do the eight bytes at p continue a plain run: printable ASCII, single
 * spaces (after = 1: the byte before p is a space), continuation bytes and
 * Cyrillic leads?  A "no" only sends them through the byte loop. */
static int plain8(const char *p, int after)
{
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t low = w & ~HIGHS, ascii = ~w & HIGHS;
    uint64_t printable = ((low + 0x5F * ONES) & HIGHS) & ~((low + ONES) & HIGHS); /* 0x21..0x7E */
    uint64_t space = zeros(w ^ (0x20 * ONES));
    uint64_t lone = space & ~((space << 8) | (after ? 0x80 : 0));
    uint64_t b6 = (w << 1) & HIGHS, cont = w & HIGHS & ~b6;
    uint64_t cyrillic = zeros((w ^ (0xD0 * ONES)) & (0xFE * ONES)); /* D0, D1 */
    return (ascii & (printable | lone)) + cont + cyrillic == HIGHS;
}

#ifdef __SSE2__
/* plain8 on sixteen bytes: the same classes by signed compares. */
static int plain16(const char *p, int after)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i printable = sse_in(v, 0x21, 0x7E);
    __m128i space = sse_is(v, 0x20);
    __m128i before = _mm_or_si128(_mm_slli_si128(space, 1), _mm_cvtsi32_si128(after ? 0xFF : 0));
    __m128i lone = _mm_andnot_si128(before, space);
    __m128i cont = _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0)); /* 0x80..0xBF, negative as signed */
    __m128i cyrillic = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xFE)), _mm_set1_epi8((char)0xD0));
    __m128i ok = _mm_or_si128(_mm_or_si128(printable, lone), _mm_or_si128(cont, cyrillic));
    return _mm_movemask_epi8(ok) == 0xFFFF;
}
#endif

/* One pass over m[0..len) into n->out.  With raw set, m has not been through
 * utf8proc: return -1 at the first character NFC might change. */
static int clean(norm *n, const char *m, size_t len, int raw, uint64_t *removed)
{
    cv_buf *o = &n->out;
    o->len = 0;
    buf_reserve(o, len + 2); /* output never outgrows input, plus a final newline */
    size_t line_start = 0;
    int blank_run = 1; /* leading empty lines go */
    for (size_t i = 0; i < len;) {
        if (n->plain[(unsigned char)m[i]]) {
            /* A single space after a plain character stays as it is whatever
             * the options (not at a line's start, nothing to collapse; one
             * before a line break goes in end_line): take it along. */
            size_t j = i + 1;
            for (;;) {
#ifdef __SSE2__
                while (n->wide && j + 16 <= len && plain16(m + j, m[j - 1] == ' '))
                    j += 16;
#endif
                while (n->wide && j + 8 <= len && plain8(m + j, m[j - 1] == ' '))
                    j += 8;
                /* Byte by byte past what stopped the word check (eight at most:
                 * retrying it at every byte would see the same stop eight times). */
                size_t stop = j + 8;
                while (j < len && j < stop && (n->plain[(unsigned char)m[j]] || (m[j] == ' ' && m[j - 1] != ' ')))
                    j++;
                if (j < stop)
                    break; /* the end, or a byte that ends the run */
            }
            memcpy(o->p + o->len, m + i, j - i);
            o->len += j - i;
            i = j;
            continue;
        }
        const char *at = m + i;
        int cp = utf8_next(m, &i);
        size_t k = (size_t)(m + i - at);
        if (raw && !nfc_stable(cp))
            return -1;
        if (cp == '\r' && i < len && m[i] == '\n')
            continue; /* CRLF: the LF ends the line (raw text still has them) */
        if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
            end_line(n, line_start, &blank_run);
            line_start = o->len;
            continue;
        }
        /* Below U+0080 only spaces and controls are not plain. */
        utf8proc_category_t cat = cp >= 0x80 ? utf8proc_category(cp)
                                  : cp == ' ' ? UTF8PROC_CATEGORY_ZS
                                              : UTF8PROC_CATEGORY_CC;
        if (cp == '\t' && n->o.remove_controls)
            cp = ' ', cat = UTF8PROC_CATEGORY_ZS, at = " ";
        if (cat == UTF8PROC_CATEGORY_CC && n->o.remove_controls) {
            ++*removed;
            continue;
        }
        if (cat == UTF8PROC_CATEGORY_CF && n->o.remove_invisible && cp != 0x200C && cp != 0x200D) {
            ++*removed;
            continue;
        }
        if (n->o.collapse_spaces && (cp == ' ' || cat == UTF8PROC_CATEGORY_ZS)) {
            if (o->len == line_start ? n->o.trim_lines : o->p[o->len - 1] == ' ')
                continue;
            o->p[o->len++] = ' ';
            continue;
        }
        if (n->o.trim_lines && cp == ' ' && o->len == line_start)
            continue;
        for (size_t q = 0; q < n->nquotes; q++)
            if (cp == n->quotes[q]) {
                at = "\"";
                k = 1;
                break;
            }
        memcpy(o->p + o->len, at, k);
        o->len += k;
    }
    if (o->len > line_start)
        end_line(n, line_start, &blank_run);
    /* No trailing newlines: a document ends with its last character. */
    while (o->len && o->p[o->len - 1] == '\n')
        o->len--;
    return 0;
}

static cv_status normalize_process(void *p, cv_doc *doc)
{
    norm *n = p;
    const cv_host *h = n->host;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    if (len == 0)
        return CV_OK;
    uint64_t removed = 0;
    /* Most texts are NFC already: try them as they are, and map only when
     * a character that NFC might change turns up. */
    if (!n->fast || clean(n, text, len, 1, &removed) < 0) {
        utf8proc_uint8_t *mapped = NULL;
        utf8proc_ssize_t mlen = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &mapped, n->flags);
        if (mlen < 0) {
            h->error(n->ctx, "utf8proc: %s", utf8proc_errmsg(mlen));
            return CV_ERROR;
        }
        removed = 0;
        clean(n, (const char *)mapped, (size_t)mlen, 0, &removed);
        free(mapped);
    }
    if (removed)
        h->count(n->ctx, "removed:invisible_or_control", removed);
    const cv_buf *result = &n->out;
    size_t fixed = n->look && n->out.len ? lookalike_repair(n->look, n->out.p, n->out.len, &n->fixed) : 0;
    if (fixed) {
        result = &n->fixed;
        h->count(n->ctx, "repaired:lookalike_letters", fixed);
        h->meta_set_int(doc, "lookalikes_repaired", (int64_t)fixed);
    }
    /* Valid by construction: whole characters of valid text, or utf8proc's;
     * look-alikes are letters encoded here. */
    h->doc_set_text_unchecked(doc, result->p ? result->p : "", result->len);
    return CV_OK;
}

static const cv_plugin normalize = {
    CV_PLUGIN_HEADER,
    .name = "normalize",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Unicode NFC/NFKC, control and invisible characters out, one kind of line break and space",
    .optmap = normalize_optmap,
    .create = normalize_create,
    .destroy = normalize_destroy,
    .process = normalize_process,
};

CONVERT_PLUGINS(&normalize)
