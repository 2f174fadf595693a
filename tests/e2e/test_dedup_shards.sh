#!/usr/bin/env bash
# Dedup across shards: dist/shards.sh with 1, 3 and 4 shards keeps exactly the
# documents, texts and drops (reason and the kept id named) of the single run;
# several input files and one; a budget so small that the sorts spill; a rerun
# that redoes nothing; tasks killed with SIGKILL at a named point; a corrupted
# work file; the errors of phases run out of order.
. "$(dirname "$0")/lib.sh"
export CONVERT
SHARDS="$SRC/dist/shards.sh"
# Under valgrind every task is ~50x slower: a smaller corpus, the same checks.
SIZE=3M
[ -n "${CONVERT_WRAPPER:-}" ] && SIZE=200K

"$PYTHON" "$SRC/tests/tools/gen_dups.py" "$TMP/in" 4 "$SIZE" --seed 7 >/dev/null || bad "corpus generated"
cat >"$TMP/dedup.yaml" <<'EOF'
reader:
  plugin: jsonl
  path: in/part-000.jsonl.gz
steps:
  - plugin: normalize
  - plugin: quality
    min_words: 30
  - plugin: langid       # metadata and spans made before dedup must cross the hand-off
  - plugin: segment
  - plugin: dedup
    max_bucket: 3        # small, so that templated pages overfill buckets
  - plugin: split
writers:
  - plugin: jsonl
    spans: byte
EOF

run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/in/*.jsonl.gz" -o "$TMP/single" -j 2
expect_rc 0 "single run over four files"
[ "$(json "$TMP/single/report.json" 'j["dropped_by_reason"].get("dedup:exact_duplicate", 0) > 0 and j["dropped_by_reason"].get("dedup:near_duplicate", 0) > 0')" = True ] &&
    ok || bad "the corpus has exact and near copies: $(counts "$TMP/single")"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/in/*.jsonl.gz" -o "$TMP/single1" -j 1
expect_rc 0 "single run -j 1"
same_as "$TMP/single" "$TMP/single1" "single run -j 1 = -j 2"

for n in 1 3 4; do
    run "$SHARDS" "$n" "$TMP/dedup.yaml" "$TMP/in/*.jsonl.gz" "$TMP/s$n"
    expect_rc 0 "shards.sh $n"
    same_as "$TMP/single" "$TMP/s$n" "$n shards"
done
[ "$(ls "$TMP"/s4/shard-*/train.jsonl | wc -l)" = 4 ] && ok || bad "4 shards, 4 dataset folders"
[ -z "$(find "$TMP/s4" -path "$TMP/s4/work" -prune -o -name '*.bin' -print)" ] && ok || bad "work files only under out/work"
"$PYTHON" - "$TMP/single/dropped.jsonl" "$TMP/in" <<'EOF' && ok || bad "some drops name a kept document of another input file"
import sys, json, gzip, glob
where = {}
for i, f in enumerate(sorted(glob.glob(sys.argv[2] + "/*.jsonl.gz"))):
    for l in gzip.open(f, "rt"):
        where[json.loads(l)["id"]] = i
cross = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["reason"].startswith("dedup:"):
        kept = d["detail"].split(" (similarity")[0]
        cross += where[d["id"]] != where[kept]
sys.exit(0 if cross > 0 else 1)
EOF

