/* column.c -- one column chunk decoded: page headers, decompression, the
 * RLE/bit-packed levels and the value encodings.  Every length read from
 * the file is checked against the bytes it claims before it is used. */
#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "convert/plugin.h"
#include "pqread.h"
#include "thrift.h"

#define MAX_PAGE (1u << 30)        /* a page that inflates past 1 GiB is refused, not allocated */
#define MAX_PAGE_VALUES (1u << 26) /* 64M entries: 1 GiB of decoded values */

enum { PAGE_DATA = 0, PAGE_INDEX = 1, PAGE_DICT = 2, PAGE_DATA_V2 = 3 };
enum {
    E_PLAIN = 0, E_PLAIN_DICT = 2, E_RLE = 3, E_BIT_PACKED = 4, E_DELTA_BP = 5, E_DELTA_LEN = 6, E_DELTA_BA = 7,
    E_RLE_DICT = 8, E_BSS = 9
};

const char *pq_codec_name(int codec)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec < 8 ? names[codec] : "an unknown codec";
}

const char *pq_encoding_name(int enc)
{
    static const char *const names[] = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
                                        "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
                                        "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return enc >= 0 && enc < 10 ? names[enc] : "an unknown encoding";
}

typedef struct page {
    int type, enc, def_enc, rep_enc, v2_compressed;
    int32_t usize, csize, nvalues, def_len, rep_len;
} page;

typedef struct dec {
    pq_col *c;
    const pq_node *leaf;
    const pq_chunk *ch;
    cv_buf *err;
    int64_t at; /* the file offset of the page being decoded */
    uint32_t *idx;
    size_t idxcap;
} dec;

static int fail(dec *d, const char *fmt, ...) CV_PRINTF(2, 3);
static int fail(dec *d, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->err->len = 0;
    char where[64];
    snprintf(where, sizeof where, "page at byte %lld: ", (long long)d->at);
    buf_adds(d->err, where);
    buf_adds(d->err, msg);
    buf_addc(d->err, '\0');
    d->err->len--;
    return -1;
}

static void *block(pq_col *c, size_t size)
{
    if (c->nblocks == c->cblocks) {
        size_t n = c->cblocks ? 2 * c->cblocks : 16;
        void **b = realloc(c->blocks, n * sizeof *b);
        if (!b)
            return NULL;
        c->blocks = b;
        c->cblocks = n;
    }
    void *p = malloc(size + 16); /* padding: 8-byte loads near the end stay inside */
    if (p)
        c->blocks[c->nblocks++] = p;
    return p;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* ---- page headers --------------------------------------------------------- */

static void data_header(tr *t, page *pg, int v2)
{
    int16_t last = 0, id;
    int type;
    while (tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == TC_I32)
            pg->nvalues = (int32_t)tr_int(t);
        else if (!v2 && id == 2 && type == TC_I32)
            pg->enc = (int)tr_int(t);
        else if (!v2 && id == 3 && type == TC_I32)
            pg->def_enc = (int)tr_int(t);
        else if (!v2 && id == 4 && type == TC_I32)
            pg->rep_enc = (int)tr_int(t);
        else if (v2 && id == 4 && type == TC_I32)
            pg->enc = (int)tr_int(t);
        else if (v2 && id == 5 && type == TC_I32)
            pg->def_len = (int32_t)tr_int(t);
        else if (v2 && id == 6 && type == TC_I32)
            pg->rep_len = (int32_t)tr_int(t);
        else if (v2 && id == 7 && (type == TC_TRUE || type == TC_FALSE))
            pg->v2_compressed = tr_bool(t, type);
        else
            tr_skip(t, type);
    }
}

