//! Officer directories (执法检查人员名录) as departments keep them in Excel.

use crate::Reject;
use crate::grid::{Grid, ImportError};
use crate::header::{Field, find_layout};
use crate::limits::excerpt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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

pub const OFFICER_FIELDS: &[Field] = &[
    field("name", "姓名", &["姓名", "执法人员姓名", "人员姓名"], true),
    field(
        "department",
        "所属部门",
        &["所属部门", "部门", "单位", "所属单位", "工作单位"],
        true,
    ),
    field(
        "cert_no",
        "执法证号",
        &[
            "执法证号",
            "执法证件号",
            "执法证件号码",
            "证件号",
            "行政执法证号",
        ],
        true,
    ),
    field(
        "valid_until",
        "证件有效期",
        &[
            "证件有效期",
            "有效期至",
            "执法证有效期",
            "有效期",
            "证件有效期至",
        ],
        true,
    ),
    field("level", "层级", &["层级", "级别", "执法层级"], false),
    field("post", "岗位", &["岗位", "岗位大类", "职务"], false),
    field(
        "expertise",
        "执法事项范围",
        &[
            "执法事项范围",
            "专长",
            "业务专长",
            "岗位资质资格",
            "执法领域",
        ],
        false,
    ),
    field("status", "状态", &["状态", "人员状态"], false),
    field(
        "phone",
        "联系电话",
        &["联系电话", "手机", "手机号", "手机号码", "电话"],
        false,
    ),
    field(
        "id_number",
        "身份证号",
        &["身份证号", "身份证号码", "公民身份号码"],
        false,
    ),
];

/// One officer as written in a list (or typed into the console's form): texts, checked later.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfficerRow {
    pub row: usize,
    pub name: String,
    pub department: String,
    pub cert_no: String,
    pub valid_until: String,
    pub level: String,
    pub post: String,
    pub expertise: String,
    pub status: String,
    pub phone: String,
    pub id_number: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OfficerImport {
    pub officers: Vec<OfficerRow>,
    pub rejects: Vec<Reject>,
}

/// Reads an officer list; a repeated certificate number is rejected with the first row named.
pub fn read_officers(grid: &Grid) -> Result<OfficerImport, ImportError> {
    let layout = find_layout(grid, OFFICER_FIELDS)?;
    let cell = |r: usize, key: &str| {
        layout
            .col(key)
            .map(|c| grid.value(r, c).to_string())
            .unwrap_or_default()
    };
    let mut out = OfficerImport::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in layout.data_start..grid.height() {
        if grid.row_is_empty(r) {
            continue;
        }
        let row = OfficerRow {
            row: r + 1,
            name: cell(r, "name"),
            department: cell(r, "department"),
            cert_no: cell(r, "cert_no"),
            valid_until: cell(r, "valid_until"),
            level: cell(r, "level"),
            post: cell(r, "post"),
            expertise: cell(r, "expertise"),
            status: cell(r, "status"),
            phone: cell(r, "phone"),
            id_number: cell(r, "id_number"),
        };
        let key = row.cert_no.to_uppercase();
        if let Some(first) = seen.get(&key).filter(|_| !key.is_empty()) {
            out.rejects.push(Reject {
                row: r + 1,
                column: "执法证号".into(),
                reason: format!("执法证号 {} 与第 {first} 行重复", excerpt(&key)),
            });
            continue;
        }
        seen.insert(key, r + 1);
        out.officers.push(row);
    }
    if out.officers.is_empty() && out.rejects.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(out)
}
