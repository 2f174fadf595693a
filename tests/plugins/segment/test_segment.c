/* segment: tokens and sentences on the hard cases the issue lists. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define ABBR "abbreviations: " TEST_SOURCE_DIR "/../config/segment/abbreviations.yaml\n"

/* Tokens joined by '|', sentences by " ## ". */
static void render(const cv_doc *d, char *toks, size_t tn, char *sents, size_t sn)
{
    toks[0] = sents[0] = '\0';
    for (size_t i = 0; i < cv_span_count(d); i++) {
        cv_span s;
        cv_span_get(d, i, &s);
        char *buf = !strcmp(s.type, "token") ? toks : sents;
        size_t n = buf == toks ? tn : sn;
        if (buf[0])
            strncat(buf, buf == toks ? "|" : " ## ", n - strlen(buf) - 1);
        strncat(buf, d->text + s.start, s.end - s.start < n - strlen(buf) - 1 ? s.end - s.start : n - strlen(buf) - 1);
        if (buf == toks && (s.flags & CV_SPAN_NO_SPACE_AFTER))
            strncat(buf, "~", n - strlen(buf) - 1);
    }
}

static void expect(const char *text, const char *want_toks, const char *want_sents)
{
    th_plugin *p = th_open(CV_STEP, "segment", ABBR, NULL);
    assert_non_null(p->inst);
    cv_doc *d = th_doc("x", text);
    assert_int_equal(th_process(p, d), CV_OK);
    char toks[4096], sents[4096];
    render(d, toks, sizeof toks, sents, sizeof sents);
    if (want_toks && strcmp(toks, want_toks))
        fail_msg("tokens:\n got  %s\n want %s", toks, want_toks);
    if (want_sents && strcmp(sents, want_sents))
        fail_msg("sentences:\n got  %s\n want %s", sents, want_sents);
    cv_doc_free(d);
    th_close(p);
}

static void test_numbers_and_hyphens(void **s)
{
    (void)s;
    expect("На 04.04.2025 в 17:07 ч. – 6550 души, 1.5 пъти по-малко.",
           "На|04.04.2025|в|17:07|ч.|–|6550|души~|,|1.5|пъти|по-малко~|.", NULL);
    expect("Зв'язки та don't і 2000-те", "Зв'язки|та|don't|і|2000-те", NULL);
}

static void test_quotes(void **s)
{
    (void)s;
    expect("Той каза: „Идваме.“ После си тръгна.", "Той|каза~|:|„~|Идваме~|.~|“|После|си|тръгна~|.",
           "Той каза: „Идваме.“ ## После си тръгна.");
    expect("Він сказав «так». Вона — ні.", NULL, "Він сказав «так». ## Вона — ні.");
}

static void test_abbreviations(void **s)
{
    (void)s;
    /* not a sentence end: "т.е.", "ул.", "Mr.", initials */
    expect("Живее на ул. Раковски, т.е. в центъра. Mr. Smith came.",
           "Живее|на|ул.|Раковски~|,|т.е.|в|центъра~|.|Mr.|Smith|came~|.",
           "Живее на ул. Раковски, т.е. в центъра. ## Mr. Smith came.");
    expect("Писмото подписа В. Путин вчера.", NULL, "Писмото подписа В. Путин вчера.");
    /* a `final` abbreviation may end a sentence before a capital */
    expect("Това стана през 2000 г. Пхенян отговори.", NULL, "Това стана през 2000 г. ## Пхенян отговори.");
    expect("През 2000 г. в Пхенян.", NULL, "През 2000 г. в Пхенян.");
}

static void test_sentence_rules(void **s)
{
    (void)s;
    expect("Заглавие без точка\nПърво изречение. второ с малка буква. Трето!", NULL,
           "Заглавие без точка ## Първо изречение. второ с малка буква. ## Трето!");
    expect("Wait... What? Yes.", "Wait~|...|What~|?|Yes~|.", "Wait... ## What? ## Yes.");
    expect("See https://example.com/a.b. Mail me@example.org now.",
           "See|https://example.com/a.b~|.|Mail|me@example.org|now~|.",
           "See https://example.com/a.b. ## Mail me@example.org now.");
}

static void test_offsets_cover_text(void **s)
{
    (void)s;
    /* property: tokens are in order, do not overlap, and only white space lies between them */
    const char *text = "  „Кім Чен Ин“ прибув — 5 вересня, о 10:15!\n\nДругий абзац (з дужками).  ";
    th_plugin *p = th_open(CV_STEP, "segment", ABBR, NULL);
    cv_doc *d = th_doc("x", text);
    th_process(p, d);
    size_t prev = 0;
    for (size_t i = 0; i < cv_span_count(d); i++) {
        cv_span sp;
        cv_span_get(d, i, &sp);
        if (strcmp(sp.type, "token"))
            continue;
        assert_true(sp.start >= prev && sp.end > sp.start);
        for (size_t k = prev; k < sp.start; k++)
            assert_true(strchr(" \n", text[k]) != NULL);
        prev = sp.end;
    }
    cv_doc_free(d);
    th_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_hyphens), cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_abbreviations),       cmocka_unit_test(test_sentence_rules),
        cmocka_unit_test(test_offsets_cover_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
