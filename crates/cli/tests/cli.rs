//! The `shuangsuiji` binary end to end: demo, accounts, audit verify against tampering done
//! directly in the database files, and kill -9 in the middle of a multi-row change.

use ssj_storage::Store;
use std::path::Path;
use std::time::{Duration, Instant};

mod common;

use common::{BIN, csrf_of, run, serve, text};

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

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The binary run with `args` only (no database), in an empty folder.
fn bare(cwd: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .env_remove("SHUANGSUIJI_DATABASE")
        .env_remove("SHUANGSUIJI_PASSWORD")
        .output()
        .expect("run shuangsuiji")
}

/// The names listed under `命令：` in a help text.
fn subcommands_in(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "命令：")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect()
}

/// clap's English is gone and every command, argument and option is described in Chinese.
fn assert_chinese_help(command: &str, help: &str) {
    assert!(help.contains("用法："), "{command}:\n{help}");
    for english in [
        "Usage:",
        "Options:",
        "Commands:",
        "Arguments:",
        "Print help",
        "Print version",
        "Print this message",
        "[default:",
        "[env:",
        "possible values",
        "[OPTIONS]",
        "<COMMAND>",
    ] {
        assert!(!help.contains(english), "{command}: “{english}” in\n{help}");
    }
    let mut section = "";
    // An entry: the line naming a command, argument or option, with the lines describing it.
    let mut entries: Vec<Vec<&str>> = Vec::new();
    for line in help.lines().filter(|l| !l.trim().is_empty()) {
        if line.starts_with("用法：") {
            section = "用法";
            continue;
        }
        if !line.starts_with(' ') && line.ends_with('：') {
            section = line;
            assert!(
                ["命令：", "参数：", "选项："].contains(&line),
                "{command}: heading {line}"
            );
            continue;
        }
        match section {
            // What the command does, before its usage.
            "" => assert!(has_cjk(line), "{command}: {line}"),
            "用法" => panic!("{command}: after the usage line: {line}"),
            _ => {
                let trimmed = line.trim_start();
                let indent = line.len() - trimmed.len();
                let starts_entry = if section == "命令：" {
                    indent == 2
                } else {
                    trimmed.starts_with(['-', '<'])
                };
                if starts_entry {
                    entries.push(vec![line]);
                } else {
                    assert!(has_cjk(line), "{command}: description {line}");
                    entries
                        .last_mut()
                        .unwrap_or_else(|| panic!("{command}: {line}"))
                        .push(line);
                }
            }
        }
    }
    assert!(!entries.is_empty(), "{command}:\n{help}");
    // Value names (`<目录>`) are Chinese too, but they do not describe anything.
    let described = |l: &&str| {
        let mut rest = String::new();
        let mut depth = 0;
        for c in l.chars() {
            match c {
                '<' => depth += 1,
                '>' if depth > 0 => depth -= 1,
                _ if depth == 0 => rest.push(c),
                _ => {}
            }
        }
        has_cjk(&rest)
    };
    for entry in entries {
        assert!(
            entry.iter().any(described),
            "{command}: not described in Chinese: {entry:?}"
        );
    }
}

