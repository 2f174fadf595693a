/* boilerplate.c -- step: removes what scraping leaves around an article.
 *
 * Two kinds of evidence, applied line by line (a line is a paragraph in
 * scraped text):
 *   1. Pattern rules from YAML files (one per language, PCRE2 with Unicode):
 *      `line` removes a matching line, `strip` removes only the match,
 *      `cut` removes the line and everything after it when that is chrome
 *      (comment and share widgets end the article; one between paragraphs
 *      goes alone), `block` removes a heading such as "Read
 *      also" and the teaser lines under it.
 *   2. Structure, with thresholds as options: lines that are mostly numbers
 *      (timestamps, view counters), repeated lines (a headline printed
 *      twice), runs of very short lines (menus), the lead before the first
 *      real paragraph (kept: one headline), and the tail after the last
 *      real paragraph (lists of other stories).
 * A "real paragraph" ends like a sentence and is long enough, or is long and
 * holds a sentence boundary.  Every removed line is counted by rule. */
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "convert/plugin.h"
#include "literals.h"
#include "text.h"
#include "util.h"
#include "yamlfile.h"

#define TEASER_MAX_WORDS 25 /* story_teasers: a longer line is no headline */

static const cv_option options[] = {
    {"rules", CV_OPT_PATH, NULL, 1, "a rules YAML file, or a folder whose *.yaml files are all loaded"},
    {"rule_max_bytes", CV_OPT_INT, "600", 0,
     "rules are tried on lines up to this long (widgets are short; paragraphs skip the regexes); a rule's own "
     "max_bytes wins; 0: every line"},
    {"cut_min_chars", CV_OPT_INT, "200", 0, "a cut rule fires only after this much kept text (else it removes one line)"},
    {"paragraph_min_words", CV_OPT_INT, "8", 0, "a line ending like a sentence with this many words is a paragraph"},
    {"paragraph_long_chars", CV_OPT_INT, "200", 0, "a line this long with a sentence boundary inside is a paragraph"},
    {"paragraph_unfinished_words", CV_OPT_INT, "24", 0,
     "a line of paragraph_long_chars or more with this many words is a paragraph even without a final full stop "
     "(prose before page chrome; 0: off)"},
    {"numeric_max_words", CV_OPT_INT, "10", 0, "numeric_line: lines of at most this many words..."},
    {"numeric_min_fraction", CV_OPT_FLOAT, "0.4", 0, "...of which at least this fraction are numbers"},
    {"menu_max_words", CV_OPT_INT, "3", 0, "menu: lines of at most this many words, not ending a sentence..."},
    {"menu_min_run", CV_OPT_INT, "3", 0, "...in a run of at least this many"},
    {"block_max_lines", CV_OPT_INT, "12", 0, "a block rule removes at most this many lines after its heading"},
    {"caption_max_words", CV_OPT_INT, "12", 0, "a rule with previous: true also removes a preceding line this short"},
    {"repeated_lines", CV_OPT_BOOL, "true", 0, "remove a line equal to an earlier one (repeated headline, teasers)"},
    {"repeated_with_source", CV_OPT_INT, "4", 0,
     "remove a line that repeats another (of 40+ characters) with at most this many words appended, such as a "
     "widget's copy of a paragraph with its source's name (0: off)"},
    {"story_teasers", CV_OPT_BOOL, "true", 0,
     "between paragraphs, remove a headline-shaped line (not a paragraph, not ending with . or !) that a "
     "numeric line such as a date follows: another story's headline and its time"},
    {"trim_lead", CV_OPT_BOOL, "true", 0, "before the first paragraph keep only the headline: the line with most words"},
    {"headline_min_words", CV_OPT_INT, "4", 0, "a shorter headline is removed too"},
    {"trim_tail", CV_OPT_BOOL, "true", 0, "remove every line after the last paragraph"},
    {"main_run", CV_OPT_BOOL, "false", 0,
     "keep only the densest run of paragraphs (and the headline): the run of kept lines where paragraph "
     "characters most outweigh the cost of the other lines; for text dumps, where chrome paragraphs sit before "
     "and after the article"},
    {"main_run_line_cost", CV_OPT_INT, "20", 0,
     "main_run: a kept line that is no paragraph costs its length plus this many characters, a removed line "
     "this many"},
    {"title_key", CV_OPT_STRING, "title", 0, "metadata key for the headline trim_lead kept (empty: do not set)"},
    {"end_key", CV_OPT_STRING, "end_removed", 0,
     "metadata key set to true when the text's last line was removed: the page went on past the text, so a "
     "last sentence without a full stop is not a truncation (quality's drop_unfinished_tail reads it; empty: "
     "do not set)"},
    {NULL, 0, NULL, 0, NULL},
};

typedef enum { ACT_LINE, ACT_STRIP, ACT_CUT, ACT_BLOCK } action;

typedef struct rule {
    char *counter; /* "removed:<name>" */
    action act;
    int previous; /* also remove a short line just before */
    size_t max_bytes; /* longer lines are not tried (0: all lines) */
    size_t tail;      /* only the last this many bytes of a line are searched (0: all) */
    pcre2_code *re;
    int anchored; /* the pattern starts with ^ */
    int filtered; /* has needles: tried only on lines holding one of them */
    int anywhere; /* ...which may follow a letter */
    char **needs; /* needs: tried only on lines holding one of these strings (NULL: all) */
    size_t nneeds;
} rule;

