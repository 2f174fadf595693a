/* boilerplate.c -- step: removes what scraping leaves around an article.
 *
 * Two kinds of evidence, applied line by line (a line is a paragraph in
 * scraped text):
 *   1. Pattern rules from YAML files (rules.c: one per language, PCRE2 with Unicode):
 *      `line` removes a matching line, `strip` removes only the match,
 *      `cut` removes the line and everything after it when that is chrome
 *      (comment and share widgets end the article; one between paragraphs
 *      goes alone; under main_run the line goes and the run pays to cross
 *      it), `block` removes a heading such as "Read
 *      also" and the teaser lines under it.
 *   2. Structure, with thresholds as options: lines that are mostly numbers
 *      (timestamps, view counters), repeated lines (a headline printed
 *      twice, a line a longer one holds word for word), runs of very short lines (menus), the lead before the first
 *      real paragraph (kept: one headline), and the tail after the last
 *      real paragraph (lists of other stories).
 * A "real paragraph" ends like a sentence and is long enough, or is long and
 * holds a sentence boundary.  Every removed line is counted by rule. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <xxhash.h>

#include "convert/plugin.h"
#include "rules.h"
#include "text.h"
#include "topic.h"
#include "util.h"

#define TEASER_MAX_WORDS 25 /* story_teasers: a longer line is no headline */
#define TITLE_KEYS 55 /* title_keys: runs of the title's first 10 parts (the whole line one of them) */

typedef struct boilerplate_opts {
    const char *rules, *title_key, *end_key;
    int64_t rule_max_bytes, cut_min_chars, paragraph_min_words, paragraph_long_chars, paragraph_unfinished_words,
        numeric_max_words, menu_max_words, menu_min_run, block_max_lines, caption_max_words, repeated_with_source,
        headline_min_words, repeated_inside;
    double numeric_min_fraction, main_run_after_list, trim_max_fraction, main_run_topic_weight;
    int repeated_lines, story_teasers, trim_lead, trim_tail, main_run, main_run_title, main_run_wrapped;
    int64_t main_run_line_cost, main_run_title_lines, main_run_cut_cost, main_run_list_lines, main_run_topic_letters,
        main_run_topic_words, main_run_dateline_words;
} boilerplate_opts;

static const cv_optmap boilerplate_optmap[] = {
    {.key = "rules", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(boilerplate_opts, rules),
     .help = "a rules YAML file, or a folder whose *.yaml files are all loaded"},
    {.key = "rule_max_bytes", .type = CV_OPT_INT, .default_value = "600",
     .offset = offsetof(boilerplate_opts, rule_max_bytes),
     .help = "rules are tried on lines up to this long (widgets are short; paragraphs skip the regexes); a rule's "
             "own max_bytes wins; 0: every line"},
    {.key = "cut_min_chars", .type = CV_OPT_INT, .default_value = "200",
     .offset = offsetof(boilerplate_opts, cut_min_chars),
     .help = "a cut rule fires only after this much kept text (else it removes one line)"},
    {.key = "paragraph_min_words", .type = CV_OPT_INT, .default_value = "8",
     .offset = offsetof(boilerplate_opts, paragraph_min_words),
     .help = "a line ending like a sentence with this many words is a paragraph (a line of speech after a long or an en dash, as an interview writes it: two)"},
    {.key = "paragraph_long_chars", .type = CV_OPT_INT, .default_value = "200",
     .offset = offsetof(boilerplate_opts, paragraph_long_chars),
     .help = "a line this long with a sentence boundary inside is a paragraph"},
    {.key = "paragraph_unfinished_words", .type = CV_OPT_INT, .default_value = "24",
     .offset = offsetof(boilerplate_opts, paragraph_unfinished_words),
     .help = "a line of paragraph_long_chars or more with this many words is a paragraph even without a final full "
             "stop (prose before page chrome; 0: off)"},
    {.key = "numeric_max_words", .type = CV_OPT_INT, .default_value = "10",
     .offset = offsetof(boilerplate_opts, numeric_max_words),
     .help = "numeric_line: lines of at most this many words..."},
    {.key = "numeric_min_fraction", .type = CV_OPT_FLOAT, .default_value = "0.4",
     .offset = offsetof(boilerplate_opts, numeric_min_fraction),
     .help = "...of which at least this fraction are numbers"},
    {.key = "menu_max_words", .type = CV_OPT_INT, .default_value = "3",
     .offset = offsetof(boilerplate_opts, menu_max_words),
     .help = "menu: lines of at most this many words, not ending a sentence..."},
    {.key = "menu_min_run", .type = CV_OPT_INT, .default_value = "3",
     .offset = offsetof(boilerplate_opts, menu_min_run),
     .help = "...in a run of at least this many"},
    {.key = "block_max_lines", .type = CV_OPT_INT, .default_value = "12",
     .offset = offsetof(boilerplate_opts, block_max_lines),
     .help = "a block rule removes at most this many lines after its heading"},
    {.key = "caption_max_words", .type = CV_OPT_INT, .default_value = "12",
     .offset = offsetof(boilerplate_opts, caption_max_words),
     .help = "a rule with previous: true also removes a preceding line this short"},
    {.key = "repeated_lines", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(boilerplate_opts, repeated_lines),
     .help = "remove a line equal to an earlier one (repeated headline, teasers); under main_run a short line in "
             "the run that the page prints again goes too (another story's headline, a widget's label)"},
    {.key = "repeated_with_source", .type = CV_OPT_INT, .default_value = "4",
     .offset = offsetof(boilerplate_opts, repeated_with_source),
     .help = "remove a line that repeats another (of 40+ characters) with at most this many words appended, such "
             "as a widget's copy of a paragraph with its source's name (0: off)"},
    {.key = "repeated_inside", .type = CV_OPT_INT, .default_value = "60",
     .offset = offsetof(boilerplate_opts, repeated_inside),
     .help = "remove a line of at least this many bytes that a longer kept line holds word for word (a standfirst "
             "repeated by the first paragraph, a pull quote, a teaser's copy of a paragraph: the text stays once; "
             "0: off)"},
    {.key = "story_teasers", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(boilerplate_opts, story_teasers),
     .help = "between paragraphs, remove a headline-shaped line (not a paragraph, not ending with . or !) that a "
             "numeric line that tells a time (a date, a clock time, a year) follows: another story's headline and its "
             "time; a price or a quantity under it makes it a table's line"},
    {.key = "trim_lead", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(boilerplate_opts, trim_lead),
     .help = "before the first paragraph keep only the headline: the line with most words, and a list announced "
             "right before the paragraph (a line of three words or more, no paragraph, ending with a colon, then at most "
             "block_max_lines lines; menus and main_run leave such a list anywhere in the text), or a question of "
             "three words or more or a sentence of four right before it (an interview's first question, \"This post first "
             "appeared on X.\")"},
    {.key = "headline_min_words", .type = CV_OPT_INT, .default_value = "4",
     .offset = offsetof(boilerplate_opts, headline_min_words),
     .help = "a shorter headline is removed too"},
    {.key = "trim_tail", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(boilerplate_opts, trim_tail),
     .help = "remove every line after the last paragraph, but up to block_max_lines lines after one of three words "
             "or more ending with a colon (a list the text announces)"},
    {.key = "trim_max_fraction", .type = CV_OPT_FLOAT, .default_value = "1",
     .offset = offsetof(boilerplate_opts, trim_max_fraction),
     .help = "the runs of short lines (story_teasers, menus), trim_lead and trim_tail do not act when together they "
             "would remove more than this fraction of the characters they see: such a text is list-shaped (a recipe, "
             "instructions), its lists are the content; 1: they always act (for text dumps, all of a page's text)"},
    {.key = "main_run", .type = CV_OPT_BOOL, .default_value = "false", .offset = offsetof(boilerplate_opts, main_run),
     .help = "keep only the densest run of paragraphs (and the headline, with the line right after it when that has ten words or more: its standfirst): the run of kept lines where paragraph "
             "characters most outweigh the cost of the other lines; for text dumps, where chrome paragraphs sit "
             "before and after the article"},
    {.key = "main_run_line_cost", .type = CV_OPT_INT, .default_value = "20",
     .offset = offsetof(boilerplate_opts, main_run_line_cost),
     .help = "main_run: a kept line that is no paragraph costs its length plus this many characters, a removed "
             "line, a short sentence (three words or more) or an announced list's line this many"},
    {.key = "main_run_cut_cost", .type = CV_OPT_INT, .default_value = "500",
     .offset = offsetof(boilerplate_opts, main_run_cut_cost),
     .help = "main_run: a cut rule's line (\"share\", \"comments\") removes only itself; unless the article "
             "goes on after it (a kept paragraph next, past at most two short lines, the second no date, and kept "
             "paragraphs half the characters "
             "to the end) it costs the run this many characters, which comments, an author's box and lists of other "
             "stories do not make up for"},
    {.key = "main_run_list_lines", .type = CV_OPT_INT, .default_value = "2",
     .offset = offsetof(boilerplate_opts, main_run_list_lines),
     .help = "main_run: this many kept lines or more in a row that are no paragraphs, not announced by a line "
             "ending with a colon nor most of them bulleted (\"• \", \"- \") nor a list of quantities (ingredients, a table's figures), nor twelve or more between two paragraphs with no removed line among them (a table, steps), are a list of links (other stories' headlines, a \"more on this\" box) and go "
             "from the run; the headline stays (0: off)"},
    {.key = "main_run_after_list", .type = CV_OPT_FLOAT, .default_value = "0.5",
     .offset = offsetof(boilerplate_opts, main_run_after_list),
     .help = "main_run: lists of links (main_run_list_lines) part the run into pieces; a piece after the one with "
             "most paragraph characters, with less than this fraction of them, goes (other stories' summaries, an "
             "author's box, comments behind a list of links; 0: off); so does one behind a cut rule's line (a share "
             "or a comments widget, a newsletter's sign-up: its pitch), unless another such line closes it (a box "
             "inside the article)"},
    {.key = "main_run_wrapped", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(boilerplate_opts, main_run_wrapped),
     .help = "main_run: a line that ends no sentence and the lines after it that start with a small letter are one "
             "paragraph wrapped into lines (a <pre> block, text with line breaks), a paragraph when it would be "
             "one as a single line"},
    {.key = "main_run_title", .type = CV_OPT_BOOL, .default_value = "true",
     .offset = offsetof(boilerplate_opts, main_run_title),
     .help = "main_run: when the first line is the page's title (\"Headline | Site\", as dumps and WET files "
             "begin) and a later line repeats it or one of its parts, that line is the headline and the run "
             "holds the first paragraph after it"},
    {.key = "main_run_title_lines", .type = CV_OPT_INT, .default_value = "8",
     .offset = offsetof(boilerplate_opts, main_run_title_lines),
     .help = "main_run_title: at most this many kept lines (a byline, a date, a standfirst) between the headline "
             "and its first paragraph; more are a list of other stories' headlines"},
    {.key = "main_run_topic_weight", .type = CV_OPT_FLOAT, .default_value = "6",
     .offset = offsetof(boilerplate_opts, main_run_topic_weight),
     .help = "main_run: a paragraph holding main_run_topic_words words of the page's title (its first line, when "
             "no paragraph; of \"Headline | Site\" the longest part) counts this many times its characters: the "
             "article names what its headline names, a cookie dialog or a comment form does not (1: off)"},
    {.key = "main_run_topic_letters", .type = CV_OPT_INT, .default_value = "5",
     .offset = offsetof(boilerplate_opts, main_run_topic_letters),
     .help = "main_run_topic_weight: the title's words of at least this many letters (shorter ones are \"the\", "
             "\"and\" in many languages)"},
    {.key = "main_run_topic_words", .type = CV_OPT_INT, .default_value = "2",
     .offset = offsetof(boilerplate_opts, main_run_topic_words),
     .help = "main_run_topic_weight: this many of the title's words, each counted once (one may be a common word "
             "such as \"about\")"},
    {.key = "main_run_dateline_words", .type = CV_OPT_INT, .default_value = "16",
     .offset = offsetof(boilerplate_opts, main_run_dateline_words),
     .help = "main_run: a line in the run of at most this many words that is no paragraph, ends no sentence, holds "
             "a date (a day or a year by a month's name from the rules' months: lists, or 5.3.2024, 2024-03-05) and "
             "is mostly numbers, capitalised words and month names goes: a dateline, a byline with its date "
             "(0: they stay)"},
    {.key = "title_key", .type = CV_OPT_STRING, .default_value = "title",
     .offset = offsetof(boilerplate_opts, title_key),
     .help = "metadata key for the headline trim_lead kept (empty: do not set)"},
    {.key = "end_key", .type = CV_OPT_STRING, .default_value = "end_removed",
     .offset = offsetof(boilerplate_opts, end_key),
     .help = "metadata key set to true when the text's last line was removed: the page went on past the text, so a "
             "last sentence without a full stop is not a truncation (quality's drop_unfinished_tail reads it; "
             "empty: do not set)"},
    {0},
};

