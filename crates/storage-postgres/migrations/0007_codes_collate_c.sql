-- Codes, division codes and vocabulary keys are ASCII identifiers ordered by their bytes (as
-- SQLite orders them). Under a libc locale PostgreSQL compares text through strcoll and cannot
-- use abbreviated sort keys: with "C" the code index of a million objects builds in half the
-- time, and a division prefix (LIKE '1401%') can use the list index.
ALTER TABLE object
    ALTER COLUMN code      TYPE TEXT COLLATE "C",
    ALTER COLUMN division  TYPE TEXT COLLATE "C",
    ALTER COLUMN authority TYPE TEXT COLLATE "C",
    ALTER COLUMN kind      TYPE TEXT COLLATE "C",
    ALTER COLUMN status    TYPE TEXT COLLATE "C",
    ALTER COLUMN tier      TYPE TEXT COLLATE "C",
    ALTER COLUMN industry  TYPE TEXT COLLATE "C";
ALTER TABLE object_tally
    ALTER COLUMN division  TYPE TEXT COLLATE "C",
    ALTER COLUMN authority TYPE TEXT COLLATE "C",
    ALTER COLUMN kind      TYPE TEXT COLLATE "C",
    ALTER COLUMN status    TYPE TEXT COLLATE "C",
    ALTER COLUMN tier      TYPE TEXT COLLATE "C";
ALTER TABLE officer_conflict ALTER COLUMN object_code TYPE TEXT COLLATE "C";