static void page_header(tr *t, page *pg)
{
    int16_t last = 0, id;
    int type;
    *pg = (page){.type = -1, .enc = -1, .def_enc = E_RLE, .rep_enc = E_RLE, .v2_compressed = 1, .usize = -1,
                 .csize = -1, .nvalues = -1};
    while (tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == TC_I32)
            pg->type = (int)tr_int(t);
        else if (id == 2 && type == TC_I32)
            pg->usize = (int32_t)tr_int(t);
        else if (id == 3 && type == TC_I32)
            pg->csize = (int32_t)tr_int(t);
        else if ((id == 5 || id == 7 || id == 8) && type == TC_STRUCT)
            data_header(t, pg, id == 8);
        else
            tr_skip(t, type);
    }
}

/* ---- decompression -------------------------------------------------------- */

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* The Hadoop framing of the old LZ4 codec: [raw size][compressed size][block]... */
static int lz4_hadoop(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
    size_t got = 0;
    while (inlen >= 8) {
        uint32_t raw = be32(in), comp = be32(in + 4);
        in += 8;
        inlen -= 8;
        if (comp > inlen || raw > outlen - got)
            return -1;
        int n = LZ4_decompress_safe((const char *)in, (char *)out + got, (int)comp, (int)raw);
        if (n < 0 || (uint32_t)n != raw)
            return -1;
        got += raw;
        in += comp;
        inlen -= comp;
    }
    return inlen == 0 && got == outlen ? 0 : -1;
}

static int inflate_all(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)inlen;
    z.next_out = out;
    z.avail_out = (uInt)outlen;
    int rc;
    while ((rc = inflate(&z, Z_FINISH)) == Z_STREAM_END && z.avail_in > 0 && z.avail_out > 0)
        inflateReset(&z); /* concatenated gzip members */
    size_t got = outlen - z.avail_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END && got == outlen ? 0 : -1;
}

/* The page's bytes [in, in+inlen) inflated to exactly outlen bytes, in a block. */
static const uint8_t *decompress(dec *d, const uint8_t *in, size_t inlen, size_t outlen)
{
    int codec = d->ch->codec;
    if (codec == 0) {
        if (inlen != outlen) {
            fail(d, "uncompressed page of %zu bytes says %zu", inlen, outlen);
            return NULL;
        }
        return in;
    }
    if (outlen > MAX_PAGE) {
        fail(d, "a page of %zu bytes uncompressed is more than this reader allows", outlen);
        return NULL;
    }
    uint8_t *out = block(d->c, outlen);
    if (!out) {
        fail(d, "out of memory");
        return NULL;
    }
    int ok = 0;
    size_t n;
    switch (codec) {
    case 1:
        ok = snappy_uncompressed_length((const char *)in, inlen, &n) == SNAPPY_OK && n == outlen &&
             snappy_uncompress((const char *)in, inlen, (char *)out, &n) == SNAPPY_OK && n == outlen;
        break;
    case 2:
        ok = inflate_all(in, inlen, out, outlen) == 0;
        break;
    case 4:
        n = outlen;
        ok = BrotliDecoderDecompress(inlen, in, &n, out) == BROTLI_DECODER_RESULT_SUCCESS && n == outlen;
        break;
    case 5:
        ok = lz4_hadoop(in, inlen, out, outlen) == 0 ||
             (inlen <= INT32_MAX && LZ4_decompress_safe((const char *)in, (char *)out, (int)inlen, (int)outlen) ==
                                        (int)outlen);
        break;
    case 6:
        n = ZSTD_decompress(out, outlen, in, inlen);
        ok = !ZSTD_isError(n) && n == outlen;
        break;
    case 7:
        ok = inlen <= INT32_MAX && LZ4_decompress_safe((const char *)in, (char *)out, (int)inlen, (int)outlen) ==
                                       (int)outlen;
        break;
    default:
        fail(d, "compression %s is not supported", pq_codec_name(codec));
        return NULL;
    }
    if (!ok) {
        fail(d, "%s data that does not decompress to the %zu bytes its header says", pq_codec_name(codec), outlen);
        return NULL;
    }
    return out;
}

/* ---- the RLE / bit-packed hybrid ------------------------------------------ */