typedef struct line {
    const char *s;
    size_t len;
    char *owned; /* after a strip rule */
    const char *why; /* removal counter, NULL: kept */
    size_t words;
    int para;
    int list; /* main_run: in a list of links (mark_link_lists) */
    int joins; /* main_run_wrapped: goes on the line before, a paragraph wrapped into lines */
    const char *before_trims; /* why before teasers, menus and the trims: trim_max_fraction restores it */
    int cut; /* a cut rule's line under main_run, before no article: the run pays main_run_cut_cost to cross it */
    int widget; /* a cut rule's line (share, comments, newsletter), whatever settle_cuts found after it */
    int sentence; /* ends like a sentence, of SENTENCE_MIN_WORDS words or more: short prose, when no paragraph */
    int announced; /* a list a line ending with a colon announces, the intro too, text after it (mark_announced) */
    int captioned; /* removed as the caption over a credit line (a rule's previous: true): maybe the headline */
    int topical; /* main_run: a paragraph naming the title's headline's words (main_run_topic_weight) */
    int script; /* script or data (scripted): no paragraph, no headline */
    int copied; /* a later line repeats it (repeated_lines): under main_run, a short one goes from the run */
} line;

typedef struct bp {
    const cv_host *host;
    cv_ctx *ctx;
    rules *rules;
    int64_t max_bytes, cut_min, para_words, para_long, para_unfinished, source_words;
    int teasers;
    int64_t num_words, menu_words, menu_run, block_max, caption_words, head_words;
    double num_frac, after_list, trim_max, topic_weight;
    /* Words are counted up to one more than any threshold compares with: a
     * long paragraph need not be walked to its end.  The headline choice
     * counts its few candidates fully. */
    size_t words_cap;
    int repeated, lead, tail, main_run, run_title, wrapped;
    int64_t run_cost, anchor_lines, cut_cost, inside_min, list_lines, topic_letters, topic_words, dateline_words;
    topic topic; /* main_run_topic_weight: the words of the title's headline */
    uint64_t title_keys[TITLE_KEYS]; /* topic_key of the title line and of each run of its parts */
    size_t ntitle_keys;
    const char *title_key, *end_key;
    size_t head; /* the headline line kept by trim_lead, or SIZE_MAX */
    line *lines;
    size_t nlines, clines;
    size_t *after;    /* cut: chars of all lines from i on at [2i], of their paragraphs at [2i + 1] */
    size_t cafter;
    int after_ready;  /* after is for the current document */
    size_t *seen; /* repeated_lines: open-addressed set of kept lines, as index + 1 (0: empty) */
    size_t cseen;
    cv_buf out;
} bp;

static void boilerplate_destroy(void *p)
{
    bp *b = p;
    rules_free(b->rules);
    free(b->lines);
    free(b->seen);
    free(b->after);
    buf_free(&b->out);
    free(b);
}

static void *boilerplate_create(const cv_host *h, cv_ctx *ctx)
{
    bp *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->host = h;
    b->ctx = ctx;
    boilerplate_opts o;
    h->opt_load(ctx, &o);
    b->max_bytes = o.rule_max_bytes;
    b->cut_min = o.cut_min_chars;
    b->para_words = o.paragraph_min_words;
    b->para_long = o.paragraph_long_chars;
    b->para_unfinished = o.paragraph_unfinished_words;
    b->num_words = o.numeric_max_words;
    b->num_frac = o.numeric_min_fraction;
    b->menu_words = o.menu_max_words;
    b->menu_run = o.menu_min_run;
    b->block_max = o.block_max_lines;
    b->caption_words = o.caption_max_words;
    b->head_words = o.headline_min_words;
    b->dateline_words = o.main_run_dateline_words;
    int64_t most = 0, limits[] = {b->para_words,   b->para_unfinished, TEASER_MAX_WORDS, b->num_words,
                                  b->menu_words,   b->caption_words,   b->head_words,    b->dateline_words};
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
        most = limits[i] > most ? limits[i] : most;
    b->words_cap = (size_t)most + 1;
    b->repeated = o.repeated_lines;
    b->source_words = o.repeated_with_source;
    b->teasers = o.story_teasers;
    b->lead = o.trim_lead;
    b->tail = o.trim_tail;
    b->main_run = o.main_run;
    b->run_cost = o.main_run_line_cost;
    b->run_title = o.main_run_title;
    b->wrapped = o.main_run_wrapped;
    b->anchor_lines = o.main_run_title_lines;
    b->cut_cost = o.main_run_cut_cost;
    b->inside_min = o.repeated_inside;
    b->list_lines = o.main_run_list_lines;
    b->after_list = o.main_run_after_list;
    b->trim_max = o.trim_max_fraction;
    b->topic_weight = o.main_run_topic_weight;
    b->topic_letters = o.main_run_topic_letters < 1 ? 1 : o.main_run_topic_letters;
    b->topic_words = o.main_run_topic_words < 1 ? 1 : o.main_run_topic_words;
    b->title_key = o.title_key;
    b->end_key = o.end_key;
    b->rules = rules_load(h, ctx, o.rules, (size_t)b->max_bytes);
    if (!b->rules)
        goto fail;
    return b;
fail:
    boilerplate_destroy(b);
    return NULL;
}

