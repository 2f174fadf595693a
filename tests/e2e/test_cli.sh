#!/usr/bin/env bash
# The command line: help, version, listing, describing, checking, exit statuses.
. "$(dirname "$0")/lib.sh"

run "$CONVERT" --help
expect_rc 0 "--help"
expect_out "usage: convert -c CONFIG" "--help"
expect_out "Exit status: 0 success, 1 the run failed, 2 bad usage or config" "--help"

run "$CONVERT" --version
expect_rc 0 "--version"
expect_out "plugin ABI 1." "--version"

run "$CONVERT"
expect_rc 2 "no arguments"
expect_err "usage: convert -c CONFIG" "no arguments: the usage on stderr"
[ -z "$OUT" ] && ok || bad "no arguments: nothing on stdout, got: $OUT"
# One size parser for flags and configs, one thread range.
printf 'reader: {plugin: jsonl, path: in.jsonl}\nwriters: [{plugin: jsonl, path: out.jsonl}]\n' >"$TMP/min.yaml"
run "$CONVERT" --check -c "$TMP/min.yaml" --memory 1GiB
expect_rc 0 "--memory 1GiB, as memory: 1GiB in a config"
for m in 1X 0 -5M 1K; do
    run "$CONVERT" --check -c "$TMP/min.yaml" --memory "$m"
    expect_rc 2 "--memory $m"
    expect_err "--memory takes a size of at least 64K" "--memory $m"
done
run "$CONVERT" -c x.yaml -j 257
expect_rc 2 "-j 257"
printf 'reader: {plugin: jsonl, path: in.jsonl}\nwriters: [{plugin: jsonl, path: out.jsonl}]\nthreads: 257\n' >"$TMP/t257.yaml"
run "$CONVERT" --check -c "$TMP/t257.yaml"
expect_rc 2 "threads: 257"
expect_err "'threads' must be a whole number from 1 to 256" "threads: 257"
run "$CONVERT" --frobnicate
expect_rc 2 "unknown flag"
run "$CONVERT" -c x.yaml -j 0
expect_rc 2 "-j 0"
expect_err "-j takes a whole number" "-j 0"
run "$CONVERT" -c x.yaml extra
expect_rc 2 "stray argument"

run "$CONVERT" --list-plugins
expect_rc 0 "--list-plugins"
for p in "archive      reader" "jsonl        reader" "jsonl        writer"; do expect_out "$p" "--list-plugins"; done
expect_out "/lib/convert/plugins/archive.so" "--list-plugins shows where"

run "$CONVERT" --describe archive
expect_rc 0 "--describe archive"
expect_out "max_doc_bytes      size   default: 64M" "--describe archive"
expect_out "path               path   required" "--describe archive"
run "$CONVERT" --describe dedup
expect_rc 0 "--describe dedup"
expect_out "serial: sees documents in input order (its per-document part, prepare, runs in parallel)" "--describe dedup"
# The phased step is told its task by the core, not through options users see.
for k in phase work shard shards memory; do
    printf '%s\n' "$OUT" | grep -q "^    $k " && bad "--describe dedup shows the pseudo-option '$k'" || ok
done
# The limits of a phased run, for job scripts.
run "$CONVERT" --phase-plan 300
expect_rc 0 "--phase-plan 300"
[ "$OUT" = "$(printf 'sign 300\npairs 256\ncollect 256\ndecide 1\napply 300\nmerge 1')" ] && ok || bad "--phase-plan 300: $OUT"
run "$CONVERT" --phase-plan 1001
expect_rc 2 "--phase-plan 1001"
expect_err "from 1 to 1000" "--phase-plan 1001"
run "$CONVERT" --describe --all
expect_rc 0 "--describe --all"
for p in archive jsonl normalize boilerplate dedup parquet csv conll; do expect_out "$p (" "--describe --all lists $p"; done
# docs/reference.md is generated from the option tables: stale docs fail here.
"$CONVERT" --reference >"$TMP/reference.md" 2>"$TMP/reference.err" && ok || bad "--reference: $(cat "$TMP/reference.err")"
cmp -s "$TMP/reference.md" "$SRC/docs/reference.md" && ok ||
    { bad "docs/reference.md is stale: build/bin/convert --reference > docs/reference.md"; diff "$SRC/docs/reference.md" "$TMP/reference.md" | head >&2; }
run "$CONVERT" --describe nosuch
expect_rc 2 "--describe nosuch"
expect_err "no plugin named 'nosuch'" "--describe nosuch"

# Loader errors are config errors: exit 2, naming the file.
run "$CONVERT" --plugin-path "$FIXTURES/bad_major" --list-plugins
expect_rc 2 "bad ABI plugin"
expect_err "bad_major/bad_major.so: plugin built for ABI 99.0" "bad ABI plugin"
run "$CONVERT" --plugin-path "$FIXTURES/no_entry" --list-plugins
expect_rc 2 "no entry symbol"
expect_err "no 'convert_plugin' symbol" "no entry symbol"
CONVERT_PLUGIN_PATH="$FIXTURES/good:$FIXTURES/dup" run "$CONVERT" --list-plugins
expect_rc 2 "duplicate names"
expect_err "two step plugins named 'fixture'" "duplicate names"
run "$CONVERT" --plugin-path "$FIXTURES/good" --list-plugins
expect_rc 0 "extra plugin folder"
expect_out "fixture      step" "extra plugin folder"

