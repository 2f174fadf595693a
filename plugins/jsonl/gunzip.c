/* gunzip.c -- a gzip file read as a stream, with ISA-L's inflate.
 *
 * Corpora come as .jsonl.gz, and zlib's inflate (through libarchive) was a
 * fifth of a dedup sign task; ISA-L inflates the same stream about four
 * times as fast.  Every member of a multi-member file (what `cat a.gz b.gz`
 * makes) is read in turn; each member's CRC and length are checked.  Data
 * after the last member that is not another member is an error, not
 * ignored: it would be text nobody sees.  Without ISA-L (a build on a
 * platform Debian does not package it for), gunzip_open says "not gzip" and
 * the reader goes through libarchive as before. */
#include "gunzip.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef CONVERT_HAVE_ISAL
#include <isa-l/igzip_lib.h>

#define IN_BUFFER (256u << 10)

struct gunzip {
    FILE *f;
    struct inflate_state st;
    unsigned char *in;
    unsigned long long consumed; /* input bytes before in[0] */
    int eof;                     /* f has nothing more */
    char err[512];
};

/* More input behind what is left: 0, or -1 on a read error. */
static int refill(gunzip *g)
{
    size_t left = g->st.avail_in;
    g->consumed += (size_t)(g->st.next_in - g->in);
    memmove(g->in, g->st.next_in, left);
    size_t got = g->eof ? 0 : fread(g->in + left, 1, IN_BUFFER - left, g->f);
    if (got < IN_BUFFER - left) {
        if (ferror(g->f)) {
            snprintf(g->err, sizeof g->err, "read error: %s", strerror(errno));
            return -1;
        }
        g->eof = 1;
    }
    g->st.next_in = g->in;
    g->st.avail_in = (uint32_t)(left + got);
    return 0;
}

/* A member's inflate starts at next: the first, and each after it. */
static void start_member(gunzip *g, uint8_t *next, uint32_t avail)
{
    isal_inflate_init(&g->st);
    g->st.crc_flag = ISAL_GZIP;
    g->st.next_in = next;
    g->st.avail_in = avail;
}

static unsigned long long at(const gunzip *g) { return g->consumed + (size_t)(g->st.next_in - g->in); }

gunzip *gunzip_open(const char *path, const char **why)
{
    *why = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return NULL;
    }
    /* Only a regular file: a pipe's first bytes, once read, would be lost
     * to the reader that takes it when it is not gzip. */
    struct stat sb;
    unsigned char magic[2];
    if (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode) || fread(magic, 1, 2, f) != 2 || magic[0] != 0x1f ||
        magic[1] != 0x8b) {
        fclose(f);
        return NULL; /* not gzip: the caller reads it another way */
    }
    gunzip *g = xcalloc(1, sizeof *g);
    g->in = xmalloc(IN_BUFFER);
    g->f = f;
    memcpy(g->in, magic, 2);
    start_member(g, g->in, 2);
    return g;
}

static const char *inflate_error(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid back reference";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "not deflate-compressed";
    case ISAL_INCORRECT_CHECKSUM: return "CRC or length mismatch";
    case ISAL_NEED_DICT: return "needs a preset dictionary";
    default: return "damaged gzip data";
    }
}

ssize_t gunzip_read(gunzip *g, void *out, size_t n)
{
    if (g->err[0])
        return -1;
    if (n > UINT32_MAX)
        n = UINT32_MAX;
    for (;;) {
        if (g->st.block_state == ISAL_BLOCK_FINISH) { /* a member ended: another, or the end */
            if (g->st.avail_in < 2 && !g->eof && refill(g) < 0)
                return -1;
            if (g->st.avail_in == 0)
                return 0;
            if (g->st.avail_in < 2 || g->st.next_in[0] != 0x1f || g->st.next_in[1] != 0x8b) {
                snprintf(g->err, sizeof g->err, "data after the gzip stream at byte %llu is not gzip", at(g));
                return -1;
            }
            start_member(g, g->st.next_in, g->st.avail_in);
        }
        if (g->st.avail_in == 0 && !g->eof && refill(g) < 0)
            return -1;
        uint32_t before = g->st.avail_in;
        g->st.next_out = out;
        g->st.avail_out = (uint32_t)n;
        int rc = isal_inflate(&g->st);
        if (rc < 0 || rc == ISAL_NEED_DICT) {
            snprintf(g->err, sizeof g->err, "%s near byte %llu", inflate_error(rc), at(g));
            return -1;
        }
        size_t made = n - g->st.avail_out;
        if (made)
            return (ssize_t)made;
        if (g->st.block_state == ISAL_BLOCK_FINISH)
            continue;
        if (g->st.avail_in == 0 || g->st.avail_in == before) { /* it wants more input */
            if (g->eof || before == IN_BUFFER) { /* none comes, or a full buffer did not help */
                snprintf(g->err, sizeof g->err, "truncated: the gzip stream ends early at byte %llu", at(g));
                return -1;
            }
            if (refill(g) < 0)
                return -1;
        }
    }
}

const char *gunzip_error(const gunzip *g) { return g->err; }

void gunzip_close(gunzip *g)
{
    if (!g)
        return;
    fclose(g->f);
    free(g->in);
    free(g);
}

#else /* no ISA-L: every file goes through libarchive */

struct gunzip {
    int unused;
};

gunzip *gunzip_open(const char *path, const char **why)
{
    (void)path;
    *why = NULL;
    return NULL;
}

ssize_t gunzip_read(gunzip *g, void *out, size_t n)
{
    (void)g, (void)out, (void)n;
    return -1;
}

const char *gunzip_error(const gunzip *g)
{
    (void)g;
    return "";
}

void gunzip_close(gunzip *g) { (void)g; }

#endif
