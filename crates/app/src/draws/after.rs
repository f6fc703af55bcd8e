//! After a draw: the export folder (spec §5) and the 递补 of objects and officers, each
//! computed by the engine from the frozen files and the substitutions before it.

use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, ErrorKind, Platform, clock};
use ssj_domain::Permission;
use ssj_domain::audit::snapshot;
use ssj_draw::{DrawInput, DrawState, Kind, Manifest, OfficerInput, Substitution};
use ssj_storage::{Draw, DrawFiles, DrawStatus, DrawSubstitution, Task};
use std::collections::BTreeMap;

/// A change asked for after the draw.
#[derive(Debug, Clone)]
pub enum Change {
    /// The object is not applicable (注销, 迁出, 无此经营活动): the next reserve replaces it.
    Object { key: String },
    /// The officer cannot inspect this object (recused, unavailable).
    Officer { key: String, officer_id: String },
    /// A conflict of interest declared after the draw; if the officer is on that object's
    /// team, an officer 递补 follows.
    Conflict { officer_id: String, key: String },
}

pub(super) fn kind_of(k: &str) -> AppResult<Kind> {
    match k {
        "object" => Ok(Kind::Object),
        "officer" => Ok(Kind::Officer),
        "conflict" => Ok(Kind::Conflict),
        other => Err(AppError::internal(format!("未知的递补类型 {other}"))),
    }
}

pub(super) fn rows_of(stored: &[DrawSubstitution]) -> AppResult<Vec<Substitution>> {
    stored
        .iter()
        .map(|s| {
            Ok(Substitution {
                kind: kind_of(&s.kind)?,
                replaced: s.replaced.clone(),
                replacement: s.replacement.clone(),
                reason: s.reason.clone(),
                at: s.at.clone(),
            })
        })
        .collect()
}

/// Everything a drawn draw is recomputed from.
struct Drawn {
    task: Task,
    manifest: Manifest,
    files: DrawFiles,
    rules: ssj_draw::Rules,
}

impl Drawn {
    fn input(&self) -> DrawInput<'_> {
        DrawInput {
            task_id: &self.manifest.task_id,
            candidates_file: &self.files.candidates,
            rules: &self.rules,
            commitments: &self.manifest.commitments,
            reveals: &self.manifest.reveals,
            officers: self.manifest.officers.as_ref().map(|t| OfficerInput {
                pool_file: self.files.officers.as_deref().unwrap_or_default(),
                conflicts_file: self.files.conflicts.as_deref().unwrap_or_default(),
                team: t.team.clone(),
            }),
        }
    }
}

