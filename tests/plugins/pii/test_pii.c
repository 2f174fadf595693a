/* pii: planted values in running text, near-misses that stay, Python's
 * ipaddress as the oracle for which addresses are personal, PII-free text
 * passed byte for byte, and documents built to make a scanner slow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../plugins/pii/detect.h"
#include "harness.h"

/* The shipped word lists: the harness resolves paths against tests/. */
#define CUES_FILE TEST_SOURCE_DIR "/../config/pii/cues.yaml"

static th_plugin *open_pii(const char *yaml)
{
    char full[1024];
    snprintf(full, sizeof full, "%s%s\n%s", strstr(yaml, "cues:") ? "" : "cues: ", strstr(yaml, "cues:") ? "" : CUES_FILE, yaml);
    return th_open(CV_STEP, "pii", full, NULL);
}

static char *run(const char *yaml, const char *text, char **meta)
{
    th_plugin *p = open_pii(yaml);
    assert_non_null(p->inst);
    cv_doc *d = th_doc("x", text);
    assert_int_equal(th_process(p, d), CV_OK);
    size_t len;
    char *out = strdup(cv_doc_text(d, &len));
    if (meta)
        *meta = cv_meta_dump(d, "pii");
    cv_doc_free(d);
    th_close(p);
    return out;
}

static void expect(const char *yaml, const char *in, const char *want)
{
    char *got = run(yaml, in, NULL);
    if (strcmp(got, want))
        fail_msg("\n  in:   %s\n  got:  %s\n  want: %s", in, got, want);
    free(got);
}

#define PHONES "phones: true"

static void test_planted(void **s)
{
    (void)s;
    expect("", "Write to john.doe+news@example.co.uk today.", "Write to <EMAIL> today.");
    expect("", "Пишете на ivan.petrov@abv.bg или на 8.8.8.8.", "Пишете на <EMAIL> или на <IP>.");
    expect("", "Пишіть: olena_k@ukr.net, сервер 2a00:1450:4001:80b::200e працює.",
           "Пишіть: <EMAIL>, сервер <IP> працює.");
    expect("", "Kontakt: max.mustermann@beispiel.de (Server 93.184.216.34:8080)",
           "Kontakt: <EMAIL> (Server <IP>:8080)");
    expect("", "お問い合わせは support@example.jp まで。", "お問い合わせは <EMAIL> まで。");
    expect("", "راسلنا على info@example.org شكرا", "راسلنا على <EMAIL> شكرا");
    expect("", "IDN: иван@пример.рф.", "IDN: <EMAIL>.");
    expect("", "<a href=\"mailto:a.b@c-d.com\">", "<a href=\"mailto:<EMAIL>\">");
    expect("", "[2001:4860:4860::8888]:53 and 1.1.1.1", "[<IP>]:53 and <IP>");
    expect(PHONES, "Call +44 20 7946 0958 now.", "Call <PHONE> now.");
    expect(PHONES, "Тел.: +359 2 987 6543, моб. 0888 123 456", "Тел.: <PHONE>, моб. <PHONE>");
    expect(PHONES, "Телефон: (044) 123-45-67", "Телефон: <PHONE>");
    expect(PHONES, "US office: (555) 123-4567 or 555-234-5678.", "US office: <PHONE> or <PHONE>.");
    expect(PHONES, "Ruf an: 030/1234567 oder +49 (0)30 1234 5678", "Ruf an: <PHONE> oder <PHONE>");
    expect(PHONES, "Звоните +7 495 123-45-67!", "Звоните <PHONE>!");
    expect(PHONES, "Intl 0044 20 7946 0958.", "Intl <PHONE>.");
    expect(PHONES, "tel: 2 987 65 43", "tel: <PHONE>");
    expect(PHONES, "Tel.\u00a0+380\u00a044\u00a0123\u00a045\u00a067", "Tel.\u00a0<PHONE>");
}

