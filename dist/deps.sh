# deps.sh -- the Debian packages convert needs, and a function that installs
# the missing ones.  Sourced by setup.sh and test.sh.

# Build and run.
CONVERT_DEPS="build-essential cmake pkg-config libyaml-dev libjansson-dev libarchive-dev
  libutf8proc-dev libpcre2-dev libxxhash-dev libcld2-dev libicu-dev libzstd-dev zlib1g-dev
  libuchardet-dev libxml2-dev libisal-dev libfasttext-dev libsentencepiece-dev
  libsnappy-dev libbrotli-dev liblz4-dev"
# Tests: cmocka, the tools the end-to-end scripts call, clang for libFuzzer.
CONVERT_TEST_DEPS="libcmocka-dev python3 python3-pandas zstd gzip tar xz-utils bsdutils clang libclang-rt-14-dev valgrind
  slurm-wlm munge libarchive-tools time chromium python3-yaml wget python3-readability
  man-db fasttext sentencepiece"

# install_deps PACKAGE...: apt-get install what is not installed yet.
install_deps() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "installing:$missing" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
