//! 抽查计划 over HTTP: a real plan table uploaded and pasted, its names mapped once, bad
//! tables refused with their reasons and nothing created, the plan published, a task run from
//! it, revised, and its change list on the public page.

mod common;

use common::*;

fn seed(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../../shared/seeds/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The 高平 2024 plan's joint annex: its title and its table, as copied from the letter.
fn joint_annex() -> String {
    let letter = seed("gaoping-city-management-2024-plan.txt");
    let start = letter.find("高平市城市管理局 2024 年度部门联合").unwrap();
    let end = letter.find("附件二").unwrap();
    letter[start..end].to_string()
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    let r = c
        .post(app.url("/console/plans/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The `map.` fields of a preview page.
fn mapping_keys(page: &str) -> Vec<String> {
    page.split("name=\"map.")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

fn hidden_text(page: &str) -> String {
    let start = page.find("<textarea name=\"text\" hidden>").unwrap() + 29;
    let end = start + page[start..].find("</textarea>").unwrap();
    page[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_plan_table_is_imported_mapped_published_run_and_revised() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("cgj.plan").await;
    let p = &app.platform;
    let departments = p.departments().await.unwrap();
    let id_of = |name: &str| departments.iter().find(|d| d.name == name).unwrap().id;
    let cgj = id_of("高平市城市管理局").to_string();
    let year = (ssj_app::clock::today()[..4].parse::<u32>().unwrap() + 1).to_string();
    let plans_before = p.public_plans().await.unwrap().len();

    let (status, page) = app.get(&c, "/console/plans/import").await;
    assert_eq!(status, 200, "{page}");

    // Pasted: the annex is read, the names the directory cannot match are asked for.
    let text = joint_annex();
    let (status, page) = upload(
        &app,
        &c,
        &[
            ("csrf", &csrf),
            ("text", &text),
            ("department", &cgj),
            ("year", &year),
        ],
        None,
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("读取到 <strong>2</strong> 项任务"), "{page}");
    assert!(page.contains("原文“10%；1次&#x2f;年”"), "{page}");
    let keys = mapping_keys(&page);
    assert!(keys.iter().any(|k| k.contains("环保局")), "{keys:?}");
    // The title comes from the table's heading.
    assert!(page.contains("value=\"高平市城市管理局 2024 年度部门联合双随机抽查工作计划\""));

    // Confirming with the names unmapped creates nothing.
    let kept = hidden_text(&page);
    assert_eq!(
        kept.trim(),
        text.trim(),
        "the pasted text travels unchanged"
    );
    let base = vec![
        ("csrf", csrf.as_str()),
        ("text", kept.as_str()),
        ("year", year.as_str()),
        ("department", cgj.as_str()),
        ("title", "高平市城市管理局 部门联合双随机抽查工作计划"),
        ("completion", ""),
    ];
    let mut confirm = base.clone();
    confirm.push(("action", "confirm"));
    let (status, page) = app
        .post(&c, "/console/plans/import/confirm", &confirm)
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("未创建任何内容"), "{page}");
    assert!(
        p.plans(&ssj_app::Actor::command_line())
            .await
            .unwrap()
            .len()
            == plans_before
    );

    // Each unknown name mapped: 环保局 to 生态环境局, the others to what their suggestion says.
    let all = ssj_app::Actor::command_line();
    let preview = p
        .preview_plan(
            &all,
            &text,
            year.parse().unwrap(),
            Some(cgj.parse().unwrap()),
            &Default::default(),
        )
        .await
        .unwrap();
    let mut mapped: Vec<(String, String)> = Vec::new();
    for u in &preview.departments {
        let id = if u.written.contains("环保") {
            id_of("晋城市生态环境局高平分局")
        } else {
            u.suggestions
                .first()
                .map(|s| s.id)
                .unwrap_or_else(|| id_of("高平市住房和城乡建设局"))
        };
        mapped.push((format!("map.{}", u.key), id.to_string()));
    }
    for u in &preview.items {
        let id = u.suggestions.first().expect("an item suggestion").id;
        mapped.push((format!("map.{}", u.key), id.to_string()));
    }
    let mut form: Vec<(&str, &str)> = base.clone();
    for (k, v) in &mapped {
        form.push((k, v));
    }
    form.push(("action", "confirm"));
    let r = c
        .post(app.url("/console/plans/import/confirm"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (status, page) = app.get(&c, &location).await;
    assert_eq!(status, 200);
    assert!(page.contains("草稿") && page.contains("第 1 版"), "{page}");
    let plan_id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let plan = p.plan(&all, &plan_id.to_string()).await.unwrap().plan;
    assert!(plan.code.starts_with(&format!("140581{year}")));

    // The mapping is remembered: the same table previews clean.
    let again = p
        .preview_plan(
            &all,
            &text,
            year.parse().unwrap(),
            Some(cgj.parse().unwrap()),
            &Default::default(),
        )
        .await
        .unwrap();
    assert!(again.ready(), "{:?}", again.errors);

    // A draft is not public; published, it is.
    let (status, _) = app.get(&c, &format!("/public/plans/{}", plan.code)).await;
    assert_eq!(status, 404);
    let (status, page) = app
        .post(
            &c,
            &format!("/console/plans/{plan_id}/publish"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let (_, page) = app.get(&c, &location).await;
    assert!(page.contains("id=\"plan-status\">已发布"), "{page}");
    let (status, page) = app.get(&c, "/public/plans").await;
    assert_eq!(status, 200);
    assert!(page.contains(&plan.code));

    // Run task 1: the task form comes filled in from the plan.
    let (status, page) = app
        .get(&c, &format!("/console/tasks/new?plan={plan_id}&seq=1"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"plan-ref\""), "{page}");
    assert!(page.contains("对建筑工地扬尘污染防治措施落实情况的双随机抽查"));
    let (status, page) = app
        .get(&c, &format!("/console/tasks/new?plan={plan_id}&seq=9"))
        .await;
    assert_eq!(status, 404, "{page}");

    // Revise: a reason is needed; the revision's table changes task 2's ratio.
    let (status, page) = app
        .post(
            &c,
            &format!("/console/plans/{plan_id}/revise"),
            &[("csrf", &csrf), ("reason", "")],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("请填写修订理由"), "{page}");
    let (status, _) = app
        .post(
            &c,
            &format!("/console/plans/{plan_id}/revise"),
            &[("csrf", &csrf), ("reason", "根据市局通知调整抽查比例")],
        )
        .await;
    assert_eq!(status, 303);
    let revised = text.replace("2%；1次/年", "5%；1次/年");
    let plan_field = plan_id.to_string();
    let (status, page) = upload(
        &app,
        &c,
        &[("csrf", &csrf), ("text", &revised), ("plan", &plan_field)],
        None,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let kept = hidden_text(&page);
    let (status, page) = app
        .post(
            &c,
            "/console/plans/import/confirm",
            &[
                ("csrf", &csrf),
                ("text", &kept),
                ("plan", &plan_field),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let (status, page) = app
        .post(
            &c,
            &format!("/console/plans/{plan_id}/publish"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let (status, page) = app.get(&c, &format!("/public/plans/{}", plan.code)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("第 2 版") && page.contains("第 1 版"),
        "{page}"
    );
    assert!(page.contains("由“2%"), "{page}");
    assert!(page.contains("根据市局通知调整抽查比例"));
    assert!(
        !page.contains("cgj.plan"),
        "no usernames on the public page"
    );
}

#[tokio::test]
async fn bad_plan_tables_are_refused_with_their_reasons_and_create_nothing() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("cgj.plan").await;
    let all = ssj_app::Actor::command_line();
    let before = app.platform.plans(&all).await.unwrap().len();
    let departments = app.platform.departments().await.unwrap();
    let cgj = departments
        .iter()
        .find(|d| d.name == "高平市城市管理局")
        .unwrap()
        .id
        .to_string();
    let year = (ssj_app::clock::today()[..4].parse::<u32>().unwrap() + 1).to_string();
    let header = "序号\t抽查任务名称\t抽查事项\t抽查对象范围\t抽查比例及频次\t智慧监管（信用风险分类）要求\t抽查起止时间\t发起部门\t配合部门\t抽查模式\n";
    let item = "对市区沿街商户履行“门前三包”的行政检查";
    let row = |name: &str, ratio: &str, tiers: &str, window: &str, dept: &str| {
        format!("1\t{name}\t{item}\t门店\t{ratio}\t{tiers}\t{window}\t{dept}\t\t县抽县查\n")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "missing columns",
            "序号\t抽查任务名称\n1\t甲\n".into(),
            "未找到抽查计划表",
        ),
        (
            "unknown department",
            format!(
                "{header}{}",
                row("甲", "10%", "不涉及", "3月-12月", "火星局")
            ),
            "“火星局”未能对应到部门名录",
        ),
        (
            "item not on the list",
            format!(
                "{header}1\t甲\t对月球表面的检查\t门店\t10%\t不涉及\t3月-12月\t高平市城市管理局\t\t县抽县查\n"
            ),
            "“对月球表面的检查”不在已发布的抽查事项清单中",
        ),
        (
            "window reversed",
            format!(
                "{header}{}",
                row("甲", "10%", "不涉及", "12月-3月", "高平市城市管理局")
            ),
            "抽查起止时间",
        ),
        (
            "ratio above 100%",
            format!(
                "{header}{}",
                row("甲", "120%", "不涉及", "3月-12月", "高平市城市管理局")
            ),
            "抽查比例及频次",
        ),
        (
            "bound broken by the tiers",
            format!(
                "{header}{}",
                row(
                    "甲",
                    "不低于50%",
                    "对低风险、一般风险、较高风险、高风险企业分别递加抽查比例",
                    "3月-12月",
                    "高平市城市管理局"
                )
            ),
            "不符合要求",
        ),
        (
            "duplicated names",
            format!(
                "{header}{}{}",
                row("甲", "10%", "不涉及", "3月-12月", "高平市城市管理局"),
                row("甲", "5%", "不涉及", "3月-12月", "高平市城市管理局").replacen('1', "2", 1)
            ),
            "任务名称“甲”重复出现",
        ),
    ];
    for (what, text, expected) in cases {
        let (status, page) = upload(
            &app,
            &c,
            &[
                ("csrf", &csrf),
                ("text", &text),
                ("department", &cgj),
                ("year", &year),
            ],
            None,
        )
        .await;
        assert_eq!(status, 422, "{what}: {page}");
        assert!(
            page.contains(expected),
            "{what}: expected {expected} in {page}"
        );
    }
    // Files: empty, a .docx without a table, a binary file named .xlsx.
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.txt", b"  \n".to_vec(), "文件为空"),
        ("letter.docx", docx_without_table(), "没有表格"),
        (
            "plan.xlsx",
            vec![0u8, 159, 146, 150, 1, 2, 3, 200, 201, 7, 8],
            "二进制",
        ),
    ];
    for (name, bytes, expected) in files {
        let (status, page) = upload(
            &app,
            &c,
            &[("csrf", &csrf), ("department", &cgj), ("year", &year)],
            Some((name, bytes)),
        )
        .await;
        assert_eq!(status, 422, "{name}: {page}");
        assert!(
            page.contains(expected),
            "{name}: expected {expected} in {page}"
        );
    }
    assert_eq!(
        app.platform.plans(&all).await.unwrap().len(),
        before,
        "nothing created"
    );
}

/// A minimal Word document with one paragraph and no table.
fn docx_without_table() -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>关于印发抽查计划的通知</w:t></w:r></w:p></w:body></w:document>".as_bytes()).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_quarterly_task_is_four_rounds_each_its_own_task() {
    let app = spawn_sqlite().await;
    let (c, _) = app.login("cgj.plan").await;
    let all = ssj_app::Actor::command_line();
    let p = &app.platform;
    let cgj = p
        .departments()
        .await
        .unwrap()
        .iter()
        .find(|d| d.name == "高平市城市管理局")
        .unwrap()
        .id;
    let year: u32 = ssj_app::clock::today()[..4].parse::<u32>().unwrap() + 1;
    let text = "序号\t抽查任务名称\t抽查事项\t抽查对象范围\t抽查比例及频次\t智慧监管（信用风险分类）要求\t抽查起止时间\t发起部门\n\
        1\t门前三包季度检查\t对市区沿街商户履行“门前三包”的行政检查\t沿街门店\t35%; 1次/季度\t不涉及\t1月-12月\t高平市城市管理局\n";
    let (plan, _) = p
        .import_plan(
            &all,
            text,
            ssj_app::plans::import::NewPlan {
                title: "门前三包季度检查计划".into(),
                year,
                department_id: Some(cgj),
                ..Default::default()
            },
            &Default::default(),
        )
        .await
        .unwrap();
    p.plan_step(
        &all,
        plan.id,
        ssj_app::plans::lifecycle::PlanStep::Publish,
        "",
    )
    .await
    .unwrap();
    let (status, page) = app.get(&c, &format!("/console/plans/{}", plan.id)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<span class=\"tag state\">待抽取</span>"),
        "{page}"
    );
    assert!(page.contains("已抽取 0/4 轮"), "{page}");
    assert!(page.contains("&amp;round=1"), "{page}");
    assert!(
        page.contains(&format!("（第 1 轮，{year}-01-01 至 {year}-03-31）")),
        "{page}"
    );
    // Round 2's form: its own quarter and name.
    let (status, page) = app
        .get(
            &c,
            &format!("/console/tasks/new?plan={}&seq=1&round=2", plan.id),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("门前三包季度检查（第 2 轮）"), "{page}");
    assert!(
        page.contains(&format!("value=\"{year}-04-01\""))
            && page.contains(&format!("value=\"{year}-06-30\""))
    );
    let (status, _) = app
        .get(
            &c,
            &format!("/console/tasks/new?plan={}&seq=1&round=5", plan.id),
        )
        .await;
    assert_eq!(status, 404);
}
