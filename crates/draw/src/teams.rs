//! Officers (spec §4): for each selected object, in draw order, officers are walked by
//! SHA-256(seed ‖ "O" ‖ key ‖ 0x00 ‖ officer_id), skipping the team's members, conflicts (回避)
//! and, in a first pass, officers at the load cap; a department quota is filled before anyone
//! else may take a place it needs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::error::DrawError;
use crate::files::{Conflict, Officer};
use crate::hash::{Prefixed, sha256_parts};
use crate::parallel::for_chunks_mut;
use crate::seed::Seed;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSpec {
    pub size: usize,
    pub quotas: BTreeMap<String, usize>,
    pub initiating_department: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    /// Indices into the officer pool, in the order taken.
    pub members: Vec<usize>,
    pub leader: usize,
    pub cap_exceeded: bool,
}

/// The pool, its departments and conflicts, ready for walking.
pub struct Roster<'a> {
    pub pool: &'a [Officer],
    department_of: Vec<usize>,
    quota: Vec<usize>,
    initiating: Option<usize>,
    department_names: Vec<&'a str>,
    conflicts: HashMap<&'a str, Vec<usize>>,
    size: usize,
}

impl<'a> Roster<'a> {
    /// Checks the team spec against the pool: m ≥ 2, Σ quotas ≤ m, enough officers overall and
    /// in every department with a quota.
    pub fn new(
        pool: &'a [Officer],
        conflicts: &'a [Conflict],
        spec: &'a TeamSpec,
    ) -> Result<Self, DrawError> {
        if spec.size < 2 {
            return Err(DrawError::TeamTooSmall(spec.size));
        }
        for department in spec.quotas.keys() {
            crate::files::check_field("部门名称", department)?;
        }
        if !spec.initiating_department.is_empty() {
            crate::files::check_field("发起部门名称", &spec.initiating_department)?;
        }
        // Checked: quotas come from a published manifest, which may hold any integer.
        let quota_sum = spec
            .quotas
            .values()
            .try_fold(0usize, |sum, &q| sum.checked_add(q))
            .unwrap_or(usize::MAX);
        if quota_sum > spec.size {
            return Err(DrawError::QuotaOverSize {
                quota: quota_sum,
                size: spec.size,
            });
        }
        if pool.len() < spec.size {
            return Err(DrawError::TooFewOfficers {
                pool: pool.len(),
                size: spec.size,
            });
        }
        let mut department_names: Vec<&str> = Vec::new();
        let department_of: Vec<usize> = pool
            .iter()
            .map(
                |o| match department_names.iter().position(|d| *d == o.department) {
                    Some(i) => i,
                    None => {
                        department_names.push(&o.department);
                        department_names.len() - 1
                    }
                },
            )
            .collect();
        let mut quota = vec![0; department_names.len()];
        for (department, &q) in &spec.quotas {
            let available = pool.iter().filter(|o| &o.department == department).count();
            if q > available {
                return Err(DrawError::QuotaUnfillable {
                    department: department.clone(),
                    quota: q,
                    available,
                });
            }
            if let Some(d) = department_names.iter().position(|d| d == department) {
                quota[d] = q;
            }
        }
        let index: HashMap<&str, usize> = pool
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.as_str(), i))
            .collect();
        let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
        for c in conflicts {
            if let Some(&o) = index.get(c.officer_id.as_str()) {
                by_key.entry(c.key.as_str()).or_default().push(o);
            }
        }
        Ok(Roster {
            pool,
            initiating: department_names
                .iter()
                .position(|d| *d == spec.initiating_department),
            department_of,
            quota,
            department_names,
            conflicts: by_key,
            size: spec.size,
        })
    }

    pub fn conflicted(&self, key: &str, officer: usize) -> bool {
        self.conflicts
            .get(key)
            .is_some_and(|list| list.contains(&officer))
    }

    /// Whether `officer` may take a place in a team of `members`: its department still needs
    /// someone, or there are more places left than places the quotas still need.
    fn may_take(&self, members: &[usize], officer: usize) -> bool {
        let mut taken = vec![0; self.quota.len()];
        for &m in members {
            taken[self.department_of[m]] += 1;
        }
        let unmet: usize = self
            .quota
            .iter()
            .zip(&taken)
            .map(|(q, t)| q.saturating_sub(*t))
            .sum();
        let d = self.department_of[officer];
        taken[d] < self.quota[d] || self.size - members.len() > unmet
    }

    fn unmet_quotas(&self, members: &[usize]) -> String {
        let mut taken = vec![0; self.quota.len()];
        for &m in members {
            taken[self.department_of[m]] += 1;
        }
        let unmet: Vec<String> = self
            .quota
            .iter()
            .zip(&taken)
            .enumerate()
            .filter(|(_, (q, t))| t < q)
            .map(|(d, (q, t))| format!("{}还差 {} 人", self.department_names[d], q - t))
            .collect();
        if unmet.is_empty() {
            format!("回避后可用的执法人员不足 {} 人", self.size)
        } else {
            format!("部门配额未满足（{}）", unmet.join("，"))
        }
    }

    /// 组长: the first member from the initiating department, else the first member.
    pub fn leader(&self, members: &[usize]) -> usize {
        members
            .iter()
            .copied()
            .find(|&m| Some(self.department_of[m]) == self.initiating)
            .unwrap_or(members[0])
    }

    /// All officers in this object's walk order: oticket ascending, ties by officer id.
    pub fn walk_order(&self, seed: &Seed, key: &str) -> Vec<usize> {
        let mut order = self.prefixes(seed, key);
        order.sort_unstable_by(|a, b| self.order(seed, key, a, b));
        order.into_iter().map(|(_, o)| o as usize).collect()
    }

    fn prefixes(&self, seed: &Seed, key: &str) -> Vec<(u64, u32)> {
        let head = Prefixed::new(&[&seed.0, b"O", key.as_bytes(), b"\0"]);
        head.prefixes(self.pool.iter().map(|o| o.id.as_bytes()))
            .into_iter()
            .zip(0u32..)
            .collect()
    }

    fn order(&self, seed: &Seed, key: &str, a: &(u64, u32), b: &(u64, u32)) -> std::cmp::Ordering {
        a.0.cmp(&b.0).then_with(|| {
            let (oa, ob) = (&self.pool[a.1 as usize].id, &self.pool[b.1 as usize].id);
            oticket(seed, key, oa)
                .cmp(&oticket(seed, key, ob))
                .then_with(|| oa.as_bytes().cmp(ob.as_bytes()))
        })
    }
}

