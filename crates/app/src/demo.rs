//! The demo county: 山西省晋城市高平市 with the departments named in its real 2023–2024 plans.

use crate::accounts::NewAccount;
use crate::draws::{Contributor, NewContribution};
use crate::tasks::{NewTask, ObjectScope, Partner};
use crate::{Actor, AppError, AppResult, Platform, keys};

pub const DEMO_DIVISIONS: &str = "代码,名称\n140000,山西省\n140500,晋城市\n140581,高平市\n";

/// 高平市's departments in the joint plan, plus the city bureau above them.
pub const DEMO_DEPARTMENTS: &[(&str, &str)] = &[
    ("140500", "晋城市市场监督管理局"),
    ("140581", "高平市市场监督管理局"),
    ("140581", "高平市城市管理局"),
    ("140581", "高平市住房和城乡建设局"),
    ("140581", "高平市文化和旅游局"),
    ("140581", "高平市公安局"),
    ("140581", "高平市卫生健康局"),
    ("140581", "高平市教育局"),
    ("140581", "高平市交通运输局"),
    ("140581", "高平市自然资源局"),
    ("140581", "晋城市生态环境局高平分局"),
    ("140581", "高平市应急管理局"),
    ("140581", "高平市消防救援大队"),
    ("140581", "高平市农业农村局"),
    ("140581", "高平市水务局"),
    ("140581", "高平市商务局"),
    ("140581", "高平市人力资源和社会保障局"),
    ("140581", "高平市发展和改革局"),
    ("140581", "高平市民政局"),
    ("140581", "高平市人民防空办公室"),
    ("140581", "高平市统计局"),
];

/// The accounts created: (username, name, department index, role).
const DEMO_USERS: &[(&str, &str, usize, &str)] = &[
    ("admin", "系统管理员", 1, "system_admin"),
    ("scjg.admin", "王建国", 1, "department_admin"),
    ("scjg.plan", "李明", 1, "planner"),
    ("scjg.zf01", "赵强", 1, "officer"),
    ("scjg.sh", "陈芳", 1, "reviewer"),
    ("jcs.jd", "刘洋", 0, "supervisor"),
    ("cgj.plan", "孙丽", 2, "planner"),
    // The lead departments of the seeds' joint tasks (卫健's 公共场所, 住建's 建筑市场,
    // 人防办's 人防工程, 文旅's 游泳场(馆)), so each can plan its own task.
    ("wjj.plan", "周静", 6, "planner"),
    ("zjj.plan", "郑伟", 3, "planner"),
    ("rfb.plan", "吴刚", 19, "planner"),
    ("wlj.plan", "黄敏", 4, "planner"),
];

/// A real published list (海南省, 2020年版) and its joint list, copied unedited from the
/// deployed platform's files, so the demo county has an item list to work with.
const DEMO_ITEMS: &[u8] = include_bytes!("../demo/hainan-2020-random-inspection-item-list.xlsx");
const DEMO_JOINT_ITEMS: &[u8] = include_bytes!("../demo/hainan-joint-inspection-item-list-v2.xls");

/// The city-management items of 高平's own 2024 plan (its annexes name them), so that plan
/// table imports as written.
const DEMO_LOCAL_ITEMS: &str = "序号,部门,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查主体,检查依据\n\
    1,高平市城市管理局,建筑工地扬尘,对建筑工地扬尘污染防治措施落实情况的监督检查,建筑工地施工企业,重点检查事项,现场检查,县级城市管理部门,《中华人民共和国大气污染防治法》\n\
    2,高平市城市管理局,市容环境卫生,对市区沿街商户履行“门前三包”的行政检查,市区沿街商户门店,一般检查事项,现场检查,县级城市管理部门,《城市市容和环境卫生管理条例》\n";

pub struct DemoLogin {
    pub username: String,
    pub password: String,
    /// The role as the console names it (系统管理员, 计划员, …).
    pub role: &'static str,
    pub department: &'static str,
}

