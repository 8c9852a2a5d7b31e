-- "Download my data": one row per export a person asked for. The server builds the ZIP in a
-- background job and writes progress here; the person reads only their own rows. The file
-- is kept for seven days (expires_at), then removed with its row's key cleared.
CREATE TABLE data_exports (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired')),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    storage_key TEXT CHECK (length(storage_key) <= 500),
    size_bytes BIGINT CHECK (size_bytes >= 0),
    error TEXT CHECK (length(error) <= 500),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    CHECK ((status = 'ready') = (storage_key IS NOT NULL))
);
CREATE INDEX idx_data_exports_user ON data_exports(user_id, created_at DESC);
CREATE INDEX idx_data_exports_expiry ON data_exports(expires_at) WHERE status = 'ready';

ALTER TABLE data_exports ENABLE ROW LEVEL SECURITY;
-- Written only by the server (the request and the job); members read their own.
CREATE POLICY data_exports_select_own ON data_exports FOR SELECT TO authenticated USING (user_id = auth.uid());
GRANT SELECT ON data_exports TO authenticated;
