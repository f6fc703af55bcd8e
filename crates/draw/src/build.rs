//! Building a candidate file from the rows a directory gives, on all cores. A directory read
//! through an index ordered by division and code arrives as sorted runs (one per division), so
//! the runs are merged rather than everything sorted; rows in no useful order are sorted in
//! one piece per core first. Each core then merges its own range of keys straight into its
//! part of the file.

use crate::error::{DrawError, bad_file};
use crate::files::{CANDIDATES, CANDIDATES_HEADER, check_field};
use crate::parallel;
use std::ops::Range;

/// The rows of a directory read for a draw.
pub trait CandidateRows: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn key(&self, row: usize) -> &str;
    /// A candidate's stratum; `None` for a row the draw excludes.
    fn stratum(&self, row: usize) -> Option<&str>;
}

impl CandidateRows for [(&str, &str)] {
    fn len(&self) -> usize {
        <[_]>::len(self)
    }
    fn key(&self, row: usize) -> &str {
        self[row].0
    }
    fn stratum(&self, row: usize) -> Option<&str> {
        Some(self[row].1)
    }
}

/// Above this many runs per core, sorting a core's rows outright beats merging them.
const MAX_RUNS_PER_THREAD: usize = 1024;

/// The canonical candidate file of the rows' candidates (spec §1). Keys must be unique.
pub fn build_candidates_file<R: CandidateRows + ?Sized>(rows: &R) -> Result<Vec<u8>, DrawError> {
    if rows.len() > u32::MAX as usize {
        return Err(bad_file(
            CANDIDATES,
            0,
            "候选超过 42 亿户，请按省份分片抽取",
        ));
    }
    let key = |i: u32| rows.key(i as usize).as_bytes();
    // Each core: its rows' candidates in read order, cut into ascending runs.
    let segments: Vec<(Vec<u32>, Vec<Range<usize>>)> = parallel::map_ranges(rows.len(), |range| {
        let mut kept: Vec<u32> = Vec::with_capacity(range.len());
        let mut runs = Vec::new();
        let mut start = 0;
        for row in range {
            if rows.stratum(row).is_none() {
                continue;
            }
            if let Some(&last) = kept.last()
                && key(row as u32) < key(last)
            {
                runs.push(start..kept.len());
                start = kept.len();
            }
            kept.push(row as u32);
        }
        if start < kept.len() {
            runs.push(start..kept.len());
        }
        if runs.len() > MAX_RUNS_PER_THREAD {
            kept.sort_unstable_by(|&a, &b| key(a).cmp(key(b)));
            runs = std::iter::once(0..kept.len()).collect();
        }
        (kept, runs)
    });
    let runs: Vec<&[u32]> = segments
        .iter()
        .flat_map(|(kept, runs)| runs.iter().map(move |r| &kept[r.clone()]))
        .collect();
    let total: usize = runs.iter().map(|r| r.len()).sum();
    // Split the key space into one range per core, at keys sampled evenly from the runs.
    let parts = if total < 65536 {
        1
    } else {
        parallel::threads()
    };
    let splitters = splitters(&runs, total, parts, &key);
    let pieces: Vec<Vec<&[u32]>> = (0..parts)
        .map(|p| {
            runs.iter()
                .map(|run| {
                    let from = match p {
                        0 => 0,
                        _ => run.partition_point(|&i| key(i) < splitters[p - 1]),
                    };
                    let to = match splitters.get(p) {
                        Some(s) => run.partition_point(|&i| key(i) < *s),
                        None => run.len(),
                    };
                    &run[from..to]
                })
                .filter(|r| !r.is_empty())
                .collect()
        })
        .collect();
    let line_len =
        |i: u32| rows.key(i as usize).len() + rows.stratum(i as usize).map_or(0, str::len) + 2;
    let sizes: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|piece| {
                scope.spawn(move || {
                    piece
                        .iter()
                        .flat_map(|r| r.iter())
                        .map(|&i| line_len(i))
                        .sum()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a draw thread panicked"))
            .collect()
    });
    let mut out = vec![0u8; CANDIDATES_HEADER.len() + 1 + sizes.iter().sum::<usize>()];
    let (head, mut rest) = out.split_at_mut(CANDIDATES_HEADER.len() + 1);
    head[..CANDIDATES_HEADER.len()].copy_from_slice(CANDIDATES_HEADER.as_bytes());
    head[CANDIDATES_HEADER.len()] = b'\n';
    let mut targets = Vec::with_capacity(parts);
    let mut first_line = 2;
    for (piece, size) in pieces.iter().zip(&sizes) {
        let (target, tail) = rest.split_at_mut(*size);
        rest = tail;
        targets.push((piece, target, first_line));
        first_line += piece.iter().map(|r| r.len()).sum::<usize>();
    }
    let results: Vec<Result<(), DrawError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .into_iter()
            .map(|(piece, target, first_line)| {
                scope.spawn(move || merge_into(rows, piece, target, first_line))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a draw thread panicked"))
            .collect()
    });
    results.into_iter().collect::<Result<(), _>>()?;
    Ok(out)
}

/// `parts - 1` keys that cut the candidates into about equal ranges.
fn splitters<'k>(
    runs: &[&[u32]],
    total: usize,
    parts: usize,
    key: &impl Fn(u32) -> &'k [u8],
) -> Vec<&'k [u8]> {
    if parts < 2 {
        return Vec::new();
    }
    let step = (total / 4096).max(1);
    let mut samples: Vec<&[u8]> = runs
        .iter()
        .flat_map(|run| run.iter().step_by(step).map(|&i| key(i)))
        .collect();
    samples.sort_unstable();
    (1..parts)
        .map(|p| samples[p * samples.len() / parts])
        .collect()
}

