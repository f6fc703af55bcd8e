//! One item added to the draft or edited in it, by hand.

use super::{ItemKey, ItemOwners, content, key, out_of_scope};
use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, Platform, clock};
use ssj_domain::Permission;
use ssj_domain::audit::snapshot;
use ssj_storage::Item;

/// What the edit form changes of an item (its department or joint field stays: that is who
/// owns it).
#[derive(Debug, Clone, Default)]
pub struct ItemEdit {
    pub category: String,
    pub name: String,
    pub object_type: String,
    pub kind: String,
    pub methods: String,
    pub subject: String,
    pub bases: String,
    pub ratio: String,
    pub frequency: String,
    pub officers: String,
    pub reason: String,
}

impl Platform {
    /// Edits an item in the draft (made from the published version if needed), identified by
    /// the item as the user saw it in any version.
    pub async fn edit_item(&self, actor: &Actor, seen: &ItemKey, edit: ItemEdit) -> AppResult<()> {
        actor.require(Permission::EditLists)?;
        let name = edit.name.trim();
        if name.is_empty() {
            return Err(AppError::invalid("ITEM_NAME_REQUIRED", "抽查事项不能为空"));
        }
        let kind = if seen.0 {
            None
        } else {
            Some(ssj_domain::items::ItemKind::parse(&edit.kind)?)
        };
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let (_, draft, mut records) = self.open_draft(&mut *tx, actor, now).await?;
        let before = draft
            .iter()
            .find(|i| key(i) == *seen)
            .cloned()
            .ok_or_else(|| AppError::not_found("ITEM_NOT_FOUND", "事项不存在"))?;
        ItemOwners::new(tx.tx_departments().await?)
            .check(actor, &before)
            .map_err(out_of_scope)?;
        let after = Item {
            kind,
            ..edit.applied_to(&before, name)
        };
        if key(&after) != key(&before) && draft.iter().any(|i| key(i) == key(&after)) {
            return Err(AppError::new(
                crate::ErrorKind::Conflict,
                "ITEM_EXISTS",
                "草稿中已有相同的事项",
            ));
        }
        if content(&after) == content(&before) {
            return Ok(());
        }
        tx.update_item(&after).await?;
        let mut e = actor.entry("item.update", "item", after.id);
        e.before = Some(snapshot(&content(&before)));
        e.after = Some(snapshot(&content(&after)));
        e.reason = Some(edit.reason.trim().to_string()).filter(|r| !r.is_empty());
        records.push((e, now));
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl ItemEdit {
    /// `base` with the form's texts: lists split as the import splits them.
    fn applied_to(&self, base: &Item, name: &str) -> Item {
        let lines = |s: &str| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        Item {
            category: self.category.trim().into(),
            name: name.into(),
            object_type: self.object_type.trim().into(),
            methods: ssj_domain::items::split_list(&self.methods),
            subject: self.subject.trim().into(),
            bases: lines(&self.bases),
            ratio: self.ratio.trim().into(),
            frequency: self.frequency.trim().into(),
            officers: self.officers.trim().into(),
            ..base.clone()
        }
    }
}

impl Platform {
    /// Adds a department item to the draft (made from the published version if needed): it
    /// is public once the draft is published.
    pub async fn add_item(&self, actor: &Actor, department: &str, edit: ItemEdit) -> AppResult<()> {
        actor.require(Permission::EditLists)?;
        let name = edit.name.trim();
        if name.is_empty() {
            return Err(AppError::invalid("ITEM_NAME_REQUIRED", "抽查事项不能为空"));
        }
        if edit.category.trim().is_empty() {
            return Err(AppError::invalid(
                "ITEM_CATEGORY_REQUIRED",
                "抽查类别不能为空",
            ));
        }
        let kind = Some(ssj_domain::items::ItemKind::parse(&edit.kind)?);
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let (version_id, draft, mut records) = self.open_draft(&mut *tx, actor, now).await?;
        let base = Item {
            version_id,
            position: draft.iter().map(|i| i.position).max().unwrap_or(0) + 1,
            department: department.trim().to_string(),
            ..Item::default()
        };
        let item = Item {
            kind,
            ..edit.applied_to(&base, name)
        };
        ItemOwners::new(tx.tx_departments().await?)
            .check(actor, &item)
            .map_err(out_of_scope)?;
        if draft.iter().any(|i| key(i) == key(&item)) {
            return Err(AppError::new(
                crate::ErrorKind::Conflict,
                "ITEM_EXISTS",
                "草稿中已有相同的事项（同一编制单位、抽查类别、事项名称和检查对象）",
            ));
        }
        tx.insert_items(std::slice::from_ref(&item)).await?;
        let mut e = actor.entry("item.create", "item_version", version_id);
        e.after = Some(snapshot(&content(&item)));
        e.reason = Some(edit.reason.trim().to_string()).filter(|r| !r.is_empty());
        records.push((e, now));
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(())
    }
}
