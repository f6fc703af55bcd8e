//! Reading the files users actually upload: item lists and directories exported from other
//! platforms or typed by hand in Excel. Takes bytes, gives parsed rows and, for every row it
//! cannot take, the row number, the column and the reason in Chinese. No database here.

mod biff_guard;
pub mod docx;
pub mod export;
pub mod grid;
pub mod header;
pub mod items;
pub mod limits;
pub mod objects;
pub mod officers;
mod sheet;
mod zip_guard;

pub use grid::{Grid, ImportError};

/// A row the importer could not take: 1-based row number as Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

/// A cell the importer took in its standard form rather than as typed (full-width digits,
/// lower-case letters): shown in the preview, so that nobody is surprised by what is stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fold {
    pub row: usize,
    pub column: String,
    pub before: String,
    pub after: String,
    pub reason: String,
}

impl Fold {
    /// The fold of a cell from `before` to `after`, or `None` when nothing but surrounding
    /// whitespace changed.
    pub fn of(row: usize, column: &str, before: &str, after: &str) -> Option<Fold> {
        let before = before.trim();
        if before == after {
            return None;
        }
        let mut reasons = Vec::new();
        if before.chars().any(ssj_domain::text::is_full_width) {
            reasons.push("全角字符改为半角");
        }
        if before.chars().any(|c| c.is_ascii_lowercase())
            && after.chars().any(|c| c.is_ascii_uppercase())
        {
            reasons.push("小写字母改为大写");
        }
        if before.chars().any(|c| c.is_whitespace() && c != '\u{3000}') {
            reasons.push("去掉空格");
        }
        Some(Fold {
            row,
            column: column.into(),
            before: before.into(),
            after: after.into(),
            reason: reasons.join("，"),
        })
    }
}

/// A file of the rejected rows in the layout they came in, with the reason in a last column,
/// for the user to fix and upload again.
pub fn rejects_file(
    bytes: &[u8],
    rejects: &[Reject],
    format: export::TableFormat,
) -> Result<Vec<u8>, ImportError> {
    let grid = Grid::from_bytes(bytes)?;
    let layout = header::find_layout(&grid, items::JOINT_FIELDS)
        .or_else(|_| header::find_layout(&grid, items::ITEM_FIELDS))
        .or_else(|_| header::find_layout(&grid, objects::OBJECT_FIELDS))
        .or_else(|_| header::find_layout(&grid, officers::OFFICER_FIELDS))?;
    let mut head = header::header_texts(&grid, &layout);
    head.push("错误原因".into());
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut reasons: std::collections::BTreeMap<usize, Vec<String>> =
        std::collections::BTreeMap::new();
    for r in rejects {
        reasons
            .entry(r.row)
            .or_default()
            .push(format!("{}：{}", r.column, r.reason));
    }
    let rows = reasons.into_iter().map(|(row, why)| {
        let mut cells = grid.row_values(row - 1);
        cells.push(why.join("；"));
        cells
    });
    export::write_table(format, "被拒绝的行", &head, rows).map_err(ImportError::Corrupt)
}

#[cfg(test)]
pub(crate) mod tests_support {
    /// A valid 统一社会信用代码 numbered `i`.
    pub fn uscc(i: u64) -> String {
        let charset = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
        let mut body = b"91330000".to_vec();
        let mut n = i;
        for _ in 0..9 {
            body.push(charset[(n % 31) as usize]);
            n /= 31;
        }
        body.push(ssj_domain::codes::uscc_check_char(&body).unwrap());
        String::from_utf8(body).unwrap()
    }
}
