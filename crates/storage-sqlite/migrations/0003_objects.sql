-- The directory of inspected objects (检查对象名录库) and each object's change history.

CREATE TABLE object (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    code_flagged      INTEGER NOT NULL DEFAULT 0,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL,
    legal_rep         TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    division          TEXT NOT NULL DEFAULT '',
    authority         TEXT NOT NULL DEFAULT '',
    industry          TEXT NOT NULL DEFAULT '',
    scale             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    tier              TEXT NOT NULL,
    tier_date         TEXT NOT NULL DEFAULT '',
    tier_source       TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '[]',
    abnormal          INTEGER NOT NULL DEFAULT 0,
    serious_violation INTEGER NOT NULL DEFAULT 0,
    last_inspected    TEXT NOT NULL DEFAULT '',
    licences          TEXT NOT NULL DEFAULT '[]',
    created_ms        INTEGER NOT NULL,
    updated_ms        INTEGER NOT NULL
);
-- The filters of the directory page, each leading an index that also serves its count.
CREATE INDEX object_by_division ON object (division, tier);
CREATE INDEX object_by_tier ON object (tier, status);
CREATE INDEX object_by_kind ON object (kind, tier);
CREATE INDEX object_by_name ON object (name);

CREATE TABLE object_history (
    id        INTEGER PRIMARY KEY,
    object_id INTEGER NOT NULL REFERENCES object (id),
    at_ms     INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX object_history_by_object ON object_history (object_id, at_ms);
