/* tok_encode.c -- text to ids: added tokens, normalizers, pre-tokenizers, BPE.
 *
 * The order is Hugging Face's: the text is cut at the (non-special) added
 * tokens, each part is normalized, cut again at the added tokens matched on
 * normalized text, pre-tokenized into pieces, and each piece is merged by the
 * BPE model.  Pieces are (offset, length) into one work buffer, so the
 * pre-tokenizers that add bytes (a prefix space, a metaspace) append to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "tok_internal.h"
#include "tok_spm.h"
#include "util.h"

typedef struct piece {
    size_t off, len;
    uint32_t id; /* TK_NONE: text still to encode; else an added token */
} piece;

typedef struct plist {
    piece *v;
    size_t n, cap;
} plist;

/* A cache of the ids of recent pieces: words repeat (Zipf), and a hit costs
 * one hash and one memcmp instead of a merge loop over cold tables.
 * Direct-mapped; the arena holds each piece's bytes then its ids, and the
 * whole cache is dropped (a new generation) when the arena fills. */
#define CACHE_SLOTS (1u << 15)
#define CACHE_MAX_PIECE 96
#define CACHE_ARENA (4u << 20)
typedef struct cache_slot {
    uint64_t hash;
    uint32_t off, gen;
    uint16_t len, n;
} cache_slot;

struct tk_encoder {
    const tk_tokenizer *t;
    cache_slot *cache;
    unsigned char *carena;
    size_t carena_len;
    uint32_t gen;
    pcre2_match_data *md;
    char *buf;
    size_t len, cap;
    plist a, b;
    uint32_t *sym, *rank, *merged;
    int32_t *prev, *next;
    uint64_t *heap;
    size_t sym_cap;
};

void tk_ids_push(tk_ids *ids, uint32_t id)
{
    XGROW(ids->v, ids->cap, ids->n + 1);
    ids->v[ids->n++] = id;
}

tk_encoder *tk_encoder_new(const tk_tokenizer *t)
{
    tk_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->t = t;
    e->gen = 1;
    if (!(e->md = pcre2_match_data_create(4, NULL)) || !(e->cache = calloc(CACHE_SLOTS, sizeof *e->cache)) ||
        !(e->carena = malloc(CACHE_ARENA))) {
        tk_encoder_free(e);
        return NULL;
    }
    return e;
}

void tk_encoder_free(tk_encoder *e)
{
    if (!e)
        return;
    pcre2_match_data_free(e->md);
    free(e->cache);
    free(e->carena);
    free(e->buf);
    free(e->a.v);
    free(e->b.v);
    free(e->sym);
    free(e->rank);
    free(e->merged);
    free(e->prev);
    free(e->next);
    free(e->heap);
    free(e);
}

static void push(plist *l, size_t off, size_t len, uint32_t id)
{
    XGROW(l->v, l->cap, l->n + 1);
    l->v[l->n++] = (piece){off, len, id};
}

/* Room for n more bytes in the work buffer. */
static int reserve(tk_encoder *e, size_t n)
{
    if (e->len + n <= e->cap)
        return 0;
    size_t c = e->cap ? e->cap : 4096;
    while (c < e->len + n)
        c *= 2;
    char *b = realloc(e->buf, c);
    if (!b)
        return -1;
    e->buf = b;
    e->cap = c;
    return 0;
}

/* p may point into the buffer itself (a rewrite copies the text it reads):
 * it is held as an offset across the realloc that may move it. */
static int append(tk_encoder *e, const void *p, size_t n)
{
    if (!n)
        return 0;
    uintptr_t c = (uintptr_t)p, b = (uintptr_t)e->buf;
    int inside = e->buf && c >= b && c < b + e->cap;
    size_t at = inside ? c - b : 0;
    if (reserve(e, n))
        return -1;
    memcpy(e->buf + e->len, inside ? e->buf + at : p, n);
    e->len += n;
    return 0;
}

static size_t utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4; }

/* ---- BPE ---------------------------------------------------------------- */

