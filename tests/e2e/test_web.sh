#!/usr/bin/env bash
# The web: saved pages (a folder) and WARC files through the html step.
# Hand-written pages (tests/data/html: chrome around an article, a page of navigation only and one of a
# footer's link columns, tables and lists, nested <article>/<main>, an article in an <aside>, a post of links,
# tabs shown one at a time, a dialogue of short quoted lines, pictures' captions marked up as divs, an FAQ
# whose many answers' class names text, blurbs of other stories under a heading after the text, a closing
# sentence set as a heading above a list of other stories, a list under an appendix's title ("Mehr zum Thema";
# one over more teasers than the text above it; one over a last paragraph like the text's), a template's
# off-canvas panel of filler text, a text split over two wrappers whose classes share only their first token,
# headings whose ids are a table of contents' anchors spelt from their titles ("nav_the_harbour_wall__0"),
# grids of other stories' cards after the text, source and credit lines at the end ("Quelle:") and one inside
# the text, a lead above a linked byline, a date line in Devanagari digits, a date-and-time stamp alone inside the text and two that
# are a schedule, a partners list under its title, a note repeated under each product box, a call to subscribe
# after a share bar, a last line linking to the site's own sign-up page under a source linked away, a script
# written <script/> in XHTML style, broken markup, a page whose text is only in
# its JSON-LD articleBody, one whose steps are only in its JSON-LD HowTo, NUL bytes before and inside an
# article, Cyrillic in windows-1251, KOI8-R, KOI8-U and ISO-8859-5 with and without a declaration) against
# reviewed texts; the same texts from WARC/1.0 and 1.1 files in every compression (tests/tools/make_warc.py:
# chunked and gzip bodies, a 404, a revisit, an image); damaged WARCs; a crawl by wget of the pages served on
# 127.0.0.1; a 3 MB page; the shipped web configs.
. "$(dirname "$0")/lib.sh"
PAGES="$SRC/tests/data/html"
NPAGES=$(ls "$PAGES"/*.html | wc -l) # one request record each in the WARC files built from them
NTEXTS=$(ls "$PAGES"/*.expected | wc -l) # the others hold no content (navigation only)
MAKE="$PYTHON $SRC/tests/tools/make_warc.py"
HINTS="$SRC/config/html/hints.yaml"

# texts OUTDIR: "name<TAB>sha1(text)" per written page, sorted (name from the url or the id).
texts() {
    "$PYTHON" - "$1" <<'PY'
import hashlib, json, sys
rows = []
for line in open(sys.argv[1] + "/train.jsonl", encoding="utf-8"):
    d = json.loads(line)
    name = d["id"] if d["id"].endswith(".html") else d["metadata"]["url"].rstrip("/").rsplit("/", 1)[-1]
    rows.append(name + "\t" + hashlib.sha1(d["text"].encode()).hexdigest())
print("\n".join(sorted(rows)))
PY
}

cat >"$TMP/folder.yaml" <<YAML
reader: {plugin: archive, path: $PAGES, include: ["*.html"]}
steps:
  - {plugin: html, hints: $HINTS}
writers: [jsonl]
YAML
run "$CONVERT" -q -c "$TMP/folder.yaml" -o "$TMP/folder"
expect_rc 0 "folder of pages"
"$PYTHON" - "$TMP/folder" "$PAGES" <<'PY' >"$TMP/cmp" 2>&1 && ok || { bad "pages against their reviewed texts"; cat "$TMP/cmp" >&2; }
import difflib, glob, json, os, sys
out, pages = sys.argv[1], sys.argv[2]
got = {json.loads(l)["id"]: json.loads(l) for l in open(out + "/train.jsonl", encoding="utf-8")}
bad = 0
for exp in sorted(glob.glob(pages + "/*.expected")):
    name = os.path.basename(exp)[:-9] + ".html"
    want = open(exp, encoding="utf-8").read()
    have = got[name]["text"] + "\n" if name in got else "(dropped)\n"
    if want != have:
        bad += 1
        print("MISMATCH", name)
        sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), have.splitlines(True), "want", "got"))
m = got["article_nav.html"]["metadata"]
assert m["title"] == "Ferry timetable changes for the winter | Coastline Herald", m
assert m["date"] == "2025-11-03" and m["html_lang"] == "en-GB", m
assert m["url"] == "https://herald.example/news/ferry-winter-timetable", m
assert got["ru_koi8r_undeclared.html"]["metadata"]["charset"] == "KOI8-R"
assert got["ru_windows1251_undeclared.html"]["metadata"]["charset"] == "WINDOWS-1251"
sys.exit(1 if bad else 0)
PY
grep -q '"id":"all_navigation.html","reason":"html:no_content"' "$TMP/folder/dropped.jsonl" && ok ||
    bad "a page of navigation only is dropped as html:no_content"
grep -q '"id":"footer_columns.html","reason":"html:no_content"' "$TMP/folder/dropped.jsonl" && ok ||
    bad "a page whose only <article> elements are a footer's link columns is dropped as html:no_content"
texts "$TMP/folder" >"$TMP/folder.texts"
# The same pages as files (-i with a glob): each file that include names is a document.
run "$CONVERT" -q -c "$TMP/folder.yaml" -i "$PAGES/*.html" -o "$TMP/files"
expect_rc 0 "pages given one file each"
texts "$TMP/files" >"$TMP/files.texts"
expect_same "$TMP/folder.texts" "$TMP/files.texts" "one file each: the folder run's texts"
run "$CONVERT" -q -c "$SRC/config/minimal.yaml" -i "$PAGES/article_nav.html" -o "$TMP/notarchive"
expect_rc 2 "a plain file that include does not name is still no archive"
expect_err "Unrecognized archive format" "and says so"

# WARC files of the same pages: every version and compression gives the same texts.
for variant in "v11.warc" "v10.warc --version 1.0" "pergz.warc.gz" "whole.warc.gz --whole-gzip" "z.warc.zst"; do
    set -- $variant
    file=$1
    shift
    $MAKE "$TMP/$file" "$PAGES" "$@"
    sed "s#plugin: archive, path: $PAGES, include: \[\"\*.html\"\]#plugin: warc, path: $TMP/$file#" "$TMP/folder.yaml" >"$TMP/w.yaml"
    run "$CONVERT" -q -c "$TMP/w.yaml" -o "$TMP/w-$file"
    expect_rc 0 "WARC $file"
    texts "$TMP/w-$file" >"$TMP/w.texts"
    expect_same "$TMP/folder.texts" "$TMP/w.texts" "WARC $file: the folder run's texts"
    [ "$(json "$TMP/w-$file/report.json" 'sorted(j["counters"]["warc"].items())')" = \
      "[('skipped:http_404', 1), ('skipped:metadata', 1), ('skipped:mime', 1), ('skipped:request', $NPAGES), ('skipped:revisit', 1), ('skipped:warcinfo', 1)]" ] &&
        ok || bad "WARC $file: skips counted by kind: $(json "$TMP/w-$file/report.json" 'j["counters"]["warc"]')"
done
[ "$(json "$TMP/w-v11.warc/report.json" '[k for k in j["written_by_split"]]')" = "['train']" ] && ok || bad "warc run wrote"
"$PYTHON" - "$TMP/w-pergz.warc.gz/train.jsonl" <<'PY' && ok || bad "WARC metadata"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
m = next(x["metadata"] for x in d if x["metadata"]["url"].endswith("/tables_lists.html"))
assert m["http_status"] == 200 and m["warc_date"] == "2025-11-03T08:15:00Z", m
assert all(x["id"].startswith("urn:uuid:") and x["source"] == "pergz.warc.gz" for x in d)
PY

# Damage: a cut last record, garbage between records, a wrong Content-Length.
$MAKE "$TMP/cut.warc.gz" "$PAGES" --truncate
sed "s#plugin: archive, path: $PAGES, include: \[\"\*.html\"\]#plugin: warc, path: $TMP/cut.warc.gz#" "$TMP/folder.yaml" >"$TMP/w.yaml"
run "$CONVERT" -c "$TMP/w.yaml" -o "$TMP/cut"
expect_rc 0 "a truncated WARC"
expect_err "cut short" "the truncation is reported"
expect_err "byte offset" "with its byte offset"
[ "$(json "$TMP/cut/report.json" 'j["written"], j["dropped_by_reason"].get("warc:truncated")')" = "$NTEXTS 1" ] && ok ||
    bad "records before the cut kept, the cut one dropped: $(cat "$TMP/cut/report.json" | head -30)"
"$PYTHON" - "$TMP/v11.warc" "$TMP/damaged.warc" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
starts = [m.start() for m in re.finditer(rb"WARC/1\.1\r\n", data)]
# garbage before the fourth record, and a Content-Length 7 too long in the seventh (a response)
data = data[:starts[3]] + b"this is not a record\r\nnor is this\r\n" + data[starts[3]:]
starts = [m.start() for m in re.finditer(rb"WARC/1\.1\r\n", data)]
i = data.index(b"Content-Length: ", starts[6]) + 16
j = data.index(b"\r\n", i)
data = data[:i] + str(int(data[i:j]) + 7).encode() + data[j:]
open(sys.argv[2], "wb").write(data)
PY
sed "s#plugin: archive, path: $PAGES, include: \[\"\*.html\"\]#plugin: warc, path: $TMP/damaged.warc#" "$TMP/folder.yaml" >"$TMP/w.yaml"
run "$CONVERT" -c "$TMP/w.yaml" -o "$TMP/damaged"
expect_rc 0 "a damaged WARC"
[ "$(json "$TMP/damaged/report.json" 'j["dropped_by_reason"].get("warc:bad_content_length"), j["counters"]["warc"].get("skipped:garbage_bytes", 0) > 0, j["written"] >= 9')" = "1 True True" ] &&
    ok || bad "garbage skipped and counted, the bad record dropped, the others read: $(head -c 800 "$TMP/damaged/report.json")"
printf 'WARC/1.1\r\nWARC-Type: response\r\n' >"$TMP/head.warc"
sed "s#plugin: archive, path: $PAGES, include: \[\"\*.html\"\]#plugin: warc, path: $TMP/head.warc#" "$TMP/folder.yaml" >"$TMP/w.yaml"
run "$CONVERT" -q -c "$TMP/w.yaml" -o "$TMP/head"
expect_rc 0 "a WARC cut inside a header ends the input"
head -c 3000 "$TMP/pergz.warc.gz" >"$TMP/cutgz.warc.gz"
sed "s#plugin: archive, path: $PAGES, include: \[\"\*.html\"\]#plugin: warc, path: $TMP/cutgz.warc.gz#" "$TMP/folder.yaml" >"$TMP/w.yaml"
run "$CONVERT" -c "$TMP/w.yaml" -o "$TMP/cutgz"
# Like the plain truncated WARC: the run succeeds, the cut record is a counted drop.
expect_rc 0 "a gzip cut mid-member"
[ "$(json "$TMP/cutgz/report.json" 'j["dropped_by_reason"].get("warc:truncated")')" = "1" ] && ok ||
    bad "a gzip cut mid-member: the cut record counted as warc:truncated: $(head -c 800 "$TMP/cutgz/report.json")"
case "$ERR" in *"byte"*) ok ;; *) bad "a gzip cut mid-member names the byte offset: $ERR" ;; esac

# A real crawler: wget crawls the pages served on 127.0.0.1 and writes the WARC.
if command -v wget >/dev/null; then
    mkdir -p "$TMP/site"
    cp "$PAGES"/*.html "$TMP/site/"
    { echo "<html><body>"; for f in "$PAGES"/*.html; do echo "<a href=\"$(basename "$f")\">x</a>"; done; echo "</body></html>"; } >"$TMP/site/index.html"
    port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    (cd "$TMP/site" && exec "$PYTHON" -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
    server=$!
    for _ in $(seq 50); do "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break; sleep 0.1; done
    (cd "$TMP" && timeout 60 wget -q -r -l 1 --no-host-directories -P "$TMP/mirror" --warc-file="$TMP/crawl" "http://127.0.0.1:$port/")
    kill "$server" 2>/dev/null
    sed "s#plugin: archive, path: $PAGES, include: \[\"\*.html\"\]#plugin: warc, path: $TMP/crawl.warc.gz#" "$TMP/folder.yaml" >"$TMP/w.yaml"
    run "$CONVERT" -q -c "$TMP/w.yaml" -o "$TMP/crawl"
    expect_rc 0 "wget's WARC"
    texts "$TMP/crawl" | grep -v '^index.html' >"$TMP/crawl.texts"
    expect_same "$TMP/folder.texts" "$TMP/crawl.texts" "wget's WARC: the folder run's texts"
else
    bad "wget is missing: dist/test.sh installs it"
fi

# A 3 MB page: all of its paragraphs, in order.
"$PYTHON" - "$TMP/big/big.html" <<'PY'
import os, sys
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
paras = "".join(f"<p>Paragraph {i} of a very long report, with enough words in it to read like prose, and a comma.</p>\n" for i in range(30000))
open(sys.argv[1], "w").write(f"<html><body><nav><a href='/'>Home</a></nav><article>{paras}</article><footer>Footer</footer></body></html>")
PY
sed "s#path: $PAGES#path: $TMP/big#" "$TMP/folder.yaml" >"$TMP/big.yaml"
run "$CONVERT" -q -c "$TMP/big.yaml" -o "$TMP/bigout"
expect_rc 0 "a 3 MB page"
[ "$("$PYTHON" -c 'import json,sys; t=json.loads(open(sys.argv[1]).readline())["text"]; p=t.split("\n\n"); print(len(p), p[0].split(" of")[0], p[-1].split(" of")[0], "Footer" in t)' "$TMP/bigout/train.jsonl")" = \
  "30000 Paragraph 0 Paragraph 29999 False" ] && ok || bad "the 3 MB page's 30,000 paragraphs, without its chrome"

# Metadata from anywhere in the page, in document order: no date or canonical link in <head>, a
# <time> in the article (the first date wins over a later meta), og:url then two canonical links in
# the body (the last non-empty one wins), a JSON-LD script after the date (not used), a second
# <title> (inside an svg) ignored.
mkdir -p "$TMP/meta"
cat >"$TMP/meta/late.html" <<'HTML'
<html lang="de"><head><title> Late   metadata </title><meta property="og:url" content="https://a.example/og"></head>
<body><article><p>Text of the article, long enough to be kept as its main content by the step.</p>
<p>By <time datetime="2024-05-06T07:00">May 6</time>, more text follows here in a second paragraph.</p></article>
<svg><title>Icon</title></svg><meta itemprop="datePublished" content="2023-01-01">
<script type="application/ld+json">{"datePublished": "2022-02-02"}</script>
<link rel="canonical" href="https://a.example/first"><div><link rel="canonical" href="https://a.example/last">
<link rel="canonical" href=""></div></body></html>
HTML
sed "s#path: $PAGES#path: $TMP/meta#" "$TMP/folder.yaml" >"$TMP/meta.yaml"
run "$CONVERT" -q -c "$TMP/meta.yaml" -o "$TMP/metaout"
expect_rc 0 "a page with its metadata in the body"
[ "$("$PYTHON" -c 'import json,sys; m=json.loads(open(sys.argv[1]).readline())["metadata"]; print(m["title"], m["html_lang"], m["date"], m["url"])' "$TMP/metaout/train.jsonl")" = \
  "Late metadata de 2024-05-06 https://a.example/last" ] && ok || bad "metadata from the body, first date and last canonical link"

# The shipped configs run as they are.
for cfg in html web; do
    run "$CONVERT" -q -c "$SRC/config/$cfg.yaml" -o "$TMP/cfg-$cfg"
    expect_rc 0 "config/$cfg.yaml"
    [ "$(json "$TMP/cfg-$cfg/report.json" 'j["written"] > 0')" = True ] && ok || bad "config/$cfg.yaml writes pages"
done
finish
