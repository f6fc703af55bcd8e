//! Annual plans: a table imported with a name a person maps once (and the platform remembers),
//! published, run by draw tasks, revised with a change list, completed and archived; every
//! step in the audit log, nothing created by a refused import.

use super::{county, platform};
use crate::harness::Harness;
use ssj_app::Actor;
use ssj_app::draws::{Contributor, NewContribution};
use ssj_app::imports::ImportMode;
use ssj_app::plans::adopt::PlanRef;
use ssj_app::plans::import::{Mappings, NewPlan};
use ssj_app::plans::lifecycle::PlanStep;
use ssj_app::tasks::NewTask;
use ssj_domain::plans::{PlanStatus, TaskChange};
use ssj_merkle::HashAlg;
use ssj_storage::AuditFilter;
use std::collections::BTreeMap;

const ITEMS: &str = "序号,部门,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查主体,检查依据\n\
    1,高平市市场监督管理局,食品安全,食品经营者检查,食品经营者,一般检查事项,现场检查,县级市场监管部门,《食品安全法》\n\
    2,高平市城市管理局,市容,户外广告设施检查,设置单位,一般检查事项,现场检查,县级城管部门,《城市市容和环境卫生管理条例》\n";

const HEADER: &str = "序号\t抽查任务名称\t抽查事项\t抽查对象范围\t抽查比例及频次\t智慧监管（信用风险分类）要求\t抽查起止时间\t发起部门\t配合部门\t抽查模式\n";

fn table(second_ratio: &str, third: bool) -> String {
    let mut s = String::from(HEADER);
    s.push_str("1\t户外广告设施联合检查\t户外广告设施检查\t设置单位\t10%；1次/年\t不涉及\t3月—12月\t高平城市管理 局\t市监局\t县抽县查\n");
    s.push_str(&format!(
        "2\t食品经营者检查\t食品经营者检查\t食品经营者\t{second_ratio}\t不涉及\t1月-11月\t市场监管局\t\t县抽县查\n"
    ));
    if third {
        s.push_str("3\t食品经营者专项检查\t食品经营者检查\t食品经营者\t5%\t不涉及\t6月—12月\t高平市市场监督管理局\t\t县抽县查\n");
    }
    s
}

