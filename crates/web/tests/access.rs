//! Access control holes found by a security review, each reproduced as an attacker would: a
//! department admin (scjg.admin, 高平市市场监督管理局 = department 2) or planner of another
//! department (cgj.plan, 高平市城市管理局 = department 3) on the demo county.

mod common;

use common::*;
use ssj_app::Actor;
use ssj_app::accounts::NewAccount;
use ssj_domain::{DataScope, Role};

async fn user_id(app: &TestApp, name: &str) -> i64 {
    app.platform
        .users_visible_to(&Actor::command_line())
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == name)
        .unwrap()
        .id
}

async fn account(app: &TestApp, id: i64) -> ssj_storage::User {
    app.platform
        .user_visible_to(&Actor::command_line(), id)
        .await
        .unwrap()
}

fn user_form<'a>(csrf: &'a str, role: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("display_name", "王建国"),
        ("department_id", "2"),
        ("role", role),
        ("scope", scope),
        ("active", "on"),
    ]
}

#[tokio::test]
async fn a_department_admin_cannot_widen_their_own_scope_or_grant_a_wider_one() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let me = user_id(&app, "scjg.admin").await;

    let (status, _) = app
        .post(
            &c,
            &format!("/console/admin/users/{me}"),
            &user_form(&csrf, "department_admin", "all"),
        )
        .await;
    assert_eq!(status, 403, "own scope widened to 全部");
    assert_eq!(account(&app, me).await.scope, DataScope::DepartmentAndBelow);

    // Not even narrowing: nobody changes their own role or scope.
    let (status, _) = app
        .post(
            &c,
            &format!("/console/admin/users/{me}"),
            &user_form(&csrf, "planner", "own_department"),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(account(&app, me).await.role, Role::DepartmentAdmin);

    // A new admin with 全部 is refused; one with the admin's own scope is fine.
    let mut form = user_form(&csrf, "department_admin", "all");
    form.extend([("username", "wide.admin"), ("password", "Kq7#mWz2vLp9")]);
    let (status, page) = app.post(&c, "/console/admin/users", &form).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("不能授予比您本人（本部门及下级区划）更宽的数据范围“全部”"));
    let mut form = user_form(&csrf, "department_admin", "department_and_below");
    form.extend([("username", "peer.admin"), ("password", "Kq7#mWz2vLp9")]);
    assert_eq!(app.post(&c, "/console/admin/users", &form).await.0, 303);

    // Another account may not be given a scope wider than the admin's either.
    let planner = user_id(&app, "scjg.plan").await;
    let (status, _) = app
        .post(
            &c,
            &format!("/console/admin/users/{planner}"),
            &user_form(&csrf, "planner", "all"),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(account(&app, planner).await.scope, DataScope::OwnDepartment);

    // And so the other department's officers' personal data stays out of reach.
    let (_, export) = app.get(&c, "/console/officers/export?format=csv").await;
    assert!(export.contains("SX14058100001"));
    assert!(
        !export.contains("SX14058100049"),
        "an officer of 高平市城市管理局 in the market regulator's export"
    );
}

#[tokio::test]
async fn only_a_system_admin_unlocks_or_resets_a_system_admin() {
    let app = spawn_sqlite().await;
    let admin = user_id(&app, "admin").await;
    let (c, csrf) = app.login("scjg.admin").await;
    for step in ["unlock", "password"] {
        let (status, page) = app
            .post(
                &c,
                &format!("/console/admin/users/{admin}/{step}"),
                &[("csrf", &csrf), ("password", "Kq7#mWz2vLp9")],
            )
            .await;
        assert_eq!(status, 403, "{step}: {page}");
        assert_eq!(
            error_code_of(&page).as_deref(),
            Some("ACCOUNT_OUT_OF_REACH")
        );
    }
    // Nor edit one: the 系统管理员 keeps role and scope.
    let mut form = user_form(&csrf, "planner", "own_department");
    form[1] = ("display_name", "系统管理员");
    let (status, _) = app
        .post(&c, &format!("/console/admin/users/{admin}"), &form)
        .await;
    assert_eq!(status, 403);
    assert_eq!(account(&app, admin).await.role, Role::SystemAdmin);
    // The system admin's own password still works.
    app.login("admin").await;
}

#[tokio::test]
async fn a_task_of_another_department_cannot_be_cancelled() {
    let app = spawn_sqlite().await;
    let task = app.platform.task(1).await.unwrap();
    assert_eq!(task.department_id, 2);
    let (c, csrf) = app.login("cgj.plan").await;
    let (status, page) = app
        .post(
            &c,
            "/console/tasks/1/cancel",
            &[("csrf", &csrf), ("reason", "恶意取消")],
        )
        .await;
    assert_eq!(status, 403, "{page}");
    assert_eq!(
        app.platform.task(1).await.unwrap().status,
        task.status,
        "the task was cancelled from another department"
    );
}

