//! Inclusion and consistency proofs (RFC 6962 §2.1.1 PATH and §2.1.2 PROOF), expressed as
//! leaf ranges whose hashes the caller resolves from stored complete subtrees.

use crate::{Hash, HashAlg, NodeId};
use std::collections::HashMap;

/// A run of leaves `[start, start + len)` whose RFC 6962 subtree hash is a proof element.
pub type Range = (u64, u64);

fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The proof elements of PATH(m, D[0:n]), in RFC order (nearest the leaf first).
pub fn inclusion_proof_ranges(m: u64, n: u64) -> Vec<Range> {
    assert!(m < n, "leaf index inside the tree");
    let mut out = Vec::new();
    path(m, 0, n, &mut out);
    out
}

fn path(m: u64, start: u64, n: u64, out: &mut Vec<Range>) {
    if n <= 1 {
        return;
    }
    let k = largest_power_of_two_below(n);
    if m < k {
        path(m, start, k, out);
        out.push((start + k, n - k));
    } else {
        path(m - k, start + k, n - k, out);
        out.push((start, k));
    }
}

/// The proof elements of PROOF(m, D[0:n]) for 0 < m < n, in RFC order.
pub fn consistency_proof_ranges(m: u64, n: u64) -> Vec<Range> {
    assert!(0 < m && m <= n, "sizes 0 < m <= n");
    let mut out = Vec::new();
    if m < n {
        subproof(m, 0, n, true, &mut out);
    }
    out
}

fn subproof(m: u64, start: u64, n: u64, whole: bool, out: &mut Vec<Range>) {
    if m == n {
        if !whole {
            out.push((start, n));
        }
        return;
    }
    let k = largest_power_of_two_below(n);
    if m <= k {
        subproof(m, start, k, whole, out);
        out.push((start + k, n - k));
    } else {
        subproof(m - k, start + k, n - k, false, out);
        out.push((start, k));
    }
}

/// Splits a range into the complete, aligned subtrees its RFC 6962 hash is made of.
fn range_nodes(start: u64, len: u64, out: &mut Vec<NodeId>) {
    if len.is_power_of_two() && start.is_multiple_of(len) {
        out.push(NodeId {
            level: len.trailing_zeros(),
            index: start / len,
        });
    } else {
        let k = largest_power_of_two_below(len);
        range_nodes(start, k, out);
        range_nodes(start + k, len - k, out);
    }
}

/// Every stored subtree needed to compute the hashes of `ranges`, without repeats.
pub fn needed_nodes(ranges: &[Range]) -> Vec<NodeId> {
    let mut out = Vec::new();
    for &(s, l) in ranges {
        range_nodes(s, l, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// The RFC 6962 hash of a range, from the stored subtrees (which must include its [`needed_nodes`]).
pub fn range_hash(alg: HashAlg, range: Range, nodes: &HashMap<NodeId, Hash>) -> Option<Hash> {
    let (start, len) = range;
    if len.is_power_of_two() && start.is_multiple_of(len) {
        nodes
            .get(&NodeId {
                level: len.trailing_zeros(),
                index: start / len,
            })
            .copied()
    } else {
        let k = largest_power_of_two_below(len);
        let left = range_hash(alg, (start, k), nodes)?;
        let right = range_hash(alg, (start + k, len - k), nodes)?;
        Some(alg.node(&left, &right))
    }
}
