//! `count` at scale, through the binary: inputs larger than a block are streamed (files and
//! stdin), JSONL of one large file is counted on all cores with the same per-line results and
//! `file:line` errors in order, `--field` picks one field (or several) of each line, and one
//! large input gets a progress bar on a terminal. The engine's counts themselves are checked
//! against tiktoken in `crosscheck.rs`; here the binary's streamed answer must equal the
//! library's whole-text count.

use crate::common;
use common::*;

use std::path::Path;

use tokenbudget::count::{JsonlStats, LineCount, LineError, count_jsonl_record};
use tokenbudget::stream::BLOCK;
use tokenbudget::tokenize::Encoding;

/// A deterministic mixed text of about `len` bytes: English, code, digits, CJK, Cyrillic,
/// emoji, marks, long runs of spaces and punctuation, CRLF.
fn mixed_text(len: usize) -> String {
    let parts = [
        "The quick brown fox jumps over the lazy dog. ",
        "fn main() { println!(\"{}\", 42 + x_1); }\n",
        "東京都の人口は約1400万人です。",
        "Привет, мир! Это тест.\r\n",
        "😀👍🏽 emoji and e\u{301}\u{301} marks ",
        "        indented    spaces   \n\n\n",
        "=================================== ",
        "1234567890123 3.14159 0xDEADBEEF ",
        "It's we'LL they'Re ſ's ",
        "ab1cd2ef3 1a2b3c ",
    ];
    let mut s = String::with_capacity(len + 64);
    let mut i = 0usize;
    while s.len() < len {
        s.push_str(parts[(i * 7 + i / 3) % parts.len()]);
        i += 1;
    }
    s
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    std::fs::write(dir.join(name), bytes).expect("write test file");
    name.to_string()
}

#[test]
fn a_file_larger_than_a_block_is_streamed_with_the_exact_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = mixed_text(2 * BLOCK + 12_345);
    let f = write(dir.path(), "big.txt", text.as_bytes());
    for enc in [
        Encoding::O200kBase,
        Encoding::Cl100kBase,
        Encoding::R50kBase,
    ] {
        let want = enc.tokenizer().count(&text);
        let o = run_in(dir.path(), &["count", "--encoding", enc.name(), &f], None);
        assert_eq!((o.code, o.stderr.as_str()), (0, ""), "{enc}");
        assert_eq!(o.stdout, format!("{want}\n"), "{enc}");
    }
    // the JSON report says how many bytes were read
    let o = run_in(dir.path(), &["count", &f, "--json"], None);
    let j = json(&o);
    assert_eq!(j["inputs"][0]["bytes"], text.len() as u64);
    assert_eq!(j["inputs"][0]["kind"], "text");
    // stdin streams the same way
    let want = Encoding::O200kBase.tokenizer().count(&text);
    let o = run_in(
        dir.path(),
        &["count", "-e", "o200k_base"],
        Some(text.as_bytes()),
    );
    assert_eq!((o.code, o.stdout.clone()), (0, format!("{want}\n")));
}

#[test]
fn invalid_utf8_after_the_first_block_names_its_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = mixed_text(BLOCK + 100_000).into_bytes();
    // on a char boundary well after the first block
    let mut at = BLOCK + 50_000;
    while bytes[at] & 0xC0 == 0x80 {
        at += 1;
    }
    bytes.insert(at, 0xFF);
    let f = write(dir.path(), "bad.txt", &bytes);
    let o = run_in(dir.path(), &["count", &f], None);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        format!("error: bad.txt: invalid UTF-8 at byte offset {at}\n")
    );
    // a walked file is skipped as not UTF-8, as when it is read whole
    std::fs::create_dir(dir.path().join("d")).expect("mkdir");
    std::fs::write(dir.path().join("d/bad.txt"), &bytes).expect("write");
    std::fs::write(dir.path().join("d/ok.txt"), "Hello world").expect("write");
    let o = run_in(dir.path(), &["count", "d", "--json"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["total"]["tokens"], 2);
    assert_eq!(
        j["skipped"][0]["reason"],
        format!("not UTF-8 (invalid byte at offset {at})")
    );
}

