/* langid.c -- step: language identification with Google's CLD2 (as dolma uses).
 *
 * CLD2 was chosen over n-gram profiles (libexttextcat) because it tells
 * Bulgarian, Ukrainian and Russian apart: it scores the Cyrillic letters and
 * words that differ between them (letters only one of them has) instead of only the
 * frequent n-grams the three languages share.  The verdict goes to
 * metadata.lang (ISO 639-1, "und" when unsure) with metadata.lang_score. */
#include <stdlib.h>
#include <string.h>

#include "cld2_shim.h"
#include "convert/plugin.h"

static const cv_option options[] = {
    {"keep", CV_OPT_LIST, "[]", 0, "languages to keep (e.g. [bg, uk]); others are dropped as langid:<lang>; [] keeps all"},
    {"min_percent", CV_OPT_INT, "50", 0, "below this share of the text in the top language, the verdict is und"},
    {"require_reliable", CV_OPT_BOOL, "true", 0, "und unless CLD2 calls its verdict reliable"},
    {"min_chars", CV_OPT_INT, "20", 0, "texts shorter than this (bytes) are und"},
    {"key", CV_OPT_STRING, "lang", 0, "metadata key for the language (the score goes to <key>_score)"},
    {"sample_bytes", CV_OPT_SIZE, "4K", 0, "judge by the text's first this many bytes (0: all of it)"},
    {NULL, 0, NULL, 0, NULL},
};

typedef struct langid {
    const cv_host *host;
    cv_ctx *ctx;
    int64_t min_percent, min_chars, sample;
    int reliable;
    const char *key;
    char score_key[64];
} langid;

static void *langid_create(const cv_host *h, cv_ctx *ctx)
{
    langid *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->host = h;
    l->ctx = ctx;
    l->min_percent = h->opt_int(ctx, "min_percent");
    l->min_chars = h->opt_int(ctx, "min_chars");
    l->sample = h->opt_int(ctx, "sample_bytes");
    l->reliable = h->opt_bool(ctx, "require_reliable");
    l->key = h->opt_string(ctx, "key");
    if (strlen(l->key) + 7 > sizeof l->score_key) {
        h->error(ctx, "key '%s' is too long", l->key);
        free(l);
        return NULL;
    }
    strcpy(l->score_key, l->key);
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
    if (l->sample > 0 && len > (size_t)l->sample) {
        len = (size_t)l->sample; /* back up to a code point boundary */
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    cld2_result r = {.code = "un"};
    int ok = (int64_t)len >= l->min_chars && len < (size_t)INT32_MAX &&
             cld2_detect(text, (int)len, &r) == 0 && strcmp(r.code, "un") != 0 &&
             r.percent >= l->min_percent && (r.reliable || !l->reliable);
    const char *lang = ok ? r.code : "und";
    h->meta_set_string(doc, l->key, lang);
    h->meta_set_float(doc, l->score_key, ok ? r.percent / 100.0 : 0.0);
    size_t nkeep = h->opt_list_len(l->ctx, "keep");
    if (nkeep == 0)
        return CV_OK;
    for (size_t i = 0; i < nkeep; i++)
        if (!strcmp(h->opt_list_item(l->ctx, "keep", i), lang))
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
    .options = options,
    .create = langid_create,
    .destroy = langid_destroy,
    .process = langid_process,
};

CONVERT_PLUGINS(&langid_step)
