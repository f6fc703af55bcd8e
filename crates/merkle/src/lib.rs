//! Merkle tree math of the audit log, in the shape of RFC 6962 / RFC 9162:
//! leaf hash = H(0x00 ‖ record), node hash = H(0x01 ‖ left ‖ right).
//!
//! Storage never updates a row: when leaf `n` is appended, the complete subtrees that leaf
//! closes are written once, next to the leaf ([`Frontier::push`]). Every hash a proof needs is a
//! complete, aligned subtree ([`NodeId`]) or is combined from such subtrees, so the storage layer
//! asks for the [`NodeId`]s a proof needs ([`needed_nodes`]), fetches them, and the pure functions
//! here finish the job. Pure: no I/O.

mod proof;
mod verify;

pub use proof::{consistency_proof_ranges, inclusion_proof_ranges, needed_nodes, range_hash};
pub use verify::{ProofError, verify_consistency, verify_inclusion};

use sha2::Digest as _;

/// A 32-byte hash (SHA-256 and SM3 both give 32 bytes).
pub type Hash = [u8; 32];

/// The hash function of a log. Chosen once, when the database is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    /// GB/T 32905 SM3, for deployments assessed under 商用密码应用安全性评估 (密评).
    Sm3,
}

impl HashAlg {
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sm3 => "sm3",
        }
    }

    pub fn parse(name: &str) -> Option<HashAlg> {
        match name.trim().to_ascii_lowercase().as_str() {
            "sha256" | "sha-256" => Some(HashAlg::Sha256),
            "sm3" => Some(HashAlg::Sm3),
            _ => None,
        }
    }

    /// H over the concatenation of `parts`.
    pub fn digest(self, parts: &[&[u8]]) -> Hash {
        match self {
            HashAlg::Sha256 => {
                let mut h = sha2::Sha256::new();
                for p in parts {
                    h.update(p);
                }
                h.finalize().into()
            }
            HashAlg::Sm3 => {
                let mut h = sm3::Sm3::new();
                for p in parts {
                    sm3::Digest::update(&mut h, p);
                }
                sm3::Digest::finalize(h).into()
            }
        }
    }

    pub fn leaf(self, record: &[u8]) -> Hash {
        self.digest(&[&[0x00], record])
    }

    pub fn node(self, left: &Hash, right: &Hash) -> Hash {
        self.digest(&[&[0x01], left, right])
    }

    /// The root of the empty tree: the hash of the empty string (RFC 6962 §2.1).
    pub fn empty_root(self) -> Hash {
        self.digest(&[])
    }
}

/// A complete, aligned subtree: leaves `[index·2^level, (index+1)·2^level)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u32,
    pub index: u64,
}

impl NodeId {
    /// The leaf whose append closed this subtree: its hash is stored in that leaf's row.
    pub fn closing_leaf(self) -> u64 {
        ((self.index + 1) << self.level) - 1
    }

    /// Where in the closing leaf's `closed` hashes this node sits (level 0 is the leaf itself).
    pub fn offset_in_closing_leaf(self) -> Option<usize> {
        (self.level > 0).then(|| (self.level as usize - 1) * 32)
    }
}

/// Number of subtrees (of levels 1, 2, …) closed by appending the leaf with 0-based index `n`.
pub fn closed_count(n: u64) -> u32 {
    n.trailing_ones()
}

/// The peaks of a tree of `size` leaves: its complete subtrees, left (largest) to right.
pub fn peaks(size: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut start = 0u64;
    for level in (0..64).rev() {
        if size & (1u64 << level) != 0 {
            out.push(NodeId {
                level,
                index: start >> level,
            });
            start += 1u64 << level;
        }
    }
    out
}

/// The right edge of a growing tree: enough to append leaves and to give the root.
#[derive(Clone, Debug)]
pub struct Frontier {
    alg: HashAlg,
    size: u64,
    peaks: Vec<Hash>,
}

impl Frontier {
    pub fn empty(alg: HashAlg) -> Frontier {
        Frontier {
            alg,
            size: 0,
            peaks: Vec::new(),
        }
    }

    /// Rebuilds the frontier of a tree of `size` leaves from the hashes of its [`peaks`].
    pub fn from_peaks(alg: HashAlg, size: u64, peak_hashes: Vec<Hash>) -> Frontier {
        assert_eq!(
            peak_hashes.len(),
            size.count_ones() as usize,
            "one hash per peak"
        );
        Frontier {
            alg,
            size,
            peaks: peak_hashes,
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// Appends a leaf hash; returns the hashes of the subtrees it closed, level 1 upwards.
    pub fn push(&mut self, leaf: Hash) -> Vec<Hash> {
        let mut closed = Vec::with_capacity(closed_count(self.size) as usize);
        let mut h = leaf;
        let mut n = self.size;
        while n & 1 == 1 {
            let left = self.peaks.pop().expect("a set bit has a peak");
            h = self.alg.node(&left, &h);
            closed.push(h);
            n >>= 1;
        }
        self.peaks.push(h);
        self.size += 1;
        closed
    }

    /// RFC 6962 MTH of the whole tree: the peaks folded from the right.
    pub fn root(&self) -> Hash {
        let mut iter = self.peaks.iter().rev();
        match iter.next() {
            None => self.alg.empty_root(),
            Some(last) => iter.fold(*last, |acc, left| self.alg.node(left, &acc)),
        }
    }
}

/// Concatenates closed-subtree hashes as stored in a leaf's row.
pub fn pack_hashes(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.iter().copied()).collect()
}

/// Reads the hash at `offset` of a packed row, if it is there.
pub fn hash_at(packed: &[u8], offset: usize) -> Option<Hash> {
    packed
        .get(offset..offset + 32)
        .map(|s| s.try_into().expect("32 bytes"))
}

pub fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

pub fn from_hex(s: &str) -> Option<Hash> {
    hex::decode(s).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests;
