/* charset.h -- bytes of a web page or text in any charset, as UTF-8.
 * The order browsers use (the HTML5 encoding sniffing algorithm, trimmed):
 * a byte order mark, then the charset the server declared, then a <meta>
 * charset in the page's first 1024 bytes, then the bytes themselves: valid
 * UTF-8 stays UTF-8, anything else is what uchardet (Mozilla's detector)
 * guesses.  iconv converts; labels are mapped as browsers map them
 * (iso-8859-1 and ascii mean windows-1252). */
#ifndef CV_PLUGIN_CHARSET_H
#define CV_PLUGIN_CHARSET_H

#include <stddef.h>

#include "util.h"

/* Decode data into out (cleared first).  declared: the HTTP charset or
 * NULL; html: look for <meta> too.  *used gets the charset's name as iconv
 * knows it ("UTF-8", "WINDOWS-1251", ...), and *how says where it came from
 * ("bom", "http", "meta", "utf8", "detected", "default").  A byte that is
 * not valid in the charset becomes U+FFFD. */
void charset_decode(const char *data, size_t len, const char *declared, int html, cv_buf *out, const char **used,
                    const char **how);

/* The charset= parameter of a Content-Type value, copied into buf; NULL when none. */
const char *charset_param(const char *content_type, char *buf, size_t cap);

#endif
