#!/usr/bin/env bash
# Where the time went: report.json's step_seconds (each step, read and write),
# its chart in report.html, the -v summary, and the sums over shards.  The
# values are timings, so this checks keys and bounds, never values.
. "$(dirname "$0")/lib.sh"
CFG="$SRC/config/example.yaml"

run "$CONVERT" -v -c "$CFG" -o "$TMP/j2" -j 2
expect_rc 0 "example.yaml -j 2"
expect_err "where the time went" "-v prints where the time went"
for k in read write normalize dedup segment; do
    printf '%s\n' "$ERR" | grep -Eq "^    $k +[0-9]+\.[0-9]{3} s +[0-9.]+%$" && ok || bad "-v: a line for $k"
done
# Keys: read, write and every step of the config, no others; values are
# seconds >= 0; together more than nothing and at most what three threads
# (the reader and two workers) can spend in the run's wall time.
"$PYTHON" - "$TMP/j2/report.json" 3 <<'PY' && ok || bad "step_seconds keys and sum"
import json, sys
j = json.load(open(sys.argv[1]))
steps = [s["plugin"] for s in j["pipeline"]["steps"]]
assert len(steps) >= 8, steps
got = j["step_seconds"]
want = {"read", "write", *steps}
assert set(got) == want, (sorted(got), sorted(want))
assert all(isinstance(v, float) and v >= 0 for v in got.values()), got
total = sum(got.values())
assert 0 < total <= int(sys.argv[2]) * j["seconds"] + 0.01, (total, j["seconds"])
PY

# Apart from the timings, the report is the same for any thread count.
run "$CONVERT" -q -c "$CFG" -o "$TMP/j1" -j 1
expect_rc 0 "example.yaml -j 1"
strip='json.dumps({k: v for k, v in j.items() if k not in ("seconds", "mb_per_second", "step_seconds")}, sort_keys=True)'
[ "$(json "$TMP/j1/report.json" "$strip")" = "$(json "$TMP/j2/report.json" "$strip")" ] && ok ||
    bad "report.json differs between -j 1 and -j 2 beyond its timings"
[ "$(json "$TMP/j1/report.json" 'sorted(j["step_seconds"])')" = "$(json "$TMP/j2/report.json" 'sorted(j["step_seconds"])')" ] &&
    ok || bad "the same step_seconds keys for -j 1 and -j 2"

# Merged shard reports add their step seconds up.
SH="$SRC/config/shard-nodedup.yaml"
for k in 0 1; do
    run "$CONVERT" -q -c "$SH" -o "$TMP/sh/shard-$k" --shard "$k/2"
    expect_rc 0 "shard $k"
done
run "$CONVERT" -q --merge-reports -o "$TMP/sh" "$TMP"/sh/shard-*
expect_rc 0 "merge-reports"
"$PYTHON" - "$TMP/sh" <<'PY' && ok || bad "merged step_seconds are the shards' sums"
import json, sys, math
d = sys.argv[1]
a, b, m = (json.load(open(f"{d}/{x}report.json"))["step_seconds"] for x in ("shard-0/", "shard-1/", ""))
assert set(a) == set(b) == set(m) and {"read", "write"} <= set(m), (a, b, m)
assert all(math.isclose(m[k], a[k] + b[k], rel_tol=1e-9, abs_tol=1e-12) for k in m), (a, b, m)
PY

# The chart, drawn by Chromium (bars for the slow steps at least).
RENDER="$SRC/tests/tools/node/render_report.mjs"
if [ -d "$SRC/tests/tools/node/node_modules/playwright-core" ] && command -v chromium >/dev/null; then
    run node "$RENDER" "$TMP/j2/report.html" "$TMP/j2.png" step_seconds
    expect_rc 0 "report.html draws the step_seconds chart ($ERR)"
else
    bad "playwright-core or Debian's chromium is not installed: run bash dist/test.sh"
fi
grep -q 'Where the time went' "$TMP/j2/report.html" && grep -q 'data-chart="step_seconds"' "$TMP/sh/report.html" &&
    ok || bad "report.html titles the chart; the merged one has it too"
finish
