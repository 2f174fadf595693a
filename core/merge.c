/* merge.c -- --merge-reports: the reports of shard runs added up into one. */
#include "merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "pipeline.h"

/* Where the files a shard's report lists are, seen from the merged folder:
 * the shard's folder relative to outdir when it lies inside, else its whole
 * path.  Caller frees. */
static char *shard_prefix(const char *report_path, const char *outdir)
{
    char *dir = cv_xstrdup(report_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    char *real = realpath(dir, NULL), *realout = outdir ? realpath(outdir, NULL) : NULL;
    char *prefix;
    size_t n = realout ? strlen(realout) : 0;
    if (real && realout && !strncmp(real, realout, n) && real[n] == '/')
        prefix = cv_xstrdup(real + n + 1);
    else if (real && realout && !strcmp(real, realout))
        prefix = cv_xstrdup(".");
    else
        prefix = cv_xstrdup(real ? real : dir);
    free(real);
    free(realout);
    free(dir);
    return prefix;
}

int cv_merge_report_file(cv_report *r, const char *path, const char *outdir, cv_err *err)
{
    size_t got;
    char *buf = cv_read_file(path, "report", 0, &got, err);
    if (!buf)
        return -2;
    char *prefix = shard_prefix(path, outdir);
    int rc = cv_report_merge_json(r, buf, path, strcmp(prefix, ".") ? prefix : NULL, err);
    free(prefix);
    free(buf);
    return rc;
}

int cv_merge_reports(int n, char **paths, const char *outdir)
{
    cv_report *r = cv_report_new();
    cv_err err;
    cv_outset *o = NULL;
    int status = CV_EXIT_USAGE;
    if (outdir && !(o = cv_outset_new(outdir, &err))) {
        fprintf(stderr, "convert: %s\n", err.msg);
        status = CV_EXIT_FAILED;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        /* a folder's report.json, or the file itself; whole: the reports list
         * their files, so they grow with the shards */
        char *path = cv_xasprintf("%s/report.json", paths[i]);
        int rc = cv_merge_report_file(r, path, outdir, &err);
        free(path);
        if (rc == -2)
            rc = cv_merge_report_file(r, paths[i], outdir, &err);
        if (rc == -2) {
            fprintf(stderr, "convert: cannot read a report in '%s'\n", paths[i]);
            goto out;
        }
        if (rc < 0) {
            fprintf(stderr, "convert: %s\n", err.msg);
            goto out;
        }
    }
    status = CV_EXIT_OK;
    if (o) {
        if (cv_report_save(r, o, &err) < 0 || cv_outset_commit(o, &err) < 0) {
            fprintf(stderr, "convert: %s\n", err.msg);
            status = CV_EXIT_FAILED;
        }
    } else {
        char *json = cv_report_json(r);
        printf("%s\n", json);
        free(json);
    }
    cv_report_print(r);
    cv_report_warn_empty(r);
out:
    cv_outset_free(o);
    cv_report_free(r);
    return status;
}