# One input file: shards split it by document id, and still equal the single run.
cat "$TMP"/in/*.jsonl.gz >"$TMP/all.jsonl.gz"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/all.jsonl.gz" -o "$TMP/single-one"
expect_rc 0 "single run over one file"
run "$SHARDS" 3 "$TMP/dedup.yaml" "$TMP/all.jsonl.gz" "$TMP/one3"
expect_rc 0 "shards.sh 3 over one file"
same_as "$TMP/single-one" "$TMP/one3" "one file, 3 shards"

# A budget the sorts cannot fit in: they spill, and nothing changes.
run "$SHARDS" 2 "$TMP/dedup.yaml" "$TMP/in/*.jsonl.gz" "$TMP/spill" --memory 64K
expect_rc 0 "shards.sh 2 --memory 64K"
same_as "$TMP/single" "$TMP/spill" "2 shards spilling"
spilled=$(cat "$TMP"/spill/work/pairs-*/report.json | "$PYTHON" -c '
import sys, json
t = 0
for part in sys.stdin.read().replace("}\n{", "}\x00{").split("\x00"):
    t += json.loads(part)["counters"]["dedup"].get("spilled_runs", 0)
print(t)')
[ "$spilled" -gt 0 ] && ok || bad "the pairs tasks spilled sorted runs (got $spilled)"
[ -z "$(find "$TMP/spill/work" -name 'run-*.bin')" ] && ok || bad "spilled runs are removed"
# decide keeps a sixty-fourth of the budget of drops in memory (128 at 64K):
# the 3M corpus drops more, so the older ones are looked up on disk.
if [ "$SIZE" = 3M ]; then
    spilled=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["counters"]["dedup"].get("spilled_runs", 0))' \
        "$TMP/spill/work/decide/report.json")
    [ "$spilled" -gt 0 ] && ok || bad "decide wrote its older drops to disk (got $spilled)"
fi
[ -z "$(find "$TMP/spill/work" -name 'tmp-*')" ] && ok || bad "no task leaves its scratch files"

# Again on a finished folder: every task is skipped, nothing is rewritten.
before=$(stat -c %Y.%s "$TMP"/s3/shard-0/train.jsonl "$TMP"/s3/work/sign-1/docs.bin)
sleep 1
run "$SHARDS" 3 "$TMP/dedup.yaml" "$TMP/in/*.jsonl.gz" "$TMP/s3"
expect_rc 0 "rerun on a complete folder"
[ "$before" = "$(stat -c %Y.%s "$TMP"/s3/shard-0/train.jsonl "$TMP"/s3/work/sign-1/docs.bin)" ] && ok ||
    bad "a rerun rewrote finished work"
run "$CONVERT" --verify "$TMP/s3/work/sign-0" "$TMP/s3/work/decide" "$TMP/s3/shard-2" "$TMP/s3"
expect_rc 0 "--verify on complete tasks"

# A corrupted work file is found, not trusted, and redone by a rerun.
"$PYTHON" - "$TMP/s3/work/sign-1/bands-0.bin" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x40
open(sys.argv[1], "wb").write(bytes(b))
EOF
run "$CONVERT" --verify "$TMP/s3/work/sign-1"
expect_rc 1 "--verify on a corrupted work file"
expect_err "bands-0.bin: size or checksum differs" "the corrupted file is named"
rm -rf "$TMP/s3/work/pairs-0"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -o "$TMP/s3" --phase pairs --shard 0/3
expect_rc 1 "a pairs task refuses corrupted input"
expect_err "not trusted" "and says why"
# What a killed pairs task 0 left (a spill folder, a scratch file) goes when that task runs again.
mkdir -p "$TMP/s3/work/tmp-pairs-0-bands-999999"
echo stale >"$TMP/s3/work/tmp-pairs-0-bands-999999/run-0.bin"
echo stale >"$TMP/s3/work/tmp-pairs-0-gone-999999"
echo other >"$TMP/s3/work/tmp-pairs-1-bands-999999"
run "$SHARDS" 3 "$TMP/dedup.yaml" "$TMP/in/*.jsonl.gz" "$TMP/s3"
expect_rc 0 "rerun after corruption"
same_as "$TMP/single" "$TMP/s3" "rerun after corruption"
expect_no_file "$TMP/s3/work/tmp-pairs-0-bands-999999" "a killed task's spilled runs are removed by its rerun"
expect_no_file "$TMP/s3/work/tmp-pairs-0-gone-999999" "and its scratch files"
expect_file "$TMP/s3/work/tmp-pairs-1-bands-999999" "another task's are not touched"
rm -f "$TMP/s3/work/tmp-pairs-1-bands-999999"

