/* boilerplate: each rule action and structural heuristic on small texts,
 * with rules written by the test (tests/plugins/boilerplate/rules.yaml). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RULES "rules: " TEST_SOURCE_DIR "/plugins/boilerplate/rules.yaml\n"

/* Long enough to be a paragraph and to arm cut rules. */
#define P1 "The first paragraph of the article explains what happened in the town on Monday morning."
#define P2 "The second paragraph quotes the mayor, who said the repairs would be finished before winter."
#define P4 "The last paragraph says when the road opens again and which buses will run until then."
#define P3 "The third paragraph adds the background: the road had been closed twice in the last two years."

static void expect(const char *opts, const char *in, const char *want)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml, RULES "%s", opts);
    th_plugin *p = th_open(CV_STEP, "boilerplate", yaml, NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    cv_doc *d = th_doc("x", in);
    assert_int_equal(th_process(p, d), CV_OK);
    if (strcmp(d->text, want))
        fail_msg("got:\n%s\nwant:\n%s", d->text, want);
    cv_doc_free(d);
    th_close(p);
}

static void test_line_rule(void **s)
{
    (void)s;
    expect("", P1 "\nSEE ALSO: another story\n" P2, P1 "\n\n" P2);
}

static void test_strip_rule(void **s)
{
    (void)s;
    expect("", "Headline of the story here [pic: Somebody]\n" P1 "\n" P2,
           "Headline of the story here\n\n" P1 "\n\n" P2);
}

/* main_run, for text dumps: a cookie notice and a comment form are
 * paragraphs too, but menus and lists of links keep them apart from the
 * article; only the densest run of paragraphs stays, with the headline. */
#define COOKIE "We use cookies to give you the best experience on our site, and by using it you agree to this."
#define FORM "Your email address will not be published, and required fields are marked with a star."
static void test_main_run(void **s)
{
    (void)s;
    static const char page[] = COOKIE "\nHome\nNews\nSport\nWeather\nBig headline about the town\n" P1 "\n"
                               "A heading inside\n" P2 "\n" P3 "\nRelated stories\nA story about cats and dogs\n"
                               "A story about a bridge\nA story about the mayor\nLeave a reply\n" FORM "\n";
    expect("main_run: true", page,
           "Big headline about the town\n\n" P1 "\n\nA heading inside\n\n" P2 "\n\n" P3);
    /* Off, the chrome paragraphs and what lies between stay. */
    expect("main_run: false\ntrim_lead: false\ntrim_tail: false", COOKIE "\nHome\n" P1,
           COOKIE "\n\nHome\n\n" P1);
}

/* main_run under a title line, as dumps begin: a short article under the
 * headline that repeats the title's part wins over longer chrome
 * paragraph further down (a blog's "about" box); a copy of the headline
 * below the article (a list of related stories) does not move it. */
