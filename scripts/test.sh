#!/usr/bin/env bash
# Runs every test: formatting, clippy, unit tests, the storage conformance suite on SQLite and
# on a throwaway PostgreSQL cluster, HTTP and CLI integration tests, and the browser tests in
# headless Chromium. Installs what is missing (Debian chromium, playwright-core from npm).
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp /tmp/ssj-test.XXXXXX.log)
step() { printf '\n==> %s\n' "$*"; }

step "tools"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "FAILED: Debian's chromium is missing; run: sudo apt-get install chromium" >&2; exit 1
  fi
fi
# docs/verify_audit.py, run by the CLI tests, checks Ed25519 signatures with `cryptography`.
if ! python3 -c "import cryptography" >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check cryptography
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "PostgreSQL: throwaway cluster"
eval "$(scripts/pg-cluster.sh)"
trap 'scripts/pg-cluster.sh stop "$SSJ_TEST_PG_DIR"' EXIT
echo "$SSJ_TEST_PG_URL"

step "unit, conformance (SQLite + PostgreSQL), HTTP and CLI tests"
cargo test --workspace --locked 2>&1 | tee -a "$log"

step "browser tests (headless Chromium)"
cargo build --locked -p shuangsuiji
(cd tests/browser && node --test) 2>&1 | tee -a "$log"

passed=$(grep -hoE '^test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
node_pass=$(grep -hoE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
node_fail=$(grep -hoE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
echo
echo "$((passed + node_pass)) passed, ${node_fail} failed"
