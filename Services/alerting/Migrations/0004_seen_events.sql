-- Fleet events are published at least once (the emitting services' outboxes republish what the broker did not
-- confirm), so the same event can arrive twice. Its id is recorded in the transaction that applies it; a repeat is
-- dropped. Rows older than a day are pruned by the sweep (a republish comes within seconds or minutes).
CREATE TABLE seen_events (
    event_id text PRIMARY KEY,
    seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX seen_events_seen_at ON seen_events (seen_at);
