-- Administration: an admin role on accounts, bearer tokens for the REST console (only their
-- SHA-256 stored, expiring and revocable), and an audit trail of every admin action.

ALTER TABLE accounts
    ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE admin_tokens (
    id           UUID PRIMARY KEY,
    account_id   UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash   BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    label        TEXT NOT NULL DEFAULT '' CHECK (char_length(label) <= 100),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    CHECK (expires_at > created_at)
);
CREATE INDEX admin_tokens_account ON admin_tokens (account_id);

-- Append-only: who did what, when, with what result. Rows outlive the token and the account.
CREATE TABLE admin_audit (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    account_id UUID REFERENCES accounts (id) ON DELETE SET NULL,
    actor      TEXT NOT NULL,
    token_id   UUID REFERENCES admin_tokens (id) ON DELETE SET NULL,
    action     TEXT NOT NULL CHECK (char_length(action) BETWEEN 1 AND 100),
    target     TEXT NOT NULL DEFAULT '' CHECK (char_length(target) <= 200),
    result     TEXT NOT NULL CHECK (char_length(result) BETWEEN 1 AND 200),
    detail     TEXT NOT NULL DEFAULT '' CHECK (char_length(detail) <= 2000)
);
CREATE INDEX admin_audit_at ON admin_audit (at DESC, id DESC);
