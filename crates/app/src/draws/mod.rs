//! The draw of a task (SSJ-DRAW/1, docs/draw-v1.md): freeze the candidate, officer and conflict
//! files, record every seed contribution's commitment, reveal, compute, lock. There is no way to
//! draw again but a 系统管理员's, with a written reason, and every draw stays visible.

pub mod after;
pub mod current;
pub mod dispatch;
mod freeze;
pub mod lookup;
pub mod preview;
pub mod zip;

use crate::audit::Appender;
use crate::tasks::TaskSpec;
use crate::{Actor, AppError, AppResult, ErrorKind, Platform, clock};
use ssj_domain::audit::snapshot;
use ssj_domain::{Permission, Role};
use ssj_draw::{DrawInput, OfficerInput, TeamSpec};
use ssj_storage::{Contribution, Draw, DrawFiles, DrawPick, DrawStatus, Task, TaskStatus};
use std::collections::{BTreeMap, HashMap};

/// Who gives a seed contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contributor {
    Platform,
    Operator,
    Witness,
    Lottery,
}

impl Contributor {
    pub fn key(self) -> &'static str {
        match self {
            Contributor::Platform => "platform",
            Contributor::Operator => "operator",
            Contributor::Witness => "witness",
            Contributor::Lottery => "lottery",
        }
    }
    pub fn label(key: &str) -> &'static str {
        match key {
            "platform" => "平台（操作系统安全随机数）",
            "operator" => "操作员",
            "witness" => "见证人",
            "lottery" => "公开开奖结果",
            _ => "其他",
        }
    }
}

/// A contribution as entered: a value (kept until the reveal), a commitment made elsewhere
/// (the value comes at the reveal), or, for a lottery, only the draw it names.
#[derive(Debug, Clone)]
pub struct NewContribution {
    pub role: Contributor,
    pub label: String,
    pub value: Option<String>,
    pub commitment: Option<String>,
}

pub use crate::draws::freeze::Exclusions;

fn conflict(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::Conflict, code, message)
}

fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(code, message)
}

impl Platform {
    pub async fn draws(&self, task_id: i64) -> AppResult<Vec<Draw>> {
        Ok(self.store.draws(task_id).await?)
    }

    pub async fn contributions(&self, draw_id: i64) -> AppResult<Vec<Contribution>> {
        Ok(self.store.contributions(draw_id).await?)
    }

    /// The task's current draw: the last one that is not void.
    pub async fn current_draw(&self, task_id: i64) -> AppResult<Option<Draw>> {
        Ok(self
            .store
            .draws(task_id)
            .await?
            .into_iter()
            .rev()
            .find(|d| d.status != DrawStatus::Void))
    }

    fn team_spec(&self, task: &Task, spec: &TaskSpec, names: &HashMap<i64, String>) -> TeamSpec {
        TeamSpec {
            size: spec.team_size,
            quotas: spec
                .quotas
                .iter()
                .map(|(d, q)| (names.get(d).cloned().unwrap_or_default(), *q))
                .collect(),
            initiating_department: names.get(&task.department_id).cloned().unwrap_or_default(),
        }
    }

    /// Every department's name by its id.
    pub async fn department_names(&self) -> AppResult<HashMap<i64, String>> {
        Ok(names_by_id(self.store.departments().await?))
    }

    /// Step 1 of the ceremony: freezes the files, publishes their digests in the audit log and
    /// commits the platform's own contribution. A task drawn (or frozen) before is frozen again
    /// only by a 系统管理员 with a written reason; the earlier draw is voided, not deleted.
    pub async fn freeze_draw(
        &self,
        actor: &Actor,
        task_id: i64,
        redraw_reason: Option<&str>,
    ) -> AppResult<Draw> {
        Ok(self.freeze(actor, task_id, redraw_reason).await?.0)
    }

