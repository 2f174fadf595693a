/* main.c -- the command line: flags, help, and exit statuses. */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "describe.h"
#include "merge.h"
#include "options.h"
#include "phase.h"
#include "pipeline.h"
#include "registry.h"

#ifndef CONVERT_VERSION
#define CONVERT_VERSION "0.0.0"
#endif

static const char usage[] =
    "usage: convert -c CONFIG [-i INPUT]... [-o OUTDIR] [-j N] [--shard K/N] [-q|-v] [--plugin-path DIR]...\n"
    "       convert -c CONFIG --phase PHASE --shard K/N [-i INPUT]... -o OUTDIR [--memory SIZE]\n"
    "       convert --check -c CONFIG\n"
    "       convert --verify DIR...\n"
    "       convert --phase-plan N\n"
    "       convert --merge-reports [-o OUTDIR] DIR_OR_REPORT...\n"
    "       convert --list-plugins | --describe NAME | --describe --all | --reference\n"
    "       convert --help | --version\n"
    "\n"
    "Turn scraped text archives into clean, tagged datasets.  The config (YAML)\n"
    "names a reader, a list of steps and one or more writers, each a plugin.\n"
    "\n"
    "  -c, --config FILE      the pipeline to run\n"
    "  -i, --input PATH       override the reader's 'path' option; repeat it, or quote a\n"
    "                         glob ('crawl/*.warc.gz'), to read several files in order;\n"
    "                         Parquet and JSON Lines (.jsonl, .ndjson) go to their own\n"
    "                         reader whatever reader the config names\n"
    "  -o, --output DIR       folder every output is written into (default: the\n"
    "                         config's 'output:', else ./out)\n"
    "  -j, --threads N        worker threads (default: the config's 'threads:', else one\n"
    "                         per CPU, at most 16); outputs are identical for every N\n"
    "  -q, --quiet            errors only; no progress line or summary\n"
    "  -v, --verbose          debug messages\n"
    "      --shard K/N        process only the documents whose id hashes to K of N\n"
    "                         (0 <= K < N); the union of all N runs is the whole input\n"
    "      --phase PHASE      one task of a sharded run whose dedup sees every shard:\n"
    "                         sign (per shard), pairs and collect (per partition),\n"
    "                         decide (once), apply (per shard), merge (once), in that\n"
    "                         order; work under OUTDIR/work.\n"
    "                         dist/shards.sh and dist/slurm/submit.sh run them all\n"
    "      --memory SIZE      a phased task's budget for what it sorts (default 1G);\n"
    "                         past it, sorts spill to OUTDIR/work\n"
    "      --phase-plan N     the phases of a run of N shards and how many tasks each\n"
    "                         has, one 'PHASE TASKS' line each (for job scripts)\n"
    "      --verify DIR       exit 0 if DIR holds a phase task's completed, intact work\n"
    "                         (or, with --phase, --shard and -o and no DIR: that task)\n"
    "      --merge-reports    add up the report.json of shard runs (folders or files);\n"
    "                         with -o: OUTDIR/report.json, report.html and the dataset\n"
    "                         card README.md listing the shards' files; else JSON on stdout\n"
    "      --check            validate the config and load its plugins, then exit\n"
    "      --list-plugins     every plugin found: kind, version, file, description\n"
    "      --describe NAME    a plugin's options: type, default, required, help\n"
    "                         (--describe --all: every plugin's)\n"
    "      --reference        every plugin's options as Markdown (docs/reference.md)\n"
    "      --plugin-path DIR  search DIR for plugins first (repeatable); then\n"
    "                         $CONVERT_PLUGIN_PATH, then <bin>/../lib/convert/plugins\n"
    "                         or the install folder\n"
    "  -h, --help             this text\n"
    "  -V, --version          the version and plugin ABI\n"
    "\n"
    "With several input files, --shard gives each shard whole files (file i to\n"
    "shard i mod N); with one, documents by id.\n"
    "\n"
    "Outputs appear only when the run succeeds: each is written to a temp file and\n"
    "renamed at the end, with report.json (counts of what was read, written and\n"
    "dropped, by reason), report.html (the same as charts), README.md (a Hugging\n"
    "Face dataset card) and dropped.jsonl (every dropped document and why).\n"
    "\n"
    "Exit status: 0 success, 1 the run failed, 2 bad usage or config.\n";

