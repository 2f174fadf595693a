/* Fuzz every cleaning and tagging step, and the writers, on arbitrary text:
 * the bytes (made valid UTF-8, as the host guarantees) go through the default
 * pipeline's steps in order, then to each writer (outputs never committed). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "output.h"

static fz_plugin *steps[16], *writers[5];
static size_t nsteps, nwriters;
static cv_outset *outs;

static void teardown(void)
{
    for (size_t i = 0; i < nsteps; i++)
        fz_close(steps[i]);
    for (size_t i = 0; i < nwriters; i++)
        fz_close(writers[i]);
    cv_outset_free(outs); /* never committed: the temp files go */
}

static void setup(void)
{
    static const char *const spec[][2] = {
        {"normalize", ""},
        {"pii", "phones: true"},
        {"dates", "rules: dates/dates.yaml"},
        {"boilerplate", "rules: boilerplate"},
        {"quality", "drop_unfinished_tail: true\nmin_words: 1"},
        {"dedup", ""},
        {"langid", ""},
        {"segment", "abbreviations: segment/abbreviations.yaml"},
        {"ner", "gazetteer: ner/gazetteer.yaml"},
        {"split", ""},
    };
    cv_err err;
    outs = cv_outset_new("/tmp/convert-fuzz-out", &err);
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++)
        steps[nsteps++] = fz_open(CV_STEP, spec[i][0], spec[i][1], NULL);
    writers[nwriters++] = fz_open(CV_WRITER, "jsonl", "spans: char\npath: f-{split}.jsonl", outs);
    writers[nwriters++] = fz_open(CV_WRITER, "csv", "columns: [id, text, lang, title, entities]\npath: f-{split}.csv", outs);
    writers[nwriters++] = fz_open(CV_WRITER, "conll", "path: f-{split}.conllu", outs);
    writers[nwriters++] = fz_open(CV_WRITER, "conll", "dialect: conll2003\nscheme: BIOES\npath: f-{split}.conll", outs);
    /* small row groups, so that runs write pages, not only buffer them */
    writers[nwriters++] = fz_open(CV_WRITER, "parquet", "spans: char\nrow_group_size: 64K\npath: f-{split}.parquet", outs);
    atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!outs)
        setup();
    cv_doc *d = fz_doc(data, size);
    for (size_t i = 0; i < nsteps && !d->drop_reason; i++) {
        d->stage = steps[i]->desc->name;
        if (steps[i]->desc->process(steps[i]->inst, d) == CV_ERROR)
            break;
    }
    if (!d->drop_reason)
        for (size_t i = 0; i < nwriters; i++)
            writers[i]->desc->write(writers[i]->inst, d);
    cv_doc_free(d);
    return 0;
}
