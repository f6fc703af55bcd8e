//! SHA-256 of the draw's short messages. A ticket message (32-byte seed, one tag byte, an
//! 18-byte code) fits one 64-byte block with its padding, so it is hashed by one call of the
//! compression function on a block built in place: no hasher state, no buffering.

use sha2::Digest as _;
use sha2::block_api::compress256;

const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Longest message that fits one block: 64 bytes less the 0x80 marker and the 8-byte length.
pub const ONE_BLOCK: usize = 55;

/// SHA-256 of the concatenated parts.
pub fn sha256_parts(parts: &[&[u8]]) -> [u8; 32] {
    match one_block_state(parts) {
        Some(state) => {
            let mut out = [0u8; 32];
            for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
                chunk.copy_from_slice(&word.to_be_bytes());
            }
            out
        }
        None => {
            let mut h = sha2::Sha256::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().into()
        }
    }
}

/// The first 8 bytes of `sha256_parts`, as a big-endian integer: orders tickets exactly like
/// their bytes do, except on ties of those 8 bytes, which callers break with the full hash.
pub fn sha256_prefix(parts: &[&[u8]]) -> u64 {
    match one_block_state(parts) {
        Some(state) => ((state[0] as u64) << 32) | state[1] as u64,
        None => u64::from_be_bytes(sha256_parts(parts)[..8].try_into().expect("8 bytes")),
    }
}

/// The final state of a message that fits one padded block, or None when it does not.
fn one_block_state(parts: &[&[u8]]) -> Option<[u32; 8]> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    if len > ONE_BLOCK {
        return None;
    }
    let mut block = [0u8; 64];
    let mut at = 0;
    for p in parts {
        block[at..at + p.len()].copy_from_slice(p);
        at += p.len();
    }
    block[at] = 0x80;
    block[56..].copy_from_slice(&((len as u64) * 8).to_be_bytes());
    let mut state = H0;
    compress256(&mut state, &[block]);
    Some(state)
}

/// Messages that share a head (the seed and a tag, or the seed, a tag and a key): the head is
/// laid into a block once, and each message only writes its tail, the padding and the length.
pub struct Prefixed {
    block: [u8; 64],
    head: usize,
    /// A head longer than a block (a very long key): every message takes the general path.
    long_head: Option<Vec<u8>>,
}

impl Prefixed {
    pub fn new(parts: &[&[u8]]) -> Prefixed {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if total > ONE_BLOCK {
            return Prefixed {
                block: [0; 64],
                head: total,
                long_head: Some(parts.concat()),
            };
        }
        let mut block = [0u8; 64];
        let mut at = 0;
        for p in parts {
            block[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        Prefixed {
            block,
            head: at,
            long_head: None,
        }
    }

    /// The state after hashing head ‖ tail, or None when it needs more than one block.
    #[inline]
    fn state(&self, tail: &[u8]) -> Option<[u32; 8]> {
        let len = self.head + tail.len();
        if len > ONE_BLOCK {
            return None;
        }
        let mut block = self.block;
        for (dst, src) in block[self.head..len].iter_mut().zip(tail) {
            *dst = *src;
        }
        block[len] = 0x80;
        block[56..].copy_from_slice(&((len as u64) * 8).to_be_bytes());
        let mut state = H0;
        compress256(&mut state, &[block]);
        Some(state)
    }

    pub fn hash(&self, tail: &[u8]) -> [u8; 32] {
        match self.state(tail) {
            Some(state) => {
                let mut out = [0u8; 32];
                for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
                    chunk.copy_from_slice(&word.to_be_bytes());
                }
                out
            }
            None => match &self.long_head {
                Some(head) => sha256_parts(&[head, tail]),
                None => sha256_parts(&[&self.block[..self.head], tail]),
            },
        }
    }

    /// [`Self::prefix`] of each tail, in order: one block is reused, and each message writes
    /// only its own bytes into it.
    pub fn prefixes<'t>(&self, tails: impl IntoIterator<Item = &'t [u8]>) -> Vec<u64> {
        let tails = tails.into_iter();
        let mut out = Vec::with_capacity(tails.size_hint().0);
        let mut block = self.block;
        for tail in tails {
            let len = self.head + tail.len();
            if len > ONE_BLOCK || self.long_head.is_some() {
                out.push(self.prefix(tail));
                continue;
            }
            block[self.head..len].copy_from_slice(tail);
            block[len] = 0x80;
            block[len + 1..56].fill(0);
            block[56..].copy_from_slice(&((len as u64) * 8).to_be_bytes());
            let mut state = H0;
            compress256(&mut state, std::slice::from_ref(&block));
            out.push(((state[0] as u64) << 32) | state[1] as u64);
        }
        out
    }

    /// The first 8 bytes of `hash`, big-endian.
    pub fn prefix(&self, tail: &[u8]) -> u64 {
        match self.state(tail) {
            Some(state) => ((state[0] as u64) << 32) | state[1] as u64,
            None => u64::from_be_bytes(self.hash(tail)[..8].try_into().expect("8 bytes")),
        }
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(bytes).into()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_block_path_equals_the_library_at_every_length() {
        let data: Vec<u8> = (0..=120u8).collect();
        for len in 0..=120 {
            let (a, b) = data[..len].split_at(len / 3);
            assert_eq!(sha256_parts(&[a, b]), sha256(&data[..len]), "length {len}");
            let prefix = u64::from_be_bytes(sha256(&data[..len])[..8].try_into().unwrap());
            assert_eq!(sha256_prefix(&[a, b]), prefix, "length {len}");
            let head = Prefixed::new(&[a]);
            assert_eq!(head.hash(b), sha256(&data[..len]), "length {len}");
            assert_eq!(head.prefix(b), prefix, "length {len}");
            // A long tail, then a short one: the block reused must not keep the long one's bytes.
            let tails = [&data[..len], b, &data[..1], b];
            let expected: Vec<u64> = tails.iter().map(|t| head.prefix(t)).collect();
            assert_eq!(head.prefixes(tails), expected, "length {len}");
        }
    }
}
