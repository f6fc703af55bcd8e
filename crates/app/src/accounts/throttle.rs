//! Failed logins counted per client address, in memory.
//!
//! The scheme, in full:
//!
//! * Each client address ("source") has at most one open *burst*: a window of
//!   [`Policy::throttle_window_ms`] that starts with its first attempt. Attempts are counted
//!   when they start and settled as a failure or a success when they end; at most
//!   [`Policy::throttle_in_flight`] may be in flight at once, which bounds how far concurrent
//!   guesses can overshoot the limit, while an office behind one address still logs in
//!   together in the morning.
//! * Once a source has [`Policy::throttle_failures`] failures in its window, its further
//!   attempts are refused before any lookup or password hashing until the window closes;
//!   other sources are unaffected, so nobody can lock an account for everyone.
//! * The audit log gets one record for the first failure of a burst, and one summary record
//!   ("N 次失败") for the whole burst when it closes: at its source's next success, at its
//!   source's first attempt after the window, at a sweep (at most once a minute from a login,
//!   or [`crate::Platform::flush_login_bursts`]), or when the table is full and it is evicted.
//!   A summary is written only when there is something the log has not been told yet. So one
//!   source adds at most a few bounded records per window, whatever it sends.
//! * The table holds at most [`MAX_SOURCES`] sources; when full, closed windows are dropped
//!   first, then the oldest one. A successful login with no failures leaves no entry.
//! * State is lost on restart; this only forgets counts, it never locks anyone.
//!
//! [`Policy::throttle_window_ms`]: crate::Policy::throttle_window_ms
//! [`Policy::throttle_failures`]: crate::Policy::throttle_failures
//! [`Policy::throttle_in_flight`]: crate::Policy::throttle_in_flight

use crate::Policy;
use std::collections::HashMap;
use std::sync::Mutex;

/// How many client addresses are tracked at once.
pub const MAX_SOURCES: usize = 10_000;
/// How many distinct usernames a burst remembers for its summary.
const MAX_NAMES: usize = 10;
/// Source keys are addresses or "unknown"; anything longer is cut (it is never user text).
const MAX_SOURCE_LEN: usize = 64;

/// One source's window of attempts.
#[derive(Debug, Clone, Default)]
pub struct Burst {
    pub start_ms: i64,
    pub failures: u32,
    /// Attempts refused because the source was throttled.
    pub refused: u32,
    /// Distinct valid-form usernames tried, in order, at most [`MAX_NAMES`].
    pub names: Vec<String>,
    /// Failures whose username was not of a valid form (never stored).
    pub malformed: u32,
    pending: u32,
    told_failures: u32,
    told_refused: u32,
}

impl Burst {
    /// Whether the log has not yet been told everything about this burst.
    fn untold(&self) -> bool {
        self.failures > self.told_failures || self.refused > self.told_refused
    }
    fn mark_told(&mut self) {
        self.told_failures = self.failures;
        self.told_refused = self.refused;
    }
}

/// A burst whose summary is due, with its source.
pub struct Closed {
    pub source: String,
    pub burst: Burst,
}

#[derive(Default)]
struct Inner {
    sources: HashMap<String, Burst>,
    last_sweep_ms: i64,
}

/// The per-platform table of sources. The lock is never held across an `await`.
#[derive(Default)]
pub struct LoginGuard {
    inner: Mutex<Inner>,
}

/// What a start of an attempt came to.
pub enum Start<'a> {
    Go(Attempt<'a>),
    /// Throttled: try again after this many milliseconds.
    Refused(i64),
}

/// An attempt in flight; dropping it unsettled (an error on the way) just forgets it.
pub struct Attempt<'a> {
    guard: &'a LoginGuard,
    source: String,
    settled: bool,
}

/// A settled failure: whether it opened the burst (so it gets its own record).
pub struct Failure {
    pub first: bool,
}

