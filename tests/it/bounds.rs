//! Reading stays where it belongs and work stays bounded: `check` reads only regular files
//! inside the repository, price files must be regular and at most 32 MiB, and long lists on
//! stderr are cut with a count. Each test runs the binary.

use std::path::Path;

use crate::common::{self, run_in};

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// `outer/secret.txt` beside `outer/repo/` (a git repository) holding `tokenbudget.toml`.
fn repo_with_secret() -> (tempfile::TempDir, std::path::PathBuf) {
    let outer = tempfile::tempdir().unwrap();
    write(
        &outer.path().join("secret.txt"),
        "TOKEN=hunter2 and more words",
    );
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("prompts")).unwrap();
    write(&repo.join("prompts/a.txt"), "hello world");
    (outer, repo)
}

fn config(repo: &Path, path: &str) {
    write(
        &repo.join("tokenbudget.toml"),
        &format!("[[budget]]\npath = \"{path}\"\nmax_tokens = 100\n"),
    );
}

#[test]
fn check_refuses_paths_that_leave_the_repository() {
    let (_outer, repo) = repo_with_secret();
    for path in [
        "../secret.txt",
        "../../../../../../../proc/self/environ",
        "../../../../../../../proc/self/pagemap",
        "prompts/../../secret.txt",
        "../*.txt",
        "../missing/*.txt",
    ] {
        config(&repo, path);
        let out = run_in(&repo, &["check"], None);
        assert_eq!(out.code, 2, "{path}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.starts_with(&format!(
                "error: tokenbudget.toml:2:8: path \"{path}\" leads outside the repository"
            )),
            "{path}: {}",
            out.stderr
        );
        assert!(!out.stdout.contains("hunter2") && !out.stderr.contains("hunter2"));
        // --json: a config error at its line, nothing counted.
        let out = run_in(&repo, &["check", "--json"], None);
        assert_eq!(out.code, 2);
        let j = common::json(&out);
        assert_eq!(j["budgets"].as_array().unwrap().len(), 0);
        assert_eq!(j["errors"][0]["line"], 2);
        assert_eq!(j["errors"][0]["column"], 8);
    }
}

