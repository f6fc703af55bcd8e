//! 32 clients at once — logins, page views, ceremony steps and imports — on each backend: all
//! finish, none waits anywhere near the pool's 30 s acquire timeout (a service that took a
//! second connection while holding the write lock stalled there), and the log verifies.

mod common;

use common::*;
use std::time::{Duration, Instant};

/// Far below the 30 s a stalled pool waits, far above a slow CI machine's worst request.
const SLOWEST_ALLOWED: Duration = Duration::from_secs(10);
const ROUNDS: usize = 3;

fn officer_file(client: usize, round: usize) -> Vec<u8> {
    let mut csv =
        String::from("姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,状态\n");
    for k in 0..5 {
        csv.push_str(&format!(
            "并发{client}{round}{k},高平市市场监督管理局,SX1405819{client:02}{round}{k},2029-12-31,县,食品,1390000{client:02}{round}{k},有效\n"
        ));
    }
    csv.into_bytes()
}

async fn import(app: &TestApp, c: &reqwest::Client, csrf: &str, bytes: Vec<u8>) -> u16 {
    let (status, page) = app
        .upload(c, "/console/officers/import", csrf, "名录.csv", bytes)
        .await;
    if status != 200 {
        return status;
    }
    let marker = "/console/officers/import/";
    let start = page.find(marker).expect("a confirm form") + marker.len();
    let token: String = page[start..]
        .chars()
        .take_while(|ch| ch.is_ascii_hexdigit())
        .collect();
    app.post(
        c,
        &format!("/console/officers/import/{token}"),
        &[("csrf", csrf), ("mode", "all")],
    )
    .await
    .0
}

async fn run(app: TestApp) {
    let cli = ssj_app::Actor::command_line();
    let frozen = app.platform.freeze_draw(&cli, 2, None).await.unwrap();
    let app = std::sync::Arc::new(app);
    let mut clients = Vec::new();
    for n in 0..32usize {
        let app = app.clone();
        clients.push(tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            let mut bad = Vec::new();
            let user = match n % 4 {
                0 => "scjg.plan",
                1 => "scjg.admin",
                2 => "jcs.jd",
                _ => "admin",
            };
            let (c, csrf) = app.login(user).await;
            for round in 0..ROUNDS {
                let t = Instant::now();
                let status = match n % 4 {
                    // Logging in again: a write transaction (session and record).
                    0 => {
                        app.login(user).await;
                        303
                    }
                    // Ceremony steps on the frozen draw.
                    1 => {
                        let label = format!("见证人{n}-{round}");
                        let value = format!("骰子{n}{round}");
                        let draw = frozen.id.to_string();
                        app.post(
                            &c,
                            "/console/tasks/2/contribute",
                            &[
                                ("csrf", csrf.as_str()),
                                ("draw", draw.as_str()),
                                ("role", "witness"),
                                ("label", label.as_str()),
                                ("value", value.as_str()),
                            ],
                        )
                        .await
                        .0
                    }
                    // Page views that read across areas.
                    2 => {
                        let mut worst = 200;
                        for path in [
                            "/console",
                            "/console/officers",
                            "/console/tasks/1",
                            "/console/audit",
                        ] {
                            let s = app.get(&c, path).await.0;
                            if s != 200 {
                                worst = s;
                            }
                        }
                        worst
                    }
                    // Imports: preview and confirm, each a file of five officers.
                    _ => import(&app, &c, &csrf, officer_file(n, round)).await,
                };
                slowest = slowest.max(t.elapsed());
                let ok = matches!(status, 200 | 303);
                if !ok {
                    bad.push(format!("client {n} round {round}: {status}"));
                }
            }
            (slowest, bad)
        }));
    }
    let mut slowest = Duration::ZERO;
    let mut bad = Vec::new();
    for c in clients {
        let (s, b) = tokio::time::timeout(Duration::from_secs(120), c)
            .await
            .expect("a client never finished")
            .unwrap();
        slowest = slowest.max(s);
        bad.extend(b);
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(
        slowest < SLOWEST_ALLOWED,
        "the slowest request took {slowest:?}"
    );
    // Every contribution arrived (one per ceremony round of each ceremony client).
    let contributions = app.platform.contributions(frozen.id).await.unwrap();
    assert_eq!(contributions.len(), 1 + 8 * ROUNDS);
    assert!(app.platform.verify().await.unwrap().problem.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_clients_at_once_on_sqlite() {
    run(spawn_sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_clients_at_once_on_postgres() {
    run(spawn_with(
        &ssj_storage_conformance::PostgresHarness,
        ssj_web::WebConfig::default(),
    )
    .await)
    .await;
}
