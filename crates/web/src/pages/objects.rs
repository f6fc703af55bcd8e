//! 检查对象名录库: the directory with filters, counts per risk tier, an object's history,
//! export of any filtered view, and the import template.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::imports::download;
use crate::pages::{nonempty, query_string};
use crate::render::render;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use ssj_app::AppError;
use ssj_domain::Permission;
use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};
use ssj_import::export::TableFormat;
use ssj_storage::{Object, ObjectFilter, ObjectSort};

const PAGE: u64 = 50;
/// Past this many matches a filter the tally cannot count (a name search) shows "more than".
const COUNT_CAP: u64 = 10_000;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ObjectQuery {
    q: Option<String>,
    division: Option<String>,
    kind: Option<String>,
    tier: Option<String>,
    status: Option<String>,
    tag: Option<String>,
    industry: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

fn filter(q: &ObjectQuery) -> Result<ObjectFilter, AppError> {
    let page = nonempty(&q.page)
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    Ok(ObjectFilter {
        q: nonempty(&q.q),
        division: nonempty(&q.division),
        kind: nonempty(&q.kind)
            .map(|k| ObjectKind::parse(&k))
            .transpose()?,
        tier: nonempty(&q.tier).map(|t| Tier::parse(&t)).transpose()?,
        status: nonempty(&q.status)
            .map(|s| RegistrationStatus::parse(&s))
            .transpose()?,
        tag: nonempty(&q.tag),
        industry: nonempty(&q.industry),
        authority: None,
        sort: match q.sort.as_deref() {
            Some("name") => ObjectSort::Name,
            Some("updated") => ObjectSort::Updated,
            _ => ObjectSort::Code,
        },
        after: None,
        after_id: None,
        offset: (page - 1) * PAGE,
        limit: PAGE,
        count_cap: Some(COUNT_CAP),
    })
}

#[derive(Serialize)]
struct ObjectView {
    code: String,
    flagged: bool,
    name: String,
    kind: &'static str,
    legal_rep: String,
    division: String,
    authority: String,
    industry: String,
    status: &'static str,
    tier: &'static str,
    tags: String,
    created: String,
    scale: String,
    tier_note: String,
    abnormal: bool,
    serious: bool,
    last_inspected: String,
    licences: Vec<String>,
}

fn view(o: &Object) -> ObjectView {
    ObjectView {
        code: o.code.clone(),
        flagged: o.code_flagged,
        name: o.name.clone(),
        kind: o.kind.label(),
        legal_rep: o.legal_rep.clone(),
        division: o.division.clone(),
        authority: o.authority.clone(),
        industry: o.industry.clone(),
        status: o.status.label(),
        tier: o.tier.label(),
        tags: o.tags.join("、"),
        created: ssj_app::clock::format_ms(o.created_ms),
        scale: o.scale.clone(),
        tier_note: [o.tier_date.as_str(), o.tier_source.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("，"),
        abnormal: o.abnormal,
        serious: o.serious_violation,
        last_inspected: o.last_inspected.clone(),
        licences: o
            .licences
            .iter()
            .map(|l| {
                format!(
                    "{} {}{}",
                    l.name,
                    l.number,
                    if l.valid_until.is_empty() {
                        String::new()
                    } else {
                        format!("（有效期至 {}）", l.valid_until)
                    }
                )
            })
            .collect(),
    }
}

pub async fn list(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ObjectQuery>,
) -> WebResult<Html<String>> {
    u.require(Permission::ViewConsole)?;
    let f = filter(&q)?;
    let p = &s.platform;
    let (objects, total) = p.objects(&u.actor, &f).await?;
    let capped = !f.tally_serves() && total > COUNT_CAP;
    let tiers: Vec<Value> = if capped {
        Vec::new() // the first matches' tiers would mislead
    } else {
        p.object_tier_counts(&u.actor, &f)
            .await?
            .into_iter()
            .map(|(t, n)| context! { tier => t.label(), n })
            .collect()
    };
    let total = if capped { COUNT_CAP } else { total };
    let page = f.offset / PAGE + 1;
    let divisions: Vec<Value> = p
        .divisions()
        .await?
        .into_iter()
        .map(|d| context! { code => d.code.as_str(), name => d.name })
        .collect();
    let views: Vec<ObjectView> = objects.iter().map(view).collect();
    render(
        &s,
        "objects.html",
        Some(&u),
        "objects",
        context! {
            objects => Value::from(Serde(views)), total, capped, tiers, page, pages => total.div_ceil(PAGE).max(1),
            q => Value::from(Serde(q.clone())), base_query => query_string(&[("q", &q.q),
        ("division", &q.division),
        ("kind", &q.kind),
        ("tier", &q.tier),
        ("status", &q.status),
        ("tag", &q.tag),
        ("industry", &q.industry),
        ("sort", &q.sort)]), divisions,
            kinds => ObjectKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            statuses => RegistrationStatus::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            tier_choices => Tier::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            can_edit => u.actor.can(Permission::EditLists),
        },
    )
}

pub async fn detail(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(code): Path<String>,
) -> WebResult<Html<String>> {
    u.require(Permission::ViewConsole)?;
    let o = s.platform.object_by_code(&u.actor, &code).await?;
    let history: Vec<Value> = s
        .platform
        .object_history(&u.actor, o.id)
        .await?
        .into_iter()
        .map(|c| context! { at => ssj_app::clock::format_ms(c.at_ms), actor => c.actor, action => c.action, before => c.before, after => c.after })
        .collect();
    render(
        &s,
        "object_detail.html",
        Some(&u),
        "objects",
        context! {
            o => Value::from(Serde(view(&o))), history,
            can_edit => u.actor.can(Permission::EditLists),
        },
    )
}

pub async fn export(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ObjectQuery>,
) -> WebResult<Response> {
    u.require(Permission::ViewConsole)?;
    let format = TableFormat::parse(q.format.as_deref().unwrap_or("xlsx"))
        .ok_or_else(|| AppError::invalid("FORMAT_UNKNOWN", "导出格式应为 xlsx 或 csv"))?;
    let f = ObjectFilter {
        offset: 0,
        ..filter(&q)?
    };
    let bytes = s.platform.export_objects(&f, format).await?;
    Ok(download(bytes, format, "检查对象名录"))
}

pub async fn template(u: CurrentUser) -> WebResult<Response> {
    u.require(Permission::ViewConsole)?;
    let empty = ssj_import::export::write_table(
        TableFormat::Xlsx,
        "检查对象名录",
        ssj_app::objects::OBJECT_EXPORT_HEADER,
        std::iter::empty(),
    )
    .map_err(AppError::internal)?;
    Ok(download(empty, TableFormat::Xlsx, "检查对象名录-模板"))
}
