-- Device groups: named sets of phones (by serial) that tasks and bulk actions can target; a phone
-- may be in several groups. Names are unique case-insensitively.
CREATE TABLE device_groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX device_groups_name ON device_groups (lower(name));
CREATE TABLE device_group_members (
    group_id INTEGER NOT NULL REFERENCES device_groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    serial   TEXT    NOT NULL,
    PRIMARY KEY (group_id, serial)
);
