-- The vehicle's connection number (VehicleState.connection) of the stored state: it orders a last will against the
-- states its connection published after connecting, which last_seen (the device clock) cannot. NULL for devices that
-- do not send one; they keep the newest-last_seen rule.
ALTER TABLE vehicle_connectivity ADD COLUMN connection bigint;
