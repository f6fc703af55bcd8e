//! 抽查比例及频次 as officials write it, read into a rule: a ratio with its bound (exact, at
//! least, at most), the rounds a year, and per-tier ratios where the text gives them. What
//! cannot be read with certainty is flagged with the reason, never guessed or dropped.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A ratio as a reduced fraction: 5‰ is 1/200, 0.5% is 1/200, 100% is 1/1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fraction {
    pub num: u64,
    pub den: u64,
}

impl Fraction {
    pub fn new(num: u64, den: u64) -> Fraction {
        let g = gcd(num, den).max(1);
        Fraction {
            num: num / g,
            den: den / g,
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    /// The ratio as written (`10%`).
    Exact,
    /// At least (`不低于30%`, `5%以上`).
    Min,
    /// At most (`抽查比例不高于5%`).
    Max,
}

/// What a cell says, read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// `None` when the cell gives only a frequency (`抽查1次`) or only per-tier ratios.
    pub ratio: Option<Fraction>,
    pub bound: Bound,
    /// Draws a year: `1次/季度` is 4, `1次/半年` 2; a cell without a frequency means one.
    pub rounds_per_year: u32,
    /// Per credit tier (A–D), when the cell gives a ratio per risk level.
    pub tiers: BTreeMap<char, Fraction>,
}

/// A cell read: the rule (`None` when unreadable) and every doubt, each with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub rule: Option<Rule>,
    pub flags: Vec<String>,
}

/// Misreadings of 不低于 seen in text extracted from real plans (于 read as 子 or 干).
const NOISE: &[(&str, &str)] = &[
    ("不低子", "不低于"),
    ("不低干", "不低于"),
    ("不高子", "不高于"),
];

/// The cell in one line, half-width, with the extraction noise mended (each mend flagged).
fn normalise(text: &str, flags: &mut Vec<String>) -> String {
    let mut s: String = text
        .chars()
        .map(crate::text::fold_full_width)
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    // A number split from its sign over two lines (`10\n%`) comes back together.
    s = s.replace(" %", "%").replace(" ‰", "‰");
    for (wrong, right) in NOISE {
        if s.contains(wrong) {
            s = s.replace(wrong, right);
            flags.push(format!("“{wrong}”按“{right}”理解"));
        }
    }
    s
}

fn chinese_digit(c: char) -> Option<u32> {
    match c {
        '一' => Some(1),
        '两' | '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        _ => c.to_digit(10),
    }
}

/// Every percentage or per-mille in the text: (start byte, fraction).
fn percentages(s: &str) -> Vec<(usize, Fraction)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].1.is_ascii_digit() || chars[i].1 == '.') {
            i += 1;
        }
        let number: String = chars[start..i].iter().map(|(_, c)| *c).collect();
        let unit = chars.get(i).map(|(_, c)| *c);
        let scale = match unit {
            Some('%') => 100,
            Some('‰') => 1000,
            _ => continue,
        };
        if let Some(f) = decimal(&number, scale) {
            out.push((chars[start].0, f));
        }
    }
    out
}

/// `0.5` of `scale` → 5/1000.
fn decimal(number: &str, scale: u64) -> Option<Fraction> {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if frac.len() > 4 {
        return None;
    }
    let digits = format!("{whole}{frac}");
    let num: u64 = digits.parse().ok()?;
    let den = scale * 10u64.pow(frac.len() as u32);
    Some(Fraction::new(num, den))
}

/// `1/30` written as a ratio (not `1/年`).
fn slash_fraction(s: &str) -> Option<Fraction> {
    let (a, b) = s.split_once('/')?;
    let a: String = a.chars().rev().take_while(char::is_ascii_digit).collect();
    let b: String = b.chars().take_while(char::is_ascii_digit).collect();
    let (a, b): (u64, u64) = (
        a.chars().rev().collect::<String>().parse().ok()?,
        b.parse().ok()?,
    );
    (b > 0 && a <= b).then(|| Fraction::new(a, b))
}

