//! Directories of inspected objects (检查对象名录库) as exported by other platforms.

use crate::Reject;
use crate::grid::{Grid, ImportError};
use crate::header::{Field, find_layout};
use crate::limits::{check_cell, check_width, excerpt};
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
    field("scale", "规模", &["规模", "企业规模"], false),
    field(
        "tier_date",
        "分类日期",
        &["分类日期", "信用风险分类日期", "评定日期"],
        false,
    ),
    field(
        "tier_source",
        "分类来源",
        &["分类来源", "信用风险分类来源", "评定机关"],
        false,
    ),
    field(
        "abnormal",
        "经营异常名录",
        &["经营异常名录", "列入经营异常名录", "经营异常"],
        false,
    ),
    field(
        "serious",
        "严重违法失信",
        &["严重违法失信", "严重违法失信名单", "黑名单"],
        false,
    ),
    field(
        "last_inspected",
        "最近检查日期",
        &["最近检查日期", "上次检查日期", "最近一次检查"],
        false,
    ),
    field(
        "licence_name",
        "许可证名称",
        &["许可证名称", "许可证", "证照名称"],
        false,
    ),
    field(
        "licence_no",
        "许可证编号",
        &["许可证编号", "许可证号", "证照编号"],
        false,
    ),
    field(
        "licence_valid",
        "许可证有效期至",
        &["许可证有效期至", "许可证有效期", "证照有效期"],
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
    pub scale: String,
    pub tier_date: String,
    pub tier_source: String,
    pub abnormal: String,
    pub serious: String,
    pub last_inspected: String,
    pub licence_name: String,
    pub licence_no: String,
    pub licence_valid: String,
    /// Cells taken in their standard form rather than as typed.
    pub folds: Vec<crate::Fold>,
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
    let mut rows = RowReader::new(
        &layout.columns,
        header_label(&layout.columns, |c| grid.value(layout.data_start - 1, c)),
        take_flagged,
    );
    let mut out = ObjectImport::default();
    for r in layout.data_start..grid.height() {
        if grid.row_is_empty(r) {
            continue;
        }
        match rows.read(r + 1, |c| grid.value(r, c)) {
            Ok(o) => out.objects.push(o),
            Err(rej) => out.rejects.push(rej),
        }
    }
    if out.objects.is_empty() && out.rejects.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(out)
}

fn header_label<'g>(
    columns: &HashMap<&'static str, usize>,
    text: impl Fn(usize) -> &'g str,
) -> String {
    columns
        .get("code")
        .map(|&c| text(c).to_string())
        .unwrap_or_default()
}

/// Declares where each cell of an [`ObjectRow`] is in the file, resolved once per file rather
/// than by a map lookup for every cell of millions of rows.
macro_rules! slots {
    ($($field:ident),* $(,)?) => {
        #[derive(Clone, Copy)]
        struct Slots { $($field: Option<usize>),* }
        impl Slots {
            fn of(columns: &HashMap<&'static str, usize>) -> Slots {
                Slots { $($field: columns.get(stringify!($field)).copied()),* }
            }
        }
    };
}

slots!(
    code,
    name,
    kind,
    legal_rep,
    address,
    registrar,
    authority,
    division,
    industry,
    tier,
    status,
    tags,
    scale,
    tier_date,
    tier_source,
    abnormal,
    serious,
    last_inspected,
    licence_name,
    licence_no,
    licence_valid,
);

/// Turns one row's cells into an [`ObjectRow`], checking the code and repeats within the file.
struct RowReader {
    slots: Slots,
    code_label: String,
    take_flagged: bool,
    /// First row of each code (a fast hash: the codes are the user's own file, not an attacker's).
    seen: HashMap<String, usize, foldhash::fast::RandomState>,
}

impl RowReader {
    fn new(
        columns: &HashMap<&'static str, usize>,
        code_label: String,
        take_flagged: bool,
    ) -> RowReader {
        RowReader {
            slots: Slots::of(columns),
            code_label,
            take_flagged,
            seen: HashMap::default(),
        }
    }