static inline uint64_t load64(const uint8_t *p, const uint8_t *end)
{
    uint64_t v = 0;
    if (end - p >= 8) {
        memcpy(&v, p, 8);
        return v; /* little-endian hosts; Parquet is little-endian */
    }
    for (int i = 0; p + i < end; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* count values of bw bits (0..32) into out.  0, or -1 when the runs end first. */
static int hybrid(const uint8_t *p, const uint8_t *end, int bw, size_t count, uint32_t *out)
{
    size_t got = 0;
    uint32_t mask = bw >= 32 ? 0xFFFFFFFFu : (1u << bw) - 1;
    size_t vbytes = ((size_t)bw + 7) / 8;
    tr t;
    while (got < count) {
        tr_init(&t, p, (size_t)(end - p));
        uint64_t h = tr_varint(&t);
        if (t.err)
            return -1;
        p = t.p;
        if (h & 1) { /* bit-packed: (h >> 1) groups of 8 */
            uint64_t n = (h >> 1) * 8;
            if (n == 0 || (h >> 1) > (uint64_t)(end - p) + 1)
                return -1;
            size_t bits_avail = (size_t)(end - p) * 8;
            size_t take = n < count - got ? (size_t)n : count - got;
            if (bw && take * (size_t)bw > bits_avail)
                return -1;
            for (size_t i = 0; i < take; i++) {
                size_t bit = i * (size_t)bw;
                out[got + i] = bw ? (uint32_t)(load64(p + bit / 8, end) >> (bit % 8)) & mask : 0;
            }
            got += take;
            size_t bytes = (size_t)n * (size_t)bw / 8;
            p += bytes < (size_t)(end - p) ? bytes : (size_t)(end - p);
        } else { /* a run of one value */
            uint64_t n = h >> 1;
            if ((size_t)(end - p) < vbytes)
                return -1;
            uint32_t v = 0;
            for (size_t i = 0; i < vbytes; i++)
                v |= (uint32_t)p[i] << (8 * i);
            p += vbytes;
            v &= mask;
            size_t take = n < count - got ? (size_t)n : count - got;
            for (size_t i = 0; i < take; i++)
                out[got + i] = v;
            got += take;
            if (n == 0)
                return -1; /* a run of nothing: no writer does this; a loop that never ends would */
        }
    }
    return 0;
}

static int bit_width(int max)
{
    int w = 0;
    while (max >> w)
        w++;
    return w;
}

static uint32_t *idx_room(dec *d, size_t n)
{
    if (grow((void **)&d->idx, &d->idxcap, n + 8, sizeof *d->idx) < 0)
        return NULL;
    return d->idx;
}

/* Levels of a v1 page (4-byte length first) or v2 (length given). */
static int levels(dec *d, const uint8_t **p, const uint8_t *end, int max, int enc, int32_t v2len, uint8_t *out,
                  size_t n, const char *what)
{
    if (max == 0)
        return 0;
    if (enc != E_RLE)
        return fail(d, "%s levels in %s are not supported", what, pq_encoding_name(enc));
    size_t len;
    if (v2len >= 0) {
        len = (size_t)v2len;
    } else {
        if (end - *p < 4)
            return fail(d, "%s levels past the end of the page", what);
        len = (size_t)(*p)[0] | (size_t)(*p)[1] << 8 | (size_t)(*p)[2] << 16 | (size_t)(*p)[3] << 24;
        *p += 4;
    }
    if (len > (size_t)(end - *p))
        return fail(d, "%s levels of %zu bytes past the end of the page", what, len);
    uint32_t *tmp = idx_room(d, n);
    if (!tmp)
        return fail(d, "out of memory");
    if (hybrid(*p, *p + len, bit_width(max), n, tmp) < 0)
        return fail(d, "%s levels that end before the page's %zu values", what, n);
    for (size_t i = 0; i < n; i++) {
        if (tmp[i] > (uint32_t)max)
            return fail(d, "a %s level of %u, past the column's %d", what, tmp[i], max);
        out[i] = (uint8_t)tmp[i];
    }
    *p += len;
    return 0;
}

/* ---- values --------------------------------------------------------------- */

static int64_t int96_nanos(const uint8_t *p)
{
    uint64_t nanos;
    uint32_t day;
    memcpy(&nanos, p, 8);
    memcpy(&day, p + 8, 4);
    return ((int64_t)day - 2440588) * 86400000000000LL + (int64_t)nanos;
}

static int fixed_width(const pq_node *leaf)
{
    switch (leaf->type) {
    case PT_INT32:
    case PT_FLOAT:
        return 4;
    case PT_INT64:
    case PT_DOUBLE:
        return 8;
    case PT_INT96:
        return 12;
    case PT_FIXED:
        return leaf->type_length;
    }
    return 0;
}

/* One fixed-width value from its little-endian bytes. */
static pq_val fixed_val(const pq_node *leaf, const uint8_t *p)
{
    pq_val v = {0};
    int32_t i32;
    float f;
    switch (leaf->type) {
    case PT_INT32:
        memcpy(&i32, p, 4);
        v.i = i32;
        break;
    case PT_INT64:
        memcpy(&v.i, p, 8);
        break;
    case PT_FLOAT:
        memcpy(&f, p, 4);
        v.d = f;
        break;
    case PT_DOUBLE:
        memcpy(&v.d, p, 8);
        break;
    case PT_INT96:
        v.i = int96_nanos(p);
        break;
    default:
        v.s.p = (const char *)p;
        v.s.len = (uint32_t)leaf->type_length;
    }
    return v;
}

static int plain(dec *d, const uint8_t *p, const uint8_t *end, size_t n, pq_val *out)
{
    const pq_node *leaf = d->leaf;
    if (leaf->type == PT_BOOLEAN) {
        if ((size_t)(end - p) < (n + 7) / 8)
            return fail(d, "PLAIN booleans past the end of the page");
        for (size_t i = 0; i < n; i++)
            out[i].i = (p[i / 8] >> (i % 8)) & 1;
        return 0;
    }
    if (leaf->type == PT_BYTE_ARRAY) {
        for (size_t i = 0; i < n; i++) {
            if (end - p < 4)
                return fail(d, "PLAIN value %zu of %zu past the end of the page", i, n);
            uint32_t len;
            memcpy(&len, p, 4);
            p += 4;
            if (len > (size_t)(end - p))
                return fail(d, "PLAIN value %zu of %u bytes past the end of the page", i, len);
            out[i].s.p = (const char *)p;
            out[i].s.len = len;
            p += len;
        }
        return 0;
    }
    size_t w = (size_t)fixed_width(leaf);
    if (n > (size_t)(end - p) / w)
        return fail(d, "PLAIN values past the end of the page (%zu of %zu bytes)", n, w);
    for (size_t i = 0; i < n; i++)
        out[i] = fixed_val(leaf, p + i * w);
    return 0;
}

/* DELTA_BINARY_PACKED: exactly n values into out (as int64); *pp moves past them. */
static int delta_bp(dec *d, const uint8_t **pp, const uint8_t *end, size_t n, int64_t *out)
{
    tr t;
    tr_init(&t, *pp, (size_t)(end - *pp));
    uint64_t block = tr_varint(&t), minis = tr_varint(&t), count = tr_varint(&t);
    int64_t first = tr_int(&t);
    if (t.err || block == 0 || block % 128 || minis == 0 || block % minis || (block / minis) % 32 ||
        block > (1u << 20))
        return fail(d, "a DELTA_BINARY_PACKED header that makes no sense");
    if (count != n)
        return fail(d, "DELTA_BINARY_PACKED holds %llu values, the page needs %zu", (unsigned long long)count, n);
    size_t per_mini = (size_t)(block / minis), got = 0;
    uint64_t v = (uint64_t)first;
    if (n > 0)
        out[got++] = first;
    const uint8_t *p = t.p;
    while (got < count) {
        tr_init(&t, p, (size_t)(end - p));
        uint64_t min_delta = (uint64_t)tr_int(&t);
        if (t.err || (size_t)(end - t.p) < minis)
            return fail(d, "a DELTA_BINARY_PACKED block past the end of the page");
        const uint8_t *widths = t.p;
        p = t.p + minis;
        for (size_t m = 0; m < minis && got < count; m++) {
            int bw = widths[m];
            if (bw > 64)
                return fail(d, "a DELTA_BINARY_PACKED bit width of %d", bw);
            size_t bytes = per_mini * (size_t)bw / 8;
            if (bytes > (size_t)(end - p))
                return fail(d, "a DELTA_BINARY_PACKED miniblock past the end of the page");
            for (size_t i = 0; i < per_mini && got < count; i++) {
                uint64_t delta = 0;
                if (bw) {
                    size_t bit = i * (size_t)bw;
                    const uint8_t *q = p + bit / 8;
                    int sh = (int)(bit % 8);
                    delta = load64(q, p + bytes) >> sh;
                    if (bw + sh > 64)
                        delta |= (uint64_t)q[8] << (64 - sh);
                    if (bw < 64)
                        delta &= ((uint64_t)1 << bw) - 1;
                }
                v += min_delta + delta;
                if (got < n)
                    out[got] = (int64_t)v;
                got++;
            }
            p += bytes;
        }
    }
    *pp = p;
    return 0;
}

static int64_t *i64_room(dec *d, size_t n)
{
    /* The index buffer reused as int64s: two uint32 per value. */
    uint32_t *r = idx_room(d, 2 * n + 2);
    return (int64_t *)(void *)r;
}

/* DELTA_LENGTH_BYTE_ARRAY, also the suffixes of DELTA_BYTE_ARRAY. */
static int delta_lengths(dec *d, const uint8_t **p, const uint8_t *end, size_t n, pq_val *out)
{
    int64_t *lens = i64_room(d, n);
    if (!lens)
        return fail(d, "out of memory");
    if (delta_bp(d, p, end, n, lens) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] < 0 || (uint64_t)lens[i] > (uint64_t)(end - *p))
            return fail(d, "DELTA_LENGTH_BYTE_ARRAY value %zu past the end of the page", i);
        out[i].s.p = (const char *)*p;
        out[i].s.len = (uint32_t)lens[i];
        *p += lens[i];
    }
    return 0;
}

