-- Format 2 audit records name who acted only by a salted hash (docs/audit-log.md), so the
-- records that are public by nature can be published whole; the salt stays here.
ALTER TABLE audit_log ADD COLUMN actor_salt BLOB;
