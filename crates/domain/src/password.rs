//! The password policy (等级保护 2.0 三级 identification requirements): length, character
//! classes, no username, and no common or easily guessed password.
//!
//! Common passwords come from two maintained crates, never a list typed in here: the
//! `passwords` crate's table of about 100 000 leaked passwords (it has Chinese favourites
//! such as `woaini1314` and `admin@123`), and `zxcvbn`, which also catches variants the table
//! lacks: l33t spellings, keyboard rows, repeats, sequences, dates and word + digits.

use crate::error::ValidationError;

const FIELD: &str = "password";

/// What a new password must satisfy. `Default` is the platform's policy; the app may build a
/// stricter one from its configuration.
///
/// Character classes are: upper-case letters, lower-case letters, digits, and everything else
/// (symbols, spaces, 汉字). A password passes the class rule with `min_classes` classes, or
/// with `long_min_classes` classes once it has at least `long_len` characters (a long
/// passphrase need not carry symbols).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Fewest characters (not bytes).
    pub min_len: usize,
    /// Most characters: bounds the hashing cost.
    pub max_len: usize,
    /// Classes needed by a password shorter than `long_len`.
    pub min_classes: usize,
    /// From this many characters on, `long_min_classes` classes are enough.
    pub long_len: usize,
    pub long_min_classes: usize,
    /// Lowest zxcvbn score (0–4) accepted; 3 means about 10^8 guesses or more.
    pub min_score: u8,
    /// Days after which the app makes the holder choose a new password; `None` never.
    pub max_age_days: Option<u32>,
    /// Whether the app makes the holder of a generated (or administrator-set) password
    /// choose their own at first login.
    pub force_change_generated: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: 10,
            max_len: 128,
            min_classes: 3,
            long_len: 14,
            long_min_classes: 2,
            min_score: 3,
            max_age_days: Some(90),
            force_change_generated: true,
        }
    }
}

impl PasswordPolicy {
    /// The rule in one Chinese sentence, for forms.
    pub fn describe(&self) -> String {
        format!(
            "密码 {}–{} 位，须包含大写字母、小写字母、数字、符号中的至少 {} 类\
             （{} 位及以上至少 {} 类），不能包含用户名，不能是常见密码。",
            self.min_len, self.max_len, self.min_classes, self.long_len, self.long_min_classes
        )
    }

    /// Checks `raw` for an account named `username` (`None` when not known yet).
    pub fn check(&self, raw: &str, username: Option<&str>) -> Result<(), ValidationError> {
        let n = raw.chars().count();
        if n < self.min_len {
            return Err(ValidationError::new(
                "PASSWORD_TOO_SHORT",
                FIELD,
                format!("密码至少 {} 位，当前只有 {n} 位，请加长", self.min_len),
            ));
        }
        if n > self.max_len {
            return Err(ValidationError::new(
                "PASSWORD_TOO_LONG",
                FIELD,
                format!("密码不能超过 {} 位，当前 {n} 位，请缩短", self.max_len),
            ));
        }
        self.check_classes(raw, n)?;
        let username = username.map(|u| u.trim().to_lowercase());
        let username = username.as_deref().filter(|u| u.chars().count() >= 3);
        if let Some(u) = username {
            check_username(raw, u)?;
        }
        check_common(raw)?;
        self.check_guessable(raw, username)
    }

    fn check_classes(&self, raw: &str, n: usize) -> Result<(), ValidationError> {
        let has = |f: fn(&char) -> bool| usize::from(raw.chars().any(|c| f(&c)));
        let classes = has(|c| c.is_uppercase())
            + has(|c| c.is_lowercase())
            + has(char::is_ascii_digit)
            + has(|c| !c.is_uppercase() && !c.is_lowercase() && !c.is_ascii_digit());
        let needed = if n >= self.long_len {
            self.long_min_classes
        } else {
            self.min_classes
        };
        if classes >= needed {
            return Ok(());
        }
        Err(ValidationError::new(
            "PASSWORD_CLASSES",
            FIELD,
            format!(
                "密码须包含大写字母、小写字母、数字、符号中的至少 {} 类（{} 位及以上至少 {} 类），\
                 当前只有 {classes} 类，请加入其他类型的字符",
                self.min_classes, self.long_len, self.long_min_classes
            ),
        ))
    }

