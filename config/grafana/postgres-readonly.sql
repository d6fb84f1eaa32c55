-- The read-only PostgreSQL role of Grafana's SQL panels: fleet_grafana.
--
-- Idempotent: run it again after every deployment that migrates the services' schemas (a table created later is
-- not covered by an earlier run), and to change the password. Run it AFTER the services migrated their schemas,
-- connected to database `fleet`, as a role that owns the schemas and may create roles:
--   compose / cluster: the `fleet` owner (the postgres image makes POSTGRES_USER a superuser);
--   local stack: `fleet` (scripts/stack.sh gives it CREATEDB and CREATEROLE); scripts/run.sh runs this file with the
--     password kept in .stack/grafana-db-password, and so does the live check (scripts/observability/live_check.py).
-- The password comes in as the psql variable grafana_password (never stored in this file).
--
-- Read-only is enforced by privileges: the role gets SELECT on the tables and columns listed below and nothing
-- else (no INSERT/UPDATE/DELETE, no CREATE on any schema); default_transaction_read_only is a second guard, not the
-- guard, since a session may turn it off. scripts/observability/check_panels.py --postgres proves both: it runs
-- every SQL panel as this role and checks that an INSERT and a CREATE TABLE are refused even with
-- default_transaction_read_only off.
--
-- Never granted: credentials and secrets (control.api_tokens, control.vehicle_credentials, alerting.webhooks with
-- their signing secrets, control.idempotency_keys), payload stores (alerting.deliveries, *.event_outbox, raw
-- telemetry) and audit logs. Where a granted table carries a payload, only the columns the panels read are granted.

\set ON_ERROR_STOP on

SELECT (rolsuper OR rolcreaterole) AS may_create_roles FROM pg_roles WHERE rolname = current_user \gset
\if :may_create_roles
\else
  DO $$ BEGIN RAISE EXCEPTION 'run postgres-readonly.sql as a role with CREATEROLE (or a superuser) that owns the Fleet schemas'; END $$;
\endif

SELECT format('CREATE ROLE fleet_grafana LOGIN PASSWORD %L', :'grafana_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fleet_grafana') \gexec

-- NOSUPERUSER, NOREPLICATION and NOBYPASSRLS are CREATE ROLE's defaults; only a superuser may name them in ALTER ROLE
-- (PostgreSQL 15), so they are checked instead of set.
SELECT (rolsuper OR rolreplication OR rolbypassrls) AS grafana_too_strong FROM pg_roles WHERE rolname = 'fleet_grafana' \gset
\if :grafana_too_strong
  DO $$ BEGIN RAISE EXCEPTION 'fleet_grafana is a superuser or has REPLICATION or BYPASSRLS: a superuser must remove that first'; END $$;
\endif
ALTER ROLE fleet_grafana WITH LOGIN NOCREATEDB NOCREATEROLE NOINHERIT CONNECTION LIMIT 10 PASSWORD :'grafana_password';
ALTER ROLE fleet_grafana SET default_transaction_read_only = on;
-- A dashboard query must never hold the services' tables for long.
ALTER ROLE fleet_grafana SET statement_timeout = '10s';
ALTER ROLE fleet_grafana SET idle_in_transaction_session_timeout = '30s';

BEGIN;
-- Start from nothing on every run, so that a table dropped from the list below loses its grant.
REVOKE ALL ON ALL TABLES IN SCHEMA tracking, control, alerting, health, routing FROM fleet_grafana;
REVOKE ALL ON SCHEMA tracking, control, alerting, health, routing FROM fleet_grafana;

GRANT USAGE ON SCHEMA tracking, control, alerting, health, routing TO fleet_grafana;

-- tracking: latest position and status per vehicle (Fleet overview: counts and the geomap), connectivity
-- (online/offline), and which dead letters were stored when and why (not their payload or detail).
GRANT SELECT ON tracking.vehicle_latest, tracking.vehicle_connectivity TO fleet_grafana;
GRANT SELECT (id, received_at, source, topic, vehicle_id, reason) ON tracking.dead_letters TO fleet_grafana;

-- alerting: alerts (open alerts by severity, alerts fired / acknowledged / resolved).
GRANT SELECT ON alerting.alerts TO fleet_grafana;

-- control: commands by status and time (not the route they carry or who created them).
GRANT SELECT (id, vehicle_id, action, status, status_reason, created_at, updated_at, expires_at, attempts)
    ON control.commands TO fleet_grafana;

-- health: downtime incidents and the per-vehicle health state (conditions, maintenance forecast).
GRANT SELECT ON health.incidents, health.vehicle_health TO fleet_grafana;

-- routing: plans by status and dispatch time (not the request or plan documents with the stops), and jams.
GRANT SELECT (id, status, created_at, updated_at, dispatched_at) ON routing.plans TO fleet_grafana;
GRANT SELECT ON routing.jams TO fleet_grafana;
COMMIT;
