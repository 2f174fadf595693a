#!/usr/bin/env bash
# html_bench.sh -- HTML extraction: precision, recall and F1 on the web-dev
# set (../shared/web-dev, 1,033 pages with labelled segments), and MB/s of
# HTML per core, for convert's html step alone and for config/html.yaml,
# with readability-lxml (Debian's python3-readability) on the same pages in
# the same run as the peer.  Run by hand; not part of the test suite.
#
#   bash tests/bench/html_bench.sh          BENCH_REPEAT=N: medians of N timed runs
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
SET=${WEBDEV:-$SRC/../shared/web-dev/trafilatura-eval.tar.zst}
[ -f "$SET" ] || { echo "skip: no web-dev set at $SET (set WEBDEV=path/to/trafilatura-eval.tar.zst)" >&2; exit 0; }
PY=/usr/bin/python3
$PY -c "import readability" 2>/dev/null || { echo "needs python3-readability (apt-get install python3-readability)" >&2; exit 2; }
WORK=${BENCH_DIR:-/tmp/convert-html-bench}
REPEAT=${BENCH_REPEAT:-3}
rm -rf "$WORK" && mkdir -p "$WORK"
tar --zstd -xf "$SET" -C "$WORK"
DATA=$(dirname "$(find "$WORK" -name evaldata.json | head -1)")
HTML=$DATA/html
MB=$(du -cb "$HTML"/* | tail -1 | awk '{printf "%.1f", $1 / 1e6}')
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=build-bench/bin/convert

cat >"$WORK/step.yaml" <<YAML
reader: {plugin: archive, path: $HTML, include: ["*.html", "*.htm"]}
steps:
  - {plugin: html, hints: $SRC/config/html/hints.yaml}
writers: [jsonl]
YAML
# seconds of a run: the report's, which excludes the process start
secs() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$1/report.json"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$WORK/step1.t" >"$WORK/full1.t" >"$WORK/full2.t" >"$WORK/peer.t"
for i in $(seq "$REPEAT"); do
    rm -rf "$WORK/o"; $CONVERT -q -c "$WORK/step.yaml" -o "$WORK/o" -j 1; secs "$WORK/o" >>"$WORK/step1.t"
    cp "$WORK/o/train.jsonl" "$WORK/step.jsonl"
    rm -rf "$WORK/f1"; $CONVERT -q -c config/html.yaml -i "$HTML" -o "$WORK/f1" -j 1; secs "$WORK/f1" >>"$WORK/full1.t"
    rm -rf "$WORK/f2"; $CONVERT -q -c config/html.yaml -i "$HTML" -o "$WORK/f2" -j 2; secs "$WORK/f2" >>"$WORK/full2.t"
    $PY tests/bench/readability_peer.py "$HTML" "$WORK/peer.jsonl" >>"$WORK/peer.t"
done
$PY -c '
import json, sys
with open(sys.argv[2], "w") as o:
    for l in open(sys.argv[1]):
        d = json.loads(l); o.write(json.dumps({"file": d["id"], "text": d["text"]}) + "\n")
' "$WORK/step.jsonl" "$WORK/convert.jsonl"
echo "web-dev: $(ls "$HTML" | wc -l) pages, $MB MB of HTML; medians of $REPEAT runs"
$PY tests/bench/html_score.py "$DATA/evaldata.json" "$WORK/convert.jsonl" "convert html step"
$PY tests/bench/html_score.py "$DATA/evaldata.json" "$WORK/peer.jsonl" "readability-lxml  "
s1=$(median <"$WORK/step1.t"); f1=$(median <"$WORK/full1.t"); f2=$(median <"$WORK/full2.t"); p=$(median <"$WORK/peer.t")
awk -v mb="$MB" -v s1="$s1" -v f1="$f1" -v f2="$f2" -v p="$p" 'BEGIN {
    printf "html step alone, -j 1:          %6.2f s  %6.1f MB/s  %5.1fx readability-lxml\n", s1, mb / s1, p / s1
    printf "config/html.yaml, -j 1:         %6.2f s  %6.1f MB/s  %5.1fx readability-lxml\n", f1, mb / f1, p / f1
    printf "config/html.yaml, -j 2:         %6.2f s  %6.1f MB/s  -j 2 / -j 1: %.2fx\n", f2, mb / f2, f1 / f2
    printf "readability-lxml (one core):    %6.2f s  %6.1f MB/s\n", p, mb / p
}'
