//! The shared core seen from every command: one catalog for the process (`--prices` and
//! `TOKENBUDGET_PRICES` are global), one model resolver (suggestions for misspelt names, the
//! estimate rule and `--exact`, tiktoken's whole model table).

use crate::common;
use common::*;
use std::path::Path;

/// A price file that overrides gpt-4o's input price and adds a fine-tuned model.
const PRICES: &str = r#"[models."gpt-4o"]
input = 1000
output = 10

[models."acme-ft-support"]
provider = "acme"
context_window = 64000
max_output = 8000
input = 0.5
output = 1.5
tokenizer = "cl100k_base"
"#;

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("prices.toml"), PRICES).unwrap();
    std::fs::write(d.path().join("prompt.txt"), "Hello world\n").unwrap();
    // one usage line: 1,000,000 prompt tokens on gpt-4o, 1,000,000 on acme-ft-support
    std::fs::write(
        d.path().join("usage.jsonl"),
        "{\"timestamp\":\"2026-03-01T10:00:00Z\",\"model\":\"gpt-4o\",\"prompt_tokens\":1000000,\"completion_tokens\":0}\n\
         {\"timestamp\":\"2026-03-01T10:00:01Z\",\"model\":\"acme-ft-support\",\"prompt_tokens\":1000000,\"completion_tokens\":0}\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("tokenbudget.toml"),
        "model = \"acme-ft-support\"\n[[budget]]\npath = \"prompt.txt\"\nmax_share = \"10%\"\n",
    )
    .unwrap();
    d
}

/// What every command reports about gpt-4o and acme-ft-support under one price source.
fn observe(dir: &Path, via_env: bool) -> Vec<(String, serde_json::Value)> {
    let run = |args: &[&str]| -> serde_json::Value {
        let mut c = cmd(dir);
        let mut all: Vec<&str> = Vec::new();
        if via_env {
            c.env("TOKENBUDGET_PRICES", dir.join("prices.toml"));
        } else {
            all.extend(["--prices", "prices.toml"]);
        }
        all.extend_from_slice(args);
        let o = run_cmd(c, &all, None);
        assert!(o.code == 0 || o.code == 1, "{all:?}: {}", o.stderr);
        json(&o)
    };
    let count = run(&["count", "prompt.txt", "-m", "acme-ft-support", "--json"]);
    let plan = run(&[
        "plan",
        "-m",
        "acme-ft-support",
        "--user",
        "prompt.txt",
        "--json",
    ]);
    let cost = run(&[
        "cost",
        "--input-tokens",
        "1000000",
        "-m",
        "gpt-4o",
        "--json",
    ]);
    let cost_ft = run(&["cost", "prompt.txt", "-m", "acme-ft-support", "--json"]);
    let models = run(&["models", "--provider", "acme", "--json"]);
    let check = run(&["check", "--json"]);
    let scan = run(&["scan-logs", "usage.jsonl", "--by", "model", "--json"]);
    let group_cost = |model: &str| {
        scan["groups"]
            .as_array()
            .and_then(|g| g.iter().find(|g| g["key"]["model"] == model))
            .map(|g| g["cost"].clone())
            .unwrap_or_else(|| panic!("no {model} group in {scan}"))
    };
    vec![
        ("count window".into(), count["context_window"].clone()),
        ("count encoding".into(), count["encoding"].clone()),
        ("count tokens".into(), count["inputs"][0]["tokens"].clone()),
        ("plan window".into(), plan["context_window"].clone()),
        (
            "cost gpt-4o 1M".into(),
            cost["rows"][0]["per_request"].clone(),
        ),
        (
            "cost ft input tokens".into(),
            cost_ft["rows"][0]["input_tokens"].clone(),
        ),
        (
            "models input".into(),
            models["models"][0]["prices"]["input"].clone(),
        ),
        ("check limit".into(), check["budgets"][0]["limit"].clone()),
        ("scan gpt-4o".into(), group_cost("gpt-4o")),
        ("scan ft".into(), group_cost("acme-ft-support")),
    ]
}

