-- Assets, content-addressed: the id is the SHA-256 of the data, so equal data is stored once.

CREATE TABLE assets (
    id          BYTEA PRIMARY KEY CHECK (octet_length(id) = 32),
    asset_type  SMALLINT NOT NULL,
    name        TEXT NOT NULL CHECK (char_length(name) <= 63),
    creator_id  UUID REFERENCES accounts (id) ON DELETE SET NULL,
    data        BYTEA NOT NULL,
    size        INTEGER NOT NULL CHECK (size = octet_length(data)),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_access TIMESTAMPTZ NOT NULL DEFAULT now()
);
