//! `ssj-bench draw-compare`: the same frozen candidate file recomputed three ways in one run —
//! this engine (`ssj_draw::verify` of the export folder), docs/verify_draw.py, and the
//! documented PostgreSQL query (`ORDER BY sha256(…) LIMIT k` per stratum).

use std::collections::BTreeMap;
use std::time::Instant;

use ssj_draw::{DrawInput, commitment, run};

pub async fn run_compare(count: u64, pg: Option<String>, python: bool) {
    let candidates = crate::draw::candidate_file(count);
    let rules = crate::draw::rules();
    let reveals = vec!["platform:bench".to_string(), "witness:bench".to_string()];
    let commitments: Vec<String> = reveals.iter().map(|r| commitment(r)).collect();
    let input = DrawInput {
        task_id: "bench",
        candidates_file: &candidates,
        rules: &rules,
        commitments: &commitments,
        reveals: &reveals,
        officers: None,
    };
    let files: BTreeMap<String, Vec<u8>> = run(&input).unwrap().export_files(&input, &[]);
    println!(
        "same frozen file, {count} candidates ({} MB)",
        candidates.len() / 1_000_000
    );

    let t = Instant::now();
    let verified = ssj_draw::verify(&files).unwrap();
    let ours = t.elapsed().as_secs_f64();
    println!(
        "shuangsuiji engine (verify the folder: digest, seed, every ticket, selection, result.csv): {ours:.2} s, {} selected",
        verified.selected
    );

    if python {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/verify_draw.py");
        let t = Instant::now();
        let out = std::process::Command::new("python3")
            .arg(script)
            .arg(dir.path())
            .output()
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        println!(
            "docs/verify_draw.py (same folder): {secs:.2} s; ratio {:.1}x",
            secs / ours
        );
    }

    if let Some(url) = pg {
        use sqlx::Row;
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("DROP TABLE IF EXISTS candidates")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE candidates (key text, stratum text)")
            .execute(&mut *conn)
            .await
            .unwrap();
        let mut copy = conn
            .copy_in_raw("COPY candidates FROM STDIN WITH (FORMAT csv, HEADER true)")
            .await
            .unwrap();
        copy.send(candidates.as_slice()).await.unwrap();
        copy.finish().await.unwrap();
        sqlx::query("ANALYZE candidates")
            .execute(&mut *conn)
            .await
            .unwrap();
        let manifest: ssj_draw::Manifest = serde_json::from_slice(&files["manifest.json"]).unwrap();
        let sql = "SELECT key FROM candidates WHERE stratum = $1 \
                   ORDER BY sha256(decode($2, 'hex') || convert_to('E', 'UTF8') || convert_to(key, 'UTF8')), convert_to(key, 'UTF8') LIMIT $3";
        let t = Instant::now();
        let mut n = 0;
        for s in manifest.strata.iter().filter(|s| s.k > 0) {
            let rows = sqlx::query(sql)
                .bind(&s.label)
                .bind(&manifest.seed)
                .bind(s.k as i64)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
            let keys: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
            n += keys.len();
        }
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(n, verified.selected);
        println!(
            "PostgreSQL ORDER BY sha256(…) LIMIT k, every stratum (table loaded beforehand): {secs:.2} s; ratio {:.1}x",
            secs / ours
        );
        sqlx::query("DROP TABLE candidates")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}
