//! Storage of inspection tasks (抽查任务) and their draws: the frozen files, the seed
//! contributions, the result, the picks and every 递补.

use crate::Result;
use crate::officers::Conflict;
use async_trait::async_trait;
use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};

macro_rules! keyed {
    ($name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($key => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

keyed!(TaskStatus { Ready => "ready", Drawn => "drawn", Cancelled => "cancelled" });
keyed!(DrawStatus { Frozen => "frozen", Drawn => "drawn", Void => "void" });

/// A task. `spec` is the task's scope, ratios and team as JSON (see `ssj_app::tasks`).
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: i64,
    /// The public task number: division, date, sequence (`140581202611210001`).
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub spec: String,
    pub status: TaskStatus,
    pub cancel_reason: String,
    pub created_by: String,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// An item a task inspects, by the department and name it has in every version of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskItem {
    pub task_id: i64,
    pub item_id: i64,
    pub department: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    pub id: i64,
    pub task_id: i64,
    /// 1 for the first draw of a task; a 系统管理员's redraw makes 2, 3 …
    pub round: i64,
    pub status: DrawStatus,
    /// Why this draw was made again, or why it was voided.
    pub reason: String,
    /// Excluded candidates by reason, as JSON `[[reason, count], …]`.
    pub exclusions: String,
    pub candidate_digest: String,
    /// Lines of the candidate file after its header.
    pub candidate_count: i64,
    pub officer_pool_digest: Option<String>,
    pub conflicts_digest: Option<String>,
    /// `manifest.json` once drawn.
    pub manifest: Option<String>,
    pub frozen_by: String,
    pub frozen_ms: i64,
    pub drawn_ms: Option<i64>,
}

/// One file of a draw. Each is stored on its own row, so that a draw's status changes without
/// rewriting a province's 200 MB candidate file (SQLite rewrites a whole row on update).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawFileName {
    Candidates,
    Officers,
    Conflicts,
    Result,
}

impl DrawFileName {
    pub const ALL: [DrawFileName; 4] = [
        DrawFileName::Candidates,
        DrawFileName::Officers,
        DrawFileName::Conflicts,
        DrawFileName::Result,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DrawFileName::Candidates => "candidates",
            DrawFileName::Officers => "officers",
            DrawFileName::Conflicts => "conflicts",
            DrawFileName::Result => "result",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.key() == key)
    }
}

/// The frozen files of a draw, byte for byte, and its `result.csv` once drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DrawFiles {
    pub candidates: Vec<u8>,
    pub officers: Option<Vec<u8>>,
    pub conflicts: Option<Vec<u8>>,
    pub result: Option<Vec<u8>>,
}

/// One seed contribution. A lottery's commitment is empty until its result is entered.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub draw_id: i64,
    pub position: i64,
    /// `platform`, `operator`, `witness` or `lottery`.
    pub role: String,
    /// Who contributed, or which public draw is named.
    pub label: String,
    pub commitment: Option<String>,
    /// The platform's own contribution between its commitment and its reveal.
    pub secret: Option<String>,
    pub reveal: Option<String>,
    pub committed_ms: Option<i64>,
    pub revealed_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DrawSubstitution {
    pub draw_id: i64,
    pub position: i64,
    pub kind: String,
    pub replaced: String,
    pub replacement: String,
    pub reason: String,
    pub at: String,
    pub actor: String,
}

/// A selected object of a drawn draw: what the burden rules (once a year per item, the annual
/// cap) and the public lookup read.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawPick {
    pub draw_id: i64,
    pub rank: i64,
    pub object_code: String,
    pub stratum: String,
}

/// The public export zip of a draw as stored, and how many 递补 rows it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredExport {
    pub substitutions: i64,
    /// SHA-256 of `bytes`, lowercase hex.
    pub digest: String,
    pub bytes: Vec<u8>,
}

/// A block of a draw's candidate file for the lookup: its first key and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyBlock {
    pub first_key: Vec<u8>,
    pub lines: Vec<u8>,
}

/// The objects a draw may take from: a directed task's filters (each empty list means "any"),
/// or, with every list empty, the whole directory of the task's object types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrawScope {
    /// Division codes; each matches itself and everything below it (prefix).
    pub divisions: Vec<String>,
    pub kinds: Vec<ObjectKind>,
    /// Industry codes; each matches its subdivisions (prefix).
    pub industries: Vec<String>,
    /// Objects carrying any of these tags (专项库).
    pub tags: Vec<String>,
    pub tiers: Vec<Tier>,
    /// Objects holding a licence whose name contains this text.
    pub licence: Option<String>,
}

