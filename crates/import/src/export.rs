//! Writing tables for download: csv (UTF-8 with BOM, so Excel reads the Chinese right) or xlsx
//! (streamed in constant memory). Cells that a spreadsheet would run as a formula are defused.

use rust_xlsxwriter::{Format, Workbook};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl TableFormat {
    pub fn parse(s: &str) -> Option<TableFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(TableFormat::Csv),
            "xlsx" => Some(TableFormat::Xlsx),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Xlsx => "xlsx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            TableFormat::Csv => "text/csv; charset=utf-8",
            TableFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// A cell that begins with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so that a
/// spreadsheet shows it as text instead of evaluating it (CSV/formula injection).
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes `header` and `rows` in the chosen format.
pub fn write_table(
    format: TableFormat,
    sheet: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, String> {
    match format {
        TableFormat::Csv => {
            let mut out = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(header).map_err(|e| e.to_string())?;
                for row in rows {
                    w.write_record(row.iter().map(|c| defuse(c).into_owned()))
                        .map_err(|e| e.to_string())?;
                }
                w.flush().map_err(|e| e.to_string())?;
            }
            Ok(out)
        }
        TableFormat::Xlsx => {
            let mut wb = Workbook::new();
            let ws = wb
                .add_worksheet_with_constant_memory()
                .map_err(|e| e.to_string())?;
            ws.set_name(sheet).map_err(|e| e.to_string())?;
            let bold = Format::new().set_bold();
            for (c, h) in header.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(|e| e.to_string())?;
            }
            for (r, row) in rows.enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    // Strings only: a code like 330000000036006 must not become a number.
                    ws.write_string(r as u32 + 1, c as u16, defuse(cell))
                        .map_err(|e| e.to_string())?;
                }
            }
            wb.save_to_buffer().map_err(|e| e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Grid;

    #[test]
    fn formulas_are_defused() {
        for bad in ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(defuse(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(defuse("高平市"), "高平市");
    }

    #[test]
    fn both_formats_read_back() {
        let rows = vec![vec![
            "=HYPERLINK(\"x\")".to_string(),
            "330000000036006".to_string(),
        ]];
        for f in [TableFormat::Csv, TableFormat::Xlsx] {
            let bytes =
                write_table(f, "名录", &["名称", "注册号"], rows.clone().into_iter()).unwrap();
            let g = Grid::from_bytes(&bytes).unwrap();
            assert_eq!(g.value(0, 1), "注册号");
            assert_eq!(g.value(1, 0), "'=HYPERLINK(\"x\")");
            assert_eq!(g.value(1, 1), "330000000036006");
        }
    }
}
