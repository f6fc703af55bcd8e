//! `ssj-bench`: the measurements in BENCHMARKS.md, each against its baseline in the same run.
//!
//!   ssj-bench audit-append --database DB [--records 100000] [--batch 1000]
//!   ssj-bench audit-verify --database DB [--records 1000000]
//!   ssj-bench objects-import --database DB --file objects.csv
//!   ssj-bench list-page --database DB
//!   ssj-bench draw-engine [--count 10000000]
//!   ssj-bench draw-e2e --database DB [--objects-only]
//!   ssj-bench draw-compare [--count 1000000] [--pg URL] [--python]
//!   ssj-bench plan-year --database DB

mod draw;
mod draw_compare;
mod draw_e2e;
mod plan_year;

use clap::{Parser, Subcommand};
use ed25519_dalek::SigningKey;
use ssj_app::audit::Appender;
use ssj_app::{Actor, Platform};
use ssj_domain::AuditEntry;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
// The allocator the shipped binary uses, so that figures compare like with like.
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Appending audit records vs a plain INSERT of the same rows into a bare table.
    AuditAppend {
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 100_000)]
        records: u64,
        #[arg(long, default_value_t = 1_000)]
        batch: u64,
        #[arg(long, default_value_t = 3)]
        rounds: u32,
    },
    /// Importing a generated directory CSV vs the database's own bulk load of the same file
    /// (sqlite3 `.import` / PostgreSQL `COPY`), then filtered list queries on the result.
    ObjectsImport {
        #[arg(long)]
        database: String,
        /// A CSV made by `shuangsuiji generate objects`.
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// The directory list's queries (one page and the per-tier counts) under several filters,
    /// on whatever directory the database holds.
    ListPage {
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 40)]
        runs: usize,
    },
    /// The SSJ-DRAW/1 selection against N single-block SHA-256 on all cores, and officer teams.
    DrawEngine {
        #[arg(long, default_value_t = 10_000_000)]
        count: u64,
        #[arg(long, default_value_t = 3)]
        rounds: u32,
    },
    /// One frozen file recomputed by the engine, docs/verify_draw.py and PostgreSQL.
    DrawCompare {
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        /// A PostgreSQL database to run the documented query in.
        #[arg(long)]
        pg: Option<String>,
        #[arg(long)]
        python: bool,
    },
    /// A task over the whole directory of DB drawn end to end, each step timed.
    DrawE2e {
        #[arg(long)]
        database: String,
        /// Draw objects only, as a city or a province does before dispatching the inspections.
        #[arg(long)]
        objects_only: bool,
    },
    /// A 60-task plan over the directory of DB: imported, every task drawn, the merged visits.
    PlanYear {
        #[arg(long)]
        database: String,
    },
    /// `audit verify` over a log of N records (filled first if shorter).
    AuditVerify {
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 1_000_000)]
        records: u64,
    },
}

/// A realistic record: an object's change with before/after snapshots.
fn entry(i: u64) -> AuditEntry {
    AuditEntry {
        actor_id: Some(3),
        actor_name: "scjg.plan".into(),
        department_id: Some(2),
        action: "object.update".into(),
        target_type: "object".into(),
        target_id: format!("91140581{i:010}"),
        before: Some(format!(
            r#"{{"address":"高平市米山镇{i}号","name":"高平市某某商贸有限公司{i}","status":"存续","tier":"B"}}"#
        )),
        after: Some(format!(
            r#"{{"address":"高平市米山镇{i}号","name":"高平市某某商贸有限公司{i}","status":"存续","tier":"C"}}"#
        )),
        reason: Some("信用风险分类月度更新".into()),
    }
}

async fn platform(database: &str) -> Platform {
    opened(database).await.0
}

/// The platform and, for the audit benchmarks that append raw records, its database.
async fn opened(database: &str) -> (Platform, Arc<dyn ssj_storage::Store>) {
    let store = ssj_app::open_store(database).await.expect("open database");
    let p = Platform::with_store(store.clone(), SigningKey::from_bytes(&[9; 32]), None)
        .await
        .expect("platform");
    (p, store)
}