pub async fn a_plan_is_imported_published_revised_and_run(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    let (_, scjg, cgj) = county(&p).await;
    p.import_items(&cli, ITEMS.as_bytes(), ImportMode::AllOrNothing)
        .await
        .unwrap();
    p.publish_items(&cli, "").await.unwrap();
    let mut csv = Vec::new();
    ssj_app::generate::write_objects_csv(&mut csv, 200, &["140581".to_string()], 3).unwrap();
    p.import_objects(&cli, csv, ImportMode::AllOrNothing, false)
        .await
        .unwrap();
    // The count a new task checks its scope with agrees with the rows a draw reads.
    let scope = ssj_storage::DrawScope::default();
    let rows = f.store.scope_objects(&scope).await.unwrap();
    let counts = f.store.scope_counts(&scope).await.unwrap();
    assert_eq!(
        counts.iter().map(|(_, n)| *n).sum::<u64>(),
        rows.len() as u64
    );
    assert!(f.store.scope_any_active(&scope).await.unwrap());
    let nowhere = ssj_storage::DrawScope {
        divisions: vec!["650000".into()],
        ..Default::default()
    };
    assert!(!f.store.scope_any_active(&nowhere).await.unwrap());
    for (status, n) in &counts {
        let by_rows = (0..rows.len())
            .filter(|&i| rows.status(i) == *status)
            .count();
        assert_eq!(*n, by_rows as u64, "{status:?}");
    }
    let year: u32 = ssj_app::clock::today()[..4].parse::<u32>().unwrap() + 1;
    let new_plan = || NewPlan {
        title: format!("高平市城市管理局 {year} 年度部门联合双随机抽查工作计划"),
        year,
        department_id: Some(cgj),
        ..Default::default()
    };

    // 市监局 is no name the directory knows with certainty: the import stops, creating nothing.
    let text = table("10%；1次/年", false);
    let preview = p
        .preview_plan(&cli, &text, year, Some(cgj), &Mappings::new())
        .await
        .unwrap();
    assert!(!preview.ready());
    assert!(
        preview
            .departments
            .iter()
            .any(|u| u.key == "department:市监局")
    );
    assert!(
        preview.errors.iter().any(|e| e.contains("市监局")),
        "{:?}",
        preview.errors
    );
    // 高平城市管理 局 and 市场监管局 are matched by their normalised names.
    assert_eq!(
        preview.tasks[0].initiating.department.as_ref().unwrap().id,
        cgj
    );
    assert_eq!(
        preview.tasks[1].initiating.department.as_ref().unwrap().id,
        scjg
    );
    let refused = p
        .import_plan(&cli, &text, new_plan(), &Mappings::new())
        .await
        .unwrap_err();
    assert_eq!(refused.code, "PLAN_NOT_READY");
    assert!(p.plans(&cli).await.unwrap().is_empty());

    // Mapped once, the name is remembered for the next import.
    let mapped = Mappings::from([("department:市监局".to_string(), scjg)]);
    let (plan, _) = p
        .import_plan(&cli, &text, new_plan(), &mapped)
        .await
        .unwrap();
    assert_eq!(plan.status, PlanStatus::Draft);
    assert_eq!(plan.code, format!("140581{year}0001"));
    assert_eq!(plan.completion_date, format!("{year}-12-31"));
    let again = p
        .preview_plan(&cli, &text, year, Some(cgj), &Mappings::new())
        .await
        .unwrap();
    assert!(again.ready(), "{:?}", again.errors);
    assert!(
        p.public_plan(&plan.code).await.is_err(),
        "a draft is not public"
    );

    let plan = p
        .plan_step(&cli, plan.id, PlanStep::Publish, "")
        .await
        .unwrap();
    assert_eq!(
        (plan.status, plan.published_version),
        (PlanStatus::Published, Some(1))
    );
    let public = p.public_plan(&plan.code).await.unwrap();
    assert_eq!(public.versions.len(), 1);
    assert_eq!(public.versions[0].tasks.len(), 2);

    // A draw task runs task 1 of the plan; a 序号 the plan does not have creates nothing.
    let task = |seq: i64| NewTask {
        name: "户外广告设施联合检查".into(),
        department_id: cgj,
        items: vec![public.versions[0].tasks[0].initiating.items[0].item_id],
        objects: Default::default(),
        uniform: Some(("10%".into(), "不涉及信用风险分类".into())),
        window_from: format!("{year}-03-01"),
        window_to: format!("{year}-12-31"),
        plan: Some(PlanRef {
            plan_id: plan.id,
            seq,
        }),
        ..Default::default()
    };
    let before = p.tasks().await.unwrap().len();
    let e = p.create_task(&cli, task(9)).await.unwrap_err();
    assert_eq!(e.code, "PLAN_TASK_UNKNOWN");
    assert_eq!(
        p.tasks().await.unwrap().len(),
        before,
        "nothing half-written"
    );
    let t = p.create_task(&cli, task(1)).await.unwrap();
    let (linked, seq) = p.task_plan(t.id).await.unwrap().unwrap();
    assert_eq!((linked.id, seq), (plan.id, 1));
    // A task created alone is a one-task plan, published with it.
    let alone = p
        .create_task(
            &cli,
            NewTask {
                plan: None,
                ..task(1)
            },
        )
        .await
        .unwrap();
    let (own, _) = p.task_plan(alone.id).await.unwrap().unwrap();
    assert_ne!(own.id, plan.id);
    assert_eq!(own.status, PlanStatus::Published);

    // A revision needs its reason; until it is published the public sees version 1 only.
    let e = p
        .plan_step(&cli, plan.id, PlanStep::Revise, " ")
        .await
        .unwrap_err();
    assert_eq!(e.code, "REASON_REQUIRED");
    let plan = p
        .plan_step(&cli, plan.id, PlanStep::Revise, "根据省局要求调整抽查比例")
        .await
        .unwrap();
    assert_eq!((plan.status, plan.version), (PlanStatus::Revising, 2));
    let e = p
        .plan_step(&cli, plan.id, PlanStep::Publish, "")
        .await
        .unwrap_err();
    assert_eq!(e.code, "PLAN_NO_CHANGES");
    p.reimport_plan(&cli, plan.id, &table("不低于20%", true), &Mappings::new())
        .await
        .unwrap();
    assert_eq!(p.public_plan(&plan.code).await.unwrap().versions.len(), 1);
    let plan = p
        .plan_step(&cli, plan.id, PlanStep::Publish, "")
        .await
        .unwrap();
    assert_eq!(plan.published_version, Some(2));
    let public = p.public_plan(&plan.code).await.unwrap();
    assert_eq!(public.versions.len(), 2);
    let changes = &public.versions[1].changes;
    assert!(changes.contains(&TaskChange::Added {
        name: "食品经营者专项检查".into()
    }));
    let changed = changes
        .iter()
        .find_map(|c| match c {
            TaskChange::Changed { name, fields } if name == "食品经营者检查" => Some(fields),
            _ => None,
        })
        .expect("task 2 changed");
    assert!(
        changed
            .iter()
            .any(|f| f.before.contains("10%") && f.after.contains("20%"))
    );
    // Version 1 reads as it was published.
    assert_eq!(public.versions[0].tasks.len(), 2);

    // Task 2 now says 不低于20%: a draw task of it at 5% is refused at the freeze, with why;
    // at 20% it is frozen.
    let food = public.versions[1].tasks[1].initiating.items[0].item_id;
    let at = |ratio: &str| NewTask {
        name: "食品经营者检查".into(),
        department_id: scjg,
        items: vec![food],
        uniform: Some((ratio.into(), "不涉及信用风险分类".into())),
        window_from: format!("{year}-01-01"),
        window_to: format!("{year}-11-30"),
        objects_only: true,
        plan: Some(PlanRef {
            plan_id: plan.id,
            seq: 2,
        }),
        ..Default::default()
    };
    let low = p.create_task(&cli, at("5%")).await.unwrap();
    let preview = p.draw_preview(&cli, low.id).await.unwrap();
    assert!(
        preview
            .bound_refusal
            .as_deref()
            .unwrap()
            .contains("不低于20%")
    );
    let e = p.freeze_draw(&cli, low.id, None).await.unwrap_err();
    assert_eq!(e.code, "DRAW_BOUND");
    assert!(e.message.contains("不符合计划要求"), "{}", e.message);
    let enough = p.create_task(&cli, at("20%")).await.unwrap();
    assert!(
        p.draw_preview(&cli, enough.id)
            .await
            .unwrap()
            .bound_refusal
            .is_none()
    );
    let draw_it = |task_id: i64| {
        let p = &p;
        let cli = &cli;
        async move {
            let draw = p.freeze_draw(cli, task_id, None).await.unwrap();
            p.add_contribution(
                cli,
                draw.id,
                NewContribution {
                    role: Contributor::Witness,
                    label: "见证人".into(),
                    value: Some("骰子 3-1-4".into()),
                    commitment: None,
                },
            )
            .await
            .unwrap();
            p.reveal_and_draw(cli, draw.id, &BTreeMap::new())
                .await
                .unwrap();
        }
    };
    draw_it(enough.id).await;

    // 进一次门、查多项事: task 1 at 100% draws every object, among them the 20% of task 2, in
    // windows that overlap; each such object is one proposed visit.
    let all_of_them = p
        .create_task(
            &cli,
            NewTask {
                uniform: Some(("100%".into(), "专项全覆盖".into())),
                objects_only: true,
                ..task(1)
            },
        )
        .await
        .unwrap();
    draw_it(all_of_them.id).await;
    let view = p.plan(&cli, &plan.code).await.unwrap();
    let visits = p.plan_visits(&view).await.unwrap();
    let twenty = f
        .store
        .drawn_picks()
        .await
        .unwrap()
        .iter()
        .filter(|(t, _)| *t == enough.id)
        .count();
    assert!(twenty > 0);
    assert_eq!((visits.visits.len(), visits.saved), (twenty, twenty));
    assert_eq!(visits.repeated.len(), twenty);
    let first = &visits.visits[0];
    assert_eq!(first.tasks.len(), 2);
    assert_eq!(first.window.from, format!("{year}-03-01"));
    assert_eq!(first.window.to, format!("{year}-11-30"));
    assert!(!first.confirmed);
    // Each initiating department confirms once.
    assert_eq!(p.confirm_visit(&cli, plan.id, &first.key).await.unwrap(), 2);
    let e = p
        .confirm_visit(&cli, plan.id, &first.key)
        .await
        .unwrap_err();
    assert_eq!(e.code, "VISIT_CONFIRMED");
    let e = p.confirm_visit(&cli, plan.id, "no:such").await.unwrap_err();
    assert_eq!(e.code, "VISIT_NOT_FOUND");
    let visits = p.plan_visits(&view).await.unwrap();
    assert!(
        visits
            .visits
            .iter()
            .find(|v| v.key == first.key)
            .unwrap()
            .confirmed
    );

    let e = p
        .plan_step(&cli, plan.id, PlanStep::Archive, "")
        .await
        .unwrap_err();
    assert_eq!(e.code, "PLAN_STATE");
    p.plan_step(&cli, plan.id, PlanStep::Complete, "")
        .await
        .unwrap();
    let plan = p
        .plan_step(&cli, plan.id, PlanStep::Archive, "")
        .await
        .unwrap();
    assert_eq!(plan.status, PlanStatus::Archived);
    let e = p.create_task(&cli, task(1)).await.unwrap_err();
    assert_eq!(e.code, "PLAN_CLOSED");

    let (records, _) = f
        .store
        .audit_search(&AuditFilter {
            action_prefix: Some("plan.".into()),
            target: Some(format!("plan:{}", plan.code)),
            oldest_first: true,
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = records
        .iter()
        .map(|r| r.record.entry.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "plan.import",
            "plan.publish",
            "plan.revise",
            "plan.reimport",
            "plan.publish",
            "plan.complete",
            "plan.archive"
        ]
    );
    // Starting again adopts nothing: every task has its plan.
    let again = platform(&f, HashAlg::Sha256).await;
    assert_eq!(again.adopt_tasks_without_plan().await.unwrap(), 0);
}
