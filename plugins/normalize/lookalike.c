/* lookalike.c -- see lookalike.h. */
#include "lookalike.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>

#define TOP 0x530 /* Latin, IPA, Greek and Cyrillic (with its supplement) lie below */

enum { OTHER, LATIN, GREEK, CYRILLIC };

struct lookalike {
    uint16_t to_cyr[TOP]; /* a Latin or Greek letter's Cyrillic look-alike, 0: none */
    uint16_t to_lat[TOP]; /* a Cyrillic letter's Latin look-alike, 0: none */
};

static int script(int cp)
{
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp <= 0x24F))
        return LATIN;
    if (cp >= 0x370 && cp <= 0x3FF)
        return GREEK;
    if (cp >= 0x400 && cp < TOP)
        return CYRILLIC;
    return OTHER;
}

/* Preference among letters with the same skeleton: the basic alphabet first
 * (ASCII, U+0400..U+045F), then the lowest code point. */
static int better(int cand, int cur)
{
    if (!cur)
        return 1;
    int cb = cand < 0x80 || (cand >= 0x400 && cand <= 0x45F), ub = cur < 0x80 || (cur >= 0x400 && cur <= 0x45F);
    return cb != ub ? cb : cand < cur;
}

lookalike *lookalike_new(char *err, size_t errlen)
{
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open(&st);
    if (U_FAILURE(st)) {
        snprintf(err, errlen, "ICU spoof checker: %s", u_errorName(st));
        return NULL;
    }
    /* Every letter's skeleton (the prototype string it is confusable with). */
    static UChar skel[TOP][8];
    static int32_t slen[TOP];
    for (int cp = 0; cp < TOP; cp++) {
        slen[cp] = 0;
        if (script(cp) == OTHER || !u_isalpha(cp))
            continue;
        UChar one[2];
        int32_t n = 0;
        U16_APPEND_UNSAFE(one, n, cp);
        st = U_ZERO_ERROR;
        int32_t k = uspoof_getSkeleton(sc, 0, one, n, skel[cp], 8, &st);
        slen[cp] = U_SUCCESS(st) && k > 0 && k <= 8 ? k : 0;
    }
    uspoof_close(sc);
    lookalike *l = xcalloc(1, sizeof *l);
    for (int a = 0; a < TOP; a++) {
        if (!slen[a])
            continue;
        for (int b = 0; b < TOP; b++) {
            if (a == b || slen[b] != slen[a] || memcmp(skel[a], skel[b], (size_t)slen[a] * sizeof(UChar)))
                continue;
            int sa = script(a), sb = script(b);
            if ((sa == LATIN || sa == GREEK) && sb == CYRILLIC && better(b, l->to_cyr[a]))
                l->to_cyr[a] = (uint16_t)b;
            if (sa == CYRILLIC && sb == LATIN && better(b, l->to_lat[a]))
                l->to_lat[a] = (uint16_t)b;
        }
    }
    return l;
}

void lookalike_free(lookalike *l) { free(l); }

static int is_mark(int cp) { return u_getIntPropertyValue(cp, UCHAR_GENERAL_CATEGORY_MASK) & U_GC_M_MASK; }

/* A replacement letter: below TOP, so one or two bytes. */
static void put_cp(cv_buf *b, int cp)
{
    char t[2] = {(char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F))};
    if (cp < 0x80)
        buf_addc(b, (char)cp);
    else
        buf_add(b, t, 2);
}

/* The replacement map a word [from, to) needs, or NULL: the word mixes
 * Cyrillic with Latin or Greek, one side has more letters, and every letter
 * of the other side has a look-alike on it. */
static const uint16_t *word_map(const lookalike *l, const char *s, size_t from, size_t to)
{
    size_t n[4] = {0};
    for (size_t i = from; i < to;) {
        int cp = utf8_next(s, &i);
        if (!is_mark(cp))
            n[script(cp)]++;
    }
    if (n[OTHER] || !n[CYRILLIC] || !(n[LATIN] + n[GREEK]))
        return NULL;
    const uint16_t *map;
    int minority;
    if (n[CYRILLIC] > n[LATIN] + n[GREEK]) {
        map = l->to_cyr;
        minority = -1; /* Latin and Greek */
    } else if (n[LATIN] > n[CYRILLIC] && !n[GREEK]) {
        map = l->to_lat;
        minority = CYRILLIC;
    } else {
        return NULL;
    }
    for (size_t i = from; i < to;) {
        int cp = utf8_next(s, &i), sc = script(cp);
        int minor = minority < 0 ? sc == LATIN || sc == GREEK : sc == minority;
        if (minor && !is_mark(cp) && (cp >= TOP || !map[cp]))
            return NULL;
    }
    return map;
}

size_t lookalike_repair(const lookalike *l, const char *s, size_t len, cv_buf *out)
{
    size_t fixed = 0, copied = 0; /* s[0, copied) is in out already */
    out->len = 0;
    for (size_t i = 0; i < len;) {
        /* the next word: letters and the marks on them */
        size_t at = i;
        int cp = utf8_next(s, &i);
        if (!(u_isalpha(cp) || (at > 0 && is_mark(cp))))
            continue;
        size_t end = i;
        while (end < len) {
            size_t j = end;
            int c = utf8_next(s, &j);
            if (!u_isalpha(c) && !is_mark(c))
                break;
            end = j;
        }
        i = end;
        const uint16_t *map = word_map(l, s, at, end);
        if (!map)
            continue;
        buf_add(out, s + copied, at - copied);
        for (size_t k = at; k < end;) {
            size_t from = k;
            int c = utf8_next(s, &k);
            int sc = script(c);
            int minor = map == l->to_cyr ? sc == LATIN || sc == GREEK : sc == CYRILLIC;
            if (minor && c < TOP && map[c]) {
                put_cp(out, map[c]);
                fixed++;
            } else {
                buf_add(out, s + from, k - from);
            }
        }
        copied = end;
    }
    if (fixed)
        buf_add(out, s + copied, len - copied);
    return fixed;
}
