-- security_invoker: the view reads the tables as the caller, so RLS applies through it.
-- The seed divided by goal_stories unguarded and summed NULL word counts to NULL.
CREATE VIEW campaign_stats WITH (security_invoker = true) AS
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

GRANT SELECT ON campaign_stats TO authenticated;

-- The seed counted only on UPDATE and split on single spaces (so "a  b" was 3 words and
-- newlines glued words together); this counts runs of non-whitespace on every write.
CREATE FUNCTION update_story_word_count() RETURNS TRIGGER
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.word_count := (SELECT count(*) FROM regexp_matches(coalesce(NEW.content, ''), '\S+', 'g'));
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := NOW();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER update_story_word_count_trigger
BEFORE INSERT OR UPDATE ON stories
FOR EACH ROW
EXECUTE FUNCTION update_story_word_count();
