/* quality.c -- step: the document filters users know from Gopher (Rae et
 * al., 2021: quality and repetition), FineWeb (Penedo et al., 2024) and C4
 * (Raffel et al., 2020).  Every threshold is an option and -1 turns it off;
 * a dropped document says which one it failed (quality:<option>) and by how
 * much.  With annotate: true nothing is dropped: every value measured goes
 * into metadata.quality, so thresholds can be chosen later.
 *
 * Values are computed in groups, cheapest first, and a document stops at the
 * first failing group unless it is annotated. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "convert/plugin.h"
#include "fold.h"
#include "repetition.h"
#include "text.h"
#include "util.h"
#include "yamlfile.h"

/* What is measured, in the order metadata.quality lists it. */
enum {
    Q_WORDS, Q_MEAN, Q_SYMBOL, Q_ALPHA, Q_NONLETTER,                          /* characters and words */
    Q_TERMINAL, Q_DUPLINES, Q_BULLET, Q_ELLIPSIS, Q_PUNCT, Q_SHORT, Q_CHARDUP, /* lines */
    Q_DUP_LINE, Q_DUP_PARA, Q_DUP_LINE_CHAR, Q_DUP_PARA_CHAR, Q_TOP2, Q_TOP3, Q_TOP4, /* repetition */
    Q_DUP5, Q_DUP6, Q_DUP7, Q_DUP8, Q_DUP9, Q_DUP10, Q_LIST, Q_STOP,
    Q_CURLY, Q_NSIG
};
enum { G_CHARS, G_LINES, G_MORE_LINES, G_WORDS, G_FLAGS }; /* which pass computes a value */

static const struct signal {
    const char *name;
    int group, integer;
} signals[Q_NSIG] = {
    [Q_WORDS] = {"words", G_CHARS, 1},
    [Q_MEAN] = {"mean_word_length", G_CHARS, 0},
    [Q_SYMBOL] = {"symbol_word_ratio", G_CHARS, 0},
    [Q_ALPHA] = {"alpha_word_fraction", G_CHARS, 0},
    [Q_NONLETTER] = {"non_letter_fraction", G_CHARS, 0},
    [Q_TERMINAL] = {"terminal_line_fraction", G_LINES, 0},
    [Q_DUPLINES] = {"duplicate_line_fraction", G_LINES, 0},
    [Q_BULLET] = {"bullet_line_fraction", G_MORE_LINES, 0},
    [Q_ELLIPSIS] = {"ellipsis_line_fraction", G_MORE_LINES, 0},
    [Q_PUNCT] = {"line_punct_ratio", G_MORE_LINES, 0},
    [Q_SHORT] = {"short_line_ratio", G_MORE_LINES, 0},
    [Q_CHARDUP] = {"char_dup_ratio", G_MORE_LINES, 0},
    [Q_DUP_LINE] = {"dup_line_frac", G_WORDS, 0},
    [Q_DUP_PARA] = {"dup_para_frac", G_WORDS, 0},
    [Q_DUP_LINE_CHAR] = {"dup_line_char_frac", G_WORDS, 0},
    [Q_DUP_PARA_CHAR] = {"dup_para_char_frac", G_WORDS, 0},
    [Q_TOP2] = {"top_2_gram_char_frac", G_WORDS, 0},
    [Q_TOP3] = {"top_3_gram_char_frac", G_WORDS, 0},
    [Q_TOP4] = {"top_4_gram_char_frac", G_WORDS, 0},
    [Q_DUP5] = {"dup_5_gram_char_frac", G_WORDS, 0},
    [Q_DUP6] = {"dup_6_gram_char_frac", G_WORDS, 0},
    [Q_DUP7] = {"dup_7_gram_char_frac", G_WORDS, 0},
    [Q_DUP8] = {"dup_8_gram_char_frac", G_WORDS, 0},
    [Q_DUP9] = {"dup_9_gram_char_frac", G_WORDS, 0},
    [Q_DUP10] = {"dup_10_gram_char_frac", G_WORDS, 0},
    [Q_LIST] = {"list_ratio", G_WORDS, 0},
    [Q_STOP] = {"stop_words", G_WORDS, 1},
    [Q_CURLY] = {"curly_bracket", G_FLAGS, 1},
};

/* A filter: option key (also the drop reason), the value it reads, and
 * whether it drops above (max) or below (min) its threshold.  `off` is a
 * second value that turns it off besides -1, kept from earlier versions. */