/// The statistics of `lines` computed the plain way: every count kept and sorted.
fn expected_stats(path: &str, text: &str, largest: usize) -> (u64, JsonlStats) {
    let tok = Encoding::O200kBase.tokenizer();
    let mut counts = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        match count_jsonl_record(tok, line) {
            Ok(tokens) => counts.push(LineCount {
                line: i as u64 + 1,
                tokens,
            }),
            Err(error) => errors.push(LineError {
                line: i as u64 + 1,
                error,
            }),
        }
    }
    let _ = path;
    let mut sorted: Vec<u64> = counts.iter().map(|c| c.tokens).collect();
    sorted.sort_unstable();
    let n = sorted.len() as u64;
    let rank = |p: u64| sorted[((p * n).div_ceil(100).max(1) - 1) as usize];
    let mut top = counts.clone();
    top.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.line.cmp(&b.line)));
    top.truncate(largest);
    (
        counts.iter().map(|c| c.tokens).sum(),
        JsonlStats {
            count: n,
            min: sorted[0],
            median: rank(50),
            p95: rank(95),
            max: sorted[sorted.len() - 1],
            largest: top,
            errors,
        },
    )
}

/// A JSONL file of about `len` bytes: JSON strings, chat requests, blank and CRLF lines, and a
/// malformed line every 997 lines.
fn jsonl_text(len: usize) -> String {
    let mut s = String::new();
    let mut i = 0usize;
    let mixed = mixed_text(4096);
    while s.len() < len {
        i += 1;
        let piece: String = mixed
            .chars()
            .skip((i * 31) % 3000)
            .take(i % 97 + 1)
            .collect();
        let line = match i % 5 {
            _ if i.is_multiple_of(997) => "{\"messages\": [".to_string(),
            0 => serde_json::json!({"messages": [{"role": "user", "content": piece}]}).to_string(),
            1 => String::new(),
            2 => format!("{}\r", serde_json::to_string(&piece).unwrap_or_default()),
            _ => serde_json::to_string(&piece).unwrap_or_default(),
        };
        s.push_str(&line);
        s.push('\n');
    }
    s
}

#[test]
fn jsonl_of_one_large_file_gives_the_same_lines_stats_and_errors_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = jsonl_text(BLOCK + BLOCK / 2);
    let f = write(dir.path(), "big.jsonl", text.as_bytes());
    let (total, want) = expected_stats(&f, &text, 7);
    assert!(want.errors.len() >= 10, "the file has malformed lines");
    assert!(
        want.errors.iter().any(|e| e.line > 30_000),
        "errors fall in later blocks too"
    );
    let o = run_in(
        dir.path(),
        &["count", &f, "--jsonl", "--json", "--top", "7"],
        None,
    );
    assert_eq!(o.code, 2, "malformed lines are input errors");
    let j = json(&o);
    assert_eq!(j["inputs"][0]["tokens"], total);
    assert_eq!(
        j["inputs"][0]["lines"],
        serde_json::to_value(&want).expect("json")
    );
    // stderr shows the first ten bad lines and how many more there are
    let mut stderr: Vec<String> = want
        .errors
        .iter()
        .take(10)
        .map(|e| format!("error: {f}:{}: {}", e.line, e.error))
        .collect();
    stderr.push(format!(
        "error: {f}: … and {} more bad lines (--json lists them)",
        want.errors.len() - 10
    ));
    assert_eq!(o.stderr, stderr.join("\n") + "\n");
}

