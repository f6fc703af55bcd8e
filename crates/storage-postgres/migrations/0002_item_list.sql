-- The versioned random-inspection item list (一单). A published version is never changed:
-- edits go to the next draft, and retiring an item hides it from new plans but keeps it.

CREATE TABLE item_version (
    id           BIGSERIAL PRIMARY KEY,
    status       TEXT   NOT NULL CHECK (status IN ('draft', 'published')),
    created_ms   BIGINT NOT NULL,
    published_ms BIGINT,
    note         TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE item (
    id           BIGSERIAL PRIMARY KEY,
    version_id   BIGINT NOT NULL REFERENCES item_version (id),
    position     BIGINT NOT NULL,
    joint        BOOLEAN NOT NULL DEFAULT FALSE,
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
    retired      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX item_by_version ON item (version_id, position);

CREATE FUNCTION item_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'item list versions are kept, never deleted';
    END IF;
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'a published item list version is immutable';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION item_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'items are retired, never deleted';
    END IF;
    IF (SELECT status FROM item_version WHERE id = OLD.version_id) = 'published' THEN
        RAISE EXCEPTION 'a published item list version is immutable';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER item_version_frozen BEFORE UPDATE OR DELETE ON item_version
    FOR EACH ROW EXECUTE FUNCTION item_version_frozen();
CREATE TRIGGER item_frozen BEFORE UPDATE OR DELETE ON item
    FOR EACH ROW EXECUTE FUNCTION item_frozen();
