#!/usr/bin/env bash
# classify and the fasttext writer, with fastText's own CLI as the oracle.
# Models are trained here, on text this test writes, by Debian's `fasttext`
# (one quantized with `fasttext quantize`): none ships and none is downloaded.
. "$(dirname "$0")/lib.sh"
REF="$SRC/tests/tools/classify_ref.py"
FT=${FASTTEXT:-fasttext}
T=$TMP

# ---- models: lid.176-style labels (.bin and .ftz) and GlotLID-style (.bin) --
"$PYTHON" "$REF" train lid 1 3000 "$T/lid.txt"
"$PYTHON" "$REF" train glot 2 3000 "$T/glot.txt"
train() { "$FT" supervised -input "$1" -output "$2" -dim 16 -epoch 5 -minn 2 -maxn 4 -bucket 20000 -thread 1 -verbose 0; }
train "$T/lid.txt" "$T/lid" && train "$T/glot.txt" "$T/glot" &&
    "$FT" quantize -input "$T/lid.txt" -output "$T/lid" -qnorm -cutoff 500 -retrain -epoch 1 -thread 1 -verbose 0 \
        >/dev/null || { echo "fasttext could not train the test models" >&2; exit 1; }
"$PYTHON" "$REF" docs 3 "$T/docs.jsonl" "$T/docs.txt"

# classify MODEL OUTDIR [OPTION LINES...]: run the step at -j 2 over the documents.
classify() {
    local model=$1 out=$2
    shift 2
    {
        echo "reader: {plugin: jsonl, path: $T/docs.jsonl}"
        echo "steps:"
        echo "  - plugin: classify"
        echo "    model: $model"
        for o in "$@"; do echo "    $o"; done
        echo "writers: [jsonl]"
    } >"$T/c.yaml"
    run "$CONVERT" -q -j 2 -c "$T/c.yaml" -o "$out"
}

# ---- the probabilities are predict-prob's, for .bin and .ftz, k 3 and 10 --
for m in lid.bin lid.ftz; do
    for k in 3 10; do
        classify "$T/$m" "$T/o-$m-$k" "k: $k"
        expect_rc 0 "$m k=$k"
        "$FT" predict-prob "$T/$m" "$T/docs.txt" "$k" >"$T/pred-$m-$k.txt"
        run "$PYTHON" "$REF" compare "$T/o-$m-$k/train.jsonl" "$T/pred-$m-$k.txt" classify
        expect_rc 0 "$m k=$k: equal to fasttext predict-prob: $ERR"
        expect_out "ok 181 documents" "$m k=$k: every document compared"
    done
done

# ---- keep "label:min" at, just above and just below a document's score --
# The run with k 1 needs the labels past the top one: the step computes them.
read -r ID P PUP PDOWN < <("$PYTHON" - "$T/o-lid.bin-10/train.jsonl" <<'PY'
import json, struct, sys, math
f32 = lambda v: struct.unpack("f", struct.pack("f", v))[0]
docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
d = [d for d in docs if 0.05 < d["metadata"]["classify"]["en"] < 0.6][0]   # en not the top label
p = f32(d["metadata"]["classify"]["en"])
bits = struct.unpack("I", struct.pack("f", p))[0]
up = struct.unpack("f", struct.pack("I", bits + 1))[0]
down = struct.unpack("f", struct.pack("I", bits - 1))[0]
print(d["id"], repr(p), "%.9g" % up, "%.9g" % down)
PY
)
for case in "at:$P:1" "above:$PUP:0" "below:$PDOWN:1"; do
    IFS=: read -r name min want <<<"$case"
    classify "$T/lid.bin" "$T/keep-$name" "k: 1" "keep: [\"en:$min\"]"
    expect_rc 0 "keep en:$min"
    grep -q "\"id\":\"$ID\"" "$T/keep-$name/train.jsonl" 2>/dev/null && got=1 || got=0
    [ "$got" = "$want" ] && ok || bad "keep en:$min ($name the score of $ID): kept=$got, want $want"
    # and every other document: kept exactly when its en probability reaches min
    "$PYTHON" - "$T/o-lid.bin-10/train.jsonl" "$T/keep-$name" "$min" <<'PY' && ok || bad "keep en:$min: the kept set"