    /// [`Self::freeze_draw`], also giving back the files as stored.
    async fn freeze(
        &self,
        actor: &Actor,
        task_id: i64,
        redraw_reason: Option<&str>,
    ) -> AppResult<(Draw, DrawFiles)> {
        actor.require(Permission::PlanTasks)?;
        let task = self.task(task_id).await?;
        self.check_task_scope(actor, &task).await?;
        if task.status == TaskStatus::Cancelled {
            return Err(conflict("TASK_CANCELLED", "该任务已取消，不能抽取"));
        }
        // Checked here before the files are built, and again inside the transaction.
        let drawn_before = self.current_draw(task_id).await?.is_some();
        may_freeze(
            actor,
            drawn_before,
            redraw_reason.map(str::trim).unwrap_or(""),
        )?;
        let spec = TaskSpec::parse(&task.spec)?;
        let names = self.department_names().await?;
        let frozen = self.freeze_files(&task, &spec, &names).await?;
        // A plan's bound on the overall ratio (不低于 10%) holds for the sample as frozen.
        if spec.bound.is_some() {
            let set = ssj_draw::CandidateSet::parse(&frozen.candidates)?;
            let (counts, selected) = preview::sample(&spec.rules()?, &set);
            if let Some(why) = preview::bound_refusal(&spec, selected, set.len() as u64, &counts) {
                return Err(invalid("DRAW_BOUND", why));
            }
        }
        let mut steps = clock::Steps::start("freeze");
        let team = self.team_spec(&task, &spec, &names);
        // Refuse now, before anything is stored, a team that can never be formed.
        if let Some((officers, conflicts)) = &frozen.officers {
            let pool = ssj_draw::files::parse_officers(officers)?;
            let conflicts = ssj_draw::files::parse_conflicts(conflicts)?;
            ssj_draw::Roster::new(&pool, &conflicts, &team)?;
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let task_now = tx
            .task_for_update(task_id)
            .await?
            .ok_or_else(|| AppError::not_found("TASK_NOT_FOUND", "抽查任务不存在"))?;
        let draws = tx.tx_draws(task_id).await?;
        let live: Vec<&Draw> = draws
            .iter()
            .filter(|d| d.status != DrawStatus::Void)
            .collect();
        let reason = redraw_reason.map(str::trim).unwrap_or("");
        may_freeze(actor, !live.is_empty(), reason)?;
        for d in live {
            let mut voided = d.clone();
            voided.status = DrawStatus::Void;
            voided.reason = if d.reason.is_empty() {
                format!("作废：{reason}")
            } else {
                format!("{}；作废：{reason}", d.reason)
            };
            tx.update_draw(&voided).await?;
            let mut e = actor.entry("draw.void", "task", &task.code);
            e.department_id = Some(task.department_id);
            e.after = Some(snapshot(
                &serde_json::json!({ "round": d.round, "status": "void" }),
            ));
            e.reason = Some(reason.to_string());
            log.append(&mut *tx, e, now).await?;
        }
        let round = draws.iter().map(|d| d.round).max().unwrap_or(0) + 1;
        let digest = |b: &[u8]| ssj_draw::hash::sha256_hex(b);
        let mut draw = Draw {
            id: 0,
            task_id,
            round,
            status: DrawStatus::Frozen,
            reason: reason.to_string(),
            exclusions: serde_json::to_string(&frozen.exclusions).expect("plain data"),
            candidate_digest: digest(&frozen.candidates),
            candidate_count: frozen.candidates.iter().filter(|&&b| b == b'\n').count() as i64 - 1,
            officer_pool_digest: frozen.officers.as_ref().map(|(o, _)| digest(o)),
            conflicts_digest: frozen.officers.as_ref().map(|(_, c)| digest(c)),
            manifest: None,
            frozen_by: actor.name.clone(),
            frozen_ms: now,
            drawn_ms: None,
        };
        let candidates = draw.candidate_count;
        let files = DrawFiles {
            candidates: frozen.candidates,
            officers: frozen.officers.as_ref().map(|(o, _)| o.clone()),
            conflicts: frozen.officers.map(|(_, c)| c),
            result: None,
        };
        steps.step("digests");
        draw.id = tx.insert_draw(&draw, &files).await?;
        steps.step("files stored");
        if task_now.status == TaskStatus::Drawn {
            let mut t = task_now.clone();
            t.status = TaskStatus::Ready;
            t.updated_ms = now;
            tx.update_task_status(&t).await?;
        }
        let mut e = actor.entry("draw.freeze", "task", &task.code);
        e.department_id = Some(task.department_id);
        e.after = Some(snapshot(&serde_json::json!({
            "round": round,
            "candidates": candidates,
            "candidate_digest": draw.candidate_digest,
            "officer_pool_digest": draw.officer_pool_digest,
            "conflicts_digest": draw.conflicts_digest,
            "exclusions": frozen.exclusions,
        })));
        if !reason.is_empty() {
            e.reason = Some(reason.to_string());
        }
        log.append(&mut *tx, e, now).await?;
        // The platform commits first, from the OS CSPRNG: its value stays secret until the reveal.
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| AppError::internal(format!("无法读取系统随机数：{e}")))?;
        let value = format!("platform:{}", hex::encode(secret));
        let platform = Contribution {
            draw_id: draw.id,
            position: 1,
            role: Contributor::Platform.key().into(),
            label: "双随机平台".into(),
            commitment: Some(ssj_draw::commitment(&value)),
            secret: Some(value),
            reveal: None,
            committed_ms: Some(now),
            revealed_ms: None,
        };
        tx.insert_contribution(&platform).await?;
        log.append(&mut *tx, commit_entry(actor, &task, &platform), now)
            .await?;
        tx.commit().await?;
        steps.step("commit");
        Ok((draw, files))
    }

