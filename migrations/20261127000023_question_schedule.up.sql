-- A question a week: the day and time in the storyteller's own time zone (IANA name), or
-- paused; and a gentle reminder some days after an unanswered question (NULL: none).
-- next_send_at is the next slot in UTC, worked out by the app (server::schedule), which
-- knows the time zone rules.
CREATE TABLE question_schedules (
    campaign_id UUID PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
    weekday SMALLINT NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 is Monday
    send_time TIME NOT NULL,
    time_zone TEXT NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    paused BOOLEAN NOT NULL DEFAULT false,
    reminder_days SMALLINT DEFAULT 4 CHECK (reminder_days BETWEEN 1 AND 14),
    next_send_at TIMESTAMPTZ,
    updated_by UUID REFERENCES auth.users(id) ON DELETE SET NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_question_schedules_due ON question_schedules (next_send_at) WHERE NOT paused;
CREATE INDEX idx_question_schedules_updated_by ON question_schedules (updated_by);
ALTER TABLE question_schedules ENABLE ROW LEVEL SECURITY;
CREATE POLICY question_schedules_select ON question_schedules FOR SELECT TO authenticated
    USING (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer'))));
CREATE POLICY question_schedules_insert ON question_schedules FOR INSERT TO authenticated
    WITH CHECK (has_campaign_permission(campaign_id, 'can_manage_questions') AND updated_by = auth.uid());
CREATE POLICY question_schedules_update ON question_schedules FOR UPDATE TO authenticated
    USING (has_campaign_permission(campaign_id, 'can_manage_questions'))
    WITH CHECK (has_campaign_permission(campaign_id, 'can_manage_questions') AND updated_by = auth.uid());
GRANT SELECT, INSERT, UPDATE ON question_schedules TO authenticated;

-- One row per weekly slot that was handled, written by the scheduler (the server's role)
-- in the transaction that sends the question: two scheduler loops, on two instances or one,
-- cannot both send for the same slot (the primary key, not luck). question_id is NULL when
-- the queue was empty at that slot.
CREATE TABLE question_deliveries (
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    slot_at TIMESTAMPTZ NOT NULL,
    question_id UUID REFERENCES campaign_questions(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (campaign_id, slot_at)
);
CREATE INDEX idx_question_deliveries_question ON question_deliveries (question_id);
ALTER TABLE question_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY question_deliveries_select ON question_deliveries FOR SELECT TO authenticated
    USING (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer'))));
GRANT SELECT ON question_deliveries TO authenticated;

-- At most one reminder per question: set in the statement that queues it.
ALTER TABLE campaign_questions ADD COLUMN reminded_at TIMESTAMPTZ;
CREATE INDEX idx_campaign_questions_waiting ON campaign_questions (sent_at) WHERE status = 'sent' AND reminded_at IS NULL;
