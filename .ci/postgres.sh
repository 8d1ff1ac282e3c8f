# Start a throw-away PostgreSQL cluster on localhost and export DATABASE_URL_TEST (sourced by .ci/run).
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d /tmp/indicateurs-pg.XXXXXX)
chown postgres "$PG_DIR"
PG_PORT=${PG_PORT:-55432}
su postgres -c "$PG_BIN/initdb -D $PG_DIR/data -A trust -U postgres" >/dev/null
su postgres -c "$PG_BIN/pg_ctl -D $PG_DIR/data -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1' -l $PG_DIR/log -w start" >/dev/null
export DATABASE_URL_TEST="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL ready: $DATABASE_URL_TEST"
