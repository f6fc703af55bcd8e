//! The cases. Each takes a harness, gets a fresh database, and asserts behaviour that every
//! backend must share. They go through `ssj_app::Platform`, as the console and CLI do.

mod directory;
mod draws;
mod plans;

pub use directory::*;
pub use draws::*;
pub use plans::*;

use crate::harness::{Fresh, Harness};
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use ed25519_dalek::SigningKey;
use ssj_app::accounts::{AccountChange, NewAccount};
use ssj_app::{Actor, ErrorKind, LoginOutcome, Platform};
use ssj_domain::Role;
use ssj_merkle::{HashAlg, from_hex};
use ssj_storage::AuditFilter;
use std::sync::Arc;

const PASSWORD: &str = "Gaoping2024pass";

fn signing_key() -> SigningKey {
    let seed: [u8; 32] = hex::decode(ssj_app::keys::random_hex(32))
        .unwrap()
        .try_into()
        .unwrap();
    SigningKey::from_bytes(&seed)
}

async fn platform(f: &Fresh, alg: HashAlg) -> Platform {
    Platform::with_store(Arc::clone(&f.store), signing_key(), Some(alg))
        .await
        .expect("platform")
}

/// A small county: province, city, county; a city bureau and two county departments.
async fn county(p: &Platform) -> (i64, i64, i64) {
    let cli = Actor::command_line();
    p.import_divisions(
        &cli,
        "代码,名称\n140000,山西省\n140500,晋城市\n140581,高平市\n",
    )
    .await
    .unwrap();
    let city = p
        .create_department(&cli, "晋城市市场监督管理局", "140500")
        .await
        .unwrap()
        .id;
    let scjg = p
        .create_department(&cli, "高平市市场监督管理局", "140581")
        .await
        .unwrap()
        .id;
    let cgj = p
        .create_department(&cli, "高平市城市管理局", "140581")
        .await
        .unwrap()
        .id;
    (city, scjg, cgj)
}

fn account(username: &str, department_id: i64, role: Role) -> NewAccount {
    NewAccount {
        username: username.into(),
        display_name: format!("测试{username}"),
        department_id,
        role: role.key().into(),
        scope: None,
        password: PASSWORD.into(),
        must_change_password: false,
    }
}

async fn actor(p: &Platform, username: &str) -> Actor {
    let u = p
        .user_by_name(&Actor::command_line(), username)
        .await
        .unwrap();
    p.actor_for(&u).await.unwrap()
}

pub async fn migrations_are_idempotent(h: &dyn Harness) {
    const APPLIED: &str = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
    let f = h.fresh().await; // the first open ran the migrator on an empty database
    let p = platform(&f, HashAlg::Sha256).await;
    county(&p).await;
    let migrations = f.raw.count(APPLIED).await.unwrap();
    assert_eq!(
        migrations as usize,
        h.migration_files(),
        "each migration once"
    );
    let schema = f.raw.count(h.schema_objects_sql()).await.unwrap();
    let records = f.store.audit_size().await.unwrap();
    // A restart opens the same database again, and the migrator runs again on it: nothing
    // is applied twice, nothing changes, nothing is lost.
    for _ in 0..2 {
        let again = Platform::with_store(h.reopen(&f).await, signing_key(), None)
            .await
            .unwrap();
        assert_eq!(again.alg, HashAlg::Sha256);
        assert_eq!(again.departments().await.unwrap().len(), 3);
        assert_eq!(again.audit_size().await.unwrap(), records);
        assert!(again.verify().await.unwrap().problem.is_none());
        assert_eq!(f.raw.count(APPLIED).await.unwrap(), migrations);
        assert_eq!(f.raw.count(h.schema_objects_sql()).await.unwrap(), schema);
        again.close().await;
    }
    let err = Platform::with_store(h.reopen(&f).await, signing_key(), Some(HashAlg::Sm3))
        .await
        .err()
        .unwrap();
    assert_eq!(err.code, "HASH_ALG_FIXED");
}

pub async fn organisations_round_trip(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (city, scjg, _) = county(&p).await;
    let divisions = f.store.divisions().await.unwrap();
    assert_eq!(divisions.len(), 3);
    let gaoping = divisions
        .iter()
        .find(|d| d.code.as_str() == "140581")
        .unwrap();
    assert_eq!(gaoping.parent.as_ref().unwrap().as_str(), "140500");
    let d = f.store.department(scjg).await.unwrap().unwrap();
    assert_eq!(
        (d.name.as_str(), d.division.as_str(), d.active),
        ("高平市市场监督管理局", "140581", true)
    );
    let cli = Actor::command_line();
    let dup = p
        .create_department(&cli, "高平市市场监督管理局", "140581")
        .await
        .unwrap_err();
    assert_eq!(dup.code, "DEPARTMENT_EXISTS");
    let retired = p
        .update_department(
            &cli,
            city,
            "晋城市市场监督管理局",
            false,
            Some("机构改革".into()),
        )
        .await
        .unwrap();
    assert!(!retired.active);
    let unknown = p
        .create_department(&cli, "某局", "410000")
        .await
        .unwrap_err();
    assert_eq!(unknown.code, "DIVISION_NOT_FOUND");
    assert!(p.verify().await.unwrap().problem.is_none());
}

