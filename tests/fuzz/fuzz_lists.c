/* Fuzz the files that urlfilter and decontaminate read at start: the bytes
 * as every list of urlfilter (a UT1 category's domains and urls, the
 * allowlist, every word list) and as a benchmark file, then each line as a
 * URL and the whole as a document checked against what was read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[64];

static void put(const char *name, const uint8_t *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
}

static void cleanup(void)
{
    static const char *const files[] = {"cat/domains", "cat/urls", "words", "bench.jsonl", "cat", ""};
    char path[128];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
}

static void check_urls(fz_plugin *u, const uint8_t *data, size_t size)
{
    size_t start = 0;
    for (int lines = 0; lines < 16 && start < size; lines++) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size;
        cv_doc *d = fz_doc(data + start, end - start);
        size_t len;
        const char *url = cv_doc_text(d, &len);
        if (!memchr(url, '\0', len)) /* metadata strings hold no NUL */
            cv_meta_set_string(d, "url", url);
        d->stage = "urlfilter";
        u->desc->process(u->inst, d);
        cv_doc_free(d);
        start = end + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_registry();
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/convert-fuzz-lists-%ld", (long)getpid());
        mkdir(dir, 0700);
        char cat[96];
        snprintf(cat, sizeof cat, "%s/cat", dir);
        mkdir(cat, 0700);
        atexit(cleanup);
    }
    put("cat/domains", data, size);
    put("cat/urls", data, size);
    put("words", data, size);
    put("bench.jsonl", data, size);

    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "blocklist: %s\nallow: %s/cat/domains\nbanned_words: %s/words\nbanned_subwords: %s/words\n"
             "soft_banned_words: %s/words\nfalse_positives: %s/words\nsoft_threshold: 1\n",
             dir, dir, dir, dir, dir, dir);
    fz_plugin *u = fz_open(CV_STEP, "urlfilter", yaml, NULL);
    if (u->inst)
        check_urls(u, data, size);
    fz_close(u);

    snprintf(yaml, sizeof yaml, "benchmarks: [%s/bench.jsonl]\nfields: [text, question, choices]\nngram: 3\n"
                                "min_words: 1\n", dir);
    fz_plugin *d = fz_open(CV_STEP, "decontaminate", yaml, NULL);
    if (d->inst) {
        cv_doc *doc = fz_doc(data, size);
        doc->stage = "decontaminate";
        d->desc->process(d->inst, doc);
        cv_doc_free(doc);
    }
    fz_close(d);
    return 0;
}
