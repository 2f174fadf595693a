/* fold.c -- see fold.h. */
#include "fold.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define FOLD_FLAGS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)

/* A character folds alone when it combines with nothing before it and its
 * fold does not either: then no composition can reach across it, and the
 * fold of a word of such characters is the folds put end to end.  (Every
 * character that composes with the one before it has a combining class,
 * but for some of Indic scripts, Hangul jamo and Balinese: none of them in
 * the blocks the table holds.) */
static int starter(utf8proc_int32_t c)
{
    return (fold_slot((unsigned)c) >= 0 || (c >= FOLD_CJK && c < FOLD_CJK_END)) &&
           utf8proc_get_property(c)->combining_class == 0;
}

/* The fold of c alone into out (at most 6 bytes); 0 when it does not fold alone. */
static int fold_alone(utf8proc_int32_t c, char *o)
{
    if (!starter(c))
        return 0;
    utf8proc_uint8_t in[4], *out = NULL;
    utf8proc_ssize_t n = utf8proc_encode_char(c, in);
    utf8proc_ssize_t m = utf8proc_map(in, n, &out, FOLD_FLAGS);
    int ok = m > 0 && m <= 6;
    for (utf8proc_ssize_t i = 0; ok && i < m;) {
        utf8proc_int32_t f;
        utf8proc_ssize_t k = utf8proc_iterate(out + i, m - i, &f);
        ok = k > 0 && starter(f);
        i += k > 0 ? k : m;
    }
    if (ok)
        memcpy(o, out, (size_t)m);
    free(out);
    return ok ? (int)m : 0;
}

void fold_table_init(fold_table *t)
{
    memset(t, 0, sizeof *t);
    for (utf8proc_int32_t c = 0x80; c < 0x10000; c++) {
        int k = fold_slot((unsigned)c);
        if (k >= 0)
            t->len[k] = (unsigned char)fold_alone(c, t->out[k]);
    }
    t->cjk = 1;
    for (utf8proc_int32_t c = FOLD_CJK; c < FOLD_CJK_END && t->cjk; c++) {
        char o[6];
        t->cjk = fold_alone(c, o) == 3; /* itself */
    }
}

int fold_into(const fold_table *t, const char *s, size_t len, cv_buf *b)
{
    b->len = 0;
    buf_reserve(b, len * 3 + 1); /* a character of two bytes or more folds to at most six */
    char *o = b->p;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            o[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf && i + 1 < len && (u[i + 1] & 0xc0) == 0x80) {
            unsigned cp = (unsigned)(c & 0x1f) << 6 | (u[i + 1] & 0x3f);
            if (t->len[cp]) {
                memcpy(o + k, t->out[cp], t->len[cp]);
                k += t->len[cp];
                i += 2;
                continue;
            }
        } else if ((c & 0xf0) == 0xe0 && i + 2 < len && (u[i + 1] & 0xc0) == 0x80 && (u[i + 2] & 0xc0) == 0x80) {
            unsigned cp = (unsigned)(c & 0x0f) << 12 | (unsigned)(u[i + 1] & 0x3f) << 6 | (u[i + 2] & 0x3f);
            int slot = cp >= 0x800 ? fold_slot(cp) : -1; /* (overlong forms are utf8proc's to refuse) */
            if (slot >= 0 && t->len[slot]) {
                memcpy(o + k, t->out[slot], t->len[slot]);
                k += t->len[slot];
                i += 3;
                continue;
            }
            if (t->cjk && cp >= FOLD_CJK && cp < FOLD_CJK_END) {
                memcpy(o + k, s + i, 3);
                k += 3;
                i += 3;
                continue;
            }
        }
        /* anything else: utf8proc, on the whole word (composition depends on context) */
        utf8proc_uint8_t *out = NULL;
        utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out, FOLD_FLAGS);
        if (m < 0)
            return -1;
        b->len = 0;
        buf_add(b, out, (size_t)m);
        buf_addc(b, '\0');
        b->len--;
        free(out);
        return 0;
    }
    o[k] = '\0';
    b->len = k;
    return 0;
}

