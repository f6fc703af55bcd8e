//! `ssj-bench plan-year`: a city plan of 60 tasks over the directory of a database (objects
//! imported beforehand): the plan table imported and published, every task created from it
//! and drawn (objects only, as a city does before dispatching), and the merged-visit proposal
//! of the year computed; beside it, one task of the same scope as the median drawn alone, and
//! the merge alone over 100,000 (object, task) pairs.

use ssj_app::draws::{Contributor, NewContribution};
use ssj_app::plans::adopt::PlanRef;
use ssj_app::plans::import::NewPlan;
use ssj_app::plans::lifecycle::PlanStep;
use ssj_app::tasks::{NewTask, ObjectScope};
use ssj_app::{Actor, Platform};
use ssj_domain::plans::{DrawnTask, Window, merge_visits};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const TASKS: usize = 60;
/// The generator's object types and industries (`ssj_app::generate`): a task filters on one
/// or the other, so together they cover the directory twice over and overlap.
const KINDS: [&str; 4] = ["企业", "个体工商户", "农民专业合作社", "工程项目"];
const INDUSTRIES: [&str; 12] = [
    "5211", "6210", "1469", "5165", "0610", "0111", "8111", "5251", "5430", "4700", "0313", "5212",
];

fn scope(i: usize) -> ObjectScope {
    let n = i % (KINDS.len() + INDUSTRIES.len());
    let mut s = ObjectScope {
        directed: true,
        include_outside: true,
        ..Default::default()
    };
    if n < KINDS.len() {
        s.kinds = vec![KINDS[n].into()];
    } else {
        s.industries = vec![INDUSTRIES[n - KINDS.len()].into()];
    }
    s
}

async fn prepare(p: &Platform) -> (i64, String) {
    let cli = Actor::command_line();
    let department = match p
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.name == "晋城市市场监督管理局")
    {
        Some(d) => d.id,
        None => {
            p.import_divisions(&cli, "代码,名称\n140000,山西省\n140500,晋城市\n")
                .await
                .ok();
            p.create_department(&cli, "晋城市市场监督管理局", "140500")
                .await
                .unwrap()
                .id
        }
    };
    // One item per task: the same item twice a year would keep its objects apart.
    let mut items =
        String::from("序号,部门,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查主体,检查依据\n");
    for i in 1..=TASKS {
        items.push_str(&format!(
            "{i},晋城市市场监督管理局,年度计划,年度计划检查事项{i:02},市场主体,一般检查事项,现场检查,市级市场监管部门,《市场监管法规》\n"
        ));
    }
    p.import_items(
        &cli,
        items.as_bytes(),
        ssj_app::imports::ImportMode::AllOrNothing,
    )
    .await
    .unwrap();
    p.publish_items(&cli, "年度计划基准").await.unwrap();
    let mut table = String::from(
        "晋城市市场监督管理局 年度双随机抽查工作计划\n序号\t抽查任务名称\t抽查事项\t抽查对象范围\t抽查比例及频次\t智慧监管（信用风险分类）要求\t抽查起止时间\t发起部门\n",
    );
    for i in 1..=TASKS {
        table.push_str(&format!(
            "{i}\t年度计划任务{i:02}\t年度计划检查事项{i:02}\t范围{i:02}\t5%；1次/年\t根据企业信用风险分类结果分别递加抽查比例\t3月—11月\t晋城市市场监督管理局\n"
        ));
    }
    (department, table)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn draw(p: &Platform, task_id: i64) -> Duration {
    let cli = Actor::command_line();
    let t = Instant::now();
    let d = p.freeze_draw(&cli, task_id, None).await.unwrap();
    p.add_contribution(
        &cli,
        d.id,
        NewContribution {
            role: Contributor::Witness,
            label: "见证人".into(),
            value: Some("42".into()),
            commitment: None,
        },
    )
    .await
    .unwrap();
    p.reveal_and_draw(&cli, d.id, &BTreeMap::new())
        .await
        .unwrap();
    t.elapsed()
}

