/* decontaminate: copies of benchmark items with other case and punctuation
 * are found, (n-1)-grams never are, short items match whole, and a naive
 * oracle (word strings compared one by one) agrees on random documents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "harness.h"

static char *dir;

static const char *const mmlu =
    "{\"question\": \"Which of the following best describes the role of mitochondria in eukaryotic cells today?\", "
    "\"choices\": [\"energy\", \"storage\"], \"answer\": 0}\n"
    "not json at all\n"
    "{\"question\": \"Какой город является столицей Болгарии и её крупнейшим городом по населению сегодня?\", "
    "\"answer\": \"София\"}\n"
    "{\"question\": \"Name the capital of France in one short sentence please\"}\n" /* 10 words: whole */
    "{\"question\": \"Too short to tell\"}\n"
    "{\"other\": \"no named field\"}\n";

static int setup(void **s)
{
    (void)s;
    dir = th_tmpdir();
    th_write(dir, "mmlu.jsonl", mmlu);
    char path[1024];
    snprintf(path, sizeof path, "%s/hellaswag.jsonl.gz", dir);
    gzFile g = gzopen(path, "wb");
    gzputs(g, "{\"ctx\": \"A man is standing on a ladder and he starts to paint the wall with a roller\", "
              "\"endings\": [\"then he climbs down\", \"and falls\"]}\n");
    gzclose(g);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    th_rmrf(dir);
    free(dir);
    return 0;
}

static th_plugin *open_with(const char *extra)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "benchmarks_dir: %s\nbenchmarks: [mmlu.jsonl, hellaswag.jsonl.gz]\n"
                                "fields: [question, ctx, endings]\n%s",
             dir, extra);
    th_plugin *p = th_open(CV_STEP, "decontaminate", yaml, NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    return p;
}

static void expect(th_plugin *p, const char *text, const char *reason, const char *detail_start)
{
    cv_doc *d = th_doc("x", text);
    cv_status st = th_process(p, d);
    if (!reason) {
        if (st != CV_OK || d->drop_reason)
            fail_msg("[%s] dropped as %s (%s)", text, d->drop_reason, d->drop_detail);
    } else {
        if (st != CV_DROP || !d->drop_reason || strcmp(d->drop_reason, reason))
            fail_msg("[%s]: got %s, want %s", text, d->drop_reason ? d->drop_reason : "kept", reason);
        if (strncmp(d->drop_detail, detail_start, strlen(detail_start)))
            fail_msg("detail [%s], want it to start [%s]", d->drop_detail, detail_start);
    }
    cv_doc_free(d);
}

static void test_matches(void **s)
{
    (void)s;
    th_plugin *p = open_with("");
    /* other case, punctuation and spacing */
    expect(p, "Quiz: WHICH of the following best describes the role of mitochondria in... eukaryotic cells?",
           "decontaminate:mmlu", "mmlu.jsonl:1: Which of the following");
    expect(p, "какой город является\n\nстолицей Болгарии и её крупнейшим городом по населению, СЕГОДНЯ",
           "decontaminate:mmlu", "mmlu.jsonl:3: Какой город");
    /* lists (endings) are text too, and a .gz benchmark reads as one */
    expect(p, "he starts to paint the wall with a roller then he climbs down carefully", "decontaminate:hellaswag",
           "hellaswag.jsonl.gz:1: A man is standing");
    /* twelve words of a thirteen-word window: never */
    expect(p, "which of the following best describes the role of mitochondria in eukaryotic", NULL, NULL);
    expect(p, "of the following best describes the role of mitochondria in eukaryotic cells", NULL, NULL);
    expect(p, "which of the following best describes the role of mitochondria in eukaryotic CELLS",
           "decontaminate:mmlu", "mmlu.jsonl:1:");
    /* a short item whole, not a part of it */
    expect(p, "Now: name the capital of France in one short sentence, please!", "decontaminate:mmlu",
           "mmlu.jsonl:4: Name the capital");
    expect(p, "name the capital of France in one short sentence", NULL, NULL);
    expect(p, "too short to tell", NULL, NULL);
    /* words must be whole: "cellsx" is another word */
    expect(p, "which of the following best describes the role of mitochondria in eukaryotic cellsx", NULL, NULL);
    expect(p, "", NULL, NULL);
    assert_int_equal(th_counter(p, "malformed_benchmark_lines"), 1);
    assert_int_equal(th_counter(p, "benchmark_rows_without_fields"), 1);
    assert_int_equal(th_counter(p, "benchmark_rows_too_short"), 1);
    th_close(p);
}

static void test_annotate(void **s)
{
    (void)s;
    th_plugin *p = open_with("mode: annotate\nmin_words: 3\n");
    cv_doc *d = th_doc("x", "Too short, to tell!");
    assert_int_equal(th_process(p, d), CV_OK);
    char *m = cv_meta_dump(d, "contamination");
    assert_non_null(m);
    assert_string_equal(m, "{\"benchmark\":\"mmlu\",\"file\":\"mmlu.jsonl\",\"line\":5}");
    free(m);
    assert_int_equal(th_counter(p, "annotated:mmlu"), 1);
    cv_doc_free(d);
    th_close(p);
}