import json, struct, sys
f32 = lambda v: struct.unpack("f", struct.pack("f", v))[0]
want = {json.loads(l)["id"] for l in open(sys.argv[1]) if f32(json.loads(l)["metadata"]["classify"]["en"]) >= f32(float(sys.argv[3]))}
kept = {json.loads(l)["id"] for l in open(sys.argv[2] + "/train.jsonl")}
drops = [json.loads(l) for l in open(sys.argv[2] + "/dropped.jsonl")]
assert kept == want, (len(kept), len(want))
assert all(d["reason"] == "classify:classify" for d in drops), drops[0]
assert all(len(json.loads(d["detail"])) == 1 for d in drops), drops[0]   # the top-1 scores in the detail
assert len(kept) + len(drops) == 181
PY
done

# ---- language: true, lid.176-style and GlotLID-style labels ---------------
classify "$T/lid.bin" "$T/lang-lid" "language: true"
expect_rc 0 "language: true, lid labels"
classify "$T/glot.bin" "$T/lang-glot" "language: true" "key: scores"
expect_rc 0 "language: true, GlotLID labels"
"$PYTHON" - "$T/lang-lid/train.jsonl" "$T/lang-glot/train.jsonl" "$T/o-lid.bin-10/train.jsonl" <<'PY' && ok || bad "lang, lang_script, lang_score"
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)["metadata"]
    assert "classify" not in m and "lang_script" not in m and m["lang"] in ("en", "bg", "uk", "ru", "de"), m
top = {json.loads(l)["id"]: next(iter(json.loads(l)["metadata"]["classify"].items())) for l in open(sys.argv[3])}
for l in open(sys.argv[1]):
    d = json.loads(l)
    assert (d["metadata"]["lang"], d["metadata"]["lang_score"]) == top[d["id"]], d["metadata"]
n = 0
for l in open(sys.argv[2]):
    m = json.loads(l)["metadata"]
    label, score = next(iter(m["scores"].items()))
    assert label == m["lang"] + "_" + m["lang_script"] and score == m["lang_score"], m
    n += m["lang_script"] == "Cyrl"
assert n > 50, n
PY

# keep: [bul, ukr] names GlotLID's bul_Cyrl and ukr_Cyrl; thresholds per label.
cat >"$T/thr.yaml" <<'YAML'
bul_Cyrl: 0.95
__label__ukr_Cyrl: 0.5
eng: 0.99
YAML
classify "$T/glot.bin" "$T/keep-glot" "language: true" "keep: [bul, ukr]" "thresholds: $T/thr.yaml"
expect_rc 0 "language keep with thresholds"
classify "$T/glot.bin" "$T/thr-only" "language: true" "thresholds: $T/thr.yaml"
expect_rc 0 "thresholds alone"
"$PYTHON" - "$T/lang-glot/train.jsonl" "$T/keep-glot" "$T/thr-only" <<'PY' && ok || bad "keep and thresholds per language"
import json, sys
thr = {"bul": 0.95, "ukr": 0.5, "eng": 0.99}
docs = [json.loads(l) for l in open(sys.argv[1])]
def kept(d): return {json.loads(l)["id"] for l in open(d + "/train.jsonl")}
m = lambda d: d["metadata"]
want = {d["id"] for d in docs if m(d)["lang"] in ("bul", "ukr") and m(d)["lang_score"] >= thr[m(d)["lang"]]}
assert kept(sys.argv[2]) == want and 20 < len(want) < len(docs), len(want)
below = [d for d in docs if m(d)["lang"] == "bul" and m(d)["lang_score"] < 0.95]
assert below, "some Bulgarian text scores under its threshold"
want = {d["id"] for d in docs if m(d)["lang_score"] >= thr.get(m(d)["lang"], 0)}
assert kept(sys.argv[3]) == want and len(want) < len(docs)
drop = json.loads(open(sys.argv[2] + "/dropped.jsonl").readline())
assert drop["reason"] == "classify:lang" and json.loads(drop["detail"]), drop
PY

