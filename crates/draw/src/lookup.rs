//! What a public lookup needs of a draw, kept beside it so that one question costs an indexed
//! read and one hash instead of reading a province's candidate file: the candidate file cut
//! into blocks of lines, each under its first key (the file is sorted by key, so a key lies in
//! the last block whose first key is not above it), and each stratum's cutoff ticket.

use crate::error::DrawError;

/// Lines of the candidate file per block: a block is a few tens of kilobytes.
pub const BLOCK_LINES: usize = 1024;

/// One block: its first key and its lines (`key,stratum\n` each), as in the candidate file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBlock {
    pub first_key: Vec<u8>,
    pub lines: Vec<u8>,
}

/// The candidate file (header included) cut into blocks.
pub fn key_blocks(candidates_file: &[u8]) -> Vec<KeyBlock> {
    let body = match candidates_file.iter().position(|&b| b == b'\n') {
        Some(end) => &candidates_file[end + 1..],
        None => &[][..],
    };
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let mut end = start;
        for _ in 0..BLOCK_LINES {
            match body[end..].iter().position(|&b| b == b'\n') {
                Some(p) => end += p + 1,
                None => {
                    end = body.len();
                    break;
                }
            }
            if end >= body.len() {
                break;
            }
        }
        let lines = &body[start..end];
        let first_end = lines.iter().position(|&b| b == b',').unwrap_or(lines.len());
        blocks.push(KeyBlock {
            first_key: lines[..first_end].to_vec(),
            lines: lines.to_vec(),
        });
        start = end;
    }
    blocks
}

/// The stratum label of `key` in a block's lines, if it is there.
pub fn stratum_in_block(lines: &[u8], key: &str) -> Option<String> {
    // Lines are sorted by key; a block is small enough to scan after a binary search would
    // need the line starts anyway.
    for line in lines.split(|&b| b == b'\n') {
        if let Some(comma) = line.iter().position(|&b| b == b',')
            && &line[..comma] == key.as_bytes()
        {
            return String::from_utf8(line[comma + 1..].to_vec()).ok();
        }
    }
    None
}

/// Each stratum's cutoff: the largest ticket selected (hex), `""` when it selects none; from
/// `result.csv`, in the order of its strata's first appearance.
pub fn cutoffs(result_csv: &[u8]) -> Result<Vec<(String, String)>, DrawError> {
    let text = std::str::from_utf8(result_csv)
        .map_err(|_| DrawError::Substitution("result.csv 不是 UTF-8".into()))?;
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 4 {
            continue;
        }
        match out.iter_mut().find(|(label, _)| label == f[2]) {
            Some((_, cut)) if f[3] > cut.as_str() => *cut = f[3].to_string(),
            Some(_) => {}
            None => out.push((f[2].to_string(), f[3].to_string())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_found_in_its_block() {
        let mut file = b"key,stratum\n".to_vec();
        let keys: Vec<String> = (0..2500).map(|i| format!("K{i:05}")).collect();
        for (i, k) in keys.iter().enumerate() {
            file.extend_from_slice(format!("{k},{}\n", ["A", "B"][i % 2]).as_bytes());
        }
        let blocks = key_blocks(&file);
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[1].first_key, b"K01024");
        let total: usize = blocks.iter().map(|b| b.lines.len()).sum();
        assert_eq!(total, file.len() - "key,stratum\n".len());
        for (i, k) in keys.iter().enumerate() {
            let block = blocks
                .iter()
                .rev()
                .find(|b| b.first_key.as_slice() <= k.as_bytes())
                .unwrap();
            assert_eq!(
                stratum_in_block(&block.lines, k).as_deref(),
                Some(["A", "B"][i % 2])
            );
        }
        assert_eq!(stratum_in_block(&blocks[0].lines, "K0"), None);
        assert!(key_blocks(b"key,stratum\n").is_empty());
    }

    #[test]
    fn cutoffs_are_each_stratum_s_largest_selected_ticket() {
        let result =
            b"rank,key,stratum,ticket,officers,leader\n1,a,A,01,,\n2,b,B,05,,\n3,c,A,03,,\n";
        assert_eq!(
            cutoffs(result).unwrap(),
            [("A".into(), "03".into()), ("B".into(), "05".into())]
        );
    }
}