#define SIDE1 "This blog is written by a team of three friends who love old bridges, trains and the towns around them, and who travel a lot."
static void test_main_run_title(void **s)
{
    (void)s;
    static const char page[] = "Big headline about the town | The Daily Site\nHome\nNews\nSport\n"
                               "Big headline about the town\nBy Anna K.\n" P1 "\nShare\nFacebook\nTwitter\nEmail\n"
                               "Print\nComments (3)\nAbout us\nCategories\nTravel\n" SIDE1 "\nTags\nbridges\ntowns\n";
    expect("main_run: true", page, "Big headline about the town\n\n" P1);
    /* Off (as before it), the about box and the title line were kept. */
    expect("main_run: true\nmain_run_title: false", page, "Big headline about the town | The Daily Site\n\n" SIDE1);
    /* Of two copies before the article (one in a list of recent posts), the one anchoring most. */
    static const char recent[] = "Big headline about the town | The Daily Site\nRecent posts\nBig headline about the town\n"
                                 "A story about the cats and dogs in the park\n" SIDE1 "\nHome\nNews\nSport\nWeather\nTravel\nJobs\n"
                                 "Contact\nArchive\n"
                                 "Big headline about the town\n" P1 "\n" P2 "\n" P3 "\nTags\nbridges\ntowns\n";
    expect("main_run: true", recent, "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3);
    static const char copy[] = "Big headline about the town - The Daily Site\nHome\nNews\nSport\n"
                               "Another headline here now\n" P1 "\n" P2 "\n" P3 "\nRelated\n"
                               "Big headline about the town\nA story about cats and dogs\n";
    expect("main_run: true", copy, "Big headline about the town - The Daily Site\n\n" P1 "\n\n" P2 "\n\n" P3);
    /* A copy that differs in spaces, punctuation and quotes is the headline too. */
    static const char quoted[] = "Big news: the town's \"new\" square | The Daily Site\nHome\nNews\nSport\n"
                                 "Big news : the town\xE2\x80\x99s \xE2\x80\x9Enew\xE2\x80\x9C square\nBy Anna K.\n" P1
                                 "\nShare\nFacebook\nTwitter\nEmail\nPrint\nComments (3)\nAbout us\nCategories\nTravel\n" SIDE1
                                 "\nTags\nbridges\ntowns\n";
    expect("main_run: true", quoted,
           "Big news : the town\xE2\x80\x99s \xE2\x80\x9Enew\xE2\x80\x9C square\n\n" P1);
}

/* main_run: the line right after the headline with a summary's words is
 * its standfirst, though a byline, a date and share buttons stand between
 * it and the first paragraph; a short line there (a label) is none. */
static void test_main_run_standfirst(void **s)
{
    (void)s;
#define STAND "Engineers found a crack in one of the old piers, and the council closed it for the summer"
#define BETWEEN "\nBy Tom Baker\n12 May 2024 10:30\nShare\nTweet\nEmail\n"
    expect("main_run: true", "Big headline about the town | The Daily Site\nHome\nNews\nSport\n"
                             "Big headline about the town\n" STAND BETWEEN P1 "\n" P2,
           "Big headline about the town\n\n" STAND "\n\n" P1 "\n\n" P2);
    expect("main_run: true", "Big headline about the town | The Daily Site\nHome\nNews\nSport\n"
                             "Big headline about the town\nThe old bridge" BETWEEN P1 "\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" P2);
#undef STAND
#undef BETWEEN
}

/* main_run: a page's script (minified JavaScript, JSON) that reaches a
 * dump as one long line of words and full stops is no paragraph: braces. */
static void test_main_run_script(void **s)
{
    (void)s;
#define SCRIPT "window.cfg = { site: 'news', ads: true }; function load(a) { if (a) { return a.b; } return null; } " \
               "var list = [1, 2, 3]; for (var i = 0; i < list.length; i++) { push(list[i]); } console.log('done'); " \
               "window.onload = function () { load(window.cfg); };"
    expect("main_run: true", SCRIPT "\nHome\nNews\nSport\nBig headline about the town\n" P1 "\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" P2);
    /* a stray brace in prose is no script */
#define SIC "The mayor said that the bridge {sic} would open again before the winter."
    expect("main_run: true", "Big headline about the town\n" P1 "\n" SIC "\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" SIC "\n\n" P2);
#undef SIC
#undef SCRIPT
}

/* main_run_topic_weight: a short article whose paragraphs name what the
 * title names ("bridge", "river") outweighs a longer cookie dialog after the
 * footer, though no line repeats the title (the headline says more). */
#define BRIDGE1 "The bridge over the river opened again on Monday, after two years of repairs that cost the town a lot."
#define BRIDGE2 "Cars may cross the river there again; lorries must still go round by the old road for a month."
#define COOKIE1 "We and our partners store cookies on your device to measure how the site is used and to show ads."
#define COOKIE2 "Some of these cookies are needed for the site to work at all, and they cannot be switched off here."
#define COOKIE3 "Others help us to understand which pages are read most, and you may refuse them in these settings."
static void test_main_run_topic(void **s)
{
    (void)s;
    static const char page[] = "Bridge over the river | Daily Site\nHome\nNews\nSport\n"
                               "Bridge over the river reopens after repairs\n" BRIDGE1 "\n" BRIDGE2 "\n"
                               "Contact the newsroom of the paper\nPrivacy policy and the terms of use\n"
                               "About the company that owns it\nJobs at the paper and its partners\n"
                               "Advertise with us in print and online\nSubscribe to the paper for a year\n"
                               "Read the paper on your phone or tablet\nHow we use cookies\n" COOKIE1 "\n" COOKIE2 "\n" COOKIE3 "\n";
    expect("main_run: true", page, "Bridge over the river reopens after repairs\n\n" BRIDGE1 "\n\n" BRIDGE2);
    /* Off, the longer run of paragraphs wins (under a footer line as its headline). */
    static const char cookies[] = "Read the paper on your phone or tablet\n\n" COOKIE1 "\n\n" COOKIE2 "\n\n" COOKIE3;
    expect("main_run: true\nmain_run_topic_weight: 1", page, cookies);
    /* Three words wanted: the title has two ("bridge", "river"; "over", "the" are too short). */
    expect("main_run: true\nmain_run_topic_words: 3", page, cookies);
}

/* A cut rule under main_run: a widget between paragraphs of a dump goes
 * alone though page chrome follows the rest of the article; comments after
 * one (short texts between names and dates), or an author's box, stay out
 * of the run. */
#define FOOTER "Contact the newsroom of the paper\nPrivacy policy and the terms of use\nAbout the company that owns it\n" \
               "Jobs at the paper and its partners\nAdvertise with us in print and online\nHome\nNews\nSport\n"
#define P5 "The fifth paragraph lists the shops on the road, which stayed open through the works."
#define P6 "The sixth paragraph has the view of the bus company, which will add two night lines for now."
#define P7 "The seventh paragraph says the council will meet again in May to decide on the next repairs."
static void test_main_run_cut(void **s)
{
    (void)s;
    expect("main_run: true\ncut_min_chars: 150",
           P1 "\n" P2 "\nDISCUSS\n" P3 "\n" P4 "\n" P5 "\n" P6 "\n" P7 "\n" FOOTER,
           P1 "\n\n" P2 "\n\n" P3 "\n\n" P4 "\n\n" P5 "\n\n" P6 "\n\n" P7);
    expect("main_run: true\ncut_min_chars: 150",
           P1 "\n" P2 "\nDISCUSS\nAnna K.\n12:30 | 04.05.2024\nSo true, that is what I told my neighbour last week.\n"
              "Boris\n12:45 | 04.05.2024\nNo, the road was closed for a month and nobody said a word about it.\n",
           P1 "\n\n" P2);
    /* A paragraph right after the widget is not enough: an author's box or a
     * comment form's notice is one too, with page chrome after it. */
    expect("main_run: true\ncut_min_chars: 150",
           P1 "\n" P2 "\n" P3 "\nDISCUSS\nAnna Smith has written about the roads and the buses of the town for "
              "the paper since 2015.\n" FOOTER,
           P1 "\n\n" P2 "\n\n" P3);
}

/* main_run: a short sentence or a question right after the last paragraph
 * (the author's last word), or a line that announces what follows, closes
 * the article, though it costs the run as a line that is no paragraph. */
static void test_main_run_lead_out(void **s)
{
    (void)s;
#define AFTER "\nRelated stories\nA story about cats and dogs\nA story about a bridge\nA story about the mayor\nLeave a reply\n" FORM
    expect("main_run: true", "Big headline about the town\n" P1 "\n" P2 "\nI hope you like the new look." AFTER,
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\nI hope you like the new look.");
    expect("main_run: true", "Big headline about the town\n" P1 "\n" P2 "\nThe full report of the council is here:" AFTER,
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\nThe full report of the council is here:");
    /* a label ("By Anna K.") does not */
    expect("main_run: true", "Big headline about the town\n" P1 "\n" P2 "\nBy Anna K." AFTER,
           "Big headline about the town\n\n" P1 "\n\n" P2);
#undef AFTER
}

/* main_run: two or more kept lines in a row that are no paragraphs, inside
 * the run, are a list of links (a box of other stories between two
 * paragraphs) and go; a list a line ending with a colon announces stays. */
static void test_main_run_link_list(void **s)
{
    (void)s;
    static const char page[] = "Big headline about the town\n" P1 "\n" P2 "\nA story about cats and dogs\n"
                               "A story about the old bridge\n" P3 "\nThe buses will run:\nNumber 4 to the station\n"
                               "Number 9 to the hospital\n" P4 "\n" P5 "\n" P6 "\n";
    expect("main_run: true", page,
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\nThe buses will run:\n\n"
           "Number 4 to the station\n\nNumber 9 to the hospital\n\n" P4 "\n\n" P5 "\n\n" P6);
    /* Off, as before it, the box stayed. */
    expect("main_run: true\nmain_run_list_lines: 0", page,
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\nA story about cats and dogs\n\n"
           "A story about the old bridge\n\n" P3 "\n\nThe buses will run:\n\nNumber 4 to the station\n\n"
           "Number 9 to the hospital\n\n" P4 "\n\n" P5 "\n\n" P6);
    /* Items the text marks with bullets are its own list, and so is the heading after them. */
    expect("main_run: true",
           "Big headline about the town\n" P1 "\n" P2 "\n\xE2\x80\xA2 a tent\n\xE2\x80\xA2 a stove\n- water for a day\n"
           "The second day\n" P3 "\n" P4 "\n",
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n\xE2\x80\xA2 a tent\n\n\xE2\x80\xA2 a stove\n\n"
           "- water for a day\n\nThe second day\n\n" P3 "\n\n" P4);
    /* Twelve lines between two paragraphs with no removed line among them are the text's own: a table. */
#define Q1 "The council will meet again next week to decide how much the repairs will cost in the end."
#define Q2 "Shop owners on the main street say they lost half of their customers while the road was shut."
#define Q3 "A new footpath along the river will open in the spring, paid for by the regional government."
#define Q4 "The old mill by the bridge will become a museum of the town's history once the work is done."
#define ROWS(x) "Stop " x " east road\nStop " x " west road\nStop " x " mill road\n"
#define TABLE ROWS("one") ROWS("two") ROWS("three") ROWS("four")
    expect("main_run: true\nmain_run_line_cost: 5",
           "Big headline about the town\n" P1 "\n" P2 "\n" Q1 "\n" Q2 "\n" TABLE P3 "\n" P4 "\n" Q3 "\n" Q4 "\n",
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" Q1 "\n\n" Q2 "\n\nStop one east road\n\nStop one west "
           "road\n\nStop one mill road\n\nStop two east road\n\nStop two west road\n\nStop two mill road\n\nStop three "
           "east road\n\nStop three west road\n\nStop three mill road\n\nStop four east road\n\nStop four west road\n\n"
           "Stop four mill road\n\n" P3 "\n\n" P4 "\n\n" Q3 "\n\n" Q4);
#undef TABLE
#undef ROWS
#undef Q1
#undef Q2
#undef Q3
#undef Q4
}

/* main_run_wrapped: prose wrapped into lines (a <pre> block) is one
 * paragraph again, and part of the run; without it the wrapped lines were
 * no paragraphs, the run began after them and one of them passed for the
 * headline. */
static void test_main_run_wrapped(void **s)
{
    (void)s;
    static const char page[] = "Home\nNews\nSport\nBig headline about the town\n"
                               "The first paragraph of the article explains what\nhappened in the town on "
                               "Monday morning, when the\nroad was closed for the repairs.\n" P2 "\n";
    expect("main_run: true", page,
           "Big headline about the town\n\nThe first paragraph of the article explains what happened in the town "
           "on Monday morning, when the road was closed for the repairs.\n\n" P2);
    /* off, the lines are no paragraphs: the last, a sentence, leads into the next paragraph */
    expect("main_run: true\nmain_run_wrapped: false", page,
           "happened in the town on Monday morning, when the\n\nroad was closed for the repairs.\n\n" P2);
}

/* main_run_after_list: behind a list of links, a piece of the run with
 * less than half the article's paragraph characters (another story's
 * summary, the site's about box) goes; the article before it stays. */
#define ABOUT "The Daily Site is a paper about the town and the villages around it, read by ten thousand people."
static void test_main_run_after_list(void **s)
{
    (void)s;
    static const char page[] = "Big headline about the town\n" P1 "\n" P2 "\n" P3 "\n" P4 "\n"
                               "Cats in the park\nThe old bridge\n" ABOUT "\n";
    expect("main_run: true", page, "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\n" P4);
    expect("main_run: true\nmain_run_after_list: 0", page,
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\n" P4 "\n\n" ABOUT);
    /* A cut rule's widget parts the run too, when paragraphs follow it: it
     * went alone, the site's box after it goes as well... */
    expect("main_run: true\ncut_min_chars: 150",
           "Big headline about the town\n" P1 "\n" P2 "\n" P3 "\n" P4 "\nDISCUSS\n" ABOUT "\n",
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\n" P4);
    /* ...but not a paragraph another widget closes: a box inside the article, the share buttons under it */
    expect("main_run: true\ncut_min_chars: 150",
           "Big headline about the town\n" P1 "\n" P2 "\n" P3 "\n" P4 "\nDISCUSS\n" P5 "\nDISCUSS\nHome\n",
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\n" P4 "\n\n" P5);
}

/* main_run: a short line in the run that the page prints again (another
 * story's headline, here in a list of most read stories under the article)
 * goes; its copy went as a repeated line already.  The headline stays,
 * though the title line repeats it. */
static void test_main_run_printed_twice(void **s)
{
    (void)s;
    expect("main_run: true",
           "Big headline about the town\nBig headline about the town\n" P1 "\n" P2 "\nThe mayor opens the new library\n" P3
           "\n" P4 "\nMost read\nThe mayor opens the new library\nCats in the park\n",
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\n" P4);
    /* printed once, it stays */
    expect("main_run: true",
           "Big headline about the town\n" P1 "\n" P2 "\nThe mayor opens the new library\n" P3 "\n" P4 "\n",
           "Big headline about the town\n\n" P1 "\n\n" P2 "\n\nThe mayor opens the new library\n\n" P3 "\n\n" P4);
}

/* Chinese and Japanese write no spaces between words: a line of them
 * ending a sentence is a paragraph by its letters (two a word), so the run
 * holds the article and the menu and the list after it go. */
#define ZH1 "\xE4\xBB\x8A\xE5\xA4\xA9\xE4\xB8\x8A\xE5\x8D\x88\xEF\xBC\x8C\xE5\xB8\x82\xE6\x94\xBF\xE5\xBA\x9C" \
    "\xE5\xAE\xA3\xE5\xB8\x83\xE5\x9F\x8E\xE4\xB8\x9C\xE7\x9A\x84\xE6\x96\xB0\xE6\xA1\xA5\xE5\xB0\x86\xE4\xBA\x8E" \
    "\xE6\x98\x8E\xE5\xB9\xB4\xE6\x98\xA5\xE5\xA4\xA9\xE5\xBC\x80\xE5\xB7\xA5\xE5\xBB\xBA\xE8\xAE\xBE\xE3\x80\x82"
#define ZH2 "\xE8\xBF\x99\xE5\xBA\xA7\xE6\xA1\xA5\xE9\x95\xBF\xE7\xBA\xA6\xE5\x85\xAB\xE7\x99\xBE\xE7\xB1\xB3\xEF\xBC\x8C" \
    "\xE9\xA2\x84\xE8\xAE\xA1\xE4\xB8\xA4\xE5\xB9\xB4\xE5\x90\x8E\xE9\x80\x9A\xE8\xBD\xA6\xEF\xBC\x8C\xE5\xB0\x86" \
    "\xE5\xA4\xA7\xE5\xA4\xA7\xE7\xBC\x93\xE8\xA7\xA3\xE5\x9F\x8E\xE5\x8C\xBA\xE7\x9A\x84\xE4\xBA\xA4\xE9\x80\x9A" \
    "\xE5\x8E\x8B\xE5\x8A\x9B\xE3\x80\x82"
#define ZH_OTHER "\xE5\x8F\xA6\xE4\xB8\x80\xE6\x9D\xA1\xE6\x96\xB0\xE9\x97\xBB"
#define ZH_HEADLINE "\xE5\xB8\x82\xE6\x94\xBF\xE5\xBA\x9C\xE5\xAE\xA3\xE5\xB8\x83\xE6\x98\x8E\xE5\xB9\xB4\xE4\xBF\xAE\xE5\xBB\xBA\xE6\x96\xB0\xE6\xA1\xA5"
#define ZH_MENU "\xE9\xA6\x96\xE9\xA1\xB5\n\xE6\x96\xB0\xE9\x97\xBB\n\xE4\xBD\x93\xE8\x82\xB2\n" /* three two-letter items */
static void test_unspaced_paragraphs(void **s)
{
    (void)s;
    expect("main_run: true", ZH_OTHER "\n" ZH_OTHER "1\n" ZH1 "\n" ZH2 "\n" ZH_OTHER "2\n" ZH_OTHER "3\n",
           ZH1 "\n\n" ZH2);
    /* Letters count as words for the headline too (eleven letters: five words, not one), and a menu of
     * two-letter items is still a menu. */
    expect("", ZH_MENU ZH_HEADLINE "\n" ZH1 "\n" ZH2, ZH_HEADLINE "\n\n" ZH1 "\n\n" ZH2);
    expect("trim_lead: false", ZH_MENU ZH_HEADLINE "\n" ZH1, ZH_HEADLINE "\n\n" ZH1);
}

static void test_cut_rule(void **s)
{
    (void)s;
    /* Chrome after it (comments: a name, a date, a text): cut to the end. */
    expect("cut_min_chars: 150", P1 "\n" P2 "\nDISCUSS\nAnna K.\n12:30 | 04.05.2024\nSo true.\nBoris\nNo.",
           P1 "\n\n" P2);
    expect("cut_min_chars: 1000\ntrim_tail: false", P1 "\n" P2 "\nDISCUSS\nAnna K.\nBoris",
           P1 "\n\n" P2 "\n\nAnna K.\n\nBoris");
    /* The article goes on after it (a widget between paragraphs, past one
     * short label line): only the widget's line goes. */
    expect("cut_min_chars: 150", P1 "\n" P2 "\nDISCUSS\n" P3, P1 "\n\n" P2 "\n\n" P3);
    expect("cut_min_chars: 150", P1 "\n" P2 "\nDISCUSS\nAdvertisement\n" P3 "\nHome\n" P4,
           P1 "\n\n" P2 "\n\nAdvertisement\n\n" P3 "\n\nHome\n\n" P4);
    /* ... or past two: the widget's own line under it and the next section's heading. */
    expect("cut_min_chars: 150", P1 "\n" P2 "\nDISCUSS\nJoin the talk below\nThe road in winter\n" P3,
           P1 "\n\n" P2 "\n\nJoin the talk below\n\nThe road in winter\n\n" P3);
    expect("main_run: true\ncut_min_chars: 150",
           P1 "\n" P2 "\nDISCUSS\nJoin the talk below\nThe road in winter\n" P3 "\n" P4 "\n" P5,
           P1 "\n\n" P2 "\n\n" P3 "\n\n" P4 "\n\n" P5);
    /* Before any real paragraph a cut only removes its own line. */
    expect("", "DISCUSS\n" P1 "\n" P2, P1 "\n\n" P2);
}

static void test_block_rule(void **s)
{
    (void)s;
    expect("", P1 "\nMORE STORIES\nTeaser one about cats\nTeaser two about dogs\n" P2 "\n" P3,
           P1 "\n\n" P2 "\n\n" P3);
}

static void test_previous_caption(void **s)
{
    (void)s;
    expect("", P1 "\nA man in a hat\n[pic: Somebody]\n" P2, P1 "\n\n" P2);
    /* under the headline: the caption goes, the headline stays */
    expect("", "Big headline about the town\nA man in a hat\n[pic: Somebody]\n" P1 "\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" P2);
    /* a credit line right under the headline (no caption): no other line is
     * the headline, so that one is, under main_run too */
    expect("", "Home\nBig headline about the town\n[pic: Somebody]\n" P1 "\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" P2);
    expect("main_run: true", "Home\nBig headline about the town\n[pic: Somebody]\n" P1 "\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" P2);
}

static void test_structure(void **s)
{
    (void)s;
    /* numeric line, repeated headline, menu run, lead and tail */
    expect("", "Home\nNews\nSport\nWeather\n12:30 | 04.05.2024\nBig headline about the town\nBig headline about the town\n"
               "caption words\n" P1 "\n" P2 "\nOther story one title\nOther story two title\n",
           "Big headline about the town\n\n" P1 "\n\n" P2);
    expect("trim_tail: false\ntrim_lead: false",
           "Short lead line\n" P1 "\nA tail line", "Short lead line\n\n" P1 "\n\nA tail line");
    /* The headline is the lead line with most words, however many: words are
     * counted only up to the thresholds elsewhere. */
    expect("", "One two three four five six seven eight nine ten eleven twelve thirteen fourteen\n"
               "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma\n" P1,
           "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma\n\n" P1);
    /* Without any paragraph, nothing structural is removed (quality decides). */
    expect("", "Just a title\nAnd a subtitle", "Just a title\n\nAnd a subtitle");
}

/* trim_max_fraction: a text of steps and items with a sentence among them is
 * list-shaped: its lists are the article, and menus, lead and tail leave them
 * all; chrome around paragraphs still goes. */
#define RECIPE_HEAD "Plum dumplings the way grandmother made them"
#define RECIPE_PARA "Serve them warm with cinnamon sugar on top."
#define RECIPE                                                                                                       \
    RECIPE_HEAD "\nPotatoes\nFlour\nOne egg\nTwelve plums\nSugar cubes\nBreadcrumbs\nButter\n"                         \
                "Boil the potatoes in their skins\nPeel and mash them while still warm\nKnead in the flour and the egg\n" \
                "Wrap each plum in dough\nSimmer until they float\nDrain them with a slotted spoon\n"       \
                "Roll them in buttered breadcrumbs\nDust with powdered sugar\n" RECIPE_PARA "\nServes four\nTakes an hour"
static void test_list_shaped(void **s)
{
    (void)s;
    expect("", RECIPE, RECIPE_HEAD "\n\n" RECIPE_PARA);
    char want[1024];
    size_t w = 0;
    for (const char *c = RECIPE; *c; c++) { /* every line kept, a blank line between */
        if (*c == '\n')
            want[w++] = '\n';
        want[w++] = *c;
    }
    want[w] = 0;
    expect("trim_max_fraction: 0.75", RECIPE, want);
    expect("trim_max_fraction: 0.75",
           "Home\nNews\nSport\nWeather\nBig headline about the town\ncaption words\n" P1 "\n" P2
           "\nOther story one title\nOther story two title\n",
           "Big headline about the town\n\n" P1 "\n\n" P2);
}

/* trim_tail: a list the text announces with a colon ends the article, and
 * stays; a two-word label with a colon ("Share this:") is a widget's. */
static void test_tail_announced_list(void **s)
{
    (void)s;
    expect("", P1 "\n" P2 "\nFor the cake you will need:\nFlour\nTwo eggs\nA cup of sugar",
           P1 "\n\n" P2 "\n\nFor the cake you will need:\n\nFlour\n\nTwo eggs\n\nA cup of sugar");
    expect("", P1 "\nThe last paragraph lists what the council will build next year:\nA bridge\nA school",
           P1 "\n\nThe last paragraph lists what the council will build next year:\n\nA bridge\n\nA school");
    expect("", P1 "\n" P2 "\nShare this:\nFacebook\nOther story headline here", P1 "\n\n" P2);
    /* the list ends after block_max_lines lines: a footer follows */
    expect("block_max_lines: 2", P1 "\nYou will need these:\nFlour from the mill\nSix fresh eggs\nThe site's footer line",
           P1 "\n\nYou will need these:\n\nFlour from the mill\n\nSix fresh eggs");
}

/* A list the text announces before its first paragraph or between two
 * (short items a menu rule or trim_lead would take) stays, under main_run
 * too; a widget's label ("Follow us:") announces nothing, and an intro over
 * more lines than block_max_lines before any paragraph is a column of links. */
static void test_announced_list(void **s)
{
    (void)s;
    static const char *opts[] = {"", "main_run: true"};
    for (size_t i = 0; i < 2; i++) {
        expect(opts[i], "Home\nNews\nSport\nBig headline about the town\nYou will need these things:\n2 eggs\nFlour\n"
                        "Milk\n" P1 "\n" P2,
               "Big headline about the town\n\nYou will need these things:\n\n2 eggs\n\nFlour\n\nMilk\n\n" P1 "\n\n" P2);
        expect(opts[i], P1 "\nThe council will build these next year:\nA bridge\nA school\nA road\n" P2,
               P1 "\n\nThe council will build these next year:\n\nA bridge\n\nA school\n\nA road\n\n" P2);
        expect(opts[i], "Big headline about the town\nFollow us:\nFacebook\nTwitter\nInstagram\n" P1 "\n" P2,
               "Big headline about the town\n\n" P1 "\n\n" P2);
    }
    expect("block_max_lines: 2", "Big headline about the town\nRead more from our sites:\nSport\nWeather\nTravel\n" P1,
           "Big headline about the town\n\n" P1);
    /* a paragraph ending with a colon announces nothing: the comment form after it is no list of the text's */
#define LONG_COLON                                                                                                   \
    "The mayor explained the plan in detail. The council had argued about the costs for months, and the vote was " \
    "close in the end, but the work can start now that the money is there, and he listed the steps as follows:"
    expect("main_run: true",
           "Big headline about the town\n" P1 "\n" LONG_COLON "\nLeave a reply to this story\nYour name (a required field)\n"
           "Your email (it will not be published)\nYour website address here\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" LONG_COLON);
#undef LONG_COLON
}

/* A breadcrumb trail ("You are here:", then the sections down to the page
 * itself) announces no list: it ends in the page's title. */
static void test_breadcrumbs(void **s)
{
    (void)s;
#define PAGE "Big headline about the town | Town News\nYou are here now:\nHome\nNews\nBig headline about the town\n" P1 "\n" P2
    /* the headline: the line with most words; under main_run, the title's part that anchors the run */
    expect("", PAGE, "Big headline about the town | Town News\n\n" P1 "\n\n" P2);
    expect("main_run: true", PAGE, "Big headline about the town\n\n" P1 "\n\n" P2);
#undef PAGE
}

/* An interview's questions and answers, lines of speech after a dash, are
 * prose however short: main_run does not part the text at them. */
static void test_speech(void **s)
{
    (void)s;
#define DIALOGUE "— When will the new bridge open?\n— In the autumn, we hope.\n— Is that not too soon?\n"
    expect("main_run: true", "Big headline about the town\n" P1 "\n" DIALOGUE P2,
           "Big headline about the town\n\n" P1
           "\n\n— When will the new bridge open?\n\n— In the autumn, we hope.\n\n— Is that not too soon?\n\n" P2);
    /* a dash before a single word is a bullet as often: it stays no paragraph */
    expect("main_run: true", "Big headline about the town\n" P1 "\n— Home.\n— News.\n— Sport.\n— Weather.\n— Travel.\n" P2,
           "Big headline about the town\n\n" P2);
#undef DIALOGUE
}

/* A list of quantities (a recipe's ingredients) is the text's own, with its
 * heading, though its lines are as short as a menu's or a number's; a
 * ranked list (1, 2, 3: most read stories) is not one. */
static void test_quantity_list(void **s)
{
    (void)s;
    expect("", "Big headline about the town\n" P1 "\nIngredients\n3 ripe bananas\n150 g sugar\n1 egg\n"
               "1/2 tsp salt\n" P2,
           "Big headline about the town\n\n" P1 "\n\nIngredients\n\n3 ripe bananas\n\n150 g sugar\n\n1 egg\n\n"
           "1/2 tsp salt\n\n" P2);
    expect("", "Big headline about the town\n" P1 "\nMost read\n1 Minister resigns\n2 Prices rise\n3 Team wins\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" P2);
    /* under main_run too: such a list is no list of links */
    expect("main_run: true", "Big headline about the town\n" P1 "\nIngredients\n3 ripe bananas\n150 g sugar\n1 egg\n" P2,
           "Big headline about the town\n\n" P1 "\n\nIngredients\n\n3 ripe bananas\n\n150 g sugar\n\n1 egg\n\n" P2);
}

/* An interview's first question, right before its answer, leads into the
 * text, and so does a short sentence (a note on where the story first
 * ran): trim_lead and main_run keep it with the headline, which counts as
 * no line of a list of links. */
static void test_first_question(void **s)
{
    (void)s;
#define QA "Q: When did you start playing?\nA: " P1 "\nQ: What was the hardest part?\nA: " P2 "\n"
#define WANT "Q: When did you start playing?\n\nA: " P1 "\n\nQ: What was the hardest part?\n\nA: " P2
    expect("", "Menu\nBig headline about the town\nBy Tom Baker\n" QA, "Big headline about the town\n\n" WANT);
    expect("main_run: true", "Menu\nBig headline about the town\nBy Tom Baker\n" QA,
           "Big headline about the town\n\n" WANT);
    /* a line that is no question stays out */
    expect("", "Menu\nBig headline about the town\nBy Tom Baker\n" P1, "Big headline about the town\n\n" P1);
    /* a short sentence right before the first paragraph leads into it too */
#define NOTE "It first ran in the Weekly."
    expect("", "Menu\nBig headline about the town\nBy Tom Baker\n" NOTE "\n" P1,
           "Big headline about the town\n\n" NOTE "\n\n" P1);
    expect("main_run: true", "Menu\nBig headline about the town\nBy Tom Baker\n" NOTE "\n" P1 "\n" P2,
           "Big headline about the town\n\n" NOTE "\n\n" P1 "\n\n" P2);
#undef NOTE
#undef QA
#undef WANT
}

/* Short sentences between paragraphs ("It was short.") are prose: main_run
 * crosses them at a removed line's cost, not their length's (lists of
 * them are off here: two non-paragraphs in a row are a list of links). */
static void test_short_sentences(void **s)
{
    (void)s;
#define SHORT "It was a short letter.\nThree lines and no more.\nShe read it twice, then nodded.\n"
    expect("main_run: true\nmain_run_list_lines: 0", "Big headline about the town\n" P1 "\n" SHORT P2,
           "Big headline about the town\n\n" P1
           "\n\nIt was a short letter.\n\nThree lines and no more.\n\nShe read it twice, then nodded.\n\n" P2);
#undef SHORT
}

/* Prose cut off by page chrome, not by a truncation: a long line without a
 * full stop is still a paragraph, and the text says its end was removed. */
static void test_unfinished_before_chrome(void **s)
{
    (void)s;
    static const char unfinished[] =
        "Over the last years the president has also cut back his travels abroad, both because of the pandemic and "
        "after the country became more isolated, when it sent its troops across the border, the agency recalls";
    char in[1024], want[1024];
    snprintf(in, sizeof in, "%s\n%s\n%s\nShare on\nComments (0)\nOther story headline here", P1, P2, unfinished);
    snprintf(want, sizeof want, "%s\n\n%s\n\n%s", P1, P2, unfinished);
    th_plugin *p = th_open(CV_STEP, "boilerplate", RULES, NULL);
    cv_doc *d = th_doc("x", in);
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, want);
    char *flag = cv_meta_dump(d, "end_removed");
    assert_string_equal(flag, "true");
    free(flag);
    cv_doc_free(d);
    /* Nothing removed at the end: no flag. */
    d = th_doc("y", P1 "\n" P2);
    assert_int_equal(th_process(p, d), CV_OK);
    assert_null(cv_meta_dump(d, "end_removed"));
    cv_doc_free(d);
    th_close(p);
    /* Off: the same long line is tail. */
    expect("paragraph_unfinished_words: 0", in, P1 "\n\n" P2);
}

/* A strip rule removes every match on a line, and leaves one space where
 * two met. */
static void test_strip_every_match(void **s)
{
    (void)s;
    expect("", P1 " [pic: one] and [pic: two] end\n" P2, P1 " and end\n\n" P2);
}

/* A paragraph's copy with a source's name appended goes, whichever comes
 * first; a shorter repeat or a longer addition stays. */
static void test_repeated_with_source(void **s)
{
    (void)s;
    expect("", P1 "\n" P2 "\n" P1 " - Weather Service\n" P3, P1 "\n\n" P2 "\n\n" P3);
    expect("", P1 " (City Weather)\n" P2 "\n" P1 "\n" P3, P2 "\n\n" P1 "\n\n" P3);
    expect("repeated_inside: 0", P1 "\n" P2 "\n" P1 " and then six more words came here\n" P3,
           P1 "\n\n" P2 "\n\n" P1 " and then six more words came here\n\n" P3);
    expect("repeated_with_source: 0\nrepeated_inside: 0", P1 "\n" P2 "\n" P1 " - Weather Service\n" P3,
           P1 "\n\n" P2 "\n\n" P1 " - Weather Service\n\n" P3);
}

/* repeated_inside: a line that a longer one holds word for word goes, the
 * text stays once (a dump's block that joined a standfirst and the article,
 * a pull quote); shorter lines than the threshold stay. */
static void test_repeated_inside(void **s)
{
    (void)s;
    expect("", P1 "\n" P2 " " P1 " " P3 "\n" P4, P2 " " P1 " " P3 "\n\n" P4);
    expect("", P2 " " P1 "\n" P3 "\n" P1 "\n" P4, P2 " " P1 "\n\n" P3 "\n\n" P4);
    expect("repeated_inside: 0", P1 "\n" P2 " " P1 " " P3 "\n" P4, P1 "\n\n" P2 " " P1 " " P3 "\n\n" P4);
    expect("repeated_inside: 100", P1 "\n" P2 " " P1 " " P3 "\n" P4, P1 "\n\n" P2 " " P1 " " P3 "\n\n" P4);
}

/* Another story's headline (a question too) with its time, between
 * paragraphs; the article's own headline before the first paragraph stays. */
static void test_story_teasers(void **s)
{
    (void)s;
    expect("", "The article's own headline here\n12:30, 5 March 2024\n" P1 "\nWill the bridge be ready by the end of "
               "the coming winter?\n4 March 2024, 18:05\n" P2 "\nCity buys ten new trams\n11:20\n" P3,
           "The article's own headline here\n\n" P1 "\n\n" P2 "\n\n" P3);
    expect("story_teasers: false", P1 "\nCity buys ten new trams\n11:20\n" P3,
           P1 "\n\nCity buys ten new trams\n\n" P3);
    /* A date with the month's name holds a year; under a table's line stands a price or a quantity, no
     * time (the number goes alone, as numeric lines do). */
    expect("", P1 "\nCity buys ten new trams\n5 March 2024\n" P2 "\nThe child seat with its base\n370 \xe2\x82\xac\n" P3,
           P1 "\n\n" P2 "\n\nThe child seat with its base\n\n" P3);
}

static void test_counters(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "boilerplate", RULES, NULL);
    cv_doc *d = th_doc("x", P1 "\nSEE ALSO: a\nSEE ALSO: b\n" P2 "\nTail words");
    th_process(p, d);
    assert_int_equal(th_counter(p, "removed:see_also"), 2);
    assert_int_equal(th_counter(p, "removed:tail"), 1);
    cv_doc_free(d);
    th_close(p);
}

/* Rules the step must refuse to start with, saying why. */
static void expect_refused(const char *rules, const char *why)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "rules: %s", rules);
    th_plugin *p = th_open(CV_STEP, "boilerplate", yaml, NULL);
    assert_null(p->inst);
    if (!strstr(p->error, why))
        fail_msg("%s: error [%s] does not say [%s]", rules, p->error, why);
    th_close(p);
}

static void test_bad_rules(void **s)
{
    (void)s;
    expect_refused(TEST_SOURCE_DIR "/plugins/boilerplate/bad.yaml", "rule 'broken': pattern error");
    expect_refused(TEST_SOURCE_DIR "/plugins/boilerplate/bad_key.yaml", "rule 'misspelt': unknown key 'tail_byte'");
    expect_refused(TEST_SOURCE_DIR "/plugins/boilerplate/bad_number.yaml",
                   "rule 'words': tail_bytes must be a whole number of bytes, not 'sixteen'");
    expect_refused(TEST_SOURCE_DIR "/plugins/boilerplate/bad_months.yaml", "months: entry 2 is no word");
    expect_refused("/nonexistent/rules", "no such file or folder");
}

static void test_catastrophic_rule(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "boilerplate", "rules: " TEST_SOURCE_DIR "/plugins/boilerplate/catastrophic.yaml", NULL);
    assert_non_null(p->inst);
    char text[4096];
    memset(text, 'a', 3000);
    strcpy(text + 3000, "b");
    cv_doc *d = th_doc("x", text);
    assert_int_equal(th_process(p, d), CV_OK); /* returns, and keeps the line */
    assert_int_equal(d->len, 3001);
    assert_int_equal(th_counter(p, "regex_limit_hit"), 1);
    cv_doc_free(d);
    th_close(p);
}

/* tail_bytes: a match must start in the last bytes of the line; the window
 * may begin inside a multi-byte character. */
static void test_tail_bytes(void **s)
{
    (void)s;
    const char *yaml = "rules: " TEST_SOURCE_DIR "/plugins/boilerplate/tail.yaml\n";
    th_plugin *p = th_open(CV_STEP, "boilerplate", yaml, NULL);
    assert_non_null(p->inst);
    static const struct {
        const char *in, *want;
    } cases[] = {
        {P1 "\n1234 views\n" P2, P1 "\n\n" P2},
        /* 29 bytes: the window starts on the second byte of a letter */
        {P1 "\nпрочитания 77 views\n" P2, P1 "\n\n" P2},
        /* "12 прочитания" is 23 bytes: its match cannot start in the last 16 */
        {P1 "\nСтатия: 12 прочитания\n" P2, P1 "\n\nСтатия: 12 прочитания\n\n" P2},
        {P1 "\nstart of a line that is long enough end\n" P2, P1 "\n\nstart of a line that is long enough end\n\n" P2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cv_doc *d = th_doc("x", cases[i].in);
        assert_int_equal(th_process(p, d), CV_OK);
        if (strcmp(d->text, cases[i].want))
            fail_msg("case %zu: got:\n%s\nwant:\n%s", i, d->text, cases[i].want);
        cv_doc_free(d);
    }
    th_close(p);
    expect_refused(TEST_SOURCE_DIR "/plugins/boilerplate/tail_anchored.yaml", "tail_bytes is for patterns that end a line");
}

typedef struct line_case {
    const char *line, *counter; /* NULL: kept */
} line_case;

/* Each line between two paragraphs: removed and counted, or kept. */
static void expect_lines(const char *rules, const line_case *cases, size_t n)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml, "rules: %s", rules);
    th_plugin *p = th_open(CV_STEP, "boilerplate", yaml, NULL);
    assert_non_null(p->inst);
    for (size_t i = 0; i < n; i++) {
        char in[512], want[512];
        snprintf(in, sizeof in, P1 "\n%s\n" P2, cases[i].line);
        snprintf(want, sizeof want, cases[i].counter ? P1 "\n\n" P2 : P1 "\n\n%s\n\n" P2, cases[i].line);
        uint64_t before = cases[i].counter ? th_counter(p, cases[i].counter) : 0;
        cv_doc *d = th_doc("x", in);
        assert_int_equal(th_process(p, d), CV_OK);
        if (strcmp(d->text, want))
            fail_msg("case %zu (%s): got:\n%s", i, cases[i].line, d->text);
        if (cases[i].counter && th_counter(p, cases[i].counter) != before + 1)
            fail_msg("case %zu: %s not counted", i, cases[i].counter);
        cv_doc_free(d);
    }
    th_close(p);
}

/* Anchored rules are tried only on lines whose first character can begin a
 * match; that answer must never differ from the full match's.  The rule
 * "second" also matches "Both ways", but "first" comes before it. */
static void test_first_character(void **s)
{
    (void)s;
    static const line_case cases[] = {
        {"още: една история", "removed:more"},
        {"ОЩЕ: друга история", "removed:more"},
        {"Още по-късно вечерта", NULL},    /* the same first letter, asked once, no match */
        {"\xc5\xbf" "ee also the map", "removed:see_also"}, /* U+017F long s folds to s */
        {"See also the map", "removed:see_also"},
        {"Seen from the hill", NULL},
        {"12 read more", "removed:read_more"},
        {"Read more here", "removed:read_more"},
        {"7 readers wrote", NULL},
        {"; and so on", "removed:fragment"},
        {"Both ways are closed", "removed:first"},
        {"Ω is a letter", NULL},
        {"\xe4\xb8\xad both", NULL}, /* beyond the table: tried, no match */
    };
    expect_lines(TEST_SOURCE_DIR "/plugins/boilerplate/starts.yaml", cases, sizeof cases / sizeof *cases);
}

/* main_run_dateline_words: a short line in the run that holds a date (by a
 * month of the rules' months:, or in digits) and is mostly numbers, names
 * and months goes; a list's item, a sentence's words and a line with no
 * date stay. */
static void test_main_run_dateline(void **s)
{
    (void)s;
    static const line_case cases[] = {
        {"5 March 2024, 14:30", "removed:dateline"},
        {"Von Anna Reid am 5. M\xC3\xA4rz 2024, 14:30 Uhr", "removed:dateline"},
        {"MARCH 5, 2024 at 9:12 pm", "removed:dateline"},
        {"Anna Reid | 12.03.2024", "removed:dateline"},
        {"Anna Reid, Harbour Desk", NULL},
        {"Release 1.2.3 of the App", NULL}, /* a version, no date */
        {"- 5 March 2024: Harbour Congress, Basel", NULL},
        {"\xE2\x80\x94 Anna Reid (@reid) March 5, 2024", NULL},
        {"the council met on 5 March 2024 in the old hall", NULL},
        {"Mar 5 until the end", NULL}, /* a third of its words */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char in[1024], want[1024];
        snprintf(in, sizeof in, "Big headline about the town\n" P1 "\n%s\n" P2 "\n" P3, cases[i].line);
        if (!cases[i].counter)
            snprintf(want, sizeof want, "Big headline about the town\n\n" P1 "\n\n%s\n\n" P2 "\n\n" P3, cases[i].line);
        else
            snprintf(want, sizeof want, "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3);
        expect("main_run: true", in, want);
    }
    /* off, and longer than the bound */
    expect("main_run: true\nmain_run_dateline_words: 0",
           "Big headline about the town\n" P1 "\nAnna Reid and Tom Hill, 5 March 2024\n" P2,
           "Big headline about the town\n\n" P1 "\n\nAnna Reid and Tom Hill, 5 March 2024\n\n" P2);
    expect("main_run: true\nmain_run_dateline_words: 7",
           "Big headline about the town\n" P1 "\nAnna Reid and Tom Hill, 5 March 2024\n" P2,
           "Big headline about the town\n\n" P1 "\n\nAnna Reid and Tom Hill, 5 March 2024\n\n" P2);
    expect("main_run: true\nmain_run_dateline_words: 8",
           "Big headline about the town\n" P1 "\nAnna Reid and Tom Hill, 5 March 2024\n" P2,
           "Big headline about the town\n\n" P1 "\n\n" P2);
}

/* The shipped English byline rule: its keyword in any case, the name
 * capitalised, a date or agency after a bar; not a sentence that begins
 * with "By". */
static void test_shipped_bylines(void **s)
{
    (void)s;
    static const line_case cases[] = {
        {"By Jane Holloway", "removed:byline"},
        {"BY JANE HOLLOWAY", "removed:byline"},
        {"Reporting by Tom O'Neil", NULL}, /* the apostrophe is not in a name's letters */
        {"Written by Ana Ruiz-Diaz", "removed:byline"},
        {"By Maria Lopez | November 24, 2026, 9:15 a.m.", "removed:byline"},
        {"By Maria Lopez \xc2\xb7 Reuters", "removed:byline"}, /* "Reuters" stripped first */
        {"By Maria Lopez \xe2\x80\xa2 Staff reporter", "removed:byline"},
        {"By Friday the council will have voted on the plan to rebuild the harbour walls.", NULL},
        {"by the river", NULL},
    };
    expect_lines(TEST_SOURCE_DIR "/../config/boilerplate", cases, sizeof cases / sizeof *cases);
}

/* The shipped notices of other languages and of blog engines: a line each
 * between paragraphs; not a sentence that starts like one. */
static void test_shipped_notices(void **s)
{
    (void)s;
    static const line_case cases[] = {
        {"Posted by Anna Reid at 09:14", "removed:posted_by"},
        {"Eingestellt von Michel um 10:02", "removed:posted_by"},
        {"Posted by courier, the letter reached the council three weeks late and nobody ever answered it.", NULL},
        {"Publi\xc3\xa9 le 14 avril 2026 par Camille Roux", "removed:byline"},
        {"Par ailleurs, la mairie a fourni la terre", NULL},
        {"\xc3\x80 lire aussi \xc2\xbb Un autre article", "removed:teaser"},
        {"This post contains affiliate links.", "removed:affiliate_notice"},
        {"F\xc3\xbcr Links auf dieser Seite erh\xc3\xa4lt die Redaktion eine Provision", "removed:affiliate_notice"},
        {"Alle Angaben ohne Gew\xc3\xa4hr.", "removed:affiliate_notice"},
        {"No responses yet", "removed:comments_widget"},
        {"Dowiedz si\xc4\x99 wi\xc4\x99" "cej", "removed:more_link"},
        {"VEA TAMBI\xc3\x89N: Otra noticia del barrio", "removed:teaser"},
        {"5 min read", "removed:more_link"},
        {"Dieser Eintrag wurde ver\xc3\xb6" "ffentlicht in Podcast und verschlagwortet mit Berlin.", "removed:post_footer"},
        {"This entry was posted in News and tagged harbour. Bookmark the permalink.", "removed:post_footer"},
        {"Dieser Beitrag wurde von vielen Lesern kommentiert, und die Diskussion geht weiter.", NULL},
        {"Rezept drucken Bei Pinterest speichern", "removed:post_footer"},
        {"\xd0\x95\xd1\x81\xd0\xbb\xd0\xb8 \xd1\x83 \xd0\xb2\xd0\xb0\xd1\x81 \xd0\xb5\xd1\x81\xd1\x82\xd1\x8c \xd0\xb2\xd0\xbe\xd0\xbf\xd1\x80\xd0\xbe\xd1\x81\xd1\x8b \xd0\xbe \xd0\xbf\xd0\xbe\xd0\xb5\xd0\xb7\xd0\xb4\xd0\xba\xd0\xb5, \xd0\xbf\xd0\xb8\xd1\x88\xd0\xb8\xd1\x82\xd0\xb5 \xd0\xb2 \xd0\xba\xd0\xbe\xd0\xbc\xd0\xbc\xd0\xb5\xd0\xbd\xd1\x82\xd0\xb0\xd1\x80\xd0\xb8\xd1\x8f\xd1\x85!", "removed:comments_invite"},
        {"\xd0\x9c\xd1\x8b \xd0\xb5\xd0\xbb\xd0\xb8 \xd0\xb2 \xd0\xbd\xd0\xb5\xd0\xb1\xd0\xbe\xd0\xbb\xd1\x8c\xd1\x88\xd0\xbe\xd0\xbc \xd0\xba\xd0\xb0\xd1\x84\xd0\xb5 \xd1\x80\xd1\x8f\xd0\xb4\xd0\xbe\xd0\xbc \xd1\x81 \xd0\xb2\xd0\xbe\xd0\xba\xd0\xb7\xd0\xb0\xd0\xbb\xd0\xbe\xd0\xbc, \xd0\xb8 \xd1\x8d\xd1\x82\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xb2\xd0\xba\xd1\x83\xd1\x81\xd0\xbd\xd0\xb5\xd0\xb5, \xd1\x87\xd0\xb5\xd0\xbc \xd0\xb2 \xd1\x80\xd0\xb5\xd1\x81\xd1\x82\xd0\xbe\xd1\x80\xd0\xb0\xd0\xbd\xd0\xb0\xd1\x85; \xd0\xb5\xd1\x81\xd0\xbb\xd0\xb8 \xd0\xb7\xd0\xbd\xd0\xb0\xd0\xb5\xd1\x82\xd0\xb5 \xd0\xbc\xd0\xb5\xd1\x81\xd1\x82\xd0\xbe \xd0\xbb\xd1\x83\xd1\x87\xd1\x88\xd0\xb5, \xd0\xbf\xd0\xb8\xd1\x88\xd0\xb8\xd1\x82\xd0\xb5 \xd0\xb2 \xd0\xba\xd0\xbe\xd0\xbc\xd0\xbc\xd0\xb5\xd0\xbd\xd1\x82\xd0\xb0\xd1\x80\xd0\xb8\xd1\x8f\xd1\x85!", NULL}, /* a paragraph that ends so */
        {"Let us know in the comments below!", "removed:comments_invite"},
        {"Lea m\xc3\xa1s: Otra noticia del barrio", "removed:teaser"},
        {"PUEDES VER: Otra noticia del barrio", "removed:teaser"},
        {"Lea el informe completo en la web del ministerio.", NULL},
        {"Mehr: Die Stadt kauft zehn neue Trams", "removed:teaser"},
        {"Mehr als hundert Menschen kamen am Montag zur Versammlung.", NULL},
        {"Dowiedz si\xc4\x99 wi\xc4\x99" "cej: Kto jak g\xc5\x82osowa\xc5\x82", "removed:teaser"},
        {"Never miss the latest news by signing up to our newsletter today!", "removed:newsletter"},
        {"This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service apply.", "removed:recaptcha_notice"},
        {"Wir sind spendenfinanziert. Unterst\xc3\xbctze auch du uns mit einem Dauerauftrag!", "removed:support_us"},
        {"Wir sind froh, dass der Verein spendenfinanziert arbeiten kann, sagte die Vorsitzende.", NULL},
        {"Materia\xc5\x82 chroniony prawem autorskim - zasady przedruk\xc3\xb3w okre\xc5\x9bla regulamin.", "removed:copyright"},
        /* a caption that ends with its picture's credit; a sentence that holds the sign */
        {"The pier after the storm on Sunday. \xc2\xa9 Anna Reid / Harbour Agency", "removed:credited_caption"},
        {"Traffic jam on the ring road \xc2\xa9 aremac / Picture Desk", "removed:credited_caption"},
        {"The logo, marked \xc2\xa9 in the corner, was drawn by the mayor's son.", NULL},
        /* one whose credit closes it in brackets; an agency's mark after news, a headline's "(+ Photos)" */
        {"The pier after the storm on Sunday. (REUTERS/Anna Reid)", "removed:credited_caption"},
        {"A stoat in its winter coat. (reid / iStock.com)", "removed:credited_caption"},
        {"New seminars start in March. (Source: Reid/Unsplash/Club)", "removed:credited_caption"},
        {"The port in the evening (Photo by Anna Reid / Harbour Agency)", "removed:credited_caption"},
        {"The council will vote on the harbour walls again on Friday, the mayor said. (dpa/gem)", NULL},
        {"The talks went on until the morning and ended without a deal. (AFP/Reuters)", NULL},
        {"The new harbour walls (+ Photos and Video)", NULL},
        /* a Polish and a Spanish credit line; the words in a sentence */
        {"Fot. Anna Reid / Agencja Gazeta", "removed:photo_credit"},
        {"Imagen: T\xc3\xa9lam", "removed:photo_credit"},
        {"Na zdj\xc4\x99" "ciu (fot. archiwum) wida\xc4\x87 most nad rzek\xc4\x85 w zimie.", NULL},
        {"Imagen: la plaza del pueblo se llen\xc3\xb3 de gente durante toda la tarde del domingo.", NULL},
        /* a newsletter's pitch or label anywhere in a short line; sentences about a newsletter, an inbox */
        {"Get the latest updates and tutorials straight to your inbox with the Harbour newsletter.", "removed:newsletter"},
        {"Then sign up for our email newsletter to get the week's stories.", "removed:newsletter"},
        {"Mit unserem Newsletter erhalten Sie monatlich Informationen rund um den Hafen!", "removed:newsletter"},
        {"Keine Neuigkeiten mehr verpassen: Abonnieren Sie kostenlos die Hafen-Newsletter.", "removed:newsletter"},
        {"Harbour Daily Newsletter", "removed:newsletter"},
        {"Tierwelt-Newsletter", "removed:newsletter"},
        {"The newsletter was founded in 1998 by two teachers from the harbour school.", NULL},
        {"The bank's letters land in your inbox every month, the council said.", NULL},
        {"Der Newsletter des Vereins erschien 1998 zum ersten Mal und kostete nichts.", NULL},
        {"How to write a good newsletter", NULL},
    };
    expect_lines(TEST_SOURCE_DIR "/../config/boilerplate", cases, sizeof cases / sizeof *cases);
}

/* A pitch for the reader's inbox between an article's paragraphs goes
 * alone under main_run: the run goes on to the article's last paragraph,
 * though the page's chrome follows it. */
static void test_shipped_inbox_pitch(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "boilerplate", "rules: " TEST_SOURCE_DIR "/../config/boilerplate\nmain_run: true", NULL);
    assert_non_null(p->inst);
    cv_doc *d = th_doc("x", "Big headline about the town\n" P1 "\n" P2 "\nHeadlines Delivered to Your Inbox\n" P3
                            "\nHome\nNews\nSport\nWeather\nTraffic\nContact us\nAbout us\nTerms of use\nPrivacy policy\n"
                            "Advertise with us\nCareers at the paper\nSubscriptions\nE-paper edition\nArchive\n");
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, "Big headline about the town\n\n" P1 "\n\n" P2 "\n\n" P3);
    cv_doc_free(d);
    th_close(p);
}

