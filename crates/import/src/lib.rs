//! Reading the files users actually upload: item lists and directories exported from other
//! platforms or typed by hand in Excel. Takes bytes, gives parsed rows and, for every row it
//! cannot take, the row number, the column and the reason in Chinese. No database here.

mod biff_guard;
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
