//! Sample sizes in exact integers (spec §3): "3%" is 3/100, "5‰" is 5/1000, never a float.

use crate::error::DrawError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub num: u64,
    pub den: u64,
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    pub fn new(num: u64, den: u64) -> Result<Ratio, DrawError> {
        if den == 0 || num > den {
            return Err(DrawError::BadRatio(format!("{num}/{den}")));
        }
        Ok(Ratio { num, den })
    }

    /// Reads "3%", "0.5%", "5‰", "1/30", "0.03" or "3 %": a share between 0 and 1 inclusive.
    pub fn parse(raw: &str) -> Result<Ratio, DrawError> {
        let bad = || DrawError::BadRatio(raw.to_string());
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let s = s.replace('％', "%").replace('／', "/");
        if let Some((n, d)) = s.split_once('/') {
            let num = digits(n).ok_or_else(bad)?;
            let den = digits(d).ok_or_else(bad)?;
            return Ratio::new(num, den).map_err(|_| bad());
        }
        let (number, scale) = if let Some(n) = s.strip_suffix('%') {
            (n, 100u64)
        } else if let Some(n) = s.strip_suffix('‰') {
            (n, 1000)
        } else {
            (s.as_str(), 1)
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.len() > 9 {
            return Err(bad());
        }
        let whole = if whole.is_empty() {
            0
        } else {
            digits(whole).ok_or_else(bad)?
        };
        let fraction_value = if fraction.is_empty() {
            0
        } else {
            digits(fraction).ok_or_else(bad)?
        };
        let shift = 10u64.pow(fraction.len() as u32);
        let num = whole
            .checked_mul(shift)
            .and_then(|w| w.checked_add(fraction_value))
            .ok_or_else(bad)?;
        let den = scale.checked_mul(shift).ok_or_else(bad)?;
        Ratio::new(num, den).map_err(|_| bad())
    }

    /// `ceil(n × num / den)` in exact integer arithmetic.
    pub fn of(&self, n: u64) -> u64 {
        let product = n as u128 * self.num as u128;
        product.div_ceil(self.den as u128) as u64
    }

    /// "3%" for 3/100, "5‰" for 5/1000, "1/30" otherwise: how the console shows it.
    pub fn display(&self) -> String {
        match self.den {
            100 => format!("{}%", self.num),
            1000 => format!("{}‰", self.num),
            _ => format!("{}/{}", self.num, self.den),
        }
    }
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `k = 0 if N = 0, else min(N, max(min, ceil(N × num / den)))`.
pub fn sample_size(n: u64, ratio: Ratio, min: u64) -> u64 {
    if n == 0 {
        0
    } else {
        n.min(min.max(ratio.of(n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_read_exactly() {
        let r = |num, den| Ratio { num, den };
        for (text, want) in [
            ("3%", r(3, 100)),
            ("0.5%", r(5, 1000)),
            ("5‰", r(5, 1000)),
            ("1/30", r(1, 30)),
            ("0.03", r(3, 100)),
            (" 20 ％", r(20, 100)),
            ("100%", r(100, 100)),
            ("0%", r(0, 100)),
            ("1", r(1, 1)),
            (".5%", r(5, 1000)),
        ] {
            assert_eq!(Ratio::parse(text).unwrap(), want, "{text}");
        }
        for bad in [
            "",
            "%",
            "abc",
            "-3%",
            "101%",
            "3/0",
            "4/3",
            "1.5",
            "3%%",
            "1e-2",
            "0.0000000001",
        ] {
            assert!(Ratio::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sample_sizes_round_up_and_respect_min_and_n() {
        let pct = |n| Ratio { num: n, den: 100 };
        assert_eq!(sample_size(0, pct(50), 5), 0);
        assert_eq!(sample_size(50, pct(1), 0), 1);
        assert_eq!(sample_size(51, pct(3), 0), 2);
        assert_eq!(sample_size(100, pct(3), 0), 3);
        assert_eq!(sample_size(10, pct(1), 4), 4);
        assert_eq!(sample_size(3, pct(1), 4), 3);
        assert_eq!(
            sample_size(
                u64::MAX,
                Ratio {
                    num: u64::MAX,
                    den: u64::MAX
                },
                0
            ),
            u64::MAX
        );
    }
}
