-- After a 递补 a pick names the object inspected now, so the burden rules (once a year per
-- item, the annual cap) count what was inspected, not what was replaced. Existing 递补 are
-- applied here, chains (A replaced by B, B by C) followed to their end.
WITH RECURSIVE chain (draw_id, start, cur, depth) AS (
    SELECT draw_id, replaced, replacement, 1 FROM draw_substitution WHERE kind = 'object'
    UNION ALL
    SELECT c.draw_id, c.start, s.replacement, c.depth + 1
    FROM chain c JOIN draw_substitution s
        ON s.draw_id = c.draw_id AND s.kind = 'object' AND s.replaced = c.cur
)
UPDATE draw_pick SET object_code = (
    SELECT cur FROM chain
    WHERE chain.draw_id = draw_pick.draw_id AND chain.start = draw_pick.object_code
    ORDER BY depth DESC LIMIT 1
)
WHERE EXISTS (
    SELECT 1 FROM draw_substitution s
    WHERE s.draw_id = draw_pick.draw_id AND s.kind = 'object' AND s.replaced = draw_pick.object_code
);
-- The public lookup reads a pick by its object.
CREATE INDEX draw_pick_by_code ON draw_pick (draw_id, object_code);

-- What a public lookup needs of a draw: the candidate file cut into zstd-compressed blocks of
-- lines under their first key (byte order), and each stratum's cutoff ticket.
CREATE TABLE draw_key_block (
    draw_id   BIGINT NOT NULL REFERENCES draw (id),
    first_key BYTEA NOT NULL,
    lines     BYTEA NOT NULL,
    PRIMARY KEY (draw_id, first_key)
);
CREATE TABLE draw_lookup (
    draw_id BIGINT PRIMARY KEY REFERENCES draw (id),
    -- JSON [[stratum, cutoff ticket], …]
    cutoffs TEXT NOT NULL
);

-- The public export zip, built once when the draw is locked and again after each 递补 (the
-- only file that changes), served as it is.
CREATE TABLE draw_export (
    draw_id       BIGINT PRIMARY KEY REFERENCES draw (id),
    substitutions BIGINT NOT NULL,
    digest        TEXT NOT NULL,
    bytes         BYTEA NOT NULL
);

-- The public lookup accepts a company's name: an exact match through this index.
CREATE INDEX object_by_name ON object (name);
-- Compressed already: TOAST should not try again.
ALTER TABLE draw_key_block ALTER COLUMN lines SET STORAGE EXTERNAL;
ALTER TABLE draw_export ALTER COLUMN bytes SET STORAGE EXTERNAL;
