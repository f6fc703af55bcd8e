//! The public audit API, read as an outsider without a login: every checkpoint with its
//! signature, consistency proofs, and the records public by nature with inclusion proofs that
//! lead to a signed root — and nothing that names who acted or any record that is not public.

mod common;

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use ssj_merkle::{HashAlg, from_hex, verify_consistency, verify_inclusion};

fn hashes(v: &serde_json::Value) -> Vec<[u8; 32]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| from_hex(h.as_str().unwrap()).unwrap())
        .collect()
}

async fn json(c: &reqwest::Client, url: &str) -> (u16, serde_json::Value) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn an_outsider_checks_signatures_consistency_and_public_records() {
    let app = common::spawn_sqlite().await;
    app.platform.checkpoint().await.unwrap();
    // Grow the log with a private change, and sign again: two checkpoints to chain.
    let (admin, _) = app.login("admin").await;
    app.platform.checkpoint().await.unwrap();
    let anon = reqwest::Client::new();

    let (status, cps) = json(&anon, &format!("{}/api/v1/audit/checkpoints", app.base)).await;
    assert_eq!(status, 200);
    assert_eq!(cps["log"], "shuangsuiji/audit-log/v1");
    let list = cps["checkpoints"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{cps}");
    for c in list {
        let key: [u8; 32] = hex::decode(c["public_key"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let msg = format!(
            "shuangsuiji/audit-log/v1\n{}\n{}\n{}\n{}\n",
            c["hash_alg"].as_str().unwrap(),
            c["tree_size"],
            c["root"].as_str().unwrap(),
            c["at_ms"]
        );
        let sig =
            Signature::from_slice(&hex::decode(c["signature"].as_str().unwrap()).unwrap()).unwrap();
        VerifyingKey::from_bytes(&key)
            .unwrap()
            .verify(msg.as_bytes(), &sig)
            .expect("each checkpoint's signature verifies over the documented message");
    }
    let (old, new) = (&list[0], &list[1]);
    let (status, proof) = json(
        &anon,
        &format!(
            "{}/api/v1/audit/consistency?from={}&to={}",
            app.base, old["tree_size"], new["tree_size"]
        ),
    )
    .await;
    assert_eq!(status, 200);
    verify_consistency(
        HashAlg::Sha256,
        old["tree_size"].as_u64().unwrap(),
        new["tree_size"].as_u64().unwrap(),
        &hashes(&proof["proof"]),
        &from_hex(old["root"].as_str().unwrap()).unwrap(),
        &from_hex(new["root"].as_str().unwrap()).unwrap(),
    )
    .expect("the older checkpoint is a prefix of the newer");

    let (status, page) = json(&anon, &format!("{}/api/v1/audit/records?limit=3", app.base)).await;
    assert_eq!(status, 200);
    assert_eq!(page["tree_size"], new["tree_size"]);
    assert_eq!(page["records"].as_array().unwrap().len(), 3);
    let mut all = Vec::new();
    let mut from = Some(0);
    while let Some(f) = from {
        let (_, page) = json(
            &anon,
            &format!("{}/api/v1/audit/records?from_seq={f}&limit=3", app.base),
        )
        .await;
        all.extend(page["records"].as_array().unwrap().clone());
        from = page["next_from_seq"].as_u64();
    }
    let root = from_hex(new["root"].as_str().unwrap()).unwrap();
    let size = new["tree_size"].as_u64().unwrap();
    let mut actions = std::collections::BTreeSet::new();
    for r in &all {
        let text = r["record"].as_str().unwrap();
        let record: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(record["v"], 2);
        assert_eq!(record["seq"], r["seq"]);
        actions.insert(record["action"].as_str().unwrap().to_string());
        for login in app.passwords.keys() {
            assert!(!text.contains(&format!("\"{login}\"")), "a login in {text}");
        }
        let leaf = HashAlg::Sha256.leaf(text.as_bytes());
        assert_eq!(hex::encode(leaf), r["leaf_hash"].as_str().unwrap());
        verify_inclusion(
            HashAlg::Sha256,
            &leaf,
            r["seq"].as_u64().unwrap(),
            size,
            &hashes(&r["proof"]),
            &root,
        )
        .expect("each public record is in the signed tree");
    }
    for a in [
        "draw.freeze",
        "draw.commit",
        "draw.reveal",
        "draw.result",
        "item_version.publish",
    ] {
        assert!(actions.contains(a), "{a} missing from {actions:?}");
    }
    assert!(
        actions.iter().all(|a| ssj_domain::is_public_action(a)),
        "{actions:?}"
    );

    // One public record's proof on its own; a login record is not public, even for its owner.
    let seq = all[0]["seq"].as_u64().unwrap();
    let (status, one) = json(
        &anon,
        &format!("{}/api/v1/audit/inclusion?seq={seq}", app.base),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["record"], all[0]["record"]);
    let login_seq = app
        .store
        .audit_search(&ssj_storage::AuditFilter {
            action_prefix: Some("auth.login".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .0[0]
        .record
        .seq;
    for c in [&anon, &admin] {
        let (status, body) = json(
            c,
            &format!("{}/api/v1/audit/inclusion?seq={login_seq}", app.base),
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(body["error"]["code"], "AUDIT_NOT_PUBLIC", "{body}");
    }
    let (status, body) = json(
        &anon,
        &format!("{}/api/v1/audit/records?limit=abc", app.base),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("limit"),
        "{body}"
    );

    // The public page shows each checkpoint's key and signature.
    let page = anon
        .get(format!("{}/public/audit", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for c in list {
        assert!(
            page.contains(c["signature"].as_str().unwrap()),
            "signature shown"
        );
    }
}
