/* phrase_list: a line begins with a phrase as whole words, in any case of
 * letters of any script; empty phrases and a NULL list name nothing. */
#include <string.h>

#include "harness.h"
#include "phrases.h"

static void test_starts(void **state)
{
    (void)state;
    char *const words[] = {"mehr zum thema", "ähnliche beiträge", "related", "", "see also", "читайте також", "źródło:"};
    phrase_list *l = phrase_list_new(words, sizeof words / sizeof words[0]);
    static const struct {
        const char *line;
        int want;
    } cases[] = {
        {"Mehr zum Thema", 1},
        {"MEHR ZUM THEMA:", 1},
        {"mehr zum Thema Garten", 1},
        {"Mehr zum Themaheft", 0},      /* a phrase ends at a word's end */
        {"Mehr zu", 0},                 /* a line shorter than the phrase */
        {"ÄHNLICHE BEITRÄGE", 1},       /* Latin-1 capitals fold */
        {"Ähnliche Beiträge?", 1},
        {"Related posts", 1},
        {"Unrelated", 0},               /* at the line's start only */
        {"Relatedness of the data", 0},
        {"See also", 1},
        {"Читайте також: інша новина", 1}, /* Cyrillic capitals fold */
        {"ЧИТАЙТЕ ТАКОЖ", 1},
        {"Читайте такожде", 0},
        {"ŹRÓDŁO: PAP", 1},
        {"Related\xc3\xa9", 0}, /* a letter beyond ASCII goes on the word */
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (phrase_list_starts(l, cases[i].line, strlen(cases[i].line)) != cases[i].want)
            fail_msg("\"%s\": want %d", cases[i].line, cases[i].want);
    phrase_list_free(l);
    assert_int_equal(phrase_list_starts(NULL, "related", 7), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_starts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