pub fn oticket(seed: &Seed, key: &str, officer_id: &str) -> [u8; 32] {
    sha256_parts(&[&seed.0, b"O", key.as_bytes(), b"\0", officer_id.as_bytes()])
}

/// `ceil(K × m / P)`.
pub fn load_cap(selected: usize, size: usize, pool: usize) -> u64 {
    ((selected as u128 * size as u128).div_ceil(pool.max(1) as u128)) as u64
}

/// An object's officers in walk order, computed lazily: the first `HEAD` are sorted at once,
/// the rest only if a walk gets that far (when caps and conflicts bind). Entries are an
/// oticket's first 8 bytes above the officer's index, so that they sort as plain integers; two
/// officers whose first 8 bytes tie (about once in 2^64 pairs) are put in order by the whole
/// oticket instead.
struct WalkOrder {
    entries: Vec<u128>,
    sorted: usize,
}

const HEAD: usize = 24;

fn prefix_of(entry: u128) -> u64 {
    (entry >> 32) as u64
}

/// Orders two entries by whole otickets, then officer ids.
type Exact<'e> = &'e dyn Fn(u128, u128) -> std::cmp::Ordering;

impl WalkOrder {
    fn new(roster: &Roster, seed: &Seed, key: &str) -> WalkOrder {
        let entries = roster
            .prefixes(seed, key)
            .into_iter()
            .map(|(p, i)| ((p as u128) << 32) | i as u128)
            .collect();
        WalkOrder::from_entries(entries, &|a, b| exact_order(roster, seed, key, a, b))
    }

