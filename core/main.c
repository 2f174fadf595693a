/* main.c -- the command line: flags, help, and exit statuses. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "options.h"
#include "output.h"
#include "pipeline.h"
#include "registry.h"
#include "report.h"

#ifndef CONVERT_VERSION
#define CONVERT_VERSION "0.0.0"
#endif

static const char usage[] =
    "usage: convert -c CONFIG [-i INPUT] [-o OUTDIR] [-j N] [--shard K/N] [-q|-v] [--plugin-path DIR]...\n"
    "       convert --check -c CONFIG\n"
    "       convert --merge-reports [-o OUTDIR] DIR_OR_REPORT...\n"
    "       convert --list-plugins | --describe NAME | --help | --version\n"
    "\n"
    "Turn scraped text archives into clean, tagged datasets.  The config (YAML)\n"
    "names a reader, a list of steps and one or more writers, each a plugin.\n"
    "\n"
    "  -c, --config FILE      the pipeline to run\n"
    "  -i, --input PATH       override the reader's 'path' option\n"
    "  -o, --output DIR       folder every output is written into (default: the\n"
    "                         config's 'output:', else ./out)\n"
    "  -j, --threads N        worker threads (default: the config's 'threads:', else one\n"
    "                         per CPU, at most 16); outputs are identical for every N\n"
    "  -q, --quiet            errors only; no progress line or summary\n"
    "  -v, --verbose          debug messages\n"
    "      --shard K/N        process only the documents whose id hashes to K of N\n"
    "                         (0 <= K < N); the union of all N runs is the whole input\n"
    "      --merge-reports    add up the report.json of shard runs (folders or files);\n"
    "                         with -o: OUTDIR/report.json, report.html and the dataset\n"
    "                         card README.md listing the shards' files; else JSON on stdout\n"
    "      --check            validate the config and load its plugins, then exit\n"
    "      --list-plugins     every plugin found: kind, version, file, description\n"
    "      --describe NAME    a plugin's options: type, default, required, help\n"
    "      --plugin-path DIR  search DIR for plugins first (repeatable); then\n"
    "                         $CONVERT_PLUGIN_PATH, then <bin>/../lib/convert/plugins\n"
    "                         or the install folder\n"
    "  -h, --help             this text\n"
    "  -V, --version          the version and plugin ABI\n"
    "\n"
    "Outputs appear only when the run succeeds: each is written to a temp file and\n"
    "renamed at the end, with report.json (counts of what was read, written and\n"
    "dropped, by reason), report.html (the same as charts), README.md (a Hugging\n"
    "Face dataset card) and dropped.jsonl (every dropped document and why).\n"
    "\n"
    "Exit status: 0 success, 1 the run failed, 2 bad usage or config.\n";

static void on_signal(int signo) { cv_pipeline_request_stop(signo); }

static int list_plugins(const cv_registry *reg)
{
    if (cv_registry_count(reg) == 0) {
        fprintf(stderr, "convert: no plugins found; searched:\n");
        for (size_t i = 0; i < cv_registry_dir_count(reg); i++)
            fprintf(stderr, "  %s\n", cv_registry_dir_at(reg, i));
        return CV_EXIT_USAGE;
    }
    printf("%-12s %-7s %-8s %-50s %s\n", "NAME", "KIND", "VERSION", "DESCRIPTION", "FILE");
    for (size_t i = 0; i < cv_registry_count(reg); i++) {
        const cv_entry *e = cv_registry_at(reg, i);
        printf("%-12s %-7s %-8s %-50s %s\n", e->desc->name, cv_kind_name(e->desc->kind), e->desc->version,
               e->desc->description, e->file);
    }
    return CV_EXIT_OK;
}

static int describe(const cv_registry *reg, const char *name)
{
    int found = 0;
    for (size_t i = 0; i < cv_registry_count(reg); i++) {
        const cv_entry *e = cv_registry_at(reg, i);
        const cv_plugin *d = e->desc;
        if (strcmp(d->name, name))
            continue;
        const char *serial = !(d->flags & CV_FLAG_SERIAL) ? ""
                             : d->prepare ? "  serial: sees documents in input order (its per-document part, prepare, "
                                            "runs in parallel)\n"
                                          : "  serial: sees documents in input order\n";
        printf("%s%s (%s) %s\n  %s\n  file: %s\n%s", found ? "\n" : "", d->name, cv_kind_name(d->kind), d->version,
               d->description, e->file, serial);
        found = 1;
        if (!d->options || !d->options[0].key) {
            printf("  no options\n");
            continue;
        }
        printf("  options:\n");
        for (const cv_option *o = d->options; o->key; o++)
            printf("    %-18s %-6s %s%s%s\n        %s\n", o->key, cv_opt_type_name(o->type),
                   o->required ? "required" : "default: ", o->required ? "" : o->default_value ? o->default_value : "(none)",
                   "", o->help ? o->help : "");
    }
    if (!found) {
        fprintf(stderr, "convert: no plugin named '%s' (see: convert --list-plugins)\n", name);
        return CV_EXIT_USAGE;
    }
    return CV_EXIT_OK;
}

static int parse_shard(const char *s, cv_run_opts *ro)
{
    char *end;
    unsigned long k = strtoul(s, &end, 10);
    if (end == s || *end != '/')
        return -1;
    const char *n_s = end + 1;
    unsigned long n = strtoul(n_s, &end, 10);
    if (end == n_s || *end || n == 0 || n > 1000000 || k >= n)
        return -1;
    ro->shard = (unsigned)k;
    ro->shards = (unsigned)n;
    return 0;
}

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

static int merge_reports(int n, char **paths, const char *outdir)
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
        char *path = cv_xasprintf("%s/report.json", paths[i]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            free(path);
            path = cv_xstrdup(paths[i]);
            f = fopen(path, "rb");
        }
        if (!f) {
            fprintf(stderr, "convert: cannot read a report in '%s'\n", paths[i]);
            free(path);
            goto out;
        }
        char *buf = NULL;
        size_t got = 0, cap = 0;
        for (;;) { /* whole file: the reports list their files, so they grow with the shards */
            if (got + 4096 + 1 > cap) {
                cap = cap ? 2 * cap : 1 << 16;
                buf = realloc(buf, cap);
                if (!buf)
                    abort();
            }
            size_t k = fread(buf + got, 1, cap - got - 1, f);
            if (k == 0)
                break;
            got += k;
        }
        fclose(f);
        buf[got] = '\0';
        char *prefix = shard_prefix(path, outdir);
        int rc = cv_report_merge_json(r, buf, path, strcmp(prefix, ".") ? prefix : NULL, &err);
        free(prefix);
        free(buf);
        free(path);
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
out:
    cv_outset_free(o);
    cv_report_free(r);
    return status;
}

