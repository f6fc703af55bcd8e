//! Checkpoints kept outside the database: a person with the database file (triggers dropped)
//! deletes the newest records with the newest checkpoint, or rewrites the whole log with fresh
//! hashes and deletes every checkpoint. The anchor file (and the witness) still name the last
//! signed checkpoint, so `audit verify` fails naming both and no new checkpoint is signed.

use std::path::Path;

mod common;

use common::{BIN, run, text};

const ANCHOR: &str = "audit-anchor.jsonl";

fn demo(db: &str, data: &Path, witness: &Path) {
    let o = std::process::Command::new(BIN)
        .args(["--database", db, "--data-dir"])
        .arg(data)
        .arg("--audit-witness")
        .arg(witness)
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

fn with_witness(db: &str, data: &Path, witness: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(["--database", db, "--data-dir"])
        .arg(data)
        .arg("--audit-witness")
        .arg(witness)
        .args(args)
        .env_remove("SHUANGSUIJI_PASSWORD")
        .output()
        .unwrap()
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn sizes(db: &str) -> (u64, Vec<u64>) {
    let s = ssj_app::open_store(db).await.unwrap();
    let n = s.audit_size().await.unwrap();
    let c = s
        .checkpoints()
        .await
        .unwrap()
        .iter()
        .map(|c| c.tree_size)
        .collect();
    s.close().await;
    (n, c)
}

async fn sqlite(db: &str, sql: &str) {
    let store = ssj_storage_sqlite::SqliteStore::open(Path::new(db))
        .await
        .unwrap();
    store.execute_unchecked(sql).await.unwrap();
    store.pool().close().await;
}

#[tokio::test]
async fn every_state_changing_command_signs_and_anchors_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let (data, witness) = (dir.path().join("data"), dir.path().join("witness"));
    demo(&db, &data, &witness);
    let (n, cps) = sizes(&db).await;
    assert_eq!(cps.last(), Some(&n), "demo leaves its log signed");
    let anchored = lines(&data.join(ANCHOR));
    assert_eq!(anchored.last().unwrap()["tree_size"], n);
    assert_eq!(
        lines(&witness.join(ANCHOR)),
        anchored,
        "the witness has the same"
    );

    // A change from the command line is signed before the command exits, not at the next start.
    let o = with_witness(
        &db,
        &data,
        &witness,
        &[
            "user",
            "add",
            "--username",
            "li.si",
            "--name",
            "李四",
            "--department",
            "高平市市场监督管理局",
            "--role",
            "planner",
            "--password",
            "Gaoping-Plan-2026!",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let (n2, cps2) = sizes(&db).await;
    assert!(n2 > n);
    assert_eq!(cps2.last(), Some(&n2), "{}", text(&o));
    assert_eq!(lines(&data.join(ANCHOR)).last().unwrap()["tree_size"], n2);
    assert_eq!(
        lines(&witness.join(ANCHOR)).last().unwrap()["tree_size"],
        n2
    );

    // A command that changes nothing signs nothing.
    let o = with_witness(&db, &data, &witness, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(sizes(&db).await.1, cps2);
}

#[tokio::test]
async fn deleting_the_newest_records_with_the_newest_checkpoint_is_caught_by_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let (data, witness) = (dir.path().join("data"), dir.path().join("witness"));
    demo(&db, &data, &witness);
    let (n, cps) = sizes(&db).await;
    assert!(cps.len() == 1, "{cps:?}");
    // Sign an earlier size too, as the server does every few minutes, then roll back to it.
    sqlite(
        &db,
        "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_checkpoint_no_delete;",
    )
    .await;
    let keep = n - 5;
    sqlite(&db, &format!("DELETE FROM audit_log WHERE seq >= {keep}")).await;
    sqlite(&db, "DELETE FROM audit_checkpoint").await;
    // Without the anchor this log would now pass and be signed at size `keep`.
    let o = with_witness(&db, &data, &witness, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("AUDIT_ANCHOR_MISMATCH"), "{t}");
    assert!(t.contains("数据库中没有任何检查点"), "{t}");
    assert!(t.contains(&data.join(ANCHOR).display().to_string()), "{t}");
    assert!(t.contains(&format!("{n} 条记录")), "{t}");

    let o = with_witness(&db, &data, &witness, &["audit", "checkpoint"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("拒绝签发检查点"), "{}", text(&o));
    assert!(
        sizes(&db).await.1.is_empty(),
        "nothing was signed over the shortened log"
    );
}

#[tokio::test]
async fn a_rewritten_log_is_caught_by_the_witness_when_the_data_dir_goes_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let (data, witness) = (dir.path().join("data"), dir.path().join("witness"));
    demo(&db, &data, &witness);
    let (n, _) = sizes(&db).await;
    // The whole log rebuilt: here, a fresh demo database signed with the same key, its
    // records different; the attacker also restores an anchor file that matches it.
    let fake = dir.path().join("fake.db").display().to_string();
    let fake_data = dir.path().join("fake-data");
    std::fs::create_dir_all(&fake_data).unwrap();
    std::fs::copy(
        data.join("audit-signing.key"),
        fake_data.join("audit-signing.key"),
    )
    .unwrap();
    let o = run(&fake, &fake_data, &["demo", "--no-serve"]);
    assert!(o.status.success(), "{}", text(&o));
    std::fs::copy(&fake, &db).unwrap();
    std::fs::copy(fake_data.join(ANCHOR), data.join(ANCHOR)).unwrap();
    let _ = std::fs::remove_file(format!("{db}-wal"));
    let _ = std::fs::remove_file(format!("{db}-shm"));

    // The data directory alone is fooled; the witness is not.
    assert!(run(&db, &data, &["audit", "verify"]).status.success());
    let o = with_witness(&db, &data, &witness, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains(&witness.join(ANCHOR).display().to_string()),
        "{t}"
    );
    assert!(t.contains(&format!("{n} 条记录")), "{t}");
}
