#!/usr/bin/env bash
# Whole runs: the seeds through the minimal pipeline, -i/-o overrides,
# accounting, and failures that leave no half-written dataset.
. "$(dirname "$0")/lib.sh"

# The committed seed archive holds exactly seeds/*.txt.
mkdir "$TMP/unpacked"
tar -xzf "$SRC/seeds/seeds.tar.gz" -C "$TMP/unpacked"
for f in "$SRC"/seeds/*.txt; do expect_same "$f" "$TMP/unpacked/$(basename "$f")" "seed archive"; done
[ "$(ls "$TMP/unpacked" | wc -l)" -eq "$(ls "$SRC"/seeds/*.txt | wc -l)" ] && ok || bad "seed archive has extra members"

run "$CONVERT" -q -c "$SRC/config/minimal.yaml" -o "$TMP/out"
expect_rc 0 "minimal run"
expect_same "$TMP/out/train.jsonl" "$SRC/tests/golden/minimal/train.jsonl" "minimal golden"
[ "$(json "$TMP/out/report.json" 'j["read"] == j["written"] + j["dropped"] == 5')" = True ] && ok || bad "report invariant"
[ -z "$(ls -A "$TMP/out" | grep -v -e '^train.jsonl$' -e '^report.json$' -e '^dropped.jsonl$' -e '^report.html$' -e '^README.md$')" ] && ok || bad "stray files: $(ls -A "$TMP/out")"
[ -z "$OUT" ] && [ -z "$ERR" ] && ok || bad "-q printed something: $OUT $ERR"

# Summary on stderr without -q; no progress line when stderr is not a terminal...
run "$CONVERT" -c "$SRC/config/minimal.yaml" -o "$TMP/out2"
expect_rc 0 "a second run"
expect_err "ok: read 5, written 5, dropped 0" "summary"
case "$ERR" in *$'\r'*) bad "progress line on a non-terminal" ;; *) ok ;; esac
# ...and a live one, with percentage and ETA, when it is.
if command -v script >/dev/null; then
    script -qec "$CONVERT -c $SRC/config/minimal.yaml -o $TMP/out2b" /dev/null >"$TMP/tty" 2>&1
    grep -aq $'\r.*5 docs .*written 5' "$TMP/tty" && ok || bad "no progress line on a terminal: $(cat -v "$TMP/tty")"
fi

# -i with a folder and a zip of other documents; every one accounted for.
mkdir -p "$TMP/corpus/sub"
printf 'Hello world.\n' >"$TMP/corpus/a.txt"
printf 'Привет, мир.\n' >"$TMP/corpus/sub/b.txt"
printf 'bad \xff byte\n' >"$TMP/corpus/c.txt"
printf 'skip me' >"$TMP/corpus/d.html"
cat >"$TMP/drop.yaml" <<YAML
reader:
  plugin: archive
  path: unused
  include: ["*.txt"]
  invalid_utf8: drop
writers:
  - plugin: jsonl
    path: data.jsonl.zst
YAML
run "$CONVERT" -q -c "$TMP/drop.yaml" -i "$TMP/corpus" -o "$TMP/out3"
expect_rc 0 "folder input"
[ "$(zstd -dc "$TMP/out3/data.jsonl.zst" | wc -l)" -eq 2 ] && ok || bad "two documents written"
[ "$(json "$TMP/out3/report.json" 'j["dropped_by_reason"]["archive:invalid_utf8"]')" = 1 ] && ok || bad "invalid utf8 counted"
[ "$(json "$TMP/out3/report.json" 'j["counters"]["archive"]["skipped:not_included"]')" = 1 ] && ok || bad "skip counted"
grep -q '"id":"c.txt","reason":"archive:invalid_utf8"' "$TMP/out3/dropped.jsonl" && ok || bad "drop log names the document"

# An archive from a pipe whose members give no size up front (a zip written as a
# stream): a member grows in the document as it is read, one past max_doc_bytes
# is dropped while reading, and the core repairs invalid UTF-8 on a worker.
"$PYTHON" - "$TMP/stream.zip" <<'PY'
import io, sys, zipfile
class Stream(io.RawIOBase):  # not seekable: sizes go after the data
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
with open(sys.argv[1], "wb") as f, zipfile.ZipFile(Stream(f), "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in [("long.txt", b"word " * 60000), ("huge.txt", b"x" * 2000000), ("bad.txt", b"caf\xe9 \xff")]:
        with z.open(name, "w") as m:
            m.write(data)
PY
printf 'reader: {plugin: archive, path: unused, max_doc_bytes: 1M}\nwriters: [jsonl]\n' >"$TMP/stream.yaml"
for j in 1 2; do
    # Through a pipe: from a file, /dev/stdin is seekable and libarchive finds the sizes at the end.
    run "$CONVERT" -q -c "$TMP/stream.yaml" -i /dev/stdin -o "$TMP/stream$j" -j $j < <(cat "$TMP/stream.zip")
    expect_rc 0 "streamed zip on stdin, -j $j"
done
expect_same "$TMP/stream1/train.jsonl" "$TMP/stream2/train.jsonl" "streamed zip: -j 1 and -j 2"
[ "$(json "$TMP/stream2/report.json" '(j["read"], j["written"], j["dropped_by_reason"])')" = \
  "(3, 2, {'archive:max_doc_bytes': 1})" ] && ok || bad "streamed zip accounting: $(cat "$TMP/stream2/report.json")"
[ "$(json "$TMP/stream2/report.json" 'j["counters"]["archive"]["repaired:invalid_utf8_bytes"]')" = 2 ] &&
    ok || bad "streamed zip: repairs counted"
"$PYTHON" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["id"] for r in rows] == ["long.txt", "bad.txt"], rows
assert rows[0]["text"] == "word " * 60000 and rows[0]["metadata"]["size"] == 300000
assert rows[1]["text"] == "caf\ufffd \ufffd", rows[1]' "$TMP/stream2/train.jsonl" && ok || bad "streamed zip texts"

# A failed run leaves earlier outputs untouched and no new or temp files.
mkdir -p "$TMP/out4"
echo previous >"$TMP/out4/train.jsonl"
mkdir "$TMP/big"
for i in $(seq 1 40); do head -c 30000 /dev/urandom | base64 >"$TMP/big/$i.txt"; done
tar -czf "$TMP/big.tar.gz" -C "$TMP/big" .
head -c 600000 "$TMP/big.tar.gz" >"$TMP/cut.tar.gz"
run "$CONVERT" -q -c "$SRC/config/minimal.yaml" -i "$TMP/cut.tar.gz" -o "$TMP/out4"
expect_rc 1 "truncated archive"
expect_err "cut.tar.gz" "truncated archive names the file"
[ "$(cat "$TMP/out4/train.jsonl")" = previous ] && ok || bad "earlier output overwritten"
[ "$(ls -A "$TMP/out4")" = train.jsonl ] && ok || bad "failed run left files: $(ls -A "$TMP/out4")"

finish
