-- The versioned random-inspection item list (一单). A published version is never changed:
-- edits go to the next draft, and retiring an item hides it from new plans but keeps it.

CREATE TABLE item_version (
    id           INTEGER PRIMARY KEY,
    status       TEXT   NOT NULL CHECK (status IN ('draft', 'published')),
    created_ms   INTEGER NOT NULL,
    published_ms INTEGER,
    note         TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE item (
    id           INTEGER PRIMARY KEY,
    version_id   INTEGER NOT NULL REFERENCES item_version (id),
    position     INTEGER NOT NULL,
    joint        INTEGER NOT NULL DEFAULT 0,
    department   TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    object_type  TEXT NOT NULL DEFAULT '',
    kind         TEXT,
    methods      TEXT NOT NULL DEFAULT '[]',
    subject      TEXT NOT NULL DEFAULT '',
    bases        TEXT NOT NULL DEFAULT '[]',
    ratio        TEXT NOT NULL DEFAULT '',
    frequency    TEXT NOT NULL DEFAULT '',
    officers     TEXT NOT NULL DEFAULT '',
    field        TEXT NOT NULL DEFAULT '',
    initiators   TEXT NOT NULL DEFAULT '[]',
    cooperators  TEXT NOT NULL DEFAULT '[]',
    retired      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX item_by_version ON item (version_id, position);

CREATE TRIGGER item_version_frozen BEFORE UPDATE ON item_version WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'a published item list version is immutable'); END;
CREATE TRIGGER item_version_no_delete BEFORE DELETE ON item_version
BEGIN SELECT RAISE(ABORT, 'item list versions are kept'); END;
CREATE TRIGGER item_frozen BEFORE UPDATE ON item
WHEN (SELECT status FROM item_version WHERE id = OLD.version_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published item list version is immutable'); END;
CREATE TRIGGER item_no_delete BEFORE DELETE ON item
BEGIN SELECT RAISE(ABORT, 'items are retired, never deleted'); END;
