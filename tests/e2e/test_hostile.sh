#!/usr/bin/env bash
# Hostile input: every case ends in a clear message or a counted drop, never
# a crash (the suite also runs this under ASan+UBSan), and the accounting
# read = written + dropped holds.
. "$(dirname "$0")/lib.sh"

# A config reading $1 with the archive reader plus extra reader options $2.
cfg() {
    cat >"$TMP/h.yaml" <<YAML
reader:
  plugin: archive
  path: $1
$2
steps:
  - plugin: normalize
  - plugin: boilerplate
    rules: $SRC/config/boilerplate
writers: [jsonl]
YAML
}
invariant() {
    [ "$(json "$1/report.json" 'j["read"] == j["written"] + j["dropped"]')" = True ] && ok || bad "$2: read != written + dropped"
}

"$PYTHON" - "$TMP" <<'PY'
import io, sys, tarfile, zipfile
d = sys.argv[1]
def add(tar, name, data=b"", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data)
    tar.addfile(info, io.BytesIO(data))
with tarfile.open(d + "/evil.tar.gz", "w:gz") as t:
    add(t, "../../escape.txt", "Путь наружу.\n".encode())
    add(t, "/etc/absolute.txt", b"Absolute path member.\n")
    add(t, "link.txt", kind=tarfile.SYMTYPE, link="/etc/passwd")
    add(t, "hard.txt", kind=tarfile.LNKTYPE, link="empty.txt")
    add(t, "empty.txt", b"")
    add(t, "nul.txt", b"before\x00after\n")
    add(t, "bad.txt", b"caf\xe9 \xff\xfe\n")
    add(t, "dev", kind=tarfile.CHRTYPE)
    add(t, "fifo", kind=tarfile.FIFOTYPE)
