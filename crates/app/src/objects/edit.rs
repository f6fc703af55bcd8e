//! One object added or changed by hand in the console: the same checks as a row of an import
//! file, a platform code for an object that has none, history and audit in one transaction.

use super::import::to_object;
use super::{content, snapshot_of};
use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, Platform, clock};
use ssj_domain::{ObjectCode, Permission};
use ssj_import::objects::ObjectRow;
use ssj_storage::{Object, ObjectChange};

fn invalid(r: ssj_import::Reject) -> AppError {
    AppError::invalid("OBJECT_INVALID", format!("{}：{}", r.column, r.reason))
}

/// The next free platform code of a division: `SSJ140581-000000001`, `SSJ140581-000000002` …
/// (nine digits, so that text order is number order).
fn next_platform_code(division: &str, last: Option<&str>) -> String {
    let serial = last
        .and_then(|c| c.rsplit('-').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    format!(
        "{}{division}-{:09}",
        ssj_domain::codes::PLATFORM_PREFIX,
        serial + 1
    )
}

impl Platform {
    /// Adds one object. Without a code (a 工程项目, a 学校 …) the platform assigns one from the
    /// division; a code that fails its check is refused (a file import may flag such codes).
    pub async fn add_object(&self, actor: &Actor, mut row: ObjectRow) -> AppResult<Object> {
        actor.require(Permission::EditLists)?;
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        row.code = if row.code.trim().is_empty() {
            let division = ssj_domain::DivisionCode::parse(&row.division).map_err(|_| {
                AppError::invalid(
                    "DIVISION_REQUIRED",
                    "没有统一社会信用代码或注册号的对象，请填写 6 位行政区划代码，平台据此编码",
                )
            })?;
            let prefix = format!("{}{division}-", ssj_domain::codes::PLATFORM_PREFIX);
            let last = tx.last_code_with_prefix(&prefix).await?;
            next_platform_code(division.as_str(), last.as_deref())
        } else {
            ObjectCode::parse(&row.code)?.into_string()
        };
        row.flagged = false;
        let o = to_object(row, now).map_err(invalid)?;
        if !tx
            .objects_by_codes(std::slice::from_ref(&o.code))
            .await?
            .is_empty()
        {
            return Err(AppError::invalid(
                "OBJECT_EXISTS",
                format!("代码 {} 已在名录库中，请在该对象页面修改", o.code),
            ));
        }
        tx.insert_objects(std::slice::from_ref(&o)).await?;
        let mut e = actor.entry("object.create", "object", &o.code);
        e.after = Some(snapshot_of(&o));
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(o)
    }

    /// Changes one object (its code stays). Columns are as in an import file; a licence beyond
    /// the first, which the form does not show, is kept. Unchanged content writes nothing.
    pub async fn edit_object(
        &self,
        actor: &Actor,
        code: &str,
        mut row: ObjectRow,
        reason: &str,
    ) -> AppResult<Object> {
        actor.require(Permission::EditLists)?;
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let old = tx
            .objects_by_codes(&[code.to_string()])
            .await?
            .pop()
            .ok_or_else(|| {
                AppError::not_found("OBJECT_NOT_FOUND", format!("检查对象 {code} 不存在"))
            })?;
        row.code = old.code.clone();
        row.flagged = old.code_flagged;
        let mut o = to_object(row, now).map_err(invalid)?;
        o.id = old.id;
        o.created_ms = old.created_ms;
        o.licences.extend(old.licences.iter().skip(1).cloned());
        if content(&old) == content(&o) {
            return Ok(old);
        }
        tx.update_object(&o).await?;
        let (before, after) = (snapshot_of(&old), snapshot_of(&o));
        tx.insert_object_changes(&[ObjectChange {
            object_id: o.id,
            at_ms: now,
            actor: actor.name.clone(),
            action: "update".into(),
            before: Some(before.clone()),
            after: Some(after.clone()),
        }])
        .await?;
        let mut e = actor.entry("object.update", "object", &o.code);
        e.before = Some(before);
        e.after = Some(after);
        e.reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_codes_count_up_per_division() {
        assert_eq!(next_platform_code("140581", None), "SSJ140581-000000001");
        assert_eq!(
            next_platform_code("140581", Some("SSJ140581-000000041")),
            "SSJ140581-000000042"
        );
        assert!(ObjectCode::parse(&next_platform_code("140581", None)).is_ok());
    }
}
