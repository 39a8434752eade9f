#!/usr/bin/env bash
# Checks the deployment template (run by scripts/test.sh / .ci/run from the repo root; works from
# any cwd): cfn-lint, the SAM transform, create_stack on the moto server with assertions on every
# resource, the table definition against the DynamoDB adapter's, delete_stack.
# Details and the list of checks: infra/check.py. It starts its OWN moto server on a free port:
# once a stack with Lambda functions existed on a moto server, its /moto-api/data.json (which the
# e-mail tests read) fails until a reset, so the shared one must never see these stacks.
# FALLWERK_INFRA_MOTO_URL points it at an existing moto instead.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"

# Python dependencies: installed with pip only when missing.
missing=()
"$PYTHON" -c 'import cfnlint' 2>/dev/null || missing+=('cfn-lint>=1,<2')
"$PYTHON" -c 'import samtranslator' 2>/dev/null || missing+=('aws-sam-translator>=1.90')
"$PYTHON" -c 'import boto3' 2>/dev/null || missing+=('boto3')
if [ "${#missing[@]}" -gt 0 ]; then
    echo "infra/check.sh: pip install ${missing[*]}"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi
command -v cfn-lint >/dev/null 2>&1 || {
    # pip's script directory may be off PATH (user installs)
    PATH="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
    export PATH
}

if [ -n "${FALLWERK_INFRA_MOTO_URL:-}" ]; then
    AWS_ENDPOINT_URL="$FALLWERK_INFRA_MOTO_URL"
else
    port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    log=$(mktemp)
    "$PYTHON" -m moto.server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    moto_pid=$!
    trap 'kill "$moto_pid" 2>/dev/null || true; rm -f "$log"' EXIT
    AWS_ENDPOINT_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "$AWS_ENDPOINT_URL/moto-api/" 2>/dev/null && break
        kill -0 "$moto_pid" 2>/dev/null || { echo "infra/check.sh: moto did not start:" >&2; cat "$log" >&2; exit 1; }
        sleep 0.2
    done
fi
export AWS_ENDPOINT_URL
export AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-central-1}}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_EC2_METADATA_DISABLED=true

if ! curl -fsS -o /dev/null "$AWS_ENDPOINT_URL/moto-api/" 2>/dev/null; then
    echo "infra/check.sh: no moto server at $AWS_ENDPOINT_URL (scripts/emulators.sh start)" >&2
    exit 1
fi

"$PYTHON" infra/check.py
