#!/usr/bin/env bash
# test.sh -- the whole test suite: installs what it needs, then builds and runs
# every test three times, plainly, under AddressSanitizer + UndefinedBehaviorSanitizer
# and under valgrind's memcheck, then runs each libFuzzer harness for
# FUZZ_SECONDS (default 20).
# A longer fuzzing run: FUZZ_SECONDS=3600 bash dist/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. dist/deps.sh
# shellcheck disable=SC2086
install_deps $CONVERT_DEPS $CONVERT_TEST_DEPS
# DuckDB and playwright-core for Node: independent readers of the Parquet files and report.html (tests/tools/node).
command -v npm >/dev/null || install_deps nodejs npm
(cd tests/tools/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

jobs=$(nproc)
status=0

echo "== plain build" >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVERT_TESTS=ON >/dev/null
cmake --build build -j "$jobs" >/dev/null
(cd build && ctest --output-on-failure --no-tests=error -j "$jobs") || status=1

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build" >&2
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCONVERT_SANITIZE=ON -DCONVERT_TESTS=ON >/dev/null
cmake --build build-asan -j "$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure --no-tests=error -j "$jobs") || status=1

echo "== valgrind memcheck build (unit and plugin tests, and the e2e scripts the sanitizer build does not already cover)" >&2
unset ASAN_OPTIONS UBSAN_OPTIONS
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVERT_VALGRIND=ON -DCONVERT_TESTS=ON >/dev/null
cmake --build build-valgrind -j "$jobs" >/dev/null
(cd build-valgrind && ctest --output-on-failure --no-tests=error -j "$jobs") || status=1

echo "== fuzzing: each harness for ${FUZZ_SECONDS:=20} s (libFuzzer, ASan+UBSan)" >&2
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCONVERT_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$jobs" >/dev/null
# The harnesses run side by side, one per CPU: each is one process.
fuzz_one() { # fuzz_one HARNESS: 0 when it ran its time without a crash
    local h=$1 work
    work=$(mktemp -d /tmp/convert-fuzz-XXXXXX)
    cp tests/fuzz/corpus/$h/* "$work/"
    local rc=0
    build-fuzz/bin/fuzz_$h "$work" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build-fuzz/crash-$h-" >"build-fuzz/fuzz-$h.log" 2>&1 || rc=1
    rm -rf "$work"
    return $rc
}
read -ra harnesses <<<"$(sed -n 's/^set(FUZZ_HARNESSES \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)"
declare -A fuzz_pid
running=0
for h in "${harnesses[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    fuzz_one "$h" &
    fuzz_pid[$h]=$!
    running=$((running + 1))
done
fuzz_passed=0 fuzz_failed=0
for h in "${harnesses[@]}"; do
    if wait "${fuzz_pid[$h]}"; then
        fuzz_passed=$((fuzz_passed + 1))
        echo "fuzz_$h: $(grep -o 'Done [0-9]* runs' "build-fuzz/fuzz-$h.log"), no crash" >&2
    else
        fuzz_failed=$((fuzz_failed + 1))
        status=1
        echo "fuzz_$h FOUND A CRASH: see build-fuzz/fuzz-$h.log and build-fuzz/crash-$h-*;" \
            "copy the input to tests/fuzz/regressions/$h/ and fix it" >&2
        # the sanitizer's report (what, where, freed or allocated where), then how libFuzzer ended
        grep -m1 -A30 -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error|ERROR: libFuzzer' \
            "build-fuzz/fuzz-$h.log" | grep -v '^ *0x' >&2
        tail -3 "build-fuzz/fuzz-$h.log" >&2
    fi
done
echo "fuzz: $fuzz_passed passed, $fuzz_failed failed"

[ "$status" -eq 0 ] && echo "all test suites passed" >&2 || echo "SOME TESTS FAILED" >&2
exit "$status"
