#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port, in a temporary directory, and
# prints `export SSJ_TEST_PG_URL=…; export SSJ_TEST_PG_DIR=…`. `pg-cluster.sh stop DIR` stops it.
set -euo pipefail

find_bin() {
  local b
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$b" ] && [ -x "$b/initdb" ] && echo "$b"
}

if [ "${1:-start}" = "stop" ]; then
  dir=$2
  bin=$(find_bin)
  if [ -d "$dir/data" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    else "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
  fi
  rm -rf "$dir"
  exit 0
fi

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  echo "PostgreSQL server binaries not found; installing the Debian package 'postgresql'" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  bin=$(find_bin || true)
  [ -n "$bin" ] || { echo "FAILED: PostgreSQL server binaries (initdb, pg_ctl) are missing" >&2; exit 1; }
fi

dir=$(mktemp -d /tmp/ssj-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$dir"
  run=(runuser -u postgres --)
fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "export SSJ_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "export SSJ_TEST_PG_DIR=$dir"
