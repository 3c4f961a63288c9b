//! One request, one answer: for a fixture of every request shape (`tests/fixtures/request/`,
//! with tools, images and cache_control where the shape has them), `count`, `plan`, `cost` and
//! `check` report the same input total, and `cost` takes the request's model and its max output
//! as the worst case.

use crate::common;
use common::*;

fn dir() -> std::path::PathBuf {
    fixtures().join("request")
}

fn ok_json(args: &[&str]) -> serde_json::Value {
    let o = run_in(&dir(), args, None);
    assert!(
        o.code == 0 || o.code == 1,
        "{args:?}: exit {}: {}",
        o.code,
        o.stderr
    );
    json(&o)
}

/// (fixture, model counted for, input total; the model the request names; its max output).
/// Claude and Gemini totals are the calibrated estimates (`o200k_base` × the generation's
/// ratio for the text's kind): anthropic.json 1505 × 1.16, gemini.json 860 × 1.10 (code),
/// batch-anthropic.json 18 × 1.16.
const SHAPES: &[(&str, &str, u64, &str, u64)] = &[
    ("chat.json", "gpt-4o-mini", 893, "gpt-4o-mini", 500),
    ("chat-functions.json", "gpt-4", 56, "gpt-4", 200),
    ("responses.json", "gpt-4.1", 195, "gpt-4.1", 300),
    ("responses-string.json", "gpt-4o", 15, "gpt-4o", 64),
    (
        "anthropic.json",
        "claude-sonnet-4-5",
        1746,
        "claude-sonnet-4-5",
        1024,
    ),
    ("gemini.json", "gemini-2.5-pro", 946, "", 256),
    ("batch-openai.json", "gpt-4o", 48, "gpt-4o", 100),
    (
        "batch-anthropic.json",
        "claude-haiku-4-5",
        21,
        "claude-haiku-4-5",
        100,
    ),
];

#[test]
fn count_plan_cost_and_check_give_the_same_total_for_every_shape() {
    let mut seen = Vec::new();
    for (file, model, _, _, _) in SHAPES {
        let count = ok_json(&["count", file, "-m", model, "--json"]);
        let plan = ok_json(&["plan", "--request", file, "-m", model, "--json"]);
        let cost = ok_json(&["cost", file, "-m", model, "--json"]);
        let config =
            format!("[[budget]]\npath = \"{file}\"\nmodel = \"{model}\"\nmax_tokens = 1000000\n");
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("budgets.toml"), config).unwrap();
        let cfg = tmp.path().join("budgets.toml");
        // the config names the fixture relative to itself: copy the fixture next to it
        std::fs::copy(dir().join(file), tmp.path().join(file)).unwrap();
        let o = run_in(
            tmp.path(),
            &["check", "--config", cfg.to_str().unwrap(), "--json"],
            None,
        );
        assert_eq!(o.code, 0, "{file}: {}", o.stderr);
        let check = json(&o);
        let totals = [
            count["inputs"][0]["tokens"].as_u64(),
            plan["input_tokens"].as_u64(),
            cost["rows"][0]["input_tokens"].as_u64(),
            check["budgets"][0]["tokens"].as_u64(),
        ];
        assert!(
            totals.iter().all(|t| *t == totals[0] && t.is_some()),
            "{file}: count, plan, cost, check = {totals:?}"
        );
        // the same approximate label everywhere
        let approx = [
            count["approximate"].as_bool(),
            plan["approximate"].as_bool(),
            cost["rows"][0]["approximate"].as_bool(),
            check["budgets"][0]["approximate"].as_bool(),
        ];
        assert!(
            approx.iter().all(|a| *a == approx[0]),
            "{file}: approximate = {approx:?}"
        );
        seen.push((file.to_string(), totals[0].unwrap()));
    }
    let want: Vec<(String, u64)> = SHAPES.iter().map(|s| (s.0.to_string(), s.2)).collect();
    assert_eq!(seen, want);
}

