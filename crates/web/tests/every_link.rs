//! Every link of every page, followed as each role of the demo county (and as the public):
//! none may lead to an error page. Pages of one shape (`/console/objects/code/…`) are
//! followed a few times, not once per object.

mod common;

use common::*;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Pages followed per role: enough for every menu entry and the pages they lead to.
const MAX_PAGES: usize = 400;
/// Pages followed per shape of link (the same route with other ids or filters).
const PER_SHAPE: usize = 2;

/// The local links of a page: `href="/…"`, unescaped, without their fragment.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(raw) = part.split('"').next() else {
            continue;
        };
        let link = raw.replace("&amp;", "&");
        let link = link.split('#').next().unwrap_or_default().to_string();
        if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/static/") {
            out.push(link);
        }
    }
    out
}

/// A link with its ids and filter values blanked: `/console/tasks/3?preview=1` →
/// `/console/tasks/*?preview=*`.
fn shape(link: &str) -> String {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let path: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg.bytes().any(|b| b.is_ascii_digit()) {
                "*".to_string()
            } else {
                seg.to_string()
            }
        })
        .collect();
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    format!("{}?{}", path.join("/"), keys.join("&"))
}

/// Follows every link from `start`; returns each page that did not answer 200, and every
/// page body seen (text pages only).
async fn crawl(
    app: &TestApp,
    c: &reqwest::Client,
    start: &[&str],
) -> (Vec<String>, Vec<(String, String)>) {
    let mut queue: VecDeque<String> = start.iter().map(|s| s.to_string()).collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut shapes: HashMap<String, usize> = HashMap::new();
    let (mut failures, mut pages) = (Vec::new(), Vec::new());
    while let Some(link) = queue.pop_front() {
        if pages.len() + failures.len() >= MAX_PAGES {
            break;
        }
        let r = c.get(app.url(&link)).send().await.unwrap();
        let status = r.status().as_u16();
        let html = r
            .headers()
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap_or("").starts_with("text/html"));
        let body = if html {
            r.text().await.unwrap()
        } else {
            drop(r.bytes().await.unwrap());
            String::new()
        };
        if status != 200 {
            failures.push(format!("{link} → HTTP {status}"));
            continue;
        }
        for next in links(&body) {
            if next == "/logout" || seen.contains(&next) {
                continue;
            }
            let n = shapes.entry(shape(&next)).or_default();
            if *n >= PER_SHAPE {
                continue;
            }
            *n += 1;
            seen.insert(next.clone());
            queue.push_back(next);
        }
        pages.push((link, body));
    }
    (failures, pages)
}

#[tokio::test]
async fn every_link_of_every_page_opens_for_every_role() {
    let app = spawn_sqlite().await;
    // A drawn task, so that the draw's pages and downloads are there to follow.
    let tasks = app.platform.tasks().await.unwrap();
    assert!(
        tasks
            .iter()
            .any(|t| t.status == ssj_storage::TaskStatus::Drawn),
        "the demo has a drawn task"
    );
    let mut roles: Vec<&String> = app.passwords.keys().collect();
    roles.sort();
    let mut report = Vec::new();
    for username in roles {
        let (c, _) = app.login(username).await;
        let (failures, pages) = crawl(&app, &c, &["/console", "/"]).await;
        assert!(
            pages.len() > 10,
            "{username}: only {} pages reached",
            pages.len()
        );
        report.extend(failures.into_iter().map(|f| format!("{username}: {f}")));
    }
    let (failures, pages) = crawl(&app, &client(), &["/"]).await;
    report.extend(failures.into_iter().map(|f| format!("公众: {f}")));
    assert!(report.is_empty(), "links that fail:\n{}", report.join("\n"));
    // Public pages name departments, never the staff's login names.
    let usernames: Vec<&String> = app.passwords.keys().filter(|u| u.contains('.')).collect();
    for (link, body) in &pages {
        for u in &usernames {
            assert!(!body.contains(u.as_str()), "{link} shows the username {u}");
        }
    }
    let public: BTreeSet<&str> = pages.iter().map(|(l, _)| l.as_str()).collect();
    for must in [
        "/public/items",
        "/public/tasks",
        "/public/verify",
        "/public/audit",
    ] {
        assert!(
            public.iter().any(|l| l.starts_with(must)),
            "the public home leads to {must}: reached {public:?}"
        );
    }
}

