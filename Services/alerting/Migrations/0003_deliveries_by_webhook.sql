-- Claims read each webhook's open deliveries oldest first from that webhook's own index range, so the backlog of an
-- endpoint whose circuit is open is skipped rather than scanned by every claim (the claim still takes the oldest due
-- messages overall, as 0002 describes); expedite after a recovery uses the same index.
CREATE INDEX deliveries_open_webhook_created ON deliveries (webhook_id, created_at) WHERE status IN ('pending', 'delivering');
-- The outbox gauges count dead letters without reading the delivered rows (which are kept and are most of the table).
CREATE INDEX deliveries_dead ON deliveries (webhook_id) WHERE status = 'dead';
-- No query looks deliveries up by next_attempt_at any more: one index less to update on every status change.
DROP INDEX deliveries_due;
