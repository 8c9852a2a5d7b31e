-- Getting back in and changing the address: a password reset link and a one-time sign-in
-- link emailed to the account's address, and a link to a new address that moves the account
-- there. They live beside the sign-up links in account_tokens (server-only, only the token's
-- SHA-256 stored); using a reset or sign-in link proves the address.
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('confirm_email', 'reset_password', 'sign_in', 'change_email'));
ALTER TABLE account_tokens ADD COLUMN new_email TEXT CHECK (length(new_email) <= 320);
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_change_has_address
    CHECK ((purpose = 'change_email') = (new_email IS NOT NULL));

-- A member edits their own name, picture and choices; the address (it must be proven) and
-- the subscription (the operator's) are changed only by the server.
REVOKE UPDATE ON users FROM authenticated;
GRANT UPDATE (name, avatar_url, preferences, updated_at) ON users TO authenticated;