/* A word some rule's every match contains (literals.h), folded, keyed by its
 * first eight bytes, or four when it is shorter.  Four bytes are only two
 * Cyrillic letters: with four-byte keys one text position in seven (any
 * common syllable a needle begins with) cost a lookup; with eight, one in 100. */
typedef struct needle {
    char *s;
    size_t len;
    uint64_t key;
    size_t rule;
    int group; /* 2 * after_nonletter + wide */
} needle;

#define WIDE 8 /* bytes in the key of a needle at least this long */

/* Needles come in four groups: short or wide, and whether they are only ever
 * found after a character that is no letter (literals.h): those are looked
 * up only at such positions, one in six or seven of a line's characters. */
#define GROUPS 4

/* Lines longer than this are not scanned for needles: their rules just run. */
#define SCAN_MAX_BYTES 65536

/* Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic: a line starting beyond is
 * tried against every anchored rule. */
#define START_CPS 0x800

typedef struct line {
    const char *s;
    size_t len;
    char *owned; /* after a strip rule */
    const char *why; /* removal counter, NULL: kept */
    size_t words;
    int para;
} line;

typedef struct bp {
    const cv_host *host;
    cv_ctx *ctx;
    rule *rules;
    size_t nrules;
    pcre2_match_data *md;
    pcre2_match_context *mctx; /* bounds the work of one match: a bad rule cannot hang a run */
    needle *needles;
    size_t nneedles;
    size_t group_end[GROUPS]; /* needles are sorted by group: group g ends at group_end[g] */
    uint64_t filter[GROUPS][1024]; /* bit hash16(key) set for every key of the group's needles */
    char *folded;          /* the current line, folded (literals.h) */
    size_t cfolded;
    /* Sets of rules, a bit per rule in nwords words: a line is offered only
     * to the rules that can match it, not walked through all of them. */
    size_t nwords;
    uint64_t *strips, *others; /* by action: strip rules run first */
    uint64_t *anchored, *filtered;
    uint64_t *anywhere; /* rules with needles that may follow a letter */
    uint64_t *present; /* filtered rules one of whose needles is in the current line */
    uint64_t *cand;    /* the rules that may still match the current line */
    /* For anchored rules and a first code point c < START_CPS: whose match
     * can begin with c (yes), and whom that was asked (asked); nwords words
     * at c * nwords.  Filled as lines show new first characters; most lines
     * start with a character no anchored rule can begin with. */
    uint64_t *start_yes, *start_asked;
    int scanned; /* present is for the current line */
    int64_t max_bytes, cut_min, para_words, para_long, para_unfinished, source_words;
    int teasers;
    int64_t num_words, menu_words, menu_run, block_max, caption_words, head_words;
    double num_frac;
    /* Words are counted up to one more than any threshold compares with: a
     * long paragraph need not be walked to its end.  The headline choice
     * counts its few candidates fully. */
    size_t words_cap;
    int repeated, lead, tail, main_run;
    int64_t run_cost;
    const char *title_key, *end_key;
    size_t head; /* the headline line kept by trim_lead, or SIZE_MAX */
    line *lines;
    size_t nlines, clines;
    size_t *after;    /* cut: chars of all lines from i on at [2i], of their paragraphs at [2i + 1] */
    size_t cafter;
    int after_ready;  /* after is for the current document */
    size_t *seen; /* repeated_lines: open-addressed set of kept lines, as index + 1 (0: empty) */
    size_t cseen;
    cv_buf out;
} bp;

static void bp_destroy(void *p)
{
    bp *b = p;
    for (size_t i = 0; i < b->nrules; i++) {
        free(b->rules[i].counter);
        for (size_t k = 0; k < b->rules[i].nneeds; k++)
            free(b->rules[i].needs[k]);
        free(b->rules[i].needs);
        pcre2_code_free(b->rules[i].re);
    }
    free(b->rules);
    for (size_t i = 0; i < b->nneedles; i++)
        free(b->needles[i].s);
    free(b->needles);
    free(b->folded);
    free(b->strips); /* the sets share one allocation */
    pcre2_match_data_free(b->md);
    pcre2_match_context_free(b->mctx);
    free(b->lines);
    free(b->seen);
    free(b->after);
    buf_free(&b->out);
    free(b);
}

static int parse_action(const char *s, action *out)
{
    static const char *const names[] = {"line", "strip", "cut", "block"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i]))
            return *out = (action)i, 0;
    return -1;
}

/* A misspelt key would silently do nothing: refuse it. */
static int check_keys(bp *b, const char *file, const char *name, json_t *r)
{
    static const char *const known[] = {"name", "pattern", "action", "case", "previous", "max_bytes", "tail_bytes", "needs"};
    const char *key;
    json_t *v;
    json_object_foreach(r, key, v) {
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(key, known[k]))
            k++;
        if (k == sizeof known / sizeof *known) {
            b->host->error(b->ctx,
                           "%s: rule '%s': unknown key '%s' (expected name, pattern, action, case, previous, "
                           "max_bytes, tail_bytes, needs)",
                           file, name, key);
            return -1;
        }
    }
    return 0;
}

/* A rule's max_bytes or tail_bytes: a whole number of bytes (absent: *out unchanged). */
static int byte_count(bp *b, const char *file, const char *name, const char *key, const char *value, size_t *out)
{
    if (!value)
        return 0;
    char *end;
    unsigned long long n = strtoull(value, &end, 10);
    if (!*value || *end || value[0] == '-') {
        b->host->error(b->ctx, "%s: rule '%s': %s must be a whole number of bytes, not '%s'", file, name, key, value);
        return -1;
    }
    *out = (size_t)n;
    return 0;
}

