//! 抽查任务 in the console: the list, a new task, and a task's page with its draw ceremony.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::public_tasks::{last_drawn, zip_download};
use crate::pages::task_view::{draw_views, status_label, task_view};
use crate::render::render;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use ssj_app::tasks::{DEFAULT_RATIOS, NewTask, ObjectScope, Partner};
use ssj_app::{AppError, clock};
use ssj_domain::objects::ObjectKind;
use ssj_domain::{Permission, Role};
use ssj_storage::{DrawStatus, TaskStatus};
use std::collections::BTreeMap;

/// A urlencoded form with repeated fields (multi-selects, checkboxes).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &Bytes) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    pub fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    /// A value as sent, untrimmed (pasted text keeps its tabs and lines).
    pub fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }
    fn ids(&self, name: &str) -> Vec<i64> {
        self.all(name)
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect()
    }
    fn checked(&self, name: &str) -> bool {
        !self.one(name).is_empty()
    }
}

fn split(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[derive(Serialize)]
struct TaskRow {
    id: i64,
    code: String,
    name: String,
    department: String,
    status: &'static str,
    created: String,
}

pub async fn list(State(s): State<AppState>, u: CurrentUser) -> WebResult<Html<String>> {
    u.require(Permission::ViewConsole)?;
    let p = &s.platform;
    let names = p.department_names().await?;
    let rows: Vec<TaskRow> = p
        .tasks()
        .await?
        .into_iter()
        .map(|t| TaskRow {
            id: t.id,
            department: names.get(&t.department_id).cloned().unwrap_or_default(),
            status: status_label(t.status),
            created: clock::format_ms(t.created_ms),
            code: t.code,
            name: t.name,
        })
        .collect();
    render(
        &s,
        "tasks.html",
        Some(&u),
        "tasks",
        context! { tasks => Serde(&rows), can_plan => u.actor.can(Permission::PlanTasks) },
    )
}

#[derive(Serialize)]
struct Option_ {
    id: i64,
    name: String,
}

/// An item to pick: its 检查对象 tells apart items of one name (食品生产监督检查 of
/// 获证食品生产企业 and of 小作坊).
#[derive(Serialize)]
struct ItemOption {
    id: i64,
    name: String,
    object_type: String,
}

#[derive(Serialize)]
struct ItemGroup {
    department: String,
    items: Vec<ItemOption>,
}

/// One item list of the form (the initiating department's, or a partner's): only the items
/// of the department's line of government (its province's list) and the joint items it takes
/// part in, unless the user asks for the whole list; what is already ticked always stays.
#[derive(Serialize)]
struct Picker {
    /// The form field of the chosen item ids.
    field: String,
    groups: Vec<ItemGroup>,
    shown: usize,
    total: usize,
    /// The whole list is shown (no department, nothing matched, or asked for).
    whole: bool,
}

fn picker(
    field: &str,
    department: Option<&str>,
    whole_asked: bool,
    chosen: &[i64],
    items: &[ssj_storage::Item],
) -> Picker {
    let system = department.and_then(ssj_domain::org::department_system);
    let takes_part = |i: &ssj_storage::Item| {
        let mine = |names: &[String]| {
            names
                .iter()
                .any(|n| ssj_domain::org::department_system(n) == system)
        };
        if i.joint {
            mine(&i.initiators) || mine(&i.cooperators)
        } else {
            ssj_domain::org::department_system(&i.department) == system
        }
    };
    let matched = system.is_some() && items.iter().any(takes_part);
    let whole = whole_asked || !matched;
    let mut groups: Vec<ItemGroup> = Vec::new();
    let mut shown = 0;
    for i in items
        .iter()
        .filter(|i| whole || takes_part(i) || chosen.contains(&i.id))
    {
        shown += 1;
        let department = if i.joint {
            "部门联合抽查事项".to_string()
        } else {
            i.department.clone()
        };
        let option = ItemOption {
            id: i.id,
            name: i.name.clone(),
            object_type: i.object_type.clone(),
        };
        match groups.iter_mut().find(|g| g.department == department) {
            Some(g) => g.items.push(option),
            None => groups.push(ItemGroup {
                department,
                items: vec![option],
            }),
        }
    }
    Picker {
        field: field.to_string(),
        groups,
        shown,
        total: items.len(),
        whole,
    }
}

/// 计划 … 第 N 项 when the form runs a plan's task.
async fn plan_label(s: &AppState, u: &CurrentUser, f: &Fields) -> Option<String> {
    let plan = f.one("plan");
    if plan.is_empty() {
        return None;
    }
    let view = s.platform.plan(&u.actor, &plan).await.ok()?;
    Some(format!(
        "{}（{}）第 {} 项任务",
        view.plan.title,
        view.plan.code,
        f.one("plan_seq")
    ))
}

async fn form_page(
    s: &AppState,
    u: &CurrentUser,
    f: &Fields,
    error: Option<String>,
) -> WebResult<Html<String>> {
    let p = &s.platform;
    let all = p.departments().await?;
    let departments: Vec<Option_> = p
        .departments_in_scope(&u.actor)
        .await?
        .iter()
        .filter(|d| d.active)
        .map(|d| Option_ {
            id: d.id,
            name: d.name.clone(),
        })
        .collect();
    let all_departments: Vec<Option_> = all
        .iter()
        .filter(|d| d.active)
        .map(|d| Option_ {
            id: d.id,
            name: d.name.clone(),
        })
        .collect();
    let items: Vec<ssj_storage::Item> = match p.published_items_version().await? {
        Some(v) => p
            .version_items(Some(&u.actor), v.id)
            .await?
            .into_iter()
            .filter(|i| !i.retired)
            .collect(),
        None => Vec::new(),
    };
    let name_of = |id: &str| {
        id.parse::<i64>()
            .ok()
            .and_then(|id| all.iter().find(|d| d.id == id))
            .map(|d| d.name.clone())
    };
    // The initiating department is the user's own until another is chosen.
    let initiating = name_of(&f.one("department")).or_else(|| {
        all.iter()
            .find(|d| d.id == u.user.department_id)
            .map(|d| d.name.clone())
    });
    let mut pickers = vec![picker(
        "items",
        initiating.as_deref(),
        f.checked("items_whole"),
        &f.ids("items"),
        &items,
    )];
    for n in 1..=3 {
        let field = format!("partner{n}_items");
        let department = name_of(&f.one(&format!("partner{n}")));
        let mut pk = picker(
            &field,
            department.as_deref(),
            f.checked(&format!("{field}_whole")),
            &f.ids(&field),
            &items,
        );
        if department.is_none() && f.ids(&field).is_empty() {
            // No partner chosen: nothing to pick from yet.
            pk.groups.clear();
            pk.shown = 0;
        }
        pickers.push(pk);
    }
    let values: BTreeMap<String, Vec<String>> =
        f.0.iter().fold(BTreeMap::new(), |mut m, (k, v)| {
            m.entry(k.clone()).or_default().push(v.clone());
            m
        });
    // The default window starts today and runs three months.
    let today = clock::today();
    let window_end = clock::add_days(&today, 90).unwrap_or_else(|| today.clone());
    render(
        s,
        "task_form.html",
        Some(u),
        "tasks",
        context! {
            departments => Serde(&departments),
            all_departments => Serde(&all_departments),
            pickers => Serde(&pickers),
            own_department => u.user.department_id,
            kinds => ObjectKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            tiers => DEFAULT_RATIOS.iter().map(|(t, r)| (t.to_string(), r.to_string())).collect::<Vec<_>>(),
            v => Serde(&values),
            submitted => !f.one("csrf").is_empty(),
            plan_ref => plan_label(s, u, f).await,
            year => today[..4].to_string(),
            today => today,
            window_end => window_end,
            error => error,
        },
    )
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    plan: Option<i64>,
    seq: Option<u32>,
    /// The round of a task drawn several times a year (a quarterly one: 1–4).
    round: Option<u32>,
}

pub async fn new_form(
    State(s): State<AppState>,
    u: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> WebResult<Html<String>> {
    u.require(Permission::PlanTasks)?;
    let fields = match (q.plan, q.seq) {
        (Some(plan), Some(seq)) => from_plan(&s, &u, plan, seq, q.round).await?,
        _ => Fields(Vec::new()),
    };
    form_page(&s, &u, &fields, None).await
}

/// The form filled in from a task of a published plan: its name, departments and items, its
/// window, its ratios, and the link back to the plan.
async fn from_plan(
    s: &AppState,
    u: &CurrentUser,
    plan: i64,
    seq: u32,
    round: Option<u32>,
) -> Result<Fields, AppError> {
    use ssj_domain::plans::{Fraction, TierUse, percent_text};
    let view = s.platform.plan(&u.actor, &plan.to_string()).await?;
    let task = view
        .published()
        .and_then(|v| v.tasks.iter().find(|t| t.seq == seq))
        .ok_or_else(|| {
            AppError::not_found(
                "PLAN_TASK_UNKNOWN",
                format!(
                    "计划 {} 的发布版本中没有序号为 {seq} 的任务",
                    view.plan.code
                ),
            )
        })?;
    let ratio = |f: Fraction| {
        if (f.num * 10_000).is_multiple_of(f.den.max(1)) {
            percent_text(f)
        } else {
            format!("{}/{}", f.num, f.den)
        }
    };
    // A task drawn several times a year: this round's name and window.
    let rounds = task.rule.as_ref().map_or(1, |r| r.rounds_per_year.max(1));
    let (name, window) = match round.filter(|_| rounds > 1) {
        Some(k) => {
            let windows = ssj_domain::plans::round_windows(&task.window, rounds);
            let w = windows
                .get((k as usize).wrapping_sub(1))
                .cloned()
                .ok_or_else(|| {
                    AppError::not_found(
                        "PLAN_ROUND",
                        format!("该任务每年 {rounds} 轮，没有第 {k} 轮"),
                    )
                })?;
            (format!("{}（第 {k} 轮）", task.name), w)
        }
        None => (task.name.clone(), task.window.clone()),
    };
    let mut v: Vec<(String, String)> = vec![
        ("plan".into(), plan.to_string()),
        ("plan_seq".into(), seq.to_string()),
        ("name".into(), name),
        (
            "department".into(),
            task.initiating.department_id.to_string(),
        ),
        ("window_from".into(), window.from),
        ("window_to".into(), window.to),
    ];
    v.extend(
        task.initiating
            .items
            .iter()
            .map(|i| ("items".into(), i.item_id.to_string())),
    );
    for (n, c) in task.cooperating.iter().take(3).enumerate() {
        v.push((format!("partner{}", n + 1), c.department_id.to_string()));
        v.extend(
            c.items
                .iter()
                .map(|i| (format!("partner{}_items", n + 1), i.item_id.to_string())),
        );
    }
    if task.directed {
        v.push(("directed".into(), "1".into()));
    }
    if let Some(rule) = &task.rule {
        for (tier, f) in &rule.tiers {
            v.push((format!("ratio_{tier}"), ratio(*f)));
        }
        if let (TierUse::Uniform { reason }, Some(f)) = (&task.tiers, rule.ratio) {
            v.push(("uniform".into(), ratio(f)));
            v.push(("uniform_reason".into(), reason.clone()));
        }
    }
    Ok(Fields(v))
}

fn new_task(f: &Fields) -> Result<NewTask, AppError> {
    let number = |name: &str, default: usize| -> Result<usize, AppError> {
        let v = f.one(name);
        if v.is_empty() {
            return Ok(default);
        }
        v.parse()
            .map_err(|_| AppError::invalid("TASK_NUMBER", format!("“{v}”不是有效的人数或次数")))
    };
    let department_id: i64 = f
        .one("department")
        .parse()
        .map_err(|_| AppError::invalid("TASK_DEPARTMENT", "请选择发起部门"))?;
    let mut partners = Vec::new();
    let mut quotas = BTreeMap::from([(department_id, number("quota", 1)?)]);
    for n in 1..=3 {
        let d = f.one(&format!("partner{n}"));
        if d.is_empty() {
            continue;
        }
        let id: i64 = d
            .parse()
            .map_err(|_| AppError::invalid("TASK_PARTNER", "配合部门无效"))?;
        partners.push(Partner {
            department_id: id,
            items: f.ids(&format!("partner{n}_items")),
        });
        quotas.insert(id, number(&format!("partner{n}_quota"), 1)?);
    }
    let uniform = f.one("uniform");
    Ok(NewTask {
        name: f.one("name"),
        department_id,
        items: f.ids("items"),
        partners,
        objects: ObjectScope {
            kinds: f.all("kinds"),
            directed: f.checked("directed"),
            divisions: split(&f.one("divisions")),
            industries: split(&f.one("industries")),
            tags: split(&f.one("tags")),
            tiers: f.all("tiers"),
            licence: f.one("licence"),
            include_outside: f.checked("include_outside"),
        },
        ratios: DEFAULT_RATIOS
            .iter()
            .map(|(t, _)| (t.to_string(), f.one(&format!("ratio_{t}"))))
            .collect(),
        uniform: (!uniform.is_empty()).then(|| (uniform, f.one("uniform_reason"))),
        no_disturb_a: f.checked("no_disturb_a"),
        window_from: f.one("window_from"),
        window_to: f.one("window_to"),
        team_size: number("team_size", 2)?,
        quotas,
        annual_cap: number("annual_cap", 0)? as u32,
        objects_only: f.checked("objects_only"),
        publish_conflicts: f.checked("publish_conflicts"),
        plan: plan_ref(f)?,
    })
}

/// The plan task the form was opened from (hidden fields `plan` and `plan_seq`).
fn plan_ref(f: &Fields) -> Result<Option<ssj_app::plans::adopt::PlanRef>, AppError> {
    let (plan, seq) = (f.one("plan"), f.one("plan_seq"));
    if plan.is_empty() {
        return Ok(None);
    }
    match (plan.parse(), seq.parse()) {
        (Ok(plan_id), Ok(seq)) => Ok(Some(ssj_app::plans::adopt::PlanRef { plan_id, seq })),
        _ => Err(AppError::invalid("PLAN_TASK_UNKNOWN", "计划任务的编号无效")),
    }
}

pub async fn create(State(s): State<AppState>, u: CurrentUser, body: Bytes) -> WebResult<Response> {
    let f = Fields::parse(&body);
    u.check_csrf(Some(&f.one("csrf")))?;
    u.require(Permission::PlanTasks)?;
    // A department changed: the same form again, its item lists for the departments chosen.
    if f.checked("refresh") {
        return Ok(form_page(&s, &u, &f, None).await?.into_response());
    }
    let made = match new_task(&f) {
        Ok(new) => s.platform.create_task(&u.actor, new).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(t) => Ok(Redirect::to(&format!("/console/tasks/{}", t.id)).into_response()),
        Err(e) => {
            let why = crate::pages::form_refusal(e)?;
            Ok(form_page(&s, &u, &f, Some(why)).await?.into_response())
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct DetailQuery {
    /// `1`: compute the draw's preview (scale, overall ratio, workload) as the freeze would.
    preview: Option<String>,
}

pub async fn detail(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DetailQuery>,
) -> WebResult<Html<String>> {
    detail_page(&s, &u, id, q.preview.as_deref() == Some("1"), None).await
}

/// A step of the task page the platform refused: its reason shown at that step's form, the
/// form filled in again as typed (never the revealed random values).
#[derive(Serialize)]
struct Refused {
    step: String,
    message: String,
    values: BTreeMap<String, String>,
}

async fn detail_page(
    s: &AppState,
    u: &CurrentUser,
    id: i64,
    want_preview: bool,
    refused: Option<Refused>,
) -> WebResult<Html<String>> {
    u.require(Permission::ViewConsole)?;
    let p = &s.platform;
    let task = p.task(id).await?;
    let view = task_view(p, &task).await?;
    let draws = p.draws(task.id).await?;
    let views = draw_views(p, &draws).await?;
    let live = draws.iter().rev().find(|d| d.status != DrawStatus::Void);
    let can_plan = u.actor.can(Permission::PlanTasks);
    let stage = match (task.status, live.map(|d| d.status)) {
        (TaskStatus::Cancelled, _) => "cancelled",
        (_, None) => "ready",
        (_, Some(DrawStatus::Frozen)) => "frozen",
        _ => "drawn",
    };
    let preview = if stage == "ready" && can_plan && want_preview {
        Some(p.draw_preview(&u.actor, task.id).await)
    } else {
        None
    };
    let (preview, preview_error) = match preview {
        Some(Ok(v)) => (Some(v), None),
        Some(Err(e)) => (None, Some(e.message)),
        None => (None, None),
    };
    render(
        s,
        "task_detail.html",
        Some(u),
        "tasks",
        context! {
            refused => Serde(&refused),
            preview => Serde(&preview),
            preview_error => preview_error,
            t => Serde(&view),
            draws => Serde(&views),
            live => live.map(|d| d.id),
            stage => stage,
            can_plan => can_plan,
            can_redraw => can_plan && u.actor.role == Role::SystemAdmin,
            can_audit_export => u.actor.can(Permission::ExportAuditFolder),
        },
    )
}

/// The full export of the task's current draw, with `conflicts.csv`, for the 监督员 who audits
/// it: the public zip leaves the declared conflicts out (personal data).
pub async fn audit_zip(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    u.require(Permission::ExportAuditFolder)?;
    let p = &s.platform;
    let task = p.task(id).await?;
    let draw = last_drawn(p, task.id).await?;
    let files = p.audit_export(&u.actor, draw.id).await?;
    zip_download(&format!("{}-{}-audit", task.code, draw.round), &files)
}

/// Runs one step of the ceremony (or a 递补) and comes back to the task's page.
pub async fn act(
    State(s): State<AppState>,
    u: CurrentUser,
    Path((id, step)): Path<(i64, String)>,
    body: Bytes,
) -> WebResult<Response> {
    let f = Fields::parse(&body);
    u.check_csrf(Some(&f.one("csrf")))?;
    u.require(Permission::PlanTasks)?;
    match act_step(&s, &u, id, &step, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/console/tasks/{id}")).into_response()),
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            let message = crate::pages::form_refusal(e)?;
            // Typed values come back, except the random values revealed (they stay secret
            // until a reveal succeeds).
            let values =
                f.0.iter()
                    .filter(|(k, _)| k != "csrf" && !k.starts_with("reveal_") && k != "value")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
            let refused = Refused {
                step: step.clone(),
                message,
                values,
            };
            let page = detail_page(&s, &u, id, false, Some(refused)).await?;
            Ok((status, page).into_response())
        }
    }
}

async fn act_step(
    s: &AppState,
    u: &CurrentUser,
    id: i64,
    step: &str,
    f: &Fields,
) -> Result<(), AppError> {
    let p = &s.platform;
    let draw_id = || -> Result<i64, AppError> {
        f.one("draw")
            .parse()
            .map_err(|_| AppError::invalid("DRAW_NOT_FOUND", "抽取记录无效"))
    };
    match step {
        "freeze" => {
            let reason = f.one("reason");
            p.freeze_draw(
                &u.actor,
                id,
                Some(reason.as_str()).filter(|r| !r.is_empty()),
            )
            .await?;
        }
        "contribute" => {
            use ssj_app::draws::{Contributor, NewContribution};
            let role = match f.one("role").as_str() {
                "witness" => Contributor::Witness,
                "lottery" => Contributor::Lottery,
                _ => Contributor::Operator,
            };
            let value = Some(f.one("value")).filter(|v| !v.is_empty());
            let commitment = Some(f.one("commitment")).filter(|v| !v.is_empty());
            p.add_contribution(
                &u.actor,
                draw_id()?,
                NewContribution {
                    role,
                    label: f.one("label"),
                    value,
                    commitment,
                },
            )
            .await?;
        }
        "lottery" => {
            let position: i64 = f.one("position").parse().unwrap_or(0);
            p.enter_lottery(&u.actor, draw_id()?, position, &f.one("result"))
                .await?;
        }
        "reveal" => {
            let reveals: BTreeMap<i64, String> =
                f.0.iter()
                    .filter_map(|(k, v)| {
                        Some((
                            k.strip_prefix("reveal_")?.parse().ok()?,
                            v.trim().to_string(),
                        ))
                    })
                    .filter(|(_, v): &(i64, String)| !v.is_empty())
                    .collect();
            p.reveal_and_draw(&u.actor, draw_id()?, &reveals).await?;
        }
        "substitute" => {
            use ssj_app::draws::after::Change;
            let key = f.one("key");
            let change = match f.one("kind").as_str() {
                "officer" => Change::Officer {
                    key,
                    officer_id: f.one("officer"),
                },
                "conflict" => Change::Conflict {
                    officer_id: f.one("officer"),
                    key,
                },
                _ => Change::Object { key },
            };
            p.change_draw(&u.actor, draw_id()?, change, &f.one("reason"))
                .await?;
        }
        "cancel" => {
            p.cancel_task(&u.actor, id, &f.one("reason")).await?;
        }
        _ => return Err(AppError::not_found("NOT_FOUND", "您访问的页面不存在")),
    }
    Ok(())
}
