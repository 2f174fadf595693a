/* stream.c -- see stream.h. */
#include "stream.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#define IN_CAP (256 * 1024)
#define OUT_CAP (256 * 1024)

enum { PLAIN, GZIP, ZSTD };

struct stream {
    FILE *f;
    int kind;
    unsigned char *in, *out;
    size_t in_len, in_pos;   /* compressed input buffered */
    size_t out_len, out_pos; /* decompressed bytes buffered */
    z_stream z;
    int z_live;        /* inside a gzip member */
    ZSTD_DStream *zs;
    size_t zs_pending; /* zstd: non-zero while a frame is unfinished */
    int eof;           /* no more file input */
    int failed;
    char err[256];
    uint64_t offset, file_read, file_size;
};

static int fill_in(stream *s)
{
    if (s->in_pos < s->in_len || s->eof)
        return s->in_pos < s->in_len;
    size_t n = fread(s->in, 1, IN_CAP, s->f);
    s->in_len = n;
    s->in_pos = 0;
    s->file_read += n;
    if (n == 0)
        s->eof = 1;
    return n > 0;
}

stream *stream_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s", path);
        return NULL;
    }
    stream *s = xcalloc(1, sizeof *s);
    s->f = f;
    s->in = xmalloc(IN_CAP);
    s->out = xmalloc(OUT_CAP);
    struct stat st;
    if (fstat(fileno(f), &st) == 0)
        s->file_size = (uint64_t)st.st_size;
    fill_in(s);
    if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b)
        s->kind = GZIP;
    else if (s->in_len >= 4 && !memcmp(s->in, "\x28\xb5\x2f\xfd", 4))
        s->kind = ZSTD;
    if (s->kind == ZSTD && !(s->zs = ZSTD_createDStream()))
        abort();
    return s;
}

void stream_close(stream *s)
{
    if (!s)
        return;
    if (s->z_live)
        inflateEnd(&s->z);
    ZSTD_freeDStream(s->zs);
    fclose(s->f);
    free(s->in);
    free(s->out);
    free(s);
}

static int fail(stream *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s at byte %llu of the file", what, (unsigned long long)(s->file_read - (s->in_len - s->in_pos)));
    s->failed = 1;
    return -1;
}

/* Decompress more into out.  1: some, 0: the end, -1: error. */
static int fill_out(stream *s)
{
    s->out_len = s->out_pos = 0;
    while (s->out_len == 0) {
        if (s->failed)
            return -1;
        if (!fill_in(s)) {
            if (s->kind == GZIP && s->z_live)
                return fail(s, "the gzip stream ends inside a member (truncated file)");
            if (s->kind == ZSTD && s->zs_pending)
                return fail(s, "the zstd stream ends inside a frame (truncated file)");
            return 0;
        }
        if (s->kind == PLAIN) {
            size_t n = s->in_len - s->in_pos;
            memcpy(s->out, s->in + s->in_pos, n);
            s->in_pos += n;
            s->out_len = n;
        } else if (s->kind == GZIP) {
            if (!s->z_live) {
                memset(&s->z, 0, sizeof s->z);
                if (inflateInit2(&s->z, 15 + 16) != Z_OK)
                    return fail(s, "zlib could not start");
                s->z_live = 1;
            }
            s->z.next_in = s->in + s->in_pos;
            s->z.avail_in = (uInt)(s->in_len - s->in_pos);
            s->z.next_out = s->out;
            s->z.avail_out = OUT_CAP;
            int rc = inflate(&s->z, Z_NO_FLUSH);
            s->in_pos = s->in_len - s->z.avail_in;
            s->out_len = OUT_CAP - s->z.avail_out;
            if (rc == Z_STREAM_END) { /* the next member, if any, starts a new stream */
                inflateEnd(&s->z);
                s->z_live = 0;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                return fail(s, "corrupt gzip data");
            }
        } else {
            ZSTD_inBuffer ib = {s->in, s->in_len, s->in_pos};
            ZSTD_outBuffer ob = {s->out, OUT_CAP, 0};
            size_t rc = ZSTD_decompressStream(s->zs, &ob, &ib);
            if (ZSTD_isError(rc))
                return fail(s, "corrupt zstd data");
            s->zs_pending = rc;
            s->in_pos = ib.pos;
            s->out_len = ob.pos;
        }
    }
    return 1;
}

/* Decoded bytes waiting, refilled when none are: 1, 0 at the end, -1 on error. */
static int have_out(stream *s) { return s->out_pos < s->out_len ? 1 : fill_out(s); }

long stream_read(stream *s, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        int rc = have_out(s);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        size_t k = s->out_len - s->out_pos;
        if (k > n - got)
            k = n - got;
        memcpy((char *)buf + got, s->out + s->out_pos, k);
        s->out_pos += k;
        got += k;
    }
    s->offset += got;
    return (long)got;
}

long stream_line(stream *s, char *buf, size_t cap)
{
    size_t got = 0;
    while (got + 1 < cap) {
        int rc = have_out(s);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        size_t avail = s->out_len - s->out_pos, room = cap - 1 - got;
        size_t k = avail < room ? avail : room;
        unsigned char *nl = memchr(s->out + s->out_pos, '\n', k);
        if (nl)
            k = (size_t)(nl - (s->out + s->out_pos)) + 1;
        memcpy(buf + got, s->out + s->out_pos, k);
        s->out_pos += k;
        got += k;
        if (nl)
            break;
    }
    buf[got] = '\0';
    s->offset += got;
    return (long)got;
}

int stream_skip(stream *s, uint64_t n)
{
    while (n) {
        if (s->out_pos == s->out_len && fill_out(s) <= 0)
            return -1;
        size_t k = s->out_len - s->out_pos;
        if (k > n)
            k = (size_t)n;
        s->out_pos += k;
        s->offset += k;
        n -= k;
    }
    return 0;
}

uint64_t stream_offset(const stream *s) { return s->offset; }
uint64_t stream_file_offset(const stream *s) { return s->file_read; }
uint64_t stream_file_size(const stream *s) { return s->file_size; }
const char *stream_error(const stream *s) { return s->err; }
const char *stream_kind(const stream *s) { return s->kind == GZIP ? "gzip" : s->kind == ZSTD ? "zstd" : "plain"; }
