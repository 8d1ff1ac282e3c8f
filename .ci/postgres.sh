# Start a throw-away PostgreSQL cluster on 127.0.0.1 and export DATABASE_URL_TEST.
# Usage: `source .ci/postgres.sh` (sourced by .ci/run). Works as root (runs the server as the
# `postgres` user) or as an ordinary user. If the server cannot start, it says why and leaves
# DATABASE_URL_TEST unset: the PostgreSQL storage tests are then skipped with that reason, the rest runs.
# `pg_test_stop` stops the cluster (also done when the calling shell exits).

_pg_start() {
  local bin port dir
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL: binaries not found (apt-get install postgresql); PostgreSQL tests will be skipped"
    return 1
  fi
  port=${PG_PORT:-55432}
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  dir=$(mktemp -d /tmp/indicateurs-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "PostgreSQL: no 'postgres' user; PostgreSQL tests will be skipped"
      return 1
    fi
    chown postgres "$dir"
    run_as() { su postgres -s /bin/sh -c "$*"; }
  else
    run_as() { sh -c "$*"; }
  fi
  if ! run_as "'$bin/initdb' -D '$dir/data' -A trust -U postgres -E UTF8" >"$dir/initdb.log" 2>&1; then
    echo "PostgreSQL: initdb failed:"; tail -n 20 "$dir/initdb.log"; return 1
  fi
  if ! run_as "'$bin/pg_ctl' -D '$dir/data' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" -l '$dir/log' -w -t 60 start" >/dev/null 2>&1; then
    echo "PostgreSQL: the server did not start:"; tail -n 20 "$dir/log"; return 1
  fi
  export PG_TEST_DIR="$dir" PG_TEST_BIN="$bin"
  export DATABASE_URL_TEST="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL ready: $DATABASE_URL_TEST"
}

pg_test_stop() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/sh -c "'$PG_TEST_BIN/pg_ctl' -D '$PG_TEST_DIR/data' -m fast -w stop" >/dev/null 2>&1 || true
  else
    "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TEST_DIR"
  unset PG_TEST_DIR DATABASE_URL_TEST
}

if _pg_start; then
  trap pg_test_stop EXIT
else
  unset DATABASE_URL_TEST
fi
unset -f _pg_start
