//! Storage of the directory of enforcement officers (执法检查人员名录库).

use crate::Result;
use async_trait::async_trait;
use ssj_domain::officers::OfficerLevel;

/// An officer; `id` is 0 before it is stored. `phone` and `id_number` are personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct Officer {
    pub id: i64,
    pub department_id: i64,
    pub name: String,
    pub level: OfficerLevel,
    pub cert_no: String,
    /// `YYYY-MM-DD`: after this day the officer may not inspect.
    pub cert_valid_until: String,
    pub post: String,
    /// 执法事项范围 / expertise (e.g. A01, 食品).
    pub expertise: Vec<String>,
    /// 有效 (true) or 失效.
    pub active: bool,
    pub phone: String,
    pub id_number: String,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A leave period, inclusive dates `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq)]
pub struct Leave {
    pub officer_id: i64,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// A declared conflict of interest with an object (the input of the draw's 回避 rule).
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub officer_id: i64,
    pub object_code: String,
    pub reason: String,
    pub declared_ms: i64,
    pub declared_by: String,
}

#[derive(Debug, Clone, Default)]
pub struct OfficerFilter {
    /// Restricts to these departments (a data scope); `None` sees all.
    pub departments: Option<Vec<i64>>,
    pub department: Option<i64>,
    /// Matches the name or the certificate number.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub offset: u64,
    pub limit: u64,
}

/// How the officers a filter selects stand on one day, counted by the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfficerCounts {
    pub total: u64,
    /// 有效, certificate valid that day, not on leave: who a draw that day may pick.
    pub eligible: u64,
    /// 有效 but the certificate has expired.
    pub expired: u64,
    pub on_leave: u64,
    pub inactive: u64,
}

#[async_trait]
pub trait OfficerStore {
    async fn officers(&self, f: &OfficerFilter) -> Result<(Vec<Officer>, u64)>;
    /// Counts of the officers `f` selects on `day` (`YYYY-MM-DD`); `f`'s paging is ignored.
    async fn officer_counts(&self, f: &OfficerFilter, day: &str) -> Result<OfficerCounts>;
    /// The officers with these ids.
    async fn officers_by_ids(&self, ids: &[i64]) -> Result<Vec<Officer>>;
    async fn officer(&self, id: i64) -> Result<Option<Officer>>;
    /// The stored officers among `certs`, outside any transaction (previews).
    async fn officers_with_certs(&self, certs: &[String]) -> Result<Vec<Officer>>;
    async fn officer_leaves(&self, officer_id: i64) -> Result<Vec<Leave>>;
    async fn officer_conflicts(&self, officer_id: i64) -> Result<Vec<Conflict>>;
    /// Officer ids on leave on `day` (`YYYY-MM-DD`).
    async fn officers_on_leave(&self, day: &str) -> Result<Vec<i64>>;
}

#[async_trait]
pub trait OfficerTx {
    async fn officers_by_certs(&mut self, certs: &[String]) -> Result<Vec<Officer>>;
    async fn insert_officers(&mut self, officers: &[Officer]) -> Result<Vec<i64>>;
    async fn update_officer(&mut self, o: &Officer) -> Result<()>;
    async fn insert_leave(&mut self, l: &Leave) -> Result<()>;
    async fn insert_conflict(&mut self, c: &Conflict) -> Result<()>;
}
