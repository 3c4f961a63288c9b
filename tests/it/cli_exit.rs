//! Exit statuses that nothing hides: a reader closing the pipe early never changes the status
//! and prints nothing; closed stdin is "no input" (exit 2), never 0 tokens.

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{cmd, fixtures};

/// Run with stdout a pipe whose reader is already gone, so the first write gets EPIPE, as
/// under `| head -1` once head has exited. Returns (exit code, stderr).
fn run_into_closed_pipe(dir: &Path, args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = cmd(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn over_budget_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("AGENTS.md"),
        "Agent rules here, and more of them.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tokenbudget.toml"),
        "model = \"gpt-4o\"\n\n[[budget]]\npath = \"AGENTS.md\"\nmax_tokens = 2\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_broken_pipe_keeps_the_exit_status_and_prints_nothing() {
    let repo = over_budget_repo();
    let o = common::run_in(repo.path(), &["check"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    for format in [
        &["check"][..],
        &["check", "--json"],
        &["check", "--format", "github"],
    ] {
        assert_eq!(
            run_into_closed_pipe(repo.path(), format),
            (1, String::new()),
            "{format:?}"
        );
    }
    let count = fixtures().join("count");
    assert_eq!(
        run_into_closed_pipe(&count, &["models", "--json"]),
        (0, String::new())
    );
    assert_eq!(
        run_into_closed_pipe(&count, &["models"]),
        (0, String::new())
    );
    // The command's own stderr stays; nothing is said about the pipe.
    assert_eq!(
        run_into_closed_pipe(&count, &["count", "hello.txt", "--max-tokens", "1"]),
        (
            1,
            "over limit: hello.txt: 3 tokens, 2 over --max-tokens 1\n".to_string()
        )
    );
    assert_eq!(
        run_into_closed_pipe(&count, &["count", "hello.txt", "--show-tokens"]),
        (0, "hello.txt: 3 tokens (o200k_base)\n".to_string())
    );
}

#[test]
fn pipefail_sees_the_budget_status_through_head() {
    let repo = over_budget_repo();
    let bin = env!("CARGO_BIN_EXE_tokenbudget");
    // Enough budgets that the table is larger than a pipe buffer, so head exits first.
    let mut config = String::from("model = \"gpt-4o\"\n");
    for i in 0..3000 {
        config.push_str(&format!(
            "\n[[budget]]\nname = \"budget number {i}\"\npath = \"AGENTS.md\"\nmax_tokens = 2\n"
        ));
    }
    std::fs::write(repo.path().join("tokenbudget.toml"), config).unwrap();
    let o = Command::new("bash")
        .current_dir(repo.path())
        .env("TB", bin)
        .env_remove("NO_COLOR")
        .args([
            "-c",
            "set -o pipefail; \"$TB\" check | head -1 >/dev/null; echo \"status $?\"",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "status 1\n");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    let o = Command::new("bash")
        .current_dir(repo.path())
        .env("TB", bin)
        .args([
            "-c",
            "set -o pipefail; \"$TB\" models --json | head -c 1 >/dev/null; echo \"status $?\"",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "status 0\n");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
}

/// Run with file descriptor 0 closed (`<&-`).
fn run_stdin_closed(dir: &Path, args: &str) -> (i32, String, String) {
    let o = Command::new("sh")
        .current_dir(dir)
        .env("TB", env!("CARGO_BIN_EXE_tokenbudget"))
        .env_remove("TOKENBUDGET_MODEL")
        .args(["-c", &format!("exec \"$TB\" {args} <&-")])
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn closed_stdin_is_no_input() {
    let d = fixtures().join("count");
    let implicit = "error: no input: stdin is closed (or /dev/null) and no path was given; give \
                    a file, a directory, a glob, or --text\n";
    let explicit = "error: reading stdin: no input (stdin is closed or /dev/null)\n";
    assert_eq!(
        run_stdin_closed(&d, "count"),
        (2, String::new(), implicit.to_string())
    );
    assert_eq!(
        run_stdin_closed(&d, "count --json"),
        (2, String::new(), implicit.to_string())
    );
    let (code, stdout, stderr) = run_stdin_closed(&d, "count -");
    assert_eq!((code, stderr.as_str()), (2, explicit), "{stdout}");
    assert_eq!(
        run_stdin_closed(&d, "cost --model gpt-4o"),
        (2, String::new(), explicit.to_string())
    );
    assert_eq!(
        run_stdin_closed(&d, "plan --request -"),
        (2, String::new(), explicit.to_string())
    );
    assert_eq!(
        run_stdin_closed(&d, "scan-logs"),
        (
            2,
            String::new(),
            "error: no input: stdin is closed (or /dev/null) and no path was given; give a log \
             file or a directory\n"
                .to_string()
        )
    );
    assert_eq!(
        run_stdin_closed(&d, "scan-logs -"),
        (2, String::new(), explicit.to_string())
    );
    // A file still counts with stdin closed, and an empty pipe is an empty input.
    assert_eq!(
        run_stdin_closed(&d, "count hello.txt"),
        (0, "3\n".to_string(), String::new())
    );
    let o = common::run_in(&d, &["count"], Some(b""));
    assert_eq!((o.code, o.stdout.as_str()), (0, "0\n"));
    // plan's piped user message is optional: closed stdin is just no user message.
    let plan = fixtures().join("plan");
    let (code, _, stderr) = run_stdin_closed(&plan, "plan --system system.txt --json");
    assert_eq!((code, stderr.as_str()), (0, ""));
}