static int grow_sym(tk_encoder *e, size_t n)
{
    if (n <= e->sym_cap)
        return 0;
    size_t c = e->sym_cap ? e->sym_cap : 256;
    while (c < n)
        c *= 2;
    void *p;
#define GROW(f)                                   \
    if (!(p = realloc(e->f, c * sizeof *e->f))) \
        return -1;                                \
    e->f = p;
    GROW(sym) GROW(rank) GROW(merged) GROW(prev) GROW(next) GROW(heap)
#undef GROW
    e->sym_cap = c;
    return 0;
}

static inline uint32_t pair_rank(const tk_tokenizer *t, uint32_t a, uint32_t b, uint32_t *merged)
{
    if (!t->pair_keys)
        return TK_NONE;
    uint64_t k = ((uint64_t)a << 32 | b) + 1;
    for (size_t j = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & t->pair_mask;; j = (j + 1) & t->pair_mask) {
        uint64_t kj = t->pair_keys[j];
        if (kj == k) {
            *merged = (uint32_t)t->pair_vals[j];
            return (uint32_t)(t->pair_vals[j] >> 32);
        }
        if (!kj)
            return TK_NONE;
    }
}

/* Short words: scan for the lowest rank each round (the leftmost of equals). */
static void merge_linear(tk_encoder *e, size_t n, tk_ids *out)
{
    const tk_tokenizer *t = e->t;
    uint32_t *s = e->sym, *r = e->rank, *m = e->merged;
    for (size_t i = 0; i + 1 < n; i++)
        r[i] = pair_rank(t, s[i], s[i + 1], &m[i]);
    while (n > 1) {
        size_t best = 0;
        uint32_t br = TK_NONE;
        for (size_t i = 0; i + 1 < n; i++)
            if (r[i] < br) {
                br = r[i];
                best = i;
            }
        if (br == TK_NONE)
            break;
        s[best] = m[best];
        memmove(s + best + 1, s + best + 2, (n - best - 2) * sizeof *s);
        memmove(r + best + 1, r + best + 2, (n - best - 2) * sizeof *r);
        memmove(m + best + 1, m + best + 2, (n - best - 2) * sizeof *m);
        n--;
        if (best + 1 < n)
            r[best] = pair_rank(t, s[best], s[best + 1], &m[best]);
        if (best > 0)
            r[best - 1] = pair_rank(t, s[best - 1], s[best], &m[best - 1]);
    }
    for (size_t i = 0; i < n; i++)
        tk_ids_push(out, s[i]);
}

static void heap_push(uint64_t *h, size_t *n, uint64_t v)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p] <= v)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = v;
}

static uint64_t heap_pop(uint64_t *h, size_t *n)
{
    uint64_t top = h[0], v = h[--*n];
    size_t i = 0, len = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= len)
            break;
        if (c + 1 < len && h[c + 1] < h[c])
            c++;
        if (v <= h[c])
            break;
        h[i] = h[c];
        i = c;
    }
    if (len)
        h[i] = v;
    return top;
}

/* Long words: a heap of (rank, position) over a linked list of symbols.  An
 * entry is stale when the pair at its position no longer has its rank. */
