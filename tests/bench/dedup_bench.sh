#!/usr/bin/env bash
# dedup_bench.sh -- dedup across shards against the single run of the same
# config: wall time and peak RSS of every phase, phase 1's rate per core,
# work-file bytes per document.  Run by hand; not part of the test suite.
#
#   bash tests/bench/dedup_bench.sh [SIZE] [SHARDS...]     (default: 1G, 1 4 8)
#
# Every run is repeated REPEAT times (default 3): wall times are medians, and
# the phase figures are those of the sharded run with the median wall time.
#
# The corpus (tests/tools/gen_dups.py: 8 .jsonl.gz files, 4% exact and 4%
# near copies across files, 2% templated pages) is made once under
# $BENCH_DIR (default /tmp/convert-bench).  Sharded runs use dist/shards.sh
# with JOBS=$(nproc) tasks at a time, -j 1 each; the single run uses -j
# $(nproc).  Each sharded run must keep exactly the single run's documents.
# Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE=${1:-1G}
shift || true
SHARDS=${*:-1 4 8}
WORK=${BENCH_DIR:-/tmp/convert-bench}
MEMORY=${MEMORY:-1G}
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
REAL=$PWD/build-bench/bin/convert
CORPUS=$WORK/dups-$SIZE
mkdir -p "$WORK"
[ -f "$CORPUS/part-007.jsonl.gz" ] || "$PY" tests/tools/gen_dups.py "$CORPUS" 8 "$SIZE" --seed 11
CFG=$WORK/dedup-bench.yaml
cat >"$CFG" <<'EOF'
reader:
  plugin: jsonl
  path: unused.jsonl
steps:
  - plugin: normalize
  - plugin: dedup
writers:
  - plugin: jsonl
EOF
# Every task's wall time and peak RSS, appended by a wrapper around convert.
LOG=$WORK/dedup-tasks.log
cat >"$WORK/timed-convert" <<EOF
#!/bin/sh
case " \$* " in *" --check "*|*" --verify "*) exec "$REAL" "\$@" ;; *" --phase "*) ;; *) exec "$REAL" "\$@" ;; esac
phase=\$(echo "\$*" | sed 's/.*--phase \([a-z]*\).*/\1/')
exec /usr/bin/time -a -o "$LOG" -f "\$phase %e %M" "$REAL" "\$@"
EOF
chmod +x "$WORK/timed-convert"

REPEAT=${REPEAT:-3}
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; } # the line with the median first field
: >"$WORK/single.times"
for _ in $(seq "$REPEAT"); do
    rm -rf "$WORK/dsingle"
    /usr/bin/time -a -o "$WORK/single.times" -f "%e %M" "$REAL" -q -c "$CFG" -i "$CORPUS/*.jsonl.gz" \
        -o "$WORK/dsingle" -j "$(nproc)"
done
single_s=$(cut -d' ' -f1 "$WORK/single.times" | median)
single_kb=$(cut -d' ' -f2 "$WORK/single.times" | sort -n | tail -1)
MB=$("$PY" -c "import json; print(json.load(open('$WORK/dsingle/report.json'))['bytes_read'] / 1e6)")
DOCS=$("$PY" -c "import json; print(json.load(open('$WORK/dsingle/report.json'))['read'])")
printf 'corpus: %.0f MB, %s documents, 8 files; single run -j %s: %.1f s (median of %d), peak %d MiB\n' "$MB" \
    "$DOCS" "$(nproc)" "$single_s" "$REPEAT" $((single_kb / 1024))
written() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['written'], sorted(j['dropped_by_reason'].items()))" "$1"; }

for n in $SHARDS; do
    out=$WORK/dshards-$n
    : >"$WORK/walls"
    for r in $(seq "$REPEAT"); do
        rm -rf "$out"
        : >"$LOG"
        t0=$(date +%s.%N)
        CONVERT=$WORK/timed-convert JOBS=$(nproc) THREADS=1 bash dist/shards.sh "$n" "$CFG" "$CORPUS/*.jsonl.gz" \
            "$out" --memory "$MEMORY" 2>"$WORK/shards-$n.err"
        wall=$(echo "$(date +%s.%N) - $t0" | bc)
        echo "$wall $r" >>"$WORK/walls"
        cp "$LOG" "$LOG.$r"
        same=$([ "$(written "$out/report.json")" = "$(written "$WORK/dsingle/report.json")" ] && echo equal || echo DIFFERENT)
        [ "$same" = equal ] || break
    done
    read -r wall r <<<"$(median <"$WORK/walls")"
    work=$(du -sb "$out/work" | cut -f1)
    printf '\n%d shards: %.1f s (median of %d: %.2fx the single run), result %s to the single run; work files %.0f MB (%.0f bytes per document)\n' \
        "$n" "$wall" "$(wc -l <"$WORK/walls")" "$(echo "$wall / $single_s" | bc -l)" "$same" \
        "$(echo "$work / 1000000" | bc -l)" "$(echo "$work / $DOCS" | bc -l)"
    for p in sign pairs collect decide apply merge; do
        awk -v p="$p" -v mb="$MB" '$1 == p { n++; s += $2; if ($3 > m) m = $3 }
            END { if (n) printf "  %-7s %2d task(s), %6.1f task-s, peak RSS %4d MiB%s\n", p, n, s, m / 1024,
                  p == "sign" ? sprintf(", %.1f MB/s per core", mb / s) : "" }' "$LOG.$r"
    done
    grep -h phases "$WORK/shards-$n.err" || true
done
