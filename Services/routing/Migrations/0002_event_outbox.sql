-- Fleet events decided by a committed transaction (transitions, connectivity changes, skipped gaps), written in that
-- transaction and published at least once by FleetService's OutboxRelay, which deletes a row after the broker's PUBACK.
-- The same table in every service that emits events (docs/adding-a-service.md).
CREATE TABLE event_outbox (
    seq           bigserial PRIMARY KEY,
    event_id      text NOT NULL,
    topic         text NOT NULL,
    payload       bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    attempts      integer NOT NULL DEFAULT 0,
    claimed_by    text,
    claimed_until timestamptz
);
