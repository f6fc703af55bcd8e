//! 进一次门、查多项事: when several tasks of the year drew the same object in windows that
//! overlap, one visit can carry all their items and all their departments' officers. Pure:
//! the picks in, the proposed visits out, in one pass over the picks sorted by object.

use super::window::Window;
use serde::Serialize;

/// A drawn task as the merge sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnTask {
    pub task_id: i64,
    pub window: Window,
}

/// One visit proposed in place of several: the object, the tasks (ids, ascending) and the
/// days all their windows share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergedVisit {
    pub object_code: String,
    pub task_ids: Vec<i64>,
    pub window: Window,
}

impl MergedVisit {
    /// Names the visit for its confirmations: the object and its tasks.
    pub fn key(&self) -> String {
        let ids: Vec<String> = self.task_ids.iter().map(i64::to_string).collect();
        format!("{}:{}", self.object_code, ids.join(","))
    }
}

/// The visits the picks allow: for each object, the tasks that drew it grouped greedily by
/// window (a task joins a group when its window overlaps what the group's windows all share);
/// groups of two or more tasks are proposals. `picks` are (task index, object code) with task
/// indexes into `tasks`; they need not be sorted.
pub fn merge_visits(tasks: &[DrawnTask], picks: &mut [(usize, String)]) -> Vec<MergedVisit> {
    picks.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < picks.len() {
        let mut j = i + 1;
        while j < picks.len() && picks[j].1 == picks[i].1 {
            j += 1;
        }
        if j - i >= 2 {
            let mut by_start: Vec<usize> = picks[i..j].iter().map(|p| p.0).collect();
            by_start.dedup();
            by_start.sort_by(|a, b| tasks[*a].window.from.cmp(&tasks[*b].window.from));
            let mut group: Vec<usize> = Vec::new();
            let mut shared: Option<Window> = None;
            let mut flush = |group: &mut Vec<usize>, shared: &Option<Window>| {
                if group.len() >= 2
                    && let Some(w) = shared
                {
                    let mut ids: Vec<i64> = group.iter().map(|t| tasks[*t].task_id).collect();
                    ids.sort_unstable();
                    out.push(MergedVisit {
                        object_code: picks[i].1.clone(),
                        task_ids: ids,
                        window: w.clone(),
                    });
                }
                group.clear();
            };
            for t in by_start {
                let w = &tasks[t].window;
                let joined = shared.as_ref().and_then(|s| {
                    let from = s.from.clone().max(w.from.clone());
                    let to = s.to.clone().min(w.to.clone());
                    (from <= to).then_some(Window { from, to })
                });
                match joined {
                    Some(s) => {
                        shared = Some(s);
                        group.push(t);
                    }
                    None => {
                        flush(&mut group, &shared);
                        shared = Some(w.clone());
                        group.push(t);
                    }
                }
            }
            flush(&mut group, &shared);
        }
        i = j;
    }
    out
}

/// Visits saved by the proposals: each merges its tasks' visits into one.
pub fn visits_saved(visits: &[MergedVisit]) -> usize {
    visits.iter().map(|v| v.task_ids.len() - 1).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: i64, from: &str, to: &str) -> DrawnTask {
        DrawnTask {
            task_id: id,
            window: Window {
                from: from.into(),
                to: to.into(),
            },
        }
    }

    #[test]
    fn overlapping_windows_merge_and_the_rest_stay_apart() {
        let tasks = [
            task(10, "2024-03-01", "2024-12-31"),
            task(11, "2024-06-01", "2024-11-30"),
            task(12, "2024-01-01", "2024-02-28"),
            task(13, "2024-11-01", "2024-12-31"),
        ];
        let mut picks = vec![
            (0, "B".to_string()),
            (1, "A".to_string()),
            (0, "A".to_string()),
            (2, "A".to_string()),
            (3, "A".to_string()),
            (2, "C".to_string()),
        ];
        let visits = merge_visits(&tasks, &mut picks);
        // A: 12 alone (Jan–Feb); 10, 11 and 13 share 2024-11-01..2024-11-30.
        assert_eq!(
            visits,
            [MergedVisit {
                object_code: "A".into(),
                task_ids: vec![10, 11, 13],
                window: Window {
                    from: "2024-11-01".into(),
                    to: "2024-11-30".into()
                },
            }]
        );
        assert_eq!(visits[0].key(), "A:10,11,13");
        assert_eq!(visits_saved(&visits), 2);
    }

    #[test]
    fn a_hundred_thousand_picks_merge_in_one_pass() {
        let tasks: Vec<DrawnTask> = (0..60)
            .map(|i| task(i, "2024-03-01", "2024-12-31"))
            .collect();
        let mut picks: Vec<(usize, String)> = (0..100_000)
            .map(|i| (i % 59, format!("{:06}", (i * 7919) % 90_000)))
            .collect();
        let visits = merge_visits(&tasks, &mut picks);
        let saved = visits_saved(&visits);
        // 100,000 picks over 90,000 objects: 10,000 objects drawn twice.
        assert_eq!(saved, 10_000);
    }
}
