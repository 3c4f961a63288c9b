//! Timestamps: RFC 3339 / ISO 8601 strings and Unix epoch numbers to Unix seconds, civil
//! dates back (hand-written: the log scan's hot path parses one per record), and `--tz`: UTC,
//! fixed offsets, or IANA zones through jiff's embedded time-zone database.

use std::fmt;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day number (days since 1970-01-01).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days in a month of the proleptic Gregorian calendar (`2026-02-30` is not a date).
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Parse `2026-03-01T12:34:56Z`, `2026-03-01T12:34:56.789+02:00`, `2026-03-01 12:34:56`
/// (no offset: UTC), or a date `2026-03-01` (midnight UTC) into Unix seconds (fractions are
/// dropped). `None` when it is not such a timestamp.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(i64::from(year), month, day) * 86_400;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    if !(rest[0] == b'T' || rest[0] == b't' || rest[0] == b' ') || rest.len() < 6 {
        return None;
    }
    let hh = digits(&rest[1..3])?;
    if rest[3] != b':' {
        return None;
    }
    let mm = digits(&rest[4..6])?;
    let mut i = 6;
    let mut ss = 0;
    if rest.len() >= 9 && rest[6] == b':' {
        ss = digits(&rest[7..9])?;
        i = 9;
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    secs += i64::from(hh * 3600 + mm * 60 + ss);
    if i < rest.len() && (rest[i] == b'.' || rest[i] == b',') {
        i += 1;
        let start = i;
        while i < rest.len() && rest[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let tz = &rest[i..];
    match tz {
        [] | [b'Z'] | [b'z'] => Some(secs),
        _ => Some(secs - i64::from(parse_offset_bytes(tz)?)),
    }
}

/// `+02:00`, `-0530`, `+02` → seconds east of UTC.
fn parse_offset_bytes(b: &[u8]) -> Option<i32> {
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let b = &b[1..];
    let (h, m) = match b.len() {
        2 => (digits(b)?, 0),
        4 => (digits(&b[..2])?, digits(&b[2..])?),
        5 if b[2] == b':' => (digits(&b[..2])?, digits(&b[3..])?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60) as i32)
}

/// A Unix epoch number: seconds, or milliseconds when above 10¹¹ (year 5138 in seconds).
pub fn from_epoch(v: f64) -> Option<i64> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let secs = if v > 1e11 { v / 1000.0 } else { v };
    (secs < 4.0e9).then_some(secs as i64)
}

/// The time zone of `--tz`: UTC, a fixed offset, or an IANA zone (`Europe/Berlin`) from the
/// time-zone database embedded in the binary (jiff's bundled copy of the IANA tzdb, so a
/// machine without `/usr/share/zoneinfo` gives the same buckets; no file is read at run time).
/// In a zone with daylight saving time, every record is bucketed by the offset in force at its
/// own instant, so a day is the local calendar day (23 or 25 hours long across a change).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tz {
    zone: Zone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Zone {
    /// Seconds east of UTC.
    Fixed(i32),
    Iana(jiff::tz::TimeZone),
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::Fixed(0)
    }
}

impl Tz {
    pub const UTC: Tz = Tz {
        zone: Zone::Fixed(0),
    };

    /// A fixed offset, in seconds east of UTC (within ±24 hours).
    pub fn fixed(offset: i32) -> Tz {
        Tz {
            zone: Zone::Fixed(offset),
        }
    }

