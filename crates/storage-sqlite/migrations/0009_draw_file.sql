-- A draw's files move to rows of their own. SQLite rewrites a whole row when any column
-- changes, so marking a province's draw as drawn rewrote its 200 MB candidate file (and the
-- commit then copied it into the database file again).
CREATE TABLE draw_file (
    draw_id INTEGER NOT NULL REFERENCES draw (id),
    name    TEXT NOT NULL,
    -- '' for the bytes as they are, 'zstd' for concatenated zstd frames (a large file).
    encoding TEXT NOT NULL DEFAULT '',
    bytes   BLOB NOT NULL,
    PRIMARY KEY (draw_id, name)
);
INSERT INTO draw_file (draw_id, name, bytes) SELECT id, 'candidates', candidates FROM draw;
INSERT INTO draw_file (draw_id, name, bytes)
    SELECT id, 'officers', officers FROM draw WHERE officers IS NOT NULL;
INSERT INTO draw_file (draw_id, name, bytes)
    SELECT id, 'conflicts', conflicts FROM draw WHERE conflicts IS NOT NULL;
INSERT INTO draw_file (draw_id, name, bytes)
    SELECT id, 'result', result FROM draw WHERE result IS NOT NULL;
ALTER TABLE draw ADD COLUMN candidate_count INTEGER NOT NULL DEFAULT 0;
-- The lines after the header (keys and labels are ASCII, so characters are bytes).
UPDATE draw SET candidate_count =
    length(CAST(candidates AS TEXT)) - length(replace(CAST(candidates AS TEXT), char(10), '')) - 1;
ALTER TABLE draw DROP COLUMN candidates;
ALTER TABLE draw DROP COLUMN officers;
ALTER TABLE draw DROP COLUMN conflicts;
ALTER TABLE draw DROP COLUMN result;