impl Platform {
    async fn drawn(&self, draw: &Draw) -> AppResult<Drawn> {
        if draw.status == DrawStatus::Frozen {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "DRAW_NOT_DRAWN",
                "该次抽取尚未完成",
            ));
        }
        let manifest_text = draw.manifest.as_deref().ok_or_else(|| {
            AppError::new(
                ErrorKind::Conflict,
                "DRAW_NOT_DRAWN",
                "该次抽取尚未完成（作废前未完成抽取）",
            )
        })?;
        let manifest: Manifest = serde_json::from_str(manifest_text)
            .map_err(|e| AppError::internal(format!("抽取清单无法读取：{e}")))?;
        let files = self
            .store
            .draw_files(draw.id)
            .await?
            .ok_or_else(|| AppError::internal("抽取文件缺失"))?;
        let task = self.task(draw.task_id).await?;
        let rules = manifest
            .strata
            .iter()
            .map(|s| {
                Ok((
                    s.label.clone(),
                    ssj_draw::StratumRule {
                        ratio: ssj_draw::Ratio::new(s.num, s.den)?,
                        min: s.min,
                    },
                ))
            })
            .collect::<Result<_, ssj_draw::DrawError>>()?;
        Ok(Drawn {
            task,
            manifest,
            files,
            rules,
        })
    }

    /// The public export folder of a draw: everything but `conflicts.csv`, whose pairs of an
    /// officer and a business (often a relative) are personal data (draw-v1.md §5), unless the
    /// task's authority chose to publish it. The manifest keeps `conflicts_digest`; the
    /// verifiers recheck all but the teams.
    pub async fn public_export(&self, draw_id: i64) -> AppResult<BTreeMap<String, Vec<u8>>> {
        let (task, mut files) = self.export_with_task(draw_id).await?;
        if !crate::tasks::TaskSpec::parse(&task.spec)?.publish_conflicts {
            files.remove(ssj_draw::files::CONFLICTS);
        }
        Ok(files)
    }

    /// The full export of a draw, with `conflicts.csv`, for the 监督员 who audits it (within
    /// their data scope): the verifiers recompute every team from it.
    pub async fn audit_export(
        &self,
        actor: &Actor,
        draw_id: i64,
    ) -> AppResult<BTreeMap<String, Vec<u8>>> {
        actor.require(Permission::ExportAuditFolder)?;
        let draw = self.draw(draw_id).await?;
        let task = self.task(draw.task_id).await?;
        self.check_task_scope(actor, &task).await?;
        self.export_draw(draw_id).await
    }

    /// The full export folder of a draw, file name → bytes; `shuangsuiji verify` and
    /// docs/verify_draw.py recompute it. For the command line and the audit export only.
    pub async fn export_draw(&self, draw_id: i64) -> AppResult<BTreeMap<String, Vec<u8>>> {
        Ok(self.export_with_task(draw_id).await?.1)
    }

    /// The full export folder and the draw's task, read once.
    async fn export_with_task(&self, draw_id: i64) -> AppResult<(Task, BTreeMap<String, Vec<u8>>)> {
        // Built from what the draw stored, not drawn again: the result was computed once, in
        // the transaction that locked it.
        let draw = self.draw(draw_id).await?;
        let drawn = self.drawn(&draw).await?;
        let rows = rows_of(&self.store.substitutions(draw.id).await?)?;
        let result = drawn
            .files
            .result
            .clone()
            .ok_or_else(|| AppError::internal("抽取结果文件缺失"))?;
        let officers = match (&drawn.files.officers, &drawn.files.conflicts) {
            (Some(pool), Some(conflicts)) => Some((pool.as_slice(), conflicts.as_slice())),
            _ => None,
        };
        let files = ssj_draw::export_folder(
            &drawn.manifest,
            &drawn.files.candidates,
            officers,
            result,
            &rows,
        );
        Ok((drawn.task, files))
    }

    /// Applies a 递补 after the draw and records it (and any officer 递补 it makes necessary);
    /// returns the rows added.
    pub async fn change_draw(
        &self,
        actor: &Actor,
        draw_id: i64,
        change: Change,
        reason: &str,
    ) -> AppResult<Vec<DrawSubstitution>> {
        actor.require(Permission::PlanTasks)?;
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(AppError::invalid(
                "REASON_REQUIRED",
                "请填写递补或回避的理由，理由将与抽取结果一并公开",
            ));
        }
        let draw = self.draw(draw_id).await?;
        if draw.status != DrawStatus::Drawn {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "DRAW_NOT_DRAWN",
                "只能对已完成且有效的抽取进行递补",
            ));
        }
        let drawn = self.drawn(&draw).await?;
        self.check_task_scope(actor, &drawn.task).await?;
        let change = self.resolve_officer(&draw, change).await?;
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let stored = tx.tx_substitutions(draw.id).await?;
        let rows = rows_of(&stored)?;
        let at = clock::rfc3339_ms(now);
        let (reason_for, at_for) = (reason.clone(), at.clone());
        let (drawn, added) =
            tokio::task::spawn_blocking(move || -> AppResult<(Drawn, Vec<Substitution>)> {
                let added = {
                    let input = drawn.input();
                    let outcome = ssj_draw::run(&input)?;
                    let roster = outcome.roster();
                    let mut state = DrawState::new(&outcome, roster.as_ref());
                    for r in &rows {
                        state.replay(r)?;
                    }
                    apply(&mut state, change, &reason_for, &at_for)?
                };
                Ok((drawn, added))
            })
            .await
            .map_err(|e| AppError::internal(format!("递补计算中断：{e}")))??;
        let mut out = Vec::new();
        for (i, s) in added.iter().enumerate() {
            let row = DrawSubstitution {
                draw_id: draw.id,
                position: stored.len() as i64 + i as i64 + 1,
                kind: s.kind.as_str().into(),
                replaced: s.replaced.clone(),
                replacement: s.replacement.clone(),
                reason: s.reason.clone(),
                at: s.at.clone(),
                actor: actor.name.clone(),
            };
            tx.insert_substitution(&row).await?;
            if s.kind == Kind::Object {
                // The list as inspected: the burden rules count the replacement from now on.
                tx.replace_pick(draw.id, &s.replaced, &s.replacement)
                    .await?;
            }
            let mut e = actor.entry("draw.substitute", "task", &drawn.task.code);
            e.department_id = Some(drawn.task.department_id);
            e.after = Some(snapshot(&serde_json::json!({
                "round": draw.round, "kind": row.kind, "replaced": row.replaced, "replacement": row.replacement,
            })));
            e.reason = Some(row.reason.clone());
            log.append(&mut *tx, e, now).await?;
            out.push(row);
        }
        tx.commit().await?;
        // The public zip holds substitutions.csv: built again now rather than on a download.
        if let Err(e) = self.public_zip(draw.id).await {
            tracing::warn!(draw = draw.id, "public export zip not rebuilt: {e}");
        }
        Ok(out)
    }
}

