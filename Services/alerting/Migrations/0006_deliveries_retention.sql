-- Delivered messages and dead letters are deleted once their last change (the last attempt, else the creation) is
-- older than their retention (FLEET_ALERTING_DELIVERED_RETENTION_HOURS, FLEET_ALERTING_DEAD_RETENTION_HOURS). The
-- sweep finds them here instead of scanning the table, whose rows are mostly delivered ones; the open rows (pending,
-- delivering), updated on every attempt, are not in this index. (Version 5 is the kit's audit log.)
CREATE INDEX deliveries_ended_last_change ON deliveries (status, (COALESCE(last_attempt_at, created_at)))
    WHERE status IN ('delivered', 'dead');
