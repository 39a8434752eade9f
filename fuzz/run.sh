#!/usr/bin/env bash
# Builds and runs fallwerk's libFuzzer targets on stable Rust (docs/FUZZING.md).
#
#   fuzz/run.sh build                 build every target (instrumented, release with assertions)
#   fuzz/run.sh smoke [SECONDS]       each target SECONDS (default 5) from its seed corpus (CI)
#   fuzz/run.sh run TARGET RUNS [ARGS] one target for RUNS inputs; prints inputs, time, peak RSS
#   fuzz/run.sh list                  the target names
#
# libFuzzer comes with the crate libfuzzer-sys (built from its C++ source with the machine's
# g++); the instrumentation is SanitizerCoverage via stable `-C passes=sancov-module` flags, so
# no nightly toolchain and no cargo-fuzz are needed. Only the target crates are instrumented:
# `--target` keeps RUSTFLAGS away from build scripts and proc macros.
#
# Not --locked: when a workspace crate gains a dependency, cargo adds just that one to
# fuzz/Cargo.lock and keeps every version already there (the workspace's).
#
# Build output: $CARGO_TARGET_DIR/fuzz (or fuzz/target without CARGO_TARGET_DIR). Seeds are in
# fuzz/corpus/<target>/ (committed, small); what a run discovers goes to a scratch folder under
# the build output, never into the repository.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGETS=(portal_submission antrag_multipart portal_signature jwt_header admin_yaml deadline_period queue_message)
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
OUT="${CARGO_TARGET_DIR:-$HERE/target}/fuzz"
BIN_DIR="$OUT/$TRIPLE/release"
# Per input: a hang is anything over 10 s; memory over 2 GiB counts as unbounded.
LIMITS=(-timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1)

build() {
    echo "==> fuzz: cargo build --release (instrumented) into $OUT"
    # sancov flags as cargo-fuzz sets them; debug assertions and overflow checks on, so the
    # fuzzer finds arithmetic panics too.
    RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks" \
        CARGO_TARGET_DIR="$OUT" \
        cargo build --manifest-path "$HERE/Cargo.toml" --release --target "$TRIPLE" --bins
}

# run TARGET RUNS [extra libFuzzer args]: prints a one-line summary at the end.
run_one() {
    local target="$1" runs="$2"
    shift 2
    local scratch="$OUT/scratch/$target" log="$OUT/logs/$target.log"
    mkdir -p "$scratch" "$(dirname "$log")" "$OUT/artifacts/$target"
    [ -x "$BIN_DIR/$target" ] || build
    local t0 t1 rc=0 tmp
    # The harness's SQLite store and blobs: on tmpfs when there is one, removed afterwards.
    tmp="$(mktemp -d /dev/shm/fallwerk-fuzz.XXXXXX 2>/dev/null || mktemp -d)"
    t0=$(date +%s.%N)
    FALLWERK_FUZZ_TMPDIR="$tmp" "$BIN_DIR/$target" "${LIMITS[@]}" -runs="$runs" \
        -artifact_prefix="$OUT/artifacts/$target/" "$@" \
        "$scratch" "$HERE/corpus/$target" >"$log" 2>&1 || rc=$?
    t1=$(date +%s.%N)
    local store
    store="$(du -sh "$tmp" 2>/dev/null | cut -f1)"
    rm -rf "$tmp"
    local execs rss
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)"
    printf 'fuzz %-18s inputs %-9s time %7.1f s  peak RSS %5s MB  store %5s  exit %s\n' \
        "$target" "${execs:-?}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "${rss:-?}" "${store:-?}" "$rc"
    if [ "$rc" -ne 0 ]; then
        echo "fuzz $target FAILED; the end of $log:" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
}

case "${1:-}" in
    build)
        build
        ;;
    list)
        printf '%s\n' "${TARGETS[@]}"
        ;;
    smoke)
        secs="${2:-5}"
        build
        failed=0
        for t in "${TARGETS[@]}"; do
            run_one "$t" 100000000 -max_total_time="$secs" || failed=1
        done
        # The plain closing line the CI log is read for.
        if [ "$failed" -eq 0 ]; then
            echo "fuzz smoke: ${#TARGETS[@]} passed, 0 failed"
        else
            echo "fuzz smoke: some targets failed" >&2
            exit 1
        fi
        ;;
    run)
        [ $# -ge 3 ] || {
            echo "usage: $0 run TARGET RUNS [libFuzzer args]" >&2
            exit 2
        }
        target="$2" runs="$3"
        shift 3
        run_one "$target" "$runs" "$@"
        ;;
    *)
        sed -n '2,8p' "$0" >&2
        exit 2
        ;;
esac