static const struct filter {
    const char *key;
    int sig, max;
    const char *dflt;
    double off;
    const char *help;
} filters[] = {
    {"min_words", Q_WORDS, 0, "50", -1,
     "fewest words (whitespace-separated, holding a letter or digit; a Han or kana character is one; not judged "
     "on Thai, Lao, Khmer, Myanmar or Tibetan text)"},
    {"max_words", Q_WORDS, 1, "100000", 0, "most words (0: no limit)"},
    {"min_mean_word_length", Q_MEAN, 0, "3", -1, "shortest mean word length, in characters"},
    {"max_mean_word_length", Q_MEAN, 1, "10", 0, "longest mean word length (0: no limit)"},
    {"max_symbol_word_ratio", Q_SYMBOL, 1, "0.1", 1,
     "most '#' per word, and most '…'/'...' per word, each counted alone (Gopher)"},
    {"min_alpha_word_fraction", Q_ALPHA, 0, "0.8", -1, "fewest words holding a letter (Gopher)"},
    {"max_non_letter_fraction", Q_NONLETTER, 1, "0.35", 1, "most non-space characters that are not letters (a combining mark counts with its letter)"},
    {"min_terminal_line_fraction", Q_TERMINAL, 0, "-1", -1,
     "fewest lines ending with . ! ? or …, as a fraction (ours; off: it drops real articles of headings, lists "
     "and tables)"},
    {"max_duplicate_line_fraction", Q_DUPLINES, 1, "0.3", 1, "most non-empty lines that repeat an earlier line"},
    {"max_bullet_line_fraction", Q_BULLET, 1, "0.9", -1, "most lines starting with a bullet (• or -) (Gopher)"},
    {"max_ellipsis_line_fraction", Q_ELLIPSIS, 1, "0.3", -1, "most lines ending with an ellipsis (Gopher)"},
    {"min_line_punct_ratio", Q_PUNCT, 0, "0.12", -1,
     "fewest non-empty lines ending like a sentence (FineWeb line_punct_thr)"},
    {"max_short_line_ratio", Q_SHORT, 1, "0.67", -1,
     "most non-empty lines of short_line_chars or fewer characters (FineWeb short_line_thr)"},
    {"max_char_dup_ratio", Q_CHARDUP, 1, "0.01", -1,
     "most characters in non-empty lines repeating an earlier one, over the text without newlines (FineWeb)"},
    {"max_dup_line_frac", Q_DUP_LINE, 1, "0.3", -1, "Gopher repetition: duplicate line fraction"},
    {"max_dup_para_frac", Q_DUP_PARA, 1, "0.3", -1, "Gopher repetition: duplicate paragraph fraction"},
    {"max_dup_line_char_frac", Q_DUP_LINE_CHAR, 1, "0.2", -1, "Gopher repetition: duplicate line character fraction"},
    {"max_dup_para_char_frac", Q_DUP_PARA_CHAR, 1, "0.2", -1,
     "Gopher repetition: duplicate paragraph character fraction"},
    {"max_top_2_gram_char_frac", Q_TOP2, 1, "0.2", -1, "Gopher repetition: characters of the most common 2-gram"},
    {"max_top_3_gram_char_frac", Q_TOP3, 1, "0.18", -1, "Gopher repetition: ... 3-gram"},
    {"max_top_4_gram_char_frac", Q_TOP4, 1, "0.16", -1, "Gopher repetition: ... 4-gram"},
    {"max_dup_5_gram_char_frac", Q_DUP5, 1, "0.15", -1, "Gopher repetition: characters in repeated 5-grams"},
    {"max_dup_6_gram_char_frac", Q_DUP6, 1, "0.14", -1, "Gopher repetition: ... 6-grams"},
    {"max_dup_7_gram_char_frac", Q_DUP7, 1, "0.13", -1, "Gopher repetition: ... 7-grams"},
    {"max_dup_8_gram_char_frac", Q_DUP8, 1, "0.12", -1, "Gopher repetition: ... 8-grams"},
    {"max_dup_9_gram_char_frac", Q_DUP9, 1, "0.11", -1, "Gopher repetition: ... 9-grams"},
    {"max_dup_10_gram_char_frac", Q_DUP10, 1, "0.10", -1, "Gopher repetition: ... 10-grams"},
    {"max_list_ratio", Q_LIST, 1, "0.3", -1, "most newlines per word: list-like documents (FineWeb new_line_ratio)"},
    {"min_stop_words", Q_STOP, 0, "2", -1,
     "fewest distinct stop words of the document's language (Gopher); needs stop_words"},
};
#define NFILTERS (sizeof filters / sizeof filters[0])

typedef struct quality_opts {
    int64_t ithr[NFILTERS]; /* by filter: the threshold of one that reads a whole number, */
    double fthr[NFILTERS];  /* or of one that reads a fraction */
    int64_t short_line_chars, c4_min_words_per_line, fineweb_line_min_words;
    int line_punct_exclude_zero, drop_curly_bracket, annotate, drop_unfinished_tail;
    const char *stop_words, *c4_rules, *end_key;
} quality_opts;

#define QOPT(k) .key = #k, .offset = offsetof(quality_opts, k)
static const cv_optmap fixed_optmap[] = {
    {QOPT(short_line_chars), .type = CV_OPT_INT, .default_value = "30",
     .help = "max_short_line_ratio: a line this short or shorter is short"},
    {QOPT(fineweb_line_min_words), .type = CV_OPT_INT, .default_value = "0",
     .help = "FineWeb's line rules (min_line_punct_ratio, max_short_line_ratio, max_char_dup_ratio, max_list_ratio) "
             "judge only lines of at least this many words, as in FineWeb's pipeline, where C4's filter removes "
             "shorter lines (headings, labels, list items, blank lines) before them (3; the text is not edited; 0: "
             "every line)"},
    {QOPT(line_punct_exclude_zero), .type = CV_OPT_BOOL, .default_value = "false",
     .help = "min_line_punct_ratio: keep documents with no such line"},
    {QOPT(stop_words), .type = CV_OPT_PATH,
     .help = "YAML of stop-word lists per language code (config/quality/stopwords.yaml); the document's "
             "metadata.lang picks one, else the list it matches best; without it min_stop_words is off"},
    {QOPT(c4_rules), .type = CV_OPT_PATH,
     .help = "YAML of C4's phrases (config/quality/c4.yaml): lines holding one are removed, documents holding one "
             "dropped"},
    {QOPT(c4_min_words_per_line), .type = CV_OPT_INT, .default_value = "0",
     .help = "C4: remove lines of fewer words (C4 uses 3; 0: off)"},
    {QOPT(drop_curly_bracket), .type = CV_OPT_BOOL, .default_value = "false",
     .help = "C4: drop documents holding '{' (quality:curly_bracket)"},
    {QOPT(annotate), .type = CV_OPT_BOOL, .default_value = "false",
     .help = "drop nothing: write every value measured into metadata.quality (lines are still edited)"},
    {QOPT(drop_unfinished_tail), .type = CV_OPT_BOOL, .default_value = "false",
     .help = "cut a trailing sentence that does not end (a truncated page) before the checks"},
    {QOPT(end_key), .type = CV_OPT_STRING, .default_value = "end_removed",
     .help = "metadata flag of a step before (boilerplate's end_key): the page went on past the text, so its last "
             "sentence was not cut by a truncation and stays"},
};

