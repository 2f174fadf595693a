#!/usr/bin/env bash
# shards.sh N CONFIG INPUT OUTDIR [convert options...] -- a sharded run on one
# machine, N shards, the same out/ as dist/slurm/submit.sh gives on a cluster.
#
# INPUT is a file or a quoted glob ('crawl/*.warc.gz'): with several files each
# shard reads whole files.  When the config has dedup, its phases run in turn
# (sign and apply as N tasks each, pairs and collect as min(N, 256), decide
# and merge once), so duplicates
# are found across shards exactly as one run finds them; work files go to
# OUTDIR/work.  Without dedup, N independent shards and a merge of reports.
# Run it again on the same OUTDIR and it finishes what is missing: a task
# whose completion marker vouches for its files is skipped.
#
# Environment: CONVERT (the binary, default convert), JOBS (tasks at once,
# default one per CPU), THREADS (-j of each task, default 1).  Extra options
# go to every task, e.g. --memory 256M.
set -euo pipefail
if [ "${1:-}" = --task ]; then # one task, as xargs starts it: --task PHASE N CONFIG INPUT OUT K [options]
    phase=$2 n=$3 config=$4 input=$5 out=$6 k=${!#}
    set -- "${@:7:$(($# - 7))}"
    if [ "$phase" = single ]; then # an independent shard: no marker, run whole
        exec "${CONVERT:-convert}" -q -c "$config" -i "$input" -o "$out/shard-$k" --shard "$k/$n" \
            -j "${THREADS:-1}" "$@"
    fi
    if "${CONVERT:-convert}" -q --verify --phase "$phase" --shard "$k/$n" -o "$out" 2>/dev/null; then
        exit 0 # done before
    fi
    exec "${CONVERT:-convert}" -q -c "$config" -i "$input" -o "$out" --phase "$phase" --shard "$k/$n" \
        -j "${THREADS:-1}" "$@"
fi

n=${1:?usage: shards.sh N CONFIG INPUT OUTDIR [convert options...]} config=${2:?config} input=${3:?input}
out=${4:?output folder}
shift 4
jobs=${JOBS:-$(nproc)}
self=$(realpath "$0")
convert=${CONVERT:-convert}

phase() { # phase PHASE TASKS
    local p=$1 tasks=$2 t0=$SECONDS
    shift 2
    if ! seq 0 $((tasks - 1)) | xargs -P "$jobs" -I{} "$self" --task "$p" "$n" "$config" "$input" "$out" "$@" {}; then
        echo "shards.sh: phase $p failed; run the same command again to finish it" >&2
        exit 1
    fi
    echo "shards.sh: $p: $tasks task(s) done in $((SECONDS - t0)) s" >&2
}

mkdir -p "$out"
if "$convert" -q --check -c "$config" --phase sign --shard "0/$n" -o "$out" 2>/dev/null; then
    plan=$("$convert" --phase-plan "$n") # each phase and its tasks: convert knows the limits
    while read -r p tasks; do
        phase "$p" "$tasks" "$@" </dev/null
    done <<<"$plan"
else # no dedup: the shards are independent
    phase single "$n" "$@"
    "$convert" -q --merge-reports -o "$out" "$out"/shard-*
fi