/// Appends `n` records, `batch` to a transaction, as a bulk change does (`append_many`).
async fn append(
    p: &Platform,
    store: &Arc<dyn ssj_storage::Store>,
    from: u64,
    n: u64,
    batch: u64,
) -> Duration {
    let t = Instant::now();
    let mut i = from;
    while i < from + n {
        let end = (i + batch).min(from + n);
        let mut tx = store.begin().await.unwrap();
        let mut log = Appender::open(&mut *tx, p.alg).await.unwrap();
        log.append_many(
            &mut *tx,
            (i..end).map(|k| (entry(k), 1_700_000_000_000 + k as i64)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        i = end;
    }
    t.elapsed()
}

const BARE: &str = "CREATE TABLE IF NOT EXISTS bench_bare (seq BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, \
    actor_id BIGINT, actor TEXT NOT NULL, department_id BIGINT, action TEXT NOT NULL, \
    target_type TEXT NOT NULL, target_id TEXT NOT NULL, before_json TEXT, after_json TEXT, reason TEXT)";

/// The same rows, the same batching, the same multi-row statements of 1,000 rows.
macro_rules! bare_insert {
    ($db:ty, $pool:expr, $from:expr, $n:expr, $batch:expr) => {{
        let t = Instant::now();
        let mut i = $from;
        while i < $from + $n {
            let end = (i + $batch).min($from + $n);
            let rows: Vec<(u64, AuditEntry)> = (i..end).map(|k| (k, entry(k))).collect();
            let mut tx = $pool.begin().await.unwrap();
            for chunk in rows.chunks(1000) {
                let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO bench_bare ");
                q.push_values(chunk, |mut b, (k, e)| {
                    b.push_bind(*k as i64)
                        .push_bind(1_700_000_000_000 + *k as i64)
                        .push_bind(e.actor_id)
                        .push_bind(e.actor_name.clone())
                        .push_bind(e.department_id)
                        .push_bind(e.action.clone())
                        .push_bind(e.target_type.clone())
                        .push_bind(e.target_id.clone())
                        .push_bind(e.before.clone())
                        .push_bind(e.after.clone())
                        .push_bind(e.reason.clone());
                });
                q.build().execute(&mut *tx).await.unwrap();
            }
            tx.commit().await.unwrap();
            i = end;
        }
        t.elapsed()
    }};
}

/// Plain INSERTs of the same rows, same batching, into a bare table of the same database.
async fn bare(database: &str, from: u64, n: u64, batch: u64) -> Duration {
    if database.starts_with("postgres") {
        let s = ssj_storage_postgres::PgStore::connect(database)
            .await
            .unwrap();
        s.execute_unchecked(BARE).await.unwrap();
        bare_insert!(sqlx::Postgres, s.pool(), from, n, batch)
    } else {
        let s = ssj_storage_sqlite::SqliteStore::open(std::path::Path::new(database))
            .await
            .unwrap();
        s.execute_unchecked(BARE).await.unwrap();
        bare_insert!(sqlx::Sqlite, s.pool(), from, n, batch)
    }
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// The database's own bulk load of the file into a bare text table, timed.
fn baseline_load(database: &str, file: &std::path::Path) -> Duration {
    let t = Instant::now();
    let status = if database.starts_with("postgres") {
        let create = "CREATE TABLE bare (code text, name text, kind text, division text, industry text, tier text, status text, authority text)";
        let copy = format!(
            "\\copy bare FROM '{}' WITH (FORMAT csv, HEADER true)",
            file.display()
        );
        std::process::Command::new("psql")
            .args([database, "-q", "-c", create, "-c", &copy])
            .status()
    } else {
        let bare = format!("{database}.bare");
        let _ = std::fs::remove_file(&bare);
        std::process::Command::new("sqlite3")
            .args([
                &bare,
                ".mode csv",
                &format!(".import {} bare", file.display()),
            ])
            .status()
    };
    assert!(
        status.expect("run the baseline loader").success(),
        "baseline load failed"
    );
    t.elapsed()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// p50 and p95 of one list page (50 rows and the per-tier counts, as the page shows them)
/// under filters a county, a city and a province user would set.
async fn list_latencies(p: &Platform, runs: usize) {
    use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};
    use ssj_storage::ObjectFilter;
    // As the web list asks: 50 rows, counting capped at 10,000 where the tally cannot count.
    const CAP: u64 = 10_000;
    let page = |f: ObjectFilter| ObjectFilter {
        limit: 50,
        count_cap: Some(CAP),
        ..f
    };
    // The busiest county of the directory, whichever it holds.
    let (sample, _) = p
        .objects(&Actor::command_line(), &page(ObjectFilter::default()))
        .await
        .unwrap();
    let county = sample
        .first()
        .map(|o| o.division.clone())
        .unwrap_or_default();
    let sample_code = sample.last().map(|o| o.code.clone()).unwrap_or_default();
    let city = format!("{}00", &county[..county.len().min(4)]);
    let filters = [
        (
            "tier D",
            page(ObjectFilter {
                tier: Some(Tier::D),
                ..Default::default()
            }),
        ),
        (
            "county + tier C, page 20",
            page(ObjectFilter {
                division: Some(county.clone()),
                tier: Some(Tier::C),
                offset: 950,
                ..Default::default()
            }),
        ),
        (
            "city + 个体工商户",
            page(ObjectFilter {
                division: Some(city),
                kind: Some(ObjectKind::Individual),
                ..Default::default()
            }),
        ),
        (
            "合作社 + 注销",
            page(ObjectFilter {
                kind: Some(ObjectKind::Cooperative),
                status: Some(RegistrationStatus::Cancelled),
                ..Default::default()
            }),
        ),
        (
            "county + industry 52",
            page(ObjectFilter {
                division: Some(county.clone()),
                industry: Some("52".into()),
                ..Default::default()
            }),
        ),
        (
            "code, typed in the search box",
            page(ObjectFilter {
                q: Some(sample_code.clone()),
                ..Default::default()
            }),
        ),
        (
            "name contains, common",
            page(ObjectFilter {
                q: Some("太行".into()),
                ..Default::default()
            }),
        ),
        (
            "name contains, rare",
            page(ObjectFilter {
                q: Some("泽鑫建材有限公司777".into()),
                ..Default::default()
            }),
        ),
    ];
    for (label, f) in filters {
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let (rows, n) = p.objects(&Actor::command_line(), &f).await.unwrap();
            if f.tally_serves() || n <= CAP {
                p.object_tier_counts(&Actor::command_line(), &f)
                    .await
                    .unwrap();
            }
            std::hint::black_box(rows);
            times.push(t.elapsed());
            total = n;
        }
        times.sort();
        let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)];
        println!(
            "list page ({label}, {total} matching{}): p50 {:.1} ms, p95 {:.1} ms",
            if !f.tally_serves() && total > CAP {
                ", counted to the cap"
            } else {
                ""
            },
            at(0.5).as_secs_f64() * 1e3,
            at(0.95).as_secs_f64() * 1e3
        );
    }
}

