/* util.c -- allocation, buffers, UTF-8 checks and file reading for the built-in plugins. */
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "simd.h"

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        abort();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        abort();
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

void big_pages(void *p, size_t bytes)
{
    if (bytes < BIG_PAGES_FROM)
        return;
    uintptr_t from = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, to = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
    if (to > from)
        madvise((void *)from, to - from, MADV_HUGEPAGE); /* a hint: nothing to do when it is refused */
}

void *big_alloc(size_t bytes, size_t huge_from)
{
    void *p;
    if (bytes >= huge_from) {
        p = aligned_alloc(HUGE_PAGE, (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE);
        if (p)
            madvise(p, bytes, MADV_HUGEPAGE);
    } else {
        p = malloc(bytes ? bytes : 1);
    }
    if (!p)
        abort();
    return p;
}

void *xgrow(void *v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return v;
    if (need > SIZE_MAX / 2 / size)
        abort(); /* no array this big can exist; doubling towards it would overflow */
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    *cap = c;
    return xrealloc(v, c * size);
}

void buf_reserve(cv_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    if (extra > SIZE_MAX / 4 - b->len)
        abort(); /* no buffer this big can exist; doubling towards it would never end */
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
    big_pages(b->p, cap);
}

void buf_add(cv_buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void buf_addc(cv_buf *b, char c) { buf_add(b, &c, 1); }
void buf_adds(cv_buf *b, const char *s) { buf_add(b, s, strlen(s)); }

uint32_t *utf8_char_offsets(const char *s, size_t len)
{
    uint32_t *chars = xmalloc((len + 1) * sizeof *chars);
    uint32_t c = 0;
    for (size_t i = 0; i < len; i++) {
        chars[i] = c;
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    }
    chars[len] = c;
    return chars;
}

void buf_free(cv_buf *b)
{
    free(b->p);
    *b = (cv_buf){0};
}

/* A JSON string: quotes, backslashes and control characters escaped, the
 * rest (valid UTF-8 by the host's promise) as it is.  Hand-written because
 * this is the hot path of every corpus: jansson would validate and copy it. */
void buf_add_json(cv_buf *b, const char *s, size_t len)
{
    buf_reserve(b, len + 2);
    buf_addc(b, '"');
    buf_add_json_chars(b, s, len);
    buf_addc(b, '"');
}

#ifdef __SSE2__
/* Bit k set: byte k of s[0..16) is a quote, a backslash or a control character. */
static unsigned json_special16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    __m128i ctl = _mm_cmplt_epi8(_mm_xor_si128(v, _mm_set1_epi8((char)0x80)), _mm_set1_epi8((char)0xA0));
    __m128i q = _mm_or_si128(sse_is(v, '"'), sse_is(v, '\\'));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, q)); /* ctl: below 0x20, compared unsigned */
}
#endif

size_t json_plain_run(const char *s, size_t len)
{
    size_t i = 0;
#ifdef __SSE2__
    /* Sixteen bytes at a time, and straight to the first that needs escaping;
     * the last sixteen read once more rather than a byte at a time. */
    if (len >= 16) {
        for (; i + 16 <= len; i += 16) {
            unsigned mask = json_special16(s + i);
            if (mask)
                return i + (size_t)__builtin_ctz(mask);
        }
        unsigned mask = i < len ? json_special16(s + len - 16) >> (16 - (len - i)) : 0;
        return mask ? i + (size_t)__builtin_ctz(mask) : len;
    }
#endif
    /* Eight bytes at a time (what a build without SSE2 has, and the tail of a
     * short string): a byte's high bit is set where it is below 0x20, or
     * equal to a quote or a backslash; a borrow only ever marks bytes after
     * the first match, so the lowest mark is the first. */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x); /* the first byte lowest, as the borrows need */
#endif
        uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
        uint64_t mark = ((x - ones * 0x20) | (q - ones) | (b - ones)) & ~x & highs;
        if (mark)
            return i + (size_t)__builtin_ctzll(mark) / 8;
    }
    while (i < len && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

void buf_add_json_chars(cv_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, len);
    size_t run = 0; /* start of the pending stretch that needs no escaping */
    for (size_t i = 0; i < len; i++) {
        i += json_plain_run(s + i, len - i);
        if (i >= len)
            break;
        unsigned char c = (unsigned char)s[i];
        buf_add(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            buf_add(b, esc, 6);
            continue;
        }
        buf_add(b, esc, 2);
    }
    buf_add(b, s + run, len - run);
}

void buf_add_uint(cv_buf *b, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    buf_reserve(b, n);
    while (n)
        b->p[b->len++] = tmp[--n];
    b->p[b->len] = '\0';
}
