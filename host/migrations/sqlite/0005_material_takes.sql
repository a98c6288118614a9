-- A library file is taken by the task that picked it, so two tasks running at once never post the
-- same file; a take by a task that is no longer running lapses (see Store::take_materials).
ALTER TABLE materials ADD COLUMN taken_by INTEGER;
