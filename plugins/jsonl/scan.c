/* scan.c -- a JSON object scanned in place, for the JSONL reader.
 *
 * jansson builds a tree and decodes every string a character at a time; on
 * a corpus of news pages that was three quarters of the reader and half of
 * a whole dedup run.  A JSONL line is an object whose one big member is the
 * text: this checks the syntax in one pass, hands each member over as raw
 * JSON, and the reader decodes the text straight into the document (small
 * members still go through jansson, via meta_set_json).  Strings are
 * checked for JSON's rules here; their UTF-8 is checked by the core (the
 * text) or by jscan_utf8_valid (keys, ids). */
#include "scan.h"

#include <string.h>

#include "util.h"

#define MAX_DEPTH 512

static size_t ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

static int hex(int c) { return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1; }

static long hex4(const char *s)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hex((unsigned char)s[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The string starting at s[i] == '"': the index past its closing quote, or 0. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n;) {
        i += json_plain_run(s + i, n - i);
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return 0;
        if (++i >= n) /* a backslash */
            return 0;
        c = (unsigned char)s[i];
        if (c == 'u') {
            if (i + 4 >= n || hex4(s + i + 1) < 0)
                return 0;
            i += 5;
        } else if (strchr("\"\\/bfnrt", c) && c) {
            i++;
        } else {
            return 0;
        }
    }
    return 0;
}

static size_t skip_value(const char *s, size_t n, size_t i, int depth);

static size_t skip_number(const char *s, size_t n, size_t i)
{
    size_t start = i;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    return i > start ? i : 0;
}

/* An array or object starting at s[i]; the index past it, or 0. */
static size_t skip_container(const char *s, size_t n, size_t i, int depth)
{
    char close = s[i] == '{' ? '}' : ']';
    int object = close == '}';
    if (depth > MAX_DEPTH)
        return 0;
    i = ws(s, n, i + 1);
    if (i < n && s[i] == close)
        return i + 1;
    for (;;) {
        if (object) {
            if (i >= n || s[i] != '"' || !(i = skip_string(s, n, i)))
                return 0;
            i = ws(s, n, i);
            if (i >= n || s[i] != ':')
                return 0;
            i = ws(s, n, i + 1);
        }
        if (!(i = skip_value(s, n, i, depth + 1)))
            return 0;
        i = ws(s, n, i);
        if (i < n && s[i] == ',') {
            i = ws(s, n, i + 1);
            continue;
        }
        return i < n && s[i] == close ? i + 1 : 0;
    }
}

static size_t skip_value(const char *s, size_t n, size_t i, int depth)
{
    if (i >= n)
        return 0;
    switch (s[i]) {
    case '"': return skip_string(s, n, i);
    case '{':
    case '[': return skip_container(s, n, i, depth);
    case 't': return n - i >= 4 && !memcmp(s + i, "true", 4) ? i + 4 : 0;
    case 'f': return n - i >= 5 && !memcmp(s + i, "false", 5) ? i + 5 : 0;
    case 'n': return n - i >= 4 && !memcmp(s + i, "null", 4) ? i + 4 : 0;
    default: return skip_number(s, n, i);
    }
}

static char *put_utf8(char *o, long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

ssize_t jscan_string(const char *val, size_t vlen, char *out)
{
    const char *s = val + 1, *end = val + vlen - 1; /* inside the quotes */
    char *o = out;
    while (s < end) {
        const char *bs = memchr(s, '\\', (size_t)(end - s));
        size_t run = bs ? (size_t)(bs - s) : (size_t)(end - s);
        memmove(o, s, run); /* most texts: one run; in place, o is at or before s */
        o += run;
        s += run;
        if (!bs)
            break;
        char c = s[1];
        s += 2;
        switch (c) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            long cp = hex4(s);
            s += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return -1; /* a low surrogate first */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long lo = end - s >= 6 && s[0] == '\\' && s[1] == 'u' ? hex4(s + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            }
            o = put_utf8(o, cp);
            break;
        }
        default: *o++ = c; /* " \ / */
        }
    }
    return o - out;
}

int jscan_utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!len || i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) || (c == 0xF0 && s[i + 1] < 0x90) ||
            (c == 0xF4 && s[i + 1] >= 0x90))
            return 0; /* overlong, surrogate, or past U+10FFFF */
        i += len;
    }
    return 1;
}

int jscan_object(const char *s, size_t n, jscan_member fn, void *ctx, const char **why)
{
    char key[1024];
    size_t i = ws(s, n, 0);
    *why = "not an object";
    if (i >= n || s[i] != '{')
        return -1;
    *why = "not JSON";
    i = ws(s, n, i + 1);
    if (i < n && s[i] == '}')
        return ws(s, n, i + 1) == n ? 0 : -1;
    for (;;) {
        size_t k = i;
        if (i >= n || s[i] != '"' || !(i = skip_string(s, n, i)))
            return -1;
        size_t klen = i - k;
        if (klen > sizeof key) {
            *why = "a key longer than 1 KiB";
            return -1;
        }
        ssize_t kn = jscan_string(s + k, klen, key);
        if (kn < 0 || memchr(key, '\0', (size_t)kn) || !jscan_utf8_valid(key, (size_t)kn))
            return -1;
        key[kn] = '\0';
        i = ws(s, n, i);
        if (i >= n || s[i] != ':')
            return -1;
        size_t v = i = ws(s, n, i + 1);
        if (!(i = skip_value(s, n, i, 1)))
            return -1;
        int rc = fn(ctx, key, s + v, i - v);
        if (rc)
            return rc;
        i = ws(s, n, i);
        if (i < n && s[i] == ',') {
            i = ws(s, n, i + 1);
            continue;
        }
        if (i < n && s[i] == '}')
            return ws(s, n, i + 1) == n ? 0 : -1;
        return -1;
    }
}
