pub mod admin;
pub mod audit;
pub mod console;
pub mod dispatch;
pub mod imports;
pub mod item_form;
pub mod items;
pub mod object_form;
pub mod objects;
pub mod officer_form;
pub mod officers;
pub mod plans;
pub mod public;
pub mod public_tasks;
pub mod task_view;
pub mod tasks;

/// A trimmed, non-empty query or form value.
pub fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// The filter part of a page's query string, for pagination and export links.
pub fn query_string(pairs: &[(&str, &Option<String>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| nonempty(v).map(|v| format!("{k}={}", crate::auth::urlencode(&v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// A refusal the user can fix (a bad value, a number already taken) goes back into the form
/// as its message, the code kept for the log; anything else becomes an error page.
pub fn form_refusal(e: ssj_app::AppError) -> Result<String, ssj_app::AppError> {
    match e.kind {
        ssj_app::ErrorKind::Invalid | ssj_app::ErrorKind::Conflict => {
            tracing::info!(code = e.code, "form refused");
            Ok(e.message)
        }
        _ => Err(e),
    }
}

/// The names of the active departments the user's scope covers, for a form's department list.
pub async fn departments_to_choose(
    s: &crate::AppState,
    u: &crate::auth::CurrentUser,
) -> Result<Vec<String>, ssj_app::AppError> {
    Ok(s.platform
        .departments_in_scope(&u.actor)
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| d.name)
        .collect())
}

/// The name of the user's own department, a new record's default.
pub async fn own_department(
    s: &crate::AppState,
    u: &crate::auth::CurrentUser,
) -> Result<String, ssj_app::AppError> {
    Ok(s.platform
        .department(u.user.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default())
}