# ---- one model for every worker: loaded once, its time in the report ------
run "$CONVERT" -v -j 2 -c "$T/c.yaml" -o "$T/once"
[ "$(grep -c 'loaded .*glot.bin' "$T/stderr")" = 1 ] && ok || bad "the model is loaded once for two workers: $ERR"
json "$T/once/report.json" 'j' | grep -q model_load_ms && ok || bad "model_load_ms in the report"

# ---- the writer closes the loop: its file trains a model that works -------
"$PYTHON" "$REF" labelled 4 1200 "$T/lab.jsonl"
head -n 1000 "$T/lab.jsonl" >"$T/lab-train.jsonl"
tail -n 200 "$T/lab.jsonl" >"$T/lab-held.jsonl"
cat >"$T/w.yaml" <<YAML
reader: {plugin: jsonl, path: $T/lab-train.jsonl}
writers:
  - plugin: fasttext
    label: kind
YAML
run "$CONVERT" -q -c "$T/w.yaml" -o "$T/wout"
expect_rc 0 "fasttext writer"
[ "$(wc -l <"$T/wout/train.txt")" = 1000 ] && ok || bad "one line per document"
grep -qv '^__label__[a-z][a-z] ' "$T/wout/train.txt" && bad "every line starts with its label" || ok
"$FT" supervised -input "$T/wout/train.txt" -output "$T/loop" -dim 10 -epoch 5 -thread 1 -verbose 0
cat >"$T/loop.yaml" <<YAML
reader: {plugin: jsonl, path: $T/lab-held.jsonl}
steps:
  - {plugin: classify, model: $T/loop.bin, k: 1}
writers: [jsonl]
YAML
run "$CONVERT" -q -c "$T/loop.yaml" -o "$T/loop-out"
expect_rc 0 "classify with the model trained on the writer's file"
"$PYTHON" - "$T/loop-out/train.jsonl" <<'PY' && ok || bad "the trained model beats chance on held-back documents"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
right = sum(next(iter(d["metadata"]["classify"])) == d["metadata"]["kind"] for d in docs)
print("held-back accuracy %d/%d (chance: 1/5)" % (right, len(docs)))
assert len(docs) == 200 and right >= 0.8 * len(docs)
PY
# documents without a label: counted and skipped, or an error
printf '{"id":"n1","text":"no label here"}\n' >>"$T/lab-train.jsonl"
run "$CONVERT" -q -c "$T/w.yaml" -o "$T/wout2"
expect_rc 0 "unlabelled document skipped"
json "$T/wout2/report.json" 'j' | grep -q "skipped_no_label" && ok || bad "skipped_no_label counted"
echo "    missing: error" >>"$T/w.yaml"
run "$CONVERT" -q -c "$T/w.yaml" -o "$T/wout3"
[ "$RC" -ne 0 ] && ok || bad "missing: error fails the run"
expect_no_file "$T/wout3/train.txt" "no partial training file"

# ---- bad models: a config error naming the file, before any document ------
mkdir -p "$T/bad/folder.bin"
: >"$T/bad/empty.bin"
head -c 4 "$T/lid.bin" >"$T/bad/trunc4.bin"
head -c 200 "$T/lid.bin" >"$T/bad/trunc200.bin"
head -c $(($(stat -c %s "$T/lid.bin") / 2)) "$T/lid.bin" >"$T/bad/trunchalf.bin"
head -c $(($(stat -c %s "$T/lid.ftz") - 1)) "$T/lid.ftz" >"$T/bad/trunclast.ftz"
head -c 100000 /dev/urandom >"$T/bad/random.bin"
cp "$T/lid.txt" "$T/bad/text.bin"
{ head -c 4 "$T/lid.bin"; printf '\x0d\x00\x00\x00'; tail -c +9 "$T/lid.bin"; } >"$T/bad/version13.bin"
# the model-type field (the eighth int32 of the arguments) says skipgram
{ head -c 36 "$T/lid.bin"; printf '\x02'; tail -c +38 "$T/lid.bin"; } >"$T/bad/vectors.bin"
for f in missing.bin folder.bin empty.bin trunc4.bin trunc200.bin trunchalf.bin trunclast.ftz random.bin text.bin \
    version13.bin vectors.bin; do
    classify "$T/bad/$f" "$T/bad-out"
    expect_rc 2 "model $f"
    expect_err "$T/bad/$f" "model $f: the message names the file"
    [ -z "$(find "$T/bad-out" -name '*.jsonl' 2>/dev/null)" ] && ok || bad "model $f: nothing written"
