-- Inspection tasks (抽查任务) and their draws (SSJ-DRAW/1): the frozen files byte for byte,
-- the seed contributions, the result, the selected objects and every 递补. Nothing here is
-- ever deleted: a voided draw stays, with its reason, beside the one that replaced it.

CREATE TABLE task (
    id            BIGSERIAL PRIMARY KEY,
    code          TEXT COLLATE "C" NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES department (id),
    spec          TEXT NOT NULL,
    status        TEXT NOT NULL,
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    updated_ms    BIGINT NOT NULL
);

CREATE TABLE task_item (
    task_id    BIGINT NOT NULL REFERENCES task (id),
    item_id    BIGINT NOT NULL,
    department TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (task_id, item_id)
);
CREATE INDEX task_item_by_name ON task_item (department, name);

CREATE TABLE draw (
    id                  BIGSERIAL PRIMARY KEY,
    task_id             BIGINT NOT NULL REFERENCES task (id),
    round               BIGINT NOT NULL,
    status              TEXT NOT NULL,
    reason              TEXT NOT NULL DEFAULT '',
    exclusions          TEXT NOT NULL,
    candidates          BYTEA NOT NULL,
    candidate_digest    TEXT NOT NULL,
    officers            BYTEA,
    officer_pool_digest TEXT,
    conflicts           BYTEA,
    conflicts_digest    TEXT,
    manifest            TEXT,
    result              BYTEA,
    frozen_by           TEXT NOT NULL,
    frozen_ms           BIGINT NOT NULL,
    drawn_ms            BIGINT,
    UNIQUE (task_id, round)
);

CREATE TABLE draw_contribution (
    draw_id      BIGINT NOT NULL REFERENCES draw (id),
    position     BIGINT NOT NULL,
    role         TEXT NOT NULL,
    label        TEXT NOT NULL,
    commitment   TEXT,
    secret       TEXT,
    reveal       TEXT,
    committed_ms BIGINT,
    revealed_ms  BIGINT,
    PRIMARY KEY (draw_id, position)
);

CREATE TABLE draw_pick (
    draw_id     BIGINT NOT NULL REFERENCES draw (id),
    rank        BIGINT NOT NULL,
    object_code TEXT COLLATE "C" NOT NULL,
    stratum     TEXT NOT NULL,
    PRIMARY KEY (draw_id, rank)
);
CREATE INDEX draw_pick_by_object ON draw_pick (object_code);

CREATE TABLE draw_substitution (
    draw_id     BIGINT NOT NULL REFERENCES draw (id),
    position    BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    replaced    TEXT NOT NULL,
    replacement TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    PRIMARY KEY (draw_id, position)
);
