//! Annual plans (年度抽查工作计划): what their tables say, read as officials write them; the
//! names in them matched to the directories; a plan's versions and their change lists.

pub mod bound;
pub mod names;
pub mod plan;
pub mod progress;
pub mod rule;
pub mod table;
pub mod visits;
pub mod window;

pub use bound::{BoundCheck, check_bound, percent_text};
pub use names::{KnownDepartment, KnownItem, NameMatch, match_department, match_item};
pub use plan::{
    FieldChange, PlanDepartment, PlanItem, PlanKind, PlanStatus, PlanTask, TaskChange, changes,
    rule_text, tier_text,
};
pub use progress::{Progress, Round, Run, TaskProgress, round_windows, task_progress};
pub use rule::{Bound, Fraction, Reading, Rule, TierUse, read_rule, read_tier_use};
pub use table::{DepartmentItems, PlanTaskRow, WrittenCells, read_plan_tables};
pub use visits::{DrawnTask, MergedVisit, merge_visits, visits_saved};
pub use window::{Window, read_window};
