/* bound.h -- hostile HTML made parseable in linear time, and ordinary HTML
 * lighter, before libxml2 sees it.  The passes tokenize tags as libxml2's HTML parser does (names,
 * quoted and bare attribute values, comments, script and style text) and
 * leave every other byte as it is. */
#ifndef CONVERT_HTML_BOUND_H
#define CONVERT_HTML_BOUND_H

#include <stddef.h>

#include "util.h"

/* libxml2 checks each attribute of a start tag against all the earlier ones:
 * a tag with n attributes costs n^2/2 string compares.  No real page comes
 * near this many on one element. */
#define BOUND_MAX_ATTRS 256

/* When s holds a NUL byte: out gets s without its NUL bytes, and 1 is
 * returned; otherwise 0, and out is untouched.  libxml2 2.9 stops reading
 * text at a NUL, so an article after one was lost; a browser ignores a
 * NUL in a page's text. */
int bound_strip_nul(const char *s, size_t len, cv_buf *out);

/* Whether the parser is to see attribute attr (attr_len bytes) of an
 * element named tag (tag_len bytes); both as written in the page, in any
 * case: 0 (no), BOUND_KEEP, or BOUND_KEEP_SITE, the part of its quoted
 * value (an address) that names the site, the rest cut: "https://example.org"
 * of "https://example.org/a/b?c", "mailto:" of a mail address, the first
 * byte of a relative address or an anchor. */
typedef int (*bound_keep_fn)(const char *tag, size_t tag_len, const char *attr, size_t attr_len);

enum { BOUND_KEEP = 1, BOUND_KEEP_SITE = 2 };

enum { BOUND_REWROTE = 1, BOUND_CAPPED = 2 };

/* When some script or style element of s holds text, some start tag has
 * more than max attributes, or (with keep) an attribute keep refuses: out
 * gets s with that text and those attributes (the ones past the first max
 * of a tag) left out, the tags kept, and BOUND_REWROTE is set in what is
 * returned, with BOUND_CAPPED when a tag had too many; otherwise 0, and out
 * is untouched.  The extractor never reads them: script and style text is
 * some 40% of a web page's bytes, and attributes (links, image sources,
 * data-*) much of the rest, which the parser would copy character by
 * character into the tree.  A JSON-LD script keeps its text (metadata is
 * read from it), and so does text holding a NUL, which ends the parser's
 * raw text early.  A script or style written <x/> and closed later by its
 * end tag loses the '/' and its text: a browser reads it so (the parser
 * would show the script as text).  Past the first place where the parser
 * may read the page otherwise than this tokenizer, only attributes past max
 * are left out. */
int bound_strip_raw(const char *s, size_t len, bound_keep_fn keep, size_t max, cv_buf *out);

/* out gets s with every start tag that would open an element deeper than
 * depth, and the end tag that closes it, replaced by a space: the text stays,
 * the structure past that depth goes.  Depth is counted from the tags alone
 * (void elements and <x/> open nothing), so it is an upper bound of the
 * parser's where end tags are omitted.  depth 0 leaves no tag at all. */
void bound_flatten(const char *s, size_t len, size_t depth, cv_buf *out);

#endif