static void merge_heap(tk_encoder *e, size_t n, tk_ids *out)
{
    const tk_tokenizer *t = e->t;
    uint32_t *s = e->sym, mid;
    int32_t *pv = e->prev, *nx = e->next;
    uint64_t *h = e->heap;
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        pv[i] = (int32_t)i - 1;
        nx[i] = i + 1 < n ? (int32_t)i + 1 : -1;
        uint32_t r;
        if (i + 1 < n && (r = pair_rank(t, s[i], s[i + 1], &mid)) != TK_NONE)
            heap_push(h, &hn, (uint64_t)r << 32 | i);
    }
    while (hn) {
        uint64_t top = heap_pop(h, &hn);
        uint32_t r = (uint32_t)(top >> 32), pos = (uint32_t)top;
        if (s[pos] == TK_NONE || nx[pos] < 0)
            continue;
        int32_t q = nx[pos];
        if (pair_rank(t, s[pos], s[q], &mid) != r)
            continue;
        s[pos] = mid;
        s[q] = TK_NONE;
        nx[pos] = nx[q];
        if (nx[q] >= 0)
            pv[nx[q]] = (int32_t)pos;
        uint32_t r2;
        if (pv[pos] >= 0 && (r2 = pair_rank(t, s[pv[pos]], s[pos], &mid)) != TK_NONE)
            heap_push(h, &hn, (uint64_t)r2 << 32 | (uint32_t)pv[pos]);
        if (nx[pos] >= 0 && (r2 = pair_rank(t, s[pos], s[nx[pos]], &mid)) != TK_NONE)
            heap_push(h, &hn, (uint64_t)r2 << 32 | pos);
    }
    for (int32_t i = 0; i >= 0; i = nx[i])
        tk_ids_push(out, s[i]);
}

static int bpe_piece_uncached(tk_encoder *e, const char *p, size_t len, tk_ids *out);

/* One piece through the model, or its ids from the cache. */
static int bpe_word(tk_encoder *e, const char *p, size_t len, tk_ids *out)
{
    if (len > CACHE_MAX_PIECE)
        return bpe_piece_uncached(e, p, len, out);
    uint64_t h = XXH3_64bits(p, len);
    cache_slot *s = &e->cache[h & (CACHE_SLOTS - 1)];
    if (s->gen == e->gen && s->hash == h && s->len == len && !memcmp(e->carena + s->off, p, len)) {
        if (!s->n)
            return 0;
        XGROW(out->v, out->cap, out->n + s->n);
        memcpy(out->v + out->n, e->carena + s->off + ((len + 3) & ~(size_t)3), s->n * sizeof(uint32_t));
        out->n += s->n;
        return 0;
    }
    size_t before = out->n;
    if (bpe_piece_uncached(e, p, len, out))
        return -1;
    size_t n = out->n - before, need = ((len + 3) & ~(size_t)3) + n * sizeof(uint32_t);
    if (n > 0xffff)
        return 0;
    if (e->carena_len + need > CACHE_ARENA) {
        e->gen++; /* every slot is stale now */
        e->carena_len = 0;
    }
    s->hash = h;
    s->off = (uint32_t)e->carena_len;
    s->gen = e->gen;
    s->len = (uint16_t)len;
    s->n = (uint16_t)n;
    memcpy(e->carena + e->carena_len, p, len);
    if (n)
        memcpy(e->carena + e->carena_len + ((len + 3) & ~(size_t)3), out->v + before, n * sizeof(uint32_t));
    e->carena_len += need;
    return 0;
}

/* A piece longer than a word (a whole text, where the pre-tokenizer splits
 * nothing, as SentencePiece-style tokenizers do) is cut between two known
 * characters that no merge joins: the ids are the same, and each part's
 * merge loop is short and cached, so the cost stays linear in the text. */
static int bpe_piece(tk_encoder *e, const char *p, size_t len, tk_ids *out)
{
    const tk_tokenizer *t = e->t;
    if (len <= CACHE_MAX_PIECE || !t->join_keys || t->ignore_merges)
        return bpe_word(e, p, len, out);
    size_t start = 0;
    uint32_t prev = 0; /* 0: the character before is unknown (its ids may fuse with this one's) */
    for (size_t i = 0; i < len;) {
        size_t cl = utf8_len((unsigned char)p[i]);
        if (cl > len - i)
            cl = len - i;
        uint32_t cur = tk_lookup(t, p + i, cl) != TK_NONE ? tk_char_key(p + i, cl) : 0;
        if (prev && cur && !tk_joins(t, prev, cur)) {
            if (bpe_word(e, p + start, i - start, out))
                return -1;
            start = i;
        }
        prev = cur;
        i += cl;
    }
    return bpe_word(e, p + start, len - start, out);
}

