//! Administrative divisions (行政区划) and departments.

use crate::error::{ValidationError, bounded_text};
use serde::Serialize;
use std::fmt;

/// A 6-digit 行政区划代码 (GB/T 2260): `PPCCXX`. `PP0000` is a province, `PPCC00` a city,
/// anything else a county-level division.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DivisionCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum DivisionLevel {
    Province,
    City,
    County,
}

impl DivisionLevel {
    pub fn label(self) -> &'static str {
        match self {
            DivisionLevel::Province => "省级",
            DivisionLevel::City => "市级",
            DivisionLevel::County => "县级",
        }
    }
}

impl DivisionCode {
    pub fn parse(raw: &str) -> Result<DivisionCode, ValidationError> {
        // Full-width digits (typed with a Chinese input method) are the same digits.
        let s: String = raw
            .trim()
            .chars()
            .map(crate::text::fold_full_width)
            .collect();
        let bad = |m: &str| ValidationError::new("DIVISION_CODE_INVALID", "code", m);
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("行政区划代码应为 6 位数字"));
        }
        if &s[0..2] == "00" {
            return Err(bad("行政区划代码的省级部分不能为 00"));
        }
        if &s[2..4] == "00" && &s[4..6] != "00" {
            return Err(bad("行政区划代码的市级部分为 00 时县级部分也应为 00"));
        }
        Ok(DivisionCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> DivisionLevel {
        if self.0.ends_with("0000") {
            DivisionLevel::Province
        } else if self.0.ends_with("00") {
            DivisionLevel::City
        } else {
            DivisionLevel::County
        }
    }

    /// The division directly above, if any. Counties of a 直辖市 or 省直辖县 sit directly under
    /// the province in the code space; callers that need the stored parent use the database.
    pub fn natural_parent(&self) -> Option<DivisionCode> {
        match self.level() {
            DivisionLevel::Province => None,
            DivisionLevel::City => Some(DivisionCode(format!("{}0000", &self.0[0..2]))),
            DivisionLevel::County => Some(DivisionCode(format!("{}00", &self.0[0..4]))),
        }
    }

    /// The code prefix shared by this division and everything under it: `14` for the province
    /// 140000, `1405` for the city 140500, `140581` for the county.
    pub fn covering_prefix(&self) -> &str {
        covering_prefix(&self.0)
    }

    /// Whether `self` is strictly inside `other` (a county inside its city or province).
    pub fn is_strictly_within(&self, other: &DivisionCode) -> bool {
        if self == other {
            return false;
        }
        match other.level() {
            DivisionLevel::Province => self.0[0..2] == other.0[0..2],
            DivisionLevel::City => self.0[0..4] == other.0[0..4],
            DivisionLevel::County => false,
        }
    }
}

/// The one reading of a division filter everywhere: a 6-digit code means that division and
/// everything under it (`140000` → `14`, `140500` → `1405`, `140581` → `140581`); anything
/// shorter is taken as the prefix it already is.
pub fn covering_prefix(code: &str) -> &str {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let city = code.strip_suffix("00").unwrap_or(code);
        if city.len() == 4 {
            return city.strip_suffix("00").unwrap_or(city);
        }
        return city;
    }
    code
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DivisionName(String);

impl DivisionName {
    pub fn parse(raw: &str) -> Result<DivisionName, ValidationError> {
        bounded_text(raw, 40, "DIVISION_NAME_INVALID", "name", "行政区划名称").map(DivisionName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A department's name, e.g. 高平市市场监督管理局.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DepartmentName(String);

impl DepartmentName {
    pub fn parse(raw: &str) -> Result<DepartmentName, ValidationError> {
        bounded_text(raw, 64, "DEPARTMENT_NAME_INVALID", "name", "部门名称").map(DepartmentName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_levels_and_nesting() {
        let shanxi = DivisionCode::parse("140000").unwrap();
        let jincheng = DivisionCode::parse("140500").unwrap();
        let gaoping = DivisionCode::parse(" 140581 ").unwrap();
        assert_eq!(gaoping.level(), DivisionLevel::County);
        assert_eq!(jincheng.level(), DivisionLevel::City);
        assert_eq!(shanxi.level(), DivisionLevel::Province);
        assert_eq!(gaoping.natural_parent(), Some(jincheng.clone()));
        assert!(gaoping.is_strictly_within(&jincheng));
        assert!(gaoping.is_strictly_within(&shanxi));
        assert!(!jincheng.is_strictly_within(&jincheng));
        assert!(
            !DivisionCode::parse("410000")
                .unwrap()
                .is_strictly_within(&jincheng)
        );
    }

    #[test]
    fn bad_division_codes_are_refused_with_reasons() {
        assert_eq!(
            DivisionCode::parse("140000").unwrap().covering_prefix(),
            "14"
        );
        assert_eq!(
            DivisionCode::parse("140500").unwrap().covering_prefix(),
            "1405"
        );
        assert_eq!(
            DivisionCode::parse("140581").unwrap().covering_prefix(),
            "140581"
        );
        assert_eq!(covering_prefix("1405"), "1405");
        assert_eq!(covering_prefix(" 140500 "), "1405");
        for bad in ["14058", "1405811", "14a581", "000000", "140012", ""] {
            let e = DivisionCode::parse(bad).unwrap_err();
            assert_eq!(e.code, "DIVISION_CODE_INVALID", "{bad}");
        }
    }

    #[test]
    fn full_width_division_digits_are_folded() {
        assert_eq!(
            DivisionCode::parse("３３０１０２").unwrap().as_str(),
            "330102"
        );
        assert!(DivisionCode::parse("３３０１０").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DepartmentName::parse(" 高平市市场监督管理局 ")
                .unwrap()
                .as_str(),
            "高平市市场监督管理局"
        );
        assert!(DepartmentName::parse("  ").is_err());
        assert!(DepartmentName::parse(&"局".repeat(65)).is_err());
        assert!(DepartmentName::parse("a\u{0}b").is_err());
    }
}
