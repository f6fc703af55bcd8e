//! Audit records (全程留痕) and their canonical bytes, the input of the Merkle leaf hash.

use serde::Serialize;
use serde_json::value::RawValue;
use ssj_merkle::HashAlg;

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
    /// Random bytes that hide who acted (format 2, see [`AuditRecord::canonical_bytes`]);
    /// `None` for the records of format 1, written before it existed.
    pub actor_salt: Option<[u8; 16]>,
}

/// The actions whose records are public by nature: anyone may read them and their inclusion
/// proofs (a draw's steps, a publication, a key rotation). No other record is ever published.
pub const PUBLIC_ACTIONS: [&str; 7] = [
    "draw.freeze",
    "draw.commit",
    "draw.reveal",
    "draw.result",
    "draw.substitute",
    "item_version.publish",
    "audit.key_rotated",
];

pub fn is_public_action(action: &str) -> bool {
    PUBLIC_ACTIONS.contains(&action)
}

/// Every action the platform records, with the words a reader sees for it. The code stays in
/// the record (and in logs and APIs); pages show the label.
pub const ACTION_LABELS: &[(&str, &str)] = &[
    ("auth.login", "登录"),
    ("auth.logout", "退出登录"),
    ("auth.login_failed", "登录失败"),
    ("auth.login_failures", "多次登录失败"),
    ("auth.locked", "账号锁定"),
    ("user.create", "新建账号"),
    ("user.update", "修改账号"),
    ("user.role_change", "变更角色"),
    ("user.password", "设置密码"),
    ("user.unlock", "解除锁定"),
    ("division.create", "新增行政区划"),
    ("department.create", "新增部门"),
    ("department.update", "修改部门"),
    ("department.retire", "停用部门"),
    ("item.import", "导入事项"),
    ("item.create", "新增事项"),
    ("item.update", "修改事项"),
    ("item.retire", "停用事项"),
    ("item.restore", "恢复事项"),
    ("item_version.create", "新建事项清单草稿"),
    ("item_version.publish", "发布事项清单"),
    ("object.import", "导入检查对象"),
    ("object.create", "新增检查对象"),
    ("object.create_batch", "批量新增检查对象"),
    ("object.update", "修改检查对象"),
    ("officer.import", "导入执法检查人员"),
    ("officer.create", "新增执法检查人员"),
    ("officer.update", "修改执法检查人员"),
    ("officer.leave", "登记请假或外出"),
    ("officer.conflict", "申报利害关系"),
    ("plan.import", "导入抽查计划"),
    ("plan.reimport", "更新计划草稿的任务"),
    ("plan.publish", "发布抽查计划"),
    ("plan.revise", "修订抽查计划"),
    ("plan.complete", "抽查计划完成"),
    ("plan.archive", "抽查计划归档"),
    ("plan.create", "单独创建的任务生成单任务计划"),
    ("plan.adopt", "已有任务转为单任务计划"),
    ("visit.confirm", "确认合并检查（进一次门、查多项事）"),
    ("task.create", "新建抽查任务"),
    ("task.cancel", "取消抽查任务"),
    ("draw.freeze", "冻结抽取名单"),
    ("draw.commit", "提交随机数承诺"),
    ("draw.reveal", "揭示随机数"),
    ("draw.result", "生成抽取结果"),
    ("draw.substitute", "递补"),
    ("draw.void", "作废抽取"),
    ("audit.hash_alg", "设置审计哈希算法"),
    ("audit.key_rotated", "更换检查点签名密钥"),
];

/// The reader's words for an action; an unknown code is shown as it is.
pub fn action_label(action: &str) -> &str {
    ACTION_LABELS
        .iter()
        .find(|(code, _)| *code == action)
        .map_or(action, |(_, label)| label)
}

/// The reader's word for a kind of audit target.
pub fn target_type_label(target_type: &str) -> &str {
    match target_type {
        "user" => "账号",
        "client" => "客户端",
        "department" => "部门",
        "division" => "行政区划",
        "item" => "事项",
        "item_version" => "事项清单版本",
        "object" => "检查对象",
        "officer" => "执法检查人员",
        "task" => "抽查任务",
        "audit_key" => "签名密钥",
        other => other,
    }
}

#[derive(Serialize)]
struct CanonicalV2<'a> {
    v: u8,
    seq: u64,
    at_ms: i64,
    department_id: Option<i64>,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    before: Option<&'a RawValue>,
    after: Option<&'a RawValue>,
    reason: Option<&'a str>,
    actor: &'a str,
}