static void test_near_misses(void **s)
{
    (void)s;
    static const char *const same[] = {
        "version 1.2.3.4 and v10.0.0.1 and 2.3.4.5.6",
        "released 2023-12-01, 01.02.2024, 12/31/2023 at 12:30:45 and 09:15",
        "ISBN 978-3-16-148410-0, ISBN 0-306-40615-2, 9780306406157",
        "costs $1,234.56 or 1 234 567 грн or € 0 123 456 789",
        "in 1990-2000 and 1914/1918 and 2019 - 2020",
        "pi is 3.14159265358979 and 0.1234567",
        "private 10.0.0.1, 192.168.1.1, 172.16.5.4, loopback 127.0.0.1, link 169.254.0.1",
        "docs 192.0.2.55, 198.51.100.2, 203.0.113.77, 2001:db8::1, fe80::1, ::1, fd00::1, ff02::1, 224.0.0.251",
        "reserved 240.0.0.1, 255.255.255.255, 0.0.0.0, shared 100.64.1.1",
        "follow @handle and x@y and user at example dot com and name@localhost",
        "icon@2x.png and logo@3x.jpg",
        "std::vector and a::b and 12:30 and MAC 00:1a:2b:3c:4d:5e",
        "octal-looking 010.1.1.1 and 256.1.1.1 and 1.2.3",
        "a@b..com and .@x.com and x@-a.com and x@a-.com",
        "page 12 of 345, item 1234567, id 12345678901234567890",
        "mixed 1.2.3.4-5 range",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char *meta = NULL;
        char *got = run(PHONES, same[i], &meta);
        if (strcmp(got, same[i]) || meta)
            fail_msg("changed: [%s] -> [%s] %s", same[i], got, meta ? meta : "");
        free(got);
        free(meta);
    }
}

static void test_counts_and_options(void **s)
{
    (void)s;
    char *meta;
    char *got = run(PHONES, "a@b.com, c@d.org, 8.8.8.8, +44 20 7946 0958", &meta);
    assert_string_equal(got, "<EMAIL>, <EMAIL>, <IP>, <PHONE>");
    assert_string_equal(meta, "{\"email\":2,\"ip\":1,\"phone\":1}");
    free(got);
    free(meta);

    expect("fake: true\nphones: true", "a@b.com 8.8.8.8 +44 20 7946 0958",
           "email@example.com 192.0.2.1 +1-202-555-0100");
    expect("email_replacement: '[m]'\nips: false", "a@b.com 8.8.8.8", "[m] 8.8.8.8");
    expect("", "+44 20 7946 0958", "+44 20 7946 0958"); /* phones are off by default */
    /* fake values are not found again */
    expect("fake: true\nphones: true", "email@example.com 192.0.2.1 +1-202-555-0100",
           "email@example.com 192.0.2.1 +1-202-555-0100");

    th_plugin *p = open_pii("mode: spans");
    assert_non_null(p->inst);
    const char *text = "Мail: ivan@abv.bg, host 8.8.4.4";
    cv_doc *d = th_doc("x", text);
    assert_int_equal(th_process(p, d), CV_OK);
    size_t len;
    assert_string_equal(cv_doc_text(d, &len), text);
    assert_int_equal(cv_span_count(d), 2);
    cv_span sp;
    cv_span_get(d, 0, &sp);
    assert_string_equal(sp.type, "pii");
    assert_string_equal(sp.label, "email");
    assert_int_equal(sp.end - sp.start, strlen("ivan@abv.bg"));
    assert_memory_equal(text + sp.start, "ivan@abv.bg", sp.end - sp.start);
    cv_span_get(d, 1, &sp);
    assert_string_equal(sp.label, "ip");
    assert_memory_equal(text + sp.start, "8.8.4.4", 7);
    assert_int_equal(th_counter(p, "email"), 1);
    assert_int_equal(th_counter(p, "ip"), 1);
    cv_doc_free(d);
    th_close(p);

    const char *err = th_opts_error(CV_STEP, "pii", "mode: mask");
    if (!strstr(err, "mode") || !strstr(err, "replace|spans"))
        fail_msg("mode: mask: [%s]", err);
}

/* Every address of ip_oracle.txt, written by Python's ipaddress. */
static void test_ip_oracle(void **s)
{
    (void)s;
    FILE *f = fopen(TEST_SOURCE_DIR "/plugins/pii/ip_oracle.txt", "r");
    assert_non_null(f);
    char line[128], text[200], want[200];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        int personal = tab[1] == '1';
        snprintf(text, sizeof text, "host %s up", line);
        snprintf(want, sizeof want, "host %s up", personal ? "<IP>" : line);
        char *got = run("", text, NULL);
        if (strcmp(got, want))
            fail_msg("%s: Python says %s, got [%s]", line, personal ? "global" : "not global", got);
        free(got);
        n++;
    }
    fclose(f);
    assert_true(n > 300);
}

