/* urlfilter: a UT1-style folder written here, hosts and URLs that must and
 * must not match it, the allowlist, banned words and sub-words with their
 * false positives, and every way the lists can be wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static char *dir;
static char yaml_all[2048];

static int setup(void **s)
{
    (void)s;
    dir = th_tmpdir();
    th_write(dir, "ut1/adult/domains", "# UT1 adult\nbad.com\nEVIL.org.\n\n  spaced.net  \r\nipsite.example\n93.184.216.34\n");
    th_write(dir, "ut1/adult/urls", "site.com/videos\nhttp://shop.net/adult/\nwww.host.org/a/b\n");
    th_write(dir, "ut1/gambling/domains", "casino.net\nbad.com\n");
    th_write(dir, "ut1/empty/README", "no lists here\n");
    th_write(dir, "allow.txt", "good.bad.com\ncasino.net/help\n");
    th_write(dir, "words.txt", "porn\nXXX\n# comment\n");
    th_write(dir, "subwords.txt", "sex\nanal\n");
    th_write(dir, "soft.txt", "hot\ngirls\ncam\n");
    th_write(dir, "fp.txt", "sussex\nanalysis\ncanal\n");
    th_write(dir, "bad/domains", "ok.com\nnot a domain\nbad..dots\nx.com/path with space\n");
    snprintf(yaml_all, sizeof yaml_all,
             "blocklist: %s/ut1\nallow: %s/allow.txt\nbanned_words: %s/words.txt\nbanned_subwords: %s/subwords.txt\n"
             "soft_banned_words: %s/soft.txt\nfalse_positives: %s/fp.txt\n",
             dir, dir, dir, dir, dir, dir);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    th_rmrf(dir);
    free(dir);
    return 0;
}

/* The drop reason of url ("" when kept), with its detail after a space. */
static void expect_in(th_plugin *p, const char *url, const char *want)
{
    cv_doc *d = th_doc("x", "text");
    if (url)
        cv_meta_set_string(d, "url", url);
    cv_status st = th_process(p, d);
    char got[512];
    snprintf(got, sizeof got, "%s%s%s", d->drop_reason ? d->drop_reason : "", d->drop_detail ? " " : "",
             d->drop_detail ? d->drop_detail : "");
    if (strcmp(got, want))
        fail_msg("%s: got [%s], want [%s]", url ? url : "(no url)", got, want);
    assert_int_equal(st, want[0] ? CV_DROP : CV_OK);
    cv_doc_free(d);
}

static void test_domains(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "urlfilter", yaml_all, NULL);
    assert_non_null(p->inst);
    expect_in(p, "https://bad.com/", "urlfilter:adult bad.com");
    expect_in(p, "http://www.bad.com/page", "urlfilter:adult bad.com");
    expect_in(p, "http://a.b.BAD.com.:8080/x?y#z", "urlfilter:adult bad.com");
    expect_in(p, "http://user:pw@bad.com/", "urlfilter:adult bad.com");
    expect_in(p, "bad.com/no-scheme", "urlfilter:adult bad.com");
    expect_in(p, "https://evil.org", "urlfilter:adult evil.org");
    expect_in(p, "https://spaced.net/", "urlfilter:adult spaced.net");
    expect_in(p, "http://93.184.216.34/x", "urlfilter:adult 93.184.216.34");
    expect_in(p, "https://casino.net/play", "urlfilter:gambling casino.net");
    /* look-alikes */
    expect_in(p, "https://notbad.com/", "");
    expect_in(p, "https://bad.com.example.org/", "");
    expect_in(p, "https://bad.co/", "");
    expect_in(p, "https://example.org/bad.com", "");
    expect_in(p, "https://evil.organic.net/", "");
    /* the allowlist wins */
    expect_in(p, "https://good.bad.com/", "");
    expect_in(p, "https://x.good.bad.com/", "");
    expect_in(p, "https://casino.net/help/faq", "");
    expect_in(p, "https://casino.net/helpdesk", "urlfilter:gambling casino.net");
    assert_int_equal(th_counter(p, "passed:allowlist"), 3);
    /* no URL */
    expect_in(p, NULL, "");
    expect_in(p, "", "");
    assert_int_equal(th_counter(p, "passed:no_url"), 2);
    th_close(p);
}

static void test_urls(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "urlfilter", yaml_all, NULL);
    assert_non_null(p->inst);
    expect_in(p, "http://site.com/videos", "urlfilter:adult site.com/videos");
    expect_in(p, "http://site.com/videos/", "urlfilter:adult site.com/videos");
    expect_in(p, "https://www.site.com/videos/123?x=1", "urlfilter:adult site.com/videos");
    expect_in(p, "http://SITE.com/videos#top", "urlfilter:adult site.com/videos");
    expect_in(p, "http://shop.net/adult/toys", "urlfilter:adult shop.net/adult");
    expect_in(p, "http://www.host.org/a/b/c", "urlfilter:adult www.host.org/a/b");
    expect_in(p, "http://site.com/videosx", "");
    expect_in(p, "http://site.com/Videos", ""); /* paths are case-sensitive */
    expect_in(p, "http://site.com/", "");
    expect_in(p, "http://site.com/other/videos", "");
    expect_in(p, "http://host.org/a/b", ""); /* the entry names www.host.org */
    expect_in(p, "http://www.host.org/a", "");
    th_close(p);
}

