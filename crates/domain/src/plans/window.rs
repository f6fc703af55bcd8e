//! A task's 抽查起止时间 as plan tables write it (`3月—12月`, `2022年6月-2022年11月底`,
//! `11月底前`, `2024年3月1日—2024年12月31日`), read into dates of the plan's year.

use crate::dates::days_in_month;
use serde::{Deserialize, Serialize};

/// Inclusive dates, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from: String,
    pub to: String,
}

/// A point of the text: year (if written), month, day (if written).
#[derive(Debug, Clone, Copy)]
struct Point {
    year: Option<u32>,
    month: u32,
    day: Option<u32>,
}

/// Reads `2022年6月`, `6月`, `3月1日`, `2024年12月31日`, `2024.3.1`, `2024-03-01`.
fn point(s: &str) -> Option<Point> {
    let s = s.trim();
    let numbers: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<_>>>()?;
    let has_year = s.contains('年') || numbers.first().is_some_and(|n| *n >= 1900);
    let (year, rest) = match (has_year, numbers.as_slice()) {
        (true, [y, rest @ ..]) => (Some(*y), rest),
        (false, rest) => (None, rest),
        _ => return None,
    };
    let (month, day) = match rest {
        [m] => (*m, None),
        [m, d] => (*m, Some(*d)),
        _ => return None,
    };
    if !(1..=12).contains(&month) || year.is_some_and(|y| !(1900..=2200).contains(&y)) {
        return None;
    }
    Some(Point { year, month, day })
}

/// Reads a window; `year` is the plan's, for texts without one. `Err` says why not.
pub fn read_window(text: &str, year: u32) -> Result<Window, String> {
    let s: String = text
        .chars()
        .map(crate::text::fold_full_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let bad = || format!("无法识别检查时间“{s}”（如 3月—12月、2024年3月1日—2024年12月31日）");
    let s_trim = s.trim_end_matches("前").trim_end_matches("以前");
    // One end only: `11月底前` runs from the plan's start to that day.
    let parts: Vec<&str> = s_trim
        .split(['—', '-', '–', '~', '至', '到'])
        .filter(|p| !p.is_empty())
        .collect();
    let (start, end) = match parts.as_slice() {
        [only] if s.ends_with('前') => (None, *only),
        [a, b] => (Some(*a), *b),
        _ => return Err(bad()),
    };
    let end_point = point(end).ok_or_else(bad)?;
    let start_point = match start {
        Some(a) => point(a).ok_or_else(bad)?,
        None => Point {
            year: end_point.year,
            month: 1,
            day: Some(1),
        },
    };
    let from_year = start_point.year.or(end_point.year).unwrap_or(year);
    let to_year = end_point.year.unwrap_or(from_year);
    let from_day = start_point.day.unwrap_or(1);
    let to_day = end_point
        .day
        .unwrap_or_else(|| days_in_month(to_year, end_point.month));
    if from_day > days_in_month(from_year, start_point.month)
        || to_day > days_in_month(to_year, end_point.month)
    {
        return Err(bad());
    }
    let from = format!("{from_year:04}-{:02}-{from_day:02}", start_point.month);
    let to = format!("{to_year:04}-{:02}-{to_day:02}", end_point.month);
    if to < from {
        return Err(format!("检查时间“{s}”的结束早于开始"));
    }
    Ok(Window { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(from: &str, to: &str) -> Result<Window, String> {
        Ok(Window {
            from: from.into(),
            to: to.into(),
        })
    }

    #[test]
    fn windows_of_the_seed_plans() {
        assert_eq!(read_window("3月—12月", 2024), w("2024-03-01", "2024-12-31"));
        assert_eq!(read_window("1月-11月", 2024), w("2024-01-01", "2024-11-30"));
        assert_eq!(
            read_window("2022年6月-2022年11月底", 2022),
            w("2022-06-01", "2022-11-30")
        );
        assert_eq!(read_window("11月底前", 2024), w("2024-01-01", "2024-11-30"));
        assert_eq!(
            read_window("2024年3月1日—2024年12月31日", 2024),
            w("2024-03-01", "2024-12-31")
        );
        assert_eq!(
            read_window("６月－１２月", 2023),
            w("2023-06-01", "2023-12-31")
        );
        assert!(read_window("2月", 2024).unwrap_err().contains("无法识别"));
        assert_eq!(read_window("2月-2月", 2024), w("2024-02-01", "2024-02-29"));
    }

    #[test]
    fn what_is_not_a_window_is_refused_with_the_reason() {
        for text in ["全年", "13月-12月", "2024年2月30日-2024年3月1日", ""] {
            assert!(read_window(text, 2024).is_err(), "{text}");
        }
        assert!(
            read_window("12月-3月", 2024)
                .unwrap_err()
                .contains("结束早于开始")
        );
    }
}
