#!/usr/bin/env bash
# dump_bench.sh -- what convert keeps of real articles, for both shapes a
# page reaches it in, on the web-dev set (../shared/web-dev, 1,033 labelled
# pages), with trafilatura 2.2.0 (../shared/peers) on the same pages in the
# same run:
#   HTML   the pages through the html step, then normalize (the issue's
#          measure of extraction; the work list compares with it), the
#          html step alone, and config/html.yaml;
#   dumps  the pages' text dumps (tests/bench/html_dump.py: all visible text,
#          a block element a line, as WET files and the seeds hold it)
#          through config/html.yaml's steps after html (normalize,
#          boilerplate with main_run as the text configs set it, langid,
#          quality);
#   with   each page's labelled main-text segments, one a line: real content
#          only, through langid and quality.  Web-dev labels a few snippets a
#          page, so min_words drops nearly all of these: the row's use is
#          which other rules fire on text that is all real content.
# It prints F1 over the labelled segments (a dropped page scores as empty),
# the real articles each shape drops by reason, each quality rule's drops
# alone, and the pages where trafilatura wins by 0.5 F1 or more (the work
# list).  Run by hand; not part of the test suite.
#
#   bash tests/bench/dump_bench.sh      PEERS=dir: where the peers are set up (default /tmp/peers)
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
SET=${WEBDEV:-}
for c in "$SRC/../shared/web-dev/trafilatura-eval.tar.zst" "$SRC/../../shared/web-dev/trafilatura-eval.tar.zst"; do
    [ -n "$SET" ] || [ ! -f "$c" ] || SET=$c
done
[ -f "${SET:-}" ] || { echo "skip: no web-dev set (set WEBDEV=path/to/trafilatura-eval.tar.zst)" >&2; exit 0; }
PY=/usr/bin/python3
WORK=${BENCH_DIR:-/tmp/convert-dump-bench}
PEERS=${PEERS:-/tmp/peers}
rm -rf "$WORK" && mkdir -p "$WORK"
tar --zstd -xf "$SET" -C "$WORK"
DATA=$(dirname "$(find "$WORK" -name evaldata.json | head -1)")
HTML=$DATA/html
EVAL=$DATA/evaldata.json
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=build-bench/bin/convert
$CONVERT --describe quality >"$WORK/describe.txt"

# The inputs: dumps, and the labelled segments as documents.
$PY tests/bench/html_dump.py "$HTML" "$WORK/dumps.jsonl"
$PY - "$EVAL" "$WORK/with.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as o:
    for item in json.load(open(sys.argv[1], encoding="utf-8")).values():
        if item.get("with"):
            o.write(json.dumps({"id": item["file"], "text": "\n".join(item["with"])}, ensure_ascii=False) + "\n")
PY

