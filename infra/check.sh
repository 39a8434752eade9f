#!/usr/bin/env bash
# Checks the deployment template (run by scripts/test.sh / .ci/run from the repo root; works from
# any cwd): cfn-lint, the SAM transform, create_stack on the moto server with assertions on every
# resource, the table definition against the DynamoDB adapter's, delete_stack.
# Details and the list of checks: infra/check.py. Needs the moto server (scripts/emulators.sh
# start); AWS_ENDPOINT_URL (default http://127.0.0.1:5000) and AWS_REGION are honoured.
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

export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:5000}"
export AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-central-1}}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_EC2_METADATA_DISABLED=true

if ! curl -fsS -o /dev/null "$AWS_ENDPOINT_URL/moto-api/" 2>/dev/null; then
    echo "infra/check.sh: no moto server at $AWS_ENDPOINT_URL (scripts/emulators.sh start)" >&2
    exit 1
fi

exec "$PYTHON" infra/check.py
