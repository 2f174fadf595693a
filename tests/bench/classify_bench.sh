#!/usr/bin/env bash
# classify_bench.sh -- documents per second of the classify step at -j 1 and
# -j 2 against fastText's own `fasttext predict-prob` on the same documents,
# in the same run (farm-bench pairs the runs: A B A B ...).  Run by hand; not
# part of the test suite.
#
#   bash tests/bench/classify_bench.sh [DOCS]        (default 20000)
#
# The model has lid.176's shape (dimension 16, character 2-4-grams, 2M hash
# buckets: a 130 MB .bin), trained here by `fasttext supervised` on text the
# tests' generator writes (tests/tools/classify_ref.py); the documents are
# page-length (5-60 lines).  Both sides load the model, read every document
# and write every prediction (k 10): convert reads JSONL and writes JSONL
# with the scores in the metadata, the CLI reads the same texts one per line
# and prints its labels.  Targets: -j 1 >= 0.8x the CLI, -j 2 >= 1.4x.
# Every figure is the median of RUNS runs (default 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
DOCS=${1:-20000}
RUNS=${RUNS:-5}
WORK=${BENCH_DIR:-/tmp/convert-bench}/classify
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
command -v farm-bench >/dev/null || { echo "needs farm-bench on PATH" >&2; exit 2; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=$PWD/build-bench/bin/convert
mkdir -p "$WORK"
if [ ! -f "$WORK/lid.bin" ]; then
    "$PY" tests/tools/classify_ref.py train lid 5 20000 "$WORK/train.txt"
    fasttext supervised -input "$WORK/train.txt" -output "$WORK/lid" -dim 16 -minn 2 -maxn 4 -bucket 2000000 \
        -epoch 3 -thread "$(nproc)" -verbose 0
fi
[ -f "$WORK/docs-$DOCS.txt" ] || "$PY" tests/tools/classify_ref.py bench 6 "$DOCS" "$WORK/docs-$DOCS.jsonl" "$WORK/docs-$DOCS.txt"
cat >"$WORK/bench.yaml" <<YAML
reader: {plugin: jsonl, path: $WORK/docs-$DOCS.jsonl}
steps:
  - {plugin: classify, model: $WORK/lid.bin, k: 10}
writers: [jsonl]
YAML
echo "classify_bench: $DOCS documents ($(du -h "$WORK/docs-$DOCS.txt" | cut -f1) of text), model $(du -h "$WORK/lid.bin" | cut -f1); $(nproc) cores; medians of $RUNS runs"
CLI="sh -c 'exec fasttext predict-prob $WORK/lid.bin $WORK/docs-$DOCS.txt 10 >$WORK/cli.out'"
for j in 1 2; do
    farm-bench -n "$RUNS" --timeout 1200 --vs "$CLI" -- \
        sh -c "rm -rf $WORK/out-$j; exec $CONVERT -q -j $j -c $WORK/bench.yaml -o $WORK/out-$j" >"$WORK/farm-$j.txt" 2>&1
    cat "$WORK/farm-$j.txt"
    # the median wall seconds of A (convert) and B (the CLI), as farm-bench prints them
    "$PY" - "$WORK/farm-$j.txt" "$DOCS" "$j" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
med = lambda name: float(re.search(r"^" + re.escape(name) + r"\s+([\d.]+)\s+([\d.]+)", text, re.M).group(2))
a, b, ab = med("A wall s"), med("B wall s"), med("A/B wall")
n, j = int(sys.argv[2]), sys.argv[3]
print("RESULT -j %s: convert %.0f docs/s, fasttext predict-prob %.0f docs/s: %.2fx the CLI (median of paired runs; "
      "target >= %s)" % (j, n / a, n / b, 1 / ab, "0.8x" if j == "1" else "1.4x"))
PY
done
