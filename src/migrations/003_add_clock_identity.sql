-- The authenticated clock (its Cognito app client id, from the access token API Gateway checked)
-- that sent each punch and each sync. Null for rows stored before clocks authenticated, and for
-- punches that reached the queue another way (a redrive keeps the attribute; a hand-sent message
-- has none).
ALTER TABLE punches ADD COLUMN clock_id text;
ALTER TABLE syncs ADD COLUMN clock_id text;

-- GET /punches/batches/{syncId} answers a clock about its own syncs only.
CREATE INDEX syncs_clock ON syncs (clock_id);
