//! Properties of the engine on generated draws: determinism, agreement with a naive full sort,
//! independence of strata, exact sample sizes, valid teams, and uniform selection frequencies.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;
use ssj_draw::*;

fn rules(ratios: &[(&str, u64, u64, u64)]) -> Rules {
    ratios
        .iter()
        .map(|&(label, num, den, min)| {
            (
                label.to_string(),
                StratumRule {
                    ratio: Ratio::new(num, den).unwrap(),
                    min,
                },
            )
        })
        .collect()
}

fn seed_for(i: u64) -> Seed {
    derive_seed(&format!("task-{i}"), "digest", &[format!("reveal-{i}")])
}

/// The spec read literally: sort every stratum by full ticket, take k, then r.
fn naive(
    seed: &Seed,
    rows: &[(String, String)],
    rules: &Rules,
) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let mut by_stratum: BTreeMap<String, Vec<([u8; 32], String)>> = BTreeMap::new();
    for (key, stratum) in rows {
        by_stratum
            .entry(stratum.clone())
            .or_default()
            .push((ticket(seed, key), key.clone()));
    }
    let mut selected = Vec::new();
    let mut reserves = BTreeMap::new();
    for (label, mut list) in by_stratum {
        list.sort();
        let n = list.len() as u64;
        let rule = rules.get(&label).copied().unwrap_or(StratumRule {
            ratio: Ratio::ZERO,
            min: 0,
        });
        let k = if n == 0 {
            0
        } else {
            n.min(rule.min.max(rule.ratio.of(n)))
        } as usize;
        let r = (list.len() - k).min(k);
        selected.extend(list[..k].iter().cloned());
        reserves.insert(
            label,
            list[k..k + r].iter().map(|(_, key)| key.clone()).collect(),
        );
    }
    selected.sort();
    (selected.into_iter().map(|(_, k)| k).collect(), reserves)
}

fn keys_of(outcome_set: &CandidateSet, picks: &[Pick]) -> Vec<String> {
    picks
        .iter()
        .map(|p| outcome_set.key(p.candidate).to_string())
        .collect()
}

fn candidate_rows() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::btree_map(
        "[0-9A-Z]{1,18}",
        prop::sample::select(vec!["A", "B", "C", "D", "U"]),
        1..300,
    )
    .prop_map(|m| m.into_iter().map(|(k, s)| (k, s.to_string())).collect())
}

