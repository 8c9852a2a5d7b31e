-- The confirmation dates written by the up migration stay: they are true of those accounts.
DROP TABLE account_tokens;
