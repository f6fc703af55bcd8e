//! The audit signing key lives beside the database and is never silently replaced: a database
//! with checkpoints refuses to open without the key that signed them.

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::{BIN, run, text};

const KEY: &str = "audit-signing.key";

/// Runs the binary in `cwd` with `--database` only (no `--data-dir`, nor its variable).
fn run_in(cwd: &Path, db: &Path, args: &[&str]) -> Output {
    std::fs::create_dir_all(cwd).unwrap();
    Command::new(BIN)
        .current_dir(cwd)
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("SHUANGSUIJI_DATA_DIR")
        .env_remove("SHUANGSUIJI_DATABASE")
        .env_remove("SHUANGSUIJI_PASSWORD")
        .output()
        .expect("run shuangsuiji")
}

/// A database with one audit record and a signed checkpoint of it.
fn signed_database(cwd: &Path, db: &Path) {
    let csv = cwd.join("divisions.csv");
    std::fs::create_dir_all(cwd).unwrap();
    std::fs::write(&csv, "代码,名称\n140581,高平市\n").unwrap();
    let o = run_in(cwd, db, &["division", "import", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run_in(cwd, db, &["audit", "checkpoint"]);
    assert!(o.status.success(), "{}", text(&o));
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", text(o));
}

#[test]
fn the_key_is_found_beside_the_database_from_any_working_directory() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("store").join("y.db");
    signed_database(&t.path().join("first"), &db);
    let key = t.path().join("store").join("shuangsuiji-data").join(KEY);
    assert!(key.is_file(), "the key sits beside the database");
    let before = std::fs::read(&key).unwrap();

    let elsewhere = t.path().join("second");
    let o = run_in(&elsewhere, &db, &["audit", "verify"]);
    ok(&o);
    assert!(text(&o).contains("1 个检查点均一致"), "{}", text(&o));
    assert!(!elsewhere.join("shuangsuiji-data").exists());
    assert!(!t.path().join("first").join("shuangsuiji-data").exists());
    assert_eq!(
        std::fs::read(&key).unwrap(),
        before,
        "the key is not replaced"
    );
}

#[test]
fn a_missing_key_is_refused_by_name_and_not_regenerated() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("y.db");
    signed_database(t.path(), &db);
    let key = t.path().join("shuangsuiji-data").join(KEY);
    std::fs::remove_file(&key).unwrap();

    for args in [
        &["audit", "verify"][..],
        &["division", "list"],
        &["migrate"],
    ] {
        let o = run_in(t.path(), &db, args);
        let out = text(&o);
        assert!(!o.status.success(), "{args:?} must fail: {out}");
        assert!(out.contains("SIGNING_KEY_MISSING"), "{out}");
        assert!(out.contains(&key.display().to_string()), "{out}");
        assert!(out.contains("--data-dir"), "{out}");
        assert!(out.contains("备份"), "{out}");
        assert!(!key.exists(), "no new key is made for a signed database");
    }
}

#[test]
fn a_key_that_did_not_sign_the_checkpoints_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("a").join("y.db");
    signed_database(t.path(), &db);
    let other = t.path().join("b").join("z.db");
    ok(&run_in(t.path(), &other, &["migrate"]));
    let key = t.path().join("a").join("shuangsuiji-data").join(KEY);
    let foreign = t.path().join("b").join("shuangsuiji-data").join(KEY);
    std::fs::copy(&foreign, &key).unwrap();

    let o = run_in(t.path(), &db, &["audit", "checkpoint"]);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("SIGNING_KEY_MISMATCH"), "{out}");
    assert!(out.contains(&key.display().to_string()), "{out}");
}

#[test]
fn a_fresh_database_makes_its_key_beside_it() {
    let t = tempfile::tempdir().unwrap();
    let cwd = t.path().join("cwd");
    let db = t.path().join("new").join("fresh.db");
    ok(&run_in(&cwd, &db, &["migrate"]));
    assert!(
        t.path()
            .join("new")
            .join("shuangsuiji-data")
            .join(KEY)
            .is_file()
    );
    assert!(!cwd.join("shuangsuiji-data").exists());
}

#[test]
fn an_explicit_data_dir_still_wins() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("y.db");
    let data = t.path().join("keys");
    let o = Command::new(BIN)
        .current_dir(t.path())
        .arg("--database")
        .arg(&db)
        .arg("--data-dir")
        .arg(&data)
        .arg("migrate")
        .env_remove("SHUANGSUIJI_DATA_DIR")
        .output()
        .unwrap();
    ok(&o);
    assert!(data.join(KEY).is_file());
    assert!(!t.path().join("shuangsuiji-data").exists());
}

#[tokio::test]
async fn a_rotated_key_takes_over_and_the_old_checkpoints_still_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let data = dir.path().join("data");
    assert!(run(&db, &data, &["demo", "--no-serve"]).status.success());
    let old_key = std::fs::read_to_string(data.join("audit-signing.key")).unwrap();

    let o = run(&db, &data, &["audit", "rotate-key", "--reason", "定期轮换"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已轮换审计签名密钥"), "{}", text(&o));
    let new_key = std::fs::read_to_string(data.join("audit-signing.key")).unwrap();
    assert_ne!(old_key, new_key);
    let retired: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".retired-"))
        .collect();
    assert_eq!(retired.len(), 1, "the old key is kept");
    assert_eq!(std::fs::read_to_string(retired[0].path()).unwrap(), old_key);

    // The next change is signed by the new key, and the whole chain verifies.
    let o = run(
        &db,
        &data,
        &[
            "department",
            "add",
            "--name",
            "高平市审计局",
            "--division",
            "140581",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&db, &data, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));

    let store = ssj_app::open_store(&db).await.unwrap();
    let cps = store.checkpoints().await.unwrap();
    let keys: std::collections::BTreeSet<_> = cps.iter().map(|c| c.public_key.clone()).collect();
    assert_eq!(keys.len(), 2, "old checkpoints keep the old key");
    let (rotations, _) = store
        .audit_search(&ssj_storage::AuditFilter {
            action_prefix: Some("audit.key_rotated".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rotations.len(), 1);
    assert_eq!(
        rotations[0].record.entry.reason.as_deref(),
        Some("定期轮换")
    );
    store.close().await;

    // Putting the old key back is refused: it no longer signs this log.
    std::fs::write(data.join("audit-signing.key"), &old_key).unwrap();
    let o = run(&db, &data, &["audit", "verify"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("SIGNING_KEY_MISMATCH"), "{}", text(&o));
}