/// The demo's items belong to 海南's provincial departments: a county department admin may not
/// retire them, and may not publish a draft that changes them.
#[tokio::test]
async fn a_county_admin_cannot_retire_or_publish_a_provincial_departments_items() {
    let app = spawn_sqlite().await;
    let version = app
        .platform
        .published_items_version()
        .await
        .unwrap()
        .unwrap();
    let item = app
        .platform
        .version_items(Some(&Actor::command_line()), version.id)
        .await
        .unwrap()
        .into_iter()
        .find(|i| !i.joint && i.department == "省市场监管局")
        .unwrap();
    let (c, csrf) = app.login("scjg.admin").await;
    let retire = [
        ("csrf", csrf.as_str()),
        ("joint", "0"),
        ("owner", item.department.as_str()),
        ("category", item.category.as_str()),
        ("name", item.name.as_str()),
        ("object_type", item.object_type.as_str()),
        ("reason", "不再需要"),
    ];
    let (status, page) = app.post(&c, "/console/items/retire", &retire).await;
    assert_eq!(status, 403, "{page}");
    assert_eq!(error_code_of(&page).as_deref(), Some("ITEM_OUT_OF_SCOPE"));

    // A draft changed by someone who may (here the 系统管理员) is not the county's to publish.
    let (sys, sys_csrf) = app.login("admin").await;
    let mut by_admin = retire.to_vec();
    by_admin[0] = ("csrf", sys_csrf.as_str());
    assert_eq!(
        app.post(&sys, "/console/items/retire", &by_admin).await.0,
        303
    );
    let (status, page) = app
        .post(
            &c,
            "/console/items/publish",
            &[("csrf", &csrf), ("note", "县级发布")],
        )
        .await;
    assert_eq!(status, 403, "{page}");
    let versions = app.platform.item_versions().await.unwrap();
    assert_eq!(
        versions.iter().filter(|v| v.published_ms.is_some()).count(),
        1,
        "a county admin published the province's list"
    );
}

fn officer_file(rows: &[&str]) -> Vec<u8> {
    let mut csv =
        String::from("姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,状态\n");
    for r in rows {
        csv.push_str(r);
        csv.push('\n');
    }
    csv.into_bytes()
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    list: &str,
    bytes: Vec<u8>,
) -> (u16, String) {
    app.upload(
        c,
        &format!("/console/{list}/import"),
        csrf,
        "名录.csv",
        bytes,
    )
    .await
}

fn token_of(preview: &str, list: &str) -> String {
    let marker = format!("/console/{list}/import/");
    let start = preview.find(&marker).expect("a confirm form") + marker.len();
    preview[start..]
        .split(['"', '/'])
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_import_cannot_move_another_departments_officer_in() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    // The page itself is reachable (the officer-id route used to catch "import").
    let (status, page) = app.get(&c, "/console/officers/import").await;
    assert_eq!(status, 200, "{page}");

    // SX14058100049 is an officer of 高平市城市管理局.
    let file = officer_file(&[
        "张三,高平市市场监督管理局,SX14058100049,2029-12-31,县,食品,13900000000,有效",
        "李四,高平市市场监督管理局,SX14058199999,2029-12-31,县,食品,13900000001,有效",
    ]);
    let (status, preview) = upload(&app, &c, &csrf, "officers", file).await;
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview.contains("SX14058100049") && preview.contains("高平市城市管理局"),
        "the row is refused by name: {preview}"
    );
    let token = token_of(&preview, "officers");

    // The token belongs to the officers' preview: another list's confirm does not take it.
    let (status, _) = app
        .post(
            &c,
            &format!("/console/objects/import/{token}"),
            &[("csrf", &csrf), ("mode", "good")],
        )
        .await;
    assert_eq!(status, 404);
    // Nor does another user.
    let (other, other_csrf) = app.login("admin").await;
    let (status, _) = app
        .post(
            &other,
            &format!("/console/officers/import/{token}"),
            &[("csrf", &other_csrf), ("mode", "good")],
        )
        .await;
    assert_eq!(status, 404);

    let (status, _) = app
        .post(
            &c,
            &format!("/console/officers/import/{token}"),
            &[("csrf", &csrf), ("mode", "good")],
        )
        .await;
    assert_eq!(status, 200);
    let officers = app
        .platform
        .officers_with_certs(
            &Actor::command_line(),
            &["SX14058100049".into(), "SX14058199999".into()],
        )
        .await
        .unwrap();
    let moved = officers
        .iter()
        .find(|o| o.cert_no == "SX14058100049")
        .unwrap();
    assert_eq!(
        moved.department_id, 3,
        "the officer was moved into department 2"
    );
    assert_ne!(moved.name, "张三");
    assert!(officers.iter().any(|o| o.cert_no == "SX14058199999"));
}

#[tokio::test]
async fn a_created_system_admin_in_the_same_department_is_out_of_a_department_admins_reach() {
    let app = spawn_sqlite().await;
    let created = app
        .platform
        .create_user(
            &Actor::command_line(),
            NewAccount {
                username: "sys.two".into(),
                display_name: "第二系统管理员".into(),
                department_id: 2,
                role: "system_admin".into(),
                scope: None,
                password: "Kq7#mWz2vLp9".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    let (c, csrf) = app.login("scjg.admin").await;
    let (status, _) = app
        .post(
            &c,
            &format!("/console/admin/users/{}/unlock", created.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, 403);
}
