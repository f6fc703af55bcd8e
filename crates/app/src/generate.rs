//! Synthetic but valid directories: the demo county and benchmark files of any size, streamed.
//! Deterministic (a fixed xorshift sequence), so a benchmark file is the same every time.

use ssj_domain::codes::{registration_check_digit, uscc_check_char};
use std::io::Write;

/// xorshift64*: enough for realistic variety, and the same on every machine.
pub struct Sequence(u64);

impl Sequence {
    pub fn new(seed: u64) -> Sequence {
        Sequence(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

const USCC_BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const FIRM: &[&str] = &[
    "泽鑫", "晋丰", "丹河", "长平", "米山", "神农", "炎帝", "金峰", "宏源", "利民", "恒达", "瑞祥",
    "鑫旺", "太行", "永兴", "华晟",
];
const TRADE: &[(&str, &str)] = &[
    ("商贸", "5211"),
    ("餐饮", "6210"),
    ("食品", "1469"),
    ("建材", "5165"),
    ("煤业", "0610"),
    ("农业", "0111"),
    ("汽车维修", "8111"),
    ("药店", "5251"),
    ("物流", "5430"),
    ("建筑", "4700"),
    ("养殖", "0313"),
    ("超市", "5212"),
];

/// One synthetic object as a CSV record of the import layout (see [`HEADER`]).
pub fn object_record(i: u64, division: &str, seq: &mut Sequence) -> [String; 8] {
    let (firm, (trade, industry)) = (
        FIRM[seq.below(FIRM.len() as u64) as usize],
        TRADE[seq.below(TRADE.len() as u64) as usize],
    );
    let roll = seq.below(100);
    let (kind, prefix) = match roll {
        0..=59 => ("企业", "91"),
        60..=94 => ("个体工商户", "92"),
        95..=97 => ("农民专业合作社", "93"),
        _ => ("工程项目", ""),
    };
    let code = if prefix.is_empty() {
        format!("SSJ{division}-{i:09}")
    } else if seq.below(20) == 0 && kind == "企业" {
        // A few legacy 注册号 remain in every real directory.
        let body = format!("{division}{:08}", i % 100_000_000);
        let body = &body.as_bytes()[..14];
        let mut code = body.to_vec();
        code.push(registration_check_digit(body).expect("14 digits"));
        String::from_utf8(code).expect("ascii")
    } else {
        let mut body = format!("{prefix}{division}").into_bytes();
        let mut n = i;
        for _ in 0..9 {
            body.push(USCC_BODY[(n % 31) as usize]);
            n /= 31;
        }
        body.push(uscc_check_char(&body).expect("17 chars from the charset"));
        String::from_utf8(body).expect("ascii")
    };
    let form = match kind {
        "企业" => "有限公司",
        "个体工商户" => "店",
        "农民专业合作社" => "专业合作社",
        _ => "建设项目",
    };
    let name = format!("高平市{firm}{trade}{form}{i}");
    let tier = match seq.below(100) {
        0..=39 => "A",
        40..=84 => "B",
        85..=96 => "C",
        _ => "D",
    };
    let status = if seq.below(50) == 0 {
        "注销"
    } else {
        "存续"
    };
    [
        code,
        name,
        kind.into(),
        division.into(),
        industry.into(),
        tier.into(),
        status.into(),
        "高平市市场监督管理局".into(),
    ]
}

pub const HEADER: &str =
    "统一社会信用代码,名称,类型,行政区划,行业,信用风险分类,登记状态,属地监管机关";

/// Streams `count` objects as CSV to `out` without holding them in memory, spread evenly at
/// random over `divisions` (one division gives the same file as always).
pub fn write_objects_csv(
    out: &mut impl Write,
    count: u64,
    divisions: &[String],
    seed: u64,
) -> std::io::Result<()> {
    let mut seq = Sequence::new(seed);
    writeln!(out, "{HEADER}")?;
    for i in 1..=count {
        let division = match divisions {
            [one] => one,
            many => &many[seq.below(many.len() as u64) as usize],
        };
        let r = object_record(i, division, &mut seq);
        writeln!(out, "{}", r.join(","))?;
    }
    Ok(())
}

/// `n` county-level codes under a province (`14` → 140101, 140102 … ten to a city), for
/// directories the size of a province.
pub fn counties(province: &str, n: u32) -> Vec<String> {
    (0..n)
        .map(|k| format!("{province}{:02}{:02}", 1 + k / 10, 1 + k % 10))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_objects_are_valid_unique_and_mixed() {
        let mut buf = Vec::new();
        write_objects_csv(&mut buf, 5_000, &["140581".into()], 7).unwrap();
        let grid = ssj_import::Grid::from_bytes(&buf).unwrap();
        let parsed = ssj_import::objects::read_objects(&grid).unwrap();
        assert!(
            parsed.rejects.is_empty(),
            "{:?}",
            &parsed.rejects[..parsed.rejects.len().min(3)]
        );
        assert_eq!(parsed.objects.len(), 5_000);
        let d = parsed.objects.iter().filter(|o| o.tier == "D").count();
        assert!((100..250).contains(&d), "about 3% D-tier: {d}");
        let mut again = Vec::new();
        write_objects_csv(&mut again, 5_000, &["140581".into()], 7).unwrap();
        assert_eq!(buf, again, "deterministic");
    }
}
