-- Tasks, their log lines. Times are unix milliseconds (UTC).
CREATE TABLE tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    serial           TEXT    NOT NULL,
    username         TEXT,
    script_name      TEXT    NOT NULL,
    script_config    TEXT    NOT NULL,
    status           INTEGER NOT NULL DEFAULT 0,
    source           TEXT    NOT NULL DEFAULT 'api',
    start_at         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    retry_count      INTEGER NOT NULL DEFAULT 0,
    progress_percent INTEGER,
    progress_message TEXT,
    error            TEXT,
    result           TEXT
);
-- The dispatcher's question: each phone's next pending task by (start_at, id).
CREATE INDEX tasks_due ON tasks (status, serial, start_at, id);

CREATE TABLE task_logs (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    level   TEXT    NOT NULL,
    message TEXT    NOT NULL
);
CREATE INDEX task_logs_task ON task_logs (task_id, id);
