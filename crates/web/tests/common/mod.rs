//! A spawned app on port 0 with the demo county, and a browser-like client.
#![allow(dead_code)]

use reqwest::redirect::Policy;
use ssj_app::Platform;
use std::collections::HashMap;
use std::sync::Arc;

pub struct TestApp {
    pub base: String,
    pub platform: Arc<Platform>,
    /// The database under the platform, for tests that look at rows directly.
    pub store: Arc<dyn ssj_storage::Store>,
    pub passwords: HashMap<String, String>,
    pub database: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn spawn_sqlite() -> TestApp {
    spawn_with(
        &ssj_storage_conformance::SqliteHarness,
        ssj_web::WebConfig::default(),
    )
    .await
}

pub async fn spawn_with(
    h: &dyn ssj_storage_conformance::Harness,
    config: ssj_web::WebConfig,
) -> TestApp {
    spawn_with_policy(h, config, ssj_app::Policy::default()).await
}

/// As [`spawn_with`], with the platform's policy (session lifetimes, throttling) set.
pub async fn spawn_with_policy(
    h: &dyn ssj_storage_conformance::Harness,
    config: ssj_web::WebConfig,
    policy: ssj_app::Policy,
) -> TestApp {
    let fresh = h.fresh().await;
    let seed: [u8; 32] = hex::decode(ssj_app::keys::random_hex(32))
        .unwrap()
        .try_into()
        .unwrap();
    let mut platform = Platform::with_store(
        fresh.store.clone(),
        ed25519_dalek::SigningKey::from_bytes(&seed),
        None,
    )
    .await
    .unwrap();
    // A smaller directory than the real demo's 50,000 objects keeps each test quick.
    let logins = ssj_app::demo::load_sized(&platform, 2_000).await.unwrap();
    platform.policy = policy;
    let platform = Arc::new(platform);
    let state = ssj_web::AppState::new(platform.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        ssj_web::serve_on(listener, state, std::future::pending())
            .await
            .unwrap()
    });
    TestApp {
        base: format!("http://{addr}"),
        platform,
        store: fresh.store.clone(),
        passwords: logins
            .into_iter()
            .map(|l| (l.username, l.password))
            .collect(),
        database: fresh.database.clone(),
        _dir: fresh._dir,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `name="csrf"` field on a page.
pub fn csrf_of(html: &str) -> String {
    let start =
        html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().unwrap().to_string()
}

pub fn error_code_of(html: &str) -> Option<String> {
    let start = html.find("id=\"error-code\">")? + "id=\"error-code\">".len();
    Some(html[start..].split('<').next()?.to_string())
}

impl TestApp {
    /// The demo's drawn task.
    pub async fn drawn_task(&self) -> ssj_storage::Task {
        self.platform
            .tasks()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.status == ssj_storage::TaskStatus::Drawn)
            .expect("the demo has a drawn task")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, c: &reqwest::Client, path: &str) -> (u16, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn post(
        &self,
        c: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, String) {
        let r = c.post(self.url(path)).form(form).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts `bytes` as the file of the upload form at `path`, with the session's CSRF token.
    pub async fn upload(
        &self,
        c: &reqwest::Client,
        path: &str,
        csrf: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (u16, String) {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
            );
        let r = c.post(self.url(path)).multipart(form).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Logs in through the login form; returns the client and the session's CSRF token.
    pub async fn login(&self, username: &str) -> (reqwest::Client, String) {
        self.login_to(username, "/console").await
    }

    /// [`Self::login`], taking the CSRF token from `landing` (for an account held to a page).
    pub async fn login_to(&self, username: &str, landing: &str) -> (reqwest::Client, String) {
        let c = client();
        let (_, page) = self.get(&c, "/login").await;
        let password = self.passwords[username].clone();
        let csrf = csrf_of(&page);
        let (status, _) = self
            .post(
                &c,
                "/login",
                &[
                    ("username", username),
                    ("password", &password),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(status, 303, "login of {username}");
        let (_, home) = self.get(&c, landing).await;
        let token = csrf_of(&home);
        (c, token)
    }
}
