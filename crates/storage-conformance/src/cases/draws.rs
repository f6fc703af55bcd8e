//! Tasks and draws: the ceremony through the platform, the frozen files and the result read
//! back byte for byte, the burden rules that read earlier picks, and the export verified.

use super::{county, platform};
use crate::harness::Harness;
use ssj_app::Actor;
use ssj_app::draws::after::Change;
use ssj_app::draws::{Contributor, NewContribution};
use ssj_app::imports::ImportMode;
use ssj_app::tasks::NewTask;
use ssj_merkle::HashAlg;
use ssj_storage::{DrawScope, DrawStatus, TaskStatus};
use std::collections::BTreeMap;

const ITEMS: &str = "序号,部门,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查主体,检查依据\n\
    1,高平市市场监督管理局,食品安全,食品经营者检查,食品经营者,一般检查事项,现场检查,县级市场监管部门,《食品安全法》\n\
    2,高平市市场监督管理局,产品质量,工业产品生产企业检查,生产企业,重点检查事项,现场检查,县级市场监管部门,《产品质量法》\n\
    3,高平市城市管理局,市容,户外广告设施检查,设置单位,一般检查事项,现场检查,县级城管部门,《城市市容和环境卫生管理条例》\n";

const PHONE: &str = "13800138000";
const ID_NUMBER: &str = "11010519491231002X";

/// A draw's export is published: no file of it names an officer's phone or ID number.
fn assert_no_personal_data(files: &BTreeMap<String, Vec<u8>>) {
    for (name, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        for x in [PHONE, ID_NUMBER, "11010519491231002x"] {
            assert!(!text.contains(x), "{x} in the exported {name}");
        }
    }
}

fn officers_csv() -> String {
    let mut s = String::from(
        "姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,身份证号,状态\n",
    );
    // One officer with a phone and an ID number, which no exported file may carry.
    s.push_str(&format!(
        "市监1,高平市市场监督管理局,SX14058100001,2099-12-31,县,,{PHONE},{ID_NUMBER},有效\n"
    ));
    for i in 2..=6 {
        s.push_str(&format!(
            "市监{i},高平市市场监督管理局,SX1405810{i:04},2099-12-31,县,,,,有效\n"
        ));
    }
    for i in 1..=3 {
        s.push_str(&format!(
            "城管{i},高平市城市管理局,CG1405810{i:04},2099-12-31,县,,,,有效\n"
        ));
    }
    s.push_str("过期,高平市市场监督管理局,SX14058109999,2020-01-01,县,,,,有效\n");
    s
}

