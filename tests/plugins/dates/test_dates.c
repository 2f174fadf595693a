/* dates: the forms news pages use, in ten languages, to ISO 8601. */
#include <string.h>

#include "harness.h"

#define RULES "rules: " TEST_SOURCE_DIR "/../config/dates/dates.yaml\n"

static void expect(const char *text, const char *date, const char *source)
{
    th_plugin *p = th_open(CV_STEP, "dates", RULES, NULL);
    assert_non_null(p->inst);
    cv_doc *d = th_doc("x", text);
    assert_int_equal(th_process(p, d), CV_OK);
    const char *got = cv_meta_get_string(d, "date");
    if (!date) {
        if (got)
            fail_msg("[%s]: found %s, expected none", text, got);
    } else {
        if (!got || strcmp(got, date))
            fail_msg("[%s]: got %s, want %s", text, got ? got : "(none)", date);
        assert_string_equal(cv_meta_get_string(d, "date_source"), source);
    }
    cv_doc_free(d);
    th_close(p);
}

static void test_forms(void **s)
{
    (void)s;
    expect("05 септември 2023, 01:12 часа • 6550 | прочитания", "2023-09-05", "dateline");
    expect("5 Февруари, 2026", "2026-02-05", "dateline");
    expect("17:07 - 04.04.2025", "2025-04-04", "dateline");
    expect("Понеділок, 4 березня 2024, 10:15", "2024-03-04", "dateline");
    expect("12:45, 3 марта 2024", "2024-03-03", "dateline");
    expect("March 14, 2024 9:41 AM GMT+1", "2024-03-14", "dateline");
    expect("Published 2024-01-31T10:00", "2024-01-31", "dateline");
    expect("14th of nothing; 14 March 2024", "2024-03-14", "dateline");
    expect("12. März 2026, 08:45 Uhr", "2026-03-12", "dateline");
    expect("Publié le 1er juin 2026 par Claire", "2026-06-01", "dateline");
    expect("Mis à jour le 3 févr. 2025", "2025-02-03", "dateline");
    expect("Actualizado el 18 de septiembre de 2026", "2026-09-18", "dateline");
    expect("Publicado em 7 de março de 2025", "2025-03-07", "dateline");
    expect("Pubblicato il 21 ottobre 2024", "2024-10-21", "dateline");
    expect("Opublikowano 5 października 2023", "2023-10-05", "dateline");
}

static void test_dateline_beats_text(void **s)
{
    (void)s;
    expect("A long first line of the article that mentions 1 May 2020 in passing but is plainly a paragraph.\n"
           "Updated 2 June 2021",
           "2021-06-02", "dateline");
    expect("Обидва лідери востаннє зустрічалися у квітні 2019 року у Владивостоці, і нинішня поїздка перша.",
           "2019-04", "text");
    expect("Die Zahl der Besucher stieg im Laufe des Jahres deutlich an, wie die Stadt mitteilte, seit Juli 2022.",
           "2022-07", "text");
    expect("La ville a ouvert une nouvelle bibliothèque en septembre de l'année dernière, dit-on ici.", NULL, NULL);
}

static void test_invalid(void **s)
{
    (void)s;
    expect("31.02.2024", NULL, NULL);   /* no 31 February */
    expect("12.13.2024", NULL, NULL);   /* no month 13 */
    expect("01.01.1066", NULL, NULL);   /* before min_year */
    expect("29.02.2024", "2024-02-29", "dateline");
    expect("Нищо тук", NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_dateline_beats_text),
        cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
