//! Every console route × every role (and no login): allowed or forbidden, and department scope.
//! Demo county: 晋城市市场监督管理局 (city), 高平市市场监督管理局 (scjg), 高平市城市管理局 (cgj).

mod common;

use common::*;

const ROLES: [&str; 7] = [
    "admin",
    "scjg.admin",
    "scjg.plan",
    "scjg.zf01",
    "scjg.sh",
    "jcs.jd",
    "cgj.plan",
];

/// Expected status per role in ROLES order, then for an anonymous client.
struct Case {
    method: &'static str,
    path: String,
    expect: [u16; 8],
}

fn get(path: impl Into<String>, expect: [u16; 8]) -> Case {
    Case {
        method: "GET",
        path: path.into(),
        expect,
    }
}

fn post(path: impl Into<String>, expect: [u16; 8]) -> Case {
    Case {
        method: "POST",
        path: path.into(),
        expect,
    }
}

#[tokio::test]
async fn every_route_for_every_role() {
    let app = spawn_sqlite().await;
    let id = |name: &str| {
        let p = app.platform.clone();
        let name = name.to_string();
        async move { p.store.user_by_name(&name).await.unwrap().unwrap().id }
    };
    let (planner, officer, other_dept) = (
        id("scjg.plan").await,
        id("scjg.zf01").await,
        id("cgj.plan").await,
    );
    let target = app
        .platform
        .create_user(
            &ssj_app::Actor::command_line(),
            ssj_app::accounts::NewAccount {
                username: "target.user".into(),
                display_name: "目标".into(),
                department_id: 2,
                role: "officer".into(),
                scope: None,
                password: "Target2024pass".into(),
            },
        )
        .await
        .unwrap()
        .id;
    app.platform.checkpoint().await.unwrap();
    let filter = ssj_storage::AuditFilter {
        target: Some(format!("user:{planner}")),
        limit: 1,
        ..Default::default()
    };
    let in_scope = app.platform.store.audit_search(&filter).await.unwrap().0[0]
        .record
        .seq;
    let cli_record = 0; // a division created at the command line: no department, only scope "all"

    const ALL: [u16; 8] = [200, 200, 200, 200, 200, 200, 200, 303];
    let mut cases = vec![
        get("/console", ALL),
        get("/console/account", ALL),
        get(
            format!("/console/audit/{in_scope}"),
            [200, 403, 403, 403, 403, 200, 403, 303],
        ),
        get(
            format!("/console/audit/{cli_record}"),
            [200, 403, 403, 403, 403, 403, 403, 303],
        ),
        get("/console/audit", [200, 403, 403, 403, 403, 200, 403, 303]),
        get(
            format!("/api/audit/inclusion?seq={in_scope}"),
            [200, 403, 403, 403, 403, 200, 403, 401],
        ),
        get("/console/admin", [200, 200, 403, 403, 403, 403, 403, 303]),
        get(
            "/console/admin/users/new",
            [200, 200, 403, 403, 403, 403, 403, 303],
        ),
        get(
            format!("/console/admin/users/{planner}"),
            [200, 200, 403, 403, 403, 403, 403, 303],
        ),
        get(
            format!("/console/admin/users/{other_dept}"),
            [200, 403, 403, 403, 403, 403, 403, 303],
        ),
        get(
            "/console/admin/org",
            [200, 403, 403, 403, 403, 403, 403, 303],
        ),
        post(
            format!("/console/admin/users/{officer}/unlock"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            format!("/console/admin/users/{other_dept}/unlock"),
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/users",
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            format!("/console/admin/users/{target}"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            format!("/console/admin/users/{target}/password"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/departments/3",
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        // Everyone may change their own password; this form lacks the confirmation.
        post("/console/account", [422, 422, 422, 422, 422, 422, 422, 401]),
        post(
            "/console/admin/departments",
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/divisions",
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
    ];
    cases.push(get("/console/items", ALL));
    cases.push(get("/console/items/template", ALL));
    cases.push(get("/console/items/export", ALL));
    cases.push(get(
        "/console/items/import",
        [200, 200, 403, 403, 403, 403, 403, 303],
    ));
    cases.push(post(
        "/console/items/publish",
        [422, 422, 403, 403, 403, 403, 403, 401],
    ));
    cases.push(post(
        "/console/items/retire",
        [422, 422, 403, 403, 403, 403, 403, 401],
    ));
    cases.push(post(
        "/console/items/import/unknown",
        [404, 404, 403, 403, 403, 403, 403, 401],
    ));
    cases.push(get("/public/items", [200; 8]));
    let some_object = app
        .platform
        .store
        .objects(&ssj_storage::ObjectFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .0
        .remove(0)
        .code;
    const EDITORS_PAGE: [u16; 8] = [200, 200, 403, 403, 403, 403, 403, 303];
    cases.push(get("/console/objects/new", EDITORS_PAGE));
    // The generic form's code is not a valid code: the form comes back with the reason.
    cases.push(post(
        "/console/objects/new",
        [200, 200, 403, 403, 403, 403, 403, 401],
    ));
    let edit = format!("/console/objects/code/{some_object}/edit");
    cases.push(get(edit.clone(), EDITORS_PAGE));
    cases.push(post(edit, [303, 303, 403, 403, 403, 403, 403, 401]));
    for section in [
        "objects",
        "officers",
        "plans",
        "tasks",
        "results",
        "publicity",
        "stats",
    ] {
        cases.push(get(format!("/console/{section}"), ALL));
    }
    // Tasks: planners of the task's department run its draw; the demo's task 1 is drawn, so a
    // freeze is refused (a 系统管理员 needs a reason, others may not draw again).
    let drawn_task = app.platform.task(1).await.unwrap();
    const PLANNERS_PAGE: [u16; 8] = [200, 200, 200, 403, 403, 403, 200, 303];
    cases.push(get("/console/tasks/new", PLANNERS_PAGE));
    cases.push(post(
        "/console/tasks",
        [200, 200, 200, 403, 403, 403, 200, 401],
    ));
    cases.push(get("/console/tasks/1", ALL));
    cases.push(post(
        "/console/tasks/1/freeze",
        [422, 409, 409, 403, 403, 403, 403, 401],
    ));
    cases.push(post(
        "/console/tasks/1/reveal",
        [422, 422, 422, 403, 403, 403, 422, 401],
    ));
    cases.push(get("/public/tasks", [200; 8]));
    cases.push(get(format!("/public/tasks/{}", drawn_task.code), [200; 8]));
    cases.push(get(
        format!("/public/tasks/{}/export.zip", drawn_task.code),
        [200; 8],
    ));
    cases.push(get("/public/verify", [200; 8]));
    for always_public in [
        "/",
        "/public/audit",
        "/api/audit/checkpoint",
        "/healthz",
        "/login",
    ] {
        let expect = if always_public == "/login" {
            [303, 303, 303, 303, 303, 303, 303, 200]
        } else {
            [200; 8]
        };
        cases.push(get(always_public, expect));
    }

    // Last, because it ends cgj.plan's sessions: an admin may reset a password, a county admin
    // may not reach outside their department.
    cases.push(post(
        format!("/console/admin/users/{other_dept}/password"),
        [303, 403, 403, 403, 403, 403, 401, 401],
    ));

    let mut sessions = Vec::new();
    for r in ROLES {
        sessions.push(app.login(r).await);
    }
    sessions.push((client(), String::new()));
    let mut failures = Vec::new();
    for case in &cases {
        for (i, (c, csrf)) in sessions.iter().enumerate() {
            let who = ROLES.get(i).copied().unwrap_or("anonymous");
            let status = if case.method == "GET" {
                app.get(c, &case.path).await.0
            } else {
                let unique = format!("{}{}", who.replace('.', ""), case.path.len());
                let code = format!("1405{:02}", 60 + i);
                let form = [
                    ("csrf", csrf.as_str()),
                    ("username", &format!("n.{unique}")),
                    ("display_name", "新账号"),
                    ("department_id", "2"),
                    ("role", "officer"),
                    ("password", "Newuser2024pass"),
                    ("name", &format!("测试局{unique}")),
                    ("division", "140581"),
                    ("code", code.as_str()),
                    ("scope", "own_department"),
                    ("active", "on"),
                ];
                app.post(c, &case.path, &form).await.0
            };
            if status != case.expect[i] {
                failures.push(format!(
                    "{} {} as {who}: got {status}, want {}",
                    case.method, case.path, case.expect[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(app.platform.verify().await.unwrap().problem.is_none());
}

#[tokio::test]
async fn department_admin_sees_only_their_department() {
    let app = spawn_sqlite().await;
    let (c, _) = app.login("scjg.admin").await;
    let (_, page) = app.get(&c, "/console/admin").await;
    assert!(
        page.contains("scjg.plan") && !page.contains("cgj.plan"),
        "county admin sees own department only"
    );
    assert!(!page.contains("value=\"system_admin\""));
    let (_, form) = app.get(&c, "/console/admin/users/new").await;
    assert!(
        !form.contains("system_admin"),
        "a department admin cannot grant 系统管理员"
    );
    assert!(
        !form.contains("高平市城市管理局"),
        "nor place accounts outside their scope"
    );
    // A department outside 晋城市 (in 朔州市), with an account created last of all: the newest
    // record, on the first page of whoever may see it.
    let cli = ssj_app::Actor::command_line();
    app.platform
        .import_divisions(&cli, "代码,名称\n140600,朔州市\n")
        .await
        .unwrap();
    let elsewhere = app
        .platform
        .create_department(&cli, "朔州市市场监督管理局", "140600")
        .await
        .unwrap()
        .id;
    let outsider = app
        .platform
        .create_user(
            &cli,
            ssj_app::accounts::NewAccount {
                username: "szs.plan".into(),
                display_name: "朔州计划".into(),
                department_id: elsewhere,
                role: "planner".into(),
                scope: None,
                password: "Shuozhou2024pass".into(),
            },
        )
        .await
        .unwrap()
        .id;
    let outsider = format!("<td>user:{outsider}</td>");
    let (c, _) = app.login("admin").await;
    let (_, page) = app.get(&c, "/console/audit").await;
    // (The list names an account by its id; scjg.admin's login above is a county record.)
    let county_record = "<td>scjg.admin</td><td>高平市市场监督管理局</td>";
    assert!(
        page.contains(&outsider) && page.contains(county_record),
        "the 系统管理员 sees every department"
    );
    let (c, _) = app.login("jcs.jd").await;
    let (_, page) = app.get(&c, "/console/audit").await;
    assert!(
        page.contains(county_record),
        "the city supervisor sees the county's records"
    );
    assert!(
        !page.contains(&outsider) && !page.contains("朔州市"),
        "and none of another city's"
    );
    let (_, page) = app.get(&c, "/console/audit?department=1").await;
    assert!(page.contains("auth.login"));
}
