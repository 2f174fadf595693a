/* conll: exact output of both dialects for one small document. */
#include <string.h>

#include "harness.h"

static cv_doc *doc(void)
{
    /* "Ким Чен Ун посети Русия." + "Край." with spans set by hand */
    cv_doc *d = th_doc("d1", "Ким Чен Ун посети Русия. Край.");
    const size_t tok[][2] = {{0, 6}, {7, 13}, {14, 18}, {19, 31}, {32, 42}, {42, 43}, {44, 52}, {52, 53}};
    cv_span s = {0, 43, "sentence", NULL, 0};
    cv_span_add(d, &s);
    s = (cv_span){44, 53, "sentence", NULL, 0};
    cv_span_add(d, &s);
    for (size_t i = 0; i < 8; i++) {
        s = (cv_span){tok[i][0], tok[i][1], "token", NULL, (i == 4 || i == 6) ? CV_SPAN_NO_SPACE_AFTER : 0};
        cv_span_add(d, &s);
    }
    s = (cv_span){0, 18, "entity", "PER", 0};
    cv_span_add(d, &s);
    s = (cv_span){32, 42, "entity", "LOC", 0};
    cv_span_add(d, &s);
    return d;
}

static char *write_one(const char *opts, const char *file)
{
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "conll", opts, dir);
    assert_non_null(w->inst);
    cv_doc *d = doc();
    assert_int_equal(w->desc->write(w->inst, d), CV_OK);
    cv_doc_free(d);
    assert_int_equal(th_commit(w), 0);
    th_close(w);
    char *got = th_output(dir, file, NULL);
    assert_non_null(got);
    th_rmrf(dir);
    free(dir);
    return got;
}

static void test_conllu(void **s)
{
    (void)s;
    char *got = write_one("", "train.conllu");
    assert_string_equal(got, "# newdoc id = d1\n"
                             "# sent_id = d1-1\n"
                             "# text = Ким Чен Ун посети Русия.\n"
                             "1\tКим\t_\t_\t_\t_\t_\t_\t_\tNER=B-PER\n"
                             "2\tЧен\t_\t_\t_\t_\t_\t_\t_\tNER=I-PER\n"
                             "3\tУн\t_\t_\t_\t_\t_\t_\t_\tNER=I-PER\n"
                             "4\tпосети\t_\t_\t_\t_\t_\t_\t_\tNER=O\n"
                             "5\tРусия\t_\t_\t_\t_\t_\t_\t_\tNER=B-LOC|SpaceAfter=No\n"
                             "6\t.\t_\t_\t_\t_\t_\t_\t_\tNER=O\n"
                             "\n"
                             "# sent_id = d1-2\n"
                             "# text = Край.\n"
                             "1\tКрай\t_\t_\t_\t_\t_\t_\t_\tNER=O|SpaceAfter=No\n"
                             "2\t.\t_\t_\t_\t_\t_\t_\t_\tNER=O\n"
                             "\n");
    free(got);
}

static void test_conll2003_bioes(void **s)
{
    (void)s;
    char *got = write_one("dialect: conll2003\nscheme: BIOES", "train.conll");
    assert_string_equal(got, "-DOCSTART- -X- O O\n\n"
                             "Ким _ _ B-PER\nЧен _ _ I-PER\nУн _ _ E-PER\nпосети _ _ O\nРусия _ _ S-LOC\n. _ _ O\n\n"
                             "Край _ _ O\n. _ _ O\n\n");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conllu),
        cmocka_unit_test(test_conll2003_bioes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
