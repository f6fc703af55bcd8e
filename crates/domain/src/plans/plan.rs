//! A plan and its versions: what a version holds (its tasks, resolved to departments and
//! published items), the lifecycle, and the change list of a revision against the version
//! before it (tasks added, removed, changed field by field, like the 高平 2023 修订版 letter).

use super::rule::{Rule, TierUse};
use super::window::Window;
use serde::{Deserialize, Serialize};

macro_rules! labelled {
    ($name:ident { $($variant:ident => $key:literal, $label:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.key() == s || v.label() == s)
            }
        }
    };
}

labelled!(PlanStatus {
    Draft => "draft", "草稿",
    Published => "published", "已发布",
    Revising => "revising", "修订中",
    Completed => "completed", "已完成",
    Archived => "archived", "已归档",
});

labelled!(PlanKind {
    Joint => "joint", "部门联合",
    Internal => "internal", "内部",
});

impl PlanStatus {
    /// Whether the lifecycle allows going from `self` to `to` (a revision's publication is
    /// Revising → Published).
    pub fn can_become(self, to: PlanStatus) -> bool {
        use PlanStatus::*;
        matches!(
            (self, to),
            (Draft, Published)
                | (Published, Revising)
                | (Revising, Published)
                | (Published, Completed)
                | (Completed, Archived)
        )
    }
}

/// An item of a plan task: its id in the published list and its name there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub item_id: i64,
    pub name: String,
}

/// A department of a plan task with the items it inspects (1+X: the initiating one and each
/// cooperating one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDepartment {
    pub department_id: i64,
    pub name: String,
    pub items: Vec<PlanItem>,
}

/// A task of a plan version, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanTask {
    /// Its place in the plan, 1, 2, …
    pub seq: u32,
    pub name: String,
    pub initiating: PlanDepartment,
    pub cooperating: Vec<PlanDepartment>,
    pub scope: String,
    /// `None` when the table's cell could not be read (flagged).
    pub rule: Option<Rule>,
    pub tiers: TierUse,
    pub window: Window,
    pub directed: bool,
    pub mode: String,
    /// Doubts the import raised, kept with the task.
    pub flags: Vec<String>,
}

/// How one task differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TaskChange {
    Added {
        name: String,
    },
    Removed {
        name: String,
    },
    Changed {
        name: String,
        fields: Vec<FieldChange>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The column as the plan table names it (抽查事项, 抽查起止时间 …).
    pub field: String,
    pub before: String,
    pub after: String,
}

impl TaskChange {
    /// The change as a revision letter words it.
    pub fn text(&self) -> String {
        match self {
            TaskChange::Added { name } => format!("新增任务“{name}”"),
            TaskChange::Removed { name } => format!("删除任务“{name}”"),
            TaskChange::Changed { name, fields } => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}由“{}”改为“{}”", f.field, f.before, f.after))
                    .collect();
                format!("任务“{name}”：{}", parts.join("；"))
            }
        }
    }
}

impl PlanTask {
    /// The task's fields as a plan table shows them, column by column.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let department = |d: &PlanDepartment| {
            let items: Vec<&str> = d.items.iter().map(|i| i.name.as_str()).collect();
            format!("{}（{}）", d.name, items.join("、"))
        };
        vec![
            ("序号", self.seq.to_string()),
            ("发起部门及抽查事项", department(&self.initiating)),
            (
                "配合部门及抽查事项",
                self.cooperating
                    .iter()
                    .map(department)
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            ("抽查对象范围", self.scope.clone()),
            ("抽查比例及频次", rule_text(self.rule.as_ref())),
            ("信用风险分类", tier_text(&self.tiers)),
            (
                "抽查起止时间",
                format!("{} 至 {}", self.window.from, self.window.to),
            ),
            (
                "抽查类型",
                if self.directed { "定向" } else { "不定向" }.into(),
            ),
            ("抽查模式", self.mode.clone()),
        ]
    }
}

/// A rule as one line: `不低于10%，1次/年`.
pub fn rule_text(rule: Option<&Rule>) -> String {
    let Some(rule) = rule else {
        return "未能识别".into();
    };
    let pct = |f: &super::rule::Fraction| {
        let tenths = f.num * 1000 / f.den.max(1);
        if tenths.is_multiple_of(10) {
            format!("{}%", tenths / 10)
        } else {
            format!("{}.{}%", tenths / 10, tenths % 10)
        }
    };
    let mut parts = Vec::new();
    if let Some(r) = &rule.ratio {
        let bound = match rule.bound {
            super::rule::Bound::Exact => "",
            super::rule::Bound::Min => "不低于",
            super::rule::Bound::Max => "不高于",
        };
        parts.push(format!("{bound}{}", pct(r)));
    }
    if !rule.tiers.is_empty() {
        let tiers: Vec<String> = rule
            .tiers
            .iter()
            .map(|(t, f)| format!("{t}类{}", pct(f)))
            .collect();
        parts.push(tiers.join("、"));
    }
    parts.push(format!("{}次/年", rule.rounds_per_year));
    parts.join("，")
}