with zipfile.ZipFile(d + "/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("ok.txt", "A small honest document.\n")
    z.writestr("bomb.txt", b"0" * (100 << 20))  # 100 MiB of zeros, ~100 KiB compressed
with open(d + "/corrupt.zip", "wb") as f:
    f.write(b"PK\x03\x04" + b"\x00" * 26 + b"garbage" * 100)
PY

# ../ and absolute members are only read: their names become ids, nothing is written there.
cfg "$TMP/evil.tar.gz" ""
run "$CONVERT" -q -c "$TMP/h.yaml" -o "$TMP/evil"
expect_rc 0 "evil archive"
expect_no_file "$TMP/../escape.txt" "path traversal"
expect_no_file "/tmp/escape.txt" "path traversal"
grep -q '"id":"../../escape.txt"' "$TMP/evil/train.jsonl" && ok || bad "../ member read as a document"
[ "$(json "$TMP/evil/report.json" 'j["counters"]["archive"]["skipped:symlink"]')" = 1 ] && ok || bad "symlink counted"
[ "$(json "$TMP/evil/report.json" 'j["counters"]["archive"]["skipped:hardlink"]')" = 1 ] && ok || bad "hardlink counted"
[ "$(json "$TMP/evil/report.json" 'j["counters"]["archive"]["skipped:device"]')" = 1 ] && ok || bad "device counted"
grep -q '"id":"nul.txt","text":"beforeafter"' "$TMP/evil/train.jsonl" && ok || bad "NUL removed by normalize"
grep -q '"id":"bad.txt","text":"caf� ��"' "$TMP/evil/train.jsonl" && ok || bad "invalid UTF-8 repaired"
grep -q '"id":"empty.txt","text":""' "$TMP/evil/train.jsonl" && ok || bad "zero-byte member kept as empty"
invariant "$TMP/evil" "evil archive"

# A zip bomb member is dropped unread by max_doc_bytes; the honest member survives.
cfg "$TMP/bomb.zip" "  max_doc_bytes: 1M"
run "$CONVERT" -q -c "$TMP/h.yaml" -o "$TMP/bomb"
expect_rc 0 "zip bomb"
[ "$(json "$TMP/bomb/report.json" 'j["dropped_by_reason"]["archive:max_doc_bytes"]')" = 1 ] && ok || bad "bomb dropped"
[ "$(json "$TMP/bomb/report.json" 'j["written"]')" = 1 ] && ok || bad "honest member kept"
# ...and a total limit stops the run with a message.
cfg "$TMP/bomb.zip" "  max_total_bytes: 10M
  max_doc_bytes: 200M"
run "$CONVERT" -q -c "$TMP/h.yaml" -o "$TMP/bomb2"
expect_rc 1 "max_total_bytes"
expect_err "more than max_total_bytes" "max_total_bytes message"
expect_no_file "$TMP/bomb2/train.jsonl" "no output after a failed run"

# Corrupt and truncated archives: a message naming the file, exit 1 or 2, no output.
cfg "$TMP/corrupt.zip" ""
run "$CONVERT" -q -c "$TMP/h.yaml" -o "$TMP/corrupt"
[ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] && ok || bad "corrupt zip: exit $RC"
expect_err "corrupt.zip" "corrupt zip named"
expect_no_file "$TMP/corrupt/train.jsonl" "corrupt zip output"
head -c 1000 "$TMP/bomb.zip" >"$TMP/cut.zip"
cfg "$TMP/cut.zip" ""
run "$CONVERT" -q -c "$TMP/h.yaml" -o "$TMP/cut"
[ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] && ok || bad "truncated zip: exit $RC"
expect_err "cut.zip" "truncated zip named"

# A 200 MB single-line document: dropped by the default max_doc_bytes (64M), never held whole.
head -c 200000000 /dev/zero | tr '\0' 'a' >"$TMP/huge/one.txt" 2>/dev/null || { mkdir -p "$TMP/huge"; head -c 200000000 /dev/zero | tr '\0' 'a' >"$TMP/huge/one.txt"; }
printf 'small one\n' >"$TMP/huge/two.txt"
cfg "$TMP/huge" ""
run /usr/bin/env "$CONVERT" -q -c "$TMP/h.yaml" -o "$TMP/hugeout"
expect_rc 0 "200 MB line"
[ "$(json "$TMP/hugeout/report.json" 'j["dropped_by_reason"].get("archive:max_doc_bytes")')" = 1 ] && ok || bad "200 MB document dropped"
printf '{"id":"big","text":"%s"}\n{"id":"ok","text":"fine"}\n' "$(head -c 3000000 /dev/zero | tr '\0' 'b')" >"$TMP/big.jsonl"
cat >"$TMP/j.yaml" <<YAML
reader: {plugin: jsonl, path: $TMP/big.jsonl, max_doc_bytes: 1M}
writers: [jsonl]
YAML
run "$CONVERT" -q -c "$TMP/j.yaml" -o "$TMP/bigj"
expect_rc 0 "long JSONL line"
[ "$(json "$TMP/bigj/report.json" 'j["dropped_by_reason"]["jsonl:max_doc_bytes"], j["written"]')" = "1 1" ] && ok || bad "long JSONL line dropped, next kept"
rm -rf "$TMP/huge" "$TMP/hugeout"

# Compressed JSONL: several gzip members in one file (cat a.gz b.gz) read as
# one text, the same rows as the plain file and its .zst; damaged, truncated
# or followed by what is not gzip: an error naming the file, exit 1.
"$PYTHON" - "$TMP/gz" <<'PY'
import json, os, random, sys
d = sys.argv[1]
os.makedirs(d)
rnd = random.Random(5)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "iota", "kappa", "lambda"]
with open(d + "/in.jsonl", "w") as f:
    for i in range(6000):  # ~1.5 MB: several input buffers, a member boundary inside one
        text = " ".join(rnd.choice(words) + str(rnd.randrange(1000)) for _ in range(rnd.randrange(20, 60)))
        f.write(json.dumps({"id": "d%d" % i, "text": text}) + "\n")
PY
head -n 2500 "$TMP/gz/in.jsonl" | gzip -c >"$TMP/gz/multi.jsonl.gz"
tail -n +2501 "$TMP/gz/in.jsonl" | gzip -9 -c >>"$TMP/gz/multi.jsonl.gz"
zstd -q -c "$TMP/gz/in.jsonl" >"$TMP/gz/in.jsonl.zst"
for f in in.jsonl multi.jsonl.gz in.jsonl.zst; do
    printf 'reader: {plugin: jsonl, path: %s}\nwriters: [jsonl]\n' "$TMP/gz/$f" >"$TMP/gz.yaml"
    run "$CONVERT" -q -c "$TMP/gz.yaml" -o "$TMP/gz/out-$f"
    expect_rc 0 "reading $f"
