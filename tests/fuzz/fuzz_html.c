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
    cv_doc *d = cv_doc_new();
    cv_doc_set_id(d, "fuzz");
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    while (cv_doc_set_text(d, text, size) < 0) /* replace bytes until the text is valid UTF-8 */
        for (size_t i = 0; i < size; i++)
            if ((unsigned char)text[i] >= 0x80)
                text[i] = '?';
    free(text);
    cv_meta_set_string(d, "content_type", "text/html");
    d->stage = "html";
    step->desc->process(step->inst, d);
    cv_doc_free(d);
    return 0;
}
