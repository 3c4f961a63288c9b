//! The adversarial corpus: inputs written by buggy clients, mangled by editors or simply hostile,
//! fed to the real binary. Each case asserts the exact message and the documented exit code
//! (README, "Reliability"); none may panic (a panic would exit 101 with Rust's own message).

use crate::common;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use common::{Out, run_cmd, run_in};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let o = run_in(dir, args, None);
    assert_ne!(o.code, 101, "panic on {args:?}: {}", o.stderr);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    o
}

fn codes(o: &Out) -> (i32, &str, &str) {
    (o.code, o.stdout.as_str(), o.stderr.as_str())
}

#[test]
fn invalid_utf8_at_the_start_middle_and_end_names_the_offset() {
    let d = tmp();
    put(d.path(), "start.txt", b"\xffabc");
    put(d.path(), "middle.txt", b"ab\xc3(cd");
    put(d.path(), "end.txt", b"abc\xe2\x82");
    for (name, at) in [("start.txt", 0), ("middle.txt", 2), ("end.txt", 3)] {
        let o = run(d.path(), &["count", name]);
        let want = format!("error: {name}: invalid UTF-8 at byte offset {at}\n");
        assert_eq!(codes(&o), (2, "", want.as_str()));
    }
    // stdin too
    let o = run_in(d.path(), &["count"], Some(b"ok\xff"));
    assert_eq!(
        codes(&o),
        (2, "", "error: -: invalid UTF-8 at byte offset 2\n")
    );
    // found by a directory walk: skipped with a note, the rest still counted
    std::fs::create_dir(d.path().join("dir")).unwrap();
    put(d.path(), "dir/bad.txt", b"abc\xe2\x82");
    put(d.path(), "dir/ok.txt", b"Hello world");
    let o = run(d.path(), &["count", "dir", "-q"]);
    assert_eq!(
        codes(&o),
        (
            0,
            "2\n",
            "note: skipped dir/bad.txt: not UTF-8 (invalid byte at offset 3)\n"
        )
    );
}

