#!/usr/bin/env bash
# setup.sh -- on a fresh Debian machine: install dependencies, build, and run
# the default pipeline on the seed archive.  Outputs land in ./out.
set -euo pipefail
cd "$(dirname "$0")/.."
. dist/deps.sh
# shellcheck disable=SC2086
install_deps $CONVERT_DEPS
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVERT_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)"
build/bin/convert -c config/example.yaml -o out
echo "done: see out/ (datasets, report.json, dropped.jsonl)" >&2
