DROP TRIGGER update_story_word_count_trigger ON stories;
DROP FUNCTION update_story_word_count();
REVOKE ALL ON campaign_stats FROM authenticated;
DROP VIEW campaign_stats;