/// The rounds a year the text states, and whether it says "at least".
fn rounds(s: &str) -> Option<u32> {
    // `N次/年`, `N次/季度`, `N/年`, `每年N次`.
    for (unit, per_year) in [
        ("/季度", 4),
        ("/季", 4),
        ("/半年", 2),
        ("/月", 12),
        ("/年", 1),
    ] {
        if let Some(at) = s.find(unit) {
            let before: Vec<char> = s[..at].chars().collect();
            let mut k = before.len();
            if k > 0 && before[k - 1] == '次' {
                k -= 1;
            }
            let n = before[..k]
                .last()
                .and_then(|c| chinese_digit(*c))
                .unwrap_or(1);
            return Some(n * per_year);
        }
    }
    // `抽查1次`, `不少于1次`, `每年2次`: the times in the plan's year.
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '次'
            && i > 0
            && let Some(n) = chinese_digit(chars[i - 1])
        {
            return Some(n);
        }
    }
    None
}

/// The bound the words around a ratio give.
fn bound_of(s: &str) -> Bound {
    const AT_LEAST: [&str; 5] = ["不低于", "不少于", "至少", "以上", "≥"];
    const AT_MOST: [&str; 5] = ["不高于", "不超过", "以下", "最多", "≤"];
    if AT_LEAST.iter().any(|w| s.contains(w)) {
        Bound::Min
    } else if AT_MOST.iter().any(|w| s.contains(w)) {
        Bound::Max
    } else {
        Bound::Exact
    }
}

/// The credit tier a segment's words name: 低风险 A, 中风险 B, 中高/较高风险 C, 高风险 D,
/// or `A类` … written out.
fn tier_of(segment: &str) -> Option<char> {
    for (words, tier) in [
        (&["中高风险", "较高风险"][..], 'C'),
        (&["中风险", "一般风险"][..], 'B'),
        (&["低风险"][..], 'A'),
        (&["高风险"][..], 'D'),
    ] {
        if words.iter().any(|w| segment.contains(w)) {
            return Some(tier);
        }
    }
    ['A', 'B', 'C', 'D']
        .into_iter()
        .find(|t| segment.contains(&format!("{t}类")) || segment.contains(&format!("{t}级")))
}

/// Reads a 抽查比例及频次 cell (or a 抽查比例 / 频次 cell alone).
pub fn read_rule(text: &str) -> Reading {
    let mut flags = Vec::new();
    let s = normalise(text, &mut flags);
    let shown = s.clone();
    if s.is_empty() {
        flags.push("抽查比例及频次为空".into());
        return Reading { rule: None, flags };
    }
    let found = percentages(&s);
    let rounds_per_year = rounds(&s);
    // Per-tier ratios: segments (`1.低风险企业按照1%…；2.…`) each naming a tier.
    let mut tiers = BTreeMap::new();
    for segment in s.split([';', '；', '。', '\n']) {
        let in_segment = percentages(segment);
        if let (Some(tier), [(_, ratio)]) = (tier_of(segment), in_segment.as_slice())
            && tiers.insert(tier, *ratio).is_some()
        {
            flags.push(format!("{tier} 类的比例写了两次，以后一处为准"));
        }
    }
    if let Some((tier, f)) = tiers.iter().find(|(_, f)| f.num > f.den || f.num == 0) {
        flags.push(format!(
            "{tier} 类的比例 {}/{} 不在 0 与 100% 之间：“{shown}”",
            f.num, f.den
        ));
        return Reading { rule: None, flags };
    }
    if !tiers.is_empty() {
        if tiers.len() < found.len() {
            flags.push(format!(
                "有 {} 处比例未对应到信用风险等级：“{shown}”",
                found.len() - tiers.len()
            ));
        }
        return Reading {
            rule: Some(Rule {
                ratio: None,
                bound: Bound::Exact,
                rounds_per_year: rounds_per_year.unwrap_or(1),
                tiers,
            }),
            flags,
        };
    }
    let ratio = match found.as_slice() {
        [] => {
            // `1/30` as a ratio; `1/年` is a frequency, read above.
            let without_units = ["/年", "/季度", "/季", "/半年", "/月"]
                .iter()
                .all(|u| !s.contains(u));
            if without_units {
                slash_fraction(&s)
            } else {
                None
            }
        }
        [(_, f)] => Some(*f),
        many => {
            flags.push(format!(
                "写有 {} 个比例，无法确定采用哪一个：“{shown}”",
                many.len()
            ));
            return Reading { rule: None, flags };
        }
    };
    if let Some(f) = ratio
        && (f.num > f.den || f.num == 0)
    {
        flags.push(format!(
            "比例 {}/{} 不在 0 与 100% 之间：“{shown}”",
            f.num, f.den
        ));
        return Reading { rule: None, flags };
    }
    if ratio.is_none() && rounds_per_year.is_none() {
        flags.push(format!("无法识别抽查比例或频次：“{shown}”"));
        return Reading { rule: None, flags };
    }
    if ratio.is_none() {
        flags.push("只写了频次，未写抽查比例".into());
    }
    Reading {
        rule: Some(Rule {
            ratio,
            bound: if ratio.is_some() {
                bound_of(&s)
            } else {
                Bound::Exact
            },
            rounds_per_year: rounds_per_year.unwrap_or(1),
            tiers,
        }),
        flags,
    }
}

