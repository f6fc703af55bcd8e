//! The published test vectors of SSJ-DRAW/1 (../shared/reference/draw-v1-vectors.json), read
//! unchanged: every digest, the seed, every stratum, every selected object with its team, every
//! reserve.

use serde_json::Value;
use ssj_draw::*;

fn vectors() -> Vec<Value> {
    let path = format!(
        "{}/../../../shared/reference/draw-v1-vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn every_vector_passes_unchanged() {
    let all = vectors();
    assert!(all.len() >= 2);
    for case in &all {
        let (input, expected) = (&case["input"], &case["expected"]);
        let name = s(&input["name"]);
        let rows: Vec<(&str, &str)> = input["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (s(&r[0]), s(&r[1])))
            .collect();
        let candidates = candidates_file(rows).unwrap();
        let mut rules = Rules::new();
        for (label, r) in input["strata"].as_object().unwrap() {
            let ratio = Ratio::new(r["num"].as_u64().unwrap(), r["den"].as_u64().unwrap()).unwrap();
            rules.insert(
                label.clone(),
                StratumRule {
                    ratio,
                    min: r["min"].as_u64().unwrap(),
                },
            );
        }
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| s(x).to_string())
                .collect()
        };
        let reveals = strings(&input["reveals"]);
        let commitments = strings(&input["commitments"]);
        let ours: Vec<String> = reveals.iter().map(|r| commitment(r)).collect();
        assert_eq!(ours, commitments, "{name}: commitments");

        let (pool_file, conflicts_file_bytes);
        let officers = if input.get("officers").is_some() {
            let pool = input["officers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| Officer {
                    id: s(&r[0]).into(),
                    department: s(&r[1]).into(),
                })
                .collect();
            pool_file = officers_file(pool).unwrap();
            let conflicts = input["conflicts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| Conflict {
                    officer_id: s(&r[0]).into(),
                    key: s(&r[1]).into(),
                })
                .collect();
            conflicts_file_bytes = conflicts_file(conflicts).unwrap();
            let t = &input["team"];
            let team = TeamSpec {
                size: t["size"].as_u64().unwrap() as usize,
                quotas: t["quotas"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(d, q)| (d.clone(), q.as_u64().unwrap() as usize))
                    .collect(),
                initiating_department: s(&t["initiating_department"]).into(),
            };
            Some(OfficerInput {
                pool_file: &pool_file,
                conflicts_file: &conflicts_file_bytes,
                team,
            })
        } else {
            None
        };
        let draw_input = DrawInput {
            task_id: s(&input["task_id"]),
            candidates_file: &candidates,
            rules: &rules,
            commitments: &commitments,
            reveals: &reveals,
            officers,
        };
        let outcome = run(&draw_input).unwrap();
        let m = &outcome.manifest;
        assert_eq!(m.seed, s(&expected["seed"]), "{name}: seed");
        assert_eq!(
            m.candidate_digest,
            s(&expected["candidate_digest"]),
            "{name}: candidate digest"
        );
        assert_eq!(
            serde_json::to_value(&m.strata).unwrap(),
            expected["strata"],
            "{name}: strata"
        );
        if let Some(t) = &m.officers {
            assert_eq!(
                t.officer_pool_digest,
                s(&expected["officer_pool_digest"]),
                "{name}: pool digest"
            );
            assert_eq!(
                t.conflicts_digest,
                s(&expected["conflicts_digest"]),
                "{name}: conflicts digest"
            );
            assert_eq!(
                t.officer_cap,
                expected["officer_cap"].as_u64().unwrap(),
                "{name}: cap"
            );
        }

        let want_selected = expected["selected"].as_array().unwrap();
        assert_eq!(
            outcome.selection.selected.len(),
            want_selected.len(),
            "{name}: selected count"
        );
        for (i, (pick, want)) in outcome
            .selection
            .selected
            .iter()
            .zip(want_selected)
            .enumerate()
        {
            let key = outcome.candidates.key(pick.candidate);
            assert_eq!(want["rank"].as_u64().unwrap() as usize, i + 1);
            assert_eq!(key, s(&want["key"]), "{name}: rank {}", i + 1);
            assert_eq!(
                outcome.selection.strata[pick.stratum].label,
                s(&want["stratum"])
            );
            assert_eq!(hex::encode(pick.ticket), s(&want["ticket"]));
            if let Some(o) = &outcome.officers {
                let team = &o.teams[i];
                let ids: Vec<&str> = team
                    .members
                    .iter()
                    .map(|&m| o.pool[m].id.as_str())
                    .collect();
                let want_ids: Vec<&str> =
                    want["officers"].as_array().unwrap().iter().map(s).collect();
                assert_eq!(ids, want_ids, "{name}: team of rank {}", i + 1);
                assert_eq!(
                    o.pool[team.leader].id,
                    s(&want["leader"]),
                    "{name}: leader of rank {}",
                    i + 1
                );
                assert_eq!(team.cap_exceeded, want["cap_exceeded"].as_bool().unwrap());
            } else {
                assert!(want.get("officers").is_none());
            }
        }
        let reserves: Vec<Value> = outcome
            .selection
            .reserves
            .iter()
            .flatten()
            .map(|p| {
                serde_json::json!({
                    "key": outcome.candidates.key(p.candidate),
                    "stratum": outcome.selection.strata[p.stratum].label,
                    "ticket": hex::encode(p.ticket),
                })
            })
            .collect();
        assert_eq!(
            Value::Array(reserves),
            expected["reserves"],
            "{name}: reserves"
        );
    }
}