static int delta_byte_array(dec *d, const uint8_t *p, const uint8_t *end, size_t n, pq_val *out)
{
    if (d->leaf->type != PT_BYTE_ARRAY && d->leaf->type != PT_FIXED)
        return fail(d, "DELTA_BYTE_ARRAY on a column that is not BYTE_ARRAY");
    int64_t *pre = i64_room(d, n);
    if (!pre)
        return fail(d, "out of memory");
    if (delta_bp(d, &p, end, n, pre) < 0)
        return -1;
    int64_t *prefix = malloc((n + 1) * sizeof *prefix);
    if (!prefix)
        return fail(d, "out of memory");
    memcpy(prefix, pre, n * sizeof *prefix);
    int type = d->leaf->type;
    int rc = delta_lengths(d, &p, end, n, out);
    uint64_t size = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (prefix[i] < 0 || (i == 0 && prefix[i] > 0))
            rc = fail(d, "a DELTA_BYTE_ARRAY prefix before any value");
        size += (uint64_t)prefix[i] + out[i].s.len;
    }
    if (rc == 0 && size > MAX_PAGE)
        rc = fail(d, "DELTA_BYTE_ARRAY values of more than 1 GiB");
    char *mem = rc == 0 ? block(d->c, (size_t)size) : NULL;
    if (rc == 0 && !mem)
        rc = fail(d, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t plen = (size_t)prefix[i];
        if (i > 0 && plen > out[i - 1].s.len) {
            rc = fail(d, "a DELTA_BYTE_ARRAY prefix longer than the value before");
            break;
        }
        if (plen)
            memcpy(mem, out[i - 1].s.p, plen);
        memcpy(mem + plen, out[i].s.p, out[i].s.len);
        out[i].s.p = mem;
        out[i].s.len = (uint32_t)(plen + out[i].s.len);
        mem += out[i].s.len;
        if (type == PT_FIXED && out[i].s.len != (uint32_t)d->leaf->type_length)
            rc = fail(d, "a DELTA_BYTE_ARRAY value that is not the column's fixed length");
    }
    free(prefix);
    return rc;
}

