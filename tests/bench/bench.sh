#!/usr/bin/env bash
# bench.sh -- throughput and memory of convert against the decompression
# floor, on a synthetic corpus.  Run by hand; it is not part of the test
# suite.  The comparison with other tools is peers_bench.sh's.
#
#   bash tests/bench/bench.sh [SIZE]
#
# SIZE: uncompressed corpus size (default 200M; 1G for the full benchmark).
# BENCH_REPEAT=N runs every measurement N times,
# interleaved (the machine's speed may drift), and reports medians.  Needs
# bsdtar (libarchive-tools) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE=${1:-200M}
WORK=${BENCH_DIR:-/tmp/convert-bench}
REPEAT=${BENCH_REPEAT:-1}
mkdir -p "$WORK"
command -v bsdtar >/dev/null || { echo "needs bsdtar: apt-get install libarchive-tools" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=build-bench/bin/convert
CORPUS="$WORK/corpus-$SIZE.tar.gz"
[ -f "$CORPUS" ] || "$PY" tests/bench/gen_corpus.py "$SIZE" "$CORPUS"
MB=$(bsdtar -xOf "$CORPUS" | wc -c | awk '{printf "%.1f", $1 / 1e6}')
DOCS=$(bsdtar -tf "$CORPUS" | grep -c '\.txt$')

# measure NAME CMD...: appends seconds and peak RSS (KB) to $WORK/NAME.time
# Outputs go to empty folders: replacing an earlier run's files would add the
# kernel's work of dropping them to the figures.  They are removed after the
# run too (its report.json is kept as $WORK/NAME.report.json): with earlier
# runs' gigabytes left in the page cache, a virtual machine that hands free
# memory back to its host makes every new page of output a fault on the host,
# and the copy into the page cache went from ~1% to ~15% of a run's samples.
measure() {
    local name=$1
    shift
    rm -rf "$WORK/out-$name"
    /usr/bin/time -a -f "%e %M" -o "$WORK/$name.time" "$@" >/dev/null 2>"$WORK/$name.err" || {
        echo "$name failed:" >&2
        cat "$WORK/$name.err" >&2
        exit 1
    }
    [ ! -f "$WORK/out-$name/report.json" ] || cp "$WORK/out-$name/report.json" "$WORK/$name.report.json"
    rm -rf "$WORK/out-$name"
}

cat >"$WORK/clean.yaml" <<YAML
reader: {plugin: archive, path: $CORPUS}
steps:
  - plugin: normalize
  - plugin: boilerplate
    rules: $PWD/config/boilerplate
writers: [jsonl]
YAML
# What bounds the clean pipeline: the same run with one rule that never
# matches, and decompressing into a synced file (a durable dataset's floor).
mkdir -p "$WORK/norules"
printf 'rules:\n  - name: never\n    pattern: "^zzz never zzz$"\n' >"$WORK/norules/never.yaml"
sed "s|rules: .*|rules: $WORK/norules|" "$WORK/clean.yaml" >"$WORK/norules.yaml"

rm -f "$WORK"/*.time
for ((i = 0; i < REPEAT; i++)); do
    measure floor bsdtar -xOf "$CORPUS"
    measure clean_j1 "$CONVERT" -q -c "$WORK/clean.yaml" -o "$WORK/out-clean_j1" -j 1
    measure clean_j2 "$CONVERT" -q -c "$WORK/clean.yaml" -o "$WORK/out-clean_j2" -j 2
    measure norules_j2 "$CONVERT" -q -c "$WORK/norules.yaml" -o "$WORK/out-norules_j2" -j 2
    measure floor_write sh -c 'bsdtar -xOf "$1" >"$2" && sync "$2" && rm -f "$2"' - "$CORPUS" "$WORK/floor.out"
    measure full_j1 "$CONVERT" -q -c config/example.yaml -i "$CORPUS" -o "$WORK/out-full_j1" -j 1
    measure full_j2 "$CONVERT" -q -c config/example.yaml -i "$CORPUS" -o "$WORK/out-full_j2" -j 2
done

"$PY" - "$WORK" "$MB" "$DOCS" "$REPEAT" <<'PY'
import sys, json, statistics
work, mb, docs, repeat = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def t(name):  # median seconds, largest peak RSS
    runs = [line.split() for line in open(f"{work}/{name}.time") if line.strip()]
    return statistics.median(float(s) for s, _ in runs), max(int(kb) for _, kb in runs)
rows = [("floor: bsdtar -xOf", *t("floor")), ("read+normalize+boilerplate+jsonl -j1", *t("clean_j1")),
        ("read+normalize+boilerplate+jsonl -j2", *t("clean_j2")),
        ("full default pipeline -j1", *t("full_j1")), ("full default pipeline -j2", *t("full_j2"))]
rep = json.load(open(f"{work}/full_j1.report.json"))
print(f"corpus: {docs} documents, {mb:.1f} MB of text; full pipeline kept {rep['written']}, dropped {rep['dropped']}")
if repeat > 1:
    print(f"medians of {repeat} interleaved runs")
print(f"{'run':42} {'seconds':>8} {'docs/s':>9} {'MB/s':>8} {'peak RSS':>9}")
for name, s, kb in rows:
    print(f"{name:42} {s:8.2f} {docs / s:9.0f} {mb / s:8.1f} {kb / 1024:7.1f}MB")
floor, clean, clean2, f1, f2 = (row[1] for row in rows)
print(f"clean pipeline -j1 / floor:        {clean / floor:6.1f}x the time   (target <= 2x)")
print(f"clean pipeline -j2 / floor:        {clean2 / floor:6.1f}x the time")
print(f"  for scale: the same without rules -j2 {t('norules_j2')[0] / floor:4.1f}x; "
      f"decompressing into a synced file {t('floor_write')[0] / floor:4.1f}x")
print(f"-j2 speedup over -j1:              {f1 / f2:6.2f}x            (target >= 1.7x)")
if repeat > 1:  # runs i of -j 1 and -j 2 ran back to back: their ratio sees the same machine
    pairs = [float(a.split()[0]) / float(b.split()[0]) for a, b in
             zip(open(f"{work}/full_j1.time").read().split("\n"), open(f"{work}/full_j2.time").read().split("\n")) if a]
    print(f"  the same, median of the {len(pairs)} run pairs: {statistics.median(pairs):.2f}x "
          f"(pairs: {', '.join(f'{p:.2f}' for p in pairs)})")
PY
