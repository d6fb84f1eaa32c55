-- Fleet reports (weekly and on demand). The files live in object storage under <prefix>/reports/<id>/; this table is
-- the index the API lists. A weekly report is made once per week and tag: replicas race on the unique index and the
-- loser skips the week.
CREATE TABLE reports (
    id            text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('weekly', 'on_demand')),
    title         text NOT NULL,
    tag           text,
    from_ms       bigint NOT NULL,
    to_ms         bigint NOT NULL,
    -- generating: claimed, files being written; ready: files verified in object storage.
    status        text NOT NULL CHECK (status IN ('generating', 'ready')),
    vehicles      integer,
    unavailable   text[] NOT NULL DEFAULT '{}',
    files         jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    generated_at  timestamptz
);
CREATE UNIQUE INDEX reports_weekly_once ON reports (from_ms, coalesce(tag, '')) WHERE kind = 'weekly';
CREATE INDEX reports_newest ON reports (created_at DESC);
