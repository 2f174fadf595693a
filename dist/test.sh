#!/usr/bin/env bash
# test.sh -- the whole test suite: installs what it needs, then builds and runs
# every test twice, plainly and under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
. dist/deps.sh
# shellcheck disable=SC2086
install_deps $CONVERT_DEPS $CONVERT_TEST_DEPS

jobs=$(nproc)
status=0

echo "== plain build" >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" >/dev/null
(cd build && ctest --output-on-failure -j "$jobs") || status=1

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build" >&2
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCONVERT_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$jobs") || status=1

[ "$status" -eq 0 ] && echo "all test suites passed" >&2 || echo "SOME TESTS FAILED" >&2
exit "$status"
