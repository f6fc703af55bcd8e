-- Name search is a substring match (LIKE '%…%'), which no B-tree index serves; the index only
-- cost every import an extra random-order insert.
DROP INDEX object_by_name;
