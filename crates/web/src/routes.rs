//! The route table. Each console route names the permission it needs inside its handler.

use crate::error::{normalise_errors, panic_response};
use crate::pages::{
    admin, audit, console, imports, items, object_form, objects, officers, public, public_tasks,
    tasks,
};
use crate::{AppState, security};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/", get(public::home))
        .route("/healthz", get(public::health))
        .route("/static/app.css", get(public::css))
        .route("/static/app.js", get(public::js))
        .route("/public/audit", get(public::audit))
        .route("/api/audit/checkpoint", get(public::api_checkpoint))
        .route("/api/audit/consistency", get(public::api_consistency))
        .route("/api/audit/inclusion", get(audit::api_inclusion))
        .route("/login", get(console::login_page).post(console::login))
        .route("/logout", post(console::logout))
        .route("/public/items", get(items::public_list))
        .route("/public/items/export", get(items::public_export))
        .route("/public/tasks", get(public_tasks::list))
        .route("/public/tasks/{code}", get(public_tasks::detail))
        .route(
            "/public/tasks/{code}/export.zip",
            get(public_tasks::export_zip),
        )
        .route(
            "/public/verify",
            get(public_tasks::verify_page).post(public_tasks::verify_upload),
        )
        .route("/console/tasks", get(tasks::list).post(tasks::create))
        .route("/console/tasks/new", get(tasks::new_form))
        .route("/console/tasks/{id}", get(tasks::detail))
        .route("/console/tasks/{id}/{step}", post(tasks::act))
        .route("/console", get(console::home))
        .route("/console/items", get(items::list))
        .route("/console/officers", get(officers::list))
        .route("/console/officers/export", get(officers::export))
        .route("/console/officers/template", get(officers::template))
        .route("/console/officers/{id}", get(officers::detail))
        .route("/console/officers/{id}/leave", post(officers::add_leave))
        .route(
            "/console/officers/{id}/conflicts",
            post(officers::declare_conflict),
        )
        .route("/console/objects", get(objects::list))
        .route("/console/objects/export", get(objects::export))
        .route("/console/objects/template", get(objects::template))
        .route("/console/objects/code/{code}", get(objects::detail))
        .route(
            "/console/objects/new",
            get(object_form::new_form).post(object_form::create),
        )
        .route(
            "/console/objects/code/{code}/edit",
            get(object_form::edit_form).post(object_form::edit),
        )
        .route(
            "/console/{list}/import",
            get(imports::form).post(imports::preview),
        )
        .route("/console/{list}/import/{token}", post(imports::confirm))
        .route(
            "/console/{list}/import/{token}/rejects",
            get(imports::rejects),
        )
        .route("/console/items/export", get(items::export))
        .route("/console/items/template", get(items::template))
        .route("/console/items/publish", post(items::publish))
        .route("/console/items/retire", post(items::retire))
        .route(
            "/console/items/edit",
            get(items::edit_form).post(items::edit),
        )
        .route("/console/{section}", get(console::section))
        .route(
            "/console/account",
            get(console::account).post(console::change_password),
        )
        .route("/console/audit", get(audit::list))
        .route("/console/audit/{seq}", get(audit::detail))
        .route("/console/admin", get(admin::users))
        .route("/console/admin/users/new", get(admin::new_user_form))
        .route("/console/admin/users", post(admin::create_user))
        .route(
            "/console/admin/users/{id}",
            get(admin::edit_user_form).post(admin::update_user),
        )
        .route(
            "/console/admin/users/{id}/password",
            post(admin::reset_password),
        )
        .route("/console/admin/users/{id}/unlock", post(admin::unlock_user))
        .route("/console/admin/org", get(admin::org))
        .route("/console/admin/divisions", post(admin::create_division))
        .route(
            "/console/admin/divisions/import",
            post(admin::import_divisions),
        )
        .route("/console/admin/departments", post(admin::create_department))
        .route(
            "/console/admin/departments/{id}",
            post(admin::update_department),
        )
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