/// What the 智慧监管（信用风险分类）要求 column says about tiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reading", rename_all = "snake_case")]
pub enum TierUse {
    /// `…分别递加抽查比例、频次`: each credit tier its own ratio.
    Tiered,
    /// Empty or `不涉及`: one ratio for all, with the reason recorded.
    Uniform { reason: String },
    /// Something else: a person decides.
    Unclear { reason: String },
}

/// Reads the 智慧监管（信用风险分类）要求 cell.
pub fn read_tier_use(text: &str) -> TierUse {
    let s: String = text
        .chars()
        .map(crate::text::fold_full_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.contains("递加") || (s.contains("分别") && s.contains("比例")) {
        return TierUse::Tiered;
    }
    match s.as_str() {
        "" | "/" | "-" | "—" | "无" => TierUse::Uniform {
            reason: "智慧监管（信用风险分类）要求为空，统一比例抽取".into(),
        },
        _ if s.contains("不涉及") => TierUse::Uniform {
            reason: format!("智慧监管要求为“{s}”，统一比例抽取"),
        },
        _ => TierUse::Unclear {
            reason: format!("无法判断是否按信用风险分类设定比例：“{s}”"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> Rule {
        read_rule(text)
            .rule
            .unwrap_or_else(|| panic!("{text}: {:?}", read_rule(text).flags))
    }

    fn f(num: u64, den: u64) -> Option<Fraction> {
        Some(Fraction { num, den })
    }

    #[test]
    fn ratios_bounds_and_rounds_as_officials_write_them() {
        let cases: &[(&str, Option<Fraction>, Bound, u32)] = &[
            ("10%；1次/年", f(1, 10), Bound::Exact, 1),
            ("5%以上", f(1, 20), Bound::Min, 1),
            ("不低于30%", f(3, 10), Bound::Min, 1),
            ("抽查比例不低于20%", f(1, 5), Bound::Min, 1),
            ("抽查比例不高于5%", f(1, 20), Bound::Max, 1),
            ("5‰", f(1, 200), Bound::Exact, 1),
            ("0.5%", f(1, 200), Bound::Exact, 1),
            ("100%", f(1, 1), Bound::Exact, 1),
            ("35%; 1次/季度", f(7, 20), Bound::Exact, 4),
            ("1次/半年", None, Bound::Exact, 2),
            ("1/年", None, Bound::Exact, 1),
            ("抽查1次", None, Bound::Exact, 1),
            ("20%, 抽查1次", f(1, 5), Bound::Exact, 1),
            ("不少于1次", None, Bound::Exact, 1),
            ("1/30", f(1, 30), Bound::Exact, 1),
            ("２０％，１次／年", f(1, 5), Bound::Exact, 1),
            ("不低于\n10%", f(1, 10), Bound::Min, 1),
            ("10\n%", f(1, 10), Bound::Exact, 1),
            ("每年两次", None, Bound::Exact, 2),
        ];
        for (text, ratio, bound, rounds) in cases {
            let r = rule(text);
            assert_eq!(
                (r.ratio, r.bound, r.rounds_per_year),
                (*ratio, *bound, *rounds),
                "{text}"
            );
        }
    }

    #[test]
    fn cells_of_the_seed_plans() {
        // 高平 2023 修订版 and 原平 2024, as extracted.
        let r = rule("不低于10% 1次/年");
        assert_eq!(
            (r.ratio, r.bound, r.rounds_per_year),
            (f(1, 10), Bound::Min, 1)
        );
        let r = rule("5%以上；1次/年");
        assert_eq!((r.ratio, r.bound), (f(1, 20), Bound::Min));
        let r = rule("15% 1次/年");
        assert_eq!((r.ratio, r.bound), (f(3, 20), Bound::Exact));
        assert_eq!(
            read_tier_use(
                "根据企业信用风险分类结果，对低风险、一般风险、较高风险、高风险企业分别递加抽查比例、频次。"
            ),
            TierUse::Tiered
        );
        assert!(matches!(read_tier_use(""), TierUse::Uniform { .. }));
        assert!(matches!(read_tier_use("不涉及"), TierUse::Uniform { .. }));
        assert!(matches!(
            read_tier_use("按上级要求"),
            TierUse::Unclear { .. }
        ));
    }

    #[test]
    fn per_tier_ratios_of_the_wugang_plan() {
        let r = rule(
            "1.低风险企业按照1%的比例抽查；2.中风险企业按照3%比例抽查；3.中高风险企业按照10%比例抽查；4.高风险企业按照20%比例抽查",
        );
        assert_eq!(r.ratio, None);
        let tiers: Vec<(char, Fraction)> = r.tiers.into_iter().collect();
        assert_eq!(
            tiers,
            vec![
                ('A', Fraction { num: 1, den: 100 }),
                ('B', Fraction { num: 3, den: 100 }),
                ('C', Fraction { num: 1, den: 10 }),
                ('D', Fraction { num: 1, den: 5 }),
            ]
        );
    }

    #[test]
    fn extraction_noise_is_mended_and_said() {
        for (text, bound) in [("不低子10%", Bound::Min), ("不低干20%", Bound::Min)] {
            let read = read_rule(text);
            assert_eq!(read.rule.unwrap().bound, bound, "{text}");
            assert!(read.flags[0].contains("按“不低于”理解"), "{:?}", read.flags);
        }
    }

    #[test]
    fn what_cannot_be_read_is_flagged_never_guessed() {
        for (text, why) in [
            ("", "为空"),
            ("不定项", "无法识别"),
            ("5%或10%", "无法确定"),
            ("120%", "不在 0 与 100% 之间"),
            ("按实际情况", "无法识别"),
        ] {
            let read = read_rule(text);
            assert!(read.rule.is_none(), "{text} read as {:?}", read.rule);
            assert!(
                read.flags.iter().any(|f| f.contains(why)),
                "{text}: {:?}",
                read.flags
            );
        }
        let only_rounds = read_rule("1次/年");
        assert!(only_rounds.flags.iter().any(|f| f.contains("未写抽查比例")));
    }

    proptest::proptest! {
        /// Any cell, however odd, is read or flagged: never a panic, never a ratio above 1.
        #[test]
        fn any_text_is_read_or_flagged(text in "[0-9０-９.%％‰/次年季度半月不低于高以上子干；;，, \n低中风险ABCD类一两三]{0,40}") {
            let read = read_rule(&text);
            match &read.rule {
                Some(r) => {
                    for f in r.ratio.iter().chain(r.tiers.values()) {
                        proptest::prop_assert!(f.num <= f.den && f.num > 0);
                    }
                }
                None => proptest::prop_assert!(!read.flags.is_empty()),
            }
        }
    }
}