static int parse_threads(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    return *s && !*end && n >= 1 && n <= 256 ? (int)n : -1;
}

int main(int argc, char **argv)
{
    enum { OPT_CHECK = 256, OPT_LIST, OPT_DESCRIBE, OPT_PLUGIN_PATH, OPT_SHARD, OPT_MERGE };
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'},   {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},   {"threads", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},          {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},           {"version", no_argument, NULL, 'V'},
        {"check", no_argument, NULL, OPT_CHECK},    {"list-plugins", no_argument, NULL, OPT_LIST},
        {"describe", required_argument, NULL, OPT_DESCRIBE},
        {"plugin-path", required_argument, NULL, OPT_PLUGIN_PATH},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"merge-reports", no_argument, NULL, OPT_MERGE},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *describe_name = NULL;
    int list = 0, verbose = 0, merge = 0;
    cv_run_opts ro = {0};
    cv_registry *reg = cv_registry_new();
    int c, status = CV_EXIT_USAGE;
    while ((c = getopt_long(argc, argv, "c:i:o:j:qvhV", longs, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'i': ro.input = optarg; break;
        case 'o': ro.output = optarg; break;
        case 'j':
            if ((ro.threads = parse_threads(optarg)) < 0) {
                fprintf(stderr, "convert: -j takes a whole number from 1 to 256, not '%s'\n", optarg);
                goto out;
            }
            break;
        case 'q': ro.quiet = 1; break;
        case 'v': verbose = 1; break;
        case 'h':
            fputs(usage, stdout);
            status = CV_EXIT_OK;
            goto out;
        case 'V':
            printf("convert %s (plugin ABI %d.%d)\n", CONVERT_VERSION, CONVERT_ABI_MAJOR, CONVERT_ABI_MINOR);
            status = CV_EXIT_OK;
            goto out;
        case OPT_CHECK: ro.check_only = 1; break;
        case OPT_LIST: list = 1; break;
        case OPT_DESCRIBE: describe_name = optarg; break;
        case OPT_PLUGIN_PATH: cv_registry_add_dir(reg, optarg); break;
        case OPT_SHARD:
            if (parse_shard(optarg, &ro) < 0) {
                fprintf(stderr, "convert: --shard takes K/N with 0 <= K < N, not '%s'\n", optarg);
                goto out;
            }
            break;
        case OPT_MERGE: merge = 1; break;
        default:
            fputs("convert: see 'convert --help'\n", stderr);
            goto out;
        }
    }
    if (merge) {
        if (optind == argc) {
            fputs("convert: --merge-reports needs the folders (or report.json files) of the runs\n", stderr);
            goto out;
        }
        status = merge_reports(argc - optind, argv + optind, ro.output);
        goto out;
    }
    if (optind < argc) {
        fprintf(stderr, "convert: unexpected argument '%s' (see 'convert --help')\n", argv[optind]);
        goto out;
    }
    if (!config && !list && !describe_name) {
        fputs(usage, stderr);
        goto out;
    }
    cv_log_set_level(ro.quiet ? CV_LOG_ERROR : verbose ? CV_LOG_DEBUG : CV_LOG_INFO);
    cv_registry_add_default_dirs(reg);
    cv_err err = {0};
    char msg[2048];
    if (cv_registry_load(reg, &err) < 0) {
        cv_err_format(&err, msg, sizeof msg);
        fprintf(stderr, "convert: %s\n", msg);
        goto out;
    }
    if (list) {
        status = list_plugins(reg);
        goto out;
    }
    if (describe_name) {
        status = describe(reg, describe_name);
        goto out;
    }
    cv_config *cfg = cv_config_load(config, &err);
    if (!cfg) {
        cv_err_format(&err, msg, sizeof msg);
        fprintf(stderr, "convert: %s\n", msg);
        goto out;
    }
    ro.progress = !ro.quiet && !ro.check_only && isatty(STDERR_FILENO);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    status = cv_pipeline_run(cfg, reg, &ro, &err);
    if (status != CV_EXIT_OK) {
        cv_err_format(&err, msg, sizeof msg);
        fprintf(stderr, "convert: %s\n", msg);
    } else if (ro.check_only && !ro.quiet) {
        fprintf(stderr, "convert: %s is valid\n", config);
    }
    cv_config_free(cfg);
out:
    cv_registry_free(reg);
    return status;
}
