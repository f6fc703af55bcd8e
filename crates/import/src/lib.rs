//! Reading the files users actually upload: item lists and directories exported from other
//! platforms or typed by hand in Excel. Takes bytes, gives parsed rows and, for every row it
//! cannot take, the row number, the column and the reason in Chinese. No database here.

pub mod export;
pub mod grid;
pub mod header;
pub mod items;
pub mod objects;

pub use grid::{Grid, ImportError};

/// A row the importer could not take: 1-based row number as Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    pub row: usize,
    pub column: String,
    pub reason: String,
}
