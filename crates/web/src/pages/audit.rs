//! 审计日志: browse, filter, and see a record's inclusion proof.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, WebResult};
use crate::pages::{nonempty, query_string};
use crate::render::render;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use ssj_app::{AppError, clock};
use ssj_domain::Permission;
use ssj_storage::{AuditFilter, StoredAudit};
use std::collections::HashMap;

const PAGE: u64 = 50;

#[derive(Deserialize, Serialize, Default)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    target: Option<String>,
    department: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

fn date(s: &Option<String>, label: &str) -> Result<Option<i64>, AppError> {
    match nonempty(s) {
        None => Ok(None),
        Some(d) => clock::parse_date_ms(&d).map(Some).ok_or_else(|| {
            AppError::invalid("BAD_DATE", format!("{label}应为 YYYY-MM-DD 格式的日期"))
        }),
    }
}

#[derive(Serialize)]
struct Row {
    seq: u64,
    at: String,
    actor: String,
    department: String,
    /// The reader's words for the action; `action_code` stays for the filter and support.
    action: String,
    action_code: String,
    target: String,
    reason: Option<String>,
}

/// What the audit pages name targets by: departments, tasks, accounts and the officers of the
/// records on the page, looked up once per page.
struct Names {
    departments: HashMap<i64, String>,
    tasks: HashMap<String, (String, String)>,
    users: HashMap<i64, String>,
    officers: HashMap<i64, String>,
}

impl Names {
    async fn load(s: &AppState, records: &[StoredAudit]) -> Result<Names, AppError> {
        let p = &s.platform;
        let departments = p
            .departments()
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        // By id (task.*) and by number (draw.*, which name the task by its public number).
        let mut tasks = HashMap::new();
        for t in p.tasks().await? {
            tasks.insert(t.code.clone(), (t.code.clone(), t.name.clone()));
            tasks.insert(t.id.to_string(), (t.code, t.name));
        }
        let users = p.user_names().await?;
        let officer_ids: Vec<i64> = records
            .iter()
            .filter(|r| r.record.entry.target_type == "officer")
            .filter_map(|r| r.record.entry.target_id.parse().ok())
            .collect();
        let officers = p.officer_names(&officer_ids).await?;
        Ok(Names {
            departments,
            tasks,
            users,
            officers,
        })
    }

    /// `task:12` → 抽查任务 140581…0001 食品销售监督检查; an item or a version change by the
    /// name its recorded content gives.
    fn target(&self, kind: &str, id: &str, snapshot: Option<&str>) -> String {
        let label = ssj_domain::audit::target_type_label(kind);
        let by_id = id.parse::<i64>().ok();
        let recorded_name = || {
            let v: serde_json::Value = serde_json::from_str(snapshot?).ok()?;
            v.get("name")?.as_str().map(str::to_string)
        };
        let named = match kind {
            "task" => self
                .tasks
                .get(id)
                .map(|(code, name)| format!("{code} {name}")),
            "item" => recorded_name(),
            "item_version" => Some(match recorded_name() {
                Some(item) => format!("第 {id} 版：{item}"),
                None => format!("第 {id} 版"),
            }),
            "user" => by_id.and_then(|i| self.users.get(&i)).cloned(),
            "department" => by_id.and_then(|i| self.departments.get(&i)).cloned(),
            "officer" => by_id.and_then(|i| self.officers.get(&i)).cloned(),
            _ => None,
        };
        format!("{label} {}", named.unwrap_or_else(|| id.to_string()))
    }
}

fn row(r: &StoredAudit, names: &Names) -> Row {
    let e = &r.record.entry;
    Row {
        seq: r.record.seq,
        at: clock::format_ms(r.record.at_ms),
        actor: e.actor_name.clone(),
        department: e
            .department_id
            .and_then(|d| names.departments.get(&d).cloned())
            .unwrap_or_else(|| "—".into()),
        action: ssj_domain::audit::action_label(&e.action).to_string(),
        action_code: e.action.clone(),
        target: names.target(
            &e.target_type,
            &e.target_id,
            e.after.as_deref().or(e.before.as_deref()),
        ),
        reason: e.reason.clone(),
    }
}

