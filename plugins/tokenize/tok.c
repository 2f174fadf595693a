/* tok.c -- the tables of a BPE tokenizer, the tiktoken loader, and encoding.
 *
 * Both formats become one model: ids with their bytes, a hash from bytes to
 * id, and a hash from an adjacent pair of ids to (rank, merged id).  For a
 * tiktoken rank file the pairs are derived (every split of a token into two
 * tokens, ranked by the token), which makes tiktoken's "merge the adjacent
 * pair whose concatenation ranks lowest" the same loop as Hugging Face's
 * "apply the lowest-ranked merge": both take the leftmost of equal ranks. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "tok_internal.h"
#include "tok_spm.h"

int tk_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- tables ------------------------------------------------------------- */

tk_tokenizer *tk_new(const char *name)
{
    tk_tokenizer *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name))) {
        free(t);
        return NULL;
    }
    t->unk_id = TK_NONE;
    for (int i = 0; i < 256; i++)
        t->byte_id[i] = t->fallback_id[i] = TK_NONE;
    return t;
}

int tk_add_token(tk_tokenizer *t, uint32_t id, const char *bytes, size_t len)
{
    if (id >= 0x7fffffffu || len >= 0xffffffffu)
        return -1;
    if (id >= t->n_ids) {
        uint32_t n = t->n_ids ? t->n_ids : 1024;
        while (n <= id)
            n *= 2;
        uint32_t *o = realloc(t->tok_off, (size_t)n * sizeof *o), *l;
        if (!o)
            return -1;
        t->tok_off = o;
        if (!(l = realloc(t->tok_len, (size_t)n * sizeof *l)))
            return -1;
        t->tok_len = l;
        for (uint32_t i = t->n_ids; i < n; i++)
            t->tok_len[i] = TK_NONE;
        t->n_ids = n;
    }
    if (t->arena_len + len + 1 > t->arena_cap) {
        size_t c = t->arena_cap ? t->arena_cap : 1 << 16;
        while (c < t->arena_len + len + 1)
            c *= 2;
        if (c > 0xffffffffu)
            return -1;
        char *a = realloc(t->arena, c);
        if (!a)
            return -1;
        t->arena = a;
        t->arena_cap = c;
    }
    memcpy(t->arena + t->arena_len, bytes, len);
    t->tok_off[id] = (uint32_t)t->arena_len;
    t->tok_len[id] = (uint32_t)len;
    t->arena_len += len;
    return 0;
}

static inline uint64_t bytes_hash(const char *p, size_t n) { return XXH3_64bits(p, n); }

uint32_t tk_lookup(const tk_tokenizer *t, const char *bytes, size_t len)
{
    if (!t->vocab_slots)
        return TK_NONE;
    for (size_t i = bytes_hash(bytes, len) & t->vocab_mask;; i = (i + 1) & t->vocab_mask) {
        uint32_t s = t->vocab_slots[i];
        if (!s)
            return TK_NONE;
        uint32_t id = s - 1;
        if (t->tok_len[id] == len && !memcmp(t->arena + t->tok_off[id], bytes, len))
            return id;
    }
}

/* The hash of every id with bytes; a second id with the same bytes keeps the
 * first (tokenizer.json vocabularies are maps, rank files should not repeat). */
int tk_vocab_index(tk_tokenizer *t)
{
    size_t n = 0;
    for (uint32_t id = 0; id < t->n_ids; id++)
        n += t->tok_len[id] != TK_NONE;
    size_t cap = 1024;
    while (cap < n * 2)
        cap *= 2;
    free(t->vocab_slots);
    if (!(t->vocab_slots = calloc(cap, sizeof *t->vocab_slots)))
        return -1;
    t->vocab_mask = cap - 1;
    for (uint32_t id = 0; id < t->n_ids; id++) {
        if (t->tok_len[id] == TK_NONE)
            continue;
        const char *b = t->arena + t->tok_off[id];
        size_t len = t->tok_len[id], i = bytes_hash(b, len) & t->vocab_mask;
        for (;; i = (i + 1) & t->vocab_mask) {
            uint32_t s = t->vocab_slots[i];
            if (!s) {
                t->vocab_slots[i] = id + 1;
                break;
            }
            if (t->tok_len[s - 1] == len && !memcmp(t->arena + t->tok_off[s - 1], b, len))
                break;
        }
    }
    return 0;
}

