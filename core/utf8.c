/* utf8.c -- a fast UTF-8 validator: ASCII eight bytes at a time, then the
 * byte-range table of RFC 3629 section 4 for multi-byte sequences. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

size_t cv_utf8_valid_prefix(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Two-byte sequences (Cyrillic, Greek, Latin accents) in a tight loop. */
        while (i + 1 < len && c >= 0xC2 && c <= 0xDF && (s[i + 1] & 0xC0) == 0x80) {
            i += 2;
            if (i == len || (c = s[i]) < 0x80)
                break;
        }
        if (i == len)
            break;
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF && (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80))
            return i;
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
            return i;
        }
        if (i + n > len || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n;
    }
    return len;
}