#[tokio::main]
async fn main() {
    // As the shipped binary sets it (crates/cli/src/main.rs).
    // SAFETY: mimalloc keeps its options in atomics; this only changes later OS allocations.
    unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1) };
    // `SSJ_BENCH_LOG=ssj_app::steps=debug` shows where a draw's time goes.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SSJ_BENCH_LOG") {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    match Cli::parse().command {
        Bench::ObjectsImport { database, file } => {
            let bytes = std::sync::Arc::new(std::fs::read(&file).expect("read the generated file"));
            let p = platform(&database).await;
            let base = baseline_load(&database, &file);
            let t = Instant::now();
            let s = p
                .import_objects(
                    &ssj_app::Actor::command_line(),
                    bytes.clone(),
                    ssj_app::imports::ImportMode::AllOrNothing,
                    false,
                )
                .await
                .expect("import");
            let ours = t.elapsed();
            let n = s.new + s.changed + s.unchanged;
            println!(
                "backend {}, {n} objects, {:.0} MB file",
                p.health().await.unwrap().0,
                bytes.len() as f64 / 1048576.0
            );
            println!(
                "baseline bulk load {:.2} s; shuangsuiji import {:.2} s ({:.0} rows/s); ratio {:.2}; peak RSS {:.0} MB (file held in memory)",
                base.as_secs_f64(),
                ours.as_secs_f64(),
                n as f64 / ours.as_secs_f64(),
                ours.as_secs_f64() / base.as_secs_f64(),
                peak_rss_mb()
            );
            list_latencies(&p, 20).await;
        }
        Bench::DrawEngine { count, rounds } => draw::run(count, rounds),
        Bench::DrawCompare { count, pg, python } => {
            draw_compare::run_compare(count, pg, python).await
        }
        Bench::DrawE2e {
            database,
            objects_only,
        } => draw_e2e::run(&platform(&database).await, objects_only).await,
        Bench::PlanYear { database } => plan_year::run(&platform(&database).await).await,
        Bench::ListPage { database, runs } => {
            let p = platform(&database).await;
            list_latencies(&p, runs).await;
        }
        Bench::AuditAppend {
            database,
            records,
            batch,
            rounds,
        } => {
            let (p, store) = opened(&database).await;
            let start = p.audit_size().await.unwrap();
            println!(
                "backend {}, {records} records per round, {batch} per transaction",
                p.health().await.unwrap().0
            );
            let (mut best_log, mut best_bare) = (Duration::MAX, Duration::MAX);
            for round in 0..rounds as u64 {
                let from = start + round * records;
                let b = bare(&database, round * records, records, batch).await;
                let l = append(&p, &store, from, records, batch).await;
                println!(
                    "round {}: bare INSERT {:>9.0} rows/s   audit append {:>9.0} records/s   ratio {:.2}",
                    round + 1,
                    rate(records, b),
                    rate(records, l),
                    l.as_secs_f64() / b.as_secs_f64()
                );
                best_bare = best_bare.min(b);
                best_log = best_log.min(l);
            }
            println!(
                "best: bare INSERT {:.0} rows/s, audit append {:.0} records/s, ratio {:.2}",
                rate(records, best_bare),
                rate(records, best_log),
                best_log.as_secs_f64() / best_bare.as_secs_f64()
            );
            let report = p.verify().await.unwrap();
            assert!(report.problem.is_none(), "the appended log verifies");
        }
        Bench::AuditVerify { database, records } => {
            let (p, store) = opened(&database).await;
            let have = p.audit_size().await.unwrap();
            if have < records {
                let d = append(&p, &store, have, records - have, 10_000).await;
                println!(
                    "filled {} records in {:.1} s",
                    records - have,
                    d.as_secs_f64()
                );
            }
            p.checkpoint().await.unwrap();
            println!(
                "read all records, no hashing: {:.2} s",
                scan_only(&p, &store).await.as_secs_f64()
            );
            for run in 1..=3 {
                let t = Instant::now();
                let r = p.verify().await.unwrap();
                assert!(r.problem.is_none());
                println!(
                    "verify run {run}: {} records, {} checkpoints, {:.2} s",
                    r.records,
                    r.checkpoints_checked,
                    t.elapsed().as_secs_f64()
                );
            }
        }
    }
}

/// Reading every record without hashing: the floor under `verify`.
async fn scan_only(p: &Platform, store: &Arc<dyn ssj_storage::Store>) -> Duration {
    let t = Instant::now();
    let n = p.audit_size().await.unwrap();
    let mut i = 0;
    while i < n {
        let rows = store.audit_range(i, (i + 50_000).min(n)).await.unwrap();
        std::hint::black_box(&rows);
        i += 50_000;
    }
    t.elapsed()
}
