-- Directories of millions of objects: counts come from a maintained tally, pages walk one
-- list index, and a first bulk load may drop and rebuild the indexes (a sort is several times
-- faster than a million random inserts). A column UNIQUE constraint makes an index SQLite cannot drop,
-- so the table is rebuilt with a named unique index instead; the history is moved aside while
-- the table it refers to is replaced.

CREATE TABLE object_history_moving AS SELECT * FROM object_history;
DROP TABLE object_history;

CREATE TABLE object_rebuilt (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL,
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
INSERT INTO object_rebuilt SELECT id, code, code_flagged, name, kind, legal_rep, address, division,
    authority, industry, scale, status, tier, tier_date, tier_source, tags, abnormal,
    serious_violation, last_inspected, licences, created_ms, updated_ms FROM object;
DROP TABLE object;
ALTER TABLE object_rebuilt RENAME TO object;
CREATE UNIQUE INDEX object_code ON object (code);
-- The list's order (division, then code) with the columns its filters test: any page of any
-- filter on division, type, status, tier or industry is a short walk of this one index.
CREATE INDEX object_list ON object (division, code, kind, status, tier, industry);

CREATE TABLE object_history (
    id        INTEGER PRIMARY KEY,
    object_id INTEGER NOT NULL REFERENCES object (id),
    at_ms     INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
INSERT INTO object_history SELECT id, object_id, at_ms, actor, action, before, after
    FROM object_history_moving;
DROP TABLE object_history_moving;
CREATE INDEX object_history_by_object ON object_history (object_id, at_ms);

-- Objects per division, authority, type, status and tier: the list's counts read a few
-- hundred tally rows instead of counting millions of objects.
CREATE TABLE object_tally (
    division  TEXT NOT NULL,
    authority TEXT NOT NULL,
    kind      TEXT NOT NULL,
    status    TEXT NOT NULL,
    tier      TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (division, authority, kind, status, tier)
);
INSERT INTO object_tally SELECT division, authority, kind, status, tier, COUNT(*)
    FROM object GROUP BY division, authority, kind, status, tier;
