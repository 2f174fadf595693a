/* tok_hf.c -- Hugging Face tokenizer.json with a BPE model.
 *
 * Each component is read as the tokenizers library defines it; a component
 * or an option this file does not implement is an error naming it and the
 * file, never an approximation. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

typedef struct hf_load {
    tk_tokenizer *t;
    const char *file;
    char *err;
    size_t errlen;
} hf_load;

static int unsupported(hf_load *L, const char *what, const char *name)
{
    return tk_set_err(L->err, L->errlen, "%s: %s '%s' is not supported by the tokenize step", L->file, what,
                      name ? name : "?");
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int jbool(json_t *o, const char *key, int dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* ---- byte level: GPT-2's map from bytes to printable characters --------- */

static void byte_map(uint32_t cp_of_byte[256])
{
    int n = 0;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        cp_of_byte[b] = printable ? (uint32_t)b : (uint32_t)(256 + n++);
    }
}

/* A byte-level key back to its bytes; 0 when a character is not in the map. */
static int byte_level_decode(const char *s, size_t len, const int16_t *byte_of_cp, char *out, size_t *olen)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t l;
        if (c < 0x80)
            cp = c, l = 1;
        else if ((c & 0xE0) == 0xC0 && i + 1 < len)
            cp = (uint32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3F), l = 2;
        else
            return 0; /* every mapped character is below U+0180 */
        if (cp >= 512 || byte_of_cp[cp] < 0)
            return 0;
        out[o++] = (char)byte_of_cp[cp];
        i += l;
    }
    *olen = o;
    return 1;
}

/* ---- components --------------------------------------------------------- */

static int add_norm(hf_load *L, json_t *n)
{
    tk_tokenizer *t = L->t;
    if (json_is_null(n) || !n)
        return 0;
    const char *type = jstr(n, "type");
    if (type && !strcmp(type, "Sequence")) {
        json_t *list = json_object_get(n, "normalizers"), *x;
        size_t i;
        json_array_foreach(list, i, x) if (add_norm(L, x)) return -1;
        return 0;
    }
    tk_norm nm = {0};
    if (!type)
        return unsupported(L, "normalizer", "(no type)");
    if (!strcmp(type, "NFC"))
        nm.kind = NM_NFC;
    else if (!strcmp(type, "NFKC"))
        nm.kind = NM_NFKC;
    else if (!strcmp(type, "NFD"))
        nm.kind = NM_NFD;
    else if (!strcmp(type, "NFKD"))
        nm.kind = NM_NFKD;
    else if (!strcmp(type, "Lowercase"))
        nm.kind = NM_LOWER;
    else if (!strcmp(type, "Strip")) {
        nm.kind = NM_STRIP;
        nm.left = jbool(n, "strip_left", 1);
        nm.right = jbool(n, "strip_right", 1);
    } else if (!strcmp(type, "Prepend")) {
        const char *p = jstr(n, "prepend");
        if (!p)
            return unsupported(L, "Prepend normalizer without", "prepend");
        nm.kind = NM_PREPEND;
        nm.to = strdup(p);
        nm.to_len = strlen(p);
    } else if (!strcmp(type, "Replace")) {
        json_t *pat = json_object_get(n, "pattern");
        const char *content = jstr(n, "content"), *s = jstr(pat, "String"), *re = jstr(pat, "Regex");
        if (!content || (!s && !re))
            return unsupported(L, "Replace normalizer without", "pattern/content");
        nm.kind = NM_REPLACE;
        nm.to = strdup(content);
        nm.to_len = strlen(content);
        if (s) {
            nm.from = strdup(s);
            nm.from_len = strlen(s);
        } else if (!(nm.re = tk_regex(re, strlen(re), L->err, L->errlen, L->file))) {
            free(nm.to);
            return -1;
        }
    } else
        return unsupported(L, "normalizer", type);
    tk_norm *v = realloc(t->norms, (t->n_norms + 1) * sizeof *v);
    if (!v)
        return tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
    t->norms = v;
    t->norms[t->n_norms++] = nm;
    return 0;
}

