//! Values never changed silently, argument parsers that never panic, and `--by`/`--field`
//! paths into prompt or response text refused.

use crate::common;
use common::{fixtures, run_in};

fn scan(args: &[&str]) -> common::Out {
    let mut all = vec!["scan-logs"];
    all.extend_from_slice(args);
    run_in(&fixtures().join("scan"), &all, None)
}

fn clap_error(value: &str, flag: &str, why: &str) -> String {
    format!(
        "error: invalid value '{value}' for '{flag}': {why}\n\nFor more information, try '--help'.\n"
    )
}

#[test]
fn non_ascii_argument_values_are_errors_not_panics() {
    for since in [
        "2026-03-0éé",
        "2026-03-01éé",
        "2026-03-01Té",
        "éééééééééééé",
    ] {
        let o = scan(&["app.jsonl", "--since", since]);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr),
            (
                2,
                "",
                format!(
                    "error: invalid time '{since}' (expected a valid date or time: 2026-03-01, \
                     2026-03-01T12:00 or RFC 3339)\n"
                )
            )
        );
        let o = scan(&["app.jsonl", "--until", since, "--tz", "+02:00"]);
        assert_eq!(o.code, 2, "{}", o.stderr);
    }
    for tz in ["é1", "+é", "-é1", "UTCé", "é", "+1é", "ÉÉ"] {
        let o = scan(&["app.jsonl", &format!("--tz={tz}")]);
        assert_eq!(
            (o.code, o.stderr),
            (
                2,
                clap_error(
                    tz,
                    "--tz <TZ>",
                    &format!(
                        "invalid time zone '{tz}' (expected UTC, a fixed offset like +02:00, or \
                         an IANA zone like Europe/Berlin)"
                    )
                )
            )
        );
    }
    // Every other value parser, with characters of every width.
    let weird = ["é", "5é", "é5", "1😀", "½", "5m\u{301}", "+\u{200b}2", "５"];
    let cases: &[(&[&str], &str)] = &[
        (&["scan-logs", "app.jsonl", "--burst"], "--burst <RATE>"),
        (
            &["scan-logs", "app.jsonl", "--loop-gap"],
            "--loop-gap <DURATION>",
        ),
        (
            &["scan-logs", "app.jsonl", "--window-share"],
            "--window-share <SHARE>",
        ),
        (
            &["scan-logs", "app.jsonl", "--loop-tolerance"],
            "--loop-tolerance <SHARE>",
        ),
        (
            &["cost", "--model", "gpt-4o", "--input-tokens"],
            "--input-tokens <N>",
        ),
        (
            &[
                "cost",
                "--model",
                "gpt-4o",
                "--input-tokens",
                "5",
                "--cached-ratio",
            ],
            "--cached-ratio <RATIO>",
        ),
        (&["plan", "--context-window"], "--context-window <N>"),
        (&["plan", "--cap"], "--cap <PART=N|P%>"),
    ];
    for (args, flag) in cases {
        for w in weird {
            let mut all = args.to_vec();
            all.push(w);
            let o = run_in(&fixtures().join("scan"), &all, None);
            assert_eq!(o.code, 2, "{all:?}: {}", o.stderr);
            assert!(
                o.stderr
                    // shown escaped: an invisible format character is made visible
                    .starts_with(&format!(
                        "error: invalid value '{}' for '{flag}': ",
                        tokenbudget::report::escape::escape(w)
                    )),
                "{all:?}: {}",
                o.stderr
            );
            assert!(!o.stderr.contains("panicked"), "{all:?}: {}", o.stderr);
        }
    }
}

