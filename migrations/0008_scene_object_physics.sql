-- Physical objects stay physical across a region's restart: the flags a client set when it
-- created the object (moved by physics; its collisions reported).

ALTER TABLE scene_objects
    ADD COLUMN physical BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN reports_collisions BOOLEAN NOT NULL DEFAULT false;
