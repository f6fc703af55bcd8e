//! Registration codes of inspected objects: 统一社会信用代码 (GB 32100-2015), the legacy 15-digit
//! 注册号 (GB/T 17710 / ISO 7064 MOD 11,10 check digit), and platform-assigned codes for objects
//! that have neither (工程项目, 人防工程, 学校 …).

use crate::error::ValidationError;
use serde::Serialize;
use std::fmt;

/// The 31 characters of GB 32100 (no I, O, S, V, Z).
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Prefix of platform-assigned codes; never a valid USCC or 注册号 (those have no letters
/// S or Z, and 注册号 are digits only), so the three kinds cannot collide.
pub const PLATFORM_PREFIX: &str = "SSJ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// 统一社会信用代码
    Uscc,
    /// 注册号 (15 digits)
    RegistrationNumber,
    /// 平台编码
    Platform,
}

impl CodeKind {
    pub fn label(self) -> &'static str {
        match self {
            CodeKind::Uscc => "统一社会信用代码",
            CodeKind::RegistrationNumber => "注册号",
            CodeKind::Platform => "平台编码",
        }
    }
}

/// A checked object code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ObjectCode(String);

/// The check character a 17-character USCC body needs, if the body uses the charset.
pub fn uscc_check_char(body: &[u8]) -> Option<u8> {
    if body.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in body.iter().zip(USCC_WEIGHTS) {
        let v = USCC_CHARSET.iter().position(|c| c == b)? as u32;
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_CHARSET[check as usize])
}

/// The ISO 7064 MOD 11,10 check digit for the first 14 digits of a 注册号.
pub fn registration_check_digit(body: &[u8]) -> Option<u8> {
    if body.len() != 14 || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut p = 10u32;
    for d in body {
        let mut s = (p + u32::from(d - b'0')) % 10;
        if s == 0 {
            s = 10;
        }
        p = (2 * s) % 11;
    }
    Some(b'0' + ((11 - p) % 10) as u8)
}

impl ObjectCode {
    /// Parses a USCC or a 注册号, verifying its check character. Lower-case letters and stray
    /// spaces are accepted as typed and normalised; anything else is refused with the reason.
    pub fn parse(raw: &str) -> Result<ObjectCode, ValidationError> {
        // Most codes arrive clean: copy those as they are instead of rebuilding char by char.
        let s: String = if raw
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_lowercase())
        {
            raw.to_string()
        } else {
            raw.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_uppercase()
        };
        let bad = |m: String| ValidationError::new("OBJECT_CODE_INVALID", "code", m);
        let b = s.as_bytes();
        match b.len() {
            0 => Err(bad("统一社会信用代码/注册号不能为空".into())),
            18 => {
                if let Some(c) = b.iter().find(|c| !USCC_CHARSET.contains(c)) {
                    return Err(bad(format!(
                        "统一社会信用代码 {s} 含有不允许的字符“{}”",
                        *c as char
                    )));
                }
                let want = uscc_check_char(&b[..17]).expect("charset checked");
                if b[17] != want {
                    return Err(bad(format!(
                        "统一社会信用代码 {s} 校验位错误（应为 {}）",
                        want as char
                    )));
                }
                Ok(ObjectCode(s))
            }
            15 if b.iter().all(u8::is_ascii_digit) => {
                let want = registration_check_digit(&b[..14]).expect("digits checked");
                if b[14] != want {
                    return Err(bad(format!(
                        "注册号 {s} 校验位错误（应为 {}）",
                        want as char
                    )));
                }
                Ok(ObjectCode(s))
            }
            _ if s.starts_with(PLATFORM_PREFIX) => ObjectCode::platform(&s),
            n => Err(bad(format!(
                "代码 {s} 长度为 {n} 位：统一社会信用代码应为 18 位，注册号应为 15 位数字"
            ))),
        }
    }

    /// A platform code `SSJ` + division + serial, e.g. `SSJ140581-000123`.
    pub fn platform(raw: &str) -> Result<ObjectCode, ValidationError> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = s.len() <= 40
            && s.starts_with(PLATFORM_PREFIX)
            && s.len() > PLATFORM_PREFIX.len()
            && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
        if ok {
            Ok(ObjectCode(s))
        } else {
            Err(ValidationError::new(
                "OBJECT_CODE_INVALID",
                "code",
                format!("平台编码 {s} 格式不正确"),
            ))
        }
    }

    pub fn kind(&self) -> CodeKind {
        if self.0.starts_with(PLATFORM_PREFIX) {
            CodeKind::Platform
        } else if self.0.len() == 18 {
            CodeKind::Uscc
        } else {
            CodeKind::RegistrationNumber
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes() {
        // Real codes from the Zhejiang fixture and a well-known public one.
        for ok in [
            "91330000566997460T",
            "91330000697024247P",
            "330000000036006",
            "91110000802100433B",
        ] {
            let c = ObjectCode::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(c.as_str(), ok);
        }
        assert_eq!(
            ObjectCode::parse(" 91330000566997460t ").unwrap().kind(),
            CodeKind::Uscc
        );
        assert_eq!(
            ObjectCode::parse("330000000036006").unwrap().kind(),
            CodeKind::RegistrationNumber
        );
        let e = ObjectCode::parse("91330000566997460A").unwrap_err();
        assert!(e.message.contains("校验位错误（应为 T）"), "{}", e.message);
        let e = ObjectCode::parse("330000000036007").unwrap_err();
        assert!(
            e.message.contains("注册号") && e.message.contains("应为 6"),
            "{}",
            e.message
        );
        let e = ObjectCode::parse("3300000000360").unwrap_err();
        assert!(e.message.contains("长度为 13 位"), "{}", e.message);
        assert!(
            ObjectCode::parse("91330000566997460I")
                .unwrap_err()
                .message
                .contains("不允许的字符“I”")
        );
        assert_eq!(
            ObjectCode::parse("SSJ140581-000001").unwrap().kind(),
            CodeKind::Platform
        );
    }

    proptest! {
        #[test]
        fn every_generated_uscc_verifies_and_one_changed_char_does_not(body in "[0-9A-HJ-NP-RTUWXY]{17}", pos in 0usize..17, delta in 1usize..31) {
            let mut code = body.clone().into_bytes();
            code.push(uscc_check_char(&code).unwrap());
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_ok());
            let i = USCC_CHARSET.iter().position(|c| *c == code[pos]).unwrap();
            code[pos] = USCC_CHARSET[(i + delta) % 31];
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_err());
        }

        #[test]
        fn every_generated_registration_number_verifies(body in "[0-9]{14}", pos in 0usize..14, delta in 1u8..10) {
            let mut code = body.clone().into_bytes();
            code.push(registration_check_digit(&code).unwrap());
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_ok());
            code[pos] = b'0' + (code[pos] - b'0' + delta) % 10;
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_err());
        }
    }
}
