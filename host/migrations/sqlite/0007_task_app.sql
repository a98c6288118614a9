-- The app a task drives (tiktok, instagram): its account's app, else its script_config.app, else the
-- server's --default-app. Tasks from before apps existed drove TikTok.
ALTER TABLE tasks ADD COLUMN app TEXT NOT NULL DEFAULT 'tiktok';
