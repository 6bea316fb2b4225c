-- Objects have contents (scripts and objects they can rez) and a look (colour, floating text).
-- Contents move with their object: a take re-keys them to the new inventory item, a rez to the
-- new scene object (copied with new item ids when the item is copyable), a give to the given
-- item. A taken object's form (shape, rotation, scale, flags, look) stays with its item, so a
-- rez makes it again instead of a 1 m box.

-- The look as columns, like position and rotation: defaults make every existing row plain
-- without rewriting it, the checks keep them storable, and SQL tools can read them.
ALTER TABLE scene_objects
    ADD COLUMN color               REAL[] NOT NULL DEFAULT '{1,1,1,1}' CHECK (array_length(color, 1) = 4),
    ADD COLUMN floating_text       TEXT NOT NULL DEFAULT '' CHECK (octet_length(floating_text) <= 254),
    ADD COLUMN floating_text_color REAL[] NOT NULL DEFAULT '{1,1,1,1}' CHECK (array_length(floating_text_color, 1) = 4);

-- What an object item rezzes as (one row per item made by a take, or given from one).
CREATE TABLE inventory_item_objects (
    item_id             UUID PRIMARY KEY REFERENCES inventory_items (id) ON DELETE CASCADE,
    shape               SMALLINT NOT NULL,
    rotation            REAL[] NOT NULL CHECK (array_length(rotation, 1) = 4),
    scale               REAL[] NOT NULL CHECK (array_length(scale, 1) = 3),
    physical            BOOLEAN NOT NULL,
    reports_collisions  BOOLEAN NOT NULL,
    color               REAL[] NOT NULL CHECK (array_length(color, 1) = 4),
    floating_text       TEXT NOT NULL CHECK (octet_length(floating_text) <= 254),
    floating_text_color REAL[] NOT NULL CHECK (array_length(floating_text_color, 1) = 4)
);

-- An object's contents. The holder is a scene object or, once taken, an inventory item:
-- exactly one of object_id and item_id is set, and each cascades, so contents never outlive
-- their holder. Scripts name their LSL source asset (the source itself is never copied here)
-- and carry the script service's latest checkpoint; object items carry their encoded template.
CREATE TABLE object_contents (
    object_id UUID REFERENCES scene_objects (id) ON DELETE CASCADE,
    item_id   UUID REFERENCES inventory_items (id) ON DELETE CASCADE,
    holder    UUID NOT NULL GENERATED ALWAYS AS (coalesce(object_id, item_id)) STORED,
    id        UUID NOT NULL,
    -- The item's place in its holder's list (ContentItem.maxItems = 16).
    ordering  SMALLINT NOT NULL CHECK (ordering BETWEEN 0 AND 15),
    name      TEXT NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 63),
    -- ContentKind: 1 script, 2 object.
    kind      SMALLINT NOT NULL CHECK (kind IN (1, 2)),
    asset_id  BYTEA REFERENCES assets (id),
    running   BOOLEAN NOT NULL,
    state     BYTEA CHECK (octet_length(state) <= 131072),
    template  BYTEA CHECK (octet_length(template) <= 4194304),
    CHECK ((object_id IS NULL) <> (item_id IS NULL)),
    CHECK (kind <> 1 OR (asset_id IS NOT NULL AND template IS NULL)),
    CHECK (kind <> 2 OR (template IS NOT NULL AND state IS NULL)),
    PRIMARY KEY (holder, id),
    UNIQUE (holder, name),
    UNIQUE (holder, ordering)
);
CREATE INDEX object_contents_object ON object_contents (object_id);
CREATE INDEX object_contents_item ON object_contents (item_id);