    /// `UTC`, `Z`, `+02:00`, `-05:00`, `+0530`, `UTC+2`, or an IANA zone name
    /// (`Europe/Berlin`, `America/New_York`; any case).
    ///
    /// The `arg_value` fuzz target calls this, [`Tz::parse_bound`] and [`parse_rfc3339`] by
    /// name: whoever replaces them keeps the target compiling and passing.
    pub fn parse(s: &str) -> Result<Tz, String> {
        let t = s.trim();
        let upper = t.to_ascii_uppercase();
        if matches!(upper.as_str(), "UTC" | "Z" | "GMT" | "+00:00") {
            return Ok(Tz::UTC);
        }
        let body = upper
            .strip_prefix("UTC")
            .or_else(|| upper.strip_prefix("GMT"))
            .unwrap_or(&upper);
        // `+2`, `-11`: whole hours. Matched on bytes, so a multi-byte character is just a
        // mismatch (slicing the string inside one panicked: `--tz é1`).
        let fixed: Vec<u8> = match body.as_bytes() {
            [sign @ (b'+' | b'-'), h] if h.is_ascii_digit() => vec![*sign, b'0', *h],
            [sign @ (b'+' | b'-'), h1, h2] if h1.is_ascii_digit() && h2.is_ascii_digit() => {
                vec![*sign, *h1, *h2]
            }
            other => other.to_vec(),
        };
        if let Some(offset) = parse_offset_bytes(&fixed) {
            return Ok(Tz::fixed(offset));
        }
        // an IANA name: letters, digits, `/`, `_`, `-`, `+` (`Etc/GMT+5`); nothing else is
        // looked up
        let plausible = !t.is_empty()
            && t.len() <= 64
            && t.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'-' | b'+'));
        match jiff::tz::TimeZone::get(t) {
            Ok(zone) if plausible && zone.iana_name().is_some() => Ok(Tz {
                zone: Zone::Iana(zone),
            }),
            _ => Err(bad_tz(s)),
        }
    }

    /// The offset from UTC in force at a Unix time, in seconds east.
    pub fn offset_at(&self, unix: i64) -> i32 {
        match &self.zone {
            Zone::Fixed(o) => *o,
            Zone::Iana(z) => jiff::Timestamp::from_second(unix)
                .map(|ts| z.to_offset(ts).seconds())
                .unwrap_or(0),
        }
    }

    /// Local day number of a Unix time.
    pub fn day(&self, unix: i64) -> i64 {
        (unix + i64::from(self.offset_at(unix))).div_euclid(86_400)
    }

    /// Local hour number (hours since 1970-01-01 00:00 local) of a Unix time.
    pub fn hour(&self, unix: i64) -> i64 {
        (unix + i64::from(self.offset_at(unix))).div_euclid(3600)
    }

    /// `2026-03-01T12:34:56+02:00` (or `Z` for UTC), with the offset in force at that time.
    pub fn format(&self, unix: i64) -> String {
        let offset = self.offset_at(unix);
        let local = unix + i64::from(offset);
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let s = local.rem_euclid(86_400);
        let zone = match &self.zone {
            Zone::Fixed(0) => "Z".to_string(),
            _ => offset_label(offset),
        };
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{zone}",
            s / 3600,
            s / 60 % 60,
            s % 60,
        )
    }

    /// The local date of a day number: `2026-03-01`.
    pub fn format_day(day: i64) -> String {
        let (y, m, d) = civil_from_days(day);
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// The ISO 8601 week of a day number: `2026-W10` (weeks start on Monday and belong to
    /// the year of their Thursday, so 2027-01-01, a Friday, is in `2026-W53`).
    pub fn format_week(day: i64) -> String {
        let weekday = (day + 3).rem_euclid(7); // 0 = Monday (1970-01-01 was a Thursday)
        let thursday = day - weekday + 3;
        let (y, _, _) = civil_from_days(thursday);
        let week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
        format!("{y:04}-W{week:02}")
    }

    /// The month of a day number: `2026-03`.
    pub fn format_month(day: i64) -> String {
        let (y, m, _) = civil_from_days(day);
        format!("{y:04}-{m:02}")
    }

    /// `2026-03-01 14:00` for an hour number.
    pub fn format_hour(hour: i64) -> String {
        format!(
            "{} {:02}:00",
            Tz::format_day(hour.div_euclid(24)),
            hour.rem_euclid(24)
        )
    }

    /// A `--since`/`--until` bound: a date (`2026-03-01`, local midnight), a local date-time
    /// without offset, or an RFC 3339 timestamp with its own offset. In an IANA zone, a local
    /// time that a clock change skips or repeats is resolved as most software does ("compatible":
    /// a skipped time moves forward by the gap, a repeated one takes the earlier instant).
    pub fn parse_bound(&self, s: &str) -> Result<i64, String> {
        let t = s.trim();
        // On bytes: byte 10 may fall inside a character (`2026-03-0éé` panicked).
        let b = t.as_bytes();
        let has_offset = b.len() > 10 && {
            let rest = &b[10..];
            matches!(rest.last(), Some(b'Z' | b'z'))
                || rest[1..].iter().any(|&c| c == b'+' || c == b'-')
        };
        let unix = parse_rfc3339(t).ok_or_else(|| {
            format!(
                "invalid time '{s}' (expected a valid date or time: 2026-03-01, \
                 2026-03-01T12:00 or RFC 3339)"
            )
        })?;
        if has_offset {
            return Ok(unix);
        }
        Ok(match &self.zone {
            Zone::Fixed(o) => unix - i64::from(*o),
            Zone::Iana(z) => {
                // `unix` holds the local wall-clock time read as if it were UTC
                let local = jiff::Timestamp::from_second(unix)
                    .map(|ts| jiff::tz::Offset::UTC.to_datetime(ts))
                    .map_err(|_| format!("invalid time '{s}' (out of range)"))?;
                z.to_ambiguous_timestamp(local)
                    .compatible()
                    .map(|ts| ts.as_second())
                    .map_err(|_| format!("invalid time '{s}' (out of range)"))?
            }
        })
    }
}

