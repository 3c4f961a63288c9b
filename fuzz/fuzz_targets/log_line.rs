//! Usage-log lines, every format: each line parsed alone (with and without `--field`
//! overrides), then the whole input scanned as one log file (aggregation, duplicates, time
//! buckets, detectors). Nothing may panic, and the line accounting must add up.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use tokenbudget::catalog::Catalog;
use tokenbudget::logs::record::{self, FieldOverrides, Format};
use tokenbudget::logs::{GroupBy, Input, ScanOptions, scan};

fuzz_target!(|data: &[u8]| {
    let mut overrides = FieldOverrides::default();
    for (name, path) in [
        ("user", "metadata.user"),
        ("input", "usage.0"),
        ("cost", "cost"),
        ("time", "ts"),
        ("model", "model"),
    ] {
        let _ = overrides.set(name, path);
    }
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let _ = record::parse(line);
        if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(line) {
            let _ = record::parse_line(line, &overrides, Some(&doc));
        }
    }

    // the whole input as one log file
    let path = std::env::temp_dir().join(format!("tokenbudget-fuzz-{}.jsonl", std::process::id()));
    let Ok(mut f) = std::fs::File::create(&path) else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    drop(f);
    let opts = ScanOptions {
        by: vec![GroupBy::User, GroupBy::Model, GroupBy::Day],
        threads: 1,
        ..ScanOptions::default()
    };
    let report = scan(&[Input::Path(path)], &opts, Catalog::embedded(), &|_| {});
    let _ = serde_json::to_string(&report);
    let accounted = report.records + report.skipped.count + report.ignored + report.duplicates;
    // an OTLP export line holds many spans, so many records (or duplicates)
    let many = report.formats.contains_key(&Format::Otel);
    assert!(
        many || accounted <= report.lines,
        "{} records + {} skipped + {} ignored + {} duplicates > {} lines",
        report.records,
        report.skipped.count,
        report.ignored,
        report.duplicates,
        report.lines
    );
    let t = &report.tokens;
    assert_eq!(
        t.total,
        t.input + t.cached_input + t.cache_write + t.output,
        "token total"
    );
});