static uint32_t hash16(uint64_t key) { return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 48); }

static int has_bit(const uint64_t *filter, uint32_t h) { return filter[h >> 6] >> (h & 63) & 1; }

/* By group, then by key. */
static int by_key(const void *x, const void *y)
{
    const needle *a = x, *b = y;
    if (a->group != b->group)
        return a->group - b->group;
    return (a->key > b->key) - (a->key < b->key);
}

/* The key of the needle or text starting at s, with wide bytes of it. */
static uint64_t key_at(const char *s, int wide)
{
    if (wide) {
        uint64_t k;
        memcpy(&k, s, 8);
        return k;
    }
    uint32_t k;
    memcpy(&k, s, 4);
    return k;
}

/* The words every match of the rule about to be added contains, if any. */
static void add_needles(bp *b, rule *r, const char *pattern)
{
    size_t n;
    int nonletter;
    char **words = lit_needles(pattern, 4, &n, &nonletter); /* four bytes: the scan's key */
    for (size_t i = 0; i < n; i++) {
        b->needles = realloc(b->needles, (b->nneedles + 1) * sizeof *b->needles);
        if (!b->needles)
            abort();
        needle *nd = &b->needles[b->nneedles++];
        nd->s = words[i];
        nd->len = strlen(words[i]);
        int wide = nd->len >= WIDE;
        nd->key = key_at(nd->s, wide);
        nd->rule = b->nrules;
        nd->group = 2 * nonletter + wide;
        uint32_t h = hash16(nd->key);
        b->filter[nd->group][h >> 6] |= 1ull << (h & 63);
        for (int g = nd->group; g < GROUPS; g++)
            b->group_end[g]++;
    }
    free(words); /* the strings now belong to b->needles */
    r->filtered = n > 0;
    r->anywhere = n > 0 && !nonletter;
}

static int load_rules(bp *b, const char *file)
{
    char err[1024];
    json_t *root = yaml_file_load(file, err, sizeof err);
    if (!root) {
        b->host->error(b->ctx, "%s", err);
        return -1;
    }
    json_t *list = json_object_get(root, "rules");
    if (!json_is_array(list)) {
        b->host->error(b->ctx, "%s: expected a top-level 'rules:' list", file);
        json_decref(root);
        return -1;
    }
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r) {
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *pat = json_string_value(json_object_get(r, "pattern"));
        const char *act = json_string_value(json_object_get(r, "action"));
        const char *cs = json_string_value(json_object_get(r, "case"));
        const char *prev = json_string_value(json_object_get(r, "previous"));
        const char *maxb = json_string_value(json_object_get(r, "max_bytes"));
        const char *tail = json_string_value(json_object_get(r, "tail_bytes"));
        rule nr = {0};
        if (!name || !pat || (act && parse_action(act, &nr.act) < 0)) {
            b->host->error(b->ctx, "%s: rule %zu needs a name, a pattern and an action of line, strip, cut or block",
                           file, i + 1);
            json_decref(root);
            return -1;
        }
        if (check_keys(b, file, name, r) < 0 || byte_count(b, file, name, "max_bytes", maxb, &nr.max_bytes) < 0 ||
            byte_count(b, file, name, "tail_bytes", tail, &nr.tail) < 0) {
            json_decref(root);
            return -1;
        }
        int errcode;
        PCRE2_SIZE off;
        uint32_t flags = PCRE2_UTF | PCRE2_UCP | (cs && !strcmp(cs, "sensitive") ? 0 : PCRE2_CASELESS);
        nr.re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, flags, &errcode, &off, NULL);
        if (!nr.re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(errcode, msg, sizeof msg);
            b->host->error(b->ctx, "%s: rule '%s': pattern error at offset %zu: %s", file, name, (size_t)off, msg);
            json_decref(root);
            return -1;
        }
        pcre2_jit_compile(nr.re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter if JIT is unavailable */
        uint32_t opts = 0;
        pcre2_pattern_info(nr.re, PCRE2_INFO_ALLOPTIONS, &opts);
        nr.anchored = (opts & PCRE2_ANCHORED) != 0;
        if (nr.tail && nr.anchored) {
            b->host->error(b->ctx, "%s: rule '%s': tail_bytes is for patterns that end a line ($), not ones that start it (^)",
                           file, name);
            pcre2_code_free(nr.re);
            json_decref(root);
            return -1;
        }
        nr.previous = prev && (!strcmp(prev, "true") || !strcmp(prev, "yes"));
        json_t *needs = json_object_get(r, "needs");
        if (needs) { /* a string or a list of them */
            size_t nn = json_is_array(needs) ? json_array_size(needs) : 1;
            nr.needs = calloc(nn + 1, sizeof *nr.needs);
            if (!nr.needs)
                abort();
            for (size_t k = 0; k < nn; k++) {
                const char *v = json_string_value(json_is_array(needs) ? json_array_get(needs, k) : needs);
                if (!v || !v[0]) {
                    b->host->error(b->ctx, "%s: rule '%s': needs must be a string or a list of non-empty strings",
                                   file, name);
                    for (size_t m = 0; m < nr.nneeds; m++)
                        free(nr.needs[m]);
                    free(nr.needs);
                    pcre2_code_free(nr.re);
                    json_decref(root);
                    return -1;
                }
                nr.needs[nr.nneeds++] = strdup(v);
            }
        }
        add_needles(b, &nr, pat);
        if (!maxb)
            nr.max_bytes = (size_t)b->max_bytes;
        size_t n = strlen(name) + 9;
        nr.counter = malloc(n);
        snprintf(nr.counter, n, "removed:%s", name);
        b->rules = realloc(b->rules, (b->nrules + 1) * sizeof *b->rules);
        b->rules[b->nrules++] = nr;
    }
    json_decref(root);
    return 0;
}