static const char GPT2_PAT[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

static int add_pretok(hf_load *L, json_t *p)
{
    tk_tokenizer *t = L->t;
    if (!p || json_is_null(p))
        return 0;
    const char *type = jstr(p, "type");
    if (type && !strcmp(type, "Sequence")) {
        json_t *list = json_object_get(p, "pretokenizers"), *x;
        size_t i;
        json_array_foreach(list, i, x) if (add_pretok(L, x)) return -1;
        return 0;
    }
    tk_pretok pt = {.behavior = SB_ISOLATED};
    if (!type)
        return unsupported(L, "pre-tokenizer", "(no type)");
    if (!strcmp(type, "ByteLevel")) {
        pt.kind = PT_BYTELEVEL;
        pt.add_prefix_space = jbool(p, "add_prefix_space", 1);
        t->byte_level = 1;
        if (jbool(p, "use_regex", 1) && !(pt.re = tk_regex(GPT2_PAT, strlen(GPT2_PAT), L->err, L->errlen, L->file)))
            return -1;
    } else if (!strcmp(type, "Split")) {
        json_t *pat = json_object_get(p, "pattern");
        const char *s = jstr(pat, "String"), *re = jstr(pat, "Regex"), *b = jstr(p, "behavior");
        static const char *const names[] = {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
                                            "Contiguous"};
        int found = 0;
        for (int i = 0; b && i < 5; i++)
            if (!strcmp(b, names[i]))
                pt.behavior = i, found = 1;
        if (!found)
            return unsupported(L, "Split behavior", b);
        if (!s && !re)
            return unsupported(L, "Split pattern", "(none)");
        pt.kind = PT_SPLIT;
        pt.invert = jbool(p, "invert", 0);
        if (s) {
            pt.literal = strdup(s);
            pt.literal_len = strlen(s);
        } else if (!(pt.re = tk_regex(re, strlen(re), L->err, L->errlen, L->file)))
            return -1;
    } else if (!strcmp(type, "Digits")) {
        pt.kind = PT_DIGITS;
        const char *re = jbool(p, "individual_digits", 0) ? "\\p{N}" : "\\p{N}+";
        if (!(pt.re = tk_regex(re, strlen(re), L->err, L->errlen, L->file)))
            return -1;
    } else if (!strcmp(type, "Metaspace")) {
        const char *r = jstr(p, "replacement"), *scheme = jstr(p, "prepend_scheme");
        pt.kind = PT_METASPACE;
        if (!r || strlen(r) >= sizeof pt.repl)
            return unsupported(L, "Metaspace replacement", r);
        strcpy(pt.repl, r);
        pt.repl_len = strlen(r);
        pt.split = jbool(p, "split", 1);
        if (scheme)
            pt.prepend = !strcmp(scheme, "always") ? 2 : !strcmp(scheme, "first") ? 1 : !strcmp(scheme, "never") ? 0 : -1;
        else
            pt.prepend = jbool(p, "add_prefix_space", 1) ? 2 : 0;
        if (pt.prepend < 0)
            return unsupported(L, "Metaspace prepend_scheme", scheme);
    } else
        return unsupported(L, "pre-tokenizer", type);
    tk_pretok *v = realloc(t->pretoks, (t->n_pretoks + 1) * sizeof *v);
    if (!v)
        return tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
    t->pretoks = v;
    t->pretoks[t->n_pretoks++] = pt;
    return 0;
}

/* The id of a vocabulary key, or -1. */
static int64_t vocab_id(json_t *vocab, const char *key, size_t len)
{
    json_t *v = json_object_getn(vocab, key, len);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

static int load_model(hf_load *L, json_t *m)
{
    tk_tokenizer *t = L->t;
    const char *type = jstr(m, "type");
    if (!type && json_object_get(m, "merges"))
        type = "BPE";
    if (!type || strcmp(type, "BPE"))
        return unsupported(L, "model", type ? type : "(none)");
    json_t *d = json_object_get(m, "dropout");
    if (d && !json_is_null(d) && json_number_value(d) != 0.0)
        return unsupported(L, "BPE option", "dropout");
    const char *csp = jstr(m, "continuing_subword_prefix"), *ews = jstr(m, "end_of_word_suffix");
    if ((csp && *csp) || (ews && *ews))
        return unsupported(L, "BPE option", csp && *csp ? "continuing_subword_prefix" : "end_of_word_suffix");
    t->ignore_merges = jbool(m, "ignore_merges", 0);
    t->byte_fallback = jbool(m, "byte_fallback", 0);
    t->fuse_unk = jbool(m, "fuse_unk", 0);
    json_t *vocab = json_object_get(m, "vocab"), *merges = json_object_get(m, "merges");
    if (!json_is_object(vocab) || (merges && !json_is_array(merges)))
        return tk_set_err(L->err, L->errlen, "%s: model.vocab must be an object and model.merges an array", L->file);
    uint32_t cp_of_byte[256];
    int16_t byte_of_cp[512];
    byte_map(cp_of_byte);
    memset(byte_of_cp, 0xff, sizeof byte_of_cp);
    for (int b = 0; b < 256; b++)
        byte_of_cp[cp_of_byte[b]] = (int16_t)b;
    const char *key;
    size_t klen;
    json_t *val;
    char *tmp = NULL;
    size_t tmpcap = 0;
    /* Ids count the tokens from 0; a few holes are allowed, but an id far
     * past the entry count would size the id tables to it, not to the file. */
    json_int_t max_id = (json_int_t)json_object_size(vocab) * 2 + 65536;
    json_object_keylen_foreach(vocab, key, klen, val)
    {
        json_int_t id = json_integer_value(val);
        if (!json_is_integer(val) || id < 0 || id >= 0x7fffffff) {
            free(tmp);
            return tk_set_err(L->err, L->errlen, "%s: model.vocab: bad id for '%s'", L->file, key);
        }
        if (id >= max_id) {
            free(tmp);
            return tk_set_err(L->err, L->errlen,
                              "%s: model.vocab: id %lld for '%s' is far past the vocabulary's %zu entries", L->file,
                              (long long)id, key, json_object_size(vocab));
        }
        if (klen + 1 > tmpcap) {
            char *n = realloc(tmp, tmpcap = klen + 64);
            if (!n) {
                free(tmp);
                return tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
            }
            tmp = n;
        }
        size_t blen;
        const char *bytes = key;
        if (t->byte_level && byte_level_decode(key, klen, byte_of_cp, tmp, &blen))
            bytes = tmp;
        else
            blen = klen;
        if (tk_add_token(t, (uint32_t)id, bytes, blen)) {
            free(tmp);
            return tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
        }
    }
    const char *unk = jstr(m, "unk_token");
    if (unk) {
        int64_t id = vocab_id(vocab, unk, strlen(unk));
        if (id < 0) {
            free(tmp);
            return tk_set_err(L->err, L->errlen, "%s: unk_token '%s' is not in the vocabulary", L->file, unk);
        }
        t->unk_id = (uint32_t)id;
    }
    size_t i;
    json_t *mg;
    int rc = 0;
    json_array_foreach(merges, i, mg)
    {
        const char *a = NULL, *b = NULL;
        size_t al = 0, bl = 0;
        if (json_is_string(mg)) {
            const char *s = json_string_value(mg), *sp = strchr(s, ' ');
            if (!sp || strchr(sp + 1, ' ')) {
                rc = tk_set_err(L->err, L->errlen, "%s: merge %zu '%s' is not two tokens", L->file, i, s);
                break;
            }
            a = s, al = (size_t)(sp - s), b = sp + 1, bl = strlen(b);
        } else if (json_is_array(mg) && json_array_size(mg) == 2 && json_is_string(json_array_get(mg, 0)) &&
                   json_is_string(json_array_get(mg, 1))) {
            a = json_string_value(json_array_get(mg, 0)), al = json_string_length(json_array_get(mg, 0));
            b = json_string_value(json_array_get(mg, 1)), bl = json_string_length(json_array_get(mg, 1));
        } else {
            rc = tk_set_err(L->err, L->errlen, "%s: merge %zu is neither \"a b\" nor [a, b]", L->file, i);
            break;
        }
        if (al + bl + 1 > tmpcap) {
            char *n = realloc(tmp, tmpcap = al + bl + 64);
            if (!n) {
                rc = tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
                break;
            }
            tmp = n;
        }
        memcpy(tmp, a, al);
        memcpy(tmp + al, b, bl);
        int64_t ia = vocab_id(vocab, a, al), ib = vocab_id(vocab, b, bl), im = vocab_id(vocab, tmp, al + bl);
        if (ia < 0 || ib < 0 || im < 0) {
            rc = tk_set_err(L->err, L->errlen, "%s: merge %zu uses or makes a token that is not in the vocabulary",
                            L->file, i);
            break;
        }
        if (tk_add_pair(t, (uint32_t)ia, (uint32_t)ib, (uint32_t)i, (uint32_t)im)) {
            rc = tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
            break;
        }
    }
    free(tmp);
    return rc;
}

static int load_added(hf_load *L, json_t *list)
{
    tk_tokenizer *t = L->t;
    size_t n = json_array_size(list), i;
    json_t *a;
    t->added = calloc(n ? n : 1, sizeof *t->added);
    t->specials = calloc(n ? n : 1, sizeof *t->specials);
    if (!t->added || !t->specials)
        return tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
    json_array_foreach(list, i, a)
    {
        const char *c = jstr(a, "content");
        json_t *idv = json_object_get(a, "id");
        if (!c || !*c || !json_is_integer(idv) || json_integer_value(idv) < 0 ||
            json_integer_value(idv) >= 0x7fffffff)
            return tk_set_err(L->err, L->errlen, "%s: added_tokens[%zu] needs a content and an id", L->file, i);
        int special = jbool(a, "special", 0);
        if (!special && (jbool(a, "lstrip", 0) || jbool(a, "rstrip", 0) || jbool(a, "single_word", 0)))
            return unsupported(L, "added token with lstrip/rstrip/single_word", c);
        tk_added *dst = special ? &t->specials[t->n_specials++] : &t->added[t->n_added++];
        if (!(dst->text = strdup(c)))
            return tk_set_err(L->err, L->errlen, "%s: out of memory", L->file);
        dst->len = strlen(c);
        dst->id = (uint32_t)json_integer_value(idv);
        dst->special = special;
        dst->normalized = jbool(a, "normalized", !special);
    }
    return 0;
}

/* A normalized added token is matched in normalized text, so it is written
 * normalized, as the tokenizers library does when it builds its matcher. */
static int normalize_added(hf_load *L)
{
    tk_tokenizer *t = L->t;
    if (!t->n_norms)
        return 0;
    for (size_t i = 0; i < t->n_added; i++) {
        if (!t->added[i].normalized)
            continue;
        size_t n_added = t->n_added;
        t->n_added = 0; /* encode the content as plain text */
        tk_encoder *e = tk_encoder_new(t);
        t->n_added = n_added;
        if (!e)
            return -1;
        char *s = NULL;
        size_t len = 0;
        if (tk_normalize_text(e, t->added[i].text, t->added[i].len, &s, &len) == 0 && len) {
            free(t->added[i].text);
            t->added[i].text = s;
            t->added[i].len = len;
        } else
            free(s);
        tk_encoder_free(e);
    }
    return 0;
}

tk_tokenizer *tk_load_hf(const char *data, size_t len, const char *name, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_ALLOW_NUL, &je);
    if (!root) {
        tk_set_err(err, errlen, "%s:%d:%d: not valid JSON: %s", name, je.line, je.column, je.text);
        return NULL;
    }
    hf_load L = {tk_new(name), name, err, errlen};
    if (!L.t) {
        json_decref(root);
        tk_set_err(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    json_t *model = json_object_get(root, "model");
    if (!json_is_object(root) || !json_is_object(model)) {
        tk_set_err(err, errlen, "%s: not a tokenizer.json (no \"model\" object)", name);
        goto fail;
    }
    /* pre-tokenizers first: ByteLevel decides how the vocabulary reads */
    if (add_norm(&L, json_object_get(root, "normalizer")) || add_pretok(&L, json_object_get(root, "pre_tokenizer")) ||
        load_model(&L, model) || load_added(&L, json_object_get(root, "added_tokens")))
        goto fail;
    if (normalize_added(&L) || tk_finish(L.t, err, errlen))
        goto fail;
    json_decref(root);
    return L.t;
fail:
    json_decref(root);
    tk_free(L.t);
    return NULL;
}
