//! `scan-logs --emit-summary` and `merge`: the merged report is identical to one scan of all
//! the files, with the scan fixtures cut into parts (by file, inside a file, by user).

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{self, fixtures, json, run_in};
use serde_json::Value;

fn scan_dir() -> PathBuf {
    fixtures().join("scan")
}

/// Every scan fixture, in a fixed order (the incident log has spikes, bursts and loops).
fn all_files(tmp: &Path) -> Vec<String> {
    let d = scan_dir();
    let mut v: Vec<String> = [
        "app.jsonl",
        "openai.jsonl",
        "anthropic.jsonl",
        "batch.jsonl",
        "gemini.jsonl",
        "litellm.jsonl",
        "claude/projects/-home-dev-app/sess-1.jsonl",
        "claude/projects/-home-dev-web/sess-2.jsonl",
    ]
    .iter()
    .map(|f| d.join(f).display().to_string())
    .collect();
    // the incident log, decompressed and cut in two at a line boundary
    let gz = fs::read(d.join("incident.jsonl.gz")).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let half = lines.len() / 2;
    for (name, part) in [
        ("incident-a.jsonl", &lines[..half]),
        ("incident-b.jsonl", &lines[half..]),
    ] {
        let p = tmp.join(name);
        fs::write(&p, part.join("\n") + "\n").unwrap();
        v.push(p.display().to_string());
    }
    // cache reads and writes, logged costs (the cache economics and the per-group audit)
    v.push(d.join("cache.jsonl").display().to_string());
    v
}

fn scan(dir: &Path, files: &[String], opts: &[&str]) -> Value {
    let mut args = vec!["scan-logs", "--json"];
    args.extend(files.iter().map(String::as_str));
    args.extend(opts);
    let out = run_in(dir, &args, None);
    assert!(out.code == 0, "{}", out.stderr);
    json(&out)
}

fn emit(dir: &Path, files: &[String], opts: &[&str], part: &str) -> Value {
    let mut args = vec!["scan-logs", "--json", "--emit-summary", part];
    args.extend(files.iter().map(String::as_str));
    args.extend(opts);
    let out = run_in(dir, &args, None);
    assert!(out.code == 0, "{}", out.stderr);
    json(&out)
}

fn merge(dir: &Path, parts: &[&str], extra: &[&str]) -> common::Out {
    let mut args = vec!["merge", "--json"];
    args.extend(parts);
    args.extend(extra);
    run_in(dir, &args, None)
}