    fn from_entries(mut entries: Vec<u128>, exact: Exact) -> WalkOrder {
        let head = HEAD.min(entries.len());
        if head < entries.len() {
            entries.select_nth_unstable(head - 1);
        }
        entries[..head].sort_unstable();
        let mut order = WalkOrder {
            entries,
            sorted: head,
        };
        let tie_at_cut = head < order.entries.len()
            && order.entries[head..]
                .iter()
                .any(|&e| prefix_of(e) == prefix_of(order.entries[head - 1]));
        if tie_at_cut || has_ties(&order.entries[..head]) {
            order.sort_exactly(exact, 0);
        }
        order
    }

    fn sort_exactly(&mut self, exact: Exact, from: usize) {
        self.entries[from..].sort_unstable_by(|a, b| exact(*a, *b));
        self.sorted = self.entries.len();
    }

    fn get(&mut self, roster: &Roster, seed: &Seed, key: &str, i: usize) -> usize {
        self.get_with(&|a, b| exact_order(roster, seed, key, a, b), i)
    }

    fn get_with(&mut self, exact: Exact, i: usize) -> usize {
        if i >= self.sorted {
            let from = self.sorted;
            self.entries[from..].sort_unstable();
            self.sorted = self.entries.len();
            if has_ties(&self.entries[from..]) {
                self.sort_exactly(exact, from);
            }
        }
        self.entries[i] as u32 as usize
    }
}

fn exact_order(roster: &Roster, seed: &Seed, key: &str, a: u128, b: u128) -> std::cmp::Ordering {
    let unpack = |e: u128| (prefix_of(e), e as u32);
    roster.order(seed, key, &unpack(a), &unpack(b))
}

fn has_ties(sorted: &[u128]) -> bool {
    sorted
        .windows(2)
        .any(|w| prefix_of(w[0]) == prefix_of(w[1]))
}

/// Teams for the selected objects, given by key in draw order. Fails as a whole, naming the
/// object and the unmet quota, if any object cannot get a full team.
pub fn assign(seed: &Seed, keys: &[&str], roster: &Roster) -> Result<(u64, Vec<Team>), DrawError> {
    let pool = roster.pool.len();
    let cap = load_cap(keys.len(), roster.size, pool);
    let mut load = vec![0u64; pool];
    let mut teams = Vec::with_capacity(keys.len());
    // Orders are computed on all cores a batch ahead, while this thread walks the previous
    // batch: the walk is sequential because each team changes the loads the next one sees.
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Option<WalkOrder>>>(1);
        scope.spawn(move || {
            for batch in keys.chunks(1024) {
                let mut orders: Vec<Option<WalkOrder>> = (0..batch.len()).map(|_| None).collect();
                // Each order hashes the whole pool: a few objects are worth a thread.
                for_chunks_mut(&mut orders, 16, |offset, chunk| {
                    for (j, slot) in chunk.iter_mut().enumerate() {
                        *slot = Some(WalkOrder::new(roster, seed, batch[offset + j]));
                    }
                });
                if sender.send(orders).is_err() {
                    return; // the walk failed and stopped listening
                }
            }
        });
        for batch in keys.chunks(1024) {
            let orders = receiver.recv().expect("the order thread sends every batch");
            for (key, order) in batch.iter().zip(orders) {
                let mut order = order.expect("computed above");
                let team = walk(seed, key, roster, &mut order, &load, cap)?;
                for &m in &team.members {
                    load[m] += 1;
                }
                teams.push(team);
            }
        }
        Ok((cap, teams))
    })
}