# config/html.yaml's steps from normalize on, for the other shapes;
# annotate: true writes every rule's value instead of dropping.
steps_after_html() { # $1: quality's extra option line, or ""; $2: boilerplate's extra options
    cat <<YAML
  - {plugin: normalize, repair_lookalikes: true}
  - {plugin: boilerplate, rules: $SRC/config/boilerplate${2:-}}
  - {plugin: langid}
  - plugin: quality
    stop_words: $SRC/config/quality/stopwords.yaml
    c4_rules: $SRC/config/quality/c4.yaml
$1
YAML
}
run() { # name, reader line, steps...
    local name=$1 reader=$2
    shift 2
    { echo "reader: $reader"; echo "steps:"; printf '%s\n' "$@"; echo "writers: [jsonl]"; } >"$WORK/$name.yaml"
    rm -rf "$WORK/$name"
    $CONVERT -q -c "$WORK/$name.yaml" -o "$WORK/$name" -j 1
}
HTML_READER="{plugin: archive, path: $HTML, include: [\"*.html\", \"*.htm\"]}"
HTML_STEP="  - {plugin: html, hints: $SRC/config/html/hints.yaml}"
rm -rf "$WORK/html"
$CONVERT -q -c config/html.yaml -i "$HTML" -o "$WORK/html" -j 1
run html_step "$HTML_READER" "$HTML_STEP"
# the issue's measure of extraction: html, then normalize (NFC, soft hyphens out, as the labels are written)
run html_norm "$HTML_READER" "$HTML_STEP" "  - {plugin: normalize}"
run html_annot "$HTML_READER" "$HTML_STEP" "$(steps_after_html "    annotate: true")"
# Dumps: main_run on, as in the shipped configs for text (example.yaml, pretrain-jsonl.yaml).
MR=", main_run: true"
run dumps "{plugin: jsonl, path: $WORK/dumps.jsonl}" "$(steps_after_html "" "$MR")"
run dumps_annot "{plugin: jsonl, path: $WORK/dumps.jsonl}" "$(steps_after_html "    annotate: true" "$MR")"
run dumps_bp "{plugin: jsonl, path: $WORK/dumps.jsonl}" "$(steps_after_html "" "$MR" | head -2)"
QUALITY="  - {plugin: quality, stop_words: $SRC/config/quality/stopwords.yaml, c4_rules: $SRC/config/quality/c4.yaml"
run with "{plugin: jsonl, path: $WORK/with.jsonl}" "  - {plugin: langid}" "$QUALITY}"
run with_annot "{plugin: jsonl, path: $WORK/with.jsonl}" "  - {plugin: langid}" "$QUALITY, annotate: true}"

PEER=()
if [ ! -f "$PEERS/env.sh" ] && [ -f "$SRC/../shared/peers/setup.sh" ]; then
    bash "$SRC/../shared/peers/setup.sh" "$PEERS" >/dev/null 2>&1 || true
fi
if [ -f "$PEERS/env.sh" ]; then
    (. "$PEERS/env.sh" && $PY "$PEERS/traf_extract.py" "$HTML" "$WORK/trafilatura.json" >"$WORK/trafilatura.log" 2>&1)
    PEER=("trafilatura 2.2.0=$WORK/trafilatura.json")
else
    echo "note: no peers at $PEERS (bash ../shared/peers/setup.sh $PEERS): trafilatura left out" >&2
fi

echo "web-dev: $(ls "$HTML" | wc -l) pages, $(jq length "$EVAL" 2>/dev/null || $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$EVAL") labelled; one run each, -j 1"
$PY tests/bench/dump_score.py "$EVAL" \
    "html + normalize=$WORK/html_norm/train.jsonl" \
    "html step=$WORK/html_step/train.jsonl" \
    "HTML, config/html.yaml=$WORK/html/train.jsonl" \
    "dumps, raw=$WORK/dumps.jsonl" \
    "dumps, normalize + boilerplate=$WORK/dumps_bp/train.jsonl" \
    "dumps, + quality=$WORK/dumps/train.jsonl" \
    "with segments, quality=$WORK/with/train.jsonl" \
    "${PEER[@]}" \
    --drops "HTML, config/html.yaml=$WORK/html/dropped.jsonl" \
    --drops "dumps, + quality=$WORK/dumps/dropped.jsonl" \
    --drops "with segments, quality=$WORK/with/dropped.jsonl" \
    --rules "HTML=$WORK/html_annot/train.jsonl" "$WORK/describe.txt" \
    --rules "dumps=$WORK/dumps_annot/train.jsonl" "$WORK/describe.txt" \
    --rules "with segments=$WORK/with_annot/train.jsonl" "$WORK/describe.txt" \
    ${PEER:+--worse-than "trafilatura 2.2.0"}
if [ -f "$WORK/trafilatura.json" ]; then
    $PY - "$WORK/html_step/report.json" "$WORK/trafilatura.log" <<'PY'
import json, re, sys
ours = json.load(open(sys.argv[1]))["seconds"]
m = re.search(r"in ([\d.]+) s", open(sys.argv[2]).read())
if m:
    print(f"html step alone {ours:.2f} s, trafilatura {float(m.group(1)):.2f} s: {float(m.group(1)) / ours:.1f}x "
          "(one run each; tests/bench/html_bench.sh takes medians)")
PY
fi