static inline uint64_t pair_key(uint32_t a, uint32_t b) { return ((uint64_t)a << 32 | b) + 1; /* 0 = empty */ }
static inline size_t pair_slot(uint64_t k, size_t mask) { return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & mask; }

static int pairs_grow(tk_tokenizer *t)
{
    size_t cap = t->pair_mask ? (t->pair_mask + 1) * 2 : 1 << 16;
    uint64_t *k = calloc(cap, sizeof *k), *v = malloc(cap * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    for (size_t i = 0; t->pair_keys && i <= t->pair_mask; i++) {
        if (!t->pair_keys[i])
            continue;
        size_t j = pair_slot(t->pair_keys[i], cap - 1);
        while (k[j])
            j = (j + 1) & (cap - 1);
        k[j] = t->pair_keys[i];
        v[j] = t->pair_vals[i];
    }
    free(t->pair_keys);
    free(t->pair_vals);
    t->pair_keys = k;
    t->pair_vals = v;
    t->pair_mask = cap - 1;
    return 0;
}

/* A pair seen twice keeps its first (lowest) rank, as both references do. */
int tk_add_pair(tk_tokenizer *t, uint32_t a, uint32_t b, uint32_t rank, uint32_t merged)
{
    if ((t->n_pairs + 1) * 2 > (t->pair_keys ? t->pair_mask + 1 : 0) && pairs_grow(t))
        return -1;
    uint64_t k = pair_key(a, b);
    size_t j = pair_slot(k, t->pair_mask);
    for (; t->pair_keys[j]; j = (j + 1) & t->pair_mask)
        if (t->pair_keys[j] == k)
            return 0;
    t->pair_keys[j] = k;
    t->pair_vals[j] = (uint64_t)rank << 32 | merged;
    t->n_pairs++;
    return 0;
}

uint32_t tk_char_key(const char *p, size_t len)
{
    uint32_t k = 0;
    for (size_t i = 0; i < len && i < 4; i++)
        k = k << 8 | (unsigned char)p[i];
    return k + 1; /* a NUL character too is not 0 */
}

static inline uint64_t join_key(uint32_t l, uint32_t r) { return (uint64_t)l << 32 | r; }

int tk_joins(const tk_tokenizer *t, uint32_t left, uint32_t right)
{
    uint64_t k = join_key(left, right);
    for (size_t j = pair_slot(k, t->join_mask);; j = (j + 1) & t->join_mask) {
        if (t->join_keys[j] == k)
            return 1;
        if (!t->join_keys[j])
            return 0;
    }
}

/* The join table from the merges; without it (out of memory) nothing is cut. */
static void joins_build(tk_tokenizer *t)
{
    size_t cap = 16;
    while (cap < t->n_pairs * 2)
        cap *= 2;
    uint64_t *keys = calloc(cap, sizeof *keys);
    if (!keys)
        return;
    for (size_t i = 0; i <= t->pair_mask; i++) {
        if (!t->pair_keys[i])
            continue;
        uint32_t a = (uint32_t)((t->pair_keys[i] - 1) >> 32), b = (uint32_t)(t->pair_keys[i] - 1);
        if (a >= t->n_ids || b >= t->n_ids || t->tok_len[a] == TK_NONE || t->tok_len[b] == TK_NONE ||
            !t->tok_len[a] || !t->tok_len[b]) {
            free(keys); /* a merge of what has no bytes: cut nowhere */
            return;
        }
        const char *l = t->arena + t->tok_off[a], *r = t->arena + t->tok_off[b];
        size_t ll = t->tok_len[a], s = ll - 1, rl = 1;
        while (s > 0 && ll - s < 4 && ((unsigned char)l[s] & 0xc0) == 0x80)
            s--;
        while (rl < t->tok_len[b] && rl < 4 && ((unsigned char)r[rl] & 0xc0) == 0x80)
            rl++;
        uint64_t k = join_key(tk_char_key(l + s, ll - s), tk_char_key(r, rl));
        size_t j = pair_slot(k, cap - 1);
        while (keys[j] && keys[j] != k)
            j = (j + 1) & (cap - 1);
        keys[j] = k;
    }
    t->join_keys = keys;
    t->join_mask = cap - 1;
}

/* Unicode's White_Space, which is what \s means to Rust's regex engines
 * (tiktoken's fancy-regex) and to the tokenizers library.  PCRE2's \s under
 * UCP also takes U+180E (\p{Z} and \h, as in Unicode before 6.3). */
#define WHITE_SPACE "\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

/* The pattern with \s and \S spelled as White_Space; NULL when \S is
 * inside a class (no way to write it there) or out of memory. */
static char *white_space_pattern(const char *p, size_t len, size_t *out_len)
{
    size_t cap = len * 8 + sizeof WHITE_SPACE * 8 + 16, o = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    int in_class = 0;
    for (size_t i = 0; i < len; i++) {
        if (o + sizeof WHITE_SPACE + 8 > cap) {
            char *n = realloc(out, cap *= 2);
            if (!n) {
                free(out);
                return NULL;
            }
            out = n;
        }
        char c = p[i];
        if (c == '\\' && i + 1 < len) {
            char d = p[i + 1];
            i++;
            if (d == 's' || d == 'S') {
                if (in_class && d == 'S') {
                    free(out);
                    return NULL;
                }
                const char *open = in_class ? "" : d == 's' ? "[" : "[^";
                o += (size_t)sprintf(out + o, "%s%s%s", open, WHITE_SPACE, in_class ? "" : "]");
                continue;
            }
            out[o++] = c;
            out[o++] = d;
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = 1;
            out[o++] = c;
            if (i + 1 < len && p[i + 1] == '^')
                out[o++] = p[++i];
            if (i + 1 < len && p[i + 1] == ']') /* a ']' first is a literal */
                out[o++] = p[++i];
            continue;
        }
        if (c == '[' && in_class && i + 1 < len && p[i + 1] == ':') { /* [:alpha:] */
            const char *e = memchr(p + i + 2, ']', len - i - 2);
            if (e) {
                size_t n = (size_t)(e - (p + i)) + 1;
                memcpy(out + o, p + i, n); /* short: a POSIX class name */
                o += n;
                i += n - 1;
                continue;
            }
        }
        if (c == ']' && in_class)
            in_class = 0;
        out[o++] = c;
    }
    *out_len = o;
    return out;
}

pcre2_code *tk_regex(const char *pattern, size_t len, char *err, size_t errlen, const char *file)
{
    int ec;
    PCRE2_SIZE eo;
    size_t wlen;
    char *ws = white_space_pattern(pattern, len, &wlen);
    if (!ws) {
        tk_set_err(err, errlen, "%s: pre-tokenizer regex: \\S inside a character class is not supported", file);
        return NULL;
    }
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)ws, wlen, PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
    free(ws);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        tk_set_err(err, errlen, "%s: pre-tokenizer regex does not compile at offset %zu: %s", file, (size_t)eo,
                   (char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* without JIT it still matches, slower */
    return re;
}

uint32_t tk_vocab_size(const tk_tokenizer *t) { return t->spm ? tk_spm_size(t->spm) : t->vocab_size; }

static uint32_t count_vocab(const tk_tokenizer *t)
{
    uint32_t n = 0;
    for (uint32_t id = 0; id < t->n_ids; id++)
        if (t->tok_len[id] != TK_NONE)
            n = id + 1;
    for (size_t i = 0; i < t->n_specials; i++)
        if (t->specials[i].id + 1 > n)
            n = t->specials[i].id + 1;
    for (size_t i = 0; i < t->n_added; i++)
        if (t->added[i].id + 1 > n)
            n = t->added[i].id + 1;
    return n;
}

static int added_cmp(const void *a, const void *b)
{
    const tk_added *x = a, *y = b;
    return x->len < y->len ? 1 : x->len > y->len ? -1 : 0; /* longest first */
}

int tk_finish(tk_tokenizer *t, char *err, size_t errlen)
{
    if (tk_vocab_index(t))
        return tk_set_err(err, errlen, "%s: out of memory", t->name);
    for (int b = 0; b < 256; b++) {
        char c = (char)b, fb[8];
        t->byte_id[b] = tk_lookup(t, &c, 1);
        snprintf(fb, sizeof fb, "<0x%02X>", b);
        t->fallback_id[b] = tk_lookup(t, fb, 6);
    }
    if (t->byte_level)
        for (int b = 0; b < 256; b++)
            if (t->byte_id[b] == TK_NONE)
                return tk_set_err(err, errlen, "%s: byte-level vocabulary has no token for byte 0x%02X", t->name, b);
    if (t->byte_fallback)
        for (int b = 0; b < 256; b++)
            if (t->fallback_id[b] == TK_NONE)
                return tk_set_err(err, errlen, "%s: byte_fallback is set but the vocabulary has no <0x%02X>", t->name,
                                  b);
    t->vocab_size = count_vocab(t);
    if (!t->byte_level && t->n_pairs)
        joins_build(t);
    if (t->n_added)
        qsort(t->added, t->n_added, sizeof *t->added, added_cmp);
    for (size_t i = 0; i < t->n_added; i++) {
        t->added_first[(unsigned char)t->added[i].text[0]] = 1;
        if (t->added[i].normalized)
            t->added_any_normalized = 1;
        else
            t->added_any_raw = 1;
    }
    return 0;
}

void tk_free(tk_tokenizer *t)
{
    if (!t)
        return;
    tk_spm_free(t->spm);
    for (size_t i = 0; i < t->n_pretoks; i++) {
        pcre2_code_free(t->pretoks[i].re);
        free(t->pretoks[i].literal);
    }
    for (size_t i = 0; i < t->n_norms; i++) {
        pcre2_code_free(t->norms[i].re);
        free(t->norms[i].from);
        free(t->norms[i].to);
    }
    for (size_t i = 0; i < t->n_added; i++)
        free(t->added[i].text);
    for (size_t i = 0; i < t->n_specials; i++)
        free(t->specials[i].text);
    free(t->pretoks);
    free(t->norms);
    free(t->added);
    free(t->specials);
    free(t->arena);
    free(t->tok_off);
    free(t->tok_len);
    free(t->vocab_slots);
    free(t->pair_keys);
    free(t->pair_vals);
    free(t->join_keys);
    free(t->name);
    free(t);
}

int64_t tk_token_id(const tk_tokenizer *t, const char *token)
{
    if (t->spm)
        return tk_spm_piece_id(t->spm, token);
    size_t len = strlen(token);
    for (size_t i = 0; i < t->n_specials; i++)
        if (t->specials[i].len == len && !memcmp(t->specials[i].text, token, len))
            return t->specials[i].id;
    for (size_t i = 0; i < t->n_added; i++)
        if (t->added[i].len == len && !memcmp(t->added[i].text, token, len))
            return t->added[i].id;
    uint32_t id = tk_lookup(t, token, len);
    return id == TK_NONE ? -1 : (int64_t)id;
}

/* ---- tiktoken rank files ------------------------------------------------ */

/* The OpenAI encodings: pattern and special tokens, by file name. */
static const char R50K_PAT[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const struct openai_enc {
    const char *name, *pattern;
    struct {
        const char *text;
        uint32_t id;
    } specials[6];
} openai_encs[] = {
    {"r50k_base", R50K_PAT, {{"<|endoftext|>", 50256}}},
    {"gpt2", R50K_PAT, {{"<|endoftext|>", 50256}}},
    {"p50k_base", R50K_PAT, {{"<|endoftext|>", 50256}}},
    {"p50k_edit",
     R50K_PAT,
     {{"<|endoftext|>", 50256}, {"<|fim_prefix|>", 50281}, {"<|fim_middle|>", 50282}, {"<|fim_suffix|>", 50283}}},
    {"cl100k_base",
     "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
     "\\s+(?!\\S)|\\s+",
     {{"<|endoftext|>", 100257},
      {"<|fim_prefix|>", 100258},
      {"<|fim_middle|>", 100259},
      {"<|fim_suffix|>", 100260},
      {"<|endofprompt|>", 100276}}},
    {"o200k_base",
     "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)"
     "?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)"
     "?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
     {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}}},
};

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decode base64 (padding optional); -1 on a bad character. */
static long b64_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=')
            break;
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    return (long)o;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static tk_tokenizer *load_tiktoken(const char *data, size_t len, const char *name, const char *pattern, char *err,
                                   size_t errlen)
{
    tk_tokenizer *t = tk_new(name);
    char *tok = NULL;
    if (!t)
        goto oom;
    t->byte_level = 1;
    t->ignore_merges = 1; /* tiktoken looks a piece up whole before merging */
    if (!(tok = malloc(len + 1)))
        goto oom;
    /* Ranks number the file's tokens, one a line: a rank past the line count
     * is a damaged file, and would size the id tables to it (gigabytes). */
    size_t lines = 1;
    for (const char *q = data; (q = memchr(q, '\n', (size_t)(data + len - q))); q++)
        lines++;
    size_t line = 0;
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - data) : len, ll = e;
        line++;
        if (ll > p && data[ll - 1] == '\r')
            ll--;
        if (ll > p) {
            const char *sp = memchr(data + p, ' ', ll - p);
            char *end;
            if (!sp || sp == data + p || sp + 1 >= data + ll) {
                tk_set_err(err, errlen, "%s:%zu: expected 'base64-token rank'", name, line);
                goto fail;
            }
            long n = b64_decode(data + p, (size_t)(sp - (data + p)), tok);
            errno = 0;
            char num[24];
            size_t nl2 = (size_t)(data + ll - (sp + 1));
            if (n < 0 || nl2 >= sizeof num) {
                tk_set_err(err, errlen, "%s:%zu: bad token or rank", name, line);
                goto fail;
            }
            memcpy(num, sp + 1, nl2);
            num[nl2] = 0;
            unsigned long r = strtoul(num, &end, 10);
            if (*end || errno || r >= 0x7fffffffu || !isdigit((unsigned char)num[0])) {
                tk_set_err(err, errlen, "%s:%zu: bad rank '%s'", name, line, num);
                goto fail;
            }
            if (r >= lines) {
                tk_set_err(err, errlen, "%s:%zu: rank %lu past the file's %zu lines (ranks count the tokens from 0)",
                           name, line, r, lines);
                goto fail;
            }
            if (tk_add_token(t, (uint32_t)r, tok, (size_t)n))
                goto oom;
        }
        p = e + 1;
    }
    free(tok);
    tok = NULL;
    if (tk_vocab_index(t))
        goto oom;
    /* Pairs: every split of every token into two tokens. */
    for (uint32_t id = 0; id < t->n_ids; id++) {
        uint32_t l = t->tok_len[id];
        if (l == TK_NONE || l < 2)
            continue;
        const char *b = t->arena + t->tok_off[id];
        for (uint32_t k = 1; k < l; k++) {
            uint32_t a = tk_lookup(t, b, k), c;
            if (a != TK_NONE && (c = tk_lookup(t, b + k, l - k)) != TK_NONE && tk_add_pair(t, a, c, id, id))
                goto oom;
        }
    }
    const struct openai_enc *enc = NULL;
    const char *bn = base_name(name);
    for (size_t i = 0; i < sizeof openai_encs / sizeof *openai_encs; i++) {
        size_t n = strlen(openai_encs[i].name);
        if (!strncmp(bn, openai_encs[i].name, n) && (bn[n] == '.' || bn[n] == 0 || bn[n] == '-' || bn[n] == '_'))
            enc = &openai_encs[i];
    }
    if (!pattern && !enc) {
        tk_set_err(err, errlen,
                   "%s: a tiktoken rank file needs 'pattern:' unless it is named after an OpenAI encoding "
                   "(r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base)",
                   name);
        goto fail;
    }
    if (!(t->pretoks = calloc(1, sizeof *t->pretoks)))
        goto oom;
    t->n_pretoks = 1;
    t->pretoks[0].kind = PT_SPLIT;
    t->pretoks[0].behavior = SB_ISOLATED;
    const char *pat = pattern ? pattern : enc->pattern;
    if (!(t->pretoks[0].re = tk_regex(pat, strlen(pat), err, errlen, name)))
        goto fail;
    if (enc) {
        size_t n = 0;
        while (n < 6 && enc->specials[n].text)
            n++;
        if (!(t->specials = calloc(n ? n : 1, sizeof *t->specials)))
            goto oom;
        for (size_t i = 0; i < n; i++) {
            if (!(t->specials[i].text = strdup(enc->specials[i].text)))
                goto oom;
            t->specials[i].len = strlen(enc->specials[i].text);
            t->specials[i].id = enc->specials[i].id;
            t->specials[i].special = 1;
            t->n_specials++;
        }
    }
    if (tk_finish(t, err, errlen))
        goto fail;
    return t;
oom:
    tk_set_err(err, errlen, "%s: out of memory", name);
fail:
    free(tok);
    tk_free(t);
    return NULL;
}

