/* extract.h -- the main content of a parsed HTML page as plain text.
 *
 * 1. Prune: scripts, styles, forms, navigation, footers, asides, hidden
 *    elements and elements whose class or id names page chrome (the hint
 *    lists come from config/html/hints.yaml), unless broken markup made
 *    them take in the page (most of its text, or several paragraphs).
 * 2. Blocks: the text of every block-level element (paragraphs, headings,
 *    list items, cells, quotes, divs holding text), with how much of it is
 *    link text.
 * 3. The container: every paragraph-like block scores its parent fully and
 *    its grandparent by half (one point, one per comma, one per 100
 *    characters up to three); elements start from their tag and class
 *    hints (a positive word on a unit the page repeats ten times or more,
 *    an FAQ's answers, counts for nothing); link-heavy ones are discounted; a list (ol, ul) is never the
 *    container, only part of it.  When other candidates come
 *    close to the best, their common ancestor with it is the container.
 *    It, its worthy siblings, elements of its own tag and class elsewhere
 *    (a text split over wrappers of one kind), and the blocks inside them
 *    that are not link lists make the text.
 * 4. Around it: prose between its first and last block, a lead just before
 *    and a paragraph just after (a few blocks away at most, no link list
 *    between; a short linked byline is none) join; a heading (not a
 *    sentence) or a short line over a left-out link list, headings of link
 *    text (other stories), lines with a copyright sign, short lines that
 *    are no sentences at the very end, short paragraphs
 *    at the end in another wrapper than the text's own (a subscription
 *    box, an author's note, other stories' blurbs) and the heading over
 *    them, a title of what sites append (hints.yaml's appendix: "Mehr zum
 *    Thema") past the text's first quarter and all after it, what follows
 *    two or more left-out blocks of links in the text's last tenth (a call
 *    to subscribe after a share bar) and all after it, short paragraphs at the
 *    very end that link to another page of the page's own site (a relative
 *    address or the page's host: a sign-up, "more on this here"), three or
 *    more blurbs after the text's last own paragraph that are each a
 *    card's only text beside its links (a grid of other stories), source
 *    and credit lines (hints.yaml's credit: "Quelle:") at the end and, as
 *    paragraphs or headings of their own, inside the text, a short
 *    block alone with a picture in its wrapper (a caption marked up as
 *    divs), date lines around the text (and a date-and-time stamp alone
 *    inside it), very short ones anywhere and a line that is no sentence
 *    repeated four times or more (a label on each of a page's widgets)
 *    leave.
 * 5. Fallback: when that is much less than the page's good blocks (long,
 *    few links), those blocks are the text.  When the text is still very
 *    short, all of it again without the negative class hints.
 * Ideas from readability (scores), boilerpipe and jusText (link density,
 * block length); nothing here is tuned to a site. */
#ifndef CV_HTML_EXTRACT_H
#define CV_HTML_EXTRACT_H

#include <libxml/HTMLparser.h>
#include <stddef.h>

#include "hintset.h"
#include "phrases.h"
#include "util.h"

enum { HINT_NEGATIVE = 1, HINT_POSITIVE = 2 };

typedef struct hints {
    hint_set *words; /* class/id words, lower case: HINT_NEGATIVE and HINT_POSITIVE lists; NULL: none */
    unsigned use;    /* which of the two lists count */
    const phrase_list *appendix; /* titles of what a site appends to its articles; NULL: none */
    const phrase_list *credit;   /* labels of source and credit lines ("Quelle:"); NULL: none */
} hints;

/* The text into out (cleared first): blocks separated by a blank line,
 * <br> as a line break.  url: the page's address (NULL: unknown), whose
 * host tells links to the page's own site from links away.  Returns the
 * number of blocks kept. */
size_t extract_main(xmlDocPtr doc, const hints *h, const char *url, cv_buf *out);

#endif
