//! The draw of the published vectors with officers, and its export with one of each kind of
//! 递补, as the platform makes it: the base of the export tests and of the verifier corpus.

use std::collections::BTreeMap;

use serde_json::Value;
use ssj_draw::*;

pub struct Fixture {
    pub candidates: Vec<u8>,
    pub pool: Vec<u8>,
    pub conflicts: Vec<u8>,
    pub rules: Rules,
    pub reveals: Vec<String>,
    pub commitments: Vec<String>,
    pub team: TeamSpec,
    pub task_id: String,
}

pub fn fixture() -> Fixture {
    let path = format!(
        "{}/../../../shared/reference/draw-v1-vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let all: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let input = &all
        .iter()
        .find(|c| c["input"].get("officers").is_some())
        .unwrap()["input"];
    let s = |v: &Value| v.as_str().unwrap().to_string();
    let pairs = |v: &Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| (s(&r[0]), s(&r[1])))
            .collect()
    };
    let candidates = pairs(&input["candidates"]);
    let reveals: Vec<String> = input["reveals"].as_array().unwrap().iter().map(s).collect();
    Fixture {
        candidates: candidates_file(
            candidates
                .iter()
                .map(|(k, t)| (k.as_str(), t.as_str()))
                .collect(),
        )
        .unwrap(),
        pool: officers_file(
            pairs(&input["officers"])
                .into_iter()
                .map(|(id, department)| Officer { id, department })
                .collect(),
        )
        .unwrap(),
        conflicts: conflicts_file(
            pairs(&input["conflicts"])
                .into_iter()
                .map(|(officer_id, key)| Conflict { officer_id, key })
                .collect(),
        )
        .unwrap(),
        rules: input["strata"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(l, r)| {
                let ratio =
                    Ratio::new(r["num"].as_u64().unwrap(), r["den"].as_u64().unwrap()).unwrap();
                (
                    l.clone(),
                    StratumRule {
                        ratio,
                        min: r["min"].as_u64().unwrap(),
                    },
                )
            })
            .collect(),
        commitments: reveals.iter().map(|r| commitment(r)).collect(),
        reveals,
        team: serde_json::from_value(input["team"].clone()).unwrap(),
        task_id: s(&input["task_id"]),
    }
}

impl Fixture {
    pub fn input(&self) -> DrawInput<'_> {
        DrawInput {
            task_id: &self.task_id,
            candidates_file: &self.candidates,
            rules: &self.rules,
            commitments: &self.commitments,
            reveals: &self.reveals,
            officers: Some(OfficerInput {
                pool_file: &self.pool,
                conflicts_file: &self.conflicts,
                team: self.team.clone(),
            }),
        }
    }
}

pub fn row(kind: Kind, replaced: String, replacement: String, reason: &str) -> Substitution {
    Substitution {
        kind,
        replaced,
        replacement,
        reason: reason.to_string(),
        at: "2024-05-20T09:30:00+08:00".into(),
    }
}

/// Runs the draw and applies one of each kind of 递补, as the platform would.
pub fn folder(f: &Fixture) -> BTreeMap<String, Vec<u8>> {
    let input = f.input();
    let outcome = run(&input).unwrap();
    let roster = outcome.roster();
    let mut state = DrawState::new(&outcome, roster.as_ref());
    let mut rows = Vec::new();
    let key = |state: &DrawState, rank: usize| state.slots[rank - 1].key.clone();
    let pool = &outcome.officers.as_ref().unwrap().pool;

    let gone = key(&state, 3);
    let new = state.substitute_object(&gone).unwrap();
    rows.push(row(Kind::Object, gone, new, "已注销，无此经营活动"));
    for (k, officer) in state.conflicted_members() {
        let next = state.substitute_officer(&k, &officer).unwrap();
        rows.push(row(
            Kind::Officer,
            format!("{k};{officer}"),
            format!("{k};{next}"),
            "与递补对象存在利害关系，回避",
        ));
    }

    let first = key(&state, 1);
    let leader = pool[state.slots[0].leader.unwrap()].id.clone();
    let next = state.substitute_officer(&first, &leader).unwrap();
    rows.push(row(
        Kind::Officer,
        format!("{first};{leader}"),
        format!("{first};{next}"),
        "病假，\"无法到场\"",
    ));
    assert_ne!(pool[state.slots[0].leader.unwrap()].id, leader);

    let fourth = key(&state, 4);
    let member = pool[state.slots[3].members[0]].id.clone();
    state.declare_conflict(&member, &fourth).unwrap();
    rows.push(row(
        Kind::Conflict,
        member.clone(),
        fourth.clone(),
        "抽取后申报：近亲属任该企业股东",
    ));
    assert_eq!(
        state.conflicted_members(),
        vec![(fourth.clone(), member.clone())]
    );
    let next = state.substitute_officer(&fourth, &member).unwrap();
    rows.push(row(
        Kind::Officer,
        format!("{fourth};{member}"),
        format!("{fourth};{next}"),
        "回避",
    ));
    assert!(state.conflicted_members().is_empty());

    outcome.export_files(&input, &rows)
}
