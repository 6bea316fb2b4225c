-- A second password verifier per account, for Second Life viewers: they never send the
-- password, only "$1$" followed by the lowercase hex MD5 of it. That MD5 is as good as the
-- password for logging in through a viewer, so it is never stored as is: it goes through the
-- same slow KDF, with the same parameters, as the password itself, with a salt of its own.
-- Both verifiers are written by the one statement that sets a password. Accounts made before
-- this migration have none (NULL) until their next password login or password change; accounts
-- without a password (operator tools' bots) never have one.

ALTER TABLE accounts
    ADD COLUMN viewer_password_hash BYTEA,
    ADD COLUMN viewer_password_salt BYTEA CHECK (octet_length(viewer_password_salt) >= 16),
    -- Algorithm and parameters of viewer_password_hash, as password_kdf.
    ADD COLUMN viewer_password_kdf  TEXT,
    ADD CONSTRAINT accounts_viewer_password_whole CHECK (
        (viewer_password_hash IS NULL) = (viewer_password_salt IS NULL)
        AND (viewer_password_hash IS NULL) = (viewer_password_kdf IS NULL));
