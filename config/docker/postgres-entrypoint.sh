#!/bin/sh
# Entrypoint of the fleet-postgres image (config/docker/postgres.Dockerfile): initialises an empty $PGDATA with the
# role POSTGRES_USER (password POSTGRES_PASSWORD, scram-sha-256) owning the database POSTGRES_DB, then runs the
# server in the foreground (exec: it gets the container's stop signal). Extra arguments go to `postgres`
# (e.g. `-c max_connections=300`). An already initialised folder is used as it is.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
[ -n "${POSTGRES_PASSWORD:-}" ] || { echo "fleet-postgres: POSTGRES_PASSWORD must be set" >&2; exit 1; }
case "$POSTGRES_USER$POSTGRES_DB" in *[!A-Za-z0-9_]*) echo "fleet-postgres: user and database names must match [A-Za-z0-9_]" >&2; exit 1 ;; esac

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    umask 077
    mkdir -p "$PGDATA"
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, split on purpose.
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        ${POSTGRES_INITDB_ARGS:-} >/dev/null
    rm -f "$pwfile"
    printf "listen_addresses = '*'\nunix_socket_directories = '/var/run/postgresql'\npassword_encryption = 'scram-sha-256'\n" \
        >>"$PGDATA/postgresql.conf"
    # initdb's pg_hba.conf admits loopback only; containers reach the server over their network.
    printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        postgres --single -D "$PGDATA" postgres >/dev/null <<SQL
CREATE DATABASE "$POSTGRES_DB" OWNER "$POSTGRES_USER";
SQL
    fi
    echo "fleet-postgres: initialised $PGDATA (role $POSTGRES_USER, database $POSTGRES_DB)"
fi
exec postgres -D "$PGDATA" "$@"
