/* phase.h -- phased runs (--phase): see docs/architecture.md and docs/plugins.md. */
#ifndef CV_PHASE_H
#define CV_PHASE_H

#include "err.h"

/* The tasks of a phased run, in the order they run. */
enum { CV_PHASE_NONE, CV_PHASE_SIGN, CV_PHASE_PAIRS, CV_PHASE_COLLECT, CV_PHASE_DECIDE, CV_PHASE_APPLY, CV_PHASE_MERGE };
/* The pairs and collect phases run min(N, CV_PHASE_MAX_PARTS) tasks (dedup's partitions). */
#define CV_PHASE_MAX_PARTS 256

/* The phase named `name` (sign, pairs, collect, decide, apply, merge), or -1. */
int cv_phase_parse(const char *name);
/* Its name; "" for CV_PHASE_NONE. */
const char *cv_phase_name(int phase);
/* Where a task of a phased run writes: OUT/work/sign-K, OUT/work/pairs-K,
 * OUT/work/collect-K, OUT/work/decide, OUT/shard-K (apply) or OUT (merge).  Caller frees. */
char *cv_phase_dir(const char *out, int phase, unsigned k);
/* A task trusts the work of earlier tasks only when their markers vouch for
 * it.  -1 with err when that work is missing, incomplete or damaged. */
int cv_phase_check_inputs(const char *outdir, int phase, unsigned k, unsigned n, cv_err *err);
/* --phase merge: the sign and apply tasks' reports and drop logs into OUT.
 * A CV_EXIT_* status. */
int cv_phase_merge(const char *out, unsigned n, int quiet);
/* --verify: every one of dirs holds a task's complete, intact work (n = 0:
 * the task `phase`, `shard` under `out`).  A CV_EXIT_* status. */
int cv_phase_verify(char **dirs, int n, const char *out, int phase, unsigned shard, int quiet);

#endif
