/* quality.c -- step: document filters in the style of Gopher (Rae et al.,
 * 2021) and C4 (Raffel et al., 2020).  Every threshold is an option; a
 * dropped document says which one it failed (quality:min_words ...).
 * A threshold set to its "off" value (0, or 1.0 for max fractions) is skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "convert/plugin.h"
#include "text.h"
#include "util.h"

static const cv_option options[] = {
    {"min_words", CV_OPT_INT, "50", 0, "fewest words (whitespace-separated, holding a letter or digit)"},
    {"max_words", CV_OPT_INT, "100000", 0, "most words (0: no limit)"},
    {"min_mean_word_length", CV_OPT_FLOAT, "3", 0, "shortest mean word length, in characters"},
    {"max_mean_word_length", CV_OPT_FLOAT, "10", 0, "longest mean word length (0: no limit)"},
    {"min_terminal_line_fraction", CV_OPT_FLOAT, "0.5", 0, "fewest lines ending with . ! ? or …, as a fraction"},
    {"max_symbol_word_ratio", CV_OPT_FLOAT, "0.1", 0, "most '#' and '…'/'...' per word"},
    {"max_duplicate_line_fraction", CV_OPT_FLOAT, "0.3", 0, "most lines that repeat an earlier line"},
    {"max_non_letter_fraction", CV_OPT_FLOAT, "0.35", 0, "most non-space characters that are not letters"},
    {"min_alpha_word_fraction", CV_OPT_FLOAT, "0.8", 0, "fewest words holding a letter"},
    {"drop_unfinished_tail", CV_OPT_BOOL, "false", 0,
     "cut a trailing sentence that does not end (a truncated page) before the checks"},
    {"end_key", CV_OPT_STRING, "end_removed", 0,
     "metadata flag of a step before (boilerplate's end_key): the page went on past the text, so its last "
     "sentence was not cut by a truncation and stays"},
    {NULL, 0, NULL, 0, NULL},
};

typedef struct quality {
    const cv_host *host;
    cv_ctx *ctx;
    int64_t min_words, max_words;
    double min_mean, max_mean, min_terminal, max_symbol, max_dup, max_nonletter, min_alpha;
    int trim_tail;
    const char *end_key;
} quality;

static void *q_create(const cv_host *h, cv_ctx *ctx)
{
    quality *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->host = h;
    q->ctx = ctx;
    q->min_words = h->opt_int(ctx, "min_words");
    q->max_words = h->opt_int(ctx, "max_words");
    q->min_mean = h->opt_float(ctx, "min_mean_word_length");
    q->max_mean = h->opt_float(ctx, "max_mean_word_length");
    q->min_terminal = h->opt_float(ctx, "min_terminal_line_fraction");
    q->max_symbol = h->opt_float(ctx, "max_symbol_word_ratio");
    q->max_dup = h->opt_float(ctx, "max_duplicate_line_fraction");
    q->max_nonletter = h->opt_float(ctx, "max_non_letter_fraction");
    q->min_alpha = h->opt_float(ctx, "min_alpha_word_fraction");
    q->trim_tail = h->opt_bool(ctx, "drop_unfinished_tail");
    q->end_key = h->opt_string(ctx, "end_key");
    return q;
}

static void q_destroy(void *p) { free(p); }

typedef struct stats {
    size_t words, alpha_words, word_chars, symbols, lines, terminal_lines, dup_lines, chars, nonletters;
} stats;

/* One pass over code points for the word and character measures. */
static void measure_chars(const char *s, size_t len, stats *st)
{
    size_t wchars = 0;
    int has_letter = 0, has_alnum = 0;
    for (size_t i = 0; i <= len;) {
        int cp = i < len ? utf8_next(s, &i) : (i++, ' ');
        int space = cp == ' ' || cp == '\n' || cp == '\t';
        if (space) {
            if (has_alnum) {
                st->words++;
                st->alpha_words += has_letter;
                st->word_chars += wchars;
            }
            wchars = 0;
            has_letter = has_alnum = 0;
            continue;
        }
        int letter = cp_is_letter(cp), digit = cp >= '0' && cp <= '9';
        wchars++;
        has_letter |= letter;
        has_alnum |= letter | digit;
        st->chars++;
        st->nonletters += !letter;
        st->symbols += cp == '#' || cp == 0x2026;
    }
    /* "..." counts as an ellipsis symbol too. */
    for (const char *p = s; (p = strstr(p, "...")) && p < s + len; p += 3)
        st->symbols++;
}

