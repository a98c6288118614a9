-- The material library (uploaded media with tags) and every host file a task has posted.
CREATE TABLE materials (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    path          TEXT    NOT NULL UNIQUE,
    original_name TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    tags          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    used_at       INTEGER
);

CREATE TABLE used_paths (
    path    TEXT    PRIMARY KEY,
    task_id INTEGER NOT NULL,
    used_at INTEGER NOT NULL
);
