-- Grid-wide settings an admin changes at run time (the config file holds the rest): whether
-- non-admins may log in, and the message they get while they may not.

CREATE TABLE grid_settings (
    key        TEXT PRIMARY KEY CHECK (char_length(key) BETWEEN 1 AND 100),
    value      TEXT NOT NULL CHECK (char_length(value) <= 1000),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
