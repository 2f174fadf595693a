#!/usr/bin/env bash
# The parquet reader against independent readers: files written by DuckDB
# (every compression, v1 and v2 pages, small and large row groups,
# dictionary and plain, nulls, lists, structs, maps, every scalar type) and
# by arrow-rs (the DELTA encodings, BYTE_STREAM_SPLIT, Hadoop LZ4) read into
# the same documents as DuckDB reads, value for value; the writer's output
# read back equals the JSONL of the same run, split by split; a Hub dataset
# folder keeps its splits; --shard gives whole files; damaged files are
# errors naming the file, never a crash.
. "$(dirname "$0")/lib.sh"
need_node @duckdb/node-api parquet-wasm
CHECK="$NODE_DIR/parquet_read_check.mjs"
mkdir -p "$TMP/gen"
node "$NODE_DIR/parquet_gen.mjs" "$TMP/gen" >"$TMP/duck.list" && ok || bad "DuckDB wrote the test files"
node "$NODE_DIR/parquet_gen_arrow.mjs" "$TMP/gen" >"$TMP/arrow.list" && ok || bad "arrow-rs wrote the test files"
printf 'reader: {plugin: parquet}\nwriters:\n  - plugin: jsonl\n' >"$TMP/read.yaml"
# Under valgrind (CONVERT_WRAPPER) a run takes seconds: a few files of each
# kind there; the sanitizer and plain builds read them all.
SOME='duck_zstd_v2|duck_gzip_v1|duck_no_dict|arrow_delta_v2_gzip|arrow_delta_v1_brotli|arrow_lz4'
pick() { if [ -n "${CONVERT_WRAPPER:-}" ]; then grep -E "$1"; else cat; fi; }

# Value for value, file by file (the old LZ4 codec DuckDB cannot read: against the LZ4_RAW file).
pairs=()
for f in $(cat "$TMP/duck.list" "$TMP/arrow.list" | pick "$SOME"); do
    name=$(basename "$f" .parquet)
    run "$CONVERT" -q -c "$TMP/read.yaml" -i "$f" -o "$TMP/r-$name"
    expect_rc 0 "$name: read"
    [ "$name" = arrow_lz4_hadoop ] || pairs+=("$f=$TMP/r-$name")
