//! Storage of the directory of inspected objects (检查对象名录库).

use crate::Result;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub name: String,
    pub number: String,
    /// `YYYY-MM-DD`, or empty when it does not expire.
    pub valid_until: String,
}

/// An object; `id` is 0 before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub id: i64,
    pub code: String,
    /// Imported although its code fails the check, because the user chose so.
    pub code_flagged: bool,
    pub name: String,
    pub kind: ObjectKind,
    pub legal_rep: String,
    pub address: String,
    /// 6-digit 行政区划代码, or empty.
    pub division: String,
    /// 属地监管机关
    pub authority: String,
    /// 国民经济行业分类 code or text.
    pub industry: String,
    pub scale: String,
    pub status: RegistrationStatus,
    pub tier: Tier,
    pub tier_date: String,
    pub tier_source: String,
    pub tags: Vec<String>,
    pub abnormal: bool,
    pub serious_violation: bool,
    pub last_inspected: String,
    pub licences: Vec<Licence>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ObjectSort {
    /// By division, then code: the list index's order, so any page of any filter is a short
    /// walk of one index.
    #[default]
    Code,
    Name,
    Updated,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectFilter {
    /// Matches the start of the code or any part of the name.
    pub q: Option<String>,
    /// A division and everything below it (140000 matches all of 山西).
    pub division: Option<String>,
    pub kind: Option<ObjectKind>,
    /// An industry code and its subdivisions (prefix).
    pub industry: Option<String>,
    pub tier: Option<Tier>,
    pub status: Option<RegistrationStatus>,
    pub tag: Option<String>,
    pub authority: Option<String>,
    pub sort: ObjectSort,
    /// Keyset paging in list order (division, then code): only objects after this
    /// (division, code). An export walks the directory this way, each page costing the same
    /// however deep it is.
    pub after: Option<(String, String)>,
    /// Keyset paging of a name search, which lists in entry order (see [`ObjectFilter::searches_names`]).
    pub after_id: Option<i64>,
    pub offset: u64,
    pub limit: u64,
    /// Counting stops past this many matches when the tally cannot serve the filter (a
    /// name search counts by reading rows): the list says "more than N" instead of reading
    /// ten million rows for an exact figure.
    pub count_cap: Option<u64>,
}

impl ObjectFilter {
    /// The search text, when it looks like (the start of) a code: eight or more letters,
    /// digits or dashes. Such a search is a range on the code index, not a name scan.
    pub fn code_prefix(&self) -> Option<String> {
        let q = self.q.as_deref()?.trim();
        (q.len() >= 8 && q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            .then(|| q.to_ascii_uppercase())
    }

    /// Whether the filter searches names: no index serves a substring, so such a list reads
    /// the table in entry order and stops at a page's worth of matches, instead of walking
    /// the list index and fetching every row to test its name.
    pub fn searches_names(&self) -> bool {
        self.q.as_deref().is_some_and(|q| !q.trim().is_empty()) && self.code_prefix().is_none()
    }

    /// Whether the counts can come from the maintained tally (division, authority, type,
    /// status and tier only) rather than from counting matching objects.
    pub fn tally_serves(&self) -> bool {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        blank(&self.q) && blank(&self.industry) && blank(&self.tag)
    }
}

/// One recorded change of an object (its history).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectChange {
    pub object_id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[async_trait]
pub trait ObjectStore {
    async fn objects(&self, f: &ObjectFilter) -> Result<(Vec<Object>, u64)>;
    /// Counts per tier under a filter (its own tier condition ignored).
    async fn object_tier_counts(&self, f: &ObjectFilter) -> Result<Vec<(Tier, u64)>>;
    async fn object_by_code(&self, code: &str) -> Result<Option<Object>>;
    /// The stored objects among `codes`, outside any transaction (previews).
    async fn objects_with_codes(&self, codes: &[String]) -> Result<Vec<Object>>;
    /// Objects of exactly this name (at most 20), by code.
    async fn objects_named(&self, name: &str) -> Result<Vec<Object>>;
    async fn object_history(&self, object_id: i64) -> Result<Vec<ObjectChange>>;
}

#[async_trait]
pub trait ObjectTx {
    async fn objects_by_codes(&mut self, codes: &[String]) -> Result<Vec<Object>>;
    /// The greatest code starting with `prefix` (platform codes are numbered per division).
    async fn last_code_with_prefix(&mut self, prefix: &str) -> Result<Option<String>>;
    /// Whether the directory holds any object at all.
    async fn objects_exist(&mut self) -> Result<bool>;
    /// Adds new objects (and counts them in the tally).
    async fn insert_objects(&mut self, objects: &[Object]) -> Result<()>;
    /// Rewrites a stored object (matched by id), moving it between tally cells if needed.
    async fn update_object(&mut self, o: &Object) -> Result<()>;
    /// Before a bulk load into an empty directory: drops the code and list indexes, which
    /// [`ObjectTx::rebuild_object_indexes`] builds again (failing on a duplicate code)
    /// before the transaction may commit.
    async fn drop_object_indexes(&mut self) -> Result<()>;
    async fn rebuild_object_indexes(&mut self) -> Result<()>;
    async fn insert_object_changes(&mut self, changes: &[ObjectChange]) -> Result<()>;
}