/* The option map: the filters', then the fixed ones; built once. */
static cv_optmap optmap[NFILTERS + sizeof fixed_optmap / sizeof fixed_optmap[0] + 1];

__attribute__((constructor)) static void build_optmap(void)
{
    for (size_t i = 0; i < NFILTERS; i++) {
        int integer = signals[filters[i].sig].integer;
        optmap[i] = (cv_optmap){.key = filters[i].key, .type = integer ? CV_OPT_INT : CV_OPT_FLOAT,
                                .default_value = filters[i].dflt, .help = filters[i].help,
                                .offset = integer ? offsetof(quality_opts, ithr) + i * sizeof(int64_t)
                                                  : offsetof(quality_opts, fthr) + i * sizeof(double)};
    }
    memcpy(optmap + NFILTERS, fixed_optmap, sizeof fixed_optmap);
}

/* Phrases, case-folded: lines holding one are removed (named list), documents dropped. */
typedef struct phrases {
    char *name;
    char **items;
    size_t n;
    int drop_doc;
} phrases;

typedef struct stoplist {
    char *lang;
    char **words; /* case-folded, sorted */
    size_t n, longest; /* bytes of the longest */
    int script;        /* script_of() its first word */
} stoplist;

/* [a[i], b[i]) pieces of a text, in order. */
typedef struct spans_list {
    size_t *a, *b, n, cap;
} spans_list;

typedef struct quality {
    const cv_host *host;
    cv_ctx *ctx;
    double thr[NFILTERS];
    int on[NFILTERS];
    int64_t short_chars, c4_min_words, fw_min_words;
    int exclude_zero, curly, annotate, trim_tail;
    const char *end_key;
    stoplist *stops;
    size_t nstops;
    phrases *c4;
    size_t nc4;
    qword *words;
    size_t wcap;
    spans_list fw_lines; /* the lines FineWeb's rules judge (measure_more_lines), kept for max_list_ratio;
                          * measure_lines' lines before them (kept across documents, as the tables are) */
    rep_scratch sc;
    cv_buf buf, fold;
    fold_table *ft;
    stop_index stop_ix;
} quality;

