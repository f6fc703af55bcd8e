-- When each account's password was last set, and whether its holder must choose a new one at
-- the next login (a password set by someone else: generated, or reset by an administrator).
ALTER TABLE app_user ADD COLUMN password_changed_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
UPDATE app_user SET password_changed_ms = created_ms;
