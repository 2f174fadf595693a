/* Fuzz the html step (the parser and the extractor) on arbitrary bytes
 * declared as HTML, with the shipped class/id hints. */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "fuzz.h"

static fz_plugin *step;

static void teardown(void) { fz_close(step); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!step) {
        step = fz_open(CV_STEP, "html", "hints: html/hints.yaml\nmin_chars: 1", NULL);
        atexit(teardown);
    }
    cv_doc *d = fz_doc(data, size);
    cv_meta_set_string(d, "content_type", "text/html");
    d->stage = "html";
    step->desc->process(step->inst, d);
    cv_doc_free(d);
    return 0;
}