-- InventoryStore.give, as in 0007, with the item's form and contents: they move with a no-copy
-- item and are copied (contents with new item ids, script states kept) with a copyable one.
CREATE OR REPLACE FUNCTION inventory_give(p_item UUID, p_giver UUID, p_recipient UUID, p_given UUID) RETURNS VOID
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
    v_next := v_item.next_owner_mask;
    INSERT INTO inventory_items (id, owner_id, folder_id, asset_id, asset_type, name, creator_id,
        base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
    VALUES (p_given, p_recipient, v_destination, v_item.asset_id, v_item.asset_type, v_item.name, v_item.creator_id,
        v_item.base_mask & v_next, v_item.owner_mask & v_next, v_item.group_mask & v_next,
        v_item.everyone_mask & v_next, v_next);
    INSERT INTO inventory_item_objects (item_id, shape, rotation, scale, physical, reports_collisions,
        color, floating_text, floating_text_color)
    SELECT p_given, shape, rotation, scale, physical, reports_collisions, color, floating_text, floating_text_color
    FROM inventory_item_objects WHERE item_id = p_item;
    IF v_item.owner_mask & 32768 = 0 THEN
        UPDATE object_contents SET item_id = p_given WHERE item_id = p_item;
        DELETE FROM inventory_items WHERE id = p_item;
    ELSE
        INSERT INTO object_contents (item_id, id, ordering, name, kind, asset_id, running, state, template)
        SELECT p_given, gen_random_uuid(), ordering, name, kind, asset_id, running, state, template
        FROM object_contents WHERE item_id = p_item;
    END IF;
END
$$;

-- InventoryStore.rez: scene object p_object from the item, in the form the item keeps (a 1 m
-- box named after the item when it keeps none), with the item's contents: moved from a no-copy
-- item (which leaves the inventory), copied with new item ids from a copyable one (script
-- states are copied too: each copy resumes where the taken object was).
CREATE OR REPLACE FUNCTION inventory_rez(p_item UUID, p_owner UUID, p_region UUID, p_object UUID, p_position REAL[]) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_item inventory_items;
    v_form inventory_item_objects;
BEGIN
    IF inventory_lock_owner(p_owner) IS NULL THEN
        PERFORM inventory_refuse('unknown_account');
    END IF;
    v_item := inventory_lock_item(p_item, p_owner);
    IF NOT EXISTS (SELECT 1 FROM regions WHERE id = p_region) THEN
        PERFORM inventory_refuse('unknown_region');
    END IF;
    SELECT * INTO v_form FROM inventory_item_objects WHERE item_id = p_item;
    IF NOT FOUND THEN
        v_form.shape := 1;
        v_form.rotation := '{0,0,0,1}';
        v_form.scale := '{1,1,1}';
        v_form.physical := false;
        v_form.reports_collisions := false;
        v_form.color := '{1,1,1,1}';
        v_form.floating_text := '';
        v_form.floating_text_color := '{1,1,1,1}';
    END IF;
    INSERT INTO scene_objects (id, region_id, owner_id, creator_id, asset_id, name, shape, position, rotation, scale,
        base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask, physical, reports_collisions,
        color, floating_text, floating_text_color)
    VALUES (p_object, p_region, p_owner, v_item.creator_id, v_item.asset_id, v_item.name, v_form.shape,
        p_position, v_form.rotation, v_form.scale, v_item.base_mask, v_item.owner_mask, v_item.group_mask,
        v_item.everyone_mask, v_item.next_owner_mask, v_form.physical, v_form.reports_collisions,
        v_form.color, v_form.floating_text, v_form.floating_text_color);
    IF v_item.owner_mask & 32768 = 0 THEN
        UPDATE object_contents SET item_id = NULL, object_id = p_object WHERE item_id = p_item;
        DELETE FROM inventory_items WHERE id = p_item;
    ELSE
        INSERT INTO object_contents (object_id, id, ordering, name, kind, asset_id, running, state, template)
        SELECT p_object, gen_random_uuid(), ordering, name, kind, asset_id, running, state, template
        FROM object_contents WHERE item_id = p_item;
    END IF;
END
$$;

-- InventoryStore.take: the owner's scene object becomes item p_item (of type p_type) in the
-- owner's Objects folder, keeping its form and its contents (re-keyed to the item).
CREATE OR REPLACE FUNCTION inventory_take(p_object UUID, p_owner UUID, p_item UUID, p_type SMALLINT) RETURNS VOID
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
    INSERT INTO inventory_items (id, owner_id, folder_id, asset_id, asset_type, name, creator_id,
        base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
    VALUES (p_item, p_owner, v_folder, v_object.asset_id, p_type, v_object.name, v_object.creator_id,
        v_object.base_mask, v_object.owner_mask, v_object.group_mask, v_object.everyone_mask, v_object.next_owner_mask);
    INSERT INTO inventory_item_objects (item_id, shape, rotation, scale, physical, reports_collisions,
        color, floating_text, floating_text_color)
    VALUES (p_item, v_object.shape, v_object.rotation, v_object.scale, v_object.physical, v_object.reports_collisions,
        v_object.color, v_object.floating_text, v_object.floating_text_color);
    UPDATE object_contents SET object_id = NULL, item_id = p_item WHERE object_id = p_object;
    DELETE FROM scene_objects WHERE id = p_object;
END
$$;