#[test]
fn cost_takes_the_request_model_and_max_output_as_the_worst_case() {
    for (file, _, _, model, max) in SHAPES {
        let mut args = vec!["cost", file, "--json"];
        if model.is_empty() {
            // a Gemini body names no model (it is in the URL): -m gives it
            args.extend(["-m", "gemini-2.5-pro"]);
        }
        let j = ok_json(&args);
        let want_model = if model.is_empty() {
            "gemini-2.5-pro"
        } else {
            model
        };
        assert_eq!(j["rows"][0]["model"], *want_model, "{file}");
        assert_eq!(
            (&j["output_tokens"], &j["output_basis"]),
            (&(*max).into(), &"max_tokens".into()),
            "{file}"
        );
        assert_eq!(j["rows"][0]["usage"]["output"], *max, "{file}");
    }
    // -m and --output-tokens win over the request
    let j = ok_json(&[
        "cost",
        "chat.json",
        "-m",
        "gpt-4o",
        "--output-tokens",
        "7",
        "--json",
    ]);
    assert_eq!(
        (
            &j["rows"][0]["model"],
            &j["output_tokens"],
            &j["output_basis"]
        ),
        (&"gpt-4o".into(), &7.into(), &"expected".into())
    );
}

#[test]
fn json_that_is_not_a_request_is_text_for_count_and_refused_by_plan() {
    let o = run_in(&dir(), &["count", "not-a-request.json"], None);
    assert_eq!(o.code, 0);
    assert!(
        o.stderr.starts_with(
            "note: not-a-request.json: JSON that is not a request, counted as text (a request \
             is a messages array, or an OpenAI Chat Completions, OpenAI Responses"
        ),
        "{}",
        o.stderr
    );
    let o = run_in(&dir(), &["plan", "--request", "not-a-request.json"], None);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with(
            "error: not-a-request.json: not a request: expected a messages array, or an OpenAI \
             Chat Completions, OpenAI Responses, Anthropic Messages or Gemini generateContent body"
        ),
        "{}",
        o.stderr
    );
}

#[test]
fn json_piped_into_plan_alone_is_a_request() {
    let body = std::fs::read(dir().join("responses.json")).unwrap();
    let piped = run_in(&dir(), &["plan", "--json"], Some(&body));
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    let given = ok_json(&["plan", "--request", "responses.json", "--json"]);
    assert_eq!(json(&piped)["input_tokens"], given["input_tokens"]);
    assert_eq!(json(&piped)["model"], "gpt-4.1");
}

#[test]
fn count_verbose_shows_the_parts() {
    let o = run_in(
        &dir(),
        &["count", "chat.json", "-m", "gpt-4o-mini", "--verbose"],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("chat.json parts (as plan splits it)"),
        "{}",
        o.stdout
    );
    let j = ok_json(&["count", "chat.json", "-m", "gpt-4o-mini", "--json"]);
    let parts: Vec<&str> = j["inputs"][0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["part"].as_str().unwrap())
        .collect();
    assert_eq!(parts, ["system", "tools", "history", "user", "overhead"]);
    let sum: u64 = j["inputs"][0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["tokens"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, j["inputs"][0]["tokens"].as_u64().unwrap());
}

#[test]
fn compare_with_one_bad_model_prints_the_good_rows_and_exits_2() {
    let o = run_in(
        &dir(),
        &[
            "cost",
            "chat.json",
            "--compare",
            "gpt-4o,gpt-4o-mni,claude-sonnet-4-5",
            "--json",
        ],
        None,
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert_eq!(
        o.stderr,
        "error: unknown model 'gpt-4o-mni'; did you mean: gpt-4o-mini, gpt-5-mini, gpt-4.1-mini?\n"
    );
    let j = json(&o);
    let rows: Vec<(&str, u64, bool)> = j["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["model"].as_str().expect("model"),
                r["input_tokens"].as_u64().expect("input tokens"),
                r["approximate"].as_bool().expect("approximate"),
            )
        })
        .collect();
    // the request's own total for gpt-4o (see SHAPES), and Claude's labelled estimate: the
    // calibrated central value (1,527 with o200k_base and Claude's message rule, prose × 1.16)
    assert_eq!(
        rows,
        [("gpt-4o", 893, false), ("claude-sonnet-4-5", 1771, true)]
    );
}

