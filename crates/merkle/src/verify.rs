//! Proof verification (RFC 9162 §2.1.3.2 and §2.1.4.2), for the public verifier and the CLI.

use crate::{Hash, HashAlg};

#[derive(Debug, PartialEq, Eq)]
pub enum ProofError {
    /// The index or sizes are out of range.
    BadIndex,
    /// The proof has the wrong number of elements.
    BadLength,
    /// The proof does not lead to the given root.
    RootMismatch,
}

/// Checks that `leaf` sits at `index` in the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    alg: HashAlg,
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::BadIndex);
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::BadLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = alg.node(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = alg.node(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::BadLength);
    }
    if &r == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Checks that the tree of `size1` leaves with `root1` is a prefix of the one of `size2` with `root2`.
pub fn verify_consistency(
    alg: HashAlg,
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ProofError> {
    if size1 == 0 || size1 > size2 {
        return Err(ProofError::BadIndex);
    }
    if size1 == size2 {
        return if proof.is_empty() && root1 == root2 {
            Ok(())
        } else if !proof.is_empty() {
            Err(ProofError::BadLength)
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if size1.is_power_of_two() {
        path.insert(0, *root1);
    }
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::BadLength);
    };
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::BadLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = alg.node(c, &fr);
            sr = alg.node(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = alg.node(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::BadLength);
    }
    if &fr == root1 && &sr == root2 {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}
