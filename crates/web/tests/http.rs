//! HTTP integration tests against the app on port 0.

mod common;

use common::*;

#[tokio::test]
async fn login_logout_and_the_navigation() {
    let app = spawn_sqlite().await;
    let c = client();
    let (status, page) = app.get(&c, "/console/items").await;
    assert_eq!(status, 303, "{page}");
    let (_, login) = app.get(&c, "/login?next=/console/items").await;
    let csrf = csrf_of(&login);
    let (status, page) = app
        .post(
            &c,
            "/login",
            &[
                ("username", "admin"),
                ("password", "wrong-pass-1"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert!(page.contains("用户名或密码错误") && page.contains("LOGIN_FAILED"));
    let csrf = csrf_of(&page);
    let pw = app.passwords["admin"].clone();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", pw.as_str()),
            ("csrf", &csrf),
            ("next", "/console/items"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/console/items");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        cookie.contains("ssj_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
    );
    let (status, page) = app.get(&c, "/console").await;
    assert_eq!(status, 200);
    for label in [
        "事项清单",
        "检查对象名录库",
        "执法检查人员名录库",
        "抽查任务",
        "审计日志",
        "系统管理",
    ] {
        assert!(page.contains(label), "nav has {label}");
    }
    // No menu entry leads to a page that is not there yet.
    assert!(!page.contains("/console/plans") && !page.contains("尚未上线"));
    let token = csrf_of(&page);
    let (status, _) = app.post(&c, "/logout", &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    assert_eq!(app.get(&c, "/console").await.0, 303, "logged out");
    let (records, _) = app
        .store
        .audit_search(&ssj_storage::AuditFilter {
            action_prefix: Some("auth.".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = records
        .iter()
        .map(|r| r.record.entry.action.as_str())
        .collect();
    assert_eq!(
        actions,
        vec!["auth.logout", "auth.login", "auth.login_failed"]
    );
}

/// Five wrong passwords used to lock the account for everyone (423 ACCOUNT_LOCKED); now they
/// are five plain refusals and the owner still gets in.
#[tokio::test]
async fn five_failures_do_not_lock_the_account() {
    let app = spawn_sqlite().await;
    let c = client();
    let (_, mut page) = app.get(&c, "/login").await;
    for i in 1..=5 {
        let csrf = csrf_of(&page);
        let (status, p) = app
            .post(
                &c,
                "/login",
                &[
                    ("username", "scjg.plan"),
                    ("password", "not-it-123"),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(status, 401, "attempt {i}");
        assert!(p.contains("LOGIN_FAILED"));
        page = p;
    }
    let csrf = csrf_of(&page);
    let pw = app.passwords["scjg.plan"].clone();
    let (status, _) = app
        .post(
            &c,
            "/login",
            &[
                ("username", "scjg.plan"),
                ("password", &pw),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = spawn_sqlite().await;
    let c = client();
    let pw = app.passwords["admin"].clone();
    let (status, page) = app
        .post(
            &c,
            "/login",
            &[("username", "admin"), ("password", &pw), ("csrf", "forged")],
        )
        .await;
    assert_eq!(status, 403);
    assert!(page.contains("CSRF_MISMATCH"));
    let (c, _) = app.login("admin").await;
    let (status, page) = app
        .post(
            &c,
            "/console/admin/departments",
            &[
                ("name", "伪造局"),
                ("division", "140581"),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(
        (status, error_code_of(&page).as_deref()),
        (403, Some("CSRF_MISMATCH"))
    );
    assert!(
        !app.store
            .departments()
            .await
            .unwrap()
            .iter()
            .any(|d| d.name == "伪造局")
    );
}

#[tokio::test]
async fn security_headers_and_error_pages() {
    let app = spawn_sqlite().await;
    let c = client();
    // Every response carries the same values; pages are never cached, the static files are.
    let (console, _) = app.login("admin").await;
    let static_cache = Some("public, max-age=3600");
    for (client, path, status, cache) in [
        (&c, "/", 200, Some("no-store")),
        (&c, "/no/such/page", 404, Some("no-store")),
        (&console, "/console", 200, Some("no-store")),
        (&console, "/console/audit", 200, Some("no-store")),
        (&c, "/static/app.css", 200, static_cache),
        (&c, "/static/app.js", 200, static_cache),
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        let h = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(
            h("content-security-policy").as_deref(),
            Some(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
            ),
            "{path}"
        );
        assert_eq!(
            h("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(h("x-frame-options").as_deref(), Some("DENY"), "{path}");
        assert_eq!(
            h("referrer-policy").as_deref(),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(
            h("permissions-policy").as_deref(),
            Some("camera=(), microphone=(), geolocation=()"),
            "{path}"
        );
        assert_eq!(
            h("cross-origin-opener-policy").as_deref(),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(h("cache-control").as_deref(), cache, "{path}");
        assert_eq!(
            r.headers().get_all("cache-control").iter().count(),
            1,
            "{path}"
        );
    }
    let (status, page) = app.get(&c, "/no/such/page").await;
    assert_eq!(
        (status, error_code_of(&page).as_deref()),
        (404, Some("NOT_FOUND"))
    );
    let r = c.delete(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(
        error_code_of(&r.text().await.unwrap()).as_deref(),
        Some("METHOD_NOT_ALLOWED")
    );
    let r = c
        .get(app.url("/api/audit/consistency?from=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BAD_NUMBER");
    let r = c
        .get(app.url("/api/audit/inclusion?seq=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "SESSION_EXPIRED");
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused_cleanly() {
    let app = spawn_with(
        &ssj_storage_conformance::SqliteHarness,
        ssj_web::WebConfig {
            max_body_bytes: 4096,
            ..Default::default()
        },
    )
    .await;
    let (c, csrf) = app.login("admin").await;
    let before = app.store.audit_size().await.unwrap();
    let big = "x".repeat(10_000);
    let (status, page) = app
        .post(
            &c,
            "/console/admin/departments",
            &[
                ("name", big.as_str()),
                ("division", "140581"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(
        (status, error_code_of(&page).as_deref()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
    let r = c
        .post(app.url("/console/admin/departments"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%%%=&&=")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    assert!(
        error_code_of(&r.text().await.unwrap()).is_some(),
        "our page, not a bare rejection"
    );
    let (status, page) = app
        .post(
            &c,
            "/console/admin/departments",
            &[("name", ""), ("division", "14058x"), ("csrf", &csrf)],
        )
        .await;
    // Refused at the form, on the organisation page.
    assert_eq!(status, 422);
    assert!(page.contains("id=\"form-error\"") && page.contains("data-form=\"department\""));
    let (status, page) = app
        .post(
            &c,
            "/console/admin/users",
            &[
                ("username", "张三"),
                ("display_name", "张三"),
                ("department_id", "2"),
                ("role", "planner"),
                ("password", "abc"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("USERNAME_INVALID") && page.contains("value=\"张三\""),
        "the form comes back filled in"
    );
    assert_eq!(
        app.store.audit_size().await.unwrap(),
        before,
        "nothing refused was written"
    );
}

#[tokio::test]
async fn an_admin_creates_an_account_and_the_log_shows_it_with_a_proof() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("admin").await;
    let (status, _) = app
        .post(
            &c,
            "/console/admin/users",
            &[
                ("username", "wang.wu"),
                ("display_name", "王五"),
                ("department_id", "3"),
                ("role", "officer"),
                ("password", "Kq7#mWz2vLp9"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, 303);
    app.platform.checkpoint().await.unwrap();
    let (status, page) = app
        .get(&c, "/console/audit?action=user.create&actor=admin")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("user.create"));
    let seq = app
        .store
        .audit_search(&ssj_storage::AuditFilter {
            action_prefix: Some("user.create".into()),
            actor: Some("admin".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .0[0]
        .record
        .seq;
    let (status, page) = app.get(&c, &format!("/console/audit/{seq}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("wang.wu") && page.contains("proof-root"));
    let proof: serde_json::Value = c
        .get(app.url(&format!("/api/audit/inclusion?seq={seq}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hashes: Vec<[u8; 32]> = proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| ssj_merkle::from_hex(h.as_str().unwrap()).unwrap())
        .collect();
    let leaf = ssj_merkle::HashAlg::Sha256.leaf(proof["record"].as_str().unwrap().as_bytes());
    let root = ssj_merkle::from_hex(proof["root"].as_str().unwrap()).unwrap();
    ssj_merkle::verify_inclusion(
        ssj_merkle::HashAlg::Sha256,
        &leaf,
        seq,
        proof["tree_size"].as_u64().unwrap(),
        &hashes,
        &root,
    )
    .unwrap();
    let checkpoint: serde_json::Value = c
        .get(app.url("/api/audit/checkpoint"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(checkpoint["checkpoint"]["root"], proof["root"]);
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let app = spawn_sqlite().await;
    let c = client();
    let (_, page) = app.get(&c, "/login").await;
    let pw = app.passwords["scjg.plan"].clone();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "scjg.plan"),
            ("password", pw.as_str()),
            ("csrf", &csrf_of(&page)),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("ssj_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    // A new platform over the same database file, as after a restart of the server.
    let store = ssj_app::open_store(&app.database).await.unwrap();
    let seed: [u8; 32] = [7; 32];
    let restarted =
        ssj_app::Platform::with_store(store, ed25519_dalek::SigningKey::from_bytes(&seed), None)
            .await
            .unwrap();
    let state = ssj_web::AppState::new(
        std::sync::Arc::new(restarted),
        ssj_web::WebConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, ssj_web::router(state)).await.unwrap() });
    let r = client()
        .get(format!("http://{addr}/console"))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("李明"));
}

#[tokio::test]
async fn postgres_backend_serves_the_console() {
    let app = spawn_with(
        &ssj_storage_conformance::PostgresHarness,
        ssj_web::WebConfig::default(),
    )
    .await;
    let (c, _) = app.login("jcs.jd").await;
    let (status, page) = app.get(&c, "/console/audit").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("user.create"),
        "the supervisor sees the county's records"
    );
    assert!(app.platform.verify().await.unwrap().problem.is_none());
}
