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
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    division   TEXT    NOT NULL REFERENCES division (code),
    active     INTEGER NOT NULL DEFAULT 1,
    created_ms INTEGER NOT NULL,
    UNIQUE (division, name)
);

CREATE TABLE app_user (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    department_id   INTEGER NOT NULL REFERENCES department (id),
    role            TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER,
    active          INTEGER NOT NULL DEFAULT 1,
    created_ms      INTEGER NOT NULL
);

CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES app_user (id),
    csrf_token   TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);

-- One row per record; `closed` holds the complete-subtree hashes this leaf closed, so the
-- Merkle tree is stored without ever updating a row.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at_ms         INTEGER NOT NULL,
    actor_id      INTEGER,
    actor         TEXT    NOT NULL,
    department_id INTEGER,
    action        TEXT    NOT NULL,
    target_type   TEXT    NOT NULL,
    target_id     TEXT    NOT NULL,
    before_json   TEXT,
    after_json    TEXT,
    reason        TEXT,
    leaf_hash     BLOB    NOT NULL,
    closed        BLOB    NOT NULL
);

CREATE TABLE audit_checkpoint (
    tree_size  INTEGER NOT NULL,
    root       BLOB    NOT NULL,
    at_ms      INTEGER NOT NULL,
    hash_alg   TEXT    NOT NULL,
    public_key BLOB    NOT NULL,
    signature  BLOB    NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is insert-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is insert-only'); END;
CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is insert-only'); END;
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is insert-only'); END;
