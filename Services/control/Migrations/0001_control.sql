-- fleet-control schema. Runs with search_path = the service's schema (MigrationRunner), so names are unqualified.

-- Vehicles learnt from the retained fleet/v1/vehicles/{id}/state messages.
CREATE TABLE vehicles (
    id text PRIMARY KEY,
    connectivity text NOT NULL CHECK (connectivity IN ('online', 'offline')),
    last_seen timestamptz NOT NULL,
    status text,
    first_seen timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Tags are managed by the control plane (API and fleetctl).
CREATE TABLE vehicle_tags (
    vehicle_id text NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
    tag text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vehicle_id, tag)
);
CREATE INDEX vehicle_tags_by_tag ON vehicle_tags (tag);

-- One row per command to one vehicle; status follows the lifecycle
-- pending -> sent -> acknowledged | rejected -> completed | failed, or expired.
CREATE TABLE commands (
    id text PRIMARY KEY,
    vehicle_id text NOT NULL,
    action text NOT NULL,
    speed_limit_mps double precision,
    reason text,
    status text NOT NULL CHECK (status IN ('pending', 'sent', 'acknowledged', 'rejected', 'completed', 'failed', 'expired')),
    status_reason text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    batch_id text,
    created_by text NOT NULL
);
CREATE INDEX commands_due ON commands (next_attempt_at) WHERE status IN ('pending', 'sent');
CREATE INDEX commands_by_vehicle ON commands (vehicle_id, created_at DESC);

-- Every status a command went through, with when and why.
CREATE TABLE command_transitions (
    id bigserial PRIMARY KEY,
    command_id text NOT NULL REFERENCES commands (id) ON DELETE CASCADE,
    status text NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    reason text
);
CREATE INDEX command_transitions_by_command ON command_transitions (command_id, id);

-- The desired state published retained on fleet/v1/vehicles/{id}/desired.
CREATE TABLE desired_states (
    vehicle_id text PRIMARY KEY,
    revision bigint NOT NULL,
    paused boolean NOT NULL,
    speed_limit_mps double precision,
    reason text,
    updated_at timestamptz NOT NULL,
    published_revision bigint NOT NULL DEFAULT 0
);
CREATE INDEX desired_states_unpublished ON desired_states (vehicle_id) WHERE published_revision < revision;

-- API tokens: only the SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    name text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    scopes text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text,
    revoked_at timestamptz,
    revoked_by text
);

-- Responses to requests that carried an Idempotency-Key, per token.
CREATE TABLE idempotency_keys (
    token_id text NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    status_code integer NOT NULL,
    response text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

-- Who did what, when, from where.
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_token_id text,
    actor_name text,
    action text NOT NULL,
    target text,
    outcome text NOT NULL,
    details text,
    remote_address text
);
CREATE INDEX audit_log_by_action ON audit_log (action, id DESC);