static int bpe_piece_uncached(tk_encoder *e, const char *p, size_t len, tk_ids *out)
{
    const tk_tokenizer *t = e->t;
    if (!len)
        return 0;
    if (t->ignore_merges) {
        uint32_t id = tk_lookup(t, p, len);
        if (id != TK_NONE) {
            tk_ids_push(out, id);
            return 0;
        }
    }
    if (grow_sym(e, len))
        return -1;
    size_t n = 0;
    if (t->byte_level) {
        for (size_t i = 0; i < len; i++)
            e->sym[n++] = t->byte_id[(unsigned char)p[i]];
    } else {
        int last_unk = 0;
        for (size_t i = 0; i < len;) {
            size_t cl = utf8_len((unsigned char)p[i]);
            if (cl > len - i)
                cl = len - i;
            uint32_t id = tk_lookup(t, p + i, cl);
            if (id != TK_NONE) {
                e->sym[n++] = id;
                last_unk = 0;
            } else if (t->byte_fallback) {
                for (size_t k = 0; k < cl; k++)
                    e->sym[n++] = t->fallback_id[(unsigned char)p[i + k]];
                last_unk = 0;
            } else if (t->unk_id != TK_NONE) {
                if (!(t->fuse_unk && last_unk))
                    e->sym[n++] = t->unk_id;
                last_unk = 1;
            }
            i += cl;
        }
    }
    if (n <= 64)
        merge_linear(e, n, out);
    else
        merge_heap(e, n, out);
    return 0;
}

/* ---- added tokens ------------------------------------------------------- */

/* The longest added token (of the given kind) that starts at p, or NULL. */
static const tk_added *added_at(const tk_tokenizer *t, const char *p, size_t left, int normalized)
{
    if (!t->added_first[(unsigned char)*p])
        return NULL;
    for (size_t i = 0; i < t->n_added; i++) { /* longest first */
        const tk_added *a = &t->added[i];
        if (a->normalized == normalized && a->len <= left && !memcmp(a->text, p, a->len))
            return a;
    }
    return NULL;
}

/* Cut [off, off+len) of the buffer at added tokens into pieces of out. */
static void cut_added(tk_encoder *e, size_t off, size_t len, int normalized, int active, plist *out)
{
    size_t start = off, end = off + len;
    if (active)
        for (size_t i = off; i < end;) {
            const tk_added *a = added_at(e->t, e->buf + i, end - i, normalized);
            if (!a) {
                i++;
                continue;
            }
            if (i > start)
                push(out, start, i - start, TK_NONE);
            push(out, i, a->len, a->id);
            i += a->len;
            start = i;
        }
    if (end > start)
        push(out, start, end - start, TK_NONE);
}

/* ---- normalizers -------------------------------------------------------- */