    /// Step 2: another participant's commitment (operator, witness), or a named future
    /// lottery draw whose result is entered later. Refused once any reveal has been made.
    pub async fn add_contribution(
        &self,
        actor: &Actor,
        draw_id: i64,
        new: NewContribution,
    ) -> AppResult<Contribution> {
        actor.require(Permission::PlanTasks)?;
        let label = new.label.trim().to_string();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(invalid(
                "CONTRIBUTION_LABEL",
                "请填写贡献者（姓名、单位）或所指定的开奖期号",
            ));
        }
        let (commitment, secret) = match (
            new.role,
            new.value.map(|v| v.trim().to_string()),
            new.commitment,
        ) {
            (Contributor::Platform, ..) => {
                return Err(invalid("CONTRIBUTION_ROLE", "平台的随机数在冻结时自动提交"));
            }
            (Contributor::Lottery, _, _) => (None, None),
            (_, Some(v), _) if !v.is_empty() => (Some(ssj_draw::commitment(&v)), Some(v)),
            (_, _, Some(c)) if c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
                (Some(c.to_ascii_lowercase()), None)
            }
            _ => {
                return Err(invalid(
                    "CONTRIBUTION_VALUE",
                    "请输入随机数（文字、骰子点数等），或 64 位十六进制的承诺值",
                ));
            }
        };
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let (task, draw) = self.frozen_draw(actor, &mut *tx, draw_id).await?;
        let existing = tx.tx_contributions(draw.id).await?;
        if existing.iter().any(|c| c.reveal.is_some()) {
            return Err(conflict(
                "DRAW_REVEALING",
                "已开始揭示，不能再增加随机数贡献",
            ));
        }
        let c = Contribution {
            draw_id: draw.id,
            position: existing.len() as i64 + 1,
            role: new.role.key().into(),
            label,
            committed_ms: commitment.as_ref().map(|_| now),
            commitment,
            secret,
            reveal: None,
            revealed_ms: None,
        };
        tx.insert_contribution(&c).await?;
        log.append(&mut *tx, commit_entry(actor, &task, &c), now)
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Enters the result of a named lottery draw once it is public; it is committed and
    /// revealed like the others.
    pub async fn enter_lottery(
        &self,
        actor: &Actor,
        draw_id: i64,
        position: i64,
        result: &str,
    ) -> AppResult<()> {
        actor.require(Permission::PlanTasks)?;
        let result = result.trim();
        if result.is_empty() {
            return Err(invalid("LOTTERY_RESULT", "请填写开奖结果"));
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let (task, draw) = self.frozen_draw(actor, &mut *tx, draw_id).await?;
        let mut c = tx
            .tx_contributions(draw.id)
            .await?
            .into_iter()
            .find(|c| c.position == position && c.role == Contributor::Lottery.key())
            .ok_or_else(|| {
                AppError::not_found("CONTRIBUTION_NOT_FOUND", "没有这一项开奖结果贡献")
            })?;
        if c.commitment.is_some() {
            return Err(conflict("LOTTERY_ENTERED", "该开奖结果已录入"));
        }
        let value = format!("{}:{result}", c.label);
        c.commitment = Some(ssj_draw::commitment(&value));
        c.secret = Some(value);
        c.committed_ms = Some(now);
        tx.update_contribution(&c).await?;
        log.append(&mut *tx, commit_entry(actor, &task, &c), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn frozen_draw(
        &self,
        actor: &Actor,
        tx: &mut dyn ssj_storage::Tx,
        draw_id: i64,
    ) -> AppResult<(Task, Draw)> {
        let (task, draw) = self.draw_in_tx(tx, draw_id).await?;
        crate::tasks::task_in_scope(actor, &task, &tx.tx_departments().await?)?;
        still_frozen(&draw)?;
        Ok((task, draw))
    }

    async fn draw_in_tx(
        &self,
        tx: &mut dyn ssj_storage::Tx,
        draw_id: i64,
    ) -> AppResult<(Task, Draw)> {
        let not_found =
            || AppError::not_found("DRAW_NOT_FOUND", format!("抽取记录 {draw_id} 不存在"));
        let draw = tx.tx_draw(draw_id).await?.ok_or_else(not_found)?;
        let task = tx
            .task_for_update(draw.task_id)
            .await?
            .ok_or_else(not_found)?;
        Ok((task, draw))
    }

    /// A draw's stored `result.csv`, `None` before it is drawn (published with the draw).
    pub async fn draw_result_file(&self, draw_id: i64) -> AppResult<Option<Vec<u8>>> {
        Ok(self
            .store
            .draw_file(draw_id, ssj_storage::DrawFileName::Result)
            .await?)
    }

    pub async fn draw(&self, draw_id: i64) -> AppResult<Draw> {
        self.store.draw(draw_id).await?.ok_or_else(|| {
            AppError::not_found("DRAW_NOT_FOUND", format!("抽取记录 {draw_id} 不存在"))
        })
    }

    /// Step 3: reveals every contribution (values given now for commitments made elsewhere),
    /// derives the seed, draws objects and teams, and stores the result, all in one
    /// transaction: a draw is either wholly drawn or not at all.
    pub async fn reveal_and_draw(
        &self,
        actor: &Actor,
        draw_id: i64,
        reveals: &BTreeMap<i64, String>,
    ) -> AppResult<Draw> {
        self.reveal(actor, draw_id, reveals, None).await
    }

    /// [`Self::reveal_and_draw`]; `frozen`: the draw's files as this process just stored them,
    /// so that a ceremony run at once does not read back what it wrote a moment ago.
    async fn reveal(
        &self,
        actor: &Actor,
        draw_id: i64,
        reveals: &BTreeMap<i64, String>,
        frozen: Option<DrawFiles>,
    ) -> AppResult<Draw> {
        actor.require(Permission::PlanTasks)?;
        let now = clock::now_ms();
        // Outside the write lock: check, read the files and draw (a province's draw takes
        // seconds of CPU). The transaction then re-checks that nothing the result depends on
        // has changed, and stores it; other writers never wait on the computation.
        let draw = self.draw(draw_id).await?;
        let task = self.task(draw.task_id).await?;
        self.check_task_scope(actor, &task).await?;
        still_frozen(&draw)?;
        let contributions = revealed(self.contributions(draw.id).await?, reveals, now)?;
        let mut steps = clock::Steps::start("reveal and draw");
        let files = match frozen {
            Some(files) => files,
            None => self
                .store
                .draw_files(draw.id)
                .await?
                .ok_or_else(|| AppError::internal("抽取文件缺失"))?,
        };
        steps.step("files read");
        let spec = TaskSpec::parse(&task.spec)?;
        let spec_json = task.spec.clone();
        let names = self.department_names().await?;
        let team = self.team_spec(&task, &spec, &names);
        let rules = spec.rules()?;
        let commitments: Vec<String> = contributions
            .iter()
            .filter_map(|c| c.commitment.clone())
            .collect();
        let reveal_values: Vec<String> = contributions
            .iter()
            .filter_map(|c| c.reveal.clone())
            .collect();
        let task_code = task.code.clone();
        let computed = tokio::task::spawn_blocking(move || -> AppResult<Computed> {
            let input = DrawInput {
                task_id: &task_code,
                candidates_file: &files.candidates,
                rules: &rules,
                commitments: &commitments,
                reveals: &reveal_values,
                officers: match (&files.officers, &files.conflicts) {
                    (Some(pool), Some(conflicts)) => Some(OfficerInput {
                        pool_file: pool,
                        conflicts_file: conflicts,
                        team,
                    }),
                    _ => None,
                },
            };
            let outcome = ssj_draw::run(&input)?;
            let picks = outcome
                .selection
                .selected
                .iter()
                .enumerate()
                .map(|(i, p)| DrawPick {
                    draw_id,
                    rank: i as i64 + 1,
                    object_code: outcome.candidates.key(p.candidate).to_string(),
                    stratum: outcome.selection.strata[p.stratum].label.clone(),
                })
                .collect();
            let manifest = String::from_utf8(outcome.manifest.render()).expect("JSON is UTF-8");
            let result = outcome.result_csv();
            let index = lookup::lookup_index(&files.candidates, &result)?;
            Ok((manifest, result, picks, index))
        })
        .await
        .map_err(|e| AppError::internal(format!("抽取计算中断：{e}")))??;
        let (manifest, result, picks, (blocks, cutoffs)) = computed;
        steps.step("computed");
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let (mut task, mut draw) = self.frozen_draw(actor, &mut *tx, draw_id).await?;
        tracing::info!(
            draw = draw.id,
            "draw: transaction started, storing the result"
        );
        // The inputs again, as they are now: the same contributions, task and teams' names.
        let unchanged = revealed(tx.tx_contributions(draw.id).await?, reveals, now)?
            == contributions
            && task.spec == spec_json
            && names_by_id(tx.tx_departments().await?) == names;
        if !unchanged {
            return Err(conflict(
                "DRAW_INPUTS_CHANGED",
                "抽取计算期间随机数贡献或任务发生了变化，请刷新页面后重新揭示",
            ));
        }
        for c in &contributions {
            tx.update_contribution(c).await?;
            let mut e = actor.entry("draw.reveal", "task", &task.code);
            e.department_id = Some(task.department_id);
            e.after = Some(snapshot(&serde_json::json!({
                "round": draw.round, "position": c.position, "role": c.role, "label": c.label, "reveal": c.reveal,
            })));
            log.append(&mut *tx, e, now).await?;
        }
        tx.set_draw_result(draw.id, &result).await?;
        steps.step("result stored");
        tx.insert_picks(&picks).await?;
        steps.step("picks stored");
        let cutoffs = serde_json::to_string(&cutoffs).expect("plain data");
        tx.put_lookup_index(draw.id, &blocks, &cutoffs).await?;
        steps.step("lookup index stored");
        draw.status = DrawStatus::Drawn;
        draw.drawn_ms = Some(now);
        draw.manifest = Some(manifest.clone());
        tx.update_draw(&draw).await?;
        task.status = TaskStatus::Drawn;
        task.updated_ms = now;
        tx.update_task_status(&task).await?;
        let mut e = actor.entry("draw.result", "task", &task.code);
        e.department_id = Some(task.department_id);
        e.after = Some(snapshot(&serde_json::json!({
            "round": draw.round,
            "manifest_digest": ssj_draw::hash::sha256_hex(manifest.as_bytes()),
            "result_digest": ssj_draw::hash::sha256_hex(&result),
            "selected": picks.len(),
        })));
        log.append(&mut *tx, e, now).await?;
        #[cfg(feature = "test-hooks")]
        pause_before_commit().await;
        tx.commit().await?;
        steps.step("commit");
        // Built once, now that the files are fixed, rather than on each download.
        if let Err(e) = self.public_zip(draw.id).await {
            tracing::warn!(draw = draw.id, "public export zip not built: {e}");
        }
        steps.step("export zip");
        Ok(draw)
    }

    /// A whole ceremony without stopping: freeze, the platform's commitment, the given
    /// contributions (generated from the OS CSPRNG when none is given), reveal, draw.
    pub async fn run_ceremony(
        &self,
        actor: &Actor,
        task_id: i64,
        contributions: Vec<NewContribution>,
        redraw_reason: Option<&str>,
    ) -> AppResult<Draw> {
        // A ceremony interrupted after its freeze (a crash, a closed browser) goes on from the
        // frozen files: freezing again would be a second chance at the outcome.
        let (draw, frozen) = match self.current_draw(task_id).await? {
            Some(d) if d.status == DrawStatus::Frozen && redraw_reason.is_none() => (d, None),
            _ => {
                let (d, files) = self.freeze(actor, task_id, redraw_reason).await?;
                (d, Some(files))
            }
        };
        let contributions = if contributions.is_empty() {
            let mut b = [0u8; 16];
            getrandom::fill(&mut b)
                .map_err(|e| AppError::internal(format!("无法读取系统随机数：{e}")))?;
            vec![NewContribution {
                role: Contributor::Operator,
                // A department, never a staff username: the label is public.
                label: match actor.department_id {
                    Some(d) => format!(
                        "{}操作员",
                        self.department_names()
                            .await?
                            .remove(&d)
                            .unwrap_or_default()
                    ),
                    None => "操作员".to_string(),
                },
                value: Some(hex::encode(b)),
                commitment: None,
            }]
        } else {
            contributions
        };
        for c in contributions {
            self.add_contribution(actor, draw.id, c).await?;
        }
        self.reveal(actor, draw.id, &BTreeMap::new(), frozen).await
    }
}

/// What the reveal computes outside the write lock: manifest, result.csv, picks, and the lookup
/// index (key blocks, cutoffs).
type Computed = (String, Vec<u8>, Vec<DrawPick>, lookup::LookupIndex);

/// For the kill -9 test only: with `SSJ_TEST_PAUSE_BEFORE_DRAW_COMMIT=FILE`, everything of the
/// draw is written but not committed when FILE appears, and the process waits to be killed.
#[cfg(feature = "test-hooks")]
async fn pause_before_commit() {
    if let Some(path) = std::env::var_os("SSJ_TEST_PAUSE_BEFORE_DRAW_COMMIT") {
        std::fs::write(path, b"in the transaction").expect("the test's ready file");
        std::future::pending::<()>().await;
    }
}

fn still_frozen(draw: &Draw) -> AppResult<()> {
    if draw.status == DrawStatus::Frozen {
        Ok(())
    } else {
        Err(conflict(
            "DRAW_NOT_FROZEN",
            "该次抽取已完成或已作废，不能再更改",
        ))
    }
}

/// Every contribution with its value revealed: held secrets, or values given now for
/// commitments made elsewhere, each checked against its commitment.
fn revealed(
    mut contributions: Vec<Contribution>,
    reveals: &BTreeMap<i64, String>,
    now: i64,
) -> AppResult<Vec<Contribution>> {
    if contributions.len() < 2 {
        return Err(invalid(
            "DRAW_FEW_CONTRIBUTIONS",
            "除平台外，至少还需要一位操作员或见证人提供随机数",
        ));
    }
    // Every commitment is in before anything is revealed.
    if let Some(c) = contributions.iter().find(|c| c.commitment.is_none()) {
        return Err(invalid(
            "LOTTERY_PENDING",
            format!("尚未录入“{}”的开奖结果", c.label),
        ));
    }
    for c in &mut contributions {
        let commitment = c.commitment.clone().unwrap_or_default();
        let value = match (&c.secret, reveals.get(&c.position)) {
            (Some(s), _) => s.clone(),
            (None, Some(v)) => v.trim().to_string(),
            (None, None) => {
                return Err(invalid(
                    "REVEAL_MISSING",
                    format!("请输入第 {} 项（{}）的随机数原文", c.position, c.label),
                ));
            }
        };
        if ssj_draw::commitment(&value) != commitment {
            return Err(invalid(
                "DRAW_REVEAL_MISMATCH",
                format!(
                    "第 {} 项（{}）揭示的随机数与其承诺值不符",
                    c.position, c.label
                ),
            ));
        }
        c.reveal = Some(value);
        c.secret = None;
        c.revealed_ms = Some(now);
    }
    Ok(contributions)
}

/// A task with a live draw is frozen again only by a 系统管理员, with a written reason.
fn may_freeze(actor: &Actor, has_live_draw: bool, reason: &str) -> AppResult<()> {
    if !has_live_draw {
        return Ok(());
    }
    if actor.role != Role::SystemAdmin {
        return Err(conflict(
            "DRAW_LOCKED",
            "该任务已冻结或已抽取，结果在冻结和承诺时即已确定，不能重新抽取；如确需重抽，须由系统管理员填写书面理由",
        ));
    }
    if reason.is_empty() {
        return Err(invalid(
            "REASON_REQUIRED",
            "重新抽取必须填写书面理由，理由将与每一次抽取一并公开",
        ));
    }
    Ok(())
}

fn commit_entry(actor: &Actor, task: &Task, c: &Contribution) -> ssj_domain::AuditEntry {
    let mut e = actor.entry("draw.commit", "task", &task.code);
    e.department_id = Some(task.department_id);
    e.after = Some(snapshot(&serde_json::json!({
        "position": c.position, "role": c.role, "label": c.label, "commitment": c.commitment,
    })));
    e
}

fn names_by_id(departments: Vec<ssj_storage::Department>) -> HashMap<i64, String> {
    departments.into_iter().map(|d| (d.id, d.name)).collect()
}