/// Issue 12: `--help` (and `-h`) of the command and of every subcommand is Chinese.
#[test]
fn every_command_help_is_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = Vec::new();
    while let Some(path) = pending.pop() {
        let command = format!("shuangsuiji {}", path.join(" "));
        let mut long_help = String::new();
        for flag in ["--help", "-h"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let o = bare(dir.path(), &args);
            assert!(o.status.success(), "{command} {flag}: {}", text(&o));
            assert!(o.stderr.is_empty(), "{command} {flag}: {}", text(&o));
            let help = String::from_utf8(o.stdout).unwrap();
            assert_chinese_help(&format!("{command} {flag}"), &help);
            if flag == "--help" {
                long_help = help;
            }
        }
        let usage = format!("用法：{}", command.trim_end());
        assert!(long_help.contains(&usage), "{usage} in\n{long_help}");
        for sub in subcommands_in(&long_help) {
            assert_ne!(sub, "help", "{command}: clap's English help subcommand");
            let mut next = path.clone();
            next.push(sub);
            pending.push(next);
        }
        seen.push(command);
    }
    for deep in [
        "shuangsuiji task create",
        "shuangsuiji draw substitute",
        "shuangsuiji audit rotate-key",
        "shuangsuiji import objects",
        "shuangsuiji generate objects",
        "shuangsuiji verify",
    ] {
        assert!(seen.iter().any(|c| c == deep), "{deep} not among {seen:?}");
    }
    assert!(seen.len() >= 45, "{seen:?}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "help creates no database"
    );
    let o = bare(dir.path(), &["--version"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("shuangsuiji "));
}

/// Mistakes on the command line: exit 2, a Chinese message naming what was wrong, and where
/// the help is.
#[test]
fn usage_errors_are_reported_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |args: &[&str], named: &[&str], help_of: &str| {
        let o = bare(dir.path(), args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{args:?}: {}", text(&o));
        assert!(err.starts_with("错误："), "{args:?}: {err}");
        for n in named {
            assert!(err.contains(n), "{args:?}: {n} not named in {err}");
        }
        assert!(
            err.contains(&format!("运行 {help_of} --help 查看用法")),
            "{args:?}: {err}"
        );
        for english in [
            "error:",
            "Usage:",
            "For more information",
            "unexpected",
            "tip:",
        ] {
            assert!(!err.contains(english), "{args:?}: {english} in {err}");
        }
        err
    };
    let err = refused(
        &["task", "list", "--no-such-flag"],
        &["--no-such-flag"],
        "shuangsuiji task list",
    );
    assert!(err.contains("无法识别的参数"), "{err}");
    let err = refused(
        &["task", "list", "--formt", "csv"],
        &["--formt", "--format"],
        "shuangsuiji task list",
    );
    assert!(err.contains("是否要用"), "{err}");
    let err = refused(
        &["task", "cancel", "1"],
        &["--reason"],
        "shuangsuiji task cancel",
    );
    assert!(err.contains("缺少必需的参数"), "{err}");
    let err = refused(
        &["generate", "objects", "--count", "many", "--out", "x.csv"],
        &["--count", "many"],
        "shuangsuiji generate objects",
    );
    assert!(err.contains("无效") && err.contains("应为整数"), "{err}");
    let err = refused(
        &["serve", "--listen", "nowhere"],
        &["--listen", "nowhere"],
        "shuangsuiji serve",
    );
    assert!(err.contains("127.0.0.1:8080"), "{err}");
    refused(
        &["user", "list", "--format"],
        &["--format", "需要一个值"],
        "shuangsuiji user list",
    );
    let err = refused(&["task", "lst"], &["lst", "list"], "shuangsuiji task");
    assert!(err.contains("无法识别的命令"), "{err}");
    refused(&["frobnicate"], &["frobnicate"], "shuangsuiji");
    let err = refused(
        &["--database", "x.db"],
        &["缺少命令", "serve", "task"],
        "shuangsuiji",
    );
    assert!(err.contains("可选"), "{err}");
    refused(
        &[
            "generate",
            "objects",
            "--count",
            "1",
            "--out",
            "x.csv",
            "--counties",
            "2",
            "--division",
            "140581",
        ],
        &["--counties", "--division", "不能与"],
        "shuangsuiji generate objects",
    );
    // A command without its subcommand shows its (Chinese) help on stderr.
    let o = bare(dir.path(), &["task"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let help = String::from_utf8_lossy(&o.stderr);
    assert_chinese_help("shuangsuiji task", &help);
    assert!(help.contains("用法：shuangsuiji task"), "{help}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "a refused command line creates nothing"
    );
}