/// The objects in a draw's scope, whatever their status (the draw counts why it excludes
/// some): codes in one buffer per read rather than a string each, since a province has ten
/// million. Reads made in parallel are kept as parts, not copied into one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScopeRows {
    parts: Vec<ScopePart>,
    /// The first row of each part.
    starts: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct ScopePart {
    codes: String,
    ends: Vec<u32>,
    tiers: Vec<Tier>,
    statuses: Vec<RegistrationStatus>,
}

impl ScopeRows {
    pub fn push(&mut self, code: &str, tier: Tier, status: RegistrationStatus) {
        if self.parts.is_empty() {
            self.parts.push(ScopePart::default());
            self.starts.push(0);
        }
        let part = self.parts.last_mut().expect("a part");
        part.codes.push_str(code);
        part.ends.push(part.codes.len() as u32);
        part.tiers.push(tier);
        part.statuses.push(status);
    }

    /// Rows read in bulk: the codes' bytes one after another (checked as UTF-8 here, at once),
    /// where each ends, and each row's tier and status.
    pub fn from_columns(
        codes: Vec<u8>,
        ends: Vec<u32>,
        tiers: Vec<Tier>,
        statuses: Vec<RegistrationStatus>,
    ) -> Result<Self, std::string::FromUtf8Error> {
        Ok(ScopeRows {
            parts: vec![ScopePart {
                codes: String::from_utf8(codes)?,
                ends,
                tiers,
                statuses,
            }],
            starts: vec![0],
        })
    }

    /// Adds another read's rows after these, without copying them.
    pub fn append(&mut self, other: ScopeRows) {
        for part in other.parts {
            self.starts.push(self.len());
            self.parts.push(part);
        }
    }

