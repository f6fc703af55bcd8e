//! Audit records (全程留痕) and their canonical bytes, the input of the Merkle leaf hash.

use serde::Serialize;
use serde_json::value::RawValue;

/// A state change to record, built by the service that makes the change.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor_id: Option<i64>,
    /// The login name at the time, kept so the record reads alone.
    pub actor_name: String,
    pub department_id: Option<i64>,
    /// A stable, dotted action name, e.g. `user.create`, `auth.login_failed`.
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    /// Canonical JSON text of the state before, or `None` for a creation.
    pub before: Option<String>,
    /// Canonical JSON text of the state after, or `None` for a removal.
    pub after: Option<String>,
    pub reason: Option<String>,
}

/// A stored record: its entry plus its position in the log and its time (Unix milliseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub seq: u64,
    pub at_ms: i64,
    pub entry: AuditEntry,
}

#[derive(Serialize)]
struct Canonical<'a> {
    v: u8,
    seq: u64,
    at_ms: i64,
    actor_id: Option<i64>,
    actor: &'a str,
    department_id: Option<i64>,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    before: Option<&'a RawValue>,
    after: Option<&'a RawValue>,
    reason: Option<&'a str>,
}

impl AuditRecord {
    /// The exact bytes whose leaf hash enters the tree: compact JSON in a fixed key order, with
    /// `before`/`after` embedded verbatim. Fails when a stored JSON text is not JSON, which
    /// only happens when a row was altered outside the platform.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        fn raw(s: &Option<String>) -> Result<Option<&RawValue>, serde_json::Error> {
            s.as_deref()
                .map(serde_json::from_str::<&RawValue>)
                .transpose()
        }
        let e = &self.entry;
        let c = Canonical {
            v: 1,
            seq: self.seq,
            at_ms: self.at_ms,
            actor_id: e.actor_id,
            actor: &e.actor_name,
            department_id: e.department_id,
            action: &e.action,
            target_type: &e.target_type,
            target_id: &e.target_id,
            before: raw(&e.before)?,
            after: raw(&e.after)?,
            reason: e.reason.as_deref(),
        };
        serde_json::to_vec(&c)
    }
}

/// Canonical JSON for a before/after snapshot: compact, keys sorted (serde_json's map order).
pub fn snapshot<T: Serialize>(value: &T) -> String {
    let v = serde_json::to_value(value).expect("snapshots are plain data");
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> AuditRecord {
        AuditRecord {
            seq: 7,
            at_ms: 1_700_000_000_000,
            entry: AuditEntry {
                actor_id: Some(1),
                actor_name: "admin".into(),
                department_id: Some(2),
                action: "user.create".into(),
                target_type: "user".into(),
                target_id: "5".into(),
                before: None,
                after: Some(r#"{"role":"planner","username":"li"}"#.into()),
                reason: Some("新进人员".into()),
            },
        }
    }

    #[test]
    fn canonical_bytes_are_stable() {
        let s = String::from_utf8(rec().canonical_bytes().unwrap()).unwrap();
        assert_eq!(
            s,
            r#"{"v":1,"seq":7,"at_ms":1700000000000,"actor_id":1,"actor":"admin","department_id":2,"action":"user.create","target_type":"user","target_id":"5","before":null,"after":{"role":"planner","username":"li"},"reason":"新进人员"}"#
        );
    }

    #[test]
    fn altered_json_is_refused() {
        let mut r = rec();
        r.entry.after = Some("{not json".into());
        assert!(r.canonical_bytes().is_err());
    }

    #[test]
    fn snapshot_sorts_keys() {
        #[derive(Serialize)]
        struct S {
            z: u8,
            a: u8,
        }
        assert_eq!(snapshot(&S { z: 1, a: 2 }), r#"{"a":2,"z":1}"#);
    }
}