# --check: valid and invalid configs.
run "$CONVERT" --check -c "$SRC/config/minimal.yaml"
expect_rc 0 "--check minimal"
cat >"$TMP/bad.yaml" <<'YAML'
reader:
  plugin: archive
  path: x.tar
  includes: ["*.txt"]
writers: [jsonl]
YAML
run "$CONVERT" --check -c "$TMP/bad.yaml"
expect_rc 2 "unknown option"
expect_err "$TMP/bad.yaml:4:3: plugin 'archive' has no option 'includes'" "unknown option"
cat >"$TMP/bad2.yaml" <<'YAML'
reader: {plugin: archive, path: x.tar}
steps:
  - plugin: nosuchstep
writers: [jsonl]
YAML
run "$CONVERT" --check -c "$TMP/bad2.yaml"
expect_rc 2 "unknown plugin"
expect_err "bad2.yaml:3:5: no step plugin named 'nosuchstep'" "unknown plugin"
run "$CONVERT" -c "$TMP/missing.yaml"
expect_rc 2 "missing config"
expect_err "cannot open config" "missing config"

# Without -j or threads:, one worker per CPU the process may use.  taskset is
# util-linux (essential in Debian): its absence is a failure, not a skip.
if command -v taskset >/dev/null; then
    run taskset -c 0 "$CONVERT" -v -c "$SRC/config/minimal.yaml" -o "$TMP/t1"
    expect_rc 0 "one CPU"
    expect_err "1 worker thread" "default threads on one CPU"
    run taskset -c 0 "$CONVERT" -v -j 3 -c "$SRC/config/minimal.yaml" -o "$TMP/t3"
    expect_rc 0 "one CPU, -j 3"
    expect_err "3 worker threads" "-j wins over the default"
    if [ "$(nproc)" -ge 2 ]; then
        run taskset -c 0,1 "$CONVERT" -v -c "$SRC/config/minimal.yaml" -o "$TMP/t2"
        expect_rc 0 "two CPUs"
        expect_err "2 worker threads" "default threads on two CPUs"
    else
        echo "NOTE: this machine gives the tests one CPU: the two-CPU default thread count is NOT tested" >&2
    fi
else
    bad "taskset (util-linux) is missing: the default thread count is not tested"
fi

# A run that reads nothing, or keeps nothing, says so (not under -q); a usual run does not.
mkdir -p "$TMP/emptydir"
run "$CONVERT" -c "$SRC/config/minimal.yaml" -i "$TMP/emptydir" -o "$TMP/e1"
expect_rc 0 "an empty folder"
expect_err "warning: no documents were read" "reading nothing is warned of"
run "$CONVERT" -q -c "$SRC/config/minimal.yaml" -i "$TMP/emptydir" -o "$TMP/e2"
expect_rc 0 "an empty folder, -q"
[ -z "$ERR" ] && ok || bad "-q: no warning either: $ERR"
printf 'reader: {plugin: archive, path: %s, include: ["*.txt"]}\nsteps:\n  - {plugin: quality, min_words: 100000}\nwriters: [jsonl]\n' \
    "$SRC/seeds/seeds.tar.gz" >"$TMP/dropall.yaml"
run "$CONVERT" -c "$TMP/dropall.yaml" -o "$TMP/e3"
expect_rc 0 "a run that drops everything"
expect_err "warning: all 5 documents were dropped" "dropping everything is warned of"
: >"$TMP/empty.jsonl"
printf 'reader: {plugin: jsonl, path: %s}\nwriters: [jsonl]\n' "$TMP/empty.jsonl" >"$TMP/emptyj.yaml"
run "$CONVERT" -c "$TMP/emptyj.yaml" -o "$TMP/e5"
expect_rc 0 "an empty JSONL file is no error"
expect_err "warning: no documents were read" "and is warned of"
run "$CONVERT" -c "$SRC/config/minimal.yaml" -o "$TMP/e4"
expect_rc 0 "a usual run"
case "$ERR" in *warning*) bad "a usual run warns: $ERR" ;; *) ok ;; esac

# A reader that cannot open its input is a config error too.
run "$CONVERT" -c "$SRC/config/minimal.yaml" -i "$TMP/nope.tar" -o "$TMP/o"
expect_rc 2 "missing input"
expect_err "cannot open '$TMP/nope.tar'" "missing input"

# A user's config outside the repository: -i gives the reader its path, and a
# step's shipped data file (pii's cues) is found without being named.
mkdir -p "$TMP/mine"
printf '{"id":"1","text":"Write to someone@example.org today, please."}\n' >"$TMP/mine/in.jsonl"
printf 'reader: {plugin: jsonl}\nsteps: [pii]\nwriters: [jsonl]\n' >"$TMP/mine/my.yaml"
run "$CONVERT" -c "$TMP/mine/my.yaml" -i "$TMP/mine/in.jsonl" -o "$TMP/mine/out"
expect_rc 0 "-i in place of a required reader path; a shipped default data file"
grep -q 'Write to <EMAIL> today' "$TMP/mine/out/train.jsonl" 2>/dev/null && ok || bad "pii with its shipped cues"
run "$CONVERT" -c "$TMP/mine/my.yaml" -o "$TMP/mine/out2"
expect_rc 2 "without -i the reader's path is still required"
expect_err "required option 'path' is missing" "without -i"

finish