static char *fold(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    if (i == len) { /* ASCII: lower case is case folding, no need for utf8proc */
        char *o = xmalloc(len + 1);
        for (size_t k = 0; k < len; k++)
            o[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
        o[len] = '\0';
        return o;
    }
    utf8proc_uint8_t *out = NULL;
    if (utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD) < 0)
        return NULL;
    return (char *)out;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void quality_destroy(void *p)
{
    quality *q = p;
    for (size_t i = 0; i < q->nstops; i++) {
        for (size_t k = 0; k < q->stops[i].n; k++)
            free(q->stops[i].words[k]);
        free(q->stops[i].words);
        free(q->stops[i].lang);
    }
    free(q->stops);
    for (size_t i = 0; i < q->nc4; i++) {
        for (size_t k = 0; k < q->c4[i].n; k++)
            free(q->c4[i].items[k]);
        free(q->c4[i].items);
        free(q->c4[i].name);
    }
    free(q->c4);
    free(q->words);
    free(q->fw_lines.a);
    free(q->fw_lines.b);
    rep_scratch_free(&q->sc);
    buf_free(&q->buf);
    buf_free(&q->fold);
    free(q->ft);
    stop_index_free(&q->stop_ix);
    free(q);
}

/* A list of strings as case-folded copies; -1 if it is not one. */
static int folded_list(const json_t *v, char ***out, size_t *n)
{
    if (!json_is_array(v))
        return -1;
    *n = json_array_size(v);
    *out = xcalloc(*n + 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        const char *s = json_string_value(json_array_get(v, i));
        if (!s || !s[0] || !((*out)[i] = fold(s, strlen(s))))
            return -1;
    }
    return 0;
}

static void index_stops(quality *q)
{
    char ***lists = calloc(q->nstops + 1, sizeof *lists);
    size_t *n = calloc(q->nstops + 1, sizeof *n), *longest = calloc(q->nstops + 1, sizeof *longest);
    if (!lists || !n || !longest)
        abort();
    for (size_t l = 0; l < q->nstops; l++) {
        lists[l] = q->stops[l].words;
        n[l] = q->stops[l].n;
        longest[l] = q->stops[l].longest;
    }
    stop_index_init(&q->stop_ix, (char **const *)lists, n, longest, q->nstops);
    free(lists);
    free(n);
    free(longest);
}

/* A letter's script, coarsely: Latin, Greek and Cyrillic, else its 256-code
 * point block.  Enough to tell that no stop-word list can judge a text. */
static int script_of(int cp)
{
    if (cp < 0x250 || (cp >= 0x1E00 && cp < 0x1F00))
        return 1;
    if ((cp >= 0x370 && cp < 0x400) || (cp >= 0x1F00 && cp < 0x2000))
        return 2;
    if (cp >= 0x400 && cp < 0x530)
        return 3;
    return 4 + (cp >> 8);
}

/* Is the script most of the first words begin with one a list is in?  When
 * the language is unknown, a text no list can measure (Korean, Thai ...)
 * must not be judged by the best of lists it cannot match. */
static int script_listed(const quality *q, const char *s, const qword *w, size_t nw)
{
    int best = 0, votes = 0;
    for (size_t i = 0; i < nw && i < 200; i++) {
        size_t at = w[i].off;
        int cp = utf8_next(s, &at);
        if (!cp_is_letter(cp))
            continue;
        int sc = script_of(cp); /* Boyer-Moore majority vote */
        if (!votes)
            best = sc, votes = 1;
        else
            votes += sc == best ? 1 : -1;
    }
    if (!best)
        return 1;
    for (size_t l = 0; l < q->nstops; l++)
        if (q->stops[l].script == best)
            return 1;
    return 0;
}

static int load_stops(quality *q, const char *path)
{
    char err[512];
    json_t *root = yaml_file_load(path, err, sizeof err);
    if (!root) {
        q->host->error(q->ctx, "stop_words: %s", err);
        return -1;
    }
    int rc = json_is_object(root) ? 0 : -1;
    q->stops = xcalloc(json_object_size(root) + 1, sizeof *q->stops);
    const char *lang;
    json_t *v;
    json_object_foreach(root, lang, v) {
        stoplist *s = &q->stops[q->nstops++];
        s->lang = strdup(lang);
        if (folded_list(v, &s->words, &s->n) < 0) {
            rc = -1;
            break;
        }
        if (s->n) {
            size_t at = 0;
            s->script = script_of(utf8_next(s->words[0], &at));
        }
        qsort(s->words, s->n, sizeof *s->words, cmp_str);
        for (size_t k = 0; k < s->n; k++)
            s->longest = strlen(s->words[k]) > s->longest ? strlen(s->words[k]) : s->longest;
    }
    if (rc < 0)
        q->host->error(q->ctx, "stop_words: %s: expected a mapping of language codes to lists of words", path);
    else
        index_stops(q);
    json_decref(root);
    return rc;
}

static int load_c4(quality *q, const char *path)
{
    char err[512];
    json_t *root = yaml_file_load(path, err, sizeof err);
    if (!root) {
        q->host->error(q->ctx, "c4_rules: %s", err);
        return -1;
    }
    static const char *const sections[] = {"remove_lines_with", "drop_documents_with"};
    int rc = json_is_object(root) ? 0 : -1;
    for (int sct = 0; sct < 2 && rc == 0; sct++) {
        json_t *sec = json_object_get(root, sections[sct]);
        const char *name;
        json_t *v;
        if (sec && !json_is_object(sec))
            rc = -1;
        json_object_foreach(sec, name, v) {
            q->c4 = xrealloc(q->c4, (q->nc4 + 1) * sizeof *q->c4);
            phrases *p = &q->c4[q->nc4++];
            *p = (phrases){.name = strdup(name), .drop_doc = sct == 1};
            if (folded_list(v, &p->items, &p->n) < 0) {
                rc = -1;
                break;
            }
        }
    }
    if (rc < 0)
        q->host->error(q->ctx, "c4_rules: %s: expected remove_lines_with: and drop_documents_with:, each a mapping "
                               "of names to lists of phrases", path);
    json_decref(root);
    return rc;
}

static void *quality_create(const cv_host *h, cv_ctx *ctx)
{
    quality *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->host = h;
    q->ctx = ctx;
    q->ft = xmalloc(sizeof *q->ft);
    fold_table_init(q->ft);
    quality_opts o;
    h->opt_load(ctx, &o);
    for (size_t i = 0; i < NFILTERS; i++) {
        q->thr[i] = signals[filters[i].sig].integer ? (double)o.ithr[i] : o.fthr[i];
        q->on[i] = q->thr[i] != -1 && q->thr[i] != filters[i].off;
    }
    q->short_chars = o.short_line_chars;
    q->c4_min_words = o.c4_min_words_per_line;
    q->fw_min_words = o.fineweb_line_min_words;
    q->exclude_zero = o.line_punct_exclude_zero;
    q->curly = o.drop_curly_bracket;
    q->annotate = o.annotate;
    q->trim_tail = o.drop_unfinished_tail;
    q->end_key = o.end_key;
    const char *stops = o.stop_words, *c4 = o.c4_rules;
    if ((stops && load_stops(q, stops) < 0) || (c4 && load_c4(q, c4) < 0)) {
        quality_destroy(q);
        return NULL;
    }
    return q;
}

/* ---- measuring ------------------------------------------------------------ */

typedef struct values {
    double v[Q_NSIG];
    int have[Q_NSIG];
    int unsegmented; /* most letters are Thai, Lao, Khmer ...: no word count, no sentence marks to count */
    int unspaced;    /* most letters are of a script without word spaces (Han, kana too) */
    int fw_c4;       /* FineWeb's rules judge the lines C4 keeps (quality's fw_lines) */
    size_t words, char_words; /* measure_chars' words, of them Han or kana characters */
} values;

static void set(values *vs, int sig, double v)
{
    vs->v[sig] = v;
    vs->have[sig] = 1;
}

static double ratio(size_t a, size_t b) { return b ? (double)a / (double)b : 0; }

/* Scripts written without spaces between words.  Han and kana: a character
 * is a word, as CJK tokenizers count when they have no dictionary (BERT's
 * basic tokenizer); a page of them has about as many words as characters
 * and 2/3 of that at least.  Thai, Lao, Khmer, Myanmar, Tibetan: a word is
 * several characters and only a dictionary finds where it ends, so a text
 * mostly of them has no word count to judge by. */
enum { SPACED, CHAR_WORDS, UNSEGMENTED };

static int word_script(int cp)
{
    if (cp_han_kana(cp))
        return CHAR_WORDS;
    if ((cp >= 0x0E00 && cp <= 0x0FFF) || (cp >= 0x1000 && cp <= 0x109F) || (cp >= 0x1780 && cp <= 0x17FF))
        return UNSEGMENTED;
    return SPACED;
}

/* Words, mean word length, symbols, letters: one pass over code points.
 * Words are runs between spaces holding a letter or a digit, and a Han or
 * kana character is a word by itself.  Most letters of a script without
 * word spaces: the word count and mean word length are not measured (their
 * rules do not vote) when no word count can be made, the mean word length
 * not when each character is a word. */
/* A combining mark (a vowel sign, a virama, an accent typed apart) is part
 * of the letter it sits on: Bengali or Hindi words are a third marks. */
static int combining_mark(int cp)
{
    if (cp < 0x300)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

static void measure_chars(const char *s, size_t len, values *vs)
{
    size_t words = 0, alpha_words = 0, word_chars = 0, hashes = 0, ellipses = 0, chars = 0, nonletters = 0, wchars = 0;
    size_t letters = 0, by_script[3] = {0}, char_words = 0;
    int has_letter = 0, has_alnum = 0;
    for (size_t i = 0; i <= len;) {
        int cp = i < len ? utf8_next(s, &i) : (i++, ' ');
        int letter = cp_is_letter(cp), script = letter ? word_script(cp) : SPACED;
        if (cp == ' ' || cp == '\n' || cp == '\t' || script == CHAR_WORDS) {
            if (has_alnum) {
                words++;
                alpha_words += has_letter;
                word_chars += wchars;
            }
            wchars = 0;
            has_letter = has_alnum = 0;
            if (script != CHAR_WORDS)
                continue;
        }
        int digit = cp >= '0' && cp <= '9';
        letters += letter;
        by_script[script] += letter;
        wchars++;
        has_letter |= letter;
        has_alnum |= letter | digit;
        chars++;
        nonletters += !letter && !combining_mark(cp);
        hashes += cp == '#';
        ellipses += cp == 0x2026;
        if (script == CHAR_WORDS) { /* a word by itself, left out of the mean length */
            words++;
            char_words++;
            alpha_words++;
            wchars = 0;
            has_letter = has_alnum = 0;
        }
    }
    for (const char *p = s; (p = strstr(p, "...")) && p < s + len; p += 3) /* "..." is an ellipsis too */
        ellipses++;
    int unspaced = 2 * (by_script[CHAR_WORDS] + by_script[UNSEGMENTED]) > letters;
    vs->unsegmented = unspaced && by_script[UNSEGMENTED] > by_script[CHAR_WORDS];
    vs->unspaced = unspaced;
    vs->words = words;
    vs->char_words = char_words;
    if (!vs->unsegmented)
        set(vs, Q_WORDS, (double)words);
    if (!unspaced)
        set(vs, Q_MEAN, ratio(word_chars, words - char_words));
    /* Gopher bounds the hashes and the ellipses apart ("for either the hash
     * symbol or the ellipsis"): a text of hashtags and a few "..." passes */
    set(vs, Q_SYMBOL, ratio(hashes > ellipses ? hashes : ellipses, words));
    set(vs, Q_ALPHA, ratio(alpha_words, words));
    set(vs, Q_NONLETTER, ratio(nonletters, chars));
}

static int starts_with(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && !memcmp(s, p, n);
}

static int ends_with(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && !memcmp(s + len - n, p, n);
}

/* An empty list with room for the lines of s (rep_lines_bound): a long
 * text's spans are sized once, in huge pages, not grown by realloc, which
 * copies them into fresh pages at every doubling. */
static void spans_reset(spans_list *l, const char *s, size_t len)
{
    size_t need = rep_lines_bound(s, len);
    if (need > l->cap) {
        free(l->a);
        free(l->b);
        l->cap = need;
        l->a = big_alloc(need * sizeof *l->a, HUGE_PAGE * 2);
        l->b = big_alloc(need * sizeof *l->b, HUGE_PAGE * 2);
    }
    l->n = 0;
}

/* A growing list of [start, end) pieces. */
static void spans_add(spans_list *l, size_t a, size_t b)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->a = realloc(l->a, l->cap * sizeof *l->a);
        l->b = realloc(l->b, l->cap * sizeof *l->b);
        if (!l->a || !l->b)
            abort();
    }
    l->a[l->n] = a;
    l->b[l->n++] = b;
}