/// Without `-m`, `count`, `plan` and `cost` of a request all count for the model the request
/// names (`count` used to take gpt-4o): the same model, the same total.
#[test]
fn count_plan_and_cost_take_the_request_model_alike() {
    for (file, counted_for, total, model, _) in SHAPES {
        if model.is_empty() {
            continue; // a Gemini body names no model
        }
        let count = ok_json(&["count", file, "--json"]);
        let plan = ok_json(&["plan", "--request", file, "--json"]);
        let cost = ok_json(&["cost", file, "--json"]);
        assert_eq!(count["model"], *counted_for, "{file}");
        assert_eq!(plan["model"], *counted_for, "{file}");
        assert_eq!(cost["rows"][0]["model"], *counted_for, "{file}");
        let totals = [
            count["inputs"][0]["tokens"].as_u64(),
            plan["input_tokens"].as_u64(),
            cost["rows"][0]["input_tokens"].as_u64(),
        ];
        assert_eq!(totals, [Some(*total); 3], "{file}");
    }
    // -m still wins, and a model the catalog does not know names where it came from
    let count = ok_json(&["count", "chat.json", "-m", "gpt-4o", "--json"]);
    assert_eq!(count["model"], "gpt-4o");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("r.json"),
        r#"{"model": "my-azure-deployment", "messages": [{"role": "user", "content": "hi"}]}"#,
    )
    .unwrap();
    let o = run_in(tmp.path(), &["count", "r.json"], None);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown model 'my-azure-deployment'")
            && o.stderr
                .contains("the request's \"model\"; pass --model or --encoding"),
        "{}",
        o.stderr
    );
    let o = run_in(tmp.path(), &["count", "r.json", "-e", "o200k_base"], None);
    assert_eq!((o.code, o.stdout.trim()), (0, "8"), "{}", o.stderr);
    // the model is found past a long blank start (the first non-blank byte is looked for
    // block by block), and a text file that only mentions a model is plain text
    let body = r#"{"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}"#;
    std::fs::write(
        tmp.path().join("blank.json"),
        format!("{}{body}", "\n".repeat(200_000)),
    )
    .unwrap();
    let o = run_in(tmp.path(), &["count", "blank.json", "--json"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(json(&o)["model"], "claude-sonnet-4-5");
    std::fs::write(tmp.path().join("t.txt"), format!("see {body}")).unwrap();
    let o = run_in(tmp.path(), &["count", "t.txt", "--json"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(json(&o)["model"], "gpt-4o");
}

/// A request file is read once: `count` takes the bytes it read to find the model. Past a
/// stream block (2 MiB) those bytes take the large-document path; the counts, the skipped
/// reason and the error are those of the file read the usual way (`-m`, which skips the look).
#[test]
fn a_large_request_file_counts_as_when_read_the_usual_way() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "hello world, ".repeat(250_000); // 3.25 MB
    let big =
        format!(r#"{{"model": "gpt-4o", "messages": [{{"role": "user", "content": "{text}"}}]}}"#);
    std::fs::write(tmp.path().join("big.json"), &big).unwrap();
    let looked = json(&run_in(tmp.path(), &["count", "big.json", "--json"], None));
    let usual = json(&run_in(
        tmp.path(),
        &["count", "big.json", "-m", "gpt-4o", "--json"],
        None,
    ));
    let plan = json(&run_in(
        tmp.path(),
        &["plan", "--request", "big.json", "--json"],
        None,
    ));
    assert_eq!(looked["model"], "gpt-4o");
    assert_eq!(looked["inputs"][0]["tokens"], usual["inputs"][0]["tokens"]);
    assert_eq!(looked["inputs"][0]["tokens"], plan["input_tokens"]);
    assert_eq!(looked["inputs"][0]["tokens"].as_u64(), Some(750_008));
    assert_eq!(
        looked["inputs"][0]["bytes"].as_u64(),
        Some(big.len() as u64)
    );
    // not a request (no model): counted as the same JSON document either way
    let doc = format!(r#"{{"text": "{text}"}}"#);
    std::fs::write(tmp.path().join("doc.json"), &doc).unwrap();
    let looked = run_in(tmp.path(), &["count", "doc.json"], None);
    let usual = run_in(tmp.path(), &["count", "doc.json", "-m", "gpt-4o"], None);
    assert_eq!(
        (looked.code, &looked.stdout),
        (0, &usual.stdout),
        "{}",
        looked.stderr
    );
    // invalid UTF-8 past the first block: the same error, naming the file and the offset
    let mut bad = big.clone().into_bytes();
    bad[3_000_000] = 0xFF;
    std::fs::write(tmp.path().join("bad.json"), &bad).unwrap();
    let looked = run_in(tmp.path(), &["count", "bad.json"], None);
    let usual = run_in(tmp.path(), &["count", "bad.json", "-m", "gpt-4o"], None);
    assert_eq!(looked.code, 2, "{}", looked.stderr);
    assert!(
        looked
            .stderr
            .contains("bad.json: invalid UTF-8 at byte offset 3000000"),
        "{}",
        looked.stderr
    );
    assert_eq!(looked.stderr, usual.stderr);
}
