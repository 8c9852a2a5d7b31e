ALTER FUNCTION public.search_story_ids(tsquery, uuid, text, text, real, uuid, integer, integer) ROWS 1000;
