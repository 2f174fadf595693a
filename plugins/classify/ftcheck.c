/* ftcheck.c -- the layout of a fastText model file, checked byte for byte.
 *
 * The file is what fastText's save functions write, in this order, all
 * little-endian: magic and version (int32 each); Args (twelve int32 and a
 * double); the dictionary (sizes, then each entry as a NUL-ended string, an
 * int64 count and a one-byte type; then the pruning index); a bool and the
 * input matrix (dense: int64 rows, int64 cols, floats; quantized: see
 * quant()); a bool and the output matrix.  Nothing may follow. */
#include "ftcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FT_MAGIC 793712314
#define FT_KSUB 256     /* centroids per product quantizer */
#define FT_MAX_SMALL 1000 /* minn, maxn, wordNgrams: real models use under 10 */
#define FT_MAX_COUNT 1000000000000000LL /* 1e15: fastText's "no count yet" in its label tree */

typedef struct cur {
    const unsigned char *p;
    size_t n, at;
    char *err;
    size_t errlen;
} cur;

static int fail(cur *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int take(cur *c, void *out, size_t len, const char *what)
{
    if (c->n - c->at < len)
        return fail(c, "truncated: the file ends inside the %s (byte %zu of %zu)", what, c->at, c->n);
    if (out)
        memcpy(out, c->p + c->at, len);
    c->at += len;
    return 0;
}

static int take_bool(cur *c, int *out, const char *what)
{
    unsigned char b = 0;
    if (take(c, &b, 1, what) < 0)
        return -1;
    if (b > 1)
        return fail(c, "%s flag is %u, not 0 or 1 (byte %zu)", what, b, c->at - 1);
    *out = b;
    return 0;
}

/* skip rows * cols items of size bytes, without overflow */
static int skip_items(cur *c, uint64_t rows, uint64_t cols, size_t size, const char *what)
{
    uint64_t left = c->n - c->at;
    if (cols && rows > left / size / cols)
        return fail(c, "truncated: the %s needs %llu x %llu values, more than the file holds", what,
                    (unsigned long long)rows, (unsigned long long)cols);
    c->at += (size_t)(rows * cols * size);
    return 0;
}

static int dense(cur *c, int64_t *rows, int64_t cols_want, const char *what)
{
    int64_t m = 0, n = 0;
    if (take(c, &m, 8, what) < 0 || take(c, &n, 8, what) < 0)
        return -1;
    if (m < 0 || n != cols_want)
        return fail(c, "the %s is %lld x %lld; the model's dimension is %lld", what, (long long)m, (long long)n,
                    (long long)cols_want);
    *rows = m;
    return skip_items(c, (uint64_t)m, (uint64_t)n, 4, what);
}

/* A product quantizer: dim, nsubq, dsub, lastdsub (int32), dim * 256 floats. */
static int pq(cur *c, int32_t dim_want, int32_t *nsubq_out, const char *what)
{
    int32_t v[4] = {0};
    if (take(c, v, sizeof v, what) < 0)
        return -1;
    int32_t dim = v[0], nsubq = v[1], dsub = v[2], last = v[3];
    if (dim != dim_want || dsub < 1 || dsub > dim)
        return fail(c, "the %s's quantizer has dimension %d, sub-dimension %d; expected dimension %d", what, dim, dsub,
                    dim_want);
    int32_t want_n = (dim + dsub - 1) / dsub, want_last = dim % dsub ? dim % dsub : dsub;
    if (nsubq != want_n || last != want_last)
        return fail(c, "the %s's quantizer has %d sub-quantizers (last %d); its dimensions give %d (last %d)", what,
                    nsubq, last, want_n, want_last);
    *nsubq_out = nsubq;
    return skip_items(c, (uint64_t)dim, FT_KSUB, 4, what);
}

/* qnorm (bool), rows, cols (int64), codesize (int32), the codes, a product
 * quantizer; with qnorm, one norm code per row and a quantizer of dim 1. */
static int quant(cur *c, int64_t *rows, int32_t dim, const char *what)
{
    int qnorm = 0;
    int64_t m = 0, n = 0;
    int32_t codesize = 0, nsubq = 0, one = 0;
    if (take_bool(c, &qnorm, what) < 0 || take(c, &m, 8, what) < 0 || take(c, &n, 8, what) < 0 ||
        take(c, &codesize, 4, what) < 0)
        return -1;
    if (m < 0 || n != dim)
        return fail(c, "the %s is %lld x %lld; the model's dimension is %d", what, (long long)m, (long long)n, dim);
    if (codesize < 0 || skip_items(c, (uint64_t)codesize, 1, 1, what) < 0 || pq(c, dim, &nsubq, what) < 0)
        return codesize < 0 ? fail(c, "the %s has %d codes", what, codesize) : -1;
    if ((int64_t)codesize != m * nsubq)
        return fail(c, "the %s has %d codes for %lld rows of %d", what, codesize, (long long)m, nsubq);
    if (qnorm && (skip_items(c, (uint64_t)m, 1, 1, what) < 0 || pq(c, 1, &one, what) < 0))
        return -1;
    *rows = m;
    return 0;
}

int ftcheck(const unsigned char *p, size_t n, ftcheck_info *info, char *err, size_t errlen)
{
    cur c = {p, n, 0, err, errlen};
    memset(info, 0, sizeof *info);
    int32_t magic = 0, version = 0;
    if (n < 8)
        return fail(&c, "not a fastText model: %zu bytes", n);
    take(&c, &magic, 4, "header");
    take(&c, &version, 4, "header");
    if (magic != FT_MAGIC)
        return fail(&c, "not a fastText model (no fastText signature in its first bytes)");
    if (version != 11 && version != 12)
        return fail(&c, "fastText model format version %d; fastText 0.9.2 reads versions 11 and 12", version);

    /* Args: dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate (int32), t (double) */
    int32_t a[12] = {0};
    if (take(&c, a, sizeof a, "arguments") < 0 || take(&c, NULL, 8, "arguments") < 0)
        return -1;
    int32_t dim = a[0], ngrams = a[5], loss = a[6], model = a[7], bucket = a[8], minn = a[9], maxn = a[10];
    if (model != 3)
        return fail(&c, model == 1 || model == 2 ? "a word-vector model (cbow/skipgram), not a classifier"
                                                 : "unknown model type %d", model);
    if (version == 11)
        maxn = 0; /* as fastText: old classifiers had no character n-grams */
    if (dim < 1 || dim > (1 << 20) || loss < 1 || loss > 4 || bucket < 0 || minn < 0 || maxn < 0 ||
        minn > FT_MAX_SMALL || maxn > FT_MAX_SMALL || ngrams < 1 || ngrams > FT_MAX_SMALL)
        return fail(&c, "implausible arguments: dim %d, loss %d, bucket %d, minn %d, maxn %d, wordNgrams %d", dim, loss,
                    bucket, minn, maxn, ngrams);
    if (bucket == 0 && (maxn > 0 || ngrams > 1))
        return fail(&c, "n-grams (maxn %d, wordNgrams %d) without hash buckets", maxn, ngrams);

    /* Dictionary */
    int32_t size = 0, nwords = 0, nlabels = 0;
    int64_t ntokens = 0, npruned = 0;
    if (take(&c, &size, 4, "dictionary") < 0 || take(&c, &nwords, 4, "dictionary") < 0 ||
        take(&c, &nlabels, 4, "dictionary") < 0 || take(&c, &ntokens, 8, "dictionary") < 0 ||
        take(&c, &npruned, 8, "dictionary") < 0)
        return -1;
    if (nwords < 0 || nlabels < 0 || size != (int64_t)nwords + nlabels || size > (1 << 30))
        return fail(&c, "dictionary of %d entries holds %d words and %d labels", size, nwords, nlabels);
    if (nlabels == 0)
        return fail(&c, "a classifier without labels");
    int64_t last = 0, label_sum = 0;
    for (int32_t i = 0; i < size; i++) {
        const unsigned char *end = memchr(p + c.at, 0, n - c.at);
        if (!end)
            return fail(&c, "truncated: the file ends inside dictionary entry %d of %d", i, size);
        c.at = (size_t)(end - p) + 1;
        int64_t count = 0;
        unsigned char type = 0;
        if (take(&c, &count, 8, "dictionary") < 0 || take(&c, &type, 1, "dictionary") < 0)
            return -1;
        if (count < 0 || type != (i >= nwords))
            return fail(&c, "dictionary entry %d: count %lld, type %u (words come first, then labels)", i,
                        (long long)count, type);
        /* fastText sorts labels by count, most frequent first; its hierarchical softmax builds a
         * Huffman tree that assumes so, with 1e15 as "not built yet": anything else loops forever */
        if (i >= nwords) {
            if ((i > nwords && count > last) || count >= FT_MAX_COUNT - label_sum)
                return fail(&c, "label %d: count %lld out of order or too large", i - nwords, (long long)count);
            label_sum += count;
            last = count;
        }
    }
    if (npruned < -1 || npruned > (int64_t)(n - c.at) / 8)
        return fail(&c, "pruning index of %lld entries", (long long)npruned);
    int32_t max_row = -1; /* the largest input row a pruned model maps an n-gram to */
    for (int64_t i = 0; i < npruned; i++) {
        int32_t pair[2] = {0};
        take(&c, pair, 8, "pruning index");
        if (pair[1] < 0)
            return fail(&c, "pruning index maps to row %d", pair[1]);
        if (pair[1] > max_row)
            max_row = pair[1];
    }

    /* Matrices */
    int quant_in = 0, qout = 0;
    int64_t rows = 0;
    if (take_bool(&c, &quant_in, "input matrix") < 0)
        return -1;
    if (!quant_in && npruned >= 0)
        return fail(&c, "a pruned dictionary with an unquantized matrix (fastText refuses these)");
    if ((quant_in ? quant(&c, &rows, dim, "input matrix") : dense(&c, &rows, dim, "input matrix")) < 0)
        return -1;
    int64_t need = (int64_t)nwords + (npruned >= 0 ? (int64_t)max_row + 1 : bucket);
    if (rows < need)
        return fail(&c, "the input matrix has %lld rows; the dictionary and buckets need %lld", (long long)rows,
                    (long long)need);
    if (take_bool(&c, &qout, "output matrix") < 0)
        return -1;
    if ((quant_in && qout ? quant(&c, &rows, dim, "output matrix") : dense(&c, &rows, dim, "output matrix")) < 0)
        return -1;
    if (rows != nlabels)
        return fail(&c, "the output matrix has %lld rows for %d labels", (long long)rows, nlabels);
    if (c.at != n)
        return fail(&c, "%zu unexpected bytes after the model", n - c.at);
    *info = (ftcheck_info){version, dim, nwords, nlabels, loss, quant_in};
    return 0;
}
