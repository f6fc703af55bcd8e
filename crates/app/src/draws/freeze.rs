//! The freeze of a draw: the candidate file of a task's scope after the burden rules (each
//! exclusion counted by reason), and the officer pool and conflict files.

use crate::tasks::TaskSpec;
use crate::{AppResult, Platform, clock};
use ssj_domain::objects::{RegistrationStatus, Tier};
use ssj_draw::files::{Conflict as FileConflict, Officer as FileOfficer};
use ssj_storage::Task;
use std::collections::{BTreeMap, HashMap, HashSet};

const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;
/// Exclusion rules after the registration statuses (whose discriminants come first).
const RULE_NO_DISTURB: usize = 10;
const RULE_RECENT: usize = 11;
const RULE_CAP: usize = 12;
/// A fate at or above this is an exclusion (plus its rule); below it, the tier drawn from.
const EXCLUDED: u8 = 100;

/// Excluded candidates by reason, in the order the rules apply.
pub type Exclusions = Vec<(String, u64)>;

/// The files a freeze writes, before they are stored.
pub(crate) struct Frozen {
    pub exclusions: Exclusions,
    pub candidates: Vec<u8>,
    /// The officer pool and conflict files, unless the task draws objects only.
    pub officers: Option<(Vec<u8>, Vec<u8>)>,
}

/// The scope's rows with their fates, as the candidate file's builder reads them.
struct ScopeCandidates<'a> {
    rows: &'a ssj_storage::ScopeRows,
    fate: &'a [u8],
    /// 统一比例: every candidate in the one stratum [`crate::tasks::UNIFORM_STRATUM`].
    uniform: bool,
}

impl ssj_draw::CandidateRows for ScopeCandidates<'_> {
    fn len(&self) -> usize {
        self.rows.len()
    }
    fn key(&self, row: usize) -> &str {
        self.rows.code(row)
    }
    fn stratum(&self, row: usize) -> Option<&str> {
        let tier = Tier::ALL.get(self.fate[row] as usize).map(|t| t.label());
        if self.uniform {
            tier.map(|_| crate::tasks::UNIFORM_STRATUM)
        } else {
            tier
        }
    }
}

