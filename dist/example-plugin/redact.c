/* redact.c -- an out-of-tree convert plugin: masks personal data.
 *
 * A step that replaces e-mail addresses, phone numbers and IBANs (checked
 * with their mod-97 checksum, so random letter-digit runs stay) by a
 * placeholder such as [EMAIL].  Built against the installed SDK only:
 * <convert/plugin.h> plus PCRE2, which the plugin links itself.
 *
 *   convert --plugin-path build -c my.yaml      # steps: [{plugin: redact}]
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <convert/plugin.h>
#include <ctype.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options land in this struct: the table says where each goes, the core
 * parses and checks them against it before create(), and --describe shows
 * its help lines. */
typedef struct redact_opts {
    cv_strlist kinds;
    const char *replacement;
} redact_opts;

static const cv_optmap redact_optmap[] = {
    {.key = "kinds", .type = CV_OPT_LIST, .default_value = "[email, phone, iban]",
     .offset = offsetof(redact_opts, kinds), .help = "what to mask: email, phone, iban"},
    {.key = "replacement", .type = CV_OPT_STRING, .default_value = "[{KIND}]",
     .offset = offsetof(redact_opts, replacement), .help = "the mask; {KIND} becomes EMAIL, PHONE or IBAN"},
    {0},
};

/* In the order they are masked: IBANs before phone numbers, whose digit
 * groups an IBAN contains. */
enum { IBAN, EMAIL, PHONE, NKINDS };
static const char *const kind_names[NKINDS] = {"iban", "email", "phone"};
static const char *const patterns[NKINDS] = {
    "\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b",
    "[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}-]+(?:\\.[\\p{L}\\p{N}-]+)*\\.\\p{L}{2,}",
    "(?<![\\w+])(?:\\+\\d{1,3}[ -]?)?(?:\\(\\d{1,4}\\)[ -]?)?\\d{2,4}(?:[ -]\\d{2,4}){1,4}(?![\\w])",
};

typedef struct redact {
    const cv_host *host;
    cv_ctx *ctx;
    pcre2_code *re[NKINDS];
    pcre2_match_data *md;
    char mask[NKINDS][64];
    char *out;
    size_t cap;
} redact;

static void redact_destroy(void *p)
{
    redact *r = p;
    for (int k = 0; k < NKINDS; k++)
        pcre2_code_free(r->re[k]);
    pcre2_match_data_free(r->md);
    free(r->out);
    free(r);
}

static void *redact_create(const cv_host *h, cv_ctx *ctx)
{
    redact *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->host = h;
    r->ctx = ctx;
    redact_opts o;
    h->opt_load(ctx, &o);
    const char *repl = o.replacement;
    for (size_t i = 0; i < o.kinds.n; i++) {
        const char *want = o.kinds.items[i];
        int k = 0;
        while (k < NKINDS && strcmp(kind_names[k], want))
            k++;
        if (k == NKINDS) {
            h->error(ctx, "unknown kind '%s' (email, phone, iban)", want);
            redact_destroy(r);
            return NULL;
        }
        int code;
        PCRE2_SIZE off;
        r->re[k] = pcre2_compile((PCRE2_SPTR)patterns[k], PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &code, &off, NULL);
        if (!r->re[k]) {
            h->error(ctx, "internal pattern %d does not compile", k);
            redact_destroy(r);
            return NULL;
        }
        pcre2_jit_compile(r->re[k], PCRE2_JIT_COMPLETE);
        /* the mask for this kind: replacement with {KIND} filled in */
        const char *hole = strstr(repl, "{KIND}");
        char upper[8];
        for (size_t c = 0; c <= strlen(kind_names[k]); c++)
            upper[c] = (char)toupper((unsigned char)kind_names[k][c]);
        if (hole)
            snprintf(r->mask[k], sizeof r->mask[k], "%.*s%s%s", (int)(hole - repl), repl, upper, hole + 6);
        else
            snprintf(r->mask[k], sizeof r->mask[k], "%s", repl);
    }
    r->md = pcre2_match_data_create(1, NULL);
    return r;
}

/* ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1. */
static int iban_ok(const char *s, size_t n)
{
    char buf[64];
    size_t m = 0;
    for (size_t i = 0; i < n && m < sizeof buf; i++)
        if (s[i] != ' ')
            buf[m++] = s[i];
    if (m < 15 || m > 34)
        return 0;
    unsigned rem = 0;
    for (size_t i = 0; i < m; i++) {
        char c = buf[(i + 4) % m];
        if (isdigit((unsigned char)c))
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        else
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return rem == 1;
}

static int phone_ok(const char *s, size_t n)
{
    size_t digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += isdigit((unsigned char)s[i]) != 0;
    return digits >= 7 && digits <= 15;
}

/* Replace every valid match of kind k in text; returns the new length. */
static size_t mask_kind(redact *r, int k, const char *text, size_t len)
{
    size_t out = 0, from = 0;
    PCRE2_SIZE at = 0;
    uint64_t n = 0;
    while (at <= len && pcre2_match(r->re[k], (PCRE2_SPTR)text, len, at, PCRE2_NO_UTF_CHECK, r->md, NULL) >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        size_t s = ov[0], e = ov[1];
        at = e > s ? e : e + 1;
        if ((k == IBAN && !iban_ok(text + s, e - s)) || (k == PHONE && !phone_ok(text + s, e - s)))
            continue;
        size_t mlen = strlen(r->mask[k]), need = out + (s - from) + mlen + (len - e) + 1;
        if (need > r->cap) {
            r->cap = need * 2;
            r->out = realloc(r->out, r->cap);
            if (!r->out)
                abort();
        }
        memcpy(r->out + out, text + from, s - from);
        out += s - from;
        memcpy(r->out + out, r->mask[k], mlen);
        out += mlen;
        from = e;
        n++;
    }
    if (n == 0)
        return (size_t)-1; /* nothing to do */
    if (out + (len - from) + 1 > r->cap) {
        r->cap = out + (len - from) + 1;
        r->out = realloc(r->out, r->cap);
        if (!r->out)
            abort();
    }
    memcpy(r->out + out, text + from, len - from);
    r->host->count(r->ctx, kind_names[k], n);
    return out + (len - from);
}

static cv_status redact_process(void *p, cv_doc *doc)
{
    redact *r = p;
    for (int k = 0; k < NKINDS; k++) {
        if (!r->re[k])
            continue;
        size_t len;
        const char *text = r->host->doc_text(doc, &len);
        size_t n = mask_kind(r, k, text, len);
        if (n != (size_t)-1 && r->host->doc_set_text(doc, r->out, n) < 0) {
            r->host->error(r->ctx, "masked text is not valid UTF-8");
            return CV_ERROR;
        }
    }
    return CV_OK;
}

static const cv_plugin redact_step = {
    CV_PLUGIN_HEADER,
    .name = "redact",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Masks e-mail addresses, phone numbers and IBANs (checksum-verified)",
    .optmap = redact_optmap,
    .create = redact_create,
    .destroy = redact_destroy,
    .process = redact_process,
};

CONVERT_PLUGINS(&redact_step)
