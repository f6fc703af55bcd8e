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
    chunks_on(threads(), items, worth_splitting, work)
}

/// [`for_chunks_mut`] on `n` threads: at most `n` chunks of at most `len.div_ceil(n)` items
/// (so 14 threads may get 13 chunks); the callers only need every item once, with its offset.
fn chunks_on<T: Send>(
    n: usize,
    items: &mut [T],
    worth_splitting: usize,
    work: impl Fn(usize, &mut [T]) + Sync,
) {
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
    ranges_on(threads(), len, work)
}

/// [`map_ranges`] on `n` threads.
fn ranges_on<R: Send>(n: usize, len: usize, work: impl Fn(Range<usize>) -> R + Sync) -> Vec<R> {
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
        for n in 1..=64 {
            for (len, worth) in [(10, 16), (16, 16), (64, 16), (5000, 4096), (1000, 4096)] {
                let mut items = vec![0usize; len];
                let parts = std::sync::Mutex::new(Vec::new());
                chunks_on(n, &mut items, worth, |offset, chunk| {
                    parts.lock().unwrap().push((offset, chunk.len()));
                    for (j, item) in chunk.iter_mut().enumerate() {
                        *item += offset + j + 1;
                    }
                });
                let at = format!("{n} threads, {len} items, worth splitting from {worth}");
                assert!(items.iter().enumerate().all(|(i, &v)| v == i + 1), "{at}");
                let mut parts = parts.into_inner().unwrap();
                parts.sort_unstable();
                // Contiguous chunks that tile the items: each starts where the last ended.
                let mut end = 0;
                for &(offset, len) in &parts {
                    assert_eq!(offset, end, "{at}: {parts:?}");
                    end += len;
                }
                assert_eq!(end, len, "{at}");
                if n == 1 || len < worth {
                    assert_eq!(parts.len(), 1, "{at}: not worth a thread");
                } else {
                    // Split over the threads: no more chunks than threads, none larger than
                    // an even share, and so at least as many as an even share needs.
                    let share = len.div_ceil(n);
                    assert!(parts.iter().all(|&(_, l)| l <= share), "{at}: {parts:?}");
                    assert!(parts.len() <= n, "{at}: {} chunks", parts.len());
                    assert_eq!(parts.len(), len.div_ceil(share), "{at}");
                    assert!(parts.len() > 1, "{at}: not split");
                }
            }
        }
    }

    #[test]
    fn ranges_tile_the_length_in_order_on_any_thread_count() {
        for n in 1..=64 {
            for len in [0, 1, 4095, 4096, 4097, 5000, 100_003] {
                let ranges = ranges_on(n, len, |r| r);
                let at = format!("{n} threads, length {len}");
                let mut end = 0;
                for r in &ranges {
                    assert!(r.start == end && r.start <= r.end, "{at}: {ranges:?}");
                    end = r.end;
                }
                assert_eq!(end, len, "{at}");
                let expected = if n == 1 || len < 4096 { 1 } else { n };
                assert_eq!(ranges.len(), expected, "{at}");
            }
        }
    }
}