static int byte_stream_split(dec *d, const uint8_t *p, const uint8_t *end, size_t n, pq_val *out)
{
    size_t w = (size_t)fixed_width(d->leaf);
    if (w == 0 || d->leaf->type == PT_INT96)
        return fail(d, "BYTE_STREAM_SPLIT on a column that is not of a fixed width");
    if (n > (size_t)(end - p) / w)
        return fail(d, "BYTE_STREAM_SPLIT values past the end of the page");
    uint8_t *tmp = d->leaf->type == PT_FIXED ? block(d->c, n * w) : (uint8_t *)idx_room(d, (n * w) / 4 + 2);
    if (!tmp)
        return fail(d, "out of memory");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < w; k++)
            tmp[i * w + k] = p[k * n + i];
    for (size_t i = 0; i < n; i++)
        out[i] = fixed_val(d->leaf, tmp + i * w);
    return 0;
}

static int dictionary(dec *d, const uint8_t *p, const uint8_t *end, size_t n, pq_val *out)
{
    if (!d->c->dict)
        return fail(d, "dictionary-encoded values without a dictionary page");
    if (p >= end)
        return n ? fail(d, "dictionary indexes past the end of the page") : 0;
    int bw = *p++;
    if (bw > 32)
        return fail(d, "a dictionary index width of %d bits", bw);
    uint32_t *ix = idx_room(d, n);
    if (!ix)
        return fail(d, "out of memory");
    if (hybrid(p, end, bw, n, ix) < 0)
        return fail(d, "dictionary indexes that end before the page's %zu values", n);
    for (size_t i = 0; i < n; i++) {
        if (ix[i] >= d->c->ndict)
            return fail(d, "dictionary index %u past the dictionary's %zu values", ix[i], d->c->ndict);
        out[i] = d->c->dict[ix[i]];
    }
    return 0;
}

