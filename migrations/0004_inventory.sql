-- Inventory: a folder tree per account, and items pointing to assets, with Second Life's
-- permission masks. The invariants live here, not only in code:
--  * an item is in exactly one folder, and that folder belongs to the item's owner;
--  * a folder's parent belongs to the same owner;
--  * each account has exactly one root and at most one folder of each system kind.

CREATE TABLE inventory_folders (
    id        UUID PRIMARY KEY,
    owner_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    parent_id UUID,
    name      TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 63),
    -- 0 an ordinary folder; 1 root; 2.. system folders (see FolderKind in the code).
    kind      SMALLINT NOT NULL DEFAULT 0 CHECK (kind >= 0),
    UNIQUE (id, owner_id),
    FOREIGN KEY (parent_id, owner_id) REFERENCES inventory_folders (id, owner_id) ON DELETE CASCADE,
    CHECK ((kind = 1) = (parent_id IS NULL))
);
CREATE UNIQUE INDEX inventory_folders_system ON inventory_folders (owner_id, kind) WHERE kind > 0;
CREATE INDEX inventory_folders_parent ON inventory_folders (parent_id);

CREATE TABLE inventory_items (
    id              UUID PRIMARY KEY,
    owner_id        UUID NOT NULL,
    folder_id       UUID NOT NULL,
    asset_id        BYTEA NOT NULL REFERENCES assets (id),
    asset_type      SMALLINT NOT NULL,
    name            TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 63),
    creator_id      UUID,
    base_mask       INTEGER NOT NULL,
    owner_mask      INTEGER NOT NULL,
    group_mask      INTEGER NOT NULL,
    everyone_mask   INTEGER NOT NULL,
    next_owner_mask INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (folder_id, owner_id) REFERENCES inventory_folders (id, owner_id) ON DELETE CASCADE,
    -- An owner never holds rights the creator's base mask does not grant.
    CHECK (owner_mask & ~base_mask = 0),
    CHECK (next_owner_mask & ~base_mask = 0)
);
CREATE INDEX inventory_items_folder ON inventory_items (folder_id);
CREATE INDEX inventory_items_owner ON inventory_items (owner_id);
