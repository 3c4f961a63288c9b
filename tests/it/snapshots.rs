//! The `--json` output of every command, pinned as insta snapshots (`tests/it/snapshots/`).
//! Each snapshot holds the exit status, stderr and the parsed stdout of one invocation, with the
//! fixture folder written as `[FIXTURES]` and the crate version as `[VERSION]`.
//!
//! The JSON schema is a tested contract: a change that alters it updates the snapshot in the
//! same commit, reviewed (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test it
//! snapshots` and read the diff). Never accept changes blindly.

use crate::common;
use common::*;

/// (snapshot name, fixture folder, arguments, stdin)
const CASES: &[(&str, &str, &[&str], Option<&str>)] = &[
    // count
    (
        "count_text",
        "count",
        &["count", "hello.txt", "--json"],
        None,
    ),
    (
        "count_stdin",
        "count",
        &["count", "-", "--json"],
        Some("Hello world\n"),
    ),
    (
        "count_chat",
        "count",
        &["count", "chat.json", "-m", "gpt-4o", "--json"],
        None,
    ),
    (
        "count_request",
        "count",
        &["count", "request.json", "--json"],
        None,
    ),
    (
        "count_request_verbose",
        "count",
        &["count", "request.json", "--verbose", "--json"],
        None,
    ),
    (
        "count_anthropic_approx",
        "count",
        &[
            "count",
            "anthropic.json",
            "--encoding",
            "o200k_base",
            "--json",
        ],
        None,
    ),
    (
        "count_jsonl",
        "count",
        &["count", "--jsonl", "batch.jsonl", "--json"],
        None,
    ),
    ("count_dir", "count", &["count", "dir", "--json"], None),
    (
        "count_several",
        "count",
        &["count", "hello.txt", "chat.json", "missing.txt", "--json"],
        None,
    ),
    (
        "count_gpt4",
        "count",
        &["count", "hello.txt", "-m", "gpt-4", "--json"],
        None,
    ),
    (
        "count_max_tokens_over",
        "count",
        &["count", "chat.json", "--max-tokens", "10", "--json"],
        None,
    ),
    (
        "count_broken_json",
        "count",
        &["count", "broken.json", "--json"],
        None,
    ),
    (
        "count_claude_estimate",
        "count",
        &["count", "hello.txt", "-m", "claude-sonnet-4-5", "--json"],
        None,
    ),
    (
        "count_claude_exact_refused",
        "count",
        &[
            "count",
            "hello.txt",
            "-m",
            "claude-sonnet-4-5",
            "--exact",
            "--json",
        ],
        None,
    ),
    // plan
    (
        "plan_request",
        "plan",
        &["plan", "--request", "request.json", "--json"],
        None,
    ),
    (
        "plan_parts",
        "plan",
        &[
            "plan",
            "--system",
            "system.txt",
            "--rag",
            "rag1.txt",
            "--rag",
            "rag2.txt",
            "--user",
            "user.txt",
            "--json",
        ],
        None,
    ),
    (
        "plan_image",
        "plan",
        &["plan", "--request", "image.json", "--json"],
        None,
    ),
    (
        "plan_remote_image",
        "plan",
        &["plan", "--request", "remote-image.json", "--json"],
        None,
    ),
    (
        "plan_fit",
        "plan",
        &[
            "plan",
            "--request",
            "request.json",
            "--fit",
            "--history",
            "2",
            "--json",
        ],
        None,
    ),
    (
        "plan_cap",
        "plan",
        &[
            "plan",
            "--request",
            "request.json",
            "--cap",
            "output=10%",
            "--json",
        ],
        None,
    ),
    (
        "plan_anthropic_approx",
        "plan",
        &[
            "plan",
            "--request",
            "anthropic-agent.json",
            "--encoding",
            "o200k_base",
            "--json",
        ],
        None,
    ),
    (
        "plan_tools_file",
        "plan",
        &["plan", "--request", "tools.json", "--json"],
        None,
    ),
    // cost
    (
        "cost_prompt",
        "cost",
        &["cost", "prompt.txt", "--output-tokens", "500", "--json"],
        None,
    ),
    (
        "cost_compare",
        "cost",
        &[
            "cost",
            "prompt.txt",
            "--output-tokens",
            "500",
            "--compare",
            "gpt-4o,claude-sonnet-4-5,gpt-4.1-mini",
            "--json",
        ],
        None,
    ),
    (
        "cost_tokens",
        "cost",
        &[
            "cost",
            "--input-tokens",
            "1000000",
            "-m",
            "gpt-4o",
            "--json",
        ],
        None,
    ),
    (
        "cost_prices_toml",
        "cost",
        &["cost", "--prices", "prices.toml", "prompt.txt", "--json"],
        None,
    ),
    (
        "cost_prices_litellm",
        "cost",
        &["cost", "--prices", "litellm.json", "prompt.txt", "--json"],
        None,
    ),
    ("cost_chat", "count", &["cost", "chat.json", "--json"], None),
    (
        "cost_request",
        "count",
        &["cost", "request.json", "--json"],
        None,
    ),
    // models
    (
        "models_openai_by_input",
        "count",
        &[
            "models",
            "--provider",
            "openai",
            "--sort",
            "input",
            "--json",
        ],
        None,
    ),
    (
        "models_anthropic",
        "count",
        &["models", "--provider", "anthropic", "--json"],
        None,
    ),
    (
        "models_prices_file",
        "cost",
        &[
            "models",
            "--prices",
            "prices.toml",
            "--provider",
            "acme",
            "--json",
        ],
        None,
    ),
    // check
    (
        "check_budgets",
        "check",
        &["check", "--config", "snapshot.toml", "--json"],
        None,
    ),
    // scan-logs
    (
        "scan_openai",
        "scan",
        &["scan-logs", "openai.jsonl", "--json"],
        None,
    ),
    (
        "scan_anthropic",
        "scan",
        &["scan-logs", "anthropic.jsonl", "--json"],
        None,
    ),
    (
        "scan_gemini",
        "scan",
        &["scan-logs", "gemini.jsonl", "--json"],
        None,
    ),
    (
        "scan_litellm",
        "scan",
        &["scan-logs", "litellm.jsonl", "--json"],
        None,
    ),
    (
        "scan_batch",
        "scan",
        &["scan-logs", "batch.jsonl", "--json"],
        None,
    ),
    (
        "scan_app_by_feature",
        "scan",
        &["scan-logs", "app.jsonl", "--by", "feature", "--json"],
        None,
    ),
    (
        "scan_claude_dir",
        "scan",
        &["scan-logs", "claude", "--json"],
        None,
    ),
    (
        "scan_incident_alerts",
        "scan",
        &[
            "scan-logs",
            "incident.jsonl.gz",
            "--fail-on",
            "alerts",
            "--json",
        ],
        None,
    ),
    (
        "scan_missing",
        "scan",
        &["scan-logs", "app.jsonl", "missing.jsonl", "--json"],
        None,
    ),
];