pub async fn list(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> WebResult<Html<String>> {
    u.require(Permission::ViewAuditLog)?;
    let p = &s.platform;
    let department = match nonempty(&q.department) {
        None => None,
        Some(d) => Some(
            d.parse::<i64>()
                .map_err(|_| AppError::invalid("BAD_NUMBER", "部门参数无效"))?,
        ),
    };
    // The service keeps the search inside the actor's scope.
    let departments = department.map(|d| vec![d]);
    let page = nonempty(&q.page)
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let filter = AuditFilter {
        action_prefix: nonempty(&q.action),
        actor: nonempty(&q.actor).map(|a| a.to_ascii_lowercase()),
        target: nonempty(&q.target),
        departments,
        from_ms: date(&q.from, "开始日期")?,
        to_ms: date(&q.to, "结束日期")?.map(|t| t + 86_400_000),
        offset: (page - 1) * PAGE,
        limit: PAGE,
        ..Default::default()
    };
    let (records, total) = p.audit_page(&u.actor, filter).await?;
    let names = Names::load(&s, &records).await?;
    let rows: Vec<Row> = records.iter().map(|r| row(r, &names)).collect();
    let pages = total.div_ceil(PAGE).max(1);
    let dept_options: Vec<_> = p
        .departments_in_scope(&u.actor)
        .await?
        .into_iter()
        .map(|d| context! { id => d.id, name => d.name, selected => Some(d.id) == department })
        .collect();
    let mut qs = q;
    qs.page = None;
    let base_query = query_string(&[
        ("action", &qs.action),
        ("actor", &qs.actor),
        ("target", &qs.target),
        ("department", &qs.department),
        ("from", &qs.from),
        ("to", &qs.to),
    ]);
    render(
        &s,
        "audit_list.html",
        Some(&u),
        "audit",
        context! {
            rows => Value::from(Serde(&rows)), total, page, pages, q => Value::from(Serde(&qs)), base_query,
            departments => dept_options,
            actions => Value::from(Serde(ssj_domain::audit::ACTION_LABELS)),
            checkpoint => Value::from(Serde(p.latest_checkpoint().await?.map(|c| ssj_app::audit::CheckpointView::from(&c)))),
        },
    )
}

async fn visible_record(s: &AppState, u: &CurrentUser, seq: u64) -> Result<StoredAudit, AppError> {
    s.platform.audit_record(&u.actor, seq).await
}

pub async fn detail(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(seq): Path<u64>,
) -> WebResult<Html<String>> {
    let r = visible_record(&s, &u, seq).await?;
    let names = Names::load(&s, std::slice::from_ref(&r)).await?;
    let proof = match s.platform.inclusion_proof(seq, None).await {
        Ok(p) => Some(p),
        Err(e) if e.code == "PROOF_RANGE" => None,
        Err(e) => return Err(e.into()),
    };
    let pretty = |j: &Option<String>| {
        j.as_deref().map(|t| {
            serde_json::from_str::<serde_json::Value>(t)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_else(|_| t.to_string())
        })
    };
    render(
        &s,
        "audit_detail.html",
        Some(&u),
        "audit",
        context! {
            r => Value::from(Serde(row(&r, &names))),
            before => pretty(&r.record.entry.before),
            after => pretty(&r.record.entry.after),
            leaf_hash => hex::encode(r.leaf_hash),
            proof => Value::from(Serde(&proof)),
        },
    )
}

#[derive(Deserialize)]
pub struct InclusionQuery {
    seq: Option<String>,
    size: Option<String>,
}

/// JSON inclusion proof of one record (the record's content is shown, so it needs the role).
pub async fn api_inclusion(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<InclusionQuery>,
) -> Result<Response, ApiError> {
    let num = |v: Option<String>, name: &str| -> Result<Option<u64>, ApiError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                ApiError(AppError::invalid(
                    "BAD_NUMBER",
                    format!("参数 {name} 应为非负整数"),
                ))
            }),
        }
    };
    let seq = num(q.seq, "seq")?
        .ok_or_else(|| ApiError(AppError::invalid("BAD_NUMBER", "缺少参数 seq")))?;
    let size = num(q.size, "size")?;
    visible_record(&s, &u, seq).await?;
    Ok(Json(s.platform.inclusion_proof(seq, size).await?).into_response())
}
