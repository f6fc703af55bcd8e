//! Item lists (一单): a department's list, or a joint list (抽查领域, 发起部门, 配合部门).

use crate::Reject;
use crate::grid::{Grid, ImportError};
use crate::header::{Field, Layout, find_layout};
use serde::Serialize;
use ssj_domain::items::{ItemKind, split_list};

const fn field(
    key: &'static str,
    label: &'static str,
    synonyms: &'static [&'static str],
    required: bool,
) -> Field {
    Field {
        key,
        label,
        synonyms,
        required,
    }
}

/// The columns of a department's item list.
pub const ITEM_FIELDS: &[Field] = &[
    field(
        "department",
        "编制单位",
        &["编制单位名称", "编制单位", "部门", "部门名称", "实施部门"],
        true,
    ),
    field(
        "category",
        "抽查类别",
        &["抽查类别", "抽查项目", "类别"],
        false,
    ),
    field(
        "name",
        "抽查事项",
        &["抽查事项", "检查事项", "抽查事项名称", "事项名称"],
        true,
    ),
    field("object_type", "检查对象", &["检查对象", "抽查对象"], false),
    field("kind", "事项类别", &["事项类别", "事项类型"], false),
    field("methods", "检查方式", &["检查方式", "抽查方式"], false),
    field("subject", "检查主体", &["检查主体", "实施主体"], false),
    field(
        "bases",
        "检查依据",
        &["检查依据", "抽查依据", "依据"],
        false,
    ),
    field("ratio", "抽查比例", &["抽查比例", "比例"], false),
    field("frequency", "抽查频次", &["抽查频次", "频次"], false),
    field(
        "officers",
        "执法人员要求",
        &["执法人员要求", "检查人员要求", "人员要求"],
        false,
    ),
];

/// The columns of a joint item list.
pub const JOINT_FIELDS: &[Field] = &[
    field("field", "抽查领域", &["抽查领域", "领域"], true),
    field("name", "抽查事项", &["抽查事项", "检查事项"], true),
    field("object_type", "检查对象", &["检查对象", "抽查对象"], false),
    field("initiators", "发起部门", &["发起部门", "牵头部门"], true),
    field("cooperators", "配合部门", &["配合部门", "参与部门"], false),
    field("bases", "检查依据", &["检查依据", "依据"], false),
];

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ItemRow {
    /// The 1-based row of the item's first line.
    pub row: usize,
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
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ItemImport {
    pub joint: bool,
    pub items: Vec<ItemRow>,
    pub rejects: Vec<Reject>,
}

/// Reads an item list, telling a joint list from a department's list by its columns.
pub fn read_items(grid: &Grid) -> Result<ItemImport, ImportError> {
    match find_layout(grid, JOINT_FIELDS) {
        Ok(layout) => Ok(read(grid, &layout, true)),
        Err(_) => find_layout(grid, ITEM_FIELDS).map(|layout| read(grid, &layout, false)),
    }
}

fn read(grid: &Grid, layout: &Layout, joint: bool) -> ItemImport {
    let cell = |r: usize, key: &str| {
        layout
            .col(key)
            .map(|c| grid.value(r, c).to_string())
            .unwrap_or_default()
    };
    let mut out = ItemImport {
        joint,
        ..Default::default()
    };
    let name_col = layout.col("name").expect("required column");
    let basis_col = layout.col("bases");
    for r in layout.data_start..grid.height() {
        if grid.row_is_empty(r) {
            continue;
        }
        let new_basis = basis_col
            .filter(|&c| !grid.merged_from_above(r, c))
            .map(|c| grid.raw(r, c))
            .filter(|b| !b.is_empty());
        // A row whose item cell is merged from above, or empty, continues the item above.
        if grid.merged_from_above(r, name_col) || grid.raw(r, name_col).is_empty() {
            match (out.items.last_mut(), new_basis) {
                (Some(item), Some(b)) => item.bases.extend(
                    b.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(String::from),
                ),
                (Some(_), None) if grid.merged_from_above(r, name_col) => {}
                _ => out.rejects.push(Reject {
                    row: r + 1,
                    column: "抽查事项".into(),
                    reason: "缺少抽查事项".into(),
                }),
            }
            continue;
        }
        let previous = out.items.last();
        let inherit = |v: String, from: Option<&String>| {
            if v.is_empty() {
                from.cloned().unwrap_or_default()
            } else {
                v
            }
        };
        let mut item = ItemRow {
            row: r + 1,
            name: grid.raw(r, name_col).to_string(),
            department: inherit(cell(r, "department"), previous.map(|p| &p.department)),
            category: inherit(cell(r, "category"), previous.map(|p| &p.category)),
            field: inherit(cell(r, "field"), previous.map(|p| &p.field)),
            object_type: cell(r, "object_type"),
            methods: split_list(&cell(r, "methods")),
            subject: cell(r, "subject"),
            bases: new_basis
                .map(|b| {
                    b.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            ratio: cell(r, "ratio"),
            frequency: cell(r, "frequency"),
            officers: cell(r, "officers"),
            initiators: split_list(&cell(r, "initiators")),
            cooperators: split_list(&cell(r, "cooperators")),
            kind: None,
        };
        if !joint {
            match ItemKind::parse(&cell(r, "kind")) {
                Ok(k) => item.kind = Some(k),
                Err(_) if layout.col("kind").is_none() => item.kind = Some(ItemKind::General),
                Err(e) => {
                    let kind = cell(r, "kind");
                    // The parser quotes the whole cell; a long one is quoted by its start.
                    let reason = if kind.chars().count() > crate::limits::MAX_QUOTE_CHARS {
                        format!(
                            "事项类别“{}”无法识别，应为一般检查事项或重点检查事项",
                            crate::limits::excerpt(&kind)
                        )
                    } else {
                        e.message
                    };
                    out.rejects.push(Reject {
                        row: r + 1,
                        column: "事项类别".into(),
                        reason,
                    });
                    continue;
                }
            }
            if item.department.is_empty() {
                out.rejects.push(Reject {
                    row: r + 1,
                    column: "编制单位".into(),
                    reason: "缺少编制单位".into(),
                });
                continue;
            }
        } else if item.initiators.is_empty() {
            out.rejects.push(Reject {
                row: r + 1,
                column: "发起部门".into(),
                reason: "缺少发起部门".into(),
            });
            continue;
        }
        out.items.push(item);
    }
    out
}