static int is_ws(int32_t c)
{
    return (c >= 9 && c <= 13) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Normalize buf[off, off+len) into a new region at the end of the buffer;
 * noff and nlen get it.  Each normalizer reads the previous one's output. */
static int normalize(tk_encoder *e, size_t off, size_t len, size_t *noff, size_t *nlen)
{
    const tk_tokenizer *t = e->t;
    for (size_t k = 0; k < t->n_norms; k++) {
        const tk_norm *nm = &t->norms[k];
        size_t o = e->len;
        switch (nm->kind) {
        case NM_NFC:
        case NM_NFKC:
        case NM_NFD:
        case NM_NFKD: {
            size_t i = 0;
            while (i < len && !(e->buf[off + i] & 0x80))
                i++;
            if (i == len)
                continue; /* ASCII is its own normal form */
            int opt = UTF8PROC_STABLE | (nm->kind == NM_NFC || nm->kind == NM_NFKC ? UTF8PROC_COMPOSE
                                                                                   : UTF8PROC_DECOMPOSE);
            if (nm->kind == NM_NFKC || nm->kind == NM_NFKD)
                opt |= UTF8PROC_COMPAT;
            utf8proc_uint8_t *res = NULL;
            utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)e->buf + off, (utf8proc_ssize_t)len, &res,
                                              (utf8proc_option_t)opt);
            if (n < 0) /* NUL bytes or the like: keep the text as it is */
                continue;
            int rc = append(e, res, (size_t)n);
            free(res);
            if (rc)
                return -1;
            break;
        }
        case NM_LOWER:
            for (size_t i = 0; i < len;) {
                utf8proc_int32_t c;
                utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)e->buf + off + i,
                                                      (utf8proc_ssize_t)(len - i), &c);
                if (n <= 0)
                    n = 1, c = (unsigned char)e->buf[off + i];
                uint8_t u[8];
                utf8proc_ssize_t w;
                if (c == 0x130) { /* Rust's to_lowercase: 'i' and a combining dot */
                    if (reserve(e, 3))
                        return -1;
                    memcpy(u, "i\xcc\x87", 3);
                    w = 3;
                } else {
                    w = utf8proc_encode_char(utf8proc_tolower(c), u);
                }
                if (append(e, u, (size_t)w))
                    return -1;
                i += (size_t)n;
            }
            break;
        case NM_REPLACE:
            if (nm->re) {
                size_t i = 0;
                while (i <= len) {
                    int rc = pcre2_match(nm->re, (PCRE2_SPTR)e->buf + off, len, i, PCRE2_NO_UTF_CHECK, e->md, NULL);
                    if (rc < 0)
                        break;
                    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
                    size_t s = ov[0], en = ov[1];
                    if (append(e, e->buf + off + i, s - i) || append(e, nm->to, nm->to_len))
                        return -1;
                    if (en == s) {
                        if (s >= len)
                            break;
                        size_t cl = utf8_len((unsigned char)e->buf[off + s]);
                        if (append(e, e->buf + off + s, cl))
                            return -1;
                        en = s + cl;
                    }
                    i = en;
                }
                if (i < len && append(e, e->buf + off + i, len - i))
                    return -1;
            } else {
                size_t i = 0;
                while (i < len) {
                    const char *f = nm->from_len ? memmem(e->buf + off + i, len - i, nm->from, nm->from_len) : NULL;
                    size_t s = f ? (size_t)(f - (e->buf + off)) : len;
                    if (reserve(e, s - i + nm->to_len))
                        return -1;
                    memcpy(e->buf + e->len, e->buf + off + i, s - i);
                    e->len += s - i;
                    if (!f)
                        break;
                    memcpy(e->buf + e->len, nm->to, nm->to_len);
                    e->len += nm->to_len;
                    i = s + nm->from_len;
                }
            }
            break;
        case NM_PREPEND:
            if (!len)
                continue;
            if (reserve(e, nm->to_len + len))
                return -1;
            memcpy(e->buf + e->len, nm->to, nm->to_len);
            memcpy(e->buf + e->len + nm->to_len, e->buf + off, len);
            e->len += nm->to_len + len;
            break;
        case NM_STRIP: {
            size_t s = 0, en = len;
            while (nm->left && s < en) {
                utf8proc_int32_t c;
                utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)e->buf + off + s,
                                                      (utf8proc_ssize_t)(en - s), &c);
                if (n <= 0 || !is_ws(c))
                    break;
                s += (size_t)n;
            }
            while (nm->right && en > s) {
                size_t b = en - 1;
                while (b > s && (e->buf[off + b] & 0xC0) == 0x80)
                    b--;
                utf8proc_int32_t c;
                utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)e->buf + off + b,
                                                      (utf8proc_ssize_t)(en - b), &c);
                if (n <= 0 || !is_ws(c))
                    break;
                en = b;
            }
            off += s;
            len = en - s;
            continue;
        }
        }
        off = o;
        len = e->len - o;
    }
    *noff = off;
    *nlen = len;
    return 0;
}

int tk_normalize_text(tk_encoder *e, const char *text, size_t len, char **out, size_t *out_len)
{
    size_t off, n;
    e->len = 0;
    if (append(e, text, len) || normalize(e, 0, len, &off, &n) || !(*out = malloc(n + 1)))
        return -1;
    memcpy(*out, e->buf + off, n);
    (*out)[n] = 0;
    *out_len = n;
    return 0;
}

