#!/usr/bin/env bash
# Hostile pages through the html step finish in time linear in their size
# and keep their text: 200k attributes on one element (libxml2 compares each
# attribute with all earlier ones: ~2 minutes before the bound), and 200,000
# levels of nesting (libxml2 stops at 256 and the text was dropped as
# html:no_content).  Each run is under `timeout 60`: completion, not timing.
. "$(dirname "$0")/lib.sh"

"$PYTHON" - "$TMP" <<'PY'
import os, sys
d = sys.argv[1]
os.makedirs(d + "/in")
para = "<p>" + "This paragraph of ordinary words is long enough to be kept as the main content. " * 3 + "</p>"
attrs = " ".join(f'data-a{i}="v"' for i in range(200000))
def page(name, body):
    open(f"{d}/in/{name}.html", "w").write(f"<html><head><title>{name}</title></head><body>{body}</body></html>")
# a script and a comment holding quotes and tag-like text before the element do not hide it
page("attrs", "<script>var a = \"<b x='\";</script><!-- <i y=' --><div " + attrs + ">" + para + "</div>")
page("deep", "<div>" * 200000 + para + "</div>" * 200000)
# stray end tags: counting tags alone would not see this depth; the parser does
page("stray", "<div></span>" * 2000 + para)
# ordinary pages are read as they are: 300 paragraphs never closed, 256 attributes
page("unclosed", "<p>A paragraph left open, as old pages do." * 300)
page("many", "<div " + " ".join(f'data-a{i}="v"' for i in range(256)) + ">" + para + "</div>")
PY
cat >"$TMP/c.yaml" <<YAML
reader: {plugin: archive, path: $TMP/in, include: ["*.html"]}
steps:
  - {plugin: html, hints: $SRC/config/html/hints.yaml}
writers: [jsonl]
YAML
run timeout 60 "$CONVERT" -q -c "$TMP/c.yaml" -o "$TMP/o"
expect_rc 0 "hostile pages within 60 s"
for name in attrs deep stray unclosed many; do
    [ "$(json "$TMP/o/report.json" 'j["read"] == j["written"] + j["dropped"]')" = True ] || bad "accounting"
    grep -q "\"id\":\"$name.html\",\"text\":\"[^\"]*ordinary words\|\"id\":\"$name.html\",\"text\":\"A paragraph left open" \
        "$TMP/o/train.jsonl" && ok || bad "$name: text kept"
done
[ "$(json "$TMP/o/report.json" 'j["written"]')" = 5 ] && ok || bad "every page written"
[ "$(json "$TMP/o/report.json" 'j["counters"]["html"]["bounded:attributes"]')" = 1 ] && ok || bad "one tag cut"
[ "$(json "$TMP/o/report.json" 'j["counters"]["html"]["bounded:depth"]')" = 3 ] && ok ||
    bad "deep flattened once, stray twice: $(json "$TMP/o/report.json" 'j["counters"]')"
grep -q '"id":"deep.html","text":"This paragraph[^"]*content.","source"' "$TMP/o/train.jsonl" && ok ||
    bad "deep: the whole paragraph, nothing else"
[ "$(grep -o 'A paragraph left open' "$TMP/o/train.jsonl" | wc -l)" = 300 ] && ok || bad "unclosed: 300 paragraphs"
finish