/* The shipped Czech and Slovak rules: teasers, widgets and notices go,
 * sentences that begin with the same words stay. */
static void test_shipped_czech(void **s)
{
    (void)s;
    static const line_case cases[] = {
        {"Mohlo by v\xc3\xa1s zaj\xc3\xadmat: Tramvaj do Bystrce pojede u\xc5\xbe v prosinci", "removed:teaser"},
        {"\xc4\x8c\xc3\xadtajte aj: Nov\xc3\xbd most v Ko\xc5\xa1iciach", "removed:teaser"},
        {"Souvisej\xc3\xad" "c\xc3\xad \xc4\x8dl\xc3\xa1nky", "removed:related_block"},
        {"Naj\xc4\x8d\xc3\xadtanej\xc5\xa1ie", "removed:related_block"},
        {"Diskuze (12)", "removed:comments_widget"},
        {"Tento web pou\xc5\xbe\xc3\xadv\xc3\xa1 soubory cookie. Dal\xc5\xa1\xc3\xad informace", "removed:cookie_notice"},
        {"Reklama", "removed:ad"},
        /* look-alike sentences */
        {"Mohlo by v\xc3\xa1s zaj\xc3\xadmat, \xc5\xbe" "e knihovna bude otev\xc5\x99" "en\xc3\xa1 do p\xc5\xaflnoci.", NULL},
        {"Diskuze o rozpo\xc4\x8dtu trvala do r\xc3\xa1na a radn\xc3\xad se nedohodli.", NULL},
        {"Reklama na kraj\xc3\xad silnice zmizela po \xc5\x99\xc3\xadjnu.", NULL},
    };
    expect_lines(TEST_SOURCE_DIR "/../config/boilerplate", cases, sizeof cases / sizeof *cases);
}

