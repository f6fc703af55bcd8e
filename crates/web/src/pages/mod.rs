pub mod admin;
pub mod audit;
pub mod console;
pub mod dispatch;
pub mod imports;
pub mod items;
pub mod object_form;
pub mod objects;
pub mod officers;
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
