//! What every list import shares: the preview summary and the two ways to import.

use crate::AppError;
use serde::Serialize;
use ssj_import::{Fold, ImportError, Reject};

/// What an import would do (a preview) or did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub joint: bool,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub rejects: Vec<Reject>,
    /// Rejected rows beyond the listed ones.
    pub rejects_not_listed: usize,
    /// Cells taken in their standard form rather than as typed (full-width digits …).
    pub folds: Vec<Fold>,
    /// Folded cells beyond the listed ones.
    pub folds_not_listed: usize,
    /// Objects registered outside every division the platform's departments are in
    /// (行政区划不在本地): imported, but left out of draws unless a task includes them.
    pub outside: usize,
    /// A few of them, `代码 名称（区划）`, for the preview.
    pub outside_examples: Vec<String>,
}

/// Rejected rows (and folded cells) listed one by one; past this only their number is kept
/// (a wrong file of a million rows must not fill the memory with reasons).
const MAX_LISTED_ROWS: usize = 10_000;

impl ImportSummary {
    pub fn rejected(&self) -> usize {
        self.rejects.len() + self.rejects_not_listed
    }

    pub fn add_reject(&mut self, r: Reject) {
        if self.rejects.len() < MAX_LISTED_ROWS {
            self.rejects.push(r);
        } else {
            self.rejects_not_listed += 1;
        }
    }

    pub fn add_folds(&mut self, folds: Vec<Fold>) {
        for f in folds {
            if self.folds.len() < MAX_LISTED_ROWS {
                self.folds.push(f);
            } else {
                self.folds_not_listed += 1;
            }
        }
    }

    /// A file with a header and no rows is refused, as an empty one is.
    pub fn require_rows(&self) -> Result<(), AppError> {
        if self.new + self.changed + self.unchanged + self.rejected() == 0 {
            return Err(AppError::invalid(
                "IMPORT_LAYOUT",
                ImportError::NoRows.to_string(),
            ));
        }
        Ok(())
    }
}

/// A file that cannot be read (IMPORT_UNREADABLE), whose layout is not recognised (IMPORT_LAYOUT)
/// or that is over the importer's limits (IMPORT_TOO_LARGE).
pub fn import_error(e: ImportError) -> AppError {
    match e {
        ImportError::UnknownLayout(_) | ImportError::NoRows => {
            AppError::invalid("IMPORT_LAYOUT", e.to_string())
        }
        ImportError::Unreadable(ref detail) => {
            tracing::info!(detail = %detail, "uploaded spreadsheet unreadable");
            AppError::invalid("IMPORT_UNREADABLE", e.to_string())
        }
        ImportError::Empty | ImportError::NotASpreadsheet(_) | ImportError::Corrupt(_) => {
            AppError::invalid("IMPORT_UNREADABLE", e.to_string())
        }
        ImportError::TooLarge(_) => AppError::invalid("IMPORT_TOO_LARGE", e.to_string()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Any rejected row refuses the whole file.
    AllOrNothing,
    /// Write the good rows; the rejects go back to the user to fix.
    GoodRows,
}

/// The refusal of an all-or-nothing import, naming the first rejected rows.
pub fn rejection(rejects: &[Reject]) -> AppError {
    let shown: Vec<String> = rejects
        .iter()
        .take(10)
        .map(|r| format!("第 {} 行 {}：{}", r.row, r.column, r.reason))
        .collect();
    AppError::invalid(
        "IMPORT_REJECTED",
        format!("导入未执行：{} 行有误，{}", rejects.len(), shown.join("；")),
    )
}

impl crate::Platform {
    /// The uploaded file's rejected rows as a workbook, each with its reason (on the blocking
    /// pool: it re-reads the whole file).
    pub async fn rejects_file(
        &self,
        bytes: &[u8],
        rejects: &[Reject],
    ) -> Result<Vec<u8>, AppError> {
        let (bytes, rejects) = (bytes.to_vec(), rejects.to_vec());
        self.offload(move || {
            ssj_import::rejects_file(&bytes, &rejects, ssj_import::export::TableFormat::Xlsx)
        })
        .await?
        .map_err(|e| AppError::invalid("IMPORT_UNREADABLE", e.to_string()))
    }
}
