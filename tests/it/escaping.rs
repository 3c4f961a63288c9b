//! Untrusted text is shown, never executed: file names, log fields, budget names, model names,
//! price files and the environment reach the terminal with their control characters escaped
//! (`src/report/escape.rs`), and under GitHub Actions no line can become a workflow command.
//! Each test runs the binary.

use crate::common;

use std::path::Path;

use common::{Out, cmd, run_cmd, run_in};

/// The characters `report::escape` must never let through (LF aside, which only our own line
/// ends may use).
fn dangerous(c: char) -> bool {
    c != '\n'
        && matches!(c,
            '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}' | '\u{200b}' | '\u{200e}' | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}')
}

fn assert_clean(out: &Out) {
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if let Some(c) = text.chars().find(|&c| dangerous(c)) {
            panic!("{name} holds {c:?}:\n{text}");
        }
    }
}

/// No line starts (after whitespace, as the Actions runner reads it) with `::` unless it is
/// one of our own annotations, and no line holds the legacy `##[` command syntax.
fn assert_no_workflow_command(out: &Out) {
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        for line in text.lines() {
            let t = line.trim_start();
            assert!(
                !t.starts_with("::") || t.starts_with("::error file="),
                "{name} line reads as a workflow command: {line:?}\n{text}"
            );
            assert!(!line.contains("##["), "{name}: {line:?}");
        }
    }
}

const OSC: &str = "a\u{1b}]0;pwned\u{7}b";
const FORGE: &str = "x\n::error::forged";
const BIDI: &str = "rtl\u{202e}txt.exe";

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

fn hostile_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    write(&d.join(format!("{OSC}.txt")), "hi");
    write(&d.join(format!("{FORGE}.txt")), "hello");
    write(&d.join(format!("{BIDI}.txt")), "x");
    write(&d.join("##[error]legacy.txt"), "y");
    write(&d.join("::warning::lead.txt"), "z");
    dir
}

