DROP TABLE family_members;