#[tokio::test]
async fn an_error_page_keeps_the_session_and_shows_no_code() {
    let app = spawn_sqlite().await;
    let (c, _) = app.login("scjg.zf01").await;
    let (status, page) = app.get(&c, "/console/admin").await;
    assert_eq!(status, 403);
    assert!(
        page.contains("退出登录") && page.contains("赵强"),
        "the header still shows who is logged in"
    );
    assert!(page.contains("id=\"side-nav\""), "and the menu");
    assert_eq!(error_code_of(&page).as_deref(), Some("FORBIDDEN"));
    assert!(
        page.contains("<span hidden id=\"error-code\">") && !page.contains("错误代码"),
        "the code is for support, not shown"
    );
    // An unknown page, too.
    let (status, page) = app.get(&c, "/console/no-such-page").await;
    assert_eq!(status, 404);
    assert!(page.contains("退出登录"));
    // Logged out, the error page has the login link instead.
    let (status, page) = app.get(&client(), "/public/tasks/140581000000000").await;
    assert_eq!(status, 404);
    assert!(page.contains("工作人员登录") && !page.contains("退出登录"));
}

#[tokio::test]
async fn each_role_sees_only_the_menu_it_can_use() {
    let app = spawn_sqlite().await;
    for (username, expected) in [
        (
            "scjg.zf01",
            &["items", "objects", "officers", "plans", "tasks"][..],
        ),
        (
            "scjg.sh",
            &["items", "objects", "officers", "plans", "tasks"][..],
        ),
        (
            "jcs.jd",
            &["items", "objects", "officers", "plans", "tasks", "audit"][..],
        ),
        (
            "admin",
            &[
                "items", "objects", "officers", "plans", "tasks", "audit", "admin",
            ][..],
        ),
    ] {
        let (c, _) = app.login(username).await;
        let (_, page) = app.get(&c, "/console").await;
        let nav: Vec<&str> = page
            .split("data-nav=\"")
            .skip(1)
            .filter_map(|p| p.split('"').next())
            .collect();
        assert_eq!(nav, expected, "{username}");
    }
}

#[tokio::test]
async fn each_role_lands_on_its_own_to_dos() {
    let app = spawn_sqlite().await;
    let (c, _) = app.login("scjg.plan").await;
    let (_, page) = app.get(&c, "/console").await;
    assert!(page.contains("id=\"todo-draw\"") && page.contains("待抽取的任务"));
    let ready = app
        .platform
        .tasks()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.status == ssj_storage::TaskStatus::Ready)
        .unwrap();
    assert!(page.contains(&format!("/console/tasks/{}\"", ready.id)));
    assert!(page.contains("没有需要递补的"));
    // A member of the drawn team goes on leave today: the planner's 工作台 names them.
    let drawn = app.drawn_task().await;
    let draw = app.platform.current_draw(drawn.id).await.unwrap().unwrap();
    let list = app.platform.current_list(draw.id, Some(5)).await.unwrap();
    let member = &list.rows[0].members[0];
    let today = ssj_app::clock::today();
    app.platform
        .add_leave(
            &ssj_app::Actor::command_line(),
            member.id.parse().unwrap(),
            &today,
            &today,
            "病假",
        )
        .await
        .unwrap();
    let (_, page) = app.get(&c, "/console").await;
    let todo = &page[page.find("id=\"todo-substitutions\"").unwrap()..];
    assert!(
        todo.contains(&format!("{}（{}）：今日请假", member.name, member.cert_no)),
        "{}",
        &todo[..todo.len().min(1500)]
    );
    let (c, _) = app.login("scjg.zf01").await;
    let (_, page) = app.get(&c, "/console").await;
    assert!(
        !page.contains("id=\"todo-draw\""),
        "an officer draws nothing"
    );
    assert!(
        !page.contains("id=\"todo-substitutions\""),
        "nor decides a 递补"
    );
    assert!(page.contains("id=\"todo-under-way\""));
    let (c, _) = app.login("scjg.admin").await;
    let (_, page) = app.get(&c, "/console").await;
    assert!(page.contains("id=\"todo-items\"") && page.contains("id=\"todo-accounts\""));
}