#[test]
fn field_counts_one_field_of_each_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "sft.jsonl",
        concat!(
            "{\"text\": \"Hello world\", \"id\": 1}\n",
            "{\"text\": \"Hello\", \"meta\": {\"prompt\": \"x\"}}\n",
            "\n",
            "{\"id\": 3}\n",
            "{\"text\": 42}\n",
        )
        .as_bytes(),
    );
    let o = run_in(
        dir.path(),
        &["count", &f, "--jsonl", "--field", "text", "--json"],
        None,
    );
    assert_eq!(o.code, 2);
    let j = json(&o);
    assert_eq!(j["inputs"][0]["tokens"], 3);
    assert_eq!(j["inputs"][0]["lines"]["count"], 2);
    assert_eq!(
        o.stderr,
        "error: sft.jsonl:4: no field `text`\n\
         error: sft.jsonl:5: field `text` is a number, not text (a string) or chat messages\n"
    );

    // prompt/completion pairs: the sum of both fields; nested paths and array indices
    let f = write(
        dir.path(),
        "pairs.jsonl",
        concat!(
            "{\"prompt\": \"Hello\", \"completion\": \" world\"}\n",
            "{\"prompt\": \"Hello world\", \"completion\": \"!\"}\n",
        )
        .as_bytes(),
    );
    let o = run_in(
        dir.path(),
        &[
            "count",
            &f,
            "--jsonl",
            "--field",
            "prompt",
            "--field",
            "completion",
            "--json",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["inputs"][0]["tokens"], 5);
    assert_eq!(j["inputs"][0]["lines"]["max"], 3);
    let f = write(
        dir.path(),
        "nested.jsonl",
        "{\"a\": {\"b\": [\"x\", \"Hello world\"]}}\n".as_bytes(),
    );
    let o = run_in(
        dir.path(),
        &["count", &f, "--jsonl", "--field", "a.b.1", "-q"],
        None,
    );
    assert_eq!((o.code, o.stdout.as_str()), (0, "2\n"), "{}", o.stderr);
    // a field holding chat messages counts as chat (3 per message + 3 reply priming)
    let f = write(
        dir.path(),
        "chat.jsonl",
        "{\"request\": {\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}}\n"
            .as_bytes(),
    );
    let o = run_in(
        dir.path(),
        &["count", &f, "--jsonl", "--field", "request", "-q"],
        None,
    );
    assert_eq!((o.code, o.stdout.as_str()), (0, "8\n"), "{}", o.stderr);

    // --field needs --jsonl, and a path without empty segments
    let o = run_in(dir.path(), &["count", &f, "--field", "text"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--jsonl"), "{}", o.stderr);
    let o = run_in(
        dir.path(),
        &["count", &f, "--jsonl", "--field", "a..b"],
        None,
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("invalid field path 'a..b'"),
        "{}",
        o.stderr
    );
}

#[test]
fn field_works_on_a_streamed_file_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tok = Encoding::O200kBase.tokenizer();
    let mixed = mixed_text(3000);
    let mut text = String::new();
    let mut want = 0u64;
    let mut i = 0usize;
    while text.len() < BLOCK + 4096 {
        i += 1;
        let p: String = mixed
            .chars()
            .skip((i * 13) % 2000)
            .take(i % 50 + 1)
            .collect();
        want += tok.count(&p) as u64;
        text.push_str(&serde_json::json!({"id": i, "text": p}).to_string());
        text.push('\n');
    }
    let f = write(dir.path(), "big.jsonl", text.as_bytes());
    let o = run_in(
        dir.path(),
        &["count", &f, "--jsonl", "--field", "text", "--json"],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["inputs"][0]["tokens"], want);
    assert_eq!(j["inputs"][0]["lines"]["count"], i as u64);
}

#[test]
fn one_large_input_shows_a_progress_bar_on_a_terminal() {
    // `script` runs the command on a pseudo-terminal, so stderr is a terminal
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `script` (util-linux) is not installed, so no terminal to test on");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let text = mixed_text(3 * BLOCK);
    let f = write(dir.path(), "big.txt", text.as_bytes());
    let want = Encoding::O200kBase.tokenizer().count(&text);
    let bin = env!("CARGO_BIN_EXE_tokenbudget");
    let shell = format!("{bin} count -e o200k_base {f}");
    let mut c = std::process::Command::new("script");
    c.current_dir(dir.path())
        .args(["-q", "-e", "-c", &shell, "/dev/null"])
        .env("TOKENBUDGET_PROGRESS_MIN_BYTES", "1")
        .env_remove("NO_COLOR");
    let out = c.output().expect("run script");
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{tty}");
    assert!(tty.contains(&format!("{want}")), "{tty}");
    // bytes done of the total, a rate and the time left
    assert!(tty.contains("counting "), "{tty}");
    assert!(tty.contains("/6.00 MiB"), "{tty}");
    assert!(tty.contains("/s, "), "{tty}");
    assert!(tty.contains(" left)"), "{tty}");
    // not on a pipe: the same run without a terminal draws nothing
    let mut c = cmd(dir.path());
    c.env("TOKENBUDGET_PROGRESS_MIN_BYTES", "1");
    let o = run_cmd(c, &["count", "-e", "o200k_base", &f], None);
    assert_eq!((o.stdout, o.stderr), (format!("{want}\n"), String::new()));
}
