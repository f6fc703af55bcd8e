//! Registration codes of inspected objects: 统一社会信用代码 (GB 32100-2015), the legacy 15-digit
//! 注册号 (GB/T 17710 / ISO 7064 MOD 11,10 check digit), and platform-assigned codes for objects
//! that have neither (工程项目, 人防工程, 学校 …).

use crate::error::ValidationError;
use crate::text::{describe, fold_full_width};
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

/// GB 32100 §4: 登记管理部门 and 机构类别 (positions 1–2) and 主体标识码 (9–17) from the 31
/// characters, the GB/T 2260 division (3–8) digits only, then the check character (18).
fn check_uscc(s: &str, chars: &[char]) -> Result<(), String> {
    for (i, &c) in chars.iter().enumerate() {
        if (2..8).contains(&i) && !c.is_ascii_digit() {
            return Err(format!(
                "统一社会信用代码 {s} 的第 3–8 位是行政区划代码，只能是数字：第 {} 位是{}",
                i + 1,
                describe(c)
            ));
        }
        if !c.is_ascii() || !USCC_CHARSET.contains(&(c as u8)) {
            return Err(format!(
                "统一社会信用代码 {s} 含有不允许的字符：第 {} 位是{}（只能是数字和除 I、O、S、V、Z 以外的大写字母）",
                i + 1,
                describe(c)
            ));
        }
    }
    let b = s.as_bytes();
    let want = uscc_check_char(&b[..17]).ok_or_else(|| format!("统一社会信用代码 {s} 无法校验"))?;
    if b[17] != want {
        return Err(format!(
            "统一社会信用代码 {s} 校验位错误（应为 {}）",
            want as char
        ));
    }
    Ok(())
}

/// A 15-digit 注册号 with its ISO 7064 MOD 11,10 check digit.
fn check_registration(s: &str, chars: &[char]) -> Result<(), String> {
    if let Some(i) = chars.iter().position(|c| !c.is_ascii_digit()) {
        return Err(format!(
            "代码 {s} 长度为 15 位，按注册号检查：注册号只能是数字，第 {} 位是{}（统一社会信用代码应为 18 位）",
            i + 1,
            describe(chars[i])
        ));
    }
    let b = s.as_bytes();
    let want = registration_check_digit(&b[..14]).ok_or_else(|| format!("注册号 {s} 无法校验"))?;
    if b[14] != want {
        return Err(format!("注册号 {s} 校验位错误（应为 {}）", want as char));
    }
    Ok(())
}

