//! The draw from the command line on the demo county: `task list`, `draw run`, `draw export`,
//! `verify` and docs/verify_draw.py agreeing on the folder, and a changed byte caught by both.

mod common;

use common::{run, text};
use std::process::Command;

/// docs/verify_draw.py's exit code and what it said.
fn python_verify_code(dir: &std::path::Path) -> (Option<i32>, String) {
    let script = format!("{}/../../docs/verify_draw.py", env!("CARGO_MANIFEST_DIR"));
    let o = Command::new("python3")
        .arg(script)
        .arg(dir)
        .output()
        .expect("python3 runs docs/verify_draw.py");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

fn python_verify(dir: &std::path::Path) -> (bool, String) {
    let (code, said) = python_verify_code(dir);
    (code == Some(0), said)
}

#[test]
fn a_demo_task_is_drawn_exported_and_verified_by_both_verifiers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let data = dir.path().join("data");
    assert!(run(&db, &data, &["demo", "--no-serve"]).status.success());

    // The demo leaves one task drawn and one ready; csv's first column is the task id.
    let o = run(&db, &data, &["task", "list", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o));
    let list = String::from_utf8(o.stdout).unwrap();
    let mut lines = list.lines();
    assert!(lines.next().unwrap().starts_with("id,任务编号"), "{list}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2, "{list}");
    let ready = rows
        .iter()
        .find(|r| r[4] == "待抽取")
        .expect("a task ready to draw");
    assert!(rows.iter().any(|r| r[4] == "已抽取"), "{list}");
    let task = ready[0];

    let o = run(
        &db,
        &data,
        &[
            "draw",
            "run",
            task,
            "--witness",
            "高平市纪委监委派驻组=3141592653",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已抽取"), "{}", text(&o));
    // No second draw without a written reason.
    let o = run(&db, &data, &["draw", "run", task]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("REASON_REQUIRED"), "{}", text(&o));

    // The public export leaves the declared conflicts out: both verifiers check all they can
    // and say "部分核对" with exit 3, never "一致".
    let public = dir.path().join("public");
    let o = run(
        &db,
        &data,
        &["draw", "export", task, public.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!public.join("conflicts.csv").exists());
    let o = run(&db, &data, &["verify", public.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).starts_with("部分核对"), "{}", text(&o));
    let (code, said) = python_verify_code(&public);
    assert_eq!(code, Some(3), "{said}");
    assert!(said.starts_with("部分核对"), "{said}");

    // The full export (for an auditor) recomputes the teams too.
    let folder = dir.path().join("export");
    let o = run(
        &db,
        &data,
        &["draw", "export", task, folder.to_str().unwrap(), "--full"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(folder.join("conflicts.csv").exists());
    let o = run(&db, &data, &["verify", folder.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("一致"), "{}", text(&o));
    let (ok, said) = python_verify(&folder);
    assert!(ok, "{said}");

    // 递补 of the first object, then the folder still verifies with both.
    let result = std::fs::read_to_string(folder.join("result.csv")).unwrap();
    let first = result
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_string();
    let o = run(
        &db,
        &data,
        &[
            "draw",
            "substitute",
            task,
            "--object",
            &first,
            "--reason",
            "已注销",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        &db,
        &data,
        &["draw", "export", task, folder.to_str().unwrap(), "--full"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        run(&db, &data, &["verify", folder.to_str().unwrap()])
            .status
            .success()
    );
    assert!(python_verify(&folder).0);

    // An officer 递补 named by certificate number, as a user reads it off the list.
    let second = result
        .lines()
        .nth(2)
        .unwrap()
        .split(',')
        .collect::<Vec<_>>();
    let list_csv = dir.path().join("list.csv");
    // `draw list` as a user runs it, read back.
    let list = || {
        let o = run(
            &db,
            &data,
            &[
                "draw",
                "list",
                task,
                "--format",
                "csv",
                "--output",
                list_csv.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        std::fs::read_to_string(&list_csv).unwrap()
    };
    let listed = list();
    let row2 = listed.lines().nth(2).unwrap().to_string();
    let cert = row2
        .split('，')
        .nth(1)
        .and_then(|c| c.split('）').next())
        .expect("a member with department and certificate number")
        .to_string();
    let o = run(
        &db,
        &data,
        &[
            "draw",
            "substitute",
            task,
            "--officer",
            &format!("{}:{cert}", second[1]),
            "--reason",
            "病假",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    // The list as inspected: names, not codes only, the replacement in the first slot and the
    // certificate number gone from the second team.
    let listed = list();
    let mut lines = listed.lines();
    assert!(lines.next().unwrap().contains("检查对象名称"), "{listed}");
    let first_row = lines.next().unwrap();
    assert!(!first_row.contains(&format!(",{first},")), "{first_row}");
    assert!(
        first_row.contains("递补 ") && first_row.contains(&first),
        "{first_row}"
    );
    let second_row = lines.next().unwrap();
    assert!(!second_row.contains(&cert), "{second_row}");
    assert!(second_row.contains(second[1]), "{second_row}");
    assert_eq!(listed.lines().count(), result.lines().count(), "{listed}");
    // `draw show` tells the same: the list as inspected, and each 递补 named.
    let o = run(&db, &data, &["draw", "show", task]);
    assert!(o.status.success(), "{}", text(&o));
    let shown = text(&o);
    assert!(shown.contains("已含递补"), "{shown}");
    assert!(shown.contains("递补 ") && shown.contains(&first), "{shown}");
    assert!(
        shown.contains("对象递补") && shown.contains("人员递补") && shown.contains("病假"),
        "{shown}"
    );
    let o = run(&db, &data, &["draw", "list", task, "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("xlsx 或 csv"), "{}", text(&o));
    let o = run(
        &db,
        &data,
        &["draw", "export", task, folder.to_str().unwrap(), "--full"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(python_verify(&folder).0);
    // The zip, as the public page offers it: verified as it is, by both.
    let zip = dir.path().join("export.zip");
    let files: std::collections::BTreeMap<String, Vec<u8>> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    std::fs::write(
        &zip,
        ssj_app::draws::zip::pack(&format!("{task}-2"), &files).unwrap(),
    )
    .unwrap();
    let o = run(&db, &data, &["verify", zip.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("一致"), "{}", text(&o));
    assert!(python_verify(&zip).0);

    // One changed byte: both refuse, and ours names the file.
    let path = folder.join("result.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let o = run(&db, &data, &["verify", folder.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("result.csv"), "{}", text(&o));
    assert!(!python_verify(&folder).0);

    let o = run(&db, &data, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}

/// kill -9 in the middle of the reveal-and-draw transaction, once every write of the draw is
/// made but before the commit (the binary's test hook waits there): the draw is still frozen
/// with nothing of a result (no reveal, no pick, no result file), and the next `draw run` goes
/// on from the same frozen files.
#[tokio::test]
async fn kill_9_during_a_draw_leaves_no_half_drawn_task() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let data = dir.path().join("data");
    assert!(run(&db, &data, &["demo", "--no-serve"]).status.success());
    let ready = dir.path().join("in-the-transaction");
    let mut child = Command::new(common::BIN)
        .args(["--database", &db, "--data-dir"])
        .arg(&data)
        .args(["draw", "run", "2"])
        .env("SSJ_TEST_PAUSE_BEFORE_DRAW_COMMIT", &ready)
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // The hook writes the file and waits to be killed: the kill lands inside the transaction.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !ready.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the draw ended ({status}) before reaching its commit: no pause to kill in");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the draw never reached its commit"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let p = ssj_app::Platform::open(&ssj_app::OpenOptions {
        database: db.clone(),
        data_dir: data.clone(),
        hash_alg: None,
        witness_dir: None,
    })
    .await
    .unwrap();
    let draws = p.draws(2).await.unwrap();
    assert_eq!(
        draws.len(),
        1,
        "the freeze had committed before the reveal began"
    );
    let d = &draws[0];
    assert_eq!(
        d.status,
        ssj_storage::DrawStatus::Frozen,
        "killed before its commit, the draw is not drawn"
    );
    let result = p.draw_result_file(d.id).await.unwrap();
    assert!(result.is_none() && d.manifest.is_none() && d.drawn_ms.is_none());
    let contributions = p.contributions(d.id).await.unwrap();
    assert!(
        contributions.iter().all(|c| c.reveal.is_none()),
        "no reveal of a draw that was not drawn"
    );
    assert_eq!(
        p.task(2).await.unwrap().status,
        ssj_storage::TaskStatus::Ready
    );
    let target = format!("task:{}", p.task(2).await.unwrap().code);
    let logged = |action: &str| ssj_storage::AuditFilter {
        action_prefix: Some(action.into()),
        target: Some(target.clone()),
        limit: 10,
        ..Default::default()
    };
    for action in ["draw.reveal", "draw.result"] {
        let (records, _) = p
            .audit_page(&ssj_app::Actor::command_line(), logged(action))
            .await
            .unwrap();
        assert!(records.is_empty(), "no {action} record of the killed draw");
    }
    assert!(p.verify().await.unwrap().problem.is_none());
    let frozen_digest = d.candidate_digest.clone();
    p.close().await;

    // Going on: the same frozen candidate file is drawn, no second freeze.
    let o = run(&db, &data, &["draw", "run", "2"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&frozen_digest), "{}", text(&o));
    assert!(text(&o).contains("第 1 次抽取：已抽取"), "{}", text(&o));
    let store = ssj_app::open_store(&db).await.unwrap();
    let (records, _) = store.audit_search(&logged("draw.result")).await.unwrap();
    assert_eq!(
        records.len(),
        1,
        "the same search finds the draw once drawn"
    );
}