static void add_rule(uint64_t *set, size_t k) { set[k / 64] |= 1ull << (k % 64); }

static int rule_sets(bp *b)
{
    b->nwords = (b->nrules + 63) / 64;
    uint64_t **sets[] = {&b->strips, &b->others, &b->anchored, &b->filtered, &b->anywhere, &b->present, &b->cand};
    const size_t nsets = sizeof sets / sizeof *sets;
    uint64_t *all = calloc((nsets + 2 * START_CPS) * b->nwords, sizeof *all);
    if (!all)
        return -1;
    for (size_t i = 0; i < nsets; i++)
        *sets[i] = all + i * b->nwords;
    b->start_yes = all + nsets * b->nwords;
    b->start_asked = b->start_yes + START_CPS * b->nwords;
    for (size_t k = 0; k < b->nrules; k++) {
        add_rule(b->rules[k].act == ACT_STRIP ? b->strips : b->others, k);
        if (b->rules[k].anchored)
            add_rule(b->anchored, k);
        if (b->rules[k].filtered)
            add_rule(b->filtered, k);
        if (b->rules[k].anywhere)
            add_rule(b->anywhere, k);
    }
    return 0;
}

static void *bp_create(const cv_host *h, cv_ctx *ctx)
{
    bp *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->host = h;
    b->ctx = ctx;
    b->max_bytes = h->opt_int(ctx, "rule_max_bytes");
    b->cut_min = h->opt_int(ctx, "cut_min_chars");
    b->para_words = h->opt_int(ctx, "paragraph_min_words");
    b->para_long = h->opt_int(ctx, "paragraph_long_chars");
    b->para_unfinished = h->opt_int(ctx, "paragraph_unfinished_words");
    b->num_words = h->opt_int(ctx, "numeric_max_words");
    b->num_frac = h->opt_float(ctx, "numeric_min_fraction");
    b->menu_words = h->opt_int(ctx, "menu_max_words");
    b->menu_run = h->opt_int(ctx, "menu_min_run");
    b->block_max = h->opt_int(ctx, "block_max_lines");
    b->caption_words = h->opt_int(ctx, "caption_max_words");
    b->head_words = h->opt_int(ctx, "headline_min_words");
    int64_t most = 0, limits[] = {b->para_words,  b->para_unfinished, TEASER_MAX_WORDS, b->num_words,
                                  b->menu_words,  b->caption_words,   b->head_words};
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
        most = limits[i] > most ? limits[i] : most;
    b->words_cap = (size_t)most + 1;
    b->repeated = h->opt_bool(ctx, "repeated_lines");
    b->source_words = h->opt_int(ctx, "repeated_with_source");
    b->teasers = h->opt_bool(ctx, "story_teasers");
    b->lead = h->opt_bool(ctx, "trim_lead");
    b->tail = h->opt_bool(ctx, "trim_tail");
    b->main_run = h->opt_bool(ctx, "main_run");
    b->run_cost = h->opt_int(ctx, "main_run_line_cost");
    b->title_key = h->opt_string(ctx, "title_key");
    b->end_key = h->opt_string(ctx, "end_key");
    const char *path = h->opt_string(ctx, "rules");
    char **files;
    int n = yaml_paths(path, &files);
    if (n < 0) {
        h->error(ctx, "rules '%s': no such file or folder", path);
        goto fail;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = load_rules(b, files[i]);
    paths_free(files);
    if (rc < 0)
        goto fail;
    if (b->nrules == 0) {
        h->error(ctx, "rules '%s' hold no rules", path);
        goto fail;
    }
    if (rule_sets(b) < 0)
        goto fail;
    if (b->nneedles)
        qsort(b->needles, b->nneedles, sizeof *b->needles, by_key);
    b->md = pcre2_match_data_create(4, NULL);
    b->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(b->mctx, 1000000);
    pcre2_set_depth_limit(b->mctx, 10000);
    return b;
fail:
    bp_destroy(b);
    return NULL;
}

/* Can a match of anchored rule r begin with the first character of s?
 * PCRE2 answers: a hard partial match of that one character fails only when
 * no continuation of it could match (pcre2partial(3)), so case folding,
 * classes and optional groups are judged exactly as the full match would. */
static int can_begin(bp *b, const rule *r, const char *s, size_t n)
{
    int rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_PARTIAL_HARD | PCRE2_NO_UTF_CHECK, b->md,
                         b->mctx);
    return rc != PCRE2_ERROR_NOMATCH;
}

/* The rules that may match line l: all but the anchored ones that cannot
 * begin with its first character.  The needle scan narrows it later. */
static void candidates(bp *b, const line *l)
{
    size_t n = 0;
    int c = l->len ? utf8_next(l->s, &n) : START_CPS;
    int known = c < START_CPS && n <= l->len; /* beyond the table every anchored rule is tried */
    for (size_t w = 0; w < b->nwords; w++) {
        uint64_t may_begin = b->anchored[w];
        if (known) {
            uint64_t *yes = b->start_yes + (size_t)c * b->nwords + w, *asked = b->start_asked + (size_t)c * b->nwords + w;
            for (uint64_t ask = b->anchored[w] & ~*asked; ask; ask &= ask - 1) {
                int bit = __builtin_ctzll(ask);
                if (can_begin(b, &b->rules[w * 64 + (size_t)bit], l->s, n))
                    *yes |= 1ull << bit;
                *asked |= 1ull << bit;
            }
            may_begin = *yes;
        }
        b->cand[w] = ((b->strips[w] | b->others[w]) & ~b->anchored[w]) | may_begin;
    }
    b->scanned = 0;
}

