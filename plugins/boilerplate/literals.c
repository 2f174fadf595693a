/* literals.c -- see literals.h.
 *
 * The analysis reads only the shapes rule files use: at the top level of a
 * pattern, a sequence of plain characters, escapes, classes and groups, each
 * maybe quantified.  Whatever it does not understand (a top-level |, option
 * settings such as (?x), named groups, \Q...\E, \x41, back-references, verbs)
 * gives no needles, which is always safe: the rule is then tried on every
 * line, as without this file. */
#include "literals.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "simd.h"
#include "util.h"

/* ---- folding ---------------------------------------------------------- */

/* Needles hold only these: ASCII and the basic Cyrillic block. */
static int foldable(int cp) { return cp < 0x80 || (cp >= 0x400 && cp < 0x460); }

static int fold_cp(int cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp | 0x20 : cp;
    if (cp >= 0x410 && cp < 0x430)
        return cp + 0x20;
    if (cp >= 0x400 && cp < 0x410)
        return cp + 0x50;
    if (cp >= 0x430 && cp < 0x460)
        return cp;
    /* The rest, rare in this text: through upper case, so that the Kelvin
     * sign, the long s and U+1C80.. meet k, s and their Cyrillic letters. */
    return utf8proc_tolower(utf8proc_toupper(cp));
}

static size_t put(char *out, int cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    return (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
}

/* One character at s[*i] folded into out; the bytes written. */
static size_t fold_one(const char *s, size_t *i, size_t len, char *out)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        out[0] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        (*i)++;
        return 1;
    }
    if (c == 0xD0 && *i + 1 < len) { /* U+0400..U+043F, fold_cp's first two cases on bytes */
        unsigned char d = (unsigned char)s[*i + 1];
        *i += 2;
        if (d < 0x90) /* U+0400..U+040F -> U+0450.. */
            return out[0] = (char)0xD1, out[1] = (char)(d + 0x10), 2;
        if (d < 0xA0) /* U+0410..U+041F -> U+0430.. */
            return out[0] = (char)0xD0, out[1] = (char)(d + 0x20), 2;
        if (d < 0xB0) /* U+0420..U+042F -> U+0440.. */
            return out[0] = (char)0xD1, out[1] = (char)(d - 0x20), 2;
        return out[0] = (char)c, out[1] = (char)d, 2;
    }
    return put(out, fold_cp(utf8_next(s, i)));
}

#ifdef __SSE2__
/* fold_one() on sixteen bytes at s, where they hold only ASCII and the
 * letters U+0400..U+045F (leads D0 and D1 80..9F), which fold in place:
 * the bytes written, 15 when the last is a lead, 0 when the block holds
 * anything else.  s starts a character. */
