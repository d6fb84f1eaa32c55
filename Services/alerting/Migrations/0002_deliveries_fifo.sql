-- Due deliveries are claimed oldest message first (by created_at), so messages that were retried during an outage
-- are not sent after the backlog that queued up behind them.
CREATE INDEX deliveries_open_created ON deliveries (created_at) WHERE status IN ('pending', 'delivering');
