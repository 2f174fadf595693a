/* topic.h -- the words of a page's headline, to tell its article's
 * paragraphs (which name what the headline names) from chrome's (a cookie
 * dialog, a comment form, a sidebar's blurb). */
#ifndef BOILERPLATE_TOPIC_H
#define BOILERPLATE_TOPIC_H

#include <stddef.h>
#include <stdint.h>

#define TOPIC_MAX_WORDS 32 /* a headline's words; more are not looked at */

typedef struct topic {
    uint64_t word[TOPIC_MAX_WORDS]; /* hashes of the case-folded words */
    size_t n, min_letters;
} topic;

/* The words of s (a headline) with at least min_letters letters. */
void topic_set(topic *t, const char *s, size_t len, size_t min_letters);

/* Does s hold `words` of t's words (whole words, any case), each counted once? */
int topic_named(const topic *t, const char *s, size_t len, size_t words);

/* A hash of s's letters and digits, case-folded: lines that differ only in
 * spaces, punctuation and quotes ("Foo: „bar“", "Foo : \"bar\"") share it. */
uint64_t topic_key(const char *s, size_t len);

#endif
