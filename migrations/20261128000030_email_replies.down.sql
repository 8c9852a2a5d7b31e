DROP TABLE IF EXISTS email_replies;
