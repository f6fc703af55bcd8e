//! Where a plan task stands: its rounds (a quarterly task is four draws, one in each quarter of
//! its window), which of them were drawn, the state the draws drive (待抽取 → 已抽取 → 检查中 →
//! 结果录入 → 已公示 → 已完成), and what is late against the windows. Dates are `YYYY-MM-DD`,
//! compared as text.

use super::plan::PlanTask;
use super::window::Window;
use crate::dates::days_in_month;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    ToDraw,
    Drawn,
    Inspecting,
    Recording,
    Publicised,
    Done,
}

impl Progress {
    pub fn label(self) -> &'static str {
        match self {
            Progress::ToDraw => "待抽取",
            Progress::Drawn => "已抽取",
            Progress::Inspecting => "检查中",
            Progress::Recording => "结果录入",
            Progress::Publicised => "已公示",
            Progress::Done => "已完成",
        }
    }
}

/// A draw task running the plan task: its window, and whether its draw is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub window: Window,
    pub drawn: bool,
    pub cancelled: bool,
}

/// One round of a plan task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    pub number: u32,
    pub window: Window,
    pub drawn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskProgress {
    pub state: Progress,
    pub rounds: Vec<Round>,
    /// The first round not yet drawn, if any.
    pub next: Option<Round>,
    /// What is late, in words.
    pub late: Vec<String>,
}

/// The periods of `n` rounds a year within `window`: the year cut into `n` equal runs of months
/// (2 halves, 4 quarters, 12 months), each cut to the window; any other `n` repeats the window.
pub fn round_windows(window: &Window, n: u32) -> Vec<Window> {
    let n = n.max(1);
    let year: u32 = window
        .from
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(0);
    if n == 1 || 12 % n != 0 || year == 0 || window.to.get(..4) != window.from.get(..4) {
        return vec![window.clone(); n as usize];
    }
    let months = 12 / n;
    (0..n)
        .filter_map(|i| {
            let (first, last) = (i * months + 1, (i + 1) * months);
            let from = format!("{year}-{first:02}-01");
            let to = format!("{year}-{last:02}-{:02}", days_in_month(year, last));
            let from = from.max(window.from.clone());
            let to = to.min(window.to.clone());
            (from <= to).then_some(Window { from, to })
        })
        .collect()
}

/// Where the plan task stands on `today`. Each drawn run counts for the round its window
/// starts in (or the next round not yet counted).
pub fn task_progress(task: &PlanTask, runs: &[Run], today: &str) -> TaskProgress {
    let n = task.rule.as_ref().map_or(1, |r| r.rounds_per_year.max(1));
    let windows = round_windows(&task.window, n);
    let mut rounds: Vec<Round> = windows
        .into_iter()
        .enumerate()
        .map(|(i, window)| Round {
            number: i as u32 + 1,
            window,
            drawn: false,
        })
        .collect();
    let mut drawn: Vec<&Run> = runs.iter().filter(|r| r.drawn && !r.cancelled).collect();
    drawn.sort_by(|a, b| a.window.from.cmp(&b.window.from));
    for run in &drawn {
        let slot = rounds
            .iter()
            .position(|r| {
                !r.drawn && r.window.from <= run.window.from && run.window.from <= r.window.to
            })
            .or_else(|| rounds.iter().position(|r| !r.drawn));
        if let Some(i) = slot {
            rounds[i].drawn = true;
        }
    }
    let state = match drawn.last() {
        None => Progress::ToDraw,
        Some(last) if today < last.window.from.as_str() => Progress::Drawn,
        Some(last) if today <= last.window.to.as_str() => Progress::Inspecting,
        Some(_) => Progress::Recording,
    };
    let late = rounds
        .iter()
        .filter(|r| !r.drawn && r.window.to.as_str() < today)
        .map(|r| {
            if n == 1 {
                format!("检查时间已于 {} 结束，尚未抽取", r.window.to)
            } else {
                format!(
                    "第 {} 轮（{} 至 {}）已过期，尚未抽取",
                    r.number, r.window.from, r.window.to
                )
            }
        })
        .collect();
    let next = rounds.iter().find(|r| !r.drawn).cloned();
    TaskProgress {
        state,
        rounds,
        next,
        late,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::rule::{Bound, Rule, TierUse};
    use crate::plans::{PlanDepartment, PlanTask};

    fn task(rounds: u32, from: &str, to: &str) -> PlanTask {
        PlanTask {
            seq: 1,
            name: "甲".into(),
            initiating: PlanDepartment {
                department_id: 1,
                name: "某局".into(),
                items: vec![],
            },
            cooperating: vec![],
            scope: String::new(),
            rule: Some(Rule {
                ratio: None,
                bound: Bound::Exact,
                rounds_per_year: rounds,
                tiers: Default::default(),
            }),
            tiers: TierUse::Tiered,
            window: Window {
                from: from.into(),
                to: to.into(),
            },
            directed: false,
            mode: String::new(),
            flags: vec![],
        }
    }

    fn w(from: &str, to: &str) -> Window {
        Window {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn a_quarterly_task_is_four_rounds_cut_to_its_window() {
        let rounds = round_windows(&w("2024-03-01", "2024-12-31"), 4);
        assert_eq!(
            rounds,
            [
                w("2024-03-01", "2024-03-31"),
                w("2024-04-01", "2024-06-30"),
                w("2024-07-01", "2024-09-30"),
                w("2024-10-01", "2024-12-31"),
            ]
        );
        assert_eq!(
            round_windows(&w("2024-01-01", "2024-11-30"), 2)[1],
            w("2024-07-01", "2024-11-30")
        );
        assert_eq!(round_windows(&w("2024-03-01", "2024-12-31"), 1).len(), 1);
        // 3 a year does not cut months evenly into quarters: the window thrice.
        assert_eq!(round_windows(&w("2024-03-01", "2024-12-31"), 3).len(), 3);
    }

    #[test]
    fn the_draws_drive_the_state_and_what_is_late() {
        let t = task(4, "2024-03-01", "2024-12-31");
        let p = task_progress(&t, &[], "2024-05-10");
        assert_eq!(p.state, Progress::ToDraw);
        assert_eq!(
            p.late,
            ["第 1 轮（2024-03-01 至 2024-03-31）已过期，尚未抽取"]
        );
        assert_eq!(p.next.unwrap().number, 1);
        let run = |from: &str, to: &str| Run {
            window: w(from, to),
            drawn: true,
            cancelled: false,
        };
        let p = task_progress(&t, &[run("2024-04-01", "2024-06-30")], "2024-05-10");
        assert_eq!(p.state, Progress::Inspecting);
        assert!(p.rounds[1].drawn && !p.rounds[0].drawn);
        let p = task_progress(&t, &[run("2024-04-01", "2024-06-30")], "2024-07-02");
        assert_eq!(p.state, Progress::Recording);
        let p = task_progress(&t, &[run("2024-04-01", "2024-06-30")], "2024-03-20");
        assert_eq!(p.state, Progress::Drawn);
        let yearly = task(1, "2024-03-01", "2024-12-31");
        let p = task_progress(&yearly, &[], "2025-01-02");
        assert_eq!(p.late, ["检查时间已于 2024-12-31 结束，尚未抽取"]);
        let cancelled = Run {
            cancelled: true,
            ..run("2024-03-01", "2024-12-31")
        };
        assert_eq!(
            task_progress(&yearly, &[cancelled], "2024-05-01").state,
            Progress::ToDraw
        );
    }
}
