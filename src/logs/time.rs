//! Timestamps without a date library: RFC 3339 / ISO 8601 strings and Unix epoch numbers to
//! Unix seconds, civil dates back, and fixed UTC offsets for `--tz`.

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
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
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

/// A fixed offset from UTC, for `--tz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tz {
    /// Seconds east of UTC.
    pub offset: i32,
}

impl Tz {
    pub const UTC: Tz = Tz { offset: 0 };

    /// `UTC`, `Z`, `+02:00`, `-05:00`, `+0530`, `UTC+2`.
    ///
    /// The `arg_value` fuzz target calls this, [`Tz::parse_bound`] and [`parse_rfc3339`] by
    /// name: whoever replaces them (the move to jiff) keeps the target compiling and passing.
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
        parse_offset_bytes(&fixed)
            .map(|offset| Tz { offset })
            .ok_or_else(|| bad_tz(s))
    }

    /// Local day number of a Unix time.
    pub fn day(self, unix: i64) -> i64 {
        (unix + i64::from(self.offset)).div_euclid(86_400)
    }

    /// Local hour number (hours since 1970-01-01 00:00 local) of a Unix time.
    pub fn hour(self, unix: i64) -> i64 {
        (unix + i64::from(self.offset)).div_euclid(3600)
    }

    /// `2026-03-01T12:34:56+02:00` (or `Z` for UTC).
    pub fn format(self, unix: i64) -> String {
        let local = unix + i64::from(self.offset);
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let s = local.rem_euclid(86_400);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{}",
            s / 3600,
            s / 60 % 60,
            s % 60,
            self
        )
    }

    /// The local date of a day number: `2026-03-01`.
    pub fn format_day(day: i64) -> String {
        let (y, m, d) = civil_from_days(day);
        format!("{y:04}-{m:02}-{d:02}")
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
    /// without offset, or an RFC 3339 timestamp with its own offset.
    pub fn parse_bound(self, s: &str) -> Result<i64, String> {
        let t = s.trim();
        // On bytes: byte 10 may fall inside a character (`2026-03-0éé` panicked).
        let b = t.as_bytes();
        let has_offset = b.len() > 10 && {
            let rest = &b[10..];
            matches!(rest.last(), Some(b'Z' | b'z'))
                || rest[1..].iter().any(|&c| c == b'+' || c == b'-')
        };
        let unix = parse_rfc3339(t).ok_or_else(|| {
            format!("invalid time '{s}' (expected 2026-03-01, 2026-03-01T12:00 or RFC 3339)")
        })?;
        Ok(if has_offset {
            unix
        } else {
            unix - i64::from(self.offset)
        })
    }
}

fn bad_tz(s: &str) -> String {
    format!("invalid time zone '{s}' (expected UTC or a fixed offset like +02:00)")
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.offset == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let a = self.offset.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60)
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
        assert_eq!(tz.offset, 7200);
        assert_eq!(Tz::parse("UTC").unwrap(), Tz::UTC);
        assert_eq!(Tz::parse("UTC-5").unwrap().offset, -18_000);
        assert_eq!(Tz::parse("-0530").unwrap().offset, -19_800);
        assert!(Tz::parse("Europe/Paris").is_err());
        let t = parse_rfc3339("2026-03-01T23:30:00Z").unwrap();
        assert_eq!(Tz::format_day(tz.day(t)), "2026-03-02");
        assert_eq!(tz.format(t), "2026-03-02T01:30:00+02:00");
        assert_eq!(Tz::UTC.format(t), "2026-03-01T23:30:00Z");
        assert_eq!(Tz::format_hour(tz.hour(t)), "2026-03-02 01:00");
        assert_eq!(tz.parse_bound("2026-03-02").unwrap(), t - 5400);
        assert_eq!(tz.parse_bound("2026-03-01T23:30:00Z").unwrap(), t);
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