fn bad_tz(s: &str) -> String {
    format!(
        "invalid time zone '{s}' (expected UTC, a fixed offset like +02:00, or an IANA zone \
         like Europe/Berlin)"
    )
}

/// `+02:00`, `-05:30` (`+00:00` for a zero offset in a zone).
fn offset_label(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60)
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.zone {
            Zone::Fixed(0) => f.write_str("Z"),
            Zone::Fixed(o) => f.write_str(&offset_label(*o)),
            Zone::Iana(z) => f.write_str(z.iana_name().unwrap_or("UTC")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-1000, 0, 11_017, 20_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn parses_timestamps() {
        let base = parse_rfc3339("2026-03-01T00:00:00Z").unwrap();
        assert_eq!(base, 1_772_323_200);
        assert_eq!(parse_rfc3339("2026-03-01"), Some(base));
        assert_eq!(parse_rfc3339("2026-03-01T01:02:03.456Z"), Some(base + 3723));
        assert_eq!(parse_rfc3339("2026-03-01 01:02:03"), Some(base + 3723));
        assert_eq!(parse_rfc3339("2026-03-01T02:00:00+02:00"), Some(base));
        assert_eq!(parse_rfc3339("2026-03-01T02:00:00.1+0200"), Some(base));
        assert_eq!(parse_rfc3339("2026-03-01T12:00"), Some(base + 43_200));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-03-01T25:00:00Z",
            "2026-03-01Tx",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(from_epoch(1_772_323_200.0), Some(base));
        assert_eq!(from_epoch(1_772_323_200_500.0), Some(base));
        assert_eq!(from_epoch(-1.0), None);
    }

    #[test]
    fn time_zones() {
        let tz = Tz::parse("+02:00").unwrap();
        assert_eq!(tz, Tz::fixed(7200));
        assert_eq!(Tz::parse("UTC").unwrap(), Tz::UTC);
        assert_eq!(Tz::parse("UTC-5").unwrap(), Tz::fixed(-18_000));
        assert_eq!(Tz::parse("-0530").unwrap(), Tz::fixed(-19_800));
        for bad in [
            "Europe/Nowhere",
            "Europe/../etc/passwd",
            "/etc/localtime",
            "",
            "Mars",
        ] {
            assert!(Tz::parse(bad).is_err(), "{bad}");
        }
        let t = parse_rfc3339("2026-03-01T23:30:00Z").unwrap();
        assert_eq!(Tz::format_day(tz.day(t)), "2026-03-02");
        assert_eq!(tz.format(t), "2026-03-02T01:30:00+02:00");
        assert_eq!(Tz::UTC.format(t), "2026-03-01T23:30:00Z");
        assert_eq!(Tz::format_hour(tz.hour(t)), "2026-03-02 01:00");
        assert_eq!(tz.parse_bound("2026-03-02").unwrap(), t - 5400);
        assert_eq!(tz.parse_bound("2026-03-01T23:30:00Z").unwrap(), t);
    }

    /// Europe/Berlin changes from +01:00 to +02:00 at 2026-03-29 01:00 UTC and back at
    /// 2026-10-25 01:00 UTC (EU rule: the last Sundays of March and October).
    #[test]
    fn iana_zones_follow_daylight_saving_time() {
        let berlin = Tz::parse("europe/berlin").unwrap();
        assert_eq!(berlin.to_string(), "Europe/Berlin");
        assert_eq!(Tz::parse(&berlin.to_string()), Ok(berlin.clone()));
        let before = parse_rfc3339("2026-03-29T00:59:59Z").unwrap();
        let after = before + 1;
        assert_eq!(berlin.offset_at(before), 3600);
        assert_eq!(berlin.offset_at(after), 7200);
        assert_eq!(berlin.format(before), "2026-03-29T01:59:59+01:00");
        assert_eq!(berlin.format(after), "2026-03-29T03:00:00+02:00");
        // 23:30 UTC on 2026-07-01 is 01:30 on 2026-07-02 in summer, 00:30 in winter
        let summer = parse_rfc3339("2026-07-01T22:30:00Z").unwrap();
        assert_eq!(Tz::format_day(berlin.day(summer)), "2026-07-02");
        let winter = parse_rfc3339("2026-12-01T22:30:00Z").unwrap();
        assert_eq!(Tz::format_day(berlin.day(winter)), "2026-12-01");
        // local midnight bounds: summer midnight is 22:00 UTC the day before, winter 23:00
        assert_eq!(
            berlin.parse_bound("2026-07-02").unwrap(),
            parse_rfc3339("2026-07-01T22:00:00Z").unwrap()
        );
        assert_eq!(
            berlin.parse_bound("2026-12-02").unwrap(),
            parse_rfc3339("2026-12-01T23:00:00Z").unwrap()
        );
        // 02:30 on 2026-03-29 does not exist: moved forward by the gap (to 03:30 = 01:30 UTC)
        assert_eq!(
            berlin.parse_bound("2026-03-29T02:30").unwrap(),
            parse_rfc3339("2026-03-29T01:30:00Z").unwrap()
        );
        // 02:30 on 2026-10-25 happens twice: the earlier (00:30 UTC)
        assert_eq!(
            berlin.parse_bound("2026-10-25T02:30").unwrap(),
            parse_rfc3339("2026-10-25T00:30:00Z").unwrap()
        );
        // the day of the change is 23 hours long: 01:00 local to the next midnight
        let d = berlin.day(after);
        assert_eq!(
            berlin.day(parse_rfc3339("2026-03-28T23:00:00Z").unwrap()),
            d
        );
        assert_eq!(
            berlin.day(parse_rfc3339("2026-03-29T21:59:59Z").unwrap()),
            d
        );
        assert_eq!(
            berlin.day(parse_rfc3339("2026-03-29T22:00:00Z").unwrap()),
            d + 1
        );
    }

    #[test]
    fn iso_weeks_and_months() {
        let day = |s: &str| parse_rfc3339(s).unwrap().div_euclid(86_400);
        for (d, w) in [
            ("2026-03-02", "2026-W10"), // a Monday
            ("2026-03-08", "2026-W10"), // the Sunday after
            ("2026-01-01", "2026-W01"), // a Thursday: week 1
            ("2025-12-29", "2026-W01"), // the Monday before it
            ("2027-01-01", "2026-W53"), // a Friday: 2026 has 53 weeks
            ("2027-01-04", "2027-W01"),
            ("2021-01-03", "2020-W53"),
            ("1970-01-01", "1970-W01"),
        ] {
            assert_eq!(Tz::format_week(day(d)), w, "{d}");
        }
        assert_eq!(Tz::format_month(day("2026-03-31")), "2026-03");
        assert_eq!(Tz::format_month(day("2024-02-29")), "2024-02");
    }

    #[test]
    fn dates_are_validated() {
        for bad in [
            "2026-02-29",
            "2026-02-30",
            "2026-04-31",
            "2026-06-31T00:00:00Z",
            "2100-02-29",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
            assert!(Tz::UTC.parse_bound(bad).is_err(), "{bad}");
        }
        for good in [
            "2024-02-29",
            "2000-02-29",
            "2026-01-31",
            "2026-12-31T23:59:59Z",
        ] {
            assert!(parse_rfc3339(good).is_some(), "{good}");
        }
    }

    #[test]
    fn non_ascii_never_panics() {
        for s in ["é1", "+é", "-é1", "UTCé", "é", "+1é", "ÉÉ", "+0é:00"] {
            assert!(Tz::parse(s).is_err(), "{s}");
        }
        for s in [
            "2026-03-0éé",
            "2026-03-01éé",
            "2026-03-01Té",
            "2026-03-01T12:00é",
            "éééééé",
        ] {
            assert!(Tz::UTC.parse_bound(s).is_err(), "{s}");
        }
    }
}
