//! A sheet as a grid of trimmed text cells, with its merged regions, from xlsx, xls or csv.

use crate::limits::{check_cell, check_width, excerpt_n};
use calamine::{Data, Reader};
use std::io::Cursor;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("文件为空")]
    Empty,
    #[error("文件不是可识别的表格（xlsx、xls 或 csv）：{0}")]
    NotASpreadsheet(String),
    /// Our own checks of the file's structure, in Chinese, naming the sheet or record.
    #[error("Excel 文件已损坏或不完整：{0}")]
    Corrupt(String),
    /// The spreadsheet reader refused the file: its own (English) words are kept for the log;
    /// the user reads only Chinese.
    #[error("Excel 文件已损坏或不完整，无法读取（可在 Excel 或 WPS 中打开后另存为 .xlsx 再导入）")]
    Unreadable(String),
    #[error("表格中没有数据行")]
    NoRows,
    #[error("无法识别表头：未找到“{0}”列。请使用模板，或确认表头文字")]
    UnknownLayout(String),
    /// Over one of the limits in [`crate::limits`]; the message names the row, column or range.
    #[error("文件超出导入上限：{0}")]
    TooLarge(String),
}

/// A merged range, inclusive, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub r0: usize,
    pub c0: usize,
    pub r1: usize,
    pub c1: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Grid {
    rows: Vec<Vec<String>>,
    /// For each cell inside a merge: the merge's top-left cell.
    anchor: std::collections::HashMap<(usize, usize), (usize, usize)>,
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl Grid {
    /// Reads the first sheet with data. The format is told by the bytes, not the file name.
    pub fn from_bytes(bytes: &[u8]) -> Result<Grid, ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::Empty);
        }
        if is_workbook(bytes) {
            Grid::from_workbook(bytes)
        } else {
            Grid::from_csv(bytes)
        }
    }

    fn from_workbook(bytes: &[u8]) -> Result<Grid, ImportError> {
        let corrupt = |e: calamine::Error| ImportError::Unreadable(excerpt_n(&e.to_string(), 200));
        if bytes.starts_with(ZIP) {
            // calamine inflates shared strings whole on opening: the zip's sizes checked first.
            crate::zip_guard::check_xlsx(bytes)?;
            let wb =
                calamine::Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| corrupt(e.into()))?;
            return crate::sheet::from_xlsx(wb);
        }
        // calamine parses every sheet on opening, allocating by the file's claims: checked first.
        let checked = crate::biff_guard::checked_xls(bytes)?;
        let mut wb = calamine::Xls::new(Cursor::new(checked)).map_err(|e| corrupt(e.into()))?;
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).map_err(|e| corrupt(e.into()))?;
            let (sr, sc) = range.start().unwrap_or((0, 0));
            let mut sheet = crate::sheet::SheetGrid::new(&name);
            // Ours is checked cell by cell as for xlsx; calamine's ranges by crate::biff_guard.
            for (r, c, d) in range.used_cells() {
                sheet.put(r + sr as usize, c + sc as usize, cell_text(d))?;
            }
            if sheet.is_empty() {
                continue;
            }
            let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
            return sheet.finish(&merges);
        }
        Err(ImportError::NoRows)
    }

    fn from_csv(bytes: &[u8]) -> Result<Grid, ImportError> {
        let text = decode_text(bytes)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| {
                ImportError::NotASpreadsheet(format!(
                    "CSV 第 {} 行无法解析",
                    e.position().map_or(0, |p| p.line())
                ))
            })?;
            rows.push(csv_row(rows.len(), &rec)?);
        }
        Ok(Grid::new(rows, &[]))
    }

    pub fn new(rows: Vec<Vec<String>>, merges: &[Merge]) -> Grid {
        let mut anchor = std::collections::HashMap::new();
        for m in merges {
            for r in m.r0..=m.r1 {
                for c in m.c0..=m.c1 {
                    if (r, c) != (m.r0, m.c0) {
                        anchor.insert((r, c), (m.r0, m.c0));
                    }
                }
            }
        }
        Grid { rows, anchor }
    }

    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// The cell as written (empty inside a merge, except at its top-left).
    pub fn raw(&self, r: usize, c: usize) -> &str {
        self.rows
            .get(r)
            .and_then(|row| row.get(c))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The cell as a person reads it: inside a merge, the merge's value (forward-filled).
    pub fn value(&self, r: usize, c: usize) -> &str {
        match self.anchor.get(&(r, c)) {
            Some(&(ar, ac)) => self.raw(ar, ac),
            None => self.raw(r, c),
        }
    }

    /// Whether the cell continues a merge that started in a row above.
    pub fn merged_from_above(&self, r: usize, c: usize) -> bool {
        self.anchor.get(&(r, c)).is_some_and(|&(ar, _)| ar < r)
    }

    pub fn row_is_empty(&self, r: usize) -> bool {
        self.rows
            .get(r)
            .is_none_or(|row| row.iter().all(|c| c.is_empty()))
    }

    /// A row as a person reads it, merged cells filled in.
    pub fn row_values(&self, r: usize) -> Vec<String> {
        (0..self.width())
            .map(|c| self.value(r, c).to_string())
            .collect()
    }

    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// Trims spaces and line breaks at both ends (cells often end with a stray newline) and turns
/// inner line breaks into nothing when they only wrap text.
pub fn clean(s: &str) -> String {
    clean_cow(s).into_owned()
}

/// As [`clean`], borrowing the text when it needs no change (most cells of a large file).
/// Every row of a file goes through this one function: the rows read to find the header and the
/// rows streamed after them are cleaned alike (a U+FEFF inside a later row, from files joined with
/// their byte-order marks, is stripped there too).
pub fn clean_cow(s: &str) -> std::borrow::Cow<'_, str> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.contains("\r\n") {
        std::borrow::Cow::Owned(t.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

/// A CSV record as cleaned cells, refused over [`crate::limits::MAX_COLUMNS`] or
/// [`crate::limits::MAX_CELL_CHARS`]
/// (`r` 0-based).
pub fn csv_row(r: usize, rec: &csv::StringRecord) -> Result<Vec<String>, ImportError> {
    check_width(r, rec.len())?;
    rec.iter()
        .enumerate()
        .map(|(c, cell)| check_cell(r, c, cell).map(|()| clean(cell)))
        .collect()
}

pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => clean(s),
        // Whole numbers (序号, codes typed as numbers) without a trailing ".0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        // A date cell is a serial number with a date format: read as the date it shows
        // (`45473` is 2024-06-30), so every date column of every import takes it.
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        other => clean(&other.to_string()),
    }
}