#[test]
fn prices_are_global_and_the_same_in_every_command() {
    let d = setup();
    let want: Vec<(String, serde_json::Value)> = vec![
        ("count window".into(), 64000.into()),
        ("count encoding".into(), "cl100k_base".into()),
        // "Hello world\n": 3 tokens in cl100k_base
        ("count tokens".into(), 3.into()),
        ("plan window".into(), 64000.into()),
        // 1M input tokens at the overridden $1,000 per 1M
        ("cost gpt-4o 1M".into(), "1000".into()),
        ("cost ft input tokens".into(), 3.into()),
        ("models input".into(), "0.5".into()),
        // 10% of acme-ft-support's 64,000-token window
        ("check limit".into(), 6400.into()),
        // scan-logs prices the same usage with the same file: $1,000 and $0.50
        ("scan gpt-4o".into(), "1000".into()),
        ("scan ft".into(), "0.5".into()),
    ];
    assert_eq!(observe(d.path(), false), want, "--prices");
    assert_eq!(observe(d.path(), true), want, "TOKENBUDGET_PRICES");
}

#[test]
fn misspelt_models_get_a_suggestion_in_every_command() {
    let d = setup();
    let dir = d.path();
    // A name tiktoken counts only by its prefix rule: counted, with a warning that says so.
    let warning = "warning: 'gpt-4o-mni' is not in the catalog; counted with o200k_base only \
                   because it starts with tiktoken's prefix 'gpt-4o-' (no context window or \
                   prices known); did you mean: gpt-4o-mini";
    let o = run_in(dir, &["count", "-m", "gpt-4o-mni", "prompt.txt"], None);
    assert_eq!((o.code, o.stdout.as_str()), (0, "3\n"));
    assert!(o.stderr.starts_with(warning), "{}", o.stderr);
    let o = run_in(
        dir,
        &["count", "-m", "gpt-4o-mni", "prompt.txt", "--exact"],
        None,
    );
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    assert!(
        o.stderr.starts_with(
            "error: 'gpt-4o-mni' is not in the catalog and matches tiktoken's table only by its \
             prefix 'gpt-4o-' (did you mean: gpt-4o-mini"
        ),
        "{}",
        o.stderr
    );
    let o = run_in(
        dir,
        &["plan", "-m", "gpt-4o-mni", "--user", "prompt.txt"],
        None,
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with(warning), "{}", o.stderr);
    let o = run_in(dir, &["cost", "-m", "gpt-4o-mni", "prompt.txt"], None);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: unknown model 'gpt-4o-mni'; did you mean: gpt-4o-mini"),
        "{}",
        o.stderr
    );
    std::fs::write(
        dir.join("typo.toml"),
        "model = \"gpt-4o-mni\"\n[[budget]]\npath = \"prompt.txt\"\nmax_tokens = 10\n",
    )
    .unwrap();
    let o = run_in(dir, &["check", "--config", "typo.toml"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.starts_with(&format!(
            "warning: typo.toml:3:8: {}",
            warning.trim_start_matches("warning: ")
        )),
        "{}",
        o.stderr
    );
    // A name nobody knows: an error with the catalog's suggestion, in every command.
    let unknown = "error: unknown model 'claude-sonet-4-5'; did you mean: claude-sonnet-4-5";
    for args in [
        &["count", "-m", "claude-sonet-4-5", "prompt.txt"][..],
        &["plan", "-m", "claude-sonet-4-5", "--user", "prompt.txt"],
        &["cost", "-m", "claude-sonet-4-5", "prompt.txt"],
    ] {
        let o = run_in(dir, args, None);
        assert_eq!((o.code, o.stdout.as_str()), (2, ""), "{args:?}");
        assert!(o.stderr.starts_with(unknown), "{args:?}: {}", o.stderr);
    }
    std::fs::write(
        dir.join("typo.toml"),
        "model = \"claude-sonet-4-5\"\n[[budget]]\npath = \"prompt.txt\"\nmax_tokens = 10\n",
    )
    .unwrap();
    let o = run_in(dir, &["check", "--config", "typo.toml"], None);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with(
            "error: typo.toml:1:9: unknown model 'claude-sonet-4-5'; did you mean: \
             claude-sonnet-4-5"
        ),
        "{}",
        o.stderr
    );
}

