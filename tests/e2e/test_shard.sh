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
finish
