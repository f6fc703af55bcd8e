//! Storage of annual plans (年度抽查工作计划): a plan, every version of it (a published
//! version is never changed again), the draw tasks that run its tasks, and the names a person
//! mapped to a department or an item during an import (remembered for the next one).

use crate::Result;
use async_trait::async_trait;
use ssj_domain::plans::{PlanKind, PlanStatus};

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: i64,
    /// Division, year, sequence: `14058120260001`.
    pub code: String,
    pub division: String,
    /// The department that owns it; `None` for the division's 领导小组办公室.
    pub department_id: Option<i64>,
    pub kind: PlanKind,
    pub year: i64,
    pub title: String,
    pub status: PlanStatus,
    /// `YYYY-MM-DD`: the whole plan is done by then (原平: 11月30日).
    pub completion_date: String,
    /// The newest version (a draft or a revision in progress while the plan is not published).
    pub version: i64,
    /// The version the public sees, once one was published.
    pub published_version: Option<i64>,
    pub created_by: String,
    pub created_ms: i64,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion {
    pub plan_id: i64,
    pub version: i64,
    /// The tasks, `[ssj_domain::plans::PlanTask]` as JSON.
    pub tasks: String,
    /// Against the version before it, `[ssj_domain::plans::TaskChange]` as JSON (`[]` for
    /// the first).
    pub changes: String,
    /// Why this version (a revision's reason).
    pub note: String,
    pub created_by: String,
    pub created_ms: i64,
    pub published_ms: Option<i64>,
}

/// A name a person mapped during an import: `kind` is `department` or `item`.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMapping {
    pub kind: String,
    pub written: String,
    pub target_id: i64,
}

/// A draw task that runs a task of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanTaskLink {
    pub plan_id: i64,
    pub seq: i64,
    pub task_id: i64,
}

/// A department's confirmation of a merged visit (进一次门、查多项事), named by its key.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitConfirmation {
    pub visit_key: String,
    pub department_id: i64,
    pub confirmed_by: String,
    pub confirmed_ms: i64,
}

#[async_trait]
pub trait PlanStore {
    async fn plans(&self) -> Result<Vec<Plan>>;
    async fn plan(&self, id: i64) -> Result<Option<Plan>>;
    async fn plan_by_code(&self, code: &str) -> Result<Option<Plan>>;
    /// Every version of a plan, oldest first.
    async fn plan_versions(&self, plan_id: i64) -> Result<Vec<PlanVersion>>;
    async fn name_mappings(&self) -> Result<Vec<NameMapping>>;
    async fn plan_task_links(&self, plan_id: i64) -> Result<Vec<PlanTaskLink>>;
    /// The plan task a draw task runs, if any.
    async fn task_plan(&self, task_id: i64) -> Result<Option<PlanTaskLink>>;
    /// (task id, object code) of every object picked by the drawn draw of a task that is not
    /// cancelled.
    async fn drawn_picks(&self) -> Result<Vec<(i64, String)>>;
    async fn visit_confirmations(&self) -> Result<Vec<VisitConfirmation>>;
}

#[async_trait]
pub trait PlanTx {
    async fn last_plan_code_with_prefix(&mut self, prefix: &str) -> Result<Option<String>>;
    /// Returns the new id.
    async fn insert_plan(&mut self, plan: &Plan) -> Result<i64>;
    async fn update_plan(&mut self, plan: &Plan) -> Result<()>;
    async fn plan_for_update(&mut self, id: i64) -> Result<Option<Plan>>;
    async fn insert_plan_version(&mut self, v: &PlanVersion) -> Result<()>;
    /// Replaces an unpublished version's tasks and note, or stamps its publication.
    async fn update_plan_version(&mut self, v: &PlanVersion) -> Result<()>;
    async fn tx_plan_versions(&mut self, plan_id: i64) -> Result<Vec<PlanVersion>>;
    async fn set_name_mapping(&mut self, m: &NameMapping) -> Result<()>;
    async fn insert_plan_task_link(&mut self, link: &PlanTaskLink) -> Result<()>;
    /// Draw tasks that belong to no plan (made before plans existed), oldest first.
    async fn tasks_without_plan(&mut self) -> Result<Vec<i64>>;
    /// Refused as a conflict when the department confirmed that visit already.
    async fn insert_visit_confirmation(&mut self, c: &VisitConfirmation) -> Result<()>;
}
