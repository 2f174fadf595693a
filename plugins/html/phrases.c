/* phrases.c -- see phrases.h.  The lists are a few dozen phrases and only
 * short lines at a text's end are looked up: a scan of the list is enough. */
#include "phrases.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct phrase_list {
    char **p;
    size_t *len;
    size_t n;
};

/* The byte at t[i], case-folded: ASCII letters, and the second byte of a
 * Latin-1 capital (C3 80-9E but C3 97, the multiplication sign). */
static unsigned char fold(const char *t, size_t i)
{
    unsigned char c = (unsigned char)t[i];
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    if (i > 0 && (unsigned char)t[i - 1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
        return (unsigned char)(c + 32);
    return c;
}

phrase_list *phrase_list_new(char *const *phrases, size_t n)
{
    phrase_list *l = xcalloc(1, sizeof *l);
    l->p = xcalloc(n + 1, sizeof *l->p);
    l->len = xcalloc(n + 1, sizeof *l->len);
    for (size_t i = 0; i < n; i++) {
        size_t k = phrases[i] ? strlen(phrases[i]) : 0;
        if (!k)
            continue;
        char *c = xmalloc(k + 1);
        for (size_t j = 0; j < k; j++)
            c[j] = (char)fold(phrases[i], j);
        c[k] = '\0';
        l->p[l->n] = c;
        l->len[l->n++] = k;
    }
    return l;
}

void phrase_list_free(phrase_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->p[i]);
    free(l->p);
    free(l->len);
    free(l);
}

static int word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80;
}

int phrase_list_starts(const phrase_list *l, const char *t, size_t len)
{
    for (size_t i = 0; l && i < l->n; i++) {
        size_t k = l->len[i], j = 0;
        if (k > len)
            continue;
        while (j < k && fold(t, j) == (unsigned char)l->p[i][j])
            j++;
        if (j == k && (k == len || !word_byte((unsigned char)t[k])))
            return 1;
    }
    return 0;
}
