/* ngram.c -- see ngram.h.
 *
 * An n-gram is a polynomial over the 64-bit hashes of its words, so the
 * scan rolls it forward one word at a time (one multiply-add per length
 * looked for), and the index keeps only the mixed 64-bit value and a row
 * number: 12 bytes a slot, at most half full. */
#include "ngram.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "util.h"

#define BASE 0x9E3779B97F4A7C15ull /* odd: every power is odd, nothing cancels */

enum { C_DEL = 0, C_WORD = 1, C_SPACE = 2 };

/* ASCII: letters and digits are words, white space and controls part them,
 * the rest (punctuation, symbols) is deleted. */
static unsigned char ascii_class(int c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return C_WORD;
    if (c < 0x20 || c == ' ' || c == 0x7F)
        return C_SPACE;
    return C_DEL;
}

static int cp_class(int cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return C_WORD;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC:
        return C_SPACE;
    default:
        return C_DEL;
    }
}

uint64_t ng_next_word(const char *s, size_t len, size_t *pos, char **buf, size_t *cap)
{
    size_t i = *pos, n = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        int cls, cp = c;
        size_t next = i + 1;
        if (c < 0x80) {
            cls = ascii_class(c);
            if (cls == C_WORD && c >= 'A' && c <= 'Z')
                cp = c + 32;
        } else {
            next = i;
            cp = utf8_next(s, &next);
            cls = cp_class(cp);
            if (cls == C_WORD)
                cp = utf8proc_tolower(cp);
        }
        i = next;
        if (cls == C_SPACE) {
            if (n)
                break;
        } else if (cls == C_WORD) {
            XGROW(*buf, *cap, n + 4);
            if (cp < 0x80)
                (*buf)[n++] = (char)cp;
            else
                n += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)*buf + n);
        }
    }
    *pos = i;
    if (!n)
        return 0;
    uint64_t h = XXH3_64bits(*buf, n);
    return h ? h : 1;
}

/* The key of a rolling value over k words: mixed (splitmix64's finaliser),
 * with k in it, so a short item never meets an n-gram of another length. */
static uint64_t key_of(uint64_t h, int k)
{
    uint64_t z = h + (uint64_t)k * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z ? z : 1;
}

void ng_init(ng_index *x, int ngram)
{
    *x = (ng_index){.ngram = ngram};
    x->pow[0] = 1;
    for (int k = 1; k <= NG_MAX_N; k++)
        x->pow[k] = x->pow[k - 1] * BASE;
}

void ng_free(ng_index *x)
{
    free(x->filter);
    free(x->keys);
    free(x->rows);
    for (size_t i = 0; i < x->nrows; i++)
        free(x->row[i].snippet);
    free(x->row);
    *x = (ng_index){0};
}

/* 16 bits a key (at most 8 MB): about one window in 16 that is not in the
 * index gets past the filter to the table, whose slots miss the cache. */
void ng_finish(ng_index *x)
{
    size_t bits = 1 << 16;
    int log = 16;
    while (bits < 16 * x->n && log < 26)
        bits <<= 1, log++;
    free(x->filter);
    x->filter = calloc(bits / 64, sizeof *x->filter);
    if (!x->filter)
        abort();
    x->filter_shift = 64 - log;
    for (size_t i = 0; i < x->cap; i++)
        if (x->keys[i]) {
            uint64_t b = x->keys[i] >> x->filter_shift;
            x->filter[b >> 6] |= 1ull << (b & 63);
        }
}

static int64_t lookup(const ng_index *x, uint64_t key)
{
    if (!x->n)
        return -1;
    if (x->filter) {
        uint64_t b = key >> x->filter_shift;
        if (!(x->filter[b >> 6] >> (b & 63) & 1))
            return -1;
    }
    for (size_t i = key & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
        if (x->keys[i] == key)
            return x->rows[i];
        if (!x->keys[i])
            return -1;
    }
}

static void place(uint64_t *keys, uint32_t *rows, size_t cap, uint64_t key, uint32_t row)
{
    size_t i = key & (cap - 1);
    while (keys[i])
        i = (i + 1) & (cap - 1);
    keys[i] = key;
    rows[i] = row;
}

static int insert(ng_index *x, uint64_t key, uint32_t row)
{
    if (lookup(x, key) >= 0)
        return 0; /* the first row that has it names it */
    if ((x->n + 1) * 2 > x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 1024;
        uint64_t *keys = calloc(cap, sizeof *keys);
        uint32_t *rows = malloc(cap * sizeof *rows);
        if (!keys || !rows)
            abort();
        for (size_t i = 0; i < x->cap; i++)
            if (x->keys[i])
                place(keys, rows, cap, x->keys[i], x->rows[i]);
        free(x->keys);
        free(x->rows);
        x->keys = keys;
        x->rows = rows;
        x->cap = cap;
    }
    place(x->keys, x->rows, x->cap, key, row);
    x->n++;
    return 1;
}

static uint64_t poly(const uint64_t *w, size_t k)
{
    uint64_t h = 0;
    for (size_t i = 0; i < k; i++)
        h = h * BASE + w[i];
    return h;
}

size_t ng_add_item(ng_index *x, const uint64_t *words, size_t nwords, uint32_t r)
{
    size_t n = (size_t)x->ngram, added = 0;
    if (nwords == 0)
        return 0;
    if (nwords < n) {
        x->short_lengths |= 1ull << nwords;
        return (size_t)insert(x, key_of(poly(words, nwords), (int)nwords), r);
    }
    for (size_t i = 0; i + n <= nwords; i++)
        added += (size_t)insert(x, key_of(poly(words + i, n), (int)n), r);
    return added;
}

int64_t ng_find(const ng_index *x, const char *s, size_t len, char **buf, size_t *cap)
{
    if (!x->n)
        return -1;
    int lens[NG_MAX_N + 1], nlens = 0;
    for (int k = 1; k < x->ngram; k++)
        if (x->short_lengths >> k & 1)
            lens[nlens++] = k;
    lens[nlens++] = x->ngram;
    uint64_t roll[NG_MAX_N + 1] = {0}, ring[NG_MAX_N];
    size_t pos = 0, count = 0;
    uint64_t w;
    while ((w = ng_next_word(s, len, &pos, buf, cap))) {
        for (int j = 0; j < nlens; j++) {
            int k = lens[j];
            roll[j] = roll[j] * BASE + w;
            if (count >= (size_t)k)
                roll[j] -= ring[(count - (size_t)k) % NG_MAX_N] * x->pow[k];
            if (count + 1 >= (size_t)k) {
                int64_t r = lookup(x, key_of(roll[j], k));
                if (r >= 0)
                    return r;
            }
        }
        ring[count % NG_MAX_N] = w;
        count++;
    }
    return -1;
}

size_t ng_bytes(const ng_index *x)
{
    return x->cap * (sizeof *x->keys + sizeof *x->rows) + (x->filter ? (8u << (64 - x->filter_shift)) / 64 : 0);
}
