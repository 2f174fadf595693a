/* report_html.h -- report.html, the report drawn for people. */
#ifndef CV_REPORT_HTML_H
#define CV_REPORT_HTML_H

#include <jansson.h>

/* One self-contained HTML page (inline SVG charts, no script, no network)
 * from a report object (cv_report_object).  The caller frees it. */
char *cv_report_html(const json_t *report);

#endif
