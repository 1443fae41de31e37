#!/bin/sh
# Stand-in for the official postgres image's entrypoint, for machines that cannot pull it: the
# same settings (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA), Debian's PostgreSQL.
# A data directory that already holds a cluster is used as is, as the official image does, so a
# named volume keeps its data across containers.
set -eu
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${PGDATA:=/var/lib/postgresql/data}"
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
  echo "stand-in postgres: POSTGRES_PASSWORD is required, as with the official image" >&2
  exit 1
fi
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
  rm -f "$pwfile"
  # Clients come from other containers and the host, as with the official image.
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != "postgres" ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | as_postgres postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
# `docker stop` sends SIGTERM, which Postgres takes as a smart shutdown that waits for every client
# to leave; the official image stops with SIGINT (STOPSIGNAL), a fast shutdown, and so does this.
# An imported image cannot declare STOPSIGNAL, hence the relay.
# Not through as_postgres: a backgrounded function runs in a subshell, which would get the signal.
setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" -c listen_addresses='*' "$@" &
server=$!
trap 'kill -INT "$server" 2>/dev/null' TERM INT
while kill -0 "$server" 2>/dev/null; do wait "$server" || true; done
