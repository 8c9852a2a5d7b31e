DROP POLICY photos_delete ON photos;
DROP POLICY photos_update ON photos;
DROP POLICY photos_insert ON photos;
DROP POLICY photos_select ON photos;
ALTER TABLE photos DISABLE ROW LEVEL SECURITY;

DROP POLICY book_orders_insert ON book_orders;
DROP POLICY book_orders_select ON book_orders;
ALTER TABLE book_orders DISABLE ROW LEVEL SECURITY;

DROP POLICY books_delete ON books;
DROP POLICY books_update ON books;
DROP POLICY books_insert ON books;
DROP POLICY books_select ON books;
ALTER TABLE books DISABLE ROW LEVEL SECURITY;

DROP POLICY family_members_delete ON family_members;
DROP POLICY family_members_update ON family_members;
DROP POLICY family_members_insert ON family_members;
DROP POLICY family_members_select ON family_members;
ALTER TABLE family_members DISABLE ROW LEVEL SECURITY;

DROP POLICY stories_delete ON stories;
DROP POLICY stories_update ON stories;
DROP POLICY stories_insert ON stories;
DROP POLICY stories_select ON stories;
ALTER TABLE stories DISABLE ROW LEVEL SECURITY;

DROP POLICY campaigns_delete ON campaigns;
DROP POLICY campaigns_update ON campaigns;
DROP POLICY campaigns_insert ON campaigns;
DROP POLICY campaigns_select ON campaigns;
ALTER TABLE campaigns DISABLE ROW LEVEL SECURITY;

DROP POLICY users_delete ON users;
DROP POLICY users_update ON users;
DROP POLICY users_insert ON users;
DROP POLICY users_select ON users;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;

DROP FUNCTION shares_campaign_with(UUID);
DROP FUNCTION has_campaign_role(UUID, TEXT);
DROP FUNCTION campaign_role(UUID);
DROP FUNCTION role_rank(TEXT);