static int values(dec *d, int enc, const uint8_t *p, const uint8_t *end, size_t n, pq_val *out)
{
    switch (enc) {
    case E_PLAIN:
        return plain(d, p, end, n, out);
    case E_PLAIN_DICT:
    case E_RLE_DICT:
        return dictionary(d, p, end, n, out);
    case E_RLE:
        if (d->leaf->type == PT_BOOLEAN) {
            if (end - p < 4)
                return fail(d, "RLE booleans past the end of the page");
            uint32_t len;
            memcpy(&len, p, 4);
            p += 4;
            if (len > (size_t)(end - p))
                return fail(d, "RLE booleans past the end of the page");
            uint32_t *ix = idx_room(d, n);
            if (!ix || hybrid(p, p + len, 1, n, ix) < 0)
                return fail(d, "RLE booleans that end before the page's %zu values", n);
            for (size_t i = 0; i < n; i++)
                out[i].i = ix[i];
            return 0;
        }
        break;
    case E_DELTA_BP:
        if (d->leaf->type == PT_INT32 || d->leaf->type == PT_INT64) {
            int64_t *v = i64_room(d, n);
            if (!v || delta_bp(d, &p, end, n, v) < 0)
                return v ? -1 : fail(d, "out of memory");
            for (size_t i = 0; i < n; i++)
                out[i].i = d->leaf->type == PT_INT32 ? (int32_t)(uint32_t)(uint64_t)v[i] : v[i];
            return 0;
        }
        break;
    case E_DELTA_LEN:
        if (d->leaf->type == PT_BYTE_ARRAY)
            return delta_lengths(d, &p, end, n, out);
        break;
    case E_DELTA_BA:
        return delta_byte_array(d, p, end, n, out);
    case E_BSS:
        return byte_stream_split(d, p, end, n, out);
    }
    return fail(d, "encoding %s is not supported for this column's type", pq_encoding_name(enc));
}

