//! The login form under abuse: huge names, guessing, probing for names, old sessions.

mod common;

use common::*;
use ssj_app::Policy;
use ssj_storage::AuditFilter;

const XFF: &str = "X-Forwarded-For";

fn behind_proxy() -> ssj_web::WebConfig {
    ssj_web::WebConfig {
        client_ip_header: Some(XFF.into()),
        ..Default::default()
    }
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    /// The text of the page's error paragraph (message and code), if any.
    /// The refusal as the page gives it: its (hidden) code and its message.
    fn error(&self) -> Option<String> {
        let start = self.body.find("id=\"login-error\"")? + "id=\"login-error\"".len();
        Some(self.body[start..].split("</p>").next()?.to_string())
    }
}

/// One login attempt with a fresh client (its own CSRF cookie), as if from `from` when the
/// proxy header is trusted.
async fn attempt(app: &TestApp, from: Option<&str>, username: &str, password: &str) -> Answer {
    let c = client();
    let (_, page) = app.get(&c, "/login").await;
    let csrf = csrf_of(&page);
    let mut req = c.post(app.url("/login")).form(&[
        ("username", username),
        ("password", password),
        ("csrf", &csrf),
    ]);
    if let Some(ip) = from {
        req = req.header(XFF, ip);
    }
    let r = req.send().await.unwrap();
    Answer {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.text().await.unwrap(),
    }
}