pub fn tier_text(tiers: &TierUse) -> String {
    match tiers {
        TierUse::Tiered => "按信用风险等级分别确定比例".into(),
        TierUse::Uniform { reason } => format!("统一比例（{reason}）"),
        TierUse::Unclear { reason } => format!("待确认（{reason}）"),
    }
}

/// The change list of `next` against `previous`. A task is the same task when its name is;
/// a renamed task at the same 序号 is the same task with its name changed.
pub fn changes(previous: &[PlanTask], next: &[PlanTask]) -> Vec<TaskChange> {
    let mut out = Vec::new();
    let mut matched_prev = vec![false; previous.len()];
    let mut pairs: Vec<(Option<usize>, usize)> = Vec::new();
    for (j, t) in next.iter().enumerate() {
        let by_name = previous
            .iter()
            .enumerate()
            .find(|(i, p)| !matched_prev[*i] && p.name == t.name)
            .map(|(i, _)| i);
        if let Some(i) = by_name {
            matched_prev[i] = true;
        }
        pairs.push((by_name, j));
    }
    for pair in pairs.iter_mut().filter(|p| p.0.is_none()) {
        let t = &next[pair.1];
        let by_seq = previous
            .iter()
            .enumerate()
            .find(|(i, p)| !matched_prev[*i] && p.seq == t.seq)
            .map(|(i, _)| i);
        if let Some(i) = by_seq {
            matched_prev[i] = true;
            pair.0 = Some(i);
        }
    }
    for (prev, j) in pairs {
        let t = &next[j];
        match prev {
            None => out.push(TaskChange::Added {
                name: t.name.clone(),
            }),
            Some(i) => {
                let p = &previous[i];
                let mut fields = Vec::new();
                if p.name != t.name {
                    fields.push(FieldChange {
                        field: "抽查任务名称".into(),
                        before: p.name.clone(),
                        after: t.name.clone(),
                    });
                }
                for ((field, before), (_, after)) in p.fields().into_iter().zip(t.fields()) {
                    if before != after {
                        fields.push(FieldChange {
                            field: field.into(),
                            before,
                            after,
                        });
                    }
                }
                if !fields.is_empty() {
                    out.push(TaskChange::Changed {
                        name: t.name.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for (i, p) in previous.iter().enumerate() {
        if !matched_prev[i] {
            out.push(TaskChange::Removed {
                name: p.name.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::rule::read_rule;

    fn task(seq: u32, name: &str, window_to: &str, rule: &str) -> PlanTask {
        PlanTask {
            seq,
            name: name.into(),
            initiating: PlanDepartment {
                department_id: 1,
                name: "高平市城市管理局".into(),
                items: vec![PlanItem {
                    item_id: 10,
                    name: "扬尘".into(),
                }],
            },
            cooperating: vec![],
            scope: "建筑工地".into(),
            rule: read_rule(rule).rule,
            tiers: TierUse::Tiered,
            window: Window {
                from: "2024-03-01".into(),
                to: window_to.into(),
            },
            directed: true,
            mode: "县抽县查".into(),
            flags: vec![],
        }
    }

    #[test]
    fn a_revision_lists_added_removed_and_changed_fields() {
        let before = vec![
            task(1, "扬尘", "2024-12-31", "10%"),
            task(2, "门前三包", "2024-12-31", "2%"),
            task(3, "户外广告", "2024-12-31", "5%"),
        ];
        let after = vec![
            task(1, "扬尘", "2024-11-30", "不低于20%"),
            task(2, "门前三包", "2024-12-31", "2%"),
            task(4, "渣土运输", "2024-12-31", "5%"),
        ];
        let list = changes(&before, &after);
        assert_eq!(list.len(), 3, "{list:?}");
        match &list[0] {
            TaskChange::Changed { name, fields } => {
                assert_eq!(name, "扬尘");
                let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(named, ["抽查比例及频次", "抽查起止时间"]);
                assert_eq!(fields[0].before, "10%，1次/年");
                assert_eq!(fields[0].after, "不低于20%，1次/年");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            list[1],
            TaskChange::Added {
                name: "渣土运输".into()
            }
        );
        assert_eq!(
            list[2],
            TaskChange::Removed {
                name: "户外广告".into()
            }
        );
        assert!(changes(&after, &after).is_empty());
    }

    #[test]
    fn a_renamed_task_at_its_number_is_changed_not_replaced() {
        let before = vec![task(1, "扬尘", "2024-12-31", "10%")];
        let after = vec![task(1, "建筑工地扬尘", "2024-12-31", "10%")];
        match &changes(&before, &after)[..] {
            [TaskChange::Changed { fields, .. }] => assert_eq!(fields[0].field, "抽查任务名称"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_lifecycle_goes_one_way() {
        use PlanStatus::*;
        assert!(Draft.can_become(Published));
        assert!(Published.can_become(Revising));
        assert!(Revising.can_become(Published));
        assert!(Completed.can_become(Archived));
        assert!(!Published.can_become(Draft));
        assert!(!Archived.can_become(Published));
        assert!(!Draft.can_become(Completed));
        assert_eq!(PlanStatus::parse("已发布"), Some(Published));
        assert_eq!(PlanKind::parse("joint"), Some(PlanKind::Joint));
    }
}
