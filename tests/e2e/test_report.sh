#!/usr/bin/env bash
# What a run leaves for people: the dataset card (README.md) in the Hub's
# format and true to the run, report.html rendered by Chromium with its
# charts, both also from --merge-reports of shard runs; card: options and
# their errors; no card when nothing was written.
. "$(dirname "$0")/lib.sh"
CARD="$SRC/tests/tools/check_card.py"
need_node playwright-core
command -v chromium >/dev/null || { bad "Debian's chromium is not installed: run bash dist/test.sh"; finish; exit; }
RENDER="$NODE_DIR/render_report.mjs"

run "$CONVERT" -q -c "$SRC/config/example.yaml" -o "$TMP/ex"
expect_rc 0 "example.yaml"
run "$PYTHON" "$CARD" "$TMP/ex"
expect_rc 0 "example.yaml: the card's front matter is valid and matches the run ($ERR)"
grep -q '^- config_name: parquet$' "$TMP/ex/README.md" && grep -A1 '^- config_name: parquet$' "$TMP/ex/README.md" |
    grep -q 'default: true' && ok || bad "Parquet is the default config"
grep -q '^- token-classification$' "$TMP/ex/README.md" && ok || bad "a CoNLL writer makes it token-classification too"
grep -q 'conllu' "$TMP/ex/README.md" && ! grep -q 'config_name: conll' "$TMP/ex/README.md" && ok ||
    bad "CoNLL files are listed, but not as Hub configs (the Hub cannot load them)"
grep -q '5. `dedup` (ngram: `5`' "$TMP/ex/README.md" && ok || bad "the card lists the pipeline with its options"

run node "$RENDER" "$TMP/ex/report.html" "$TMP/ex.png" kept languages splits lengths counters-boilerplate counters-ner
expect_rc 0 "report.html renders with its charts in Chromium"
[ "$(stat -c %s "$TMP/ex.png" 2>/dev/null || echo 0)" -gt 20000 ] && ok || bad "a screenshot with something in it"
grep -q '<script\|https\?://' "$TMP/ex/report.html" && bad "report.html has a script or a link out" || ok

# The card and the charts are the same for any thread count.
run "$CONVERT" -q -c "$SRC/config/example.yaml" -o "$TMP/ex2" -j 2
expect_rc 0 "example.yaml -j 2"
expect_same "$TMP/ex/README.md" "$TMP/ex2/README.md" "card -j 1 vs -j 2"

# card: sets name, licence and tasks; its mistakes are config errors with a location.
cat >"$TMP/card.yaml" <<YAML
reader: {plugin: archive, path: $SRC/seeds/seeds.tar.gz, include: ["*.txt"]}
steps: [normalize, langid, split]
card:
  pretty_name: "Seed news, bg+uk"
  license: cc-by-4.0
  task_categories: [text-classification]
writers: [jsonl, parquet]
YAML
run "$CONVERT" -q -c "$TMP/card.yaml" -o "$TMP/named"
expect_rc 0 "card: options"
run "$PYTHON" "$CARD" "$TMP/named"
expect_rc 0 "card: options keep the front matter valid ($ERR)"
grep -q '^pretty_name: "Seed news, bg+uk"$' "$TMP/named/README.md" && grep -q '^license: cc-by-4.0$' "$TMP/named/README.md" &&
    grep -q '^- text-classification$' "$TMP/named/README.md" && ! grep -q '^- text-generation$' "$TMP/named/README.md" &&
    ok || bad "card: pretty_name, license, task_categories used"
sed -i 's/  license: cc-by-4.0/  licence: cc-by-4.0/' "$TMP/card.yaml"
run "$CONVERT" -q -c "$TMP/card.yaml" -o "$TMP/badcard"
expect_rc 2 "card: unknown key"
expect_err "card.yaml:" "card error names the file"
expect_err "unknown key 'licence'" "card error names the key"

# Shards: the merged report draws the same charts, and its card lists every shard's files.
CFG="$SRC/config/shard-nodedup.yaml"
run "$CONVERT" -q -c "$CFG" -o "$TMP/single"
expect_rc 0 "the single run the shards are compared with"
for k in 0 1 2; do
    run "$CONVERT" -q -c "$CFG" -o "$TMP/sh/shard-$k" --shard "$k/3"
    expect_rc 0 "shard $k"
done
run "$CONVERT" -q --merge-reports -o "$TMP/sh" "$TMP"/sh/shard-*
expect_rc 0 "merge"
for f in report.json report.html README.md; do expect_file "$TMP/sh/$f" "merge writes $f"; done
run "$PYTHON" "$CARD" "$TMP/sh"
expect_rc 0 "merged card valid, its paths the shards' files ($ERR)"
[ "$(json "$TMP/sh/report.json" 'j["written_by_split"], j["written_by_lang"], j["length_histogram"]')" = \
  "$(json "$TMP/single/report.json" 'j["written_by_split"], j["written_by_lang"], j["length_histogram"]')" ] &&
    ok || bad "merged splits, languages and histograms = the single run's"
grep -q '"shard-0/' "$TMP/sh/README.md" && ok || bad "merged card lists shard-0's files"
run node "$RENDER" "$TMP/sh/report.html" "$TMP/sh.png" kept languages splits lengths
expect_rc 0 "merged report.html renders"

# The README's tour config runs as written (its relative paths made absolute here).
"$PYTHON" - "$SRC/README.md" "$SRC" >"$TMP/tour.yaml" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
start = text.index("```yaml\n") + 8
cfg = text[start:text.index("```", start)]
print(cfg.replace("../seeds/", sys.argv[2] + "/seeds/").replace("rules: boilerplate", "rules: " + sys.argv[2] + "/config/boilerplate"))
PY
run "$CONVERT" -q -c "$TMP/tour.yaml" -o "$TMP/tour"
expect_rc 0 "the README's tour config"
for f in train.jsonl train.parquet README.md report.json report.html dropped.jsonl; do
    expect_file "$TMP/tour/$f" "the README's tour leaves $f"
done
run "$PYTHON" "$CARD" "$TMP/tour"
expect_rc 0 "the README's tour: a valid card ($ERR)"

# A run that writes nothing has a report but no card, and says so in the charts.
cat >"$TMP/none.yaml" <<YAML
reader: {plugin: archive, path: $SRC/seeds/seeds.tar.gz, include: ["*.txt"]}
steps:
  - {plugin: langid, keep: [xx]}
writers: [jsonl]
YAML
run "$CONVERT" -q -c "$TMP/none.yaml" -o "$TMP/none"
expect_rc 0 "all dropped"
expect_file "$TMP/none/report.html" "report.html when all were dropped"
expect_no_file "$TMP/none/README.md" "no card without datasets"
run node "$RENDER" "$TMP/none/report.html" "$TMP/none.png" kept
expect_rc 0 "all dropped: the kept/dropped chart is drawn"
finish
