#!/usr/bin/env bash
# filters_bench.sh -- what pii, urlfilter and decontaminate cost: on the web
# config (config/web.yaml's steps over a WARC of the web-dev pages with their
# URLs), urlfilter's load time and memory for a 4.6-million-domain list (the
# size of UT1's adult category) and its lookups at 10 and 4.6M entries, and
# decontaminate against the pipeline's text rate.  Run by hand; not part of
# the test suite.
#
#   bash tests/bench/filters_bench.sh        BENCH_REPEAT=N: medians of N runs (default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
SET=${WEBDEV:-$SRC/../shared/web-dev/trafilatura-eval.tar.zst}
[ -f "$SET" ] || { echo "skip: no web-dev set at $SET (set WEBDEV=path/to/trafilatura-eval.tar.zst)" >&2; exit 0; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
PY=/usr/bin/python3
WORK=${BENCH_DIR:-/tmp/convert-filters-bench}
REPEAT=${BENCH_REPEAT:-3}
DOMAINS=${BENCH_DOMAINS:-4600000}
mkdir -p "$WORK"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
CONVERT=$SRC/build-bench/bin/convert

# ---- inputs (made once) ----------------------------------------------------
[ -d "$WORK/trafilatura-eval" ] || tar --zstd -xf "$SET" -C "$WORK"
DATA=$(dirname "$(find "$WORK" -name evaldata.json | head -1)")
[ -f "$WORK/pages.warc" ] || "$PY" - "$DATA" "$WORK/pages.warc" <<'PY'
import json, os, sys
data, out = sys.argv[1], sys.argv[2]
ev = json.load(open(os.path.join(data, "evaldata.json")))
with open(out, "wb") as f:
    for i, (url, e) in enumerate(sorted(ev.items())):
        path = os.path.join(data, "html", e["file"])
        if not os.path.exists(path):
            continue
        body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + open(path, "rb").read()
        head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\nWARC-Record-ID: <urn:uuid:%08d-0000-0000-0000-000000000000>\r\n"
                "Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (url, i, len(body)))
        f.write(head.encode() + body + b"\r\n\r\n")
PY
# A UT1-like category of random domains, plus every 20th host of the pages
# (so that some pages are dropped), and a 10-entry one.
if [ ! -f "$WORK/ut1/adult/domains" ]; then
    mkdir -p "$WORK/ut1/adult" "$WORK/ut1-10/adult"
    "$PY" - "$DATA/evaldata.json" "$WORK/ut1/adult/domains" "$WORK/ut1-10/adult/domains" "$DOMAINS" <<'PY'
import json, random, sys
from urllib.parse import urlsplit
rng = random.Random(1)
hosts = sorted({urlsplit(u).hostname for u in json.load(open(sys.argv[1]))} - {None})[::20]
tlds = ["com", "net", "org", "de", "ru", "info", "xyz", "co.uk", "com.br", "fr"]
alpha = "abcdefghijklmnopqrstuvwxyz0123456789-"
with open(sys.argv[2], "w") as f:
    for h in hosts:
        f.write(h.removeprefix("www.") + "\n")
    for _ in range(int(sys.argv[4]) - len(hosts)):
        n = rng.randint(5, 16)
        name = "".join(rng.choice(alpha[:36]) for _ in range(n))
        f.write(name + "." + rng.choice(tlds) + "\n")
with open(sys.argv[3], "w") as f:
    for h in hosts[:10]:
        f.write(h.removeprefix("www.") + "\n")
PY
fi
# A benchmark the size of MMLU's test set (14,042 items of 10-60 words from a
# 5,000-word vocabulary), 40 of them copied from the pages' text.
[ -f "$WORK/bench.jsonl" ] || "$PY" - "$DATA/evaldata.json" "$WORK/bench.jsonl" <<'PY'
import json, random, sys
rng = random.Random(2)
vocab = ["w%d" % i for i in range(5000)]
ev = json.load(open(sys.argv[1]))
pages = [p for e in ev.values() for p in e.get("with", []) if len(p.split()) >= 20]
with open(sys.argv[2], "w") as f:
    for i in range(14042):
        if i % 351 == 0 and pages:
            q = " ".join(rng.choice(pages).split()[:30])
        else:
            q = " ".join(rng.choice(vocab) for _ in range(rng.randint(10, 60)))
        f.write(json.dumps({"question": q, "answer": rng.choice("ABCD")}) + "\n")
PY
# URLs alone, for lookups: 400,000 documents with the pages' URLs.
[ -f "$WORK/urls.jsonl" ] || "$PY" - "$DATA/evaldata.json" "$WORK/urls.jsonl" <<'PY'
import json, sys
urls = sorted(json.load(open(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    for i in range(400000):
        f.write(json.dumps({"id": str(i), "text": "x", "metadata": {"url": urls[i % len(urls)] + "?p=%d" % i}}) + "\n")
PY

# ---- configs -----------------------------------------------------------------
web_steps() { # the steps of config/web.yaml before langid, then $1, then langid .. dedup
cat <<YAML
  - {plugin: html, hints: $SRC/config/html/hints.yaml}
  - {plugin: normalize, repair_lookalikes: true}
  - {plugin: boilerplate, rules: $SRC/config/boilerplate}
  - {plugin: quality, stop_words: $SRC/config/quality/stopwords.yaml, c4_rules: $SRC/config/quality/c4.yaml}
  - {plugin: langid}
$1
  - {plugin: dedup, measure: containment, threshold: 0.6}
YAML
}
mk() { # name first-steps extra-steps
    { echo "reader: {plugin: warc, path: $WORK/pages.warc, statuses: [200], mime_types: [text/html]}"
      echo "steps:"; [ -z "$2" ] || echo "$2"; web_steps "$3"
      echo "writers: [jsonl, parquet]"; } >"$WORK/$1.yaml"
}
URLF="  - {plugin: urlfilter, blocklist: $WORK/ut1}"
PII="  - {plugin: pii, cues: $SRC/config/pii/cues.yaml}"
PIIP="  - {plugin: pii, phones: true, cues: $SRC/config/pii/cues.yaml}"
DECON="  - {plugin: decontaminate, benchmarks: [$WORK/bench.jsonl], fields: [question]}"
mk web-none "" ""
mk web-pii "" "$PII"
mk web-pii-phones "" "$PIIP"
mk web-urlfilter "$URLF" ""
mk web-decon "" "$DECON"
mk web-all "$URLF" "$PIIP
$DECON"
head -1 "$WORK/urls.jsonl" >"$WORK/one.jsonl"
for n in none 10 4.6M; do # the URLs, and one document: what loading the list costs
    list=$([ $n = 10 ] && echo ut1-10 || echo ut1)
    for input in urls one; do
        { echo "reader: {plugin: jsonl, path: $WORK/$input.jsonl}"
          [ $n = none ] && echo "steps: []" || echo "steps: [{plugin: urlfilter, blocklist: $WORK/$list}]"
          echo "writers: [jsonl]"; } >"$WORK/$input-$n.yaml"
    done
done

# ---- runs --------------------------------------------------------------------
secs() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$1/report.json"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Wall seconds (the report's) and CPU seconds (user + system): on a shared
# machine the wall clock measures the neighbours too.
run() { # name -> "wall cpu rss" appended to $WORK/name.t
    rm -rf "$WORK/o"
    /usr/bin/time -f "%U %S %M" -o "$WORK/rss" "$CONVERT" -v -c "$WORK/$1.yaml" -o "$WORK/o" -j 2 2>"$WORK/$1.log" >/dev/null
    echo "$(secs "$WORK/o") $(awk '{print $1 + $2, $3}' "$WORK/rss")" >>"$WORK/$1.t"
    cp "$WORK/o/report.json" "$WORK/$1.report.json"
}
names="web-none web-pii web-pii-phones web-urlfilter web-decon web-all urls-none urls-10 urls-4.6M one-none one-10 one-4.6M"
for n in $names; do : >"$WORK/$n.t"; done
for i in $(seq "$REPEAT"); do
    for n in $names; do run "$n"; done
done
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); medians of $REPEAT runs at -j 2"
printf "%-16s %8s %8s %10s\n" run wall CPU "peak RSS"
for n in $names; do
    printf "%-16s %8.2f %8.2f %7.0f MB\n" "$n" "$(cut -d' ' -f1 "$WORK/$n.t" | median)" \
        "$(cut -d' ' -f2 "$WORK/$n.t" | median)" "$(cut -d' ' -f3 "$WORK/$n.t" | median | awk '{print $1 / 1024}')"
done
echo "--- documents in and out of the web runs (last run)"
for n in web-none web-pii web-urlfilter web-decon web-all; do
    $PY -c 'import json,sys; r=json.load(open(sys.argv[2])); print(sys.argv[1], r["read"], r["written"], {k: v for k, v in r["dropped_by_reason"].items() if k.split(":")[0] in ("urlfilter", "decontaminate")}, r["counters"].get("pii", ""))' "$n" "$WORK/$n.report.json"
done
echo "--- pii's scanners alone (CPU ms, best of five)"
cc -O2 -D_GNU_SOURCE -Iplugins/pii -Ipluginkit -Iinclude tests/bench/pii_worst.c plugins/pii/detect.c plugins/pii/cues.c \
    pluginkit/text.c pluginkit/util.c pluginkit/yamlfile.c -lutf8proc -lyaml -ljansson -o "$WORK/pii_worst" && "$WORK/pii_worst" "$(dirname "$(dirname "$SET")")"/seeds/000_*.txt
echo "--- what the steps logged at start (last run)"
grep -h -E "urlfilter|decontaminate" "$WORK"/web-all.log "$WORK"/urls-10.log | grep -E "domains|items" | sort -u