/* Python's str.splitlines(): the line starting at *i ends at the returned
 * offset; *i moves past its break (\r\n is one).  0 at the end. */
static int py_line(const char *s, size_t len, size_t *i, size_t *end)
{
    if (*i >= len)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t j = *i; j < len; j++) {
        size_t brk = 0; /* bytes of the break at j */
        if (u[j] == '\n' || u[j] == '\r' || u[j] == 0x0B || u[j] == 0x0C || (u[j] >= 0x1C && u[j] <= 0x1E))
            brk = u[j] == '\r' && j + 1 < len && u[j + 1] == '\n' ? 2 : 1;
        else if (u[j] == 0xC2 && j + 1 < len && u[j + 1] == 0x85)
            brk = 2; /* U+0085 */
        else if (u[j] == 0xE2 && j + 2 < len && u[j + 1] == 0x80 && (u[j + 2] == 0xA8 || u[j + 2] == 0xA9))
            brk = 3; /* U+2028, U+2029 */
        if (brk) {
            *end = j;
            *i = j + brk;
            return 1;
        }
    }
    *end = len;
    *i = len;
    return 1;
}

/* Breaks other than \n that splitlines() cuts at (normalize leaves none):
 * \r \v \f \x1c-\x1e, U+0085 (C2 85), U+2028 and U+2029 (E2 80 A8/A9). */
