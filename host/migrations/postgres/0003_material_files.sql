-- The material library's file contents, so that every node of a fleet can post any library file:
-- the uploading node keeps its copy on disk, the others fetch it from here once into their own
-- data directory (see docs/fleet.md).
CREATE TABLE material_files (
    material_id BIGINT PRIMARY KEY REFERENCES materials (id) ON DELETE CASCADE,
    content     BYTEA  NOT NULL
);
-- The node whose disk holds the uploaded file at `path` (NULL: uploaded before nodes existed).
ALTER TABLE materials ADD COLUMN node TEXT;
