-- The region registry: which region node serves which grid position.

CREATE TABLE regions (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 63),
    grid_x        INTEGER NOT NULL CHECK (grid_x BETWEEN 0 AND 1000000),
    grid_y        INTEGER NOT NULL CHECK (grid_y BETWEEN 0 AND 1000000),
    -- host:port of the region node's Tessera wire listener.
    address       TEXT NOT NULL,
    node_name     TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Refreshed by the node while it runs; a row whose heartbeat is stale may be taken over.
    heartbeat_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (grid_x, grid_y)
);
