#!/bin/sh
# charts/fleet-postgres: prepares the data directory (the init container, `start.sh init`) and runs
# the server (`start.sh run`). Debian's postgresql-15 binaries, run as the pod's non-root user.
#   init: first start only: initdb (superuser $FLEET_PG_USER with the password of the Secret, scram
#         for TCP, trust on the pod-local socket) and CREATE DATABASE $FLEET_PG_DATABASE; every start:
#         ALTER ROLE ... PASSWORD from the Secret (single-user mode, no server listening), so the
#         database always takes the password the services read.
#   run:  exec postgres with the chart's settings and pg_hba.conf.
# Environment: PGDATA, FLEET_PG_BIN, FLEET_PG_USER, FLEET_PG_DATABASE, FLEET_PG_PASSWORD_FILE,
# FLEET_PG_PORT, FLEET_PG_HBA, FLEET_PG_TLS_DIR (empty: no TLS), FLEET_PG_SETTINGS (lines name=value).
set -eu
bin="$FLEET_PG_BIN"
say() { echo "fleet-postgres: $*"; }
fail() { echo "fleet-postgres: ERROR: $*" >&2; exit 1; }

case "${1:-}" in
init)
    password="$(cat "$FLEET_PG_PASSWORD_FILE")"
    # Written into SQL below: only characters that need no quoting (the generated passwords are alphanumeric).
    case "$password" in '' | *[!A-Za-z0-9._-]*) fail "the password must be non-empty and match [A-Za-z0-9._-]" ;; esac
    case "$FLEET_PG_USER$FLEET_PG_DATABASE" in *[!a-z0-9_]*) fail "user and database must match [a-z0-9_]" ;; esac
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        say "initialising $PGDATA"
        "$bin/initdb" -D "$PGDATA" -U "$FLEET_PG_USER" --pwfile="$FLEET_PG_PASSWORD_FILE" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >/dev/null
        echo "CREATE DATABASE $FLEET_PG_DATABASE OWNER $FLEET_PG_USER" \
            | "$bin/postgres" --single -D "$PGDATA" -c unix_socket_directories=/tmp postgres >/dev/null
        say "created database $FLEET_PG_DATABASE"
    fi
    echo "ALTER ROLE $FLEET_PG_USER WITH LOGIN SUPERUSER PASSWORD '$password'" \
        | "$bin/postgres" --single -D "$PGDATA" -c unix_socket_directories=/tmp -c password_encryption=scram-sha-256 postgres >/dev/null
    say "password of $FLEET_PG_USER set from the Secret"
    ;;
run)
    set -- -D "$PGDATA" -c listen_addresses='*' -c port="$FLEET_PG_PORT" -c unix_socket_directories=/tmp \
        -c hba_file="$FLEET_PG_HBA"
    if [ -n "${FLEET_PG_TLS_DIR:-}" ]; then
        set -- "$@" -c ssl=on -c ssl_cert_file="$FLEET_PG_TLS_DIR/tls.crt" -c ssl_key_file="$FLEET_PG_TLS_DIR/tls.key" \
            -c ssl_min_protocol_version=TLSv1.2
    fi
    while IFS= read -r setting; do
        [ -n "$setting" ] && set -- "$@" -c "$setting"
    done <<SETTINGS
${FLEET_PG_SETTINGS:-}
SETTINGS
    exec "$bin/postgres" "$@"
    ;;
*) fail "usage: start.sh init|run" ;;
esac