#define SENTENCE_MIN_WORDS 3 /* "It was short." is prose; "Menu." is not */
#define SPEECH_MIN_WORDS 2 /* "— Yes." is too short to tell from a bullet */

/* A line of dialogue: a long or an en dash and a space, then words ending
 * like a sentence ("— When will it open?" "— In the autumn."), as an
 * interview or a story in many languages writes its speech. */
static int speech(const char *s, size_t len, size_t words)
{
    return s && len > 4 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
           ((unsigned char)s[2] == 0x94 || (unsigned char)s[2] == 0x93) && s[3] == ' ' && words >= SPEECH_MIN_WORDS;
}

/* Is text of this shape a paragraph?  A long one may hold a sentence
 * boundary: s is asked (NULL: not). */
static int paragraph(const bp *b, int ends, size_t words, size_t len, const char *s)
{
    return (ends && ((int64_t)words >= b->para_words || speech(s, len, words))) ||
           ((int64_t)len >= b->para_long &&
            ((s && has_inner_sentence_end(s, len)) || (b->para_unfinished > 0 && (int64_t)words >= b->para_unfinished)));
}

/* Han characters and kana, which Chinese and Japanese write without spaces
 * between words: counted up to max. */
static size_t unspaced_letters(const char *s, size_t len, size_t max)
{
    size_t n = 0;
    /* all of them take three bytes led by 0xE3..0xE9, a byte no other character's encoding holds: the rest
     * of the text is skipped a byte at a time, not decoded (every short line is asked) */
    for (size_t i = 0; i + 2 < len && n < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0xE3 || c > 0xE9)
            continue;
        size_t at = i;
        int cp = utf8_next(s, &at);
        n += (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF);
        i = at - 1;
    }
    return n;
}

#define SCRIPT_SAMPLE 1000 /* bytes of a line looked at */
#define SCRIPT_BRACES 4 /* braces in the sample, at least... */
#define SCRIPT_BRACES_PER_MILLE 5 /* ...and per thousand of its bytes (1 to 10 judge the same pages) */

/* Does the line hold script or data (minified JavaScript, JSON, CSS) rather
 * than prose?  Prose has no braces; such a line is no paragraph, however
 * long and however many full stops it holds.  memchr finds that most lines
 * have none. */
static int scripted(const char *s, size_t len)
{
    size_t n = len < SCRIPT_SAMPLE ? len : SCRIPT_SAMPLE, braces = 0;
    const char *open = memchr(s, '{', n), *close = memchr(s, '}', n);
    if (!open && !close)
        return 0;
    for (size_t i = (size_t)((open && (!close || open < close) ? open : close) - s); i < n; i++)
        braces += s[i] == '{' || s[i] == '}';
    return braces >= SCRIPT_BRACES && braces * 1000 >= SCRIPT_BRACES_PER_MILLE * n;
}

static void measure(bp *b, line *l)
{
    l->words = count_words_max(l->s, l->len, b->words_cap);
    /* a line of Chinese or Japanese is a word or two by spaces: its letters
     * count, two a word, for every threshold (a headline's words, a menu
     * item's, a paragraph's) */
    if (l->words < b->words_cap) {
        size_t unspaced = unspaced_letters(l->s, l->len, 2 * b->words_cap) / 2;
        l->words = unspaced > l->words ? unspaced : l->words;
    }
    int ends = ends_sentence(l->s, l->len);
    l->script = scripted(l->s, l->len);
    l->para = paragraph(b, ends, l->words, l->len, l->s) && !l->script;
    l->sentence = ends && l->words >= SENTENCE_MIN_WORDS;
}

/* Remove the match from a line; 1 if nothing but space is left. */
static int strip(line *l, size_t start, size_t end)
{
    size_t n = l->len - (end - start);
    char *s = xcalloc(n + 32, 1); /* zero padding: PCRE2's JIT reads ahead (see core/doc.c) */
    memcpy(s, l->s, start);
    memcpy(s + start, l->s + end, l->len - end);
    if (start > 0 && start < n && s[start - 1] == ' ' && s[start] == ' ') { /* "a <x> b": one space stays */
        memmove(s + start, s + start + 1, n - start - 1);
        s[--n] = '\0';
    }
    while (n && (s[n - 1] == ' '))
        s[--n] = '\0';
    size_t lead = strspn(s, " ");
    free(l->owned);
    l->owned = s;
    l->s = s + lead;
    l->len = n - lead;
    return l->len == 0;
}

static void split_lines(bp *b, const char *text, size_t len)
{
    b->nlines = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        size_t s = i;
        while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
            s++;
        size_t t = e;
        while (t > s && (text[t - 1] == ' ' || text[t - 1] == '\t' || text[t - 1] == '\r'))
            t--;
        if (t > s) {
            if (b->nlines == b->clines) {
                b->clines = b->clines ? b->clines * 2 : 64;
                b->lines = xrealloc(b->lines, b->clines * sizeof *b->lines);
            }
            b->lines[b->nlines++] = (line){.s = text + s, .len = t - s};
        }
        i = e + 1;
    }
}

#define STRIP_MAX 64 /* matches a strip rule removes from one line */

/* State of the pattern pass over one document. */
typedef struct pass {
    size_t kept_chars;
    int64_t in_block;
    const char *block_why;
} pass;

static int numeric_line(const bp *b, const line *l);

#define CUT_LABEL_LINES 2 /* short lines a cut's widget may have below it: its own label, a heading */

/* The line after a cut rule's line i that tells whether the article goes
 * on: the first past at most CUT_LABEL_LINES short ones, the second of them
 * no date or number (a comment's name and time come before its text). */
static size_t after_labels(const bp *b, size_t i)
{
    size_t next = i + 1;
    for (int k = 0; k < CUT_LABEL_LINES && next + 1 < b->nlines; k++, next++) {
        const line *l = &b->lines[next];
        if (l->para || (int64_t)l->words > b->caption_words || (k > 0 && numeric_line(b, l)))
            break;
    }
    return next;
}

/* Does the article go on after line i, where a cut rule matched?  A widget
 * line ("subscribe to our channel") may sit between two paragraphs: cutting
 * to the end is right only when what follows is chrome.  The article goes
 * on when the next line (past at most two short lines: a label, a heading)
 * is a paragraph and paragraphs hold at least half of the characters from
 * there to the end; comments (names and dates between their texts), lists
 * of other stories and footers do not.  The sums from each line to the end
 * are taken once per document, at its first cut: linear in lines. */
static int article_follows(bp *b, size_t i)
{
    size_t n = b->nlines;
    if (!b->after_ready) {
        if (b->cafter < 2 * (n + 1)) {
            free(b->after);
            b->cafter = 2 * (n + 1);
            b->after = xmalloc(b->cafter * sizeof *b->after);
        }
        b->after[2 * n] = b->after[2 * n + 1] = 0;
        for (size_t j = n; j-- > i + 1;) {
            line *l = &b->lines[j];
            measure(b, l); /* measured again when the pass reaches it: a strip may change it */
            b->after[2 * j] = b->after[2 * (j + 1)] + l->len;
            b->after[2 * j + 1] = b->after[2 * (j + 1) + 1] + (l->para ? l->len : 0);
        }
        b->after_ready = 1;
    }
    size_t next = after_labels(b, i);
    return next < n && b->lines[next].para && 2 * b->after[2 * next + 1] >= b->after[2 * next];
}

/* Apply rule r, which matched line i at [ms, me).  1: a cut ended the document. */
static int apply(bp *b, size_t i, const rule *r, size_t ms, size_t me, pass *ps)
{
    line *l = &b->lines[i];
    switch (r->act) {
    case ACT_STRIP:
        if (me == ms) /* an empty match would remove nothing */
            return 0;
        if (strip(l, ms, me))
            l->why = r->counter;
        else {
            b->host->count(b->ctx, r->counter, 1);
            measure(b, l);
            rules_line(b->rules, l->s, l->len); /* the line changed; rules before r are not asked again */
        }
        break;
    case ACT_LINE:
        l->why = r->counter;
        break;
    case ACT_CUT:
        l->why = r->counter;
        l->cut = b->main_run; /* settled by settle_cuts once every line is judged */
        l->widget = 1;
        if (!b->main_run && (int64_t)ps->kept_chars >= b->cut_min && !article_follows(b, i)) {
            for (size_t j = i + 1; j < b->nlines; j++)
                b->lines[j].why = r->counter;
            return 1;
        }
        break;
    case ACT_BLOCK:
        l->why = r->counter;
        ps->in_block = b->block_max;
        ps->block_why = r->counter;
        break;
    }
    if (l->why && r->previous && i > 0) {
        line *p = &b->lines[i - 1];
        if (!p->why && !p->para && (int64_t)p->words <= b->caption_words) {
            p->why = r->counter;
            p->captioned = 1;
        }
    }
    return 0;
}

