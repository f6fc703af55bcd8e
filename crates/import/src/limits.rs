//! The most the importer takes from one file. A file is refused, with the cell or row named,
//! before anything is allocated by what it claims; these are the numbers docs/security.md cites.

/// Columns of a sheet or of a CSV row (column 512 is `SR`). The widest real layout (a
/// directory) has about 25; a row wider than this is refused, naming the row and column.
pub const MAX_COLUMNS: usize = 512;

/// Rows of a sheet: Excel's own limit (1,048,576). Only spreadsheets; a CSV is bounded by its
/// size, as each row costs at least a line break.
pub const MAX_ROWS: usize = 1_048_576;

/// Rows × columns of a sheet's used area, from A1 to the last non-empty row and column:
/// 5,000,000 (e.g. 250,000 rows × 20 columns). Bigger directories go as CSV, which is streamed.
/// A single cell at Z1000000 spans 26,000,000 and is refused.
pub const MAX_SHEET_CELLS: u64 = 5_000_000;

/// Cells covered by the merged ranges of a sheet, all merges together (each cell of a merge is
/// looked up on its own). A merge whose own area is larger is refused by name.
pub const MAX_MERGED_CELLS: u64 = 1_000_000;

/// Bytes of text (UTF-8) in the cells of a workbook's sheets, all together: 128 MiB, e.g.
/// 250,000 rows × 20 columns of 25 bytes each. A shared string is counted in every cell that
/// shows it, as each cell holds a copy: a small file cannot make gigabytes of copies. Checked for
/// xls by crate::biff_guard (before calamine copies), for every sheet grid as it is built.
pub const MAX_SHEET_TEXT_BYTES: u64 = 128 * 1024 * 1024;

/// Bytes an xlsx's parts (its zip entries) may inflate to, each and all together: 256 MiB. The
/// sizes the zip declares are checked before anything is inflated; the zip crate that calamine
/// reads through stops an entry that inflates past its declared size.
pub const MAX_XLSX_UNCOMPRESSED: u64 = 256 * 1024 * 1024;

/// The most an xlsx part over 1 MiB may inflate, relative to its compressed size: 200 to 1.
/// Real parts (XML of cells and strings) deflate far less; a part past this is a zip bomb.
pub const MAX_XLSX_RATIO: u64 = 200;

/// Characters in one cell: Excel's own limit (32,767).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Characters of file content quoted in a message; longer text is cut and ends in "…".
pub const MAX_QUOTE_CHARS: usize = 40;

/// File content as a message quotes it: at most [`MAX_QUOTE_CHARS`] characters, then "…".
pub fn excerpt(s: &str) -> String {
    excerpt_n(s, MAX_QUOTE_CHARS)
}

/// As [`excerpt`], for text that is not the user's own (a parser's error), allowed longer.
pub fn excerpt_n(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Excel's column letters for a 0-based column: 0 → A, 25 → Z, 26 → AA, 16383 → XFD.
pub fn column_name(c: usize) -> String {
    let mut n = c + 1;
    let mut out = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        out.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// A cell as Excel names it, 0-based: (0, 0) → A1.
pub fn cell_name(r: usize, c: usize) -> String {
    format!("{}{}", column_name(c), r + 1)
}

/// Refuses a cell longer than [`MAX_CELL_CHARS`], naming it (row and column 0-based).
pub fn check_cell(r: usize, c: usize, text: &str) -> Result<(), crate::ImportError> {
    // Bytes bound characters from above: most cells are decided without counting.
    if text.len() <= MAX_CELL_CHARS {
        return Ok(());
    }
    let n = text.chars().count();
    if n <= MAX_CELL_CHARS {
        return Ok(());
    }
    Err(crate::ImportError::TooLarge(format!(
        "第 {} 行第 {} 列（{}）的内容有 {n} 个字符，超过每格 {MAX_CELL_CHARS} 个字符的上限",
        r + 1,
        c + 1,
        cell_name(r, c)
    )))
}

/// Refuses a row wider than [`MAX_COLUMNS`] (row 0-based, `width` its number of columns).
pub fn check_width(r: usize, width: usize) -> Result<(), crate::ImportError> {
    if width <= MAX_COLUMNS {
        return Ok(());
    }
    Err(crate::ImportError::TooLarge(format!(
        "第 {} 行有 {width} 列，第 {} 列（{}）起超出每行 {MAX_COLUMNS} 列的上限",
        r + 1,
        MAX_COLUMNS + 1,
        column_name(MAX_COLUMNS)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_excerpts() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16383), "XFD");
        assert_eq!(cell_name(1_048_575, 16383), "XFD1048576");
        assert_eq!(excerpt("短"), "短");
        let long = "码".repeat(100);
        assert_eq!(excerpt(&long), format!("{}…", "码".repeat(40)));
        assert!(check_cell(0, 0, &"a".repeat(MAX_CELL_CHARS)).is_ok());
        // Many bytes, few characters: not too long.
        assert!(check_cell(0, 0, &"码".repeat(MAX_CELL_CHARS)).is_ok());
        assert!(check_cell(0, 0, &"a".repeat(MAX_CELL_CHARS + 1)).is_err());
        assert!(check_width(0, MAX_COLUMNS).is_ok());
        assert!(check_width(0, MAX_COLUMNS + 1).is_err());
    }
}
