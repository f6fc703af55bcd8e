//! Importing bad files from the command line: each is refused with a Chinese message and a
//! stable code, the exit code is non-zero, and the database is exactly as before. A kill -9
//! in the middle of a large import leaves the database as it was.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

mod common;

use common::{BIN, run, text};

/// Objects in the directory and records in the log: what must not change.
async fn state(db: &str) -> (u64, u64) {
    let store = ssj_app::open_store(db).await.unwrap();
    let objects = store
        .objects(&ssj_storage::ObjectFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .1;
    let log = store.audit_size().await.unwrap();
    store.close().await;
    (objects, log)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../../shared/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[tokio::test]
async fn bad_files_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db").display().to_string();
    let data = dir.path().join("data");
    let o = run(&db, &data, &["import", "objects", "/nonexistent.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("FILE_UNREADABLE"));
    let good = "统一社会信用代码,企业名称\n91330000566997460T,浙江南北联合信息科技有限公司\n";
    std::fs::write(dir.path().join("good.csv"), good).unwrap();
    assert!(
        run(
            &db,
            &data,
            &[
                "import",
                "objects",
                dir.path().join("good.csv").to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let before = state(&db).await;

    let hainan = fixture("hainan-2020-random-inspection-item-list.xlsx");
    let big = dir.path().join("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "truncated.xlsx",
            hainan[..hainan.len() / 2].to_vec(),
            "IMPORT_UNREADABLE",
            "已损坏或不完整",
        ),
        (
            "binary.csv",
            (0u8..=255).cycle().take(4096).collect(),
            "IMPORT_UNREADABLE",
            "二进制",
        ),
        ("empty.csv", Vec::new(), "IMPORT_UNREADABLE", "文件为空"),
        (
            "header-only.csv",
            "统一社会信用代码,企业名称\n".into(),
            "IMPORT_LAYOUT",
            "没有数据行",
        ),
        (
            "duplicates.csv",
            format!("{good}91330000566997460T,浙江南北联合信息科技有限公司\n").into_bytes(),
            "IMPORT_REJECTED",
            "与第 2 行重复",
        ),
        (
            "unknown.csv",
            "甲,乙,丙\n1,2,3\n".into(),
            "IMPORT_LAYOUT",
            "无法识别表头",
        ),
    ];
    for (name, bytes, code, words) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let o = run(&db, &data, &["import", "objects", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        assert!(
            text(&o).contains(code) && text(&o).contains(words),
            "{name}: {}",
            text(&o)
        );
        assert_eq!(state(&db).await, before, "{name} changed nothing");
    }
    let o = run(&db, &data, &["import", "objects", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("FILE_TOO_LARGE") && text(&o).contains("200.0 MB"),
        "{}",
        text(&o)
    );
    assert_eq!(state(&db).await, before);
    // The same files as item lists and officer lists: refused the same way.
    for what in ["items", "officers"] {
        let o = run(
            &db,
            &data,
            &[
                "import",
                what,
                dir.path().join("binary.csv").to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{what}");
        assert!(text(&o).contains("二进制"));
    }
    assert_eq!(state(&db).await, before);
    assert!(run(&db, &data, &["audit", "verify"]).status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_an_import_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db").display().to_string();
    let data = dir.path().join("data");
    let file = dir.path().join("objects.csv");
    let o = run(
        &db,
        &data,
        &[
            "generate",
            "objects",
            "--count",
            "200000",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(run(&db, &data, &["migrate"]).status.success());
    let before = state(&db).await;
    let mut child = Command::new(BIN)
        .args(["--database", &db, "--data-dir"])
        .arg(&data)
        .args(["import", "objects"])
        .arg(&file)
        .env("SHUANGSUIJI_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = BufReader::new(child.stderr.take().unwrap());
    for line in err.lines().map_while(Result::ok) {
        if line.contains("object import: transaction started") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        state(&db).await,
        before,
        "nothing of the killed import remains"
    );
    let o = run(&db, &data, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}
