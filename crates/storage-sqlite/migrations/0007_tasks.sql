-- Inspection tasks (抽查任务) and their draws (SSJ-DRAW/1): the frozen files byte for byte,
-- the seed contributions, the result, the selected objects and every 递补. Nothing here is
-- ever deleted: a voided draw stays, with its reason, beside the one that replaced it.

CREATE TABLE task (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES department (id),
    spec          TEXT NOT NULL,
    status        TEXT NOT NULL,
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL
);

CREATE TABLE task_item (
    task_id    INTEGER NOT NULL REFERENCES task (id),
    item_id    INTEGER NOT NULL,
    department TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (task_id, item_id)
);
CREATE INDEX task_item_by_name ON task_item (department, name);

CREATE TABLE draw (
    id                  INTEGER PRIMARY KEY,
    task_id             INTEGER NOT NULL REFERENCES task (id),
    round               INTEGER NOT NULL,
    status              TEXT NOT NULL,
    reason              TEXT NOT NULL DEFAULT '',
    exclusions          TEXT NOT NULL,
    candidates          BLOB NOT NULL,
    candidate_digest    TEXT NOT NULL,
    officers            BLOB,
    officer_pool_digest TEXT,
    conflicts           BLOB,
    conflicts_digest    TEXT,
    manifest            TEXT,
    result              BLOB,
    frozen_by           TEXT NOT NULL,
    frozen_ms           INTEGER NOT NULL,
    drawn_ms            INTEGER,
    UNIQUE (task_id, round)
);

CREATE TABLE draw_contribution (
    draw_id      INTEGER NOT NULL REFERENCES draw (id),
    position     INTEGER NOT NULL,
    role         TEXT NOT NULL,
    label        TEXT NOT NULL,
    commitment   TEXT,
    secret       TEXT,
    reveal       TEXT,
    committed_ms INTEGER,
    revealed_ms  INTEGER,
    PRIMARY KEY (draw_id, position)
);

CREATE TABLE draw_pick (
    draw_id     INTEGER NOT NULL REFERENCES draw (id),
    rank        INTEGER NOT NULL,
    object_code TEXT NOT NULL,
    stratum     TEXT NOT NULL,
    PRIMARY KEY (draw_id, rank)
);
CREATE INDEX draw_pick_by_object ON draw_pick (object_code);

CREATE TABLE draw_substitution (
    draw_id     INTEGER NOT NULL REFERENCES draw (id),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    replaced    TEXT NOT NULL,
    replacement TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    PRIMARY KEY (draw_id, position)
);
