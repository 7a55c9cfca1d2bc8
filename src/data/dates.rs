//! ISO 8601 dates: the one parser all engines share (docs/CONVENTIONS.md), and business-day
//! calendars for the sample data. Hand-written so that Rust, wasm and the Python fallback accept
//! exactly the same strings; integer arithmetic only.

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01, as (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Reads exactly `n` ASCII digits at `pos`.
fn digits(bytes: &[u8], pos: usize, n: usize) -> Option<i64> {
    let slice = bytes.get(pos..pos + n)?;
    slice.iter().try_fold(0i64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

/// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.f{1,9}]]][Z|(+|-)HH:MM]` into nanoseconds since the epoch
/// (UTC; no offset means UTC). `None` when the string is not of that form or not a real time.
/// `i128`, so every year 0000 to 9999 fits without overflow.
pub fn parse_instant(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if b[4] != b'-' || b[7] != b'-' || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY;
    let mut nanos = 0i64;
    let mut pos = 10;
    if pos < b.len() && (b[pos] == b'T' || b[pos] == b' ') {
        let hour = digits(b, pos + 1, 2)?;
        let minute = digits(b, pos + 4, 2)?;
        if b[pos + 3] != b':' || hour > 23 || minute > 59 {
            return None;
        }
        seconds += hour * 3600 + minute * 60;
        pos += 6;
        if pos < b.len() && b[pos] == b':' {
            let second = digits(b, pos + 1, 2)?;
            if second > 59 {
                return None;
            }
            seconds += second;
            pos += 3;
            if pos < b.len() && b[pos] == b'.' {
                pos += 1;
                let start = pos;
                while pos < b.len() && b[pos].is_ascii_digit() {
                    pos += 1;
                }
                let count = pos - start;
                if !(1..=9).contains(&count) {
                    return None;
                }
                nanos = digits(b, start, count)? * 10i64.pow((9 - count) as u32);
            }
        }
        if pos < b.len() && b[pos] == b'Z' {
            pos += 1;
        } else if pos < b.len() && (b[pos] == b'+' || b[pos] == b'-') {
            let sign = if b[pos] == b'+' { 1 } else { -1 };
            let oh = digits(b, pos + 1, 2)?;
            let om = digits(b, pos + 4, 2)?;
            if b[pos + 3] != b':' || oh > 23 || om > 59 {
                return None;
            }
            // A local time at +HH:MM is that much earlier in UTC.
            seconds -= sign * (oh * 3600 + om * 60);
            pos += 6;
        }
    }
    (pos == b.len()).then_some(i128::from(seconds) * NANOS_PER_SECOND + i128::from(nanos))
}

/// `count` business days (Monday to Friday) from `start` (days since epoch), as `YYYY-MM-DD`.
pub fn business_days(start: i64, count: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(count);
    let mut day = start;
    while out.len() < count {
        // 1970-01-01 was a Thursday: weekday 0 = Monday.
        let weekday = (day + 3).rem_euclid(7);
        if weekday < 5 {
            let (y, m, d) = civil_from_days(day);
            out.push(format!("{y:04}-{m:02}-{d:02}"));
        }
        day += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2020, 1, 1), 18_262);
    }

    #[test]
    fn accepted_forms() {
        let day = i128::from(18_262 * SECONDS_PER_DAY) * NANOS_PER_SECOND;
        assert_eq!(parse_instant("2020-01-01"), Some(day));
        assert_eq!(parse_instant("2020-01-01T00:00"), Some(day));
        assert_eq!(parse_instant("2020-01-01 00:00:00Z"), Some(day));
        assert_eq!(parse_instant("2020-01-01T01:00:00+01:00"), Some(day));
        assert_eq!(parse_instant("2019-12-31T23:00:00-01:00"), Some(day));
        assert_eq!(
            parse_instant("2020-01-01T00:00:00.5"),
            Some(day + 500_000_000)
        );
        assert_eq!(
            parse_instant("2020-01-01T00:00:00.000000001Z"),
            Some(day + 1)
        );
        assert_eq!(
            parse_instant("2020-02-29"),
            Some(i128::from((18_262 + 59) * SECONDS_PER_DAY) * NANOS_PER_SECOND)
        );
    }

    #[test]
    fn refused_forms() {
        for bad in [
            "",
            "2020",
            "2020-1-01",
            "2020-01-1",
            "2020/01/01",
            "2021-02-29",
            "2020-13-01",
            "2020-00-10",
            "2020-04-31",
            "2020-01-01T",
            "2020-01-01T24:00",
            "2020-01-01T10:60",
            "2020-01-01T10:00:60",
            "2020-01-01T10:00:00.",
            "2020-01-01T10:00:00.1234567890",
            "2020-01-01T10:00+1:00",
            "2020-01-01Z",
            "2020-01-01 ",
            " 2020-01-01",
            "２020-01-01",
            "2020-01-01T10:00:00+01:00x",
            "1900-02-29",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad:?} should be refused");
        }
        assert!(parse_instant("2000-02-29").is_some());
        // Far from 1970: no overflow, order still right.
        assert!(parse_instant("0000-01-01").unwrap() < parse_instant("0001-01-01").unwrap());
        assert!(
            parse_instant("9999-12-31T23:59:59.999999999-23:59").unwrap()
                > parse_instant("2300-01-01").unwrap()
        );
    }

    #[test]
    fn business_days_skip_weekends() {
        let days = business_days(days_from_civil(2020, 1, 1), 5);
        assert_eq!(
            days,
            [
                "2020-01-01",
                "2020-01-02",
                "2020-01-03",
                "2020-01-06",
                "2020-01-07"
            ]
        );
    }
}
