-- campaign_stats aggregated every story of every campaign it showed on each view, so the
-- dashboard's cost grew with the family's stories (300 stories read to draw 5 cards).
-- These totals are kept by statement triggers on stories and read as one row per campaign.
CREATE TABLE campaign_story_totals (
    campaign_id UUID PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
    story_count BIGINT NOT NULL DEFAULT 0,
    total_words BIGINT NOT NULL DEFAULT 0,
    latest_story_date TIMESTAMPTZ
);

ALTER TABLE campaign_story_totals ENABLE ROW LEVEL SECURITY;
CREATE POLICY campaign_story_totals_select ON campaign_story_totals FOR SELECT
    USING (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer'))));
-- Written only by the triggers below (SECURITY DEFINER), never by a member.
GRANT SELECT ON campaign_story_totals TO authenticated;

INSERT INTO campaign_story_totals (campaign_id, story_count, total_words, latest_story_date)
SELECT campaign_id, count(*), coalesce(sum(word_count), 0), max(updated_at)
FROM stories GROUP BY campaign_id;

-- Rows are locked in campaign order, so two statements touching the same campaigns can't
-- deadlock. updated_at only grows (update_story_word_count sets it on every UPDATE), so
-- inserts and updates keep the latest date with GREATEST; a delete, or a story moved out,
-- recomputes it (one index probe) after the row is locked, so it sees every writer that
-- committed before it.
CREATE FUNCTION campaign_story_totals_apply() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO campaign_story_totals AS t (campaign_id, story_count, total_words, latest_story_date)
        SELECT campaign_id, count(*), coalesce(sum(word_count), 0), max(updated_at)
        FROM new_stories
        GROUP BY campaign_id ORDER BY campaign_id
        ON CONFLICT (campaign_id) DO UPDATE
        SET story_count = t.story_count + EXCLUDED.story_count,
            total_words = t.total_words + EXCLUDED.total_words,
            latest_story_date = GREATEST(t.latest_story_date, EXCLUDED.latest_story_date);
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO campaign_story_totals AS t (campaign_id, story_count, total_words, latest_story_date)
        SELECT campaign_id, sum(n), sum(w), max(at)
        FROM (SELECT campaign_id, 1 AS n, coalesce(word_count, 0) AS w, updated_at AS at FROM new_stories
              UNION ALL
              SELECT campaign_id, -1, -coalesce(word_count, 0), NULL FROM old_stories) d
        GROUP BY campaign_id ORDER BY campaign_id
        ON CONFLICT (campaign_id) DO UPDATE
        SET story_count = t.story_count + EXCLUDED.story_count,
            total_words = t.total_words + EXCLUDED.total_words,
            latest_story_date = GREATEST(t.latest_story_date, EXCLUDED.latest_story_date);
        UPDATE campaign_story_totals t
        SET latest_story_date = (SELECT max(s.updated_at) FROM stories s WHERE s.campaign_id = t.campaign_id)
        WHERE t.campaign_id IN (SELECT campaign_id FROM old_stories EXCEPT SELECT campaign_id FROM new_stories);
    ELSE
        -- No upsert here: when a campaign is deleted its totals go first (cascade), and an
        -- insert for it would fail.
        PERFORM 1 FROM campaign_story_totals
        WHERE campaign_id IN (SELECT campaign_id FROM old_stories)
        ORDER BY campaign_id FOR UPDATE;
        UPDATE campaign_story_totals t
        SET story_count = t.story_count - d.n,
            total_words = t.total_words - d.w,
            latest_story_date = (SELECT max(s.updated_at) FROM stories s WHERE s.campaign_id = t.campaign_id)
        FROM (SELECT campaign_id, count(*) AS n, coalesce(sum(word_count), 0) AS w
              FROM old_stories GROUP BY campaign_id) d
        WHERE t.campaign_id = d.campaign_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER campaign_story_totals_insert AFTER INSERT ON stories
    REFERENCING NEW TABLE AS new_stories
    FOR EACH STATEMENT EXECUTE FUNCTION campaign_story_totals_apply();
CREATE TRIGGER campaign_story_totals_update AFTER UPDATE ON stories
    REFERENCING OLD TABLE AS old_stories NEW TABLE AS new_stories
    FOR EACH STATEMENT EXECUTE FUNCTION campaign_story_totals_apply();
CREATE TRIGGER campaign_story_totals_delete AFTER DELETE ON stories
    REFERENCING OLD TABLE AS old_stories
    FOR EACH STATEMENT EXECUTE FUNCTION campaign_story_totals_apply();

-- Same columns, same meaning; the counts now come from the totals.
CREATE OR REPLACE VIEW campaign_stats WITH (security_invoker = true) AS
SELECT
    c.id,
    c.title,
    c.goal_stories,
    coalesce(t.story_count, 0) AS story_count,
    coalesce(t.total_words, 0) AS total_words,
    COALESCE(ROUND((coalesce(t.story_count, 0)::float / NULLIF(c.goal_stories, 0)) * 100), 0) AS completion_percentage,
    t.latest_story_date
FROM campaigns c
LEFT JOIN campaign_story_totals t ON t.campaign_id = c.id;
