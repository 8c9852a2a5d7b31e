REVOKE UPDATE (name, avatar_url, preferences, updated_at) ON users FROM authenticated;
GRANT UPDATE ON users TO authenticated;
DELETE FROM account_tokens WHERE purpose IN ('reset_password', 'sign_in', 'change_email');
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_change_has_address;
ALTER TABLE account_tokens DROP COLUMN new_email;
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('confirm_email'));
