#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL and redis-server, stopping both afterwards.
# Exports DATABASE_URL and TEST_REDIS_URL to the command. Installs Debian's packages where missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/pg_ctl" ] || need_packages+=(postgresql)
command -v redis-server >/dev/null || need_packages+=(redis-server)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "Installing ${need_packages[*]} from Debian's packages..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/cocov-services.XXXXXX)
chmod 755 "$work"
pg_port=$(free_port)
redis_port=$(free_port)

run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  run_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
run_pg "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres --no-sync -E UTF8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log"; exit 1; }
run_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -t 60 start \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  >/dev/null || { cat "$work/pg/server.log"; exit 1; }

redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
  sleep 0.1
done

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/cocov"
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
"$@"
