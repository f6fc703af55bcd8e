//! Storage of the versioned item list (一单).

use crate::Result;
use async_trait::async_trait;
use ssj_domain::items::ItemKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStatus {
    Draft,
    Published,
}

impl VersionStatus {
    pub fn key(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Published => "published",
        }
    }
    pub fn parse(s: &str) -> Option<VersionStatus> {
        match s {
            "draft" => Some(VersionStatus::Draft),
            "published" => Some(VersionStatus::Published),
            _ => None,
        }
    }
}

/// One version of the list. A published version never changes; edits go to a new draft.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemVersion {
    pub id: i64,
    pub status: VersionStatus,
    pub created_ms: i64,
    pub published_ms: Option<i64>,
    pub note: String,
}

/// An item of one version. `id` is 0 before it is stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    pub id: i64,
    pub version_id: i64,
    pub position: i64,
    pub joint: bool,
    pub department: String,
    pub category: String,
    pub name: String,
    pub object_type: String,
    pub kind: Option<ItemKind>,
    pub methods: Vec<String>,
    pub subject: String,
    pub bases: Vec<String>,
    pub ratio: String,
    pub frequency: String,
    pub officers: String,
    pub field: String,
    pub initiators: Vec<String>,
    pub cooperators: Vec<String>,
    pub retired: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub version_id: i64,
    /// Matches any of the item's texts: name, department, field, category, object type,
    /// methods, subject, bases (检查依据), ratio, frequency, officers, departments.
    pub q: Option<String>,
    pub department: Option<String>,
    pub kind: Option<ItemKind>,
    pub joint: Option<bool>,
    pub include_retired: bool,
    pub offset: u64,
    pub limit: u64,
}

#[async_trait]
pub trait ItemStore {
    /// All versions, oldest first.
    async fn item_versions(&self) -> Result<Vec<ItemVersion>>;
    async fn items(&self, f: &ItemFilter) -> Result<(Vec<Item>, u64)>;
    /// Every item of a version, in list order.
    async fn version_items(&self, version_id: i64) -> Result<Vec<Item>>;
}

#[async_trait]
pub trait ItemTx {
    async fn tx_item_versions(&mut self) -> Result<Vec<ItemVersion>>;
    async fn tx_version_items(&mut self, version_id: i64) -> Result<Vec<Item>>;
    async fn insert_item_version(&mut self, created_ms: i64, note: &str) -> Result<i64>;
    async fn publish_item_version(&mut self, id: i64, published_ms: i64, note: &str) -> Result<()>;
    async fn insert_items(&mut self, items: &[Item]) -> Result<()>;
    async fn update_item(&mut self, item: &Item) -> Result<()>;
}
