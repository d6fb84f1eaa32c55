-- Per-token rate limits (NULL: the service default) and the vehicle a token speaks for (NULL: none).
ALTER TABLE api_tokens
    ADD COLUMN vehicle_id text,
    ADD COLUMN rate_limit_rps integer CHECK (rate_limit_rps > 0),
    ADD COLUMN rate_limit_burst integer CHECK (rate_limit_burst > 0);
