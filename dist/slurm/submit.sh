#!/usr/bin/env bash
# submit.sh N CONFIG INPUT OUTDIR [--wait] -- the array of N shards, then the
# merge as a dependent job.  Prints the two job ids.  --wait blocks until the
# merge has finished (and fails if any task did).
set -euo pipefail
n=${1:?shards} config=$(realpath "${2:?config}") input=$(realpath "${3:?input}") out=$(realpath -m "${4:?output folder}")
wait_flag=${5:-}
here=$(dirname "$(realpath "$0")")
mkdir -p "$out"
array=$(sbatch --parsable --chdir="$out" --array="0-$((n - 1))" "$here/convert-array.sbatch" "$config" "$input" "$out")
array=${array%%;*}
merge=$(sbatch --parsable --chdir="$out" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    ${wait_flag:+--wait} "$here/convert-merge.sbatch" "$out")
echo "array job $array, merge job ${merge%%;*}"