/* Mark the rules of needles[lo..hi) with this key that f (left bytes long) begins with. */
static void mark(bp *b, size_t lo, size_t hi, uint64_t key, const char *f, size_t left)
{
    size_t end = hi;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b->needles[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (const needle *nd = b->needles + lo; nd < b->needles + end && nd->key == key; nd++)
        if (nd->len <= left && !memcmp(f, nd->s, nd->len))
            add_rule(b->present, nd->rule);
}

/* Keep in cand only the filtered rules whose needles occur in line s: one
 * pass over the folded line for all of them. */
static void scan(bp *b, const char *s, size_t len)
{
    b->scanned = 1;
    if (len > SCAN_MAX_BYTES)
        return; /* every filtered rule stays a candidate */
    memset(b->present, 0, b->nwords * sizeof *b->present);
    /* Two spaces before the folded line and 16 zero bytes after it: the
     * classifier looks two bytes back, and keys and blocks read ahead. */
    if (b->cfolded < 2 * len + 4 + 2 + 16) {
        b->cfolded = 2 * len + 4 + 2 + 16;
        if (!(b->folded = realloc(b->folded, b->cfolded)))
            abort();
    }
    char *f = b->folded + 2;
    b->folded[0] = b->folded[1] = ' ';
    size_t n = lit_fold(s, len, f);
    memset(f + n, 0, 16);
    int everywhere = 0; /* a candidate rule's needles may follow a letter */
    for (size_t w = 0; w < b->nwords; w++)
        everywhere |= (b->cand[w] & b->anywhere[w]) != 0;
    for (size_t base = 0; base + 4 <= n; base += 16) {
        unsigned starts, nonletter;
        lit_classify16(f + base, &starts, &nonletter);
        unsigned at = everywhere ? starts : nonletter;
        if (n - base < 16 + 3)
            at &= (1u << (n - base - 3)) - 1; /* a key needs four bytes */
        for (; at; at &= at - 1) {
            size_t i = base + (size_t)__builtin_ctz(at);
            int after_nonletter = nonletter >> (i - base) & 1;
            for (int g = everywhere ? 0 : 2; g < (after_nonletter ? GROUPS : 2); g++) {
                uint64_t key = key_at(f + i, g & 1);
                if (has_bit(b->filter[g], hash16(key)))
                    mark(b, g ? b->group_end[g - 1] : 0, b->group_end[g], key, f + i, n - i);
            }
        }
    }
    for (size_t w = 0; w < b->nwords; w++)
        b->cand[w] &= ~b->filtered[w] | b->present[w];
}

/* Does s hold the plain string t?  memchr for its last byte (the needs of
 * the shipped rules end with a quote or a colon, rare in prose), then a
 * compare: glibc's memmem was a third of a cleaning run here. */
static int holds(const char *s, size_t len, const char *t)
{
    size_t n = strlen(t);
    if (n > len)
        return 0;
    const char *p = s + n - 1, *end = s + len;
    while (p < end && (p = memchr(p, t[n - 1], (size_t)(end - p)))) {
        if (!memcmp(p - (n - 1), t, n - 1))
            return 1;
        p++;
    }
    return 0;
}

static int tried(const rule *r, const line *l)
{
    if (r->max_bytes && l->len > r->max_bytes)
        return 0;
    if (!r->nneeds)
        return 1;
    for (size_t k = 0; k < r->nneeds; k++)
        if (holds(l->s, l->len, r->needs[k]))
            return 1;
    return 0;
}

/* The next rule from k on, among those of set, that may match line l; nrules
 * when there is none.  The first filtered rule reached runs the needle scan,
 * which narrows cand, and the search starts again there. */
static size_t next_rule(bp *b, const line *l, const uint64_t *set, size_t k)
{
    for (size_t w = k / 64; w < b->nwords; w++) {
        uint64_t bits = b->cand[w] & set[w] & (w == k / 64 ? ~0ull << (k % 64) : ~0ull);
        for (; bits; bits &= bits - 1) {
            size_t r = w * 64 + (size_t)__builtin_ctzll(bits);
            if (!tried(&b->rules[r], l))
                continue;
            if (b->rules[r].filtered && !b->scanned) {
                scan(b, l->s, l->len);
                return next_rule(b, l, set, r);
            }
            return r;
        }
    }
    return b->nrules;
}

static int match(bp *b, const rule *r, const char *s, size_t len, size_t *start, size_t *end)
{
    /* A rule that ends at the end of the line only needs its end searched:
     * start there, on a character boundary (\b still sees the byte before). */
    size_t from = 0;
    if (r->tail && len > r->tail)
        for (from = len - r->tail; ((unsigned char)s[from] & 0xC0) == 0x80; from++)
            ;
    /* Document text is valid UTF-8 by the ABI's promise: skip PCRE2's own check. */
    int rc = pcre2_match(r->re, (PCRE2_SPTR)s, len, from, PCRE2_NO_UTF_CHECK, b->md, b->mctx);
    if (rc < 0) {
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
            b->host->count(b->ctx, "regex_limit_hit", 1); /* treated as no match */
        return 0;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(b->md);
    *start = ov[0];
    *end = ov[1];
    return 1;
}

static void measure(bp *b, line *l)
{
    l->words = count_words_max(l->s, l->len, b->words_cap);
    int ends = ends_sentence(l->s, l->len);
    l->para = (ends && (int64_t)l->words >= b->para_words) ||
              ((int64_t)l->len >= b->para_long &&
               (has_inner_sentence_end(l->s, l->len) ||
                (b->para_unfinished > 0 && (int64_t)l->words >= b->para_unfinished)));
}

/* Remove the match from a line; 1 if nothing but space is left. */
static int strip(line *l, size_t start, size_t end)
{
    size_t n = l->len - (end - start);
    char *s = calloc(n + 32, 1); /* zero padding: PCRE2's JIT reads ahead (see core/doc.c) */
    if (!s)
        abort();
    memcpy(s, l->s, start);
    memcpy(s + start, l->s + end, l->len - end);
    if (start > 0 && start < n && s[start - 1] == ' ' && s[start] == ' ') { /* "a <x> b": one space stays */
        memmove(s + start, s + start + 1, n - start - 1);
        s[--n] = '\0';
    }
    while (n && (s[n - 1] == ' '))
        s[--n] = '\0';
    size_t lead = strspn(s, " ");
    free(l->owned);
    l->owned = s;
    l->s = s + lead;
    l->len = n - lead;
    return l->len == 0;
}

static void split_lines(bp *b, const char *text, size_t len)
{
    b->nlines = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        size_t s = i;
        while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
            s++;
        size_t t = e;
        while (t > s && (text[t - 1] == ' ' || text[t - 1] == '\t' || text[t - 1] == '\r'))
            t--;
        if (t > s) {
            if (b->nlines == b->clines) {
                b->clines = b->clines ? b->clines * 2 : 64;
                b->lines = realloc(b->lines, b->clines * sizeof *b->lines);
                if (!b->lines)
                    abort();
            }
            b->lines[b->nlines++] = (line){.s = text + s, .len = t - s};
        }
        i = e + 1;
    }
}

#define STRIP_MAX 64 /* matches a strip rule removes from one line */

/* State of the pattern pass over one document. */
typedef struct pass {
    size_t kept_chars;
    int64_t in_block;
    const char *block_why;
} pass;

/* Does the article go on after line i, where a cut rule matched?  A widget
 * line ("subscribe to our channel") may sit between two paragraphs: cutting
 * to the end is right only when what follows is chrome.  The article goes
 * on when the next line (past at most one short line, a caption or a label)
 * is a paragraph and paragraphs hold at least half of the characters from
 * there to the end; comments (names and dates between their texts), lists
 * of other stories and footers do not.  The sums from each line to the end
 * are taken once per document, at its first cut: linear in lines. */
static int article_follows(bp *b, size_t i)
{
    size_t n = b->nlines;
    if (!b->after_ready) {
        if (b->cafter < 2 * (n + 1)) {
            free(b->after);
            b->cafter = 2 * (n + 1);
            b->after = malloc(b->cafter * sizeof *b->after);
            if (!b->after)
                abort();
        }
        b->after[2 * n] = b->after[2 * n + 1] = 0;
        for (size_t j = n; j-- > i + 1;) {
            line *l = &b->lines[j];
            measure(b, l); /* measured again when the pass reaches it: a strip may change it */
            b->after[2 * j] = b->after[2 * (j + 1)] + l->len;
            b->after[2 * j + 1] = b->after[2 * (j + 1) + 1] + (l->para ? l->len : 0);
        }
        b->after_ready = 1;
    }
    size_t next = i + 1;
    if (next + 1 < n && !b->lines[next].para && (int64_t)b->lines[next].words <= b->caption_words)
        next++;
    return next < n && b->lines[next].para && 2 * b->after[2 * next + 1] >= b->after[2 * next];
}

/* Apply rule r, which matched line i at [ms, me).  1: a cut ended the document. */
static int apply(bp *b, size_t i, const rule *r, size_t ms, size_t me, pass *ps)
{
    line *l = &b->lines[i];
    switch (r->act) {
    case ACT_STRIP:
        if (me == ms) /* an empty match would remove nothing */
            return 0;
        if (strip(l, ms, me))
            l->why = r->counter;
        else {
            b->host->count(b->ctx, r->counter, 1);
            measure(b, l);
            candidates(b, l); /* the line changed; rules before r are not asked again */
        }
        break;
    case ACT_LINE:
        l->why = r->counter;
        break;
    case ACT_CUT:
        l->why = r->counter;
        if ((int64_t)ps->kept_chars >= b->cut_min && !article_follows(b, i)) {
            for (size_t j = i + 1; j < b->nlines; j++)
                b->lines[j].why = r->counter;
            return 1;
        }
        break;
    case ACT_BLOCK:
        l->why = r->counter;
        ps->in_block = b->block_max;
        ps->block_why = r->counter;
        break;
    }
    if (l->why && r->previous && i > 0) {
        line *p = &b->lines[i - 1];
        if (!p->why && !p->para && (int64_t)p->words <= b->caption_words)
            p->why = r->counter;
    }
    return 0;
}

/* The pattern pass: strip rules first, in file order, then the others in
 * file order, the first that matches deciding. */
static void apply_rules(bp *b)
{
    pass ps = {0};
    b->after_ready = 0;
    for (size_t i = 0; i < b->nlines; i++) {
        line *l = &b->lines[i];
        measure(b, l);
        if (ps.in_block > 0) {
            if (!l->para) {
                l->why = ps.block_why;
                ps.in_block--;
                continue;
            }
            ps.in_block = 0;
        }
        size_t ms, me, k;
        candidates(b, l);
        for (k = 0; !l->why && (k = next_rule(b, l, b->strips, k)) < b->nrules; k++)
            /* every match goes (tags, attributes: a line may hold many), up to a bound */
            for (int again = 0; again < STRIP_MAX && !l->why && match(b, &b->rules[k], l->s, l->len, &ms, &me) &&
                                me > ms;
                 again++)
                apply(b, i, &b->rules[k], ms, me, &ps);
        for (k = 0; !l->why && (k = next_rule(b, l, b->others, k)) < b->nrules; k++)
            if (match(b, &b->rules[k], l->s, l->len, &ms, &me) && apply(b, i, &b->rules[k], 0, 0, &ps))
                return;
        if (!l->why && l->para)
            ps.kept_chars += l->len; /* only real paragraphs count: chrome at the top must not arm a cut */
    }
}

#define SOURCE_MIN_CHARS 40 /* repeated_with_source: the repeated line is at least this long */
#define SOURCE_MAX_LINES 1000 /* ...and is among the first this many lines (the test is quadratic) */

static int numeric_line(const bp *b, const line *l)
{
    return (int64_t)l->words <= b->num_words && l->words > 0 && !l->para &&
           (double)count_numeric(l->s, l->len) >= b->num_frac * (double)l->words;
}

/* Does `longer` hold all of `shorter` and then a few more words after a
 * space or a dash ("... in the west. - Met Office")? */
static int repeats_with_source(const bp *b, const line *shorter, const line *longer)
{
    if (shorter->len < SOURCE_MIN_CHARS || longer->len <= shorter->len ||
        memcmp(longer->s, shorter->s, shorter->len))
        return 0;
    const char *rest = longer->s + shorter->len;
    size_t rlen = longer->len - shorter->len;
    if (rest[0] != ' ' && rest[0] != '-' && rest[0] != ',' && rest[0] != '(' && rest[0] != '|' &&
        (unsigned char)rest[0] != 0xE2) /* a dash or a bullet */
        return 0;
    size_t words = count_words_max(rest, rlen, (size_t)b->source_words + 1);
    return words >= 1 && (int64_t)words <= b->source_words;
}

/* repeated_lines: is kept line i equal to an earlier kept one?  If not, it
 * joins the set.  A hash set, not a walk over the lines before: a book of
 * 100k paragraphs took 21 s that way.  Sized per document (at most half
 * full), so a huge document does not make every later one clear a huge set. */
static void seen_clear(bp *b)
{
    size_t c = 64;
    while (c < 2 * b->nlines)
        c *= 2;
    if (b->cseen != c) {
        free(b->seen);
        b->seen = malloc(c * sizeof *b->seen);
        if (!b->seen)
            abort();
        b->cseen = c;
    }
    memset(b->seen, 0, c * sizeof *b->seen);
}

static int seen_before(bp *b, size_t i)
{
    const line *l = &b->lines[i];
    size_t mask = b->cseen - 1;
    for (size_t h = (size_t)XXH3_64bits(l->s, l->len) & mask;; h = (h + 1) & mask) {
        size_t j = b->seen[h];
        if (!j) {
            b->seen[h] = i + 1;
            return 0;
        }
        const line *o = &b->lines[j - 1];
        if (o->len == l->len && !memcmp(o->s, l->s, l->len))
            return 1;
    }
}

/* main_run: among the kept lines, the run whose paragraph characters most
 * outweigh the other lines' cost (a maximum-sum run, one pass) is the
 * article; kept lines outside it go, but the headline.  Chrome paragraphs
 * (a cookie notice, a comment form, teasers with their summaries) sit
 * apart from the article behind menus and lists of links, which cost. */
#define RUN_HEAD_LINES 3 /* main_run: its headline is among this many lines before it */

static void keep_main_run(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines, start = 0, best_start = 0, best_end = n;
    int64_t sum = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        /* a line removed already (a menu item, a teaser) still parts what
         * it stood between, but only by the fixed cost: rules remove
         * teasers from inside articles too */
        int64_t v = L[i].why ? -b->run_cost
                    : L[i].para ? (int64_t)L[i].len
                                : -((int64_t)L[i].len + b->run_cost);
        if (sum <= 0) {
            sum = v;
            start = i;
        } else
            sum += v;
        if (sum > best) {
            best = sum;
            best_start = start;
            best_end = i;
        }
    }
    if (best_end == n)
        return; /* no paragraph: quality decides */
    /* The run's own headline: of the few lines just before it, the kept one
     * with most words, when trim_lead's was a line before chrome paragraphs. */
    if (b->lead && (b->head == SIZE_MAX || b->head < best_start)) {
        size_t head = SIZE_MAX, most = 0;
        for (size_t i = best_start; i-- > 0 && best_start - i <= RUN_HEAD_LINES;)
            if (!L[i].why && !L[i].para && L[i].words > most) {
                most = L[i].words;
                head = i;
            }
        if (head != SIZE_MAX && (int64_t)most >= b->head_words)
            b->head = head;
    }
    for (size_t i = 0; i < n; i++)
        if (!L[i].why && (i < best_start || i > best_end) && i != b->head)
            L[i].why = "removed:outside_main_run";
}