/* The pattern pass: strip rules first, in file order, then the others in
 * file order, the first that matches deciding. */
static void apply_rules(bp *b)
{
    pass ps = {0};
    size_t nrules = rules_count(b->rules);
    b->after_ready = 0;
    for (size_t i = 0; i < b->nlines; i++) {
        line *l = &b->lines[i];
        measure(b, l);
        if (ps.in_block > 0) {
            if (!l->para) {
                l->why = ps.block_why;
                ps.in_block--;
                continue;
            }
            ps.in_block = 0;
        }
        size_t ms, me, k;
        rules_line(b->rules, l->s, l->len);
        for (k = 0; !l->why && (k = rules_next(b->rules, l->s, l->len, RULES_STRIP, k)) < nrules; k++)
            /* every match goes (tags, attributes: a line may hold many), up to a bound */
            for (int again = 0; again < STRIP_MAX && !l->why && rules_match(b->rules, k, l->s, l->len, &ms, &me) &&
                                me > ms;
                 again++)
                apply(b, i, rules_at(b->rules, k), ms, me, &ps);
        for (k = 0; !l->why && (k = rules_next(b->rules, l->s, l->len, RULES_OTHER, k)) < nrules; k++)
            if (rules_match(b->rules, k, l->s, l->len, &ms, &me) && apply(b, i, rules_at(b->rules, k), 0, 0, &ps))
                return;
        if (!l->why && l->para)
            ps.kept_chars += l->len; /* only real paragraphs count: chrome at the top must not arm a cut */
    }
}

#define SOURCE_MIN_CHARS 40 /* repeated_with_source: the repeated line is at least this long */
#define SOURCE_MAX_LINES 1000 /* ...and is among the first this many lines (the test is quadratic) */

/* Does the line start with a small letter (any script)? */
static int starts_small(const char *s, size_t len)
{
    size_t i = 0;
    if (!len)
        return 0;
    int cp = utf8_next(s, &i);
    return cp > 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_LL;
}

static int numeric_line(const bp *b, const line *l)
{
    return (int64_t)l->words <= b->num_words && l->words > 0 && !l->para &&
           (double)count_numeric(l->s, l->len) >= b->num_frac * (double)l->words;
}

#define YEAR_DIGITS 4

/* Does a numeric line tell a time: digits joined to digits by a dot, a
 * colon, a slash or a hyphen ("27.10.2021", "16:43", "2021-10-27"), or a
 * year (four digits alone: "5 March 2024")?  A price, a quantity, a score
 * or a rank ("370 EUR", "125 g", "3") does not: after such a line the line
 * above is a table's or a recipe's, not another story's headline. */
static int tells_time(const line *l)
{
    size_t digits = 0;
    for (size_t i = 0; i <= l->len; i++) {
        char c = i < l->len ? l->s[i] : ' ';
        if (c >= '0' && c <= '9') {
            digits++;
            continue;
        }
        if (digits == YEAR_DIGITS ||
            (digits && i + 1 < l->len && (c == '.' || c == ':' || c == '/' || c == '-') && l->s[i + 1] >= '0' &&
             l->s[i + 1] <= '9'))
            return 1;
        digits = 0;
    }
    return 0;
}

/* Does `longer` hold all of `shorter` and then a few more words after a
 * space or a dash ("... in the west. - Met Office")? */
static int repeats_with_source(const bp *b, const line *shorter, const line *longer)
{
    if (shorter->len < SOURCE_MIN_CHARS || longer->len <= shorter->len ||
        memcmp(longer->s, shorter->s, shorter->len))
        return 0;
    const char *rest = longer->s + shorter->len;
    size_t rlen = longer->len - shorter->len;
    if (rest[0] != ' ' && rest[0] != '-' && rest[0] != ',' && rest[0] != '(' && rest[0] != '|' &&
        (unsigned char)rest[0] != 0xE2) /* a dash or a bullet */
        return 0;
    size_t words = count_words_max(rest, rlen, (size_t)b->source_words + 1);
    return words >= 1 && (int64_t)words <= b->source_words;
}

/* repeated_lines: the earlier kept line that kept line i equals, as its
 * index + 1; 0 when none, and i joins the set.  A hash set, not a walk over
 * the lines before: a book of 100k paragraphs took 21 s that way.  Sized per
 * document (at most half full), so a huge document does not make every later
 * one clear a huge set. */
static void seen_clear(bp *b)
{
    size_t c = 64;
    while (c < 2 * b->nlines)
        c *= 2;
    if (b->cseen != c) {
        free(b->seen);
        b->seen = xmalloc(c * sizeof *b->seen);
        b->cseen = c;
    }
    memset(b->seen, 0, c * sizeof *b->seen);
}

static size_t seen_before(bp *b, size_t i)
{
    const line *l = &b->lines[i];
    size_t mask = b->cseen - 1;
    for (size_t h = (size_t)XXH3_64bits(l->s, l->len) & mask;; h = (h + 1) & mask) {
        size_t j = b->seen[h];
        if (!j) {
            b->seen[h] = i + 1;
            return 0;
        }
        const line *o = &b->lines[j - 1];
        if (o->len == l->len && !memcmp(o->s, l->s, l->len))
            return j;
    }
}

/* main_run: among the kept lines, the run whose paragraph characters most
 * outweigh the other lines' cost (a maximum-sum run, one pass) is the
 * article; kept lines outside it go, but the headline.  Chrome paragraphs
 * (a cookie notice, a comment form, teasers with their summaries) sit
 * apart from the article behind menus and lists of links, which cost. */
#define RUN_HEAD_LINES 3 /* main_run: its headline is among this many lines before it */

#define TITLE_SEPARATORS 8
#define TITLE_MAX_BYTES 600 /* a longer first line is no title: the search stays linear in the text */

static const char *const title_sep[TITLE_SEPARATORS] = {" | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ",
                                                        " :: ", " / ", " \xC2\xBB ", " \xC2\xB7 "};

/* The length of the title separator at t[at], or 0. */
static size_t title_sep_at(const char *t, size_t len, size_t at)
{
    for (int k = 0; k < TITLE_SEPARATORS; k++) {
        size_t sl = strlen(title_sep[k]);
        if (at + sl <= len && !memcmp(t + at, title_sep[k], sl))
            return sl;
    }
    return 0;
}

#define TITLE_PARTS 10
#define TITLE_SLACK 8 /* bytes a copy of the title may have more: spaces before colons, curly quotes */

/* title_keys: the keys of the title line (the first), of its parts between
 * separators and of the runs of them, once per document. */
static void key_title(bp *b)
{
    size_t from[TITLE_PARTS + 1], to[TITLE_PARTS + 1], np = 0;
    b->ntitle_keys = 0;
    if (!b->nlines || b->lines[0].len > TITLE_MAX_BYTES)
        return;
    const line *t = &b->lines[0];
    from[0] = 0;
    for (size_t at = 0; at < t->len && np + 1 < TITLE_PARTS;) {
        size_t sl = title_sep_at(t->s, t->len, at);
        if (!sl) {
            at++;
            continue;
        }
        to[np++] = at;
        from[np] = at += sl;
    }
    to[np++] = t->len;
    for (size_t i = 0; i < np; i++)
        for (size_t j = i; j < np; j++)
            b->title_keys[b->ntitle_keys++] = topic_key(t->s + from[i], to[j] - from[i]);
}

/* Is line l the title line, or one of its parts between " | ", " - " and
 * the like ("Headline - Site"), of at least headline_min_words words?  A
 * copy that differs in spaces, punctuation or quotes ("Foo : bar", "„bar“")
 * is one too: keys hold letters and digits only. */
static int titles(const bp *b, const line *l)
{
    if (!b->ntitle_keys || l->len > b->lines[0].len + TITLE_SLACK ||
        (int64_t)count_words_max(l->s, l->len, (size_t)b->head_words) < b->head_words)
        return 0;
    uint64_t key = topic_key(l->s, l->len);
    for (size_t k = 0; k < b->ntitle_keys; k++)
        if (b->title_keys[k] == key)
            return 1;
    return 0;
}

