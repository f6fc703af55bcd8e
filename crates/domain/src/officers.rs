//! The directory of enforcement officers (执法检查人员名录库).

use crate::error::ValidationError;
use serde::Serialize;

/// 层级 of an officer's post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OfficerLevel {
    Province,
    City,
    County,
    Station,
}

impl OfficerLevel {
    pub const ALL: &'static [OfficerLevel] = &[
        OfficerLevel::Province,
        OfficerLevel::City,
        OfficerLevel::County,
        OfficerLevel::Station,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OfficerLevel::Province => "省",
            OfficerLevel::City => "市",
            OfficerLevel::County => "县",
            OfficerLevel::Station => "所",
        }
    }

    pub fn parse(raw: &str) -> Result<OfficerLevel, ValidationError> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        match s.as_str() {
            "省" | "省级" => Ok(OfficerLevel::Province),
            "市" | "市级" => Ok(OfficerLevel::City),
            "县" | "县级" | "区" | "县区" | "" => Ok(OfficerLevel::County),
            "所" | "所级" | "基层所" | "市场监管所" => Ok(OfficerLevel::Station),
            other => Err(ValidationError::new(
                "OFFICER_LEVEL_INVALID",
                "level",
                format!("层级“{other}”无法识别（省、市、县、所）"),
            )),
        }
    }
}

/// A certificate number as printed on a 行政执法证: letters, digits and dashes.
pub fn parse_certificate(raw: &str) -> Result<String, ValidationError> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if s.is_empty() {
        return Err(ValidationError::new(
            "CERT_REQUIRED",
            "cert_no",
            "执法证号不能为空：只有持证人员可以参与检查",
        ));
    }
    if s.len() > 32 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ValidationError::new(
            "CERT_INVALID",
            "cert_no",
            format!("执法证号“{s}”格式不正确"),
        ));
    }
    Ok(s)
}

/// A date as `YYYY-MM-DD`, accepting `2025/6/30`, `2025.06.30` and `20250630`.
pub fn parse_date(raw: &str, label: &str) -> Result<String, ValidationError> {
    let s = raw.trim();
    // A date-time cell (`2024-06-30 00:00:00`) is its date.
    let s = s
        .split_once([' ', 'T'])
        .filter(|(_, time)| time.contains(':'))
        .map_or(s, |(date, _)| date);
    let bad = || {
        ValidationError::new(
            "DATE_INVALID",
            "date",
            format!("{label}“{s}”不是有效日期（如 2025-06-30）"),
        )
    };
    let parts: Vec<&str> = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[0..4], &s[4..6], &s[6..8]]
    } else {
        s.split(['-', '/', '.', '年', '月', '日'])
            .filter(|p| !p.is_empty())
            .collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d): (u32, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(1900..=2200).contains(&y)
        || !(1..=12).contains(&m)
        || d == 0
        || d > crate::dates::days_in_month(y, m)
    {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// A mobile (11 digits starting with 1) or a landline with area code; personal data.
pub fn parse_phone(raw: &str) -> Result<String, ValidationError> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let mobile = digits.len() == 11 && digits.starts_with('1') && digits == s;
    let landline = (10..=12).contains(&digits.len())
        && s.chars().all(|c| c.is_ascii_digit() || c == '-')
        && s.starts_with('0');
    if mobile || landline {
        Ok(s)
    } else {
        Err(ValidationError::new(
            "PHONE_INVALID",
            "phone",
            format!("联系电话“{s}”格式不正确"),
        ))
    }
}

/// A 18-character 居民身份证号码 with its GB 11643 check character; personal data.
pub fn parse_id_number(raw: &str) -> Result<String, ValidationError> {
    let s = raw.trim().to_uppercase();
    let bad = |m: &str| ValidationError::new("ID_NUMBER_INVALID", "id_number", m.to_string());
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Err(bad("身份证号应为 18 位"));
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    if b[17] != check {
        return Err(bad("身份证号校验位错误"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn officer_fields() {
        assert_eq!(parse_date("2025/6/30", "有效期").unwrap(), "2025-06-30");
        assert_eq!(parse_date("20240229", "有效期").unwrap(), "2024-02-29");
        assert_eq!(
            parse_date("2024-06-30 00:00:00", "有效期").unwrap(),
            "2024-06-30"
        );
        assert!(parse_date("2023-02-29", "有效期").is_err());
        assert_eq!(
            parse_certificate(" sx-140581-0001 ").unwrap(),
            "SX-140581-0001"
        );
        assert!(parse_certificate("").unwrap_err().message.contains("持证"));
        assert!(
            parse_phone("13800138000").is_ok()
                && parse_phone("0356-8888888").is_ok()
                && parse_phone("12345").is_err()
        );
        // GB 11643 example.
        assert!(parse_id_number("11010519491231002X").is_ok());
        assert!(parse_id_number("110105194912310021").is_err());
        assert_eq!(OfficerLevel::parse("所").unwrap(), OfficerLevel::Station);
    }
}
