#!/usr/bin/env bash
# peers_bench.sh -- convert against the tools a user would pick instead,
# datatrove 0.10.0 (with trafilatura 2.2.0 inside), in the same run on the
# same input, one worker each, medians of REPEAT runs (default 3), and the
# ratios.  Run by hand; not part of the test suite.
#
#   bash tests/bench/peers_bench.sh            REPEAT=N, PEERS=DIR (default /tmp/convert-peers)
#
#  web      the 1,033 pages of ../shared/web-dev, read in place: config/html.yaml (html, normalize,
#           boilerplate, quality, langid, dedup, JSONL + Parquet) against datatrove_pipe.py --extract
#           (JsonlReader, Trafilatura, GopherRepetition, GopherQuality, C4Quality, FineWebQuality, JsonlWriter)
#  filters  the article text convert's html step takes from those pages, 7 copies (~40 MB, mostly English):
#           normalize + quality (Gopher, C4, FineWeb rules) against datatrove_pipe.py (the same four filters)
#  minhash  20 MB of news-like text with planted near copies (tests/tools/gen_dups.py): dedup against
#           datatrove_minhash.py (signatures, buckets, clusters, filter)
#
# Each convert run follows one not counted and is paired with a -j 2 run: the bench prints that ratio too
# (target 1.7x) and checks that both wrote the same documents.
#
# Both sides read and write uncompressed JSONL where they can.  convert's time is the wall time of the
# whole process; datatrove's is the one its scripts print (executor.run() only: the interpreter's start
# and the imports are left out, which flatters it).  The peers come from ../shared/peers (setup.sh
# installs Debian python3-* packages and unpacks their sources); the benchmark skips with a message
# where that or web-dev is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
SHARED=${SHARED:-$SRC/../shared}
[ -d "$SHARED" ] || [ ! -d "$SRC/../../shared" ] || SHARED=$SRC/../../shared # a worktree one level down
[ -f "$SHARED/peers/setup.sh" ] || { echo "skip: no peers at $SHARED/peers (set SHARED=...)"; exit 0; }
SET=$SHARED/web-dev/trafilatura-eval.tar.zst
[ -f "$SET" ] || { echo "skip: no web-dev set at $SET"; exit 0; }
PEERS=${PEERS:-/tmp/convert-peers}
WORK=${BENCH_DIR:-/tmp/convert-peers-bench}
REPEAT=${REPEAT:-3}
PY=/usr/bin/python3

[ -f "$PEERS/env.sh" ] || bash "$SHARED/peers/setup.sh" "$PEERS" >/dev/null
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=$SRC/build-bench/bin/convert

