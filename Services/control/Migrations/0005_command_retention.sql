-- Finished commands (rejected, completed, failed, expired) are deleted with their transitions once they have not
-- changed for FLEET_CONTROL_COMMAND_HISTORY_RETENTION_HOURS. The purge reads the oldest of them here instead of
-- scanning the table; open commands (pending, sent, acknowledged), updated on every resend and answer, are not in it.
CREATE INDEX commands_finished_updated ON commands (updated_at) WHERE status IN ('rejected', 'completed', 'failed', 'expired');