pub fn source_key(source: &str) -> String {
    let s = source.trim();
    if s.is_empty() {
        return "unknown".into();
    }
    s.chars().take(MAX_SOURCE_LEN).collect()
}

impl LoginGuard {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere while counting leaves counts that are still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts an attempt from `source`, or refuses it if the source is throttled. `closed`
    /// receives bursts whose summaries are now due.
    pub fn start(
        &self,
        source: &str,
        now: i64,
        policy: &Policy,
        closed: &mut Vec<Closed>,
    ) -> Start<'_> {
        let source = source_key(source);
        let mut inner = self.lock();
        if now - inner.last_sweep_ms >= 60_000 {
            inner.last_sweep_ms = now;
            sweep(&mut inner, now, policy, closed);
        }
        let expired = inner
            .sources
            .get(&source)
            .is_some_and(|b| now - b.start_ms >= policy.throttle_window_ms && b.pending == 0);
        if expired && let Some(b) = inner.sources.remove(&source) {
            close(source.clone(), b, closed);
        }
        if !inner.sources.contains_key(&source) && inner.sources.len() >= MAX_SOURCES {
            make_room(&mut inner, now, policy, closed);
        }
        let b = inner
            .sources
            .entry(source.clone())
            .or_insert_with(|| Burst {
                start_ms: now,
                ..Burst::default()
            });
        if i64::from(b.failures) >= policy.throttle_failures
            || i64::from(b.pending) >= policy.throttle_in_flight
        {
            b.refused += 1;
            return Start::Refused((b.start_ms + policy.throttle_window_ms - now).max(1));
        }
        b.pending += 1;
        Start::Go(Attempt {
            guard: self,
            source,
            settled: false,
        })
    }

    /// Closes every burst whose window is over.
    pub fn sweep(&self, now: i64, policy: &Policy) -> Vec<Closed> {
        let mut closed = Vec::new();
        let mut inner = self.lock();
        inner.last_sweep_ms = now;
        sweep(&mut inner, now, policy, &mut closed);
        closed
    }

    /// How many sources are tracked (for tests and diagnostics).
    pub fn tracked(&self) -> usize {
        self.lock().sources.len()
    }
}

impl Attempt<'_> {
    /// Settles the attempt as a failure; `name` is the valid-form username, if it was one.
    pub fn failed(mut self, name: Option<&str>) -> Failure {
        self.settled = true;
        let mut inner = self.guard.lock();
        let Some(b) = inner.sources.get_mut(&self.source) else {
            return Failure { first: false };
        };
        b.pending = b.pending.saturating_sub(1);
        b.failures += 1;
        match name {
            Some(n) if !b.names.iter().any(|x| x == n) && b.names.len() < MAX_NAMES => {
                b.names.push(n.to_string())
            }
            Some(_) => {}
            None => b.malformed += 1,
        }
        let first = b.told_failures == 0;
        if first {
            b.told_failures = 1;
        }
        Failure { first }
    }

    /// Settles the attempt as a success: the burst's summary is due now if anything is untold.
    /// The count stays, so a success on one account does not buy more guesses at another.
    pub fn succeeded(mut self) -> Option<Closed> {
        self.settled = true;
        let mut inner = self.guard.lock();
        let b = inner.sources.get_mut(&self.source)?;
        b.pending = b.pending.saturating_sub(1);
        if b.failures == 0 && b.refused == 0 && b.pending == 0 {
            inner.sources.remove(&self.source);
            return None;
        }
        if !b.untold() {
            return None;
        }
        let summary = b.clone();
        b.mark_told();
        Some(Closed {
            source: self.source.clone(),
            burst: summary,
        })
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            let mut inner = self.guard.lock();
            if let Some(b) = inner.sources.get_mut(&self.source) {
                b.pending = b.pending.saturating_sub(1);
            }
        }
    }
}

fn close(source: String, b: Burst, closed: &mut Vec<Closed>) {
    if b.untold() {
        closed.push(Closed { source, burst: b });
    }
}

