//! Accounts: usernames, passwords, roles and data scope.

use crate::error::{ValidationError, bounded_text};
use serde::Serialize;

pub use crate::password::{Password, PasswordPolicy};

/// A login name: 3–32 ASCII letters, digits, `_`, `.` or `-` (staff IDs, pinyin).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, ValidationError> {
        let s = raw.trim();
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if !(3..=32).contains(&s.len()) || !s.chars().all(ok_char) {
            return Err(ValidationError::new(
                "USERNAME_INVALID",
                "username",
                "用户名应为 3–32 位字母、数字、下划线、点或连字符",
            ));
        }
        Ok(Username(s.to_ascii_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, ValidationError> {
        bounded_text(raw, 32, "DISPLAY_NAME_INVALID", "display_name", "姓名").map(DisplayName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The six roles of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    SystemAdmin,
    /// 部门管理员
    DepartmentAdmin,
    /// 计划员: plans and draws
    Planner,
    /// 执法人员: sees own assignments
    Officer,
    /// 审核员: reviews results
    Reviewer,
    /// 监督员: read-only, sees the audit log and all draws
    Supervisor,
}

/// What a role may do. Later issues add permissions here; the route table maps each route to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the console pages of the business areas (items, directories, plans, tasks, …).
    ViewConsole,
    /// Browse the audit log and its proofs.
    ViewAuditLog,
    /// Create and edit accounts inside one's data scope.
    ManageUsers,
    /// Grant the 系统管理员 role or edit divisions and departments.
    ManageOrganisation,
    /// Import, edit, publish and retire items of the item list and directories.
    EditLists,
    /// See officers' phone and ID numbers (personal data).
    ViewPersonalData,
    /// Create inspection tasks and run their draws.
    PlanTasks,
    /// Download a draw's full export, with `conflicts.csv` (declared conflicts of interest are
    /// personal data: the public export leaves them out). The 监督员's, who audits draws.
    ExportAuditFolder,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::SystemAdmin,
        Role::DepartmentAdmin,
        Role::Planner,
        Role::Officer,
        Role::Reviewer,
        Role::Supervisor,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::DepartmentAdmin => "department_admin",
            Role::Planner => "planner",
            Role::Officer => "officer",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::DepartmentAdmin => "部门管理员",
            Role::Planner => "计划员",
            Role::Officer => "执法人员",
            Role::Reviewer => "审核员",
            Role::Supervisor => "监督员",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationError::new("ROLE_INVALID", "role", "请选择角色"));
        }
        Role::ALL
            .into_iter()
            .find(|r| r.key() == s || r.label() == s)
            .ok_or_else(|| ValidationError::new("ROLE_INVALID", "role", format!("未知角色：{s}")))
    }

    /// The scope a new account of this role gets unless an administrator chooses another.
    pub fn default_scope(self) -> DataScope {
        match self {
            Role::SystemAdmin => DataScope::All,
            Role::DepartmentAdmin | Role::Supervisor => DataScope::DepartmentAndBelow,
            Role::Planner | Role::Officer | Role::Reviewer => DataScope::OwnDepartment,
        }
    }

    pub fn can(self, p: Permission) -> bool {
        match p {
            Permission::ViewConsole => true,
            Permission::ViewAuditLog => matches!(self, Role::SystemAdmin | Role::Supervisor),
            Permission::ExportAuditFolder => self == Role::Supervisor,
            Permission::ManageUsers => matches!(self, Role::SystemAdmin | Role::DepartmentAdmin),
            Permission::ManageOrganisation => self == Role::SystemAdmin,
            Permission::EditLists | Permission::ViewPersonalData => {
                matches!(self, Role::SystemAdmin | Role::DepartmentAdmin)
            }
            Permission::PlanTasks => {
                matches!(
                    self,
                    Role::SystemAdmin | Role::DepartmentAdmin | Role::Planner
                )
            }
        }
    }

    /// Whether an account with this role may give `other` to someone.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::SystemAdmin => true,
            Role::DepartmentAdmin => other != Role::SystemAdmin,
            _ => false,
        }
    }
}

