//! Work split over all cores with scoped threads: the standard library is enough for the two
//! shapes the engine needs.

use std::num::NonZeroUsize;
use std::ops::Range;

pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Calls `work(offset, chunk)` on contiguous chunks of `items`, one per core, once there are
/// `worth_splitting` items (fewer are not worth a thread's start).
pub fn for_chunks_mut<T: Send>(
    items: &mut [T],
    worth_splitting: usize,
    work: impl Fn(usize, &mut [T]) + Sync,
) {
    let n = threads();
    if n == 1 || items.len() < worth_splitting {
        work(0, items);
        return;
    }
    let chunk = items.len().div_ceil(n);
    std::thread::scope(|scope| {
        for (i, part) in items.chunks_mut(chunk).enumerate() {
            let work = &work;
            scope.spawn(move || work(i * chunk, part));
        }
    });
}

/// `work` on contiguous ranges of `0..len`, one per core; the results in range order.
pub fn map_ranges<R: Send>(len: usize, work: impl Fn(Range<usize>) -> R + Sync) -> Vec<R> {
    let n = threads();
    if n == 1 || len < 4096 {
        return vec![work(0..len)];
    }
    let chunk = len.div_ceil(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|t| {
                let work = &work;
                scope.spawn(move || work(t * chunk..((t + 1) * chunk).min(len)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a draw thread panicked"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_item_once_and_split_once_worth_it() {
        for (len, worth) in [(10, 16), (64, 16), (5000, 4096), (1000, 4096)] {
            let mut items = vec![0usize; len];
            let starts = std::sync::Mutex::new(Vec::new());
            for_chunks_mut(&mut items, worth, |offset, chunk| {
                starts.lock().unwrap().push(offset);
                for (j, item) in chunk.iter_mut().enumerate() {
                    *item += offset + j + 1;
                }
            });
            assert!(items.iter().enumerate().all(|(i, &v)| v == i + 1), "{len}");
            let parts = starts.into_inner().unwrap().len();
            let expected = if len >= worth { threads() } else { 1 };
            assert_eq!(parts, expected, "{len} items, worth splitting from {worth}");
        }
    }
}
