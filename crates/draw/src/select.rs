//! Objects (spec §3): every candidate's ticket is SHA-256(seed ‖ "E" ‖ key); a stratum's sample
//! is its k smallest tickets, its reserves the next ones. A ticket depends on nothing but the
//! seed and the key, so strata (and shards) are computed apart and merge exactly.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DrawError;
use crate::files::{CandidateSet, is_plain_field};
use crate::hash::{sha256_parts, sha256_prefix};
use crate::parallel::for_chunks_mut;
use crate::ratio::{Ratio, sample_size};
use crate::seed::Seed;

/// A stratum's ratio and minimum. Strata without a rule draw 0/1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumRule {
    pub ratio: Ratio,
    pub min: u64,
}

pub type Rules = BTreeMap<String, StratumRule>;

/// What the manifest says of a stratum: its rule, N, k and the number of reserves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumOutcome {
    pub label: String,
    pub num: u64,
    pub den: u64,
    pub min: u64,
    #[serde(rename = "N")]
    pub n: u64,
    pub k: u64,
    pub reserves: u64,
}

/// One drawn candidate: its index in the candidate set, its stratum (index into
/// [`Selection::strata`]) and its ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pick {
    pub candidate: usize,
    pub stratum: usize,
    pub ticket: [u8; 32],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Sorted by label bytes.
    pub strata: Vec<StratumOutcome>,
    /// All selected objects in draw order: rank = position + 1.
    pub selected: Vec<Pick>,
    /// Per stratum (same index as `strata`), in ticket order.
    pub reserves: Vec<Vec<Pick>>,
}

pub fn ticket(seed: &Seed, key: &str) -> [u8; 32] {
    sha256_parts(&[&seed.0, b"E", key.as_bytes()])
}

fn ticket_prefix(seed: &Seed, key: &str) -> u64 {
    sha256_prefix(&[&seed.0, b"E", key.as_bytes()])
}

pub fn select(seed: &Seed, set: &CandidateSet, rules: &Rules) -> Result<Selection, DrawError> {
    if set.is_empty() {
        return Err(DrawError::EmptyScope);
    }
    if let Some(label) = rules.keys().find(|l| !is_plain_field(l)) {
        return Err(DrawError::BadLabel(label.clone()));
    }
    let mut labels: Vec<&str> = rules.keys().map(String::as_str).collect();
    labels.extend(
        set.labels()
            .iter()
            .copied()
            .filter(|l| !rules.contains_key(*l)),
    );
    labels.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    // The stratum of candidate i is outcome index `of_label[set.stratum(i)]`.
    let of_label: Vec<usize> = set
        .labels()
        .iter()
        .map(|l| {
            labels
                .iter()
                .position(|x| x == l)
                .expect("every label listed")
        })
        .collect();
    let mut counts = vec![0u64; labels.len()];
    for i in 0..set.len() {
        counts[of_label[set.stratum(i)]] += 1;
    }
    let strata: Vec<StratumOutcome> = labels
        .iter()
        .zip(&counts)
        .map(|(label, &n)| {
            let rule = rules.get(*label).copied().unwrap_or(StratumRule {
                ratio: Ratio::ZERO,
                min: 0,
            });
            let k = sample_size(n, rule.ratio, rule.min);
            StratumOutcome {
                label: label.to_string(),
                num: rule.ratio.num,
                den: rule.ratio.den,
                min: rule.min,
                n,
                k,
                reserves: (n - k).min(k),
            }
        })
        .collect();

    // Only strata that draw anyone need tickets at all.
    let drawing: Vec<bool> = of_label.iter().map(|&s| strata[s].k > 0).collect();
    let mut prefixes = vec![0u64; set.len()];
    for_chunks_mut(&mut prefixes, |offset, chunk| {
        for (j, slot) in chunk.iter_mut().enumerate() {
            let i = offset + j;
            if drawing[set.stratum(i)] {
                *slot = ticket_prefix(seed, set.key(i));
            }
        }
    });

    let mut members: Vec<Vec<(u64, u32)>> = strata
        .iter()
        .map(|s| {
            if s.k > 0 {
                Vec::with_capacity(s.n as usize)
            } else {
                Vec::new()
            }
        })
        .collect();
    for (i, &prefix) in prefixes.iter().enumerate() {
        let s = of_label[set.stratum(i)];
        if strata[s].k > 0 {
            members[s].push((prefix, i as u32));
        }
    }
    drop(prefixes);

    let order = |a: &(u64, u32), b: &(u64, u32)| -> Ordering {
        a.0.cmp(&b.0).then_with(|| {
            let (ka, kb) = (set.key(a.1 as usize), set.key(b.1 as usize));
            ticket(seed, ka)
                .cmp(&ticket(seed, kb))
                .then_with(|| ka.as_bytes().cmp(kb.as_bytes()))
        })
    };
    let mut selected = Vec::new();
    let mut reserves = Vec::with_capacity(strata.len());
    for (s, list) in members.iter_mut().enumerate() {
        let (k, r) = (strata[s].k as usize, strata[s].reserves as usize);
        let take = k + r;
        if take == 0 {
            reserves.push(Vec::new());
            continue;
        }
        if take < list.len() {
            list.select_nth_unstable_by(take - 1, order);
            list.truncate(take);
        }
        list.sort_unstable_by(order);
        let pick = |&(_, i): &(u64, u32)| Pick {
            candidate: i as usize,
            stratum: s,
            ticket: ticket(seed, set.key(i as usize)),
        };
        selected.extend(list[..k].iter().map(pick));
        reserves.push(list[k..].iter().map(pick).collect());
    }
    selected.sort_unstable_by(|a, b| {
        a.ticket.cmp(&b.ticket).then_with(|| {
            set.key(a.candidate)
                .as_bytes()
                .cmp(set.key(b.candidate).as_bytes())
        })
    });
    Ok(Selection {
        strata,
        selected,
        reserves,
    })
}