/* The shipped menu_line: a menu on one line, not a page's title. */
static void test_shipped_menu_line(void **s)
{
    (void)s;
    static const line_case cases[] = {
        {"Home | News | Sport | Culture", "removed:menu_line"},
        {"A | B | C | D | E | F | G | H", "removed:menu_line"},
        {"Big headline about the town | The Daily Site", NULL},
        {"Big headline about the town | News | The Daily Site", NULL},
    };
    expect_lines(TEST_SOURCE_DIR "/../config/boilerplate", cases, sizeof cases / sizeof *cases);
}

/* The word prefilter finds a rule's word anywhere in a line, in any case,
 * also where its key would read past the line's end, and never a prefix. */
static void test_needle_keys(void **s)
{
    (void)s;
    static const line_case cases[] = {
        {"a TYPO", "removed:four"},
        {"typ", NULL},
        {"Loading", "removed:seven"},
        {"now loading the page", "removed:seven"},
        {"loadin", NULL},
        {"ФОТО", "removed:eight"}, /* the whole line is the eight-byte key */
        {"Фото: архив", "removed:eight"},
        {"за фот", NULL},
        {"SnapShots", "removed:nine"},
        {"old snapshots here", "removed:nine"},
        {"a snapshot", NULL}, /* its eight-byte key, not the word */
        {"Subscribe to our newsletter", "removed:long"},
        {"subscribe", NULL}, /* the word is longer than the rest of the line */
        /* Words that only follow a non-letter are looked for only there. */
        {"12прочитания", "removed:counter"},
        {"views: 7 readings", "removed:counter"},
        {"\xc2\xabСнимка: агенция\xc2\xbb", "removed:photo"}, /* after a two-byte quote */
        {"\xe2\x80\x9eснимка: агенция", "removed:photo"},     /* after a three-byte one */
        {"(Picture: agency)", "removed:photo"},
        {"bigpicture: lens", NULL},
        {"1picture: lens", NULL},
    };
    expect_lines(TEST_SOURCE_DIR "/plugins/boilerplate/needles.yaml", cases, sizeof cases / sizeof *cases);
}

