/* charset.c -- see charset.h. */
#include "charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uchardet/uchardet.h>

/* A label as browsers read it, then as iconv names it; NULL for nonsense. */
static const char *canonical(const char *label, char *buf, size_t cap)
{
    size_t n = 0;
    while (*label && (isspace((unsigned char)*label) || *label == '"' || *label == '\''))
        label++;
    while (*label && !isspace((unsigned char)*label) && *label != '"' && *label != '\'' && *label != ';' &&
           n + 1 < cap)
        buf[n++] = (char)tolower((unsigned char)*label++);
    buf[n] = '\0';
    if (!n)
        return NULL;
    static const char *const map[][2] = {
        {"utf-8", "UTF-8"},         {"utf8", "UTF-8"},           {"unicode-1-1-utf-8", "UTF-8"},
        {"iso-8859-1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"}, {"latin1", "WINDOWS-1252"},
        {"l1", "WINDOWS-1252"},     {"ascii", "WINDOWS-1252"},   {"us-ascii", "WINDOWS-1252"},
        {"cp1252", "WINDOWS-1252"}, {"x-cp1252", "WINDOWS-1252"}, {"cp1251", "WINDOWS-1251"},
        {"x-cp1251", "WINDOWS-1251"}, {"win-1251", "WINDOWS-1251"}, {"koi8", "KOI8-R"},
        {"koi", "KOI8-R"},          {"csKOI8R", "KOI8-R"},       {"utf-16", "UTF-16LE"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(buf, map[i][0]))
            return map[i][1];
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    return buf;
}

const char *charset_param(const char *ct, char *buf, size_t cap)
{
    if (!ct)
        return NULL;
    for (const char *p = ct; (p = strchr(p, ';'));) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strncasecmp(p, "charset", 7)) {
            const char *v = p + 7;
            while (*v == ' ')
                v++;
            if (*v == '=')
                return canonical(v + 1, buf, cap);
        }
    }
    return NULL;
}

/* The HTML5 prescan, simplified: <meta charset=X>, or <meta http-equiv=
 * content-type content="...; charset=X">, in the first 1024 bytes. */
static const char *meta_charset(const char *d, size_t len, char *buf, size_t cap)
{
    size_t n = len < 1024 ? len : 1024;
    for (size_t i = 0; i + 5 < n; i++) {
        if (d[i] != '<' || strncasecmp(d + i + 1, "meta", 4) || !(isspace((unsigned char)d[i + 5]) || d[i + 5] == '/'))
            continue;
        const char *end = memchr(d + i, '>', len - i);
        size_t tlen = end ? (size_t)(end - (d + i)) : n - i;
        char tag[1024];
        if (tlen >= sizeof tag)
            tlen = sizeof tag - 1;
        for (size_t k = 0; k < tlen; k++)
            tag[k] = (char)tolower((unsigned char)d[i + k]);
        tag[tlen] = '\0';
        const char *c = strstr(tag, "charset");
        while (c) {
            const char *v = c + 7;
            while (*v == ' ')
                v++;
            if (*v == '=')
                return canonical(v + 1, buf, cap);
            c = strstr(c + 7, "charset");
        }
    }
    return NULL;
}

static int valid_utf8(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!n || i + n > len || (n == 2 && c < 0xC2))
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += n;
    }
    return 1;
}

static int ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* iconv from cs to UTF-8; a bad byte becomes U+FFFD.  -1: iconv does not know cs. */
static int convert(const char *cs, const char *data, size_t len, cv_buf *out)
{
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return -1;
    out->len = 0;
    buf_reserve(out, len * 2 + 16);
    char *in = (char *)data;
    size_t left = len;
    while (left) {
        buf_reserve(out, left * 3 + 16);
        char *o = out->p + out->len;
        size_t room = out->cap - out->len - 1, before = room;
        size_t rc = iconv(cd, &in, &left, &o, &room);
        out->len += before - room;
        if (rc == (size_t)-1) {
            if (errno == E2BIG)
                continue;
            buf_add(out, "\xEF\xBF\xBD", 3); /* EILSEQ or a cut sequence at the end */
            in++;
            left--;
        }
    }
    iconv_close(cd);
    out->p[out->len] = '\0';
    return 0;
}

void charset_decode(const char *data, size_t len, const char *declared, int html, cv_buf *out, const char **used,
                    const char **how)
{
    static __thread char names[3][64];
    const unsigned char *u = (const unsigned char *)data;
    const char *cs = NULL;
    *how = "default";
    if (len >= 3 && !memcmp(u, "\xEF\xBB\xBF", 3)) {
        cs = "UTF-8", *how = "bom";
        data += 3, len -= 3;
    } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        cs = "UTF-16LE", *how = "bom";
        data += 2, len -= 2;
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        cs = "UTF-16BE", *how = "bom";
        data += 2, len -= 2;
    } else if (declared && (cs = canonical(declared, names[0], sizeof names[0]))) {
        *how = "http";
    } else if (html && (cs = meta_charset(data, len, names[1], sizeof names[1]))) {
        *how = "meta";
        if (!strncmp(cs, "UTF-16", 6)) /* a page that says so in ASCII is not UTF-16 */
            cs = "UTF-8";
    } else if (valid_utf8((const unsigned char *)data, len)) {
        cs = "UTF-8", *how = "utf8";
    } else {
        uchardet_t ud = uchardet_new();
        uchardet_handle_data(ud, data, len < (1 << 20) ? len : (1 << 20));
        uchardet_data_end(ud);
        const char *g = uchardet_get_charset(ud);
        cs = g && *g ? canonical(g, names[2], sizeof names[2]) : NULL;
        /* uchardet takes short windows-1251 text for Mac Cyrillic, which
         * differs in a few letters and is all but absent from the web */
        if (cs && !strcmp(cs, "MAC-CYRILLIC"))
            cs = "WINDOWS-1251";
        uchardet_delete(ud);
        *how = cs ? "detected" : "default";
        if (!cs)
            cs = "WINDOWS-1252"; /* what browsers fall back to for Western pages */
    }
    /* Valid UTF-8 with non-ASCII in it is UTF-8 whatever a header says: no
     * real text in a one-byte charset is valid UTF-8 by chance, and servers
     * that send iso-8859-1 for UTF-8 pages are common. */
    if (strcmp(cs, "UTF-8") && strncmp(cs, "UTF-16", 6) && !ascii(data, len) &&
        valid_utf8((const unsigned char *)data, len)) {
        cs = "UTF-8";
        *how = "utf8";
    }
    if (!strcmp(cs, "UTF-8") || convert(cs, data, len, out) < 0) {
        out->len = 0;
        buf_add(out, data, len); /* UTF-8, or a charset iconv lacks: the core repairs what is invalid */
        if (strcmp(cs, "UTF-8"))
            *how = "unknown";
        cs = "UTF-8";
    }
    *used = cs;
}
