/* cues.c -- see detect.h: the words of config/pii/cues.yaml. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "yamlfile.h"

static const struct {
    const char *key;
    size_t offset;
} keys[] = {
    {"version_words", offsetof(pii_cues, version_words)}, {"phone_cues", offsetof(pii_cues, phone_cues)},
    {"isbn_cues", offsetof(pii_cues, isbn_cues)},         {"currency_before", offsetof(pii_cues, currency_before)},
    {"currency_after", offsetof(pii_cues, currency_after)}, {"file_suffixes", offsetof(pii_cues, file_suffixes)},
};

void pii_cues_free(pii_cues *c)
{
    if (!c)
        return;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        pii_words *w = (pii_words *)((char *)c + keys[k].offset);
        for (size_t i = 0; i < w->n; i++)
            free(w->v[i]);
        free(w->v);
    }
    free(c);
}

pii_cues *pii_cues_load(const char *path, char *err, size_t errlen)
{
    json_t *root = yaml_file_load(path, err, errlen);
    if (!root)
        return NULL; /* err names the file */
    pii_cues *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: expected a mapping of word lists (version_words, phone_cues, ...)", path);
        goto fail;
    }
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *list = json_object_get(root, keys[k].key), *item;
        if (!json_is_array(list)) {
            snprintf(err, errlen, "%s: %s: expected a list of words", path, keys[k].key);
            goto fail;
        }
        pii_words *w = (pii_words *)((char *)c + keys[k].offset);
        w->v = calloc(json_array_size(list) + 1, sizeof *w->v);
        if (!w->v)
            abort();
        size_t i;
        json_array_foreach(list, i, item) {
            const char *s = json_string_value(item);
            if (!s || !s[0]) {
                snprintf(err, errlen, "%s: %s[%zu]: expected a non-empty word", path, keys[k].key, i);
                goto fail;
            }
            /* the scanners compare ASCII letters lowered, others as written */
            char *t = strdup(s);
            if (!t)
                abort();
            for (char *p = t; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p | 0x20);
            w->v[w->n++] = t;
        }
    }
    json_decref(root);
    return c;
fail:
    json_decref(root);
    pii_cues_free(c);
    return NULL;
}
