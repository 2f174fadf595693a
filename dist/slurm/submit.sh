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
        # The syntax convert's own size parser takes: 4096, 64K, 1.5G, 16MiB, 2GB.
        budget_mb=$(awk -v s="$m" 'BEGIN {
            if (!match(s, /^[0-9]+(\.[0-9]+)?/)) exit 1
            v = substr(s, 1, RLENGTH); u = toupper(substr(s, RLENGTH + 1)); sub(/I?B$/, "", u)
            f = u == "" ? 1 / 1048576 : u == "K" ? 1 / 1024 : u == "M" ? 1 : u == "G" ? 1024 : u == "T" ? 1048576 : -1
            if (f < 0) exit 1
            mb = v * f; printf "%d", (mb == int(mb)) ? mb : int(mb) + 1 }') ||
            { echo "submit.sh: --memory '$m' is not a size such as 64M, 1G or 1GiB" >&2; exit 2; }
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