    fn check_guessable(&self, raw: &str, username: Option<&str>) -> Result<(), ValidationError> {
        let inputs: Vec<&str> = username.into_iter().collect();
        let entropy = zxcvbn::zxcvbn(raw, &inputs);
        if u8::from(entropy.score()) >= self.min_score {
            return Ok(());
        }
        let why = entropy
            .feedback()
            .and_then(|f| f.warning())
            .map_or("整体规律性太强", warning_zh);
        Err(ValidationError::new(
            "PASSWORD_GUESSABLE",
            FIELD,
            format!("密码容易被猜到：{why}。请换用无规律的字母、数字、符号组合"),
        ))
    }
}

/// Refuses the username itself, written backwards, or without its `.`/`_`/`-` separators,
/// in any case (`wang.wu` refuses `Wangwu2024abc`).
fn check_username(raw: &str, username: &str) -> Result<(), ValidationError> {
    let pw = raw.to_lowercase();
    let joined: String = username
        .chars()
        .filter(|c| !matches!(c, '.' | '_' | '-'))
        .collect();
    let forms = [username.to_string(), joined];
    let hit = forms
        .iter()
        .filter(|f| f.chars().count() >= 3)
        .any(|f| pw.contains(f.as_str()) || pw.contains(&f.chars().rev().collect::<String>()));
    if hit {
        return Err(ValidationError::new(
            "PASSWORD_CONTAINS_USERNAME",
            FIELD,
            format!("密码不能包含用户名“{username}”（不区分大小写，倒写也不行），请去掉后重设"),
        ));
    }
    Ok(())
}

/// Refuses a password on the common-password table, compared case-insensitively, and a
/// table entry wrapped in digits or symbols (`Password123`, `Admin@123456`, `123qwerty!`).
fn check_common(raw: &str) -> Result<(), ValidationError> {
    let lower = raw.to_lowercase();
    let stem = lower.trim_matches(|c: char| !c.is_alphabetic());
    // A stem of one to three letters is too short to mean a word: random strings have them.
    let stem_is_common = stem.len() != lower.len()
        && stem.chars().count() >= 4
        && passwords::analyzer::is_common_password(stem);
    if stem_is_common
        || passwords::analyzer::is_common_password(raw)
        || passwords::analyzer::is_common_password(&lower)
    {
        return Err(ValidationError::new(
            "PASSWORD_COMMON",
            FIELD,
            "密码是常见密码或常见密码加数字、符号，容易被猜到，请换用无规律的组合",
        ));
    }
    Ok(())
}

fn warning_zh(w: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning as W;
    match w {
        W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => {
            "含键盘上相邻的按键（如 qwerty、1qaz）"
        }
        W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "含重复的字符或片段（如 aaa、abcabc）"
        }
        W::ThisIsATop10Password
        | W::ThisIsATop100Password
        | W::ThisIsACommonPassword
        | W::ThisIsSimilarToACommonlyUsedPassword => "与常见密码相似（如 P@ssw0rd）",
        W::SequencesLikeAbcAreEasyToGuess => "含连续的字母或数字（如 abcd、6543）",
        W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => "含年份或日期",
        W::AWordByItselfIsEasyToGuess => "主要由一个常用单词构成",
        W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => {
            "主要由常见的姓名构成"
        }
    }
}

/// A new password that meets a [`PasswordPolicy`]. Never serialised, never printed.
pub struct Password(String);

impl Password {
    /// Checks against the default policy without a username: for callers that do not know
    /// the account yet. Prefer [`Password::parse_for`].
    pub fn parse(raw: &str) -> Result<Password, ValidationError> {
        Password::parse_with(raw, None, &PasswordPolicy::default())
    }

    /// Checks against the default policy for the account named `username`.
    pub fn parse_for(raw: &str, username: &str) -> Result<Password, ValidationError> {
        Password::parse_with(raw, Some(username), &PasswordPolicy::default())
    }

    pub fn parse_with(
        raw: &str,
        username: Option<&str>,
        policy: &PasswordPolicy,
    ) -> Result<Password, ValidationError> {
        policy.check(raw, username)?;
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests;