/* --memory below this leaves a sort no room to work in. */
#define MEMORY_MIN ((int64_t)64 << 10)

static void on_signal(int signo) { cv_pipeline_request_stop(signo); }

/* Plugins may map files (a classifier its model): a file cut short under a
 * mapping faults on its lost pages.  The run cannot go on from there; it
 * says why and exits as a failed run (outputs were not renamed into place;
 * async-signal-safe). */
static void on_bus_error(int signo)
{
    static const char msg[] = "convert: a file shrank while it was read (SIGBUS); the run failed and wrote "
                              "no output\n";
    (void)signo;
    ssize_t rc = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)rc;
    _exit(CV_EXIT_FAILED);
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

static void push_input(char ***own, size_t *nown, const char *path)
{
    *own = cv_xrealloc(*own, (*nown + 1) * sizeof **own);
    (*own)[(*nown)++] = cv_xstrdup(path);
}

/* -i: a file, or a glob (quoted, so the shell leaves it) matching several. */
static int add_input(cv_run_opts *ro, char ***own, size_t *nown, const char *arg)
{
    glob_t g;
    if (strpbrk(arg, "*?[") && access(arg, F_OK) < 0) {
        int rc = glob(arg, 0, NULL, &g);
        if (rc != 0 || g.gl_pathc == 0) {
            fprintf(stderr, "convert: -i '%s': no file matches\n", arg);
            if (rc == 0)
                globfree(&g);
            return -1;
        }
        for (size_t i = 0; i < g.gl_pathc; i++)
            push_input(own, nown, g.gl_pathv[i]);
        globfree(&g);
    } else {
        push_input(own, nown, arg);
    }
    ro->inputs = (const char **)*own;
    ro->ninputs = *nown;
    ro->input = (*own)[0];
    return 0;
}

/* The plugins a config's run resolves: its stages, and the reader that
 * takes input given with -i by its name (Parquet, JSON Lines) whatever the
 * config's reader. */
