//! The worked example of docs/audit-log.md, recomputed with the platform's own code: every value
//! the document prints must be what the log would compute, so the document cannot drift.

use ed25519_dalek::{Signer, SigningKey};
use ssj_app::audit::checkpoint_message;
use ssj_domain::{AuditEntry, AuditRecord};
use ssj_merkle::{Frontier, HashAlg, to_hex};
use std::collections::HashMap;

fn example() -> HashMap<String, String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/audit-log.md"
    ))
    .unwrap();
    let start = doc
        .find("<!-- audit-example -->")
        .expect("the example's marker");
    let end = doc
        .find("<!-- /audit-example -->")
        .expect("the example's end marker");
    doc[start..end]
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_worked_example_is_what_the_log_computes() {
    let ex = example();
    let salt: [u8; 16] = hex::decode(&ex["salt"]).unwrap().try_into().unwrap();
    let record = AuditRecord {
        seq: 0,
        at_ms: 1_767_225_600_000,
        entry: AuditEntry {
            actor_id: Some(3),
            actor_name: "cgj.plan".into(),
            department_id: Some(2),
            action: "draw.commit".into(),
            target_type: "task".into(),
            target_id: "140581202601001".into(),
            before: None,
            after: Some(ssj_domain::audit::snapshot(&serde_json::json!({
                "position": 0, "role": "operator", "label": "操作员",
                "commitment": "9f2b6c1e4a0d8b7f3e5c2a1908d7b6a5f4e3d2c1b0a99887766554433221100f",
            }))),
            reason: None,
        },
        actor_salt: Some(salt),
    };
    let alg = HashAlg::Sha256;
    let actor = record.actor_bytes().unwrap();
    assert_eq!(String::from_utf8(actor.clone()).unwrap(), ex["actor_bytes"]);
    assert_eq!(to_hex(&alg.digest(&[&actor])), ex["actor_commitment"]);
    let bytes = record.canonical_bytes(alg).unwrap();
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), ex["record_0"]);

    let leaves = [
        alg.leaf(&bytes),
        alg.leaf(b"private record 1"),
        alg.leaf(b"private record 2"),
    ];
    for (i, l) in leaves.iter().enumerate() {
        assert_eq!(to_hex(l), ex[&format!("leaf_{i}")]);
    }
    assert_eq!(to_hex(&alg.node(&leaves[0], &leaves[1])), ex["node_0_2"]);
    let mut tree = Frontier::empty(alg);
    for l in leaves {
        tree.push(l);
    }
    let root = tree.root();
    assert_eq!(to_hex(&root), ex["root_3"]);
    let proof: Vec<[u8; 32]> = ex["inclusion_0_in_3"]
        .split(' ')
        .map(|h| ssj_merkle::from_hex(h).unwrap())
        .collect();
    ssj_merkle::verify_inclusion(alg, &leaves[0], 0, 3, &proof, &root).unwrap();

    let at: i64 = ex["checkpoint_at_ms"].parse().unwrap();
    let key = SigningKey::from_bytes(&[1; 32]);
    assert_eq!(
        hex::encode(key.verifying_key().to_bytes()),
        ex["public_key"]
    );
    let msg = checkpoint_message("sha256", 3, &root, at);
    assert_eq!(
        msg,
        format!(
            "shuangsuiji/audit-log/v1\nsha256\n3\n{}\n{at}\n",
            ex["root_3"]
        )
    );
    assert_eq!(
        hex::encode(key.sign(msg.as_bytes()).to_bytes()),
        ex["signature"]
    );
}
