#!/usr/bin/env bash
# quality's signals: with annotate: true nothing is dropped and every value
# is written; on random texts built to repeat lines, paragraphs and n-grams,
# the Gopher repetition and FineWeb values equal those computed the way
# datatrove computes them (tests/tools/gopher_reference.py); the shipped
# stop-word and C4 files load.
. "$(dirname "$0")/lib.sh"
REF="$SRC/tests/tools/gopher_reference.py"

"$PYTHON" "$REF" gen 3000 "$TMP/rand.jsonl"
cat >"$TMP/annotate.yaml" <<YAML
reader: {plugin: jsonl, path: $TMP/rand.jsonl}
steps:
  - plugin: quality
    annotate: true
    stop_words: $SRC/config/quality/stopwords.yaml
    c4_rules: $SRC/config/quality/c4.yaml
writers: [jsonl]
YAML
run "$CONVERT" -q -c "$TMP/annotate.yaml" -o "$TMP/ann"
expect_rc 0 "annotate run"
[ "$(json "$TMP/ann/report.json" 'j["read"], j["written"]')" = "3000 3000" ] && ok || bad "annotate drops nothing"
run "$PYTHON" "$REF" check "$TMP/ann/train.jsonl"
expect_rc 0 "values equal datatrove's way of computing them: $OUT"
expect_out "ok 3000" "every text compared"

# The same texts filtered by Gopher's repetition thresholds alone (the
# defaults; the other filters off): kept exactly when every value passes.
{
    sed '/annotate: true/d' "$TMP/annotate.yaml" | sed '/^writers/d'
    for k in min_words max_words min_mean_word_length max_mean_word_length max_symbol_word_ratio \
        min_alpha_word_fraction max_non_letter_fraction min_terminal_line_fraction max_duplicate_line_fraction \
        max_bullet_line_fraction max_ellipsis_line_fraction min_line_punct_ratio max_short_line_ratio \
        max_char_dup_ratio max_list_ratio min_stop_words; do
        echo "    $k: -1"
    done
    echo "writers: [jsonl]"
} >"$TMP/filter.yaml"
run "$CONVERT" -q -c "$TMP/filter.yaml" -o "$TMP/filt"
expect_rc 0 "filter run"
"$PYTHON" - "$TMP/ann/train.jsonl" "$TMP/filt/train.jsonl" <<'PY' && ok || bad "filtering keeps exactly the texts whose values pass"
import json, sys
kept = {json.loads(l)["id"] for l in open(sys.argv[2], encoding="utf-8")}
gopher = {"dup_line_frac": 0.3, "dup_para_frac": 0.3, "dup_line_char_frac": 0.2, "dup_para_char_frac": 0.2,
          "top_2_gram_char_frac": 0.2, "top_3_gram_char_frac": 0.18, "top_4_gram_char_frac": 0.16,
          "dup_5_gram_char_frac": 0.15, "dup_6_gram_char_frac": 0.14, "dup_7_gram_char_frac": 0.13,
          "dup_8_gram_char_frac": 0.12, "dup_9_gram_char_frac": 0.11, "dup_10_gram_char_frac": 0.10}
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    q = d["metadata"]["quality"]
    passes = all(q[k] <= v for k, v in gopher.items())
    assert passes == (d["id"] in kept), (d["id"], passes, {k: q[k] for k in gopher})
assert kept, "something passes"
PY
finish