static size_t fold16(const char *s, char *out)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)s);
    const __m128i x = _mm_xor_si128(v, _mm_set1_epi8((char)0x80)); /* signed: ASCII < 0 <= cont < 0x40 <= lead */
    const __m128i lead = _mm_cmpgt_epi8(x, _mm_set1_epi8(0x3F));
    const __m128i d0 = sse_is(v, (char)0xD0), d1 = sse_is(v, (char)0xD1);
    const __m128i prev = _mm_slli_si128(v, 1); /* the byte before, for continuation bytes */
    const __m128i after_d0 = sse_is(prev, (char)0xD0), after_d1 = sse_is(prev, (char)0xD1);
    __m128i bad = _mm_andnot_si128(_mm_or_si128(d0, d1), lead);              /* other leads */
    bad = _mm_or_si128(bad, _mm_and_si128(after_d1, _mm_cmpgt_epi8(x, _mm_set1_epi8(0x1F)))); /* U+0460.. */
    if (_mm_movemask_epi8(bad))
        return 0;
    /* After D0: 80..8F +0x10 and lead D1; 90..9F +0x20; A0..AF -0x20 and lead D1. */
    const __m128i lo = _mm_and_si128(after_d0, _mm_cmplt_epi8(x, _mm_set1_epi8(0x10)));
    const __m128i mid = _mm_and_si128(_mm_andnot_si128(lo, after_d0), _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
    const __m128i hi = _mm_and_si128(_mm_andnot_si128(_mm_or_si128(lo, mid), after_d0),
                                     _mm_cmplt_epi8(x, _mm_set1_epi8(0x30)));
    __m128i delta = _mm_and_si128(sse_in(v, 'A', 'Z'), _mm_set1_epi8(0x20));
    delta = _mm_or_si128(delta, _mm_and_si128(lo, _mm_set1_epi8(0x10)));
    delta = _mm_or_si128(delta, _mm_and_si128(mid, _mm_set1_epi8(0x20)));
    delta = _mm_or_si128(delta, _mm_and_si128(hi, _mm_set1_epi8((char)0xE0)));
    const __m128i to_d1 = _mm_srli_si128(_mm_or_si128(lo, hi), 1); /* on the lead: all ones, i.e. minus -1 */
    _mm_storeu_si128((__m128i *)out, _mm_sub_epi8(_mm_add_epi8(v, delta), to_d1));
    return _mm_movemask_epi8(lead) & 0x8000 ? 15 : 16;
}
#endif

size_t lit_fold(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
#ifdef __SSE2__
        if (i + 16 <= len) {
            size_t n = fold16(s + i, out + o);
            if (n) {
                i += n, o += n;
                continue;
            }
        }
#endif
        /* A block fold16 refused goes here whole: retrying at every
         * character would test the same bytes sixteen times. */
        for (size_t stop = i + 16; i < len && i < stop;)
            o += fold_one(s, &i, len, out + o);
    }
    return o;
}

/* ---- positions ---------------------------------------------------------- */

static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Is a character that ends in the bytes p2 p1 surely a letter? */
static int letter_ends(unsigned char p1, unsigned char p2)
{
    return (p1 >= 'a' && p1 <= 'z') || (is_cont(p1) && (p2 == 0xD0 || p2 == 0xD1));
}

int lit_after_nonletter(const char *f, size_t i)
{
    return i == 0 || !letter_ends((unsigned char)f[i - 1], i >= 2 ? (unsigned char)f[i - 2] : ' ');
}

void lit_classify16(const char *f, unsigned *starts, unsigned *after_nonletter)
{
#ifdef __SSE2__
    const __m128i v = _mm_loadu_si128((const __m128i *)f), p1 = _mm_loadu_si128((const __m128i *)(f - 1)),
                  p2 = _mm_loadu_si128((const __m128i *)(f - 2));
    const __m128i bias = _mm_set1_epi8((char)0x80); /* signed: continuation bytes become 0..0x3F */
    const __m128i x = _mm_xor_si128(v, bias), x1 = _mm_xor_si128(p1, bias);
    const __m128i cont = sse_in(x, 0, 0x3F), cont1 = sse_in(x1, 0, 0x3F);
    const __m128i cyr_lead2 = _mm_or_si128(sse_is(p2, (char)0xD0), sse_is(p2, (char)0xD1));
    const __m128i letter1 = _mm_or_si128(sse_in(p1, 'a', 'z'), _mm_and_si128(cont1, cyr_lead2));
    *starts = (unsigned)_mm_movemask_epi8(cont) ^ 0xFFFFu;
    *after_nonletter = *starts & ~(unsigned)_mm_movemask_epi8(letter1);
#else
    *starts = *after_nonletter = 0;
    for (size_t k = 0; k < 16; k++) {
        if (is_cont((unsigned char)f[k]))
            continue;
        *starts |= 1u << k;
        if (!letter_ends((unsigned char)f[(ptrdiff_t)k - 1], (unsigned char)f[(ptrdiff_t)k - 2]))
            *after_nonletter |= 1u << k;
    }
#endif
}

/* ---- the pattern ------------------------------------------------------ */

