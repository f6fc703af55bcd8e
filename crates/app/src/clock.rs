//! Time: stored as Unix milliseconds, shown in China Standard Time (UTC+8, no DST).

use time::{OffsetDateTime, UtcOffset};

pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("valid offset"),
};

fn cst(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(CST)
}

/// `2024-03-01 09:30:05`, Beijing time.
pub fn format_ms(ms: i64) -> String {
    let t = cst(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// RFC 3339 with the +08:00 offset, for machine-readable output.
pub fn rfc3339_ms(ms: i64) -> String {
    cst(ms)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An RFC 3339 time (as a 递补 row records it) in the pages' own format; the text as it is
/// when it does not parse.
pub fn format_rfc3339(s: &str) -> String {
    match OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        Ok(t) => format_ms((t.unix_timestamp_nanos() / 1_000_000) as i64),
        Err(_) => s.to_string(),
    }
}

/// Today in Beijing, `YYYY-MM-DD`.
pub fn today() -> String {
    format_ms(now_ms())[..10].to_string()
}

/// `YYYY-MM-DD` plus `days` calendar days; `None` when `date` is not a date.
pub fn add_days(date: &str, days: i64) -> Option<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date.trim(), &fmt).ok()?;
    (d + time::Duration::days(days)).format(&fmt).ok()
}

/// Parses `YYYY-MM-DD` as the start of that day in Beijing time.
pub fn parse_date_ms(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &fmt).ok()?;
    let t = d.midnight().assume_offset(CST);
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// Times the steps of a long operation (a province's draw) for the log: each `step` records
/// the time since the previous one, at debug level under the target `ssj_app::steps`.
pub(crate) struct Steps {
    what: &'static str,
    last: std::time::Instant,
}

impl Steps {
    pub(crate) fn start(what: &'static str) -> Self {
        Steps {
            what,
            last: std::time::Instant::now(),
        }
    }

    pub(crate) fn step(&mut self, step: &str) {
        let now = std::time::Instant::now();
        tracing::debug!(
            target: "ssj_app::steps",
            "{}: {step} {:.3} s",
            self.what,
            (now - self.last).as_secs_f64()
        );
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time() {
        assert_eq!(format_ms(0), "1970-01-01 08:00:00");
        assert_eq!(parse_date_ms("1970-01-02"), Some(16 * 3600 * 1000));
        assert_eq!(parse_date_ms("1970-13-02"), None);
        assert_eq!(rfc3339_ms(0), "1970-01-01T08:00:00+08:00");
    }
}
