DROP INDEX idx_campaign_questions_waiting;
ALTER TABLE campaign_questions DROP COLUMN reminded_at;
DROP TABLE question_deliveries;
DROP TABLE question_schedules;
