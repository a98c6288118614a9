-- Hosts (nodes) serving one fleet, the phones each one's adb server lists, and which node runs a
-- task (as the SQLite migration 0011).
CREATE TABLE nodes (
    name        TEXT   PRIMARY KEY,
    started_at  BIGINT NOT NULL,
    -- Until when the node is alive without renewing (unix ms); a node past it is declared lost.
    lease_until BIGINT NOT NULL,
    -- When a surviving node declared it lost and failed its running tasks; NULL while alive.
    lost_at     BIGINT
);
CREATE TABLE devices (
    serial  TEXT   PRIMARY KEY,
    node    TEXT   NOT NULL,
    state   TEXT   NOT NULL,
    model   TEXT,
    seen_at BIGINT NOT NULL
);
CREATE INDEX devices_node ON devices (node);
-- The node that claimed the task to run it.
ALTER TABLE tasks ADD COLUMN node TEXT;
-- The node a task must run on: the one it was created on, when its config names files on that
-- node's disk (host paths). NULL: any node whose adb server lists its phone.
ALTER TABLE tasks ADD COLUMN pinned_node TEXT;
-- One task at a time per phone, whichever node runs it: a second claim for a phone fails here.
CREATE UNIQUE INDEX tasks_one_running_per_phone ON tasks (serial) WHERE status = 1;
