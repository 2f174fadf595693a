#!/usr/bin/env bash
# The SDK and packaging: `cmake --install` into a temporary prefix gives a
# working convert with its plugins, headers, pkg-config and CMake package
# files and man page; the example plugin builds there out of tree both ways
# and redacts; the .deb declares its dependencies and, as root, installs with
# dpkg -i, runs the seeds example and uninstalls.
. "$(dirname "$0")/lib.sh"
: "${BUILD:?set BUILD to the build tree}"
PREFIX="$TMP/prefix"

run cmake --install "$BUILD" --prefix "$PREFIX"
expect_rc 0 "cmake --install"
for f in bin/convert include/convert/plugin.h lib/pkgconfig/convert.pc lib/cmake/Convert/ConvertConfig.cmake \
    lib/convert/plugins/archive.so lib/convert/plugins/jsonl.so share/man/man1/convert.1 \
    share/convert/config/example.yaml share/convert/seeds/seeds.tar.gz; do
    expect_file "$PREFIX/$f" "installed $f"
done
run "$PREFIX/bin/convert" --list-plugins
expect_rc 0 "installed convert lists plugins"
expect_out "$PREFIX/lib/convert/plugins/boilerplate.so" "plugins found beside the installed binary"
run "$PREFIX/bin/convert" -q -c "$PREFIX/share/convert/config/example.yaml" -o "$TMP/installed-run"
expect_rc 0 "installed example config runs"
expect_file "$TMP/installed-run/train.conllu" "installed run output"
# man-db is in CONVERT_TEST_DEPS: without it the page is untested, which is a failure.
if command -v man >/dev/null; then
    man -l "$PREFIX/share/man/man1/convert.1" 2>"$TMP/man.err" | grep -q "turn scraped text archives" && ok ||
        bad "man page renders: $(cat "$TMP/man.err")"
else
    bad "man is missing (install man-db: dist/deps.sh CONVERT_TEST_DEPS)"
fi

# The example plugin, out of tree: with pkg-config (make) and with CMake.
cp -r "$SRC/dist/example-plugin" "$TMP/ex"
PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" run make -C "$TMP/ex"
expect_rc 0 "example plugin with pkg-config"
expect_file "$TMP/ex/redact.so" "redact.so (make)"
run cmake -S "$TMP/ex" -B "$TMP/ex/build" -DCMAKE_PREFIX_PATH="$PREFIX"
expect_rc 0 "example plugin: cmake configure with find_package(Convert)"
run cmake --build "$TMP/ex/build"
expect_rc 0 "example plugin: cmake build"
expect_file "$TMP/ex/build/redact.so" "redact.so (cmake)"
(cd "$TMP/ex/build" && CONVERT="$PREFIX/bin/convert" ctest --output-on-failure) >"$TMP/ex-ctest.log" 2>&1 &&
    grep -q "100% tests passed, 0 tests failed out of 1" "$TMP/ex-ctest.log" && ok ||
    { bad "the example plugin's own cmocka test"; cat "$TMP/ex-ctest.log" >&2; }

cat >"$TMP/ex/in.jsonl" <<'JSONL'
{"id":"1","text":"Пишете на ivan.petrov@example.bg или звъннете на +359 88 123 4567 до 04.04.2025."}
{"id":"2","text":"IBAN: GB82 WEST 1234 5698 7654 32, also DE89370400440532013000; not an IBAN: DE00370400440532013000."}
{"id":"3","text":"Nothing personal here, 30 000 leva and 17:07."}
JSONL
for built in "$TMP/ex" "$TMP/ex/build"; do
    run "$PREFIX/bin/convert" -q --plugin-path "$built" -c "$TMP/ex/example.yaml" -i "$TMP/ex/in.jsonl" -o "$TMP/red"
    expect_rc 0 "redact run ($built)"
    "$PYTHON" - "$TMP/red/redacted.jsonl" <<'PY' >"$TMP/red.check" 2>&1 && ok || { bad "redacted output ($built)"; cat "$TMP/red.check" >&2; }
import json, sys
docs = {d["id"]: d["text"] for d in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
assert docs["1"] == "Пишете на [EMAIL] или звъннете на [PHONE] до 04.04.2025.", docs["1"]
assert docs["2"] == "IBAN: [IBAN], also [IBAN]; not an IBAN: DE00370400440532013000.", docs["2"]
assert docs["3"] == "Nothing personal here, 30 000 leva and 17:07.", docs["3"]
PY
done
run "$PREFIX/bin/convert" --plugin-path "$TMP/ex" --describe redact
expect_rc 0 "--describe an out-of-tree plugin"
expect_out "replacement        string default: [{KIND}]" "--describe an out-of-tree plugin"

# The Debian package.
if command -v dpkg-deb >/dev/null && command -v cpack >/dev/null; then
    run bash "$SRC/dist/build-deb.sh" "$TMP/deb"
    expect_rc 0 "build-deb.sh"
    deb=$(ls "$TMP"/deb/convert_*.deb 2>/dev/null | head -1)
    expect_file "$deb" ".deb built"
    expect_file "$(ls "$TMP"/deb/convert-*-Source.tar.gz | head -1)" "source tarball built"
    dpkg-deb -I "$deb" | grep -q "Depends: .*libarchive13.*libcld2" && ok || bad "deb declares its dependencies"
    if [ "$(id -u)" -eq 0 ] && ! dpkg -s convert >/dev/null 2>&1; then
        trap 'dpkg -r convert >/dev/null 2>&1; rm -rf "$TMP"' EXIT
        run dpkg -i "$deb"
        expect_rc 0 "dpkg -i"
        run /usr/bin/convert -q -c /usr/share/convert/config/example.yaml -o "$TMP/deb-run"
        expect_rc 0 "installed package runs the seeds example"
        [ "$(json "$TMP/deb-run/report.json" 'j["read"], j["written"]')" = "5 4" ] && ok || bad "deb run: 5 read, 4 written"
        run dpkg -r convert
        expect_rc 0 "dpkg -r"
    else
        echo "SKIP dpkg -i: needs root and no convert package installed already" >&2
    fi
else
    echo "SKIP .deb: needs dpkg-deb and cpack" >&2
fi
finish
