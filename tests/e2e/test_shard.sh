#!/usr/bin/env bash
# Scale-out: --shard K/N runs add up to the single run; --merge-reports adds
# up their reports; the same through a real one-node Slurm cluster (skipped,
# saying why, where the daemons cannot start).
. "$(dirname "$0")/lib.sh"
CFG="$SRC/config/shard-nodedup.yaml"
N=3

# docs DIR...: sorted "id<TAB>sha1(text)" of every written document.
docs() {
    cat "$@" | "$PYTHON" -c '
import sys, json, hashlib
rows = sorted(json.loads(l)["id"] + "\t" + hashlib.sha1(json.loads(l)["text"].encode()).hexdigest() for l in sys.stdin)
print("\n".join(rows))'
}

run "$CONVERT" -q -c "$CFG" -o "$TMP/single"
expect_rc 0 "single run"
docs "$TMP"/single/*.jsonl >"$TMP/single.docs"
for k in $(seq 0 $((N - 1))); do
    run "$CONVERT" -q -c "$CFG" -o "$TMP/local/shard-$k" --shard "$k/$N"
    expect_rc 0 "shard $k"
done
docs "$TMP"/local/shard-*/*.jsonl >"$TMP/local.docs"
expect_same "$TMP/single.docs" "$TMP/local.docs" "union of shards = single run"
[ "$(ls "$TMP"/local/shard-*/*.jsonl | wc -l)" -ge 2 ] && ok || bad "shards got documents"
run "$CONVERT" --merge-reports -o "$TMP/local" "$TMP"/local/shard-*
expect_rc 0 "merge reports"
[ "$(json "$TMP/local/report.json" 'j["read"], j["written"]')" = "$(json "$TMP/single/report.json" 'j["read"], j["written"]')" ] &&
    ok || bad "merged counts = single run's"
run "$CONVERT" --merge-reports "$TMP/nope"
expect_rc 2 "merge of a missing report"
run "$CONVERT" -c "$CFG" --shard 3/3
expect_rc 2 "--shard K >= N"

# The same through Slurm.
if [ "$(id -u)" -ne 0 ] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "SKIP slurm: needs root and Debian's slurm-wlm and munge (dist/test.sh installs them)" >&2
    finish
    exit $?
fi
CLUSTER="$TMP/cluster"
trap '"$SRC/dist/slurm/local-cluster.sh" stop "$CLUSTER"; rm -rf "$TMP"' EXIT
if ! "$SRC/dist/slurm/local-cluster.sh" start "$CLUSTER" >"$TMP/cluster.log" 2>&1; then
    echo "SKIP slurm: the daemons did not start here: $(tail -3 "$TMP/cluster.log")" >&2
    finish
    exit $?
fi
export SLURM_CONF="$CLUSTER/slurm.conf"
export CONVERT
run timeout 300 "$SRC/dist/slurm/submit.sh" "$N" "$CFG" "$SRC/seeds/seeds.tar.gz" "$TMP/slurm" --wait
expect_rc 0 "slurm array + merge"
docs "$TMP"/slurm/shard-*/*.jsonl >"$TMP/slurm.docs"
expect_same "$TMP/single.docs" "$TMP/slurm.docs" "slurm union = single run"
[ "$(json "$TMP/slurm/report.json" 'j["read"], j["written"]')" = "$(json "$TMP/single/report.json" 'j["read"], j["written"]')" ] &&
    ok || bad "slurm merged report = single run's"
[ "$(ls -d "$TMP"/slurm/shard-* | wc -l)" = "$N" ] && ok || bad "one output folder per array task"
# Dedup across shards on Slurm: the phases as chained jobs equal the single
# run; a sign task cancelled while it runs breaks the chain (nothing merged),
# and submitting the same run again finishes it, still equal.
"$PYTHON" "$SRC/tests/tools/gen_dups.py" "$TMP/dups" 3 1M --seed 3 >/dev/null
cat >"$TMP/dedup.yaml" <<'CFG'
reader:
  plugin: jsonl
  path: dups/part-000.jsonl.gz
steps:
  - plugin: normalize
  - plugin: dedup
    max_bucket: 3
writers:
  - plugin: jsonl
CFG
run "$CONVERT" -q -c "$TMP/dedup.yaml" -i "$TMP/dups/*.jsonl.gz" -o "$TMP/dsingle"
expect_rc 0 "single dedup run"
REAL=$CONVERT
cat >"$TMP/slow-convert" <<SLOW
#!/bin/sh
# the test's stand-in for a long task: sign task 1 takes a minute while $TMP/slow exists
case " \$* " in *" --phase sign --shard 1/"*) [ -f "$TMP/slow" ] && sleep 60 ;; esac
exec "$REAL" "\$@"
SLOW
chmod +x "$TMP/slow-convert"
touch "$TMP/slow"
CONVERT="$TMP/slow-convert" run "$SRC/dist/slurm/submit.sh" "$N" "$TMP/dedup.yaml" "$TMP/dups/*.jsonl.gz" "$TMP/dslurm"
expect_rc 0 "submit the phases"
sign=$(echo "$OUT" | sed -n 's/^sign \([0-9]*\),.*/\1/p')
[ -n "$sign" ] && ok || bad "submit.sh printed the job ids: $OUT"
for _ in $(seq 1 300); do
    squeue -h -j "${sign}_1" -o %T 2>/dev/null | grep -q RUNNING && break
    sleep 0.2
done
scancel "${sign}_1"
for _ in $(seq 1 300); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.2
done
expect_no_file "$TMP/dslurm/report.json" "a cancelled sign task: nothing merged"
run "$REAL" --verify "$TMP/dslurm/work/sign-1"
expect_rc 1 "the cancelled task left no completion marker"
run "$REAL" --verify "$TMP/dslurm/work/sign-0" "$TMP/dslurm/work/sign-2"
expect_rc 0 "the other sign tasks completed"
rm -f "$TMP/slow"
CONVERT="$TMP/slow-convert" run timeout 300 "$SRC/dist/slurm/submit.sh" "$N" "$TMP/dedup.yaml" "$TMP/dups/*.jsonl.gz" \
    "$TMP/dslurm" --wait
expect_rc 0 "resubmitted: the run finishes"
same_as "$TMP/dsingle" "$TMP/dslurm" "slurm phases after scancel + resubmit"
grep -q "complete already" "$TMP"/dslurm/work/logs/convert-sign-*_0.log && ok || bad "the resubmitted sign task 0 was skipped"
[ -z "$(ls "$TMP/dslurm" | grep '\.log$')" ] && ok || bad "job logs stay under out/work"
finish
