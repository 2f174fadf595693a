/* text.c -- counting words and finding sentence ends, Unicode-aware through utf8proc.
 * Document text is valid UTF-8, so code points are decoded with util.h's utf8_next. */
#include "text.h"
#include "util.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>
#include "simd.h"

static int is_space(utf8proc_int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r';
    return cp >= 0xA0 && !(cp >= 0x400 && cp < 0x530) && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

int cp_is_letter(int cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    if (cp >= 0x400 && cp < 0x482)
        return 1; /* the Cyrillic letters: no table lookup on the hot path */
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

int cp_is_alnum(int cp) { return cp_is_letter(cp) || (cp >= '0' && cp <= '9'); }

int cp_lower(int cp) { return cp < 0x80 ? (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp) : utf8proc_tolower(cp); }

static int is_digit(utf8proc_int32_t cp) { return cp >= '0' && cp <= '9'; }

/* Walk tokens; count those with letters/digits (WORDS_PY_SPLIT: every
 * token) and the numeric ones, and stop once there are max words.  The
 * printable ASCII and Cyrillic shortcuts hold for every rule: none of
 * those characters is white space or Han or kana. */
static void tokens(const char *s, size_t len, size_t max, int flags, size_t *words, size_t *numeric)
{
    const unsigned char *u = (const unsigned char *)s;
    *words = *numeric = 0;
    int in = 0, letters = 0, digits = 0;
    for (size_t i = 0; i <= len;) {
        utf8proc_int32_t cp;
        if (i < len && u[i] >= 0x21 && u[i] < 0x80) { /* printable ASCII: no decoding, no table */
            int c = u[i++];
            in = 1;
            letters |= ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            digits |= (c >= '0' && c <= '9');
            continue;
        }
        if (i + 1 < len && (u[i] == 0xD0 || u[i] == 0xD1)) { /* U+0400..U+047F: all Cyrillic letters */
            i += 2;
            in = letters = 1;
            continue;
        }
        cp = i < len ? utf8_next(s, &i) : (i++, ' ');
        int han_kana = (flags & WORDS_HAN_KANA) && cp_han_kana(cp) && cp_is_letter(cp);
        if (han_kana || (flags & WORDS_PY_SPLIT ? cp_py_space(cp) : is_space(cp))) {
            if (in && (letters || digits || (flags & WORDS_PY_SPLIT))) {
                if (digits && !letters)
                    ++*numeric;
                if (++*words == max)
                    return;
            }
            in = letters = digits = 0;
            if (han_kana && ++*words == max) /* a word by itself */
                return;
            continue;
        }
        in = 1;
        letters |= cp_is_letter(cp);
        digits |= is_digit(cp);
    }
}

size_t count_words(const char *s, size_t len)
{
    return count_words_max(s, len, SIZE_MAX);
}

#ifdef __SSE2__
/* Bits set in a 16-bit mask (__builtin_popcount is a libgcc call without -mpopcnt). */
static unsigned ones16(unsigned x)
{
    x = x - ((x >> 1) & 0x5555u);
    x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
    x = (x + (x >> 4)) & 0x0F0Fu;
    return (x + (x >> 8)) & 0x1Fu;
}

/* tokens()' word count sixteen bytes at a time, for text of ASCII and
 * Cyrillic letters (leads D0/D1: all letters, so each of their bytes counts
 * as one).  A byte is a space (space, tab, newline, CR), alphanumeric, or
 * else punctuation; a token counts if it holds an alphanumeric byte.  Runs
 * of alphanumerics are counted, less those that continue a token after one
 * punctuation mark ("e-mail", "10.5").  0 when the text holds anything
 * else (another lead byte: a Unicode space might be among them; two marks
 * in a row, where a run might continue a token): tokens() decides then. */
static int words16(const char *s, size_t len, size_t max, size_t *words)
{
    size_t count = 0;
    unsigned carry_a = 0, carry_a2 = 0, carry_p = 0; /* the bits of the two bytes before: spaces at first */
    const __m128i zero = _mm_setzero_si128();
    for (size_t i = 0; i < len; i += 16) {
        __m128i v;
        if (i + 16 <= len) {
            v = _mm_loadu_si128((const __m128i *)(s + i));
        } else { /* the end, padded with spaces */
            char tail[16];
            memset(tail, ' ', sizeof tail);
            memcpy(tail, s + i, len - i);
            v = _mm_loadu_si128((const __m128i *)tail);
        }
        const __m128i high = _mm_cmplt_epi8(v, zero);
        const __m128i lead = _mm_cmpgt_epi8(_mm_xor_si128(v, _mm_set1_epi8((char)0x80)), _mm_set1_epi8(0x3F));
        const __m128i cyr = _mm_or_si128(sse_is(v, (char)0xD0), sse_is(v, (char)0xD1));
        if (_mm_movemask_epi8(_mm_andnot_si128(cyr, lead)))
            return 0;
        const __m128i digit = sse_in(v, '0', '9');
        const __m128i alpha = sse_in(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');
        const __m128i space =
            _mm_or_si128(_mm_or_si128(sse_is(v, ' '), sse_is(v, '\t')), _mm_or_si128(sse_is(v, '\n'), sse_is(v, '\r')));
        unsigned a = (unsigned)_mm_movemask_epi8(_mm_or_si128(high, _mm_or_si128(digit, alpha)));
        unsigned p = ~(a | (unsigned)_mm_movemask_epi8(space)) & 0xFFFFu;
        unsigned a1 = ((a << 1) | carry_a) & 0xFFFFu, a2 = ((a << 2) | carry_a2) & 0xFFFFu;
        unsigned p1 = ((p << 1) | carry_p) & 0xFFFFu;
        if (p & p1)
            return 0;
        count += ones16(a & ~a1) - ones16(a & p1 & a2);
        if (max && count >= max) { /* tokens() stops there; with max 0 it never does */
            *words = max;
            return 1;
        }
        carry_a = a >> 15, carry_a2 = a >> 14, carry_p = p >> 15;
    }
    *words = count;
    return 1;
}
#endif

size_t count_words_max(const char *s, size_t len, size_t max)
{
    size_t w, n;
#ifdef __SSE2__
    if (words16(s, len, max, &w))
        return w;
#endif
    tokens(s, len, max, 0, &w, &n);
    return w;
}

size_t count_words_flags(const char *s, size_t len, size_t max, int flags)
{
    if (!flags)
        return count_words_max(s, len, max);
    size_t w, n;
    tokens(s, len, max, flags, &w, &n);
    return w;
}

size_t count_numeric(const char *s, size_t len)
{
    size_t w, n;
    tokens(s, len, SIZE_MAX, 0, &w, &n);
    return n;
}

/* Closing quotes and brackets that may follow a sentence's final mark. */
static int is_closer(utf8proc_int32_t cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0xBB /* » */ || cp == 0x201D /* ” */ ||
           cp == 0x201C /* “ (closing in bg/ru/uk) */ || cp == 0x2019 || cp == 0x203A ||
           cp == 0x300D /* 」 */ || cp == 0x300F /* 』 */ || cp == 0xFF09 /* ） */;
}

/* A sentence's last mark, in the scripts that have one: . ! ? and the
 * ellipsis; the ideographic full stop and the full-width and half-width
 * forms of CJK text; the Devanagari dandas, the Arabic question mark and
 * full stop, the Armenian, Ethiopic and Myanmar full stops, the Greek
 * question mark. */
static int is_final(utf8proc_int32_t cp)
{
    if (cp < 0x80)
        return cp == '.' || cp == '!' || cp == '?';
    switch (cp) {
    case 0x2026: case 0x3002: case 0xFF01: case 0xFF0E: case 0xFF1F: case 0xFF61: case 0x0964: case 0x0965:
    case 0x061F: case 0x06D4: case 0x0589: case 0x1362: case 0x104B: case 0x037E:
        return 1;
    }
    return 0;
}

int ends_sentence(const char *s, size_t len)
{
    /* Step back over code points: find the last start bytes. */
    size_t end = len;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
            start--;
        size_t i = start;
        utf8proc_int32_t cp = utf8_next(s, &i);
        if (is_space(cp) || is_closer(cp)) {
            end = start;
            continue;
        }
        return is_final(cp);
    }
    return 0;
}

static int capital_at(const char *s, size_t j)
{
    utf8proc_int32_t cp = utf8_next(s, &j);
    return cp > 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_LU;
}

int has_inner_sentence_end(const char *s, size_t len)
{
    size_t i = 0;
#ifdef __SSE2__
    /* ". ", "! " and "? " sixteen positions at a time: most long lines are
     * walked to their end without one followed by a capital. */
    for (; i + 17 <= len; i += 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        const __m128i next = _mm_loadu_si128((const __m128i *)(s + i + 1));
        const __m128i mark = _mm_or_si128(_mm_or_si128(sse_is(v, '.'), sse_is(v, '!')), sse_is(v, '?'));
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(mark, sse_is(next, ' '))); m; m &= m - 1) {
            size_t word = i + (size_t)__builtin_ctz(m) + 2; /* after the mark and the space */
            if (word < len && capital_at(s, word))
                return 1;
        }
    }
#endif
    for (; i + 2 < len; i++)
        if ((s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i + 1] == ' ' && capital_at(s, i + 2))
            return 1;
    return 0;
}

size_t last_sentence_end(const char *s, size_t len)
{
    size_t best = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp = utf8_next(s, &i);
        if (!is_final(cp))
            continue;
        size_t j = i;
        while (j < len) { /* closing quotes and brackets belong to the sentence */
            size_t k = j;
            utf8proc_int32_t c = utf8_next(s, &k);
            if (!is_closer(c) && !is_final(c))
                break;
            j = k;
        }
        if (j == len || s[j] == ' ' || s[j] == '\n')
            best = j;
        i = j > i ? j : i;
    }
    return best;
}
