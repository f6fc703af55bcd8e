//! The public verification page against hostile zips: a bomb, a lying header, too many entries,
//! and more uploads at once than there are verification slots.

mod common;

use ssj_app::Platform;
use std::io::{Cursor, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GIB: u64 = 1 << 30;

/// An app without demo data (verification needs none), and its state so a test can hold slots.
async fn spawn() -> (String, ssj_web::AppState, tempfile::TempDir) {
    let fresh =
        ssj_storage_conformance::Harness::fresh(&ssj_storage_conformance::SqliteHarness).await;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let platform = Platform::with_store(fresh.store.clone(), key, None)
        .await
        .unwrap();
    let state = ssj_web::AppState::new(Arc::new(platform), ssj_web::WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = ssj_web::router(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, state, fresh._dir.expect("sqlite lives in a temp dir"))
}

/// A raw deflate stream of `len` zeros: one fixed-Huffman block of a literal 0 and then matches
/// of length 258 at distance 1 (13 bits per 258 bytes), written directly because deflating a
/// gigabyte in a debug build takes minutes.
fn deflated_zeros(len: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity((len / 150) as usize);
    let (mut acc, mut n) = (0u64, 0u32);
    // Deflate packs bits from the least significant end; Huffman codes go most significant first.
    let mut bits = |value: u64, count: u32, huffman: bool| {
        for i in 0..count {
            let bit = if huffman {
                value >> (count - 1 - i)
            } else {
                value >> i
            } & 1;
            acc |= bit << n;
            n += 1;
            if n == 8 {
                out.push(acc as u8);
                (acc, n) = (0, 0);
            }
        }
    };
    bits(1, 1, false); // final block
    bits(1, 2, false); // fixed Huffman codes
    let literal_zero = |bits: &mut dyn FnMut(u64, u32, bool)| bits(0x30, 8, true);
    literal_zero(&mut bits);
    let mut left = len - 1;
    while left >= 258 {
        bits(0xC5, 8, true); // length 258 (symbol 285)
        bits(0, 5, true); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        literal_zero(&mut bits);
    }
    bits(0, 7, true); // end of block
    bits(0, 7, false); // flush the last byte
    out
}

/// A one-entry zip whose deflated content is `deflate`, declaring `declared` bytes inflated. The
/// zip crate writes it stored; the headers are then patched to say deflated. The CRC is that of
/// the stored bytes: the server must refuse the entry long before it could check it.
fn zip_with_raw_deflate(name: &str, deflate: &[u8], declared: u32) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(name, options).unwrap();
    zip.write_all(deflate).unwrap();
    let mut z = zip.finish().unwrap().into_inner();
    let at = |z: &[u8], i: usize| u32::from_le_bytes(z[i..i + 4].try_into().unwrap()) as usize;
    let central = at(&z, z.len() - 22 + 16);
    assert_eq!(at(&z, central), 0x0201_4b50);
    let local = at(&z, central + 42);
    for (method, size) in [(local + 8, local + 22), (central + 10, central + 24)] {
        z[method..method + 2].copy_from_slice(&8u16.to_le_bytes());
        z[size..size + 4].copy_from_slice(&declared.to_le_bytes());
    }
    z
}

fn small_zip(entries: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..entries {
        zip.start_file(
            format!("T1-1/f{i}.csv"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"x\n").unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        / 1024
}

async fn upload(base: String, zip: Vec<u8>) -> (u16, String) {
    let part = reqwest::multipart::Part::bytes(zip).file_name("export.zip");
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = common::client()
        .post(format!("{base}/public/verify"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Uploads `zip` and, until the server has answered it, keeps asking for /healthz; returns the
/// page and the slowest /healthz.
async fn upload_beside_health(base: &str, zip: Vec<u8>) -> ((u16, String), Duration) {
    let pending = tokio::spawn(upload(base.to_string(), zip));
    let mut slowest = Duration::ZERO;
    while !pending.is_finished() {
        let t = Instant::now();
        let r = common::client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        slowest = slowest.max(t.elapsed());
    }
    (pending.await.unwrap(), slowest)
}

// One worker thread, so a handler that inflates on it would stall /healthz too.
#[tokio::test(flavor = "current_thread")]
async fn hostile_zips_are_refused_clearly_without_memory_or_stalls() {
    let (base, _state, _dir) = spawn().await;
    let gib_of_zeros = deflated_zeros(GIB);
    assert!(gib_of_zeros.len() < 7 << 20, "{} bytes", gib_of_zeros.len());
    let cases = [
        (
            "bomb",
            zip_with_raw_deflate("T1-1/candidates.csv", &gib_of_zeros, GIB as u32),
            "candidates.csv 的压缩比过高",
        ),
        (
            "lying header",
            zip_with_raw_deflate("T1-1/candidates.csv", &gib_of_zeros, 1000),
            "candidates.csv 解压后的内容与压缩包中声明的大小（1000 字节）",
        ),
        (
            "too many entries",
            small_zip(40),
            "压缩包中的条目过多（40 个，最多 16 个）",
        ),
        (
            "not a zip",
            b"PK not really".to_vec(),
            "不是有效的 zip 压缩包",
        ),
    ];
    for (case, zip, message) in cases {
        let (before, t) = (peak_rss_mib(), Instant::now());
        let ((status, page), health) = upload_beside_health(&base, zip).await;
        let grown = peak_rss_mib() - before;
        eprintln!(
            "{case}: {status} in {:?}, /healthz in {health:?}, peak RSS +{grown} MiB",
            t.elapsed()
        );
        assert_eq!(status, 422, "{case}: {page}");
        assert!(page.contains(message), "{case}: {page}");
        assert!(grown < 300, "{case}: peak RSS grew {grown} MiB");
        assert!(
            health < Duration::from_secs(1),
            "{case}: /healthz took {health:?}"
        );
    }
}

#[tokio::test]
async fn uploads_beyond_the_verification_slots_get_503_until_one_frees() {
    let (base, state, _dir) = spawn().await;
    let held = state
        .verify_slots
        .clone()
        .try_acquire_many_owned(ssj_web::VERIFY_PERMITS as u32)
        .unwrap();
    let (status, page) = upload(base.clone(), small_zip(40)).await;
    assert_eq!(status, 503, "{page}");
    assert!(page.contains("校验服务繁忙，请稍后再试"), "{page}");
    assert!(page.contains("VERIFY_BUSY"), "{page}");
    drop(held);
    let (status, page) = upload(base.clone(), small_zip(40)).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("条目过多"), "{page}");
    assert_eq!(
        state.verify_slots.available_permits(),
        ssj_web::VERIFY_PERMITS,
        "the slot is given back"
    );
}