static void measure_lines(const char *s, size_t len, stats *st)
{
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        if (e > i) {
            st->lines++;
            st->terminal_lines += ends_sentence(s + i, e - i);
            /* Earlier equal line?  Quadratic in lines, fine for documents of
             * hundreds of lines; long documents sample the first 2000. */
            if (st->lines < 2000)
                for (size_t j = 0; j < i;) {
                    const char *nl2 = memchr(s + j, '\n', i - j);
                    size_t e2 = nl2 ? (size_t)(nl2 - s) : i;
                    if (e2 - j == e - i && !memcmp(s + j, s + i, e - i)) {
                        st->dup_lines++;
                        break;
                    }
                    j = e2 + 1;
                }
        }
        i = e + 1;
    }
}

static cv_status drop(quality *q, cv_doc *doc, const char *reason, double value)
{
    char detail[64];
    snprintf(detail, sizeof detail, "%.3g", value);
    q->host->doc_drop(doc, reason, detail);
    return CV_DROP;
}

/* Cut the text after its last finished sentence, if it does not end with one. */
static void trim_tail(quality *q, cv_doc *doc)
{
    size_t len;
    const char *text = q->host->doc_text(doc, &len);
    if (len == 0 || ends_sentence(text, len))
        return;
    if (q->end_key[0]) { /* page chrome followed this paragraph: the page was not truncated here */
        char *flag = q->host->meta_dump(doc, q->end_key);
        int chrome = flag && !strcmp(flag, "true");
        q->host->free(flag);
        if (chrome) {
            q->host->count(q->ctx, "kept:unfinished_tail_before_chrome", 1);
            return;
        }
    }
    size_t end = last_sentence_end(text, len);
    if (end == 0)
        return; /* not one finished sentence: leave it to the filters */
    q->host->count(q->ctx, "trimmed:unfinished_tail", 1);
    q->host->doc_set_text(doc, text, end); /* the host copies, so passing its own buffer is fine */
}

static cv_status q_process(void *p, cv_doc *doc)
{
    quality *q = p;
    if (q->trim_tail)
        trim_tail(q, doc);
    size_t len;
    const char *text = q->host->doc_text(doc, &len);
    stats st = {0};
    measure_chars(text, len, &st);
    if ((int64_t)st.words < q->min_words)
        return drop(q, doc, "min_words", (double)st.words);
    if (q->max_words > 0 && (int64_t)st.words > q->max_words)
        return drop(q, doc, "max_words", (double)st.words);
    double mean = st.words ? (double)st.word_chars / (double)st.words : 0;
    if (mean < q->min_mean)
        return drop(q, doc, "min_mean_word_length", mean);
    if (q->max_mean > 0 && mean > q->max_mean)
        return drop(q, doc, "max_mean_word_length", mean);
    double sym = st.words ? (double)st.symbols / (double)st.words : 0;
    if (q->max_symbol < 1.0 && sym > q->max_symbol)
        return drop(q, doc, "max_symbol_word_ratio", sym);
    double alpha = st.words ? (double)st.alpha_words / (double)st.words : 0;
    if (alpha < q->min_alpha)
        return drop(q, doc, "min_alpha_word_fraction", alpha);
    double nonletter = st.chars ? (double)st.nonletters / (double)st.chars : 0;
    if (q->max_nonletter < 1.0 && nonletter > q->max_nonletter)
        return drop(q, doc, "max_non_letter_fraction", nonletter);
    measure_lines(text, len, &st);
    double term = st.lines ? (double)st.terminal_lines / (double)st.lines : 0;
    if (term < q->min_terminal)
        return drop(q, doc, "min_terminal_line_fraction", term);
    double dup = st.lines ? (double)st.dup_lines / (double)st.lines : 0;
    if (q->max_dup < 1.0 && dup > q->max_dup)
        return drop(q, doc, "max_duplicate_line_fraction", dup);
    return CV_OK;
}

static const cv_plugin quality_step = {
    CV_PLUGIN_HEADER,
    .name = "quality",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Gopher/C4-style document filters: length, word shape, punctuation, symbols, repetition",
    .options = options,
    .create = q_create,
    .destroy = q_destroy,
    .process = q_process,
};

CONVERT_PLUGINS(&quality_step)
