//! `scan-logs` views beyond the totals: cache economics, the prompt as dashboards count it,
//! 5-hour blocks and the per-group audit, on `tests/fixtures/scan/cache.jsonl`.
//!
//! The fixture, worked by hand at the embedded catalog's prices (per 1M tokens):
//! claude-sonnet-4-5 input $3, cache read $0.30, 5-minute cache write $3.75, output $15;
//! gpt-4o input $2.50, cached $1.25, output $10; gpt-4o-mini input $0.15.
//!
//! - alice, 2026-03-01 … 03-08 at 10:00Z, one request a day: input 1,000, cache read 100,000,
//!   cache write 10,000, output 1,000 = $0.003 + $0.03 + $0.0375 + $0.015 = $0.0855. The reads
//!   would cost $0.30 as input (saved $0.27); the writes $0.03 (premium $0.0075).
//! - alice, 03-09 10:00Z: input 1,000, cache write 150,000, output 1,000 = $0.003 + $0.5625 +
//!   $0.015 = $0.5805 (write premium 150,000 × $0.75 = $0.1125). Cache writes that day are
//!   15× the trailing 7-day average of 10,000: a write jump.
//! - bob, 03-09 12:30Z, gpt-4o: prompt 10,000 of which 8,000 cached = $0.005 + $0.01 (saved
//!   $0.01).
//! - carol, 03-09 15:00Z, gpt-4o-mini: 1,000 input = $0.00015 (starts a new 5-hour block: the
//!   first one began at 10:00).
//! - dave and erin, 03-09 16:00Z and 16:30Z, gpt-4o: 1,000 in + 100 out each = $0.0035 by the
//!   catalog; dave logged $0.01 (+185.71%), erin $0.0035.

use crate::common::{fixtures, json, run_in};
use serde_json::{Value, json};

fn scan(args: &[&str]) -> crate::common::Out {
    let mut all = vec!["scan-logs", "cache.jsonl"];
    all.extend_from_slice(args);
    run_in(&fixtures().join("scan"), &all, None)
}

fn scan_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let o = scan(&all);
    assert_eq!(o.code, 0, "{}", o.stderr);
    json(&o)
}

#[test]
fn cache_economics_in_total_and_per_group() {
    let j = scan_json(&["--by", "user"]);
    assert_eq!(j["cost"], "1.29315");
    // alice 8 × $0.0855 + $0.5805, bob $0.015, carol $0.00015, dave and erin as logged
    assert_eq!(
        j["tokens"],
        json!({"input": 14000, "cached_input": 808000, "cache_write": 230000,
               "prompt": 1052000, "output": 9200, "reasoning": 0, "total": 1061200})
    );
    assert_eq!(
        j["cache"],
        json!({
            // 808,000 / 1,052,000
            "hit_ratio": 0.7681,
            "read_tokens": 808000,
            "write_tokens": 230000,
            // alice 8 × $0.03, bob $0.01
            "read_cost": "0.25",
            // alice 8 × $0.27, bob $0.01
            "read_savings": "2.17",
            // alice 8 × $0.0375 + $0.5625
            "write_cost": "0.8625",
            // alice 8 × $0.0075 + $0.1125
            "write_premium": "0.1725",
            "net_savings": "1.9975",
            "write_jumps": [{
                "day": "2026-03-09", "tokens": 150000, "trailing_average": 10000,
                "ratio": 15.0, "requests": 5, "cost": "0.60915"
            }]
        })
    );
    let group = |user: &str| -> Value {
        j["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"]["user"] == user)
            .unwrap()["cache"]
            .clone()
    };
    assert_eq!(
        group("alice"),
        json!({"hit_ratio": 0.77, "read_tokens": 800000, "write_tokens": 230000,
               "read_cost": "0.24", "read_savings": "2.16", "write_cost": "0.8625",
               "write_premium": "0.1725", "net_savings": "1.9875"})
    );
    assert_eq!(
        group("bob"),
        json!({"hit_ratio": 0.8, "read_tokens": 8000, "write_tokens": 0,
               "read_cost": "0.01", "read_savings": "0.01", "write_cost": "0",
               "write_premium": "0", "net_savings": "0.01"})
    );
    assert_eq!(group("carol")["hit_ratio"], 0.0);
    // not an alert: a cost signal
    assert_eq!(j["alerts"], 0);
}