static void test_errors(void **s)
{
    (void)s;
    char yaml[2048], want[1100];
    snprintf(yaml, sizeof yaml, "benchmarks_dir: %s\nbenchmarks: [mmlu.jsonl, nope.jsonl]\n", dir);
    snprintf(want, sizeof want, "benchmark %s/nope.jsonl: No such file", dir);
    th_expect_refusal(CV_STEP, "decontaminate", yaml, want);
    snprintf(yaml, sizeof yaml, "benchmarks_dir: %s\nbenchmarks: [mmlu.jsonl]\nfields: [question]\nmalformed: error\n",
             dir);
    snprintf(want, sizeof want, "%s/mmlu.jsonl:2: not a JSON object", dir);
    th_expect_refusal(CV_STEP, "decontaminate", yaml, want);
    static const char *const refused[] = {"benchmarks: [a]\nngram: 0", "benchmarks: [a]\nngram: 65",
                                          "benchmarks: [a]\nmode: remove", "benchmarks: [a]\nmin_words: 0",
                                          "fields: [text]"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (!*th_opts_error(CV_STEP, "decontaminate", refused[i]))
            fail_msg("accepted: %s", refused[i]);
    snprintf(yaml, sizeof yaml, "benchmarks: [%s]\n", dir); /* a folder */
    th_expect_refusal(CV_STEP, "decontaminate", yaml, dir);
    /* a truncated .gz */
    char path[1024];
    snprintf(path, sizeof path, "%s/cut.jsonl.gz", dir);
    FILE *f = fopen(path, "wb");
    fwrite("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\x56", 1, 12, f);
    fclose(f);
    snprintf(yaml, sizeof yaml, "benchmarks: [%s]\n", path);
    th_expect_refusal(CV_STEP, "decontaminate", yaml, "cut.jsonl.gz");
}

/* The oracle: ASCII words lower-cased, punctuation deleted, compared as
 * strings at every place of the document, n words or a whole short item. */
#define NG 4
static const char *const vocab[] = {"alpha", "beta", "gamma", "delta", "Alpha,", "BETA", "eps", "zeta."};
#define NV (sizeof vocab / sizeof vocab[0])

static void norm_word(const char *w, char *out)
{
    size_t n = 0;
    for (; *w; w++)
        if ((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9'))
            out[n++] = *w;
        else if (*w >= 'A' && *w <= 'Z')
            out[n++] = (char)(*w + 32);
    out[n] = '\0';
}

static void test_against_oracle(void **s)
{
    (void)s;
    uint64_t seed = 7;
#define RND() (seed = seed * 6364136223846793005ull + 1442695040888963407ull, (unsigned)(seed >> 33))
    /* items of 2 to 6 words */
    int item[20][6], ilen[20];
    char bench[4096] = "";
    for (int i = 0; i < 20; i++) {
        ilen[i] = 2 + (int)(RND() % 5);
        strcat(bench, "{\"text\": \"");
        for (int j = 0; j < ilen[i]; j++) {
            item[i][j] = (int)(RND() % NV);
            strcat(bench, j ? " " : "");
            strcat(bench, vocab[item[i][j]]);
        }
        strcat(bench, "\"}\n");
    }
    th_write(dir, "oracle.jsonl", bench);
    char yaml[1200];
    snprintf(yaml, sizeof yaml, "benchmarks: [%s/oracle.jsonl]\nngram: %d\nmin_words: 1\n", dir, NG);
    th_plugin *p = th_open(CV_STEP, "decontaminate", yaml, NULL);
    assert_non_null(p->inst);
    int drops = 0;
    for (int round = 0; round < 2000; round++) {
        int doc[12], n = 1 + (int)(RND() % 12);
        char text[512] = "";
        for (int j = 0; j < n; j++) {
            doc[j] = (int)(RND() % NV);
            strcat(text, j ? (RND() % 3 ? " " : " - ") : "");
            strcat(text, vocab[doc[j]]);
        }
        /* the oracle */
        int hit = 0;
        char a[16], b[16];
        for (int i = 0; i < 20 && !hit; i++) {
            int k = ilen[i] < NG ? ilen[i] : NG;
            for (int start = 0; start + k <= ilen[i] && !hit; start++) {
                if (ilen[i] < NG && start > 0)
                    break; /* short items only whole */
                for (int at = 0; at + k <= n && !hit; at++) {
                    int same = 1;
                    for (int j = 0; j < k && same; j++) {
                        norm_word(vocab[item[i][start + j]], a);
                        norm_word(vocab[doc[at + j]], b);
                        same = !strcmp(a, b);
                    }
                    hit = same;
                }
            }
        }
        cv_doc *d = th_doc("x", text);
        cv_status st = th_process(p, d);
        if ((st == CV_DROP) != hit)
            fail_msg("[%s]: oracle %s, step %s", text, hit ? "drops" : "keeps", st == CV_DROP ? "drops" : "keeps");
        drops += hit;
        cv_doc_free(d);
    }
    assert_true(drops > 100 && drops < 1900); /* both verdicts were tested */
    th_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_annotate),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_against_oracle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
