CREATE OR REPLACE VIEW campaign_stats WITH (security_invoker = true) AS
SELECT
    c.id,
    c.title,
    c.goal_stories,
    COUNT(s.id) AS story_count,
    COALESCE(SUM(s.word_count), 0)::bigint AS total_words,
    COALESCE(ROUND((COUNT(s.id)::float / NULLIF(c.goal_stories, 0)) * 100), 0) AS completion_percentage,
    MAX(s.updated_at) AS latest_story_date
FROM campaigns c
LEFT JOIN stories s ON c.id = s.campaign_id
GROUP BY c.id, c.title, c.goal_stories;

DROP TRIGGER campaign_story_totals_delete ON stories;
DROP TRIGGER campaign_story_totals_update ON stories;
DROP TRIGGER campaign_story_totals_insert ON stories;
DROP FUNCTION campaign_story_totals_apply();
DROP TABLE campaign_story_totals;
