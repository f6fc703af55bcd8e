#!/usr/bin/env bash
# The public lookup on a province's draw: `shuangsuiji serve` over a database in which
# `ssj-bench draw-e2e` drew a task over 10,000,000 objects; wrk at 64 connections asks
# "was this company drawn, and why" by code and by name, beside the same server's static page;
# the server's peak memory (VmHWM, reset between runs) beside each. Then the stored export zip
# downloaded, with the server's CPU time per download.
# Usage: scripts/bench-lookup.sh DATABASE.db DATA_DIR [SHUANGSUIJI_BINARY]
set -euo pipefail
db=$1 data=$2 bin=${3:-target/release/shuangsuiji}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d /tmp/ssj-lookup.XXXXXX)
port=$((20000 + RANDOM % 20000))
"$bin" --database "$db" --data-dir "$data" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
task=$(sqlite3 "$db" "SELECT t.code FROM task t JOIN draw d ON d.task_id = t.id
  WHERE d.status = 'drawn' ORDER BY d.id DESC LIMIT 1")
candidates=$(sqlite3 "$db" "SELECT count(*) FROM object")
echo "server pid $server, task $task, $candidates objects in the directory"
# 2,000 codes and 500 names spread over the directory: drawn and not drawn alike.
sqlite3 "$db" "SELECT code FROM object WHERE id % 5000 = 7 LIMIT 2000" >"$work/codes"
sqlite3 "$db" "SELECT name FROM object WHERE id % 20000 = 11 LIMIT 500" >"$work/names"
python3 - "$work" "$task" <<'PY'
import sys, urllib.parse
work, task = sys.argv[1], sys.argv[2]
q = lambda s: urllib.parse.quote(s.strip(), safe="")
codes = [l for l in open(f"{work}/codes") if l.strip()]
names = [l for l in open(f"{work}/names") if l.strip()]
open(f"{work}/by-code-in-task", "w").writelines(f"/public/verify?q={q(c)}&task={task}\n" for c in codes)
open(f"{work}/by-code", "w").writelines(f"/public/verify?q={q(c)}\n" for c in codes)
open(f"{work}/by-name", "w").writelines(f"/public/verify?q={q(n)}\n" for n in names)
open(f"{work}/static", "w").write("/static/app.css\n")
PY
hwm() { awk '/VmHWM/ {print $2}' "/proc/$server/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
run() { # label, paths file, connections, seconds
  echo 5 >"/proc/$server/clear_refs"   # VmHWM back to the current RSS
  local before=$(rss)
  PATHS="$2" wrk -t2 -c"$3" -d"$4"s --latency -s scripts/bench/lookup.lua "$base" >"$work/wrk.out"
  local rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  local p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
  local p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  local errors=$(grep -E "Non-2xx|Socket errors" "$work/wrk.out" | tr '\n' ' ')
  printf '%-34s %6s conn  %10s req/s  p50 %8s  p99 %8s  RSS before %6d MB, peak %6d MB %s\n' \
    "$1" "$3" "$rps" "$p50" "$p99" $((before / 1024)) $(($(hwm) / 1024)) "$errors"
}
curl -sf "$base/public/verify?q=$(head -1 "$work/codes")&task=$task" | grep -o 'class="lookup-verdict"[^<]*<[^<]*' | head -2 || true
for round in 1 2; do
  run "static page /static/app.css" "$work/static" 64 10
  run "lookup by code in the task" "$work/by-code-in-task" 64 10
  run "lookup by code, all tasks" "$work/by-code" 64 10
  run "lookup by name, all tasks" "$work/by-name" 64 10
done
# The stored zip: served as a file, whatever its size; the server's CPU per download.
zip_path="/public/tasks/$task/export.zip"
size=$(curl -s -o /dev/null -w '%{size_download}' "$base$zip_path")
t0=$(cpu)
start=$(date +%s.%N)
for _ in $(seq 10); do curl -s -o /dev/null "$base$zip_path"; done
end=$(date +%s.%N)
t1=$(cpu)
ticks=$(getconf CLK_TCK)
python3 -c "print(f'export.zip {int($size)/1e6:.1f} MB: 10 downloads in {$end-$start:.2f} s, server CPU {($t1-$t0)/$ticks*100:.0f} ms per download')"
