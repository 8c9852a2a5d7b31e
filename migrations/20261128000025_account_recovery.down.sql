DELETE FROM account_tokens WHERE purpose IN ('reset_password', 'sign_in');
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('confirm_email'));
