/* fuzz.c -- see fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static cv_registry *reg;
static cv_report *report;

static void cleanup(void)
{
    cv_report_free(report);
    cv_registry_free(reg);
}

cv_registry *fz_registry(void)
{
    if (!reg) {
        cv_err err;
        /* A step whose "valid by construction" output is not valid aborts: a finding. */
        setenv("CONVERT_CHECK_TEXT", "1", 1);
        reg = cv_registry_new();
        cv_registry_add_dir(reg, CONVERT_PLUGIN_BUILD_DIR);
        if (cv_registry_load(reg, &err) < 0) {
            fprintf(stderr, "fuzz: %s\n", err.msg);
            abort();
        }
        report = cv_report_new();
        atexit(cleanup);
    }
    return reg;
}

fz_plugin *fz_open(cv_kind kind, const char *name, const char *yaml, cv_outset *outs)
{
    const cv_entry *e = cv_registry_find(fz_registry(), kind, name);
    if (!e)
        abort();
    cv_err err;
    cv_node *n = yaml && yaml[0] ? cv_yaml_parse(yaml, strlen(yaml), "fuzz", &err) : NULL;
    fz_plugin *p = cv_xcalloc(1, sizeof *p);
    p->desc = e->desc;
    p->opts = cv_opts_parse(e->desc->optmap, n, name, "fuzz", CONFIG_DIR, &err);
    cv_node_free(n);
    if (!p->opts) {
        fprintf(stderr, "fuzz: %s: %s\n", name, err.msg);
        abort();
    }
    p->ctx = (cv_ctx){.entry = e, .opts = p->opts, .report = report, .outs = outs};
    p->inst = e->desc->create(cv_host_table(), &p->ctx);
    return p;
}

void fz_close(fz_plugin *p)
{
    if (p->inst)
        p->desc->destroy(p->inst);
    cv_opts_free(p->opts);
    free(p);
}

const char *fz_tmpfile(const uint8_t *data, size_t size, const char *suffix)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/convert-fuzz-%ld%s", (long)getpid(), suffix);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    return path;
}

cv_doc *fz_doc(const uint8_t *data, size_t size)
{
    cv_doc *d = cv_doc_new();
    cv_doc_set_id(d, "fuzz");
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    while (cv_doc_set_text(d, text, size) < 0) /* replace bytes until the text is valid UTF-8 */
        for (size_t i = 0; i < size; i++)
            if ((unsigned char)text[i] >= 0x80)
                text[i] = '?';
    free(text);
    return d;
}
