-- The cold archive's ledger (0004 is the audit log, added by the kit): one row per UTC day that was archived, is being
-- archived, was dropped after a verified archive, or was restored from it. The positions API reads days in state
-- 'dropped' from object storage; the maintenance job never drops a day whose archive is not verified, nor a restored
-- day before restored_until.
CREATE TABLE archive_days (
    day             date PRIMARY KEY,
    -- pending: claimed, no verified archive yet; archived: verified, partition kept; dropped: partition gone, the
    -- archive is the only copy; restored: partition rebuilt from the archive.
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'archived', 'dropped', 'restored')),
    manifest_key    text,
    rows            bigint,
    bytes           bigint,
    parts           integer,
    archived_at     timestamptz,
    dropped_at      timestamptz,
    restored_at     timestamptz,
    restored_until  timestamptz,
    -- One replica works on a day at a time.
    lease_owner     text,
    lease_until     timestamptz,
    last_error      text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
