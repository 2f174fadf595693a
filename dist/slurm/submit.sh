#!/usr/bin/env bash
# submit.sh N CONFIG INPUT OUTDIR [--wait] [convert options...] -- a sharded
# run on Slurm; prints the job ids.  INPUT is a file or a quoted glob.
#
# With dedup in the config: the phases as jobs chained by afterok, arrays for
# sign and apply (N), pairs and collect (min(N, 256): convert --phase-plan N), single jobs for decide
# and merge; each job's
# --mem is the budget (--memory, default 1G) plus 256M.  Without dedup: an
# array of N independent shards and a merge of their reports.  Submitting the
# same run again redoes only the tasks without a valid completion marker.
# --wait blocks until the last job has finished (and fails if any task did).
set -euo pipefail
n=${1:?shards} config=$(realpath "${2:?config}") input=${3:?input} out=$(realpath -m "${4:?output folder}")
shift 4
wait_flag=
if [ "${1:-}" = --wait ]; then
    wait_flag=--wait
    shift
fi
case $input in /*) ;; *) input=$PWD/$input ;; esac # a glob stays a glob: convert expands it
here=$(dirname "$(realpath "$0")")
convert=${CONVERT:-convert}
mkdir -p "$out"

budget_mb=1024
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[i]}" = --memory ]; then
        m=${args[i + 1]:-1G}
        case $m in *G | *g) budget_mb=$((${m%?} * 1024)) ;; *M | *m) budget_mb=${m%?} ;; *K | *k) budget_mb=1 ;; *) budget_mb=$((m >> 20)) ;; esac
    fi
done
mem=$((budget_mb + 256))M

if ! "$convert" -q --check -c "$config" --phase sign --shard "0/$n" -o "$out" 2>/dev/null; then
    array=$(sbatch --parsable --chdir="$out" --array="0-$((n - 1))" "$here/convert-array.sbatch" "$config" "$input" "$out" "$@")
    array=${array%%;*}
    merge=$(sbatch --parsable --chdir="$out" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
        ${wait_flag:+--wait} "$here/convert-merge.sbatch" "$out")
    echo "array job $array, merge job ${merge%%;*}"
    exit 0
fi

submit() { # submit PHASE TASKS DEPENDENCY [--wait]
    local p=$1 tasks=$2 dep=$3 extra=${4:-}
    local opts=(--parsable --chdir="$out" --mem="$mem" --job-name="convert-$p" --output="$out/work/logs/%x-%j.log")
    [ "$tasks" -gt 1 ] && opts+=(--array="0-$((tasks - 1))" --output="$out/work/logs/%x-%A_%a.log")
    [ -n "$dep" ] && opts+=(--dependency="afterok:$dep" --kill-on-invalid-dep=yes)
    [ -n "$extra" ] && opts+=("$extra")
    local id
    id=$(sbatch "${opts[@]}" "$here/convert-phase.sbatch" "$p" "$n" "$config" "$input" "$out" "${args[@]}")
    echo "${id%%;*}"
}
mkdir -p "$out/work/logs"
declare -A tasks # how many tasks each phase has: convert knows the limits
plan=$("$convert" --phase-plan "$n")
while read -r p t; do tasks[$p]=$t; done <<<"$plan"
sign=$(submit sign "${tasks[sign]}" "")
pairs=$(submit pairs "${tasks[pairs]}" "$sign")
collect=$(submit collect "${tasks[collect]}" "$pairs")
decide=$(submit decide "${tasks[decide]}" "$collect")
apply=$(submit apply "${tasks[apply]}" "$decide")
echo "sign $sign, pairs $pairs, collect $collect, decide $decide, apply $apply, merge ..."
merge=$(submit merge "${tasks[merge]}" "$apply" $wait_flag)
echo "merge job $merge"
