#!/usr/bin/env bash
# Cleaning: the seeds against reviewed golden texts, unseen pages in eight
# languages against hand-written expectations, the near duplicate, the report.
. "$(dirname "$0")/lib.sh"

# compare OUTDIR GOLDEN_DIR SUFFIX: every written document equals GOLDEN_DIR/<id><SUFFIX>.
compare() {
    "$PYTHON" - "$1" "$2" "$3" <<'PY' >"$TMP/cmp" 2>&1
import json, sys, difflib
out, golden, suffix = sys.argv[1], sys.argv[2], sys.argv[3]
bad = 0
for line in open(out + "/train.jsonl", encoding="utf-8"):
    d = json.loads(line)
    name = d["id"][:-4] + suffix if suffix != "=" else d["id"]
    want = open(golden + "/" + name, encoding="utf-8").read()
    got = d["text"] + "\n"
    if want != got:
        bad += 1
        print("MISMATCH", d["id"])
        sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "golden", "got"))
sys.exit(1 if bad else 0)
PY
}

run "$CONVERT" -q -c "$SRC/tests/e2e/configs/clean.yaml" -o "$TMP/clean"
expect_rc 0 "clean seeds"
[ "$(json "$TMP/clean/report.json" 'j["written"]')" = 5 ] && ok || bad "all five seeds kept by cleaning alone"
compare "$TMP/clean" "$SRC/tests/golden/clean" "=" && ok || { bad "seed golden texts"; cat "$TMP/cmp" >&2; }

run "$CONVERT" -q -c "$SRC/tests/e2e/configs/pages.yaml" -o "$TMP/pages"
expect_rc 0 "unseen pages"
[ "$(json "$TMP/pages/report.json" 'j["written"]')" = 16 ] && ok || bad "sixteen pages written"
compare "$TMP/pages" "$SRC/tests/data/pages" ".expected" && ok || { bad "unseen pages"; cat "$TMP/cmp" >&2; }

# The default config: the agency story's second copy goes, naming the first.
run "$CONVERT" -q -c "$SRC/config/example.yaml" -o "$TMP/ex"
expect_rc 0 "example config"
grep -q '"id":"003_c10a978ab4b8dde3.txt","reason":"dedup:near_duplicate","detail":"001_ac20a3dd2d3db9dd.txt' \
    "$TMP/ex/dropped.jsonl" && ok || bad "003 dropped as a near duplicate of 001: $(cat "$TMP/ex/dropped.jsonl")"
[ "$(json "$TMP/ex/report.json" 'j["read"], j["written"], j["dropped"]')" = "5 4 1" ] && ok || bad "5 read, 4 written, 1 dropped"
# Every removal is counted by rule name.
for rule in teaser photo_credit view_counter numeric_line repeated_line share_widget related_block \
    error_report_widget follow_us newsletter tail; do
    [ "$(json "$TMP/ex/report.json" "j['counters']['boilerplate'].get('removed:$rule', 0) > 0")" = True ] && ok ||
        bad "no removed:$rule in the report"
done
# The written texts are the golden ones (the dedup only removes whole documents).
"$PYTHON" - "$TMP/ex/train.jsonl" "$SRC/tests/golden/clean" <<'PY' && ok || bad "example output differs from goldens"
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    assert open(sys.argv[2] + "/" + d["id"], encoding="utf-8").read() == d["text"] + "\n", d["id"]
PY

# Rules live in config files: no C source names a phrase in Cyrillic.
if grep -rlP '[\x{0400}-\x{04FF}]' "$SRC/core" "$SRC/plugins" --include='*.c' --include='*.h' --include='*.cc' >"$TMP/cyr"; then
    bad "Cyrillic text in C sources: $(cat "$TMP/cyr")"
else
    ok
fi

finish
