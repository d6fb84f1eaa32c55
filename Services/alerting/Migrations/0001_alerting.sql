-- Alert rules: from the rules file (source 'file', replaced at every start) or the API (source 'api').
CREATE TABLE rules (
    id text PRIMARY KEY,
    source text NOT NULL CHECK (source IN ('file', 'api')),
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Alerts: firing -> acknowledged -> resolved. At most one open (not resolved) alert per dedup key.
CREATE TABLE alerts (
    id text PRIMARY KEY,
    rule_id text NOT NULL,
    dedup_key text NOT NULL,
    status text NOT NULL CHECK (status IN ('firing', 'acknowledged', 'resolved')),
    severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    vehicle_id text,
    event_type text NOT NULL,
    summary text NOT NULL,
    attributes jsonb NOT NULL DEFAULT '{}',
    occurrences integer NOT NULL DEFAULT 1,
    suppressed integer NOT NULL DEFAULT 0,
    fired_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by text,
    resolved_at timestamptz,
    resolved_by text,
    escalate_at timestamptz,
    escalate_to text,
    escalated_at timestamptz
);
CREATE UNIQUE INDEX alerts_open_dedup_key ON alerts (dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_dedup_key_fired ON alerts (dedup_key, fired_at DESC);
CREATE INDEX alerts_updated ON alerts (updated_at DESC, id);
CREATE INDEX alerts_escalation ON alerts (escalate_at) WHERE status = 'firing' AND escalated_at IS NULL AND escalate_at IS NOT NULL;

-- Webhook subscriptions.
CREATE TABLE webhooks (
    id text PRIMARY KEY,
    url text NOT NULL,
    description text NOT NULL DEFAULT '',
    event_types text[] NOT NULL DEFAULT '{}',
    min_severity text NOT NULL DEFAULT 'info',
    headers jsonb NOT NULL DEFAULT '{}',
    secret text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The transactional outbox: one row per (message, webhook), written in the transaction that changes the alert.
CREATE TABLE deliveries (
    id text PRIMARY KEY,
    webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    alert_id text,
    event_type text NOT NULL,
    payload text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    last_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    delivered_at timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'delivering');
CREATE INDEX deliveries_webhook_created ON deliveries (webhook_id, created_at DESC);