/// Loads the demo county into an empty database. Returns the logins (passwords generated).
pub async fn load(p: &Platform) -> AppResult<Vec<DemoLogin>> {
    load_sized(p, DEMO_OBJECTS).await
}

/// The demo county with `objects` objects (tests use a smaller directory).
pub async fn load_sized(p: &Platform, objects: u64) -> AppResult<Vec<DemoLogin>> {
    if !p.store.departments().await?.is_empty() {
        return Err(AppError::invalid(
            "DEMO_NOT_EMPTY",
            "数据库中已有部门数据，演示数据只能装入空数据库",
        ));
    }
    let actor = Actor::command_line();
    p.import_divisions(&actor, DEMO_DIVISIONS).await?;
    let mut ids = Vec::new();
    for (div, name) in DEMO_DEPARTMENTS {
        ids.push(p.create_department(&actor, name, div).await?.id);
    }
    for list in [DEMO_ITEMS, DEMO_JOINT_ITEMS, DEMO_LOCAL_ITEMS.as_bytes()] {
        p.import_items(&actor, list, crate::imports::ImportMode::AllOrNothing)
            .await?;
    }
    p.publish_items(
        &actor,
        "演示：海南省市场监管领域随机抽查事项清单（2020年版）及部门联合抽查事项清单（第二版）",
    )
    .await?;
    let objects_count = objects;
    let mut objects = Vec::new();
    crate::generate::write_objects_csv(&mut objects, objects_count, &["140581".into()], 20240301)
        .map_err(|e| AppError::internal(e.to_string()))?;
    p.import_objects(
        &actor,
        objects,
        crate::imports::ImportMode::AllOrNothing,
        false,
    )
    .await?;
    let officers = demo_officers();
    p.import_officers(
        &actor,
        officers.as_bytes(),
        crate::imports::ImportMode::AllOrNothing,
    )
    .await?;
    declare_demo_conflicts(p, &actor).await?;
    demo_tasks(p, &actor, &ids).await?;
    let mut logins = Vec::new();
    for (username, name, dept, role) in DEMO_USERS {
        let password = format!("Ssj{}", &keys::random_hex(6));
        p.create_user(
            &actor,
            NewAccount {
                username: username.to_string(),
                display_name: name.to_string(),
                department_id: ids[*dept],
                role: role.to_string(),
                scope: None,
                password: password.clone(),
                // The demo prints its logins for trying the platform at once.
                must_change_password: false,
            },
        )
        .await?;
        logins.push(DemoLogin {
            username: username.to_string(),
            password,
            role: ssj_domain::Role::parse(role)
                .map(|r| r.label())
                .unwrap_or("—"),
            department: DEMO_DEPARTMENTS[*dept].1,
        });
    }
    Ok(logins)
}

