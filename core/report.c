/* report.c -- counters behind one lock; the run's JSON report and stderr summary. */
#include "report.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cv_report {
    pthread_mutex_t lock;
    uint64_t read, written, dropped, bytes_read, bytes_written;
    json_t *reasons; /* "plugin:reason" -> count */
    json_t *plugins; /* plugin -> {counter -> count} */
    double seconds;
    char status[32];
};

cv_report *cv_report_new(void)
{
    cv_report *r = cv_xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->reasons = json_object();
    r->plugins = json_object();
    snprintf(r->status, sizeof r->status, "running");
    return r;
}

void cv_report_free(cv_report *r)
{
    if (!r)
        return;
    json_decref(r->reasons);
    json_decref(r->plugins);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* Counters are bumped per removed line by some steps: add in place, no
 * allocation once a counter exists. */
static void bump(json_t *obj, const char *key, uint64_t n)
{
    json_t *v = json_object_get(obj, key);
    if (v)
        json_integer_set(v, (json_int_t)((uint64_t)json_integer_value(v) + n));
    else
        json_object_set_new(obj, key, json_integer((json_int_t)n));
}

void cv_report_read(cv_report *r, uint64_t bytes)
{
    pthread_mutex_lock(&r->lock);
    r->read++;
    r->bytes_read += bytes;
    pthread_mutex_unlock(&r->lock);
}

void cv_report_written(cv_report *r, uint64_t bytes)
{
    pthread_mutex_lock(&r->lock);
    r->written++;
    r->bytes_written += bytes;
    pthread_mutex_unlock(&r->lock);
}

void cv_report_dropped(cv_report *r, const char *reason)
{
    pthread_mutex_lock(&r->lock);
    r->dropped++;
    bump(r->reasons, reason, 1);
    pthread_mutex_unlock(&r->lock);
}

void cv_report_count(cv_report *r, const char *plugin, const char *counter, uint64_t n)
{
    pthread_mutex_lock(&r->lock);
    json_t *p = json_object_get(r->plugins, plugin);
    if (!p)
        json_object_set_new(r->plugins, plugin, p = json_object());
    bump(p, counter, n);
    pthread_mutex_unlock(&r->lock);
}

void cv_report_finish(cv_report *r, double seconds, const char *status)
{
    r->seconds = seconds;
    snprintf(r->status, sizeof r->status, "%s", status);
}

uint64_t cv_report_docs_read(const cv_report *r) { return r->read; }
uint64_t cv_report_docs_written(const cv_report *r) { return r->written; }
uint64_t cv_report_docs_dropped(const cv_report *r) { return r->dropped; }
uint64_t cv_report_bytes_read(const cv_report *r) { return r->bytes_read; }

int cv_report_merge_json(cv_report *r, const char *text, const char *name, cv_err *err)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    json_t *reasons = json_object_get(j, "dropped_by_reason"), *counters = json_object_get(j, "counters");
    if (!j || !json_is_integer(json_object_get(j, "read")) || !json_is_object(reasons) || !json_is_object(counters)) {
        cv_err_set(err, "%s: not a convert report%s%s", name, j ? "" : ": ", j ? "" : je.text);
        json_decref(j);
        return -1;
    }
    const char *st = json_string_value(json_object_get(j, "status"));
    if (!st || strcmp(st, "ok")) {
        cv_err_set(err, "%s: that run did not succeed (status %s)", name, st ? st : "unknown");
        json_decref(j);
        return -1;
    }
    r->read += (uint64_t)json_integer_value(json_object_get(j, "read"));
    r->written += (uint64_t)json_integer_value(json_object_get(j, "written"));
    r->dropped += (uint64_t)json_integer_value(json_object_get(j, "dropped"));
    r->bytes_read += (uint64_t)json_integer_value(json_object_get(j, "bytes_read"));
    r->bytes_written += (uint64_t)json_integer_value(json_object_get(j, "bytes_written"));
    double secs = json_number_value(json_object_get(j, "seconds"));
    if (secs > r->seconds)
        r->seconds = secs;
    const char *key, *k2;
    json_t *v, *p;
    json_object_foreach(reasons, key, v) bump(r->reasons, key, (uint64_t)json_integer_value(v));
    json_object_foreach(counters, key, p) {
        json_t *mine = json_object_get(r->plugins, key);
        if (!mine)
            json_object_set_new(r->plugins, key, mine = json_object());
        json_object_foreach(p, k2, v) bump(mine, k2, (uint64_t)json_integer_value(v));
    }
    json_decref(j);
    snprintf(r->status, sizeof r->status, "ok");
    return 0;
}

char *cv_report_json(const cv_report *r)
{
    double mb = (double)r->bytes_read / 1e6;
    json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:O, s:I, s:I, s:f, s:f, s:O}", "status", r->status, "read",
                          (json_int_t)r->read, "written", (json_int_t)r->written, "dropped", (json_int_t)r->dropped,
                          "dropped_by_reason", r->reasons, "bytes_read", (json_int_t)r->bytes_read, "bytes_written",
                          (json_int_t)r->bytes_written, "seconds", r->seconds, "mb_per_second",
                          r->seconds > 0 ? mb / r->seconds : 0.0, "counters", r->plugins);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

void cv_report_print(const cv_report *r)
{
    double mb = (double)r->bytes_read / 1e6;
    fprintf(stderr, "convert: %s: read %llu, written %llu, dropped %llu; %.2f MB in %.2f s (%.1f MB/s)\n", r->status,
            (unsigned long long)r->read, (unsigned long long)r->written, (unsigned long long)r->dropped, mb,
            r->seconds, r->seconds > 0 ? mb / r->seconds : 0.0);
    const char *key;
    json_t *v;
    json_object_foreach(r->reasons, key, v)
        fprintf(stderr, "  dropped %-32s %lld\n", key, (long long)json_integer_value(v));
    json_t *p;
    json_object_foreach(r->plugins, key, p) {
        const char *k2;
        json_object_foreach(p, k2, v)
            fprintf(stderr, "  %-12s %-30s %lld\n", key, k2, (long long)json_integer_value(v));
    }
}
