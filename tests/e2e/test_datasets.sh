#!/usr/bin/env bash
# Tagged datasets from the default config: language, title and date on every
# kept seed; valid CoNLL-U and CoNLL-2003 with well-formed BIO; the names the
# gazetteer knows come out tagged; CSV and JSONL hold the same documents;
# the same output whatever -j.
. "$(dirname "$0")/lib.sh"
CHECK="$SRC/tests/tools/check_conll.py"

run "$CONVERT" -q -c "$SRC/config/example.yaml" -o "$TMP/j1" -j 1
expect_rc 0 "example -j 1"

"$PYTHON" - "$TMP/j1" <<'PY' >"$TMP/meta" 2>&1 && ok || { bad "metadata on every document"; cat "$TMP/meta" >&2; }
import json, sys, glob
want_lang = {"000": "bg", "001": "bg", "002": "bg", "004": "uk"}
seen = set()
for path in [p for s in ("train", "validation", "test") for p in glob.glob(f"{sys.argv[1]}/{s}.jsonl")]:
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        m = d["metadata"]
        key = d["id"][:3]
        seen.add(key)
        assert m["lang"] == want_lang[key], (d["id"], m["lang"])
        assert 0 < m["lang_score"] <= 1, d["id"]
        assert m.get("title"), ("no title", d["id"])
        assert len(m.get("date", "")) in (7, 10), ("no date", d["id"])
        assert m["split"] in ("train", "validation", "test"), d["id"]
        assert path.endswith(m["split"] + ".jsonl"), (path, m["split"])
        # spans are character offsets (spans: char)
        for s in d["spans"]["entity"]:
            assert d["text"][s["start"]:s["end"]], s
assert seen == set(want_lang), seen
print("ok")
PY
# The titles and dates the seeds carry.
"$PYTHON" - "$TMP/j1" <<'PY' && ok || bad "seed titles and dates"
import json, sys, glob
docs = {}
for path in [p for s in ("train", "validation", "test") for p in glob.glob(f"{sys.argv[1]}/{s}.jsonl")]:
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        docs[d["id"][:3]] = d["metadata"]
assert docs["001"]["date"] == "2023-09-05", docs["001"]["date"]
assert docs["002"]["date"] == "2026-02-05", docs["002"]["date"]
assert docs["002"]["title"] == "Подготвя се посещение на Путин в Северна Корея"
assert docs["004"]["title"] == "Кім Чен Ин прибув до Росії на бронепоїзді на зустріч із Путіним"
PY

