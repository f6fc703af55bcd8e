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

/// The line of government a department belongs to (市场监管, 卫健, 住建 …), read from its name
/// as officials write it: `高平市市场监督管理局` and `省市场监管局` are both 市场监管. A county
/// department works from its province's item list, so this is how its items are found.
pub fn department_system(name: &str) -> Option<&'static str> {
    const SYSTEMS: &[(&str, &[&str])] = &[
        ("市场监管", &["市场监督管理", "市场监管"]),
        ("药监", &["药品监督管理", "药监"]),
        ("卫健", &["卫生健康", "卫健", "卫生和计划生育"]),
        ("住建", &["住房和城乡建设", "住房城乡建设", "住建"]),
        (
            "文旅",
            &[
                "文化和旅游",
                "文化广电和旅游",
                "文化旅游",
                "文旅",
                "文化广电",
            ],
        ),
        ("人防", &["人民防空", "人防"]),
        ("城管", &["城市管理", "城管", "综合行政执法"]),
        ("公安", &["公安"]),
        ("消防", &["消防"]),
        ("教育", &["教育"]),
        ("交通", &["交通运输", "交通"]),
        ("自然资源", &["自然资源", "国土资源"]),
        ("生态环境", &["生态环境", "环境保护", "环保"]),
        ("应急", &["应急管理", "安全生产监督", "应急"]),
        ("农业农村", &["农业农村", "农业"]),
        ("水务", &["水务", "水利"]),
        ("商务", &["商务"]),
        ("人社", &["人力资源和社会保障", "人力资源社会保障", "人社"]),
        ("发改", &["发展和改革", "发展改革", "发改"]),
        ("民政", &["民政"]),
        ("统计", &["统计"]),
        ("税务", &["税务"]),
        ("医保", &["医疗保障", "医保"]),
        ("林业", &["林业", "林草"]),
        ("体育", &["体育"]),
        ("烟草", &["烟草"]),
        ("气象", &["气象"]),
        ("档案", &["档案"]),
        ("宗教", &["民族宗教", "宗教"]),
    ];
    SYSTEMS
        .iter()
        .find(|(_, words)| words.iter().any(|w| name.contains(w)))
        .map(|(system, _)| *system)
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

    #[test]
    fn departments_are_matched_by_their_line_of_government() {
        use super::department_system as sys;
        assert_eq!(sys("高平市市场监督管理局"), Some("市场监管"));
        assert_eq!(sys("省市场监管局"), sys("晋城市市场监督管理局"));
        assert_eq!(sys("高平市住房和城乡建设局"), Some("住建"));
        assert_eq!(sys("住建局"), Some("住建"));
        assert_eq!(sys("高平市人民防空办公室"), Some("人防"));
        assert_eq!(sys("晋城市生态环境局高平分局"), Some("生态环境"));
        assert_eq!(sys("高平市消防救援大队"), Some("消防"));
        assert_eq!(sys("某某委员会"), None);
    }
}
