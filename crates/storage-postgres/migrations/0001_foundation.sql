-- Foundation: organisations, accounts, sessions, and the insert-only audit log.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE division (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    parent TEXT REFERENCES division (code)
);

CREATE TABLE department (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT    NOT NULL,
    division   TEXT    NOT NULL REFERENCES division (code),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_ms BIGINT  NOT NULL,
    UNIQUE (division, name)
);

CREATE TABLE app_user (
    id              BIGSERIAL PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    department_id   BIGINT  NOT NULL REFERENCES department (id),
    role            TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    failed_logins   BIGINT  NOT NULL DEFAULT 0,
    locked_until_ms BIGINT,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_ms      BIGINT  NOT NULL
);

CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    csrf_token   TEXT   NOT NULL,
    created_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);

-- One row per record; `closed` holds the complete-subtree hashes this leaf closed, so the
-- Merkle tree is stored without ever updating a row.
CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY,
    at_ms         BIGINT NOT NULL,
    actor_id      BIGINT,
    actor         TEXT   NOT NULL,
    department_id BIGINT,
    action        TEXT   NOT NULL,
    target_type   TEXT   NOT NULL,
    target_id     TEXT   NOT NULL,
    before_json   TEXT,
    after_json    TEXT,
    reason        TEXT,
    leaf_hash     BYTEA  NOT NULL,
    closed        BYTEA  NOT NULL
);

CREATE TABLE audit_checkpoint (
    tree_size  BIGINT NOT NULL,
    root       BYTEA  NOT NULL,
    at_ms      BIGINT NOT NULL,
    hash_alg   TEXT   NOT NULL,
    public_key BYTEA  NOT NULL,
    signature  BYTEA  NOT NULL
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is insert-only', TG_TABLE_NAME;
END $$;

CREATE TRIGGER audit_log_insert_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_checkpoint_insert_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