    fn read<'c>(
        &mut self,
        row: usize,
        cell_at: impl Fn(usize) -> &'c str,
    ) -> Result<ObjectRow, Reject> {
        let cell = |slot: Option<usize>| {
            slot.map(|c| cell_at(c).trim().to_string())
                .unwrap_or_default()
        };
        let s = self.slots;
        let reject = |column: &str, reason: String| Reject {
            row,
            column: column.into(),
            reason,
        };
        let raw_code = cell(s.code);
        // No code is longer than 40 characters (a platform code at most): refused here, so that
        // the message quotes only the start of what may be a whole line of text.
        let typed = raw_code.chars().filter(|c| !c.is_whitespace()).count();
        if typed > 40 {
            return Err(reject(
                &self.code_label,
                format!(
                    "代码 {} 长度为 {typed} 位：统一社会信用代码应为 18 位，注册号应为 15 位数字",
                    excerpt(&raw_code)
                ),
            ));
        }
        let (code, flagged) = match ObjectCode::parse(&raw_code) {
            Ok(c) => (c.into_string(), false),
            Err(_) if self.take_flagged && !raw_code.is_empty() && typed <= 40 => {
                (ObjectCode::normalise(&raw_code), true)
            }
            Err(e) => return Err(reject(&self.code_label, e.message)),
        };
        let name = cell(s.name);
        if name.is_empty() {
            return Err(reject("名称", "名称不能为空".into()));
        }
        if let Some(first) = self.seen.get(code.as_str()) {
            return Err(reject(
                &self.code_label,
                format!("代码 {} 与第 {first} 行重复", excerpt(&code)),
            ));
        }
        self.seen.insert(code.clone(), row);
        let raw_division = cell(s.division);
        let division: String = raw_division
            .chars()
            .map(ssj_domain::text::fold_full_width)
            .collect();
        let folds = [
            crate::Fold::of(row, &self.code_label, &raw_code, &code),
            crate::Fold::of(row, "行政区划", &raw_division, &division),
        ]
        .into_iter()
        .flatten()
        .collect();
        Ok(ObjectRow {
            row,
            code,
            flagged,
            name,
            kind: cell(s.kind),
            legal_rep: cell(s.legal_rep),
            address: cell(s.address),
            registrar: cell(s.registrar),
            authority: cell(s.authority),
            division,
            industry: cell(s.industry),
            tier: cell(s.tier),
            status: cell(s.status),
            tags: cell(s.tags),
            scale: cell(s.scale),
            tier_date: cell(s.tier_date),
            tier_source: cell(s.tier_source),
            abnormal: cell(s.abnormal),
            serious: cell(s.serious),
            last_inspected: cell(s.last_inspected),
            licence_name: cell(s.licence_name),
            licence_no: cell(s.licence_no),
            licence_valid: cell(s.licence_valid),
            folds,
        })
    }
}

/// A directory read a batch at a time: CSV is streamed (a file of millions of rows never sits
/// in memory as cells); a spreadsheet is read whole, as calamine does, then handed out in batches.
pub struct ObjectSource<'a> {
    inner: Source<'a>,
    columns: HashMap<&'static str, usize>,
}

enum Source<'a> {
    /// `next_row` counts records, as a spreadsheet shows rows (a quoted line break stays inside
    /// its cell's row).
    Csv {
        text: std::borrow::Cow<'a, str>,
        pos: usize,
        next_row: usize,
        pending: std::collections::VecDeque<(usize, Vec<String>)>,
        rows: Box<RowReader>,
    },
    Sheet(std::vec::IntoIter<Result<ObjectRow, Reject>>),
}

