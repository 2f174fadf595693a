/* Fuzz classify's model loading: any bytes as a fastText model file.  The
 * layout check (plugins/classify/ftcheck.c) must refuse whatever fastText's
 * own loader cannot read safely; a file it accepts is loaded by fastText and
 * classifies a text.  Seeds: tiny models (softmax, hs, one-vs-all; a pruned
 * .ftz), made by `fasttext supervised` and `fasttext quantize`. */
#include <stdio.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml, "model: %s\nk: 3\nkeep: [\"a:0.3\"]", fz_tmpfile(data, size, ".bin"));
    fz_plugin *p = fz_open(CV_STEP, "classify", yaml, NULL);
    if (p->inst) {
        static const char text[] = "one two seven\nмiнiстерство __label__a  \t x";
        cv_doc *d = fz_doc((const uint8_t *)text, sizeof text - 1);
        p->desc->process(p->inst, d);
        cv_doc_free(d);
    }
    fz_close(p);
    return 0;
}
