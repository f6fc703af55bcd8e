//! Adding one object, or changing one, by hand. A refused form comes back filled in, with the
//! reason above it: nothing typed is lost.

use crate::AppState;
use crate::auth::{CurrentUser, urlencode};
use crate::error::WebResult;
use crate::render::render;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use ssj_domain::Permission;
use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};
use ssj_import::objects::ObjectRow;
use ssj_storage::Object;

/// The form's fields, as typed (strings throughout, so a refused form shows them again).
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ObjectFields {
    csrf: Option<String>,
    code: String,
    name: String,
    kind: String,
    legal_rep: String,
    address: String,
    division: String,
    authority: String,
    industry: String,
    scale: String,
    status: String,
    tier: String,
    tier_date: String,
    tier_source: String,
    tags: String,
    abnormal: String,
    serious: String,
    last_inspected: String,
    licence_name: String,
    licence_no: String,
    licence_valid: String,
    reason: String,
}

impl ObjectFields {
    fn of(o: &Object) -> ObjectFields {
        let yes = |b: bool| if b { "是" } else { "否" }.to_string();
        let licence = o.licences.first();
        let licence_field = |f: fn(&ssj_storage::Licence) -> &String| {
            licence.map(|l| f(l).clone()).unwrap_or_default()
        };
        ObjectFields {
            csrf: None,
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.label().into(),
            legal_rep: o.legal_rep.clone(),
            address: o.address.clone(),
            division: o.division.clone(),
            authority: o.authority.clone(),
            industry: o.industry.clone(),
            scale: o.scale.clone(),
            status: o.status.label().into(),
            tier: o.tier.label().into(),
            tier_date: o.tier_date.clone(),
            tier_source: o.tier_source.clone(),
            tags: o.tags.join("、"),
            abnormal: yes(o.abnormal),
            serious: yes(o.serious_violation),
            last_inspected: o.last_inspected.clone(),
            licence_name: licence_field(|l| &l.name),
            licence_no: licence_field(|l| &l.number),
            licence_valid: licence_field(|l| &l.valid_until),
            reason: String::new(),
        }
    }

    fn row(&self) -> ObjectRow {
        ObjectRow {
            row: 0,
            code: self.code.clone(),
            flagged: false,
            name: self.name.trim().into(),
            kind: self.kind.trim().into(),
            legal_rep: self.legal_rep.trim().into(),
            address: self.address.trim().into(),
            registrar: String::new(),
            authority: self.authority.trim().into(),
            division: self.division.trim().into(),
            industry: self.industry.trim().into(),
            tier: self.tier.trim().into(),
            status: self.status.trim().into(),
            tags: self.tags.trim().into(),
            scale: self.scale.trim().into(),
            tier_date: self.tier_date.trim().into(),
            tier_source: self.tier_source.trim().into(),
            abnormal: self.abnormal.trim().into(),
            serious: self.serious.trim().into(),
            last_inspected: self.last_inspected.trim().into(),
            licence_name: self.licence_name.trim().into(),
            licence_no: self.licence_no.trim().into(),
            licence_valid: self.licence_valid.trim().into(),
            folds: Vec::new(),
        }
    }
}

fn page(
    s: &AppState,
    u: &CurrentUser,
    f: &ObjectFields,
    editing: bool,
    action: &str,
    error: Option<String>,
) -> WebResult<Response> {
    render(
        s,
        "object_form.html",
        Some(u),
        "objects",
        context! {
            f => minijinja::Value::from(Serde(f)), editing, action, error,
            kinds => ObjectKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            statuses => RegistrationStatus::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            tier_choices => Tier::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
        },
    )
    .map(IntoResponse::into_response)
}

use crate::pages::form_refusal as refusal;

fn detail_url(code: &str) -> String {
    format!("/console/objects/code/{}", urlencode(code))
}

pub async fn new_form(State(s): State<AppState>, u: CurrentUser) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let f = ObjectFields {
        kind: ObjectKind::Enterprise.label().into(),
        status: RegistrationStatus::Active.label().into(),
        tier: Tier::Unclassified.label().into(),
        ..Default::default()
    };
    page(&s, &u, &f, false, "/console/objects/new", None)
}

pub async fn create(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<ObjectFields>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    match s.platform.add_object(&u.actor, f.row()).await {
        Ok(o) => Ok(Redirect::to(&detail_url(&o.code)).into_response()),
        Err(e) => page(&s, &u, &f, false, "/console/objects/new", Some(refusal(e)?)),
    }
}

pub async fn edit_form(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(code): Path<String>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let o = s.platform.object_by_code(&u.actor, &code).await?;
    let action = format!("{}/edit", detail_url(&o.code));
    page(&s, &u, &ObjectFields::of(&o), true, &action, None)
}

pub async fn edit(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(code): Path<String>,
    Form(mut f): Form<ObjectFields>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    f.code = code.clone();
    match s
        .platform
        .edit_object(&u.actor, &code, f.row(), &f.reason)
        .await
    {
        Ok(o) => Ok(Redirect::to(&detail_url(&o.code)).into_response()),
        Err(e) => {
            let action = format!("{}/edit", detail_url(&code));
            page(&s, &u, &f, true, &action, Some(refusal(e)?))
        }
    }
}