fn walk(
    seed: &Seed,
    key: &str,
    roster: &Roster,
    order: &mut WalkOrder,
    load: &[u64],
    cap: u64,
) -> Result<Team, DrawError> {
    let m = roster.size;
    let conflicts: &[usize] = roster.conflicts.get(key).map_or(&[], Vec::as_slice);
    let mut members: Vec<usize> = Vec::with_capacity(m);
    let mut taken = vec![0usize; roster.quota.len()];
    let mut unmet: usize = roster.quota.iter().sum();
    let mut cap_exceeded = false;
    for first_pass in [true, false] {
        for i in 0..roster.pool.len() {
            if members.len() == m {
                break;
            }
            let o = order.get(roster, seed, key, i);
            if members.contains(&o) || conflicts.contains(&o) || (first_pass && load[o] >= cap) {
                continue;
            }
            // The same rule as `Roster::may_take`, kept incrementally.
            let d = roster.department_of[o];
            let needed = taken[d] < roster.quota[d];
            if needed || m - members.len() > unmet {
                members.push(o);
                taken[d] += 1;
                if needed {
                    unmet -= 1;
                }
            }
        }
        if members.len() == m {
            break;
        }
        cap_exceeded = true;
    }
    if members.len() < m {
        return Err(DrawError::NoValidTeam {
            key: key.to_string(),
            detail: roster.unmet_quotas(&members),
        });
    }
    Ok(Team {
        leader: roster.leader(&members),
        members,
        cap_exceeded,
    })
}

/// 递补 of an officer after the draw: the next officer in the object's walk order who is not in
/// the team, was never removed from it, has no conflict with it and keeps the quotas met. The
/// cap does not apply.
pub fn replacement(
    seed: &Seed,
    key: &str,
    roster: &Roster,
    members: &[usize],
    removed: &[usize],
    extra_conflict: impl Fn(usize) -> bool,
) -> Result<usize, DrawError> {
    roster
        .walk_order(seed, key)
        .into_iter()
        .find(|&o| {
            !members.contains(&o)
                && !removed.contains(&o)
                && !roster.conflicted(key, o)
                && !extra_conflict(o)
                && roster.may_take(members, o)
        })
        .ok_or_else(|| {
            DrawError::Substitution(format!(
                "检查对象 {key} 已没有可递补的执法人员：{}",
                roster.unmet_quotas(members)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn officers_whose_first_eight_bytes_tie_are_ordered_by_the_whole_oticket() {
        // Entries: prefix above index. Ties of a prefix go by a stand-in for the whole
        // oticket: here the index, descending.
        let exact = |a: u128, b: u128| {
            prefix_of(a)
                .cmp(&prefix_of(b))
                .then_with(|| (b as u32).cmp(&(a as u32)))
        };
        let entry = |p: u64, i: u32| ((p as u128) << 32) | i as u128;
        let mut entries: Vec<u128> = (0..30).map(|i| entry(100 + i as u64, i)).collect();
        entries.extend((40..44).map(|i| entry(5, i)));
        entries.extend((50..60).map(|i| entry(1000 + i as u64, i)));
        entries.reverse();
        let mut order = WalkOrder::from_entries(entries.clone(), &exact);
        let walked: Vec<usize> = (0..entries.len())
            .map(|i| order.get_with(&exact, i))
            .collect();
        let mut expected = entries.clone();
        expected.sort_unstable_by(|a, b| exact(*a, *b));
        let expected: Vec<usize> = expected.iter().map(|&e| e as u32 as usize).collect();
        assert_eq!(walked, expected);
        assert_eq!(&walked[..4], &[43, 42, 41, 40]);
        // A tie beyond the first HEAD, met only when a walk goes that far.
        let mut entries: Vec<u128> = (0..40).map(|i| entry(i as u64, i)).collect();
        entries.extend((40..43).map(|i| entry(500, i)));
        let mut order = WalkOrder::from_entries(entries, &exact);
        let walked: Vec<usize> = (0..43).map(|i| order.get_with(&exact, i)).collect();
        assert_eq!(&walked[40..], &[42, 41, 40]);
        // And a tie across the cut after the first HEAD.
        let mut entries: Vec<u128> = (0..23).map(|i| entry(i as u64, i)).collect();
        entries.extend((30..33).map(|i| entry(77, i)));
        let mut order = WalkOrder::from_entries(entries, &exact);
        assert_eq!(order.get_with(&exact, 23), 32);
    }
}