static int64_t run_value(const bp *b, const line *l)
{
    /* a line removed already (a menu item, a teaser) still parts what it
     * stood between, but only by the fixed cost: rules remove teasers from
     * inside articles too */
    if (l->cut)
        return -b->cut_cost;
    if (!l->why && !l->para && (l->announced || l->sentence)) /* the text's own list, short prose: no more */
        return -b->run_cost;                                  /* than a removed line */
    if (!l->why && l->para && l->topical) /* the article's: main_run_topic_weight */
        return (int64_t)(b->topic_weight * (double)l->len);
    return l->why ? -b->run_cost : l->para ? (int64_t)l->len : -((int64_t)l->len + b->run_cost);
}

#define TITLE_MAX_ANCHORS 8 /* headline candidates tried: the search stays linear in the text */

/* The run a headline at line a anchors: it holds a's first paragraph p,
 * from the best start after a to the best end from p; its value, or -1 when
 * more than main_run_title_lines kept lines (a byline, a date, a standfirst
 * are few; a list of other headlines is more) stand between a and p. */
static int64_t anchored_run(const bp *b, size_t a, size_t *start, size_t *end)
{
    const line *L = b->lines;
    size_t n = b->nlines, p, between = 0;
    for (p = a + 1; p < n && (L[p].why || !L[p].para) && (int64_t)between <= b->anchor_lines; p++)
        between += !L[p].why;
    if (p == n || (int64_t)between > b->anchor_lines)
        return -1;
    int64_t left = 0, right = 0, s = 0;
    *start = *end = p;
    for (size_t i = p; i-- > a + 1;) {
        s += run_value(b, &L[i]);
        if (s > left) {
            left = s;
            *start = i;
        }
    }
    s = 0;
    for (size_t i = p; i < n; i++) {
        s += run_value(b, &L[i]);
        if (s > right || i == p) {
            right = s;
            *end = i;
        }
    }
    return left + right;
}

#define INTRO_MIN_WORDS 3 /* "Like this:", "Share on:" are widgets' labels; "Do it like this:" announces */

/* Does line l end with `tail` / start with `head` (bytes)? */
static int ends_with(const line *l, const char *tail)
{
    size_t n = strlen(tail);
    return l->len >= n && !memcmp(l->s + l->len - n, tail, n);
}

static int starts_with(const line *l, const char *head)
{
    size_t n = strlen(head);
    return l->len >= n && !memcmp(l->s, head, n);
}

/* Does kept line l announce the lines after it: a sentence's worth of
 * words ending with a colon? */
static int introduces(const line *l)
{
    return !l->why && ends_with(l, ":") && l->words >= INTRO_MIN_WORDS;
}

/* Do kept lines [from, to) end in the page's title (its first line, or a
 * part of it)?  A breadcrumb trail ("You are here:", then the sections) ends
 * in the page it leads to; a list the text announces does not. */
static int crumbs(const bp *b, size_t from, size_t to)
{
    const line *L = b->lines;
    if (from == 0 || L[0].len > TITLE_MAX_BYTES)
        return 0;
    for (size_t k = from; k < to; k++)
        if (!L[k].why && titles(b, &L[k]))
            return 1;
    return 0;
}

/* A list the text announces ("You will need:", then the items) is the
 * text's own, wherever it stands: its items are marked, when a paragraph or
 * the text's end follows within block_max_lines kept lines, so that menus,
 * trim_lead and main_run leave them; an intro whose lines run on (a label
 * over a column of links) marks nothing, and so does a paragraph ending with
 * a colon: what follows it on a page is as often a comment form. */
static void mark_announced(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines;
    for (size_t i = 0; i < n; i++) {
        if (!introduces(&L[i]) || L[i].para)
            continue;
        size_t j = i + 1, items = 0;
        for (; j < n && (L[j].why || (!L[j].para && !introduces(&L[j]))); j++)
            items += !L[j].why;
        if (!items || (int64_t)items > b->block_max || (j < n && !L[j].para) || crumbs(b, i + 1, j))
            continue;
        for (size_t k = i; k < j; k++)
            L[k].announced = !L[k].why;
        i = j - 1;
    }
}

#define ITEM_MAX_WORDS 6 /* "150 g brown sugar, sifted": an item, not a sentence */
#define ITEM_MIN_LINES 3
#define HEADING_MAX_WORDS 3 /* "Ingredients", "For the dough" */

/* The number a line starts with, when a word follows it ("150 g sugar",
 * "3 ripe bananas", "1/2 tsp salt"); -1 when none. */
static long quantity(const line *l)
{
    size_t i = 0;
    long v = 0;
    while (i < l->len && l->s[i] >= '0' && l->s[i] <= '9' && v < 100000)
        v = 10 * v + (l->s[i++] - '0');
    if (i == 0)
        return -1;
    while (i < l->len && (l->s[i] == '.' || l->s[i] == ',' || l->s[i] == '/' || (l->s[i] >= '0' && l->s[i] <= '9')))
        i++;
    return i + 1 < l->len && l->s[i] == ' ' && !(l->s[i + 1] >= '0' && l->s[i + 1] <= '9') ? v : -1;
}

/* A list of quantities (a recipe's ingredients, a kit's parts) is the
 * text's own however short its lines: ITEM_MIN_LINES or more short kept
 * lines in a row, most of them starting with a number that is no rank (1,
 * 2, 3 ... is a list of most read stories), and the short heading over
 * them, are marked as an announced list is. */
static void mark_quantity_lists(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines;
    for (size_t i = 0; i < n;) {
        size_t j = i, items = 0, qty = 0, ranks = 0;
        for (; j < n && (L[j].why || (!L[j].para && !L[j].announced && L[j].words <= ITEM_MAX_WORDS)); j++) {
            if (L[j].why)
                continue;
            long v = quantity(&L[j]);
            ranks += v == (long)qty + 1;
            qty += v >= 0;
            items++;
        }
        if (qty >= ITEM_MIN_LINES && 2 * qty >= items && ranks < qty) {
            size_t h = i;
            while (h > 0 && L[h - 1].why)
                h--;
            if (h > 0 && !L[h - 1].para && L[h - 1].words <= HEADING_MAX_WORDS && !ends_sentence(L[h - 1].s, L[h - 1].len))
                L[h - 1].announced = 1;
            for (size_t k = i; k < j; k++)
                L[k].announced = !L[k].why;
        }
        i = j > i ? j : i + 1;
    }
}

/* The intro of the announced list that ends right before line `at`, or
 * `at` when none does. */
static size_t announced_start(const bp *b, size_t at)
{
    const line *L = b->lines;
    size_t i = at;
    while (i > 0 && (L[i - 1].why || L[i - 1].announced))
        i--;
    while (i < at && L[i].why)
        i++;
    return i < at && introduces(&L[i]) ? i : at;
}

#define LEAD_SENTENCE_MIN_WORDS 4 /* "By Anna K." ends like a sentence too */

/* Does kept line l, no paragraph, ask a question of a sentence's words, or
 * end a sentence of a few more?  Right before a paragraph it leads into it:
 * an interview's first question, a note ("This post first appeared on X."). */
static int leads_into(const line *l)
{
    return !l->why && !l->para && l->words >= SENTENCE_MIN_WORDS &&
           ((l->sentence && l->words >= LEAD_SENTENCE_MIN_WORDS) || ends_with(l, "?") || ends_with(l, "\xEF\xBC\x9F")); /* or a full-width one */
}

/* Where the text that leads into the paragraph at `at` starts: the intro of
 * a list announced right before it, or a question or a short sentence right
 * before it; `at` when none. */
static size_t lead_in(const bp *b, size_t at)
{
    size_t s = announced_start(b, at);
    return s == at && at > 0 && leads_into(&b->lines[at - 1]) ? at - 1 : s;
}

/* lead_in's mirror: where the text the paragraph at `at` leads out into
 * ends.  Kept lines right after it that ask a question or end a short
 * sentence ("I hope you like the new look.") or announce what follows
 * ("The paper is here:") close the article, though they cost the run;
 * `at` when none. */
static size_t lead_out(const bp *b, size_t at)
{
    const line *L = b->lines;
    while (at + 1 < b->nlines && (leads_into(&L[at + 1]) || (introduces(&L[at + 1]) && !L[at + 1].para)))
        at++;
    return at;
}

/* Does the line start with a bullet ("• ", "- ", "* ", "– ")? */
static int bulleted(const line *l)
{
    return (l->len > 2 && (starts_with(l, "- ") || starts_with(l, "* "))) ||
           (l->len > 4 && (starts_with(l, "\xE2\x80\xA2 ") || starts_with(l, "\xE2\x80\x93 ")));
}

#define OWN_LIST_MIN_LINES 12 /* 7 to 12 give the dumps the same F1; 16 loses a recipe */