pub async fn accounts_and_scope(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (city, scjg, cgj) = county(&p).await;
    let cli = Actor::command_line();
    p.create_user(&cli, account("city.admin", city, Role::DepartmentAdmin))
        .await
        .unwrap();
    p.create_user(&cli, account("scjg.admin", scjg, Role::DepartmentAdmin))
        .await
        .unwrap();
    p.create_user(&cli, account("cgj.plan", cgj, Role::Planner))
        .await
        .unwrap();

    let dup = p
        .create_user(&cli, account("CGJ.plan", cgj, Role::Planner))
        .await
        .unwrap_err();
    assert_eq!(dup.code, "USERNAME_TAKEN");

    // The city admin sees the county below; the county admin only their own department.
    let city_admin = actor(&p, "city.admin").await;
    let county_admin = actor(&p, "scjg.admin").await;
    let seen: Vec<String> = p
        .users_visible_to(&city_admin)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
    let seen: Vec<String> = p
        .users_visible_to(&county_admin)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(seen, vec!["scjg.admin".to_string()]);

    let out_of_scope = p
        .create_user(&county_admin, account("cgj.zf", cgj, Role::Officer))
        .await
        .unwrap_err();
    assert_eq!(out_of_scope.kind, ErrorKind::Forbidden);
    let no_grant = p
        .create_user(&county_admin, account("scjg.root", scjg, Role::SystemAdmin))
        .await
        .unwrap_err();
    assert_eq!(no_grant.kind, ErrorKind::Forbidden);
    let officer = p
        .create_user(&county_admin, account("scjg.zf01", scjg, Role::Officer))
        .await
        .unwrap();
    assert_eq!(officer.scope, ssj_domain::DataScope::OwnDepartment);
    let planner = actor(&p, "cgj.plan").await;
    assert_eq!(
        p.create_user(&planner, account("x.y.z", cgj, Role::Officer))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Forbidden
    );

    let changed = p
        .update_user(
            &county_admin,
            officer.id,
            AccountChange {
                display_name: "赵强".into(),
                department_id: scjg,
                role: "reviewer".into(),
                scope: "own_department".into(),
                active: true,
                reason: Some("岗位调整".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.role, Role::Reviewer);
    let (records, _) = f
        .store
        .audit_search(&AuditFilter {
            action_prefix: Some("user.role_change".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    let e = &records[0].record.entry;
    assert_eq!(e.actor_name, "scjg.admin");
    assert!(e.before.as_ref().unwrap().contains("\"officer\""));
    assert!(e.after.as_ref().unwrap().contains("\"reviewer\""));
    assert_eq!(e.reason.as_deref(), Some("岗位调整"));
    assert!(
        !e.after.as_ref().unwrap().contains("argon2"),
        "no password hash in the log"
    );
    let mut weak_acc = account("weak.pw", scjg, Role::Officer);
    weak_acc.password = "short".into();
    assert_eq!(
        p.create_user(&cli, weak_acc).await.unwrap_err().code,
        "PASSWORD_TOO_SHORT"
    );
}

pub async fn login_lockout_and_sessions(h: &dyn Harness) {
    let f = h.fresh().await;
    let mut p = platform(&f, HashAlg::Sha256).await;
    // A low account threshold, so that the lock shows in a few attempts.
    p.policy.max_failed_logins = 5;
    let (_, scjg, _) = county(&p).await;
    p.create_user(
        &Actor::command_line(),
        account("li.ming", scjg, Role::Planner),
    )
    .await
    .unwrap();
    const FROM: &str = "192.0.2.10";

    let LoginOutcome::LoggedIn { token, .. } = p.login(FROM, "LI.MING", PASSWORD).await.unwrap()
    else {
        panic!("login")
    };
    let (u, _) = p
        .session_user(&token)
        .await
        .unwrap()
        .expect("session alive");
    assert_eq!(u.username, "li.ming");
    p.logout(&token).await.unwrap();
    assert!(p.session_user(&token).await.unwrap().is_none());

    // Every refusal reads the same, the one that locks the account included.
    for i in 1..=5 {
        let LoginOutcome::Refused(e) = p.login(FROM, "li.ming", "wrong-password-1").await.unwrap()
        else {
            panic!()
        };
        assert_eq!(e.code, "LOGIN_FAILED", "attempt {i}");
    }
    // Locked: even the right password is refused, in the same words.
    let LoginOutcome::Refused(e) = p.login(FROM, "li.ming", PASSWORD).await.unwrap() else {
        panic!("locked")
    };
    assert_eq!(e.code, "LOGIN_FAILED");
    let locked = f.store.user_by_name("li.ming").await.unwrap().unwrap();
    assert!(locked.locked_until_ms.unwrap() > ssj_app::clock::now_ms() + 14 * 60 * 1000);
    p.unlock_user(&Actor::command_line(), locked.id)
        .await
        .unwrap();
    assert!(matches!(
        p.login(FROM, "li.ming", PASSWORD).await.unwrap(),
        LoginOutcome::LoggedIn { .. }
    ));

    let LoginOutcome::Refused(e) = p.login(FROM, "nobody", PASSWORD).await.unwrap() else {
        panic!()
    };
    assert_eq!(e.code, "LOGIN_FAILED");
    let (records, total) = f
        .store
        .audit_search(&AuditFilter {
            action_prefix: Some("auth.".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        total, 6,
        "login, logout, first failure, lock, login with the burst's summary; the unknown \
         name is counted for the next summary"
    );
    let action = |a: &str| records.iter().find(|r| r.record.entry.action == a);
    assert!(action("auth.locked").is_some());
    let summary = action("auth.login_failures").expect("a summary");
    assert_eq!(summary.record.entry.target_id, FROM);
    assert!(
        summary
            .record
            .entry
            .reason
            .as_deref()
            .unwrap()
            .contains(" 6 次失败"),
        "{:?}",
        summary.record.entry.reason
    );

    // An idle session expires.
    let LoginOutcome::LoggedIn { token, .. } = p.login(FROM, "li.ming", PASSWORD).await.unwrap()
    else {
        panic!()
    };
    let mut short = platform(&f, HashAlg::Sha256).await;
    short.policy.session_idle_ms = -1;
    assert!(short.session_user(&token).await.unwrap().is_none());
    assert!(
        p.session_user(&token).await.unwrap().is_none(),
        "the expired session was removed"
    );

    // So does an active one past its absolute lifetime.
    let LoginOutcome::LoggedIn { token, .. } = p.login(FROM, "li.ming", PASSWORD).await.unwrap()
    else {
        panic!()
    };
    let mut old = platform(&f, HashAlg::Sha256).await;
    old.policy.session_max_ms = -1;
    assert!(old.session_user(&token).await.unwrap().is_none());
    assert!(
        p.session_user(&token).await.unwrap().is_none(),
        "the old session was removed"
    );

    // A password set at the command line (`shuangsuiji user passwd`) lifts a lock.
    for _ in 0..5 {
        p.login("192.0.2.11", "li.ming", "wrong-password-1")
            .await
            .unwrap();
    }
    let id = f.store.user_by_name("li.ming").await.unwrap().unwrap().id;
    assert!(matches!(
        p.login("192.0.2.11", "li.ming", PASSWORD).await.unwrap(),
        LoginOutcome::Refused(_)
    ));
    p.set_password(&Actor::command_line(), id, None, "Another-pass-2024")
        .await
        .unwrap();
    assert!(matches!(
        p.login("192.0.2.11", "li.ming", "Another-pass-2024")
            .await
            .unwrap(),
        LoginOutcome::LoggedIn { .. }
    ));
}

pub async fn a_change_and_its_record_commit_together(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (_, scjg, _) = county(&p).await;
    let before = f.store.audit_size().await.unwrap();
    {
        // A transaction dropped before commit leaves neither the change nor its record.
        let mut tx = f.store.begin().await.unwrap();
        let mut log = ssj_app::audit::Appender::open(&mut *tx, p.alg)
            .await
            .unwrap();
        tx.insert_department(&ssj_storage::NewDepartment {
            name: "回滚测试局".into(),
            division: ssj_domain::DivisionCode::parse("140581").unwrap(),
            created_ms: 0,
        })
        .await
        .unwrap();
        log.append(
            &mut *tx,
            Actor::command_line().entry("department.create", "department", 99),
            0,
        )
        .await
        .unwrap();
    }
    assert_eq!(f.store.audit_size().await.unwrap(), before);
    assert!(
        !f.store
            .departments()
            .await
            .unwrap()
            .iter()
            .any(|d| d.name == "回滚测试局")
    );
    p.create_user(
        &Actor::command_line(),
        account("li.ming", scjg, Role::Planner),
    )
    .await
    .unwrap();
    assert_eq!(f.store.audit_size().await.unwrap(), before + 1);
    assert!(p.verify().await.unwrap().problem.is_none());
}

pub async fn log_is_insert_only(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    county(&p).await;
    p.checkpoint().await.unwrap().expect("a checkpoint");
    for sql in [
        "UPDATE audit_log SET actor = 'x' WHERE seq = 0",
        "DELETE FROM audit_log WHERE seq = 0",
        "UPDATE audit_checkpoint SET tree_size = 1",
        "DELETE FROM audit_checkpoint",
    ] {
        let err = f.raw.exec(sql).await.expect_err(sql);
        assert!(err.contains("insert-only"), "{sql}: {err}");
    }
    assert!(p.verify().await.unwrap().problem.is_none());
}

pub async fn proofs_match_an_independent_implementation(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (_, scjg, _) = county(&p).await;
    for i in 0..20 {
        p.create_user(
            &Actor::command_line(),
            account(&format!("user{i:02}"), scjg, Role::Officer),
        )
        .await
        .unwrap();
    }
    let c = p.checkpoint().await.unwrap().unwrap();
    let n = f.store.audit_size().await.unwrap();
    assert_eq!(c.tree_size, n);

    let mut oracle = MemoryBackedTree::<sha2::Sha256, Vec<u8>>::new();
    for r in f.store.audit_range(0, n).await.unwrap() {
        oracle.push(
            r.record
                .canonical_bytes(ssj_merkle::HashAlg::Sha256)
                .unwrap(),
        );
    }
    assert_eq!(&oracle.root().as_bytes()[..], &c.root[..]);

    for seq in [0, 1, n / 2, n - 1] {
        let proof = p.inclusion_proof(seq, None).await.unwrap();
        let hashes: Vec<[u8; 32]> = proof.proof.iter().map(|h| from_hex(h).unwrap()).collect();
        let theirs = InclusionProof::<sha2::Sha256>::from_digests(hashes.iter().map(|h| h.into()));
        oracle
            .root()
            .verify_inclusion(&proof.record.as_bytes().to_vec(), seq, &theirs)
            .expect("inclusion verifies");
    }
    let old = 7;
    let mut old_tree = MemoryBackedTree::<sha2::Sha256, Vec<u8>>::new();
    for r in f.store.audit_range(0, old).await.unwrap() {
        old_tree.push(
            r.record
                .canonical_bytes(ssj_merkle::HashAlg::Sha256)
                .unwrap(),
        );
    }
    let cp = p.consistency_proof(old, None).await.unwrap();
    assert_eq!(cp.from_root, hex::encode(old_tree.root().as_bytes()));
    let hashes: Vec<[u8; 32]> = cp.proof.iter().map(|h| from_hex(h).unwrap()).collect();
    let theirs = ConsistencyProof::<sha2::Sha256>::from_digests(hashes.iter().map(|h| h.into()));
    let old_root = RootHash::<sha2::Sha256>::new(*old_tree.root().as_bytes(), old);
    oracle
        .root()
        .verify_consistency(&old_root, &theirs)
        .expect("consistency verifies");
}

pub async fn tampered_record_is_named(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (_, scjg, _) = county(&p).await;
    p.create_user(
        &Actor::command_line(),
        account("li.ming", scjg, Role::Planner),
    )
    .await
    .unwrap();
    p.checkpoint().await.unwrap();
    f.raw.exec(h.drop_guard_sql()).await.unwrap();
    f.raw.exec("UPDATE audit_log SET after_json = replace(after_json, 'planner', 'system_admin') WHERE seq = 6").await.unwrap();
    let report = p.verify().await.unwrap();
    let problem = report.problem.expect("tampering detected");
    assert_eq!(
        (problem.seq, problem.code),
        (Some(6), "AUDIT_RECORD_ALTERED"),
        "{problem}"
    );
    assert!(problem.message.contains("#6"));
    // A later checkpoint signs the stored hashes, not the altered text: it launders nothing.
    p.create_user(
        &Actor::command_line(),
        account("wang.li", scjg, Role::Officer),
    )
    .await
    .unwrap();
    p.checkpoint()
        .await
        .unwrap()
        .expect("new records, new checkpoint");
    assert_eq!(p.verify().await.unwrap().problem.unwrap().seq, Some(6));
}

pub async fn deleted_last_record_is_detected_against_checkpoint(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    county(&p).await;
    let c = p.checkpoint().await.unwrap().unwrap();
    f.raw.exec(h.drop_guard_sql()).await.unwrap();
    let last = c.tree_size - 1;
    f.raw
        .exec(&format!("DELETE FROM audit_log WHERE seq = {last}"))
        .await
        .unwrap();
    let problem = p
        .verify()
        .await
        .unwrap()
        .problem
        .expect("deletion detected");
    assert_eq!(
        (problem.seq, problem.code),
        (Some(last), "AUDIT_RECORD_MISSING"),
        "{problem}"
    );
}

pub async fn division_import_is_all_or_nothing(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    let err = p
        .import_divisions(
            &cli,
            "代码,名称\n140000,山西省\n14050,晋城市\n140581,\n140000,重复\n",
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "IMPORT_REJECTED");
    assert!(
        err.message.contains("第 3 行")
            && err.message.contains("第 4 行")
            && err.message.contains("第 5 行"),
        "{}",
        err.message
    );
    assert!(f.store.divisions().await.unwrap().is_empty());
    assert_eq!(f.store.audit_size().await.unwrap(), 0);
    assert_eq!(
        p.import_divisions(&cli, "").await.unwrap_err().code,
        "IMPORT_EMPTY"
    );
    assert_eq!(
        p.import_divisions(&cli, "\u{feff}140000,山西省\r\n140500,晋城市\r\n")
            .await
            .unwrap(),
        2
    );
}

pub async fn audit_search_filters_and_scope(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (city, scjg, cgj) = county(&p).await;
    let cli = Actor::command_line();
    p.create_user(&cli, account("city.admin", city, Role::DepartmentAdmin))
        .await
        .unwrap();
    let city_admin = actor(&p, "city.admin").await;
    p.create_user(&city_admin, account("scjg.zf", scjg, Role::Officer))
        .await
        .unwrap();
    p.create_user(&city_admin, account("cgj.zf", cgj, Role::Officer))
        .await
        .unwrap();
    let filter = AuditFilter {
        actor: Some("city.admin".into()),
        limit: 1,
        ..Default::default()
    };
    let (page, total) = f.store.audit_search(&filter).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));
    assert_eq!(page[0].record.entry.target_type, "user");
    // Records are filed under the department whose data changed.
    let filter = AuditFilter {
        departments: Some(vec![cgj]),
        limit: 50,
        ..Default::default()
    };
    let (page, total) = f.store.audit_search(&filter).await.unwrap();
    assert_eq!(
        total, 2,
        "the department's creation and its officer's account"
    );
    assert_eq!(page[0].record.entry.actor_name, "city.admin");
    let filter = AuditFilter {
        departments: Some(vec![city]),
        action_prefix: Some("user.".into()),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(f.store.audit_search(&filter).await.unwrap().1, 1);
    let filter = AuditFilter {
        target: Some("division:140581".into()),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(f.store.audit_search(&filter).await.unwrap().1, 1);
    let filter = AuditFilter {
        from_ms: Some(ssj_app::clock::now_ms() + 60_000),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(f.store.audit_search(&filter).await.unwrap().1, 0);
}

pub async fn sm3_log_verifies(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sm3).await;
    county(&p).await;
    let c = p.checkpoint().await.unwrap().unwrap();
    assert_eq!(c.hash_alg, "sm3");
    let report = p.verify().await.unwrap();
    assert!(report.problem.is_none());
    assert_eq!(report.root, c.root);
    assert_ne!(report.root, {
        let mut tree = ssj_merkle::Frontier::empty(HashAlg::Sha256);
        for r in f.store.audit_range(0, c.tree_size).await.unwrap() {
            tree.push(
                HashAlg::Sha256.leaf(
                    &r.record
                        .canonical_bytes(ssj_merkle::HashAlg::Sha256)
                        .unwrap(),
                ),
            );
        }
        tree.root()
    });
    let proof = p.inclusion_proof(2, None).await.unwrap();
    let hashes: Vec<[u8; 32]> = proof.proof.iter().map(|h| from_hex(h).unwrap()).collect();
    ssj_merkle::verify_inclusion(
        HashAlg::Sm3,
        &from_hex(&proof.leaf_hash).unwrap(),
        2,
        c.tree_size,
        &hashes,
        &c.root,
    )
    .unwrap();
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

pub async fn item_list_imports_publishes_and_retires(h: &dyn Harness) {
    use ssj_app::imports::ImportMode;
    use ssj_domain::items::ItemKind;
    use ssj_storage::{ItemFilter, VersionStatus};
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    let hainan = fixture("hainan-2020-random-inspection-item-list.xlsx");
    let preview = p
        .preview_items(&ssj_app::Actor::command_line(), &hainan)
        .await
        .unwrap();
    assert_eq!(
        (
            preview.new,
            preview.changed,
            preview.unchanged,
            preview.rejected()
        ),
        (285, 0, 0, 0)
    );
    assert!(
        p.item_versions().await.unwrap().is_empty(),
        "a preview writes nothing"
    );
    let done = p
        .import_items(&cli, &hainan, ImportMode::AllOrNothing)
        .await
        .unwrap();
    assert_eq!(done.new, 285);
    let again = p
        .import_items(&cli, &hainan, ImportMode::AllOrNothing)
        .await
        .unwrap();
    assert_eq!(
        (again.new, again.unchanged),
        (0, 285),
        "importing the same file changes nothing"
    );
    let v1 = p.publish_items(&cli, "2020年版").await.unwrap();
    assert_eq!(v1.status, VersionStatus::Published);
    let key = ItemFilter {
        version_id: v1.id,
        kind: Some(ItemKind::Key),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(f.store.items(&key).await.unwrap().1, 22);
    let search = ItemFilter {
        version_id: v1.id,
        q: Some("校服".into()),
        limit: 10,
        ..Default::default()
    };
    let (found, n) = f.store.items(&search).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(found[0].bases.len(), 2);
    // A search covers 检查依据 too: the text of a basis finds its item.
    let by_basis = ItemFilter {
        q: Some(found[0].bases[1].clone()),
        ..search.clone()
    };
    let (hits, _) = f.store.items(&by_basis).await.unwrap();
    assert!(
        hits.iter().any(|i| i.id == found[0].id),
        "search by basis {:?}",
        found[0].bases[1]
    );
    // A law by its formal title finds the items that cite its short name too.
    let law = |q: &str| ItemFilter {
        q: Some(q.into()),
        limit: 1000,
        ..search.clone()
    };
    let short = p.items(None, &law("食品安全法")).await.unwrap().1;
    let formal = p
        .items(None, &law("《中华人民共和国食品安全法》"))
        .await
        .unwrap()
        .1;
    assert!(short > 2 && formal == short, "{short} / {formal}");

    // A published version is immutable, even to SQL that skips the platform.
    let err = f
        .raw
        .exec(&format!(
            "UPDATE item SET name = 'x' WHERE version_id = {}",
            v1.id
        ))
        .await
        .unwrap_err();
    assert!(err.contains("immutable"), "{err}");
    assert!(f.raw.exec("DELETE FROM item").await.is_err());

    // Retiring makes a new draft (a copy), leaves version 1 as it was.
    let uniform = found[0].clone();
    p.set_item_retired(
        &cli,
        &ssj_app::items::key(&uniform),
        true,
        "2021年起不再抽查",
    )
    .await
    .unwrap();
    let versions = p.item_versions().await.unwrap();
    assert_eq!(versions.len(), 2);
    let draft = &versions[1];
    assert_eq!(draft.status, VersionStatus::Draft);
    // The publish page shows what the draft changes, field by field.
    let changes = p.draft_changes(&cli).await.unwrap().expect("a draft");
    assert_eq!(
        (
            changes.added.len(),
            changes.removed.len(),
            changes.changed.len()
        ),
        (0, 0, 1)
    );
    assert_eq!(
        changes.changed[0].fields,
        vec![("状态", "在用".to_string(), "已停用".to_string())]
    );
    let live = ItemFilter {
        version_id: draft.id,
        limit: 1000,
        ..Default::default()
    };
    assert_eq!(f.store.items(&live).await.unwrap().1, 284);
    assert_eq!(
        f.store
            .items(&ItemFilter {
                include_retired: true,
                ..live.clone()
            })
            .await
            .unwrap()
            .1,
        285
    );
    assert_eq!(
        f.store
            .version_items(v1.id)
            .await
            .unwrap()
            .iter()
            .filter(|i| i.retired)
            .count(),
        0
    );

    // The joint list goes into the same draft; a broken file changes nothing.
    let joint = p
        .import_items(
            &cli,
            &fixture("hainan-joint-inspection-item-list-v2.xls"),
            ImportMode::AllOrNothing,
        )
        .await
        .unwrap();
    assert!(joint.joint);
    assert_eq!(joint.new, 83);
    let before = f.store.audit_size().await.unwrap();
    let err = p
        .import_items(&cli, b"PK\x03\x04broken", ImportMode::GoodRows)
        .await
        .unwrap_err();
    assert_eq!(err.code, "IMPORT_UNREADABLE");
    assert_eq!(f.store.audit_size().await.unwrap(), before);
    assert!(p.verify().await.unwrap().problem.is_none());
}

pub async fn item_list_round_trips_through_export(h: &dyn Harness) {
    use ssj_app::imports::ImportMode;
    use ssj_import::export::TableFormat;
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    p.import_items(
        &cli,
        &fixture("hainan-2020-random-inspection-item-list.xlsx"),
        ImportMode::AllOrNothing,
    )
    .await
    .unwrap();
    p.import_items(
        &cli,
        &fixture("hainan-joint-inspection-item-list-v2.xls"),
        ImportMode::AllOrNothing,
    )
    .await
    .unwrap();
    for format in [TableFormat::Xlsx, TableFormat::Csv] {
        for (joint, n) in [(false, 285), (true, 83)] {
            let file = p.export_items(None, joint, format).await.unwrap();
            let again = p
                .preview_items(&ssj_app::Actor::command_line(), &file)
                .await
                .unwrap();
            assert_eq!(
                (again.unchanged, again.new, again.changed, again.rejected()),
                (n, 0, 0, 0),
                "{format:?} joint={joint}"
            );
        }
    }
    // The template is the header alone: it reads, and says there is nothing in it.
    let f2 = h.fresh().await;
    let empty = platform(&f2, HashAlg::Sha256).await;
    let template = empty
        .export_items(None, false, TableFormat::Xlsx)
        .await
        .unwrap();
    assert_eq!(
        empty
            .preview_items(&ssj_app::Actor::command_line(), &template)
            .await
            .unwrap_err()
            .code,
        "IMPORT_EMPTY"
    );
}

/// The Zhejiang list imported into 高平市: every enterprise is flagged 行政区划不在本地 at
/// import (its code's division is 33…, the platform's departments are in 1405…), and imported.
pub async fn objects_outside_the_platforms_divisions_are_flagged(h: &dyn Harness) {
    use ssj_app::imports::ImportMode;
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    county(&p).await;
    let zhejiang = fixture("zhejiang-enterprises-2883.xlsx");
    let preview = p.preview_objects(&zhejiang, false).await.unwrap();
    assert_eq!(preview.outside, preview.new, "every valid row is outside");
    assert_eq!(preview.outside_examples.len(), 5);
    assert!(
        preview.outside_examples[0].contains("（33"),
        "{:?}",
        preview.outside_examples
    );
    let done = p
        .import_objects(
            &Actor::command_line(),
            zhejiang,
            ImportMode::GoodRows,
            false,
        )
        .await
        .unwrap();
    assert_eq!((done.new, done.outside), (2_873, 2_873));
    // A local object is not flagged.
    let local =
        "统一社会信用代码,企业名称,行政区划\n91140581MA0K3WQX2A,高平市本地测试有限公司,140581\n";
    let s = p.preview_objects(local.as_bytes(), true).await.unwrap();
    assert_eq!(s.outside, 0);
}

pub async fn object_directory_imports_real_lists(h: &dyn Harness) {
    use ssj_app::imports::ImportMode;
    use ssj_domain::objects::Tier;
    use ssj_import::export::TableFormat;
    use ssj_storage::ObjectFilter;
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    let zhejiang = fixture("zhejiang-enterprises-2883.xlsx");
    let preview = p.preview_objects(&zhejiang, false).await.unwrap();
    assert_eq!((preview.new, preview.rejected()), (1_779 + 1_094, 10));
    let err = p
        .import_objects(&cli, zhejiang.clone(), ImportMode::AllOrNothing, false)
        .await
        .unwrap_err();
    assert_eq!(err.code, "IMPORT_REJECTED");
    assert_eq!(
        f.store
            .objects(&ObjectFilter {
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .1,
        0,
        "nothing written"
    );
    let done = p
        .import_objects(&cli, zhejiang.clone(), ImportMode::GoodRows, false)
        .await
        .unwrap();
    assert_eq!((done.new, done.changed, done.rejected()), (2_873, 0, 10));
    let again = p.preview_objects(&zhejiang, false).await.unwrap();
    assert_eq!((again.new, again.unchanged), (0, 2_873));
    // The user chooses to take the 10 doubtful codes, flagged.
    let flagged = p
        .import_objects(&cli, zhejiang.clone(), ImportMode::AllOrNothing, true)
        .await
        .unwrap();
    assert_eq!(
        (flagged.new, flagged.unchanged, flagged.rejected()),
        (10, 2_873, 0)
    );
    let doubtful = f
        .store
        .object_by_code("330327000082876")
        .await
        .unwrap()
        .unwrap();
    assert!(doubtful.code_flagged);
    let all = ObjectFilter {
        limit: 20,
        ..Default::default()
    };
    let (page, total) = f.store.objects(&all).await.unwrap();
    assert_eq!((page.len(), total), (20, 2_883));
    assert_eq!(
        f.store.object_tier_counts(&all).await.unwrap(),
        vec![(Tier::Unclassified, 2_883)]
    );
    let search = ObjectFilter {
        q: Some("浙江南北联合".into()),
        limit: 10,
        ..Default::default()
    };
    let (hits, n) = f.store.objects(&search).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(hits[0].code, "91330000566997460T");
    assert_eq!(hits[0].authority, "浙江省工商行政管理局");
    let by_code = ObjectFilter {
        q: Some("91330000566".into()),
        limit: 10,
        ..Default::default()
    };
    assert!(f.store.objects(&by_code).await.unwrap().1 >= 1);

    // A changed row updates the object and leaves its history.
    let csv = "统一社会信用代码,企业名称,信用风险分类,行政区划,专项库标签\n91330000566997460T,浙江南北联合信息科技有限公司（更名）,D类,330100,食品、重点\n";
    let s = p
        .import_objects(
            &cli,
            csv.as_bytes().to_vec(),
            ImportMode::AllOrNothing,
            false,
        )
        .await
        .unwrap();
    assert_eq!(s.changed, 1);
    let o = f
        .store
        .object_by_code("91330000566997460T")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (o.tier, o.division.as_str(), o.tags.clone()),
        (
            Tier::D,
            "330100",
            vec!["食品".to_string(), "重点".to_string()]
        )
    );
    let history = f.store.object_history(o.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|c| c.action.as_str())
            .collect::<Vec<_>>(),
        vec!["update"]
    );
    let d = ObjectFilter {
        tier: Some(Tier::D),
        division: Some("330000".into()),
        tag: Some("食品".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(f.store.objects(&d).await.unwrap().1, 1);

    // Every column of the directory, then a list without them: what it lacks is kept.
    let full = "统一社会信用代码,企业名称,信用风险分类,分类日期,分类来源,经营异常名录,严重违法失信,最近检查日期,许可证名称,许可证编号,许可证有效期至,规模\n\
        91330000697024247P,浙江家友超市有限公司,C,2024/3/1,浙江省市场监管局,是,否,2023-11-20,食品经营许可证,JY13301000000001,2026-12-31,小型\n";
    assert_eq!(
        p.import_objects(
            &cli,
            full.as_bytes().to_vec(),
            ImportMode::AllOrNothing,
            false
        )
        .await
        .unwrap()
        .changed,
        1
    );
    let plain = "统一社会信用代码,企业名称\n91330000697024247P,浙江家友超市有限公司\n";
    assert_eq!(
        p.import_objects(
            &cli,
            plain.as_bytes().to_vec(),
            ImportMode::AllOrNothing,
            false
        )
        .await
        .unwrap()
        .unchanged,
        1
    );
    let o = f
        .store
        .object_by_code("91330000697024247P")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            o.tier,
            o.tier_date.as_str(),
            o.abnormal,
            o.serious_violation
        ),
        (Tier::C, "2024-03-01", true, false)
    );
    assert_eq!(
        (o.last_inspected.as_str(), o.scale.as_str()),
        ("2023-11-20", "小型")
    );
    assert_eq!(
        o.licences,
        vec![ssj_storage::Licence {
            name: "食品经营许可证".into(),
            number: "JY13301000000001".into(),
            valid_until: "2026-12-31".into()
        }]
    );
    let bad =
        "统一社会信用代码,企业名称,经营异常名录\n91330000697024247P,浙江家友超市有限公司,也许\n";
    assert!(
        p.preview_objects(bad.as_bytes(), false)
            .await
            .unwrap()
            .rejects[0]
            .reason
            .contains("应为 是 或 否")
    );

    // Export and read back: the same directory.
    let file = p
        .export_objects(&ObjectFilter::default(), TableFormat::Csv)
        .await
        .unwrap();
    let back = p.preview_objects(&file, true).await.unwrap();
    assert_eq!(
        (back.unchanged, back.new, back.changed, back.rejected()),
        (2_883, 0, 0, 0)
    );
    let bad = "统一社会信用代码,企业名称,信用风险分类\n91330000697024247P,浙江家友超市有限公司,E\n";
    let s = p.preview_objects(bad.as_bytes(), false).await.unwrap();
    assert_eq!(s.rejects[0].reason, "信用风险分类“E”无法识别");
    assert!(p.verify().await.unwrap().problem.is_none());
}

pub async fn officer_directory_with_leave_conflicts_and_personal_data(h: &dyn Harness) {
    use ssj_app::imports::ImportMode;
    use ssj_app::officers::eligible;
    use ssj_import::export::TableFormat;
    use ssj_storage::OfficerFilter;
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (_, scjg, _) = county(&p).await;
    let cli = Actor::command_line();
    let list = "姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,身份证号,状态\n\
        赵强,高平市市场监督管理局,SX14058100001,2030-12-31,县,A01、A07,13800138000,11010519491231002X,有效\n\
        钱伟,高平市市场监督管理局,SX14058100002,2020/6/30,所,食品,,,\n\
        孙丽,高平市城市管理局,SX14058100003,2030-12-31,县,,,,有效\n\
        李四,不存在的局,SX14058100004,2030-12-31,县,,,,\n\
        周五,高平市市场监督管理局,SX14058100005,2030-12-31,县,,,110105194912310021,\n\
        吴六,高平市市场监督管理局,SX14058100001,2030-12-31,县,,,,\n\
        郑七,高平市市场监督管理局,SX14058100007,2030-12-31,县,,,,失效\n";
    let preview = p.preview_officers(&cli, list.as_bytes()).await.unwrap();
    assert_eq!(
        (preview.new, preview.rejected()),
        (4, 3),
        "{:?}",
        preview.rejects
    );
    let reasons: Vec<String> = preview
        .rejects
        .iter()
        .map(|r| format!("{}:{}", r.row, r.reason))
        .collect();
    assert!(
        reasons[0].starts_with("5:") && reasons[0].contains("不存在的局"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("6:") && reasons[1].contains("校验位"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].starts_with("7:") && reasons[2].contains("与第 2 行重复"),
        "{reasons:?}"
    );
    p.import_officers(&cli, list.as_bytes(), ImportMode::GoodRows)
        .await
        .unwrap();
    let (all, n) = f
        .store
        .officers(&OfficerFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(n, 4);
    let zhao = all.iter().find(|o| o.name == "赵强").unwrap().clone();
    let qian = all.iter().find(|o| o.name == "钱伟").unwrap().clone();
    let zheng = all.iter().find(|o| o.name == "郑七").unwrap().clone();
    let today = ssj_app::officers::today();
    assert!(eligible(&zhao, &today, false));
    assert!(
        !eligible(&qian, &today, false),
        "expired certificate: ineligible automatically"
    );
    assert!(!eligible(&zheng, &today, false), "失效");
    assert_eq!(zhao.expertise, vec!["A01", "A07"]);

    p.add_leave(&cli, zhao.id, &today, "2099-01-01", "病假")
        .await
        .unwrap();
    assert_eq!(
        f.store.officers_on_leave(&today).await.unwrap(),
        vec![zhao.id]
    );
    assert_eq!(
        p.add_leave(&cli, zhao.id, "2025-02-01", "2025-01-01", "x")
            .await
            .unwrap_err()
            .code,
        "LEAVE_RANGE"
    );
    p.declare_conflict(
        &cli,
        zhao.id,
        "91330000566997460T",
        "配偶任该企业法定代表人",
    )
    .await
    .unwrap();
    assert_eq!(
        p.declare_conflict(&cli, zhao.id, "91330000566997460T", "重复")
            .await
            .unwrap_err()
            .code,
        "CONFLICT_EXISTS"
    );
    assert_eq!(
        p.declare_conflict(&cli, zhao.id, "91330000566997460A", "x")
            .await
            .unwrap_err()
            .code,
        "OBJECT_CODE_INVALID"
    );
    assert_eq!(
        f.store.officer_conflicts(zhao.id).await.unwrap()[0].reason,
        "配偶任该企业法定代表人"
    );

    // Personal data: in the staff export for an administrator, never in one for publication,
    // never in the audit log.
    let staff_file = p
        .export_officers(&cli, false, TableFormat::Xlsx)
        .await
        .unwrap();
    let back = p.preview_officers(&cli, &staff_file).await.unwrap();
    assert_eq!(
        (back.unchanged, back.new, back.changed, back.rejected()),
        (4, 0, 0, 0),
        "the export reads back unchanged"
    );
    let staff = String::from_utf8(
        p.export_officers(&cli, false, TableFormat::Csv)
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        staff.contains("13800138000") && staff.contains("11010519491231002X"),
        "the staff export has the personal data (so absence elsewhere means something)"
    );
    // A change of phone, so that the log holds a `before` and an `after` of this officer.
    let changed = list.replace("13800138000", "13900139000");
    let preview = p.preview_officers(&cli, changed.as_bytes()).await.unwrap();
    assert_eq!(preview.changed, 1, "{:?}", preview.rejects);
    p.import_officers(&cli, changed.as_bytes(), ImportMode::GoodRows)
        .await
        .unwrap();
    // Every phone and ID number given, kept or rejected (周五's has a bad check digit).
    let personal = [
        "13800138000",
        "13900139000",
        "11010519491231002X",
        "11010519491231002x",
        "110105194912310021",
    ];
    for format in [TableFormat::Csv, TableFormat::Xlsx] {
        let public = p.export_officers(&cli, true, format).await.unwrap();
        let grid = ssj_import::grid::Grid::from_bytes(&public).unwrap();
        let cells: Vec<String> = (0..grid.height())
            .flat_map(|r| grid.row_values(r))
            .collect();
        assert!(cells.iter().any(|c| c == "SX14058100001"), "{cells:?}");
        for cell in &cells {
            assert!(
                !personal.iter().any(|x| cell.contains(x))
                    && !cell.contains("联系电话")
                    && !cell.contains("身份证号"),
                "personal data in the public export: {cell}"
            );
        }
    }
    // The log: every record, every field (the canonical bytes carry actor, target, before,
    // after and reason alike).
    let (records, total) = f
        .store
        .audit_search(&AuditFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len() as u64, total);
    assert!(
        records
            .iter()
            .any(|r| r.record.entry.action == "officer.update" && r.record.entry.before.is_some()),
        "the change is logged with its before"
    );
    for r in &records {
        let bytes = String::from_utf8(
            r.record
                .canonical_bytes(ssj_merkle::HashAlg::Sha256)
                .unwrap(),
        )
        .unwrap();
        assert!(
            !personal.iter().any(|x| bytes.contains(x)),
            "personal data in audit record {bytes}"
        );
    }
    // A county planner sees only their department's officers.
    p.create_user(&cli, account("scjg.plan", scjg, Role::Planner))
        .await
        .unwrap();
    let planner = actor(&p, "scjg.plan").await;
    let mine = String::from_utf8(
        p.export_officers(&planner, false, TableFormat::Csv)
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        !mine.contains("孙丽") && !mine.contains("13800138000"),
        "scope and no personal data for a planner"
    );
    assert!(p.verify().await.unwrap().problem.is_none());
}

pub async fn item_edit_goes_to_a_new_draft(h: &dyn Harness) {
    use ssj_app::imports::ImportMode;
    use ssj_app::items::{ItemEdit, key};
    use ssj_storage::VersionStatus;
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    p.import_items(
        &cli,
        &fixture("hainan-2020-random-inspection-item-list.xlsx"),
        ImportMode::AllOrNothing,
    )
    .await
    .unwrap();
    let v1 = p.publish_items(&cli, "2020年版").await.unwrap();
    let first = f.store.version_items(v1.id).await.unwrap()[0].clone();
    let edit = ItemEdit {
        category: first.category.clone(),
        name: format!("{}（修订）", first.name),
        object_type: first.object_type.clone(),
        kind: "重点检查事项".into(),
        methods: "现场检查、书面检查".into(),
        bases: "依据一\n依据二".into(),
        ratio: "5%".into(),
        reason: "年度调整".into(),
        ..Default::default()
    };
    p.edit_item(&cli, &key(&first), edit.clone()).await.unwrap();
    let versions = p.item_versions().await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.status).collect::<Vec<_>>(),
        vec![VersionStatus::Published, VersionStatus::Draft]
    );
    let draft = f.store.version_items(versions[1].id).await.unwrap();
    let edited = draft.iter().find(|i| i.name.ends_with("（修订）")).unwrap();
    assert_eq!(
        (edited.bases.len(), edited.ratio.as_str(), edited.kind),
        (2, "5%", Some(ssj_domain::items::ItemKind::Key))
    );
    assert_eq!(
        f.store.version_items(v1.id).await.unwrap()[0],
        first,
        "the published version is untouched"
    );
    let bad = ItemEdit {
        name: "  ".into(),
        ..edit
    };
    assert_eq!(
        p.edit_item(&cli, &key(edited), bad).await.unwrap_err().code,
        "ITEM_NAME_REQUIRED"
    );
}