/* The structural pass over the lines the rules kept. */
static void apply_structure(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines;
    if (b->repeated)
        seen_clear(b);
    for (size_t i = 0; i < n; i++) {
        line *l = &L[i];
        if (l->why)
            continue;
        if (numeric_line(b, l))
            l->why = "removed:numeric_line";
        else if (b->repeated && seen_before(b, i))
            l->why = "removed:repeated_line";
    }
    /* A copy of a line with a source's name appended: the copy goes, whichever comes first. */
    if (b->source_words > 0)
        for (size_t i = 0; i < n && i < SOURCE_MAX_LINES; i++)
            for (size_t j = 0; j < i && !L[i].why; j++) {
                if (L[j].why)
                    continue;
                if (repeats_with_source(b, &L[j], &L[i]))
                    L[i].why = "removed:repeated_with_source";
                else if (repeats_with_source(b, &L[i], &L[j]))
                    L[j].why = "removed:repeated_with_source";
            }
    /* Another story's headline and its time between paragraphs. */
    if (b->teasers) {
        size_t first_para = n;
        for (size_t i = 0; i < n && first_para == n; i++)
            if (!L[i].why && L[i].para)
                first_para = i;
        for (size_t i = first_para + 1; i + 1 < n; i++) {
            line *l = &L[i], *next = &L[i + 1];
            char last = l->len ? l->s[l->len - 1] : '.';
            /* a headline may be a question, and a question of eight words passes for a paragraph */
            if (l->why || (l->para && last != '?') || l->words < 3 || l->words > TEASER_MAX_WORDS ||
                !numeric_line(b, next))
                continue;
            if (last != '.' && last != '!' && !has_inner_sentence_end(l->s, l->len))
                l->why = "removed:story_teaser";
        }
    }
    /* Menus: runs of short lines that do not end like sentences. */
    for (size_t i = 0; i < n;) {
        size_t j = i, run = 0;
        while (j < n && (L[j].why || ((int64_t)L[j].words <= b->menu_words && !ends_sentence(L[j].s, L[j].len)))) {
            run += !L[j].why;
            j++;
        }
        if ((int64_t)run >= b->menu_run)
            for (size_t k = i; k < j; k++)
                if (!L[k].why)
                    L[k].why = "removed:menu";
        i = j > i ? j : i + 1;
    }
    size_t first = n, last = n;
    for (size_t i = 0; i < n; i++)
        if (!L[i].why && L[i].para) {
            if (first == n)
                first = i;
            last = i;
        }
    if (first == n)
        return; /* no paragraph at all: leave the judgement to the quality step */
    if (b->lead) {
        /* Keep one headline: the line with the most words (the first of equals). */
        size_t head = first, most = 0;
        for (size_t i = 0; i < first; i++) {
            if (L[i].why)
                continue;
            if (L[i].words == b->words_cap)
                L[i].words = count_words(L[i].s, L[i].len);
            if (L[i].words > most) {
                most = L[i].words;
                head = i;
            }
        }
        for (size_t i = 0; i < first; i++)
            if (!L[i].why && (i != head || (int64_t)most < b->head_words))
                L[i].why = "removed:lead";
        if (head < first && !L[head].why)
            b->head = head;
    }
    if (b->tail)
        for (size_t i = last + 1; i < n; i++)
            if (!L[i].why)
                L[i].why = "removed:tail";
    if (b->main_run)
        keep_main_run(b);
}

