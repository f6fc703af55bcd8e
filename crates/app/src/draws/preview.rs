//! Before the draw: what it will take, computed as the freeze would now (nothing stored) —
//! candidates per stratum and the sample each gives, the overall ratio that results beside the
//! stated one, and the workload on the officers in the window.

use crate::{Actor, AppError, AppResult, Platform, clock};
use serde::Serialize;
use ssj_domain::Permission;

#[derive(Debug, Clone, Serialize)]
pub struct StratumPreview {
    pub label: String,
    pub n: u64,
    pub ratio: String,
    pub k: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrawPreview {
    pub candidates: u64,
    pub exclusions: Vec<(String, u64)>,
    pub strata: Vec<StratumPreview>,
    pub selected: u64,
    /// `selected / candidates` as a percentage, two decimals.
    pub overall: String,
    /// What the task states: its uniform ratio, or the per-tier ratios weighted by the counts.
    pub stated: String,
    pub ratio_warning: Option<String>,
    /// Why the draw would break the plan's bound on the overall ratio (the freeze refuses it).
    pub bound_refusal: Option<String>,
    pub officers: u64,
    pub team_size: u64,
    pub window_days: i64,
    /// Inspections (officer visits) per officer in the window.
    pub per_officer: String,
    pub workload_warning: Option<String>,
}

fn percent(num: f64, den: f64) -> String {
    if den == 0.0 {
        "0%".into()
    } else {
        format!("{:.2}%", num * 100.0 / den)
    }
}

impl Platform {
    pub async fn draw_preview(&self, actor: &Actor, task_id: i64) -> AppResult<DrawPreview> {
        actor.require(Permission::PlanTasks)?;
        let task = self.task(task_id).await?;
        self.check_task_scope(actor, &task).await?;
        let spec = crate::tasks::TaskSpec::parse(&task.spec)?;
        let names = self.department_names().await?;
        let frozen = self.freeze_files(&task, &spec, &names).await?;
        let rules = spec.rules()?;
        let set = ssj_draw::CandidateSet::parse(&frozen.candidates)?;
        let mut counts = vec![0u64; set.labels().len()];
        for i in 0..set.len() {
            counts[set.stratum(i)] += 1;
        }
        let mut strata = Vec::new();
        let mut weighted = 0f64;
        for (label, rule) in &rules {
            let n = set
                .labels()
                .iter()
                .position(|l| l == label)
                .map_or(0, |p| counts[p]);
            let k = ssj_draw::ratio::sample_size(n, rule.ratio, rule.min);
            weighted += n as f64 * rule.ratio.num as f64 / rule.ratio.den as f64;
            strata.push(StratumPreview {
                label: label.clone(),
                n,
                ratio: rule.ratio.display(),
                k,
            });
        }
        let candidates = set.len() as u64;
        let selected: u64 = strata.iter().map(|s| s.k).sum();
        let stated = match spec.uniform_ratio() {
            Some(r) => format!("统一比例 {r}"),
            None => format!("按各等级比例加权 {}", percent(weighted, candidates as f64)),
        };
        // Rounding up in each small stratum inflates the sample: worth a word when it is
        // half again what the ratios say and at least two objects more.
        let ratio_warning = (selected as f64 >= weighted * 1.5 && selected as f64 - weighted >= 2.0)
            .then(|| {
                format!(
                    "实际抽取比例 {} 明显高于所定比例（{}）：各等级分别向上取整，候选较少的等级抽取比例偏高",
                    percent(selected as f64, candidates as f64),
                    percent(weighted, candidates as f64)
                )
            });
        let tier_counts: std::collections::BTreeMap<String, u64> =
            strata.iter().map(|s| (s.label.clone(), s.n)).collect();
        let bound_refusal = bound_refusal(&spec, selected, candidates, &tier_counts);
        let officers = frozen
            .officers
            .as_ref()
            .map(|(pool, _)| ssj_draw::files::parse_officers(pool).map(|p| p.len() as u64))
            .transpose()?
            .unwrap_or(0);
        let start = clock::parse_date_ms(&spec.window_from)
            .unwrap_or(0)
            .max(clock::parse_date_ms(&clock::today()).unwrap_or(0));
        let end = clock::parse_date_ms(&spec.window_to)
            .ok_or_else(|| AppError::internal("任务的检查时间无法读取"))?;
        let window_days = ((end - start) / 86_400_000 + 1).max(0);
        let visits = selected * spec.team_size as u64;
        let per_officer = if officers == 0 {
            0.0
        } else {
            visits as f64 / officers as f64
        };
        // About five working days in seven: more than one visit per officer per working day is
        // more than a team can do beside its other work.
        let working_days = (window_days as f64 * 5.0 / 7.0).max(1.0);
        let workload_warning = (spec.draw_officers && per_officer > working_days).then(|| {
            format!(
                "工作量偏大：{selected} 户、每组 {} 人，由 {officers} 名执法人员在 {window_days} 天内完成，人均 {:.1} 户次，约每个工作日 {:.1} 户次",
                spec.team_size,
                per_officer,
                per_officer / working_days
            )
        });
        Ok(DrawPreview {
            candidates,
            exclusions: frozen.exclusions,
            strata,
            selected,
            overall: percent(selected as f64, candidates as f64),
            stated,
            ratio_warning,
            bound_refusal,
            officers,
            team_size: spec.team_size as u64,
            window_days,
            per_officer: format!("{per_officer:.1}"),
            workload_warning,
        })
    }
}

/// Objects per stratum and the sample the rules give: what the freeze would take.
pub(crate) fn sample(
    rules: &ssj_draw::Rules,
    set: &ssj_draw::CandidateSet,
) -> (std::collections::BTreeMap<String, u64>, u64) {
    let mut counts = vec![0u64; set.labels().len()];
    for i in 0..set.len() {
        counts[set.stratum(i)] += 1;
    }
    let mut by_label = std::collections::BTreeMap::new();
    let mut selected = 0;
    for (label, rule) in rules {
        let n = set
            .labels()
            .iter()
            .position(|l| l == label)
            .map_or(0, |p| counts[p]);
        selected += ssj_draw::ratio::sample_size(n, rule.ratio, rule.min);
        by_label.insert(label.clone(), n);
    }
    (by_label, selected)
}

/// Why taking `selected` of `candidates` breaks the plan's bound on the overall ratio, with
/// tier ratios that would keep it (their order kept), or `None` when it holds.
pub(crate) fn bound_refusal(
    spec: &crate::tasks::TaskSpec,
    selected: u64,
    candidates: u64,
    tier_counts: &std::collections::BTreeMap<String, u64>,
) -> Option<String> {
    use ssj_domain::plans::{Bound, Fraction, check_bound, percent_text};
    let b = spec.bound?;
    if candidates == 0 {
        return None;
    }
    let (num, den) = (b.num as u128, b.den.max(1) as u128);
    let (got, total) = (selected as u128 * den, num * candidates as u128);
    let kept = match b.bound {
        Bound::Min => got >= total,
        Bound::Max => got <= total,
        Bound::Exact => true,
    };
    if kept {
        return None;
    }
    let target = Fraction::new(b.num, b.den);
    let word = if b.bound == Bound::Min {
        "不低于"
    } else {
        "不高于"
    };
    let ratios: std::collections::BTreeMap<char, Fraction> = spec
        .ratios
        .iter()
        .filter_map(|(t, r)| {
            let letter = t.chars().next().filter(|c| "ABCD".contains(*c))?;
            let r = ssj_draw::Ratio::parse(r).ok()?;
            Some((letter, Fraction::new(r.num, r.den)))
        })
        .collect();
    let counts: std::collections::BTreeMap<char, u64> = tier_counts
        .iter()
        .filter_map(|(t, n)| Some((t.chars().next().filter(|c| "ABCD".contains(*c))?, *n)))
        .collect();
    let proposal = if spec.uniform_ratio().is_none() {
        check_bound(b.bound, target, &ratios, &counts)
            .and_then(|c| c.proposal)
            .map(|p| {
                let text: Vec<String> = p
                    .iter()
                    .map(|(t, f)| format!("{t} 类 {}", percent_text(*f)))
                    .collect();
                format!("；可将各等级比例调整为 {}（保持等级顺序）", text.join("、"))
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    Some(format!(
        "计划要求抽查比例{word}{}，按当前名录候选 {candidates} 户、将抽取 {selected} 户（总体 {}），不符合计划要求，不能抽取{proposal}。请取消本任务，按计划要求重新创建",
        percent_text(target),
        percent(selected as f64, candidates as f64),
    ))
}