/* ---- pre-tokenizers ----------------------------------------------------- */

typedef struct match {
    size_t s, e;
    int m;
} match;

/* Split one piece by a pre-tokenizer's pattern, Hugging Face's way: the
 * matches and the gaps between them, grouped by the behaviour. */
static int split_piece(tk_encoder *e, const tk_pretok *pt, const piece *pc, plist *out)
{
    /* gaps and matches, in order, folded as they come */
    size_t cur_s = 0, cur_e = 0;
    int have = 0, prev_match = 0;
    const char *subj = e->buf + pc->off;
    size_t len = pc->len, pos = 0, gap = 0;
#define EMIT(S, E)                                                               \
    do {                                                                         \
        if ((E) > (S))                                                           \
            push(out, pc->off + (S), (E) - (S), TK_NONE);                        \
    } while (0)
    /* fold one (s, e, is_match) the way the behaviour says: emitted as it
     * is, or (the merging behaviours) extending the current piece or
     * starting the next one */
#define FOLD(S, E, M)                                                            \
    do {                                                                         \
        size_t s_ = (S), e_ = (E);                                               \
        int m_ = (M) ^ pt->invert, extend_ = -1;                                 \
        switch (pt->behavior) {                                                  \
        case SB_REMOVED:                                                         \
            if (!m_)                                                             \
                EMIT(s_, e_);                                                    \
            break;                                                               \
        case SB_ISOLATED:                                                        \
            EMIT(s_, e_);                                                        \
            break;                                                               \
        case SB_MERGED_PREV:                                                     \
            extend_ = have && m_ && !prev_match;                                 \
            break;                                                               \
        case SB_CONTIGUOUS:                                                      \
            extend_ = have && m_ == prev_match;                                  \
            break;                                                               \
        case SB_MERGED_NEXT: /* a match starts the next piece */                 \
            extend_ = have && prev_match && !m_;                                 \
            break;                                                               \
        }                                                                        \
        if (extend_ == 1) {                                                      \
            cur_e = e_;                                                          \
        } else if (extend_ == 0) {                                               \
            if (have)                                                            \
                EMIT(cur_s, cur_e);                                              \
            cur_s = s_, cur_e = e_, have = 1;                                    \
        }                                                                        \
        prev_match = m_;                                                         \
    } while (0)
    if (pt->literal && !pt->literal_len) {
        FOLD(0, len, 0);
    } else
        while (pos <= len) {
            size_t s, en;
            if (pt->re) {
                int rc = pcre2_match(pt->re, (PCRE2_SPTR)subj, len, pos, PCRE2_NO_UTF_CHECK, e->md, NULL);
                if (rc < 0)
                    break;
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
                s = ov[0];
                en = ov[1];
            } else {
                const char *f = pos < len ? memmem(subj + pos, len - pos, pt->literal, pt->literal_len) : NULL;
                if (!f)
                    break;
                s = (size_t)(f - subj);
                en = s + pt->literal_len;
            }
            if (s > gap)
                FOLD(gap, s, 0);
            FOLD(s, en, 1);
            gap = en;
            pos = en;
            if (en == s) {
                if (s >= len)
                    break;
                pos = s + utf8_len((unsigned char)subj[s]);
            }
        }
    if (gap < len)
        FOLD(gap, len, 0);
    if (have)
        EMIT(cur_s, cur_e);
#undef FOLD
#undef EMIT
    return 0;
}

/* Copy piece into the buffer's end with `pre` before it and every `from`
 * replaced by `to`; the new piece goes to out. */
