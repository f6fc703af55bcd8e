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

/// An export of the published vector with officers (201 candidates in four strata).
fn export() -> std::collections::BTreeMap<String, Vec<u8>> {
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
    run(&draw).unwrap().export_files(&draw, &[])
}

#[tokio::test]
async fn the_documented_postgresql_query_recomputes_every_stratum() {
    let files = export();
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
    let mut checked = 0;
    for s in manifest.strata.iter().filter(|s| s.k > 0) {
        let rows = sqlx::query(sqlx::AssertSqlSafe(query.clone()))
            .bind(&s.label)
            .bind(&manifest.seed)
            .bind(s.k as i64)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let from_pg: Vec<String> = rows.iter().map(|r| r.get::<String, _>("key")).collect();
        let from_engine: Vec<String> = result
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[2] == s.label)
            .map(|f| f[1].to_string())
            .collect();
        assert_eq!(from_pg, from_engine, "stratum {}", s.label);
        checked += from_pg.len();
    }
    assert_eq!(checked, result.lines().count() - 1);
}