# Phases out of order, or on a config without dedup.
run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/in/*.jsonl.gz" -o "$TMP/order" --phase apply --shard 0/2
expect_rc 1 "apply before sign"
expect_err "earlier phases' work is not complete" "apply names what is missing"
run "$CONVERT" -q -c "$SRC/config/shard-nodedup.yaml" -o "$TMP/x" --phase sign --shard 0/2
expect_rc 2 "--phase on a config without dedup"
expect_err "no step of" "and says so"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -o "$TMP/x" --phase sign
expect_rc 2 "--phase without --shard"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -o "$TMP/x" --phase sign --shard 0/1001
expect_rc 2 "more shards than decide can write files for"
expect_err "at most 1000 shards" "says the limit"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -o "$TMP/x" --phase bogus --shard 0/2
expect_rc 2 "an unknown phase"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/nothing-*.gz" -o "$TMP/x"
expect_rc 2 "a glob that matches nothing"
expect_err "no file matches" "says so"
rm -rf "$TMP/s4/work/sign-2/.convert-done" "$TMP/s4/report.json" "$TMP/s4/.convert-done"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -o "$TMP/s4" --phase merge --shard 0/4
expect_rc 1 "merge with a sign task unfinished"
expect_no_file "$TMP/s4/report.json" "no merged report from part of the run"
# Without dedup, shards.sh runs independent shards.
run "$SHARDS" 2 "$SRC/config/shard-nodedup.yaml" "$SRC/seeds/seeds.tar.gz" "$TMP/nodedup"
expect_rc 0 "shards.sh on a config without dedup"
expect_file "$TMP/nodedup/report.json" "its merged report"

# SIGKILL in the middle of a sign task, and of a pairs task after its sort
# spilled (CONVERT_FAULT names the point): nothing looks complete; a rerun
# removes what the killed tasks left and is equal.
run env CONVERT_FAULT=sign:written "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/in/*.jsonl.gz" -o "$TMP/killed" \
    --phase sign --shard 0/2 -j 1
expect_rc 137 "a sign task killed at CONVERT_FAULT=sign:written"
run "$CONVERT" --verify "$TMP/killed/work/sign-0"
expect_rc 1 "a killed task has no marker"
expect_no_file "$TMP/killed/work/sign-0/docs.bin" "nor a final work file"
[ -n "$(find "$TMP/killed/work/sign-0" -name '.*.tmp-*')" ] && ok || bad "the killed sign task left temp files to clean up"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/in/*.jsonl.gz" -o "$TMP/killed" --phase sign --shard 1/2
expect_rc 0 "sign task 1"
run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/in/*.jsonl.gz" -o "$TMP/killed" --phase sign --shard 0/2
expect_rc 0 "sign task 0 again"
run env CONVERT_FAULT=pairs:spilled "$CONVERT" -q -c "$TMP/dedup.yaml" -o "$TMP/killed" --phase pairs --shard 0/2 \
    --memory 64K
expect_rc 137 "a pairs task killed at CONVERT_FAULT=pairs:spilled"
[ -n "$(find "$TMP/killed/work" -path '*/tmp-pairs-0-*/run-*.bin')" ] && ok || bad "the killed pairs task left spilled runs"
run "$SHARDS" 2 "$TMP/dedup.yaml" "$TMP/in/*.jsonl.gz" "$TMP/killed"
expect_rc 0 "rerun after the kills"
same_as "$TMP/single" "$TMP/killed" "rerun after SIGKILL"
[ -z "$(find "$TMP/killed" -name '.*.tmp-*' -o -name 'tmp-*' -o -name 'run-*.bin')" ] && ok ||
    bad "the killed tasks' temp files and spilled runs were cleaned up"
finish