static int rewrite(tk_encoder *e, const piece *pc, const char *pre, size_t pre_len, const char *from, size_t from_len,
                   const char *to, size_t to_len, piece *np)
{
    size_t o = e->len;
    if (append(e, pre, pre_len))
        return -1;
    for (size_t i = 0; i < pc->len;) {
        if (from_len && i + from_len <= pc->len && !memcmp(e->buf + pc->off + i, from, from_len)) {
            if (append(e, to, to_len))
                return -1;
            i += from_len;
        } else {
            if (append(e, e->buf + pc->off + i, 1))
                return -1;
            i++;
        }
    }
    *np = (piece){o, e->len - o, TK_NONE};
    return 0;
}

static int pretokenize(tk_encoder *e, int first_segment)
{
    const tk_tokenizer *t = e->t;
    for (size_t k = 0; k < t->n_pretoks; k++) {
        const tk_pretok *pt = &t->pretoks[k];
        e->b.n = 0;
        for (size_t i = 0; i < e->a.n; i++) {
            piece pc = e->a.v[i];
            if (pc.id != TK_NONE) {
                push(&e->b, pc.off, pc.len, pc.id);
                continue;
            }
            if (pt->kind == PT_BYTELEVEL && pt->add_prefix_space && (pc.len == 0 || e->buf[pc.off] != ' ')) {
                if (rewrite(e, &pc, " ", 1, NULL, 0, NULL, 0, &pc))
                    return -1;
            } else if (pt->kind == PT_METASPACE) {
                int pre = pt->prepend == 2 || (pt->prepend == 1 && first_segment && i == 0);
                piece np;
                if (rewrite(e, &pc, "", 0, " ", 1, pt->repl, pt->repl_len, &np))
                    return -1;
                pc = np;
                if (pre && !(pc.len >= pt->repl_len && !memcmp(e->buf + pc.off, pt->repl, pt->repl_len)))
                    if (rewrite(e, &pc, pt->repl, pt->repl_len, NULL, 0, NULL, 0, &pc))
                        return -1;
                if (pt->split) {
                    tk_pretok sp = {.kind = PT_SPLIT, .literal = (char *)pt->repl, .literal_len = pt->repl_len,
                                    .behavior = SB_MERGED_NEXT};
                    if (split_piece(e, &sp, &pc, &e->b))
                        return -1;
                    continue;
                }
            }
            if (pt->re || pt->literal) {
                if (split_piece(e, pt, &pc, &e->b))
                    return -1;
            } else if (pc.len)
                push(&e->b, pc.off, pc.len, TK_NONE);
        }
        plist tmp = e->a;
        e->a = e->b;
        e->b = tmp;
    }
    return 0;
}

/* One part of the text between raw added tokens: buf[off, off+len). */
static int encode_segment(tk_encoder *e, size_t off, size_t len, int first, tk_ids *out)
{
    const tk_tokenizer *t = e->t;
    if (normalize(e, off, len, &off, &len))
        return -1;
    e->a.n = 0;
    cut_added(e, off, len, 1, t->added_any_normalized, &e->a);
    if (pretokenize(e, first))
        return -1;
    for (size_t i = 0; i < e->a.n; i++) {
        const piece *pc = &e->a.v[i];
        if (pc->id != TK_NONE)
            tk_ids_push(out, pc->id);
        else if (bpe_piece(e, e->buf + pc->off, pc->len, out))
            return -1;
    }
    return 0;
}

int tk_encode(tk_encoder *e, const char *text, size_t len, tk_ids *out)
{
    const tk_tokenizer *t = e->t;
    if (t->spm)
        return tk_spm_encode(t->spm, text, len, out);
    e->len = 0;
    if (append(e, text, len))
        return -1;
    /* the parts between raw added tokens, each encoded on its own */
    plist parts = {0};
    cut_added(e, 0, len, 0, t->added_any_raw, &parts);
    int rc = 0;
    for (size_t i = 0; i < parts.n && !rc; i++) {
        if (parts.v[i].id != TK_NONE)
            tk_ids_push(out, parts.v[i].id);
        else
            rc = encode_segment(e, parts.v[i].off, parts.v[i].len, i == 0, out);
    }
    free(parts.v);
    return rc;
}