async fn auth_records(app: &TestApp) -> Vec<ssj_storage::StoredAudit> {
    app.store
        .audit_search(&AuditFilter {
            action_prefix: Some("auth.".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn huge_usernames_neither_grow_the_log_nor_come_back() {
    let app = spawn_sqlite().await;
    let before = app.store.audit_size().await.unwrap();
    let name = "a".repeat(1024 * 1024);
    let marker = "a".repeat(64);
    for i in 0..5 {
        let a = attempt(&app, None, &name, "wrong-pass-1").await;
        assert_eq!(a.status, 401, "attempt {i}");
        assert!(a.body.contains("LOGIN_FAILED"));
        assert!(!a.body.contains(&marker), "the name is not echoed");
        assert!(a.body.len() < 64 * 1024, "{} bytes", a.body.len());
    }
    let (_, page) = app.get(&client(), "/login").await;
    assert!(!page.contains(&marker));
    let after = app.store.audit_size().await.unwrap();
    assert!(
        after - before <= 1,
        "{} records for 5 attempts",
        after - before
    );
    let bytes: usize = auth_records(&app)
        .await
        .iter()
        .map(|r| {
            let e = &r.record.entry;
            e.actor_name.len()
                + e.target_id.len()
                + e.reason.as_ref().map_or(0, String::len)
                + e.before.as_ref().map_or(0, String::len)
                + e.after.as_ref().map_or(0, String::len)
        })
        .sum();
    assert!(bytes < 4096, "the log grew by {bytes} bytes");
}

#[tokio::test]
async fn guessing_from_one_address_does_not_lock_the_account_for_others() {
    let app = spawn_with(&ssj_storage_conformance::SqliteHarness, behind_proxy()).await;
    let attacker = "203.0.113.7";
    for i in 1..=10 {
        let a = attempt(&app, Some(attacker), "admin", "wrong-pass-1").await;
        assert_eq!(a.status, 401, "attempt {i}");
        assert!(a.body.contains("LOGIN_FAILED"));
    }
    let pw = app.passwords["admin"].clone();
    // The attacker's address is throttled now, even with the right password, and a forged
    // entry to the left of the proxy's own does not get it out.
    for from in [attacker, "198.51.100.9, 203.0.113.7"] {
        let a = attempt(&app, Some(from), "admin", &pw).await;
        assert_eq!(a.status, 429, "{from}");
        assert!(
            a.body.contains("尝试过于频繁，请 15 分钟后再试"),
            "{}",
            a.body
        );
        assert!(a.body.contains("LOGIN_THROTTLED"));
        assert!(a.headers.contains_key("retry-after"));
    }
    let a = attempt(&app, Some("198.51.100.9"), "admin", &pw).await;
    assert_eq!(a.status, 303, "admin logs in from elsewhere");
    let u = app.store.user_by_name("admin").await.unwrap();
    assert_eq!(u.unwrap().locked_until_ms, None);
    // The 12 failed or refused attempts are one opening record and one summary, not 12.
    let actions: Vec<_> = auth_records(&app)
        .await
        .iter()
        .map(|r| r.record.entry.action.clone())
        .collect();
    assert_eq!(actions, vec!["auth.login", "auth.login_failed"]);
    let flushed = app.platform.flush_login_bursts().await.unwrap();
    assert_eq!(flushed, 0, "the attacker's window is still open");
}

#[tokio::test]
async fn refusals_do_not_tell_which_names_exist() {
    let policy = Policy {
        throttle_failures: 4,
        ..Policy::default()
    };
    let app = spawn_with_policy(
        &ssj_storage_conformance::SqliteHarness,
        behind_proxy(),
        policy,
    )
    .await;
    let store = &app.store;
    for (name, disable) in [("jcs.jd", true), ("scjg.plan", false)] {
        let id = store.user_by_name(name).await.unwrap().unwrap().id;
        let mut tx = store.begin().await.unwrap();
        let mut u = tx.user_for_update(id).await.unwrap().unwrap();
        if disable {
            u.active = false;
        } else {
            u.locked_until_ms = Some(ssj_app::clock::now_ms() + 3_600_000);
        }
        tx.update_user(&u).await.unwrap();
        tx.commit().await.unwrap();
    }
    let probe = "192.0.2.1";
    let pw = |n: &str| app.passwords[n].clone();
    let answers = [
        (
            "unknown",
            attempt(&app, Some(probe), "nobody.here", "wrong-pass-1").await,
        ),
        (
            "wrong",
            attempt(&app, Some(probe), "admin", "wrong-pass-1").await,
        ),
        (
            "disabled",
            attempt(&app, Some(probe), "jcs.jd", &pw("jcs.jd")).await,
        ),
        (
            "locked",
            attempt(&app, Some(probe), "scjg.plan", &pw("scjg.plan")).await,
        ),
    ];
    let (_, first) = &answers[0];
    assert_eq!(first.status, 401);
    assert!(first.error().unwrap().contains("LOGIN_FAILED"));
    for (what, a) in &answers {
        assert_eq!(
            (a.status, a.error()),
            (first.status, first.error()),
            "{what} reads like an unknown name"
        );
    }
    let a = attempt(&app, Some(probe), "nobody.here", "wrong-pass-1").await;
    assert_eq!(a.status, 429, "the prober is throttled");
    let a = attempt(&app, Some("192.0.2.2"), "nobody.here", "wrong-pass-1").await;
    assert_eq!((a.status, a.error()), (first.status, first.error()));
    assert_eq!(
        attempt(&app, Some("192.0.2.2"), "admin", &pw("admin"))
            .await
            .status,
        303,
        "only the prober's address is throttled"
    );
}

#[tokio::test]
async fn a_session_past_its_absolute_lifetime_is_refused_and_removed() {
    let policy = Policy {
        session_max_ms: -1,
        ..Policy::default()
    };
    let app = spawn_with_policy(
        &ssj_storage_conformance::SqliteHarness,
        Default::default(),
        policy,
    )
    .await;
    let c = client();
    let (_, page) = app.get(&c, "/login").await;
    let csrf = csrf_of(&page);
    let pw = app.passwords["admin"].clone();
    let (status, _) = app
        .post(
            &c,
            "/login",
            &[("username", "admin"), ("password", &pw), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, 303, "the password is right");
    let (status, _) = app.get(&c, "/console").await;
    assert_eq!(status, 303, "sent back to the login page");
    let mut tx = app.store.begin().await.unwrap();
    let left = tx.delete_idle_sessions(i64::MAX).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(left, 0, "the old session was deleted when refused");
}

#[tokio::test]
async fn cookies_are_secure_when_a_trusted_proxy_says_https() {
    async fn session_cookie(app: &TestApp, proto: &str) -> String {
        let c = client();
        let (_, page) = app.get(&c, "/login").await;
        let csrf = csrf_of(&page);
        let pw = app.passwords["admin"].clone();
        let r = c
            .post(app.url("/login"))
            .header("X-Forwarded-Proto", proto)
            .form(&[("username", "admin"), ("password", &pw), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with("ssj_session="))
            .unwrap()
    }
    let proxied = spawn_with(&ssj_storage_conformance::SqliteHarness, behind_proxy()).await;
    assert!(session_cookie(&proxied, "https").await.contains("; Secure"));
    assert!(!session_cookie(&proxied, "http").await.contains("Secure"));
    let direct = spawn_sqlite().await;
    assert!(
        !session_cookie(&direct, "https").await.contains("Secure"),
        "an untrusted header is ignored"
    );
}