done
[ "$(json "$TMP/gz/out-multi.jsonl.gz/report.json" 'j["read"]')" = 6000 ] && ok || bad "both gzip members read"
# The rows but their source (the file's name).
for f in in.jsonl multi.jsonl.gz in.jsonl.zst; do sed 's/"source":"[^"]*"//' "$TMP/gz/out-$f/train.jsonl" >"$TMP/gz/$f.rows"; done
expect_same "$TMP/gz/in.jsonl.rows" "$TMP/gz/multi.jsonl.gz.rows" "gzip members = plain"
expect_same "$TMP/gz/in.jsonl.rows" "$TMP/gz/in.jsonl.zst.rows" "zstd = plain"
size=$(stat -c %s "$TMP/gz/multi.jsonl.gz")
head -c $((size / 2)) "$TMP/gz/multi.jsonl.gz" >"$TMP/gz/cut.jsonl.gz"
cp "$TMP/gz/multi.jsonl.gz" "$TMP/gz/flip.jsonl.gz"
printf '\x55' | dd of="$TMP/gz/flip.jsonl.gz" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
{ cat "$TMP/gz/multi.jsonl.gz"; printf 'not gzip'; } >"$TMP/gz/tail.jsonl.gz"
for f in cut flip tail; do
    printf 'reader: {plugin: jsonl, path: %s}\nwriters: [jsonl]\n' "$TMP/gz/$f.jsonl.gz" >"$TMP/gz.yaml"
    run "$CONVERT" -q -c "$TMP/gz.yaml" -o "$TMP/gz/out-$f"
    expect_rc 1 "damaged gzip ($f)"
    expect_err "$f.jsonl.gz" "damaged gzip ($f) names the file"
    expect_no_file "$TMP/gz/out-$f/train.jsonl" "damaged gzip ($f) leaves no dataset"
done
expect_err "is not gzip" "data after the last member"
rm -rf "$TMP/gz"

# Many tiny members, and the max_members limit with its message.
"$PYTHON" "$SRC/tests/tools/gen_many_members.py" "$TMP/many.tar.gz" 1000000
cat >"$TMP/many.yaml" <<YAML
reader: {plugin: archive, path: $TMP/many.tar.gz}
writers: [jsonl]
YAML
run "$CONVERT" -q -c "$TMP/many.yaml" -o "$TMP/many"
expect_rc 0 "a million members"
[ "$(json "$TMP/many/report.json" 'j["read"], j["written"]')" = "1000000 1000000" ] && ok || bad "a million members all read"
sed -i 's#path: [^}]*}#path: '"$TMP"'/many.tar.gz, max_members: 1000}#' "$TMP/many.yaml"
run "$CONVERT" -q -c "$TMP/many.yaml" -o "$TMP/many2"
expect_rc 1 "max_members"
expect_err "more than max_members (1000)" "max_members message"

# YAML bombs and missing files in configs: exit 2 with FILE:LINE:COL.
printf 'a: &a ["x","x"]\nb: &b [*a,*a]\nreader: archive\nwriters: [jsonl]\n' >"$TMP/bomb.yaml"
run "$CONVERT" --check -c "$TMP/bomb.yaml"
expect_rc 2 "alias bomb"
expect_err "bomb.yaml:1:4: YAML anchors and aliases" "alias bomb message"
"$PYTHON" -c "print('reader: ' + '[' * 5000)" >"$TMP/deep.yaml"
run "$CONVERT" --check -c "$TMP/deep.yaml"
expect_rc 2 "deep YAML"
expect_err "nesting deeper than 64" "deep YAML message"
cat >"$TMP/norules.yaml" <<YAML
reader: {plugin: archive, path: $SRC/seeds/seeds.tar.gz}
steps:
  - plugin: boilerplate
    rules: no/such/rules
writers: [jsonl]
YAML
run "$CONVERT" -q -c "$TMP/norules.yaml" -o "$TMP/nr"
expect_rc 2 "missing rules file"
expect_err "norules.yaml:3:5: step 'boilerplate': rules '$TMP/no/such/rules': no such file or folder" "missing rules message"

# A step that errors on one document: that document is dropped as error:<plugin>, the run goes on...
mkdir -p "$TMP/mixed"
printf 'fine one\n' >"$TMP/mixed/a.txt"
printf 'please FAIL here\n' >"$TMP/mixed/b.txt"
printf 'please DROP me\n' >"$TMP/mixed/c.txt"
cat >"$TMP/faulty.yaml" <<YAML
reader: {plugin: archive, path: $TMP/mixed}
steps: [faulty]
writers: [jsonl]
YAML
run "$CONVERT" -q --plugin-path "$FIXTURES/faulty" -c "$TMP/faulty.yaml" -o "$TMP/faulty"
expect_rc 0 "step error skipped"
[ "$(json "$TMP/faulty/report.json" 'j["dropped_by_reason"]["error:faulty"], j["dropped_by_reason"]["faulty:asked_to"], j["written"]')" = "1 1 1" ] && ok ||
    bad "error and drop counted: $(cat "$TMP/faulty/report.json")"
