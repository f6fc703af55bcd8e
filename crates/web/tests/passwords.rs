//! Passwords after 等保 2.0 三级: common ones, ones holding the username and one-class ones are
//! refused where accounts are made; a password someone else set is changed at the first login;
//! an old one is changed before anything else.

mod common;

use common::*;

fn new_account<'a>(csrf: &'a str, username: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("username", username),
        ("display_name", "周敏"),
        ("department_id", "2"),
        ("role", "planner"),
        ("scope", "own_department"),
        ("password", password),
    ]
}

#[tokio::test]
async fn weak_passwords_are_refused_where_accounts_are_made() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    for (password, code) in [
        ("aaaaaaaaa1", "PASSWORD_CLASSES"),
        ("Password123", "PASSWORD_COMMON"),
        ("Zhou.min2024!", "PASSWORD_CONTAINS_USERNAME"),
    ] {
        let (status, page) = app
            .post(
                &c,
                "/console/admin/users",
                &new_account(&csrf, "zhou.min", password),
            )
            .await;
        assert_eq!(status, 422, "{password}");
        assert!(page.contains(code), "{password}: {page}");
        assert!(
            !page.contains(password),
            "the typed password is not sent back"
        );
    }
    let (status, _) = app
        .post(
            &c,
            "/console/admin/users",
            &new_account(&csrf, "zhou.min", "Kq7#mWz2vLp9"),
        )
        .await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn a_password_set_by_an_administrator_is_changed_at_the_first_login() {
    let mut app = spawn_sqlite().await;
    let (admin, csrf) = app.login("scjg.admin").await;
    let (status, _) = app
        .post(
            &admin,
            "/console/admin/users",
            &new_account(&csrf, "zhou.min", "Kq7#mWz2vLp9"),
        )
        .await;
    assert_eq!(status, 303);
    app.passwords
        .insert("zhou.min".into(), "Kq7#mWz2vLp9".into());
    let (c, csrf) = app.login_to("zhou.min", "/console/account").await;

    // Every other page sends the holder to the password form; forms are refused.
    let r = c.get(app.url("/console/tasks")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/console/account");
    let (status, page) = app.get(&c, "/console/account").await;
    assert_eq!(status, 200);
    assert!(page.contains("change-due"), "{page}");
    let (status, page) = app
        .post(
            &c,
            "/console/tasks/1/cancel",
            &[("csrf", &csrf), ("reason", "x")],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        error_code_of(&page).as_deref(),
        Some("PASSWORD_CHANGE_REQUIRED")
    );

    // A refused new password comes back on the form, inline.
    let (status, page) = app
        .post(
            &c,
            "/console/account",
            &[
                ("csrf", &csrf),
                ("current", "Kq7#mWz2vLp9"),
                ("new_password", "Password123"),
                ("confirm", "Password123"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("form-error"), "{page}");
    let (status, _) = app
        .post(
            &c,
            "/console/account",
            &[
                ("csrf", &csrf),
                ("current", "Kq7#mWz2vLp9"),
                ("new_password", "Vt5$nRq8wYe3"),
                ("confirm", "Vt5$nRq8wYe3"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    app.passwords
        .insert("zhou.min".into(), "Vt5$nRq8wYe3".into());
    let (c, _) = app.login("zhou.min").await;
    let (status, _) = app.get(&c, "/console/tasks").await;
    assert_eq!(status, 200, "after the change the console is open");

    // An administrator's reset asks for a change again.
    let id = app
        .store
        .user_by_name("zhou.min")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (admin, csrf) = app.login("scjg.admin").await;
    let (status, _) = app
        .post(
            &admin,
            &format!("/console/admin/users/{id}/password"),
            &[("csrf", &csrf), ("password", "Hb4@cXs9kTm2")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(
        app.store
            .user_by_name("zhou.min")
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
}

#[tokio::test]
async fn an_expired_password_is_changed_before_anything_else() {
    let mut policy = ssj_app::Policy::default();
    policy.passwords.max_age_days = Some(0);
    let app = spawn_with_policy(
        &ssj_storage_conformance::SqliteHarness,
        ssj_web::WebConfig::default(),
        policy,
    )
    .await;
    let (c, _) = app.login_to("scjg.plan", "/console/account").await;
    let r = c.get(app.url("/console/tasks")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/console/account");
    let (_, page) = app.get(&c, "/console/account").await;
    assert!(page.contains("已超过有效期"), "{page}");
}