/* A plain character at p (or an escaped punctuation mark): its length in the
 * pattern and its code point; 0 when p holds something else. */
static size_t literal(const char *p, int *cp)
{
    unsigned char c = (unsigned char)*p;
    if (!c)
        return 0;
    if (c == '\\') {
        unsigned char e = (unsigned char)p[1];
        if (e && e < 0x80 && ispunct(e)) {
            *cp = e;
            return 2;
        }
        return 0;
    }
    if (strchr(".^$*+?()[]{}|", c))
        return 0;
    size_t i = 0;
    *cp = utf8_next(p, &i);
    return i;
}

/* The quantifier at p: its length (0: none) and whether it allows zero
 * repeats; *bad when a { is not one PCRE2 would read as a quantifier. */
static size_t quantifier(const char *p, int *zero, int *bad)
{
    size_t n;
    *zero = 0;
    if (*p == '?' || *p == '*') {
        *zero = 1;
        n = 1;
    } else if (*p == '+') {
        n = 1;
    } else if (*p == '{') {
        const char *q = p + 1;
        if (!isdigit((unsigned char)*q)) {
            *bad = 1;
            return 0;
        }
        long min = strtol(q, (char **)&q, 10);
        if (*q == ',')
            for (q++; isdigit((unsigned char)*q); q++)
                ;
        if (*q != '}') {
            *bad = 1;
            return 0;
        }
        *zero = min == 0;
        n = (size_t)(q + 1 - p);
    } else {
        return 0;
    }
    if (p[n] == '?' || p[n] == '+') /* lazy or possessive */
        n++;
    return n;
}

/* Just past the class opening at p[i], 0 if it does not close. */
static size_t class_end(const char *p, size_t i)
{
    i++;
    if (p[i] == '^')
        i++;
    if (p[i] == ']')
        i++;
    while (p[i] && p[i] != ']') {
        if (p[i] == '\\' && p[i + 1]) {
            i += 2;
        } else if (p[i] == '[' && p[i + 1] == ':') {
            const char *e = strstr(p + i + 2, ":]");
            if (!e)
                return 0;
            i = (size_t)(e - p) + 2;
        } else {
            i++;
        }
    }
    return p[i] ? i + 1 : 0;
}

/* Just past the group opening at p[i], 0 if it does not close. */
static size_t group_end(const char *p, size_t i)
{
    int depth = 0;
    while (p[i]) {
        if (p[i] == '\\') {
            if (!p[i + 1])
                return 0;
            i += 2;
            continue;
        }
        if (p[i] == '[') {
            if (!(i = class_end(p, i)))
                return 0;
            continue;
        }
        if (p[i] == '(')
            depth++;
        else if (p[i] == ')' && --depth == 0)
            return i + 1;
        i++;
    }
    return 0;
}

void lit_free(char **needles, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(needles[i]);
    free(needles);
}

static void push(char ***v, size_t *n, const char *s, size_t len)
{
    *v = realloc(*v, (*n + 1) * sizeof **v);
    if (!*v || !((*v)[*n] = strndup(s, len)))
        abort();
    ++*n;
}

/* The alternatives of group content p[s..e), folded, when each is plain
 * characters only and none is empty; NULL otherwise. */
static char **alternatives(const char *p, size_t s, size_t e, size_t *n)
{
    char **alts = NULL;
    *n = 0;
    cv_buf cur = {0};
    for (size_t i = s;;) {
        if (i == e || p[i] == '|') {
            if (!cur.len)
                goto fail; /* an empty alternative: the group may match nothing */
            push(&alts, n, cur.p, cur.len);
            cur.len = 0;
            if (i++ == e)
                break;
            continue;
        }
        int cp, zero, bad = 0;
        size_t k = literal(p + i, &cp);
        if (!k || !foldable(cp) || i + k > e || quantifier(p + i + k, &zero, &bad) || bad)
            goto fail;
        char u[4];
        buf_add(&cur, u, put(u, fold_cp(cp)));
        i += k;
    }
    buf_free(&cur);
    return alts;
fail:
    buf_free(&cur);
    lit_free(alts, *n);
    *n = 0;
    return NULL;
}

