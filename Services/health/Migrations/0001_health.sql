-- fleet-health's own schema (run with the schema as the search path; names unqualified).

-- One row per vehicle the service has heard of: the recorded active conditions (key -> since, epoch ms), when it was
-- first and last heard from, its last levels, tags from the registry and its latest forecasts.
CREATE TABLE vehicle_health (
    vehicle_id     text PRIMARY KEY,
    active         jsonb NOT NULL DEFAULT '{}'::jsonb,
    first_seen     timestamptz NOT NULL DEFAULT now(),
    last_seen      timestamptz,
    status         text,
    battery_pct    double precision,
    fuel_pct       double precision,
    engine_temp_c  double precision,
    rul_cycles     double precision,
    rul_lower      double precision,
    rul_upper      double precision,
    rul_at         timestamptz,
    battery_capacity_ratio double precision,
    battery_eol_cycle double precision,
    battery_cycle  integer,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vehicle_health_last_seen ON vehicle_health (last_seen);

-- Downtime: one row per period a vehicle was down for one cause; ended_at is NULL while open. At most one open
-- incident per vehicle and cause.
CREATE TABLE incidents (
    id          text PRIMARY KEY,
    vehicle_id  text NOT NULL,
    cause       text NOT NULL CHECK (cause IN ('fault', 'silent', 'offline', 'paused')),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz CHECK (ended_at IS NULL OR ended_at >= started_at),
    detail      text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (vehicle_id, cause) WHERE ended_at IS NULL;
CREATE INDEX incidents_by_start ON incidents (started_at DESC, id DESC);
CREATE INDEX incidents_by_vehicle ON incidents (vehicle_id, started_at DESC, id DESC);
