//! The 双随机 domain: types that validate on construction ("parse, don't validate") and the
//! rules that do not need I/O. Every state change of the platform is described here before a
//! storage backend writes it.

pub mod account;
pub mod audit;
pub mod codes;
pub mod dates;
pub mod error;
pub mod items;
pub mod objects;
pub mod officers;
pub mod org;
pub mod password;
pub mod plans;
pub mod text;

pub use account::{DataScope, DisplayName, Password, PasswordPolicy, Permission, Role, Username};
pub use audit::{AuditEntry, AuditRecord, PUBLIC_ACTIONS, is_public_action};
pub use codes::{CodeKind, ObjectCode};
pub use error::ValidationError;
pub use org::{DepartmentName, DivisionCode, DivisionLevel, DivisionName};
