-- Why a failed task failed, in one word clients can branch on (config, device, protection, timeout,
-- crash, stopped, script); NULL for tasks that have not failed and for those failed before it existed.
ALTER TABLE tasks ADD COLUMN error_kind TEXT;