pub async fn a_task_is_drawn_once_verifiably_and_its_picks_count(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    let (_, scjg, cgj) = county(&p).await;
    p.import_items(&cli, ITEMS.as_bytes(), ImportMode::AllOrNothing)
        .await
        .unwrap();
    let version = p.publish_items(&cli, "").await.unwrap();
    let items = f.store.version_items(version.id).await.unwrap();
    let id_of = |name: &str| items.iter().find(|i| i.name == name).unwrap().id;
    let mut csv = Vec::new();
    // Real code shapes: the county, objects registered at the city itself, another city.
    let divisions = ["140581", "140500", "140100"].map(String::from);
    ssj_app::generate::write_objects_csv(&mut csv, 2_000, &divisions, 5).unwrap();
    p.import_objects(&cli, csv, ImportMode::AllOrNothing, false)
        .await
        .unwrap();
    p.import_officers(&cli, officers_csv().as_bytes(), ImportMode::AllOrNothing)
        .await
        .unwrap();

    // The scope query returns every object once, with its tier and status; filters narrow it.
    let scope = f.store.scope_objects(&DrawScope::default()).await.unwrap();
    let mut codes: Vec<&str> = (0..scope.len()).map(|i| scope.code(i)).collect();
    codes.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    codes.dedup();
    assert_eq!((scope.len(), codes.len()), (2_000, 2_000));
    // A division means itself and everything under it: the city 140500 takes its county's
    // objects and its own, the province all three, the county only its own.
    let objects = f
        .store
        .objects_with_codes(&codes.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .await
        .unwrap();
    let in_division = |prefix: &str, tier: Option<ssj_domain::objects::Tier>| {
        objects
            .iter()
            .filter(|o| o.division.starts_with(prefix) && tier.is_none_or(|t| o.tier == t))
            .count()
    };
    let count = |division: &str, tiers: Vec<ssj_domain::objects::Tier>| {
        let scope = DrawScope {
            tiers,
            divisions: vec![division.to_string()],
            ..Default::default()
        };
        let store = f.store.clone();
        async move { store.scope_objects(&scope).await.unwrap().len() }
    };
    let d = ssj_domain::objects::Tier::D;
    assert_eq!(count("140500", vec![d]).await, in_division("1405", Some(d)));
    assert!(in_division("140500", None) > 0 && in_division("140581", None) > 0);
    assert_eq!(count("140500", vec![]).await, in_division("1405", None));
    assert_eq!(count("140581", vec![]).await, in_division("140581", None));
    assert_eq!(count("140000", vec![]).await, 2_000);
    assert_eq!(count("140600", vec![]).await, 0);
    // The console's list reads a division the same way.
    let listed = |division: &str| {
        let filter = ssj_storage::ObjectFilter {
            division: Some(division.to_string()),
            limit: 1,
            ..Default::default()
        };
        let store = f.store.clone();
        async move { store.objects(&filter).await.unwrap().1 }
    };
    assert_eq!(
        listed("140500").await as usize,
        count("140500", vec![]).await
    );
    assert_eq!(
        listed("140581").await as usize,
        count("140581", vec![]).await
    );
    let first_code = codes[0].to_string();

    let (officers, _) = f
        .store
        .officers(&ssj_storage::OfficerFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let officer = officers.iter().find(|o| o.name == "市监1").unwrap();
    p.declare_conflict(&cli, officer.id, &first_code, "近亲属任法定代表人")
        .await
        .unwrap();

    let new = |name: &str| NewTask {
        name: name.into(),
        department_id: scjg,
        items: vec![id_of("食品经营者检查")],
        partners: vec![ssj_app::tasks::Partner {
            department_id: cgj,
            items: vec![id_of("户外广告设施检查")],
        }],
        ratios: BTreeMap::from([("B".to_string(), "5%".to_string())]),
        no_disturb_a: true,
        window_from: "2026-03-01".into(),
        window_to: "2099-11-30".into(),
        team_size: 3,
        ..Default::default()
    };
    let task = p.create_task(&cli, new("联合抽查")).await.unwrap();
    assert_eq!(task.code.len(), 18);
    assert!(task.code.starts_with("140581"));

    // The ceremony step by step: a witness commits elsewhere and reveals later.
    let draw = p.freeze_draw(&cli, task.id, None).await.unwrap();
    let files = f.store.draw_files(draw.id).await.unwrap().unwrap();
    assert_eq!(
        ssj_draw::hash::sha256_hex(&files.candidates),
        draw.candidate_digest
    );
    let pool = String::from_utf8(files.officers.clone().unwrap()).unwrap();
    assert_eq!(
        pool.lines().count(),
        10,
        "9 officers with a valid certificate: {pool}"
    );
    assert!(!pool.contains(",高平市市场监督管理局\n10,"), "{pool}");
    let witness_value = "dice:3141592653";
    p.add_contribution(
        &cli,
        draw.id,
        NewContribution {
            role: Contributor::Witness,
            label: "高平市纪委监委派驻组".into(),
            value: None,
            commitment: Some(ssj_draw::commitment(witness_value)),
        },
    )
    .await
    .unwrap();
    let lottery = p
        .add_contribution(
            &cli,
            draw.id,
            NewContribution {
                role: Contributor::Lottery,
                label: "福彩3D 2026300期".into(),
                value: None,
                commitment: None,
            },
        )
        .await
        .unwrap();
    let wrong = BTreeMap::from([(2, "dice:0000".to_string())]);
    let e = p.reveal_and_draw(&cli, draw.id, &wrong).await.unwrap_err();
    assert_eq!(e.code, "LOTTERY_PENDING", "{e:?}");
    p.enter_lottery(&cli, draw.id, lottery.position, "7 2 9")
        .await
        .unwrap();
    let e = p.reveal_and_draw(&cli, draw.id, &wrong).await.unwrap_err();
    assert_eq!(e.code, "DRAW_REVEAL_MISMATCH", "{e:?}");
    assert_eq!(
        p.draw(draw.id).await.unwrap().status,
        DrawStatus::Frozen,
        "nothing saved as drawn"
    );
    let right = BTreeMap::from([(2, witness_value.to_string())]);
    let drawn = p.reveal_and_draw(&cli, draw.id, &right).await.unwrap();
    assert_eq!(drawn.status, DrawStatus::Drawn);
    assert_eq!(p.task(task.id).await.unwrap().status, TaskStatus::Drawn);

    // Locked: no second draw without a 系统管理员's reason; the export verifies.
    let planner = Actor {
        role: ssj_domain::Role::Planner,
        ..Actor::command_line()
    };
    assert_eq!(
        p.freeze_draw(&planner, task.id, Some("想再抽一次"))
            .await
            .unwrap_err()
            .code,
        "DRAW_LOCKED"
    );
    assert_eq!(
        p.freeze_draw(&cli, task.id, None).await.unwrap_err().code,
        "REASON_REQUIRED"
    );
    let files = p.export_draw(drawn.id).await.unwrap();
    assert!(
        files.contains_key("officers.csv"),
        "the officer pool is exported"
    );
    assert_no_personal_data(&files);
    let verified = ssj_draw::verify(&files).unwrap();
    assert_eq!(verified.manifest.task_id, task.code);
    assert_eq!(verified.manifest.reveals.len(), 3);
    let result = String::from_utf8(files["result.csv"].clone()).unwrap();
    // An undirected task of the county keeps to the county: the city's own objects and the
    // other city's are not candidates.
    let candidate_keys: Vec<String> = String::from_utf8(files["candidates.csv"].clone())
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let listed = f.store.objects_with_codes(&candidate_keys).await.unwrap();
    assert_eq!(listed.len(), candidate_keys.len());
    assert!(listed.iter().all(|o| o.division == "140581"));
    // The declared conflict is in the frozen file, and no team contains a conflicted pair.
    let conflicts = ssj_draw::files::parse_conflicts(&files["conflicts.csv"]).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        (conflicts[0].officer_id.as_str(), conflicts[0].key.as_str()),
        (officer.id.to_string().as_str(), first_code.as_str())
    );
    for line in result.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert!(
            !conflicts
                .iter()
                .any(|c| c.key == fields[1] && fields[4].split(';').any(|o| o == c.officer_id)),
            "{line}"
        );
    }
    // Every team has someone from each department.
    let pool = ssj_draw::files::parse_officers(&files["officers.csv"]).unwrap();
    for line in result.lines().skip(1) {
        let team: Vec<&str> = line.split(',').nth(4).unwrap().split(';').collect();
        assert_eq!(team.len(), 3);
        for d in ["高平市市场监督管理局", "高平市城市管理局"] {
            assert!(
                team.iter()
                    .any(|id| pool.iter().any(|o| o.id == *id && o.department == d)),
                "{line}"
            );
        }
    }

    // A company placed in the draw from the stored result: rank, ticket, its stratum's cutoff.
    let first_line: Vec<String> = result
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let found = p
        .lookup_in_draw(drawn.id, &first_line[1].to_lowercase())
        .await
        .unwrap();
    assert_eq!(
        (found.rank, found.ticket.as_str(), found.stratum.as_str()),
        (Some(1), first_line[3].as_str(), first_line[2].as_str())
    );
    assert!(found.ticket <= found.cutoff);
    let absent = p
        .lookup_in_draw(drawn.id, "91110000000000000X")
        .await
        .unwrap();
    assert!(!absent.candidate);
    let outside = result
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect::<Vec<_>>();
    let not_drawn = codes
        .iter()
        .find(|c| !outside.contains(&c.to_string()) && **c != first_code)
        .unwrap();
    let lost = p.lookup_in_draw(drawn.id, not_drawn).await.unwrap();
    if lost.candidate {
        assert_eq!(lost.rank, None);
        assert!(
            lost.cutoff.is_empty() || lost.ticket > lost.cutoff,
            "{lost:?}"
        );
    }

    // 递补 of an object and an officer, then the export still verifies.
    let first_selected = result
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_string();
    let rows = p
        .change_draw(
            &cli,
            drawn.id,
            Change::Object {
                key: first_selected.clone(),
            },
            "已注销",
        )
        .await
        .unwrap();
    assert_eq!(rows[0].replaced, first_selected);
    let second = result.lines().nth(2).unwrap();
    let (key, member) = (
        second.split(',').nth(1).unwrap(),
        second.split(',').nth(4).unwrap().split(';').next().unwrap(),
    );
    p.change_draw(
        &cli,
        drawn.id,
        Change::Officer {
            key: key.into(),
            officer_id: member.into(),
        },
        "病假",
    )
    .await
    .unwrap();
    let files = p.export_draw(drawn.id).await.unwrap();
    assert_no_personal_data(&files);
    assert_eq!(ssj_draw::verify(&files).unwrap().substitutions, 2);

    // The list as it is inspected now: the replacement in the first slot, the new member in
    // the second team, each change named beside it.
    let replacement = rows[0].replacement.clone();
    let list = p.current_list(drawn.id, None).await.unwrap();
    assert_eq!(list.total as u64, result.lines().count() as u64 - 1);
    assert_eq!(list.rows[0].key, replacement);
    assert!(
        list.rows[0]
            .replaced
            .as_deref()
            .unwrap()
            .contains(&first_selected)
    );
    assert!(!list.rows[1].members.iter().any(|m| m.id == member));
    assert_eq!(list.rows[1].members.len(), 3);
    assert!(list.rows[1].members.iter().all(|m| !m.cert_no.is_empty()));
    assert_eq!(list.history.len(), 2);
    assert_eq!(
        (list.history[0].kind, list.history[0].reason.as_str()),
        ("object", "已注销")
    );
    assert!(
        list.history[1].before.contains(key),
        "{:?}",
        list.history[1]
    );
    // The lookup follows: the replaced company says so and why, the replacement holds its slot.
    let gone = p.lookup_in_draw(drawn.id, &first_selected).await.unwrap();
    assert_eq!(gone.standing, ssj_app::draws::lookup::Standing::Replaced);
    assert_eq!(gone.rank, None);
    assert_eq!(gone.history[0].reason, "已注销");
    let came = p.lookup_in_draw(drawn.id, &replacement).await.unwrap();
    assert_eq!(came.standing, ssj_app::draws::lookup::Standing::Substitute);
    assert_eq!(came.rank, Some(1));
    assert!(
        came.ticket > came.cutoff,
        "a reserve's ticket is above the cutoff"
    );
    // By name, across every task with a draw.
    let name = p
        .object_names(std::slice::from_ref(&replacement))
        .await
        .unwrap()[&replacement]
        .clone();
    let everywhere = p.lookup_everywhere(&name).await.unwrap();
    assert_eq!(everywhere.len(), 1, "{everywhere:?}");
    assert_eq!(everywhere[0].1.key, replacement);
    // The public zip was built again with the 递补 in it, and is served as stored.
    let zip = p.public_zip(drawn.id).await.unwrap();
    assert_eq!(zip.substitutions, 2);
    assert_eq!(zip.digest, ssj_draw::hash::sha256_hex(&zip.bytes));
    let unpacked = ssj_app::draws::zip::unpack(&zip.bytes).unwrap();
    assert_eq!(ssj_draw::verify(&unpacked).unwrap().substitutions, 2);
    assert!(!unpacked.contains_key(ssj_draw::files::CONFLICTS));
    assert_eq!(p.public_zip(drawn.id).await.unwrap().bytes, zip.bytes);

    // A second task with the same item leaves out what the first one picked.
    let k = result.lines().count() as u64 - 1;
    let other = p.create_task(&cli, new("第二轮")).await.unwrap();
    let second_draw = p.run_ceremony(&cli, other.id, vec![], None).await.unwrap();
    let exclusions: Vec<(String, u64)> = serde_json::from_str(&second_draw.exclusions).unwrap();
    assert!(
        exclusions.contains(&("12 个月内已抽查同一事项".to_string(), k)),
        "{exclusions:?}"
    );
    assert!(
        exclusions.iter().any(|(why, _)| why == "无事不扰（A 类）"),
        "{exclusions:?}"
    );
    // Counted by what was inspected: the replacement is left out, the replaced one is not.
    let candidates = String::from_utf8(
        f.store
            .draw_file(second_draw.id, ssj_storage::DrawFileName::Candidates)
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let keys: Vec<&str> = candidates
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(!keys.contains(&replacement.as_str()));
    let replaced = f
        .store
        .object_by_code(&first_selected)
        .await
        .unwrap()
        .unwrap();
    if replaced.tier != ssj_domain::objects::Tier::A {
        assert!(keys.contains(&first_selected.as_str()), "{first_selected}");
    }

    // A redraw by a 系统管理员 with a reason voids the first draw and keeps it.
    let again = p
        .run_ceremony(&cli, task.id, vec![], Some("执法人员库有误，经批准重抽"))
        .await
        .unwrap();
    let draws = p.draws(task.id).await.unwrap();
    assert_eq!(
        draws
            .iter()
            .map(|d| (d.round, d.status))
            .collect::<Vec<_>>(),
        [(1, DrawStatus::Void), (2, DrawStatus::Drawn)]
    );
    assert_eq!(again.reason, "执法人员库有误，经批准重抽");
    assert!(draws[0].reason.contains("执法人员库有误"));
    assert!(p.verify().await.unwrap().problem.is_none());
}

pub async fn impossible_draws_are_refused_and_save_nothing(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    let (_, scjg, _) = county(&p).await;
    p.import_items(&cli, ITEMS.as_bytes(), ImportMode::AllOrNothing)
        .await
        .unwrap();
    let version = p.publish_items(&cli, "").await.unwrap();
    let item = f.store.version_items(version.id).await.unwrap()[0].id;
    let task = |ratio: &str, team_size: usize, kinds: Vec<String>| NewTask {
        name: "任务".into(),
        department_id: scjg,
        items: vec![item],
        uniform: Some((ratio.into(), "专项整治".into())),
        objects: ssj_app::tasks::ObjectScope {
            kinds,
            ..Default::default()
        },
        window_from: "2026-03-01".into(),
        window_to: "2099-11-30".into(),
        team_size,
        ..Default::default()
    };
    assert_eq!(
        p.create_task(&cli, task("三成", 2, vec![]))
            .await
            .unwrap_err()
            .code,
        "DRAW_BAD_RATIO"
    );
    assert_eq!(
        p.create_task(&cli, task("120%", 2, vec![]))
            .await
            .unwrap_err()
            .code,
        "DRAW_BAD_RATIO"
    );
    let mut no_reason = task("5%", 2, vec![]);
    no_reason.uniform = Some(("5%".into(), " ".into()));
    assert_eq!(
        p.create_task(&cli, no_reason).await.unwrap_err().code,
        "TASK_UNIFORM_REASON"
    );

    // An empty directory: refused when the task is created, with the count, not at the freeze.
    let e = p
        .create_task(&cli, task("5%", 2, vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.code, "TASK_EMPTY_SCOPE", "{e:?}");
    assert!(e.message.contains("0 户"), "{}", e.message);
    assert!(
        p.tasks().await.unwrap().iter().all(|t| t.name != "任务"),
        "nothing saved"
    );
    let mut csv = Vec::new();
    ssj_app::generate::write_objects_csv(&mut csv, 300, &["140581".to_string()], 9).unwrap();
    p.import_objects(&cli, csv, ImportMode::AllOrNothing, false)
        .await
        .unwrap();
    let t = p.create_task(&cli, task("5%", 2, vec![])).await.unwrap();
    // No officers at all, then a team larger than the pool.
    let e = p.run_ceremony(&cli, t.id, vec![], None).await.unwrap_err();
    assert_eq!(e.code, "DRAW_TOO_FEW_OFFICERS", "{e:?}");
    p.import_officers(&cli, officers_csv().as_bytes(), ImportMode::AllOrNothing)
        .await
        .unwrap();
    let big = p.create_task(&cli, task("5%", 7, vec![])).await.unwrap();
    let e = p
        .run_ceremony(&cli, big.id, vec![], None)
        .await
        .unwrap_err();
    assert_eq!(e.code, "DRAW_TOO_FEW_OFFICERS", "{e:?}");
    assert!(e.message.contains("6 人"), "{}", e.message);
    for t in [t.id, big.id] {
        assert!(p.draws(t).await.unwrap().is_empty(), "nothing saved");
        assert_eq!(p.task(t).await.unwrap().status, TaskStatus::Ready);
    }
    // A type with no objects: an empty scope, named when the task is created.
    assert_eq!(
        p.create_task(&cli, task("5%", 2, vec!["学校".into()]))
            .await
            .unwrap_err()
            .code,
        "TASK_EMPTY_SCOPE"
    );
    // A window that has ended, or ends before it starts, is refused.
    let mut ended = task("5%", 2, vec![]);
    ended.window_to = "2020-11-30".into();
    ended.window_from = "2020-03-01".into();
    assert_eq!(
        p.create_task(&cli, ended).await.unwrap_err().code,
        "TASK_WINDOW_ENDED"
    );
    let mut backwards = task("5%", 2, vec![]);
    backwards.window_from = "2099-12-01".into();
    backwards.window_to = "2099-03-01".into();
    assert_eq!(
        p.create_task(&cli, backwards).await.unwrap_err().code,
        "TASK_WINDOW"
    );
    // The task works once it is possible. Its 统一比例 is one stratum over all candidates,
    // rounded up once: per-tier rounding drew 5 of 12 venues at 20%.
    let d = p.run_ceremony(&cli, t.id, vec![], None).await.unwrap();
    let m: ssj_draw::Manifest = serde_json::from_str(d.manifest.as_deref().unwrap()).unwrap();
    assert_eq!(m.strata.len(), 1, "{:?}", m.strata);
    assert_eq!(m.strata[0].label, "全部");
    assert_eq!(m.strata[0].n, d.candidate_count as u64);
    assert_eq!(m.strata[0].k, (m.strata[0].n * 5).div_ceil(100));
    // A draw of objects only (市抽县查) freezes no officer files and exports without them.
    let objects_only = p
        .create_task(
            &cli,
            NewTask {
                objects_only: true,
                team_size: 9,
                ..task("5%", 2, vec![])
            },
        )
        .await
        .unwrap();
    let d = p
        .run_ceremony(&cli, objects_only.id, vec![], None)
        .await
        .unwrap();
    assert!(d.officer_pool_digest.is_none());
    let files = p.export_draw(d.id).await.unwrap();
    assert_eq!(
        files.keys().map(String::as_str).collect::<Vec<_>>(),
        ["candidates.csv", "manifest.json", "result.csv"]
    );
    let v = ssj_draw::verify(&files).unwrap();
    assert_eq!(v.teams, 0);
    assert!(
        String::from_utf8(files["result.csv"].clone())
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(",,")
    );
    // The public export of a draw with officers leaves the declared conflicts out (部分核对)…
    let drawn = p.current_draw(t.id).await.unwrap().unwrap();
    let public = p.public_export(drawn.id).await.unwrap();
    assert!(!public.contains_key("conflicts.csv"));
    assert!(!ssj_draw::verify(&public).unwrap().teams_rechecked);
    // …unless the task's authority chose to publish them.
    let published = p
        .create_task(
            &cli,
            NewTask {
                publish_conflicts: true,
                ..task("5%", 2, vec![])
            },
        )
        .await
        .unwrap();
    let d = p
        .run_ceremony(&cli, published.id, vec![], None)
        .await
        .unwrap();
    let public = p.public_export(d.id).await.unwrap();
    assert!(public.contains_key("conflicts.csv"));
    assert!(ssj_draw::verify(&public).unwrap().teams_rechecked);
}

/// A province's files (over the size the backends store compressed) come back byte for byte,
/// whole and one at a time, and the result file written later beside them.
pub async fn large_draw_files_come_back_byte_for_byte(h: &dyn Harness) {
    let f = h.fresh().await;
    let p = platform(&f, HashAlg::Sha256).await;
    let (_, scjg, _) = county(&p).await;
    let mut candidates = b"key,stratum\n".to_vec();
    for i in 0..150_000u64 {
        let key = format!(
            "91140581{:010}",
            i.wrapping_mul(2_654_435_761) % 10_000_000_000
        );
        candidates.extend_from_slice(
            format!("{key},{}\n", ["A", "B", "C", "D"][i as usize % 4]).as_bytes(),
        );
    }
    assert!(candidates.len() > 2 << 20);
    let result: Vec<u8> = (0..3_000_000u32)
        .flat_map(|i| (i % 253).to_le_bytes())
        .collect();
    let files = ssj_storage::DrawFiles {
        candidates: candidates.clone(),
        officers: Some(b"officer_id,department\n1,a\n".to_vec()),
        conflicts: Some(b"officer_id,key\n".to_vec()),
        result: None,
    };
    let mut tx = f.store.begin().await.unwrap();
    let task = ssj_storage::Task {
        id: 0,
        code: "140581202611210001".into(),
        name: "大文件".into(),
        department_id: scjg,
        spec: "{}".into(),
        status: TaskStatus::Ready,
        cancel_reason: String::new(),
        created_by: "测试".into(),
        created_ms: 0,
        updated_ms: 0,
    };
    let task_id = tx.insert_task(&task, &[]).await.unwrap();
    let draw = ssj_storage::Draw {
        id: 0,
        task_id,
        round: 1,
        status: DrawStatus::Frozen,
        reason: String::new(),
        exclusions: "[]".into(),
        candidate_digest: "d".into(),
        candidate_count: 150_000,
        officer_pool_digest: None,
        conflicts_digest: None,
        manifest: None,
        frozen_by: "测试".into(),
        frozen_ms: 0,
        drawn_ms: None,
    };
    let draw_id = tx.insert_draw(&draw, &files).await.unwrap();
    tx.set_draw_result(draw_id, &result).await.unwrap();
    let read_in_tx = tx.tx_draw_files(draw_id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let expected = ssj_storage::DrawFiles {
        result: Some(result.clone()),
        ..files
    };
    assert_eq!(read_in_tx, expected);
    assert_eq!(
        f.store.draw_files(draw_id).await.unwrap().unwrap(),
        expected
    );
    let one = |name| f.store.draw_file(draw_id, name);
    assert_eq!(
        one(ssj_storage::DrawFileName::Candidates)
            .await
            .unwrap()
            .unwrap(),
        candidates
    );
    assert_eq!(
        one(ssj_storage::DrawFileName::Result)
            .await
            .unwrap()
            .unwrap(),
        result
    );
    assert_eq!(
        f.store
            .draw(draw_id)
            .await
            .unwrap()
            .unwrap()
            .candidate_count,
        150_000
    );
    assert!(f.store.draw_files(draw_id + 1).await.unwrap().is_none());
}
