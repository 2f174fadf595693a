/* topic.c -- headline words, found again in paragraphs (see topic.h).
 * Words are runs of letters and digits, folded to small letters and
 * hashed; a line is walked once: linear in its bytes. */
#include "topic.h"

#include "text.h"
#include "util.h"

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME 1099511628211ull

/* Calls found(ctx, hash) for each word of s with min_letters letters or
 * more; stops when it returns nonzero, and returns that. */
static int each_word(const char *s, size_t len, size_t min_letters, int (*found)(void *, uint64_t), void *ctx)
{
    uint64_t h = FNV_OFFSET;
    size_t letters = 0;
    for (size_t i = 0; i <= len;) {
        int cp = i < len ? utf8_next(s, &i) : (i++, ' ');
        int letter = cp_is_letter(cp); /* asked once: the loop runs over every paragraph */
        if (letter || (cp >= '0' && cp <= '9')) {
            h = (h ^ (uint64_t)cp_lower(cp)) * FNV_PRIME;
            letters += letter;
            continue;
        }
        if (letters >= min_letters) {
            int r = found(ctx, h);
            if (r)
                return r;
        }
        h = FNV_OFFSET;
        letters = 0;
    }
    return 0;
}

/* The index of h among t's words, or -1. */
static int topic_index(const topic *t, uint64_t h)
{
    for (size_t k = 0; k < t->n; k++)
        if (t->word[k] == h)
            return (int)k;
    return -1;
}

static int add_word(void *ctx, uint64_t h)
{
    topic *t = ctx;
    if (topic_index(t, h) < 0)
        t->word[t->n++] = h;
    return t->n == TOPIC_MAX_WORDS;
}

/* topic_named's walk: the distinct words of the topic seen so far */
typedef struct naming {
    const topic *t;
    uint32_t seen; /* bit k: word k */
    size_t count, want;
} naming;

static int name_word(void *ctx, uint64_t h)
{
    naming *m = ctx;
    int k = topic_index(m->t, h);
    if (k >= 0 && !(m->seen >> k & 1)) {
        m->seen |= 1u << k;
        m->count++;
    }
    return m->count >= m->want;
}

void topic_set(topic *t, const char *s, size_t len, size_t min_letters)
{
    t->n = 0;
    t->min_letters = min_letters ? min_letters : 1;
    each_word(s, len, t->min_letters, add_word, t);
}

int topic_named(const topic *t, const char *s, size_t len, size_t words)
{
    naming m = {t, 0, 0, words ? words : 1};
    return t->n >= m.want && each_word(s, len, t->min_letters, name_word, &m);
}

uint64_t topic_key(const char *s, size_t len)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < len;) {
        int cp = utf8_next(s, &i);
        if (cp_is_alnum(cp))
            h = (h ^ (uint64_t)cp_lower(cp)) * FNV_PRIME;
    }
    return h;
}
