-- A signed-in request read its session, then its user: two statements before any page's
-- own. The app now keeps its sessions itself (server::db::sessions) with the user's id in a
-- column beside the encoded session, so one statement reads both. The table was made by
-- tower-sessions-sqlx-store at start-up until now; a fresh database gets it here. Sessions
-- saved before this (user_id NULL) still work: their user is read on its own until the
-- session is next saved.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id TEXT PRIMARY KEY NOT NULL,
    data BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
ALTER TABLE tower_sessions.session ADD COLUMN IF NOT EXISTS user_id UUID;
-- Only the server's own role (the owner) reads sessions; no policy lets a member's or a
-- storyteller's role see one, should they ever be granted the schema.
ALTER TABLE tower_sessions.session ENABLE ROW LEVEL SECURITY;
