-- One row per bulk sync of an offline clock, written by the sync consumer in the same
-- transaction as the sync's punches: a sync is either done with all its rows, or not at all.
CREATE TABLE syncs (
  sync_id uuid PRIMARY KEY,
  device_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('done', 'failed')),
  -- Punches in the body, punches that passed the schema, new rows, rows that already existed.
  received_count integer NOT NULL,
  accepted_count integer NOT NULL,
  persisted_count integer NOT NULL,
  duplicate_count integer NOT NULL,
  -- [{ "index": 12, "punchId": "…", "reason": "…" }]: what the clock must fix and send again.
  rejected jsonb NOT NULL,
  failure_reason text,
  received_at timestamptz NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now()
);

-- Which sync stored a punch; null for punches that came in live.
ALTER TABLE punches ADD COLUMN sync_id uuid;
