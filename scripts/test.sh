#!/usr/bin/env bash
# The project's test command (README, CI): formatting, lints, the whole workspace's tests
# against local AWS emulators, then the infra checks. Works from any cwd.
# Leaves the emulators running (the next run reuses them); `scripts/emulators.sh stop` ends them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/emulators.sh start
eval "$(scripts/emulators.sh env)"

# The holiday cross-check (functions/core/tests/it/holiday_crosscheck.rs) compares with the PyPI
# package `holidays`; a pinned version, so the list of intended differences stays stable.
HOLIDAYS_SPEC='holidays==0.108'
if ! python3 -c 'import holidays, sys; sys.exit(holidays.__version__ != "0.108")' >/dev/null 2>&1; then
    echo "==> pip install $HOLIDAYS_SPEC"
    python3 -m pip install --quiet --disable-pip-version-check "$HOLIDAYS_SPEC" ||
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$HOLIDAYS_SPEC"
fi

echo "==> cargo fmt --all -- --check"
cargo fmt --all -- --check

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
# The local binary's AWS backend is a feature the workspace build leaves off (issue 18).
echo "==> cargo clippy -p fallwerk --all-targets --features aws -- -D warnings"
cargo clippy -p fallwerk --all-targets --features aws -- -D warnings

# Supply chain (deny.toml): advisories, licences, bans (ring, serde_yaml, a second TLS stack),
# sources. The RustSec database is fetched from GitHub; where that host cannot be reached the
# other three checks still run and the gap is said loudly.
echo "==> cargo deny check"
if cargo deny fetch db; then
    cargo deny check --disable-fetch
else
    echo "WARNING: the RustSec advisory database cannot be fetched (no access to github.com);" >&2
    echo "WARNING: running cargo deny check licenses bans sources without advisories" >&2
    cargo deny check licenses bans sources
fi

echo "==> cargo test --workspace (without the end-to-end suite)"
cargo test --workspace --exclude fallwerk-e2e

# The browser suite's tools from npm, into the ignored tests/.browser/ (the suite would install
# them on first use too): axe-core (accessibility) and oidc-provider (a real OpenID provider).
if [ ! -f tests/.browser/node_modules/oidc-provider/package.json ] ||
    [ ! -f tests/.browser/node_modules/axe-core/package.json ]; then
    echo "==> npm install axe-core oidc-provider (tests/.browser)"
    npm install --no-audit --no-fund --silent --prefix tests/.browser axe-core@4 oidc-provider@9
fi

# The journey on both backends; --nocapture so the log shows every step.
echo "==> end-to-end: cargo test -p fallwerk-e2e -- --nocapture"
cargo test -p fallwerk-e2e -- --nocapture --test-threads=1

# ---- The AWS journey on LocalStack (issue 16): SQS, SES and S3 from a LocalStack started here
# without Docker (host mode, in a venv under .emulators/), DynamoDB from DynamoDB Local; sent mail
# is read through LocalStack's /_aws/ses. Its step log is labelled `aws@localstack`. Stopped again
# right after (it holds ~400 MB); .ci/run's `emulators.sh stop` covers an abort.
echo "==> end-to-end on LocalStack: cargo test -p fallwerk-e2e --test journey_aws -- --nocapture"
scripts/emulators.sh localstack-start
(
    eval "$(scripts/emulators.sh localstack-env)"
    cargo test -p fallwerk-e2e --test journey_aws -- --nocapture --test-threads=1
)
scripts/emulators.sh localstack-stop

# ---- Fuzz smoke (docs/FUZZING.md): each libFuzzer target a few seconds from its committed seed
# corpus; fails on any panic, hang (10 s) or RSS above 2 GiB. Builds its own instrumented copy
# (under $CARGO_TARGET_DIR/fuzz, or fuzz/target/fuzz).
echo "==> fuzz smoke: fuzz/run.sh smoke ${FALLWERK_FUZZ_SMOKE_SECONDS:-5}"
fuzz/run.sh smoke "${FALLWERK_FUZZ_SMOKE_SECONDS:-5}"

# infra checks
# (an `if`, not `[ -x ... ] && ...`: as the last command under set -e the latter would fail the
# script whenever infra/check.sh does not exist yet)
if [ -x infra/check.sh ]; then
    echo "==> infra/check.sh"
    infra/check.sh
fi
