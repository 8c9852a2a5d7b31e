-- The question library (issue 15): questions written for MyStoryFlow, warm and specific, by
-- topic, each with the story category an answer is filed under. Every member may read it;
-- nobody changes it but a migration.
CREATE TABLE prompts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    topic TEXT NOT NULL CHECK (topic IN ('childhood', 'parents', 'school', 'work', 'love', 'children',
                                         'places', 'travel', 'history', 'traditions', 'lessons', 'advice')),
    category TEXT NOT NULL CHECK (length(category) <= 60),
    position INTEGER NOT NULL,
    question TEXT NOT NULL UNIQUE CHECK (length(question) BETWEEN 10 AND 300),
    UNIQUE (topic, position)
);
ALTER TABLE prompts ENABLE ROW LEVEL SECURITY;
CREATE POLICY prompts_select ON prompts FOR SELECT TO authenticated USING (true);
GRANT SELECT ON prompts TO authenticated;

INSERT INTO prompts (topic, category, position, question) VALUES
    ('childhood', 'childhood', 1, 'What did your street sound like on a summer evening when you were ten?'),
    ('childhood', 'childhood', 2, 'Which room of your childhood home do you remember best, and what happened there?'),
    ('childhood', 'childhood', 3, 'What did you and your friends play when no grown-up was watching?'),
    ('childhood', 'childhood', 4, 'What was the best present you were given as a child, and who gave it to you?'),
    ('childhood', 'childhood', 5, 'What were you afraid of as a small child, and who helped you feel safe?'),
    ('childhood', 'childhood', 6, 'Which smell takes you straight back to being a child?'),
    ('childhood', 'childhood', 7, 'Where did you go when you wanted to be alone as a child?'),
    ('childhood', 'childhood', 8, 'What trouble did you get into that still makes you smile?'),
    ('childhood', 'childhood', 9, 'Did you have a pet, or wish you had one? Tell us about it.'),
    ('childhood', 'childhood', 10, 'What did a Saturday morning look like when you were eight?'),
    ('childhood', 'childhood', 11, 'Who was your closest friend growing up, and what became of them?'),
    ('childhood', 'childhood', 12, 'What chores did you have, and which one did you try hardest to avoid?'),
    ('childhood', 'childhood', 13, 'What did you want to be when you grew up, and why?'),
    ('childhood', 'childhood', 14, 'Which book, radio programme or song did you love as a child?'),
    ('childhood', 'childhood', 15, 'What did you do on the first snowy day, or the first hot day, of the year?'),
    ('parents', 'family', 1, 'What is the first thing you remember about your mother?'),
    ('parents', 'family', 2, 'What is the first thing you remember about your father?'),
    ('parents', 'family', 3, 'What did your parents do for work, and what did you understand about it as a child?'),
    ('parents', 'family', 4, 'Which of your grandparents did you know, and what were they like to be with?'),
    ('parents', 'family', 5, 'What did your family argue about at the dinner table?'),
    ('parents', 'family', 6, 'What was a saying your mother or father repeated so often you can still hear it?'),
    ('parents', 'family', 7, 'How did your parents meet, as far as you ever heard the story?'),
    ('parents', 'family', 8, 'What did your parents go without so that you could have something?'),
    ('parents', 'family', 9, 'Which of your parents are you most like, and in what way?'),
    ('parents', 'family', 10, 'What did you learn about your family''s past from an older relative?'),
    ('parents', 'family', 11, 'What were your brothers and sisters like when you were all children together?'),
    ('parents', 'family', 12, 'Which relative always brought something exciting when they visited?'),
    ('parents', 'family', 13, 'What would you like to ask your parents now, if you could?'),
    ('school', 'school', 1, 'What do you remember about your very first day of school?'),
    ('school', 'school', 2, 'Which teacher changed something for you, and how?'),
    ('school', 'school', 3, 'How did you get to school each morning, and what did you pass on the way?'),
    ('school', 'school', 4, 'What did you carry in your school bag, and what was in your lunch?'),
    ('school', 'school', 5, 'Which subject did you love, and which one did you dread?'),
    ('school', 'school', 6, 'What was the playground like, and what games ruled it?'),
    ('school', 'school', 7, 'Were you ever in trouble at school? What happened?'),
    ('school', 'school', 8, 'What did your school smell like, sound like, look like?'),
    ('school', 'school', 9, 'Who sat next to you in class, and did you stay friends?'),
    ('school', 'school', 10, 'What was the hardest exam or test you remember taking?'),
    ('school', 'school', 11, 'What happened on the last day of school, and what came next for you?'),
    ('school', 'school', 12, 'What did you learn outside of school that mattered more than lessons?'),
    ('school', 'school', 13, 'What did you do during the school holidays when you were twelve?'),
    ('work', 'career', 1, 'What was the very first job you were paid for, and what did you do with the money?'),
    ('work', 'career', 2, 'How did you find your first proper job after school or training?'),
    ('work', 'career', 3, 'What did a normal working day look like for you, from the moment you woke up?'),
    ('work', 'career', 4, 'Who was the best boss or colleague you ever had, and why?'),
    ('work', 'career', 5, 'What was the hardest thing you ever had to do at work?'),
    ('work', 'career', 6, 'What skill did you learn on the job that nobody could have taught you in a classroom?'),
    ('work', 'career', 7, 'Which day at work are you proudest of?'),
    ('work', 'career', 8, 'Was there a job you nearly took, or a path you nearly followed? Where might it have led?'),
    ('work', 'career', 9, 'What did you wear to work, and what did you carry with you?'),
    ('work', 'career', 10, 'How did work change over the years you did it?'),
    ('work', 'career', 11, 'What made you laugh at work?'),
    ('work', 'career', 12, 'How did you feel on your last day at a job you had for a long time?'),
    ('work', 'career', 13, 'What would you tell someone starting out in your line of work today?'),
    ('love', 'love', 1, 'How did you meet the love of your life, or someone you loved very much?'),
    ('love', 'love', 2, 'What do you remember about your first date?'),
    ('love', 'love', 3, 'When did you know you were in love?'),
    ('love', 'love', 4, 'What song takes you back to being young and in love?'),
    ('love', 'love', 5, 'Tell us about the day you got married, or another day you promised yourself to someone.'),
    ('love', 'love', 6, 'What did you wear on your wedding day, and who stood beside you?'),
    ('love', 'love', 7, 'What was your first home together like?'),
    ('love', 'love', 8, 'What is a small, everyday thing your partner did that you loved?'),
    ('love', 'love', 9, 'What was a hard time in your marriage or partnership, and how did you get through it?'),
    ('love', 'love', 10, 'What did you argue about, and how did you make up?'),
    ('love', 'love', 11, 'Who was your first crush, and did they ever know?'),
    ('love', 'love', 12, 'What have you learned about love that you wish you had known at twenty?'),
    ('love', 'love', 13, 'What is the kindest thing anyone has ever done for you?'),
    ('children', 'family', 1, 'What do you remember about the day your first child was born?'),
    ('children', 'family', 2, 'How did you choose your children''s names?'),
    ('children', 'family', 3, 'What was a typical bedtime like when your children were small?'),
    ('children', 'family', 4, 'What did your children do that made you laugh the hardest?'),
    ('children', 'family', 5, 'What was the hardest part of raising children in those years?'),
    ('children', 'family', 6, 'What did you do together as a family on weekends?'),
    ('children', 'family', 7, 'Which family holiday do your children still talk about?'),
    ('children', 'family', 8, 'What rules did you have in your house, and which did you break yourself?'),
    ('children', 'family', 9, 'What did you hope for your children when they were small?'),
    ('children', 'family', 10, 'What did your children teach you?'),
    ('children', 'family', 11, 'How did you feel when your children left home?'),
    ('children', 'family', 12, 'What was it like to become a grandparent?'),
    ('children', 'family', 13, 'What did your children call you, and what nicknames did you give them?'),
    ('places', 'other', 1, 'Draw us a picture in words of the house you lived in longest.'),
    ('places', 'other', 2, 'What did you see from your kitchen window in the home you loved most?'),
    ('places', 'other', 3, 'Which neighbours do you still remember, and why?'),
    ('places', 'other', 4, 'What was your town like before it changed?'),
    ('places', 'other', 5, 'Tell us about a move to a new place: what you left, and what you found.'),
    ('places', 'other', 6, 'Where did you do your shopping, and who served you there?'),
    ('places', 'other', 7, 'Which place have you lived that felt most like home?'),
    ('places', 'other', 8, 'What did your garden, yard or balcony grow?'),
    ('places', 'other', 9, 'What were the sounds of the place you lived at night?'),
    ('places', 'other', 10, 'Is there a place you would love to walk through again, just once?'),
    ('places', 'other', 11, 'What did your first home of your own have, and what did it lack?'),
    ('places', 'other', 12, 'How did people in your neighbourhood help each other?'),
    ('places', 'other', 13, 'What did the place you grew up in look like from the highest point nearby?'),
    ('travel', 'travel', 1, 'What was the first long journey you remember taking?'),
    ('travel', 'travel', 2, 'Where did you go on holiday as a child, and how did you get there?'),
    ('travel', 'travel', 3, 'What is the most beautiful place you have ever seen?'),
    ('travel', 'travel', 4, 'Tell us about a trip where everything went wrong.'),
    ('travel', 'travel', 5, 'What was the first time you flew, sailed or took a long train ride like?'),
    ('travel', 'travel', 6, 'Which journey changed how you saw the world?'),
    ('travel', 'travel', 7, 'What did you bring back from a trip that you still have?'),
    ('travel', 'travel', 8, 'Who was the best travelling companion you ever had?'),
    ('travel', 'travel', 9, 'Where did you always want to go but never did?'),
    ('travel', 'travel', 10, 'What food did you taste on a trip that you still think about?'),
    ('travel', 'travel', 11, 'What did a family car trip look like in your day: who sat where, and what did you sing?'),
    ('travel', 'travel', 12, 'Tell us about a stranger who helped you far from home.'),
    ('history', 'history', 1, 'What is the first big news event you remember, and where were you when you heard?'),
    ('history', 'history', 2, 'What things in your home were new and exciting when you were young?'),
    ('history', 'history', 3, 'How did your family get through hard times when money was short?'),
    ('history', 'history', 4, 'What did people do in the evenings before television, or when it first arrived?'),
    ('history', 'history', 5, 'Which invention changed your daily life the most?'),
    ('history', 'history', 6, 'What did something cost when you were young: bread, a cinema ticket, a bus fare?'),
    ('history', 'history', 7, 'How did the world events of your youth touch your own family?'),
    ('history', 'history', 8, 'What was the first election you voted in, and what did it mean to you?'),
    ('history', 'history', 9, 'What changes in the world are you glad you lived to see?'),
    ('history', 'history', 10, 'What did people worry about when you were young that we no longer worry about?'),
    ('history', 'history', 11, 'Tell us about a day when the whole country seemed to stop.'),
    ('history', 'history', 12, 'What has stayed the same, all these years, that you are glad of?'),
    ('history', 'history', 13, 'What did you do, and where were you, on a day that is now in the history books?'),
    ('traditions', 'traditions', 1, 'What did a birthday look like in your family when you were small?'),
    ('traditions', 'traditions', 2, 'Which holiday was the biggest in your house, and how did you celebrate it?'),
    ('traditions', 'traditions', 3, 'What dish did your mother or grandmother make that no one else could get right?'),
    ('traditions', 'traditions', 4, 'Tell us how to make a recipe you love, the way you really make it.'),
    ('traditions', 'traditions', 5, 'What was always on the table for a special meal?'),
    ('traditions', 'traditions', 6, 'Which family tradition did you keep, and which did you let go?'),
    ('traditions', 'traditions', 7, 'What songs did your family sing together?'),
    ('traditions', 'traditions', 8, 'What did Sunday mean in your house?'),
    ('traditions', 'traditions', 9, 'What did you cook for the people you love?'),
    ('traditions', 'traditions', 10, 'Which kitchen tool or dish has been in the family for years?'),
    ('traditions', 'traditions', 11, 'What was a food you hated as a child and love now, or the other way round?'),
    ('traditions', 'traditions', 12, 'What tradition did you start yourself?'),
    ('traditions', 'traditions', 13, 'Who did the cooking in your house, and what was the kitchen like while they did?'),
    ('lessons', 'lessons', 1, 'What is the best advice anyone ever gave you, and who gave it?'),
    ('lessons', 'lessons', 2, 'What is a mistake you made that taught you something important?'),
    ('lessons', 'lessons', 3, 'When were you braver than you thought you could be?'),
    ('lessons', 'lessons', 4, 'What do you believe now that you did not believe when you were young?'),
    ('lessons', 'lessons', 5, 'Who did you look up to, and what did you learn from them?'),
    ('lessons', 'lessons', 6, 'What has given you comfort in hard times?'),
    ('lessons', 'lessons', 7, 'What are you most grateful for?'),
    ('lessons', 'lessons', 8, 'What does a good life mean to you?'),
    ('lessons', 'lessons', 9, 'What did your faith, or the lack of it, mean in your life?'),
    ('lessons', 'lessons', 10, 'When did you forgive someone, and what did it take?'),
    ('lessons', 'lessons', 11, 'What is something you changed your mind about?'),
    ('lessons', 'lessons', 12, 'What are you proudest of, when you look back?'),
    ('lessons', 'lessons', 13, 'What would you do differently if you could live one year again?'),
    ('advice', 'lessons', 1, 'What do you hope your grandchildren will know about you?'),
    ('advice', 'lessons', 2, 'What would you tell your grandchildren about choosing friends?'),
    ('advice', 'lessons', 3, 'What do you wish someone had told you about money when you were young?'),
    ('advice', 'lessons', 4, 'What should every young person learn to cook, fix or make?'),
    ('advice', 'lessons', 5, 'What would you tell a grandchild on the day they leave home?'),
    ('advice', 'lessons', 6, 'What do you want your grandchildren to remember when things are hard?'),
    ('advice', 'lessons', 7, 'What did you learn about work that you would pass on?'),
    ('advice', 'lessons', 8, 'What would you say to a grandchild on their wedding day?'),
    ('advice', 'lessons', 9, 'What small habit has made your life better?'),
    ('advice', 'lessons', 10, 'What story from our family do you never want to be forgotten?'),
    ('advice', 'lessons', 11, 'What makes you laugh, and why should they keep laughing too?'),
    ('advice', 'lessons', 12, 'If you could write one sentence for your great-grandchildren to read, what would it say?');

