-- Annual plans (年度抽查工作计划): a plan, every version of it (a published version is never
-- changed again), the draw tasks that run its tasks, and the names a person mapped during an
-- import. Tasks made before plans existed are adopted into one-task plans by the application
-- at start (it writes their audit records).

CREATE TABLE plan (
    id                BIGSERIAL PRIMARY KEY,
    code              TEXT COLLATE "C" NOT NULL UNIQUE,
    division          TEXT NOT NULL,
    department_id     BIGINT REFERENCES department (id),
    kind              TEXT NOT NULL,
    year              BIGINT NOT NULL,
    title             TEXT NOT NULL,
    status            TEXT NOT NULL,
    completion_date   TEXT NOT NULL,
    version           BIGINT NOT NULL,
    published_version BIGINT,
    created_by        TEXT NOT NULL,
    created_ms        BIGINT NOT NULL,
    updated_ms        BIGINT NOT NULL
);

CREATE TABLE plan_version (
    plan_id      BIGINT NOT NULL REFERENCES plan (id),
    version      BIGINT NOT NULL,
    tasks        TEXT NOT NULL,
    changes      TEXT NOT NULL,
    note         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    published_ms BIGINT,
    PRIMARY KEY (plan_id, version)
);

CREATE TABLE plan_task_link (
    plan_id BIGINT NOT NULL REFERENCES plan (id),
    seq     BIGINT NOT NULL,
    task_id BIGINT NOT NULL UNIQUE REFERENCES task (id),
    PRIMARY KEY (plan_id, seq, task_id)
);

CREATE TABLE plan_name_mapping (
    kind      TEXT NOT NULL,
    written   TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    PRIMARY KEY (kind, written)
);

-- A department's confirmation of a merged visit (进一次门、查多项事): the visit is named by
-- its object and its tasks, so a new draw proposes a new visit.
CREATE TABLE merged_visit_confirmation (
    visit_key     TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES department (id),
    confirmed_by  TEXT NOT NULL,
    confirmed_ms  BIGINT NOT NULL,
    PRIMARY KEY (visit_key, department_id)
);
