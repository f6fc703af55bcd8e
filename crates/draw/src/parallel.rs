//! Work split over all cores with scoped threads: the standard library is enough for the two
//! shapes the engine needs.

use std::num::NonZeroUsize;
use std::ops::Range;

pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Calls `work(offset, chunk)` on contiguous chunks of `items`, one per core.
pub fn for_chunks_mut<T: Send>(items: &mut [T], work: impl Fn(usize, &mut [T]) + Sync) {
    let n = threads();
    if n == 1 || items.len() < 4096 {
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
