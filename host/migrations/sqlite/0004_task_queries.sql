-- Task queries that stay fast at a million tasks (see BENCHMARKS.md, figures 2 and 7).

-- The task list, newest first, filtered by status or by phone: walk the index in id order.
CREATE INDEX tasks_status_id ON tasks (status, id);
CREATE INDEX tasks_serial_id ON tasks (serial, id);

-- The dispatcher's "which pending tasks are due" and "when is the next one due": only pending
-- tasks, by start time, so tasks scheduled far ahead are not scanned on every dispatch.
CREATE INDEX tasks_pending_start ON tasks (start_at) WHERE status = 0;

-- How many tasks match a list filter, without counting rows: one row per combination of the
-- filterable columns, kept exact by triggers. A COUNT(*) over 800,000 matching tasks takes ~20 ms.
CREATE TABLE task_counts (
    status      INTEGER NOT NULL,
    serial      TEXT    NOT NULL,
    script_name TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (status, serial, script_name, source)
) WITHOUT ROWID;

INSERT INTO task_counts (status, serial, script_name, source, n)
    SELECT status, serial, script_name, source, COUNT(*) FROM tasks
    GROUP BY status, serial, script_name, source;

CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (status, serial, script_name, source, n)
        VALUES (NEW.status, NEW.serial, NEW.script_name, NEW.source, 1)
        ON CONFLICT (status, serial, script_name, source) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1
        WHERE status = OLD.status AND serial = OLD.serial
          AND script_name = OLD.script_name AND source = OLD.source;
END;

CREATE TRIGGER task_counts_update AFTER UPDATE OF status, serial, script_name, source ON tasks
    WHEN OLD.status IS NOT NEW.status OR OLD.serial IS NOT NEW.serial
      OR OLD.script_name IS NOT NEW.script_name OR OLD.source IS NOT NEW.source
BEGIN
    UPDATE task_counts SET n = n - 1
        WHERE status = OLD.status AND serial = OLD.serial
          AND script_name = OLD.script_name AND source = OLD.source;
    INSERT INTO task_counts (status, serial, script_name, source, n)
        VALUES (NEW.status, NEW.serial, NEW.script_name, NEW.source, 1)
        ON CONFLICT (status, serial, script_name, source) DO UPDATE SET n = n + 1;
END;