/* Random text from pieces that hold no personal data passes byte for byte. */
static void test_pii_free_text_identical(void **s)
{
    (void)s;
    /* Pieces end in a space, or are punctuation that no piece completes
     * into a value: glued together they must not make an address. */
    static const char *const pieces[] = {
        " ", "\n", "the ", "време ", "час ", "東京 ", "مرحبا ", "2024 ", "12 ", ".", ",", ":", "-", "/", "@ ",
        "+ ", "(", ")", "1.2.3 ", "v2.0.1 ", "2023-12-01 ", "12:30 ", "10.0.0.1 ", "192.168.0.1 ", "@user ", "x@y ",
        "a.b ", "3.14 ", "$5 ", "1990-2000 ", "ISBN 978-0-306-40615-7 ", "::1 ", "fe80::1 ", "0 ", "555 ", "12345 ",
        "example.com ", "at ", "dot ", "\u00a0", "№ ", "é ", "1 000 ", "e-mail ", "fe:ed ", "ab::cd::ef ", "9:00-17:00 ",
        "hotel ", "01.02.2024 ", "+1.5% ", "3-4 ", "1/2 ", "2.5.2024 ", "v1.2.3.4 ", "version 8.8.8.8 ",
    };
    th_plugin *p = open_pii(PHONES);
    assert_non_null(p->inst);
    uint64_t seed = 27;
    char text[4096];
    for (int round = 0; round < 3000; round++) {
        size_t len = th_random_text(&seed, pieces, sizeof pieces / sizeof pieces[0], 80, text, sizeof text);
        cv_doc *d = th_doc("x", text);
        assert_int_equal(th_process(p, d), CV_OK);
        size_t got_len;
        const char *got = cv_doc_text(d, &got_len);
        if (got_len != len || memcmp(got, text, len)) {
            pii_hits h = {0};
            char err[512];
            pii_cues *cues = pii_cues_load(CUES_FILE, err, sizeof err);
            assert_non_null(cues);
            pii_find(text, len, 7, cues, &h);
            pii_cues_free(cues);
            fail_msg("changed [%s] -> [%s] (first hit %zu..%zu)", text, got, h.n ? h.v[0].start : 0,
                     h.n ? h.v[0].end : 0);
        }
        cv_doc_free(d);
    }
    th_close(p);
}

/* Documents made of what the scanners start on.  Each is a megabyte; the
 * bound is two orders of magnitude above what they take, so only a scanner
 * that goes back over the text (quadratic) can miss it. */
static void test_pathological(void **s)
{
    (void)s;
    static const char *const unit[] = {"@", "@.", "a@", "1.", "1:", "a.", "+1 ", "@1.2.3.4", ":", "0-", "a@b.", "(1)"};
    size_t n = 1 << 20;
    char *text = malloc(n + 1);
    th_plugin *p = open_pii(PHONES);
    assert_non_null(p->inst);
    for (size_t u = 0; u < sizeof unit / sizeof unit[0] + 1; u++) {
        if (u < sizeof unit / sizeof unit[0]) {
            size_t ul = strlen(unit[u]);
            for (size_t i = 0; i < n; i++)
                text[i] = unit[u][i % ul];
        } else { /* all of them mixed */
            uint64_t seed = 1;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                text[i] = "@.1a: +-(0"[(seed >> 33) % 10];
            }
        }
        text[n] = '\0';
        cv_doc *d = th_doc("x", text);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(th_process(p, d), CV_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double sec = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (sec > 20)
            fail_msg("pattern %zu: %.1f s for 1 MB", u, sec);
        cv_doc_free(d);
    }
    th_close(p);
    free(text);
}

/* The words come from the cues file: another file, other cue words; a
 * missing or malformed one is a config error naming it. */
static void test_cues_file(void **s)
{
    (void)s;
    char *dir = th_tmpdir(), path[512], yaml[1024];
    snprintf(path, sizeof path, "%s/cues.yaml", dir);
    th_write(dir, "cues.yaml", "version_words: [build]\nphone_cues: [Kontakt]\nisbn_cues: [isbn]\ncurrency_before: []\n"
                               "currency_after: []\nfile_suffixes: [png]\n");
    snprintf(yaml, sizeof yaml, "phones: true\ncues: %s", path);
    expect(yaml, "KONTAKT: 12 34 567", "KONTAKT: <PHONE>");
    expect(yaml, "tel: 12 34 567", "tel: 12 34 567");
    expect(PHONES, "tel: 12 34 567", "tel: <PHONE>"); /* the shipped file has "tel" */
    expect(yaml, "release 8.8.8.8", "release <IP>");

    th_write(dir, "cues.yaml", "version_words: [v]\nphone_cues: tel\n");
    th_expect_refusal(CV_STEP, "pii", yaml, path);
    th_expect_refusal(CV_STEP, "pii", yaml, "phone_cues");
    snprintf(yaml, sizeof yaml, "cues: %s/gone.yaml", dir);
    th_expect_refusal(CV_STEP, "pii", yaml, "gone.yaml");
    remove(path);
    remove(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted),
        cmocka_unit_test(test_cues_file),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_counts_and_options),
        cmocka_unit_test(test_ip_oracle),
        cmocka_unit_test(test_pii_free_text_identical),
        cmocka_unit_test(test_pathological),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
