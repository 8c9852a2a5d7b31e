-- Getting back in: a password reset link and a one-time sign-in link, emailed to the
-- account's address. They live beside the sign-up links in account_tokens (server-only, only
-- the token's SHA-256 stored) and, like them, using one proves the address.
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('confirm_email', 'reset_password', 'sign_in'));
