# lib.sh -- tiny assertion helpers for the end-to-end scripts.
# Needs CONVERT (the binary) and SRC (the source tree) in the environment.
set -u
: "${CONVERT:?set CONVERT to the convert binary}" "${SRC:?set SRC to the source tree}"
# CONVERT_WRAPPER (e.g. "valgrind --error-exitcode=99 ..."): how to run convert.
if [ -n "${CONVERT_WRAPPER:-}" ]; then
    printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$CONVERT_WRAPPER" "$CONVERT" >"${TMPDIR:-/tmp}/convert-wrapped-$$"
    chmod +x "${TMPDIR:-/tmp}/convert-wrapped-$$"
    CONVERT="${TMPDIR:-/tmp}/convert-wrapped-$$"
fi
# Debian's python3 (where python3-pandas lives), even when another python3 comes first on PATH.
PYTHON=${PYTHON:-$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)}
PASS=0
FAIL=0
TMP=$(mktemp -d /tmp/convert-e2e-XXXXXX)
trap 'rm -rf "$TMP" "${TMPDIR:-/tmp}/convert-wrapped-$$"' EXIT

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

# run CMD...: runs it, keeps stdout in $OUT, stderr in $ERR, status in $RC.
run() {
    "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    RC=$?
    OUT=$(cat "$TMP/stdout")
    ERR=$(cat "$TMP/stderr")
}
expect_rc() { [ "$RC" -eq "$1" ] && ok || bad "$2: exit $RC, expected $1; stderr: $ERR"; }
expect_out() { case "$OUT" in *"$1"*) ok ;; *) bad "$2: stdout lacks '$1'" ;; esac; }
expect_err() { case "$ERR" in *"$1"*) ok ;; *) bad "$2: stderr lacks '$1': $ERR" ;; esac; }
expect_file() { [ -f "$1" ] && ok || bad "$2: missing $1"; }
expect_no_file() { [ ! -e "$1" ] && ok || bad "$2: $1 should not exist"; }
expect_same() { cmp -s "$1" "$2" && ok || { bad "$3: $1 differs from $2"; diff "$1" "$2" | head -20 >&2; }; }
# need_node PACKAGE...: the npm packages (tests/tools/node) a test uses as its
# oracle.  Missing, the test fails, never passes by skipping, and says how to get them.
NODE_DIR="$SRC/tests/tools/node"
need_node() {
    local m
    for m in "$@"; do
        [ -d "$NODE_DIR/node_modules/$m" ] ||
            { bad "$m for Node is not installed: run bash dist/test.sh (it runs npm ci in tests/tools/node)"; finish; exit; }
    done
}
# json FILE EXPR: a Python expression over the parsed JSON object `j`.
json() { "$PYTHON" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# Comparing a sharded run's folder with a single run's.
# rows DIR: sorted id + sha1 of the whole row (text, metadata, spans) of every
# dataset row (work files aside); drops DIR: the drop log, sorted.
rows() {
    find "$1" -path "$1/work" -prune -o -name '*.jsonl' ! -name dropped.jsonl -print | sort | xargs cat |
        "$PYTHON" -c '
import sys, json, hashlib
print("\n".join(sorted(json.loads(l)["id"] + "\t" + hashlib.sha1(l.encode()).hexdigest() for l in sys.stdin)))'
}
drops() { sort "$1/dropped.jsonl"; }
counts() { json "$1/report.json" 'j["read"], j["written"], j["dropped"], sorted(j["dropped_by_reason"].items())'; }
same_as() { # same_as REF DIR WHAT
    rows "$1" >"$TMP/a.rows"
    rows "$2" >"$TMP/b.rows"
    expect_same "$TMP/a.rows" "$TMP/b.rows" "$3: ids and texts"
    drops "$1" >"$TMP/a.drops"
    drops "$2" >"$TMP/b.drops"
    expect_same "$TMP/a.drops" "$TMP/b.drops" "$3: drops, reasons and kept ids"
    [ "$(counts "$1")" = "$(counts "$2")" ] && ok || bad "$3: report counts $(counts "$2") != $(counts "$1")"
}

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
