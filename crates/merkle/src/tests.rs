//! The tree math against an independent RFC 6962 implementation (the ct-merkle crate).

use super::*;
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use proptest::prelude::*;
use std::collections::HashMap;

type Oracle = MemoryBackedTree<sha2::Sha256, Vec<u8>>;

fn record(i: u64) -> Vec<u8> {
    format!("{{\"seq\":{i},\"action\":\"test\"}}").into_bytes()
}

/// Builds our stored form (leaf hash + closed subtrees per leaf) and the oracle for `n` records.
fn build(n: u64) -> (Frontier, HashMap<NodeId, Hash>, Oracle) {
    let alg = HashAlg::Sha256;
    let mut f = Frontier::empty(alg);
    let mut nodes = HashMap::new();
    let mut oracle = Oracle::new();
    for i in 0..n {
        let leaf = alg.leaf(&record(i));
        let closed = f.push(leaf);
        nodes.insert(NodeId { level: 0, index: i }, leaf);
        let packed = pack_hashes(&closed);
        for (l, _) in closed.iter().enumerate() {
            let id = NodeId {
                level: l as u32 + 1,
                index: i >> (l + 1),
            };
            assert_eq!(id.closing_leaf(), i);
            let at = id.offset_in_closing_leaf().unwrap();
            nodes.insert(id, hash_at(&packed, at).unwrap());
        }
        oracle.push(record(i));
    }
    (f, nodes, oracle)
}

fn resolve(ranges: &[(u64, u64)], nodes: &HashMap<NodeId, Hash>) -> Vec<Hash> {
    let needed = needed_nodes(ranges);
    let subset: HashMap<_, _> = needed.iter().map(|id| (*id, nodes[id])).collect();
    ranges
        .iter()
        .map(|r| range_hash(HashAlg::Sha256, *r, &subset).unwrap())
        .collect()
}

#[test]
fn empty_tree_root_is_hash_of_nothing() {
    let f = Frontier::empty(HashAlg::Sha256);
    assert_eq!(
        to_hex(&f.root()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn sm3_known_answer() {
    // GB/T 32905-2016 example 1: SM3("abc").
    assert_eq!(
        to_hex(&HashAlg::Sm3.digest(&[b"abc"])),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
}

#[test]
fn peaks_rebuild_the_frontier() {
    let (f, nodes, _) = build(45);
    let hashes = peaks(45).iter().map(|p| nodes[p]).collect();
    let g = Frontier::from_peaks(HashAlg::Sha256, 45, hashes);
    assert_eq!(f.root(), g.root());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn roots_and_proofs_match_the_oracle(n in 1u64..300, m_seed in 0u64..1000, old_seed in 0u64..1000) {
        let (f, nodes, oracle) = build(n);
        let root = f.root();
        let oracle_root = oracle.root();
        prop_assert_eq!(&root[..], &oracle_root.as_bytes()[..]);

        let m = m_seed % n;
        let proof = resolve(&inclusion_proof_ranges(m, n), &nodes);
        let theirs = InclusionProof::<sha2::Sha256>::from_digests(proof.iter().map(|h| h.into()));
        prop_assert!(oracle.root().verify_inclusion(&record(m), m, &theirs).is_ok());
        let their_proof = oracle.prove_inclusion(m as usize);
        prop_assert_eq!(&pack_hashes(&proof)[..], their_proof.as_bytes());
        prop_assert!(verify_inclusion(HashAlg::Sha256, &HashAlg::Sha256.leaf(&record(m)), m, n, &proof, &root).is_ok());

        let old = 1 + old_seed % n;
        let (fo, _, oracle_old) = build(old);
        let cproof = resolve(&consistency_proof_ranges(old, n), &nodes);
        let theirs = ConsistencyProof::<sha2::Sha256>::from_digests(cproof.iter().map(|h| h.into()));
        let old_root = RootHash::<sha2::Sha256>::new(*oracle_old.root().as_bytes(), old);
        prop_assert!(oracle.root().verify_consistency(&old_root, &theirs).is_ok());
        prop_assert!(verify_consistency(HashAlg::Sha256, old, n, &cproof, &fo.root(), &root).is_ok());
    }

    #[test]
    fn a_changed_record_breaks_its_proof(n in 2u64..100, m_seed in 0u64..1000) {
        let (f, nodes, _) = build(n);
        let m = m_seed % n;
        let proof = resolve(&inclusion_proof_ranges(m, n), &nodes);
        let forged = HashAlg::Sha256.leaf(b"forged");
        prop_assert_eq!(
            verify_inclusion(HashAlg::Sha256, &forged, m, n, &proof, &f.root()),
            Err(ProofError::RootMismatch)
        );
    }
}
