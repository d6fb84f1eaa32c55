#!/bin/sh
# The docker-compose one-shot `grafana-db-role` (postgres:15 image): creates or refreshes Grafana's read-only
# PostgreSQL role fleet_grafana with config/grafana/postgres-readonly.sql (mounted at
# /fleet/postgres-readonly.sql), after fleet-tracking, -control, -alerting, -health and -routing are healthy, i.e.
# have migrated the schemas whose tables it grants. Connects with libpq's PGHOST/PGPORT/PGUSER/PGPASSWORD/
# PGDATABASE (compose: postgres:5432 as `fleet`, the superuser the postgres image makes). The password
# FLEET_GRAFANA_DB_PASSWORD reaches psql as the variable grafana_password through standard input, not on a command
# line (`ps` shows command lines); it must match [A-Za-z0-9._-] (it is put between single quotes).
set -eu
sql="${FLEET_GRAFANA_SQL:-/fleet/postgres-readonly.sql}"
password="${FLEET_GRAFANA_DB_PASSWORD:-}"
fail() { echo "grafana-db-role: ERROR: $*" >&2; exit 1; }
[ -n "$password" ] || fail "FLEET_GRAFANA_DB_PASSWORD is not set"
case "$password" in *[!A-Za-z0-9._-]*) fail "FLEET_GRAFANA_DB_PASSWORD must match [A-Za-z0-9._-]" ;; esac
[ -r "$sql" ] || fail "cannot read $sql"
{
    printf "\\\\set grafana_password '%s'\n" "$password"
    cat "$sql"
} | psql -X -q -v ON_ERROR_STOP=1
echo "grafana-db-role: role fleet_grafana is up to date"
