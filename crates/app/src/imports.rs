//! What every list import shares: the preview summary and the two ways to import.

use crate::AppError;
use serde::Serialize;
use ssj_import::Reject;

/// What an import would do (a preview) or did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub joint: bool,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub rejects: Vec<Reject>,
}

impl ImportSummary {
    pub fn rejected(&self) -> usize {
        self.rejects.len()
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
