//! `serve` under slow clients and at shutdown: a half-sent request is dropped after the
//! header-read timeout, and SIGTERM still ends the server promptly with a last signed checkpoint.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{BIN, csrf_of, run, text};

#[cfg(unix)]
#[tokio::test]
async fn slow_clients_are_dropped_and_sigterm_signs_a_last_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let data = dir.path().join("data");
    let csv = dir.path().join("d.csv");
    std::fs::write(&csv, "代码,名称\n140581,高平市\n").unwrap();
    let o = run(&db, &data, &["division", "import", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&db, &data, &["audit", "checkpoint"]);
    assert!(o.status.success(), "{}", text(&o));

    let mut child = Command::new(BIN)
        .args(["--database", &db, "--data-dir"])
        .arg(&data)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--header-read-timeout",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    let addr = base.trim_start_matches("http://").to_string();

    // Half a request: the server hangs up after the (1 s) header-read timeout.
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    let n = slow
        .read(&mut buf)
        .expect("closed before 10 s, not timed out");
    let after = started.elapsed();
    println!("half-sent headers closed after {after:?}");
    assert_eq!(n, 0, "{}", String::from_utf8_lossy(&buf[..n]));
    assert!(after < Duration::from_secs(6), "{after:?}");

    // A failed login is a new audit record; the client keeps its connection alive.
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let page = c.get(format!("{base}/login")).send().await.unwrap();
    let page = page.text().await.unwrap();
    let csrf = csrf_of(&page);
    let r = c
        .post(format!("{base}/login"))
        .form(&[("username", "nobody"), ("password", "x"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());

    let stop = Instant::now();
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(stop.elapsed() < Duration::from_secs(20), "still serving");
        std::thread::sleep(Duration::from_millis(50));
    };
    println!("stopped {:?} after SIGTERM", stop.elapsed());
    assert!(status.success(), "{status:?}");
    drop(c);

    let store = ssj_app::open_store(&db).await.unwrap();
    let checkpoints = ssj_storage::Store::checkpoints(&*store).await.unwrap();
    let size = ssj_storage::Store::audit_size(&*store).await.unwrap();
    store.close().await;
    assert_eq!(checkpoints.len(), 2, "the shutdown signed one more");
    assert_eq!(checkpoints[1].tree_size, size);
}
