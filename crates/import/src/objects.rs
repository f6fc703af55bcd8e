//! Directories of inspected objects (检查对象名录库) as exported by other platforms.

use crate::Reject;
use crate::grid::{Grid, ImportError};
use crate::header::{Field, find_layout};
use serde::Serialize;
use ssj_domain::ObjectCode;
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

pub const OBJECT_FIELDS: &[Field] = &[
    field(
        "code",
        "统一社会信用代码/注册号",
        &[
            "统一社会信用代码",
            "注册号",
            "注册号/统一社会信用代码",
            "统一社会信用代码/注册号",
            "社会信用代码",
            "信用代码",
            "统一代码",
            "TYXYDM",
            "ZCH",
            "代码",
            "编码",
        ],
        true,
    ),
    field(
        "name",
        "名称",
        &[
            "企业名称",
            "名称",
            "主体名称",
            "单位名称",
            "检查对象名称",
            "对象名称",
            "QYMC",
        ],
        true,
    ),
    field(
        "kind",
        "类型",
        &["主体类型", "企业类型", "类型", "对象类型", "市场主体类型"],
        false,
    ),
    field(
        "legal_rep",
        "法定代表人",
        &[
            "法定代表人",
            "法定代表人（负责人）",
            "负责人",
            "经营者",
            "FDDBR",
        ],
        false,
    ),
    field(
        "address",
        "地址",
        &["地址", "住所", "经营场所", "住所（经营场所）", "注册地址"],
        false,
    ),
    field("registrar", "登记机关", &["登记机关", "DJJG"], false),
    field(
        "authority",
        "属地监管机关",
        &["管辖单位", "属地监管机关", "管辖机关", "监管机关", "GXDW"],
        false,
    ),
    field(
        "division",
        "行政区划",
        &["行政区划", "行政区划代码", "所属区域"],
        false,
    ),
    field(
        "industry",
        "行业",
        &["行业", "行业代码", "国民经济行业分类", "行业门类"],
        false,
    ),
    field(
        "tier",
        "信用风险分类",
        &[
            "信用风险分类",
            "风险分类",
            "信用等级",
            "风险等级",
            "信用风险等级",
        ],
        false,
    ),
    field(
        "status",
        "登记状态",
        &["登记状态", "经营状态", "状态"],
        false,
    ),
    field(
        "tags",
        "专项库标签",
        &["专项库标签", "标签", "专项库"],
        false,
    ),
];

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ObjectRow {
    pub row: usize,
    pub code: String,
    /// The code fails its check, and the caller chose to take such rows (flagged).
    pub flagged: bool,
    pub name: String,
    pub kind: String,
    pub legal_rep: String,
    pub address: String,
    pub registrar: String,
    pub authority: String,
    pub division: String,
    pub industry: String,
    pub tier: String,
    pub status: String,
    pub tags: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ObjectImport {
    pub objects: Vec<ObjectRow>,
    pub rejects: Vec<Reject>,
}

/// Reads a directory; every row with a bad or repeated code is rejected with its reason.
pub fn read_objects(grid: &Grid) -> Result<ObjectImport, ImportError> {
    read_objects_with(grid, false)
}

/// As [`read_objects`]; with `take_flagged`, a row whose only fault is a code that fails its
/// check is taken as typed and flagged, for the user who chose so.
pub fn read_objects_with(grid: &Grid, take_flagged: bool) -> Result<ObjectImport, ImportError> {
    let layout = find_layout(grid, OBJECT_FIELDS)?;
    let cell = |r: usize, key: &str| {
        layout
            .col(key)
            .map(|c| grid.value(r, c).to_string())
            .unwrap_or_default()
    };
    let code_label = layout
        .col("code")
        .map(|c| grid.value(layout.data_start - 1, c).to_string())
        .unwrap_or_default();
    let mut out = ObjectImport::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in layout.data_start..grid.height() {
        if grid.row_is_empty(r) {
            continue;
        }
        let reject = |column: &str, reason: String| Reject {
            row: r + 1,
            column: column.into(),
            reason,
        };
        let name = cell(r, "name");
        let raw_code = cell(r, "code");
        let (code, flagged) = match ObjectCode::parse(&raw_code) {
            Ok(c) => (c.as_str().to_string(), false),
            Err(_)
                if take_flagged && !raw_code.trim().is_empty() && raw_code.trim().len() <= 40 =>
            {
                (
                    raw_code
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect::<String>()
                        .to_uppercase(),
                    true,
                )
            }
            Err(e) => {
                out.rejects.push(reject(&code_label, e.message));
                continue;
            }
        };
        if name.is_empty() {
            out.rejects.push(reject("名称", "名称不能为空".into()));
            continue;
        }
        if let Some(first) = seen.get(code.as_str()) {
            out.rejects.push(reject(
                &code_label,
                format!("代码 {code} 与第 {first} 行重复"),
            ));
            continue;
        }
        seen.insert(code.clone(), r + 1);
        out.objects.push(ObjectRow {
            row: r + 1,
            code,
            flagged,
            name,
            kind: cell(r, "kind"),
            legal_rep: cell(r, "legal_rep"),
            address: cell(r, "address"),
            registrar: cell(r, "registrar"),
            authority: cell(r, "authority"),
            division: cell(r, "division"),
            industry: cell(r, "industry"),
            tier: cell(r, "tier"),
            status: cell(r, "status"),
            tags: cell(r, "tags"),
        });
    }
    if out.objects.is_empty() && out.rejects.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(out)
}