#[test]
fn models_without_an_exact_tokenizer_are_labelled_estimates_in_every_command() {
    let d = setup();
    let dir = d.path();
    let j = |args: &[&str]| {
        let o = run_in(dir, args, None);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        json(&o)
    };
    let count = j(&["count", "-m", "claude-sonnet-4-5", "prompt.txt", "--json"]);
    assert_eq!(
        (&count["approximate"], &count["basis"]),
        (&true.into(), &"o200k_base".into())
    );
    let plan = j(&[
        "plan",
        "-m",
        "claude-sonnet-4-5",
        "--user",
        "prompt.txt",
        "--json",
    ]);
    assert_eq!(
        (&plan["approximate"], &plan["basis"]),
        (&true.into(), &"o200k_base".into())
    );
    let cost = j(&["cost", "-m", "claude-sonnet-4-5", "prompt.txt", "--json"]);
    let row = &cost["rows"][0];
    assert_eq!(
        (&row["approximate"], &row["basis"], &row["input_tokens"]),
        (&true.into(), &"o200k_base".into(), &3.into())
    );
    std::fs::write(
        dir.join("claude.toml"),
        "model = \"claude-sonnet-4-5\"\n[[budget]]\npath = \"prompt.txt\"\nmax_tokens = 10\n",
    )
    .unwrap();
    let check = j(&["check", "--config", "claude.toml", "--json"]);
    let b = &check["budgets"][0];
    assert_eq!(
        (&b["approximate"], &b["basis"], &b["tokens"]),
        (&true.into(), &"o200k_base".into(), &3.into())
    );
    // --exact refuses in every command (exit 2).
    for args in [
        &["count", "-m", "claude-sonnet-4-5", "prompt.txt", "--exact"][..],
        &[
            "plan",
            "-m",
            "claude-sonnet-4-5",
            "--user",
            "prompt.txt",
            "--exact",
        ],
        &["cost", "-m", "claude-sonnet-4-5", "prompt.txt", "--exact"],
        &["check", "--config", "claude.toml", "--exact"],
    ] {
        let o = run_in(dir, args, None);
        assert_eq!((o.code, o.stdout.as_str()), (2, ""), "{args:?}");
        assert!(
            o.stderr.contains("--exact refuses estimates"),
            "{args:?}: {}",
            o.stderr
        );
    }
}

/// tiktoken 0.14's whole model table, old names included, and the cookbook's message rule for
/// gpt-3.5-turbo-0301 (4 tokens per message, −1 for a name; OpenAI cookbook "How to count
/// tokens with tiktoken", num_tokens_from_messages).
#[test]
fn old_models_and_encodings_follow_tiktoken() {
    let d = setup();
    let dir = d.path();
    let enc = |args: &[&str]| {
        let o = run_in(dir, args, None);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        json(&o)["encoding"].clone()
    };
    for (model, want) in [
        ("text-davinci-edit-001", "p50k_edit"),
        ("code-davinci-edit-001", "p50k_edit"),
        ("gpt2", "gpt2"),
        ("gpt-2", "gpt2"),
        ("code-search-ada-code-001", "r50k_base"),
        ("text-davinci-003", "p50k_base"),
    ] {
        assert_eq!(
            enc(&["count", "-m", model, "prompt.txt", "--json"]),
            want,
            "{model}"
        );
    }
    let o = run_in(dir, &["count", "--encoding", "gpt2", "prompt.txt"], None);
    assert_eq!((o.code, o.stdout.as_str()), (0, "3\n"));
    // The cookbook's example messages: 127 tokens for gpt-3.5-turbo-0301 (its notebook output:
    // "gpt-3.5-turbo-0301 ... 127 prompt tokens counted"), 129 for gpt-4 (3 per message, +1 per
    // name). Four of the six messages have a name.
    let messages = serde_json::json!({"messages": [
        {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
        {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
        {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
        {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
        {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
        {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."},
    ]});
    std::fs::write(dir.join("cookbook.json"), messages.to_string()).unwrap();
    let tokens = |model: &str, cmd: &str| {
        let args: Vec<&str> = match cmd {
            "count" => vec!["count", "-m", model, "cookbook.json", "--json"],
            _ => vec![
                "plan",
                "-m",
                model,
                "--request",
                "cookbook.json",
                "--context-window",
                "16385",
                "--reserve-output",
                "100",
                "--json",
            ],
        };
        let o = run_in(dir, &args, None);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        let j = json(&o);
        if cmd == "count" {
            j["inputs"][0]["tokens"].clone()
        } else {
            j["input_tokens"].clone()
        }
    };
    assert_eq!(tokens("gpt-3.5-turbo-0301", "count"), 127);
    assert_eq!(tokens("gpt-4", "count"), 129);
    assert_eq!(tokens("gpt-3.5-turbo-0301", "plan"), 127);
    assert_eq!(tokens("gpt-4", "plan"), 129);
}
