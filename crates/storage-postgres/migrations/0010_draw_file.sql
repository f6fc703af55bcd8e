-- A draw's files move to rows of their own, as on SQLite, where a row is rewritten whole on
-- any update; here an update also leaves a dead version of the row behind for VACUUM.
CREATE TABLE draw_file (
    draw_id BIGINT NOT NULL REFERENCES draw (id),
    name    TEXT NOT NULL,
    -- '' for the bytes as they are, 'zstd' for concatenated zstd frames (a large file).
    encoding TEXT NOT NULL DEFAULT '',
    bytes   BYTEA NOT NULL,
    PRIMARY KEY (draw_id, name)
);
-- Large files arrive compressed: TOAST should not try to compress them again.
ALTER TABLE draw_file ALTER COLUMN bytes SET STORAGE EXTERNAL;
INSERT INTO draw_file (draw_id, name, bytes) SELECT id, 'candidates', candidates FROM draw;
INSERT INTO draw_file (draw_id, name, bytes)
    SELECT id, 'officers', officers FROM draw WHERE officers IS NOT NULL;
INSERT INTO draw_file (draw_id, name, bytes)
    SELECT id, 'conflicts', conflicts FROM draw WHERE conflicts IS NOT NULL;
INSERT INTO draw_file (draw_id, name, bytes)
    SELECT id, 'result', result FROM draw WHERE result IS NOT NULL;
ALTER TABLE draw ADD COLUMN candidate_count BIGINT NOT NULL DEFAULT 0;
-- The lines after the header.
UPDATE draw SET candidate_count = length(convert_from(candidates, 'UTF8'))
    - length(replace(convert_from(candidates, 'UTF8'), E'\n', '')) - 1;
ALTER TABLE draw DROP COLUMN candidates;
ALTER TABLE draw DROP COLUMN officers;
ALTER TABLE draw DROP COLUMN conflicts;
ALTER TABLE draw DROP COLUMN result;