static int load_plugins_of(cv_registry *reg, const cv_config *cfg, const cv_run_opts *ro, cv_err *err)
{
    size_t n = 0, max = cfg->nsteps + cfg->nwriters + 2;
    cv_kind *kinds = cv_xcalloc(max, sizeof *kinds);
    const char **names = cv_xcalloc(max, sizeof *names);
    kinds[n] = CV_READER, names[n++] = cfg->reader.plugin;
    const char *by_name = cv_pipeline_input_reader(ro); /* (for Parquet, a walk of the input's folders) */
    if (by_name)
        kinds[n] = CV_READER, names[n++] = by_name;
    for (size_t i = 0; i < cfg->nsteps; i++)
        kinds[n] = CV_STEP, names[n++] = cfg->steps[i].plugin;
    for (size_t i = 0; i < cfg->nwriters; i++)
        kinds[n] = CV_WRITER, names[n++] = cfg->writers[i].plugin;
    int rc = cv_registry_load_named(reg, kinds, names, n, err);
    free(kinds);
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    enum {
        OPT_CHECK = 256,
        OPT_LIST,
        OPT_DESCRIBE,
        OPT_PLUGIN_PATH,
        OPT_SHARD,
        OPT_MERGE,
        OPT_REFERENCE,
        OPT_PHASE,
        OPT_MEMORY,
        OPT_VERIFY,
        OPT_PHASE_PLAN
    };
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
        {"reference", no_argument, NULL, OPT_REFERENCE},
        {"phase", required_argument, NULL, OPT_PHASE},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"verify", no_argument, NULL, OPT_VERIFY},
        {"phase-plan", required_argument, NULL, OPT_PHASE_PLAN},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *describe_name = NULL;
    int list = 0, verbose = 0, merge = 0, ref = 0, verify = 0;
    char **inputs = NULL;
    size_t ninputs = 0;
    cv_run_opts ro = {0};
    cv_registry *reg = cv_registry_new();
    int c, status = CV_EXIT_USAGE;
    int64_t size;
    while ((c = getopt_long(argc, argv, "c:i:o:j:qvhV", longs, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'i':
            if (add_input(&ro, &inputs, &ninputs, optarg) < 0)
                goto out;
            break;
        case 'o': ro.output = optarg; break;
        case 'j':
            if ((ro.threads = cv_parse_threads(optarg)) < 0) {
                fprintf(stderr, "convert: -j takes a whole number from 1 to %d, not '%s'\n", CV_THREADS_MAX, optarg);
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
        case OPT_REFERENCE: ref = 1; break;
        case OPT_VERIFY: verify = 1; break;
        case OPT_PHASE_PLAN: {
            char *end;
            unsigned long n = strtoul(optarg, &end, 10);
            status = cv_phase_plan(*optarg && !*end && n <= CV_PHASE_MAX_SHARDS ? (unsigned)n : 0);
            goto out;
        }
        case OPT_PHASE:
            if ((ro.phase = cv_phase_parse(optarg)) < 0) {
                fprintf(stderr, "convert: --phase takes sign, pairs, collect, decide, apply or merge, not '%s'\n", optarg);
                goto out;
            }
            break;
        case OPT_MEMORY:
            /* the parser that reads sizes in configs: `--memory 1GiB` as `memory: 1GiB` */
            if ((size = cv_parse_size(optarg)) < MEMORY_MIN) {
                fprintf(stderr, "convert: --memory takes a size of at least 64K (256M, 2G), not '%s'\n", optarg);
                goto out;
            }
            ro.memory = (uint64_t)size;
            break;
        default:
            fputs("convert: see 'convert --help'\n", stderr);
            goto out;
        }
    }
    if (verify) {
        if (optind == argc && !(ro.phase && ro.shards && ro.output)) {
            fputs("convert: --verify needs the folders of phase tasks, or --phase, --shard and -o\n", stderr);
            goto out;
        }
        status = cv_phase_verify(argv + optind, argc - optind, ro.output, ro.phase, ro.shard, ro.quiet);
        goto out;
    }
    if (ro.phase == CV_PHASE_MERGE) {
        if (!ro.output || !ro.shards) {
            fputs("convert: --phase merge needs -o OUTDIR and --shard 0/N\n", stderr);
            goto out;
        }
        status = cv_phase_merge(ro.output, ro.shards, ro.quiet);
        goto out;
    }
    if (merge) {
        if (optind == argc) {
            fputs("convert: --merge-reports needs the folders (or report.json files) of the runs\n", stderr);
            goto out;
        }
        status = cv_merge_reports(argc - optind, argv + optind, ro.output);
        goto out;
    }
    if (optind < argc) {
        fprintf(stderr, "convert: unexpected argument '%s' (see 'convert --help')\n", argv[optind]);
        goto out;
    }
    if (!config && !list && !describe_name && !ref) {
        fputs(usage, stderr);
        goto out;
    }
    cv_log_set_level(ro.quiet ? CV_LOG_ERROR : verbose ? CV_LOG_DEBUG : CV_LOG_INFO);
    cv_registry_add_default_dirs(reg);
    cv_err err = {0};
    char msg[2048];
    /* A run loads the plugins its config names (see load_plugins_of); the
     * listings, every plugin found. */
    if ((list || describe_name || ref) && cv_registry_load(reg, &err) < 0) {
        cv_err_format(&err, msg, sizeof msg);
        fprintf(stderr, "convert: %s\n", msg);
        goto out;
    }
    if (list) {
        status = cv_list_plugins(reg);
        goto out;
    }
    if (describe_name) {
        status = cv_describe(reg, describe_name);
        goto out;
    }
    if (ref) {
        status = cv_reference(reg);
        goto out;
    }
    cv_config *cfg = cv_config_load(config, &err);
    if (!cfg) {
        cv_err_format(&err, msg, sizeof msg);
        fprintf(stderr, "convert: %s\n", msg);
        goto out;
    }
    if (load_plugins_of(reg, cfg, &ro, &err) < 0) {
        cv_err_format(&err, msg, sizeof msg);
        fprintf(stderr, "convert: %s\n", msg);
        cv_config_free(cfg);
        goto out;
    }
    ro.progress = !ro.quiet && !ro.check_only && isatty(STDERR_FILENO);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction bus = {.sa_handler = on_bus_error};
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, NULL);
    status = cv_pipeline_run(cfg, reg, &ro, &err);
    if (status != CV_EXIT_OK) {
        cv_err_format(&err, msg, sizeof msg);
        fprintf(stderr, "convert: %s\n", msg);
    } else if (ro.check_only && !ro.quiet) {
        fprintf(stderr, "convert: %s is valid\n", config);
    }
    cv_config_free(cfg);
out:
    for (size_t i = 0; i < ninputs; i++)
        free(inputs[i]);
    free(inputs);
    cv_registry_free(reg);
    return status;
}