/// Who acted, as committed to by a format-2 record: the salt makes the commitment useless for
/// guessing a login name, yet anyone shown these bytes can check them against the record.
#[derive(Serialize)]
struct ActorBytes<'a> {
    salt: &'a str,
    actor_id: Option<i64>,
    actor: &'a str,
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

fn raw(s: &Option<String>) -> Result<Option<&RawValue>, serde_json::Error> {
    s.as_deref()
        .map(serde_json::from_str::<&RawValue>)
        .transpose()
}

impl AuditRecord {
    /// The bytes that commit to who acted in a format-2 record (docs/audit-log.md).
    pub fn actor_bytes(&self) -> Option<Vec<u8>> {
        let salt = hex::encode(self.actor_salt?);
        let a = ActorBytes {
            salt: &salt,
            actor_id: self.entry.actor_id,
            actor: &self.entry.actor_name,
        };
        Some(serde_json::to_vec(&a).expect("plain data"))
    }

    /// The exact bytes whose leaf hash enters the tree: compact JSON in a fixed key order, with
    /// `before`/`after` embedded verbatim. Format 2 (records with a salt) names the actor only by
    /// `hash(actor_bytes)` in hex, `hash` being the log's hash function; format 1 names them.
    /// Fails when a stored JSON text is not JSON, which only happens when a row was altered
    /// outside the platform.
    pub fn canonical_bytes(&self, alg: HashAlg) -> Result<Vec<u8>, serde_json::Error> {
        let Some(actor) = self.actor_bytes() else {
            return self.canonical_v1();
        };
        let e = &self.entry;
        let actor = hex::encode(alg.digest(&[&actor]));
        serde_json::to_vec(&CanonicalV2 {
            v: 2,
            seq: self.seq,
            at_ms: self.at_ms,
            department_id: e.department_id,
            action: &e.action,
            target_type: &e.target_type,
            target_id: &e.target_id,
            before: raw(&e.before)?,
            after: raw(&e.after)?,
            reason: e.reason.as_deref(),
            actor: &actor,
        })
    }

    fn canonical_v1(&self) -> Result<Vec<u8>, serde_json::Error> {
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
            actor_salt: None,
        }
    }

    #[test]
    fn canonical_bytes_are_stable() {
        let s = String::from_utf8(rec().canonical_bytes(HashAlg::Sha256).unwrap()).unwrap();
        assert_eq!(
            s,
            r#"{"v":1,"seq":7,"at_ms":1700000000000,"actor_id":1,"actor":"admin","department_id":2,"action":"user.create","target_type":"user","target_id":"5","before":null,"after":{"role":"planner","username":"li"},"reason":"新进人员"}"#
        );
    }

    #[test]
    fn altered_json_is_refused() {
        let mut r = rec();
        r.entry.after = Some("{not json".into());
        assert!(r.canonical_bytes(HashAlg::Sha256).is_err());
        r.actor_salt = Some([0; 16]);
        assert!(r.canonical_bytes(HashAlg::Sha256).is_err());
    }

    #[test]
    fn format_2_names_the_actor_only_by_a_salted_hash() {
        let mut r = rec();
        r.actor_salt = Some([0xab; 16]);
        let actor = r.actor_bytes().unwrap();
        assert_eq!(
            String::from_utf8(actor.clone()).unwrap(),
            r#"{"salt":"abababababababababababababababab","actor_id":1,"actor":"admin"}"#
        );
        let s = String::from_utf8(r.canonical_bytes(HashAlg::Sha256).unwrap()).unwrap();
        let commitment = ssj_merkle::to_hex(&HashAlg::Sha256.digest(&[&actor]));
        assert_eq!(
            s,
            format!(
                r#"{{"v":2,"seq":7,"at_ms":1700000000000,"department_id":2,"action":"user.create","target_type":"user","target_id":"5","before":null,"after":{{"role":"planner","username":"li"}},"reason":"新进人员","actor":"{commitment}"}}"#
            )
        );
        assert!(
            !s.contains("admin"),
            "the login name stays out of the leaf bytes"
        );
        // SM3 logs commit with SM3.
        let sm3 = String::from_utf8(r.canonical_bytes(HashAlg::Sm3).unwrap()).unwrap();
        assert!(sm3.contains(&ssj_merkle::to_hex(&HashAlg::Sm3.digest(&[&actor]))));
        // Another salt, another commitment: equal actors cannot be linked by it.
        r.actor_salt = Some([0xac; 16]);
        assert_ne!(r.canonical_bytes(HashAlg::Sha256).unwrap().len(), 0);
        assert!(
            !String::from_utf8(r.canonical_bytes(HashAlg::Sha256).unwrap())
                .unwrap()
                .contains(&commitment)
        );
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