impl<'a> ObjectSource<'a> {
    pub fn open(bytes: &'a [u8], take_flagged: bool) -> Result<ObjectSource<'a>, ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::Empty);
        }
        if crate::grid::is_workbook(bytes) {
            let grid = Grid::from_bytes(bytes)?;
            let columns = find_layout(&grid, OBJECT_FIELDS)?.columns;
            let parsed = read_objects_with(&grid, take_flagged)?;
            let mut all: Vec<Result<ObjectRow, Reject>> = parsed
                .objects
                .into_iter()
                .map(Ok)
                .chain(parsed.rejects.into_iter().map(Err))
                .collect();
            all.sort_by_key(|r| match r {
                Ok(o) => o.row,
                Err(j) => j.row,
            });
            return Ok(ObjectSource {
                inner: Source::Sheet(all.into_iter()),
                columns,
            });
        }
        let text = crate::grid::decode_text(bytes)?;
        // The header is found among the first rows, as for any grid.
        let mut reader = csv_reader(text.as_bytes());
        let mut head = Vec::new();
        for (i, rec) in reader.records().take(20).enumerate() {
            let rec = rec.map_err(csv_error)?;
            head.push((i + 1, crate::grid::csv_row(i, &rec)?));
        }
        let next_row = head.len() + 1;
        let pos = reader.position().byte() as usize;
        let grid = Grid::new(head.iter().map(|(_, r)| r.clone()).collect(), &[]);
        let layout = find_layout(&grid, OBJECT_FIELDS)?;
        let label = header_label(&layout.columns, |c| grid.value(layout.data_start - 1, c));
        let pending = head.into_iter().skip(layout.data_start).collect();
        let rows = Box::new(RowReader::new(&layout.columns, label, take_flagged));
        Ok(ObjectSource {
            inner: Source::Csv {
                text,
                pos,
                next_row,
                pending,
                rows,
            },
            columns: layout.columns,
        })
    }

    /// Whether the file has the column `key` of [`OBJECT_FIELDS`] (a missing column keeps
    /// what is stored; a present but blank cell clears it).
    pub fn has_column(&self, key: &str) -> bool {
        self.columns.contains_key(key)
    }

    /// Up to `n` more rows (objects or rejects), in file order; empty at the end.
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<Result<ObjectRow, Reject>>, ImportError> {
        match &mut self.inner {
            Source::Sheet(it) => Ok(it.by_ref().take(n).collect()),
            Source::Csv {
                text,
                pos,
                next_row,
                pending,
                rows,
            } => {
                let mut out = Vec::with_capacity(n);
                while out.len() < n {
                    let Some((line, cells)) = pending.pop_front() else {
                        break;
                    };
                    if cells.iter().any(|c| !c.is_empty()) {
                        out.push(
                            rows.read(line, |c| cells.get(c).map(String::as_str).unwrap_or("")),
                        );
                    }
                }
                if out.len() < n && *pos < text.len() {
                    let start = *pos;
                    let mut reader = csv_reader(&text.as_bytes()[start..]);
                    let mut rec = csv::StringRecord::new();
                    while out.len() < n {
                        if !reader.read_record(&mut rec).map_err(csv_error)? {
                            *pos = text.len();
                            break;
                        }
                        *pos = start + reader.position().byte() as usize;
                        let row = *next_row;
                        *next_row += 1;
                        check_width(row - 1, rec.len())?;
                        for (c, cell) in rec.iter().enumerate() {
                            check_cell(row - 1, c, cell)?;
                        }
                        let cells: Vec<_> = rec.iter().map(crate::grid::clean_cow).collect();
                        if cells.iter().all(|c| c.is_empty()) {
                            continue;
                        }
                        out.push(rows.read(row, |c| cells.get(c).map_or("", |s| s.as_ref())));
                    }
                }
                Ok(out)
            }
        }
    }
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

