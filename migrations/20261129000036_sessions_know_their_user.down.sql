ALTER TABLE tower_sessions.session DISABLE ROW LEVEL SECURITY;
ALTER TABLE tower_sessions.session DROP COLUMN user_id;
