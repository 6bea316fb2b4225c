-- Accounts, login sessions and failed-login records.

CREATE TABLE accounts (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 63 AND name = btrim(name)),
    -- Case-insensitive uniqueness: "Ada" and "ada" are the same avatar.
    name_key      TEXT NOT NULL UNIQUE GENERATED ALWAYS AS (lower(name)) STORED,
    password_hash BYTEA NOT NULL,
    password_salt BYTEA NOT NULL CHECK (octet_length(password_salt) >= 16),
    -- Algorithm and parameters of password_hash, e.g. 'scrypt:16384:8:1'.
    password_kdf  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A session token is given to the client once; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash  BYTEA PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    account_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ,
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Failed logins, counted per account name and per client address over a sliding window.
CREATE TABLE login_failures (
    subject   TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_subject ON login_failures (subject, failed_at);
