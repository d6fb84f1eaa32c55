-- The stops of a follow_route command, as the API received them ({"route_id": ..., "stops": [{"id", "lat", "lon",
-- "service_s"}, ...]}); NULL for every other action.
ALTER TABLE commands ADD COLUMN route jsonb;