static cv_status bp_process(void *p, cv_doc *doc)
{
    bp *b = p;
    size_t len;
    const char *text = b->host->doc_text(doc, &len);
    split_lines(b, text, len);
    b->head = SIZE_MAX;
    apply_rules(b);
    apply_structure(b);
    b->out.len = 0;
    buf_reserve(&b->out, len);
    /* Removed lines per reason, counted once per document: the report's
     * counters are shared by all workers. */
    struct tally {
        const char *why;
        uint64_t n;
    } tally[16];
    size_t ntally = 0;
    for (size_t i = 0; i < b->nlines; i++) {
        line *l = &b->lines[i];
        if (l->why) {
            size_t t = 0;
            while (t < ntally && tally[t].why != l->why)
                t++;
            if (t == ntally && ntally == sizeof tally / sizeof *tally)
                b->host->count(b->ctx, l->why, 1);
            else if (t == ntally)
                tally[ntally++] = (struct tally){l->why, 1};
            else
                tally[t].n++;
        } else {
            if (b->out.len)
                buf_add(&b->out, "\n\n", 2);
            buf_add(&b->out, l->s, l->len);
        }
    }
    for (size_t t = 0; t < ntally; t++)
        b->host->count(b->ctx, tally[t].why, tally[t].n);
    if (b->head != SIZE_MAX && b->title_key[0]) {
        line *t = &b->lines[b->head];
        char *title = strndup(t->s, t->len);
        b->host->meta_set_string(doc, b->title_key, title);
        free(title);
    }
    if (b->end_key[0] && b->nlines && b->lines[b->nlines - 1].why && b->out.len)
        b->host->meta_set_bool(doc, b->end_key, 1);
    /* Set the text before freeing stripped lines: they may point into them. */
    /* Valid by construction: lines cut at ASCII, matches at character boundaries. */
    b->host->doc_set_text_unchecked(doc, b->out.p, b->out.len);
    for (size_t i = 0; i < b->nlines; i++)
        free(b->lines[i].owned);
    return CV_OK;
}

static const cv_plugin boilerplate = {
    CV_PLUGIN_HEADER,
    .name = "boilerplate",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Removes navigation, teasers, widgets, credits, counters and page chrome by rules and structure",
    .options = options,
    .create = bp_create,
    .destroy = bp_destroy,
    .process = bp_process,
};

CONVERT_PLUGINS(&boilerplate)