impl Platform {
    /// Builds the candidate, officer-pool and conflict files of a task as of now.
    pub(crate) async fn freeze_files(
        &self,
        task: &Task,
        spec: &TaskSpec,
        names: &HashMap<i64, String>,
    ) -> AppResult<Frozen> {
        let now = clock::now_ms();
        let mut steps = clock::Steps::start("freeze");
        let home = self
            .store
            .department(task.department_id)
            .await?
            .map(|d| d.division.as_str().to_string())
            .unwrap_or_default();
        let rows = self.store.scope_objects(&spec.scope(&home)?).await?;
        steps.step("scope read");
        let items: Vec<(String, String)> = self
            .store
            .task_items(task.id)
            .await?
            .into_iter()
            .map(|i| (i.department, i.name))
            .collect();
        let recent: HashSet<String> = self
            .store
            .picked_for_items(&items, now - YEAR_MS, task.id)
            .await?
            .into_iter()
            .collect();
        let year_start =
            clock::parse_date_ms(&format!("{}-01-01", &clock::format_ms(now)[..4])).unwrap_or(0);
        let counts: HashMap<String, i64> = if spec.annual_cap > 0 {
            self.store
                .pick_counts(year_start, task.id)
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
        // Each object's fate, on all cores: its tier if drawn from, else EXCLUDED + its rule.
        let rule_of = |i: usize| -> u8 {
            let (tier, status) = (rows.tier(i), rows.status(i));
            let rule = if status != RegistrationStatus::Active {
                status as usize
            } else if spec.no_disturb_a && tier == Tier::A {
                RULE_NO_DISTURB
            } else if !recent.is_empty() && recent.contains(rows.code(i)) {
                RULE_RECENT
            } else if spec.annual_cap > 0
                && counts.get(rows.code(i)).copied().unwrap_or(0) >= spec.annual_cap as i64
            {
                RULE_CAP
            } else {
                return tier as u8;
            };
            EXCLUDED + rule as u8
        };
        let mut fate = vec![0u8; rows.len()];
        ssj_draw::parallel::for_chunks_mut(&mut fate, 4096, |offset, part| {
            for (j, f) in part.iter_mut().enumerate() {
                *f = rule_of(offset + j);
            }
        });
        let mut excluded: BTreeMap<usize, u64> = BTreeMap::new();
        let mut histogram = [0u64; 256];
        for &f in &fate {
            histogram[f as usize] += 1;
        }
        for (f, &n) in histogram.iter().enumerate().skip(EXCLUDED as usize) {
            if n > 0 {
                excluded.insert(f - EXCLUDED as usize, n);
            }
        }
        let kept = histogram[..EXCLUDED as usize].iter().sum::<u64>();
        steps.step("burden rules");
        let reason = |rule: usize| -> String {
            match rule {
                RULE_NO_DISTURB => "无事不扰（A 类）".to_string(),
                RULE_RECENT => "12 个月内已抽查同一事项".to_string(),
                RULE_CAP => format!("本年度已抽查 {} 次（上限）", spec.annual_cap),
                status => format!(
                    "非存续（{}）",
                    RegistrationStatus::ALL
                        .get(status)
                        .map(|s| s.label())
                        .unwrap_or("其他")
                ),
            }
        };
        let exclusions: Exclusions = excluded
            .into_iter()
            .map(|(rule, n)| (reason(rule), n))
            .collect();
        if kept == 0 {
            let why = if rows.is_empty() {
                "抽查范围内没有检查对象".to_string()
            } else {
                format!("范围内的 {} 户均被排除", rows.len())
            };
            return Err(crate::AppError::invalid(
                "DRAW_EMPTY_SCOPE",
                format!("候选名单为空：{why}"),
            ));
        }
        let candidates = ssj_draw::build_candidates_file(&ScopeCandidates {
            rows: &rows,
            fate: &fate,
            uniform: spec.uniform_ratio().is_some(),
        })?;
        steps.step("candidate file");
        let officers = if spec.draw_officers {
            Some(self.officer_files(task, spec, names, &now).await?)
        } else {
            None
        };
        Ok(Frozen {
            exclusions,
            candidates,
            officers,
        })
    }

    /// The officer pool (certified, active, not on leave today) of the task's departments and
    /// their declared conflicts, as frozen files.
    async fn officer_files(
        &self,
        task: &Task,
        spec: &TaskSpec,
        names: &HashMap<i64, String>,
        now: &i64,
    ) -> AppResult<(Vec<u8>, Vec<u8>)> {
        let departments = spec.departments(task.department_id);
        let today = clock::format_ms(*now)[..10].to_string();
        let on_leave: HashSet<i64> = self
            .store
            .officers_on_leave(&today)
            .await?
            .into_iter()
            .collect();
        let filter = ssj_storage::OfficerFilter {
            departments: Some(departments.clone()),
            active: Some(true),
            limit: i64::MAX as u64,
            ..Default::default()
        };
        let (officers, _) = self.store.officers(&filter).await?;
        let pool: Vec<_> = officers
            .into_iter()
            .filter(|o| crate::officers::eligible(o, &today, on_leave.contains(&o.id)))
            .collect();
        let ids: Vec<i64> = pool.iter().map(|o| o.id).collect();
        let conflicts = self.store.conflicts_of(&ids).await?;
        let officers = ssj_draw::officers_file(
            pool.iter()
                .map(|o| FileOfficer {
                    id: o.id.to_string(),
                    department: names.get(&o.department_id).cloned().unwrap_or_default(),
                })
                .collect(),
        )?;
        let conflicts = ssj_draw::conflicts_file(
            conflicts
                .into_iter()
                .map(|c| FileConflict {
                    officer_id: c.officer_id.to_string(),
                    key: c.object_code,
                })
                .collect(),
        )?;
        Ok((officers, conflicts))
    }
}
