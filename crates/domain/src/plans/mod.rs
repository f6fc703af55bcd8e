//! Annual plans (年度抽查工作计划): what their tables say, read as officials write them.

pub mod rule;
pub mod table;
pub mod window;

pub use rule::{Bound, Fraction, Reading, Rule, TierUse, read_rule, read_tier_use};
pub use table::{DepartmentItems, PlanTaskRow, read_plan_tables};
pub use window::{Window, read_window};
