#!/usr/bin/env bash
# tokenize with a SentencePiece .model: tiny BPE and unigram models trained
# here with spm_train on multilingual text; the ids must equal spm_encode's
# (the reference) line by line.  bos:/eos: are the model's pieces; "<s>" in the
# text stays text; a truncated or random .model is a config error (exit 2).
. "$(dirname "$0")/lib.sh"
TOK_IDS="$BUILD/bin/tok_ids"
command -v spm_train >/dev/null && command -v spm_encode >/dev/null ||
    { bad "spm_train/spm_encode are not installed (Debian package sentencepiece; dist/test.sh installs it)"
      finish; exit; }

"$PYTHON" - "$TMP" <<'PY'
import json, random, sys
d = sys.argv[1]
rng = random.Random(7)
words = ("the quick brown fox jumps over lazy dogs don't won't I'm "
         "Новини дня: уряд ухвалив бюджет України на наступний рік "
         "България и София днес съобщиха новите данни за икономиката "
         "東京都の天気は晴れです 北京 上海 中文 测试 "
         "مرحبا بالعالم هذا نص عربي שלום עולם "
         "café naïve Ελληνικά κείμενο 12345 2026 3.14 "
         "def f(x): return x**2 {} [] <tag> 😀 👍🏽 🇺🇦").split()
with open(f"{d}/train.txt", "w", encoding="utf-8") as f:
    for _ in range(3000):
        f.write(" ".join(rng.choice(words) for _ in range(rng.randint(3, 14))) + "\n")
lines = ["", " ", "   two  spaces\tand tab", "Hello, World! I'M HERE, don't", "Київ — столиця України.",
         "София, България: 25 °C", "東京都の天気は晴れです。", "مرحبا بالعالم", "שלום עולם",
         "e\u0301 combining", "\u00a0NBSP\u3000ideographic space",
         "<s> text with </s> and <unk> inside",  # line 12: checked below
         "👍🏽🇺🇦😀 emoji", "x" * 3000, "unseen: ქართული Ǆ ﬁ ＡＢＣ", "code: for (i = 0; i < n; i++) {}"]
for _ in range(300):
    lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 20))))
with open(f"{d}/lines.txt", "w", encoding="utf-8") as f, \
        open(f"{d}/lines.jsonl", "w", encoding="utf-8") as j:
    for i, l in enumerate(lines):
        f.write(l + "\n")
        j.write(json.dumps({"id": f"l{i:04}", "text": l}, ensure_ascii=False) + "\n")
PY

for type in bpe unigram; do
    spm_train --input="$TMP/train.txt" --model_prefix="$TMP/$type" --model_type=$type --vocab_size=400 \
        --character_coverage=1.0 --hard_vocab_limit=false --minloglevel=2 >/dev/null 2>"$TMP/train.err" ||
        { bad "$type: spm_train failed: $(tail -3 "$TMP/train.err")"; continue; }
    spm_encode --model="$TMP/$type.model" --output_format=id <"$TMP/lines.txt" >"$TMP/ref.$type"
    run "$TOK_IDS" "$TMP/$type.model" <"$TMP/lines.jsonl"
    expect_rc 0 "$type: tok_ids"
    printf '%s\n' "$OUT" >"$TMP/ours.$type"
    [ "$(wc -l <"$TMP/ref.$type")" -eq "$(wc -l <"$TMP/lines.txt")" ] && ok ||
        bad "$type: spm_encode gave no line per line"
    expect_same "$TMP/ours.$type" "$TMP/ref.$type" "$type .model: ids against spm_encode"
    # "<s>" written in the text is text: not the bos id (1), nor eos (2).
    sed -n 12p "$TMP/ours.$type" | grep -Eq '(^| )(1|2)( |$)' && bad "$type: <s> in the text became a control id" || ok
done

# In a run: bos/eos by piece name around spm_encode's ids, with two workers sharing the model.
cat >"$TMP/run.yaml" <<YAML
reader: {plugin: jsonl, path: lines.jsonl}
steps:
  - plugin: tokenize
    tokenizer: unigram.model
    bos: "<s>"
    eos: "</s>"
writers:
  - plugin: jsonl
YAML
run "$CONVERT" -q -c "$TMP/run.yaml" -o "$TMP/out" -j 2
expect_rc 0 "unigram.model in a run"
"$PYTHON" - "$TMP/out" "$TMP/ref.unigram" "$TMP/lines.jsonl" <<'PY' && ok || bad "run: tokens != spm_encode's + 2"
import glob, json, sys
ref = [len(l.split()) + 2 for l in open(sys.argv[2])]
order = {json.loads(l)["id"]: i for i, l in enumerate(open(sys.argv[3], encoding="utf-8"))}
rows = [json.loads(l) for p in glob.glob(sys.argv[1] + "/**/*.jsonl", recursive=True)
        if not p.endswith("dropped.jsonl") and "/work/" not in p for l in open(p, encoding="utf-8")]
assert len(rows) == len(ref), (len(rows), len(ref))
for r in rows:
    assert r["metadata"]["tokens"] == ref[order[r["id"]]], r["id"]
PY
sed -i 's/eos: "<\/s>"/eos: "<|endoftext|>"/' "$TMP/run.yaml"
run "$CONVERT" -q -c "$TMP/run.yaml" -o "$TMP/out2"
expect_rc 2 "eos: not a piece of the model"
expect_err "<|endoftext|>" "eos: not a piece: the message"

# A truncated or random .model is refused, naming the file.
head -c 3000 "$TMP/bpe.model" >"$TMP/cut.model"
{ printf '\n\x80\x01'; head -c 4000 /dev/urandom | tr -d '\n'; } >"$TMP/random.model"
for m in cut random; do
    run "$TOK_IDS" "$TMP/$m.model" <"$TMP/lines.jsonl"
    [ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] && ok || bad "$m.model: tok_ids exit $RC"
    sed "s/unigram.model/$m.model/; s/eos: .*/eos: \"<\/s>\"/" "$TMP/run.yaml" >"$TMP/$m.yaml"
    run "$CONVERT" -q -c "$TMP/$m.yaml" -o "$TMP/out.$m"
    expect_rc 2 "$m.model in a run"
    expect_err "$m.model" "$m.model: the message names the file"
done
finish