#[test]
fn by_and_field_refuse_paths_into_prompt_or_response_text() {
    let why = |path: &str, seg: &str| {
        format!(
            "'{path}' leads into prompt or response text (`{seg}`), which scan-logs never prints; \
             use a field that names the request instead (user, model, metadata.team …)"
        )
    };
    for (path, seg) in [
        ("choices.0.message.content", "content"),
        ("messages.*.content", "messages"),
        ("choices.0.message", "message"),
        ("choices", "choices"),
        ("body.messages.0.content.0.text", "messages"),
        ("input", "input"),
        ("output.0.content.0.text", "content"),
        ("contents.0.parts.0.text", "contents"),
        ("candidates.0", "candidates"),
        ("system", "system"),
        ("Messages", "Messages"),
        ("response", "response"),
        ("prompt", "prompt"),
    ] {
        let o = scan(&["app.jsonl", "--by", path]);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr),
            (2, "", clap_error(path, "--by <FIELD>", &why(path, seg))),
            "{path}"
        );
        let o = scan(&["app.jsonl", "--by", &format!("user,{path}")]);
        assert_eq!(o.code, 2, "{path}");
    }
    let o = scan(&["app.jsonl", "--field", "user=messages.0.content"]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr),
        (
            2,
            "",
            format!(
                "error: invalid --field user=messages.0.content: {}\n",
                why("messages.0.content", "messages")
            )
        )
    );
    // Fields that name the request still work, and numeric fields may point anywhere (their
    // values are parsed as numbers, never printed).
    let o = scan(&["app.jsonl", "--by", "message.model,metadata.team", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = scan(&["app.jsonl", "--field", "input=usage.input", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

fn request(field: &str, value: &str) -> String {
    format!(
        r#"{{"model": "gpt-4o", "{field}": {value}, "messages": [{{"role": "user", "content": "hi"}}]}}"#
    )
}

#[test]
fn max_tokens_that_is_not_a_positive_whole_number_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for field in ["max_tokens", "max_completion_tokens", "max_output_tokens"] {
        for (value, why) in [
            (
                "1e15",
                "must be a positive whole number of tokens (no decimal point or exponent), got 1000000000000000.0",
            ),
            (
                "1.5",
                "must be a positive whole number of tokens (no decimal point or exponent), got 1.5",
            ),
            ("-1", "must be a positive whole number of tokens, got -1"),
            ("0", "must be a positive whole number of tokens, got 0"),
            (
                "\"4096\"",
                "must be a positive whole number of tokens, got \"4096\"",
            ),
            (
                "true",
                "must be a positive whole number of tokens, got true",
            ),
            ("[]", "must be a positive whole number of tokens, got []"),
            (
                "2000000000000000",
                "is too large (max 1000000000000000), got 2000000000000000",
            ),
        ] {
            let body = request(field, value);
            std::fs::write(d.join("r.json"), &body).unwrap();
            for args in [
                &["plan", "--request", "r.json"][..],
                &["plan", "--request", "r.json", "--fit"],
            ] {
                let o = run_in(d, args, None);
                assert_eq!(
                    (o.code, o.stdout.as_str(), o.stderr),
                    (2, "", format!("error: r.json: {field} {why}\n")),
                    "{body}"
                );
            }
        }
    }
    // A whole number within the model's output is the reserve, named by its field; null is no
    // limit (the default reserve).
    for (field, value, reserve, source) in [
        ("max_tokens", "1000", 1000, "max_tokens"),
        (
            "max_completion_tokens",
            "2000",
            2000,
            "max_completion_tokens",
        ),
        ("max_output_tokens", "3000", 3000, "max_output_tokens"),
        ("max_tokens", "null", 4096, "default"),
    ] {
        std::fs::write(d.join("r.json"), request(field, value)).unwrap();
        let o = run_in(d, &["plan", "--request", "r.json", "--json"], None);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let j = common::json(&o);
        assert_eq!(j["reserve_output"], reserve, "{field}");
        assert_eq!(j["reserve_source"], source, "{field}");
    }
}

#[test]
fn fit_writes_every_number_it_keeps_exactly_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let body = r#"{"model": "gpt-4o", "seed": 123456789012345678901234567890, "temperature": 1e-400, "top_p": 0.10000000000000000001, "max_tokens": 100,
 "metadata": {"n": -0, "big": 18446744073709551616, "esc": "\u00e9", "exp": 1.0E+2},
 "messages": [
   {"role": "system", "content": "You are terse."},
   {"role": "user", "content": "first question, a long one with many words to make it big enough to drop"},
   {"role": "assistant", "content": "first answer", "weight": 1.0e0},
   {"role": "user", "content": "second"}
 ]}"#;
    std::fs::write(d.join("r.json"), body).unwrap();
    let expected = r#"{
  "model": "gpt-4o",
  "seed": 123456789012345678901234567890,
  "temperature": 1e-400,
  "top_p": 0.10000000000000000001,
  "max_tokens": 100,
  "metadata": {"n": -0, "big": 18446744073709551616, "esc": "\u00e9", "exp": 1.0E+2},
  "messages": [
    {"role": "system", "content": "You are terse."},
    {"role": "assistant", "content": "first answer", "weight": 1.0e0},
    {"role": "user", "content": "second"}
  ]
}
"#;
    let o = run_in(
        d,
        &[
            "plan",
            "--request",
            "r.json",
            "--fit",
            "--context-window",
            "130",
        ],
        None,
    );
    assert_eq!((o.code, o.stdout.as_str()), (0, expected), "{}", o.stderr);
    let o = run_in(
        d,
        &[
            "plan",
            "--request",
            "r.json",
            "--fit",
            "--context-window",
            "130",
            "--out",
            "f.json",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(d.join("f.json")).unwrap(), expected);

    // A Batch API line: the fitted body inside it, everything else as read.
    let line = format!(
        r#"{{"custom_id": "r-1", "n": 1e-400, "method": "POST", "url": "/v1/chat/completions", "body": {body}}}"#
    );
    std::fs::write(d.join("b.json"), line).unwrap();
    let o = run_in(
        d,
        &[
            "plan",
            "--request",
            "b.json",
            "--fit",
            "--context-window",
            "130",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let inner: String = expected
        .trim_end()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("\n  {l}")
            }
        })
        .collect();
    assert_eq!(
        o.stdout,
        format!(
            "{{\n  \"custom_id\": \"r-1\",\n  \"n\": 1e-400,\n  \"method\": \"POST\",\n  \"url\": \
             \"/v1/chat/completions\",\n  \"body\": {inner}\n}}\n"
        )
    );
    // Duplicate keys: the last value at the first key's place, as when parsing.
    std::fs::write(
        d.join("dup.json"),
        r#"{"seed": 1, "messages": [{"role": "user", "content": "x"}], "seed": 2e400000000000000000000}"#,
    )
    .unwrap();
    let o = run_in(d, &["plan", "--request", "dup.json", "--fit"], None);
    assert_eq!(o.code, 2, "{}", o.stderr);
    std::fs::write(
        d.join("dup.json"),
        r#"{"seed": 1, "messages": [{"role": "user", "content": "x"}], "seed": 12345678901234567890123}"#,
    )
    .unwrap();
    let o = run_in(d, &["plan", "--request", "dup.json", "--fit"], None);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (
            0,
            "{\n  \"seed\": 12345678901234567890123,\n  \"messages\": [\n    {\"role\": \"user\", \
             \"content\": \"x\"}\n  ]\n}\n"
        ),
        "{}",
        o.stderr
    );
}
