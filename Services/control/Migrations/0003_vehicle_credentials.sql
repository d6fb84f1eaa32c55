-- Vehicles with broker credentials (made through the dynamic-security plugin) and their HTTP token.
-- The password lives only in the broker, salted and hashed by it; the token only as its SHA-256 in api_tokens.
CREATE TABLE vehicle_credentials (
    vehicle_id text PRIMARY KEY,
    token_id text NOT NULL,
    provisioned_at timestamptz NOT NULL DEFAULT now(),
    provisioned_by text,
    rotated_at timestamptz
);