fn check_cut(opts: &[&str], cuts: &[usize]) {
    let tmp = tempfile::tempdir().unwrap();
    let files = all_files(tmp.path());
    let whole = scan(tmp.path(), &files, opts);
    assert!(whole["records"].as_u64().unwrap() > 100);
    let mut names = Vec::new();
    let mut start = 0;
    for (i, &end) in cuts.iter().chain([files.len()].iter()).enumerate() {
        let name = format!("part{i}.json");
        // a part's own report is the report of its files
        let own = emit(tmp.path(), &files[start..end], opts, &name);
        assert_eq!(own, scan(tmp.path(), &files[start..end], opts));
        names.push(name);
        start = end;
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let out = merge(tmp.path(), &refs, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json(&out), whole);
}

#[test]
fn merged_parts_equal_one_scan() {
    check_cut(&[], &[1, 5]);
    check_cut(&["--by", "user"], &[3, 8, 9]);
    check_cut(&["--by", "model,day", "--top", "3", "--tz", "+02:00"], &[9]);
    check_cut(&["--by", "user", "--blocks"], &[4, 10]);
    check_cut(
        &[
            "--by",
            "feature",
            "--burst",
            "20/1m",
            "--loop-min",
            "4",
            "--max-tokens",
            "5000",
        ],
        &[2, 4, 6, 8, 9],
    );
}

#[test]
fn every_file_its_own_part() {
    let cuts: Vec<usize> = (1..10).collect();
    check_cut(&["--by", "user", "--since", "2026-01-01"], &cuts);
}

#[test]
fn merged_alerts_and_human_report() {
    let tmp = tempfile::tempdir().unwrap();
    let files = all_files(tmp.path());
    let d = tmp.path();
    emit(d, &files[..9], &["--by", "user"], "a.json");
    emit(d, &files[9..], &["--by", "user"], "b.json");
    let mut args = vec!["scan-logs", "--by", "user", "--fail-on", "alerts"];
    args.extend(files.iter().map(String::as_str));
    let whole = run_in(d, &args, None);
    let merged = run_in(
        d,
        &["merge", "a.json", "b.json", "--fail-on", "alerts"],
        None,
    );
    assert_eq!(whole.code, 1, "the incident log has alerts");
    assert_eq!(merged.code, whole.code);
    assert_eq!(merged.stdout, whole.stdout);
}

#[test]
fn summary_to_stdout_and_stdin() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let app = scan_dir().join("app.jsonl").display().to_string();
    let out = run_in(d, &["scan-logs", &app, "--emit-summary", "-"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(s["summary"], "tokenbudget scan-logs");
    assert_eq!(s["version"], 2);
    let m = run_in(d, &["merge", "--json", "-"], Some(out.stdout.as_bytes()));
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert_eq!(json(&m), scan(d, &[app], &[]));
}

#[test]
fn merge_refuses_mismatches() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let app = scan_dir().join("app.jsonl").display().to_string();
    let openai = scan_dir().join("openai.jsonl").display().to_string();
    emit(
        d,
        std::slice::from_ref(&app),
        &["--by", "user"],
        "user.json",
    );
    emit(
        d,
        std::slice::from_ref(&openai),
        &["--by", "model"],
        "model.json",
    );
    let out = merge(d, &["user.json", "model.json"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("model.json was scanned with other options than user.json"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--by model"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    // the same requests in two parts
    emit(
        d,
        std::slice::from_ref(&openai),
        &["--by", "user"],
        "o1.json",
    );
    emit(d, &[openai], &["--by", "user"], "o2.json");
    let out = merge(d, &["o1.json", "o2.json"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("o2.json and o1.json share request ids"),
        "{}",
        out.stderr
    );

    // another format version, another tokenbudget version, not a summary, broken JSON
    let text = fs::read_to_string(d.join("user.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["version"] = 1.into();
    fs::write(d.join("v1.json"), v.to_string()).unwrap();
    let out = merge(d, &["v1.json"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("v1.json: summary format version 1"),
        "{}",
        out.stderr
    );
    v["version"] = 2.into();
    v["tokenbudget"] = "0.0.1".into();
    fs::write(d.join("old.json"), v.to_string()).unwrap();
    let out = merge(d, &["old.json"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("written by tokenbudget 0.0.1"),
        "{}",
        out.stderr
    );
    fs::write(d.join("report.json"), scan(d, &[app], &[]).to_string()).unwrap();
    let out = merge(d, &["report.json"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("report.json:1:"), "{}", out.stderr);
    fs::write(d.join("cut.json"), &text[..text.len() / 2]).unwrap();
    let out = merge(d, &["cut.json"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cut.json:1:"), "{}", out.stderr);
    let out = merge(d, &["nope.json"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("reading nope.json"), "{}", out.stderr);
}

#[test]
fn a_missing_input_in_a_part_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let app = scan_dir().join("app.jsonl").display().to_string();
    let out = run_in(
        d,
        &[
            "scan-logs",
            "--json",
            &app,
            "missing.jsonl",
            "--emit-summary",
            "p.json",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    let whole = json(&out);
    let m = merge(d, &["p.json"], &[]);
    assert_eq!(m.code, 2);
    assert_eq!(json(&m), whole);
    assert_eq!(whole["files_skipped"][0]["path"], "missing.jsonl");
}

#[test]
fn a_summary_never_overwrites_an_input() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let app = fs::read(scan_dir().join("app.jsonl")).unwrap();
    fs::create_dir(d.join("logs")).unwrap();
    fs::write(d.join("logs/a.jsonl"), &app).unwrap();
    fs::write(d.join("b.jsonl"), &app).unwrap();
    // a file given on the command line, the same file by another name, a file found in a
    // scanned directory
    for (inputs, summary, shown) in [
        (
            &["b.jsonl"][..],
            "b.jsonl",
            "refusing to write b.jsonl: it is also an input",
        ),
        (
            &["b.jsonl"][..],
            "./b.jsonl",
            "refusing to write ./b.jsonl: it is also an input (b.jsonl)",
        ),
        (
            &["logs"][..],
            "logs/a.jsonl",
            "refusing to write logs/a.jsonl: it is also an input;",
        ),
    ] {
        let mut args = vec!["scan-logs", "--json", "--emit-summary", summary];
        args.extend(inputs);
        let out = run_in(d, &args, None);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(shown), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
    // nothing was touched
    assert_eq!(fs::read(d.join("b.jsonl")).unwrap(), app);
    assert_eq!(fs::read(d.join("logs/a.jsonl")).unwrap(), app);
    assert_eq!(fs::read_dir(d.join("logs")).unwrap().count(), 1);
    // stdin redirected from a file is an input too
    let out = common::cmd(d)
        .args(["scan-logs", "--json", "--emit-summary", "b.jsonl", "-"])
        .stdin(fs::File::open(d.join("b.jsonl")).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("refusing to write b.jsonl: it is also an input (stdin)"),
        "{stderr}"
    );
    assert_eq!(fs::read(d.join("b.jsonl")).unwrap(), app);
    // a summary beside the inputs (in the scanned directory, not matching the walk) is fine
    let out = run_in(
        d,
        &[
            "scan-logs",
            "--json",
            "--emit-summary",
            "logs/part.json",
            "logs",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(d.join("logs/part.json").is_file());
}