/// Whether the bytes are an xlsx (zip) or xls (OLE) workbook rather than text.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP) || bytes.starts_with(OLE)
}

/// UTF-8 (with or without BOM, borrowed) or GB18030 (a superset of GBK); binary is refused.
pub fn decode_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ImportError> {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return Err(ImportError::NotASpreadsheet(
            "内容是二进制数据，不是 CSV 文本".into(),
        ));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(std::borrow::Cow::Borrowed(s.trim_start_matches('\u{feff}')));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(ImportError::NotASpreadsheet(
            "文本既不是 UTF-8 也不是 GBK/GB18030 编码".into(),
        ));
    }
    Ok(std::borrow::Cow::Owned(text.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_and_gbk_read_the_same() {
        let text = "统一社会信用代码,企业名称\n91330000566997460T,浙江南北联合信息科技有限公司\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        for bytes in [
            text.as_bytes().to_vec(),
            gbk.into_owned(),
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ] {
            let g = Grid::from_bytes(&bytes).unwrap();
            assert_eq!(g.value(1, 1), "浙江南北联合信息科技有限公司");
            assert_eq!(g.value(0, 0), "统一社会信用代码");
        }
    }

    #[test]
    fn date_cells_read_as_dates() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let stamp = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d h:mm");
        ws.write_string(0, 0, "证件有效期").unwrap();
        ws.write_number_with_format(1, 0, 45473.0, &date).unwrap();
        ws.write_number_with_format(2, 0, 45473.5, &stamp).unwrap();
        ws.write_number(3, 0, 45473.0).unwrap();
        let g = Grid::from_bytes(&wb.save_to_buffer().unwrap()).unwrap();
        assert_eq!(g.value(1, 0), "2024-06-30");
        assert_eq!(g.value(2, 0), "2024-06-30 12:00:00");
        // A plain number stays a number: only the cell's date format makes it a date.
        assert_eq!(g.value(3, 0), "45473");
    }

    #[test]
    fn bad_inputs_have_clear_errors() {
        assert_eq!(Grid::from_bytes(b"").unwrap_err(), ImportError::Empty);
        assert!(matches!(
            Grid::from_bytes(b"\x00\x01\x02binary").unwrap_err(),
            ImportError::NotASpreadsheet(_)
        ));
        let corrupt = Grid::from_bytes(b"PK\x03\x04truncated").unwrap_err();
        assert!(matches!(corrupt, ImportError::Unreadable(_)));
        // What the user reads is Chinese: no "Could not find EOCD" from the zip reader.
        let shown = corrupt.to_string();
        assert!(
            !shown.contains("EOCD") && !shown.contains("Xlsx error"),
            "{shown}"
        );
        assert!(matches!(
            Grid::from_bytes(&[0xFF, 0xFE, 0xFD, 0x81, 0x30]).unwrap_err(),
            ImportError::NotASpreadsheet(_)
        ));
    }

    #[test]
    fn merges_forward_fill() {
        let rows = vec![
            vec!["a".into(), "x".into()],
            vec![String::new(), "y".into()],
        ];
        let g = Grid::new(
            rows,
            &[Merge {
                r0: 0,
                c0: 0,
                r1: 1,
                c1: 0,
            }],
        );
        assert_eq!(g.value(1, 0), "a");
        assert_eq!(g.raw(1, 0), "");
        assert!(g.merged_from_above(1, 0));
        assert!(!g.merged_from_above(0, 0));
    }
}