    pub fn len(&self) -> usize {
        match (self.starts.last(), self.parts.last()) {
            (Some(start), Some(part)) => start + part.ends.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn locate(&self, i: usize) -> (&ScopePart, usize) {
        let p = if self.parts.len() == 1 {
            0
        } else {
            self.starts.partition_point(|&s| s <= i) - 1
        };
        (&self.parts[p], i - self.starts[p])
    }

    pub fn code(&self, i: usize) -> &str {
        let (part, i) = self.locate(i);
        let start = if i == 0 { 0 } else { part.ends[i - 1] as usize };
        &part.codes[start..part.ends[i] as usize]
    }

    pub fn tier(&self, i: usize) -> Tier {
        let (part, i) = self.locate(i);
        part.tiers[i]
    }

    pub fn status(&self, i: usize) -> RegistrationStatus {
        let (part, i) = self.locate(i);
        part.statuses[i]
    }
}

#[async_trait]
pub trait TaskStore {
    /// Objects in the scope, in no particular order.
    async fn scope_objects(&self, scope: &DrawScope) -> Result<ScopeRows>;
    /// How many objects the scope holds, by registration status, without reading them.
    async fn scope_counts(&self, scope: &DrawScope) -> Result<Vec<(RegistrationStatus, u64)>>;
    /// Whether the scope holds an object still registered (存续): stops at the first.
    async fn scope_any_active(&self, scope: &DrawScope) -> Result<bool>;
    /// Declared conflicts of these officers.
    async fn conflicts_of(&self, officer_ids: &[i64]) -> Result<Vec<Conflict>>;
    /// Every task, newest first.
    async fn tasks(&self) -> Result<Vec<Task>>;
    async fn task(&self, id: i64) -> Result<Option<Task>>;
    async fn task_by_code(&self, code: &str) -> Result<Option<Task>>;
    async fn task_items(&self, task_id: i64) -> Result<Vec<TaskItem>>;
    /// A task's draws, first round first.
    async fn draws(&self, task_id: i64) -> Result<Vec<Draw>>;
    async fn draw(&self, draw_id: i64) -> Result<Option<Draw>>;
    async fn draw_files(&self, draw_id: i64) -> Result<Option<DrawFiles>>;
    /// One file of a draw, without reading the others.
    async fn draw_file(&self, draw_id: i64, name: DrawFileName) -> Result<Option<Vec<u8>>>;
    async fn contributions(&self, draw_id: i64) -> Result<Vec<Contribution>>;
    async fn substitutions(&self, draw_id: i64) -> Result<Vec<DrawSubstitution>>;
    /// Objects picked since `since_ms` by a drawn draw of another task than `except_task`
    /// with one of these items (department, name).
    async fn picked_for_items(
        &self,
        items: &[(String, String)],
        since_ms: i64,
        except_task: i64,
    ) -> Result<Vec<String>>;
    /// How often each object was picked since `since_ms` by drawn draws of other tasks.
    async fn pick_counts(&self, since_ms: i64, except_task: i64) -> Result<Vec<(String, i64)>>;
    /// The pick of this object in the draw's current list.
    async fn pick_of(&self, draw_id: i64, object_code: &str) -> Result<Option<DrawPick>>;
    /// The lines of the last block whose first key is not above `key` (byte order).
    async fn key_block(&self, draw_id: i64, key: &str) -> Result<Option<Vec<u8>>>;
    /// The draw's stratum cutoffs as JSON; `None` while its lookup index is not built.
    async fn draw_cutoffs(&self, draw_id: i64) -> Result<Option<String>>;
    async fn draw_export_zip(&self, draw_id: i64) -> Result<Option<StoredExport>>;
}

#[async_trait]
pub trait TaskTx {
    async fn last_task_code_with_prefix(&mut self, prefix: &str) -> Result<Option<String>>;
    async fn insert_task(&mut self, t: &Task, items: &[TaskItem]) -> Result<i64>;
    async fn task_for_update(&mut self, id: i64) -> Result<Option<Task>>;
    async fn update_task_status(&mut self, t: &Task) -> Result<()>;
    async fn tx_draws(&mut self, task_id: i64) -> Result<Vec<Draw>>;
    async fn tx_draw(&mut self, draw_id: i64) -> Result<Option<Draw>>;
    async fn insert_draw(&mut self, d: &Draw, files: &DrawFiles) -> Result<i64>;
    /// Rewrites a draw's status, reason, manifest and drawn time (the files never change,
    /// but for `result`, written once with [`TaskTx::set_draw_result`]).
    async fn update_draw(&mut self, d: &Draw) -> Result<()>;
    async fn set_draw_result(&mut self, draw_id: i64, result: &[u8]) -> Result<()>;
    async fn tx_draw_files(&mut self, draw_id: i64) -> Result<Option<DrawFiles>>;
    async fn tx_contributions(&mut self, draw_id: i64) -> Result<Vec<Contribution>>;
    async fn insert_contribution(&mut self, c: &Contribution) -> Result<()>;
    async fn update_contribution(&mut self, c: &Contribution) -> Result<()>;
    async fn insert_picks(&mut self, picks: &[DrawPick]) -> Result<()>;
    async fn tx_substitutions(&mut self, draw_id: i64) -> Result<Vec<DrawSubstitution>>;
    async fn insert_substitution(&mut self, s: &DrawSubstitution) -> Result<()>;
    /// After an object 递补: the pick of `old` names `new` from now on.
    async fn replace_pick(&mut self, draw_id: i64, old: &str, new: &str) -> Result<()>;
    /// Stores a draw's lookup index (blocks and cutoffs JSON), replacing any before.
    async fn put_lookup_index(
        &mut self,
        draw_id: i64,
        blocks: &[KeyBlock],
        cutoffs: &str,
    ) -> Result<()>;
    /// Stores a draw's public export zip, replacing the one before.
    async fn put_draw_export(&mut self, draw_id: i64, export: &StoredExport) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_in_parts_read_as_one() {
        let mut rows = ScopeRows::default();
        assert!(rows.is_empty());
        rows.push("A1", Tier::A, RegistrationStatus::Active);
        let mut second = ScopeRows::default();
        second.push("B22", Tier::B, RegistrationStatus::Active);
        second.push("C333", Tier::C, RegistrationStatus::Cancelled);
        rows.append(second);
        rows.append(ScopeRows::default());
        let mut third = ScopeRows::default();
        third.push("D", Tier::D, RegistrationStatus::Active);
        rows.append(third);
        rows.append(
            ScopeRows::from_columns(
                "E5F6".into(),
                vec![2, 4],
                vec![Tier::A, Tier::B],
                vec![RegistrationStatus::Active; 2],
            )
            .unwrap(),
        );
        assert!(
            ScopeRows::from_columns(
                vec![0xff],
                vec![1],
                vec![Tier::A],
                vec![RegistrationStatus::Active]
            )
            .is_err()
        );
        assert_eq!(rows.code(5), "F6");
        assert_eq!(rows.len(), 6);
        let codes: Vec<&str> = (0..4).map(|i| rows.code(i)).collect();
        assert_eq!(codes, ["A1", "B22", "C333", "D"]);
        assert_eq!(rows.tier(2), Tier::C);
        assert_eq!(rows.status(2), RegistrationStatus::Cancelled);
        assert_eq!(rows.tier(3), Tier::D);
    }
}
