#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md: release build, fresh databases, SQLite and a
# throwaway PostgreSQL cluster, each measurement beside its baseline in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p ssj-bench
bench=target/release/ssj-bench
work=$(mktemp -d /tmp/ssj-bench.XXXXXX)
eval "$(scripts/pg-cluster.sh)"
trap 'scripts/pg-cluster.sh stop "$SSJ_TEST_PG_DIR"; rm -rf "$work"' EXIT
pg_base=${SSJ_TEST_PG_URL%/postgres}
for db in append verify; do psql -q "$SSJ_TEST_PG_URL" -c "CREATE DATABASE bench_$db"; done

echo "== audit append, 100,000 records, SQLite"
$bench audit-append --database "$work/append.db"
echo "== audit append, 100,000 records, PostgreSQL"
$bench audit-append --database "$pg_base/bench_append"
echo "== audit verify, 1,000,000 records, SQLite"
$bench audit-verify --database "$work/verify.db"
echo "== audit verify, 1,000,000 records, PostgreSQL"
$bench audit-verify --database "$pg_base/bench_verify"