/* The shortest alternative, in bytes. */
static size_t shortest(char **alts, size_t n)
{
    size_t m = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (strlen(alts[i]) < m)
            m = strlen(alts[i]);
    return m;
}

/* What is known of the character before a point of the pattern's match:
 * nothing, that it is no letter (or there is none: the start of the line),
 * or that \b stands there. */
enum { BEFORE_ANY, BEFORE_NONLETTER, BEFORE_BOUNDARY };

/* A folded needle starting with a word character (\w): ASCII letter, digit
 * or _, or a Cyrillic letter (lead byte D0/D1). */
static int starts_word(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    return isalnum(c) || c == '_' || c == 0xD0 || c == 0xD1;
}

/* The needles chosen so far, and whether the character before them is
 * never a letter. */
typedef struct pick {
    char **best;
    size_t nbest;
    int nonletter;
    size_t min_bytes;
} pick;

/* Keep the better of the best so far and alts (whose shortest is longer);
 * before: what is known of the character before alts. */
static void offer(pick *k, char **alts, size_t n, int before)
{
    size_t m = alts ? shortest(alts, n) : 0;
    if (m >= k->min_bytes && (!k->best || m > shortest(k->best, k->nbest))) {
        lit_free(k->best, k->nbest);
        k->best = alts;
        k->nbest = n;
        /* \b before a word character: the character before is no word character. */
        k->nonletter = before == BEFORE_NONLETTER || before == BEFORE_BOUNDARY;
        for (size_t i = 0; before == BEFORE_BOUNDARY && i < n; i++)
            k->nonletter &= starts_word(alts[i]);
    } else {
        lit_free(alts, n);
    }
}

static void end_run(cv_buf *run, pick *k, int before)
{
    if (run->len) {
        char **one = NULL;
        size_t n = 0;
        push(&one, &n, run->p, run->len);
        offer(k, one, n, before);
    }
    run->len = 0;
}

/* Does the class at p[i] (closing before e) match only characters that are
 * no letters: ASCII digits, spaces and punctuation, \d \s \h \v \W? */
static int nonletter_class(const char *p, size_t i, size_t e)
{
    if (p[i + 1] == '^')
        return 0;
    for (i++; i + 1 < e;) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\\') {
            if (!strchr("dshvW", p[i + 1]) && !(p[i + 1] && ispunct((unsigned char)p[i + 1])))
                return 0;
            i += 2;
        } else if (c < 0x80 && !isalpha(c) && c != '[' && c != '-') {
            i++;
        } else {
            return 0; /* letters, ranges, POSIX classes, anything else */
        }
    }
    return 1;
}

/* After an element that matches only non-letters: is the character before
 * the next point known to be no letter?  Yes if the element is mandatory, or
 * if it was already known before an optional one. */
static int after_nonletter(int before, int optional)
{
    return !optional || before == BEFORE_NONLETTER ? BEFORE_NONLETTER : BEFORE_ANY;
}

