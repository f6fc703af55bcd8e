//! The authorization matrix: every route the router serves (enumerated from
//! `ssj_web::route_table`, so a new route without a row fails here) × every role × own and other
//! department × each kind of id, for GET and POST, with the expected status.
//! Demo county: 晋城市市场监督管理局 (city, department 1), 高平市市场监督管理局 (scjg,
//! department 2), 高平市城市管理局 (cgj, department 3). The scjg roles act on their own
//! department's data; cgj.plan is the other department; jcs.jd (city) sees the county below.

mod common;

use common::*;
use ssj_app::Actor;
use std::collections::BTreeSet;

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
type Expect = [u16; 8];

const ALL: Expect = [200, 200, 200, 200, 200, 200, 200, 303];
const PUBLIC: Expect = [200; 8];
const EDITORS_PAGE: Expect = [200, 200, 403, 403, 403, 403, 403, 303];
const PLANNERS_PAGE: Expect = [200, 200, 200, 403, 403, 403, 200, 303];
const AUDITORS_PAGE: Expect = [200, 403, 403, 403, 403, 200, 403, 303];
const ADMINS_PAGE: Expect = [200, 200, 403, 403, 403, 403, 403, 303];
const DISPATCH: Expect = [200, 200, 200, 200, 200, 200, 403, 303];
const SYSADMIN_PAGE: Expect = [200, 403, 403, 403, 403, 403, 403, 303];

