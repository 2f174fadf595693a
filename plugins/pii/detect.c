/* detect.c -- see detect.h.
 *
 * Hand-written scanners rather than regular expressions: the rules that make
 * them precise (an address must be globally routable, a phone number must
 * not be a date, an ISBN or a year range) are checks on parsed parts, not
 * patterns, and a scanner that looks a bounded distance from each place it
 * starts cannot backtrack into seconds on a hostile document. */
#include "detect.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#define EMAIL_LOCAL_MAX 64
#define EMAIL_DOMAIN_MAX 253
#define PHONE_BYTES_MAX 32
#define PHONE_DIGITS_MAX 15 /* E.164 */
#define PHONE_GROUPS_MAX 8

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_alnum(int c) { return is_digit(c) || is_alpha(c); }
static int is_hex(int c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
static int hex_val(int c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

static void push(pii_hits *h, size_t start, size_t end, int kind)
{
    XGROW(h->v, h->cap, h->n + 1);
    h->v[h->n++] = (pii_hit){start, end, kind};
}

void pii_hits_free(pii_hits *h)
{
    free(h->v);
    *h = (pii_hits){0};
}

/* ---- addresses ---------------------------------------------------------- */

typedef struct net4 {
    uint32_t net;
    int bits;
} net4;

/* Python's IPv4 _private_networks, its shared space 100.64.0.0/10 (not
 * global), and multicast, which Python calls global but which reaches no
 * one in particular. */
static const net4 v4_not_global[] = {
    {0x00000000u, 8},  {0x0A000000u, 8},  {0x7F000000u, 8},  {0xA9FE0000u, 16}, {0xAC100000u, 12},
    {0xC0000000u, 29}, {0xC00000AAu, 31}, {0xC0000200u, 24}, {0xC0A80000u, 16}, {0xC6120000u, 15},
    {0xC6336400u, 24}, {0xCB007100u, 24}, {0xF0000000u, 4},  {0xFFFFFFFFu, 32}, {0x64400000u, 10},
    {0xE0000000u, 4},
};

int pii_ipv4_is_global(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_not_global / sizeof v4_not_global[0]; i++) {
        uint32_t mask = v4_not_global[i].bits ? ~0u << (32 - v4_not_global[i].bits) : 0;
        if ((a & mask) == v4_not_global[i].net)
            return 0;
    }
    return 1;
}

int pii_ipv6_is_global(const uint8_t v6[16])
{
    /* Everything outside 2000::/3 is reserved, unique-local, link-local,
     * site-local or multicast.  Inside it, Python's private networks:
     * 2001::/23 (which holds 2001:2::/48 and 2001:10::/28) and the
     * documentation prefix 2001:db8::/32. */
    if ((v6[0] & 0xE0) != 0x20)
        return 0;
    if (v6[0] == 0x20 && v6[1] == 0x01 && (v6[2] & 0xFE) == 0x00)
        return 0;
    if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8)
        return 0;
    return 1;
}

size_t pii_parse_ipv4(const char *s, const char *end, uint32_t *out)
{
    const char *p = s;
    uint32_t a = 0;
    for (int k = 0; k < 4; k++) {
        if (k) {
            if (p >= end || *p != '.')
                return 0;
            p++;
        }
        unsigned v = 0;
        int nd = 0;
        while (p < end && is_digit(*p) && nd < 4) {
            v = v * 10 + (unsigned)(*p - '0');
            p++;
            nd++;
        }
        /* "010" is octal to some parsers and decimal to others: not an address */
        if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && p[-nd] == '0'))
            return 0;
        a = a << 8 | v;
    }
    *out = a;
    return (size_t)(p - s);
}

