-- fleet-routing's own tables (unqualified: the migration runner sets the schema as the search path).

-- Plans: the request as received and the plan as answered (GET /v1/routes/{id}), with its status and progress.
CREATE TABLE plans (
    id            uuid PRIMARY KEY,
    status        text NOT NULL,
    request       jsonb NOT NULL,
    plan          jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz
);
CREATE INDEX plans_pending ON plans (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX plans_dispatched ON plans (dispatched_at) WHERE dispatched_at IS NOT NULL;

-- Traffic jams detected from the fleet's speeds: one open row per jammed road segment at most.
CREATE TABLE jams (
    id             uuid PRIMARY KEY,
    edge           integer NOT NULL,
    road           text,
    lat            double precision,
    lon            double precision,
    speed_kmh      double precision NOT NULL,
    free_flow_kmh  double precision NOT NULL,
    started_at     timestamptz NOT NULL,
    cleared_at     timestamptz,
    clear_reason   text
);
CREATE UNIQUE INDEX jams_open_edge ON jams (edge) WHERE cleared_at IS NULL;
CREATE INDEX jams_started ON jams (started_at);

-- What the fleet events said about each vehicle's fitness (breakdowns, low battery, offline, maintenance due),
-- so a restart does not forget a breakdown whose event will not come again.
CREATE TABLE vehicle_conditions (
    vehicle_id  text PRIMARY KEY,
    conditions  jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