fn file_of(rows: &[(String, String)]) -> Vec<u8> {
    candidates_file(rows.iter().map(|(k, s)| (k.as_str(), s.as_str())).collect()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn selection_is_the_naive_sort_and_is_deterministic(rows in candidate_rows(), i in 0u64..1000, min in 0u64..4) {
        let rules = rules(&[("A", 1, 100, min), ("B", 3, 100, 0), ("C", 1, 10, 0), ("D", 1, 5, min)]);
        let seed = seed_for(i);
        let file = file_of(&rows);
        let set = CandidateSet::parse(&file).unwrap();
        let first = select(&seed, &set, &rules).unwrap();
        let again = select(&seed, &set, &rules).unwrap();
        prop_assert_eq!(&first, &again);
        let (want_selected, want_reserves) = naive(&seed, &rows, &rules);
        prop_assert_eq!(keys_of(&set, &first.selected), want_selected);
        for (s, outcome) in first.strata.iter().enumerate() {
            let want = want_reserves.get(&outcome.label).cloned().unwrap_or_default();
            prop_assert_eq!(keys_of(&set, &first.reserves[s]), want);
            let selected_here = first.selected.iter().filter(|p| p.stratum == s).count() as u64;
            prop_assert_eq!(selected_here, outcome.k);
            let expected_k = if outcome.n == 0 { 0 } else { outcome.n.min(outcome.min.max((outcome.n * outcome.num).div_ceil(outcome.den))) };
            prop_assert_eq!(outcome.k, expected_k);
        }
        let distinct: BTreeSet<usize> = first.selected.iter().chain(first.reserves.iter().flatten()).map(|p| p.candidate).collect();
        prop_assert_eq!(distinct.len(), first.selected.len() + first.reserves.iter().map(Vec::len).sum::<usize>());
    }

    #[test]
    fn other_strata_never_change_a_stratum(rows in candidate_rows(), extra in candidate_rows(), i in 0u64..1000) {
        let rules = rules(&[("A", 1, 10, 1), ("B", 3, 10, 0), ("C", 1, 2, 0), ("D", 1, 5, 0), ("U", 1, 3, 0)]);
        let seed = seed_for(i);
        let base_file = file_of(&rows);
        let base_set = CandidateSet::parse(&base_file).unwrap();
        let base = select(&seed, &base_set, &rules).unwrap();
        // Add candidates of strata other than D and remove some that are not D.
        let keys: BTreeSet<&String> = rows.iter().map(|(k, _)| k).collect();
        let mut changed: Vec<(String, String)> = rows.iter().filter(|(k, s)| s == "D" || k.len() % 2 == 0).cloned().collect();
        changed.extend(extra.into_iter().filter(|(k, s)| s != "D" && !keys.contains(k)));
        let changed_file = file_of(&changed);
        let changed_set = CandidateSet::parse(&changed_file).unwrap();
        let other = select(&seed, &changed_set, &rules).unwrap();
        let d = |sel: &Selection, set: &CandidateSet| -> (Vec<String>, Vec<String>) {
            let s = sel.strata.iter().position(|o| o.label == "D").unwrap();
            let picked: Vec<Pick> = sel.selected.iter().filter(|p| p.stratum == s).copied().collect();
            (keys_of(set, &picked), keys_of(set, &sel.reserves[s]))
        };
        prop_assert_eq!(d(&base, &base_set), d(&other, &changed_set));
    }

    #[test]
    fn teams_are_full_meet_quotas_and_avoid_conflicts(
        rows in candidate_rows(),
        pool_size in 4usize..30,
        size in 2usize..5,
        conflict_seeds in prop::collection::vec((0usize..30, 0usize..300), 0..80),
        i in 0u64..1000,
    ) {
        let departments = ["市场监管局", "住建局", "消防救援大队"];
        let pool: Vec<Officer> = (0..pool_size)
            .map(|n| Officer { id: format!("{n}"), department: departments[n % 3].to_string() })
            .collect();
        let conflicts: Vec<Conflict> = conflict_seeds
            .iter()
            .map(|&(o, k)| Conflict { officer_id: format!("{}", o % pool_size), key: rows[k % rows.len()].0.clone() })
            .collect();
        let quotas: BTreeMap<String, usize> = [("市场监管局".to_string(), 1), ("住建局".to_string(), 1)].into();
        let team = TeamSpec { size, quotas: quotas.clone(), initiating_department: "住建局".into() };
        let rules = rules(&[("A", 1, 10, 1), ("B", 1, 5, 0), ("C", 1, 2, 0), ("D", 1, 1, 0), ("U", 1, 3, 0)]);
        let (file, pool_file, conflicts_file_bytes) = (file_of(&rows), officers_file(pool.clone()).unwrap(), conflicts_file(conflicts.clone()).unwrap());
        let reveals = vec![format!("r{i}")];
        let commitments = vec![commitment(&reveals[0])];
        let input = DrawInput {
            task_id: "T", candidates_file: &file, rules: &rules, commitments: &commitments, reveals: &reveals,
            officers: Some(OfficerInput { pool_file: &pool_file, conflicts_file: &conflicts_file_bytes, team }),
        };
        let conflicted: BTreeSet<(String, String)> = conflicts.iter().map(|c| (c.officer_id.clone(), c.key.clone())).collect();
        match run(&input) {
            Ok(outcome) => {
                let o = outcome.officers.as_ref().unwrap();
                let cap = outcome.manifest.officers.as_ref().unwrap().officer_cap;
                let mut load: HashMap<usize, u64> = HashMap::new();
                for (pick, t) in outcome.selection.selected.iter().zip(&o.teams) {
                    let key = outcome.candidates.key(pick.candidate);
                    prop_assert_eq!(t.members.len(), size);
                    prop_assert_eq!(t.members.iter().collect::<BTreeSet<_>>().len(), size);
                    for (d, q) in &quotas {
                        prop_assert!(t.members.iter().filter(|&&m| &o.pool[m].department == d).count() >= *q);
                    }
                    for &m in &t.members {
                        prop_assert!(!conflicted.contains(&(o.pool[m].id.clone(), key.to_string())));
                        *load.entry(m).or_default() += 1;
                    }
                    prop_assert!(t.members.contains(&t.leader));
                    if t.members.iter().any(|&m| o.pool[m].department == "住建局") {
                        prop_assert_eq!(&o.pool[t.leader].department, "住建局");
                    }
                }
                if o.teams.iter().all(|t| !t.cap_exceeded) {
                    prop_assert!(load.values().all(|&l| l <= cap));
                }
            }
            Err(e) => prop_assert!(matches!(e, DrawError::NoValidTeam { .. } | DrawError::TooFewOfficers { .. } | DrawError::QuotaUnfillable { .. }), "{e}"),
        }
    }
}

/// Over 4,000 fixed seeds, each of 20 candidates is selected k/N of the time: a chi-square
/// test at significance 0.001 (critical value 43.82 for 19 degrees of freedom). The seed list
/// is fixed, so the statistic is the same number on every run.
#[test]
fn selection_frequencies_are_uniform() {
    let rows: Vec<(String, String)> = (0..20)
        .map(|i| (format!("91140581{i:010}"), "C".to_string()))
        .collect();
    let file = file_of(&rows);
    let set = CandidateSet::parse(&file).unwrap();
    let rules = rules(&[("C", 1, 4, 0)]);
    let runs = 4000u64;
    let mut counts = vec![0u64; 20];
    for i in 0..runs {
        for p in select(&seed_for(i), &set, &rules).unwrap().selected {
            counts[p.candidate] += 1;
        }
    }
    let expected = runs as f64 * 5.0 / 20.0;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 43.82, "chi-square {chi2:.2} over {counts:?}");
    // And rank 1 (the first ticket) falls on every candidate equally often.
    let mut firsts = vec![0u64; 20];
    for i in 0..runs {
        firsts[select(&seed_for(i), &set, &rules).unwrap().selected[0].candidate] += 1;
    }
    let expected = runs as f64 / 20.0;
    let chi2: f64 = firsts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    assert!(
        chi2 < 43.82,
        "chi-square of rank 1 {chi2:.2} over {firsts:?}"
    );
}

