//! The item list (一单): import into the draft, preview, publish, retire.

mod edit;
pub use edit::ItemEdit;

use crate::audit::Appender;
use crate::imports::{ImportMode, ImportSummary, rejection};
use crate::{Actor, AppError, AppResult, Platform, clock};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ssj_domain::audit::snapshot;
use ssj_domain::{DataScope, Permission};
use ssj_import::items::{ItemRow, read_items};
use ssj_import::{Grid, Reject};
use ssj_storage::{Department, Item, ItemVersion, Tx, VersionStatus};
use std::collections::HashMap;

/// Items are matched across imports by department, category, name and object type (a joint
/// item by its field, name and object type): real lists repeat one 抽查事项 under two categories,
/// or for two kinds of object (海南: 各类涉税事项 for 异常对象 and for 随机对象).
pub type ItemKey = (bool, String, String, String, String);

pub fn key(i: &Item) -> ItemKey {
    let (owner, category) = if i.joint {
        (&i.field, "")
    } else {
        (&i.department, i.category.as_str())
    };
    (
        i.joint,
        owner.clone(),
        category.to_string(),
        i.name.clone(),
        i.object_type.clone(),
    )
}

fn to_item(r: ItemRow, joint: bool) -> Item {
    Item {
        joint,
        department: r.department,
        category: r.category,
        name: r.name,
        object_type: r.object_type,
        kind: r.kind,
        methods: r.methods,
        subject: r.subject,
        bases: r.bases,
        ratio: r.ratio,
        frequency: r.frequency,
        officers: r.officers,
        field: r.field,
        initiators: r.initiators,
        cooperators: r.cooperators,
        ..Item::default()
    }
}

/// The content of an item, for comparison and the audit log (no ids or positions).
#[derive(Serialize, PartialEq)]
struct ItemSnapshot<'a> {
    joint: bool,
    department: &'a str,
    category: &'a str,
    name: &'a str,
    object_type: &'a str,
    kind: Option<&'static str>,
    methods: &'a [String],
    subject: &'a str,
    bases: &'a [String],
    ratio: &'a str,
    frequency: &'a str,
    officers: &'a str,
    field: &'a str,
    initiators: &'a [String],
    cooperators: &'a [String],
    retired: bool,
}

fn content(i: &Item) -> ItemSnapshot<'_> {
    ItemSnapshot {
        joint: i.joint,
        department: &i.department,
        category: &i.category,
        name: &i.name,
        object_type: &i.object_type,
        kind: i.kind.map(|k| k.label()),
        methods: &i.methods,
        subject: &i.subject,
        bases: &i.bases,
        ratio: &i.ratio,
        frequency: &i.frequency,
        officers: &i.officers,
        field: &i.field,
        initiators: &i.initiators,
        cooperators: &i.cooperators,
        retired: i.retired,
    }
}

/// Parses an uploaded list and sets duplicates within the file aside as rejects.
/// A list file as read: whether it is the joint list, each item with its row, the rejects.
type ParsedItems = (bool, Vec<(usize, Item)>, Vec<Reject>);

fn parse(bytes: &[u8]) -> AppResult<ParsedItems> {
    let grid = Grid::from_bytes(bytes).map_err(crate::imports::import_error)?;
    let parsed = read_items(&grid).map_err(crate::imports::import_error)?;
    let mut rejects = parsed.rejects;
    let mut seen: HashMap<ItemKey, usize> = HashMap::new();
    let mut items = Vec::new();
    for row in parsed.items {
        let line = row.row;
        let item = to_item(row, parsed.joint);
        if let Some(first) = seen.get(&key(&item)) {
            rejects.push(Reject {
                row: line,
                column: "抽查事项".into(),
                reason: format!("与第 {first} 行的事项重复"),
            });
            continue;
        }
        seen.insert(key(&item), line);
        items.push((line, item));
    }
    if items.is_empty() && rejects.is_empty() {
        return Err(AppError::invalid("IMPORT_EMPTY", "文件中没有事项数据"));
    }
    rejects.sort_by_key(|r| r.row);
    Ok((parsed.joint, items, rejects))
}

