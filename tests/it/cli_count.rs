//! `tokenbudget count`, run as a user would. Expected counts come from OpenAI's tiktoken 0.14
//! (`../shared/bench/tiktoken-reference`) and the cookbook's `num_tokens_from_messages`.

use crate::common;
use common::*;

fn count(args: &[&str]) -> Out {
    let mut all = vec!["count"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn one_file_prints_just_the_number() {
    let o = count(&["hello.txt"]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "3\n", "")
    );
}

#[test]
fn piped_stdin_and_dash() {
    let dir = fixtures().join("count");
    let o = run_in(&dir, &["count"], Some(b"Hello world\n"));
    assert_eq!((o.code, o.stdout.as_str()), (0, "3\n"));
    let o = run_in(&dir, &["count", "-"], Some(b"Hello world\n"));
    assert_eq!((o.code, o.stdout.as_str()), (0, "3\n"));
}

#[test]
fn inline_text_and_model_and_encoding() {
    let o = count(&["--text", "Hello world\n", "--model", "gpt-4"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "3\n"));
    let o = count(&["--text", "hello", "--text", "world", "-q"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "2\n"));
    let o = count(&["hello.txt", "--encoding", "cl100k_base", "--json"]);
    let j = json(&o);
    assert_eq!(j["encoding"], "cl100k_base");
    assert_eq!(j["model"], serde_json::Value::Null);
    assert_eq!(j["total"]["tokens"], 3);
}

#[test]
fn default_model_comes_from_the_environment() {
    let mut c = cmd(&fixtures().join("count"));
    c.env("TOKENBUDGET_MODEL", "gpt-3.5-turbo");
    let o = run_cmd(c, &["count", "hello.txt", "--json"], None);
    let j = json(&o);
    assert_eq!(j["model"], "gpt-3.5-turbo");
    assert_eq!(j["encoding"], "cl100k_base");
}

#[test]
fn several_inputs_make_a_table_with_a_total() {
    let o = count(&["hello.txt", "dir/a.txt", "--sort", "tokens"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["path", "tokens", "bytes", "window"]
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["dir/a.txt", "4", "17", "0.00%"]
    );
    assert_eq!(
        lines[3].split_whitespace().collect::<Vec<_>>(),
        ["hello.txt", "3", "12", "0.00%"]
    );
    assert_eq!(
        lines[4].split_whitespace().collect::<Vec<_>>(),
        ["total", "7", "29", "0.01%"]
    );
    assert_eq!(lines[5], "gpt-4o, o200k_base, context window 128,000");
}

#[test]
fn directories_honour_gitignore_and_skip_binary_files() {
    let o = count(&["dir", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    let paths: Vec<&str> = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["dir/a.txt", "dir/sub/b.md"]);
    assert_eq!(j["total"]["tokens"], 11);
    assert_eq!(j["skipped"][0]["path"], "dir/blob.bin");
    assert_eq!(j["skipped"][0]["reason"], "binary file (NUL byte)");
    let o = count(&["dir"]);
    assert!(
        o.stderr
            .contains("note: skipped dir/blob.bin: binary file (NUL byte)"),
        "{}",
        o.stderr
    );
}

#[test]
fn glob_patterns_are_expanded() {
    let o = count(&["dir/**/*.md", "-q"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "7\n"));
    let o = count(&["nothing/*.txt"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stderr, "error: pattern 'nothing/*.txt' matches no file\n");
}

#[test]
fn chat_json_is_detected_and_counted_with_the_cookbook_rule() {
    let o = count(&["chat.json"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "53\n"));
    let o = count(&["anthropic.json", "-m", "gpt-4o"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "30\n"));
    // without -m, the request's own model (claude-sonnet-4-5): the calibrated estimate of 30
    let o = count(&["anthropic.json"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "~35 (31–39)\n"));
    let o = count(&["request.json", "--messages"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "17\n"));
    let o = count(&["chat.json", "--json"]);
    let j = json(&o);
    let per: Vec<u64> = j["inputs"][0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["tokens"].as_u64().unwrap())
        .collect();
    assert_eq!(per, [15, 13, 11, 11]);
    assert_eq!(j["inputs"][0]["kind"], "chat");
}

#[test]
fn verbose_shows_the_per_message_breakdown() {
    let o = count(&["chat.json", "--verbose"]);
    assert_eq!(o.code, 0);
    let rows: Vec<Vec<&str>> = o
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(rows.contains(&vec!["0", "system", "15"]), "{}", o.stdout);
    assert!(rows.contains(&vec!["1", "user", "13"]));
    assert!(rows.contains(&vec!["3", "user", "11"]));
    assert!(rows.contains(&vec!["reply", "priming", "3"]));
}

#[test]
fn jsonl_reports_per_line_statistics() {
    let o = count(&["batch.jsonl", "--jsonl", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    let lines = &j["inputs"][0]["lines"];
    assert_eq!(j["inputs"][0]["tokens"], 40);
    assert_eq!(lines["count"], 4);
    assert_eq!(
        (
            lines["min"].as_u64(),
            lines["median"].as_u64(),
            lines["p95"].as_u64(),
            lines["max"].as_u64()
        ),
        (Some(1), Some(4), Some(26), Some(26))
    );
    assert_eq!(
        lines["largest"][0],
        serde_json::json!({"line": 4, "tokens": 26})
    );
    let o = count(&["batch.jsonl", "--jsonl"]);
    assert!(
        o.stdout
            .contains("batch.jsonl: 4 lines, min 1, median 4, p95 26, max 26"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("batch.jsonl:4"));
}

#[test]
fn jsonl_bad_lines_are_named_and_the_rest_counted() {
    let o = count(&["badlines.jsonl", "--jsonl", "-q"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "1\n");
    assert!(
        o.stderr.contains(
            "error: badlines.jsonl:2: malformed JSON at line 1, column 2: key must be a string"
        ),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("error: badlines.jsonl:3: expected a JSON string"),
        "{}",
        o.stderr
    );
}

#[test]
fn gates_exit_1_naming_every_input_over_its_limit() {
    let o = count(&["hello.txt", "dir/a.txt", "chat.json", "--max-tokens", "3"]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "over limit: dir/a.txt: 4 tokens, 1 over --max-tokens 3\nover limit: chat.json: 53 tokens, 50 over --max-tokens 3\n"
    );
    assert!(o.stdout.contains("over by 50"));
    let o = count(&["hello.txt", "--max-tokens", "3"]);
    assert_eq!(o.code, 0);
    let o = count(&["hello.txt", "dir/a.txt", "--max-total", "6"]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "over limit: total: 7 tokens, 1 over --max-total 6\n"
    );
    let o = count(&["hello.txt", "dir/a.txt", "--max-total", "7", "--json"]);
    assert_eq!(o.code, 0);
    assert_eq!(json(&o)["total"].get("over_by"), None);
}

#[test]
fn show_tokens_prints_each_token() {
    let o = count(&["hello.txt", "--show-tokens"]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "0\t\"Hello\"\n1\t\" world\"\n2\t\"\\n\"\n")
    );
    let o = count(&["hello.txt", "--show-tokens", "--ids"]);
    assert_eq!(
        o.stdout,
        "0\t13225\t\"Hello\"\n1\t2375\t\" world\"\n2\t198\t\"\\n\"\n"
    );
    assert_eq!(o.stderr, "hello.txt: 3 tokens (o200k_base)\n");
    // A token holding part of a character is shown as hex.
    let o = count(&["--text", "🤗", "--show-tokens", "--encoding", "r50k_base"]);
    assert_eq!(o.stdout, "0\t<f0 9f>\n1\t<a4>\n2\t<97>\n");
}

#[test]
fn truncate_cuts_to_n_tokens_without_splitting_characters() {
    let o = count(&["hello.txt", "--truncate", "2"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "Hello world"));
    assert_eq!(o.stderr, "hello.txt: kept 2 of 3 tokens (11 of 12 bytes)\n");
    // 🤗 is two tokens in r50k_base; cutting after one would split the character.
    let o = count(&[
        "--text",
        "a🤗",
        "--truncate",
        "2",
        "--encoding",
        "r50k_base",
    ]);
    assert_eq!(o.stdout, "a");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("short.txt");
    let o = count(&[
        "hello.txt",
        "--truncate",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!((o.code, o.stdout.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "Hello");
}

#[test]
fn models_without_a_local_tokenizer_are_estimated_unless_exact() {
    // The one rule: a labelled estimate with o200k_base, never an error, never unlabelled.
    let o = count(&["hello.txt", "--model", "claude-sonnet-4-5"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "~3 (3–4)\n"));
    assert_eq!(
        o.stderr,
        "warning: claude-sonnet-4-5 has no exact local tokenizer; estimated from o200k_base, calibrated for Claude 3 to 4.6, with its range\n"
    );
    let j = json(&count(&[
        "hello.txt",
        "--model",
        "claude-sonnet-4-5",
        "--json",
    ]));
    assert_eq!(
        (&j["approximate"], &j["basis"], &j["inputs"][0]["tokens"]),
        (&true.into(), &"o200k_base".into(), &3.into())
    );
    // --exact refuses instead.
    let o = count(&["hello.txt", "--model", "claude-sonnet-4-5", "--exact"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with("error: claude-sonnet-4-5 (anthropic) has no exact local tokenizer: Anthropic does not publish one, and --exact refuses estimates"), "{}", o.stderr);
    assert_eq!(o.stdout, "");
    // the calibrated range is in tests/it/cli_estimates.rs
    let o = count(&[
        "hello.txt",
        "--model",
        "claude-sonnet-4-5",
        "--encoding",
        "o200k_base",
    ]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "~3\n"));
    assert!(o.stderr.contains("approximation"));
    let o = count(&[
        "hello.txt",
        "dir/a.txt",
        "--model",
        "claude-sonnet-4-5",
        "--encoding",
        "o200k_base",
    ]);
    assert!(o.stdout.contains("tokens (approx.)"));
    assert!(o.stdout.contains("~7"));
    assert!(o.stdout.contains("approximate:"));
    let o = count(&[
        "hello.txt",
        "--model",
        "claude-sonnet-4-5",
        "--encoding",
        "o200k_base",
        "--json",
    ]);
    let j = json(&o);
    assert_eq!(j["approximate"], true);
    assert_eq!(o.stderr, "");
    // The wrong OpenAI encoding for a model is an approximation too.
    let o = count(&[
        "hello.txt",
        "--model",
        "gpt-4o",
        "--encoding",
        "cl100k_base",
        "--json",
    ]);
    assert_eq!(json(&o)["approximate"], true);
}

#[test]
fn unknown_models_and_encodings_are_usage_errors() {
    let o = count(&["hello.txt", "--model", "gpt-4x-turbo-nonexistent"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: unknown model 'gpt-4x-turbo-nonexistent'"),
        "{}",
        o.stderr
    );
    let o = count(&["hello.txt", "--encoding", "o300k"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown encoding 'o300k' (expected one of: o200k_base, o200k_harmony, cl100k_base, p50k_base, r50k_base, qwen2, qwen3_5, deepseek_v3, mistral_tekken, p50k_edit, gpt2)"), "{}", o.stderr);
}

#[test]
fn bad_inputs_are_named_and_the_good_ones_still_reported() {
    let o = count(&["missing.txt", "hello.txt"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "3\n");
    assert_eq!(
        o.stderr,
        "error: reading missing.txt: No such file or directory (os error 2)\n"
    );
    let o = count(&["invalid-utf8.txt"]);
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    assert_eq!(
        o.stderr,
        "error: invalid-utf8.txt: invalid UTF-8 at byte offset 3\n"
    );
    let o = count(&["empty.txt"]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "0\n", "")
    );
    let o = count(&["broken.json", "--messages"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: broken.json: malformed JSON at line 1, column 33: EOF while parsing an object\n"
    );
    // Without --messages, JSON that is not chat is just text.
    let o = count(&["broken.json"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "13\n"));
}

/// A command that runs without root's power to read anything: as `nobody` via setpriv when
/// the tests run as root (as CI does), as the current user otherwise.
fn unprivileged(dir: &std::path::Path) -> std::process::Command {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        return cmd(dir);
    }
    let mut c = std::process::Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tokenbudget"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("TOKENBUDGET_MODEL");
    c
}

#[test]
fn unreadable_directory_and_file_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("secret.txt"), "x").unwrap();
    std::fs::write(dir.path().join("ok.txt"), "Hello world\n").unwrap();
    std::fs::write(dir.path().join("private.txt"), "Hello\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(
        dir.path().join("private.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let o = run_cmd(
        unprivileged(dir.path()),
        &["count", "locked", "private.txt", "ok.txt"],
        None,
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert_eq!(o.stdout, "3\n");
    assert_eq!(
        o.stderr,
        "error: reading private.txt: Permission denied (os error 13)\nerror: reading locked: Permission denied (os error 13)\n"
    );
}

#[test]
fn no_input_on_a_terminal_is_a_usage_error_and_help_has_examples() {
    let o = count(&["--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("Examples:"));
    let o = count(&["--max-tokens", "abc", "hello.txt"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("invalid value 'abc'"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let o = count(&[
        "hello.txt",
        "dir/a.txt",
        "--max-tokens",
        "3",
        "--color",
        "always",
    ]);
    assert!(
        o.stdout.contains("\x1b[31mover by 1\x1b[0m"),
        "{}",
        o.stdout
    );
    let o = count(&["hello.txt", "dir/a.txt", "--max-tokens", "3"]);
    assert!(!o.stdout.contains('\x1b'));
}

#[test]
fn a_one_megabyte_line_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    // 200,000 × "hello " on one line: "hello", then 199,999 × " hello", then the trailing " ".
    std::fs::write(dir.path().join("line.txt"), "hello ".repeat(200_000)).unwrap();
    let record = serde_json::to_string(&"word ".repeat(200_000)).unwrap();
    std::fs::write(dir.path().join("big.jsonl"), format!("{record}\n\"x\"\n")).unwrap();
    let o = run_in(dir.path(), &["count", "line.txt"], None);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "200001\n", "")
    );
    let o = run_in(
        dir.path(),
        &["count", "big.jsonl", "--jsonl", "--json"],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["inputs"][0]["tokens"], 200_002);
    assert_eq!(
        j["inputs"][0]["lines"]["largest"][0],
        serde_json::json!({"line": 1, "tokens": 200_001})
    );
}

#[test]
fn show_tokens_and_truncate_in_json() {
    let o = count(&["hello.txt", "--show-tokens", "--json"]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    assert_eq!(
        json(&o),
        serde_json::json!({
            "path": "hello.txt", "encoding": "o200k_base", "count": 3,
            "tokens": [
                {"id": 13225, "bytes": [72, 101, 108, 108, 111], "text": "Hello"},
                {"id": 2375, "bytes": [32, 119, 111, 114, 108, 100], "text": " world"},
                {"id": 198, "bytes": [10], "text": "\n"}
            ]
        })
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cut.txt");
    let o = count(&[
        "hello.txt",
        "--truncate",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    assert_eq!(
        json(&o),
        serde_json::json!({"path": "hello.txt", "tokens": 3, "kept_tokens": 2, "kept_bytes": 11, "bytes": 12})
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "Hello world");
}

#[test]
fn sort_by_path_and_quiet_total() {
    let o = count(&["hello.txt", "dir/a.txt", "--sort", "path"]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    let first: Vec<&str> = o
        .stdout
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(first, ["dir/a.txt", "hello.txt", "total", "gpt-4o,"]);
    let o = count(&["hello.txt", "dir/a.txt", "-q"]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "7\n", "")
    );
}

#[test]
fn exact_bytes_crlf_bom_and_special_token_text() {
    // CRLF is not translated, a BOM is not stripped, special-token text is ordinary text.
    let o = count(&["--text", "a\r\nb", "--show-tokens"]);
    assert_eq!(o.stdout, "0\t\"a\"\n1\t\"\\r\\n\"\n2\t\"b\"\n");
    let o = count(&["--text", "\u{feff}hi", "-q"]);
    assert_eq!(o.stdout, "2\n");
    let o = count(&["--text", "<|endoftext|>", "-q"]);
    assert_eq!(o.stdout, "7\n");
}
