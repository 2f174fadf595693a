#!/usr/bin/env bash
# The JSONL reader on plain and compressed input: the same documents from
# each, also where the config names another reader, and libarchive loaded
# only for the compressions it reads (a plain file is read plainly; loading
# libarchive and what it links was ~8 ms of every run).
. "$(dirname "$0")/lib.sh"

printf '{"id": "a", "text": "one two three"}\n{"id": "b", "text": "four five"}\n{"id": "c", "text": "six"}\n' >"$TMP/in.jsonl"
zstd -q -c "$TMP/in.jsonl" >"$TMP/in.jsonl.zst"
xz -c "$TMP/in.jsonl" >"$TMP/in.jsonl.xz"
bzip2 -c "$TMP/in.jsonl" >"$TMP/in.jsonl.bz2"
{ printf '\xef\xbb\xbf\n  \n'; cat "$TMP/in.jsonl"; } >"$TMP/bom.jsonl" # a byte order mark and blank lines first
printf 'reader: {plugin: jsonl}\nwriters: [jsonl]\n' >"$TMP/c.yaml"

run "$CONVERT" -q -c "$TMP/c.yaml" -i "$TMP/in.jsonl" -o "$TMP/plain"
expect_rc 0 "plain JSONL"
[ "$(wc -l <"$TMP/plain/train.jsonl")" -eq 3 ] && ok || bad "plain JSONL: three documents"
unsourced() { sed 's/"source":"[^"]*"//' "$1"; } # the file's name is the one difference
unsourced "$TMP/plain/train.jsonl" >"$TMP/want"
for f in in.jsonl.zst in.jsonl.xz in.jsonl.bz2 bom.jsonl; do
    run "$CONVERT" -q -c "$TMP/c.yaml" -i "$TMP/$f" -o "$TMP/out-$f"
    expect_rc 0 "$f"
    unsourced "$TMP/out-$f/train.jsonl" >"$TMP/got"
    expect_same "$TMP/want" "$TMP/got" "$f: the plain file's documents"
done

# Plain JSONL through a pipe (libarchive reads it; it is no file to read again):
# the same documents, not none.
cat "$TMP/in.jsonl" | "$CONVERT" -q -c "$TMP/c.yaml" -i /dev/stdin -o "$TMP/pipe" 2>"$TMP/pipe.err"
[ $? -eq 0 ] && ok || bad "JSONL on a pipe: exit status; $(cat "$TMP/pipe.err")"
unsourced "$TMP/pipe/train.jsonl" >"$TMP/got"
expect_same "$TMP/want" "$TMP/got" "JSONL on a pipe: the plain file's documents"

# A config whose reader is another's (the archive reader, as example.yaml's):
# -i names JSON Lines, so the jsonl reader reads it, and says so.
printf 'reader: {plugin: archive}\nwriters: [jsonl]\n' >"$TMP/archive.yaml"
cp "$TMP/in.jsonl" "$TMP/IN.JSONL"
for f in in.jsonl in.jsonl.zst in.jsonl.xz IN.JSONL; do
    "$CONVERT" -c "$TMP/archive.yaml" -i "$TMP/$f" -o "$TMP/swap-$f" 2>"$TMP/swap.err"
    [ $? -eq 0 ] && ok || bad "$f with an archive config: exit status; $(cat "$TMP/swap.err")"
    grep -q "JSON Lines, read by the jsonl reader (not the config's 'archive')" "$TMP/swap.err" && ok ||
        bad "$f with an archive config: the reader swap is not said"
    unsourced "$TMP/swap-$f/train.jsonl" >"$TMP/got"
    expect_same "$TMP/want" "$TMP/got" "$f with an archive config: the plain file's documents"
done

if [ -z "${CONVERT_WRAPPER:-}" ]; then # the loader's own log, of convert itself
    LD_DEBUG=files "$CONVERT" -q -c "$TMP/c.yaml" -i "$TMP/in.jsonl" -o "$TMP/plain2" 2>"$TMP/ld-plain"
    grep -q 'file=libarchive' "$TMP/ld-plain" && bad "a plain JSONL run loaded libarchive" || ok
    grep -q 'jsonl.so' "$TMP/ld-plain" && ok || bad "LD_DEBUG=files logged no plugin: the check above proves nothing"
    LD_DEBUG=files "$CONVERT" -q -c "$TMP/c.yaml" -i "$TMP/in.jsonl.zst" -o "$TMP/zst2" 2>"$TMP/ld-zst"
    grep -q 'file=libarchive' "$TMP/ld-zst" && ok || bad "a .zst run did not load libarchive"
fi

finish