/* Rules are kept in sets of 64 bits: with more than 64 rules, rules of the
 * second word are found too (anchored, filtered, neither), and the first
 * matching rule in file order still decides across words. */
static void test_many_rules(void **s)
{
    (void)s;
    char *dir = th_tmpdir();
    char *path = cv_xasprintf("%s/many.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "rules:\n");
    for (int i = 0; i < 66; i++)
        fprintf(f, "  - name: filler%d\n    pattern: 'qqq%dqqq'\n", i, i);
    fprintf(f, "  - name: menu\n    pattern: '^menu:'\n"
               "  - name: photograph\n    pattern: 'photograph'\n"
               "  - name: digits\n    pattern: '^\\d+$'\n"
               "  - name: late\n    pattern: 'qqq65qqq'\n");
    fclose(f);
    static const line_case cases[] = {
        {"Menu: home", "removed:menu"},
        {"a photograph by somebody", "removed:photograph"},
        {"12345", "removed:digits"},
        {"qqq3qqq", "removed:filler3"},
        {"qqq65qqq", "removed:filler65"}, /* also matched by late, which comes after */
        {"menu without the colon", NULL},
    };
    expect_lines(path, cases, sizeof cases / sizeof *cases);
    free(path);
    th_rmrf(dir);
    free(dir);
}

/* Linear in lines: 200k distinct paragraphs, every tenth repeated later (the
 * copy goes), through the shipped rules.  The old walk over earlier lines for
 * repeated_lines took about a minute at this size; a hash set, well under a
 * second.  The bound is ctest's timeout, not a clock in the test. */
static void test_many_lines(void **s)
{
    (void)s;
    enum { N = 200000, LINE = 128 };
    char *in = malloc((size_t)N * LINE), *want = malloc((size_t)N * LINE);
    assert_non_null(in);
    assert_non_null(want);
    size_t ni = 0, nw = 0;
    for (int i = 0; i < N; i++) {
        int k = i % 10 == 9 ? i - 9 : i; /* a repeat of a paragraph nine lines up */
        int n = snprintf(in + ni, LINE, "Paragraph %d of the long book tells what the town did on that day.\n", k);
        if (k == i) {
            if (nw)
                nw += (size_t)sprintf(want + nw, "\n\n");
            memcpy(want + nw, in + ni, (size_t)n - 1);
            nw += (size_t)n - 1;
        }
        ni += (size_t)n;
    }
    in[ni] = want[nw] = '\0';
    th_plugin *p = th_open(CV_STEP, "boilerplate", "rules: " TEST_SOURCE_DIR "/../config/boilerplate\n", NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    cv_doc *d = th_doc("book", in);
    assert_int_equal(th_process(p, d), CV_OK);
    assert_true(!strcmp(d->text, want));
    cv_doc_free(d);
    th_close(p);
    free(in);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_rule),  cmocka_unit_test(test_strip_rule), cmocka_unit_test(test_cut_rule),
        cmocka_unit_test(test_block_rule), cmocka_unit_test(test_previous_caption),
        cmocka_unit_test(test_structure),  cmocka_unit_test(test_counters),   cmocka_unit_test(test_bad_rules),
        cmocka_unit_test(test_catastrophic_rule), cmocka_unit_test(test_tail_bytes), cmocka_unit_test(test_unfinished_before_chrome),
        cmocka_unit_test(test_tail_announced_list),
        cmocka_unit_test(test_announced_list),
        cmocka_unit_test(test_speech),
        cmocka_unit_test(test_breadcrumbs),
        cmocka_unit_test(test_short_sentences), cmocka_unit_test(test_list_shaped),
        cmocka_unit_test(test_strip_every_match), cmocka_unit_test(test_repeated_with_source), cmocka_unit_test(test_repeated_inside),
        cmocka_unit_test(test_story_teasers),
        cmocka_unit_test(test_first_character),
        cmocka_unit_test(test_shipped_bylines), cmocka_unit_test(test_shipped_menu_line), cmocka_unit_test(test_shipped_notices),
        cmocka_unit_test(test_shipped_inbox_pitch),
        cmocka_unit_test(test_shipped_czech),
        cmocka_unit_test(test_needle_keys),
        cmocka_unit_test(test_many_rules), cmocka_unit_test(test_many_lines), cmocka_unit_test(test_main_run),
        cmocka_unit_test(test_main_run_title), cmocka_unit_test(test_main_run_topic), cmocka_unit_test(test_main_run_standfirst),
        cmocka_unit_test(test_main_run_script), cmocka_unit_test(test_main_run_cut), cmocka_unit_test(test_main_run_lead_out), cmocka_unit_test(test_first_question), cmocka_unit_test(test_quantity_list),
        cmocka_unit_test(test_main_run_link_list), cmocka_unit_test(test_main_run_wrapped),
        cmocka_unit_test(test_main_run_after_list), cmocka_unit_test(test_main_run_printed_twice),
        cmocka_unit_test(test_main_run_dateline), cmocka_unit_test(test_unspaced_paragraphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
