#!/usr/bin/env bash
# Builds the Lambda deployment packages: one release `bootstrap` binary per function, zipped to
# target/lambda/<function>/bootstrap.zip (the CodeUri paths of infra/template.yaml).
#
# Usage: scripts/package.sh [--arch arm64|x86_64] [FUNCTION...]
#   FUNCTION  intake casework messaging export scheduler (default: all)
#   --arch    CPU architecture (default arm64; must match the template's Architecture parameter)
#
# With cargo-lambda (`pip install cargo-lambda`, brings zig) it cross-compiles for either
# architecture against an old glibc (`cargo lambda build --profile dist --output-format zip`).
# Without it, it falls back to `cargo build --profile dist` for the HOST architecture and zips the
# binary itself; the binary then links against the host's glibc, so the script refuses a binary
# that needs a newer glibc than provided.al2023 has (2.34) unless FALLWERK_ALLOW_HOST_GLIBC=1.
# Profile `dist` (workspace Cargo.toml): fat LTO, codegen-units=1, strip, opt-level=3.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
OUT_DIR="${FALLWERK_LAMBDA_DIR:-$ROOT/target/lambda}"
AL2023_GLIBC="2.34"

declare -A PACKAGES=(
    [intake]=fallwerk-intake
    [casework]=fallwerk-casework
    [messaging]=fallwerk-messaging
    [export]=fallwerk-export
    [scheduler]=fallwerk-scheduler
)
ALL_FUNCTIONS=(intake casework messaging export scheduler)

log() { printf 'package: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

arch=arm64
functions=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --arch)
            [ "$#" -ge 2 ] || die "--arch needs a value"
            arch="$2"
            shift 2
            ;;
        --arch=*)
            arch="${1#--arch=}"
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*) die "unknown option $1" ;;
        *)
            [ -n "${PACKAGES[$1]+set}" ] || die "unknown function $1 (one of: ${ALL_FUNCTIONS[*]})"
            functions+=("$1")
            shift
            ;;
    esac
done
[ "${#functions[@]}" -gt 0 ] || functions=("${ALL_FUNCTIONS[@]}")

case "$arch" in
    arm64) rust_arch=aarch64 lambda_flag=--arm64 ;;
    x86_64) rust_arch=x86_64 lambda_flag=--x86-64 ;;
    *) die "--arch must be arm64 or x86_64, not $arch" ;;
esac

command -v zip >/dev/null 2>&1 || die "zip not found (apt-get install zip)"

# The binary target of a package: `bootstrap` if it has one, else its only binary.
bin_target() {
    cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
pkg = sys.argv[1]
meta = json.load(sys.stdin)
found = [p for p in meta["packages"] if p["name"] == pkg]
if not found:
    sys.exit(f"package {pkg} is not in the workspace")
bins = [t["name"] for t in found[0]["targets"] if "bin" in t["kind"]]
if "bootstrap" in bins:
    print("bootstrap")
elif len(bins) == 1:
    print(bins[0])
else:
    sys.exit(f"package {pkg} has binaries {bins}: name one of them bootstrap")
' "$1"
}

# Zips one binary as `bootstrap` (mode 755, fixed timestamp, no extra attributes).
zip_bootstrap() {
    local binary="$1" zip_file="$2" stage
    stage="$(mktemp -d)"
    cp "$binary" "$stage/bootstrap"
    chmod 755 "$stage/bootstrap"
    touch -t 198001010000 "$stage/bootstrap"
    rm -f "$zip_file"
    (cd "$stage" && zip -q -X "$zip_file" bootstrap)
    rm -rf "$stage"
}

# Highest GLIBC_x.y symbol version a binary needs (empty when unknown or static).
glibc_needed() {
    command -v objdump >/dev/null 2>&1 || return 0
    objdump -T "$1" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1
}

version_gt() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]; }

use_cargo_lambda=false
if cargo lambda --version >/dev/null 2>&1; then
    use_cargo_lambda=true
    log "using $(cargo lambda --version) for $arch"
else
    host_arch="$(uname -m)"
    [ "$host_arch" = "$rust_arch" ] ||
        die "cargo-lambda not installed and host is $host_arch: cannot build $arch (pip install cargo-lambda)"
    log "cargo-lambda not installed: plain cargo build for the host ($arch)"
fi

target_dir="$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for fn in "${functions[@]}"; do
    pkg="${PACKAGES[$fn]}"
    bin="$(bin_target "$pkg")"
    dest="$OUT_DIR/$fn"
    mkdir -p "$dest"
    log "$fn: building $pkg (binary $bin)"
    if "$use_cargo_lambda"; then
        cargo lambda build --profile dist --output-format zip "$lambda_flag" \
            -p "$pkg" --bin "$bin" --lambda-dir "$work/$fn"
        built="$work/$fn/$bin/bootstrap.zip"
        [ -f "$built" ] || die "$fn: cargo lambda produced no $built"
        mv -f "$built" "$dest/bootstrap.zip"
    else
        cargo build --profile dist -p "$pkg" --bin "$bin"
        binary="$target_dir/dist/$bin"
        [ -x "$binary" ] || die "$fn: no binary at $binary"
        needed="$(glibc_needed "$binary")"
        if [ -n "$needed" ] && version_gt "$needed" "$AL2023_GLIBC"; then
            if [ "${FALLWERK_ALLOW_HOST_GLIBC:-0}" != 1 ]; then
                die "$fn: binary needs glibc $needed, provided.al2023 has $AL2023_GLIBC (install cargo-lambda, or FALLWERK_ALLOW_HOST_GLIBC=1 for local use)"
            fi
            log "WARNING $fn: binary needs glibc $needed > $AL2023_GLIBC (provided.al2023)"
        fi
        zip_bootstrap "$binary" "$dest/bootstrap.zip"
    fi
    size="$(wc -c <"$dest/bootstrap.zip" | tr -d ' ')"
    printf '%s\t%s\t%s bytes\n' "$fn" "$dest/bootstrap.zip" "$size"
done
