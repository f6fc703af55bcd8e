//! Templates (minijinja, compiled into the binary) and the page chrome around them.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use axum::response::Html;
use minijinja::{Environment, Value, context};
use ssj_app::AppError;
use ssj_domain::Permission;

macro_rules! templates {
    ($env:ident, $($name:literal),+ $(,)?) => {
        $( $env.add_template($name, include_str!(concat!("../templates/", $name))).expect($name); )+
    };
}

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    templates!(
        env,
        "base.html",
        "error.html",
        "login.html",
        "public_home.html",
        "public_audit.html",
        "console_home.html",
        "account.html",
        "audit_list.html",
        "audit_detail.html",
        "admin_users.html",
        "admin_user_form.html",
        "admin_org.html",
        "items.html",
        "import.html",
        "import_preview.html",
        "import_done.html",
        "public_items.html",
        "items_table.html",
        "item_edit.html",
        "objects.html",
        "object_detail.html",
        "object_form.html",
        "officers.html",
        "officer_detail.html",
        "officer_form.html",
        "tasks.html",
        "task_form.html",
        "task_detail.html",
        "task_facts.html",
        "draw_block.html",
        "dispatch.html",
        "public_tasks.html",
        "public_task.html",
        "public_verify.html",
        "public_commitment.html",
        "plans.html",
        "plan_import.html",
        "plan_preview.html",
        "plan_detail.html",
        "plan_tasks.html",
        "plan_visits.html",
        "plan_visits_page.html",
        "public_plans.html",
        "public_plan.html",
    );
    env.add_filter("datetime", |ms: i64| ssj_app::clock::format_ms(ms));
    env.add_filter("thousands", |n: i64| thousands(n));
    env
}

/// The console's navigation: (key, label, path, permission needed). Only what exists: the
/// year's later areas (plans, results, publicity, statistics) join when they are built.
pub const NAV: &[(&str, &str, &str, Permission)] = &[
    (
        "items",
        "事项清单",
        "/console/items",
        Permission::ViewConsole,
    ),
    (
        "objects",
        "检查对象名录库",
        "/console/objects",
        Permission::ViewConsole,
    ),
    (
        "officers",
        "执法检查人员名录库",
        "/console/officers",
        Permission::ViewConsole,
    ),
    (
        "plans",
        "抽查计划",
        "/console/plans",
        Permission::ViewConsole,
    ),
    (
        "tasks",
        "抽查任务",
        "/console/tasks",
        Permission::ViewConsole,
    ),
    (
        "audit",
        "审计日志",
        "/console/audit",
        Permission::ViewAuditLog,
    ),
    (
        "admin",
        "系统管理",
        "/console/admin",
        Permission::ManageUsers,
    ),
];

fn chrome(user: Option<&CurrentUser>, active: &str) -> Value {
    match user {
        None => context! { user => Value::UNDEFINED, active },
        Some(u) => {
            let nav: Vec<Value> = NAV
                .iter()
                .filter(|(_, _, _, p)| u.actor.can(*p))
                .map(
                    |&(key, label, path, _)| context! { key, label, path, active => key == active },
                )
                .collect();
            context! {
                user => context! {
                    username => u.user.username.as_str(),
                    display_name => u.user.display_name.as_str(),
                    role => u.user.role.label(),
                },
                csrf => u.csrf.as_str(),
                nav,
                active,
            }
        }
    }
}

pub fn render(
    state: &AppState,
    name: &str,
    user: Option<&CurrentUser>,
    active: &str,
    ctx: Value,
) -> WebResult<Html<String>> {
    let full = context! { chrome => chrome(user, active), ..ctx };
    let tmpl = state
        .templates
        .get_template(name)
        .map_err(|e| AppError::internal(e.to_string()))?;
    tmpl.render(full).map(Html).map_err(|e| {
        tracing::error!(error = %e, template = name, "template failed");
        AppError::internal("页面生成失败").into()
    })
}

/// The error page, rendered without state so that it works from any layer; with the
/// session's header and menu when the reader is logged in, so an error never looks like a
/// logout.
pub fn error_html(status: u16, code: &str, message: &str, user: Option<&CurrentUser>) -> String {
    thread_local! {
        static ENV: Environment<'static> = environment();
    }
    ENV.with(|env| {
        env.get_template("error.html")
            .and_then(|t| t.render(context! { status, code, message, chrome => chrome(user, "") }))
            .unwrap_or_else(|_| {
                format!("<!doctype html><meta charset=utf-8><title>错误</title><p>{code}</p>")
            })
    })
}

/// `2883` → `2,883`, as counts are written on the pages.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(2883), "2,883");
        assert_eq!(super::thousands(37), "37");
        assert_eq!(super::thousands(10_000_000), "10,000,000");
    }
}
