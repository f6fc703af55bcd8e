//! What a task page shows, for the console and the public portal alike: the task's settings,
//! every draw with its reason, digests, exclusions, contributions, result and 递补. Officers
//! appear by name and certificate number only, never with personal data.

use serde::Serialize;
use ssj_app::draws::Contributor;
use ssj_app::tasks::TaskSpec;
use ssj_app::{AppResult, Platform, clock};
use ssj_storage::{Draw, DrawStatus, Task, TaskStatus};

/// Rows of a result shown on the page; the whole list is in result.csv.
pub const RESULT_ROWS: usize = 200;

#[derive(Serialize)]
pub struct TaskView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub department: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub cancel_reason: String,
    pub created: String,
    /// The staff account: console pages only.
    pub created_by: String,
    pub items: Vec<String>,
    pub partners: Vec<String>,
    pub kinds: String,
    pub mode: String,
    pub ratios: Vec<(String, String)>,
    pub uniform_reason: String,
    pub no_disturb_a: bool,
    pub window: String,
    pub team: String,
    /// The authority publishes `conflicts.csv` with the public export.
    pub conflicts_public: bool,
    pub draws_officers: bool,
    pub annual_cap: u32,
    /// The plan task it runs: (plan number, plan title, 序号).
    pub plan: Option<(String, String, i64)>,
}

#[derive(Serialize)]
pub struct ContributionView {
    pub position: i64,
    pub role: &'static str,
    pub label: String,
    pub commitment: Option<String>,
    pub reveal: Option<String>,
    pub held: bool,
    pub lottery_pending: bool,
}

#[derive(Serialize)]
pub struct DrawView {
    pub id: i64,
    pub round: i64,
    pub status: &'static str,
    pub status_key: &'static str,
    pub reason: String,
    pub frozen: String,
    pub frozen_by: String,
    pub drawn: String,
    pub candidates: i64,
    pub candidate_digest: String,
    pub officer_pool_digest: String,
    pub conflicts_digest: String,
    pub exclusions: Vec<(String, u64)>,
    pub contributions: Vec<ContributionView>,
    pub seed: String,
    pub strata: Vec<ssj_draw::StratumOutcome>,
    pub selected: usize,
    /// The list as it is inspected now, each row's current object and team.
    pub rows: Vec<ssj_app::draws::current::ListedRow>,
    pub substitutions: Vec<ssj_app::draws::current::HistoryRow>,
}

pub fn status_label(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Ready => "待抽取",
        TaskStatus::Drawn => "已抽取",
        TaskStatus::Cancelled => "已取消",
    }
}

fn draw_status(s: DrawStatus) -> &'static str {
    match s {
        DrawStatus::Frozen => "已冻结，等待随机数",
        DrawStatus::Drawn => "已抽取，结果锁定",
        DrawStatus::Void => "已作废",
    }
}

pub async fn task_view(p: &Platform, t: &Task) -> AppResult<TaskView> {
    let spec = TaskSpec::parse(&t.spec)?;
    let names = p.department_names().await?;
    let name = |id: &i64| names.get(id).cloned().unwrap_or_default();
    let items = p.task_items(t.id).await?;
    let mut mode = if spec.objects.directed {
        "定向".to_string()
    } else {
        "不定向（全部名录）".to_string()
    };
    if spec.objects.directed {
        let mut parts = Vec::new();
        for (label, values) in [
            ("区划", &spec.objects.divisions),
            ("行业", &spec.objects.industries),
            ("标签", &spec.objects.tags),
            ("信用等级", &spec.objects.tiers),
        ] {
            if !values.is_empty() {
                parts.push(format!("{label} {}", values.join("、")));
            }
        }
        if !spec.objects.licence.is_empty() {
            parts.push(format!("许可证含“{}”", spec.objects.licence));
        }
        if !parts.is_empty() {
            mode = format!("定向：{}", parts.join("；"));
        }
    }
    Ok(TaskView {
        id: t.id,
        code: t.code.clone(),
        name: t.name.clone(),
        department: name(&t.department_id),
        status: status_label(t.status),
        status_key: t.status.key(),
        cancel_reason: t.cancel_reason.clone(),
        created: clock::format_ms(t.created_ms),
        created_by: t.created_by.clone(),
        items: items
            .iter()
            .map(|i| format!("{}：{}", i.department, i.name))
            .collect(),
        partners: spec
            .partners
            .iter()
            .map(|pt| name(&pt.department_id))
            .collect(),
        kinds: if spec.objects.kinds.is_empty() {
            "全部类型".into()
        } else {
            spec.objects.kinds.join("、")
        },
        mode,
        ratios: spec
            .ratios
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        uniform_reason: spec.uniform_reason.clone(),
        no_disturb_a: spec.no_disturb_a,
        window: format!("{} 至 {}", spec.window_from, spec.window_to),
        team: format!(
            "每组 {} 人；{}",
            spec.team_size,
            spec.quotas
                .iter()
                .map(|(d, q)| format!("{}至少 {q} 人", name(d)))
                .collect::<Vec<_>>()
                .join("，")
        ),
        annual_cap: spec.annual_cap,
        conflicts_public: spec.publish_conflicts,
        draws_officers: spec.draw_officers,
        plan: p
            .task_plan(t.id)
            .await?
            .map(|(plan, seq)| (plan.code, plan.title, seq)),
    })
}

pub async fn draw_views(p: &Platform, draws: &[Draw]) -> AppResult<Vec<DrawView>> {
    let mut out = Vec::new();
    for d in draws {
        out.push(draw_view(p, d).await?);
    }
    Ok(out)
}

async fn draw_view(p: &Platform, d: &Draw) -> AppResult<DrawView> {
    // Not the candidate file: a province's is 200 MB, and the page needs only its digest.
    let contributions = p
        .contributions(d.id)
        .await?
        .into_iter()
        .map(|c| ContributionView {
            position: c.position,
            role: Contributor::label(&c.role),
            lottery_pending: c.role == "lottery" && c.commitment.is_none(),
            held: c.secret.is_some(),
            label: c.label,
            commitment: c.commitment,
            reveal: c.reveal,
        })
        .collect();
    let manifest: Option<ssj_draw::Manifest> = d
        .manifest
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok());
    let list = p.current_list(d.id, Some(RESULT_ROWS)).await?;
    Ok(DrawView {
        id: d.id,
        round: d.round,
        status: draw_status(d.status),
        status_key: d.status.key(),
        reason: d.reason.clone(),
        frozen: clock::format_ms(d.frozen_ms),
        frozen_by: d.frozen_by.clone(),
        drawn: d.drawn_ms.map(clock::format_ms).unwrap_or_default(),
        candidates: d.candidate_count,
        candidate_digest: d.candidate_digest.clone(),
        officer_pool_digest: d.officer_pool_digest.clone().unwrap_or_default(),
        conflicts_digest: d.conflicts_digest.clone().unwrap_or_default(),
        exclusions: serde_json::from_str(&d.exclusions).unwrap_or_default(),
        contributions,
        seed: manifest
            .as_ref()
            .map(|m| m.seed.clone())
            .unwrap_or_default(),
        strata: manifest.map(|m| m.strata).unwrap_or_default(),
        selected: list.total,
        rows: list.rows,
        substitutions: list.history,
    })
}
