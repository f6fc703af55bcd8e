//! The draw from the command line on the demo county: `task list`, `draw run`, `draw export`,
//! `verify` and docs/verify_draw.py agreeing on the folder, and a changed byte caught by both.

mod common;

use common::{run, text};
use std::process::Command;

fn python_verify(dir: &std::path::Path) -> (bool, String) {
    let script = format!("{}/../../docs/verify_draw.py", env!("CARGO_MANIFEST_DIR"));
    let o = Command::new("python3")
        .arg(script)
        .arg(dir)
        .output()
        .expect("python3 runs docs/verify_draw.py");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
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

    let folder = dir.path().join("export");
    let o = run(
        &db,
        &data,
        &["draw", "export", task, folder.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
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
        &["draw", "export", task, folder.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        run(&db, &data, &["verify", folder.to_str().unwrap()])
            .status
            .success()
    );
    assert!(python_verify(&folder).0);

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
