/* harness.c -- see harness.h. */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h"

/* strict: an option error fails the test; else it is returned like create()'s. */
static th_plugin *open_plugin(cv_kind kind, const char *name, const char *yaml, const char *outdir, int strict)
{
    th_plugin *p = cv_xcalloc(1, sizeof *p);
    cv_err err;
    p->reg = cv_registry_new();
    cv_registry_add_dir(p->reg, CONVERT_PLUGIN_BUILD_DIR);
    if (cv_registry_load(p->reg, &err) < 0)
        fail_msg("loading plugins: %s", err.msg);
    const cv_entry *e = cv_registry_find(p->reg, kind, name);
    if (!e)
        fail_msg("no plugin %s", name);
    p->desc = e->desc;
    cv_node *n = yaml && yaml[0] ? cv_yaml_parse(yaml, strlen(yaml), "test", &err) : NULL;
    if (yaml && yaml[0] && !n)
        fail_msg("bad test YAML: %s", err.msg);
    p->opts = cv_opts_parse(e->desc->optmap, n, name, "test", TEST_SOURCE_DIR, &err);
    cv_node_free(n);
    if (!p->opts && strict)
        fail_msg("options: %s", err.msg);
    if (!p->opts) {
        snprintf(p->error, sizeof p->error, "%s", err.msg);
        return p;
    }
    p->report = cv_report_new();
    if (outdir && !(p->outs = cv_outset_new(outdir, &err)))
        fail_msg("outdir: %s", err.msg);
    p->ctx = (cv_ctx){.entry = e, .opts = p->opts, .report = p->report, .outs = p->outs};
    p->inst = e->desc->create(cv_host_table(), &p->ctx);
    if (!p->inst)
        snprintf(p->error, sizeof p->error, "%s", p->ctx.err);
    return p;
}

th_plugin *th_open(cv_kind kind, const char *name, const char *yaml, const char *outdir)
{
    return open_plugin(kind, name, yaml, outdir, 1);
}

const char *th_refusal(cv_kind kind, const char *name, const char *yaml, const char *outdir)
{
    static char why[1024];
    th_plugin *p = open_plugin(kind, name, yaml, outdir, 0);
    int refused = !p->inst;
    snprintf(why, sizeof why, "%s", p->error);
    th_close(p);
    return refused ? why : NULL;
}

void th_expect_refusal(cv_kind kind, const char *name, const char *yaml, const char *want)
{
    const char *why = th_refusal(kind, name, yaml, NULL);
    if (!why)
        fail_msg("%s accepted [%s]; want a refusal with [%s]", name, yaml, want);
    if (!strstr(why, want))
        fail_msg("%s: error [%s] lacks [%s]", name, why, want);
}

int th_commit(th_plugin *p)
{
    cv_err err;
    if (p->desc->finish && p->desc->finish(p->inst) != CV_OK)
        return -1;
    return cv_outset_commit(p->outs, &err);
}

void th_close(th_plugin *p)
{
    if (p->inst)
        p->desc->destroy(p->inst);
    cv_outset_free(p->outs);
    cv_report_free(p->report);
    cv_opts_free(p->opts);
    cv_registry_free(p->reg);
    free(p);
}

cv_doc *th_doc(const char *id, const char *text)
{
    cv_doc *d = cv_doc_new();
    cv_doc_set_id(d, id);
    cv_doc_set_text(d, text, strlen(text));
    return d;
}

cv_status th_next(th_plugin *p, cv_doc *d)
{
    cv_status st = cv_reader_next(&p->ctx, p->inst, d);
    if (st == CV_OK || st == CV_DROP)
        cv_reader_settle(&p->ctx, p->inst, d);
    return st;
}

cv_status th_process(th_plugin *p, cv_doc *d)
{
    d->stage = p->desc->name;
    return p->desc->process(p->inst, d);
}

char *th_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = cv_xmalloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

char *th_output(const char *dir, const char *name, size_t *len)
{
    char *path = cv_xasprintf("%s/%s", dir, name);
    char *text = th_slurp(path, len);
    free(path);
    return text;
}

static uint64_t lcg(uint64_t *seed) { return (*seed = *seed * 6364136223846793005ull + 1442695040888963407ull) >> 33; }

uint64_t th_xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

size_t th_random_text(uint64_t *seed, const char *const *pieces, size_t npieces, size_t max_pieces, char *out,
                      size_t cap)
{
    size_t n = 0, count = lcg(seed) % (max_pieces + 1);
    for (size_t k = 0; k < count; k++) {
        const char *p = pieces[lcg(seed) % npieces];
        size_t len = strlen(p);
        if (n + len < cap) {
            memcpy(out + n, p, len);
            n += len;
        }
    }
    out[n] = '\0';
    return n;
}

char *th_tmpdir(void)
{
    char tmpl[] = "/tmp/convert-test-XXXXXX";
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp failed");
    return cv_xstrdup(tmpl);
}

void th_write(const char *dir, const char *rel, const char *text)
{
    char *path = cv_xasprintf("%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f))
        fail_msg("writing %s failed", path);
    free(path);
}

void th_rmrf(const char *path)
{
    char *cmd = cv_xasprintf("rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", path);
    free(cmd);
}

uint64_t th_counter(th_plugin *p, const char *counter)
{
    char *s = cv_report_json(p->report);
    json_t *j = json_loads(s, 0, NULL);
    free(s);
    json_t *v = json_object_get(json_object_get(json_object_get(j, "counters"), p->desc->name), counter);
    uint64_t n = v ? (uint64_t)json_integer_value(v) : 0;
    json_decref(j);
    return n;
}

const char *th_opts_error(cv_kind kind, const char *name, const char *yaml)
{
    static char msg[1024];
    cv_err err;
    cv_registry *reg = cv_registry_new();
    cv_registry_add_dir(reg, CONVERT_PLUGIN_BUILD_DIR);
    if (cv_registry_load(reg, &err) < 0)
        fail_msg("loading plugins: %s", err.msg);
    const cv_entry *e = cv_registry_find(reg, kind, name);
    if (!e)
        fail_msg("no plugin %s", name);
    cv_node *n = cv_yaml_parse(yaml, strlen(yaml), "test", &err);
    if (!n)
        fail_msg("bad test YAML: %s", err.msg);
    cv_opts *o = cv_opts_parse(e->desc->optmap, n, name, "test", TEST_SOURCE_DIR, &err);
    snprintf(msg, sizeof msg, "%s", o ? "" : err.msg);
    cv_opts_free(o);
    cv_node_free(n);
    cv_registry_free(reg);
    return msg;
}