fn csv_error(e: csv::Error) -> ImportError {
    ImportError::NotASpreadsheet(format!(
        "CSV 第 {} 行无法解析",
        e.position().map_or(0, |p| p.line())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_rows_match_the_grid_rows() {
        let mut csv = String::from("标题行\n统一社会信用代码,企业名称,信用风险分类\n");
        for i in 0..3000 {
            let code = if i == 1500 {
                "91330000566997460A".to_string()
            } else {
                crate::tests_support::uscc(i)
            };
            csv.push_str(&format!("{code},\"企业\n{i}\",B\n"));
        }
        let grid = Grid::from_bytes(csv.as_bytes()).unwrap();
        let whole = read_objects(&grid).unwrap();
        let mut src = ObjectSource::open(csv.as_bytes(), false).unwrap();
        let (mut objects, mut rejects) = (Vec::new(), Vec::new());
        loop {
            let batch = src.next_batch(700).unwrap();
            if batch.is_empty() {
                break;
            }
            for r in batch {
                match r {
                    Ok(o) => objects.push(o),
                    Err(j) => rejects.push(j),
                }
            }
        }
        assert_eq!(
            (objects.len(), rejects.len()),
            (whole.objects.len(), whole.rejects.len())
        );
        assert!(objects == whole.objects, "the same rows, numbered alike");
        assert!(rejects == whole.rejects);
        assert_eq!(rejects[0].row, whole.rejects[0].row);
    }

    /// Every row of a streamed CSV, as the rows [`ObjectSource`] hands out.
    fn stream(bytes: &[u8], take_flagged: bool) -> (Vec<ObjectRow>, Vec<Reject>) {
        let mut src = ObjectSource::open(bytes, take_flagged).unwrap();
        let (mut objects, mut rejects) = (Vec::new(), Vec::new());
        loop {
            let batch = src.next_batch(7).unwrap();
            if batch.is_empty() {
                return (objects, rejects);
            }
            for r in batch {
                match r {
                    Ok(o) => objects.push(o),
                    Err(j) => rejects.push(j),
                }
            }
        }
    }

    #[test]
    fn every_row_is_cleaned_alike_in_files_concatenated_with_their_byte_order_marks() {
        // Three exports joined byte for byte: a BOM opens the code cell of rows 2 and 37, as
        // it opens the header; a quoted name wraps with CRLF on both rows.
        let bom = "\u{feff}";
        let mut csv = format!("{bom}统一社会信用代码,企业名称\r\n");
        let part = |from: u64, to: u64| {
            let mut p = String::from(bom);
            for i in from..to {
                p.push_str(&format!(
                    "{},\"企业\r\n{i}\"\r\n",
                    crate::tests_support::uscc(i)
                ));
            }
            p
        };
        let (second, third) = (part(2, 37), part(37, 40));
        csv.push_str(&second);
        csv.push_str(&third);
        let (objects, rejects) = stream(csv.as_bytes(), false);
        assert!(rejects.is_empty(), "{rejects:?}");
        assert_eq!(objects.len(), 38);
        let row = |n: usize| objects.iter().find(|o| o.row == n).unwrap();
        for (n, i) in [(2, 2), (37, 37)] {
            assert_eq!(row(n).code, crate::tests_support::uscc(i), "row {n}");
            assert_eq!(row(n).name, format!("企业\n{i}"), "row {n}");
        }
        let whole = read_objects(&Grid::from_bytes(csv.as_bytes()).unwrap()).unwrap();
        assert!(
            whole.objects == objects,
            "streamed rows are the grid's rows"
        );
    }

    #[test]
    fn a_row_of_invisible_characters_is_empty_on_every_row() {
        let mut csv = String::from("统一社会信用代码,企业名称\n");
        for i in 2..40 {
            if i == 5 || i == 30 {
                csv.push_str("\u{feff},\u{feff}\n");
            } else {
                csv.push_str(&format!("{},企业{i}\n", crate::tests_support::uscc(i)));
            }
        }
        let (objects, rejects) = stream(csv.as_bytes(), false);
        assert!(rejects.is_empty(), "{rejects:?}");
        assert_eq!(objects.len(), 36);
    }

    #[test]
    fn full_width_codes_are_folded_on_every_row() {
        let full = |s: &str| -> String {
            s.chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
                .collect()
        };
        let mut csv = String::from("统一社会信用代码,企业名称\n");
        for i in 2..40 {
            csv.push_str(&format!(
                "{},企业{i}\n",
                full(&crate::tests_support::uscc(i))
            ));
        }
        csv.push_str(&format!("{},企业\n", full("330000000036006")));
        let (objects, rejects) = stream(csv.as_bytes(), false);
        assert!(rejects.is_empty(), "{rejects:?}");
        assert_eq!(objects[0].code, crate::tests_support::uscc(2));
        assert_eq!(objects[35].code, crate::tests_support::uscc(37));
        assert_eq!(objects[38].code, "330000000036006");
    }

    #[test]
    fn a_flagged_code_is_told_by_characters_not_bytes() {
        // 20 characters, 60 bytes: within the 40 characters a flagged code may have.
        let csv = "统一社会信用代码,企业名称\n代码写成了中文的二十个字符的一家企业名称,企业\n";
        let (objects, rejects) = stream(csv.as_bytes(), true);
        assert!(rejects.is_empty(), "{rejects:?}");
        assert!(objects[0].flagged);
    }
}
