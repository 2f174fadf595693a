/* ftcheck: the layout check that stands between a model file and fastText's
 * loader.  On tiny models of each loss and a pruned quantized one (made by
 * `fasttext supervised` and `fasttext quantize`; all but one are the fuzz
 * seeds): the whole file passes with the dimensions fastText reports; every
 * shorter prefix, any byte appended and a changed count fail with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftcheck.h"
#include "harness.h"

#define SEEDS TEST_SOURCE_DIR "/fuzz/corpus/ftmodel/"

static unsigned char *load(const char *name, size_t *n)
{
    char *p = th_slurp(name, n);
    assert_non_null(p);
    return (unsigned char *)p;
}

static void check_model(const char *name, int dim, int nlabels, int loss, int quantized)
{
    size_t n;
    unsigned char *p = load(name, &n);
    ftcheck_info info;
    char err[256];
    assert_int_equal(ftcheck(p, n, &info, err, sizeof err), 0);
    assert_int_equal(info.dim, dim);
    assert_int_equal(info.nlabels, nlabels);
    assert_int_equal(info.loss, loss);
    assert_int_equal(info.quantized, quantized);
    for (size_t len = 0; len < n; len++) { /* every truncation */
        unsigned char *cut = malloc(len ? len : 1); /* its own allocation: ASan sees a read past the end */
        memcpy(cut, p, len);
        err[0] = '\0';
        assert_int_equal(ftcheck(cut, len, &info, err, sizeof err), -1);
        assert_true(err[0] != '\0');
        free(cut);
    }
    unsigned char *more = malloc(n + 1);
    memcpy(more, p, n);
    more[n] = 0;
    assert_int_equal(ftcheck(more, n + 1, &info, err, sizeof err), -1);
    assert_non_null(strstr(err, "unexpected bytes"));
    free(more);
    for (size_t at = 8; at < 8 + 48 + 20; at += 4) { /* each argument and dictionary size, made huge or negative */
        unsigned char *bad = malloc(n);
        memcpy(bad, p, n);
        memcpy(bad + at, "\xff\xff\xff\x7f", 4);
        int rc1 = ftcheck(bad, n, &info, err, sizeof err);
        memcpy(bad + at, "\x00\x00\x00\x80", 4);
        int rc2 = ftcheck(bad, n, &info, err, sizeof err);
        /* epoch, ws, minCount, neg and lrUpdateRate do not matter to prediction; the rest must be refused */
        int ignored = at == 12 || at == 16 || at == 20 || at == 24 || at == 52 || at == 56 || at == 60;
        if (!ignored) {
            if (!(quantized && at == 40)) /* a pruned model maps hashes (modulo bucket) through its index */
                assert_int_equal(rc1, -1);
            assert_int_equal(rc2, -1);
        }
        free(bad);
    }
    free(p);
}

static void test_seeds(void **s)
{
    (void)s;
    check_model(SEEDS "softmax.bin", 2, 3, 3, 0);
    check_model(SEEDS "hs-ngrams.bin", 2, 3, 1, 0);
    check_model(SEEDS "pruned-qnorm.ftz", 2, 3, 1, 1);
    check_model(SEEDS "ova.bin", 3, 3, 4, 0);
    /* not a fuzz seed: building fastText's negative-sampling table takes 0.4 s per load */
    check_model(TEST_SOURCE_DIR "/data/classify/ns-bigrams.bin", 2, 3, 2, 0);
}

static void test_not_models(void **s)
{
    (void)s;
    ftcheck_info info;
    char err[256];
    size_t n;
    unsigned char *p = load(SEEDS "text.txt", &n);
    assert_int_equal(ftcheck(p, n, &info, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a fastText model"));
    free(p);
    p = load(SEEDS "softmax.bin", &n);
    p[4] = 13; /* format version 13 */
    assert_int_equal(ftcheck(p, n, &info, err, sizeof err), -1);
    assert_non_null(strstr(err, "version 13"));
    p[4] = 12;
    p[36] = 2; /* model type: skipgram */
    assert_int_equal(ftcheck(p, n, &info, err, sizeof err), -1);
    assert_non_null(strstr(err, "word-vector model"));
    free(p);
    assert_int_equal(ftcheck((const unsigned char *)"", 0, &info, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_not_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