/// Which departments' data an account sees, the model of government admin consoles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataScope {
    /// 本部门
    OwnDepartment,
    /// 本部门及下级区划
    DepartmentAndBelow,
    /// 全部
    All,
}

impl DataScope {
    pub const ALL: [DataScope; 3] = [
        DataScope::OwnDepartment,
        DataScope::DepartmentAndBelow,
        DataScope::All,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DataScope::OwnDepartment => "own_department",
            DataScope::DepartmentAndBelow => "department_and_below",
            DataScope::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DataScope::OwnDepartment => "本部门",
            DataScope::DepartmentAndBelow => "本部门及下级区划",
            DataScope::All => "全部",
        }
    }

    pub fn parse(raw: &str) -> Result<DataScope, ValidationError> {
        let s = raw.trim();
        DataScope::ALL
            .into_iter()
            .find(|d| d.key() == s || d.label() == s)
            .ok_or_else(|| {
                ValidationError::new("SCOPE_INVALID", "scope", format!("未知数据范围：{s}"))
            })
    }

    /// How far a scope reaches, for comparing two: nobody grants a scope wider than their own.
    fn reach(self) -> u8 {
        match self {
            DataScope::OwnDepartment => 0,
            DataScope::DepartmentAndBelow => 1,
            DataScope::All => 2,
        }
    }

    /// Whether this scope reaches at least as far as `other`.
    pub fn includes(self, other: DataScope) -> bool {
        self.reach() >= other.reach()
    }

    /// Whether an account of department `own` (in division `own_division`) sees data of
    /// department `target` (in `target_division`).
    pub fn covers(
        self,
        own: i64,
        own_division: &crate::DivisionCode,
        target: i64,
        target_division: &crate::DivisionCode,
    ) -> bool {
        match self {
            DataScope::All => true,
            DataScope::OwnDepartment => own == target,
            DataScope::DepartmentAndBelow => {
                own == target || target_division.is_strictly_within(own_division)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DivisionCode;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" Zhang.San ").unwrap().as_str(),
            "zhang.san"
        );
        for bad in ["ab", "张三", "a b c", &"x".repeat(33)] {
            assert_eq!(Username::parse(bad).unwrap_err().code, "USERNAME_INVALID");
        }
    }

    #[test]
    fn roles_round_trip_and_grants() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()).unwrap(), r);
            assert_eq!(Role::parse(r.label()).unwrap(), r);
        }
        assert!(!Role::DepartmentAdmin.may_grant(Role::SystemAdmin));
        assert!(Role::DepartmentAdmin.may_grant(Role::Planner));
        assert!(!Role::Planner.may_grant(Role::Officer));
        assert!(Role::Supervisor.can(Permission::ViewAuditLog));
        assert!(!Role::Planner.can(Permission::ViewAuditLog));
    }

    #[test]
    fn scopes() {
        let city = DivisionCode::parse("140500").unwrap();
        let county = DivisionCode::parse("140581").unwrap();
        let other_city = DivisionCode::parse("141000").unwrap();
        assert!(DataScope::DepartmentAndBelow.covers(1, &city, 2, &county));
        assert!(!DataScope::DepartmentAndBelow.covers(1, &city, 3, &city));
        assert!(DataScope::DepartmentAndBelow.covers(1, &city, 1, &city));
        assert!(!DataScope::DepartmentAndBelow.covers(1, &city, 4, &other_city));
        assert!(!DataScope::OwnDepartment.covers(1, &city, 2, &county));
        assert!(DataScope::All.covers(1, &county, 4, &other_city));
        assert!(DataScope::All.includes(DataScope::DepartmentAndBelow));
        assert!(DataScope::DepartmentAndBelow.includes(DataScope::DepartmentAndBelow));
        assert!(!DataScope::DepartmentAndBelow.includes(DataScope::All));
        assert!(!DataScope::OwnDepartment.includes(DataScope::DepartmentAndBelow));
    }
}