/// Who may change which items: an item belongs to its department (a joint item to its
/// initiating departments), found by name in the department directory. An item whose owner is
/// not a department in the actor's data scope — a provincial item, for a county office — is
/// changed only by an account whose scope is 全部.
struct ItemOwners {
    by_name: HashMap<String, Department>,
}

impl ItemOwners {
    fn new(departments: Vec<Department>) -> ItemOwners {
        ItemOwners {
            by_name: departments
                .into_iter()
                .map(|d| (d.name.clone(), d))
                .collect(),
        }
    }

    /// `Err` names why the actor may not change `item`.
    fn check(&self, actor: &Actor, item: &Item) -> Result<(), String> {
        if actor.scope == DataScope::All {
            return Ok(());
        }
        let owners: Vec<&str> = if item.joint {
            item.initiators.iter().map(String::as_str).collect()
        } else {
            vec![item.department.as_str()]
        };
        let outside = owners
            .iter()
            .find(|name| !self.by_name.get(**name).is_some_and(|d| actor.covers(d)));
        match (owners.is_empty(), outside) {
            (false, None) => Ok(()),
            (true, _) => Err(format!(
                "联合抽查事项“{}”未写明发起部门，只有数据范围为“全部”的账号可以修改",
                item.name
            )),
            (false, Some(name)) => Err(format!(
                "事项“{}”属于“{name}”，不在您的数据范围内",
                item.name
            )),
        }
    }

    /// Moves the rows the actor may not import into the rejects.
    fn split(
        &self,
        actor: &Actor,
        rows: Vec<(usize, Item)>,
        rejects: &mut Vec<Reject>,
    ) -> Vec<Item> {
        let mut items = Vec::new();
        for (row, item) in rows {
            match self.check(actor, &item) {
                Ok(()) => items.push(item),
                Err(reason) => rejects.push(Reject {
                    row,
                    column: if item.joint { "发起部门" } else { "部门" }.into(),
                    reason,
                }),
            }
        }
        rejects.sort_by_key(|r| r.row);
        items
    }
}

fn out_of_scope(reason: String) -> AppError {
    AppError::new(crate::ErrorKind::Forbidden, "ITEM_OUT_OF_SCOPE", reason)
}

/// Sorts parsed items into new / changed / unchanged against the draft's items.
fn plan(draft: &[Item], incoming: Vec<Item>) -> (Vec<Item>, Vec<(Item, Item)>, usize) {
    let by_key: HashMap<_, &Item> = draft.iter().map(|i| (key(i), i)).collect();
    let (mut new, mut changed, mut unchanged) = (Vec::new(), Vec::new(), 0);
    for mut item in incoming {
        match by_key.get(&key(&item)) {
            None => new.push(item),
            Some(old) => {
                item.id = old.id;
                item.version_id = old.version_id;
                item.position = old.position;
                item.retired = old.retired;
                if content(old) == content(&item) {
                    unchanged += 1;
                } else {
                    changed.push(((*old).clone(), item));
                }
            }
        }
    }
    (new, changed, unchanged)
}

impl Platform {
    /// [`parse`] on the blocking pool.
    async fn parse_items(
        &self,
        bytes: &[u8],
    ) -> AppResult<(bool, Vec<(usize, Item)>, Vec<Reject>)> {
        let bytes = bytes.to_vec();
        self.offload(move || parse(&bytes)).await?
    }

    /// The list's versions, oldest first.
    pub async fn item_versions(&self) -> AppResult<Vec<ItemVersion>> {
        Ok(self.store.item_versions().await?)
    }

    /// A filtered page of a version's items: a published version's for anyone, a draft's for
    /// console users only.
    pub async fn items(
        &self,
        actor: Option<&Actor>,
        filter: &ssj_storage::ItemFilter,
    ) -> AppResult<(Vec<Item>, u64)> {
        self.readable_version(actor, filter.version_id).await?;
        let filter = ssj_storage::ItemFilter {
            q: filter.q.as_deref().map(search_words),
            ..filter.clone()
        };
        Ok(self.store.items(&filter).await?)
    }

    /// The items of one version: a published version's for anyone, a draft's for console users.
    pub async fn version_items(
        &self,
        actor: Option<&Actor>,
        version_id: i64,
    ) -> AppResult<Vec<Item>> {
        self.readable_version(actor, version_id).await?;
        Ok(self.store.version_items(version_id).await?)
    }