pub async fn run(p: &Platform) {
    let cli = Actor::command_line();
    let year: u32 = ssj_app::clock::today()[..4].parse::<u32>().unwrap() + 1;
    let (department, table) = prepare(p).await;
    let all = Instant::now();

    let t = Instant::now();
    let (plan, preview) = p
        .import_plan(
            &cli,
            &table,
            NewPlan {
                title: "晋城市市场监督管理局 年度双随机抽查工作计划".into(),
                year,
                department_id: Some(department),
                ..Default::default()
            },
            &Default::default(),
        )
        .await
        .unwrap();
    p.plan_step(&cli, plan.id, PlanStep::Publish, "")
        .await
        .unwrap();
    let import = t.elapsed();
    let version = p.published_items_version().await.unwrap().unwrap();
    let items = p.version_items(Some(&cli), version.id).await.unwrap();
    let item_of = |n: usize| {
        items
            .iter()
            .find(|i| i.name == format!("年度计划检查事项{n:02}"))
            .unwrap()
            .id
    };
    let task = |i: usize, plan: Option<PlanRef>| NewTask {
        name: format!("年度计划任务{:02}", i + 1),
        department_id: department,
        items: vec![item_of(i + 1)],
        objects: scope(i),
        window_from: format!("{year}-03-01"),
        window_to: format!("{year}-11-30"),
        objects_only: true,
        plan,
        ..Default::default()
    };
    let mut times = Vec::new();
    let mut creating = Duration::ZERO;
    let mut per_scope: BTreeMap<usize, Vec<Duration>> = BTreeMap::new();
    for i in 0..preview.tasks.len() {
        let at = PlanRef {
            plan_id: plan.id,
            seq: i as i64 + 1,
        };
        let t = Instant::now();
        let made = p.create_task(&cli, task(i, Some(at))).await.unwrap();
        creating += t.elapsed();
        let took = draw(p, made.id).await;
        per_scope.entry(i % 16).or_default().push(took);
        times.push(took);
    }
    let t = Instant::now();
    let view = p.plan(&cli, &plan.code).await.unwrap();
    let visits = p.plan_visits(&view).await.unwrap();
    let merge = t.elapsed();
    let whole = all.elapsed();
    println!(
        "plan of {} tasks: import and publish {:.2} s; tasks created from it {:.2} s; {} draws, median {:.2} s, total {:.2} s; \
         merged-visit proposal {:.2} s ({} picks of the plan, {} visits merged, {} saved); end to end {:.2} s",
        preview.tasks.len(),
        import.as_secs_f64(),
        creating.as_secs_f64(),
        times.len(),
        median(times.clone()).as_secs_f64(),
        times.iter().sum::<Duration>().as_secs_f64(),
        merge.as_secs_f64(),
        visits.picks,
        visits.merged,
        visits.saved,
        whole.as_secs_f64(),
    );
    // The same scope as the median plan task, drawn alone (a one-task plan), beside the
    // plan's draws of it; a fresh item so no earlier pick keeps its objects out.
    let mid = times.clone();
    let median_task = mid
        .iter()
        .enumerate()
        .min_by_key(|(_, d)| d.abs_diff(median(mid.clone())))
        .map(|(i, _)| i)
        .unwrap();
    let mut alone = task(median_task, None);
    alone.name = "同范围单独任务".into();
    alone.items = vec![item_of(1)];
    alone.window_from = format!("{}-03-01", year + 1);
    alone.window_to = format!("{}-11-30", year + 1);
    let made = p.create_task(&cli, alone).await.unwrap();
    let single = draw(p, made.id).await;
    println!(
        "the median plan task's scope (task {:02}): in the plan {:.2} s, drawn alone {:.2} s, ratio {:.2}",
        median_task + 1,
        median(per_scope[&(median_task % 16)].clone()).as_secs_f64(),
        single.as_secs_f64(),
        median(per_scope[&(median_task % 16)].clone()).as_secs_f64() / single.as_secs_f64()
    );
    // The merge alone: 100,000 (object, task) pairs of 60 tasks in overlapping windows.
    let tasks: Vec<DrawnTask> = (0..TASKS as i64)
        .map(|i| DrawnTask {
            task_id: i,
            window: Window {
                from: format!("{year}-{:02}-01", 3 + i % 6),
                to: format!("{year}-11-30"),
            },
        })
        .collect();
    let mut picks: Vec<(usize, String)> = (0..100_000usize)
        .map(|i| (i % 59, format!("91140500{:010}", (i * 7919) % 80_000)))
        .collect();
    let t = Instant::now();
    let merged = merge_visits(&tasks, &mut picks);
    println!(
        "merged visits alone over 100,000 pairs: {:.3} s ({} visits)",
        t.elapsed().as_secs_f64(),
        merged.len()
    );
}
