/* rules.c -- see rules.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "literals.h"
#include "rules.h"
#include "text.h"
#include "util.h"
#include "yamlfile.h"

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

struct rules {
    const cv_host *host;
    cv_ctx *ctx;
    size_t max_bytes; /* for rules without their own */
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
    char **months; /* the files' months: lists, folded (month_key), sorted */
    size_t nmonths;
};

void rules_free(rules *b)
{
    if (!b)
        return;
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
    for (size_t i = 0; i < b->nmonths; i++)
        free(b->months[i]);
    free(b->months);
    free(b->folded);
    free(b->strips); /* the sets share one allocation */
    pcre2_match_data_free(b->md);
    pcre2_match_context_free(b->mctx);
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
static int check_keys(rules *b, const char *file, const char *name, json_t *r)
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
static int byte_count(rules *b, const char *file, const char *name, const char *key, const char *value, size_t *out)
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
static void add_needles(rules *b, rule *r, const char *pattern)
{
    size_t n;
    int nonletter;
    char **words = lit_needles(pattern, 4, &n, &nonletter); /* four bytes: the scan's key */
    for (size_t i = 0; i < n; i++) {
        b->needles = xrealloc(b->needles, (b->nneedles + 1) * sizeof *b->needles);
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

#define MONTH_MAX_BYTES 64

/* A month's name or a word as the months are kept: folded as the needles
 * are (lit_fold), into out of 2 * MONTH_MAX_BYTES + 5 bytes, NUL-terminated;
 * 0 for none or one longer than any month's name. */
static size_t month_key(const char *s, size_t len, char *out)
{
    size_t n = len && len <= MONTH_MAX_BYTES ? lit_fold(s, len, out) : 0;
    out[n] = '\0';
    return n;
}

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int rules_month(const rules *r, const char *s, size_t len)
{
    char w[2 * MONTH_MAX_BYTES + 5];
    if (!r->nmonths || !month_key(s, len, w))
        return 0;
    const char *key = w;
    return bsearch(&key, r->months, r->nmonths, sizeof *r->months, by_string) != NULL;
}

/* A file's months: list (the names and short forms of the months in its
 * language), added to the others. */
static int load_months(rules *b, const char *file, json_t *list)
{
    size_t i;
    json_t *v;
    if (!json_is_array(list)) {
        b->host->error(b->ctx, "%s: months must be a list of words", file);
        return -1;
    }
    json_array_foreach(list, i, v) {
        const char *m = json_string_value(v);
        char w[2 * MONTH_MAX_BYTES + 5];
        if (!m || !month_key(m, strlen(m), w)) {
            b->host->error(b->ctx, "%s: months: entry %zu is no word of at most %d bytes", file, i + 1,
                           MONTH_MAX_BYTES);
            return -1;
        }
        b->months = xrealloc(b->months, (b->nmonths + 1) * sizeof *b->months);
        b->months[b->nmonths++] = strdup(w);
    }
    return 0;
}

static int load_rules(rules *b, const char *file)
{
    char err[1024];
    json_t *root = yaml_file_load(file, err, sizeof err);
    if (!root) {
        b->host->error(b->ctx, "%s", err);
        return -1;
    }
    json_t *months = json_object_get(root, "months");
    if (months && load_months(b, file, months) < 0) {
        json_decref(root);
        return -1;
    }
    json_t *list = json_object_get(root, "rules");
    if (!list && months) { /* a language with months and no rules yet */
        json_decref(root);
        return 0;
    }
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
            nr.needs = xcalloc(nn + 1, sizeof *nr.needs);
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
            nr.max_bytes = b->max_bytes;
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

static int rule_sets(rules *b)
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

rules *rules_load(const cv_host *h, cv_ctx *ctx, const char *path, size_t max_bytes)
{
    rules *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->host = h;
    b->ctx = ctx;
    b->max_bytes = max_bytes;
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
    if (b->nmonths)
        qsort(b->months, b->nmonths, sizeof *b->months, by_string);
    b->md = pcre2_match_data_create(4, NULL);
    b->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(b->mctx, 1000000);
    pcre2_set_depth_limit(b->mctx, 10000);
    return b;
fail:
    rules_free(b);
    return NULL;
}

size_t rules_count(const rules *b) { return b->nrules; }

const rule *rules_at(const rules *b, size_t k) { return &b->rules[k]; }

/* Can a match of anchored rule r begin with the first character of s?
 * PCRE2 answers: a hard partial match of that one character fails only when
 * no continuation of it could match (pcre2partial(3)), so case folding,
 * classes and optional groups are judged exactly as the full match would. */
static int can_begin(rules *b, const rule *r, const char *s, size_t n)
{
    int rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_PARTIAL_HARD | PCRE2_NO_UTF_CHECK, b->md,
                         b->mctx);
    return rc != PCRE2_ERROR_NOMATCH;
}

/* The rules that may match line s: all but the anchored ones that cannot
 * begin with its first character.  The needle scan narrows it later. */
void rules_line(rules *b, const char *s, size_t len)
{
    size_t n = 0;
    int c = len ? utf8_next(s, &n) : START_CPS;
    int known = c < START_CPS && n <= len; /* beyond the table every anchored rule is tried */
    for (size_t w = 0; w < b->nwords; w++) {
        uint64_t may_begin = b->anchored[w];
        if (known) {
            uint64_t *yes = b->start_yes + (size_t)c * b->nwords + w, *asked = b->start_asked + (size_t)c * b->nwords + w;
            for (uint64_t ask = b->anchored[w] & ~*asked; ask; ask &= ask - 1) {
                int bit = __builtin_ctzll(ask);
                if (can_begin(b, &b->rules[w * 64 + (size_t)bit], s, n))
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
static void mark(rules *b, size_t lo, size_t hi, uint64_t key, const char *f, size_t left)
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
static void scan(rules *b, const char *s, size_t len)
{
    b->scanned = 1;
    if (len > SCAN_MAX_BYTES)
        return; /* every filtered rule stays a candidate */
    memset(b->present, 0, b->nwords * sizeof *b->present);
    /* Two spaces before the folded line and 16 zero bytes after it: the
     * classifier looks two bytes back, and keys and blocks read ahead. */
    if (b->cfolded < 2 * len + 4 + 2 + 16) {
        b->cfolded = 2 * len + 4 + 2 + 16;
        b->folded = xrealloc(b->folded, b->cfolded);
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

static int tried(const rule *r, const char *s, size_t len)
{
    if (r->max_bytes && len > r->max_bytes)
        return 0;
    if (!r->nneeds)
        return 1;
    for (size_t k = 0; k < r->nneeds; k++)
        if (holds(s, len, r->needs[k]))
            return 1;
    return 0;
}

/* The next rule from k on, among those of set, that may match line l; nrules
 * when there is none.  The first filtered rule reached runs the needle scan,
 * which narrows cand, and the search starts again there. */
static size_t next_rule(rules *b, const char *s, size_t len, const uint64_t *set, size_t k)
{
    for (size_t w = k / 64; w < b->nwords; w++) {
        uint64_t bits = b->cand[w] & set[w] & (w == k / 64 ? ~0ull << (k % 64) : ~0ull);
        for (; bits; bits &= bits - 1) {
            size_t r = w * 64 + (size_t)__builtin_ctzll(bits);
            if (!tried(&b->rules[r], s, len))
                continue;
            if (b->rules[r].filtered && !b->scanned) {
                scan(b, s, len);
                return next_rule(b, s, len, set, r);
            }
            return r;
        }
    }
    return b->nrules;
}

int rules_match(rules *b, size_t k, const char *s, size_t len, size_t *start, size_t *end)
{
    const rule *r = &b->rules[k];
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

size_t rules_next(rules *b, const char *s, size_t len, int which, size_t k)
{
    return next_rule(b, s, len, which == RULES_STRIP ? b->strips : b->others, k);
}