#[test]
fn impossible_team_specs_are_named() {
    let pool: Vec<Officer> = ["a", "b", "c"]
        .iter()
        .map(|id| Officer {
            id: id.to_string(),
            department: "住建局".into(),
        })
        .collect();
    let spec = |size, quotas: &[(&str, usize)]| TeamSpec {
        size,
        quotas: quotas.iter().map(|(d, q)| (d.to_string(), *q)).collect(),
        initiating_department: "住建局".into(),
    };
    let err = |s: &TeamSpec| Roster::new(&pool, &[], s).err().unwrap();
    assert_eq!(err(&spec(1, &[])).code(), "DRAW_TEAM_TOO_SMALL");
    assert_eq!(err(&spec(4, &[])).code(), "DRAW_TOO_FEW_OFFICERS");
    assert_eq!(
        err(&spec(2, &[("住建局", 2), ("市场监管局", 1)])).code(),
        "DRAW_QUOTA_OVER_SIZE"
    );
    let e = err(&spec(2, &[("市场监管局", 1)]));
    assert_eq!(e.code(), "DRAW_QUOTA_UNFILLABLE");
    assert!(e.to_string().contains("市场监管局"), "{e}");
    // Conflicts that leave no valid team: every officer but one conflicts with the only object.
    let conflicts: Vec<Conflict> = ["a", "b"]
        .iter()
        .map(|o| Conflict {
            officer_id: o.to_string(),
            key: "K1".into(),
        })
        .collect();
    let s2 = spec(2, &[]);
    let roster = Roster::new(&pool, &conflicts, &s2).unwrap();
    let e = ssj_draw::teams::assign(&seed_for(1), &["K1"], &roster)
        .err()
        .unwrap();
    assert_eq!(e.code(), "DRAW_NO_VALID_TEAM");
    assert!(e.to_string().contains("K1"), "{e}");
}