struct Case {
    /// The route pattern this case exercises, as the route table names it.
    route: &'static str,
    method: &'static str,
    path: String,
    expect: Expect,
    /// Form fields beside the common ones.
    fields: Vec<(&'static str, String)>,
    /// Sent as an upload form (with the CSRF token and an empty file field).
    multipart: bool,
}

fn get(route: &'static str, path: impl Into<String>, expect: Expect) -> Case {
    Case {
        route,
        method: "GET",
        path: path.into(),
        expect,
        fields: Vec::new(),
        multipart: false,
    }
}

fn post(route: &'static str, path: impl Into<String>, expect: Expect) -> Case {
    Case {
        route,
        method: "POST",
        path: path.into(),
        expect,
        fields: Vec::new(),
        multipart: false,
    }
}

impl Case {
    fn multipart(mut self) -> Case {
        self.multipart = true;
        self
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Case {
        self.fields.push((name, value.to_string()));
        self
    }
}

#[tokio::test]
async fn every_route_for_every_role() {
    let app = spawn_sqlite().await;
    let cli = Actor::command_line();
    let id = |name: &str| {
        let store = app.store.clone();
        let name = name.to_string();
        async move { store.user_by_name(&name).await.unwrap().unwrap().id }
    };
    let (admin, planner, officer, other_dept) = (
        id("admin").await,
        id("scjg.plan").await,
        id("scjg.zf01").await,
        id("cgj.plan").await,
    );
    let target = app
        .platform
        .create_user(
            &cli,
            ssj_app::accounts::NewAccount {
                username: "target.user".into(),
                display_name: "目标".into(),
                department_id: 2,
                role: "officer".into(),
                scope: None,
                password: "Target2024pass".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
        .id;
    // Officers of the market regulator (own) and of 城市管理局 (other).
    let officer_of = |dept: i64| {
        let store = app.store.clone();
        async move {
            let f = ssj_storage::OfficerFilter {
                department: Some(dept),
                limit: 1,
                ..Default::default()
            };
            store.officers(&f).await.unwrap().0[0].id
        }
    };
    let (own_officer, other_officer) = (officer_of(2).await, officer_of(3).await);
    let some_object = app
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
    // Task 1 is drawn; task 2 is frozen here, ready for contributions and the reveal.
    let drawn_task = app.platform.task(1).await.unwrap();
    // Task 1's one-task plan (published with it).
    let (task_plan, _) = app.platform.task_plan(1).await.unwrap().unwrap();
    let drawn = app.platform.current_draw(1).await.unwrap().unwrap();
    let first_drawn = String::from_utf8(
        app.platform
            .draw_result_file(drawn.id)
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap()
    .lines()
    .nth(1)
    .unwrap()
    .split(',')
    .nth(1)
    .unwrap()
    .to_string();
    let frozen = app.platform.freeze_draw(&cli, 2, None).await.unwrap();
    app.platform.checkpoint().await.unwrap();
    let filter = ssj_storage::AuditFilter {
        target: Some(format!("user:{planner}")),
        limit: 1,
        ..Default::default()
    };
    let in_scope = app.store.audit_search(&filter).await.unwrap().0[0]
        .record
        .seq;
    let public_record = app
        .store
        .audit_search(&ssj_storage::AuditFilter {
            action_prefix: Some("draw.freeze".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .0[0]
        .record
        .seq;
    let cli_record = 0; // a division created at the command line: no department, only scope "all"

    let mut cases = vec![
        // Public pages and APIs.
        get("/", "/", PUBLIC),
        get("/healthz", "/healthz", PUBLIC),
        get("/static/app.css", "/static/app.css", PUBLIC),
        get("/static/app.js", "/static/app.js", PUBLIC),
        get("/public/audit", "/public/audit", PUBLIC),
        get("/api/audit/checkpoint", "/api/audit/checkpoint", PUBLIC),
        get(
            "/api/audit/consistency",
            "/api/audit/consistency?from=1",
            PUBLIC,
        ),
        get(
            "/api/v1/audit/checkpoints",
            "/api/v1/audit/checkpoints",
            PUBLIC,
        ),
        get(
            "/api/v1/audit/consistency",
            "/api/v1/audit/consistency?from=1",
            PUBLIC,
        ),
        get("/api/v1/audit/records", "/api/v1/audit/records", PUBLIC),
        get(
            "/api/v1/audit/inclusion",
            format!("/api/v1/audit/inclusion?seq={public_record}"),
            PUBLIC,
        ),
        // A record that is not public by nature: only its hash is public, even to its department.
        get(
            "/api/v1/audit/inclusion",
            format!("/api/v1/audit/inclusion?seq={in_scope}"),
            [404; 8],
        ),
        get("/public/items", "/public/items", PUBLIC),
        get("/public/items/export", "/public/items/export", PUBLIC),
        get("/public/tasks", "/public/tasks", PUBLIC),
        get(
            "/public/tasks/{code}",
            format!("/public/tasks/{}", drawn_task.code),
            PUBLIC,
        ),
        get(
            "/public/tasks/{code}",
            "/public/tasks/140581000000000",
            [404; 8],
        ),
        get(
            "/public/tasks/{code}/export.zip",
            format!("/public/tasks/{}/export.zip", drawn_task.code),
            PUBLIC,
        ),
        get("/public/verify", "/public/verify", PUBLIC),
        get("/public/commitment", "/public/commitment", PUBLIC),
        // An upload without a file: the page says so, for everyone alike.
        post("/public/verify", "/public/verify", [422; 8]).multipart(),
        get("/login", "/login", [303, 303, 303, 303, 303, 303, 303, 200]),
        // The console session's token is not the login form's: refused as a forged form.
        post("/login", "/login", [403; 8]),
        // The console and everyone's own account.
        get("/console", "/console", ALL),
        get("/console/account", "/console/account", ALL),
        // Everyone may change their own password; this form lacks the confirmation.
        post(
            "/console/account",
            "/console/account",
            [422, 422, 422, 422, 422, 422, 422, 401],
        ),
        // The audit log: the 系统管理员 and the 监督员 (whose city covers the county's records).
        get("/console/audit", "/console/audit", AUDITORS_PAGE),
        get(
            "/console/audit/{seq}",
            format!("/console/audit/{in_scope}"),
            AUDITORS_PAGE,
        ),
        get(
            "/console/audit/{seq}",
            format!("/console/audit/{cli_record}"),
            SYSADMIN_PAGE,
        ),
        get(
            "/api/audit/inclusion",
            format!("/api/audit/inclusion?seq={in_scope}"),
            [200, 403, 403, 403, 403, 200, 403, 401],
        ),
        get(
            "/api/audit/inclusion",
            format!("/api/audit/inclusion?seq={cli_record}"),
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
        // Accounts: administrators, within their scope.
        get("/console/admin", "/console/admin", ADMINS_PAGE),
        get(
            "/console/admin/users/new",
            "/console/admin/users/new",
            ADMINS_PAGE,
        ),
        get(
            "/console/admin/users/{id}",
            format!("/console/admin/users/{planner}"),
            ADMINS_PAGE,
        ),
        get(
            "/console/admin/users/{id}",
            format!("/console/admin/users/{other_dept}"),
            SYSADMIN_PAGE,
        ),
        post(
            "/console/admin/users/{id}/unlock",
            format!("/console/admin/users/{officer}/unlock"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/users/{id}/unlock",
            format!("/console/admin/users/{other_dept}/unlock"),
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        // A 系统管理员 of the same department is out of a 部门管理员's reach.
        post(
            "/console/admin/users/{id}/unlock",
            format!("/console/admin/users/{admin}/unlock"),
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/users",
            "/console/admin/users",
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/users/{id}",
            format!("/console/admin/users/{target}"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/users/{id}",
            format!("/console/admin/users/{admin}"),
            // The 系统管理员 may not change their own role; nobody else may touch theirs.
            [403, 403, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/users/{id}/password",
            format!("/console/admin/users/{target}/password"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/users/{id}/password",
            // The 系统管理员's own password needs the current one, which this form lacks.
            format!("/console/admin/users/{admin}/password"),
            [422, 403, 403, 403, 403, 403, 403, 401],
        ),
        // Organisation: the 系统管理员 only.
        get("/console/admin/org", "/console/admin/org", SYSADMIN_PAGE),
        post(
            "/console/admin/departments/{id}",
            "/console/admin/departments/3",
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/departments",
            "/console/admin/departments",
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/admin/divisions",
            "/console/admin/divisions",
            [303, 403, 403, 403, 403, 403, 403, 401],
        ),
        // A file that is not a division list: refused for the 系统管理员, forbidden to others.
        post(
            "/console/admin/divisions/import",
            "/console/admin/divisions/import",
            [422, 403, 403, 403, 403, 403, 403, 401],
        )
        .multipart(),
        // The item list.
        get("/console/items", "/console/items", ALL),
        get("/console/items/template", "/console/items/template", ALL),
        get("/console/items/export", "/console/items/export", ALL),
        get(
            "/console/items/edit",
            "/console/items/edit",
            [404, 404, 403, 403, 403, 403, 403, 303],
        ),
        get("/console/items/new", "/console/items/new", EDITORS_PAGE),
        // The generic form has no name: it comes back with the reason.
        post(
            "/console/items/new",
            "/console/items/new",
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        // The generic form has no 事项类别: refused before any item is looked up.
        post(
            "/console/items/edit",
            "/console/items/edit",
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/items/publish",
            "/console/items/publish",
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/items/retire",
            "/console/items/retire",
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
        // Objects.
        get("/console/objects", "/console/objects", ALL),
        get("/console/objects/export", "/console/objects/export", ALL),
        get(
            "/console/objects/template",
            "/console/objects/template",
            ALL,
        ),
        get(
            "/console/objects/code/{code}",
            format!("/console/objects/code/{some_object}"),
            ALL,
        ),
        get(
            "/console/objects/code/{code}",
            "/console/objects/code/NO-SUCH-CODE",
            [404, 404, 404, 404, 404, 404, 404, 303],
        ),
        get("/console/objects/new", "/console/objects/new", EDITORS_PAGE),
        // The generic form's code is not a valid code: the form comes back with the reason.
        post(
            "/console/objects/new",
            "/console/objects/new",
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        get(
            "/console/objects/code/{code}/edit",
            format!("/console/objects/code/{some_object}/edit"),
            EDITORS_PAGE,
        ),
        post(
            "/console/objects/code/{code}/edit",
            format!("/console/objects/code/{some_object}/edit"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        ),
        // Officers: each sees the officers of their scope.
        get("/console/officers", "/console/officers", ALL),
        get(
            "/console/officers/new",
            "/console/officers/new",
            EDITORS_PAGE,
        ),
        // The generic form has no name: it comes back with the reason.
        post(
            "/console/officers/new",
            "/console/officers/new",
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        get(
            "/console/officers/{id}/edit",
            format!("/console/officers/{own_officer}/edit"),
            EDITORS_PAGE,
        ),
        get(
            "/console/officers/{id}/edit",
            format!("/console/officers/{other_officer}/edit"),
            [200, 403, 403, 403, 403, 403, 403, 303],
        ),
        post(
            "/console/officers/{id}/edit",
            format!("/console/officers/{own_officer}/edit"),
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
        get("/console/officers/export", "/console/officers/export", ALL),
        get(
            "/console/officers/template",
            "/console/officers/template",
            ALL,
        ),
        get(
            "/console/officers/{id}",
            format!("/console/officers/{own_officer}"),
            [200, 200, 200, 200, 200, 200, 403, 303],
        ),
        get(
            "/console/officers/{id}",
            format!("/console/officers/{other_officer}"),
            [200, 403, 403, 403, 403, 200, 200, 303],
        ),
        get(
            "/console/officers/{id}",
            "/console/officers/not-a-number",
            [400, 400, 400, 400, 400, 400, 400, 303],
        ),
        post(
            "/console/officers/{id}/leave",
            format!("/console/officers/{own_officer}/leave"),
            [303, 303, 403, 403, 403, 403, 403, 401],
        )
        .with("from", "2030-01-01")
        .with("to", "2030-01-02")
        .with("reason", "年假"),
        post(
            "/console/officers/{id}/leave",
            format!("/console/officers/{other_officer}/leave"),
            [303, 403, 403, 403, 403, 403, 403, 401],
        )
        .with("from", "2030-01-01")
        .with("to", "2030-01-02")
        .with("reason", "年假"),
        post(
            "/console/officers/{id}/conflicts",
            // Declared once (by the 系统管理员); the same declaration again is a conflict.
            format!("/console/officers/{own_officer}/conflicts"),
            [303, 409, 403, 403, 403, 403, 403, 401],
        )
        .with("reason", "近亲属在该企业任职")
        .with("code", &some_object),
        post(
            "/console/officers/{id}/conflicts",
            format!("/console/officers/{other_officer}/conflicts"),
            [303, 403, 403, 403, 403, 403, 403, 401],
        )
        .with("reason", "近亲属在该企业任职")
        .with("code", &some_object),
        // Plans: everyone in the console reads a published one; planners import; a step on a
        // plan only by its department's planners (a revision without its reason is refused).
        get("/public/plans", "/public/plans", PUBLIC),
        get(
            "/public/plans/{code}",
            format!("/public/plans/{}", task_plan.code),
            PUBLIC,
        ),
        get(
            "/public/plans/{code}",
            "/public/plans/14058120990001",
            [404; 8],
        ),
        get("/console/plans", "/console/plans", ALL),
        get(
            "/console/plans/import",
            "/console/plans/import",
            PLANNERS_PAGE,
        ),
        get(
            "/console/plans/{id}",
            format!("/console/plans/{}", task_plan.id),
            ALL,
        ),
        get(
            "/console/plans/{id}/visits",
            format!("/console/plans/{}/visits", task_plan.id),
            ALL,
        ),
        post(
            "/console/plans/import",
            "/console/plans/import",
            [422, 422, 422, 403, 403, 403, 422, 401],
        )
        .multipart(),
        post(
            "/console/plans/import/confirm",
            "/console/plans/import/confirm",
            [422, 422, 422, 403, 403, 403, 422, 401],
        ),
        post(
            "/console/plans/{id}/{step}",
            format!("/console/plans/{}/revise", task_plan.id),
            [422, 422, 422, 403, 403, 403, 403, 401],
        ),
        // Tasks and the ceremony: planners of the task's department.
        get("/console/tasks", "/console/tasks", ALL),
        get("/console/tasks/new", "/console/tasks/new", PLANNERS_PAGE),
        post(
            "/console/tasks",
            "/console/tasks",
            [200, 200, 200, 403, 403, 403, 200, 401],
        ),
        get("/console/tasks/{id}", "/console/tasks/1", ALL),
        // The full export, with the declared conflicts (personal data): the 监督员 only.
        get(
            "/console/tasks/{id}/audit.zip",
            "/console/tasks/1/audit.zip",
            [403, 403, 403, 403, 403, 200, 403, 303],
        ),
        // The dispatch list and 派发单: the task's department, its cooperating departments and
        // the levels above; cgj is neither for this task.
        get(
            "/console/tasks/{id}/dispatch",
            "/console/tasks/1/dispatch",
            DISPATCH,
        ),
        get(
            "/console/tasks/{id}/dispatch.xlsx",
            "/console/tasks/1/dispatch.xlsx",
            DISPATCH,
        ),
        get(
            "/console/tasks/{id}/dispatch.csv",
            "/console/tasks/1/dispatch.csv",
            DISPATCH,
        ),
        get(
            "/console/tasks/{id}",
            "/console/tasks/999",
            [404, 404, 404, 404, 404, 404, 404, 303],
        ),
        // Task 1 is drawn: a 系统管理员 needs a reason, the others may not draw again.
        post(
            "/console/tasks/{id}/{step}",
            "/console/tasks/1/freeze",
            [422, 409, 409, 403, 403, 403, 403, 401],
        ),
        post(
            "/console/tasks/{id}/{step}",
            "/console/tasks/2/contribute",
            [303, 303, 303, 403, 403, 403, 403, 401],
        )
        .with("draw", frozen.id)
        .with("role", "witness")
        .with("label", "见证人")
        .with("value", "骰子 3 5 2"),
        // No lottery contribution is pending.
        post(
            "/console/tasks/{id}/{step}",
            "/console/tasks/2/lottery",
            [404, 404, 404, 403, 403, 403, 403, 401],
        )
        .with("draw", frozen.id)
        .with("position", 9)
        .with("result", "12345"),
        // The first planner draws; then it is drawn for the others of the department.
        post(
            "/console/tasks/{id}/{step}",
            "/console/tasks/2/reveal",
            [303, 409, 409, 403, 403, 403, 403, 401],
        )
        .with("draw", frozen.id),
        // A 递补 of the first drawn object of task 1; once replaced it is no longer in the list.
        post(
            "/console/tasks/{id}/{step}",
            "/console/tasks/1/substitute",
            [303, 422, 422, 403, 403, 403, 403, 401],
        )
        .with("draw", drawn.id)
        .with("kind", "object")
        .with("key", &first_drawn)
        .with("reason", "企业已注销"),
        post(
            "/console/tasks/{id}/{step}",
            "/console/tasks/2/no-such-step",
            [404, 404, 404, 403, 403, 403, 404, 401],
        ),
        post(
            "/console/tasks/{id}/{step}",
            "/console/tasks/2/cancel",
            [303, 409, 409, 403, 403, 403, 403, 401],
        )
        .with("reason", "计划调整"),
    ];
    // The import flow, the same for each list; a token nobody previewed is unknown.
    for (list, form) in [
        ("items", EDITORS_PAGE),
        ("objects", EDITORS_PAGE),
        ("officers", EDITORS_PAGE),
    ] {
        let base: &'static str = match list {
            "items" => "/console/items/import",
            "objects" => "/console/objects/import",
            _ => "/console/officers/import",
        };
        let token: &'static str = match list {
            "items" => "/console/items/import/{token}",
            "objects" => "/console/objects/import/{token}",
            _ => "/console/officers/import/{token}",
        };
        let rejects: &'static str = match list {
            "items" => "/console/items/import/{token}/rejects",
            "objects" => "/console/objects/import/{token}/rejects",
            _ => "/console/officers/import/{token}/rejects",
        };
        cases.push(get(base, base, form));
        // An upload without a file.
        cases.push(post(base, base, [422, 422, 403, 403, 403, 403, 403, 401]).multipart());
        cases.push(post(
            token,
            format!("{base}/unknown"),
            [404, 404, 403, 403, 403, 403, 403, 401],
        ));
        cases.push(get(
            rejects,
            format!("{base}/unknown/rejects"),
            [404, 404, 403, 403, 403, 403, 403, 303],
        ));
    }
    // Last, because they end sessions: a password reset outside the county admin's reach (it
    // ends cgj.plan's sessions), then logging out.
    cases.push(post(
        "/console/admin/users/{id}/password",
        format!("/console/admin/users/{other_dept}/password"),
        [303, 403, 403, 403, 403, 403, 401, 401],
    ));
    // cgj.plan's session ended with the reset above; anonymous has none.
    cases.push(post(
        "/logout",
        "/logout",
        [303, 303, 303, 303, 303, 303, 401, 401],
    ));

    // Every route has a row, and every row names a route.
    let served: BTreeSet<(&str, &str)> = ssj_web::route_table()
        .iter()
        .map(|r| (r.method, r.path))
        .collect();
    let covered: BTreeSet<(&str, &str)> = cases.iter().map(|c| (c.method, c.route)).collect();
    let missing: Vec<_> = served.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&served).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a matrix row: {missing:?}; rows for no route: {stale:?}"
    );

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
            } else if case.multipart {
                let form = reqwest::multipart::Form::new()
                    .text("csrf", csrf.clone())
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(Vec::new()).file_name("空.csv"),
                    );
                let r = c
                    .post(app.url(&case.path))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                r.status().as_u16()
            } else {
                let unique = format!("{}{}", who.replace('.', ""), case.path.len());
                let code = format!("1405{:02}", 60 + i);
                let mut form: Vec<(&str, String)> = vec![
                    ("csrf", csrf.clone()),
                    ("username", format!("n.{unique}")),
                    ("display_name", "新账号".into()),
                    ("department_id", "2".into()),
                    ("role", "officer".into()),
                    ("password", "Kq7#mWz2vLp9".into()),
                    ("name", format!("测试局{unique}")),
                    ("division", "140581".into()),
                    ("code", code),
                    ("scope", "own_department".into()),
                    ("active", "on".into()),
                ];
                for (k, v) in &case.fields {
                    form.retain(|(name, _)| name != k);
                    form.push((k, v.clone()));
                }
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
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
    // The city supervisor sees the county's records (filed under 高平市市场监督管理局), and no
    // record filed under no department (made at the command line).
    let (c, _) = app.login("jcs.jd").await;
    let (_, page) = app.get(&c, "/console/audit?action=user.create").await;
    assert!(
        page.contains("高平市市场监督管理局"),
        "the county's accounts"
    );
    assert!(page.contains("title=\"user.create\">新建账号<"));
    let (_, page) = app.get(&c, "/console/audit?action=division.create").await;
    assert!(
        !page.contains("行政区划 140581"),
        "a record of no department is the 系统管理员's only"
    );
    let (admin, _) = app.login("admin").await;
    let (_, page) = app
        .get(&admin, "/console/audit?action=division.create")
        .await;
    assert!(page.contains("行政区划 140581"), "the 系统管理员 sees it");
    let (_, page) = app.get(&c, "/console/audit?department=1").await;
    assert!(
        page.contains("title=\"auth.login\">登录<"),
        "actions in Chinese"
    );
}
