#!/usr/bin/env bash
# Intake against its physical floor (issue 18, docs/BENCHMARKS.md "Intake against its floor"):
# floorbench's durable floor (HMAC, JSON, base64 + sha256, the blob fsynced, one SQLite commit
# with synchronous=FULL) and `fallwerk serve` (embedded, release build), alternating twice in
# one run, each on a fresh data directory, driven by floorbench's one load generator.
#
#   scripts/floorbench.sh                 # N=2000 CONC=16 ATTACH_KB=200 ROUNDS=2
#   FLOORBENCH_SRC=/path/to/floorbench scripts/floorbench.sh
#   FALLWERK_BIN=/path/to/fallwerk scripts/floorbench.sh   # measure that binary, build nothing
#   FALLWERK_BEFORE=/path/to/old/fallwerk scripts/floorbench.sh
#                                         # each round also measures an older build, for before/after
#
# Besides floorbench's own line, each round prints the server's CPU time per submission (user and
# system from /proc/PID/stat, the in-process queue consumers included, as far as they ran during
# the load). Files deleted on this machine within ~10 s before or during a round make every file
# creation expensive (no-journal ext4 skips recently freed inodes one by one: `recently_deleted`),
# which shows as system time; the rounds delete nothing, so do not clean up beside them.
#
# floorbench is not part of this repository: it lives beside it (../shared/tools/floorbench on
# the development machines). Compare the ratios of one run, never absolute numbers across runs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FLOORBENCH_SRC=${FLOORBENCH_SRC:-$ROOT/../shared/tools/floorbench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
N=${N:-2000}
CONC=${CONC:-16}
ATTACH_KB=${ATTACH_KB:-200}
ROUNDS=${ROUNDS:-2}
SECRET=floor-secret-0123456789abcdef0123456789abcdef
CLIENT=floorbench

if [[ ! -f $FLOORBENCH_SRC/Cargo.toml ]]; then
    echo "floorbench: no floorbench at $FLOORBENCH_SRC (set FLOORBENCH_SRC)" >&2
    exit 2
fi
cargo build --quiet --release --manifest-path "$FLOORBENCH_SRC/Cargo.toml" --target-dir "$TARGET/floorbench"
FLOORBENCH=$TARGET/floorbench/release/floorbench
if [[ -n ${FALLWERK_BIN:-} ]]; then
    FALLWERK=$FALLWERK_BIN
else
    cargo build --quiet --release -p fallwerk --manifest-path "$ROOT/Cargo.toml"
    FALLWERK=$TARGET/release/fallwerk
fi

WORK=$(mktemp -d)
SERVER=
cleanup() {
    [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ready() { # URL: polls until the server answers at all
    for _ in $(seq 1 200); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.05
    done
    echo "floorbench: no answer from $1" >&2
    exit 1
}

cpu_ticks() { # PID: "user system" clock ticks so far
    awk '{print $14, $15}' "/proc/$1/stat"
}

report_cpu() { # TICKS_BEFORE ("user system"): the server's CPU per submission since then
    local now
    now=$(cpu_ticks "$SERVER")
    echo "$1 $now" | awk -v hz="$(getconf CLK_TCK)" -v n="$N" \
        '{ u = ($3 - $1) * 1000 / hz / n; s = ($4 - $2) * 1000 / hz / n;
           printf "    server CPU %.2f ms per submission (user %.2f, system %.2f)\n", u + s, u, s }'
}

stop_server() {
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=
}

run_durable() { # ROUND
    local port dir ticks
    port=$(free_port)
    dir=$WORK/durable-$1
    "$FLOORBENCH" durable "$port" "$dir" &
    SERVER=$!
    wait_ready "http://127.0.0.1:$port/"
    printf 'durable  round %s: ' "$1"
    ticks=$(cpu_ticks "$SERVER")
    "$FLOORBENCH" load "http://127.0.0.1:$port/v1/submissions" "$SECRET" "$CLIENT" "$N" "$CONC" "$ATTACH_KB"
    report_cpu "$ticks"
    stop_server
}

run_fallwerk() { # ROUND [BINARY LABEL]
    local port dir ticks bin=${2:-$FALLWERK} label=${3:-fallwerk}
    port=$(free_port)
    dir=$WORK/$label-$1
    # The demo configuration has the org unit and service floorbench's bodies name; the client
    # signs the v1 way (timestamp.body), so its portal client allows v1.
    "$bin" serve --data "$dir" --listen "127.0.0.1:$port" >"$WORK/serve-$label-$1.log" 2>&1 &
    SERVER=$!
    wait_ready "http://127.0.0.1:$port/health"
    cat >"$WORK/client.yaml" <<EOF
portal_clients:
  - id: $CLIENT
    name: floorbench
    secret: $SECRET
    active: true
    allow_signature_v1: true
EOF
    "$bin" admin apply --data "$dir" "$WORK/client.yaml" >/dev/null
    printf '%-8s round %s: ' "$label" "$1"
    ticks=$(cpu_ticks "$SERVER")
    "$FLOORBENCH" load "http://127.0.0.1:$port/v1/submissions" "$SECRET" "$CLIENT" "$N" "$CONC" "$ATTACH_KB"
    report_cpu "$ticks"
    stop_server
}

echo "floorbench: N=$N CONC=$CONC ATTACH_KB=$ATTACH_KB, $(nproc) cores, $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD)"
for round in $(seq 1 "$ROUNDS"); do
    run_durable "$round"
    if [[ -n ${FALLWERK_BEFORE:-} ]]; then
        run_fallwerk "$round" "$FALLWERK_BEFORE" before
    fi
    run_fallwerk "$round"
done
