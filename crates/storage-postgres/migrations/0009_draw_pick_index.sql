-- A province's draw writes hundreds of thousands of picks; the burden rules reach them through
-- their draw, so the index by object code cost every draw and served no query.
DROP INDEX draw_pick_by_object;
