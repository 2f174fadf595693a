/* phrases.c -- see phrases.h.  The lists are a few dozen phrases and only
 * short lines at a text's end are looked up: a scan of the list is enough. */
#include "phrases.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

struct phrase_list {
    int32_t **cp; /* each phrase's code points, lower-cased */
    size_t *len;
    size_t n;
};

phrase_list *phrase_list_new(char *const *phrases, size_t n)
{
    phrase_list *l = xcalloc(1, sizeof *l);
    l->cp = xcalloc(n + 1, sizeof *l->cp);
    l->len = xcalloc(n + 1, sizeof *l->len);
    for (size_t i = 0; i < n; i++) {
        const char *s = phrases[i] ? phrases[i] : "";
        size_t bytes = strlen(s), k = 0;
        if (!bytes)
            continue;
        int32_t *c = xmalloc(bytes * sizeof *c);
        for (size_t at = 0; at < bytes;)
            c[k++] = cp_lower(utf8_next(s, &at));
        l->cp[l->n] = c;
        l->len[l->n++] = k;
    }
    return l;
}

void phrase_list_free(phrase_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->cp[i]);
    free(l->cp);
    free(l->len);
    free(l);
}

int phrase_list_starts(const phrase_list *l, const char *t, size_t len)
{
    for (size_t i = 0; l && i < l->n; i++) {
        size_t k = l->len[i], j = 0, at = 0;
        while (j < k && at < len && cp_lower(utf8_next(t, &at)) == l->cp[i][j])
            j++;
        if (j < k)
            continue;
        size_t next = at;
        int cp = at < len ? utf8_next(t, &next) : 0;
        if (at >= len || !cp_is_alnum(cp))
            return 1;
    }
    return 0;
}
