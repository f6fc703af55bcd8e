//! Slow clients cannot hold a connection open: headers must arrive within the header-read
//! timeout, and a whole request must be answered within the request timeout.

mod common;

use common::spawn_with;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous: the bound under test is one second; a loaded 2-core machine may be slow.
const MARGIN: Duration = Duration::from_secs(5);

fn config() -> ssj_web::WebConfig {
    ssj_web::WebConfig {
        header_read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(1),
        ..Default::default()
    }
}

fn addr_of(base: &str) -> String {
    base.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection (or resets it); returns what came and when.
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + limit).into(), s.read(&mut buf)).await {
            Err(_) => panic!(
                "the connection is still open after {limit:?}; received {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn half_sent_headers_are_dropped_after_the_header_timeout() {
    let app = spawn_with(&ssj_storage_conformance::SqliteHarness, config()).await;
    let mut s = TcpStream::connect(addr_of(&app.base)).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let (_, after) = read_until_closed(&mut s, Duration::from_secs(1) + MARGIN).await;
    assert!(
        after >= Duration::from_millis(800),
        "closed after {after:?}: before the timeout"
    );
    println!("half-sent headers: connection closed after {after:?}");

    // A client that connects and sends nothing is dropped the same way.
    let mut idle = TcpStream::connect(addr_of(&app.base)).await.unwrap();
    let (_, after) = read_until_closed(&mut idle, Duration::from_secs(1) + MARGIN).await;
    println!("silent client: connection closed after {after:?}");
}

#[tokio::test]
async fn a_body_that_never_comes_ends_in_408_after_the_request_timeout() {
    let app = spawn_with(&ssj_storage_conformance::SqliteHarness, config()).await;
    let mut s = TcpStream::connect(addr_of(&app.base)).await.unwrap();
    s.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
          username=a",
    )
    .await
    .unwrap();
    let (reply, after) = read_until_closed(&mut s, Duration::from_secs(1) + MARGIN).await;
    println!("stalled body: answered after {after:?}");
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("REQUEST_TIMEOUT"), "{reply}");
    assert!(reply.contains("请求超时"), "{reply}");
}

#[tokio::test]
async fn normal_requests_still_work_with_the_timeouts() {
    let app = spawn_with(&ssj_storage_conformance::SqliteHarness, config()).await;
    let mut s = TcpStream::connect(addr_of(&app.base)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (reply, _) = read_until_closed(&mut s, MARGIN).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"status\":\"ok\""), "{reply}");

    // A browser-like client logs in and reads a console page as before.
    let (c, _) = app.login("admin").await;
    let (status, _) = app.get(&c, "/console").await;
    assert_eq!(status, 200);
}