grep -q '"reason":"error:faulty"' "$TMP/faulty/dropped.jsonl" && ok || bad "error in the drop log"
# ...unless on_error: abort, which fails the run and writes nothing.
printf 'on_error: abort\n' >>"$TMP/faulty.yaml"
run "$CONVERT" -q --plugin-path "$FIXTURES/faulty" -c "$TMP/faulty.yaml" -o "$TMP/faulty2"
expect_rc 1 "on_error abort"
expect_err "step 'faulty' failed on document 'b.txt'" "abort message"
expect_no_file "$TMP/faulty2/train.jsonl" "abort leaves no output"
# A step that drops everything: an empty dataset, all accounted for.
sed -e 's/steps: \[faulty\]/steps: [drop_all]/' -e '/on_error/d' "$TMP/faulty.yaml" >"$TMP/dropall.yaml"
run "$CONVERT" -q --plugin-path "$FIXTURES/faulty" -c "$TMP/dropall.yaml" -o "$TMP/dropall"
expect_rc 0 "drop everything"
[ "$(json "$TMP/dropall/report.json" 'j["written"], j["dropped_by_reason"]["drop_all:everything"]')" = "0 3" ] && ok || bad "all dropped, counted"
# A step that breaks doc_set_text_unchecked's promise: with CONVERT_CHECK_TEXT set
# (as in all tests) the run stops, names the step, and leaves no dataset.
sed -e 's/steps: \[drop_all\]/steps: [bad_utf8]/' "$TMP/dropall.yaml" >"$TMP/badutf8.yaml"
run "$CONVERT" -q --plugin-path "$FIXTURES/faulty" -c "$TMP/badutf8.yaml" -o "$TMP/badutf8"
[ "$RC" -ne 0 ] && ok || bad "invalid unchecked text went unnoticed"
expect_err "step 'bad_utf8' passed invalid UTF-8 to doc_set_text_unchecked" "unchecked text message"
expect_no_file "$TMP/badutf8/train.jsonl" "no dataset after invalid unchecked text"
# An input file cut short while it is read (here by a step, at the first
# document, with ~20 MB still ahead of the reader): the run fails saying so,
# never a crash, and leaves no dataset.
"$PYTHON" -c 'import json,sys
with open(sys.argv[1], "w") as f:
    for i in range(100000): f.write(json.dumps({"text": "document %d " % i + "words " * 30}) + "\n")' "$TMP/shrinks.jsonl"
printf 'reader: {plugin: jsonl, path: %s}\nsteps: [truncate_source]\nwriters: [jsonl]\n' "$TMP/shrinks.jsonl" >"$TMP/shrinks.yaml"
run "$CONVERT" -q --plugin-path "$FIXTURES/faulty" -c "$TMP/shrinks.yaml" -o "$TMP/shrinks" -j 1
expect_rc 1 "input cut short while read"
expect_err "shrinks.jsonl' shrank while it was read" "input cut short: the message names the file"
expect_no_file "$TMP/shrinks/train.jsonl" "no dataset after an input cut short"

# SIGINT / SIGTERM: a clean stop, non-zero exit, no temp files, earlier outputs untouched.
"$PYTHON" "$SRC/tests/bench/gen_corpus.py" 40M "$TMP/big.tar.gz" >/dev/null  # ~4 s of work at -j 1: time to be interrupted
for sig in INT TERM; do
    j=$([ $sig = INT ] && echo 1 || echo 2) # the serial and the threaded stop paths
    mkdir -p "$TMP/sig$sig"
    echo previous >"$TMP/sig$sig/train.jsonl"
    "$CONVERT" -q -c "$SRC/config/example.yaml" -i "$TMP/big.tar.gz" -o "$TMP/sig$sig" -j $j 2>"$TMP/sig.err" &
    pid=$!
    sleep 1
    kill -$sig $pid
    wait $pid
    rc=$?
    [ "$rc" -ne 0 ] && ok || bad "SIG$sig: exit 0"
    grep -q "interrupted by signal" "$TMP/sig.err" && ok || bad "SIG$sig message: $(cat "$TMP/sig.err")"
    [ "$(cat "$TMP/sig$sig/train.jsonl")" = previous ] && ok || bad "SIG$sig overwrote an output"
    [ "$(ls -A "$TMP/sig$sig")" = train.jsonl ] && ok || bad "SIG$sig left files: $(ls -A "$TMP/sig$sig")"
done

finish
