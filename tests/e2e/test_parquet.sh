#!/usr/bin/env bash
# Parquet, read back by DuckDB (an independent reader): the same rows, texts,
# typed columns, metadata and spans as the JSONL of the same run, on the
# default config and on JSONL input with every column type, nulls and small
# row groups; a value of the wrong type fails the run and leaves no file.
. "$(dirname "$0")/lib.sh"
need_node @duckdb/node-api
CHECK="$NODE_DIR/parquet_check.mjs"
DEFAULT_COLS=lang:string,lang_score:double,title:string,date:string,url:string

# The default config writes Parquet beside the JSONL, spans included.
run "$CONVERT" -q -c "$SRC/config/example.yaml" -o "$TMP/ex"
expect_rc 0 "example.yaml"
run node "$CHECK" "$TMP/ex" "$DEFAULT_COLS" 1
expect_rc 0 "example.yaml: DuckDB reads the Parquet back equal to the JSONL"
expect_out "train.parquet:" "example.yaml: a train split"

# Every column type, missing values, many row groups, no compression.
"$PYTHON" "$SRC/tests/tools/gen_typed_docs.py" "$TMP/in.jsonl" 300
cat >"$TMP/types.yaml" <<YAML
reader: {plugin: jsonl, path: in.jsonl}
steps:
  - plugin: split
    train: 0.7
    validation: 0.3
    test: 0
writers:
  - plugin: jsonl
  - plugin: parquet
    columns: [n:int64, score:double, flag:bool, missing:string]
    row_group_size: 4K
    compression: none
YAML
run "$CONVERT" -q -c "$TMP/types.yaml" -o "$TMP/types"
expect_rc 0 "typed columns"
run node "$CHECK" "$TMP/types" n:int64,score:double,flag:bool,missing:string 0
expect_rc 0 "typed columns: DuckDB reads them back equal to the JSONL"
case "$OUT" in *"train.parquet: "*" rows in "[2-9]*" row group(s)"*|*"train.parquet: "*" rows in "[1-9][0-9]*" row group(s)"*) ok ;;
    *) bad "row_group_size: 4K gives several row groups: $OUT" ;; esac

# A value of the wrong type is an error naming document, key and types; no Parquet is left.
sed 's/n:int64/n:string/' "$TMP/types.yaml" >"$TMP/wrong.yaml"
run "$CONVERT" -q -c "$TMP/wrong.yaml" -o "$TMP/wrong"
expect_rc 1 "wrong type fails the run"
expect_err "document 'd001': metadata.n is an integer, but its column is declared string" "wrong type message"
[ -z "$(ls "$TMP/wrong" 2>/dev/null | grep parquet)" ] && ok || bad "wrong type: a .parquet was left behind"

# Bad options are refused before the run, with the config's location.
for bad_cols in "[x:float]" "[id]" "[':string']"; do
    sed "s/columns: .*/columns: $bad_cols/" "$TMP/types.yaml" >"$TMP/badopt.yaml"
    run "$CONVERT" -q -c "$TMP/badopt.yaml" -o "$TMP/badopt"
    expect_rc 2 "columns: $bad_cols refused"
    expect_err "badopt.yaml:" "columns: $bad_cols names the config"
done
finish