/* The bytes up to the first NUL: the words are compared as C strings. */
static uint64_t hash_str(const char *s, size_t *len)
{
    uint64_t h = 1469598103934665603ull;
    size_t i = 0;
    for (; s[i]; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    *len = i;
    return h;
}

static struct stop_key *find(const stop_index *ix, const char *w, uint64_t h)
{
    for (size_t p = h & ix->mask;; p = (p + 1) & ix->mask) {
        uint32_t k = ix->slots[p];
        if (!k)
            return NULL;
        struct stop_key *key = &ix->keys[k - 1];
        if (key->hash == h && !strcmp(key->word, w))
            return key;
    }
}

void stop_index_init(stop_index *ix, char **const *lists, const size_t *n, const size_t *longest, size_t nlists)
{
    memset(ix, 0, sizeof *ix);
    size_t total = 0;
    for (size_t l = 0; l < nlists; l++)
        total += n[l];
    size_t cap = 16;
    while (cap < total * 2)
        cap *= 2;
    ix->mask = cap - 1;
    ix->nlists = nlists;
    ix->slots = calloc(cap, sizeof *ix->slots);
    ix->keys = calloc(total + 1, sizeof *ix->keys);
    ix->hit = calloc(total + 1, sizeof *ix->hit);
    ix->off = calloc(nlists + 1, sizeof *ix->off);
    ix->n = calloc(nlists + 1, sizeof *ix->n);
    ix->longest = calloc(nlists + 1, sizeof *ix->longest);
    ix->found = calloc(nlists + 1, sizeof *ix->found);
    ix->seen = calloc(total + 1, 1);
    if (!ix->slots || !ix->keys || !ix->hit || !ix->off || !ix->n || !ix->longest || !ix->found || !ix->seen)
        abort();
    for (size_t l = 0, off = 0; l < nlists; off += n[l], l++) {
        ix->off[l] = off;
        ix->n[l] = n[l];
        ix->longest[l] = longest[l];
        for (size_t w = 0; w < n[l]; w++) {
            size_t len;
            uint64_t h = hash_str(lists[l][w], &len);
            struct stop_key *key = find(ix, lists[l][w], h);
            if (!key) {
                size_t p = h & ix->mask;
                while (ix->slots[p])
                    p = (p + 1) & ix->mask;
                key = &ix->keys[ix->nkeys++];
                *key = (struct stop_key){lists[l][w], h, -1};
                ix->slots[p] = (uint32_t)ix->nkeys;
            }
            if (key->hits >= 0 && ix->hit[key->hits].list == l)
                continue; /* twice in one list: one word, as a binary search finds it */
            ix->hit[ix->nhit] = (struct stop_hit){(uint32_t)l, (uint32_t)w, key->hits};
            key->hits = (int32_t)ix->nhit++;
        }
    }
}

void stop_index_free(stop_index *ix)
{
    free(ix->slots);
    free(ix->keys);
    free(ix->hit);
    free(ix->off);
    free(ix->n);
    free(ix->longest);
    free(ix->found);
    free(ix->seen);
    buf_free(&ix->fold);
}

size_t stop_index_best(stop_index *ix, const fold_table *t, const char *s, const qword *w, size_t nw, size_t first,
                       size_t last)
{
    if (!ix->nkeys || first >= last)
        return 0;
    size_t cut = 0; /* the longest word worth a look in any list of the range */
    for (size_t l = first; l < last; l++) {
        ix->found[l] = 0;
        memset(ix->seen + ix->off[l], 0, ix->n[l]);
        cut = ix->longest[l] * 2 + 4 > cut ? ix->longest[l] * 2 + 4 : cut;
    }
    for (size_t i = 0; i < nw; i++) {
        if (w[i].len > cut || fold_into(t, s + w[i].off, w[i].len, &ix->fold) < 0)
            continue;
        size_t len;
        struct stop_key *key = find(ix, ix->fold.p, hash_str(ix->fold.p, &len));
        for (int32_t k = key ? key->hits : -1; k >= 0; k = ix->hit[k].next) {
            const struct stop_hit *hh = &ix->hit[k];
            if (hh->list < first || hh->list >= last || w[i].len > ix->longest[hh->list] * 2 + 4)
                continue;
            unsigned char *seen = &ix->seen[ix->off[hh->list] + hh->word];
            ix->found[hh->list] += !*seen;
            *seen = 1;
        }
    }
    size_t best = 0;
    for (size_t l = first; l < last; l++)
        best = ix->found[l] > best ? ix->found[l] : best;
    return best;
}