/* ---- pages ---------------------------------------------------------------- */

static int dict_page(dec *d, const page *pg, const uint8_t *data, size_t len)
{
    pq_col *c = d->c;
    if (c->dict)
        return fail(d, "a second dictionary page");
    if (pg->enc != E_PLAIN && pg->enc != E_PLAIN_DICT)
        return fail(d, "a dictionary in %s is not supported", pq_encoding_name(pg->enc));
    if (pg->nvalues < 0 || (size_t)pg->nvalues > len * 8 + 8)
        return fail(d, "a dictionary of %d values in %zu bytes", pg->nvalues, len);
    c->ndict = (size_t)pg->nvalues;
    c->dict = malloc((c->ndict + 1) * sizeof *c->dict);
    if (!c->dict)
        return fail(d, "out of memory");
    return plain(d, data, data + len, c->ndict, c->dict);
}

static int data_page(dec *d, const page *pg, const uint8_t *raw, size_t rawlen)
{
    pq_col *c = d->c;
    const pq_node *leaf = d->leaf;
    int v2 = pg->type == PAGE_DATA_V2;
    if (pg->nvalues < 0)
        return fail(d, "a data page without its number of values");
    size_t n = (size_t)pg->nvalues;
    /* One run header can give any number of levels, so a few bytes could ask
     * for gigabytes: no writer puts 64M values in one page. */
    if (n > MAX_PAGE_VALUES)
        return fail(d, "a page of %zu values is more than this reader allows", n);
    if (c->n + n > (size_t)d->ch->num_values)
        return fail(d, "pages with more values than the column chunk's %lld", (long long)d->ch->num_values);
    const uint8_t *p, *end;
    if (v2) {
        if (pg->def_len < 0 || pg->rep_len < 0 || (size_t)pg->def_len + (size_t)pg->rep_len > rawlen ||
            (size_t)pg->def_len + (size_t)pg->rep_len > (size_t)pg->usize)
            return fail(d, "level lengths past the end of the page");
        size_t lv = (size_t)pg->def_len + (size_t)pg->rep_len;
        const uint8_t *vals = raw + lv;
        size_t vlen = rawlen - lv, ulen = (size_t)pg->usize - lv;
        if (pg->v2_compressed && d->ch->codec != 0)
            vals = decompress(d, vals, vlen, ulen);
        else if (vlen != ulen)
            return fail(d, "uncompressed values of %zu bytes, the header says %zu", vlen, ulen);
        if (!vals)
            return -1;
        p = raw;
        end = raw + lv;
        if (grow((void **)&c->def, &c->cap, c->n + n, 1) < 0 ||
            (leaf->max_rep && grow((void **)&c->rep, &c->rcap, c->n + n, 1) < 0))
            return fail(d, "out of memory");
        if (levels(d, &p, raw + pg->rep_len, leaf->max_rep, E_RLE, pg->rep_len, c->rep ? c->rep + c->n : NULL, n,
                   "repetition") < 0 ||
            levels(d, &p, end, leaf->max_def, E_RLE, pg->def_len, c->def ? c->def + c->n : NULL, n, "definition") < 0)
            return -1;
        p = vals;
        end = vals + ulen;
    } else {
        p = decompress(d, raw, rawlen, (size_t)pg->usize);
        if (!p)
            return -1;
        end = p + pg->usize;
        if (grow((void **)&c->def, &c->cap, c->n + n, 1) < 0 ||
            (leaf->max_rep && grow((void **)&c->rep, &c->rcap, c->n + n, 1) < 0))
            return fail(d, "out of memory");
        if (levels(d, &p, end, leaf->max_rep, pg->rep_enc, -1, c->rep ? c->rep + c->n : NULL, n, "repetition") < 0 ||
            levels(d, &p, end, leaf->max_def, pg->def_enc, -1, c->def ? c->def + c->n : NULL, n, "definition") < 0)
            return -1;
    }
    if (leaf->max_rep && c->n == 0 && n > 0 && c->rep[0] != 0)
        return fail(d, "the column chunk starts in the middle of a row");
    size_t nv = n;
    if (leaf->max_def) {
        nv = 0;
        for (size_t i = 0; i < n; i++)
            nv += c->def[c->n + i] == leaf->max_def;
    }
    if (grow((void **)&c->vals, &c->vcap, c->nvals + nv + 1, sizeof *c->vals) < 0)
        return fail(d, "out of memory");
    if (values(d, pg->enc, p, end, nv, c->vals + c->nvals) < 0)
        return -1;
    c->n += n;
    c->nvals += nv;
    return 0;
}