impl ObjectCode {
    /// A code as it is checked and kept: spaces removed, full-width forms (typed with a Chinese
    /// input method) folded to ASCII, letters upper-cased. Anything else stays, to be refused.
    pub fn normalise(raw: &str) -> String {
        // Most codes arrive clean: copy those as they are instead of rebuilding char by char.
        if raw
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_lowercase())
        {
            return raw.to_string();
        }
        raw.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| fold_full_width(c).to_ascii_uppercase())
            .collect()
    }

    /// Parses a USCC, a 注册号 or a platform code, verifying its check character. What
    /// [`ObjectCode::normalise`] changes is accepted as typed; anything else is refused with the
    /// reason, naming the position and the character.
    pub fn parse(raw: &str) -> Result<ObjectCode, ValidationError> {
        let s = ObjectCode::normalise(raw);
        let bad = |m: String| ValidationError::new("OBJECT_CODE_INVALID", "code", m);
        if s.is_empty() {
            return Err(bad("统一社会信用代码/注册号不能为空".into()));
        }
        // Never a USCC (no S) nor a 注册号 (digits), whatever its length.
        if s.starts_with(PLATFORM_PREFIX) {
            return ObjectCode::platform(&s);
        }
        let chars: Vec<char> = s.chars().collect();
        match chars.len() {
            18 => check_uscc(&s, &chars).map_err(bad)?,
            15 => check_registration(&s, &chars).map_err(bad)?,
            n => {
                return Err(bad(format!(
                    "代码 {s} 长度为 {n} 位：统一社会信用代码应为 18 位，注册号应为 15 位数字"
                )));
            }
        }
        Ok(ObjectCode(s))
    }

    /// A platform code `SSJ` + division + serial, e.g. `SSJ140581-000123`.
    pub fn platform(raw: &str) -> Result<ObjectCode, ValidationError> {
        let s = ObjectCode::normalise(raw);
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

/// The division a code was registered in: characters 3–8 of a 统一社会信用代码 (its
/// 登记管理机关行政区划码), the first six digits of a 15-digit 注册号. `None` for other codes.
pub fn registered_division(code: &str) -> Option<&str> {
    let code = code.trim();
    let digits = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit());
    let part = match code.len() {
        18 => code.get(2..8)?,
        15 => code.get(0..6)?,
        _ => return None,
    };
    digits(part).then_some(part)
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
                .contains("不允许的字符：第 18 位是「I」")
        );
        assert_eq!(
            ObjectCode::parse("SSJ140581-000001").unwrap().kind(),
            CodeKind::Platform
        );
    }

    #[test]
    fn positions_3_to_8_are_the_division_code_digits_only() {
        // Passes the MOD 31 check, but 第 3–8 位 (GB/T 2260) hold letters.
        let e = ObjectCode::parse("91L72118Q8R9G66GH9").unwrap_err();
        assert!(
            e.message
                .contains("第 3–8 位是行政区划代码，只能是数字：第 3 位是「L」"),
            "{}",
            e.message
        );
        let e = ObjectCode::parse(&with_check("9133010A123456789")).unwrap_err();
        assert!(e.message.contains("第 8 位是「A」"), "{}", e.message);
        // 登记管理部门 and 机构类别 (positions 1–2) may be letters: Y 其他, A 中央军委改革和编制办公室, N 农业.
        for body in [
            "Y1110000MA0000001",
            "A1110000MA0000001",
            "N2330000MA0000001",
        ] {
            let code = with_check(body);
            assert!(ObjectCode::parse(&code).is_ok(), "{code}");
        }
    }

    #[test]
    fn full_width_characters_are_folded_to_ascii() {
        for (typed, code) in [
            ("９１３３００００５６６９９７４６０Ｔ", "91330000566997460T"),
            ("９１３３００００５６６９９７４６０ｔ", "91330000566997460T"),
            (
                "９１３３００００５６６９９７４６０\u{3000}Ｔ",
                "91330000566997460T",
            ),
            ("３３００００００００３６００６", "330000000036006"),
            ("ＳＳＪ１４０５８１－０００００１", "SSJ140581-000001"),
        ] {
            let c = ObjectCode::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(c.as_str(), code);
        }
        let e = ObjectCode::parse("９１３３００００５６６９９７４６０Ａ").unwrap_err();
        assert!(e.message.contains("校验位错误（应为 T）"), "{}", e.message);
    }

    #[test]
    fn messages_count_characters_and_name_them() {
        // 17 characters (19 bytes in UTF-8).
        let e = ObjectCode::parse("9133000056699746甲").unwrap_err();
        assert!(e.message.contains("长度为 17 位"), "{}", e.message);
        // 18 bytes but 17 and 16 characters: never a USCC naming one byte of a character.
        let e = ObjectCode::parse("9133000056699746é").unwrap_err();
        assert!(e.message.contains("长度为 17 位"), "{}", e.message);
        let e = ObjectCode::parse("913300005669974\u{200B}").unwrap_err();
        assert!(e.message.contains("长度为 16 位"), "{}", e.message);
        // 18 characters, one of them not a code character: named whole, with its position.
        let e = ObjectCode::parse("91330000566997460甲").unwrap_err();
        assert!(
            e.message.contains("第 18 位") && e.message.contains("「甲」"),
            "{}",
            e.message
        );
        let e = ObjectCode::parse("9133000056699746é0").unwrap_err();
        assert!(
            e.message.contains("第 17 位") && e.message.contains("「é」"),
            "{}",
            e.message
        );
        // An invisible character is named by its code point.
        let e = ObjectCode::parse("9133000056699746\u{200B}T").unwrap_err();
        assert!(
            e.message.contains("第 17 位") && e.message.contains("U+200B"),
            "{}",
            e.message
        );
        // A 15-character code with a non-digit is told as such, not as a wrong length.
        let e = ObjectCode::parse("33000000003600甲").unwrap_err();
        assert!(
            e.message.contains("注册号") && e.message.contains("第 15 位是「甲」"),
            "{}",
            e.message
        );
        let e = ObjectCode::parse("3300000000360\u{200B}6").unwrap_err();
        assert!(
            e.message.contains("第 14 位是不可见字符 U+200B"),
            "{}",
            e.message
        );
        for bad in [
            "91330000566997460甲",
            "9133000056699746é0",
            "9133000056699746\u{200B}T",
            "33000000003600甲",
        ] {
            let m = ObjectCode::parse(bad).unwrap_err().message;
            assert!(
                !m.contains('\u{FFFD}') && !m.contains('â') && !m.contains('ç'),
                "{m}"
            );
        }
    }

    #[test]
    fn platform_codes_of_18_or_15_characters_are_platform_codes() {
        for code in [
            "SSJ140581-00000012",
            "SSJ140581-00012",
            "SSJ140581-000000012",
        ] {
            assert_eq!(
                ObjectCode::parse(code).map(|c| c.kind()),
                Ok(CodeKind::Platform),
                "{code}"
            );
        }
    }

    /// A 17-character body with its check character.
    fn with_check(body: &str) -> String {
        let mut code = body.as_bytes().to_vec();
        code.push(uscc_check_char(&code).unwrap());
        String::from_utf8(code).unwrap()
    }

    /// A code valid by GB 32100: 登记管理部门 and 机构类别 from the 31 characters, 6 digits of
    /// division, 9 of 主体标识码, and the check character.
    const USCC_BODY: &str = "[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{9}";

    proptest! {
        #[test]
        fn every_generated_uscc_is_accepted(body in USCC_BODY) {
            let code = with_check(&body);
            prop_assert_eq!(ObjectCode::parse(&code).map(ObjectCode::into_string), Ok(code.clone()));
            prop_assert_eq!(ObjectCode::parse(&code.to_lowercase()).map(ObjectCode::into_string), Ok(code));
        }

        #[test]
        fn one_changed_character_is_refused(body in USCC_BODY, pos in 0usize..18, delta in 1usize..31) {
            let mut code = with_check(&body).into_bytes();
            let i = USCC_CHARSET.iter().position(|c| *c == code[pos]).unwrap();
            code[pos] = USCC_CHARSET[(i + delta) % 31];
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_err());
        }

        #[test]
        fn a_character_outside_the_charset_is_refused(body in USCC_BODY, pos in 0usize..18, c in "[IOSVZa-z!-/:-@\\u{80}-\\u{2FFF}]") {
            let mut code: Vec<char> = with_check(&body).chars().collect();
            code[pos] = c.chars().next().unwrap();
            let code: String = code.into_iter().collect();
            // A lower-case letter is upper-cased as typed: only the original letter itself is valid.
            let original = with_check(&body).as_bytes()[pos];
            prop_assume!(c.as_bytes()[0].to_ascii_uppercase() != original);
            prop_assert!(ObjectCode::parse(&code).is_err(), "{}", code);
        }

        #[test]
        fn an_adjacent_swap_is_refused(body in USCC_BODY, pos in 0usize..17) {
            let mut code = with_check(&body).into_bytes();
            prop_assume!(code[pos] != code[pos + 1]);
            code.swap(pos, pos + 1);
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_err());
        }

        #[test]
        fn the_proposed_check_character_validates(body in USCC_BODY, delta in 1usize..31) {
            let good = with_check(&body);
            let i = USCC_CHARSET.iter().position(|c| *c == good.as_bytes()[17]).unwrap();
            let wrong = format!("{}{}", &body, USCC_CHARSET[(i + delta) % 31] as char);
            let m = ObjectCode::parse(&wrong).unwrap_err().message;
            let proposed = m.split("（应为 ").nth(1).and_then(|t| t.chars().next());
            prop_assert!(proposed.is_some(), "{}", m);
            let fixed = format!("{}{}", &body, proposed.unwrap());
            prop_assert_eq!(ObjectCode::parse(&fixed).map(ObjectCode::into_string), Ok(fixed.clone()));
        }

        #[test]
        fn every_generated_registration_number_verifies(body in "[0-9]{14}", pos in 0usize..15, delta in 1u8..10) {
            let mut code = body.clone().into_bytes();
            code.push(registration_check_digit(&code).unwrap());
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_ok());
            let full_width: String = code.iter().map(|&d| char::from_u32(0xFF10 + u32::from(d - b'0')).unwrap()).collect();
            prop_assert!(ObjectCode::parse(&full_width).is_ok());
            code[pos] = b'0' + (code[pos] - b'0' + delta) % 10;
            prop_assert!(ObjectCode::parse(std::str::from_utf8(&code).unwrap()).is_err());
        }

        #[test]
        fn the_proposed_check_digit_validates(body in "[0-9]{14}", delta in 1u8..10) {
            let want = registration_check_digit(body.as_bytes()).unwrap();
            let wrong = format!("{body}{}", (b'0' + (want - b'0' + delta) % 10) as char);
            let m = ObjectCode::parse(&wrong).unwrap_err().message;
            let proposed = m.split("（应为 ").nth(1).and_then(|t| t.chars().next());
            prop_assert_eq!(proposed, Some(want as char), "{}", m);
        }
    }

    #[test]
    fn registered_division_reads_the_code() {
        assert_eq!(registered_division("91330000566997460T"), Some("330000"));
        assert_eq!(registered_division("330327000082876"), Some("330327"));
        assert_eq!(registered_division("SSJ1405810001"), None);
    }
}