fn normalise(text: &str) -> String {
    let root = fixtures();
    text.replace(&root.display().to_string(), "[FIXTURES]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn json_output_of_every_command() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    for (name, dir, args, stdin) in CASES {
        let o = run_in(&fixtures().join(dir), args, stdin.map(str::as_bytes));
        let stdout = normalise(&o.stdout);
        // A refused run prints nothing on stdout (the error is on stderr).
        let parsed: serde_json::Value = if stdout.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&stdout).unwrap_or_else(|e| {
                panic!(
                    "{name}: stdout is not JSON ({e}):\n{}\nstderr: {}",
                    o.stdout, o.stderr
                )
            })
        };
        let snapshot = serde_json::json!({
            "args": args,
            "status": o.code,
            "stderr": normalise(&o.stderr),
            "stdout": parsed,
        });
        insta::assert_json_snapshot!(*name, snapshot);
    }
}

/// `merge`: its inputs are partial summaries, which hold the tokenbudget version that wrote
/// them (merge refuses any other), so they are made by this binary in a temporary folder
/// rather than kept as fixtures. Both outputs are pinned here: `--json` and the human report.
#[test]
fn merge_output_json_and_human() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    let tmp = tempfile::tempdir().expect("tempdir");
    let scan = fixtures().join("scan");
    for (log, part) in [("openai.jsonl", "a.json"), ("app.jsonl", "b.json")] {
        let out = tmp.path().join(part);
        let o = run_in(
            &scan,
            &[
                "scan-logs",
                log,
                "--by",
                "model",
                "--emit-summary",
                out.to_str().expect("utf-8 temp path"),
                "--json",
            ],
            None,
        );
        assert_eq!(o.code, 0, "{log}: {}", o.stderr);
    }
    let shown = |t: &str| t.replace(&tmp.path().display().to_string(), "[TMP]");
    let json = run_in(tmp.path(), &["merge", "a.json", "b.json", "--json"], None);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("merge --json");
    insta::assert_json_snapshot!(
        "merge_json",
        serde_json::json!({
            "status": json.code,
            "stderr": shown(&json.stderr),
            "stdout": parsed,
        })
    );
    let human = run_in(tmp.path(), &["merge", "a.json", "b.json"], None);
    insta::assert_snapshot!(
        "merge_human",
        format!(
            "status: {}\nstderr:\n{}\nstdout:\n{}",
            human.code,
            shown(&human.stderr),
            shown(&human.stdout)
        )
    );
}
