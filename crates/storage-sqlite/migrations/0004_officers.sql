-- The directory of enforcement officers, their leave periods and declared conflicts (回避).

CREATE TABLE officer (
    id               INTEGER PRIMARY KEY,
    department_id    INTEGER NOT NULL REFERENCES department (id),
    name             TEXT NOT NULL,
    level            TEXT NOT NULL,
    cert_no          TEXT NOT NULL UNIQUE,
    cert_valid_until TEXT NOT NULL,
    post             TEXT NOT NULL DEFAULT '',
    expertise        TEXT NOT NULL DEFAULT '[]',
    active           INTEGER NOT NULL DEFAULT 1,
    phone            TEXT NOT NULL DEFAULT '',
    id_number        TEXT NOT NULL DEFAULT '',
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL
);
CREATE INDEX officer_by_department ON officer (department_id, name);

CREATE TABLE officer_leave (
    id         INTEGER PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officer (id),
    from_day   TEXT NOT NULL,
    to_day     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX officer_leave_by_day ON officer_leave (to_day, from_day);

CREATE TABLE officer_conflict (
    id          INTEGER PRIMARY KEY,
    officer_id  INTEGER NOT NULL REFERENCES officer (id),
    object_code TEXT NOT NULL,
    reason      TEXT NOT NULL,
    declared_ms INTEGER NOT NULL,
    declared_by TEXT NOT NULL,
    UNIQUE (officer_id, object_code)
);
