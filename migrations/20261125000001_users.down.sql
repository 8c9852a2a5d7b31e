REVOKE ALL ON users FROM authenticated;
DROP TABLE users;
REVOKE USAGE ON SCHEMA public FROM authenticated;
DROP FUNCTION auth.uid();
DROP TABLE auth.users;
DROP SCHEMA auth;
-- The role itself is cluster-wide and may serve other databases: it is left in place.
