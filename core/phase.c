/* phase.c -- phased runs: the tasks that let a step such as dedup decide
 * across shards as one run would.  Their names and folders, what each task
 * checks of the earlier ones' work, the final merge and --verify. */
#include "phase.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "output.h"
#include "pipeline.h"
#include "report.h"

static const char *const phase_names[] = {"", "sign", "pairs", "collect", "decide", "apply", "merge"};

int cv_phase_parse(const char *name)
{
    for (int i = CV_PHASE_SIGN; i <= CV_PHASE_MERGE; i++)
        if (!strcmp(name, phase_names[i]))
            return i;
    return -1;
}

char *cv_phase_dir(const char *out, int phase, unsigned k)
{
    switch (phase) {
    case CV_PHASE_SIGN: return cv_xasprintf("%s/work/sign-%u", out, k);
    case CV_PHASE_PAIRS: return cv_xasprintf("%s/work/pairs-%u", out, k);
    case CV_PHASE_COLLECT: return cv_xasprintf("%s/work/collect-%u", out, k);
    case CV_PHASE_DECIDE: return cv_xasprintf("%s/work/decide", out);
    case CV_PHASE_APPLY: return cv_xasprintf("%s/shard-%u", out, k);
    default: return cv_xstrdup(out);
    }
}

const char *cv_phase_name(int phase) { return phase > 0 && phase <= CV_PHASE_MERGE ? phase_names[phase] : ""; }

/* The marker of task k of phase under out, with checksums of the files
 * matching sum (NULL: all). */
static int check_task(const char *out, int phase, unsigned k, const char *sum, cv_err *err)
{
    char *dir = cv_phase_dir(out, phase, k);
    int rc = cv_marker_check(dir, sum, err);
    free(dir);
    return rc;
}

/* A task trusts the work of earlier tasks only when their markers vouch
 * for it: sizes always, checksums of the files it reads whole. */
/* How many tasks a phase has for n shards. */
static unsigned tasks_of(int phase, unsigned n)
{
    switch (phase) {
    case CV_PHASE_PAIRS:
    case CV_PHASE_COLLECT: return n < CV_PHASE_MAX_PARTS ? n : CV_PHASE_MAX_PARTS;
    case CV_PHASE_DECIDE:
    case CV_PHASE_MERGE: return 1;
    default: return n;
    }
}

/* files with "{k}" replaced by k, into buf; NULL stays NULL (every file). */
static const char *pattern(const char *files, unsigned k, char *buf, size_t size)
{
    if (!files)
        return NULL;
    const char *at = strstr(files, "{k}");
    if (!at)
        return files;
    snprintf(buf, size, "%.*s%u%s", (int)(at - files), files, k, at + 3);
    return buf;
}

int cv_phase_check_inputs(const char *outdir, int phase, unsigned k, unsigned n, const cv_phase_input *inputs,
                          cv_err *err)
{
    char pat[256];
    int rc = 0, covered = 0;
    /* What the step reads, as it declares. */
    for (const cv_phase_input *in = inputs; in && in->phase != CV_PHASE_NONE && rc == 0; in++) {
        if ((int)in->phase != phase)
            continue;
        const char *files = pattern(in->files, k, pat, sizeof pat);
        covered |= in->from == CV_PHASE_SIGN && !files;
        if (in->own)
            rc = check_task(outdir, in->from, k, files, err);
        for (unsigned j = 0; !in->own && j < tasks_of(in->from, n) && rc == 0; j++)
            rc = check_task(outdir, in->from, j, files, err);
    }
    /* What the core reads: apply, the documents its sign task handed on. */
    if (rc == 0 && phase == CV_PHASE_APPLY && !covered)
        rc = check_task(outdir, CV_PHASE_SIGN, k, "docs.bin", err);
    if (rc == 0)
        return 0;
    char why[1024];
    snprintf(why, sizeof why, "%s", err->msg);
    cv_err_set(err, "--phase %s: the earlier phases' work is not complete: %s", phase_names[phase], why);
    return -1;
}

int cv_phase_plan(unsigned n)
{
    if (n < 1 || n > CV_PHASE_MAX_SHARDS) {
        fprintf(stderr, "convert: --phase-plan takes a number of shards from 1 to %d\n", CV_PHASE_MAX_SHARDS);
        return CV_EXIT_USAGE;
    }
    for (int p = CV_PHASE_SIGN; p <= CV_PHASE_MERGE; p++)
        printf("%s %u\n", phase_names[p], tasks_of(p, n));
    return CV_EXIT_OK;
}

/* Which steps of the config a task runs ([*first, *end) of the steps), and
 * its cv_phase_task. */
