//! Every argument value parser (times, zones, durations, rates, shares, ratios, token counts,
//! caps, history policies, encodings, `--by` and `--field` paths, prices), fed the same text:
//! no panic (slicing inside a character did, for `--tz é1` and `--since 2026-03-0éé`), and an
//! accepted value is within its documented range. Then the text, cut at NULs, as a whole
//! command line, so a value parser this list misses is still reached through clap.
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use tokenbudget::check::config::Share;
use tokenbudget::cli::Cli;
use tokenbudget::commands::{cost, count, plan as plan_cmd, scan_logs};
use tokenbudget::cost::Ratio;
use tokenbudget::logs::record::FieldOverrides;
use tokenbudget::logs::time::{Tz, parse_rfc3339};
use tokenbudget::logs::{GroupBy, text_segment};
use tokenbudget::plan::{self, CapValue};
use tokenbudget::pricing::Price;

const MAX_TOKENS: u64 = 1_000_000_000_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    values(s);
    if let Some((a, b)) = s.split_once('|') {
        // a zone, then a bound in it
        if let Ok(tz) = Tz::parse(a) {
            bound(&tz, b);
        }
    }
    if s.contains('\0') {
        let args = std::iter::once("tokenbudget").chain(s.split('\0'));
        let _ = Cli::try_parse_from(args);
    }
});

fn values(s: &str) {
    // times and zones
    if let Ok(tz) = scan_logs::parse_tz(s) {
        for t in [0, 1_772_323_200, 4_000_000_000, -2_000_000_000] {
            assert!(tz.offset_at(t).abs() < 86_400, "{s:?}: {tz:?}");
        }
        assert_eq!(Tz::parse(&tz.to_string()).as_ref(), Ok(&tz), "{s:?}");
        bound(&tz, s);
    }
    let berlin = Tz::parse("Europe/Berlin").expect("the embedded tzdb has Europe/Berlin");
    for tz in [Tz::UTC, Tz::fixed(19_800), Tz::fixed(-36_000), berlin] {
        bound(&tz, s);
    }
    if let Some(t) = parse_rfc3339(s) {
        let _ = Tz::UTC.format(t);
    }
    // durations and rates
    if let Ok(d) = scan_logs::parse_dur(s) {
        assert!(d > 0, "{s:?}");
    }
    if let Ok(scan_logs::Rate2(Some(r))) = scan_logs::parse_rate(s) {
        assert!(r.amount >= 1 && r.window > 0, "{s:?}: {r:?}");
        let _ = r.label();
    }
    // shares and ratios
    if let Ok(v) = scan_logs::parse_share(s) {
        assert!(v.is_finite() && (0.0..=100.0).contains(&v), "{s:?}: {v}");
    }
    let _ = Ratio::parse(s);
    let _ = Share::parse(s);
    // token counts and caps
    if let Ok(n) = cost::parse_tokens(s) {
        assert!(n <= MAX_TOKENS, "{s:?}: {n}");
    }
    if let Ok(cap) = plan::parse_cap(s) {
        if let CapValue::Percent(p) = cap.value {
            assert!((0.0..=100.0).contains(&p), "{s:?}: {p}");
        }
    }
    let _ = plan_cmd::parse_history(s);
    let _ = count::parse_encoding(s);
    // prices
    let _ = Price::parse_per_million(s);
    let _ = Price::parse_per_token(s);
    // `--by` and `--field` paths: never into prompt or response text
    if let Ok(GroupBy::Field(path)) = scan_logs::parse_by(s) {
        assert_eq!(text_segment(&path), None, "{s:?}");
    }
    if let Some((name, path)) = s.split_once('=') {
        let mut f = FieldOverrides::default();
        if f.set(name, path).is_ok() && !matches!(name, "input" | "output" | "cached" | "cost") {
            assert_eq!(text_segment(path), None, "{s:?}");
        }
    }
}

fn bound(tz: &Tz, s: &str) {
    if let Ok(t) = tz.parse_bound(s) {
        let _ = tz.format(t);
        let _ = Tz::format_hour(tz.hour(t));
    }
}
