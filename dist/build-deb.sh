#!/usr/bin/env bash
# build-deb.sh [OUTDIR] -- a Debian package of convert (installs under /usr),
# and the source tarball.  Dependencies are found by dpkg-shlibdeps.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-dist/out}")
mkdir -p "$out"
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DCONVERT_TESTS=OFF >/dev/null
cmake --build build-deb -j "$(nproc)" >/dev/null
(cd build-deb && cpack -G DEB -B "$out" >/dev/null && cpack --config CPackSourceConfig.cmake -B "$out" >/dev/null)
rm -rf "$out/_CPack_Packages"
ls "$out"/*.deb "$out"/*.tar.gz