static int other_breaks(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = u[i];
        if (c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E))
            return 1;
        if (c == 0xC2 && i + 1 < len && u[i + 1] == 0x85)
            return 1;
        if (c == 0xE2 && i + 2 < len && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
            return 1;
    }
    return 0;
}

/* Gopher's bullet and ellipsis lines, over splitlines(). */
static void measure_gopher_lines(const char *s, size_t len, values *vs)
{
    size_t all = 0, bullets = 0, ellipses = 0, e;
    int other = other_breaks(s, len);
    for (size_t i = 0, start = 0;; start = i) {
        if (other) {
            if (!py_line(s, len, &i, &e))
                break;
        } else { /* the same lines, found by memchr */
            if (i >= len)
                break;
            const char *nl = memchr(s + i, '\n', len - i);
            e = nl ? (size_t)(nl - s) : len;
            i = nl ? e + 1 : len;
        }
        all++;
        size_t la = rep_py_lstrip(s, start, e), rb = rep_py_rstrip(s, start, e);
        bullets += la < e && (starts_with(s + la, e - la, "\xE2\x80\xA2") || s[la] == '-');
        ellipses += rb > start && (ends_with(s + start, rb - start, "...") || ends_with(s + start, rb - start, "\xE2\x80\xA6"));
    }
    set(vs, Q_BULLET, ratio(bullets, all));
    set(vs, Q_ELLIPSIS, ratio(ellipses, all));
}

/* Our line measures: lines ending a sentence, and lines repeating an
 * earlier one, among the lines with any character. */
static void measure_lines(quality *q, const char *s, size_t len, values *vs)
{
    size_t terminal = 0, dups, dup_chars;
    spans_list *filled = &q->fw_lines; /* measure_more_lines fills them anew after: no fresh pages */
    spans_reset(filled, s, len);
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        if (e > i) {
            spans_add(filled, i, e);
            terminal += ends_sentence(s + i, e - i);
        }
        i = e + 1;
    }
    rep_duplicates(s, filled->a, filled->b, filled->n, &q->sc, &dups, &dup_chars);
    set(vs, Q_TERMINAL, ratio(terminal, filled->n));
    set(vs, Q_DUPLINES, ratio(dups, filled->n));
}

/* Short enough for max_short_line_ratio: counts characters only when the bytes do not decide. */
static int short_line(const quality *q, const char *s, size_t len)
{
    if ((int64_t)len <= q->short_chars)
        return 1;
    if ((int64_t)len > 4 * q->short_chars)
        return 0;
    return (int64_t)utf8_chars(s, len) <= q->short_chars;
}

/* Gopher's bullets and ellipses (over splitlines()), and FineWeb's
 * measures over the lines of text.split("\n") that are not blank.  With
 * fineweb_line_min_words, FineWeb's over the lines C4's filter keeps in
 * FineWeb's pipeline: stripped, of that many words or more, the text they
 * make joined by single line breaks. */
static void measure_more_lines(quality *q, const char *s, size_t len, size_t chars, values *vs)
{
    size_t punct = 0, shorts = 0, newlines = 0, dups, dup_chars, kept_chars = 0;
    int c4 = q->fw_min_words > 0 && !vs->unsegmented; /* Thai, Khmer ...: no words to count, every line */
    spans_list *nonblank = &q->fw_lines;
    spans_reset(nonblank, s, len);
    for (size_t i = 0;;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        size_t a = rep_py_lstrip(s, i, e), b = c4 ? rep_py_rstrip(s, a, e) : e;
        if (a < e && (!c4 || (int64_t)count_words_flags(s + a, b - a, (size_t)q->fw_min_words,
                                                          WORDS_PY_SPLIT | WORDS_HAN_KANA) >= q->fw_min_words)) {
            a = c4 ? a : i;
            spans_add(nonblank, a, b);
            punct += ends_sentence(s + a, b - a);
            shorts += short_line(q, s + a, b - a);
            kept_chars += c4 ? utf8_chars(s + a, b - a) : 0;
        }
        if (!nl)
            break;
        newlines++;
        i = e + 1;
    }
    rep_duplicates(s, nonblank->a, nonblank->b, nonblank->n, &q->sc, &dups, &dup_chars);
    if (!c4 || nonblank->n) { /* no line left to judge: FineWeb's line rules do not vote */
        set(vs, Q_CHARDUP, ratio(dup_chars, c4 ? kept_chars : chars - newlines));
        if (!vs->unsegmented) /* Thai ends a sentence with a space */
            set(vs, Q_PUNCT, ratio(punct, nonblank->n));
        set(vs, Q_SHORT, ratio(shorts, nonblank->n));
    }
    vs->fw_c4 = c4;
    measure_gopher_lines(s, len, vs);
}