int pq_col_read(pq_col *c, void *chunk, size_t len, const pq_node *leaf, const pq_chunk *ch, cv_buf *err)
{
    pq_col_reset(c);
    if (!block(c, 0)) {
        free(chunk);
        return -1;
    }
    free(c->blocks[c->nblocks - 1]);
    c->blocks[c->nblocks - 1] = chunk;
    dec d = {.c = c, .leaf = leaf, .ch = ch, .err = err, .at = ch->start};
    const uint8_t *p = chunk, *end = p + len;
    int rc = 0;
    if (leaf->max_def == 0 && grow((void **)&c->def, &c->cap, 1, 1) < 0)
        rc = fail(&d, "out of memory");
    while (rc == 0 && c->n < (size_t)ch->num_values) {
        d.at = ch->start + (p - (const uint8_t *)chunk);
        if (p >= end) {
            rc = fail(&d, "the column chunk ends after %zu of its %lld values", c->n, (long long)ch->num_values);
            break;
        }
        tr t;
        tr_init(&t, p, (size_t)(end - p));
        page pg;
        page_header(&t, &pg);
        if (t.err) {
            rc = fail(&d, "a page header that runs past the column chunk");
            break;
        }
        if (pg.csize < 0 || pg.usize < 0 || (size_t)pg.csize > (size_t)(end - t.p)) {
            rc = fail(&d, "a page of %d bytes past the end of the column chunk", pg.csize);
            break;
        }
        const uint8_t *data = t.p;
        p = t.p + pg.csize;
        if (pg.type == PAGE_DICT) {
            const uint8_t *u = decompress(&d, data, (size_t)pg.csize, (size_t)pg.usize);
            rc = u ? dict_page(&d, &pg, u, (size_t)pg.usize) : -1;
        } else if (pg.type == PAGE_DATA || pg.type == PAGE_DATA_V2) {
            rc = data_page(&d, &pg, data, (size_t)pg.csize);
        } else if (pg.type != PAGE_INDEX) {
            rc = fail(&d, "a page of unknown type %d", pg.type);
        }
    }
    if (leaf->max_def == 0 && rc == 0 && c->nvals != c->n)
        rc = fail(&d, "values that do not match the levels");
    free(d.idx);
    return rc;
}

void pq_col_reset(pq_col *c)
{
    for (size_t i = 0; i < c->nblocks; i++)
        free(c->blocks[i]);
    c->nblocks = 0;
    free(c->dict);
    c->dict = NULL;
    c->ndict = 0;
    c->n = c->nvals = 0;
}

void pq_col_free(pq_col *c)
{
    pq_col_reset(c);
    free(c->blocks);
    free(c->def);
    free(c->rep);
    free(c->vals);
    *c = (pq_col){0};
}
