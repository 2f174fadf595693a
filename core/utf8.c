/* utf8.c -- a fast UTF-8 validator.
 *
 * Most text is ASCII with two-byte letters (Latin accents, Greek, Cyrillic),
 * so eight bytes are checked at a time while they hold only those: every
 * continuation byte must follow a two-byte lead and every lead must be
 * followed by one, which is a shift-and-compare of two bit masks.  Anything
 * else (three- and four-byte characters, errors) goes through the byte-range
 * table of RFC 3629 section 4, one character at a time. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define HIGHS 0x8080808080808080ull

/* Bytes of w that are not zero, as their high bits. */
static uint64_t nonzero(uint64_t w) { return (((w & ~HIGHS) + ~HIGHS) | w) & HIGHS; }

/* The length of the valid character at s[i], or 0 if there is none. */
static size_t one(const unsigned char *s, size_t i, size_t len)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (i + n > len || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    return n;
}

#ifdef __SSE2__
/* The same test as the word loop below, sixteen bytes at a time, with the
 * bits of a byte gathered by movemask (bit k: byte k).  Returns the offset
 * where it stopped; *carry: the last block ended with a lead byte. */
static size_t blocks16(const unsigned char *s, size_t i, size_t len, unsigned *carry)
{
    const __m128i x1e = _mm_set1_epi8(0x1E), zero = _mm_setzero_si128();
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        unsigned top = (unsigned)_mm_movemask_epi8(v);
        if (!top && !*carry) { /* ASCII */
            i += 16;
            continue;
        }
        unsigned b6 = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(v, 1));
        unsigned b5 = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(v, 2));
        unsigned overlong = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(v, x1e), zero));
        unsigned lead = top & b6, cont = top & ~b6;
        if ((lead & b5) || (lead & overlong) || cont != (((lead << 1) | *carry) & 0xFFFF))
            break;
        *carry = lead >> 15;
        i += 16;
    }
    return i;
}
#endif

size_t cv_utf8_valid_prefix(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        uint64_t carry = 0; /* high bit of byte 0: the last word ended with a lead byte */
#ifdef __SSE2__
        unsigned carry16 = 0;
        i = blocks16(s, i, len, &carry16);
        carry = carry16 ? 0x80 : 0;
#endif
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t top = w & HIGHS, b6 = (w << 1) & HIGHS, b5 = (w << 2) & HIGHS;
            uint64_t lead = top & b6, cont = top & ~b6;
            /* Only two-byte leads (110xxxxx) and not the overlong C0/C1 (bits 4..1 zero). */
            if ((lead & b5) || (lead & ~nonzero(w & 0x1E1E1E1E1E1E1E1Eull)) || cont != ((lead << 8) | carry))
                break;
            carry = lead >> 56;
            i += 8;
        }
        if (carry)
            i--; /* back to the lead byte of the pair the last word split */
        /* At least eight bytes one character at a time, or to the end. */
        for (size_t stop = i + 8; i < len && i < stop;) {
            size_t n = one(s, i, len);
            if (!n)
                return i;
            i += n;
        }
    }
    return len;
}

size_t cv_utf8_repair(const char *s, size_t len, char *out, size_t *bad)
{
    size_t n = 0, i = 0;
    *bad = 0;
    while (i < len) {
        /* No valid character starts where the valid prefix ends: one byte out. */
        size_t ok = cv_utf8_valid_prefix(s + i, len - i);
        if (out)
            memcpy(out + n, s + i, ok);
        n += ok;
        i += ok;
        if (i < len) {
            if (out)
                memcpy(out + n, "\xEF\xBF\xBD", 3);
            n += 3;
            i++;
            ++*bad;
        }
    }
    return n;
}
