//! The plain-PostgreSQL recomputation in docs/draw-v1.md, run as written against an export
//! folder, agrees with the engine stratum by stratum.

use serde_json::Value;
use sqlx::Row;
use ssj_draw::*;

/// The query between the `pg-stratum-query` markers of docs/draw-v1.md.
fn documented_query() -> String {
    let doc = std::fs::read_to_string(format!(
        "{}/../../docs/draw-v1.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let start = doc
        .find("<!-- pg-stratum-query -->")
        .expect("the marked query in the docs");
    let end = doc.find("<!-- /pg-stratum-query -->").unwrap();
    let block = &doc[start..end];
    let sql_start = block.find("```sql\n").unwrap() + "```sql\n".len();
    let sql_end = block[sql_start..].find("```").unwrap() + sql_start;
    block[sql_start..sql_end].trim().to_string()
}

/// A stratum's rule as the vector gives it: (num, den, min).
type Rule = (i64, i64, i64);

/// An export of the published vector with officers (201 candidates in four strata), and the
/// vector's own rules, read apart from the engine's.
fn export() -> (
    std::collections::BTreeMap<String, Vec<u8>>,
    std::collections::BTreeMap<String, Rule>,
) {
    let path = format!(
        "{}/../../../shared/reference/draw-v1-vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let all: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let input = &all[0]["input"];
    let s = |v: &Value| v.as_str().unwrap().to_string();
    let rows: Vec<(String, String)> = input["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (s(&r[0]), s(&r[1])))
        .collect();
    let candidates =
        candidates_file(rows.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect()).unwrap();
    let rules: Rules = input["strata"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(l, r)| {
            (
                l.clone(),
                StratumRule {
                    ratio: Ratio::new(r["num"].as_u64().unwrap(), r["den"].as_u64().unwrap())
                        .unwrap(),
                    min: 0,
                },
            )
        })
        .collect();
    let given = input["strata"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(l, r)| {
            let n = |f: &str| r[f].as_i64().unwrap_or(0);
            (l.clone(), (n("num"), n("den"), n("min")))
        })
        .collect();
    let reveals: Vec<String> = input["reveals"].as_array().unwrap().iter().map(s).collect();
    let commitments: Vec<String> = reveals.iter().map(|r| commitment(r)).collect();
    let draw = DrawInput {
        task_id: "140581-2024-0001",
        candidates_file: &candidates,
        rules: &rules,
        commitments: &commitments,
        reveals: &reveals,
        officers: None,
    };
    (run(&draw).unwrap().export_files(&draw, &[]), given)
}

/// k_s from docs/draw-v1.md §3, in SQL's exact integers: 0 if N_s = 0, else
/// min(N_s, max(min_s, ceil(N_s × num_s / den_s))).
const SAMPLE_SIZE: &str = "SELECT LEAST(n, GREATEST($2, (n * $3 + $4 - 1) / $4))::bigint AS k \
     FROM (SELECT COUNT(*)::bigint AS n FROM candidates WHERE stratum = $1) c";

#[tokio::test]
async fn the_documented_postgresql_query_recomputes_every_stratum() {
    let (files, rules) = export();
    let manifest: Manifest = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let result = String::from_utf8(files["result.csv"].clone()).unwrap();
    let pool = sqlx::PgPool::connect(&ssj_storage_conformance::harness::pg_admin_url())
        .await
        .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("CREATE TEMPORARY TABLE candidates (key text, stratum text)")
        .execute(&mut *conn)
        .await
        .unwrap();
    let text = String::from_utf8(files["candidates.csv"].clone()).unwrap();
    let (keys, strata): (Vec<String>, Vec<String>) = text
        .lines()
        .skip(1)
        .map(|l| {
            l.split_once(',')
                .map(|(k, s)| (k.to_string(), s.to_string()))
                .unwrap()
        })
        .unzip();
    sqlx::query("INSERT INTO candidates SELECT * FROM UNNEST($1::text[], $2::text[])")
        .bind(&keys)
        .bind(&strata)
        .execute(&mut *conn)
        .await
        .unwrap();
    let query = documented_query();
    let labels: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT stratum FROM candidates ORDER BY stratum")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert_eq!(labels.len(), manifest.strata.len());
    let mut checked = 0;
    let mut drawing = 0;
    for label in &labels {
        // A stratum without a rule draws 0/1.
        let (num, den, min) = rules.get(label).copied().unwrap_or((0, 1, 0));
        let k: i64 = sqlx::query_scalar(SAMPLE_SIZE)
            .bind(label)
            .bind(min)
            .bind(num)
            .bind(den)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(query.clone()))
            .bind(label)
            .bind(&manifest.seed)
            .bind(k)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let from_pg: Vec<String> = rows.iter().map(|r| r.get::<String, _>("key")).collect();
        let from_engine: Vec<String> = result
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[2] == label.as_str())
            .map(|f| f[1].to_string())
            .collect();
        assert_eq!(from_pg, from_engine, "stratum {label}, k = {k}");
        checked += from_pg.len();
        drawing += usize::from(k > 0);
    }
    assert!(drawing >= 2, "the vector draws in several strata");
    assert_eq!(checked, result.lines().count() - 1);
}