/* main_run: list_lines or more kept lines in a row that are no paragraphs
 * are a list of links (other stories' headlines, a "more on this" box),
 * unless a line ending with a colon introduces them (ingredients, steps, a
 * list the text announces), most of them start with a bullet, they are a
 * list of quantities (mark_quantity_lists: a recipe's, a table's figures),
 * or OWN_LIST_MIN_LINES or more stand between two paragraphs with no
 * removed line among them: a box of links inside an article has a heading
 * the rules know ("Read also") or a few lines, a table or a list of steps
 * runs longer. */
static void mark_link_lists(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines, last = SIZE_MAX; /* the kept line before */
    for (size_t i = 0; i < n;) {
        if (L[i].why || L[i].para) {
            if (!L[i].why)
                last = i;
            i++;
            continue;
        }
        int intro = last != SIZE_MAX && ends_with(&L[last], ":");
        size_t j = i, run = 0, bullets = 0, removed = 0, before = last;
        for (; j < n && (L[j].why || !L[j].para); j++)
            if (L[j].why)
                removed++;
            else {
                intro |= ends_with(&L[j], ":");
                run += j != b->head; /* the headline is the page's own, no link */
                bullets += bulleted(&L[j]);
                last = j;
            }
        /* items the text marks with bullets are its own list, a heading after them too */
        /* a long run with no removed line, between two paragraphs, is the text's own (a table, steps) */
        int own = run >= OWN_LIST_MIN_LINES && !removed && j < n && before != SIZE_MAX && L[before].para;
        if (!intro && !own && (int64_t)run >= b->list_lines && !(bullets >= 2 && 2 * bullets > run))
            for (size_t k = i; k < j; k++)
                L[k].list = !L[k].why && !L[k].announced; /* a list of quantities is the text's own */
        i = j;
    }
}

/* main_run: lists of links part the run into pieces; the piece with most
 * paragraph characters is the article, and a piece after it with less than
 * frac of them is what follows an article behind a list of other stories
 * (their summaries, an author's box, comments).  With `widgets`, the lines
 * of cut rules part it too (a share or a comments widget, a newsletter's
 * sign-up: the run crossed one because paragraphs follow it), and a small
 * piece behind one goes (the pitch under it, a comment form's notice) but
 * for one that another such line closes: the article resumed after a box
 * inside it, with the share buttons under its last paragraph. */
static void trim_after_lists(bp *b, size_t start, size_t end, double frac, int widgets)
{
    line *L = b->lines;
    size_t core_end = start, piece, core = 0, mass = 0;
    for (size_t i = start; i <= end + 1; i++) {
        if (i <= end && !L[i].list && !(widgets && L[i].widget)) {
            if (!L[i].why && L[i].para)
                mass += L[i].len;
            continue;
        }
        if (mass > core) {
            core = mass;
            core_end = i;
        }
        mass = 0;
    }
    /* the pieces after the core, each judged alone */
    mass = 0;
    piece = core_end;
    int opened = widgets && core_end <= end && !L[core_end].list; /* by a widget */
    for (size_t i = core_end; i <= end + 1; i++) {
        if (i <= end && !L[i].list && !(widgets && L[i].widget)) {
            if (!L[i].why && L[i].para)
                mass += L[i].len;
            continue;
        }
        /* a piece between two widgets is the article's, resumed after a box inside it */
        int closed = opened && i < b->nlines && L[i].widget;
        if ((double)mass < frac * (double)core && !closed)
            for (size_t k = piece; k < i; k++)
                if (!L[k].why && k != b->head)
                    L[k].why = "removed:after_list";
        mass = 0;
        piece = i + 1;
        opened = widgets && i <= end && !L[i].list;
    }
}

/* main_run: a cut rule's line goes alone; crossing it costs the run unless
 * the article goes on after it: the next kept line (past at most one short
 * one) is a paragraph, and kept paragraphs hold at least half of the
 * characters from there to the end.  A paragraph right after it is not
 * enough: an author's box or a comment form's notice is one too, and the
 * rules that remove those lines have run only now. */
static void settle_cuts(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines, all = 0, para = 0;
    for (size_t i = n; i-- > 0;) {
        if (L[i].cut) {
            size_t p = after_labels(b, i);
            if (p < n && !L[p].why && L[p].para && 2 * para >= all)
                L[i].cut = 0;
        }
        all += L[i].len;
        para += !L[i].why && L[i].para ? L[i].len : 0;
    }
}

/* main_run_topic_weight: the kept paragraphs that hold main_run_topic_words
 * words of the title's headline, the longest of its parts ("Headline |
 * Site").  A first line that is a paragraph is no title. */
static void mark_topical(bp *b)
{
    line *L = b->lines;
    const char *t = L[0].s;
    size_t len = L[0].len, best = 0, best_len = 0, from = 0;
    if (b->topic_weight == 1 || len > TITLE_MAX_BYTES || L[0].para)
        return;
    for (size_t at = 0; at <= len;) {
        size_t sl = at < len ? title_sep_at(t, len, at) : 1;
        if (!sl) {
            at++;
            continue;
        }
        if (at - from > best_len) {
            best = from;
            best_len = at - from;
        }
        at += sl;
        from = at;
    }
    topic_set(&b->topic, t + best, best_len, (size_t)b->topic_letters);
    for (size_t i = 1; i < b->nlines; i++)
        L[i].topical = !L[i].why && L[i].para && topic_named(&b->topic, L[i].s, L[i].len, (size_t)b->topic_words);
}

#define DATELINE_TOKENS 64 /* a line's first words and numbers looked at: more is no dateline */
#define DATELINE_NEAR 2 /* a day or a year stands this many words or fewer from the month's name */
#define DATELINE_SHAPED_TENTHS 6 /* tenths of its words that are numbers, capitalised or months, at least */

/* A date written with digits alone: 5.3.2024, 05/03/24, 2024-03-05 (three
 * numbers joined by a dot, a slash or a hyphen each: a day or a month of
 * one or two digits, or a year of four, first; a year of two or four
 * last).  A version ("1.2.3") is none. */
static int digit_date(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'))
            continue;
        size_t at = i, d[3] = {0};
        for (int part = 0; part < 3; part++, at++) {
            while (at < len && s[at] >= '0' && s[at] <= '9' && d[part] < 5)
                at++, d[part]++;
            if (part == 2)
                break;
            if (at + 1 >= len || (s[at] != '.' && s[at] != '/' && s[at] != '-'))
                break;
        }
        /* runs are read to five digits: a part of two or four is the whole number */
        if ((d[0] == 1 || d[0] == 2 || d[0] == 4) && (d[1] == 1 || d[1] == 2) && (d[2] == 2 || d[2] == 4))
            return 1;
    }
    return 0;
}

/* main_run_dateline_words: is kept line l a dateline ("5. März 2024, 14:30
 * Uhr", "By Anna Reid Feb 8, 2024", "Pubblicato il 19 Febbraio 2020")?
 * Short, no sentence, a date in it, and mostly numbers, capitalised words
 * (names) and month names: a sentence that names a date ("the council met
 * on 5 March") has lower-case words. */
static int dateline(const bp *b, const line *l)
{
    if (l->why || l->para || (int64_t)l->words > b->dateline_words || !l->words ||
        ends_sentence(l->s, l->len) || l->s[l->len - 1] == ':')
        return 0;
    const char *s = l->s;
    size_t len = l->len;
    size_t first = 0;
    int lead = utf8_next(s, &first);
    if (lead == '*' || lead == 0xB7 || lead == 0x2022 || (lead > 0 && utf8proc_category(lead) == UTF8PROC_CATEGORY_PD))
        return 0; /* a list's item ("- 9 May: the congress"), a quote's or a post's attribution ("— Name (@name) ...") */
    size_t digit = 0;
    while (digit < len && (s[digit] < '0' || s[digit] > '9'))
        digit++;
    if (digit == len)
        return 0; /* no day, no year */
    int dated = digit_date(s, len);
    /* the words: runs of letters, runs of digits; kind 0 a number of 1, 2 or 4 digits (a day, a year), 1 another
     * number, 2 a month, 3 a capitalised word, 4 another word */
    unsigned char kind[DATELINE_TOKENS];
    size_t n = 0;
    for (size_t i = 0; i < len && n < DATELINE_TOKENS;) {
        size_t at = i;
        int cp = utf8_next(s, &at);
        int cat = cp < 0 ? 0 : utf8proc_category(cp);
        int letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO, digit = cat == UTF8PROC_CATEGORY_ND;
        if (!letter && !digit) {
            i = at;
            continue;
        }
        size_t start = i, count = 0;
        int upper = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
        for (i = start; i < len; count++) {
            size_t next = i;
            int c = utf8_next(s, &next), k = c < 0 ? 0 : utf8proc_category(c);
            if (digit ? k != UTF8PROC_CATEGORY_ND : !(k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO))
                break;
            i = next;
        }
        kind[n++] = digit ? (count <= 2 || count == 4 ? 0 : 1)
                          : rules_month(b->rules, s + start, i - start) ? 2 : upper ? 3 : 4;
    }
    size_t shaped = 0;
    for (size_t k = 0; k < n; k++) {
        shaped += kind[k] != 4;
        if (kind[k] == 2) /* a month: a day or a year near it */
            for (size_t j = k > DATELINE_NEAR ? k - DATELINE_NEAR : 0; !dated && j < n && j <= k + DATELINE_NEAR; j++)
                dated = kind[j] == 0;
    }
    return dated && shaped * 10 >= DATELINE_SHAPED_TENTHS * n;
}