-- A campaign's questions for its storyteller, in the order they will be asked: from the
-- library (prompt_id) or written by the family, optionally about one of the campaign's
-- photos. Queued until sent; then answered, or skipped (by the family before sending, or by
-- the storyteller after). Members with can_manage_questions (the owner, and contributors the
-- owner allows) change the queue; every member sees it.
CREATE TABLE campaign_questions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    prompt_id UUID REFERENCES prompts(id) ON DELETE SET NULL,
    question TEXT NOT NULL CHECK (length(question) BETWEEN 3 AND 500),
    category TEXT NOT NULL DEFAULT 'other' CHECK (length(category) <= 60),
    photo_id UUID REFERENCES photos(id) ON DELETE SET NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'answered', 'skipped')),
    created_by UUID REFERENCES auth.users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    sent_at TIMESTAMPTZ,
    answered_at TIMESTAMPTZ,
    skipped_at TIMESTAMPTZ,
    story_id UUID REFERENCES stories(id) ON DELETE SET NULL,
    -- Deferred, so that moving a question swaps two positions in one transaction.
    CONSTRAINT campaign_questions_position UNIQUE (campaign_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX idx_campaign_questions_campaign ON campaign_questions (campaign_id, status, position);
CREATE INDEX idx_campaign_questions_prompt ON campaign_questions (prompt_id);
CREATE INDEX idx_campaign_questions_photo ON campaign_questions (photo_id);
CREATE INDEX idx_campaign_questions_created_by ON campaign_questions (created_by);
CREATE INDEX idx_campaign_questions_story ON campaign_questions (story_id);
-- A library question is asked at most once per campaign.
CREATE UNIQUE INDEX campaign_questions_prompt_once ON campaign_questions (campaign_id, prompt_id) WHERE prompt_id IS NOT NULL;
ALTER TABLE campaign_questions ENABLE ROW LEVEL SECURITY;
CREATE POLICY campaign_questions_select ON campaign_questions FOR SELECT
    USING (campaign_id = ANY (ARRAY(SELECT campaigns_with_role('viewer'))));
CREATE POLICY campaign_questions_insert ON campaign_questions FOR INSERT
    WITH CHECK (has_campaign_permission(campaign_id, 'can_manage_questions') AND created_by = auth.uid());
CREATE POLICY campaign_questions_update ON campaign_questions FOR UPDATE
    USING (has_campaign_permission(campaign_id, 'can_manage_questions'))
    WITH CHECK (has_campaign_permission(campaign_id, 'can_manage_questions'));
CREATE POLICY campaign_questions_delete ON campaign_questions FOR DELETE
    USING (has_campaign_permission(campaign_id, 'can_manage_questions'));
GRANT SELECT, INSERT, UPDATE, DELETE ON campaign_questions TO authenticated;

-- campaigns.total_prompts (the questions not skipped) and used_prompts (sent or answered)
-- are kept by the database, whatever changes the queue. As the definer: a contributor who
-- manages questions may not update the campaign row itself.
CREATE FUNCTION count_campaign_questions() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    UPDATE campaigns c
    SET total_prompts = (SELECT count(*) FROM campaign_questions q WHERE q.campaign_id = c.id AND q.status <> 'skipped'),
        used_prompts = (SELECT count(*) FROM campaign_questions q WHERE q.campaign_id = c.id AND q.status IN ('sent', 'answered'))
    WHERE c.id IN (SELECT campaign_id FROM changed);
    RETURN NULL;
END
$$;
CREATE TRIGGER campaign_questions_counted_on_insert AFTER INSERT ON campaign_questions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_campaign_questions();
CREATE TRIGGER campaign_questions_counted_on_update AFTER UPDATE ON campaign_questions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_campaign_questions();
CREATE TRIGGER campaign_questions_counted_on_delete AFTER DELETE ON campaign_questions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_campaign_questions();
