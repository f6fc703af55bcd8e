//! Parsing an uploaded file runs on the blocking pool, a few at a time: while several large
//! previews are being read, the server keeps answering everyone else.

mod common;

use common::*;
use std::time::{Duration, Instant};

/// An officer list of tens of thousands of rows, under the upload limit. A list like this is
/// read whole into a grid before its rows are checked: one long computation.
fn big_officer_list() -> Vec<u8> {
    let mut csv =
        String::from("姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,状态\n");
    for n in 0..60_000 {
        csv.push_str(&format!(
            "检查员{n},高平市市场监督管理局,SX1405819{n:05},2029-12-31,县,食品,139{n:08},有效\n"
        ));
    }
    assert!(csv.len() < ssj_web::WebConfig::default().max_body_bytes);
    csv.into_bytes()
}

#[tokio::test]
async fn large_previews_do_not_stall_the_server() {
    // One async worker, as a busy server's: parsing on it would hold up every other request.
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let file = big_officer_list();
    let mut previews = Vec::new();
    for _ in 0..2 {
        let (c, csrf, file, url) = (
            c.clone(),
            csrf.clone(),
            file.clone(),
            app.url("/console/officers/import"),
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
    eprintln!("{probes} probes, slowest {slowest:?}");
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?} while the previews were read"
    );
}