fn sweep(inner: &mut Inner, now: i64, policy: &Policy, closed: &mut Vec<Closed>) {
    let over: Vec<String> = inner
        .sources
        .iter()
        .filter(|(_, b)| now - b.start_ms >= policy.throttle_window_ms && b.pending == 0)
        .map(|(k, _)| k.clone())
        .collect();
    for k in over {
        if let Some(b) = inner.sources.remove(&k) {
            close(k, b, closed);
        }
    }
}

/// Frees one place at least: closed windows first, then the oldest burst.
fn make_room(inner: &mut Inner, now: i64, policy: &Policy, closed: &mut Vec<Closed>) {
    sweep(inner, now, policy, closed);
    if inner.sources.len() < MAX_SOURCES {
        return;
    }
    let oldest = inner
        .sources
        .iter()
        .min_by_key(|(_, b)| b.start_ms)
        .map(|(k, _)| k.clone());
    if let Some(k) = oldest
        && let Some(b) = inner.sources.remove(&k)
    {
        close(k, b, closed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            throttle_failures: 3,
            throttle_in_flight: 3,
            throttle_window_ms: 1_000,
            ..Policy::default()
        }
    }

    fn go<'a>(g: &'a LoginGuard, src: &str, now: i64, closed: &mut Vec<Closed>) -> Attempt<'a> {
        match g.start(src, now, &policy(), closed) {
            Start::Go(a) => a,
            Start::Refused(_) => panic!("refused"),
        }
    }

    #[test]
    fn a_source_is_throttled_after_its_failures_and_only_it() {
        let g = LoginGuard::default();
        let mut closed = Vec::new();
        let mut firsts = 0;
        for i in 0..3 {
            let f = go(&g, "10.0.0.1", 100 + i, &mut closed).failed(Some("admin"));
            firsts += usize::from(f.first);
        }
        assert_eq!(firsts, 1, "one record opens the burst");
        match g.start("10.0.0.1", 200, &policy(), &mut closed) {
            Start::Refused(ms) => assert_eq!(ms, 900),
            Start::Go(_) => panic!("should be throttled"),
        }
        go(&g, "10.0.0.2", 200, &mut closed).succeeded();
        assert!(closed.is_empty());
        // After the window, the source may try again and the old burst is summarised.
        let a = go(&g, "10.0.0.1", 1_200, &mut closed);
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].burst.failures, 3);
        assert_eq!(closed[0].burst.refused, 1);
        assert_eq!(closed[0].burst.names, vec!["admin".to_string()]);
        assert!(a.succeeded().is_none(), "nothing untold in the new window");
    }

    #[test]
    fn concurrent_attempts_cannot_overshoot_and_dropped_ones_are_forgotten() {
        let g = LoginGuard::default();
        let mut closed = Vec::new();
        let a = go(&g, "s", 0, &mut closed);
        let b = go(&g, "s", 0, &mut closed);
        let c = go(&g, "s", 0, &mut closed);
        assert!(matches!(
            g.start("s", 0, &policy(), &mut closed),
            Start::Refused(_)
        ));
        drop(a);
        b.failed(None);
        let s = c.succeeded().expect("a failure is untold");
        assert_eq!((s.burst.failures, s.burst.malformed), (1, 1));
        go(&g, "s", 0, &mut closed).failed(Some("x.y"));
    }

    #[test]
    fn the_table_is_bounded() {
        let g = LoginGuard::default();
        let mut closed = Vec::new();
        for i in 0..(MAX_SOURCES + 5) {
            // The second failure is news the opening record did not carry.
            for _ in 0..2 {
                go(&g, &format!("s{i}"), 0, &mut closed).failed(Some("admin"));
            }
        }
        assert_eq!(g.tracked(), MAX_SOURCES);
        assert_eq!(closed.len(), 5, "evicted bursts are summarised, not lost");
    }
}