static void test_categories(void **s)
{
    (void)s;
    char yaml[1200];
    snprintf(yaml, sizeof yaml, "blocklist: %s/ut1\ncategories: [gambling]\n", dir);
    th_plugin *p = th_open(CV_STEP, "urlfilter", yaml, NULL);
    assert_non_null(p->inst);
    expect_in(p, "https://bad.com/", "urlfilter:gambling bad.com");
    expect_in(p, "https://evil.org/", "");
    expect_in(p, "http://site.com/videos", "");
    th_close(p);
}

static void test_words(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "urlfilter", yaml_all, NULL);
    assert_non_null(p->inst);
    expect_in(p, "https://example.com/porn-videos", "urlfilter:banned_word porn");
    expect_in(p, "https://example.com/free_porn4you", "urlfilter:banned_word porn");
    expect_in(p, "https://XXX.example.com/", "urlfilter:banned_word xxx");
    expect_in(p, "https://example.com/pornography", ""); /* a word, not a sub-word */
    expect_in(p, "https://example.com/xxxl-shirts", "");
    expect_in(p, "https://sexshop.example.com/", "urlfilter:banned_subword sex");
    expect_in(p, "https://www.sussex.ac.uk/", "");
    expect_in(p, "https://example.com/data-analysis", "");
    expect_in(p, "https://example.com/canal-boats", "");
    expect_in(p, "https://example.com/anal-x", "urlfilter:banned_subword anal");
    expect_in(p, "https://sussex.example.com/sex", "urlfilter:banned_subword sex");
    expect_in(p, "https://example.com/hot-girls", "urlfilter:soft_banned_words girls");
    expect_in(p, "https://example.com/hot-hot-dogs", "");
    expect_in(p, "https://example.com/hotels/cambridge", "");
    th_close(p);
}

static void test_bad_lists(void **s)
{
    (void)s;
    char yaml[1200], want[1100];
    snprintf(yaml, sizeof yaml, "blocklist: %s/none\n", dir);
    snprintf(want, sizeof want, "%s/none: No such file or directory", dir);
    th_expect_refusal(CV_STEP, "urlfilter", yaml, want);
    snprintf(yaml, sizeof yaml, "blocklist: %s/words.txt\n", dir);
    th_expect_refusal(CV_STEP, "urlfilter", yaml, "not a folder");
    snprintf(yaml, sizeof yaml, "blocklist: %s/ut1\ncategories: [adult, drugs]\n", dir);
    snprintf(want, sizeof want, "%s/ut1/drugs: no such category", dir);
    th_expect_refusal(CV_STEP, "urlfilter", yaml, want);
    snprintf(yaml, sizeof yaml, "banned_words: %s/missing.txt\n", dir);
    snprintf(want, sizeof want, "%s/missing.txt: No such file", dir);
    th_expect_refusal(CV_STEP, "urlfilter", yaml, want);
    snprintf(yaml, sizeof yaml, "blocklist: %s/ut1/empty\n", dir);
    th_expect_refusal(CV_STEP, "urlfilter", yaml, "no category in it");
    th_expect_refusal(CV_STEP, "urlfilter", "", "nothing to filter by");
    if (!strstr(th_opts_error(CV_STEP, "urlfilter", "malformed: maybe"), "count|error"))
        fail_msg("malformed: maybe: [%s]", th_opts_error(CV_STEP, "urlfilter", "malformed: maybe"));
    if (!*th_opts_error(CV_STEP, "urlfilter", "soft_threshold: 0"))
        fail_msg("soft_threshold: 0 accepted");

    snprintf(yaml, sizeof yaml, "blocklist: %s\nmalformed: error\n", dir);
    snprintf(want, sizeof want, "%s/bad/domains:2: malformed entry", dir);
    th_expect_refusal(CV_STEP, "urlfilter", yaml, want);
    /* counted by default, the good lines kept */
    snprintf(yaml, sizeof yaml, "blocklist: %s\ncategories: [bad]\n", dir);
    th_plugin *p = th_open(CV_STEP, "urlfilter", yaml, NULL);
    assert_non_null(p->inst);
    assert_int_equal(th_counter(p, "malformed_list_lines"), 3);
    expect_in(p, "http://ok.com/", "urlfilter:bad ok.com");
    th_close(p);

    /* An unreadable file */
    snprintf(yaml, sizeof yaml, "%s/unreadable.txt", dir);
    th_write(dir, "unreadable.txt", "porn\n");
    chmod(yaml, 0);
    FILE *f = fopen(yaml, "r");
    if (f) { /* root reads anything: nothing to test */
        fclose(f);
        return;
    }
    snprintf(yaml, sizeof yaml, "banned_words: %s/unreadable.txt\n", dir);
    th_expect_refusal(CV_STEP, "urlfilter", yaml, "Permission denied");
}

/* The example shipped in config/ loads and does what its comments say. */
static void test_shipped_example(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "urlfilter",
                           "blocklist: " TEST_SOURCE_DIR "/../config/urlfilter/example-ut1\n"
                           "allow: " TEST_SOURCE_DIR "/../config/urlfilter/allow.txt\n"
                           "banned_words: " TEST_SOURCE_DIR "/../config/urlfilter/banned_words.txt\n",
                           NULL);
    assert_non_null(p->inst);
    expect_in(p, "https://www.example-adult.test/", "urlfilter:adult example-adult.test");
    expect_in(p, "https://example.org/", "");
    th_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domains),  cmocka_unit_test(test_urls),      cmocka_unit_test(test_categories),
        cmocka_unit_test(test_words),    cmocka_unit_test(test_bad_lists), cmocka_unit_test(test_shipped_example),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
