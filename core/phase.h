/* phase.h -- phased runs (--phase): see docs/architecture.md and docs/plugins.md. */
#ifndef CV_PHASE_H
#define CV_PHASE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The phases (cv_phase) and their limits are in the ABI, include/convert/plugin.h. */

/* The phase named `name` (sign, pairs, collect, decide, apply, merge), or -1. */
int cv_phase_parse(const char *name);
/* Its name; "" for CV_PHASE_NONE. */
const char *cv_phase_name(int phase);
/* Where a task of a phased run writes: OUT/work/sign-K, OUT/work/pairs-K,
 * OUT/work/collect-K, OUT/work/decide, OUT/shard-K (apply) or OUT (merge).  Caller frees. */
char *cv_phase_dir(const char *out, int phase, unsigned k);
/* A task trusts the work of earlier tasks only when their markers vouch for
 * it: sizes always, checksums of the files it reads whole, as the phase
 * step declares them in `inputs` (and apply's hand-off, which the core
 * reads).  -1 with err when that work is missing, incomplete or damaged. */
int cv_phase_check_inputs(const char *outdir, int phase, unsigned k, unsigned n, const cv_phase_input *inputs,
                          cv_err *err);
/* Task k of n shards of `phase`: the steps it runs (phase_step is the
 * CV_FLAG_PHASED step; [*first, *end) narrowed from the whole list) and what
 * the step is told (task->work left to the caller).  The limits are checked
 * here.  -1 with err. */
int cv_phase_setup(int phase, unsigned k, unsigned n, uint64_t memory, size_t phase_step, size_t *first, size_t *end,
                   cv_phase_task *task, cv_err *err);
/* --phase-plan N: each phase and its number of tasks, one per line, for job scripts. */
int cv_phase_plan(unsigned n);
/* --phase merge: the sign and apply tasks' reports and drop logs into OUT.
 * A CV_EXIT_* status. */
int cv_phase_merge(const char *out, unsigned n, int quiet);
/* --verify: every one of dirs holds a task's complete, intact work (n = 0:
 * the task `phase`, `shard` under `out`).  A CV_EXIT_* status. */
int cv_phase_verify(char **dirs, int n, const char *out, int phase, unsigned shard, int quiet);

#endif