/* Distinct stop words of the list for `lang`, or of the best-matching list
 * when lang is unknown; -1 when there is no list to use. */
static double stop_words(quality *q, const char *s, const qword *w, size_t nw, const char *lang)
{
    if (!q->nstops)
        return -1;
    size_t first = 0, last = q->nstops;
    if (lang) {
        for (first = 0; first < q->nstops && strcmp(q->stops[first].lang, lang); first++)
            ;
        if (first == q->nstops)
            return -1; /* a language without a list: nothing to judge by */
        last = first + 1;
    } else if (!script_listed(q, s, w, nw))
        return -1; /* no list for its script: nothing to judge by */
    return (double)stop_index_best(&q->stop_ix, q->ft, s, w, nw, first, last);
}

/* The first of the words (in text order) that starts at off or after. */
static size_t first_word_from(const qword *w, size_t nw, size_t off)
{
    size_t lo = 0, hi = nw;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* How many of the words lie in the pieces: two searches a piece, as a
 * text has far fewer lines than words. */
static size_t words_within(const qword *w, size_t nw, const spans_list *l)
{
    size_t n = 0;
    for (size_t k = 0; k < l->n; k++)
        n += first_word_from(w, nw, l->b[k]) - first_word_from(w, nw, l->a[k]);
    return n;
}

static void measure_words(quality *q, const cv_doc *doc, const char *s, size_t len, size_t chars, values *vs)
{
    size_t nw = rep_words(s, len, &q->words, &q->wcap);
    repetition r;
    rep_measure(s, len, chars, q->words, nw, &q->sc, &r);
    set(vs, Q_DUP_LINE, r.dup_line_frac);
    set(vs, Q_DUP_PARA, r.dup_para_frac);
    set(vs, Q_DUP_LINE_CHAR, r.dup_line_char_frac);
    set(vs, Q_DUP_PARA_CHAR, r.dup_para_char_frac);
    /* Gopher's n-grams are of words: in a script without word spaces the
     * chunks between spaces are clauses or paragraphs, and a 3-gram of them
     * seen once is a fifth of a short article.  Those rules cannot measure
     * such text, so they do not vote (lines and paragraphs still do). */
    if (!vs->unspaced) {
        for (int k = 0; k <= REP_TOP_MAX - REP_TOP_MIN; k++)
            set(vs, Q_TOP2 + k, r.top_gram[k]);
        for (int k = 0; k <= REP_DUP_MAX - REP_DUP_MIN; k++)
            set(vs, Q_DUP5 + k, r.dup_gram[k]);
    }
    size_t newlines = 0;
    for (size_t i = 0; i < len; i++)
        newlines += s[i] == '\n';
    /* newlines per word: the words of measure_chars when Han or kana
     * characters are words, none when no word count can be made */
    if (vs->char_words)
        set(vs, Q_LIST, ratio(newlines, vs->words ? vs->words : 1));
    else if (vs->fw_c4 && q->fw_lines.n) /* FineWeb's text: the kept lines, one line break between two */
        set(vs, Q_LIST, ratio(q->fw_lines.n - 1, words_within(q->words, nw, &q->fw_lines)));
    else if (!vs->unsegmented && !vs->fw_c4)
        set(vs, Q_LIST, ratio(newlines, nw ? nw : 1));
    double stops = stop_words(q, s, q->words, nw, q->host->meta_get_string(doc, "lang"));
    if (stops >= 0)
        set(vs, Q_STOP, stops);
}

/* ---- C4's lines and phrases ----------------------------------------------- */

/* The index of the first phrase list (of kind drop_doc) that the folded text holds, or -1. */
static int c4_match(const quality *q, const char *folded, int drop_doc)
{
    for (size_t i = 0; i < q->nc4; i++)
        if (q->c4[i].drop_doc == drop_doc)
            for (size_t k = 0; k < q->c4[i].n; k++)
                if (strstr(folded, q->c4[i].items[k]))
                    return (int)i;
    return -1;
}

#define C4_LINE_WORDS 3 /* C4's min_words_per_line */

/* Remove the lines C4 removes; the index of a document-dropping list the
 * text matched, or -1. */
static int c4_lines(quality *q, cv_doc *doc)
{
    if (!q->nc4 && q->c4_min_words <= 0)
        return -1;
    size_t len;
    const char *s = q->host->doc_text(doc, &len);
    int drop = -1;
    size_t removed = 0, kept_from = 0; /* the kept lines since kept_from are not copied yet: most texts lose none */
    q->buf.len = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        int keep = 1;
        if (e > i) {
            const char *f = q->nc4 && fold_into(q->ft, s + i, e - i, &q->fold) == 0 ? q->fold.p : NULL;
            int hit = f ? c4_match(q, f, 0) : -1;
            /* C4 looks for its page phrases only on the lines it keeps, of
             * C4_LINE_WORDS words or more: a two-word "Lorem ipsum" left in a
             * template's sidebar does not drop the article */
            int page = f && drop < 0 ? c4_match(q, f, 1) : -1;
            if (page >= 0 &&
                count_words_flags(s + i, e - i, C4_LINE_WORDS, WORDS_PY_SPLIT | WORDS_HAN_KANA) >= C4_LINE_WORDS)
                drop = page;
            if (hit >= 0) {
                char counter[128];
                snprintf(counter, sizeof counter, "removed:c4_%s", q->c4[hit].name);
                q->host->count(q->ctx, counter, 1);
                keep = 0;
            } else if (q->c4_min_words > 0 && (int64_t)count_words_max(s + i, e - i, (size_t)q->c4_min_words) <
                                                   q->c4_min_words) {
                q->host->count(q->ctx, "removed:c4_too_few_words", 1);
                keep = 0;
            }
        }
        if (!keep) {
            if (!removed++)
                buf_reserve(&q->buf, len);
            buf_add(&q->buf, s + kept_from, i - kept_from); /* the kept lines before, newlines and all */
            kept_from = nl ? e + 1 : len;
        }
        i = nl ? e + 1 : len;
    }
    if (removed) {
        buf_add(&q->buf, s + kept_from, len - kept_from);
        while (q->buf.len && q->buf.p[q->buf.len - 1] == '\n')
            q->buf.len--;
        q->host->doc_set_text_unchecked(doc, q->buf.p, q->buf.len); /* whole lines of valid text */
    }
    return drop;
}