char **lit_needles(const char *p, size_t min_bytes, size_t *n, int *nonletter_before)
{
    pick k = {.min_bytes = min_bytes};
    cv_buf run = {0};
    int ok = 1;
    int before = BEFORE_ANY, run_before = BEFORE_ANY; /* now, and where the run began */
    for (size_t i = 0; ok && p[i];) {
        int cp, zero, bad = 0;
        size_t width, q;
        if (p[i] == '|' || p[i] == ')') { /* one alternative of several proves nothing */
            ok = 0;
        } else if (p[i] == '(') {
            end_run(&run, &k, run_before);
            size_t e = group_end(p, i), s = 0;
            int look = 0;
            if (!e)
                ok = 0;
            else if (p[i + 1] != '?')
                s = i + 1; /* capturing */
            else if (p[i + 2] == ':')
                s = i + 3;
            else if (p[i + 2] == '=' || p[i + 2] == '!' || (p[i + 2] == '<' && (p[i + 3] == '=' || p[i + 3] == '!')))
                look = 1; /* lookarounds are skipped: they consume nothing */
            else
                ok = 0; /* options, names, comments, verbs: not read here */
            q = ok ? quantifier(p + e, &zero, &bad) : 0;
            if (ok && !bad && s && !zero) {
                size_t na;
                char **alts = alternatives(p, s, e - 1, &na);
                offer(&k, alts, na, before);
            }
            if (look)
                before = e - i == 7 && !strncmp(p + i, "(?<!\\w)", 7) ? BEFORE_NONLETTER : before;
            else
                before = BEFORE_ANY;
            ok = ok && !bad;
            i = e + q;
        } else if (p[i] == '[') {
            end_run(&run, &k, run_before);
            size_t e = class_end(p, i);
            q = e ? quantifier(p + e, &zero, &bad) : 0;
            ok = e && !bad;
            before = ok && nonletter_class(p, i, e) ? after_nonletter(before, q && zero) : BEFORE_ANY;
            i = e + q;
        } else if ((width = literal(p + i, &cp)) && foldable(cp)) {
            q = quantifier(p + i + width, &zero, &bad);
            ok = !bad;
            if (q && zero) { /* an optional character is not in every match */
                end_run(&run, &k, run_before);
            } else {
                char u[4];
                if (!run.len)
                    run_before = before;
                buf_add(&run, u, put(u, fold_cp(cp)));
                if (q) /* repeated: in the match, but the run cannot go on past it */
                    end_run(&run, &k, run_before);
            }
            before = cp < 0x80 && !isalpha(cp) ? after_nonletter(before, q && zero) : BEFORE_ANY;
            i += width + q;
        } else if (p[i] == '\\') {
            /* An escape that is no character of its own: \s \d \w \b \p{L}...  One
             * that stands for a character (\x41, \101, \cA, \Q...) or refers to a
             * group is not read here. */
            end_run(&run, &k, run_before);
            char e = p[i + 1];
            width = 2;
            if ((e == 'p' || e == 'P') && p[i + 2] == '{') {
                const char *r = strchr(p + i + 2, '}');
                width = r ? (size_t)(r - (p + i)) + 1 : 0;
            } else if (e == 'p' || e == 'P') {
                width = p[i + 2] ? 3 : 0;
            } else if (!e || !strchr("sSdDwWbBhHvVRXAzZGtnrfea", e)) {
                width = 0;
            }
            q = width ? quantifier(p + i + width, &zero, &bad) : 0;
            ok = width && !bad;
            if (e == 'b' && !q)
                before = BEFORE_BOUNDARY;
            else if (e == 'A' && i == 0)
                before = BEFORE_NONLETTER;
            else if (width == 2 && strchr("sdWhvRtnrfea", e))
                before = after_nonletter(before, q && zero);
            else
                before = BEFORE_ANY;
            i += width + q;
        } else { /* . ^ $, a character outside the folded alphabet, a stray quantifier */
            end_run(&run, &k, run_before);
            int start = p[i] == '^' && i == 0;
            width = literal(p + i, &cp);
            if (!width) {
                if (strchr("*+?{", p[i]))
                    ok = 0;
                width = 1;
            }
            q = quantifier(p + i + width, &zero, &bad);
            ok = ok && !bad;
            before = start && !q ? BEFORE_NONLETTER : BEFORE_ANY;
            i += width + q;
        }
    }
    if (ok)
        end_run(&run, &k, run_before);
    buf_free(&run);
    if (!ok) {
        lit_free(k.best, k.nbest);
        k.best = NULL;
        k.nbest = 0;
    }
    *n = k.nbest;
    if (nonletter_before)
        *nonletter_before = k.best && k.nonletter;
    return k.best;
}
