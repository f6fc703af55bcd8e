//! The route table. Each console route names the permission it needs inside its handler; every
//! route is registered through [`RouteTable`], so [`route_table`] lists exactly what the router
//! serves (the authorization matrix test enumerates it).

use crate::auth::CurrentUser;
use crate::error::{normalise_errors, panic_response};
use crate::pages::imports::{self, ConfirmForm, ListKind};
use crate::pages::{
    admin, audit, console, dispatch, item_form, items, object_form, objects, officer_form,
    officers, plans, public, public_tasks, tasks,
};
use crate::{AppState, security};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::handler::Handler;
use axum::routing::{get, post};
use axum::{Form, Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// One route the router serves: its method and its path pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: &'static str,
    pub path: &'static str,
}

/// A router that remembers what it was given.
struct RouteTable {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
}

impl RouteTable {
    fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.router = self.router.route(path, get(h));
        self.entries.push(RouteEntry {
            method: "GET",
            path,
        });
        self
    }

    fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.router = self.router.route(path, post(h));
        self.entries.push(RouteEntry {
            method: "POST",
            path,
        });
        self
    }

    /// The same upload, preview, confirm and rejects routes for each list. Each list has its
    /// own static path, so `/console/officers/{id}` can never catch `import`.
    fn imports(self, kind: ListKind, [base, token, rejects]: [&'static str; 3]) -> Self {
        self.get(base, move |State(s): State<AppState>, u: CurrentUser| {
            imports::form(s, u, kind)
        })
        .post(
            base,
            move |State(s): State<AppState>, u: CurrentUser, m: Multipart| {
                imports::preview(s, u, kind, m)
            },
        )
        .post(
            token,
            move |State(s): State<AppState>,
                  u: CurrentUser,
                  Path(t): Path<String>,
                  Form(f): Form<ConfirmForm>| imports::confirm(s, u, kind, t, f),
        )
        .get(
            rejects,
            move |State(s): State<AppState>, u: CurrentUser, Path(t): Path<String>| {
                imports::rejects(s, u, kind, t)
            },
        )
    }
}

/// A list's import routes: the form and upload, the confirmation, the rejects download.
macro_rules! import_paths {
    ($list:literal) => {
        [
            concat!("/console/", $list, "/import"),
            concat!("/console/", $list, "/import/{token}"),
            concat!("/console/", $list, "/import/{token}/rejects"),
        ]
    };
}

fn table() -> RouteTable {
    RouteTable {
        router: Router::new(),
        entries: Vec::new(),
    }
    .get("/", public::home)
    .get("/healthz", public::health)
    .get("/static/app.css", public::css)
    .get("/static/app.js", public::js)
    .get("/public/audit", public::audit)
    .get("/api/audit/checkpoint", public::api_checkpoint)
    .get("/api/audit/consistency", public::api_consistency)
    .get("/api/audit/inclusion", audit::api_inclusion)
    .get("/api/v1/audit/checkpoints", public::api_v1_checkpoints)
    .get("/api/v1/audit/consistency", public::api_consistency)
    .get("/api/v1/audit/records", public::api_v1_records)
    .get("/api/v1/audit/inclusion", public::api_v1_inclusion)
    .get("/login", console::login_page)
    .post("/login", console::login)
    .post("/logout", console::logout)
    .get("/public/items", items::public_list)
    .get("/public/items/export", items::public_export)
    .get("/public/tasks", public_tasks::list)
    .get("/public/tasks/{code}", public_tasks::detail)
    .get("/public/tasks/{code}/export.zip", public_tasks::export_zip)
    .get("/public/verify", public_tasks::verify_page)
    .get("/public/commitment", public::commitment)
    .post("/public/verify", public_tasks::verify_upload)
    .get("/public/plans", plans::public::list)
    .get("/public/plans/{code}", plans::public::detail)
    .get("/console/plans", plans::list)
    .get("/console/plans/import", plans::import::form)
    .post("/console/plans/import", plans::import::upload)
    .post("/console/plans/import/confirm", plans::import::confirm)
    .get("/console/plans/{id}", plans::detail)
    .get("/console/plans/{id}/visits", plans::visits)
    .post("/console/plans/{id}/{step}", plans::act)
    .get("/console/tasks", tasks::list)
    .post("/console/tasks", tasks::create)
    .get("/console/tasks/new", tasks::new_form)
    .get("/console/tasks/{id}", tasks::detail)
    .get("/console/tasks/{id}/audit.zip", tasks::audit_zip)
    .get("/console/tasks/{id}/dispatch", dispatch::sheets)
    .get("/console/tasks/{id}/dispatch.xlsx", dispatch::xlsx)
    .get("/console/tasks/{id}/dispatch.csv", dispatch::csv)
    .post("/console/tasks/{id}/{step}", tasks::act)
    .get("/console", console::home)
    .get("/console/items", items::list)
    .get("/console/officers", officers::list)
    .get("/console/officers/export", officers::export)
    .get("/console/officers/template", officers::template)
    .get("/console/officers/new", officer_form::new_form)
    .post("/console/officers/new", officer_form::create)
    .get("/console/officers/{id}", officers::detail)
    .get("/console/officers/{id}/edit", officer_form::edit_form)
    .post("/console/officers/{id}/edit", officer_form::edit)
    .post("/console/officers/{id}/leave", officers::add_leave)
    .post(
        "/console/officers/{id}/conflicts",
        officers::declare_conflict,
    )
    .get("/console/objects", objects::list)
    .get("/console/objects/export", objects::export)
    .get("/console/objects/template", objects::template)
    .get("/console/objects/code/{code}", objects::detail)
    .get("/console/objects/new", object_form::new_form)
    .post("/console/objects/new", object_form::create)
    .get("/console/objects/code/{code}/edit", object_form::edit_form)
    .post("/console/objects/code/{code}/edit", object_form::edit)
    .imports(ListKind::Items, import_paths!("items"))
    .imports(ListKind::Objects, import_paths!("objects"))
    .imports(ListKind::Officers, import_paths!("officers"))
    .get("/console/items/export", items::export)
    .get("/console/items/template", items::template)
    .post("/console/items/publish", items::publish)
    .post("/console/items/retire", items::retire)
    .get("/console/items/edit", item_form::edit_form)
    .post("/console/items/edit", item_form::edit)
    .get("/console/items/new", item_form::new_form)
    .post("/console/items/new", item_form::create)
    .get("/console/account", console::account)
    .post("/console/account", console::change_password)
    .get("/console/audit", audit::list)
    .get("/console/audit/{seq}", audit::detail)
    .get("/console/admin", admin::users)
    .get("/console/admin/users/new", admin::new_user_form)
    .post("/console/admin/users", admin::create_user)
    .get("/console/admin/users/{id}", admin::edit_user_form)
    .post("/console/admin/users/{id}", admin::update_user)
    .post("/console/admin/users/{id}/password", admin::reset_password)
    .post("/console/admin/users/{id}/unlock", admin::unlock_user)
    .get("/console/admin/org", admin::org)
    .post("/console/admin/divisions", admin::create_division)
    .post("/console/admin/divisions/import", admin::import_divisions)
    .post("/console/admin/departments", admin::create_department)
    .post("/console/admin/departments/{id}", admin::update_department)
}

/// Every (method, path) the router serves.
pub fn route_table() -> Vec<RouteEntry> {
    table().entries
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    table()
        .router
        .fallback(public::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        // Inside normalise_errors, so the 408 gets the usual Chinese page.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            normalise_errors,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(security::headers))
        .with_state(state)
}