#[test]
fn a_lone_surrogate_escape_in_json_is_named() {
    let d = tmp();
    put(
        d.path(),
        "chat.json",
        br#"[{"role": "user", "content": "\ud800"}]"#,
    );
    let want = "error: chat.json: malformed JSON at line 1, column 37: lone surrogate escape \
                \\ud800: a \\uD800-\\uDFFF escape must be half of a surrogate pair (the string \
                is not valid Unicode)\n";
    let o = run(d.path(), &["count", "--messages", "chat.json"]);
    assert_eq!(codes(&o), (2, "", want));
    let o = run(d.path(), &["plan", "--request", "chat.json"]);
    assert_eq!((o.code, o.stderr.as_str()), (2, want));
    // without --messages, text that is not valid JSON is counted as text (documented)
    let o = run(d.path(), &["count", "chat.json"]);
    assert_eq!(codes(&o), (0, "15\n", ""));
    // a lone trailing surrogate, and a leading one followed by another escape
    put(d.path(), "b.json", br#"["\udc00x", "\ud800\u0041"]"#);
    let o = run(d.path(), &["count", "--messages", "b.json"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("lone surrogate escape \\udc00"),
        "{}",
        o.stderr
    );
    put(d.path(), "c.json", br#"["ok", "\ud800\u0041"]"#);
    let o = run(d.path(), &["count", "--messages", "c.json"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("lone surrogate escape \\ud800"),
        "{}",
        o.stderr
    );
    // in JSONL: that line is an error, the others count
    put(
        d.path(),
        "l.jsonl",
        b"\"Hello world\"\n\"\\ud800\"\n\"Hello\"\n",
    );
    let o = run(d.path(), &["count", "--jsonl", "l.jsonl", "-q"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "3\n");
    assert!(
        o.stderr
            .starts_with("error: l.jsonl:2: malformed JSON at line 1, column 8: lone surrogate"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_bom_is_text_in_text_and_ignored_before_json() {
    let d = tmp();
    put(d.path(), "bom.txt", "\u{feff}Hello world".as_bytes());
    let o = run(d.path(), &["count", "bom.txt"]);
    // exact bytes: the BOM is counted like any other character
    let n = tokenbudget::tokenize::Encoding::O200kBase
        .tokenizer()
        .count("\u{feff}Hello world");
    assert_eq!(codes(&o), (0, format!("{n}\n").as_str(), ""));
    let chat = "\u{feff}[{\"role\": \"user\", \"content\": \"Hello world\"}]";
    put(d.path(), "bom.json", chat.as_bytes());
    let plain = run(d.path(), &["count", "--text", &chat[3..]]);
    for args in [
        &["count", "bom.json"][..],
        &["count", "--messages", "bom.json"],
    ] {
        let o = run(d.path(), args);
        assert_eq!(codes(&o), (0, plain.stdout.as_str(), ""), "{args:?}");
    }
    put(
        d.path(),
        "req.json",
        "\u{feff}{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}".as_bytes(),
    );
    let o = run(d.path(), &["plan", "--request", "req.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // a BOM before a tokenbudget.toml or a price file is ignored too
    put(d.path(), "a.txt", b"hi");
    put(
        d.path(),
        "tokenbudget.toml",
        "\u{feff}[[budget]]\npath = \"a.txt\"\nmax_tokens = 10\n".as_bytes(),
    );
    let o = run(d.path(), &["check"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    put(
        d.path(),
        "p.json",
        "\u{feff}{\"models\": {\"m\": {\"input\": 1, \"output\": 2}}}".as_bytes(),
    );
    let o = run(
        d.path(),
        &[
            "cost",
            "--prices",
            "p.json",
            "-m",
            "m",
            "--input-tokens",
            "1000000",
            "--json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(common::json(&o)["rows"][0]["cost"]["total"], "1");
}

#[test]
fn nul_bytes_are_text_when_named_and_skipped_when_walked() {
    let d = tmp();
    put(d.path(), "nul.txt", b"a\0b");
    let o = run(d.path(), &["count", "nul.txt"]);
    assert_eq!(codes(&o), (0, "3\n", ""));
    std::fs::create_dir(d.path().join("dir")).unwrap();
    put(d.path(), "dir/nul.bin", b"a\0b");
    put(d.path(), "dir/ok.txt", b"Hello");
    let o = run(d.path(), &["count", "dir", "-q"]);
    assert_eq!(
        codes(&o),
        (
            0,
            "1\n",
            "note: skipped dir/nul.bin: binary file (NUL byte)\n"
        )
    );
    // NUL inside JSON strings is fine; a raw NUL in JSON is malformed
    put(
        d.path(),
        "nul.json",
        b"[{\"role\":\"user\",\"content\":\"a\\u0000b\"}]",
    );
    let o = run(d.path(), &["count", "--messages", "nul.json"]);
    assert_eq!(codes(&o), (0, "10\n", ""));
    put(
        d.path(),
        "raw.json",
        b"[{\"role\":\"user\",\"content\":\"a\0b\"}]",
    );
    let o = run(d.path(), &["count", "--messages", "raw.json"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: raw.json: malformed JSON at line 1, column 29: control character \
         (\\u0000-\\u001F) found while parsing a string\n"
    );
}

/// 100 MB on one line, generated at test time: "ab " repeated counts one token per word
/// plus the trailing space (checked against tiktoken on a small size in `rule_holds`).
#[test]
fn a_100_mb_single_line() {
    const WORDS: usize = 100_000_000 / 3;
    let t = tokenbudget::tokenize::Encoding::O200kBase.tokenizer();
    let rule_holds = "ab ".repeat(1000);
    assert_eq!(t.count(&rule_holds), 1001);
    let d = tmp();
    put(d.path(), "line.txt", "ab ".repeat(WORDS).as_bytes());
    let o = run(d.path(), &["count", "line.txt", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = common::json(&o);
    assert_eq!(j["total"]["tokens"], WORDS as u64 + 1);
    assert_eq!(j["total"]["bytes"], 3 * WORDS as u64);
}

#[test]
fn json_nested_10000_deep_is_an_error_not_a_stack_overflow() {
    let d = tmp();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    put(d.path(), "deep.json", deep.as_bytes());
    let want = "error: deep.json: malformed JSON at line 1, column 128: nested more than 128 \
                levels deep (arrays/objects inside each other)\n";
    let o = run(d.path(), &["count", "--messages", "deep.json"]);
    assert_eq!(codes(&o), (2, "", want));
    let o = run(d.path(), &["plan", "--request", "deep.json"]);
    assert_eq!((o.code, o.stderr.as_str()), (2, want));
    // auto mode: not JSON, so text (one token per 128 brackets or so; exact by the engine)
    let o = run(d.path(), &["count", "deep.json"]);
    let n = tokenbudget::tokenize::Encoding::O200kBase
        .tokenizer()
        .count(&deep);
    assert_eq!(codes(&o), (0, format!("{n}\n").as_str(), ""));
    // deep objects inside a valid request's unknown field, and in JSONL
    let objs = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    put(
        d.path(),
        "deep.jsonl",
        format!("\"ok\"\n{objs}\n").as_bytes(),
    );
    let o = run(d.path(), &["count", "--jsonl", "deep.jsonl", "-q"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "1\n");
    assert!(
        o.stderr.contains(
            "deep.jsonl:2: malformed JSON at line 1, column 636: nested more than 128 levels"
        ),
        "{}",
        o.stderr
    );
    // TOML: the config parser has its own limit
    let toml = format!("x = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    put(d.path(), "tokenbudget.toml", toml.as_bytes());
    let o = run(d.path(), &["check"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.starts_with("error: tokenbudget.toml:1:"),
        "{}",
        o.stderr
    );
}

#[test]
fn extreme_numbers() {
    let d = tmp();
    // 1e400 does not fit an f64: the request is malformed
    put(
        d.path(),
        "big.json",
        br#"{"temperature": 1e400, "messages": [{"role": "user", "content": "hi"}]}"#,
    );
    let o = run(d.path(), &["plan", "--request", "big.json"]);
    assert_eq!(
        (o.code, o.stderr.as_str()),
        (
            2,
            "error: big.json: malformed JSON at line 1, column 21: number out of range (larger \
             than a 64-bit float can hold, like 1e400)\n"
        )
    );
    // -0 and 2^64 keep their values through --fit (their spelling may change)
    put(
        d.path(),
        "num.json",
        br#"{"seed": 18446744073709551616, "n": -0, "u": 18446744073709551615, "messages": [{"role": "user", "content": "hi"}]}"#,
    );
    let o = run(d.path(), &["plan", "--request", "num.json", "--fit"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = common::json(&o);
    assert_eq!(j["seed"].as_f64(), Some(18446744073709551616.0));
    assert_eq!(j["u"].as_u64(), Some(u64::MAX));
    assert!(j["n"].as_f64().is_some_and(|x| x == 0.0));
    // token counts on the command line
    for (arg, why) in [
        (
            "18446744073709551616",
            "is too large (max 1000000000000000)",
        ),
        ("1e400", "is not a whole number"),
        ("-0", "is negative; expected a whole number ≥ 0"),
    ] {
        let o = run(d.path(), &["cost", "--input-tokens", arg]);
        assert_eq!(o.code, 2);
        assert!(
            o.stderr.starts_with(&format!(
                "error: invalid value '{arg}' for '--input-tokens <N>': '{arg}' {why}"
            )),
            "{}",
            o.stderr
        );
    }
    // tokenbudget.toml
    put(d.path(), "a.txt", b"hi");
    for (value, why) in [
        ("1e400", "floating-point number overflowed"),
        (
            "inf",
            "max_tokens must be a positive whole number of tokens, got inf",
        ),
        (
            "-0",
            "max_tokens must be a positive whole number of tokens, got 0",
        ),
    ] {
        let cfg = format!("[[budget]]\npath = \"a.txt\"\nmax_tokens = {value}\n");
        put(d.path(), "tokenbudget.toml", cfg.as_bytes());
        let o = run(d.path(), &["check"]);
        assert_eq!(
            codes(&o),
            (
                2,
                "",
                format!("error: tokenbudget.toml:3:14: {why}\n").as_str()
            )
        );
    }
    let cfg = "[[budget]]\npath = \"a.txt\"\nmax_tokens = 18446744073709551616\n";
    put(d.path(), "tokenbudget.toml", cfg.as_bytes());
    let o = run(d.path(), &["check"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with("error: tokenbudget.toml:3:14: "),
        "{}",
        o.stderr
    );
    // price files: inf/nan in TOML are errors, not missing prices; -0 is a zero price
    put(
        d.path(),
        "p.toml",
        b"[models.m]\ninput = inf\noutput = nan\n",
    );
    let o = run(
        d.path(),
        &[
            "cost",
            "--prices",
            "p.toml",
            "-m",
            "m",
            "--input-tokens",
            "1",
        ],
    );
    assert_eq!(
        codes(&o),
        (
            2,
            "",
            "error: invalid prices file p.toml: `models.m.input` = inf: a price or limit must \
             be a finite number\n"
        )
    );
    put(
        d.path(),
        "p.json",
        br#"{"models": {"m": {"input": -0, "output": 1e2}}}"#,
    );
    let o = run(
        d.path(),
        &[
            "cost",
            "--prices",
            "p.json",
            "-m",
            "m",
            "--input-tokens",
            "1000000",
            "--output-tokens",
            "10",
            "--json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(common::json(&o)["rows"][0]["cost"]["total"], "0.001");
    put(
        d.path(),
        "big.json",
        br#"{"models": {"m": {"input": 1e400, "output": 1}}}"#,
    );
    let o = run(
        d.path(),
        &[
            "cost",
            "--prices",
            "big.json",
            "-m",
            "m",
            "--input-tokens",
            "1",
        ],
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with(
            "error: invalid prices file big.json: not valid JSON or TOML: number out of range"
        ),
        "{}",
        o.stderr
    );
}

#[test]
fn duplicate_keys() {
    let d = tmp();
    // JSON: the last value wins, as in Python's json and JavaScript
    put(
        d.path(),
        "dup.json",
        br#"{"messages": [{"role": "user", "content": "hi"}], "messages": [{"role": "user", "content": "Hello world", "content": "hi"}]}"#,
    );
    let o = run(d.path(), &["count", "dup.json"]);
    let once = run(
        d.path(),
        &["count", "--text", r#"[{"role": "user", "content": "hi"}]"#],
    );
    assert_eq!(codes(&o), (0, once.stdout.as_str(), ""));
    // TOML: an error at the repeated key
    put(d.path(), "a.txt", b"hi");
    put(
        d.path(),
        "tokenbudget.toml",
        b"[[budget]]\npath = \"a.txt\"\nmax_tokens = 10\nmax_tokens = 20\n",
    );
    let o = run(d.path(), &["check"]);
    assert_eq!(
        codes(&o),
        (2, "", "error: tokenbudget.toml:4:1: duplicate key\n")
    );
}

#[test]
fn jsonl_with_crlf_line_ends() {
    let d = tmp();
    put(
        d.path(),
        "crlf.jsonl",
        b"\"Hello world\"\r\n\r\n[{\"role\":\"user\",\"content\":\"hi\"}]\r\n{oops\r\n",
    );
    let o = run(d.path(), &["count", "--jsonl", "crlf.jsonl", "--json"]);
    assert_eq!(o.code, 2);
    let j = common::json(&o);
    let lines = &j["inputs"][0]["lines"];
    assert_eq!(lines["count"], 2);
    assert_eq!(j["total"]["tokens"], 2 + 8);
    assert_eq!(lines["errors"][0]["line"], 4);
    assert_eq!(
        o.stderr,
        "error: crlf.jsonl:4: malformed JSON at line 1, column 2: key must be a string\n"
    );
}

#[test]
fn a_symlink_loop_and_an_unreadable_file_in_a_directory() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let d = tmp();
    let dir = d.path().join("dir");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    symlink("..", dir.join("sub/up")).unwrap();
    symlink("../dir", dir.join("self")).unwrap();
    symlink("loop", dir.join("loop")).unwrap();
    put(&dir, "a.txt", b"Hello world");
    put(&dir, "locked.txt", b"secret");
    std::fs::set_permissions(
        dir.join("locked.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    // links are not followed in a walk, so a loop cannot recur; the unreadable file is
    // reported and the rest is still counted
    let o = run_cmd(unprivileged(d.path()), &["count", "dir", "-q"], None);
    assert_eq!(
        codes(&o),
        (
            2,
            "2\n",
            "error: reading dir/locked.txt: Permission denied (os error 13)\n"
        )
    );
    // a link to itself named directly
    let o = run(d.path(), &["count", "dir/loop"]);
    assert_eq!(
        codes(&o),
        (
            2,
            "",
            "error: reading dir/loop: Too many levels of symbolic links (os error 40)\n"
        )
    );
    // check walks the same way
    put(
        d.path(),
        "tokenbudget.toml",
        b"[[budget]]\npath = \"dir/**/*.txt\"\nmax_tokens = 10\n",
    );
    let o = run_cmd(unprivileged(d.path()), &["check"], None);
    assert_ne!(o.code, 101, "{}", o.stderr);
    assert_eq!(o.code, 2, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("dir/locked.txt"), "{}", o.stderr);
}

/// Without root's power to read anything: as `nobody` via setpriv when the tests run as root.
fn unprivileged(dir: &Path) -> std::process::Command {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        return common::cmd(dir);
    }
    let mut c = std::process::Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tokenbudget"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("TOKENBUDGET_MODEL")
        .env("COLUMNS", "200");
    c
}

#[test]
fn a_fifo_is_read_until_its_writer_closes_it() {
    let d = tmp();
    let fifo = d.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        for _ in 0..1000 {
            f.write_all(b"Hello world\n").unwrap();
        }
    });
    let o = run(d.path(), &["count", "pipe"]);
    writer.join().unwrap();
    let n = tokenbudget::tokenize::Encoding::O200kBase
        .tokenizer()
        .count(&"Hello world\n".repeat(1000));
    assert_eq!(codes(&o), (0, format!("{n}\n").as_str(), ""));
    // in a directory walk a FIFO is not a regular file: left alone (reading it would block)
    std::fs::create_dir(d.path().join("dir")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(d.path().join("dir/pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    put(d.path(), "dir/a.txt", b"Hello");
    let o = run(d.path(), &["count", "dir", "-q"]);
    assert_eq!(codes(&o), (0, "1\n", ""));
}

/// A file that grows while it is read is counted as the prefix that was read: the count is
/// exactly that of the first `bytes` bytes of what was finally written.
#[test]
fn a_file_that_grows_while_it_is_read() {
    let d = tmp();
    let path = d.path().join("grow.log");
    let line = "request ok id=12345 tokens=678\n";
    put(d.path(), "grow.log", line.repeat(20_000).as_bytes());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 200_000 {
                f.write_all(line.as_bytes()).unwrap();
                n += 1;
            }
        })
    };
    let mut c = common::cmd(d.path());
    c.args(["count", "grow.log", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = c.output().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bytes = j["total"]["bytes"].as_u64().unwrap() as usize;
    let all = std::fs::read_to_string(&path).unwrap();
    assert!(bytes >= 20_000 * line.len() && bytes <= all.len());
    let want = tokenbudget::tokenize::Encoding::O200kBase
        .tokenizer()
        .count(&all[..bytes]);
    assert_eq!(j["total"]["tokens"], want as u64);
}

/// Regression: a context window of 2^63 tokens or more overflowed the headroom (`as i64`),
/// a panic in debug builds and a wrong sign in release.
#[test]
fn huge_context_windows_do_not_overflow() {
    use tokenbudget::plan::{self, Budget, ImageRule, Prompt};
    let body = serde_json::json!({"messages": [{"role": "user", "content": "hi"}]});
    let prompt = Prompt::from_request(body, Path::new(".")).unwrap();
    let tok = tokenbudget::tokenize::Encoding::O200kBase.tokenizer();
    let counts = plan::count(&prompt, tok, ImageRule::OpenAi).unwrap();
    let kept = vec![true; prompt.items.len()];
    for (window, reserve, headroom) in [
        (1u64 << 63, 0, i64::MAX - 7), // 8 tokens: 2^63 - 8
        (u64::MAX, 0, i64::MAX),
        (u64::MAX, u64::MAX, 0),
        (0, u64::MAX, i64::MIN),
        (100, 0, 92),
    ] {
        let budget = Budget {
            context_window: window,
            reserve_output: reserve,
            caps: vec![],
        };
        let a = plan::allocate(&prompt, &counts, &kept, &budget);
        assert_eq!(a.headroom, headroom, "window {window}, reserve {reserve}");
    }
    // the command line keeps windows and reserves to 10^15, like every token count
    let d = tmp();
    put(
        d.path(),
        "r.json",
        br#"{"messages": [{"role": "user", "content": "hi"}]}"#,
    );
    let o = run(
        d.path(),
        &[
            "plan",
            "--request",
            "r.json",
            "--context-window",
            "9223372036854775808",
        ],
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with(
            "error: invalid value '9223372036854775808' for '--context-window <N>': \
             '9223372036854775808' is too large (max 1000000000000000)"
        ),
        "{}",
        o.stderr
    );
}

/// Regression: the allocation bar drew one cell per 1/64 of the window, however far past the
/// window the request went: a 9 MB request in a 1-token window printed 192 MB and took 1.3 GB
/// (a 100 MB one ran out of memory). Past the edge it now draws one window's worth, then `…`.
#[test]
fn a_request_far_over_a_tiny_window_draws_a_bounded_bar() {
    let d = tmp();
    let body =
        serde_json::json!({"messages": [{"role": "user", "content": "ab ".repeat(300_000)}]});
    put(d.path(), "r.json", body.to_string().as_bytes());
    let o = run(
        d.path(),
        &[
            "plan",
            "--request",
            "r.json",
            "--context-window",
            "1",
            "--reserve-output",
            "0",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.len() < 4096, "{} bytes of report", o.stdout.len());
    let bar = format!("[{}|{}…\n", "U".repeat(64), "U".repeat(64));
    assert!(o.stdout.contains(&bar), "{}", o.stdout);
    assert!(
        o.stdout.contains("over by 300,007: 300,008 tokens"),
        "{}",
        o.stdout
    );
}

/// scan-logs: a `.gz` cut short is listed with why, and the lines before the damage count;
/// `--strict` makes it exit 2. Piped in, the same.
#[test]
fn a_truncated_gz_log() {
    use std::io::Write as _;
    let d = tmp();
    let mut log = String::new();
    for i in 0..2000 {
        log.push_str(&format!(
            "{{\"timestamp\":\"2026-03-01T10:00:00Z\",\"user_id\":\"u{}\",\"model\":\"gpt-4o\",\"prompt_tokens\":{},\"completion_tokens\":7}}\n",
            i % 7,
            1000 + i
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(log.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    put(d.path(), "cut.jsonl.gz", &gz[..gz.len() / 2]);
    let o = run(d.path(), &["scan-logs", "cut.jsonl.gz", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = common::json(&o);
    let reason = j["files_skipped"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("read error after line ")
            && reason.ends_with(": incomplete deflate stream"),
        "{reason}"
    );
    let lines = j["lines"].as_u64().unwrap();
    assert!(lines > 0 && lines < 2000, "{lines}");
    // every complete line before the damage counts; the cut one may be skipped
    let records = j["records"].as_u64().unwrap();
    assert!(records + 1 >= lines, "{records} of {lines}");
    let o = run(d.path(), &["scan-logs", "cut.jsonl.gz", "--strict"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = run_in(
        d.path(),
        &["scan-logs", "-", "--json"],
        Some(&gz[..gz.len() / 2]),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(common::json(&o)["lines"], lines);
    // only the gzip header: nothing to read at all
    put(d.path(), "hdr.jsonl.gz", &gz[..10]);
    let o = run(d.path(), &["scan-logs", "hdr.jsonl.gz", "--json"]);
    assert_eq!(
        common::json(&o)["files_skipped"][0]["reason"],
        "cannot read: incomplete deflate stream"
    );
}

/// scan-logs: every bad line of a CRLF log is skipped with its reason, the good ones count.
#[test]
fn a_hostile_usage_log() {
    let d = tmp();
    let ok = |n: u32| {
        format!(
            "{{\"timestamp\":\"2026-03-01T10:00:00Z\",\"user_id\":\"a\",\"model\":\"gpt-4o\",\"prompt_tokens\":{n},\"completion_tokens\":1}}"
        )
        .into_bytes()
    };
    let mut lines: Vec<Vec<u8>> = vec![
        [b"\xef\xbb\xbf".as_slice(), &ok(1000)].concat(), // a BOM before the first line
        b"\xff\xfe{\"prompt_tokens\":1}".to_vec(),
        br#"{"timestamp":"2026-03-01T10:00:00Z","user_id":"\ud800","model":"gpt-4o","prompt_tokens":5,"completion_tokens":5}"#.to_vec(),
        br#"{"timestamp":"2026-03-01T10:00:00Z","model":"gpt-4o","prompt_tokens":1e400,"completion_tokens":1}"#.to_vec(),
        br#"{"timestamp":"2026-03-01T10:00:00Z","model":"gpt-4o","prompt_tokens":-0,"completion_tokens":18446744073709551616}"#.to_vec(),
        br#"{"timestamp":"2026-03-01T10:00:00Z","model":"gpt-4o","prompt_tokens":7,"prompt_tokens":9,"completion_tokens":1}"#.to_vec(),
        format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)).into_bytes(),
        b"\0\0\0".to_vec(),
    ];
    lines.push(ok(2));
    let mut text = lines.join(&b"\r\n"[..]);
    text.extend_from_slice(b"\r\n");
    put(d.path(), "bad.jsonl", &text);
    let o = run(d.path(), &["scan-logs", "bad.jsonl", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = common::json(&o);
    assert_eq!((&j["lines"], &j["records"]), (&9.into(), &2.into()));
    assert_eq!(j["tokens"]["input"], 1002);
    assert_eq!(j["skipped"]["count"], 7);
    let reasons: Vec<&str> = j["skipped"]["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons[0], "not UTF-8 text (binary data?)");
    assert_eq!(
        reasons[1],
        "malformed JSON (lone surrogate escape \\ud800: a \\uD800-\\uDFFF escape must be half \
         of a surrogate pair (the string is not valid Unicode) at line 1 column 54)"
    );
    assert!(
        reasons[2].starts_with("malformed JSON (number out of range"),
        "{}",
        reasons[2]
    );
    assert_eq!(
        reasons[3],
        "token count completion_tokens is larger than 2^53"
    );
    assert!(
        reasons[4].starts_with("malformed JSON (duplicate field `prompt_tokens`"),
        "{}",
        reasons[4]
    );
    let o = run(d.path(), &["scan-logs", "bad.jsonl", "--strict"]);
    assert_eq!(o.code, 2);
}
