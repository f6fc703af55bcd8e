//! `ssj-bench draw-engine`: the SSJ-DRAW/1 engine against its hashing floor, in one run.

use std::time::Instant;

use ssj_draw::hash::Prefixed;
use ssj_draw::{
    CandidateSet, Conflict, Officer, Ratio, Roster, Rules, StratumRule, TeamSpec, derive_seed,
    select,
};

/// Tier of candidate i in the demo county's mix (A 40%, B 45%, C 12%, D 3%).
fn tier(i: u64) -> &'static str {
    match (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % 100 {
        0..40 => "A",
        40..85 => "B",
        85..97 => "C",
        _ => "D",
    }
}

pub fn candidate_file(n: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(n as usize * 21 + 12);
    out.extend_from_slice(b"key,stratum\n");
    for i in 0..n {
        out.extend_from_slice(format!("91{i:016},{}\n", tier(i)).as_bytes());
    }
    out
}

pub fn rules() -> Rules {
    [("A", 1), ("B", 3), ("C", 10), ("D", 20)]
        .into_iter()
        .map(|(l, pct)| {
            (
                l.to_string(),
                StratumRule {
                    ratio: Ratio::new(pct, 100).unwrap(),
                    min: 0,
                },
            )
        })
        .collect()
}

/// N single-block SHA-256 on all cores, nothing else: the floor any selection pays.
fn hashing_floor(set: &CandidateSet, seed: &[u8; 32]) -> u64 {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = set.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut acc = 0u64;
                    let head = Prefixed::new(&[seed, b"E"]);
                    for i in t * chunk..((t + 1) * chunk).min(set.len()) {
                        acc ^= head.prefix(set.key(i).as_bytes());
                    }
                    acc
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(0, |a, b| a ^ b)
    })
}

pub fn run(count: u64, rounds: u32) {
    let file = candidate_file(count);
    let set = CandidateSet::parse(&file).unwrap();
    let seed = derive_seed("bench", "digest", &["r".to_string()]);
    let rules = rules();
    println!(
        "draw engine, {count} candidates, {} threads",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for round in 1..=rounds {
        let t = Instant::now();
        std::hint::black_box(hashing_floor(&set, &seed.0));
        let floor = t.elapsed();
        let t = Instant::now();
        let selection = select(&seed, &set, &rules).unwrap();
        let took = t.elapsed();
        println!(
            "round {round}: hashing floor {:.3} s; selection {:.3} s ({} selected); ratio {:.2}",
            floor.as_secs_f64(),
            took.as_secs_f64(),
            selection.selected.len(),
            took.as_secs_f64() / floor.as_secs_f64()
        );
    }

    // Teams: 50,000 selected objects, 500 officers in 3 departments, 2,000 conflicts.
    let keys: Vec<String> = (0..50_000u64)
        .map(|i| format!("91{:016}", i * 7919 % count.max(1)))
        .collect();
    let departments = ["市场监管局", "住建局", "消防救援大队"];
    let pool: Vec<Officer> = (1..=500)
        .map(|i| Officer {
            id: i.to_string(),
            department: departments[i % 3].into(),
        })
        .collect();
    let conflicts: Vec<Conflict> = (0..2000u64)
        .map(|i| Conflict {
            officer_id: (1 + i * 37 % 500).to_string(),
            key: keys[(i * 131 % 50_000) as usize].clone(),
        })
        .collect();
    let spec = TeamSpec {
        size: 3,
        quotas: [("市场监管局".to_string(), 1), ("住建局".to_string(), 1)].into(),
        initiating_department: "市场监管局".into(),
    };
    let roster = Roster::new(&pool, &conflicts, &spec).unwrap();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    for round in 1..=rounds {
        let t = Instant::now();
        let (cap, teams) = ssj_draw::teams::assign(&seed, &key_refs, &roster).unwrap();
        println!(
            "round {round}: teams for {} objects from {} officers, {} conflicts: {:.3} s (cap {cap}, {} over cap)",
            keys.len(),
            pool.len(),
            conflicts.len(),
            t.elapsed().as_secs_f64(),
            teams.iter().filter(|t| t.cap_exceeded).count()
        );
    }
}