impl Platform {
    /// The officer of a change as the user names them — a certificate number, a name, or the
    /// id — turned into the id the draw files use. For an officer 递补 the officer must be on
    /// that object's team now; for a late conflict, in the draw's pool.
    async fn resolve_officer(&self, draw: &Draw, change: Change) -> AppResult<Change> {
        let (key, typed, on_team) = match &change {
            Change::Object { .. } => return Ok(change),
            Change::Officer { key, officer_id } => (key.trim(), officer_id.trim(), true),
            Change::Conflict { officer_id, key } => (key.trim(), officer_id.trim(), false),
        };
        if typed.is_empty() {
            return Err(AppError::invalid(
                "SUBSTITUTE_OFFICER_MISSING",
                "请选择或填写执法人员（执法证号或姓名）",
            ));
        }
        let candidates: Vec<crate::draws::current::Member> = if on_team {
            let list = self.current_list(draw.id, None).await?;
            let Some(row) = list.rows.into_iter().find(|r| r.key == key) else {
                return Err(AppError::invalid(
                    "SUBSTITUTE_OBJECT",
                    format!(
                        "检查对象 {key} 不在当前的检查名单中（已被递补替换的对象不能再递补人员）"
                    ),
                ));
            };
            row.members
        } else {
            let pool = self
                .store
                .draw_file(draw.id, ssj_storage::DrawFileName::Officers)
                .await?
                .map(|b| ssj_draw::files::parse_officers(&b))
                .transpose()?
                .unwrap_or_default();
            let by_cert = self.store.officers_with_certs(&[typed.to_string()]).await?;
            let ids: Vec<i64> = pool.iter().filter_map(|o| o.id.parse().ok()).collect();
            let mut named = self.store.officers_by_ids(&ids).await?;
            named.retain(|o| o.name == typed || o.id.to_string() == typed);
            by_cert
                .into_iter()
                .chain(named)
                .filter(|o| pool.iter().any(|p| p.id == o.id.to_string()))
                .map(|o| crate::draws::current::Member {
                    id: o.id.to_string(),
                    name: o.name,
                    department: String::new(),
                    cert_no: o.cert_no,
                })
                .collect()
        };
        let mut matching: Vec<&crate::draws::current::Member> = candidates
            .iter()
            .filter(|m| m.cert_no == typed || m.name == typed || m.id == typed)
            .collect();
        matching.dedup_by(|a, b| a.id == b.id);
        let id = match matching.as_slice() {
            [one] => one.id.clone(),
            [] if on_team => {
                let team: Vec<String> = candidates
                    .iter()
                    .map(|m| format!("{}（{}）", m.name, m.cert_no))
                    .collect();
                return Err(AppError::invalid(
                    "SUBSTITUTE_OFFICER_NOT_ON_TEAM",
                    format!(
                        "检查对象 {key} 的检查组中没有执法证号或姓名为“{typed}”的执法人员；该组现有：{}",
                        team.join("、")
                    ),
                ));
            }
            [] => {
                return Err(AppError::invalid(
                    "SUBSTITUTE_OFFICER_NOT_IN_POOL",
                    format!("本次抽取的执法人员库中没有执法证号或姓名为“{typed}”的人员"),
                ));
            }
            _ => {
                return Err(AppError::invalid(
                    "SUBSTITUTE_OFFICER_AMBIGUOUS",
                    format!("姓名“{typed}”对应多名执法人员，请改填执法证号"),
                ));
            }
        };
        Ok(match change {
            Change::Officer { key, .. } => Change::Officer {
                key,
                officer_id: id,
            },
            Change::Conflict { key, .. } => Change::Conflict {
                officer_id: id,
                key,
            },
            other => other,
        })
    }
}

/// The rows one change makes, applied to `state` in order.
fn apply(
    state: &mut DrawState,
    change: Change,
    reason: &str,
    at: &str,
) -> AppResult<Vec<Substitution>> {
    let row = |kind, replaced: String, replacement: String, reason: &str| Substitution {
        kind,
        replaced,
        replacement,
        reason: reason.to_string(),
        at: at.to_string(),
    };
    let mut rows = Vec::new();
    match change {
        Change::Object { key } => {
            let new = state.substitute_object(key.trim())?;
            rows.push(row(Kind::Object, key.trim().to_string(), new, reason));
        }
        Change::Officer { key, officer_id } => {
            let new = state.substitute_officer(key.trim(), officer_id.trim())?;
            rows.push(row(
                Kind::Officer,
                format!("{};{}", key.trim(), officer_id.trim()),
                format!("{};{new}", key.trim()),
                reason,
            ));
        }
        Change::Conflict { officer_id, key } => {
            state.declare_conflict(officer_id.trim(), key.trim())?;
            rows.push(row(
                Kind::Conflict,
                officer_id.trim().to_string(),
                key.trim().to_string(),
                reason,
            ));
        }
    }
    // Whatever the change, no team may keep a member in conflict with its object.
    for (key, officer) in state.conflicted_members() {
        let new = state.substitute_officer(&key, &officer)?;
        rows.push(row(
            Kind::Officer,
            format!("{key};{officer}"),
            format!("{key};{new}"),
            "与检查对象存在利害关系，回避",
        ));
    }
    Ok(rows)
}
