//! `ssj-bench draw-e2e`: two tasks over the whole directory of a database (objects imported
//! beforehand), for two different items (so that the 12-month rule keeps them apart): one
//! drawn the way the console does it (freeze; a witness commits; reveal and draw), the other
//! with `shuangsuiji draw run` (the whole ceremony at once). Each step is timed in the log
//! with `SSJ_BENCH_LOG=ssj_app::steps=debug`.

use ssj_app::draws::{Contributor, NewContribution};
use ssj_app::tasks::NewTask;
use ssj_app::{Actor, Platform};
use std::collections::BTreeMap;
use std::time::Instant;

/// Departments, a published item and officers, once, so that a task can be drawn.
async fn prepare(p: &Platform) -> i64 {
    let cli = Actor::command_line();
    if let Some(d) = p
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.name == "高平市市场监督管理局")
    {
        return d.id;
    }
    p.import_divisions(
        &cli,
        "代码,名称\n140000,山西省\n140500,晋城市\n140581,高平市\n",
    )
    .await
    .unwrap();
    let d = p
        .create_department(&cli, "高平市市场监督管理局", "140581")
        .await
        .unwrap()
        .id;
    let items = "序号,部门,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查主体,检查依据\n\
        1,高平市市场监督管理局,食品安全,食品经营者检查,食品经营者,一般检查事项,现场检查,县级市场监管部门,《食品安全法》\n\
        2,高平市市场监督管理局,产品质量,生产企业产品质量检查,生产企业,一般检查事项,现场检查,县级市场监管部门,《产品质量法》\n";
    p.import_items(
        &cli,
        items.as_bytes(),
        ssj_app::imports::ImportMode::AllOrNothing,
    )
    .await
    .unwrap();
    p.publish_items(&cli, "").await.unwrap();
    let mut officers = String::from(
        "姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,身份证号,状态\n",
    );
    for i in 1..=500 {
        officers.push_str(&format!(
            "执法{i},高平市市场监督管理局,SX1405810{i:04},2099-12-31,县,,,,有效\n"
        ));
    }
    p.import_officers(
        &cli,
        officers.as_bytes(),
        ssj_app::imports::ImportMode::AllOrNothing,
    )
    .await
    .unwrap();
    d
}

/// How many objects a draw selected: the lines of its result.csv after the header.
async fn selected(p: &Platform, draw_id: i64) -> usize {
    let result = p.draw_result_file(draw_id).await.unwrap().unwrap();
    result.iter().filter(|&&b| b == b'\n').count() - 1
}

pub async fn run(p: &Platform, objects_only: bool) {
    let cli = Actor::command_line();
    let department = prepare(p).await;
    let version = p.published_items_version().await.unwrap().unwrap();
    let items = p.version_items(Some(&cli), version.id).await.unwrap();
    let task = |item: i64, name: &str| NewTask {
        name: name.into(),
        department_id: department,
        items: vec![item],
        ratios: BTreeMap::new(),
        window_from: "2026-03-01".into(),
        window_to: "2099-11-30".into(),
        team_size: 2,
        objects_only,
        // The whole province, not only the department's county: a draw over every candidate.
        objects: ssj_app::tasks::ObjectScope {
            include_outside: true,
            ..Default::default()
        },
        ..Default::default()
    };
    // As the console does it: three requests, the witness's between the other two.
    let console = p
        .create_task(&cli, task(items[0].id, "全量名录抽取（控制台）"))
        .await
        .unwrap();
    let t = Instant::now();
    let draw = p.freeze_draw(&cli, console.id, None).await.unwrap();
    let freeze = t.elapsed();
    let contribution = NewContribution {
        role: Contributor::Witness,
        label: "见证人".into(),
        value: Some("42".into()),
        commitment: None,
    };
    p.add_contribution(&cli, draw.id, contribution)
        .await
        .unwrap();
    let t = Instant::now();
    let drawn = p
        .reveal_and_draw(&cli, draw.id, &BTreeMap::new())
        .await
        .unwrap();
    let compute = t.elapsed();
    println!(
        "draw end to end in three requests, {} candidates, {} selected: freeze (query, exclusions, files, digests, store) {:.2} s; \
         reveal and draw (read back, seed, tickets, selection, teams, store) {:.2} s; total {:.2} s",
        drawn.candidate_count,
        selected(p, drawn.id).await,
        freeze.as_secs_f64(),
        compute.as_secs_f64(),
        (freeze + compute).as_secs_f64(),
    );
    // `shuangsuiji draw run TASK`: the whole ceremony at once, an operator's value generated.
    let at_once = p
        .create_task(&cli, task(items[1].id, "全量名录抽取（一次完成）"))
        .await
        .unwrap();
    let t = Instant::now();
    let drawn = p
        .run_ceremony(&cli, at_once.id, Vec::new(), None)
        .await
        .unwrap();
    let whole = t.elapsed();
    println!(
        "draw end to end at once (draw run), {} candidates, {} selected: {:.2} s; peak RSS {:.0} MB",
        drawn.candidate_count,
        selected(p, drawn.id).await,
        whole.as_secs_f64(),
        crate::peak_rss_mb()
    );
}
