-- A (vehicle, seq) pair is stored once, as the wire format promises, even when a resend carries another device time.
-- The telemetry key must hold the partitioning column (device_time), so it cannot say that; the commit watermark
-- can: every sequence at or below committed_seq is stored except the gaps given up on, and every stored one above it
-- is in pending. The write path drops a batch's rows the watermark already holds before it inserts, which also
-- spares the insert its ON CONFLICT.
--
-- skipped: the ranges given up on (sequence_gap) and not filled since, flattened as [from, to, from, to, ...]; a
-- message of such a range that arrives late is stored, and its sequence leaves the range. Gaps skipped before this
-- migration are not known: a message of one that arrives from now on is taken for a duplicate.
ALTER TABLE commit_watermarks ADD COLUMN skipped bigint[] NOT NULL DEFAULT '{}';