/// Merges sorted runs into `out` as `key,stratum` lines; `first_line` numbers errors.
fn merge_into<'a, R: CandidateRows + ?Sized>(
    rows: &'a R,
    runs: &[&[u32]],
    out: &mut [u8],
    first_line: usize,
) -> Result<(), DrawError> {
    // A binary min-heap of run cursors, each with its current key.
    let mut cursors: Vec<(&'a str, usize, usize)> = (0..runs.len())
        .map(|r| (rows.key(runs[r][0] as usize), r, 0))
        .collect();
    let sift_down = |heap: &mut [(&str, usize, usize)], mut at: usize| {
        loop {
            let (l, r) = (2 * at + 1, 2 * at + 2);
            let mut least = at;
            if l < heap.len() && heap[l].0.as_bytes() < heap[least].0.as_bytes() {
                least = l;
            }
            if r < heap.len() && heap[r].0.as_bytes() < heap[least].0.as_bytes() {
                least = r;
            }
            if least == at {
                return;
            }
            heap.swap(at, least);
            at = least;
        }
    };
    for at in (0..cursors.len() / 2).rev() {
        sift_down(&mut cursors, at);
    }
    let mut written = 0;
    let mut line = first_line;
    let mut previous: Option<&str> = None;
    // The least key of the other runs: while the top run stays below it (runs that do not
    // interleave, as a division's codes often do not), it is taken without a sift.
    let bound = |heap: &[(&'a str, usize, usize)]| -> Option<&'a str> {
        match (heap.get(1), heap.get(2)) {
            (Some(l), Some(r)) => Some(if l.0.as_bytes() < r.0.as_bytes() {
                l.0
            } else {
                r.0
            }),
            (Some(l), None) => Some(l.0),
            _ => None,
        }
    };
    let mut below = bound(&cursors);
    while let Some(&(k, run, pos)) = cursors.first() {
        let s = rows.stratum(runs[run][pos] as usize).unwrap_or_default();
        check_field("检查对象代码", k)?;
        check_field("分层", s)?;
        if previous == Some(k) {
            return Err(bad_file(CANDIDATES, line, format!("检查对象代码 {k} 重复")));
        }
        previous = Some(k);
        for part in [k.as_bytes(), b",", s.as_bytes(), b"\n"] {
            out[written..written + part.len()].copy_from_slice(part);
            written += part.len();
        }
        line += 1;
        if pos + 1 < runs[run].len() {
            let next = rows.key(runs[run][pos + 1] as usize);
            cursors[0] = (next, run, pos + 1);
            if below.is_none_or(|b| next.as_bytes() < b.as_bytes()) {
                continue;
            }
        } else {
            cursors.swap_remove(0);
        }
        sift_down(&mut cursors, 0);
        below = bound(&cursors);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Rows(Vec<(String, Option<&'static str>)>);

    impl CandidateRows for Rows {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn key(&self, row: usize) -> &str {
            &self.0[row].0
        }
        fn stratum(&self, row: usize) -> Option<&str> {
            self.0[row].1
        }
    }

    /// Sorting everything, the obvious way.
    fn oracle(rows: &Rows) -> Vec<u8> {
        let mut kept: Vec<(&str, &str)> = rows
            .0
            .iter()
            .filter_map(|(k, s)| s.map(|s| (k.as_str(), s)))
            .collect();
        kept.sort();
        let mut out = b"key,stratum\n".to_vec();
        for (k, s) in kept {
            out.extend_from_slice(format!("{k},{s}\n").as_bytes());
        }
        out
    }

    /// `n` distinct keys (varying lengths) from a hash, grouped into `runs` sorted runs, or in
    /// no order at all when `runs` is 0; every seventh row excluded.
    fn directory(n: usize, runs: usize) -> Rows {
        let mut rows: Vec<(String, Option<&'static str>)> = (0..n)
            .map(|i| {
                let h = crate::hash::sha256_hex(&(i as u64).to_le_bytes());
                let key = format!("91{}{i}", &h[..(i % 9) + 4]);
                let stratum = match i % 7 {
                    0 => None,
                    1 | 2 => Some("A"),
                    3 => Some("B"),
                    _ => Some("C"),
                };
                (key, stratum)
            })
            .collect();
        if runs > 0 {
            let per = n.div_ceil(runs);
            for chunk in rows.chunks_mut(per) {
                chunk.sort();
            }
        }
        Rows(rows)
    }

    #[test]
    fn merges_runs_and_sorts_rows_in_no_order_as_a_full_sort_would() {
        for (n, runs) in [(0, 0), (1, 1), (200_000, 99), (200_000, 0), (150_000, 1)] {
            let rows = directory(n, runs);
            assert_eq!(
                build_candidates_file(&rows).unwrap(),
                oracle(&rows),
                "{n} rows, {runs} runs"
            );
        }
    }

    #[test]
    fn runs_that_do_not_interleave_come_out_whole_and_in_order() {
        // A division's codes in a range of their own, the divisions read in no key order.
        let mut sorted = directory(150_000, 1).0;
        sorted.sort();
        let mut rows: Vec<_> = sorted.chunks(3_000).rev().flatten().cloned().collect();
        // One division whose codes fall among another's.
        rows[10..20].iter_mut().for_each(|r| r.0.push('5'));
        let rows = Rows(rows);
        assert_eq!(build_candidates_file(&rows).unwrap(), oracle(&rows));
    }

    #[test]
    fn a_key_in_two_runs_is_refused_at_its_second_line() {
        let mut rows = directory(100_000, 10);
        let dup = rows.0[5].0.clone();
        rows.0[5].1 = Some("B");
        rows.0[99_999] = (dup.clone(), Some("A"));
        let sorted = oracle(&rows);
        let first = sorted
            .split(|&b| b == b'\n')
            .position(|l| l.starts_with(format!("{dup},").as_bytes()))
            .unwrap();
        match build_candidates_file(&rows).unwrap_err() {
            DrawError::BadFile { line, reason, .. } => {
                assert_eq!(reason, format!("检查对象代码 {dup} 重复"));
                assert_eq!(line, first + 2);
            }
            other => panic!("{other}"),
        }
    }

    proptest! {
        #[test]
        fn any_rows_in_any_order(keys in proptest::collection::btree_set("[0-9A-Z]{1,6}", 0..300),
                                 order in proptest::collection::vec(any::<u16>(), 300),
                                 excluded in proptest::collection::vec(any::<bool>(), 300)) {
            let mut rows: Vec<(String, Option<&'static str>)> = keys
                .into_iter()
                .enumerate()
                .map(|(i, k)| (k, if excluded[i] { None } else { Some("U") }))
                .collect();
            let n = rows.len();
            for (i, o) in order.iter().take(n).enumerate() {
                rows.swap(i, *o as usize % n);
            }
            let rows = Rows(rows);
            prop_assert_eq!(build_candidates_file(&rows).unwrap(), oracle(&rows));
        }
    }
}
