//! Parsing an uploaded file runs on the blocking pool, a few at a time: while several large
//! previews are being read, the server keeps answering everyone else.

mod common;

use common::*;
use std::time::{Duration, Instant};

/// A directory file just under the upload limit: tens of thousands of valid rows.
fn big_directory() -> Vec<u8> {
    let mut csv = Vec::new();
    let divisions = vec!["140581".to_string()];
    ssj_app::generate::write_objects_csv(&mut csv, 60_000, &divisions, 3).unwrap();
    assert!(csv.len() < ssj_web::WebConfig::default().max_body_bytes);
    csv
}

#[tokio::test]
async fn large_previews_do_not_stall_the_server() {
    // One async worker, as a busy server's: parsing on it would hold up every other request.
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let file = big_directory();
    let mut previews = Vec::new();
    for _ in 0..3 {
        let (c, csrf, file, url) = (
            c.clone(),
            csrf.clone(),
            file.clone(),
            app.url("/console/objects/import"),
        );
        previews.push(tokio::spawn(async move {
            let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name("名录.csv"),
            );
            let r = c.post(url).multipart(form).send().await.unwrap();
            r.status().as_u16()
        }));
    }
    let probe = reqwest::Client::new();
    let mut slowest = Duration::ZERO;
    let mut probes = 0;
    while previews.iter().any(|p| !p.is_finished()) {
        let t = Instant::now();
        let r = probe.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        slowest = slowest.max(t.elapsed());
        probes += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for p in previews {
        assert_eq!(p.await.unwrap(), 200, "the preview itself succeeds");
    }
    assert!(probes > 0);
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?} while the previews were read"
    );
}