#[test]
fn cache_and_dashboard_lines_in_the_human_report() {
    let o = scan(&["--by", "user"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    let at = |prefix: &str| -> &str {
        lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?} in\n{}", o.stdout))
    };
    assert_eq!(
        at("Prompt "),
        "Prompt 1,052,000 prompt tokens (input + cached + cache write; OpenAI's and Gemini's \
         dashboards show this as input); 76.8% of them read from the cache"
    );
    assert_eq!(
        at("Cache "),
        "Cache reads $0.25 (saved $2.17 against uncached input); writes $0.863 ($0.173 above \
         uncached input); net saved $2.00"
    );
    assert_eq!(
        at("  note: cache writes"),
        "  note: cache writes jumped above 2× their trailing 7-day average on 2026-03-09 \
         (15.0×) (a cache that keeps expiring is written again and again)"
    );
    let alice = at(" alice ");
    assert!(alice.ends_with(" 77.0%"), "{alice}");
}

#[test]
fn five_hour_blocks() {
    let j = scan_json(&["--blocks"]);
    let blocks = j["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 10);
    for (i, b) in blocks[..8].iter().enumerate() {
        let day = i + 1;
        assert_eq!(
            *b,
            json!({"start": format!("2026-03-0{day}T10:00:00Z"),
                   "end": format!("2026-03-0{day}T15:00:00Z"),
                   "active_hours": 1, "requests": 1, "tokens": 112000, "cost": "0.0855"})
        );
    }
    // alice at 10:00 and bob at 12:30; carol at 15:00 is the first request after the block
    assert_eq!(
        blocks[8],
        json!({"start": "2026-03-09T10:00:00Z", "end": "2026-03-09T15:00:00Z",
               "active_hours": 2, "requests": 2, "tokens": 162000, "cost": "0.5955"})
    );
    assert_eq!(
        blocks[9],
        json!({"start": "2026-03-09T15:00:00Z", "end": "2026-03-09T20:00:00Z",
               "active_hours": 2, "requests": 3, "tokens": 3200, "cost": "0.01365"})
    );
    // in another zone the blocks are the same hours, shown in that zone
    let j = scan_json(&["--blocks", "--tz", "Asia/Kolkata"]);
    assert_eq!(j["blocks"][9]["start"], "2026-03-09T20:30:00+05:30");
    // without --blocks there are none
    assert_eq!(scan_json(&[])["blocks"], Value::Null);
    // the human table shows the last --top blocks
    let o = scan(&["--blocks", "--top", "2"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("5-hour blocks (the last 2 of 10)"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains(" 2026-03-09T15:00:00Z   2026-03-09T20:00:00Z              2          3     3,200   $0.0137"),
        "{}",
        o.stdout
    );
}

#[test]
fn audit_per_group_finds_the_one_that_differs() {
    let j = scan_json(&["--by", "user"]);
    // per model, gpt-4o as a whole is off: $0.0135 logged against $0.007
    assert_eq!(j["audit"][0]["model"], "gpt-4o");
    assert_eq!(j["audit"][0]["difference_percent"], 92.86);
    // per user, dave is the one
    assert_eq!(
        j["audit_groups"],
        json!([
            {"key": {"user": "dave"}, "model": "dave", "requests": 1, "logged": "0.01",
             "computed": "0.0035", "difference": "0.0065", "difference_percent": 185.71,
             "flagged": true, "unpriced_requests": 0, "unpriced_logged": "0"},
            {"key": {"user": "erin"}, "model": "erin", "requests": 1, "logged": "0.0035",
             "computed": "0.0035", "difference": "0", "difference_percent": 0.0,
             "flagged": false, "unpriced_requests": 0, "unpriced_logged": "0"}
        ])
    );
    let o = scan(&["--by", "user", "--audit"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("  1 of 2 groups by user more than 1% apart:"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains(" dave          1    $0.01   $0.00350   $0.00650 (+185.7%)"),
        "{}",
        o.stdout
    );
    // two keys: the group is named by both
    let j = scan_json(&["--by", "user,model"]);
    assert_eq!(j["audit_groups"][0]["model"], "dave / gpt-4o");
    // merge takes --audit too
    let tmp = tempfile::tempdir().unwrap();
    let part = tmp.path().join("p.json");
    let f = fixtures().join("scan/cache.jsonl");
    let o = run_in(
        tmp.path(),
        &[
            "scan-logs",
            f.to_str().unwrap(),
            "--by",
            "user",
            "--emit-summary",
            part.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let m = run_in(
        tmp.path(),
        &["merge", part.to_str().unwrap(), "--audit"],
        None,
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert!(
        m.stdout
            .contains("  1 of 2 groups by user more than 1% apart:"),
        "{}",
        m.stdout
    );
}
