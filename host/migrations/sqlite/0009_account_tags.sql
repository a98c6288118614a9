-- TikMatrix's account fields: tags (a JSON array of strings), whether the account is signed in on
-- its phone (logined), and its status (active, or disabled: no tasks are made for it).
ALTER TABLE accounts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN logined INTEGER NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
