//! `--tokenizer FILE`: counts with a tokenizer.json, a tiktoken rank file and SentencePiece
//! models made for the tests (`tests/fixtures/tokenizers/generate.py` trains them and records
//! the reference implementations' counts in `expected.tsv`), and every refusal of a file part
//! that cannot be counted exactly.

use std::path::{Path, PathBuf};

use tokenbudget::tokenize::Tokenizer;
use tokenbudget::tokenize::external::Split;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tokenizers")
}

fn load(column: &str) -> Tokenizer {
    let (file, split) = match column.split_once(':') {
        Some((f, s)) => (f, Some(Split::from_name(s).expect("split name"))),
        None => (column, None),
    };
    Tokenizer::from_file(&dir().join(file), split).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn counts_equal_the_reference_implementations() {
    let tsv = std::fs::read_to_string(dir().join("expected.tsv")).expect("expected.tsv");
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let toks: Vec<Tokenizer> = header[1..].iter().map(|c| load(c)).collect();
    let fixtures = dir().join("..");
    let mut checked = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let text = std::fs::read_to_string(fixtures.join(cols[0])).expect("fixture is UTF-8");
        for ((name, want), tok) in header[1..].iter().zip(&cols[1..]).zip(&toks) {
            let want: usize = want.parse().expect("count");
            assert_eq!(tok.count(&text), want, "{name} on {}", cols[0]);
            assert_eq!(
                tok.encode(&text).len(),
                want,
                "{name} encode on {}",
                cols[0]
            );
            assert_eq!(tok.count_parallel(&text, 3), want, "{name} parallel");
            checked += 1;
        }
        for tok in &toks {
            assert_eq!(tok.failure(), None);
        }
    }
    assert!(checked >= 23 * 8, "only {checked} checks");
}

#[test]
fn rank_file_tokens_round_trip() {
    let tok = load("ranks.tiktoken:cl100k");
    let text = "Hello, world! Ünïcödé and 12345 digits.\n";
    let ids = tok.encode(text);
    let bytes: Vec<u8> = ids.iter().flat_map(|&i| tok.token_bytes(i)).collect();
    assert_eq!(bytes, text.as_bytes());
    // tokenbudget's label for the file
    assert_eq!(tok.name(), "ranks.tiktoken (tiktoken, cl100k split)");
    assert!(tok.file().is_some());
}

#[test]
fn byte_level_tokens_round_trip() {
    let tok = load("bpe.tokenizer.json");
    let text = "naïve 漢字 🦀 tabs\tand  spaces\n";
    let bytes: Vec<u8> = tok
        .encode(text)
        .iter()
        .flat_map(|&i| tok.token_bytes(i))
        .collect();
    assert_eq!(bytes, text.as_bytes());
    assert_eq!(tok.name(), "bpe.tokenizer.json (tokenizer.json)");
    let sp = load("bpe.model");
    assert_eq!(sp.name(), "bpe.model (sentencepiece bpe)");
    let bytes: Vec<u8> = sp
        .encode(text)
        .iter()
        .flat_map(|&i| sp.token_bytes(i))
        .collect();
    assert_eq!(bytes, text.as_bytes());
}

#[test]
fn special_token_text_is_ordinary_text() {
    let tok = load("bpe.tokenizer.json");
    // <|begin_of_text|> is a special added token: never matched in text
    assert!(tok.count("<|begin_of_text|>") > 1);
    // <think> is a non-special added token: one token, as in the reference
    assert_eq!(tok.count("<think>"), 1);
}

#[test]
fn truncate_with_a_file_counts_at_most_n() {
    for col in [
        "bpe.tokenizer.json",
        "unigram.model",
        "ranks.tiktoken:o200k",
    ] {
        let tok = load(col);
        let text = std::fs::read_to_string(dir().join("../text/prose.txt")).unwrap();
        for n in [0, 1, 7, 30] {
            let cut = tok.truncate(&text, n);
            assert!(tok.count(cut) <= n, "{col} {n}");
            // one more character would be over (or the text ended)
            let next = text[cut.len()..]
                .chars()
                .next()
                .map(|c| cut.len() + c.len_utf8());
            if let Some(e) = next {
                assert!(tok.count(&text[..e]) > n, "{col} {n}: not the longest");
            }
        }
        assert_eq!(tok.truncate(&text, 100_000), text);
    }
}

fn load_err(bytes: &[u8], split: Option<Split>) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("tok.bin");
    std::fs::write(&p, bytes).unwrap();
    let e = Tokenizer::from_file(&p, split).expect_err("refused");
    let msg = e.to_string();
    let prefix = format!("{}: ", p.display());
    msg.strip_prefix(&prefix)
        .expect("names the file")
        .to_string()
}

