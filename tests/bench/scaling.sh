#!/usr/bin/env bash
# scaling.sh -- is every step linear in the size of one document?  Each step
# alone is fed the same bytes three ways: 100 documents of 10k lines, 10 of
# 100k, 1 of 1M (and the html step 100 pages of 10k paragraphs, attributes
# on one element, or levels of nesting, 10 of 100k, 1 of 1M).  A linear step
# takes the same time for the three; the table prints each size's time over
# the smaller one's, which is the time ratio between document sizes divided
# by the size ratio (10): target <= 1.3.  Run by hand; not part of the suite.
#
#   bash tests/bench/scaling.sh [STEP...]      (default: every step)
#
# Times are CPU seconds (user + system: the machine may be shared) of the
# step's run less those of a run without steps on the same input (reading
# and writing), medians of REPEAT runs (default 3).  A run longer than
# TIMEOUT seconds (default 120) is stopped and shown as such: quadratic.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
WORK=${BENCH_DIR:-/tmp/convert-scaling}
REPEAT=${REPEAT:-3}
TIMEOUT=${TIMEOUT:-120}
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
STEPS=${*:-normalize dates boilerplate quality dedup langid segment ner split html:paragraphs html:attributes html:nesting}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=$SRC/build-bench/bin/convert
mkdir -p "$WORK"

# The inputs: one JSONL file per kind and size, the same bytes for the three sizes.
"$PY" - "$WORK" <<'PY'
import json, os, random, sys
work = sys.argv[1]
WORDS = ("время год человек день жизнь мир страна город вода закон суд партия выборы бюджет министр народ "
         "час рік людина день життя світ країна місто вода закон суд партія вибори бюджет міністр народ "
         "time year people way day world school state family group country problem part place week company "
         "system program question government number night point home water room area money story month").split()
rng = random.Random(7)
def line(i):
    w = [rng.choice(WORDS) for _ in range(rng.randint(5, 9))]
    return f"{w[0].capitalize()} {' '.join(w[1:])} {i % 997}."
def write(name, docs):
    path = f"{work}/{name}.jsonl"
    if os.path.exists(path):
        return
    with open(path + ".tmp", "w") as o:
        for k, text in enumerate(docs):
            o.write(json.dumps({"id": f"{name}-{k}", "text": text}, ensure_ascii=False) + "\n")
    os.rename(path + ".tmp", path)
N = 1_000_000
lines = [line(i) + ("\n" if i % 5 == 4 else "") for i in range(N)]  # a blank line ends a paragraph
paras = [f"<p>{line(i)}</p>" for i in range(N)]
for size in (10_000, 100_000, 1_000_000):
    tag = f"{size // 1000}k"
    n = N // size
    write(f"lines-{tag}", ("\n".join(lines[k * size:(k + 1) * size]) for k in range(n)))
    write(f"paragraphs-{tag}", ("<html><body>" + "\n".join(paras[k * size:(k + 1) * size]) + "</body></html>"
                                for k in range(n)))
    body = "<p>" + " ".join(line(i) for i in range(40)) + "</p>"
    write(f"attributes-{tag}", ("<html><body><div " + " ".join(f'data-a{i}="{k}"' for i in range(size)) + ">" +
                                body + "</div></body></html>" for k in range(n)))
    write(f"nesting-{tag}", ("<html><body>" + "<div>" * size + body + "</div>" * size + "</body></html>"
                             for k in range(n)))
PY

