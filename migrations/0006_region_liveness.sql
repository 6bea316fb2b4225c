-- A region's row outlives its node: stopping a region marks it offline instead of deleting it,
-- so its stored objects wait for it, and a restart of the same region takes its row back.

ALTER TABLE regions ADD COLUMN online BOOLEAN NOT NULL DEFAULT true;
