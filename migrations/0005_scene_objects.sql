-- Objects in regions, persisted on a slow cadence and at shutdown (never per position update).
-- Rezzing an item and taking an object back move rows between inventory_items and this table
-- in one transaction.

CREATE TABLE scene_objects (
    id              UUID PRIMARY KEY,
    region_id       UUID NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    owner_id        UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    creator_id      UUID,
    asset_id        BYTEA REFERENCES assets (id),
    name            TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 63),
    shape           SMALLINT NOT NULL,
    position        REAL[] NOT NULL CHECK (array_length(position, 1) = 3),
    rotation        REAL[] NOT NULL CHECK (array_length(rotation, 1) = 4),
    scale           REAL[] NOT NULL CHECK (array_length(scale, 1) = 3),
    base_mask       INTEGER NOT NULL,
    owner_mask      INTEGER NOT NULL,
    group_mask      INTEGER NOT NULL,
    everyone_mask   INTEGER NOT NULL,
    next_owner_mask INTEGER NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX scene_objects_region ON scene_objects (region_id);