fn edited_json(edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir().join("bpe.tokenizer.json")).unwrap()).unwrap();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn unsupported_tokenizer_json_parts_are_named() {
    let e = load_err(
        &edited_json(|v| v["pre_tokenizer"]["pretokenizers"][1]["type"] = "Quantum".into()),
        None,
    );
    assert!(
        e.starts_with(
            "pre_tokenizer.pretokenizers[1] (type \"Quantum\") cannot be loaded by this build \
             of the tokenizers library (tokenizers 0.23): a kind it does not know, or settings \
             it rejects, so the file cannot be counted exactly: "
        ),
        "{e}"
    );
    let e = load_err(
        &edited_json(|v| v["normalizer"]["type"] = "NFX".into()),
        None,
    );
    assert!(
        e.starts_with("normalizer (type \"NFX\") cannot be loaded"),
        "{e}"
    );
    let e = load_err(&edited_json(|v| v["model"]["type"] = "Magic".into()), None);
    assert!(
        e.starts_with("model (type \"Magic\") cannot be loaded"),
        "{e}"
    );
    // a regex the pure-Rust engine cannot compile
    let e = load_err(
        &edited_json(|v| {
            v["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(?<=a".into()
        }),
        None,
    );
    assert!(
        e.starts_with("pre_tokenizer.pretokenizers[0] (type \"Split\") cannot be loaded"),
        "{e}"
    );
    let e = load_err(&edited_json(|v| v["model"]["dropout"] = 0.1.into()), None);
    assert_eq!(
        e,
        "model.dropout is 0.1: BPE dropout makes every encoding random, so no count is exact \
         (set it to null to count)"
    );
    let e = load_err(
        &edited_json(|v| {
            *v = serde_json::json!({"model": {"type": "Unigram", "vocab": [["a", -1.0]]}})
        }),
        None,
    );
    assert!(
        e.starts_with("model (type \"Unigram\") has no unk_id"),
        "{e}"
    );
    let e = load_err(b"{\"version\": \"1.0\"}", None);
    assert_eq!(e, "is not a tokenizer.json: it has no \"model\"");
    let e = load_err(b"{\"model\": ", None);
    assert!(
        e.starts_with("is not valid JSON at line 1 column 10"),
        "{e}"
    );
    // the parts that never change a count are not read: an unknown decoder still counts
    let bytes = edited_json(|v| v["decoder"] = serde_json::json!({"type": "FutureDecoder"}));
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("tokenizer.json");
    std::fs::write(&p, bytes).unwrap();
    let tok = Tokenizer::from_file(&p, None).unwrap();
    assert_eq!(
        tok.count("hello world"),
        load("bpe.tokenizer.json").count("hello world")
    );
}

#[test]
fn rank_file_needs_a_split_and_others_refuse_one() {
    let ranks = std::fs::read(dir().join("ranks.tiktoken")).unwrap();
    let e = load_err(&ranks, None);
    assert_eq!(
        e,
        "is a tiktoken rank file, which does not say how text is split before merging: add \
         --split o200k|cl100k|p50k|r50k|gpt2 (or `split = \"...\"` next to `tokenizer` in \
         tokenbudget.toml)"
    );
    let json = std::fs::read(dir().join("bpe.tokenizer.json")).unwrap();
    let e = load_err(&json, Some(Split::O200k));
    assert_eq!(
        e,
        "is a tokenizer.json file, which carries its own split rule: --split o200k applies \
         only to tiktoken rank files"
    );
    let mut cut = ranks[..ranks.len() / 2].to_vec();
    cut.extend_from_slice(b"\nnot a line\n");
    let e = load_err(&cut, Some(Split::Cl100k));
    assert!(e.starts_with("line "), "{e}");
    assert!(e.ends_with(": not a `base64-token rank` line"), "{e}");
    let e = load_err(b"hello, world\n", None);
    assert!(
        e.starts_with("is not a tokenizer file tokenbudget reads"),
        "{e}"
    );
}

/// A protobuf field: key then payload.
fn field(num: u64, wire: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = varint((num << 3) | wire);
    if wire == 2 {
        out.extend(varint(payload.len() as u64));
    }
    out.extend_from_slice(payload);
    out
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

fn piece(text: &str, score: f32, kind: u64) -> Vec<u8> {
    let mut p = field(1, 2, text.as_bytes());
    p.extend(field(2, 5, &score.to_le_bytes()));
    p.extend(field(3, 0, &varint(kind)));
    field(1, 2, &p)
}

fn spm_model(trainer: &[u8], with_unk: bool) -> Vec<u8> {
    let mut m = Vec::new();
    if with_unk {
        m.extend(piece("<unk>", 0.0, 2));
    }
    m.extend(piece("a", -1.0, 1));
    m.extend(piece("b", -2.0, 1));
    m.extend(field(2, 2, trainer));
    m
}

#[test]
fn unsupported_sentencepiece_parts_are_named() {
    let word = field(3, 0, &varint(3));
    assert_eq!(
        load_err(&spm_model(&word, true), None),
        "trainer_spec.model_type is WORD, which tokenbudget does not support (only UNIGRAM and \
         BPE models)"
    );
    let char_ = field(3, 0, &varint(4));
    assert!(
        load_err(&spm_model(&char_, true), None).starts_with("trainer_spec.model_type is CHAR")
    );
    let suffix = field(24, 0, &varint(1));
    assert_eq!(
        load_err(&spm_model(&suffix, true), None),
        "trainer_spec.treat_whitespace_as_suffix is set, which tokenbudget does not support"
    );
    let fallback = field(35, 0, &varint(1));
    assert_eq!(
        load_err(&spm_model(&fallback, true), None),
        "trainer_spec.byte_fallback is set but there is no byte piece <0x00>"
    );
    assert_eq!(
        load_err(&spm_model(&[], false), None),
        "has no <unk> piece (type UNKNOWN), which SentencePiece requires"
    );
    // a cut-short file
    let good = std::fs::read(dir().join("bpe.model")).unwrap();
    let e = load_err(&good[..good.len() - 3], None);
    assert!(
        e.starts_with("is not a SentencePiece model (or is damaged): "),
        "{e}"
    );
    // a hand-made model counts: "aab" → a a b (unigram), an unknown char is <unk>
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("tiny.model");
    std::fs::write(&p, spm_model(&[], true)).unwrap();
    let tok = Tokenizer::from_file(&p, None).unwrap();
    // "▁" (dummy prefix) is unknown, then a, a, b; "xy" is one run of unknowns
    assert_eq!(tok.count("aab"), 4);
    assert_eq!(tok.count("xy"), 1);
}

/// A text of just over one streaming block (2 MiB) made of the tricky fixtures.
fn big_text() -> String {
    let fixtures = dir().join("..");
    let mut parts = Vec::new();
    for name in [
        "text/cjk.txt",
        "text/code.py",
        "text/combining.txt",
        "text/bom.txt",
    ] {
        parts.push(std::fs::read_to_string(fixtures.join(name)).expect("fixture"));
    }
    let mut s = String::new();
    while s.len() < (2 << 20) + (1 << 17) {
        for p in &parts {
            s.push_str(p);
        }
    }
    s
}

/// A file of more than one block (2 MiB) counted with `--tokenizer` takes the whole-file path
/// (a tokenizer file's split rules are its own, so plain text is never cut into blocks for
/// it): the count is the file's count of the whole text, which the tests above hold equal to
/// the reference's.
#[test]
fn a_large_text_with_a_tokenizer_file_is_counted_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let text = big_text();
    std::fs::write(tmp.path().join("big.txt"), &text).unwrap();
    // (the SentencePiece reader takes a minute on 2 MiB in a debug build: left out here; the
    // whole-file path does not depend on the kind of file)
    for column in ["bpe.tokenizer.json", "ranks.tiktoken:cl100k"] {
        let tok = load(column);
        let (file, split) = match column.split_once(':') {
            Some((f, s)) => (f, Some(s)),
            None => (column, None),
        };
        let path = dir().join(file);
        let mut args = vec![
            "count",
            "big.txt",
            "--tokenizer",
            path.to_str().unwrap(),
            "--json",
        ];
        if let Some(s) = split {
            args.extend(["--split", s]);
        }
        let o = crate::common::run_in(tmp.path(), &args, None);
        assert_eq!(o.code, 0, "{column}: {}", o.stderr);
        let j = crate::common::json(&o);
        assert_eq!(
            j["total"]["tokens"].as_u64(),
            Some(tok.count(&text) as u64),
            "{column}"
        );
        assert_eq!(j["encoding"], serde_json::Value::Null, "{column}");
    }
}

/// JSONL lines are independent, so a large JSONL file streams with a tokenizer file too: its
/// total is the sum of its lines' counts.
#[test]
fn a_large_jsonl_file_with_a_tokenizer_file_streams_line_by_line() {
    let tmp = tempfile::tempdir().unwrap();
    let text = big_text();
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::to_string(l).unwrap())
        .collect();
    std::fs::write(tmp.path().join("big.jsonl"), lines.join("\n") + "\n").unwrap();
    let tok = load("bpe.tokenizer.json");
    let want: u64 = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| tok.count(l) as u64)
        .sum();
    let path = dir().join("bpe.tokenizer.json");
    let o = crate::common::run_in(
        tmp.path(),
        &[
            "count",
            "big.jsonl",
            "--jsonl",
            "--tokenizer",
            path.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = crate::common::json(&o);
    assert_eq!(j["total"]["tokens"].as_u64(), Some(want));
    assert_eq!(
        j["inputs"][0]["lines"]["count"].as_u64(),
        Some(lines.len() as u64)
    );
}

/// `plan --tokenizer FILE` counts a request the way `count --tokenizer FILE` does (one answer),
/// with the model's context window, and says the chat overhead is the cookbook's.
#[test]
fn plan_with_a_tokenizer_file_gives_counts_total() {
    let req = crate::common::fixtures().join("request");
    let path = dir().join("bpe.tokenizer.json");
    let path = path.to_str().unwrap();
    for file in ["chat.json", "anthropic.json"] {
        let count = crate::common::run_in(
            &req,
            &["count", file, "-m", "gpt-4o", "--tokenizer", path, "--json"],
            None,
        );
        assert_eq!(count.code, 0, "{file}: {}", count.stderr);
        let count = crate::common::json(&count);
        let plan = crate::common::run_in(
            &req,
            &[
                "plan",
                "--request",
                file,
                "-m",
                "gpt-4o",
                "--tokenizer",
                path,
                "--json",
            ],
            None,
        );
        assert!(plan.code <= 1, "{file}: {}", plan.stderr);
        let plan = crate::common::json(&plan);
        assert_eq!(
            plan["input_tokens"], count["total"]["tokens"],
            "{file}: plan and count differ"
        );
        assert_eq!(plan["encoding"], serde_json::Value::Null);
        assert_eq!(plan["context_window"], 128_000);
        assert!(
            plan["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().contains("--tokenizer file")),
            "{file}: {}",
            plan["notes"]
        );
        // and the file's count differs from o200k_base's (it is really the file's)
        let o200k = crate::common::run_in(&req, &["count", file, "-m", "gpt-4o", "--json"], None);
        assert_ne!(
            crate::common::json(&o200k)["total"]["tokens"],
            count["total"]["tokens"],
            "{file}"
        );
    }
}

/// `cost --tokenizer FILE` prices the count `count --tokenizer FILE` gives, for each kind of
/// file and for a text and a request (one answer), for every model compared, and names the
/// file in the JSON and the report.
#[test]
fn cost_with_a_tokenizer_file_prices_counts_total() {
    let req = crate::common::fixtures().join("request");
    for (tokenizer, split) in [
        ("bpe.tokenizer.json", None),
        ("unigram.tokenizer.json", None),
        ("bpe.model", None),
        ("ranks.tiktoken", Some("o200k")),
    ] {
        let path = dir().join(tokenizer);
        let path = path.to_str().unwrap();
        for file in ["chat.json", "../tokenizers/corpus.txt"] {
            let mut file_args = vec!["--tokenizer", path];
            if let Some(s) = split {
                file_args.extend(["--split", s]);
            }
            let mut args = vec![
                "cost",
                file,
                "--compare",
                "gpt-4o,claude-sonnet-4-5",
                "--json",
            ];
            args.extend(&file_args);
            let cost = crate::common::run_in(&req, &args, None);
            assert_eq!(cost.code, 0, "{tokenizer} {file}: {}", cost.stderr);
            let cost = crate::common::json(&cost);
            let rows = cost["rows"].as_array().unwrap();
            assert_eq!(rows.len(), 2);
            for row in rows {
                // each model's own count (a request's images follow the model's provider)
                let model = row["model"].as_str().unwrap();
                let mut args = vec!["count", file, "-m", model, "--json"];
                args.extend(&file_args);
                let count = crate::common::run_in(&req, &args, None);
                assert_eq!(count.code, 0, "{tokenizer} {file}: {}", count.stderr);
                let want = &crate::common::json(&count)["total"]["tokens"];
                assert_eq!(&row["input_tokens"], want, "{tokenizer} {file}: {model}");
                assert_eq!(row["tokenizer_file"], path);
                assert_eq!(row["tokenizer"], serde_json::Value::Null);
                assert_eq!(row["approximate"], false);
            }
        }
    }
    // the single-model report names the file; a bad file is an error naming it
    let path = dir().join("bpe.tokenizer.json");
    let o = crate::common::run_in(
        &req,
        &[
            "cost",
            "chat.json",
            "-m",
            "gpt-4o",
            "--tokenizer",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .starts_with(&format!("gpt-4o (openai), tokenizer {}\n", path.display())),
        "{}",
        o.stdout
    );
    let o = crate::common::run_in(
        &req,
        &["cost", "chat.json", "--tokenizer", "missing.json"],
        None,
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: --tokenizer missing.json: cannot read it"),
        "{}",
        o.stderr
    );
    let o = crate::common::run_in(
        &req,
        &["cost", "--input-tokens", "5", "--tokenizer", "x.json"],
        None,
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
}
