#!/usr/bin/env bash
# parquet_bench.sh -- MB/s of text from a FineWeb-shaped ZSTD Parquet file to
# JSONL: convert's parquet reader and jsonl writer (-j 1) beside DuckDB's own
# COPY ... TO 'x.jsonl' on one thread, run in turn in the same call
# (farm-bench: medians of RUNS runs, the ratio pair by pair).  Run by hand;
# not part of the test suite.
#
#   bash tests/bench/parquet_bench.sh [ROWS]      (default 40000: ~130 MB of text)
#
# Needs tests/tools/node's npm packages (npm ci there) and farm-bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-40000}
RUNS=${RUNS:-5}
WORK=${BENCH_DIR:-/tmp/convert-bench}/parquet
mkdir -p "$WORK"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=$PWD/build-bench/bin/convert
PEER="node $PWD/tests/tools/node/parquet_bench_peer.mjs"
FILE=$WORK/fineweb-$ROWS.parquet
[ -f "$FILE.bytes" ] || $PEER MAKE "$FILE" "$ROWS" "$PWD/seeds" >"$FILE.bytes"
TEXT=$(cat "$FILE.bytes")
printf 'reader: {plugin: parquet}\nwriters:\n  - plugin: jsonl\n' >"$WORK/read.yaml"
echo "input: $FILE, $(du -m "$FILE" | cut -f1) MB on disk, $ROWS rows, $TEXT bytes of text"
# Both sides must agree on what they read before their speed means anything.
rm -rf "$WORK/out"
"$CONVERT" -q -j 1 -c "$WORK/read.yaml" -i "$FILE" -o "$WORK/out"
[ "$(wc -l <"$WORK/out/train.jsonl")" -eq "$ROWS" ] || { echo "convert read $(wc -l <"$WORK/out/train.jsonl") rows, not $ROWS" >&2; exit 1; }
farm-bench -n "$RUNS" --timeout 1800 \
    --vs "sh -c 'exec $PEER COPY $FILE $WORK/duck.jsonl'" \
    -- sh -c "rm -rf $WORK/out && exec $CONVERT -q -j 1 -c $WORK/read.yaml -i $FILE -o $WORK/out" | tee "$WORK/bench.txt"
# MB/s of text from the median wall and cpu times (A: convert, B: DuckDB).
awk -v text="$TEXT" '
    $1 == "A" && $2 == "wall" { aw = $5 } $1 == "B" && $2 == "wall" { bw = $5 }
    $1 == "A" && $2 == "cpu" { ac = $5 } $1 == "B" && $2 == "cpu" { bc = $5 }
    END { printf "MB/s of text (median wall): convert %.1f, DuckDB %.1f; convert/DuckDB speed %.2fx (by cpu: %.2fx)\n",
                 text / 1e6 / aw, text / 1e6 / bw, bw / aw, bc / ac }' "$WORK/bench.txt"
