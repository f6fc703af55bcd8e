#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md: release build, fresh databases, SQLite and a
# throwaway PostgreSQL cluster, each measurement beside its baseline in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq sqlite3 >/dev/null; }
cargo build --release --locked -p ssj-bench
bench=target/release/ssj-bench
work=$(mktemp -d /tmp/ssj-bench.XXXXXX)
eval "$(scripts/pg-cluster.sh)"
trap 'scripts/pg-cluster.sh stop "$SSJ_TEST_PG_DIR"; rm -rf "$work"' EXIT
pg_base=${SSJ_TEST_PG_URL%/postgres}
for db in append verify objects province; do psql -q "$SSJ_TEST_PG_URL" -c "CREATE DATABASE bench_$db"; done
cargo build --release --locked -p shuangsuiji
target/release/shuangsuiji generate objects --count 1000000 --out "$work/objects-1m.csv" >/dev/null

echo "== audit append, 100,000 records, SQLite"
$bench audit-append --database "$work/append.db"
echo "== audit append, 100,000 records, PostgreSQL"
$bench audit-append --database "$pg_base/bench_append"
echo "== audit verify, 1,000,000 records, SQLite"
$bench audit-verify --database "$work/verify.db"
echo "== audit verify, 1,000,000 records, PostgreSQL"
$bench audit-verify --database "$pg_base/bench_verify"
echo "== objects import, 1,000,000 generated objects, SQLite (baseline: sqlite3 .import)"
$bench objects-import --database "$work/objects.db" --file "$work/objects-1m.csv"
echo "== objects import, 1,000,000 generated objects, PostgreSQL (baseline: COPY)"
$bench objects-import --database "$pg_base/bench_objects" --file "$work/objects-1m.csv"

# A province: 10,000,000 objects over 99 counties, loaded with the command a user runs, then
# the list page's queries under filters a county, a city and a province user would set.
target/release/shuangsuiji generate objects --count 10000000 --counties 99 \
    --out "$work/objects-10m.csv" >/dev/null
export SHUANGSUIJI_MAX_IMPORT_BYTES=2000000000
for db in "$work/province.db" "$pg_base/bench_province"; do
    echo "== list page, 10,000,000 objects, $db"
    /usr/bin/time -f "import of 10,000,000: %e s, peak RSS %M KB" \
        target/release/shuangsuiji --database "$db" --data-dir "$work/data" \
        import objects "$work/objects-10m.csv"
    $bench list-page --database "$db" --runs 20
done

# The draw (issue 4): the engine against its hashing floor and teams; one frozen file through
# the engine, docs/verify_draw.py and PostgreSQL; two tasks over the whole province drawn end to
# end (one as the console does it, in three requests; one with `draw run`), each step logged.
echo "== draw engine, 10,000,000 candidates"
$bench draw-engine --rounds 3
psql -q "$SSJ_TEST_PG_URL" -c "CREATE DATABASE bench_draw"
echo "== one frozen file recomputed three ways, 1,000,000 candidates"
$bench draw-compare --count 1000000 --pg "$pg_base/bench_draw" --python
echo "== one frozen file recomputed two ways, 10,000,000 candidates"
$bench draw-compare --count 10000000 --pg "$pg_base/bench_draw"
echo "== tasks drawn end to end over the 10,000,000-object province (SQLite), objects only"
SSJ_BENCH_LOG=ssj_app::steps=debug /usr/bin/time -f "peak RSS %M KB" \
    $bench draw-e2e --database "$work/province.db" --objects-only

# A city's year (issue 13): a 60-task plan over a fresh 1,000,000-object directory, imported,
# every task drawn from it, the merged-visit proposal; beside it the median task's scope alone.
echo "== plan of 60 tasks over 1,000,000 objects (SQLite)"
target/release/shuangsuiji --database "$work/plan.db" --data-dir "$work/data" \
    import objects "$work/objects-1m.csv" >/dev/null
$bench plan-year --database "$work/plan.db"

# The public lookup (issue 12) on the province's draw just made: by code and by name, within the
# task and across all tasks, at 64 connections beside the same server's static page, with the
# server's peak memory; and the stored export zip downloaded.
echo "== public lookup on the 10,000,000-candidate draw, 64 connections (SQLite)"
scripts/bench-lookup.sh "$work/province.db" "$work/data" target/release/shuangsuiji
