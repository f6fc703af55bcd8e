//! 事项清单: the versioned item list — browse, import (preview, then confirm), publish,
//! retire, export; and its public page.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::imports::download;
use crate::pages::{nonempty, query_string};
use crate::render::render;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use ssj_app::Actor;
use ssj_app::AppError;
use ssj_app::items::key;
use ssj_domain::Permission;
use ssj_domain::items::ItemKind;
use ssj_import::export::TableFormat;
use ssj_storage::{Item, ItemFilter, ItemVersion, VersionStatus};

const PAGE: u64 = 50;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ItemQuery {
    version: Option<String>,
    q: Option<String>,
    department: Option<String>,
    kind: Option<String>,
    joint: Option<String>,
    retired: Option<String>,
    page: Option<String>,
    /// The name of an item just saved, for the 已保存 notice.
    saved: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct ItemView {
    joint: bool,
    department: String,
    category: String,
    name: String,
    object_type: String,
    kind: &'static str,
    methods: String,
    subject: String,
    bases: Vec<String>,
    field: String,
    initiators: String,
    cooperators: String,
    retired: bool,
    ratio: String,
    frequency: String,
    officers: String,
    key: Vec<String>,
}

pub(crate) fn view(i: &Item) -> ItemView {
    let (joint, owner, category, name, object_type) = key(i);
    ItemView {
        joint: i.joint,
        department: i.department.clone(),
        category: i.category.clone(),
        name: i.name.clone(),
        object_type: i.object_type.clone(),
        kind: i.kind.map(|k| k.label()).unwrap_or(""),
        methods: i.methods.join("、"),
        subject: i.subject.clone(),
        bases: i.bases.clone(),
        field: i.field.clone(),
        initiators: i.initiators.join("、"),
        cooperators: i.cooperators.join("、"),
        retired: i.retired,
        ratio: i.ratio.clone(),
        frequency: i.frequency.clone(),
        officers: i.officers.clone(),
        key: vec![
            if joint { "1".into() } else { "0".into() },
            owner,
            category,
            name,
            object_type,
        ],
    }
}

#[derive(Serialize)]
struct VersionView {
    id: i64,
    draft: bool,
    published: Option<String>,
    note: String,
}

fn version_view(v: &ItemVersion) -> VersionView {
    VersionView {
        id: v.id,
        draft: v.status == VersionStatus::Draft,
        published: v.published_ms.map(ssj_app::clock::format_ms),
        note: v.note.clone(),
    }
}

/// Runs the query against a version: any version for a console user, published ones for the
/// public page (`actor` is `None`).
async fn listing(s: &AppState, q: &ItemQuery, actor: Option<&Actor>) -> Result<Value, AppError> {
    let published_only = actor.is_none();
    let versions: Vec<ItemVersion> = s
        .platform
        .item_versions()
        .await?
        .into_iter()
        .filter(|v| !published_only || v.status == VersionStatus::Published)
        .collect();
    let wanted = nonempty(&q.version).and_then(|v| v.parse::<i64>().ok());
    let version = match wanted {
        Some(id) => versions.iter().find(|v| v.id == id).cloned(),
        None => versions.last().cloned(),
    };
    let Some(version) = version else {
        return Ok(context! { version => Value::UNDEFINED, versions => Vec::<Value>::new() });
    };
    let all = s.platform.version_items(actor, version.id).await?;
    let mut seen = std::collections::HashSet::new();
    let departments: Vec<String> = all
        .iter()
        .filter(|i| !i.joint && seen.insert(&i.department))
        .map(|i| i.department.clone())
        .collect();
    let kind = match nonempty(&q.kind).as_deref() {
        None => None,
        Some(k) => Some(ItemKind::parse(k)?),
    };
    let page = nonempty(&q.page)
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let filter = ItemFilter {
        version_id: version.id,
        q: nonempty(&q.q),
        department: nonempty(&q.department),
        kind,
        joint: match nonempty(&q.joint).as_deref() {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        },
        include_retired: nonempty(&q.retired).is_some(),
        offset: (page - 1) * PAGE,
        limit: PAGE,
    };
    let (items, total) = s.platform.items(actor, &filter).await?;
    let live: Vec<&Item> = all.iter().filter(|i| !i.retired).collect();
    let counts = context! {
        total => live.len(),
        key => live.iter().filter(|i| i.kind == Some(ItemKind::Key)).count(),
        joint => live.iter().filter(|i| i.joint).count(),
        departments => departments.len(),
        retired => all.len() - live.len(),
    };
    let mut base = q.clone();
    base.page = None;
    let base_query = query_string(&[
        ("version", &base.version),
        ("q", &base.q),
        ("department", &base.department),
        ("kind", &base.kind),
        ("joint", &base.joint),
        ("retired", &base.retired),
    ]);
    let items: Vec<ItemView> = items.iter().map(view).collect();
    let versions: Vec<VersionView> = versions.iter().map(version_view).collect();
    Ok(context! {
        version => Value::from(Serde(version_view(&version))),
        versions => Value::from(Serde(versions)),
        items => Value::from(Serde(items)),
        total, page, pages => total.div_ceil(PAGE).max(1), counts, departments,
        q => Value::from(Serde(q.clone())), base_query,
    })
}

pub async fn list(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ItemQuery>,
) -> WebResult<Html<String>> {
    u.require(Permission::ViewConsole)?;
    let data = listing(&s, &q, Some(&u.actor)).await?;
    let changes = s.platform.draft_changes(&u.actor).await?.map(changes_view);
    render(
        &s,
        "items.html",
        Some(&u),
        "items",
        context! {
            can_edit => u.actor.can(Permission::EditLists),
            changes => Value::from(Serde(changes)),
            saved => nonempty(&q.saved),
            ..data
        },
    )
}

#[derive(Serialize)]
struct ChangedView {
    department: String,
    name: String,
    fields: Vec<(&'static str, String, String)>,
}

#[derive(Serialize)]
struct ChangesView {
    draft_version: i64,
    count: usize,
    added: Vec<(String, String)>,
    removed: Vec<(String, String)>,
    changed: Vec<ChangedView>,
}

/// The draft against the published version, as the publish form shows it.
fn changes_view(c: ssj_app::items::DraftChanges) -> ChangesView {
    let named = |i: &Item| (i.department.clone(), i.name.clone());
    ChangesView {
        draft_version: c.draft_version,
        count: c.count(),
        added: c.added.iter().map(named).collect(),
        removed: c.removed.iter().map(named).collect(),
        changed: c
            .changed
            .into_iter()
            .map(|ch| ChangedView {
                department: ch.item.department,
                name: ch.item.name,
                fields: ch.fields,
            })
            .collect(),
    }
}

pub async fn public_list(
    State(s): State<AppState>,
    user: Option<CurrentUser>,
    Query(q): Query<ItemQuery>,
) -> WebResult<Html<String>> {
    let data = listing(&s, &q, None).await?;
    render(&s, "public_items.html", user.as_ref(), "", data)
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    joint: Option<String>,
    version: Option<String>,
}

pub async fn export(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    u.require(Permission::ViewConsole)?;
    export_for(&s, q, false).await
}

pub async fn public_export(
    State(s): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    export_for(&s, q, true).await
}

async fn export_for(s: &AppState, q: ExportQuery, published_only: bool) -> WebResult<Response> {
    let format = TableFormat::parse(q.format.as_deref().unwrap_or("xlsx"))
        .ok_or_else(|| AppError::invalid("FORMAT_UNKNOWN", "导出格式应为 xlsx 或 csv"))?;
    // `joint=1` / `joint=0`: one list in its importable layout; neither: the whole list.
    let joint = match q.joint.as_deref() {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    };
    let versions = s.platform.item_versions().await?;
    let usable = |v: &&ItemVersion| !published_only || v.status == VersionStatus::Published;
    let version = match nonempty(&q.version).map(|v| v.parse::<i64>()) {
        Some(Ok(id)) => versions.iter().filter(usable).find(|v| v.id == id),
        Some(Err(_)) => return Err(AppError::invalid("BAD_NUMBER", "版本号应为整数").into()),
        None => versions.iter().rev().find(|v| usable(v)),
    };
    let Some(version) = version else {
        return Err(AppError::not_found("NO_VERSION", "尚无可导出的事项清单版本").into());
    };
    let (bytes, title) = match joint {
        Some(joint) => (
            s.platform
                .export_items(Some(version.id), joint, format)
                .await?,
            if joint {
                "部门联合抽查事项清单"
            } else {
                "部门随机抽查事项清单"
            },
        ),
        None => (
            s.platform.export_all_items(version.id, format).await?,
            "随机抽查事项清单（全部）",
        ),
    };
    let stem = format!("{title}-第{}版", version.id);
    Ok(download(bytes, format, &stem))
}

pub async fn template(u: CurrentUser) -> WebResult<Response> {
    u.require(Permission::ViewConsole)?;
    let empty = ssj_import::export::write_table(
        TableFormat::Xlsx,
        "随机抽查事项清单",
        ssj_app::items::ITEM_EXPORT_HEADER,
        std::iter::empty(),
    )
    .map_err(AppError::internal)?;
    Ok(download(empty, TableFormat::Xlsx, "随机抽查事项清单-模板"))
}

#[derive(Deserialize)]
pub struct PublishForm {
    csrf: Option<String>,
    note: Option<String>,
}

pub async fn publish(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<PublishForm>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    let v = s
        .platform
        .publish_items(&u.actor, f.note.as_deref().unwrap_or_default())
        .await?;
    Ok(Redirect::to(&format!("/console/items?version={}", v.id)).into_response())
}

#[derive(Deserialize)]
pub struct RetireForm {
    csrf: Option<String>,
    joint: Option<String>,
    owner: Option<String>,
    category: Option<String>,
    name: Option<String>,
    object_type: Option<String>,
    retired: Option<String>,
    reason: Option<String>,
}

pub async fn retire(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<RetireForm>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    let key = (
        f.joint.as_deref() == Some("1"),
        f.owner.unwrap_or_default(),
        f.category.unwrap_or_default(),
        f.name.unwrap_or_default(),
        f.object_type.unwrap_or_default(),
    );
    let retired = f.retired.as_deref() != Some("0");
    s.platform
        .set_item_retired(
            &u.actor,
            &key,
            retired,
            f.reason.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok(Redirect::to("/console/items?retired=1").into_response())
}