#define STANDFIRST_MIN_WORDS 10 /* "Police close the bridge after a crack is found in its pier": no label, no byline */

/* main_run: the kept line right after the headline h, when the run starts
 * later (a byline, a date, share buttons between) and it has a summary's
 * words, is the standfirst: it stays with the headline.  SIZE_MAX: none. */
static size_t standfirst(const bp *b, size_t h, size_t start)
{
    const line *L = b->lines;
    if (h == SIZE_MAX || h >= start)
        return SIZE_MAX;
    size_t i = h + 1;
    while (i < start && L[i].why)
        i++;
    return i < start && !L[i].para && L[i].words >= STANDFIRST_MIN_WORDS ? i : SIZE_MAX;
}

static void keep_main_run(bp *b)
{
    line *L = b->lines;
    settle_cuts(b);
    mark_topical(b);
    size_t n = b->nlines, start = 0, best_start = 0, best_end = n;
    int64_t sum = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t v = run_value(b, &L[i]);
        if (sum <= 0) {
            sum = v;
            start = i;
        } else
            sum += v;
        if (sum > best) {
            best = sum;
            best_start = start;
            best_end = i;
        }
    }
    /* The title's headline (the first line is the title; a later one that
     * is the title or one of its parts), when it comes before that run (one
     * inside or after it is a copy: a list of related stories, a slide's
     * caption): the run it anchors instead; of several copies before the
     * run (one in a list of recent posts), the one anchoring most. */
    size_t anchor = SIZE_MAX, tried = 0, densest = best_start;
    if (b->run_title && best_end < n && L[0].len <= TITLE_MAX_BYTES) {
        int64_t most = -1;
        for (size_t a = 1; a < densest && tried < TITLE_MAX_ANCHORS; a++) {
            if (!titles(b, &L[a]))
                continue;
            tried++;
            size_t s = 0, e = 0;
            int64_t v = anchored_run(b, a, &s, &e);
            if (v > most) {
                most = v;
                anchor = a;
                best_start = s;
                best_end = e;
            }
        }
    }
    int anchored = anchor != SIZE_MAX;
    if (best_end == n)
        return; /* no paragraph: quality decides */
    best_start = lead_in(b, best_start);
    best_end = lead_out(b, best_end);
    /* The run's own headline: of the few lines just before it, the kept one
     * with most words, when trim_lead's was a line before chrome paragraphs;
     * under the title's headline, that line is its standfirst. */
    size_t head = SIZE_MAX, most = 0;
    if (b->lead && (anchored || b->head == SIZE_MAX || b->head < best_start)) {
        for (size_t i = best_start; i-- > 0 && best_start - i <= RUN_HEAD_LINES && (!anchored || i > anchor);)
            if (!L[i].why && !L[i].para && !L[i].script && L[i].words > most) {
                most = L[i].words;
                head = i;
            }
        if (head == SIZE_MAX || (int64_t)most < b->head_words)
            head = SIZE_MAX;
        else if (!anchored)
            b->head = head;
    }
    if (anchored && b->lead) { /* the headline, even when a rule took it (a copy of the title, a short one) */
        L[anchor].why = NULL;
        b->head = anchor;
    }
    size_t stand = standfirst(b, head != SIZE_MAX ? head : b->head, best_start);
    for (size_t i = 0; i < n; i++)
        if (!L[i].why && (i < best_start || i > best_end) && i != b->head && i != head && i != stand)
            L[i].why = "removed:outside_main_run";
    if (b->list_lines > 0)
        mark_link_lists(b);
    for (size_t i = best_start; i <= best_end; i++)
        if (L[i].list && !L[i].why && i != b->head && i != head)
            L[i].why = "removed:link_list";
    if (b->list_lines > 0 && b->after_list > 0) {
        trim_after_lists(b, best_start, best_end, b->after_list, 0);
        trim_after_lists(b, best_start, best_end, b->after_list, 1);
    }
    /* A short line in the run that the page prints again (another story's
     * headline in two lists, a widget's label, a caption under its slide) is
     * no line of the article's own: the article says a thing once. */
    for (size_t i = best_start; i <= best_end; i++)
        if (L[i].copied && !L[i].why && !L[i].para && i != b->head && i != head && i != stand)
            L[i].why = "removed:printed_twice";
    if (b->dateline_words > 0)
        for (size_t i = best_start; i <= best_end; i++)
            if (i != b->head && i != head && i != stand && dateline(b, &L[i]))
                L[i].why = "removed:dateline";
}

/* repeated_inside: the kept lines (of the first SOURCE_MAX_LINES) that a
 * longer kept line holds.  Each candidate is known by the hash of its first
 * INSIDE_KEY bytes; the window at every byte of the longer lines is looked
 * up (a dump may join a copy to the word before it): linear in the bytes. */
#define INSIDE_KEY 32

typedef struct keyed {
    uint64_t h;
    size_t i;
} keyed;

#define INSIDE_FILTER_BITS 65536

static uint32_t four(const char *s)
{
    uint32_t v;
    memcpy(&v, s, 4);
    return (v * 2654435761u) >> 16; /* INSIDE_FILTER_BITS buckets */
}

static int keyed_cmp(const void *a, const void *b)
{
    uint64_t x = ((const keyed *)a)->h, y = ((const keyed *)b)->h;
    return x < y ? -1 : x > y;
}

static void remove_inside_copies(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines < SOURCE_MAX_LINES ? b->nlines : SOURCE_MAX_LINES, nk = 0;
    size_t min = b->inside_min > INSIDE_KEY ? (size_t)b->inside_min : INSIDE_KEY;
    keyed *k = xmalloc((n + 1) * sizeof *k);
    for (size_t i = 0; i < n; i++)
        if (!L[i].why && L[i].len >= min)
            k[nk++] = (keyed){XXH3_64bits(L[i].s, INSIDE_KEY), i};
    if (nk >= 2) {
        /* a filter on the first four bytes spares most windows the hash and the search */
        uint64_t *seen4 = xcalloc(INSIDE_FILTER_BITS / 64, sizeof *seen4);
        for (size_t c = 0; c < nk; c++) {
            uint32_t f = four(L[k[c].i].s);
            seen4[f / 64] |= 1ull << (f % 64);
        }
        qsort(k, nk, sizeof *k, keyed_cmp);
        for (size_t j = 0; j < n; j++) {
            const line *o = &L[j];
            if (o->why || o->len <= min)
                continue;
            for (size_t at = 0; at + min <= o->len; at++) {
                uint32_t f = four(o->s + at);
                if (!(seen4[f / 64] >> (f % 64) & 1))
                    continue;
                keyed key = {XXH3_64bits(o->s + at, INSIDE_KEY), 0};
                keyed *hit = bsearch(&key, k, nk, sizeof *k, keyed_cmp);
                if (!hit)
                    continue;
                while (hit > k && hit[-1].h == key.h)
                    hit--;
                for (; hit < k + nk && hit->h == key.h; hit++) {
                    line *c = &L[hit->i];
                    if (hit->i != j && !c->why && c->len < o->len && at + c->len <= o->len &&
                        !memcmp(o->s + at, c->s, c->len))
                        c->why = "removed:repeated_inside";
                }
            }
        }
        free(seen4);
    }
    free(k);
}

/* main_run: prose wrapped into lines (a <pre> block, text with line
 * breaks in it) reaches a dump as lines that are no paragraphs: a line that
 * ends no sentence and is followed by one that starts with a small letter
 * goes on in it.  Such a chain is a paragraph when it would be one as a
 * single line. */
static void join_wrapped(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines;
    for (size_t i = 0; i + 1 < n;) {
        size_t e = i;
        while (e + 1 < n && !L[e].why && !L[e + 1].why && !ends_sentence(L[e].s, L[e].len) &&
               starts_small(L[e + 1].s, L[e + 1].len))
            e++;
        if (e > i) {
            size_t words = 0, len = 0;
            for (size_t k = i; k <= e; k++) {
                words += count_words(L[k].s, L[k].len);
                len += L[k].len + 1;
            }
            int para = paragraph(b, ends_sentence(L[e].s, L[e].len), words, len, NULL);
            for (size_t k = i; k <= e && para; k++) {
                L[k].para = 1;
                L[k].joins = k > i;
            }
        }
        i = e + 1;
    }
}