/* ---- the step ------------------------------------------------------------- */

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

static int fails(const quality *q, size_t f, const values *vs)
{
    if (!q->on[f] || !vs->have[filters[f].sig])
        return 0;
    double v = vs->v[filters[f].sig];
    return filters[f].max ? v > q->thr[f] : v < q->thr[f];
}

static void annotate(quality *q, cv_doc *doc, const values *vs, int c4_hit)
{
    cv_buf *b = &q->buf;
    b->len = 0;
    buf_addc(b, '{');
    for (int i = 0; i < Q_NSIG; i++) {
        char num[64];
        if (!vs->have[i])
            snprintf(num, sizeof num, "null");
        else if (i == Q_CURLY)
            snprintf(num, sizeof num, "%s", vs->v[i] ? "true" : "false");
        else if (signals[i].integer)
            snprintf(num, sizeof num, "%.0f", vs->v[i]);
        else
            snprintf(num, sizeof num, "%.17g", vs->v[i]);
        buf_adds(b, i ? ",\"" : "\"");
        buf_adds(b, signals[i].name);
        buf_adds(b, "\":");
        buf_adds(b, num);
    }
    for (size_t i = 0; i < q->nc4; i++)
        if (q->c4[i].drop_doc) {
            buf_adds(b, ",\"");
            buf_adds(b, q->c4[i].name);
            buf_adds(b, (int)i == c4_hit ? "\":true" : "\":false");
        }
    buf_addc(b, '}');
    q->host->meta_set_json(doc, "quality", b->p);
}

static cv_status drop(quality *q, cv_doc *doc, const char *reason, double value)
{
    char detail[64];
    snprintf(detail, sizeof detail, "%.3g", value);
    q->host->doc_drop(doc, reason, detail);
    return CV_DROP;
}

static cv_status quality_process(void *p, cv_doc *doc)
{
    quality *q = p;
    if (q->trim_tail)
        trim_tail(q, doc);
    int c4_hit = c4_lines(q, doc);
    if (c4_hit >= 0 && !q->annotate)
        return drop(q, doc, q->c4[c4_hit].name, 1);
    size_t len;
    const char *text = q->host->doc_text(doc, &len);
    values vs = {{0}, {0}, 0, 0, 0, 0, 0};
    set(&vs, Q_CURLY, memchr(text, '{', len) != NULL);
    if (q->curly && vs.v[Q_CURLY] && !q->annotate)
        return drop(q, doc, "curly_bracket", 1);
    size_t chars = 0; /* code points: counted once, for the groups that need them */
    for (int g = G_CHARS; g <= G_WORDS; g++) {
        if (g == G_CHARS)
            measure_chars(text, len, &vs);
        else if (g == G_LINES)
            measure_lines(q, text, len, &vs);
        else if (g == G_MORE_LINES)
            measure_more_lines(q, text, len, chars = utf8_chars(text, len), &vs);
        else
            measure_words(q, doc, text, len, chars, &vs);
        if (q->annotate)
            continue;
        for (size_t f = 0; f < NFILTERS; f++)
            if (signals[filters[f].sig].group == g && fails(q, f, &vs))
                return drop(q, doc, filters[f].key, vs.v[filters[f].sig]);
    }
    if (q->annotate)
        annotate(q, doc, &vs, c4_hit);
    return CV_OK;
}

static const cv_plugin quality_step = {
    CV_PLUGIN_HEADER,
    .name = "quality",
    .kind = CV_STEP,
    .version = "1.1.0",
    .description = "Gopher, FineWeb and C4 document filters, every threshold an option; or their values as "
                   "metadata.quality",
    .optmap = optmap,
    .create = quality_create,
    .destroy = quality_destroy,
    .process = quality_process,
};

CONVERT_PLUGINS(&quality_step)