int cv_phase_setup(int phase, unsigned k, unsigned n, uint64_t memory, size_t phase_step, size_t *first, size_t *end,
                   cv_phase_task *task, cv_err *err)
{
    if (!n) {
        cv_err_set(err, "--phase %s needs --shard K/N", phase_names[phase]);
        return -1;
    }
    if (n > CV_PHASE_MAX_SHARDS) {
        cv_err_set(err, "--phase: at most %d shards: decide writes a file for each, and a task writes at most 1024 "
                        "files", CV_PHASE_MAX_SHARDS);
        return -1;
    }
    if (k >= tasks_of(phase, n)) {
        cv_err_set(err, "--phase %s: there are %u tasks of it for %u shards: --shard 0/%u to %u/%u", phase_names[phase],
                   tasks_of(phase, n), n, n, tasks_of(phase, n) - 1, n);
        return -1;
    }
    if (phase == CV_PHASE_SIGN)
        *end = phase_step + 1;
    else if (phase == CV_PHASE_APPLY)
        *first = phase_step;
    else
        *first = phase_step, *end = phase_step + 1;
    task->phase = (cv_phase)phase;
    task->shard = k;
    task->shards = n;
    task->parts = tasks_of(CV_PHASE_PAIRS, n);
    task->memory = memory ? memory : (uint64_t)1 << 30;
    return 0;
}

/* A file's bytes appended to o, a block at a time: a crawl's drop logs are
 * too big to hold. */
static int copy_into(cv_out *o, const char *path, cv_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cv_err_set(err, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    static char block[1 << 16];
    size_t got;
    int bad = 0;
    while (!bad && (got = fread(block, 1, sizeof block, f)) > 0)
        bad = cv_out_write(o, block, got) < 0;
    bad = bad || ferror(f);
    fclose(f);
    if (bad)
        cv_err_set(err, "cannot copy '%s' into the merged drop log", path);
    return bad ? -1 : 0;
}

/* --phase merge: the shards' reports (sign and apply phases) into one, their
 * drop logs into one, under a marker like every other task's. */
int cv_phase_merge(const char *out, unsigned n, int quiet)
{
    cv_err err;
    char **dirs = cv_xcalloc(2 * (size_t)n, sizeof *dirs);
    int status = CV_EXIT_FAILED;
    for (unsigned k = 0; k < n; k++) {
        dirs[2 * k] = cv_phase_dir(out, CV_PHASE_SIGN, k);
        dirs[2 * k + 1] = cv_phase_dir(out, CV_PHASE_APPLY, k);
    }
    cv_report *r = cv_report_new();
    cv_outset *o = NULL;
    for (size_t i = 0; i < 2 * (size_t)n; i++) {
        if (cv_marker_check(dirs[i], "report.json", &err) < 0)
            goto fail;
        char *path = cv_xasprintf("%s/report.json", dirs[i]);
        int rc = cv_merge_report_file(r, path, out, &err);
        free(path);
        if (rc < 0)
            goto fail;
    }
    if (cv_report_settle_handoffs(r, &err) < 0 || !(o = cv_outset_new(out, &err)))
        goto fail;
    cv_outset_mark(o);
    cv_out *drops = cv_outset_open(o, "dropped.jsonl", &err);
    if (!drops)
        goto fail;
    for (size_t i = 0; i < 2 * (size_t)n; i++) {
        char *path = cv_xasprintf("%s/dropped.jsonl", dirs[i]);
        int rc = copy_into(drops, path, &err);
        free(path);
        if (rc < 0)
            goto fail;
    }
    if (cv_report_save(r, o, &err) < 0 || cv_outset_commit(o, &err) < 0)
        goto fail;
    if (!quiet) {
        cv_report_print(r);
        cv_report_warn_empty(r);
    }
    status = CV_EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "convert: --phase merge: %s\n", err.msg);
out:
    for (size_t i = 0; i < 2 * (size_t)n; i++)
        free(dirs[i]);
    free(dirs);
    cv_outset_free(o);
    cv_report_free(r);
    return status;
}


int cv_phase_verify(char **dirs, int n, const char *out, int phase, unsigned shard, int quiet)
{
    /* --verify --phase P --shard K/N -o OUT: the folder of that task, so
     * that job scripts need not know where each phase writes */
    char *task = n == 0 ? cv_phase_dir(out, phase, shard) : NULL;
    int status = CV_EXIT_OK;
    for (int i = 0; i < n || task; i++) {
        cv_err e;
        const char *dir = task ? task : dirs[i];
        int rc = cv_marker_check(dir, NULL, &e);
        free(task);
        task = NULL;
        if (rc < 0) {
            if (!quiet)
                fprintf(stderr, "convert: %s\n", e.msg);
            status = CV_EXIT_FAILED;
        }
    }
    return status;
}
