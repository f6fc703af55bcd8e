//! The `shuangsuiji` binary end to end: demo, accounts, audit verify against tampering done
//! directly in the database files, and kill -9 in the middle of a multi-row change.

use ssj_storage::Store;
use std::path::Path;
use std::time::{Duration, Instant};

mod common;

use common::{csrf_of, run, serve, text};

fn demo(db: &str, data: &Path) {
    let o = run(db, data, &["demo", "--no-serve"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("首位管理员：用户名 admin"));
}

async fn seq_of_user_create(db: &str, username: &str) -> u64 {
    let store = ssj_app::open_store(db).await.unwrap();
    let filter = ssj_storage::AuditFilter {
        action_prefix: Some("user.create".into()),
        limit: 100,
        ..Default::default()
    };
    let (records, _) = store.audit_search(&filter).await.unwrap();
    let mine = |r: &&ssj_storage::StoredAudit| {
        r.record
            .entry
            .after
            .as_deref()
            .unwrap_or("")
            .contains(username)
    };
    let seq = records.iter().find(mine).unwrap().record.seq;
    store.close().await; // folds the WAL back into the file the test edits
    seq
}

#[tokio::test]
async fn accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db").display().to_string();
    let data = dir.path().join("data");
    demo(&db, &data);
    let o = run(
        &db,
        &data,
        &[
            "user",
            "add",
            "--username",
            "zhou.jie",
            "--name",
            "周杰",
            "--department",
            "高平市教育局",
            "--role",
            "执法人员",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("初始密码："));
    let o = run(
        &db,
        &data,
        &[
            "user",
            "add",
            "--username",
            "zhou.jie2",
            "--name",
            "周杰",
            "--department",
            "99",
            "--role",
            "officer",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("找不到部门") && text(&o).contains("DEPARTMENT_NOT_FOUND"));
    let o = run(
        &db,
        &data,
        &[
            "user",
            "add",
            "--username",
            "x",
            "--name",
            "周杰",
            "--department",
            "2",
            "--role",
            "officer",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("USERNAME_INVALID"));
    let o = run(&db, &data, &["user", "list", "--format", "csv"]);
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.contains(",zhou.jie,周杰,高平市教育局,officer,"))
    );
    let o = run(
        &db,
        &data,
        &["user", "passwd", "zhou.jie", "--password", "short"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("密码至少 10 位"));
    let o = run(&db, &data, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&db, &data, &["--audit-hash", "sm3", "migrate"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the hash function of an existing log is fixed"
    );
    assert!(text(&o).contains("HASH_ALG_FIXED"));
}

#[tokio::test]
async fn bytes_changed_in_the_sqlite_file_are_named_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("t.db");
    let db = db_path.display().to_string();
    let data = dir.path().join("data");
    demo(&db, &data);
    assert!(run(&db, &data, &["audit", "verify"]).status.success());
    let seq = seq_of_user_create(&db, "scjg.plan").await;
    // Edit the file itself, as someone with the disk in hand would: no SQL, no triggers.
    let mut bytes = std::fs::read(&db_path).unwrap();
    assert!(
        !Path::new(&format!("{db}-wal")).exists()
            || std::fs::metadata(format!("{db}-wal")).unwrap().len() == 0,
        "WAL checkpointed on close"
    );
    let needle = br#""role":"planner","scope":"own_department","username":"scjg.plan""#;
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the record's bytes are in the file");
    bytes[at + 9..at + 16].copy_from_slice(b"officer");
    std::fs::write(&db_path, &bytes).unwrap();
    let o = run(&db, &data, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("审计记录 #{seq} 被篡改")),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn deleting_the_last_record_is_detected_against_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let data = dir.path().join("data");
    demo(&db, &data);
    let size = {
        let s = ssj_app::open_store(&db).await.unwrap();
        let n = s.audit_size().await.unwrap();
        s.close().await;
        n
    };
    let store = ssj_storage_sqlite::SqliteStore::open(Path::new(&db))
        .await
        .unwrap();
    store
        .execute_unchecked("DROP TRIGGER audit_log_no_delete")
        .await
        .unwrap();
    store
        .execute_unchecked(&format!("DELETE FROM audit_log WHERE seq = {}", size - 1))
        .await
        .unwrap();
    store.pool().close().await;
    let o = run(&db, &data, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains(&format!("审计记录 #{} 至 #{} 缺失", size - 1, size - 1)),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn a_row_changed_in_postgresql_is_named_by_verify() {
    let url = ssj_storage_conformance::harness::pg_fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    demo(&url, &data);
    assert!(run(&url, &data, &["audit", "verify"]).status.success());
    let seq = seq_of_user_create(&url, "cgj.plan").await;
    let store = ssj_storage_postgres::PgStore::connect(&url).await.unwrap();
    let refused = store
        .execute_unchecked(&format!(
            "UPDATE audit_log SET actor = 'nobody' WHERE seq = {seq}"
        ))
        .await;
    assert!(refused.is_err(), "the trigger refuses updates");
    // An attacker with database rights drops the trigger first.
    store
        .execute_unchecked("DROP TRIGGER audit_log_insert_only ON audit_log")
        .await
        .unwrap();
    store
        .execute_unchecked(&format!(
            "UPDATE audit_log SET actor = 'nobody' WHERE seq = {seq}"
        ))
        .await
        .unwrap();
    store.close().await;
    let o = run(&url, &data, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("审计记录 #{seq} 被篡改")),
        "{}",
        text(&o)
    );
}

async fn login(base: &str, password: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("username", "admin"),
            ("password", password),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_a_multi_row_change_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db").display().to_string();
    let data = dir.path().join("data");
    demo(&db, &data);
    let o = run(
        &db,
        &data,
        &["user", "passwd", "admin", "--password", "Killtest2024pass"],
    );
    assert!(o.status.success());
    let (mut child, base, stderr) = serve(&db, &data);
    let c = login(&base, "Killtest2024pass").await;
    let console = c
        .get(format!("{base}/console/admin/org"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&console);
    // 40,000 county-level codes: one request, one transaction, 40,000 rows and audit records.
    let mut csv = String::from("代码,名称\n");
    let mut rows = 0;
    'outer: for prov in 41..=49 {
        for city in 1..=99 {
            for county in 1..=99 {
                csv.push_str(&format!("{prov}{city:02}{county:02},测试县{rows}\n"));
                rows += 1;
                if rows == 40_000 {
                    break 'outer;
                }
            }
        }
    }
    let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("divisions.csv"),
    );
    let upload = tokio::spawn(
        c.post(format!("{base}/console/admin/divisions/import"))
            .multipart(form)
            .send(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the import starts");
        if line.contains("division import: transaction started") {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        upload.await.unwrap().is_err(),
        "the request died with the server"
    );

    let o = run(&db, &data, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let store = ssj_app::open_store(&db).await.unwrap();
    let divisions = store.divisions().await.unwrap().len();
    let records = store.audit_size().await.unwrap();
    assert!(
        divisions == 3 || divisions == 3 + rows,
        "all or nothing, got {divisions} divisions"
    );
    let (created, _) = store
        .audit_search(&ssj_storage::AuditFilter {
            action_prefix: Some("division.create".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let logged = store
        .audit_search(&ssj_storage::AuditFilter {
            action_prefix: Some("division.create".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .1;
    assert_eq!(
        logged as usize,
        divisions,
        "each division has its record, no more, no less ({records} records, {} shown)",
        created.len()
    );
    // The platform starts again on the same file and works.
    let (mut again, base, _) = serve(&db, &data);
    let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    again.kill().unwrap();
    again.wait().unwrap();
}

/// `audit prove` and `audit consistency` output, checked with an independent RFC 6962
/// implementation (ct-merkle) over the records read back from the database.
#[tokio::test]
async fn proofs_from_the_command_line_verify_independently() {
    use ct_merkle::mem_backed_tree::MemoryBackedTree;
    use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let data = dir.path().join("data");
    demo(&db, &data);
    let store = ssj_app::open_store(&db).await.unwrap();
    let n = store.audit_size().await.unwrap();
    let records: Vec<Vec<u8>> = store
        .audit_range(0, n)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.record
                .canonical_bytes(ssj_merkle::HashAlg::Sha256)
                .unwrap()
        })
        .collect();
    store.close().await;
    let tree = |k: usize| {
        let mut t = MemoryBackedTree::<sha2::Sha256, Vec<u8>>::new();
        records[..k].iter().for_each(|r| t.push(r.clone()));
        t
    };
    let full = tree(records.len());
    let hashes = |v: &serde_json::Value| -> Vec<[u8; 32]> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|h| ssj_merkle::from_hex(h.as_str().unwrap()).unwrap())
            .collect()
    };

    let o = run(&db, &data, &["audit", "prove", "5"]);
    assert!(o.status.success(), "{}", text(&o));
    let proof: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        proof["tree_size"], n,
        "proved against the demo's checkpoint"
    );
    assert_eq!(
        proof["root"].as_str().unwrap(),
        ssj_merkle::to_hex(&(*full.root().as_bytes()).into())
    );
    let path = hashes(&proof["proof"]);
    let theirs = InclusionProof::<sha2::Sha256>::from_digests(path.iter().map(|h| h.into()));
    full.root()
        .verify_inclusion(&records[5], 5, &theirs)
        .expect("inclusion verifies");

    let o = run(&db, &data, &["audit", "consistency", "10"]);
    assert!(o.status.success(), "{}", text(&o));
    let c: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let old = tree(10);
    assert_eq!(
        c["from_root"].as_str().unwrap(),
        ssj_merkle::to_hex(&(*old.root().as_bytes()).into())
    );
    let path = hashes(&c["proof"]);
    let theirs = ConsistencyProof::<sha2::Sha256>::from_digests(path.iter().map(|h| h.into()));
    let old_root = RootHash::<sha2::Sha256>::new(*old.root().as_bytes(), 10);
    full.root()
        .verify_consistency(&old_root, &theirs)
        .expect("consistency verifies");

    let o = run(&db, &data, &["audit", "prove", "99999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("PROOF_RANGE"));
}
