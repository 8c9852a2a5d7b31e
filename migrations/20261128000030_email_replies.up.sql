-- Answers that arrive by email (#18): one row per message whose signed reply key named a
-- sent question. The same message delivered twice makes one answer (unique per campaign),
-- and mail from someone who may not answer is held here for the family to publish or
-- discard: never dropped, never published unseen. The server writes the rows (it checked
-- the key's signature); members who manage the questions read them and decide held ones.
CREATE TABLE email_replies (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    question_id UUID REFERENCES campaign_questions(id) ON DELETE SET NULL,
    story_id UUID REFERENCES stories(id) ON DELETE SET NULL,
    -- The Message-ID, or a hash of the whole message when it has none.
    message_key TEXT NOT NULL CHECK (length(message_key) BETWEEN 1 AND 1000),
    sender TEXT NOT NULL DEFAULT '' CHECK (length(sender) <= 320),
    sender_name TEXT CHECK (length(sender_name) <= 200),
    subject TEXT NOT NULL DEFAULT '' CHECK (length(subject) <= 1000),
    body TEXT NOT NULL DEFAULT '',
    -- Attachments that could not be used, in words for the family.
    notes TEXT[] NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('answered', 'added', 'held', 'published', 'discarded')),
    -- Where the message itself is stored while it is held; cleared once decided.
    raw_key TEXT,
    received_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    decided_at TIMESTAMPTZ,
    decided_by UUID REFERENCES auth.users(id) ON DELETE SET NULL,
    CONSTRAINT email_replies_once UNIQUE (campaign_id, message_key)
);
CREATE INDEX idx_email_replies_question ON email_replies (question_id);
CREATE INDEX idx_email_replies_story ON email_replies (story_id);
CREATE INDEX idx_email_replies_decided_by ON email_replies (decided_by);
CREATE INDEX idx_email_replies_held ON email_replies (campaign_id, received_at) WHERE status = 'held';
ALTER TABLE email_replies ENABLE ROW LEVEL SECURITY;
CREATE POLICY email_replies_select ON email_replies FOR SELECT
    USING (has_campaign_permission(campaign_id, 'can_manage_questions'));
CREATE POLICY email_replies_update ON email_replies FOR UPDATE
    USING (has_campaign_permission(campaign_id, 'can_manage_questions') AND status = 'held')
    WITH CHECK (has_campaign_permission(campaign_id, 'can_manage_questions') AND status IN ('published', 'discarded'));
GRANT SELECT ON email_replies TO authenticated;
GRANT UPDATE (status, raw_key, story_id, decided_at, decided_by) ON email_replies TO authenticated;