done
run node "$CHECK" "${pairs[@]}"
expect_rc 0 "the documents equal DuckDB's reading of every file"
[ "$(echo "$OUT" | grep -c "documents equal to DuckDB's")" -eq "${#pairs[@]}" ] && ok || bad "every file checked: $OUT"
[ "$(sed 's/arrow_lz4_hadoop/X/g' "$TMP/r-arrow_lz4_hadoop/train.jsonl" | md5sum)" = \
  "$(sed 's/arrow_lz4_raw/X/g' "$TMP/r-arrow_lz4_raw/train.jsonl" | md5sum)" ] && ok ||
    bad "Hadoop-framed LZ4 reads as the same table in LZ4_RAW"

# Options: columns picks metadata, id_field names the id, text_field a missing column is an error.
F="$TMP/gen/duck_zstd_v1.parquet"
cat >"$TMP/cols.yaml" <<'YAML'
reader: {plugin: parquet, columns: [url, n32], id_field: url}
writers:
  - plugin: jsonl
YAML
run "$CONVERT" -q -c "$TMP/cols.yaml" -i "$F" -o "$TMP/cols"
expect_rc 0 "columns: [url, n32]"
"$PYTHON" - "$TMP/cols/train.jsonl" <<'PY' && ok || bad "columns and id_field"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 2969, len(rows)
for d in rows:
    assert set(d["metadata"]) == {"n32"}, d["metadata"]  # url is the id; source is top level
    assert d["id"].startswith("https://example.com/"), d["id"]
PY
sed 's/columns: \[url, n32\], id_field: url/text_field: nope/' "$TMP/cols.yaml" >"$TMP/notext.yaml"
run "$CONVERT" -q -c "$TMP/notext.yaml" -i "$F" -o "$TMP/notext"
expect_rc 1 "text_field missing from the file"
expect_err "duck_zstd_v1.parquet': no column 'nope' (text_field)" "the missing text column is named with the file"
sed 's/columns: \[url, n32\], id_field: url/text_field: n32/' "$TMP/cols.yaml" >"$TMP/inttext.yaml"
run "$CONVERT" -q -c "$TMP/inttext.yaml" -i "$F" -o "$TMP/inttext"
expect_rc 1 "text_field on an INT32 column"
expect_err "text_field 'n32' is INT32, not a string column" "a text column that is no string"

# Round trip: the writer's output folder read back equals the JSONL of the
# same run, split by split (a typed column holds a missing key as null: the
# one difference the writer keeps no trace of).
"$PYTHON" "$SRC/tests/tools/gen_typed_docs.py" "$TMP/in.jsonl" 400
cat >"$TMP/rt.yaml" <<YAML
reader: {plugin: jsonl, path: in.jsonl}
steps:
  - plugin: split
    train: 0.7
    validation: 0.3
    test: 0
writers:
  - plugin: jsonl
  - plugin: parquet
    columns: [n:int64, score:double, flag:bool, lang:string]
    row_group_size: 8K
YAML
run "$CONVERT" -q -c "$TMP/rt.yaml" -o "$TMP/rt"
expect_rc 0 "round trip: the writing run"
run "$CONVERT" -q -c "$TMP/read.yaml" -i "$TMP/rt" -o "$TMP/rt-back"
expect_rc 0 "round trip: the output folder read back"
"$PYTHON" - "$TMP/rt" "$TMP/rt-back" <<'PY' && ok || bad "round trip: the documents read back equal the JSONL, split by split"
import json, sys, os
a, b = sys.argv[1:]
def load(p):
    return [json.loads(l) for l in open(p, encoding="utf-8")]
for split in ("train", "validation"):
    want, got = load(f"{a}/{split}.jsonl"), load(f"{b}/{split}.jsonl")
    assert len(want) == len(got) > 0, (split, len(want), len(got))
    for w, g in zip(want, got):
        for k in ("n", "score", "flag", "lang"):
            w["metadata"].setdefault(k, None)
        assert w == g, (split, w, g)
assert not os.path.exists(f"{b}/test.jsonl")
PY

# A Hub dataset folder: data/{split}-NNNNN-of-NNNNN.parquet, splits kept, files in order.
mkdir -p "$TMP/hub/data"
cp "$TMP/gen/duck_zstd_v1.parquet" "$TMP/hub/data/train-00000-of-00002.parquet"
cp "$TMP/gen/duck_snappy_v2.parquet" "$TMP/hub/data/train-00001-of-00002.parquet"
cp "$TMP/gen/arrow_dict_v2_zstd.parquet" "$TMP/hub/data/test-00000-of-00001.parquet"
run "$CONVERT" -q -c "$TMP/read.yaml" -i "$TMP/hub" -o "$TMP/hub-out"
expect_rc 0 "a Hub folder"
[ "$(wc -l <"$TMP/hub-out/train.jsonl")" -eq 5938 ] && ok || bad "hub: train has both train files"
[ "$(wc -l <"$TMP/hub-out/test.jsonl")" -eq 2475 ] && ok || bad "hub: test has the test file"
head -1 "$TMP/hub-out/train.jsonl" | grep -q '"source":"[^"]*train-00000-of-00002.parquet"' && ok || bad "hub: files in order"
# Any shipped config reads Parquet input with this reader, whatever reader it names.
run "$CONVERT" -c "$SRC/config/pretrain-jsonl.yaml" -i "$TMP/hub" -o "$TMP/hub-pretrain"
expect_rc 0 "pretrain-jsonl.yaml on a Hub folder"
expect_err "Parquet, read by the parquet reader" "the reader swap is said"
[ "$(json "$TMP/hub-pretrain/report.json" 'j["read"]')" = 8500 ] && ok || bad "pretrain-jsonl.yaml: every row read"
# ... and a card whose configs name other files: the card wins.
mkdir -p "$TMP/card/en" "$TMP/card/bg"
cp "$TMP/gen/duck_gzip_v1.parquet" "$TMP/card/en/a.parquet"
cp "$TMP/gen/arrow_plain_v1_snappy.parquet" "$TMP/card/bg/b.parquet"
printf -- '---\nconfigs:\n- config_name: en\n  data_files:\n  - split: train\n    path: en/*.parquet\n- config_name: bg\n  data_files:\n  - split: validation\n    path: "bg/*.parquet"\n---\n# card\n' >"$TMP/card/README.md"
run "$CONVERT" -q -c "$TMP/read.yaml" -i "$TMP/card" -o "$TMP/card-out"
expect_rc 0 "a card's first config"
[ -f "$TMP/card-out/train.jsonl" ] && [ ! -f "$TMP/card-out/validation.jsonl" ] && ok || bad "card: the first config only"
printf 'reader: {plugin: parquet, config: bg}\nwriters:\n  - plugin: jsonl\n' >"$TMP/bg.yaml"
run "$CONVERT" -q -c "$TMP/bg.yaml" -i "$TMP/card" -o "$TMP/card-bg"
expect_rc 0 "config: bg"
[ "$(wc -l <"$TMP/card-bg/validation.jsonl")" -eq 2475 ] && ok || bad "card: config bg is the validation split"

# Several files, globs, --shard: whole files, together what one run gives.
run "$CONVERT" -q -c "$TMP/read.yaml" -i "$TMP/gen/duck_*_v1.parquet" -o "$TMP/all"
expect_rc 0 "a glob"
for k in 0 1; do
    run "$CONVERT" -q -c "$TMP/read.yaml" -i "$TMP/gen/duck_*_v1.parquet" --shard $k/2 -o "$TMP/sh$k"
    expect_rc 0 "shard $k/2"
done
[ "$(cat "$TMP/sh0/train.jsonl" "$TMP/sh1/train.jsonl" | sort | md5sum)" = "$(sort "$TMP/all/train.jsonl" | md5sum)" ] &&
    ok || bad "--shard: the shards together are the single run"
[ "$(cut -d, -f3 "$TMP/sh0/train.jsonl" | sort -u | grep -c source)" -eq 3 ] && ok || bad "--shard: whole files (3 of 6)"

# Damaged files: an error naming the file, never a crash.
"$PYTHON" - "$TMP/gen/duck_snappy_v1.parquet" "$TMP/bad" <<'PY'
import os, struct, sys
src, out = sys.argv[1:]
os.makedirs(out)
data = open(src, "rb").read()
flen = struct.unpack("<I", data[-8:-4])[0]
def w(name, b):
    open(f"{out}/{name}.parquet", "wb").write(b)
w("truncated_half", data[: len(data) // 2])
w("truncated_tail", data[:-3])
w("no_magic", b"XXXX" + data[4:])
w("footer_len_past", data[:-8] + struct.pack("<I", len(data) * 2) + b"PAR1")
w("footer_cut", data[:-8 - flen] + data[-8 - flen + 20:-8] + struct.pack("<I", flen - 20) + b"PAR1")
w("empty", b"")
w("page_zeros", data[:4] + b"\0" * 4000 + data[4004:])
for k in range(16):  # flipped bytes all over, footer included
    b = bytearray(data)
    at = 4 + (k * 7919 * 13) % (len(data) - 12) if k < 10 else len(data) - 8 - flen + (k * 37) % flen
    b[at] ^= 0x5A
    w(f"flip_{k:02}", bytes(b))
PY
for f in $(ls "$TMP"/bad/*.parquet | pick 'truncated|no_magic|footer|empty|page_zeros|flip_0[0-3]|flip_1[0-3]'); do
    name=$(basename "$f" .parquet)
    run "$CONVERT" -q -c "$TMP/read.yaml" -i "$f" -o "$TMP/bad-$name"
    case "$name" in
    flip_*) # a flipped byte may still decode (a letter in a text): then it is no error
        [ "$RC" -le 1 ] && ok || bad "$name: exit $RC (a crash?): $ERR"
        [ "$RC" -eq 0 ] || expect_err "$name.parquet" "$name: the error names the file" ;;
    *)
        expect_rc 1 "$name: an error"
        expect_err "$name.parquet" "$name: the error names the file" ;;
    esac
done
run "$CONVERT" -q -c "$TMP/read.yaml" -i "$TMP/bad/footer_len_past.parquet" -o "$TMP/x1"
expect_err "footer length" "footer length past the file is said so"
run "$CONVERT" -q -c "$TMP/read.yaml" -i "$TMP/bad/page_zeros.parquet" -o "$TMP/x2"
expect_err "row group 0, column" "a damaged page names its row group and column"
finish
