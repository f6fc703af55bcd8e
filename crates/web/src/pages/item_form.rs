//! One item added to the draft, or edited in it, by hand. A refused form comes back filled
//! in, with the reason above it.

use crate::AppState;
use crate::auth::{CurrentUser, urlencode};
use crate::error::WebResult;
use crate::pages::form_refusal;
use crate::pages::items::view;
use crate::render::render;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use ssj_app::AppError;
use ssj_app::items::{ItemEdit, key};
use ssj_domain::Permission;
use ssj_storage::Item;

#[derive(Deserialize, Default)]
pub struct EditForm {
    csrf: Option<String>,
    joint: Option<String>,
    owner: Option<String>,
    category: Option<String>,
    name: Option<String>,
    object_type: Option<String>,
    /// The department of a new item.
    department: Option<String>,
    new_category: Option<String>,
    new_name: Option<String>,
    new_object_type: Option<String>,
    kind: Option<String>,
    methods: Option<String>,
    subject: Option<String>,
    bases: Option<String>,
    ratio: Option<String>,
    frequency: Option<String>,
    officers: Option<String>,
    reason: Option<String>,
}

/// What the form's fields show: the stored item, or what was typed into a refused form.
#[derive(Serialize, Default)]
struct Shown {
    department: String,
    category: String,
    name: String,
    object_type: String,
    kind: String,
    methods: String,
    subject: String,
    bases: String,
    ratio: String,
    frequency: String,
    officers: String,
    reason: String,
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl Shown {
    fn of(i: &Item) -> Shown {
        Shown {
            department: i.department.clone(),
            category: i.category.clone(),
            name: i.name.clone(),
            object_type: i.object_type.clone(),
            kind: i.kind.map(|k| k.label()).unwrap_or("一般检查事项").into(),
            methods: i.methods.join("、"),
            subject: i.subject.clone(),
            bases: i.bases.join("\n"),
            ratio: i.ratio.clone(),
            frequency: i.frequency.clone(),
            officers: i.officers.clone(),
            reason: String::new(),
        }
    }

    fn typed(f: &EditForm) -> Shown {
        Shown {
            department: text(&f.department),
            category: text(&f.new_category),
            name: text(&f.new_name),
            object_type: text(&f.new_object_type),
            kind: text(&f.kind),
            methods: text(&f.methods),
            subject: text(&f.subject),
            bases: text(&f.bases),
            ratio: text(&f.ratio),
            frequency: text(&f.frequency),
            officers: text(&f.officers),
            reason: text(&f.reason),
        }
    }
}

impl EditForm {
    fn seen_key(&self) -> ssj_app::items::ItemKey {
        (
            self.joint.as_deref() == Some("1"),
            text(&self.owner),
            text(&self.category),
            text(&self.name),
            text(&self.object_type),
        )
    }

    fn edit(&self) -> ItemEdit {
        ItemEdit {
            category: text(&self.new_category),
            name: text(&self.new_name),
            object_type: text(&self.new_object_type),
            kind: text(&self.kind),
            methods: text(&self.methods),
            subject: text(&self.subject),
            bases: text(&self.bases),
            ratio: text(&self.ratio),
            frequency: text(&self.frequency),
            officers: text(&self.officers),
            reason: text(&self.reason),
        }
    }
}

/// The item as the user saw it, in the latest version.
async fn find(s: &AppState, u: &CurrentUser, wanted: &ssj_app::items::ItemKey) -> WebResult<Item> {
    let latest = s.platform.item_versions().await?.last().map(|v| v.id);
    let items = match latest {
        Some(id) => s.platform.version_items(Some(&u.actor), id).await?,
        None => Vec::new(),
    };
    Ok(items
        .into_iter()
        .find(|i| key(i) == *wanted)
        .ok_or_else(|| AppError::not_found("ITEM_NOT_FOUND", "事项不存在"))?)
}

async fn page(
    s: &AppState,
    u: &CurrentUser,
    item: Option<&Item>,
    shown: &Shown,
    error: Option<String>,
) -> WebResult<Response> {
    let departments = crate::pages::departments_to_choose(s, u).await?;
    render(
        s,
        "item_edit.html",
        Some(u),
        "items",
        context! {
            i => item.map(|i| Value::from(Serde(view(i)))),
            f => Value::from(Serde(shown)),
            error, departments,
        },
    )
    .map(IntoResponse::into_response)
}

fn saved(name: &str) -> Response {
    let to = format!("/console/items?saved={}", urlencode(name.trim()));
    Redirect::to(&to).into_response()
}

/// The edit form of one item, found by its key in the latest version.
pub async fn edit_form(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(f): Query<EditForm>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let item = find(&s, &u, &f.seen_key()).await?;
    page(&s, &u, Some(&item), &Shown::of(&item), None).await
}

pub async fn edit(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<EditForm>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    let edit = f.edit();
    match s.platform.edit_item(&u.actor, &f.seen_key(), edit).await {
        Ok(()) => Ok(saved(&text(&f.new_name))),
        // Back into the form, if the item is there to show; else the refusal's own page.
        Err(e) => match find(&s, &u, &f.seen_key()).await {
            Ok(item) => {
                let why = form_refusal(e)?;
                page(&s, &u, Some(&item), &Shown::typed(&f), Some(why)).await
            }
            Err(_) => Err(e.into()),
        },
    }
}

/// The form of a new department item, for the user's own department by default.
pub async fn new_form(State(s): State<AppState>, u: CurrentUser) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let department = crate::pages::own_department(&s, &u).await?;
    let shown = Shown {
        department,
        kind: "一般检查事项".into(),
        ..Shown::default()
    };
    page(&s, &u, None, &shown, None).await
}

pub async fn create(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<EditForm>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    match s
        .platform
        .add_item(&u.actor, &text(&f.department), f.edit())
        .await
    {
        Ok(()) => Ok(saved(&text(&f.new_name))),
        Err(e) => {
            let why = form_refusal(e)?;
            page(&s, &u, None, &Shown::typed(&f), Some(why)).await
        }
    }
}