size_t pii_parse_ipv6(const char *s, const char *end, uint8_t out[16])
{
    uint16_t g[8];
    int ng = 0, gap = -1; /* gap: how many groups come before "::" */
    const char *p = s;
    if (p + 1 < end && p[0] == ':' && p[1] == ':') {
        gap = 0;
        p += 2;
    }
    while (ng < 8) {
        const char *q = p;
        unsigned v = 0;
        int nd = 0;
        while (q < end && is_hex(*q) && nd < 5) {
            v = v * 16 + (unsigned)hex_val(*q);
            q++;
            nd++;
        }
        if (nd == 0)
            break;
        if (nd > 4)
            return 0;
        if (q < end && *q == '.') { /* a dotted IPv4 tail: ::ffff:1.2.3.4 */
            uint32_t v4;
            size_t l = pii_parse_ipv4(p, end, &v4);
            if (!l || ng > 6)
                return 0;
            g[ng++] = (uint16_t)(v4 >> 16);
            g[ng++] = (uint16_t)v4;
            p += l;
            break;
        }
        g[ng++] = (uint16_t)v;
        p = q;
        if (p + 1 < end && p[0] == ':' && p[1] == ':') {
            if (gap >= 0)
                return 0;
            gap = ng;
            p += 2;
        } else if (p + 1 < end && p[0] == ':' && is_hex(p[1])) {
            p++;
        } else {
            break;
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)
        return 0;
    uint16_t full[8] = {0};
    if (gap < 0) {
        memcpy(full, g, sizeof full);
    } else {
        memcpy(full, g, (size_t)gap * sizeof *g);
        memcpy(full + 8 - (ng - gap), g + gap, (size_t)(ng - gap) * sizeof *g);
    }
    for (int i = 0; i < 8; i++) {
        out[2 * i] = (uint8_t)(full[i] >> 8);
        out[2 * i + 1] = (uint8_t)full[i];
    }
    return (size_t)(p - s);
}

/* The code point that ends at s[i] (i > 0); *start gets where it begins. */
static int cp_before(const char *s, size_t i, size_t *start)
{
    size_t k = i - 1;
    while (k > 0 && i - k < 4 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    *start = k;
    size_t j = k;
    return utf8_next(s, &j);
}

/* A word just before s[i] (spaces skipped) that makes the next number a
 * version, not an address: "version 1.2.3.4", "v 10.0.0.1". */
static int after_version_word(const char *s, size_t i, const pii_words *words)
{
    size_t e = i;
    while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '.'))
        e--;
    size_t b = e, k;
    while (b > 0 && e - b < 16 && cp_is_letter(cp_before(s, b, &k)))
        b = k;
    for (size_t k = 0; k < words->n; k++) {
        const char *w = words->v[k];
        size_t n = strlen(w);
        if (e - b != n)
            continue;
        size_t j = 0;
        while (j < n && (is_alpha(w[j]) ? (s[b + j] | 0x20) == w[j] : s[b + j] == w[j]))
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

/* An address starting at s[i] (the caller checked what comes before): its
 * length when it is one a person may be reached at, else 0.  *consumed says
 * how far the scan may skip either way. */
static size_t ip_at(const char *s, size_t len, size_t i, const pii_cues *cues, size_t *consumed)
{
    const char *end = s + len;
    uint32_t v4;
    uint8_t v6[16];
    *consumed = 1;
    size_t l = pii_parse_ipv6(s + i, end, v6);
    if (l) {
        *consumed = l;
        int c = i + l < len ? (unsigned char)s[i + l] : 0;
        int c2 = i + l + 1 < len ? (unsigned char)s[i + l + 1] : 0;
        if (is_alnum(c) || c == '_' || (c == ':' && (is_hex(c2) || c2 == ':')) || (c == '.' && is_digit(c2)))
            return 0;
        return pii_ipv6_is_global(v6) ? l : 0;
    }
    if (!is_digit(s[i]))
        return 0;
    l = pii_parse_ipv4(s + i, end, &v4);
    if (!l)
        return 0;
    *consumed = l;
    int c = i + l < len ? (unsigned char)s[i + l] : 0;
    int c2 = i + l + 1 < len ? (unsigned char)s[i + l + 1] : 0;
    if (is_alnum(c) || c == '_' || ((c == '.' || c == '-') && is_digit(c2)))
        return 0; /* 1.2.3.4.5, 1.2.3.4-6: part of something longer */
    if (after_version_word(s, i, &cues->version_words))
        return 0;
    return pii_ipv4_is_global(v4) ? l : 0;
}

/* ---- e-mail ----------------------------------------------------------------- */

static int local_ok(int cp)
{
    return cp < 0x80 ? is_alnum(cp) || cp == '.' || cp == '_' || cp == '%' || cp == '+' || cp == '-'
                     : cp_is_letter(cp);
}

static int label_ok(int cp) { return cp < 0x80 ? is_alnum(cp) || cp == '-' : cp_is_letter(cp); }

/* Endings of file names that look like a top-level domain: "icon@2x.png". */
static int file_suffix(const char *s, size_t n, const pii_words *ext)
{
    for (size_t k = 0; k < ext->n; k++)
        if (strlen(ext->v[k]) == n && !strncasecmp(s, ext->v[k], n))
            return 1;
    return 0;
}

/* An address around the '@' at s[at]: *start, *end; 1 when it is one. */
static int email_at(const char *s, size_t len, size_t at, size_t floor, const pii_cues *cues, size_t *start,
                    size_t *end)
{
    size_t j = at;
    while (j > floor) {
        size_t k;
        int cp = cp_before(s, j, &k);
        if (!local_ok(cp))
            break;
        j = k;
        if (at - j > EMAIL_LOCAL_MAX)
            return 0;
    }
    while (j < at && s[j] == '.')
        j++;
    if (j == at || s[at - 1] == '.')
        return 0;
    for (size_t k = j; k + 1 < at; k++)
        if (s[k] == '.' && s[k + 1] == '.')
            return 0;

    size_t k = at + 1, labels = 0, last = k, limit = at + 1 + EMAIL_DOMAIN_MAX;
    int tld_alpha = 1;
    for (;;) {
        size_t b = k;
        tld_alpha = 1;
        while (k < len && k < limit) {
            size_t n = k;
            int cp = utf8_next(s, &n);
            if (!label_ok(cp))
                break;
            if (cp < 0x80 && !is_alpha(cp))
                tld_alpha = 0;
            k = n;
        }
        if (k == b || k - b > 63 || s[b] == '-' || s[k - 1] == '-')
            return 0;
        labels++;
        last = b;
        if (k + 1 < len && s[k] == '.' && k + 1 < limit) {
            size_t n = k + 1;
            if (label_ok(utf8_next(s, &n))) {
                k++;
                continue;
            }
        }
        break;
    }
    if (k >= limit)
        return 0;
    size_t tld = k - last;
    int idn = tld > 4 && !strncasecmp(s + last, "xn--", 4);
    if (labels < 2 || tld < 2 || (!tld_alpha && !idn) || file_suffix(s + last, tld, &cues->file_suffixes))
        return 0;
    *start = j;
    *end = k;
    return 1;
}

/* ---- phone numbers ------------------------------------------------------------- */

typedef struct group {
    size_t start, end; /* digits only */
    char sep;          /* what came before: 0 (first), ' ', '-', '.', '/', '(' */
} group;

/* 1-byte, NBSP or narrow NBSP space; its length or 0. */
static size_t space_at(const char *s, size_t len, size_t i)
{
    if (i < len && s[i] == ' ')
        return 1;
    if (i + 1 < len && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0)
        return 2;
    if (i + 2 < len && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0xAF)
        return 3;
    return 0;
}

static int icase_in(const char *w, size_t wn, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= wn; i++) {
        size_t j = 0;
        while (j < n && (is_alpha(needle[j]) ? (w[i + j] | 0x20) == needle[j] : w[i + j] == needle[j]))
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

/* The few bytes before a number on its line: "Tel.:", "ISBN". */
static int context_has(const char *s, size_t i, const pii_words *words)
{
    size_t b = i > 24 ? i - 24 : 0;
    for (size_t k = i; k > b; k--)
        if (s[k - 1] == '\n') {
            b = k;
            break;
        }
    for (size_t k = 0; k < words->n; k++)
        if (icase_in(s + b, i - b, words->v[k]))
            return 1;
    return 0;
}

/* A word that names what follows as a phone number, right before it:
 * "Tel.: ", "phone - ".  Whole words only (not "hotel 12 34 567"). */
static int phone_word_before(const char *s, size_t i, const pii_words *words)
{
    size_t e = i, gap = 0;
    while (e > 0 && gap < 6) {
        unsigned char c = (unsigned char)s[e - 1];
        if (c == ' ' || c == '\t' || c == '.' || c == ':' || c == '-')
            e--, gap++;
        else if (c == 0xA0 && e > 1 && (unsigned char)s[e - 2] == 0xC2)
            e -= 2, gap++;
        else
            break;
    }
    if (e == 0 || !(is_alpha(s[e - 1]) || ((unsigned char)s[e - 1] & 0x80)))
        return 0;
    for (size_t k = 0; k < words->n; k++) {
        size_t n = strlen(words->v[k]);
        if (e < n || !icase_in(s + e - n, n, words->v[k]))
            continue;
        unsigned char b = e > n ? (unsigned char)s[e - n - 1] : ' ';
        if (!is_alpha(b) && b < 0x80)
            return 1;
    }
    return 0;
}

static unsigned num(const char *s, const group *g)
{
    unsigned v = 0;
    for (size_t i = g->start; i < g->end && i < g->start + 9; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

static int is_date(const char *s, const group *g, size_t n)
{
    if (n != 3 || g[1].sep != g[2].sep || (g[1].sep != '.' && g[1].sep != '/' && g[1].sep != '-'))
        return 0;
    size_t d0 = g[0].end - g[0].start, d1 = g[1].end - g[1].start, d2 = g[2].end - g[2].start;
    unsigned a = num(s, &g[0]), b = num(s, &g[1]), c = num(s, &g[2]);
    if (d0 == 4 && d1 <= 2 && d2 <= 2)
        return b >= 1 && b <= 12 && c >= 1 && c <= 31;
    if (d0 <= 2 && d1 <= 2 && (d2 == 4 || d2 == 2))
        return a >= 1 && a <= 31 && b >= 1 && b <= 31 && (a <= 12 || b <= 12);
    return 0;
}

static int is_isbn13(const char *digits, size_t n)
{
    if (n != 13 || (memcmp(digits, "978", 3) && memcmp(digits, "979", 3)))
        return 0;
    int sum = 0;
    for (int i = 0; i < 13; i++)
        sum += (digits[i] - '0') * (i % 2 ? 3 : 1);
    return sum % 10 == 0;
}

/* A price next to the number: "$ 555 1234", "1 200 000 UAH". */
static int near_currency(const char *s, size_t len, size_t start, size_t end, const pii_cues *cues)
{
    const pii_words *before = &cues->currency_before, *after = &cues->currency_after;
    size_t b = start;
    if (b > 0 && s[b - 1] == ' ')
        b--;
    for (size_t k = 0; k < before->n; k++) {
        size_t n = strlen(before->v[k]);
        if (b >= n && !memcmp(s + b - n, before->v[k], n))
            return 1;
    }
    size_t a = end + space_at(s, len, end);
    for (size_t k = 0; k < after->n; k++) {
        size_t n = strlen(after->v[k]);
        if (a + n <= len && !strncasecmp(s + a, after->v[k], n))
            return 1;
    }
    return 0;
}

/* A phone number starting at s[i] ('+', '(' or a digit; the caller checked
 * what comes before): its end, or 0.  *consumed: how far to skip either way. */
static size_t phone_at(const char *s, size_t len, size_t i, const pii_cues *cues, size_t *consumed)
{
    group g[PHONE_GROUPS_MAX];
    size_t n = 0, p = i, digits = 0;
    char flat[PHONE_DIGITS_MAX + 1];
    int plus = s[p] == '+';
    p += plus;
    *consumed = 1;
    while (n < PHONE_GROUPS_MAX && p - i < PHONE_BYTES_MAX) {
        size_t q = p, sp;
        char sep = 0;
        if (n > 0) { /* one separator, or none right after "(0)" */
            if ((sp = space_at(s, len, q))) {
                sep = ' ';
                q += sp;
            } else if (q < len && (s[q] == '-' || s[q] == '.' || s[q] == '/')) {
                sep = s[q++];
            }
        }
        int paren = q < len && s[q] == '(' && (n > 0 || !plus);
        if (paren) {
            q++;
            sep = '(';
        }
        if (n > 0 && !sep && s[p - 1] != ')')
            break;
        size_t b = q;
        while (q < len && is_digit(s[q]))
            q++;
        if (q == b || (paren && (q >= len || s[q] != ')')))
            break;
        if (digits + (q - b) > PHONE_DIGITS_MAX) {
            *consumed = q - i;
            return 0; /* longer than any phone number: an id, a table of numbers */
        }
        memcpy(flat + digits, s + b, q - b);
        digits += q - b;
        g[n++] = (group){b, q, sep};
        p = q + paren;
    }
    *consumed = p > i ? p - i : 1;
    if (n == 0)
        return 0;
    /* What follows must end the number: no letter, no further group. */
    if (p < len && (is_alnum(s[p]) || s[p] == '_'))
        return 0;
    if (p + 1 < len && (s[p] == '-' || s[p] == '.' || s[p] == '/' || s[p] == ',') && is_digit(s[p + 1]))
        return 0;

    size_t d[PHONE_GROUPS_MAX];
    int small_late = 0, has_dot = 0, has_slash = 0;
    for (size_t k = 0; k < n; k++) {
        d[k] = g[k].end - g[k].start;
        if (k >= 2 && d[k] < 2)
            small_late = 1;
        has_dot |= g[k].sep == '.';
        has_slash |= g[k].sep == '/';
    }
    /* Never a phone number, whatever the context: a date, a year range
     * anywhere in it ("1 000 1990-2000"), the tail of a longer number. */
    if (is_date(s, g, n))
        return 0;
    for (size_t k = 1; k < n; k++)
        if (d[k - 1] == 4 && d[k] == 4 && g[k].sep != ' ' && num(s, &g[k - 1]) >= 1000 && num(s, &g[k - 1]) < 3000 &&
            num(s, &g[k]) >= 1000 && num(s, &g[k]) < 3000)
            return 0;
    if (is_digit(s[i]) && i >= 2 && s[i - 1] == ' ' && is_digit(s[i - 2]))
        return 0;
    if (n == 2 && g[1].sep == '.')
        return 0; /* a decimal number */
    if (is_isbn13(flat, digits))
        return 0;

    int paren0 = s[i] == '(';
    int ok = 0;
    if (plus || (s[i] == '0' && s[i + 1] == '0' && d[0] >= 4)) /* international: +CC or 00CC */
        ok = digits >= (plus ? 8u : 10u) && !small_late && !has_slash;
    else if (paren0) /* (555) 123-4567, (044) 123-45-67 */
        ok = d[0] >= 2 && d[0] <= 5 && digits >= 7 && digits <= 12 && n >= 2 && !has_dot && !has_slash &&
             !small_late;
    else if (s[i] == '0' && s[i + 1] != '0' && d[0] >= 2) /* trunk prefix: 020 7946 0958, 044-123-45-67, 030/1234567 */
        ok = n >= 2 && digits >= 9 && digits <= 12 && !has_dot && !small_late && d[1] >= 2;
    else if (n == 3 && d[0] == 3 && d[1] == 3 && d[2] == 4 && g[1].sep == g[2].sep &&
             (g[1].sep == '-' || g[1].sep == '.')) /* North American 555-123-4567 */
        ok = s[g[0].start] >= '2' && s[g[1].start] >= '2';
    if (!ok && phone_word_before(s, i, &cues->phone_cues))
        ok = digits >= 7 && !small_late && !has_slash && (n > 1 || d[0] <= 12);
    /* the context last: only a number that looks like a phone pays for it */
    if (!ok || context_has(s, i, &cues->isbn_cues) || near_currency(s, len, i, p, cues))
        return 0;
    return p;
}

/* ---- the scan ----------------------------------------------------------------- */

void pii_find(const char *s, size_t len, unsigned kinds, const pii_cues *cues, pii_hits *out)
{
    pii_hits mail = {0};
    if (kinds & (1u << PII_EMAIL)) {
        size_t floor = 0;
        const char *p = s;
        while ((p = memchr(p, '@', len - (size_t)(p - s)))) {
            size_t at = (size_t)(p - s), b, e;
            if (email_at(s, len, at, floor, cues, &b, &e)) {
                push(&mail, b, e, PII_EMAIL);
                floor = e;
                p = s + e;
                if (e >= len)
                    break;
            } else {
                p++;
            }
        }
    }
    unsigned rest = kinds & ((1u << PII_IP) | (1u << PII_PHONE));
    size_t m = 0;
    for (size_t i = 0; i < len && rest;) {
        if (m < mail.n && i >= mail.v[m].start) {
            push(out, mail.v[m].start, mail.v[m].end, PII_EMAIL);
            i = mail.v[m++].end;
            continue;
        }
        unsigned char c = (unsigned char)s[i], prev = i ? (unsigned char)s[i - 1] : ' ';
        size_t limit = m < mail.n ? mail.v[m].start : len, skip = 1, e;
        if (is_alnum(prev) || prev == '_' || prev == '.' || prev == ':') {
            i++;
            continue;
        }
        if ((rest & (1u << PII_IP)) && (is_hex(c) || c == ':') && (e = ip_at(s, len, i, cues, &skip)) && i + e <= limit) {
            push(out, i, i + e, PII_IP);
            i += e;
            continue;
        }
        if ((rest & (1u << PII_PHONE)) && (c == '+' || c == '(' || is_digit(c)) && prev != '-' && prev != '/' &&
            prev != ',' && prev != '+') {
            size_t pskip;
            e = phone_at(s, len, i, cues, &pskip);
            if (e && e <= limit) {
                push(out, i, e, PII_PHONE);
                i = e;
                continue;
            }
            if (pskip > skip)
                skip = pskip;
        }
        /* skip the run just parsed, but never into an address found already */
        i = i + skip < limit ? i + skip : limit;
    }
    for (; m < mail.n; m++)
        push(out, mail.v[m].start, mail.v[m].end, PII_EMAIL);
    pii_hits_free(&mail);
}
