DROP TABLE rate_limit_hits;
DROP TABLE server_secrets;
