//! Objects (spec §3): every candidate's ticket is SHA-256(seed ‖ "E" ‖ key); a stratum's sample
//! is its k smallest tickets, its reserves the next ones. A ticket depends on nothing but the
//! seed and the key, so strata (and shards) are computed apart and merge exactly.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DrawError;
use crate::files::CandidateSet;
use crate::hash::{Prefixed, sha256_parts};
use crate::parallel::map_ranges;
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

pub fn select(seed: &Seed, set: &CandidateSet, rules: &Rules) -> Result<Selection, DrawError> {
    if set.is_empty() {
        return Err(DrawError::EmptyScope);
    }
    for label in rules.keys() {
        crate::files::check_field("分层", label)?;
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

    // A stratum's sample lies below a threshold a little above where its (k + r)-th smallest
    // ticket is expected; only tickets below it are kept. If fewer than k + r fall below it (a
    // few standard deviations out), that stratum is walked again keeping every ticket, so the
    // result is exact either way. Strata that draw no one are not hashed at all.
    let takes: Vec<usize> = strata.iter().map(|s| (s.k + s.reserves) as usize).collect();
    let thresholds: Vec<Option<u64>> = strata
        .iter()
        .zip(&takes)
        .map(|(s, &take)| (take > 0).then(|| threshold(take as u64, s.n)))
        .collect();
    let members = candidates_below(seed, set, &of_label, &takes, thresholds);

    let order = |a: &([u8; 32], u32), b: &([u8; 32], u32)| -> Ordering {
        a.0.cmp(&b.0).then_with(|| {
            set.key(a.1 as usize)
                .as_bytes()
                .cmp(set.key(b.1 as usize).as_bytes())
        })
    };
    // Each stratum is ordered on its own (in parallel: they are independent, a share of the
    // strata per core — a draw may have tens of thousands of strata), then the strata's
    // selections, each already in ticket order, are merged into the draw order.
    let strata_ref = &strata;
    let one = move |s: usize, mut list: Vec<([u8; 32], u32)>| -> (Vec<Pick>, Vec<Pick>) {
        let (k, r) = (strata_ref[s].k as usize, strata_ref[s].reserves as usize);
        let take = k + r;
        if take == 0 {
            return (Vec::new(), Vec::new());
        }
        if take < list.len() {
            list.select_nth_unstable_by(take - 1, order);
            list.truncate(take);
        }
        list.sort_unstable_by(order);
        let pick = |&(ticket, i): &([u8; 32], u32)| Pick {
            candidate: i as usize,
            stratum: s,
            ticket,
        };
        (
            list[..k].iter().map(pick).collect(),
            list[k..].iter().map(pick).collect(),
        )
    };
    let threads = crate::parallel::threads().clamp(1, members.len().max(1));
    let share = members.len().div_ceil(threads).max(1);
    let mut work = members.into_iter().enumerate();
    let per_stratum: Vec<(Vec<Pick>, Vec<Pick>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let part: Vec<_> = work.by_ref().take(share).collect();
                scope.spawn(move || {
                    part.into_iter()
                        .map(|(s, list)| one(s, list))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a stratum thread panicked"))
            .collect()
    });
    let (chosen, reserves): (Vec<Vec<Pick>>, Vec<Vec<Pick>>) = per_stratum.into_iter().unzip();
    let selected = merge_in_ticket_order(set, chosen);
    Ok(Selection {
        strata,
        selected,
        reserves,
    })
}

/// Merges lists already in ticket order (ties by key bytes) into one.
fn merge_in_ticket_order(set: &CandidateSet, lists: Vec<Vec<Pick>>) -> Vec<Pick> {
    let total = lists.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    let mut next = vec![0usize; lists.len()];
    let before = |a: &Pick, b: &Pick| {
        a.ticket
            .cmp(&b.ticket)
            .then_with(|| {
                set.key(a.candidate)
                    .as_bytes()
                    .cmp(set.key(b.candidate).as_bytes())
            })
            .is_lt()
    };
    for _ in 0..total {
        let mut best: Option<usize> = None;
        for (l, list) in lists.iter().enumerate() {
            if let Some(p) = list.get(next[l])
                && best.is_none_or(|b| before(p, &lists[b][next[b]]))
            {
                best = Some(l);
            }
        }
        let b = best.expect("total counts the remaining picks");
        out.push(lists[b][next[b]]);
        next[b] += 1;
    }
    out
}

/// A ticket prefix below which about `take + 6·√take + 64` of `n` uniform tickets fall.
fn threshold(take: u64, n: u64) -> u64 {
    let want = take as u128 + 6 * (take as f64).sqrt() as u128 + 64;
    if want >= n as u128 {
        return u64::MAX;
    }
    ((want << 64) / n as u128).min(u64::MAX as u128) as u64
}

/// `gather`, then again with no threshold for any stratum where fewer than `take` fell below.
fn candidates_below(
    seed: &Seed,
    set: &CandidateSet,
    of_label: &[usize],
    takes: &[usize],
    mut thresholds: Vec<Option<u64>>,
) -> Vec<Kept> {
    let mut members = gather(seed, set, of_label, &thresholds);
    let short: Vec<usize> = (0..takes.len())
        .filter(|&s| members[s].len() < takes[s])
        .collect();
    if !short.is_empty() {
        for (s, t) in thresholds.iter_mut().enumerate() {
            *t = if short.contains(&s) {
                Some(u64::MAX)
            } else {
                None
            };
        }
        let mut again = gather(seed, set, of_label, &thresholds);
        for s in short {
            members[s] = std::mem::take(&mut again[s]);
        }
    }
    members
}

/// Per stratum, `(ticket, candidate)` of every candidate whose ticket's first 8 bytes are below
/// the stratum's threshold, hashed on all cores.
type Kept = Vec<([u8; 32], u32)>;

fn gather(
    seed: &Seed,
    set: &CandidateSet,
    of_label: &[usize],
    thresholds: &[Option<u64>],
) -> Vec<Kept> {
    let parts = map_ranges(set.len(), |range| {
        let mut kept: Vec<Kept> = vec![Vec::new(); thresholds.len()];
        let head = Prefixed::new(&[&seed.0, b"E"]);
        for i in range {
            let s = of_label[set.stratum(i)];
            if let Some(limit) = thresholds[s] {
                let ticket = head.hash(set.key(i).as_bytes());
                if u64::from_be_bytes(ticket[..8].try_into().expect("8 bytes")) <= limit {
                    kept[s].push((ticket, i as u32));
                }
            }
        }
        kept
    });
    let mut members: Vec<Kept> = vec![Vec::new(); thresholds.len()];
    for part in parts {
        for (s, list) in part.into_iter().enumerate() {
            if members[s].is_empty() {
                members[s] = list;
            } else {
                members[s].extend(list);
            }
        }
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::candidates_file;

    #[test]
    fn a_threshold_set_too_low_falls_back_to_every_ticket() {
        let keys: Vec<String> = (0..10_000).map(|i| format!("K{i:05}")).collect();
        let file = candidates_file(
            keys.iter()
                .map(|k| (k.as_str(), if k.ends_with('7') { "B" } else { "A" }))
                .collect(),
        )
        .unwrap();
        let set = CandidateSet::parse(&file).unwrap();
        let seed = Seed([7; 32]);
        let of_label = [0, 1];
        let sorted = |mut v: Vec<Kept>| {
            v.iter_mut().for_each(|l| l.sort_unstable());
            v
        };
        let everything = sorted(gather(
            &seed,
            &set,
            &of_label,
            &[Some(u64::MAX), Some(u64::MAX)],
        ));
        let fallback = sorted(candidates_below(
            &seed,
            &set,
            &of_label,
            &[50, 10],
            vec![Some(0), Some(0)],
        ));
        assert_eq!(fallback, everything);
        // A threshold that holds keeps only what lies below it, and still at least `take`.
        let kept = candidates_below(
            &seed,
            &set,
            &of_label,
            &[50, 10],
            vec![Some(threshold(50, 9000)), Some(threshold(10, 1000))],
        );
        assert!(
            kept[0].len() >= 50 && kept[0].len() < 1000,
            "{}",
            kept[0].len()
        );
        assert!(
            kept[1].len() >= 10 && kept[1].len() < 1000,
            "{}",
            kept[1].len()
        );
    }
}
