/* howto.h -- the text of a schema.org HowTo in a page's JSON-LD: its
 * description, then each step's text, a paragraph each.  A page that lays
 * the steps out by script shows little of them; its data holds them all.
 * The strings may hold markup ("<p>Measure the table.</p>"): it is read as
 * HTML, and its block elements part the paragraphs. */
#ifndef CV_HTML_HOWTO_H
#define CV_HTML_HOWTO_H

#include <jansson.h>

#include "util.h"

/* The text of the first HowTo under v (nested in @graph, mainEntity...)
 * into out (appended, not terminated); 0 when v holds none or one without
 * text. */
int howto_text(json_t *v, cv_buf *out);

#endif
