//! A tiered task keeps its plan's bound honest: given the bound (`不低于10%`), the tier
//! ratios and the directory's current tier counts, the overall ratio the draw will give — each
//! tier rounded up, as the draw rounds each stratum — and, when it breaks the bound, tier ratios
//! that keep the tiers' order and meet it.

use super::rule::{Bound, Fraction};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Ratios in units of 0.01% (1% is 100), the step of a proposal.
const STEP: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundCheck {
    /// Objects the draw will take, and out of how many.
    pub drawn: u64,
    pub total: u64,
    /// Whether `drawn / total` keeps the bound.
    pub kept: bool,
    /// Tier ratios scaled together (order kept) that meet the bound, when it is broken.
    pub proposal: Option<BTreeMap<char, Fraction>>,
}

fn ceil_share(n: u64, r: Fraction) -> u64 {
    (n as u128 * r.num as u128).div_ceil(r.den.max(1) as u128) as u64
}

/// Objects drawn with `ratios` over `counts` (a tier without its own ratio is drawn like B,
/// as unclassified objects are).
pub fn drawn_with(ratios: &BTreeMap<char, Fraction>, counts: &BTreeMap<char, u64>) -> u64 {
    counts
        .iter()
        .map(|(tier, &n)| {
            let r = ratios
                .get(tier)
                .or_else(|| ratios.get(&'B'))
                .copied()
                .unwrap_or(Fraction { num: 0, den: 1 });
            ceil_share(n, r)
        })
        .sum()
}

fn keeps(bound: Bound, target: Fraction, drawn: u64, total: u64) -> bool {
    // drawn/total against num/den, in integers.
    let (lhs, rhs) = (
        drawn as u128 * target.den as u128,
        target.num as u128 * total as u128,
    );
    match bound {
        Bound::Exact | Bound::Min => lhs >= rhs,
        Bound::Max => lhs <= rhs,
    }
}

/// Checks the tier ratios against the bound on the directory's counts; `None` when there is
/// nothing to check (no objects, or an exact ratio, which the tiers replace by design).
pub fn check_bound(
    bound: Bound,
    target: Fraction,
    ratios: &BTreeMap<char, Fraction>,
    counts: &BTreeMap<char, u64>,
) -> Option<BoundCheck> {
    let total: u64 = counts.values().sum();
    if total == 0 || bound == Bound::Exact || ratios.is_empty() {
        return None;
    }
    let drawn = drawn_with(ratios, counts);
    let kept = keeps(bound, target, drawn, total);
    let proposal = (!kept)
        .then(|| propose(bound, target, ratios, counts))
        .flatten();
    Some(BoundCheck {
        drawn,
        total,
        kept,
        proposal,
    })
}

/// Scales every tier's ratio by the same factor (in 1% steps of the factor), each rounded to
/// 0.01%, capped at 100%, until the bound holds.
fn propose(
    bound: Bound,
    target: Fraction,
    ratios: &BTreeMap<char, Fraction>,
    counts: &BTreeMap<char, u64>,
) -> Option<BTreeMap<char, Fraction>> {
    let total: u64 = counts.values().sum();
    let base: BTreeMap<char, u64> = ratios
        .iter()
        .map(|(t, r)| {
            (
                *t,
                (r.num as u128 * STEP as u128 / r.den.max(1) as u128) as u64,
            )
        })
        .collect();
    let scaled = |percent: u64| -> BTreeMap<char, Fraction> {
        base.iter()
            .map(|(t, &units)| {
                let v = match bound {
                    Bound::Max => units * percent / 100,
                    _ => (units * percent).div_ceil(100),
                }
                .min(STEP);
                (*t, Fraction::new(v, STEP))
            })
            .collect()
    };
    let steps: Box<dyn Iterator<Item = u64>> = match bound {
        Bound::Max => Box::new((1..100).rev()),
        _ => Box::new(101..=100_000),
    };
    for percent in steps {
        let candidate = scaled(percent);
        if keeps(bound, target, drawn_with(&candidate, counts), total) {
            return Some(candidate);
        }
        if bound != Bound::Max && candidate.values().all(|f| f.num == f.den) {
            return None;
        }
    }
    None
}

/// A ratio as officials write it: `3%`, `0.5%`, `12.35%`.
pub fn percent_text(f: Fraction) -> String {
    let units = (f.num as u128 * STEP as u128 / f.den.max(1) as u128) as u64;
    let (whole, frac) = (units / 100, units % 100);
    match frac {
        0 => format!("{whole}%"),
        f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(p: u64) -> Fraction {
        Fraction::new(p, 100)
    }

    fn wugang() -> BTreeMap<char, Fraction> {
        [('A', pct(1)), ('B', pct(3)), ('C', pct(10)), ('D', pct(20))].into()
    }

    #[test]
    fn an_overall_ratio_below_the_plans_bound_is_caught_with_a_proposal() {
        // Mostly A and B: the 舞钢 tiers give 2.1% overall, not the 5% the plan demands.
        let counts: BTreeMap<char, u64> = [('A', 600), ('B', 380), ('C', 15), ('D', 5)].into();
        let check = check_bound(Bound::Min, pct(5), &wugang(), &counts).unwrap();
        assert_eq!(check.drawn, 6 + 12 + 2 + 1);
        assert!(!check.kept);
        let proposal = check.proposal.expect("a proposal");
        let drawn = drawn_with(&proposal, &counts);
        assert!(drawn * 100 >= 5 * 1000, "{drawn}");
        // The order of the tiers is kept.
        let values: Vec<&Fraction> = proposal.values().collect();
        for pair in values.windows(2) {
            assert!(pair[0].num * pair[1].den <= pair[1].num * pair[0].den);
        }
        assert_eq!(percent_text(proposal[&'A']), "2.37%");
    }

    #[test]
    fn a_kept_bound_and_an_upper_bound() {
        let counts: BTreeMap<char, u64> = [('A', 100), ('B', 100), ('C', 100), ('D', 100)].into();
        let check = check_bound(Bound::Min, pct(5), &wugang(), &counts).unwrap();
        assert!(check.kept, "{check:?}");
        assert!(check.proposal.is_none());
        let check = check_bound(Bound::Max, pct(5), &wugang(), &counts).unwrap();
        assert!(!check.kept);
        let proposal = check.proposal.unwrap();
        assert!(drawn_with(&proposal, &counts) * 100 <= 5 * 400);
        assert!(check_bound(Bound::Min, pct(5), &wugang(), &BTreeMap::new()).is_none());
        assert!(check_bound(Bound::Exact, pct(5), &wugang(), &counts).is_none());
    }

    #[test]
    fn percentages_as_written() {
        assert_eq!(percent_text(pct(3)), "3%");
        assert_eq!(percent_text(Fraction::new(1, 200)), "0.5%");
        assert_eq!(percent_text(Fraction::new(1235, 10000)), "12.35%");
    }
}