# The step's options, as config/example.yaml and config/html.yaml give them; quality annotates
# (nothing dropped, every value measured) and langid keeps every language.
options() {
    case $1 in
    normalize) echo "repair_lookalikes: true" ;;
    dates) echo "rules: $SRC/config/dates/dates.yaml" ;;
    boilerplate) echo "rules: $SRC/config/boilerplate" ;;
    quality) echo "{stop_words: $SRC/config/quality/stopwords.yaml, c4_rules: $SRC/config/quality/c4.yaml, annotate: true}" ;;
    dedup) echo "{ngram: 5, bands: 64, rows: 2, measure: containment, threshold: 0.6}" ;;
    segment) echo "abbreviations: $SRC/config/segment/abbreviations.yaml" ;;
    ner) echo "gazetteer: $SRC/config/ner/gazetteer.yaml" ;;
    html) echo "hints: $SRC/config/html/hints.yaml" ;;
    *) echo "{}" ;;
    esac
}
config() { # config STEP INPUT: a config running STEP alone (none: no step) on INPUT
    local o
    o=$(options "$1")
    o=${o#\{} o=${o%\}}
    {
        echo "reader: {plugin: jsonl, path: $2, max_doc_bytes: 1G}"
        if [ "$1" = none ]; then echo "steps: []"; else echo "steps: [{plugin: $1${o:+, $o}}]"; fi
        echo "writers: [jsonl]"
    } >"$WORK/$1.yaml"
}
# cpu STEP INPUT: median CPU seconds of REPEAT runs, or "timeout"
cpu() {
    config "$1" "$2"
    : >"$WORK/t"
    for _ in $(seq "$REPEAT"); do
        rm -rf "$WORK/out"
        # convert stops at SIGTERM only between documents: KILL follows
        if ! /usr/bin/time -o "$WORK/tt" -f "%U %S" timeout -k 5 "$TIMEOUT" "$CONVERT" -q -c "$WORK/$1.yaml" \
            -o "$WORK/out" -j 1 2>"$WORK/err"; then
            grep -q 'status 124\|status 137\|signal 9' "$WORK/tt" && { echo timeout; return; }
            echo "$1 on $2 failed:" >&2
            cat "$WORK/err" >&2
            exit 1
        fi
        awk '{print $1 + $2}' "$WORK/tt" >>"$WORK/t"
    done
    sort -g "$WORK/t" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

echo "scaling: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
echo "CPU seconds of the step (less reading and writing), the same bytes as 100 x 10k, 10 x 100k, 1 x 1M; medians of $REPEAT"
printf '%-24s %9s %9s %9s %12s %12s\n' step 10k 100k 1M "100k/10k" "1M/100k"
declare -A floor
ratio() {
    case "$1 $2" in *timeout*) echo "-" ;; *) awk -v a="$1" -v b="$2" 'BEGIN {
        if (a < 0.05) a = 0.05; if (b < 0.05) b = 0.05; printf "%.2f%s", b / a, (b / a > 1.3 ? " (!)" : "") }' ;; esac
}
fmt() { [ "$1" = timeout ] && echo ">${TIMEOUT}s" || printf '%.2fs' "$1"; }
# Reading and writing alone (what the steps' figures leave out) first.
for kind in lines paragraphs; do
    t=()
    for size in 10k 100k 1000k; do
        floor[$WORK/$kind-$size.jsonl]=$(cpu none "$WORK/$kind-$size.jsonl")
        t+=("${floor[$WORK/$kind-$size.jsonl]}")
    done
    printf '%-24s %9s %9s %9s %12s %12s\n' "(read+write $kind)" "$(fmt "${t[0]}")" "$(fmt "${t[1]}")" "$(fmt "${t[2]}")" \
        "$(ratio "${t[0]}" "${t[1]}")" "$(ratio "${t[1]}" "${t[2]}")"
done
for spec in $STEPS; do
    step=${spec%%:*}
    kind=lines
    [ "$step" = html ] && kind=${spec#html:}
    t=()
    for size in 10k 100k 1000k; do
        in=$WORK/$kind-$size.jsonl
        [ -n "${floor[$in]:-}" ] || floor[$in]=$(cpu none "$in")
        c=$(cpu "$step" "$in")
        if [ "$c" = timeout ]; then t+=(timeout); else t+=("$(echo "$c - ${floor[$in]}" | bc -l)"); fi
    done
    printf '%-24s %9s %9s %9s %12s %12s\n' "$spec" "$(fmt "${t[0]}")" "$(fmt "${t[1]}")" "$(fmt "${t[2]}")" \
        "$(ratio "${t[0]}" "${t[1]}")" "$(ratio "${t[1]}" "${t[2]}")"
done
echo "(!): cost per byte grew more than 1.3x with the document's size; a time under 0.05 s counts as 0.05 s"