/// Two tasks of 高平市市场监督管理局 on the provincial list's items: one drawn (with a witness),
/// one joint task with 高平市消防救援大队 ready to draw.
async fn demo_tasks(p: &Platform, actor: &Actor, departments: &[i64]) -> AppResult<()> {
    let version = p
        .published_items_version()
        .await?
        .ok_or_else(|| AppError::internal("演示事项清单未发布"))?;
    let items = p.store.version_items(version.id).await?;
    let of = |department: &str, word: &str| -> Vec<i64> {
        items
            .iter()
            .filter(|i| i.department == department && i.name.contains(word) && !i.retired)
            .map(|i| i.id)
            .take(3)
            .collect()
    };
    let year = &crate::clock::format_ms(crate::clock::now_ms())[..4];
    // From today, as an office creating its tasks now would: a window already ended is refused.
    let today = crate::clock::today();
    let window = |days: i64| {
        (
            today.clone(),
            crate::clock::add_days(&today, days).unwrap_or_else(|| today.clone()),
        )
    };
    let (from, to) = window(90);
    let food = p
        .create_task(
            actor,
            NewTask {
                name: format!("{year}年度食品经营者双随机抽查"),
                department_id: departments[1],
                items: of("省市场监管局", "食品"),
                objects: ObjectScope {
                    kinds: vec!["企业".into(), "个体工商户".into()],
                    ..Default::default()
                },
                no_disturb_a: true,
                window_from: from,
                window_to: to,
                team_size: 2,
                ..Default::default()
            },
        )
        .await?;
    p.run_ceremony(
        actor,
        food.id,
        vec![
            NewContribution {
                role: Contributor::Operator,
                label: "李明（计划员）".into(),
                value: Some("高平 2024 春".into()),
                commitment: None,
            },
            NewContribution {
                role: Contributor::Witness,
                label: "高平市纪委监委派驻组".into(),
                value: Some("骰子 3-1-4-1-5-9".into()),
                commitment: None,
            },
        ],
        None,
    )
    .await?;
    let (from, to) = window(60);
    p.create_task(
        actor,
        NewTask {
            name: format!("{year}年度人员密集场所消防安全联合抽查"),
            department_id: departments[1],
            items: of("省市场监管局", "产品"),
            partners: vec![Partner {
                department_id: departments[12],
                items: of("省消防救援总队", ""),
            }],
            objects: ObjectScope {
                kinds: vec!["企业".into()],
                directed: true,
                tiers: vec!["B".into(), "C".into(), "D".into()],
                ..Default::default()
            },
            window_from: from,
            window_to: to,
            team_size: 3,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// About 50,000 objects, as in a county directory.
pub const DEMO_OBJECTS: u64 = 50_000;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "建国", "志强", "晓东", "海燕",
];

/// About 150 officers across the county's departments: most valid, some with expired
/// certificates, some 失效.
fn demo_officers() -> String {
    let mut seq = crate::generate::Sequence::new(7);
    let mut csv =
        String::from("姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,状态\n");
    let mut n = 0;
    for (d, (_, dept)) in DEMO_DEPARTMENTS.iter().enumerate().skip(1) {
        // The market regulator has the largest pool, as in every county.
        let count = if d == 1 { 48 } else { 5 };
        for _ in 0..count {
            n += 1;
            let name = format!(
                "{}{}",
                SURNAMES[seq.below(20) as usize],
                GIVEN[seq.below(20) as usize]
            );
            let valid = if seq.below(12) == 0 {
                "2024-06-30"
            } else {
                "2029-12-31"
            };
            let status = if seq.below(30) == 0 {
                "失效"
            } else {
                "有效"
            };
            let scope = ["A01", "A07", "B03", "C01", "食品", "特种设备"][seq.below(6) as usize];
            let level = if seq.below(3) == 0 { "所" } else { "县" };
            csv.push_str(&format!(
                "{name},{dept},SX140581{n:05},{valid},{level},{scope},1{:010},{status}\n",
                3_500_000_000u64 + seq.below(999_999_999)
            ));
        }
    }
    csv
}

/// A few declared conflicts and leaves, as officers file them.
async fn declare_demo_conflicts(p: &Platform, actor: &Actor) -> AppResult<()> {
    let (officers, _) = p
        .store
        .officers(&ssj_storage::OfficerFilter {
            limit: 22,
            ..Default::default()
        })
        .await?;
    let (objects, _) = p
        .store
        .objects(&ssj_storage::ObjectFilter {
            limit: 20,
            offset: 1_000,
            ..Default::default()
        })
        .await?;
    let reasons = [
        "配偶任该企业法定代表人",
        "近亲属在该企业任职",
        "曾在该企业任职未满三年",
        "与该企业存在经济往来",
    ];
    for (i, (o, obj)) in officers.iter().zip(&objects).enumerate() {
        p.declare_conflict(actor, o.id, &obj.code, reasons[i % reasons.len()])
            .await?;
    }
    // Two officers on leave from today, as a pool always has some.
    let today = crate::officers::today();
    for o in officers.iter().skip(20) {
        p.add_leave(actor, o.id, &today, "2099-12-31", "病假")
            .await?;
    }
    Ok(())
}
