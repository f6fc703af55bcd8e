//! The demo county: 山西省晋城市高平市 with the departments named in its real 2023–2024 plans.

use crate::accounts::NewAccount;
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
];

/// A real published list (海南省, 2020年版) and its joint list, copied unedited from the
/// deployed platform's files, so the demo county has an item list to work with.
const DEMO_ITEMS: &[u8] = include_bytes!("../demo/hainan-2020-random-inspection-item-list.xlsx");
const DEMO_JOINT_ITEMS: &[u8] = include_bytes!("../demo/hainan-joint-inspection-item-list-v2.xls");

pub struct DemoLogin {
    pub username: String,
    pub password: String,
}

/// Loads the demo county into an empty database. Returns the admin login (password generated).
pub async fn load(p: &Platform) -> AppResult<Vec<DemoLogin>> {
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
    for list in [DEMO_ITEMS, DEMO_JOINT_ITEMS] {
        p.import_items(&actor, list, crate::imports::ImportMode::AllOrNothing)
            .await?;
    }
    p.publish_items(
        &actor,
        "演示：海南省市场监管领域随机抽查事项清单（2020年版）及部门联合抽查事项清单（第二版）",
    )
    .await?;
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
            },
        )
        .await?;
        logins.push(DemoLogin {
            username: username.to_string(),
            password,
        });
    }
    Ok(logins)
}
