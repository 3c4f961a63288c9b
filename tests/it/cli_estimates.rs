//! `--tokenizer FILE` on the command line and in tokenbudget.toml, and the calibrated
//! Claude/Gemini estimates with their range in every command, compared with limits by their
//! high end.

use crate::common::{fixtures, json, run_in};

fn text_dir() -> std::path::PathBuf {
    fixtures().join("text")
}

fn tok_file(name: &str) -> String {
    fixtures()
        .join("tokenizers")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn count_with_a_tokenizer_file() {
    let d = text_dir();
    // the reference counts of tests/fixtures/tokenizers/expected.tsv
    for (file, split, want) in [
        ("bpe.tokenizer.json", None, "105"),
        ("unigram.model", None, "136"),
        ("bpe.model", None, "120"),
        ("ranks.tiktoken", Some("gpt2"), "95"),
    ] {
        let path = tok_file(file);
        let mut args = vec!["count", "prose.txt", "--tokenizer", path.as_str()];
        if let Some(s) = split {
            args.extend(["--split", s]);
        }
        let o = run_in(&d, &args, None);
        assert_eq!(
            (o.code, o.stdout.as_str()),
            (0, format!("{want}\n").as_str()),
            "{file}: {}",
            o.stderr
        );
    }
    let path = tok_file("bpe.tokenizer.json");
    let o = run_in(
        &d,
        &["count", "prose.txt", "--tokenizer", &path, "--json"],
        None,
    );
    let v = json(&o);
    assert_eq!(v["total"]["tokens"], 105);
    assert_eq!(v["encoding"], serde_json::Value::Null);
    assert_eq!(v["tokenizer"], path.as_str());
    assert_eq!(v["approximate"], false);
    // a rank file without --split, and --split with a tokenizer.json: exit 2, naming the file
    let ranks = tok_file("ranks.tiktoken");
    let o = run_in(&d, &["count", "prose.txt", "--tokenizer", &ranks], None);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with(&format!(
            "error: --tokenizer {ranks}: is a tiktoken rank file"
        )),
        "{}",
        o.stderr
    );
    let o = run_in(
        &d,
        &[
            "count",
            "prose.txt",
            "--tokenizer",
            &path,
            "--split",
            "o200k",
        ],
        None,
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("--split o200k applies only to tiktoken rank files"),
        "{}",
        o.stderr
    );
    // --tokenizer and --encoding conflict
    let o = run_in(
        &d,
        &[
            "count",
            "prose.txt",
            "--tokenizer",
            &path,
            "-e",
            "o200k_base",
        ],
        None,
    );
    assert_eq!(o.code, 2);
}

#[test]
fn licensed_families_say_how_to_get_the_file() {
    let o = run_in(
        &text_dir(),
        &["count", "prose.txt", "-m", "gemma-3-27b-it"],
        None,
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("download tokenizer.json (or tokenizer.model) from"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("then pass --tokenizer FILE"),
        "{}",
        o.stderr
    );
}

#[test]
fn claude_estimate_shows_its_range_in_count() {
    let d = text_dir();
    // prose.txt is 59 tokens in o200k_base; Claude 3–4.6 prose: × 1.16 (1.05–1.30)
    let o = run_in(&d, &["count", "prose.txt", "-m", "claude-sonnet-4-5"], None);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "~68 (61–77)\n"),
        "{}",
        o.stderr
    );
    let o = run_in(
        &d,
        &["count", "prose.txt", "-m", "claude-sonnet-4-5", "--json"],
        None,
    );
    let v = json(&o);
    assert_eq!(v["approximate"], true);
    assert_eq!(v["total"]["tokens"], 68);
    let want = serde_json::json!({
        "low": 61, "high": 77, "basis": "o200k_base × 1.16 (1.05–1.30), Claude 3 to 4.6, prose"
    });
    assert_eq!(v["total"]["estimate"], want);
    assert_eq!(v["inputs"][0]["estimate"], want);
    // Opus 4.7 and later: a further 1.0–1.35×
    let o = run_in(&d, &["count", "prose.txt", "-m", "claude-opus-4-7"], None);
    assert_eq!(o.stdout, "~80 (61–104)\n", "{}", o.stderr);
    // code and CJK have their own ratios (code.py: 79, cjk.txt: 50 in o200k_base)
    let o = run_in(&d, &["count", "code.py", "-m", "claude-sonnet-4-5"], None);
    assert_eq!(o.stdout, "~103 (90–119)\n");
    let o = run_in(&d, &["count", "cjk.txt", "-m", "gemini-2.5-pro"], None);
    assert_eq!(o.stdout, "~38 (25–55)\n");
    // a table shows the range in every row and the total
    let o = run_in(
        &d,
        &["count", "prose.txt", "code.py", "-m", "claude-sonnet-4-5"],
        None,
    );
    assert!(o.stdout.contains(" ~68 (61–77) "), "{}", o.stdout);
    assert!(o.stdout.contains(" ~103 (90–119) "), "{}", o.stdout);
    assert!(o.stdout.contains(" ~171 (151–196) "), "{}", o.stdout);
}

#[test]
fn a_limit_between_low_and_high_fails() {
    let d = text_dir();
    let o = run_in(
        &d,
        &[
            "count",
            "prose.txt",
            "-m",
            "claude-sonnet-4-5",
            "--max-tokens",
            "70",
        ],
        None,
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "over limit: prose.txt: ~68 (61–77) tokens, 7 over --max-tokens 70 (the high end)"
        ),
        "{}",
        o.stderr
    );
    let o = run_in(
        &d,
        &[
            "count",
            "prose.txt",
            "-m",
            "claude-sonnet-4-5",
            "--max-tokens",
            "77",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = run_in(
        &d,
        &[
            "count",
            "prose.txt",
            "code.py",
            "-m",
            "claude-sonnet-4-5",
            "--max-total",
            "180",
        ],
        None,
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn check_compares_the_high_end_and_reads_tokenizer_files() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::copy(text_dir().join("prose.txt"), d.join("prose.txt")).unwrap();
    std::fs::copy(
        fixtures().join("tokenizers/bpe.tokenizer.json"),
        d.join("tok.json"),
    )
    .unwrap();
    write(
        d,
        "tokenbudget.toml",
        "[[budget]]\npath = \"prose.txt\"\nmodel = \"claude-sonnet-4-5\"\nmax_tokens = 70\n\n\
         [[budget]]\nname = \"own\"\npath = \"prose.txt\"\ntokenizer = \"tok.json\"\n\
         max_tokens = 105\n",
    );
    let o = run_in(d, &["check", "--json"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v = json(&o);
    let b = &v["budgets"][0];
    assert_eq!(b["status"], "over");
    assert_eq!(b["tokens"], 68);
    assert_eq!(b["headroom"], -7);
    assert_eq!(b["estimate"]["low"], 61);
    assert_eq!(b["estimate"]["high"], 77);
    assert_eq!(b["files"][0]["estimate"]["high"], 77);
    let own = &v["budgets"][1];
    assert_eq!(own["status"], "pass");
    assert_eq!(own["tokens"], 105);
    assert_eq!(own["headroom"], 0);
    let o = run_in(d, &["check"], None);
    assert!(o.stdout.contains("~68 (61–77)"), "{}", o.stdout);
}
