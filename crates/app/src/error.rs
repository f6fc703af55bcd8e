//! Application errors: each has a stable code (for machines, logs and support calls) and a
//! Chinese message for the person in front of the screen.

use ssj_domain::ValidationError;
use ssj_storage::StorageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Locked,
    Internal,
}

#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            kind,
            code,
            message: message.into(),
        }
    }
    pub fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Invalid, code, message)
    }
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Forbidden, "FORBIDDEN", message)
    }
    pub fn not_found(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::NotFound, code, message)
    }
    pub fn internal(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Internal, "INTERNAL", message)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}（{}）", self.message, self.code)
    }
}

impl std::error::Error for AppError {}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> AppError {
        AppError::new(ErrorKind::Invalid, e.code, e.message)
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> AppError {
        match e {
            StorageError::Conflict(_) => {
                AppError::new(ErrorKind::Conflict, "DUPLICATE", "数据已存在，请勿重复提交")
            }
            StorageError::SchemaTooNew(v) => AppError::new(
                ErrorKind::Internal,
                "SCHEMA_TOO_NEW",
                format!("数据库结构版本（{v}）比本程序新，请升级程序"),
            ),
            StorageError::Corrupt(m) => {
                tracing::error!(%m, "corrupt data");
                AppError::new(
                    ErrorKind::Internal,
                    "DATA_CORRUPT",
                    format!("数据库中的数据无效：{m}"),
                )
            }
            StorageError::Backend(m) => {
                tracing::error!(%m, "storage error");
                AppError::new(
                    ErrorKind::Internal,
                    "STORAGE",
                    "数据库暂时不可用，请稍后重试",
                )
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl From<ssj_draw::DrawError> for AppError {
    fn from(e: ssj_draw::DrawError) -> AppError {
        AppError::invalid(e.code(), e.to_string())
    }
}