done
expect_err "word-vector model" "a skipgram model is not a classifier"
classify "$T/bad/version13.bin" "$T/bad-out"
expect_err "version 13" "the version is named"
# keep and thresholds naming labels the model does not have
classify "$T/lid.bin" "$T/bad-out" "keep: [en, fr]"
expect_rc 2 "keep a label the model lacks"
expect_err "'fr' is not a label" "the label is named"
printf 'zzz: 0.5\n' >"$T/bad/thr.yaml"
classify "$T/lid.bin" "$T/bad-out" "thresholds: $T/bad/thr.yaml"
expect_rc 2 "thresholds for a label the model lacks"
printf 'en: lots\n' >"$T/bad/thr2.yaml"
classify "$T/lid.bin" "$T/bad-out" "thresholds: $T/bad/thr2.yaml"
expect_rc 2 "a threshold that is not a number"

# ---- every shipped config with langid runs with classify in its place -----
# (the commented step under langid, uncommented, with this test's model).
# Six whole pipelines: not under valgrind, where the other builds cover them.
[ -n "${CONVERT_WRAPPER:-}" ] && { finish; exit; }
mkdir -p "$T/repo/config"
ln -s "$SRC/seeds" "$T/repo/seeds"
ln -s "$SRC/tests" "$T/repo/tests"
for f in "$SRC"/config/*; do ln -s "$f" "$T/repo/config/"; done
n=0
for cfg in "$SRC"/config/*.yaml; do
    grep -q "plugin: langid" "$cfg" || continue
    name=$(basename "$cfg")
    rm "$T/repo/config/$name"
    "$PYTHON" - "$cfg" "$T/lid.bin" >"$T/repo/config/$name" <<'PY'
import re, sys
out, skip = [], False
for line in open(sys.argv[1]).read().split("\n"):
    if line.strip() == "- plugin: langid":
        skip = True
        continue
    if skip and line.startswith("    ") and not line.startswith("  - "):
        continue
    skip = False
    m = re.match(r"  # (- plugin: classify)$", line) or re.match(r"  #   ((model|language|keep): .*)$", line)
    if m:
        line = ("  " if m.group(1).startswith("-") else "    ") + m.group(1)
        line = re.sub(r"model: .*", "model: " + sys.argv[2], line)
    out.append(line)
text = "\n".join(out)
assert "\n  - plugin: classify\n    model: " in text and "plugin: langid" not in text
print(text, end="")
PY
    # A config that needs the user's own file (a tokenizer, say) fails as shipped: then it must fail the
    # same way with classify, past which the run got.
    run "$CONVERT" -q -c "$cfg" -o "$T/orig-$name"
    if [ "$RC" -ne 0 ]; then
        want=${ERR#*: }
        run "$CONVERT" -q -c "$T/repo/config/$name" -o "$T/cfg-$name"
        [ "$RC" -ne 0 ] && [ "${ERR##*/}" = "${want##*/}" ] && ok ||
            bad "config/$name fails as shipped ($want); with classify: $ERR"
        n=$((n + 1))
        continue
    fi
    run "$CONVERT" -q -c "$T/repo/config/$name" -o "$T/cfg-$name"
    expect_rc 0 "config/$name with classify for langid"
    [ "$(json "$T/cfg-$name/report.json" 'j["read"] > 0 and j["read"] == j["written"] + j["dropped"]')" = True ] &&
        ok || bad "config/$name: every document accounted for"
    json "$T/cfg-$name/report.json" 'j' | grep -q model_load_ms && ok || bad "config/$name: the classify step ran"
    n=$((n + 1))
done
[ "$n" -ge 7 ] && ok || bad "configs with langid: $n"
finish
