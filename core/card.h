/* card.h -- the dataset card (README.md) of a run's output folder. */
#ifndef CV_CARD_H
#define CV_CARD_H

#include <jansson.h>

/* Markdown with Hugging Face YAML front matter, from a report object
 * (cv_report_object).  The caller frees it. */
char *cv_card_markdown(const json_t *report);

#endif
