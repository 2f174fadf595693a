/* langid.c -- step: language identification with Google's CLD2 (as dolma uses).
 *
 * CLD2 was chosen over n-gram profiles (libexttextcat) because it tells
 * Bulgarian, Ukrainian and Russian apart: it scores the Cyrillic letters and
 * words that differ between them (letters only one of them has) instead of only the
 * frequent n-grams the three languages share.  The verdict goes to
 * metadata.lang (ISO 639-1, "und" when unsure) with metadata.lang_score. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cld2_shim.h"
#include "convert/plugin.h"

typedef struct langid_opts {
    cv_strlist keep;
    int64_t min_percent, min_chars, sample_bytes;
    int require_reliable;
    const char *key;
} langid_opts;

static const cv_optmap langid_optmap[] = {
    {.key = "keep", .type = CV_OPT_LIST, .default_value = "[]", .offset = offsetof(langid_opts, keep),
     .help = "languages to keep (e.g. [bg, uk]); others are dropped as langid:<lang>; [] keeps all"},
    {.key = "min_percent", .type = CV_OPT_INT, .default_value = "50", .offset = offsetof(langid_opts, min_percent),
     .help = "below this share of the text in the top language, the verdict is und"},
    {.key = "require_reliable", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(langid_opts, require_reliable), .help = "und unless CLD2 calls its verdict reliable"},
    {.key = "min_chars", .type = CV_OPT_INT, .default_value = "20", .offset = offsetof(langid_opts, min_chars),
     .help = "texts shorter than this (bytes) are und"},
    {.key = "key", .type = CV_OPT_STRING, .default_value = "lang", .offset = offsetof(langid_opts, key),
     .help = "metadata key for the language (the score goes to <key>_score)"},
    {.key = "sample_bytes", .type = CV_OPT_SIZE, .default_value = "4K", .offset = offsetof(langid_opts, sample_bytes),
     .help = "judge by the text's first this many bytes (0: all of it)"},
    {0},
};

typedef struct langid {
    const cv_host *host;
    cv_ctx *ctx;
    langid_opts o;
    char score_key[64];
} langid;

static void *langid_create(const cv_host *h, cv_ctx *ctx)
{
    langid *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->host = h;
    l->ctx = ctx;
    h->opt_load(ctx, &l->o);
    if (strlen(l->o.key) + 7 > sizeof l->score_key) {
        h->error(ctx, "key '%s' is too long", l->o.key);
        free(l);
        return NULL;
    }
    strcpy(l->score_key, l->o.key);
    strcat(l->score_key, "_score");
    return l;
}

static void langid_destroy(void *p) { free(p); }

static cv_status langid_process(void *p, cv_doc *doc)
{
    langid *l = p;
    const cv_host *h = l->host;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    if (l->o.sample_bytes > 0 && len > (size_t)l->o.sample_bytes) {
        len = (size_t)l->o.sample_bytes; /* back up to a code point boundary */
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    cld2_result r = {.code = "un"};
    int ok = (int64_t)len >= l->o.min_chars && len < (size_t)INT32_MAX &&
             cld2_detect(text, (int)len, &r) == 0 && strcmp(r.code, "un") != 0 &&
             r.percent >= l->o.min_percent && (r.reliable || !l->o.require_reliable);
    const char *lang = ok ? r.code : "und";
    h->meta_set_string(doc, l->o.key, lang);
    h->meta_set_float(doc, l->score_key, ok ? r.percent / 100.0 : 0.0);
    if (l->o.keep.n == 0)
        return CV_OK;
    for (size_t i = 0; i < l->o.keep.n; i++)
        if (!strcmp(l->o.keep.items[i], lang))
            return CV_OK;
    h->doc_drop(doc, lang, NULL);
    return CV_DROP;
}

static const cv_plugin langid_step = {
    CV_PLUGIN_HEADER,
    .name = "langid",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Language identification (CLD2): metadata.lang with a score; optional keep-list",
    .optmap = langid_optmap,
    .create = langid_create,
    .destroy = langid_destroy,
    .process = langid_process,
};

CONVERT_PLUGINS(&langid_step)
