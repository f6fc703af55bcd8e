-- Directories of millions of objects: counts come from a maintained tally, pages walk one
-- list index, and a first bulk load may drop and rebuild the indexes (building them once is
-- several times faster than a million random inserts), so the code's becomes a named index.
DROP INDEX object_by_division;
DROP INDEX object_by_tier;
DROP INDEX object_by_kind;
ALTER TABLE object DROP CONSTRAINT object_code_key;
CREATE UNIQUE INDEX object_code ON object (code);
-- The list's order (division, then code) with the columns its filters test: any page of any
-- filter on division, type, status, tier or industry is a short walk of this one index.
CREATE INDEX object_list ON object (division, code, kind, status, tier, industry);

-- Objects per division, authority, type, status and tier: the list's counts read a few
-- hundred tally rows instead of counting millions of objects.
CREATE TABLE object_tally (
    division  TEXT NOT NULL,
    authority TEXT NOT NULL,
    kind      TEXT NOT NULL,
    status    TEXT NOT NULL,
    tier      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (division, authority, kind, status, tier)
);
INSERT INTO object_tally SELECT division, authority, kind, status, tier, COUNT(*)
    FROM object GROUP BY division, authority, kind, status, tier;