# CoNLL validity (and the validator itself rejects a broken file).
run "$PYTHON" "$CHECK" conllu BIO "$TMP"/j1/*.conllu
expect_rc 0 "CoNLL-U valid"
run "$PYTHON" "$CHECK" conll2003 BIO "$TMP"/j1/*.conll
expect_rc 0 "CoNLL-2003 valid"
sed '0,/NER=I-LOC/s//NER=I-PER/' "$TMP/j1/train.conllu" >"$TMP/broken.conllu"
run "$PYTHON" "$CHECK" conllu BIO "$TMP/broken.conllu"
expect_rc 1 "validator catches a broken BIO sequence"
awk 'BEGIN{d=0} /^3\t/ && !d {sub(/^3/, "4"); d=1} {print}' "$TMP/j1/train.conllu" >"$TMP/broken2.conllu"
run "$PYTHON" "$CHECK" conllu BIO "$TMP/broken2.conllu"
expect_rc 1 "validator catches non-consecutive ids"

# BIOES through a config of our own.
sed -e 's/dialect: conll2003/dialect: conll2003\n    scheme: BIOES/' -e 's#path: \.\./seeds#path: '"$SRC"'/seeds#' \
    -e 's#rules: dates/#rules: '"$SRC"'/config/dates/#' -e 's#rules: boilerplate#rules: '"$SRC"'/config/boilerplate#' \
    -e 's#abbreviations: segment/#abbreviations: '"$SRC"'/config/segment/#' -e 's#gazetteer: ner/#gazetteer: '"$SRC"'/config/ner/#' -e 's#: quality/#: '"$SRC"'/config/quality/#' \
    "$SRC/config/example.yaml" >"$TMP/bioes.yaml"
run "$CONVERT" -q -c "$TMP/bioes.yaml" -o "$TMP/bioes"
expect_rc 0 "BIOES run"
run "$PYTHON" "$CHECK" conll2003 BIOES "$TMP"/bioes/*.conll
expect_rc 0 "CoNLL-2003 BIOES valid"
grep -q ' S-PER$' "$TMP"/bioes/*.conll && grep -q ' E-LOC$' "$TMP"/bioes/*.conll && ok || bad "BIOES has S- and E- tags"

# The names the issue lists come out tagged.
all_conllu=$(cat "$TMP"/j1/*.conllu)
for pair in "Путин:B-PER" "Русия:B-LOC" "Владивосток:B-LOC" "Кремъл:B-ORG"; do
    grep -qP "\t${pair%%:*}\t(_\t){7}NER=${pair##*:}" <<<"$all_conllu" && ok || bad "${pair%%:*} not tagged ${pair##*:}"
done
grep -A2 -P "\tКим\t(_\t){7}NER=B-PER" <<<"$all_conllu" | grep -qP "\tУн\t(_\t){7}NER=I-PER" && ok || bad "Ким Чен Ун not one PER"

# CSV and JSONL describe the same documents (csv module and pandas).
"$PYTHON" - "$TMP/j1" <<'PY' >"$TMP/csv" 2>&1 && ok || { bad "CSV = JSONL"; cat "$TMP/csv" >&2; }
import csv, glob, json, sys
import pandas as pd
out = sys.argv[1]
for split in ("train", "validation", "test"):
    try:
        jl = [json.loads(l) for l in open(f"{out}/{split}.jsonl", encoding="utf-8")]
    except FileNotFoundError:
        continue
    with open(f"{out}/{split}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    frame = pd.read_csv(f"{out}/{split}.csv", dtype=str, keep_default_na=False)
    assert len(rows) == len(jl) == len(frame), split
    for r, d, (_, p) in zip(rows, jl, frame.iterrows()):
        for row in (r, p):
            assert row["id"] == d["id"] and row["text"] == d["text"], d["id"]
            assert row["lang"] == d["metadata"]["lang"] and row["date"] == d["metadata"]["date"]
            assert row["title"] == d["metadata"]["title"] and row["split"] == split
print("ok")
PY

# Byte-identical outputs for any thread count.
run "$CONVERT" -q -c "$SRC/config/example.yaml" -o "$TMP/j2" -j 2
expect_rc 0 "example -j 2"
for f in "$TMP"/j1/*; do
    case "$(basename "$f")" in report.json | report.html) continue ;; esac
    expect_same "$f" "$TMP/j2/$(basename "$f")" "-j 1 vs -j 2"
done

# The same on a few thousand generated pages, where documents overtake each
# other, wait at dedup (serial) and are dropped by quality, dedup and langid
# while others are in flight.
"$PYTHON" "$SRC/tests/bench/gen_corpus.py" 4M "$TMP/gen.tar.gz" >/dev/null
for j in 1 2 3 8; do
    run "$CONVERT" -q -c "$SRC/config/example.yaml" -i "$TMP/gen.tar.gz" -o "$TMP/g$j" -j $j
    expect_rc 0 "generated corpus -j $j"
done
"$PYTHON" - "$TMP/g1/report.json" <<'PY' && ok || bad "generated corpus: drops at dedup and elsewhere"
import json, sys
r = json.load(open(sys.argv[1]))["dropped_by_reason"]
assert r.get("dedup:near_duplicate", 0) > 10 and len(r) >= 2, r
PY
for j in 2 3 8; do
    for f in "$TMP"/g1/*; do
        case "$(basename "$f")" in report.json | report.html) continue ;; esac
        expect_same "$f" "$TMP/g$j/$(basename "$f")" "generated corpus: -j 1 vs -j $j"
    done
done

finish