tk_tokenizer *tk_load_mem(const char *data, size_t len, const char *name, const char *pattern, char *err,
                          size_t errlen)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && data[i] == '{') {
        if (pattern) {
            tk_set_err(err, errlen, "%s: 'pattern:' is for tiktoken rank files; a tokenizer.json has its own", name);
            return NULL;
        }
        return tk_load_hf(data, len, name, err, errlen);
    }
    if (len >= 4 && data[0] == 0x0a && memchr(data, 0, len < 4096 ? len : 4096)) {
        /* a SentencePiece .model: a protobuf whose first field is tag 1 (0x0a), with binary floats */
        if (pattern) {
            tk_set_err(err, errlen, "%s: 'pattern:' is for tiktoken rank files; a SentencePiece .model has its own",
                       name);
            return NULL;
        }
        tk_tokenizer *t = tk_new(name);
        if (!t) {
            tk_set_err(err, errlen, "%s: out of memory", name);
            return NULL;
        }
        if (!(t->spm = tk_spm_load(data, len, name, err, errlen))) {
            tk_free(t);
            return NULL;
        }
        return t;
    }
    return load_tiktoken(data, len, name, pattern, err, errlen);
}

tk_tokenizer *tk_load(const char *path, const char *pattern, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        tk_set_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            char *d = realloc(data, cap);
            if (!d) {
                free(data);
                fclose(f);
                tk_set_err(err, errlen, "%s: out of memory", path);
                return NULL;
            }
            data = d;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        tk_set_err(err, errlen, "%s: read error", path);
        return NULL;
    }
    tk_tokenizer *t = tk_load_mem(data, len, path, pattern, err, errlen);
    free(data);
    return t;
}
