-- The key that signs links (unsubscribe, listening QR codes in printed books) lives in the
-- database, so a backup of the database carries it: losing a file can no longer break every
-- printed book's codes. Server-only: RLS on, no policy and no grant for members.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY CHECK (name IN ('link_signing_key')),
    value BYTEA NOT NULL CHECK (octet_length(value) = 32),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
ALTER TABLE server_secrets ENABLE ROW LEVEL SECURITY;

-- Fixed-window counters for rate limits ("5 wrong passwords a minute for this email"),
-- shared by every app instance. Server-only, like server_secrets.
CREATE TABLE rate_limit_hits (
    bucket TEXT NOT NULL CHECK (length(bucket) <= 400),
    window_start TIMESTAMPTZ NOT NULL,
    hits INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX idx_rate_limit_hits_window ON rate_limit_hits (window_start);
ALTER TABLE rate_limit_hits ENABLE ROW LEVEL SECURITY;
