-- Inventory operations as server-side functions, so that InventoryStore locks, checks and
-- writes in one round trip instead of one per statement. They keep the store's locking rules:
-- a transaction-scoped advisory lock per owner first (in a fixed order when there are two),
-- then FOR UPDATE on the rows read. Being VOLATILE, each statement inside them takes a fresh
-- snapshot, so what they read after waiting for a lock includes what the holder committed.
--
-- A refusal raises SQLSTATE 'TSINV' with the InventoryError case as message and, for
-- not_allowed, the reason as detail; InventoryStore turns it back into the typed error.
-- Permission bits are Second Life's (Permissions.swift): transfer = 8192, copy = 32768; folder
-- kinds are FolderKind.swift's: 1 the root, 2 Objects.

-- The owner's advisory lock. InventoryStore.lockOwners takes the same one.
CREATE FUNCTION inventory_lock(p_owner UUID) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(upper(p_owner::text), 0));
END
$$;

-- Locks the owner and returns the root folder, or NULL when the owner has no inventory.
CREATE FUNCTION inventory_lock_owner(p_owner UUID) RETURNS UUID
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_root UUID;
BEGIN
    PERFORM inventory_lock(p_owner);
    SELECT id INTO v_root FROM inventory_folders WHERE owner_id = p_owner AND kind = 1;
    RETURN v_root;
END
$$;

-- Raises a refusal (see above).
CREATE FUNCTION inventory_refuse(p_case TEXT, p_reason TEXT DEFAULT NULL) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'TSINV', MESSAGE = p_case, DETAIL = coalesce(p_reason, '');
END
$$;

-- The owner's item, locked FOR UPDATE; refuses not_owner or unknown_item. The caller holds
-- the owner's lock.
CREATE FUNCTION inventory_lock_item(p_item UUID, p_owner UUID) RETURNS inventory_items
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_item inventory_items;
BEGIN
    SELECT * INTO v_item FROM inventory_items WHERE id = p_item AND owner_id = p_owner FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM inventory_items WHERE id = p_item) THEN
            PERFORM inventory_refuse('not_owner');
        END IF;
        PERFORM inventory_refuse('unknown_item');
    END IF;
    RETURN v_item;
END
$$;

-- InventoryStore.give: the item moves (no copy) or is copied (as p_given) to the recipient's
-- root, with the masks cut by the next-owner mask.
CREATE FUNCTION inventory_give(p_item UUID, p_giver UUID, p_recipient UUID, p_given UUID) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_destination UUID;
    v_item inventory_items;
    v_next INTEGER;
BEGIN
    -- Both locks in the order of the upper-case UUID text, as InventoryStore.lockOwners.
    IF upper(p_giver::text) COLLATE "C" < upper(p_recipient::text) COLLATE "C" THEN
        PERFORM inventory_lock(p_giver);
        PERFORM inventory_lock(p_recipient);
    ELSE
        PERFORM inventory_lock(p_recipient);
        PERFORM inventory_lock(p_giver);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM inventory_folders WHERE owner_id = p_giver AND kind = 1) THEN
        PERFORM inventory_refuse('unknown_account');
    END IF;
    SELECT id INTO v_destination FROM inventory_folders WHERE owner_id = p_recipient AND kind = 1;
    IF v_destination IS NULL THEN
        PERFORM inventory_refuse('unknown_account');
    END IF;
    v_item := inventory_lock_item(p_item, p_giver);
    IF v_item.owner_mask & 8192 = 0 THEN
        PERFORM inventory_refuse('not_allowed', 'the item is not transferable');
    END IF;
    IF v_item.owner_mask & 32768 = 0 THEN
        DELETE FROM inventory_items WHERE id = p_item;
    END IF;
    v_next := v_item.next_owner_mask;
    INSERT INTO inventory_items (id, owner_id, folder_id, asset_id, asset_type, name, creator_id,
        base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
    VALUES (p_given, p_recipient, v_destination, v_item.asset_id, v_item.asset_type, v_item.name, v_item.creator_id,
        v_item.base_mask & v_next, v_item.owner_mask & v_next, v_item.group_mask & v_next,
        v_item.everyone_mask & v_next, v_next);
END
$$;

-- InventoryStore.rez: scene object p_object from the item; a no-copy item leaves the inventory.
CREATE FUNCTION inventory_rez(p_item UUID, p_owner UUID, p_region UUID, p_object UUID, p_position REAL[]) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_item inventory_items;
BEGIN
    IF inventory_lock_owner(p_owner) IS NULL THEN
        PERFORM inventory_refuse('unknown_account');
    END IF;
    v_item := inventory_lock_item(p_item, p_owner);
    IF NOT EXISTS (SELECT 1 FROM regions WHERE id = p_region) THEN
        PERFORM inventory_refuse('unknown_region');
    END IF;
    INSERT INTO scene_objects (id, region_id, owner_id, creator_id, asset_id, name, shape, position, rotation, scale,
        base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
    VALUES (p_object, p_region, p_owner, v_item.creator_id, v_item.asset_id, v_item.name, 1,
        p_position, '{0,0,0,1}', '{1,1,1}', v_item.base_mask, v_item.owner_mask, v_item.group_mask,
        v_item.everyone_mask, v_item.next_owner_mask);
    IF v_item.owner_mask & 32768 = 0 THEN
        DELETE FROM inventory_items WHERE id = p_item;
    END IF;
END
$$;

-- InventoryStore.take: the owner's scene object becomes item p_item (of type p_type) in the
-- owner's Objects folder.
CREATE FUNCTION inventory_take(p_object UUID, p_owner UUID, p_item UUID, p_type SMALLINT) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_object scene_objects;
    v_folder UUID;
BEGIN
    IF inventory_lock_owner(p_owner) IS NULL THEN
        PERFORM inventory_refuse('unknown_account');
    END IF;
    SELECT * INTO v_object FROM scene_objects WHERE id = p_object AND owner_id = p_owner FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM scene_objects WHERE id = p_object) THEN
            PERFORM inventory_refuse('not_owner');
        END IF;
        PERFORM inventory_refuse('unknown_object');
    END IF;
    IF v_object.asset_id IS NULL THEN
        PERFORM inventory_refuse('not_allowed', 'the object has no stored asset');
    END IF;
    SELECT id INTO v_folder FROM inventory_folders WHERE owner_id = p_owner AND kind = 2;
    IF v_folder IS NULL THEN
        PERFORM inventory_refuse('unknown_folder');
    END IF;
    DELETE FROM scene_objects WHERE id = p_object;
    INSERT INTO inventory_items (id, owner_id, folder_id, asset_id, asset_type, name, creator_id,
        base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
    VALUES (p_item, p_owner, v_folder, v_object.asset_id, p_type, v_object.name, v_object.creator_id,
        v_object.base_mask, v_object.owner_mask, v_object.group_mask, v_object.everyone_mask, v_object.next_owner_mask);
END
$$;
