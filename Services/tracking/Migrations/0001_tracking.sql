-- Tracking schema. Runs with search_path = the service's schema (MigrationRunner), so names are unqualified.

-- Vehicles known to tracking: registered through the API or auto-registered on first telemetry.
CREATE TABLE vehicles (
    id               text PRIMARY KEY,
    tags             text[] NOT NULL DEFAULT '{}',
    speed_limit_mps  double precision,
    auto_registered  boolean NOT NULL DEFAULT false,
    registered_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vehicles_tags ON vehicles USING gin (tags);

-- Raw telemetry, one partition per UTC day of device time (created ahead and dropped after the
-- retention by the maintenance job). (vehicle_id, device_time, seq) makes a replayed message a no-op
-- and serves per-vehicle history queries.
CREATE TABLE telemetry (
    vehicle_id     text NOT NULL,
    seq            bigint NOT NULL,
    device_time    timestamptz NOT NULL,
    received_at    timestamptz NOT NULL,
    lat            double precision NOT NULL,
    lon            double precision NOT NULL,
    accuracy_m     real,
    speed_mps      real NOT NULL,
    heading_deg    real NOT NULL,
    odometer_m     double precision NOT NULL,
    battery_pct    real,
    fuel_pct       real,
    engine_temp_c  real,
    rpm            real,
    status         text NOT NULL,
    fault_codes    text[],
    PRIMARY KEY (vehicle_id, device_time, seq)
) PARTITION BY RANGE (device_time);

-- Latest state per vehicle (newest device time wins), plus the derived flags events are made of.
CREATE TABLE vehicle_latest (
    vehicle_id     text PRIMARY KEY,
    seq            bigint NOT NULL,
    device_time    timestamptz NOT NULL,
    received_at    timestamptz NOT NULL,
    lat            double precision NOT NULL,
    lon            double precision NOT NULL,
    speed_mps      real NOT NULL,
    heading_deg    real NOT NULL,
    odometer_m     double precision NOT NULL,
    battery_pct    real,
    fuel_pct       real,
    status         text NOT NULL,
    moving         boolean NOT NULL,
    overspeed      boolean NOT NULL,
    geofences      text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX vehicle_latest_position ON vehicle_latest (lat, lon);

-- Connectivity from the retained state topic and the last will.
CREATE TABLE vehicle_connectivity (
    vehicle_id    text PRIMARY KEY,
    online        boolean NOT NULL,
    last_seen     timestamptz NOT NULL,
    changed_at    timestamptz NOT NULL
);

-- Highest contiguous durably stored sequence per vehicle, and the stored sequences above it.
CREATE TABLE commit_watermarks (
    vehicle_id     text PRIMARY KEY,
    committed_seq  bigint NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE TABLE commit_pending (
    vehicle_id   text NOT NULL,
    seq          bigint NOT NULL,
    stored_at    timestamptz NOT NULL,
    PRIMARY KEY (vehicle_id, seq)
);

-- Rejected messages with the reason, for operators (also published on fleet/v1/deadletter/tracking).
CREATE TABLE dead_letters (
    id           bigserial PRIMARY KEY,
    received_at  timestamptz NOT NULL,
    source       text NOT NULL,
    topic        text,
    vehicle_id   text,
    reason       text NOT NULL,
    detail       text NOT NULL,
    payload      bytea NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters (received_at);

-- Geofences: GeoJSON polygons (outer ring only, stored as a JSON array of [lon, lat] pairs).
CREATE TABLE geofences (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    ring        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE geofence_changes (
    id          smallint PRIMARY KEY,
    changed_at  timestamptz NOT NULL
);
INSERT INTO geofence_changes VALUES (1, now());