#[test]
fn count_table_shows_file_names_escaped() {
    let dir = hostile_dir();
    let out = run_in(dir.path(), &["count", "d"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean(&out);
    assert!(
        out.stdout.contains(" d/a\\x1b]0;pwned\\x07b.txt "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(" d/x\\n::error::forged.txt "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(" d/rtl\\u{202e}txt.exe.txt "),
        "{}",
        out.stdout
    );
    // One table row per file, plus header, rule, total and footer.
    assert_eq!(out.stdout.lines().count(), 2 + 5 + 1 + 1, "{}", out.stdout);
}

#[test]
fn count_json_keeps_exact_names_and_stays_json() {
    let dir = hostile_dir();
    let out = run_in(dir.path(), &["count", "d", "--json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean(&out);
    let j = common::json(&out);
    let paths: Vec<&str> = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&format!("d/{OSC}.txt").as_str()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&format!("d/{BIDI}.txt").as_str()),
        "{paths:?}"
    );
    // The escapes are JSON's own: the raw characters never appear.
    assert!(
        out.stdout.contains("a\\u001b]0;pwned\\u0007b"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("rtl\\u202etxt.exe"), "{}", out.stdout);
}

#[test]
fn github_actions_lines_cannot_be_forged_by_file_names() {
    let dir = hostile_dir();
    let mut c = cmd(dir.path());
    c.env("GITHUB_ACTIONS", "true");
    let out = run_cmd(c, &["count", "d"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean(&out);
    assert_no_workflow_command(&out);
    assert!(
        out.stdout.contains(" d/#\\x23[error]legacy.txt "),
        "{}",
        out.stdout
    );
    // Without GitHub Actions the name is shown as it is.
    let out = run_in(dir.path(), &["count", "d"], None);
    assert!(
        out.stdout.contains(" d/##[error]legacy.txt "),
        "{}",
        out.stdout
    );
}

#[test]
fn count_errors_and_notes_escape_names() {
    let dir = hostile_dir();
    let bad = dir.path().join(format!("{FORGE}.jsonl"));
    write(&bad, "\"ok\"\n{bad\n");
    let missing = format!("{OSC}-missing.txt");
    let out = run_in(
        dir.path(),
        &[
            "count",
            "--jsonl",
            bad.file_name().unwrap().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert_clean(&out);
    assert!(
        out.stderr
            .starts_with("error: x\\n::error::forged.jsonl:2: malformed JSON"),
        "{}",
        out.stderr
    );
    let out = run_in(dir.path(), &["count", &missing], None);
    assert_eq!(out.code, 2);
    assert_clean(&out);
    assert!(
        out.stderr
            .starts_with("error: reading a\\x1b]0;pwned\\x07b-missing.txt: "),
        "{}",
        out.stderr
    );
    // the note on JSON that is not a request, and the parts header of --verbose
    let data = dir.path().join(format!("{OSC}.json"));
    write(&data, "{\"a\": 1}");
    let req = dir.path().join(format!("{OSC}-req.json"));
    write(&req, r#"{"messages": [{"role": "user", "content": "hi"}]}"#);
    let name = |p: &std::path::Path| p.file_name().unwrap().to_str().unwrap().to_string();
    let out = run_in(
        dir.path(),
        &["count", &name(&data), &name(&req), "--verbose"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean(&out);
    assert!(
        out.stderr
            .starts_with("note: a\\x1b]0;pwned\\x07b.json: JSON that is not a request"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("a\\x1b]0;pwned\\x07b-req.json parts (as plan splits it)"),
        "{}",
        out.stdout
    );
}

#[test]
fn environment_and_arguments_are_escaped_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cmd(dir.path());
    c.env("TOKENBUDGET_MODEL", "gpt\u{1b}[2J\u{9b}31m");
    let out = run_cmd(c, &["count", "--text", "hi"], None);
    assert_eq!(out.code, 2);
    assert_clean(&out);
    assert!(
        out.stderr.contains("gpt\\x1b[2J\\u{9b}31m"),
        "{}",
        out.stderr
    );
    // A value clap rejects is quoted in clap's message: escaped too.
    let out = run_in(
        dir.path(),
        &["count", "--sort", "x\u{1b}]52;c;aGk=\u{7}"],
        None,
    );
    assert_eq!(out.code, 2);
    assert_clean(&out);
    assert!(
        out.stderr.contains("x\\x1b]52;c;aGk=\\x07"),
        "{}",
        out.stderr
    );
}

fn hostile_check(dir: &Path) {
    std::fs::create_dir_all(dir.join("p")).unwrap();
    write(
        &dir.join("p").join(format!("{FORGE}.txt")),
        "one two three four",
    );
    write(
        &dir.join("tokenbudget.toml"),
        "[[budget]]\nname = \"evil\\n::error file=x::forged \\u001b]0;t\\u0007\"\n\
         path = \"p/*.txt\"\nmax_tokens = 1\n\n[[budget]]\nname = \"::warning::lead\"\n\
         path = \"p/*.txt\"\nmax_tokens = 100\n",
    );
}

#[test]
fn check_table_and_over_budget_list_escape_names() {
    let dir = tempfile::tempdir().unwrap();
    hostile_check(dir.path());
    let out = run_in(dir.path(), &["check"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_clean(&out);
    assert!(
        out.stdout
            .contains(" evil\\n::error file=x::forged \\x1b]0;t\\x07 "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "  p/x\\n::error::forged.txt:1: 4 tokens, 3 over the limit of 1 \
             (\"evil\\n::error file=x::forged \\x1b]0;t\\x07\")"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn check_github_format_cannot_be_steered_by_data() {
    let dir = tempfile::tempdir().unwrap();
    hostile_check(dir.path());
    let out = run_in(dir.path(), &["check", "--format", "github"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_clean(&out);
    assert_no_workflow_command(&out);
    let annotations: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        annotations,
        [
            "::error file=p/x\\n%3A%3Aerror%3A%3Aforged.txt,line=1,title=Token budget exceeded::\
             4 tokens for gpt-4o: 3 over the 1-token budget \"evil\\n::error file=x::forged \
             \\x1b]0;t\\x07\" (tokenbudget.toml:3); the budget runs out at line 1"
        ]
    );
    // The second budget's name starts with `::`: escaped where it starts a table cell.
    assert!(
        out.stdout.contains(" \\x3a:warning::lead "),
        "{}",
        out.stdout
    );
}

#[test]
fn check_config_errors_escape_values() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("tokenbudget.toml"),
        "[[budget]]\npath = \"a.txt\"\nmax_tokens = 1\nmodel = \"m\\n::error::x\\u001b[2J\"\n",
    );
    for args in [&["check"][..], &["check", "--format", "github"]] {
        let out = run_in(dir.path(), args, None);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert_clean(&out);
        assert_no_workflow_command(&out);
        assert!(
            out.stderr.contains("m\\n::error::x\\x1b[2J"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn scan_logs_tables_escape_log_fields() {
    let dir = tempfile::tempdir().unwrap();
    let line = |user: &str, model: &str| {
        serde_json::json!({
            "timestamp": "2026-03-01T12:00:00Z", "user_id": user, "model": model,
            "feature": "f\u{1b}[31m", "prompt_tokens": 120000, "completion_tokens": 5,
        })
        .to_string()
    };
    let log = [
        line("u\n::error::forged", "gpt-4o\u{1b}]8;;http://x\u{7}"),
        line("::warning::lead", "mystery\u{202e}model"),
        "{\"timestamp\": 5, \"prompt_tokens\": \"\u{1b}[2J\"}".to_string(),
    ]
    .join("\n");
    write(&dir.path().join(format!("{OSC}.jsonl")), &log);
    for github in [false, true] {
        let mut c = cmd(dir.path());
        if github {
            c.env("GITHUB_ACTIONS", "true");
        }
        let out = run_cmd(c, &["scan-logs", ".", "--by", "user,model,feature"], None);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_clean(&out);
        if github {
            assert_no_workflow_command(&out);
        }
        assert!(
            out.stdout.contains(" u\\n::error::forged "),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(" gpt-4o\\x1b]8;;http://x\\x07 "),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("mystery\\u{202e}model (1)"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains(" f\\x1b[31m "), "{}", out.stdout);
        assert!(
            out.stdout.contains("a\\x1b]0;pwned\\x07b.jsonl:"),
            "{}",
            out.stdout
        );
        let lead = if github {
            " \\x3a:warning::lead "
        } else {
            " ::warning::lead "
        };
        assert!(out.stdout.contains(lead), "{}", out.stdout);
    }
}

#[test]
fn price_files_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join(format!("{OSC}.toml"));
    write(
        &prices,
        "[models.\"evil\\u001b]0;t\\u0007\"]\nprovider = \"acme\\n::error::x\"\n\
         input = 1\noutput = 2\n\n[models.\"noprice\\u009b2J\"]\ninput = 1\n",
    );
    let p = prices.to_str().unwrap();
    let out = run_in(dir.path(), &["models", "evil", "--prices", p], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean(&out);
    assert!(
        out.stdout.contains(" evil\\x1b]0;t\\x07 "),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(" acme\\n::error::x "), "{}", out.stdout);
    assert!(out.stdout.contains("overrides from "), "{}", out.stdout);
    assert!(
        out.stdout.contains("a\\x1b]0;pwned\\x07b.toml"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("noprice\\u{9b}2J"), "{}", out.stderr);
    let out = run_in(
        dir.path(),
        &[
            "cost",
            "--input-tokens",
            "10",
            "--compare",
            "evil\u{1b}]0;t\u{7},gpt-4o",
            "--prices",
            p,
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean(&out);
    assert!(
        out.stdout.contains(" evil\\x1b]0;t\\x07 "),
        "{}",
        out.stdout
    );
}

#[test]
fn plan_escapes_model_names_from_requests() {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("r.json");
    write(
        &req,
        &serde_json::json!({
            "model": "gpt-4o\u{1b}[2J\n::error::x",
            "messages": [{"role": "user", "content": "hi"}],
        })
        .to_string(),
    );
    let out = run_in(dir.path(), &["plan", "--request", "r.json"], None);
    assert_eq!(out.code, 2);
    assert_clean(&out);
    assert!(
        out.stderr.contains("gpt-4o\\x1b[2J\\n::error::x"),
        "{}",
        out.stderr
    );
}