rm -rf "$WORK" && mkdir -p "$WORK/set"
tar --zstd -xf "$SET" -C "$WORK/set"
HTML=$(dirname "$(find "$WORK/set" -name evaldata.json | head -1)")/html
# The pages as JSONL for datatrove's reader (not timed), decoded as trafilatura's own loader would.
$PY - "$HTML" "$WORK/pages.jsonl" <<'PY'
import json, os, sys
sys.path = [p for p in sys.path if p]
with open(sys.argv[2], "w") as o:
    for name in sorted(os.listdir(sys.argv[1])):
        raw = open(os.path.join(sys.argv[1], name), "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        o.write(json.dumps({"id": name, "text": text}) + "\n")
PY
# Article text: what convert's html step extracts, seven times over (ids made distinct).
cat >"$WORK/step.yaml" <<YAML
reader: {plugin: archive, path: $HTML, include: ["*.html", "*.htm"]}
steps:
  - {plugin: html, hints: $SRC/config/html/hints.yaml}
writers: [jsonl]
YAML
"$CONVERT" -q -c "$WORK/step.yaml" -o "$WORK/step" -j 2
$PY - "$WORK/step/train.jsonl" "$WORK/articles.jsonl" <<'PY'
import json, sys
docs = [json.loads(line) for line in open(sys.argv[1])]
with open(sys.argv[2], "w") as o:
    for r in range(7):
        for d in docs:
            o.write(json.dumps({"id": f"{d['id']}#{r}", "text": d["text"]}, ensure_ascii=False) + "\n")
PY
$PY tests/tools/gen_dups.py "$WORK/dups" 1 20M --seed 11 >/dev/null
gzip -dc "$WORK/dups/part-000.jsonl.gz" >"$WORK/dups.jsonl"

cat >"$WORK/filters.yaml" <<YAML
reader: {plugin: jsonl, path: $WORK/articles.jsonl}
steps:
  - {plugin: normalize}
  - {plugin: quality, stop_words: $SRC/config/quality/stopwords.yaml, c4_rules: $SRC/config/quality/c4.yaml}
writers: [jsonl]
YAML
cat >"$WORK/minhash.yaml" <<YAML
reader: {plugin: jsonl, path: $WORK/dups.jsonl}
steps:
  - {plugin: dedup}
writers: [jsonl]
YAML

# conv NAME ARGS...: convert's wall and CPU (user + system) seconds, appended to NAME.t and NAME.cpu
# (JOBS workers, default 1).  The wall to the tenth of a millisecond (time(1)'s %e has hundredths: on the
# MinHash run's tenth of a second at -j 2 that was the -j 2 ratio's second digit).
conv() {
    local name=$1
    shift
    rm -rf "$WORK/out-$name"
    local t0=$EPOCHREALTIME
    /usr/bin/time -o "$WORK/$name.tt" -f "%e %U %S" "$CONVERT" -q "$@" -o "$WORK/out-$name" -j "${JOBS:-1}"
    local t1=$EPOCHREALTIME
    awk -v t0="$t0" -v t1="$t1" '{printf "%.4f\n", t1 - t0 >>"'"$WORK/$name.t"'"; print $2 + $3 >>"'"$WORK/$name.cpu"'"}' \
        "$WORK/$name.tt"
}
# peer NAME SCRIPT ARGS...: the wall seconds the peer's script prints (its pipeline's run only) to NAME.t,
# the CPU seconds of its whole process (start-up and imports too) to NAME.cpu
peer() {
    local name=$1 script=$2
    shift 2
    rm -rf "$WORK/out-$name"
    (. "$PEERS/env.sh" && /usr/bin/time -o "$WORK/$name.tt" -f "%e %U %S" $PY "$PEERS/$script" "$@" "$WORK/out-$name") \
        >"$WORK/$name.log" 2>&1 || { echo "$name failed:"; tail -20 "$WORK/$name.log"; exit 1; }
    grep 'wall seconds' "$WORK/$name.log" | tail -1 | grep -Eo '[0-9.]+$' >>"$WORK/$name.t"
    awk '{print $2 + $3}' "$WORK/$name.tt" >>"$WORK/$name.cpu"
}
for f in web filters minhash; do
    : >"$WORK/$f.t" >"$WORK/$f.cpu" >"$WORK/${f}_peer.t" >"$WORK/${f}_peer.cpu" >"$WORK/${f}_j2.t" >"$WORK/${f}_j2.cpu"
done
# pair NAME ARGS...: convert at -j 1 and at -j 2 back to back, so that each pair sees the same machine,
# after a run not counted (the first run after a peer's long one is up to 0.06 s slower, a quarter of the
# MinHash run); which goes first alternates run by run.
pair() {
    local name=$1
    shift
    JOBS=1 conv "${name}_warm" "$@"
    if [ $((run % 2)) = 1 ]; then
        conv "$name" "$@"
        JOBS=2 conv "${name}_j2" "$@"
    else
        JOBS=2 conv "${name}_j2" "$@"
        conv "$name" "$@"
    fi
}
for run in $(seq "$REPEAT"); do
    pair web -c config/html.yaml -i "$HTML"
    peer web_peer datatrove_pipe.py "$WORK/pages.jsonl" --extract
    pair filters -c "$WORK/filters.yaml"
    peer filters_peer datatrove_pipe.py "$WORK/articles.jsonl"
    pair minhash -c "$WORK/minhash.yaml"
    peer minhash_peer datatrove_minhash.py "$WORK/dups.jsonl"
done

median() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
mb() { du -cb "$@" | tail -1 | awk '{printf "%.1f", $1 / 1e6}'; }
kept() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["written"])' "$WORK/out-$1/report.json"; }
peer_kept() { cat "$WORK/out-$1"/output/*.jsonl "$WORK/out-$1"/deduplicated/*.jsonl 2>/dev/null | wc -l; }
echo "peers_bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg); one worker each (convert -j 1), medians of $REPEAT runs"
echo "  wall: convert's whole process, datatrove's executor.run(); CPU: user + system of each whole process"
printf '%-8s %-32s %16s %16s %8s %8s   %s\n' work input "convert wall/CPU" "datatrove w/CPU" "wall x" "CPU x" \
    "kept: convert / datatrove"
row() { # row NAME INPUT TARGET
    local c p cc pc
    c=$(median "$WORK/$1.t") p=$(median "$WORK/$1_peer.t")
    cc=$(median "$WORK/$1.cpu") pc=$(median "$WORK/$1_peer.cpu")
    printf '%-8s %-32s %7.2fs %7.2fs %7.2fs %7.2fs %7.1fx %7.1fx   %s / %s  (target >= %sx)\n' "$1" "$2" "$c" "$cc" \
        "$p" "$pc" "$(echo "$p / $c" | bc -l)" "$(echo "$pc / $cc" | bc -l)" "$(kept "$1")" "$(peer_kept "$1_peer")" "$3"
}
row web "$(ls "$HTML" | wc -l) pages, $(mb "$HTML") MB HTML" 15
row filters "$(wc -l <"$WORK/articles.jsonl") texts, $(mb "$WORK/articles.jsonl") MB" 20
row minhash "$(wc -l <"$WORK/dups.jsonl") texts, $(mb "$WORK/dups.jsonl") MB" 50
echo "-j 2 over -j 1, the same inputs (wall, medians of $REPEAT; target >= 1.7x), and whether the outputs are the same:"
for f in web filters minhash; do
    same=identical
    for o in train.jsonl dropped.jsonl; do
        cmp -s "$WORK/out-$f/$o" "$WORK/out-${f}_j2/$o" || same="DIFFER ($o)"
    done
    printf '  %-8s %7.3fs -> %7.3fs  %5.2fx   CPU %7.2fs -> %7.2fs   outputs %s\n' "$f" "$(median "$WORK/$f.t")" \
        "$(median "$WORK/${f}_j2.t")" "$(echo "$(median "$WORK/$f.t") / $(median "$WORK/${f}_j2.t")" | bc -l)" \
        "$(median "$WORK/$f.cpu")" "$(median "$WORK/${f}_j2.cpu")" "$same"
done
echo "datatrove's own split of the web run (last run):"
sed -n '/^word tokenizer/,$p' "$WORK/web_peer.log" | grep -E '^  ' | sed 's/^/  /'
