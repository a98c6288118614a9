-- Accounts signed in on phones. Usernames are stored without '@', as typed; matched case-insensitively.
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    username   TEXT    NOT NULL,
    serial     TEXT    NOT NULL,
    app        TEXT    NOT NULL DEFAULT 'tiktok',
    package    TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_unique ON accounts (lower(username), app);
CREATE INDEX accounts_serial ON accounts (serial);
