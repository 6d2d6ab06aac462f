#!/usr/bin/env bash
# First start: a cluster in PGDATA whose superuser POSTGRES_USER has the password of POSTGRES_PASSWORD_FILE,
# a database POSTGRES_DB, password (SCRAM) logins from the network and none without a password. Then, and
# on every later start, the server in the foreground. Never started open: no password file, no start.
set -euo pipefail
user="${POSTGRES_USER:-postgres}"
database="${POSTGRES_DB:-$user}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  password_file="${POSTGRES_PASSWORD_FILE:-}"
  if [ -z "$password_file" ] || [ ! -s "$password_file" ]; then
    echo "postgres: POSTGRES_PASSWORD_FILE must name a file holding the password (${password_file:-unset}); nothing was created" >&2
    exit 1
  fi
  # initdb reads the password from a file of its own: the secret never reaches argv or the environment.
  pwfile="$(mktemp)"
  trap 'rm -f "$pwfile"' EXIT
  head -n1 "$password_file" | tr -d '\r\n' >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
  rm -f "$pwfile"
  {
    echo "listen_addresses = '*'"
    echo "password_encryption = 'scram-sha-256'"
  } >>"$PGDATA/postgresql.conf"
  # Only what initdb allows (local and loopback, with a password) and the container network, with a password.
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$database" != postgres ]; then
    # Single-user mode: no connection, no password needed, nothing listening yet.
    echo "CREATE DATABASE \"$database\" OWNER \"$user\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres: made the cluster in $PGDATA (user $user, database $database)"
fi

if [ "${1:-}" = postgres ]; then shift; exec postgres -D "$PGDATA" "$@"; fi
exec "$@"