    async fn readable_version(&self, actor: Option<&Actor>, version_id: i64) -> AppResult<()> {
        let version = self
            .store
            .item_versions()
            .await?
            .into_iter()
            .find(|v| v.id == version_id)
            .ok_or_else(|| AppError::not_found("VERSION_NOT_FOUND", "该版本不存在"))?;
        match (version.status, actor) {
            (VersionStatus::Published, _) => Ok(()),
            (_, Some(a)) => a.require(Permission::ViewConsole),
            (_, None) => Err(AppError::not_found("VERSION_NOT_FOUND", "该版本尚未发布")),
        }
    }

    /// The latest published version, or `None` before the first publication.
    pub async fn published_items_version(&self) -> AppResult<Option<ItemVersion>> {
        Ok(self
            .store
            .item_versions()
            .await?
            .into_iter()
            .rev()
            .find(|v| v.status == VersionStatus::Published))
    }

    /// What importing `bytes` would change in the draft (nothing is written).
    pub async fn preview_items(&self, actor: &Actor, bytes: &[u8]) -> AppResult<ImportSummary> {
        let (joint, rows, mut rejects) = self.parse_items(bytes).await?;
        let owners = ItemOwners::new(self.store.departments().await?);
        let items = owners.split(actor, rows, &mut rejects);
        let versions = self.store.item_versions().await?;
        let draft = match versions.last() {
            Some(v) => self.store.version_items(v.id).await?,
            None => Vec::new(),
        };
        let (new, changed, unchanged) = plan(&draft, items);
        Ok(ImportSummary {
            joint,
            new: new.len(),
            changed: changed.len(),
            unchanged,
            rejects,
            ..Default::default()
        })
    }

