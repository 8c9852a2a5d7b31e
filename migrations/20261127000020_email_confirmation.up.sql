-- Sign-up answers the same whether or not the address has an account: it never logs in, it
-- emails a link. A new account is confirmed (and logged in) from that link; an address with
-- an account is told so by email instead. Accounts made before this were made under the
-- old rules, without a link, and stay usable.
UPDATE auth.users SET email_confirmed_at = created_at WHERE email_confirmed_at IS NULL;

-- Single-use links emailed to an account's address; only the token's SHA-256 is stored.
-- A sign-up link carries the password typed with it, applied when the link is used, so
-- someone who signed up first with another person's address (and never confirmed it) gains
-- nothing when that person signs up and confirms. Server-only: RLS on, no policy, no grant.
CREATE TABLE account_tokens (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('confirm_email')),
    token_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    password_hash TEXT,
    next TEXT NOT NULL DEFAULT '/dashboard' CHECK (length(next) <= 2000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX idx_account_tokens_user ON account_tokens (user_id);
CREATE INDEX idx_account_tokens_expires ON account_tokens (expires_at);
ALTER TABLE account_tokens ENABLE ROW LEVEL SECURITY;
