//! Work split over all cores with scoped threads: the standard library is enough for the one
//! shape the engine needs (a slice cut into contiguous chunks).

use std::num::NonZeroUsize;

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
