//! A workbook sheet built cell by cell from what calamine streams, each cell checked against
//! [`crate::limits`] before any row is allocated for it: a file's claims (its `<dimension>`, a
//! lone far cell, a huge merge) never size an allocation.

use crate::grid::{Grid, ImportError, Merge, cell_text};
use crate::limits::{
    MAX_COLUMNS, MAX_MERGED_CELLS, MAX_ROWS, MAX_SHEET_CELLS, MAX_SHEET_TEXT_BYTES, cell_name,
    check_cell, column_name, excerpt,
};
use calamine::{Data, Dimensions, Xlsx, XlsxError};
use std::io::{Read, Seek};

pub(crate) struct SheetGrid {
    name: String,
    rows: Vec<Vec<String>>,
    /// The widest column so far (0-based), for the used area.
    max_c: usize,
    /// Bytes of text put so far: a shared string shown by many cells is copied into each.
    text_bytes: u64,
}

impl SheetGrid {
    pub(crate) fn new(name: &str) -> SheetGrid {
        SheetGrid {
            name: excerpt(name),
            rows: Vec::new(),
            max_c: 0,
            text_bytes: 0,
        }
    }

    fn too_large(&self, what: String) -> ImportError {
        ImportError::TooLarge(format!("工作表“{}”{what}", self.name))
    }

    /// Refuses a used area reaching cell (r, c) over the limits, before anything is allocated.
    pub(crate) fn check_extent(&self, r: usize, c: usize) -> Result<(), ImportError> {
        let at = || cell_name(r, c);
        if c >= MAX_COLUMNS {
            return Err(self.too_large(format!(
                "的单元格 {} 在第 {} 列，超出每行 {MAX_COLUMNS} 列（到 {} 列）的上限",
                at(),
                c + 1,
                column_name(MAX_COLUMNS - 1)
            )));
        }
        if r >= MAX_ROWS {
            return Err(self.too_large(format!(
                "的单元格 {} 在第 {} 行，超出 {MAX_ROWS} 行的上限",
                at(),
                r + 1
            )));
        }
        let rows = r.max(self.rows.len().saturating_sub(1)) as u64 + 1;
        let cols = c.max(self.max_c) as u64 + 1;
        if rows * cols > MAX_SHEET_CELLS {
            return Err(self.too_large(format!(
                "的数据区域（从 A1 到第 {rows} 行、第 {cols} 列，含单元格 {}）有 {} 个单元格，\
                 超出 {MAX_SHEET_CELLS} 个单元格的上限。请删去远处的空白或多余内容，\
                 或分成几个文件",
                at(),
                rows * cols
            )));
        }
        Ok(())
    }

    /// Puts a cleaned cell's text at (r, c); empty text takes no room.
    pub(crate) fn put(&mut self, r: usize, c: usize, text: String) -> Result<(), ImportError> {
        if text.is_empty() {
            return Ok(());
        }
        self.check_extent(r, c)?;
        check_cell(r, c, &text).map_err(|e| match e {
            ImportError::TooLarge(m) => self.too_large(format!("：{m}")),
            other => other,
        })?;
        self.text_bytes += text.len() as u64;
        if self.text_bytes > MAX_SHEET_TEXT_BYTES {
            return Err(self.too_large(format!(
                "的文字到单元格 {} 时已超过 {MAX_SHEET_TEXT_BYTES} 字节的上限（同一段文字出现在                 许多单元格中也逐格计算）。请分成几个文件",
                cell_name(r, c)
            )));
        }
        if self.rows.len() <= r {
            self.rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut self.rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
        self.max_c = self.max_c.max(c);
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The grid, once its merges are within [`MAX_MERGED_CELLS`] (each merge alone and together).
    pub(crate) fn finish(self, merges: &[Dimensions]) -> Result<Grid, ImportError> {
        let mut total: u64 = 0;
        let mut out = Vec::with_capacity(merges.len());
        for d in merges {
            let (r0, c0, r1, c1) = (d.start.0, d.start.1, d.end.0, d.end.1);
            if r1 < r0 || c1 < c0 {
                continue;
            }
            let area = (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1);
            let name = || {
                format!(
                    "{}:{}",
                    cell_name(r0 as usize, c0 as usize),
                    cell_name(r1 as usize, c1 as usize)
                )
            };
            if area > MAX_MERGED_CELLS {
                return Err(self.too_large(format!(
                    "的合并单元格 {} 覆盖 {area} 个单元格，超出 {MAX_MERGED_CELLS} 个的上限。\
                     请取消这个合并",
                    name()
                )));
            }
            total += area;
            if total > MAX_MERGED_CELLS {
                return Err(self.too_large(format!(
                    "的合并单元格共覆盖超过 {MAX_MERGED_CELLS} 个单元格（到合并 {} 为止）。\
                     请取消不必要的合并",
                    name()
                )));
            }
            out.push(Merge {
                r0: r0 as usize,
                c0: c0 as usize,
                r1: r1 as usize,
                c1: c1 as usize,
            });
        }
        Ok(Grid::new(self.rows, &out))
    }
}

/// The first xlsx sheet with data, streamed cell by cell (calamine's `worksheet_range` would
/// allocate the whole bounding box of the cells first: 512 GiB for A1 and XFD1048576).
pub(crate) fn from_xlsx<RS: Read + Seek>(mut wb: Xlsx<RS>) -> Result<Grid, ImportError> {
    let corrupt =
        |e: XlsxError| ImportError::Unreadable(crate::limits::excerpt_n(&e.to_string(), 200));
    let names = calamine::Reader::sheet_names(&wb);
    for name in names {
        let mut sheet = SheetGrid::new(&name);
        {
            let mut cells = match wb.worksheet_cells_reader(&name) {
                Ok(cells) => cells,
                // A chart sheet or the like: no cells.
                Err(XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(corrupt(e)),
            };
            while let Some(cell) = cells.next_cell().map_err(corrupt)? {
                let (r, c) = cell.get_position();
                let text = cell_text(&Data::from(cell.get_value().clone()));
                sheet.put(r as usize, c as usize, text)?;
            }
        }
        if sheet.is_empty() {
            continue;
        }
        // Unreadable merges were ignored before these limits too: the cells still import.
        let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
        return sheet.finish(&merges);
    }
    Err(ImportError::NoRows)
}
