#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the team-store tests and prints its URL.
# Safe to run again: an already running server is reused. `stop` stops it (fast shutdown);
# `kill` kills its postmaster with SIGKILL, as a crash would (the recorder's reconnection
# tests and benchmark use both, on a server of their own). Each agent's overlay holds two
# connections (reading, and writing the live call), so the live-floor benchmark's 50 agents need
# more than PostgreSQL's default 100. As root (CI, fresh machine) the
# server runs as the `postgres` user, since PostgreSQL refuses to run as root.
#   CALLASSIST_PG_DIR   data folder   (default /tmp/callassist-pg)
#   CALLASSIST_PG_PORT  port on 127.0.0.1 (default 55432)
#   CALLASSIST_PG_DB    database created for the tests (default callassist_test)
set -euo pipefail

dir=${CALLASSIST_PG_DIR:-/tmp/callassist-pg}
port=${CALLASSIST_PG_PORT:-55432}
db=${CALLASSIST_PG_DB:-callassist_test}
action=${1:-start}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "start-postgres: PostgreSQL is not installed (run scripts/setup.sh or apt-get install postgresql)" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  user=postgres
  as_user() { runuser -u postgres -- "$@"; }
else
  user=$(id -un)
  as_user() { "$@"; }
fi

mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
chmod 700 "$dir"

if [ ! -f "$dir/PG_VERSION" ]; then
  as_user "$bin/initdb" -D "$dir" -U "$user" --auth=trust -E UTF8 >"$dir.initdb.log" 2>&1 || {
    echo "start-postgres: initdb failed, see $dir.initdb.log" >&2; exit 1; }
fi

answers() { "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q -t 2; }
case "$action" in
  start) ;;
  stop)
    as_user "$bin/pg_ctl" -D "$dir" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    exit 0 ;;
  kill)
    if [ -f "$dir/postmaster.pid" ]; then kill -9 "$(head -n 1 "$dir/postmaster.pid")" || true; fi
    exit 0 ;;
  *) echo "start-postgres: unknown action '$action' (start, stop or kill)" >&2; exit 2 ;;
esac
if ! answers && as_user "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  # The pid file names a process that does not answer: a server killed without cleaning up
  # (its pid may even linger as a zombie). Its lock files would stop a new one starting.
  rm -f "$dir/postmaster.pid" "$dir/.s.PGSQL.$port.lock"
fi
if ! answers; then
  as_user "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=250" start >/dev/null || {
    echo "start-postgres: the server did not start, see $dir/server.log" >&2; exit 1; }
fi

if ! as_user "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  as_user "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$db"
fi

echo "postgresql://$user@127.0.0.1:$port/$db"
