//! One officer added or edited by hand, checked exactly as an imported row is.

use super::{content, to_officer};
use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, Platform, clock};
use ssj_domain::Permission;
use ssj_domain::audit::snapshot;
use ssj_import::officers::OfficerRow;
use ssj_storage::{Department, Officer};
use std::collections::HashMap;

/// An officer as the form shows it for editing: the texts an import row holds.
pub fn officer_row(o: &Officer, department: &str) -> OfficerRow {
    OfficerRow {
        row: 0,
        name: o.name.clone(),
        department: department.to_string(),
        cert_no: o.cert_no.clone(),
        valid_until: o.cert_valid_until.clone(),
        level: o.level.label().to_string(),
        post: o.post.clone(),
        expertise: o.expertise.join("、"),
        status: if o.active { "有效" } else { "失效" }.to_string(),
        phone: o.phone.clone(),
        id_number: o.id_number.clone(),
    }
}

impl Platform {
    /// Adds an officer (`id` = `None`) or changes one, with its audit record in the same
    /// transaction. A certificate number belongs to one officer only.
    pub async fn save_officer(
        &self,
        actor: &Actor,
        id: Option<i64>,
        fields: OfficerRow,
    ) -> AppResult<Officer> {
        actor.require(Permission::EditLists)?;
        let now = clock::now_ms();
        let by_name: HashMap<String, Department> = self
            .store
            .departments()
            .await?
            .into_iter()
            .filter(|d| d.active)
            .map(|d| (d.name.clone(), d))
            .collect();
        let mut officer = to_officer(fields, &by_name, actor, now).map_err(|r| {
            // A reason that names its field already is not prefixed with it again.
            let message = if r.reason.starts_with(r.column.as_str()) {
                r.reason
            } else {
                format!("{}：{}", r.column, r.reason)
            };
            AppError::invalid("OFFICER_FIELD", message)
        })?;
        let before = match id {
            Some(id) => Some(self.officer_visible_to(actor, id).await?),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let holders = tx.officers_by_certs(&[officer.cert_no.clone()]).await?;
        if let Some(other) = holders.iter().find(|o| Some(o.id) != id) {
            return Err(AppError::new(
                crate::ErrorKind::Conflict,
                "OFFICER_CERT_TAKEN",
                format!(
                    "执法证号 {} 已登记为执法人员“{}”，一个执法证号只能对应一名人员",
                    other.cert_no, other.name
                ),
            ));
        }
        let mut e = match &before {
            None => {
                let ids = tx.insert_officers(std::slice::from_ref(&officer)).await?;
                officer.id = ids[0];
                actor.entry("officer.create", "officer", officer.id)
            }
            Some(old) => {
                officer.id = old.id;
                officer.created_ms = old.created_ms;
                tx.update_officer(&officer).await?;
                let mut e = actor.entry("officer.update", "officer", officer.id);
                e.before = Some(snapshot(&content(old)));
                e
            }
        };
        e.department_id = Some(officer.department_id);
        e.after = Some(snapshot(&content(&officer)));
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(officer)
    }
}