/* trim_tail: every line after the last paragraph goes (other stories,
 * footers), but a list the text announces belongs to it: after a line that
 * introduces ("You will need:", "Do it like this:"), up to block_max_lines
 * lines stay. */
static void trim_tail(bp *b, size_t last)
{
    line *L = b->lines;
    int64_t listed = introduces(&L[last]) ? b->block_max : 0;
    for (size_t i = last + 1; i < b->nlines; i++) {
        if (L[i].why)
            continue;
        if (introduces(&L[i]))
            listed = b->block_max + 1;
        if (listed-- > 0)
            continue;
        L[i].why = "removed:tail";
    }
}

/* trim_max_fraction: when teasers, menus and the trims removed more than
 * that fraction of the characters kept before them, the text is mostly lines
 * that are no sentences (steps, items, figures of a dance): those lines are
 * the content, not chrome around a few paragraphs, and they all come back. */
static void restore_list_shaped(bp *b, size_t seen_chars)
{
    line *L = b->lines;
    size_t removed = 0;
    if (b->trim_max >= 1)
        return;
    for (size_t i = 0; i < b->nlines; i++)
        removed += L[i].why && !L[i].before_trims ? L[i].len : 0;
    if ((double)removed <= b->trim_max * (double)seen_chars)
        return;
    for (size_t i = 0; i < b->nlines; i++)
        L[i].why = L[i].before_trims;
    b->head = SIZE_MAX;
}

/* The structural pass over the lines the rules kept. */
static void apply_structure(bp *b)
{
    line *L = b->lines;
    size_t n = b->nlines;
    if (b->repeated)
        seen_clear(b);
    if (b->main_run && b->wrapped)
        join_wrapped(b);
    key_title(b);
    mark_announced(b);
    mark_quantity_lists(b);
    for (size_t i = 0; i < n; i++) {
        line *l = &L[i];
        if (l->why)
            continue;
        size_t first;
        if (!l->announced && numeric_line(b, l))
            l->why = "removed:numeric_line";
        else if (b->repeated && (first = seen_before(b, i)) != 0) {
            l->why = "removed:repeated_line";
            L[first - 1].copied = 1;
        }
    }
    /* A copy of a line with a source's name appended: the copy goes, whichever comes first. */
    if (b->source_words > 0)
        for (size_t i = 0; i < n && i < SOURCE_MAX_LINES; i++)
            for (size_t j = 0; j < i && !L[i].why; j++) {
                if (L[j].why)
                    continue;
                if (repeats_with_source(b, &L[j], &L[i]))
                    L[i].why = "removed:repeated_with_source";
                else if (repeats_with_source(b, &L[i], &L[j]))
                    L[j].why = "removed:repeated_with_source";
            }
    if (b->inside_min > 0)
        remove_inside_copies(b);
    size_t seen_chars = 0; /* what teasers, menus and the trims see (trim_max_fraction) */
    for (size_t i = 0; i < n && b->trim_max < 1; i++) {
        L[i].before_trims = L[i].why;
        seen_chars += L[i].why ? 0 : L[i].len;
    }
    /* Another story's headline and its time between paragraphs. */
    if (b->teasers) {
        size_t first_para = n;
        for (size_t i = 0; i < n && first_para == n; i++)
            if (!L[i].why && L[i].para)
                first_para = i;
        for (size_t i = first_para + 1; i + 1 < n; i++) {
            line *l = &L[i], *next = &L[i + 1];
            char last = l->len ? l->s[l->len - 1] : '.';
            /* a headline may be a question, and a question of eight words passes for a paragraph */
            if (l->why || l->announced || (l->para && last != '?') || l->words < 3 || l->words > TEASER_MAX_WORDS ||
                !numeric_line(b, next) || !tells_time(next))
                continue;
            if (last != '.' && last != '!' && !has_inner_sentence_end(l->s, l->len))
                l->why = "removed:story_teaser";
        }
    }
    /* Menus: runs of short lines that do not end like sentences. */
    for (size_t i = 0; i < n;) {
        size_t j = i, run = 0;
        while (j < n && (L[j].why || (!L[j].announced && (int64_t)L[j].words <= b->menu_words &&
                                       !ends_sentence(L[j].s, L[j].len)))) {
            run += !L[j].why;
            j++;
        }
        if ((int64_t)run >= b->menu_run)
            for (size_t k = i; k < j; k++)
                if (!L[k].why)
                    L[k].why = "removed:menu";
        i = j > i ? j : i + 1;
    }
    size_t first = n, last = n;
    for (size_t i = 0; i < n; i++)
        if (!L[i].why && L[i].para) {
            if (first == n)
                first = i;
            last = i;
        }
    if (first == n) { /* no paragraph at all: leave the judgement to the quality step */
        restore_list_shaped(b, seen_chars);
        return;
    }
    if (b->lead) {
        /* Keep one headline: the line with the most words (the first of
         * equals), and a list announced right before the first paragraph. */
        size_t head = first, most = 0, listed = lead_in(b, first);
        for (size_t i = 0; i < listed; i++) {
            if (L[i].why || L[i].script)
                continue;
            if (L[i].words == b->words_cap) { /* counted fully; unspaced letters stay at the cap */
                size_t all = count_words(L[i].s, L[i].len);
                L[i].words = all > L[i].words ? all : L[i].words;
            }
            if (L[i].words > most) {
                most = L[i].words;
                head = i;
            }
        }
        /* No headline, but a line went as the caption over a credit line
         * ("Photo: Reuters"): with no headline above it, it is the headline
         * the page's lead image stands under. */
        if ((int64_t)most < b->head_words)
            for (size_t i = listed; i-- > 0;)
                if (L[i].captioned && (int64_t)L[i].words >= b->head_words) {
                    L[i].why = NULL;
                    most = L[i].words;
                    head = i;
                    break;
                }
        for (size_t i = 0; i < listed; i++)
            if (!L[i].why && (i != head || (int64_t)most < b->head_words))
                L[i].why = "removed:lead";
        if (head < listed && !L[head].why)
            b->head = head;
    }
    if (b->tail)
        trim_tail(b, last);
    restore_list_shaped(b, seen_chars);
    if (b->main_run)
        keep_main_run(b);
}

static cv_status boilerplate_process(void *p, cv_doc *doc)
{
    bp *b = p;
    size_t len;
    const char *text = b->host->doc_text(doc, &len);
    split_lines(b, text, len);
    b->head = SIZE_MAX;
    apply_rules(b);
    apply_structure(b);
    b->out.len = 0;
    buf_reserve(&b->out, len);
    /* Removed lines per reason, counted once per document: the report's
     * counters are shared by all workers. */
    struct tally {
        const char *why;
        uint64_t n;
    } tally[16];
    size_t ntally = 0;
    for (size_t i = 0; i < b->nlines; i++) {
        line *l = &b->lines[i];
        if (l->why) {
            size_t t = 0;
            while (t < ntally && tally[t].why != l->why)
                t++;
            if (t == ntally && ntally == sizeof tally / sizeof *tally)
                b->host->count(b->ctx, l->why, 1);
            else if (t == ntally)
                tally[ntally++] = (struct tally){l->why, 1};
            else
                tally[t].n++;
        } else {
            /* a wrapped paragraph's lines are one paragraph again */
            int joined = l->joins && i > 0 && !b->lines[i - 1].why;
            if (b->out.len)
                buf_add(&b->out, joined ? " " : "\n\n", joined ? 1 : 2);
            buf_add(&b->out, l->s, l->len);
        }
    }
    for (size_t t = 0; t < ntally; t++)
        b->host->count(b->ctx, tally[t].why, tally[t].n);
    if (b->head != SIZE_MAX && b->title_key[0]) {
        line *t = &b->lines[b->head];
        char *title = strndup(t->s, t->len);
        b->host->meta_set_string(doc, b->title_key, title);
        free(title);
    }
    if (b->end_key[0] && b->nlines && b->lines[b->nlines - 1].why && b->out.len)
        b->host->meta_set_bool(doc, b->end_key, 1);
    /* Set the text before freeing stripped lines: they may point into them. */
    /* Valid by construction: lines cut at ASCII, matches at character boundaries. */
    b->host->doc_set_text_unchecked(doc, b->out.p, b->out.len);
    for (size_t i = 0; i < b->nlines; i++)
        free(b->lines[i].owned);
    return CV_OK;
}

static const cv_plugin boilerplate = {
    CV_PLUGIN_HEADER,
    .name = "boilerplate",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Removes navigation, teasers, widgets, credits, counters and page chrome by rules and structure",
    .optmap = boilerplate_optmap,
    .create = boilerplate_create,
    .destroy = boilerplate_destroy,
    .process = boilerplate_process,
};

CONVERT_PLUGINS(&boilerplate)