    /// Imports an item list into the draft (made from the last published version if needed).
    pub async fn import_items(
        &self,
        actor: &Actor,
        bytes: &[u8],
        mode: ImportMode,
    ) -> AppResult<ImportSummary> {
        actor.require(Permission::EditLists)?;
        let (joint, rows, mut rejects) = self.parse_items(bytes).await?;
        if mode == ImportMode::AllOrNothing && !rejects.is_empty() {
            return Err(rejection(&rejects));
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let items = ItemOwners::new(tx.tx_departments().await?).split(actor, rows, &mut rejects);
        if mode == ImportMode::AllOrNothing && !rejects.is_empty() {
            return Err(rejection(&rejects));
        }
        // A file that changes nothing opens no draft and leaves no trace.
        let current = match tx.tx_item_versions().await?.last() {
            Some(v) => tx.tx_version_items(v.id).await?,
            None => Vec::new(),
        };
        let (new_count, changed_count, unchanged) = {
            let (n, c, u) = plan(&current, items.clone());
            (n.len(), c.len(), u)
        };
        if new_count == 0 && changed_count == 0 {
            return Ok(ImportSummary {
                joint,
                new: 0,
                changed: 0,
                unchanged,
                rejects,
                ..Default::default()
            });
        }
        let (draft_id, draft, mut records) = self.open_draft(&mut *tx, actor, now).await?;
        let (mut new, changed, unchanged) = plan(&draft, items);
        let mut position = draft.iter().map(|i| i.position).max().unwrap_or(0);
        for item in &mut new {
            position += 1;
            item.position = position;
            item.version_id = draft_id;
        }
        tx.insert_items(&new).await?;
        for (before, after) in &changed {
            tx.update_item(after).await?;
            let mut e = actor.entry("item.update", "item", after.id);
            e.before = Some(snapshot(&content(before)));
            e.after = Some(snapshot(&content(after)));
            records.push((e, now));
        }
        for item in &new {
            let mut e = actor.entry("item.create", "item_version", draft_id);
            e.after = Some(snapshot(&content(item)));
            records.push((e, now));
        }
        let summary = ImportSummary {
            joint,
            new: new.len(),
            changed: changed.len(),
            unchanged,
            rejects,
            ..Default::default()
        };
        let mut e = actor.entry("item.import", "item_version", draft_id);
        e.after = Some(snapshot(&serde_json::json!({
            "sha256": hex::encode(Sha256::digest(bytes)),
            "new": summary.new, "changed": summary.changed, "unchanged": summary.unchanged,
            "rejected": summary.rejected(), "joint": joint,
        })));
        records.push((e, now));
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The draft to edit: the last version if it is a draft, else a new draft holding a copy of
    /// the last published version. Returns its id, its items and the audit records to add.
    async fn open_draft(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        now: i64,
    ) -> AppResult<(i64, Vec<Item>, Vec<(ssj_domain::AuditEntry, i64)>)> {
        let versions = tx.tx_item_versions().await?;
        if let Some(v) = versions.last().filter(|v| v.status == VersionStatus::Draft) {
            return Ok((v.id, tx.tx_version_items(v.id).await?, Vec::new()));
        }
        let id = tx.insert_item_version(now, "").await?;
        let mut copied = match versions.last() {
            Some(published) => tx.tx_version_items(published.id).await?,
            None => Vec::new(),
        };
        for i in &mut copied {
            i.version_id = id;
        }
        tx.insert_items(&copied).await?;
        let items = tx.tx_version_items(id).await?;
        let mut e = actor.entry("item_version.create", "item_version", id);
        e.reason = versions.last().map(|v| format!("以第 {} 版为基础", v.id));
        Ok((id, items, vec![(e, now)]))
    }

    /// Publishes the draft: it becomes an immutable version on the public portal.
    pub async fn publish_items(&self, actor: &Actor, note: &str) -> AppResult<ItemVersion> {
        actor.require(Permission::EditLists)?;
        let note = note.trim();
        if note.chars().count() > 200 {
            return Err(AppError::invalid(
                "NOTE_TOO_LONG",
                "发布说明不能超过 200 个字符",
            ));
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let versions = tx.tx_item_versions().await?;
        let Some(draft) = versions.last().filter(|v| v.status == VersionStatus::Draft) else {
            return Err(AppError::invalid(
                "NO_DRAFT",
                "没有待发布的草稿：请先导入或修改事项",
            ));
        };
        let draft_items = tx.tx_version_items(draft.id).await?;
        if draft_items.is_empty() {
            return Err(AppError::invalid("DRAFT_EMPTY", "草稿中没有事项，不能发布"));
        }
        // Publishing releases every change in the draft: each must be the actor's to make.
        let published = match versions
            .iter()
            .rev()
            .find(|v| v.status == VersionStatus::Published)
        {
            Some(v) => tx.tx_version_items(v.id).await?,
            None => Vec::new(),
        };
        let owners = ItemOwners::new(tx.tx_departments().await?);
        let before: HashMap<ItemKey, &Item> = published.iter().map(|i| (key(i), i)).collect();
        let after: HashMap<ItemKey, &Item> = draft_items.iter().map(|i| (key(i), i)).collect();
        let changed = draft_items
            .iter()
            .filter(|i| {
                before
                    .get(&key(i))
                    .is_none_or(|old| content(old) != content(i))
            })
            .chain(published.iter().filter(|i| !after.contains_key(&key(i))));
        for item in changed {
            owners.check(actor, item).map_err(|why| {
                out_of_scope(format!("草稿中的修改超出您的数据范围，不能发布：{why}"))
            })?;
        }
        tx.publish_item_version(draft.id, now, note).await?;
        let mut e = actor.entry("item_version.publish", "item_version", draft.id);
        e.reason = Some(note.to_string()).filter(|n| !n.is_empty());
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(ItemVersion {
            status: VersionStatus::Published,
            published_ms: Some(now),
            note: note.into(),
            ..draft.clone()
        })
    }

    /// Retires (or restores) an item in the draft: hidden from new plans, never deleted.
    pub async fn set_item_retired(
        &self,
        actor: &Actor,
        wanted: &ItemKey,
        retired: bool,
        reason: &str,
    ) -> AppResult<()> {
        actor.require(Permission::EditLists)?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid("REASON_REQUIRED", "请填写原因"));
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let (_, draft, mut records) = self.open_draft(&mut *tx, actor, now).await?;
        let before = draft
            .into_iter()
            .find(|i| key(i) == *wanted)
            .ok_or_else(|| AppError::not_found("ITEM_NOT_FOUND", "事项不存在"))?;
        ItemOwners::new(tx.tx_departments().await?)
            .check(actor, &before)
            .map_err(out_of_scope)?;
        let after = Item {
            retired,
            ..before.clone()
        };
        tx.update_item(&after).await?;
        let mut e = actor.entry(
            if retired {
                "item.retire"
            } else {
                "item.restore"
            },
            "item",
            after.id,
        );
        e.before = Some(snapshot(&content(&before)));
        e.after = Some(snapshot(&content(&after)));
        e.reason = Some(reason.trim().to_string());
        records.push((e, now));
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Columns of an exported (or template) item list; they read back through the importer.
pub const ITEM_EXPORT_HEADER: &[&str] = &[
    "编制单位名称",
    "抽查类别",
    "抽查事项",
    "检查对象",
    "事项类别",
    "检查方式",
    "检查主体",
    "检查依据",
    "抽查比例",
    "抽查频次",
    "执法人员要求",
    "状态",
];
pub const JOINT_EXPORT_HEADER: &[&str] = &[
    "抽查领域",
    "抽查事项",
    "检查对象",
    "发起部门",
    "配合部门",
    "检查依据",
    "状态",
];

fn export_row(i: &Item) -> Vec<String> {
    let state = if i.retired { "已停用" } else { "在用" }.to_string();
    if i.joint {
        vec![
            i.field.clone(),
            i.name.clone(),
            i.object_type.clone(),
            i.initiators.join("、"),
            i.cooperators.join("、"),
            i.bases.join("\n"),
            state,
        ]
    } else {
        vec![
            i.department.clone(),
            i.category.clone(),
            i.name.clone(),
            i.object_type.clone(),
            i.kind.map(|k| k.label().to_string()).unwrap_or_default(),
            i.methods.join("、"),
            i.subject.clone(),
            i.bases.join("\n"),
            i.ratio.clone(),
            i.frequency.clone(),
            i.officers.clone(),
            state,
        ]
    }
}

/// The whole list in one table, as the public reads it: department items and joint items
/// side by side, each row saying which list it belongs to.
pub const ALL_ITEMS_EXPORT_HEADER: &[&str] = &[
    "清单",
    "编制单位名称/抽查领域",
    "抽查类别",
    "抽查事项",
    "检查对象",
    "事项类别",
    "检查方式",
    "检查主体",
    "检查依据",
    "抽查比例",
    "抽查频次",
    "执法人员要求",
    "发起部门",
    "配合部门",
    "状态",
];

fn all_items_row(i: &Item) -> Vec<String> {
    vec![
        if i.joint {
            "部门联合抽查事项"
        } else {
            "部门抽查事项"
        }
        .to_string(),
        if i.joint { &i.field } else { &i.department }.clone(),
        i.category.clone(),
        i.name.clone(),
        i.object_type.clone(),
        i.kind.map(|k| k.label().to_string()).unwrap_or_default(),
        i.methods.join("、"),
        i.subject.clone(),
        i.bases.join("\n"),
        i.ratio.clone(),
        i.frequency.clone(),
        i.officers.clone(),
        i.initiators.join("、"),
        i.cooperators.join("、"),
        if i.retired { "已停用" } else { "在用" }.to_string(),
    ]
}

impl Platform {
    /// Every item of a version, department and joint, in one table.
    pub async fn export_all_items(
        &self,
        version_id: i64,
        format: ssj_import::export::TableFormat,
    ) -> AppResult<Vec<u8>> {
        let items = self.store.version_items(version_id).await?;
        self.offload(move || {
            let rows = items.iter().map(all_items_row);
            ssj_import::export::write_table(
                format,
                "随机抽查事项清单",
                ALL_ITEMS_EXPORT_HEADER,
                rows,
            )
        })
        .await?
        .map_err(|e| AppError::internal(format!("导出失败：{e}")))
    }

    /// A version's department items or joint items as a file; `None` exports the latest version.
    /// With no version at all it is the empty template.
    pub async fn export_items(
        &self,
        version_id: Option<i64>,
        joint: bool,
        format: ssj_import::export::TableFormat,
    ) -> AppResult<Vec<u8>> {
        let version = match version_id {
            Some(id) => Some(id),
            None => self.store.item_versions().await?.last().map(|v| v.id),
        };
        let items = match version {
            Some(id) => self.store.version_items(id).await?,
            None => Vec::new(),
        };
        let (sheet, header) = if joint {
            ("部门联合抽查事项清单", JOINT_EXPORT_HEADER)
        } else {
            ("随机抽查事项清单", ITEM_EXPORT_HEADER)
        };
        self.offload(move || {
            let rows = items.iter().filter(|i| i.joint == joint).map(export_row);
            ssj_import::export::write_table(format, sheet, header, rows)
        })
        .await?
        .map_err(|e| AppError::internal(format!("导出失败：{e}")))
    }
}

/// What a search for a law looks for: lists cite 《食品安全法》 as often as its formal title
/// 《中华人民共和国食品安全法》, so the title's prefix and the book-title marks are dropped.
pub fn search_words(q: &str) -> String {
    let q = q.trim().trim_matches(['《', '》']);
    let q = q.strip_prefix("中华人民共和国").unwrap_or(q);
    q.trim().to_string()
}

/// What the draft changes against the published version, for the publish page and the
/// 工作台: items added, items removed, and each changed item's fields before and after.
#[derive(Debug, Clone, Default)]
pub struct DraftChanges {
    pub draft_version: i64,
    pub added: Vec<Item>,
    pub removed: Vec<Item>,
    pub changed: Vec<ChangedItem>,
}

#[derive(Debug, Clone)]
pub struct ChangedItem {
    pub item: Item,
    /// (field label, published value, draft value)
    pub fields: Vec<(&'static str, String, String)>,
}

impl DraftChanges {
    pub fn count(&self) -> usize {
        self.added.len() + self.removed.len() + self.changed.len()
    }
}

/// An item's fields as the list's columns name them.
fn labelled_fields(i: &Item) -> [(&'static str, String); 13] {
    [
        (
            "抽查类别",
            i.kind.map(|k| k.label()).unwrap_or("").to_string(),
        ),
        ("检查方式", i.methods.join("、")),
        ("检查主体", i.subject.clone()),
        ("检查依据", i.bases.join("\n")),
        ("抽查比例", i.ratio.clone()),
        ("抽查频次", i.frequency.clone()),
        ("检查人员", i.officers.clone()),
        ("监管领域", i.field.clone()),
        ("发起部门", i.initiators.join("、")),
        ("配合部门", i.cooperators.join("、")),
        ("事项类别", i.category.clone()),
        ("检查对象", i.object_type.clone()),
        (
            "状态",
            if i.retired { "已停用" } else { "在用" }.to_string(),
        ),
    ]
}

impl Platform {
    /// The draft's changes against the latest published version; `None` without a draft.
    pub async fn draft_changes(&self, actor: &Actor) -> AppResult<Option<DraftChanges>> {
        actor.require(Permission::ViewConsole)?;
        let versions = self.store.item_versions().await?;
        let Some(draft) = versions.last().filter(|v| v.status == VersionStatus::Draft) else {
            return Ok(None);
        };
        let published = match versions
            .iter()
            .rev()
            .find(|v| v.status == VersionStatus::Published)
        {
            Some(v) => self.store.version_items(v.id).await?,
            None => Vec::new(),
        };
        let draft_items = self.store.version_items(draft.id).await?;
        let before: HashMap<ItemKey, &Item> = published.iter().map(|i| (key(i), i)).collect();
        let after: HashMap<ItemKey, &Item> = draft_items.iter().map(|i| (key(i), i)).collect();
        let mut out = DraftChanges {
            draft_version: draft.id,
            ..Default::default()
        };
        for item in &draft_items {
            match before.get(&key(item)) {
                None => out.added.push(item.clone()),
                Some(old) if content(old) != content(item) => {
                    let fields = labelled_fields(old)
                        .into_iter()
                        .zip(labelled_fields(item))
                        .filter(|((_, a), (_, b))| a != b)
                        .map(|((label, a), (_, b))| (label, a, b))
                        .collect();
                    out.changed.push(ChangedItem {
                        item: item.clone(),
                        fields,
                    });
                }
                Some(_) => {}
            }
        }
        out.removed = published
            .iter()
            .filter(|i| !after.contains_key(&key(i)))
            .cloned()
            .collect();
        Ok(Some(out))
    }
}
