//! `plan …` from the command line: a real plan table read as JSON, its unknown names mapped
//! with --map, imported, published, revised; bad tables exit non-zero and create nothing.

mod common;

use common::{run, text};

fn seed(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../../shared/seeds/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn a_plan_is_read_mapped_imported_published_and_revised() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let data = dir.path().join("data");
    assert!(run(&db, &data, &["demo", "--no-serve"]).status.success());
    let year = (ssj_app::clock::today()[..4].parse::<u32>().unwrap() + 1).to_string();
    let letter = seed("gaoping-city-management-2024-plan.txt");
    let letter_path = dir.path().join("letter.txt");
    std::fs::write(&letter_path, &letter).unwrap();
    let letter_path = letter_path.to_str().unwrap();

    // The whole letter: both annexes found; as JSON, each task as the file writes it.
    let o = run(
        &db,
        &data,
        &[
            "plan",
            "import",
            letter_path,
            "--department",
            "高平市城市管理局",
            "--year",
            &year,
            "--dry-run",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tasks = json["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4, "{json:#}");
    let first = &tasks[0];
    assert_eq!(first["seq"], "1");
    assert_eq!(first["initiating"]["department"], "高平城市管理局");
    assert_eq!(
        first["initiating"]["items"][0],
        "对建筑工地扬尘污染防治措施落实情况的监督检查"
    );
    assert_eq!(
        first["cooperating"][0]["department"],
        "晋城市环保局高平分局"
    );
    assert_eq!(first["rule"]["num"], 1);
    assert_eq!(first["rule"]["den"], 10);
    assert_eq!(first["rule"]["bound"], "exact");
    assert_eq!(first["rule"]["rounds_per_year"], 1);
    assert_eq!(first["tiers"], "tiered");
    assert_eq!(first["window"]["from"], format!("{year}-03-01"));
    assert_eq!(first["window"]["to"], format!("{year}-12-31"));
    // The two annexes name the same tasks: one plan cannot hold both.
    assert!(
        json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("重复出现")),
        "{json:#}"
    );

    // The joint annex alone, its unknown names mapped on the command line.
    let start = letter.find("高平市城市管理局 2024 年度部门联合").unwrap();
    let end = letter.find("附件二").unwrap();
    let annex = dir.path().join("annex.txt");
    std::fs::write(&annex, &letter[start..end]).unwrap();
    let annex = annex.to_str().unwrap();
    let o = run(
        &db,
        &data,
        &[
            "plan",
            "import",
            annex,
            "--department",
            "高平市城市管理局",
            "--year",
            &year,
            "--dry-run",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut maps = Vec::new();
    for u in json["unresolved"]["departments"].as_array().unwrap() {
        let written = u["written"].as_str().unwrap();
        let target = if written.contains("环保") {
            "晋城市生态环境局高平分局".to_string()
        } else {
            u["suggestions"][0]["name"].as_str().unwrap().to_string()
        };
        maps.push(format!("{written}={target}"));
    }
    assert!(!maps.is_empty());
    let mut args: Vec<&str> = vec![
        "plan",
        "import",
        annex,
        "--department",
        "高平市城市管理局",
        "--year",
        &year,
    ];
    for m in &maps {
        args.extend(["--map", m.as_str()]);
    }
    let o = run(&db, &data, &args);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("已导入计划"), "{out}");
    let code = format!("140581{year}0001");
    assert!(out.contains(&code), "{out}");

    let o = run(&db, &data, &["plan", "list"]);
    assert!(text(&o).contains(&code) && text(&o).contains("草稿"));
    let o = run(&db, &data, &["plan", "publish", &code]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        &db,
        &data,
        &["plan", "revise", &code, "--reason", "调整比例"],
    );
    assert!(o.status.success(), "{}", text(&o));
    // Nothing changed yet: publishing the revision is refused.
    let o = run(&db, &data, &["plan", "publish", &code]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("PLAN_NO_CHANGES"), "{}", text(&o));
    let revised = dir.path().join("revised.txt");
    std::fs::write(
        &revised,
        letter[start..end].replace("2%；1次/年", "5%；1次/年"),
    )
    .unwrap();
    let o = run(
        &db,
        &data,
        &["plan", "reimport", &code, revised.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        run(&db, &data, &["plan", "publish", &code])
            .status
            .success()
    );
    let o = run(&db, &data, &["plan", "show", &code]);
    let out = text(&o);
    assert!(out.contains("第 2 版") && out.contains("由“2%"), "{out}");

    // Bad input: exit non-zero, a Chinese message, nothing created.
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let o = run(&db, &data, &["plan", "import", empty.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!(text(&o).contains("文件为空"), "{}", text(&o));
    let unknown = dir.path().join("unknown.txt");
    std::fs::write(
        &unknown,
        "序号\t抽查任务名称\t抽查事项\t抽查比例及频次\t抽查起止时间\t发起部门\n1\t甲\t对市区沿街商户履行“门前三包”的行政检查\t10%\t3月-12月\t火星局\n",
    )
    .unwrap();
    let o = run(
        &db,
        &data,
        &[
            "plan",
            "import",
            unknown.to_str().unwrap(),
            "--title",
            "测试",
            "--year",
            &year,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("“火星局”未能对应到部门名录"),
        "{}",
        text(&o)
    );
    let o = run(&db, &data, &["plan", "list"]);
    assert_eq!(text(&o).lines().filter(|l| l.contains("测试")).count(), 0);
}
