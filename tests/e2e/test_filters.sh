#!/usr/bin/env bash
# pii, urlfilter and decontaminate through the binary: every document leaves
# as a row or a drop with its reason and detail, at -j 1 as at -j 2 (the
# instances share the lists), and a missing list or benchmark file is a
# config error naming it (exit 2).
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/ut1/adult" "$TMP/evals"
cp -r "$SRC/config/pii" "$TMP/pii" # pii's default cues file, next to the config
printf 'bad.com\n' >"$TMP/ut1/adult/domains"
printf 'porn\n' >"$TMP/words.txt"
printf '{"question": "Which of the following best describes the role of mitochondria in eukaryotic cells?"}\n' \
    >"$TMP/evals/mmlu.jsonl"
cat >"$TMP/in.jsonl" <<'JSONL'
{"id": "1", "text": "Mail ivan@abv.bg or call +359 2 987 6543 from 8.8.8.8, not 10.0.0.1.", "metadata": {"url": "https://news.example.org/a"}}
{"id": "2", "text": "A page on a blocked host.", "metadata": {"url": "https://www.bad.com/x"}}
{"id": "3", "text": "A look-alike host is fine.", "metadata": {"url": "https://notbad.com/x"}}
{"id": "4", "text": "Free stuff.", "metadata": {"url": "https://example.com/porn-clips"}}
{"id": "5", "text": "Quiz: which of the following best describes the role of mitochondria in eukaryotic cells?", "metadata": {"url": "https://quiz.example.org/"}}
{"id": "6", "text": "No URL at all; version 1.2.3.4 and 2023-12-01."}
JSONL
cat >"$TMP/filters.yaml" <<YAML
reader: {plugin: jsonl, path: in.jsonl}
steps:
  - {plugin: urlfilter, blocklist: ut1, banned_words: words.txt}
  - {plugin: pii, phones: true}
  - {plugin: decontaminate, benchmarks: [evals/mmlu.jsonl], fields: [question]}
writers: [jsonl]
YAML
for j in 1 2; do
    run "$CONVERT" -q -c "$TMP/filters.yaml" -o "$TMP/out$j" -j $j
    expect_rc 0 "filters at -j $j"
    [ "$(json "$TMP/out$j/report.json" 'j["read"], j["written"]')" = "6 3" ] && ok || bad "-j $j: 6 read, 3 written"
    [ "$(json "$TMP/out$j/report.json" 'sorted(j["dropped_by_reason"].items())')" = \
      "[('decontaminate:mmlu', 1), ('urlfilter:adult', 1), ('urlfilter:banned_word', 1)]" ] && ok ||
        bad "-j $j: drop reasons $(json "$TMP/out$j/report.json" 'j["dropped_by_reason"]')"
done
row1=$(head -1 "$TMP/out1/train.jsonl")
case "$row1" in
*'"text":"Mail <EMAIL> or call <PHONE> from <IP>, not 10.0.0.1."'*'"pii":{"email":1,"ip":1,"phone":1}'*) ok ;;
*) bad "pii row: $row1" ;;
esac
grep -q '"version 1.2.3.4 and 2023-12-01."\|No URL at all; version 1.2.3.4 and 2023-12-01.' "$TMP/out1/train.jsonl" && ok ||
    bad "row 6 unchanged"
[ "$(json "$TMP/out1/report.json" 'j["counters"]["urlfilter"]["passed:no_url"]')" = 1 ] && ok || bad "no_url counted"
# the drop log names the entry and the benchmark row
drops=$(cat "$TMP"/out1/drop*.jsonl 2>/dev/null || find "$TMP/out1" -name '*drop*' -exec cat {} +)
case "$drops" in *'bad.com'*) ok ;; *) bad "drop detail lacks bad.com: $drops" ;; esac
case "$drops" in *'evals/mmlu.jsonl:1: Which of the following'*) ok ;; *) bad "drop detail lacks the row: $drops" ;; esac

# A missing list or benchmark: a config error naming the file, exit 2.
sed 's|blocklist: ut1|blocklist: nowhere|' "$TMP/filters.yaml" >"$TMP/missing1.yaml"
run "$CONVERT" -q -c "$TMP/missing1.yaml" -o "$TMP/m1"
expect_rc 2 "missing blocklist"
expect_err "nowhere: No such file or directory" "missing blocklist named"
sed 's|evals/mmlu.jsonl|evals/gone.jsonl|' "$TMP/filters.yaml" >"$TMP/missing2.yaml"
run "$CONVERT" -q -c "$TMP/missing2.yaml" -o "$TMP/m2"
expect_rc 2 "missing benchmark"
expect_err "evals/gone.jsonl: No such file or directory" "missing benchmark named"

# pii's word lists: a missing cues file is a config error naming it.
sed 's|{plugin: pii, phones: true}|{plugin: pii, phones: true, cues: pii/gone.yaml}|' "$TMP/filters.yaml" >"$TMP/missing3.yaml"
run "$CONVERT" -q -c "$TMP/missing3.yaml" -o "$TMP/m3"
expect_rc 2 "missing pii cues"
expect_err "pii/gone.yaml" "missing pii cues named"

echo "test_filters: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