#[cfg(unix)]
#[test]
fn check_does_not_follow_symlinks_out_of_the_repository() {
    let (outer, repo) = repo_with_secret();
    std::os::unix::fs::symlink(outer.path().join("secret.txt"), repo.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(outer.path(), repo.join("up")).unwrap();
    for path in ["link.txt", "up/secret.txt", "up/*.txt", "up"] {
        config(&repo, path);
        let out = run_in(&repo, &["check"], None);
        assert_eq!(out.code, 2, "{path}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("leads outside the repository"),
            "{path}: {}",
            out.stderr
        );
    }
    // A glob's walk never follows a link either: `*.txt` matches the real file only.
    config(&repo, "*.txt");
    write(&repo.join("b.txt"), "one two");
    let out = run_in(&repo, &["check", "--json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = common::json(&out);
    let files: Vec<&str> = j["budgets"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["b.txt"]);
}

#[test]
fn check_allows_the_repository_root_above_the_config() {
    let (_outer, repo) = repo_with_secret();
    std::fs::create_dir_all(repo.join("ci")).unwrap();
    write(
        &repo.join("ci/tokenbudget.toml"),
        "[[budget]]\npath = \"../prompts/a.txt\"\nmax_tokens = 100\n",
    );
    let out = run_in(&repo.join("ci"), &["check", "--json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(common::json(&out)["budgets"][0]["tokens"], 2);
    // Without a repository, the config's directory is the limit.
    std::fs::remove_dir(repo.join(".git")).unwrap();
    let out = run_in(&repo.join("ci"), &["check"], None);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("leads outside the repository"),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn check_never_reads_a_fifo_or_a_device() {
    let (_outer, repo) = repo_with_secret();
    let made = std::process::Command::new("mkfifo")
        .arg(repo.join("pipe"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    config(&repo, "pipe");
    let out = run_in(&repo, &["check"], None);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("tokenbudget.toml:2:8: pipe is a FIFO; budgets read only regular files"),
        "{}",
        out.stderr
    );
}

#[test]
fn price_files_must_be_regular_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["models", "--prices", "/dev/zero"], None);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: invalid prices file /dev/zero: it is a character device; a price file must be \
         a regular file\n"
    );
    let mut c = common::cmd(dir.path());
    c.env("TOKENBUDGET_PRICES", "/dev/zero");
    let out = common::run_cmd(c, &["cost", "--input-tokens", "5"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("a price file must be a regular file"),
        "{}",
        out.stderr
    );
    let out = run_in(dir.path(), &["models", "--prices", "."], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("it is a directory"), "{}", out.stderr);
    // 32 MiB + 1 byte (sparse): refused before it is read.
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((32 << 20) + 1)
        .unwrap();
    let out = run_in(dir.path(), &["models", "--prices", "big.json"], None);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: invalid prices file big.json: larger than 32 MiB, the limit for price files\n"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_as_price_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("p.json"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let out = run_in(dir.path(), &["models", "--prices", "p.json"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("it is a FIFO"), "{}", out.stderr);
}

#[test]
fn fit_summarises_a_long_list_of_dropped_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut messages = vec![serde_json::json!({"role": "system", "content": "Be brief."})];
    for i in 0..40 {
        let role = if i % 2 == 0 { "user" } else { "assistant" };
        messages.push(serde_json::json!({"role": role, "content": "word ".repeat(50)}));
    }
    messages.push(serde_json::json!({"role": "user", "content": "Question?"}));
    let body = serde_json::json!({"model": "gpt-4o", "max_tokens": 10, "messages": messages});
    write(&dir.path().join("r.json"), &body.to_string());
    let out = run_in(
        dir.path(),
        &[
            "plan",
            "--request",
            "r.json",
            "--fit",
            "--context-window",
            "200",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[0].starts_with("dropped 37 history messages (2,035 tokens):"),
        "{}",
        out.stderr
    );
    assert_eq!(lines[1], "  messages[1] user 55 tokens (over the window)");
    assert_eq!(
        lines[10],
        "  messages[10] assistant 55 tokens (over the window)"
    );
    assert_eq!(lines[11], "  … and 27 more (--json --out lists them)");
    assert!(lines[12].starts_with("fitted: input "), "{}", out.stderr);
    let fitted: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(fitted["messages"].as_array().unwrap().len(), 42 - 37);
}

#[test]
fn count_summarises_a_long_list_of_bad_jsonl_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("\"good\"\n");
    for _ in 0..25 {
        text.push_str("{bad\n");
    }
    write(&dir.path().join("b.jsonl"), &text);
    let out = run_in(dir.path(), &["count", "--jsonl", "b.jsonl"], None);
    assert_eq!(out.code, 2);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 11, "{}", out.stderr);
    assert!(
        lines[0].starts_with("error: b.jsonl:2: malformed JSON"),
        "{}",
        out.stderr
    );
    assert!(
        lines[9].starts_with("error: b.jsonl:11: malformed JSON"),
        "{}",
        out.stderr
    );
    assert_eq!(
        lines[10],
        "error: b.jsonl: … and 15 more bad lines (--json lists them)"
    );
    let out = run_in(dir.path(), &["count", "--jsonl", "b.jsonl", "--json"], None);
    let j = common::json(&out);
    assert_eq!(
        j["inputs"][0]["lines"]["errors"].as_array().unwrap().len(),
        25
    );
}

/// A request of `n` messages in the shape of `benches/gen-request.py`: a system message, short
/// user and assistant turns, a tool call and its result every 50 messages, a last question.
fn long_request(n: usize) -> String {
    let words = [
        "the", "a", "function", "returns", "value", "file", "test", "error",
    ];
    let mut s = String::from("{\"model\": \"gpt-4o\", \"max_tokens\": 1000, \"messages\": [\n");
    s.push_str(r#"{"role": "system", "content": "You are a helpful assistant."}"#);
    let mut i = 1;
    while i < n - 1 {
        if i % 50 == 0 && i + 2 < n - 1 {
            s.push_str(&format!(
                ",\n{{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{{\"id\": \"c{i}\", \"type\": \"function\", \"function\": {{\"name\": \"lookup\", \"arguments\": \"{{\\\"q\\\":\\\"x\\\"}}\"}}}}]}},\n{{\"role\": \"tool\", \"tool_call_id\": \"c{i}\", \"content\": \"{}\"}}",
                words[i % 8]
            ));
            i += 2;
            continue;
        }
        let role = if i % 2 == 1 { "user" } else { "assistant" };
        let text: Vec<&str> = (0..1 + i % 3).map(|k| words[(i * 7 + k) % 8]).collect();
        s.push_str(&format!(
            ",\n{{\"role\": \"{role}\", \"content\": \"{}\"}}",
            text.join(" ")
        ));
        i += 1;
    }
    s.push_str(",\n{\"role\": \"user\", \"content\": \"What changed?\"}\n]}\n");
    s
}

/// Run the binary in `dir` with `args`, stdout to `out`; its exit code and peak resident
/// memory in bytes (`wait4`'s `ru_maxrss`, this child's alone).
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its rusage
fn run_peak(dir: &Path, args: &[&str], out: &Path) -> (i32, u64) {
    use std::os::unix::process::ExitStatusExt;
    let child = common::cmd(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let code = std::process::ExitStatus::from_raw(status)
        .code()
        .unwrap_or(-1);
    (code, usage.ru_maxrss as u64 * 1024)
}

/// A request of 100,000 messages is held about once: `count`, `plan` and `plan --fit` need at
/// most 4× its size beyond what a 10-message request needs (the whole tree the tree path
/// built took 11× for `count` and over 20× for `--fit`; reading it into byte ranges takes
/// about 1.5–2.5×, see the README's memory table). The counts are exact: the same as the
/// request parsed into a value, message by message.
#[cfg(target_os = "linux")]
#[test]
fn a_long_request_is_held_about_once() {
    use tokenbudget::plan::{self, ImageRule, Prompt};
    let dir = tempfile::tempdir().unwrap();
    let big = long_request(100_000);
    write(&dir.path().join("big.json"), &big);
    write(&dir.path().join("small.json"), &long_request(10));
    let out = dir.path().join("out");
    let tok = tokenbudget::tokenize::Encoding::O200kBase.tokenizer();
    let value: serde_json::Value = serde_json::from_str(&big).unwrap();
    let prompt = Prompt::from_request(value, Path::new(".")).unwrap();
    let want = plan::count(&prompt, tok, ImageRule::OpenAi).unwrap();
    let want_total = want.items.iter().sum::<u64>() + want.tools + want.overhead;
    drop(prompt);
    for args in [
        &["count", "-m", "gpt-4o", "--json"][..],
        &["plan", "--request"][..],
        &[
            "plan",
            "--fit",
            "--context-window",
            "20000",
            "--json",
            "--out",
            "fitted.json",
            "--request",
        ][..],
    ] {
        let mut small_args = args.to_vec();
        let mut big_args = args.to_vec();
        small_args.push("small.json");
        big_args.push("big.json");
        let (code, small) = run_peak(dir.path(), &small_args, &out);
        assert!(
            code == 0 || code == 1,
            "{args:?} on the small request: exit {code}"
        );
        let (code, peak) = run_peak(dir.path(), &big_args, &out);
        let report = std::fs::read_to_string(&out).unwrap();
        assert!(code == 0 || code == 1, "{args:?}: exit {code}: {report}");
        let grown = peak.saturating_sub(small);
        assert!(
            grown < 4 * big.len() as u64,
            "{args:?}: {grown} bytes more than for 10 messages, for a {}-byte request",
            big.len()
        );
        let j: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
        if args[0] == "count" {
            assert_eq!(j["total"]["tokens"], want_total, "{report:.300}");
        } else if args.contains(&"--fit") {
            assert_eq!(j["fit"]["input_tokens_before"], want_total, "{report:.300}");
        }
    }
}
