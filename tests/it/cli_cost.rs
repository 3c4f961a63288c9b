//! `tokenbudget cost`, run as a user would. Prices are the list prices of the embedded catalog
//! (LiteLLM snapshot 2026-11-28); prompt counts come from OpenAI's tiktoken 0.14
//! (`../shared/bench/tiktoken-reference`: prompt.txt is 64 tokens in o200k_base, 81 in
//! cl100k_base) and the cookbook's `num_tokens_from_messages` (count/chat.json: 53 for gpt-4o).

use crate::common;
use common::*;
use serde_json::Value;

const FOOTER: &str =
    "Prices: LiteLLM model_prices_and_context_window.json, MIT, BerriAI; as of 2026-11-28.";

fn cost(args: &[&str]) -> Out {
    let mut all = vec!["cost"];
    all.extend_from_slice(args);
    run_in(&fixtures().join("cost"), &all, None)
}

/// The whitespace-separated cells of the stdout line starting with `first`.
fn row<'a>(out: &'a Out, first: &str) -> Vec<&'a str> {
    out.stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row '{first}' in:\n{}", out.stdout))
}

fn rows(j: &Value) -> &Vec<Value> {
    j["rows"].as_array().expect("rows")
}

#[test]
fn gpt_4o_list_prices() {
    let o = cost(&[
        "--model",
        "gpt-4o",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "10000",
    ]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    assert_eq!(row(&o, "input"), ["input", "10,000", "$2.50", "$0.025"]);
    assert_eq!(row(&o, "output"), ["output", "10,000", "$10.00", "$0.10"]);
    assert_eq!(row(&o, "total"), ["total", "20,000", "$0.125"]);
    assert_eq!(row(&o, "cached"), ["cached", "input", "0", "-", "$0.00"]);
    assert_eq!(o.stdout.lines().next(), Some("gpt-4o (openai)"));
    assert_eq!(o.stdout.lines().last(), Some(FOOTER));

    let o = cost(&[
        "--model",
        "gpt-4o",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "10000",
        "--json",
    ]);
    assert_eq!(o.code, 0);
    let j = json(&o);
    let r = &rows(&j)[0];
    assert_eq!(r["model"], "gpt-4o");
    assert_eq!(r["cost"]["input"], "0.025");
    assert_eq!(r["cost"]["output"], "0.1");
    assert_eq!(r["cost"]["total"], "0.125");
    assert_eq!(r["per_request"], "0.125");
    assert_eq!(r["tokenizer"], Value::Null);
    assert_eq!(r["estimate"], false);
    assert_eq!(j["prompt"], Value::Null);
    assert_eq!(j["prices_date"], "2026-11-28");
    assert_eq!(rows(&j).len(), 1);
}

#[test]
fn default_model_is_gpt_4o_or_from_the_environment() {
    let o = cost(&["--input-tokens", "1000000", "--json"]);
    assert_eq!(rows(&json(&o))[0]["model"], "gpt-4o");
    let mut c = cmd(&fixtures().join("cost"));
    c.env("TOKENBUDGET_MODEL", "gpt-4o-mini");
    let o = run_cmd(c, &["cost", "--input-tokens", "1000000", "--json"], None);
    let j = json(&o);
    assert_eq!(rows(&j)[0]["model"], "gpt-4o-mini");
    assert_eq!(rows(&j)[0]["cost"]["input"], "0.15");
}

#[test]
fn compare_across_providers_cheapest_first() {
    let args = [
        "--input-tokens",
        "10000",
        "--output-tokens",
        "1000",
        "--compare",
        "gpt-4o,claude-sonnet-4-5,gemini-2.5-flash,gpt-4o-mini",
    ];
    let o = cost(&args);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    assert_eq!(
        row(&o, "gpt-4o-mini"),
        [
            "gpt-4o-mini",
            "openai",
            "10,000",
            "$0.00150",
            "$0.000600",
            "$0.00210",
            "cheapest"
        ]
    );
    assert_eq!(
        row(&o, "gemini-2.5-flash"),
        [
            "gemini-2.5-flash",
            "gemini",
            "10,000",
            "$0.00300",
            "$0.00250",
            "$0.00550"
        ]
    );
    assert_eq!(
        row(&o, "gpt-4o"),
        ["gpt-4o", "openai", "10,000", "$0.025", "$0.01", "$0.035"]
    );
    assert_eq!(
        row(&o, "claude-sonnet-4-5"),
        [
            "claude-sonnet-4-5",
            "anthropic",
            "10,000",
            "$0.03",
            "$0.015",
            "$0.045",
            "most",
            "expensive"
        ]
    );
    assert_eq!(o.stdout.lines().last(), Some(FOOTER));

    let mut a = args.to_vec();
    a.push("--json");
    let j = json(&cost(&a));
    let got: Vec<(&str, &str, bool, bool)> = rows(&j)
        .iter()
        .map(|r| {
            (
                r["model"].as_str().unwrap(),
                r["per_request"].as_str().unwrap(),
                r["cheapest"].as_bool().unwrap(),
                r["most_expensive"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("gpt-4o-mini", "0.0021", true, false),
            ("gemini-2.5-flash", "0.0055", false, false),
            ("gpt-4o", "0.035", false, false),
            ("claude-sonnet-4-5", "0.045", false, true),
        ]
    );
}

#[test]
fn provider_and_all_select_many_models() {
    let o = cost(&[
        "--input-tokens",
        "1000",
        "--output-tokens",
        "100",
        "--provider",
        "anthropic",
        "--json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert!(rows(&j).len() > 3);
    assert!(rows(&j).iter().all(|r| r["provider"] == "anthropic"));
    let totals: Vec<f64> = rows(&j)
        .iter()
        .map(|r| r["per_request"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");

    let o = cost(&["--input-tokens", "1000", "--all", "--json"]);
    let j = json(&o);
    let providers: std::collections::BTreeSet<&str> = rows(&j)
        .iter()
        .map(|r| r["provider"].as_str().unwrap())
        .collect();
    assert_eq!(
        providers.into_iter().collect::<Vec<_>>(),
        [
            "anthropic",
            "cohere",
            "deepseek",
            "gemini",
            "mistral",
            "openai",
            "xai"
        ]
    );
}

#[test]
fn projection_per_day_and_per_month() {
    let base = [
        "--model",
        "gpt-4o",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "10000",
    ];
    let mut a = base.to_vec();
    a.extend(["--requests", "50000", "--per", "day"]);
    let o = cost(&a);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let header: Vec<&str> = o
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        [
            "tokens", "$/1M", "per", "request", "per", "day", "per", "month"
        ]
    );
    assert_eq!(
        row(&o, "total"),
        ["total", "20,000", "$0.125", "$6,250.00", "$187,500.00"]
    );
    assert_eq!(
        row(&o, "input"),
        [
            "input",
            "10,000",
            "$2.50",
            "$0.025",
            "$1,250.00",
            "$37,500.00"
        ]
    );
    assert!(o.stdout.contains("50,000 requests/day, 30-day month."));
    a.push("--json");
    let j = json(&cost(&a));
    assert_eq!(j["workload"]["requests"], 50000);
    assert_eq!(j["workload"]["per"], "day");
    assert_eq!(j["workload"]["days_per_month"], 30);
    assert_eq!(rows(&j)[0]["projection"]["per_day"], "6250");
    assert_eq!(rows(&j)[0]["projection"]["per_month"], "187500");

    let mut a = base.to_vec();
    a.extend(["--requests", "3000", "--per", "month", "--json"]);
    let j = json(&cost(&a));
    assert_eq!(rows(&j)[0]["projection"]["per_month"], "375");
    assert_eq!(rows(&j)[0]["projection"]["per_day"], "12.5");

    let mut a = base.to_vec();
    a.extend([
        "--requests",
        "100",
        "--per",
        "day",
        "--days-per-month",
        "31",
    ]);
    let o = cost(&a);
    assert_eq!(row(&o, "total")[4], "$387.50");

    // without --per: the total of N requests
    let mut a = base.to_vec();
    a.extend(["--requests", "1000"]);
    let o = cost(&a);
    assert!(o.stdout.contains("× 1,000"), "{}", o.stdout);
    assert_eq!(row(&o, "total"), ["total", "20,000", "$0.125", "$125.00"]);

    // a projection in a comparison
    let o = cost(&[
        "--input-tokens",
        "10000",
        "--output-tokens",
        "10000",
        "--compare",
        "gpt-4o,gpt-4o-mini",
        "--requests",
        "50000",
        "--per",
        "day",
    ]);
    assert_eq!(
        row(&o, "gpt-4o"),
        [
            "gpt-4o",
            "openai",
            "10,000",
            "$0.025",
            "$0.10",
            "$0.125",
            "$6,250.00",
            "$187,500.00",
            "most",
            "expensive"
        ]
    );

    let o = cost(&["--input-tokens", "10", "--per", "day"]);
    assert_eq!(o.code, 2);
}

#[test]
fn cached_ratio_means_the_same_for_openai_and_anthropic() {
    let o = cost(&[
        "--input-tokens",
        "10000",
        "--cached-ratio",
        "0.8",
        "--compare",
        "gpt-4o,claude-sonnet-4-5",
        "--json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["cached_ratio"], 0.8);
    let by = |m: &str| rows(&j).iter().find(|r| r["model"] == m).cloned().unwrap();
    let g = by("gpt-4o");
    let c = by("claude-sonnet-4-5");
    for r in [&g, &c] {
        assert_eq!(r["usage"]["input"], 2000);
        assert_eq!(r["usage"]["cached_input"], 8000);
        assert_eq!(r["input_tokens"], 10000);
    }
    // OpenAI: 2,000 × $2.50/M + 8,000 × $1.25/M
    assert_eq!(g["cost"]["input"], "0.005");
    assert_eq!(g["cost"]["cached_input"], "0.01");
    assert_eq!(g["per_request"], "0.015");
    // Anthropic: 2,000 × $3/M + 8,000 × $0.30/M
    assert_eq!(c["cost"]["input"], "0.006");
    assert_eq!(c["cost"]["cached_input"], "0.0024");
    assert_eq!(c["per_request"], "0.0084");

    let o = cost(&[
        "--input-tokens",
        "10000",
        "--cached-ratio",
        "0.8",
        "--model",
        "gpt-4o",
    ]);
    assert_eq!(
        row(&o, "cached"),
        ["cached", "input", "8,000", "$1.25", "$0.01"]
    );
    assert!(o.stdout.contains("0.8 of the input read from cache"));
}

#[test]
fn anthropic_cache_writes_use_the_ttl_rate() {
    let base = [
        "--model",
        "claude-sonnet-4-5",
        "--input-tokens",
        "10000",
        "--cached-tokens",
        "6000",
        "--cache-write-tokens",
        "3000",
    ];
    let mut a = base.to_vec();
    a.push("--json");
    let j = json(&cost(&a));
    let r = &rows(&j)[0];
    assert_eq!(r["usage"]["input"], 1000);
    assert_eq!(r["usage"]["cached_input"], 6000);
    assert_eq!(r["usage"]["cache_write_5m"], 3000);
    assert_eq!(r["cost"]["input"], "0.003");
    assert_eq!(r["cost"]["cached_input"], "0.0018");
    assert_eq!(r["cost"]["cache_write"], "0.01125");
    assert_eq!(r["per_request"], "0.01605");
    assert_eq!(j["cache_ttl"], "5m");

    let mut a = base.to_vec();
    a.extend(["--cache-ttl", "1h", "--json"]);
    let j = json(&cost(&a));
    let r = &rows(&j)[0];
    assert_eq!(r["usage"]["cache_write_1h"], 3000);
    assert_eq!(r["cost"]["cache_write"], "0.018");
    assert_eq!(r["per_request"], "0.0228");

    let mut a = base.to_vec();
    a.extend(["--cache-ttl", "1h"]);
    let o = cost(&a);
    assert_eq!(
        row(&o, "cache"),
        ["cache", "write", "3,000", "$6.00", "$0.018"]
    );
    assert!(o.stdout.contains("cache writes: 1-hour"));

    // OpenAI has no cache-write price: writes are billed as input, said on stderr
    let o = cost(&[
        "--model",
        "gpt-4o",
        "--input-tokens",
        "10000",
        "--cache-write-tokens",
        "3000",
        "--cache-ttl",
        "1h",
    ]);
    assert_eq!(o.code, 0);
    assert_eq!(
        row(&o, "cache"),
        ["cache", "write", "3,000", "$2.50", "$0.00750"]
    );
    assert_eq!(
        o.stderr,
        "note: gpt-4o has no cache-write price: cache writes are billed as input\n"
    );

    // cached and cache-write tokens are parts of the input
    let o = cost(&[
        "--input-tokens",
        "10000",
        "--cached-tokens",
        "8000",
        "--cache-write-tokens",
        "3000",
    ]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: --cached-tokens (8,000) + --cache-write-tokens (3,000) are more than --input-tokens (10,000): cached and cache-write tokens are parts of the input\n"
    );
}

#[test]
fn batch_prices() {
    let o = cost(&[
        "--model",
        "gpt-4o",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "10000",
        "--batch",
        "--json",
    ]);
    let j = json(&o);
    assert_eq!(j["batch"], true);
    assert_eq!(rows(&j)[0]["cost"]["input"], "0.0125");
    assert_eq!(rows(&j)[0]["cost"]["output"], "0.05");
    assert_eq!(rows(&j)[0]["per_request"], "0.0625");

    let o = cost(&[
        "--model",
        "deepseek-chat",
        "--input-tokens",
        "10",
        "--batch",
    ]);
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    assert_eq!(
        o.stderr,
        "error: model 'deepseek-chat' has no batch pricing\n"
    );

    // an explicit list: the others are still shown, then exit 2
    let o = cost(&[
        "--compare",
        "gpt-4o,deepseek-chat",
        "--input-tokens",
        "10000",
        "--batch",
    ]);
    assert_eq!(o.code, 2);
    assert_eq!(row(&o, "gpt-4o")[5], "$0.0125");
    assert!(
        o.stderr
            .contains("error: model 'deepseek-chat' has no batch pricing"),
        "{}",
        o.stderr
    );
    // a provider or --all: models without batch prices are skipped with a note
    let o = cost(&[
        "--provider",
        "deepseek,openai",
        "--input-tokens",
        "10",
        "--batch",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("note: skipped "), "{}", o.stderr);
    assert!(!o.stdout.contains("deepseek"));
    let o = cost(&[
        "--provider",
        "deepseek",
        "--input-tokens",
        "10",
        "--batch",
        "--json",
    ]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stderr, "error: no model can price this request\n");
    let j = json(&o);
    assert!(rows(&j).is_empty());
    assert!(
        j["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .ends_with("has no batch pricing")
    );
}

#[test]
fn worst_case_with_max_tokens() {
    let o = cost(&[
        "--model",
        "gpt-4o",
        "--input-tokens",
        "1000",
        "--max-tokens",
        "4096",
    ]);
    assert_eq!(o.code, 0);
    assert_eq!(
        row(&o, "output"),
        ["output", "(max)", "4,096", "$10.00", "$0.041"]
    );
    assert_eq!(row(&o, "total"), ["total", "5,096", "$0.0435"]);
    assert!(
        o.stdout
            .contains("worst case: all 4,096 max tokens generated")
    );
    let j = json(&cost(&[
        "--model",
        "gpt-4o",
        "--input-tokens",
        "1000",
        "--max-tokens",
        "4096",
        "--json",
    ]));
    assert_eq!(j["output_basis"], "max_tokens");
    assert_eq!(rows(&j)[0]["cost"]["output"], "0.04096");
    let o = cost(&[
        "--input-tokens",
        "1",
        "--max-tokens",
        "1",
        "--output-tokens",
        "1",
    ]);
    assert_eq!(o.code, 2);
}

#[test]
fn prompt_files_are_counted_with_each_models_tokenizer() {
    let o = cost(&[
        "prompt.txt",
        "--compare",
        "gpt-4o,gpt-4,claude-sonnet-4-5",
        "--json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["prompt"]["path"], "prompt.txt");
    assert_eq!(j["prompt"]["kind"], "text");
    let got: Vec<(&str, u64, &str, bool)> = rows(&j)
        .iter()
        .map(|r| {
            (
                r["model"].as_str().unwrap(),
                r["input_tokens"].as_u64().unwrap(),
                r["tokenizer"].as_str().unwrap(),
                r["estimate"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("gpt-4o", 64, "o200k_base", false),
            // Claude: the calibrated estimate (64 with o200k_base, prose × 1.16), as count gives
            ("claude-sonnet-4-5", 74, "o200k_base", true),
            ("gpt-4", 81, "cl100k_base", false),
        ]
    );
    let claude = &rows(&j)[1];
    assert_eq!(
        (
            &claude["estimate_range"]["low"],
            &claude["estimate_range"]["high"]
        ),
        (&67.into(), &84.into())
    );
    // gpt-4: 81 × $30/M
    assert_eq!(rows(&j)[2]["cost"]["input"], "0.00243");

    let o = cost(&["prompt.txt", "--compare", "gpt-4o,claude-sonnet-4-5"]);
    assert_eq!(row(&o, "claude-sonnet-4-5")[2..4], ["~74", "(67–84)"]);
    assert_eq!(row(&o, "gpt-4o")[2], "64");
    assert!(o.stdout.contains("~ estimated with o200k_base"));

    // one model without an exact tokenizer: an estimate, labelled
    let o = cost(&["prompt.txt", "--model", "claude-sonnet-4-5"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        row(&o, "input"),
        ["input", "~74", "(67–84)", "$3.00", "$0.000222"]
    );
    assert!(
        o.stdout
            .starts_with("claude-sonnet-4-5 (anthropic), tokens estimated with o200k_base"),
        "{}",
        o.stdout
    );
    assert!(o.stderr.contains("the prompt count is an estimate"));

    // chat JSON by the cookbook rule, stdin, inline text
    let o = run_in(
        &fixtures().join("count"),
        &["cost", "chat.json", "--json"],
        None,
    );
    let j = json(&o);
    assert_eq!(j["prompt"]["kind"], "chat");
    assert_eq!(rows(&j)[0]["input_tokens"], 53);
    let o = run_in(
        &fixtures().join("cost"),
        &["cost", "-", "--json"],
        Some(b"Hello world\n"),
    );
    assert_eq!(rows(&json(&o))[0]["input_tokens"], 3);
    let o = run_in(
        &fixtures().join("cost"),
        &["cost", "--json"],
        Some(b"Hello world\n"),
    );
    assert_eq!(rows(&json(&o))[0]["input_tokens"], 3);
    let o = cost(&["--text", "Hello world\n", "--json"]);
    assert_eq!(rows(&json(&o))[0]["input_tokens"], 3);

    let o = cost(&["missing.txt"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: reading missing.txt: No such file or directory (os error 2)\n"
    );
}

#[test]
fn max_output_and_context_window_warnings() {
    let args = [
        "--model",
        "gpt-4o",
        "--input-tokens",
        "120000",
        "--output-tokens",
        "20000",
    ];
    let o = cost(&args);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stderr,
        "warning: gpt-4o: 20,000 output tokens exceed the max output of 16,384 by 3,616\n\
         warning: gpt-4o: input + output = 140,000 tokens exceed the context window of 128,000 by 12,000\n"
    );
    let mut a = args.to_vec();
    a.push("--strict");
    assert_eq!(cost(&a).code, 1);
    a.push("--json");
    let o = cost(&a);
    assert_eq!(o.code, 1);
    let j = json(&o);
    let w = &rows(&j)[0]["warnings"];
    assert_eq!(
        w[0],
        serde_json::json!({"kind": "max_output", "tokens": 20000, "limit": 16384, "over_by": 3616})
    );
    assert_eq!(
        w[1],
        serde_json::json!({"kind": "context_window", "tokens": 140000, "limit": 128000, "over_by": 12000})
    );
    // in a comparison, the row says it
    let o = cost(&[
        "--compare",
        "gpt-4o,claude-sonnet-4-5",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "20000",
        "--strict",
    ]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("over max output by 3,616"),
        "{}",
        o.stdout
    );
    // within the limits: no warning, --strict exits 0
    let o = cost(&[
        "--model",
        "gpt-4o",
        "--input-tokens",
        "100000",
        "--output-tokens",
        "16384",
        "--strict",
    ]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
}

#[test]
fn litellm_price_file_overrides_the_catalog() {
    let o = cost(&[
        "--prices",
        "litellm.json",
        "--model",
        "gpt-4o",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "10000",
    ]);
    assert_eq!(o.code, 0);
    assert_eq!(row(&o, "input"), ["input", "10,000", "$2.00", "$0.02"]);
    assert_eq!(row(&o, "output"), ["output", "10,000", "$8.00", "$0.08"]);
    assert_eq!(row(&o, "total"), ["total", "20,000", "$0.10"]);
    assert_eq!(
        o.stderr,
        "warning: litellm.json: skipping 'acme-free-lunch': no output price (it would otherwise be priced at $0)\n\
         warning: litellm.json: skipped 1 entries that are not chat/responses/embedding/completion models\n"
    );
    assert_eq!(
        o.stdout.lines().last(),
        Some(
            "Prices: LiteLLM model_prices_and_context_window.json, MIT, BerriAI; as of 2026-11-28; overrides from litellm.json."
        )
    );
    // a new model from the file; the skipped one is unknown, not $0
    let o = cost(&[
        "--prices",
        "litellm.json",
        "--model",
        "acme-chat-1",
        "--input-tokens",
        "1000000",
        "--json",
    ]);
    assert_eq!(rows(&json(&o))[0]["cost"]["input"], "1");
    let o = cost(&[
        "--prices",
        "litellm.json",
        "--model",
        "acme-free-lunch",
        "--input-tokens",
        "1",
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown model 'acme-free-lunch'"));
}

#[test]
fn own_price_format_overrides_the_catalog_and_env_var() {
    let o = cost(&[
        "--prices",
        "prices.toml",
        "--compare",
        "claude-sonnet-4-5,support-bot",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "1000",
        "--json",
    ]);
    assert_eq!(o.code, 0);
    let j = json(&o);
    assert_eq!(rows(&j)[0]["model"], "acme-ft-support");
    // 10,000 × $0.50/M + 1,000 × $1.50/M
    assert_eq!(rows(&j)[0]["per_request"], "0.0065");
    assert_eq!(rows(&j)[1]["model"], "claude-sonnet-4-5");
    // 10,000 × $2.40/M + 1,000 × $12/M
    assert_eq!(rows(&j)[1]["per_request"], "0.036");
    assert_eq!(
        o.stderr,
        "warning: prices.toml: skipping 'half-priced': no output price (it would otherwise be priced at $0)\n"
    );
    // its own tokenizer makes the count exact
    let o = cost(&[
        "--prices",
        "prices.toml",
        "prompt.txt",
        "-m",
        "support-bot",
        "--json",
    ]);
    let j = json(&o);
    let r = &rows(&j)[0];
    assert_eq!(r["input_tokens"], 81);
    assert_eq!(r["tokenizer"], "cl100k_base");
    assert_eq!(r["estimate"], false);
    // the JSON flavour, and the environment variable
    let mut c = cmd(&fixtures().join("cost"));
    c.env("TOKENBUDGET_PRICES", "prices.json");
    let o = run_cmd(
        c,
        &[
            "cost",
            "-m",
            "acme-json",
            "--input-tokens",
            "1000000",
            "--json",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(rows(&json(&o))[0]["cost"]["input"], "0.3");
    // --prices wins over the variable; an empty variable is ignored
    let mut c = cmd(&fixtures().join("cost"));
    c.env("TOKENBUDGET_PRICES", "prices.json");
    let o = run_cmd(
        c,
        &[
            "cost",
            "--prices",
            "litellm.json",
            "-m",
            "acme-json",
            "--input-tokens",
            "1",
        ],
        None,
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown model 'acme-json'"),
        "{}",
        o.stderr
    );
    let mut c = cmd(&fixtures().join("cost"));
    c.env("TOKENBUDGET_PRICES", "");
    let o = run_cmd(c, &["cost", "--input-tokens", "1"], None);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
}

#[test]
fn bad_price_files_are_usage_errors() {
    let o = cost(&["--prices", "broken.toml", "--input-tokens", "1"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: invalid prices file broken.toml:"),
        "{}",
        o.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("typo.toml");
    std::fs::write(&p, "[models.\"my-model\"]\ninptu = 1\noutput = 2\n").unwrap();
    let o = cost(&["--prices", p.to_str().unwrap(), "--input-tokens", "1"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("model 'my-model'") && o.stderr.contains("inptu"),
        "{}",
        o.stderr
    );
    let o = cost(&["--prices", "nope.json", "--input-tokens", "1"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: cannot read prices file nope.json"),
        "{}",
        o.stderr
    );
}

#[test]
fn bad_input_is_a_usage_error() {
    // One misspelt model in --compare: the good rows still print, the bad one gets "did you
    // mean", exit 2.
    let o = cost(&[
        "--input-tokens",
        "10",
        "--compare",
        "gpt-4o,claude-sonet-4-5",
        "--json",
    ]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("error: unknown model 'claude-sonet-4-5'; did you mean: claude-sonnet-4-5"),
        "{}",
        o.stderr
    );
    let j = json(&o);
    assert_eq!(j["rows"].as_array().unwrap().len(), 1);
    assert_eq!(j["rows"][0]["model"], "gpt-4o");
    assert_eq!(j["rows"][0]["per_request"], "0.000025");
    assert_eq!(j["errors"][0]["model"], "claude-sonet-4-5");
    let cases: [(&[&str], &str); 7] = [
        (
            &["--input-tokens", "-5"],
            "'-5' is negative; expected a whole number ≥ 0",
        ),
        (&["--input-tokens", "many"], "'many' is not a whole number"),
        (
            &["--input-tokens", "10", "--output-tokens", "1.5"],
            "'1.5' is not a whole number",
        ),
        (
            &["--input-tokens", "10", "--cached-ratio", "1.5"],
            "must be between 0 and 1",
        ),
        (
            &["--input-tokens", "10", "--cached-ratio", "-0.2"],
            "must be between 0 and 1",
        ),
        (
            &["--input-tokens", "10", "--model", "gpt-4x"],
            "error: unknown model 'gpt-4x'; did you mean: gpt-4",
        ),
        (
            &[
                "--input-tokens",
                "10",
                "--cached-ratio",
                "0.5",
                "--cached-tokens",
                "1",
            ],
            "cannot be used with",
        ),
    ];
    for (args, want) in cases {
        let o = cost(args);
        assert_eq!(o.code, 2, "{args:?}");
        assert!(o.stderr.contains(want), "{args:?}: {}", o.stderr);
        assert_eq!(o.stdout, "", "{args:?}");
    }
    let o = cost(&["--input-tokens", "1000000000000001"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("is too large (max 1000000000000000)"),
        "{}",
        o.stderr
    );
    let o = cost(&[
        "--input-tokens",
        "1_000_000_000_000_000",
        "--requests",
        "1000000000000000",
        "--per",
        "day",
        "-m",
        "o1-pro",
    ]);
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    assert!(
        o.stderr.contains("too large to compute exactly"),
        "{}",
        o.stderr
    );
    let o = cost(&["--input-tokens", "10", "--provider", "opnai"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown provider 'opnai'"),
        "{}",
        o.stderr
    );
    // embedding models: no output price is fine with no output tokens, an error otherwise
    let o = cost(&[
        "-m",
        "text-embedding-3-small",
        "--input-tokens",
        "1000000",
        "--json",
    ]);
    assert_eq!(rows(&json(&o))[0]["per_request"], "0.02");
    let o = cost(&[
        "-m",
        "mistral-embed",
        "--input-tokens",
        "10",
        "--output-tokens",
        "1",
    ]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: no output price for model 'mistral-embed'\n"
    );
}

#[test]
fn long_context_rates_apply_above_the_tier() {
    // gemini-2.5-pro: $1.25/M in, $10/M out up to 200,000 prompt tokens; $2.50 / $15 above
    let o = cost(&[
        "-m",
        "gemini-2.5-pro",
        "--input-tokens",
        "200000",
        "--output-tokens",
        "1000",
        "--json",
    ]);
    let j = json(&o);
    assert_eq!(rows(&j)[0]["cost"]["total"], "0.26");
    assert_eq!(rows(&j)[0]["cost"]["tier_above_tokens"], Value::Null);
    let o = cost(&[
        "-m",
        "gemini-2.5-pro",
        "--input-tokens",
        "200001",
        "--output-tokens",
        "1000",
    ]);
    assert_eq!(o.code, 0);
    assert_eq!(row(&o, "input"), ["input", "200,001", "$2.50", "$0.50"]);
    assert_eq!(row(&o, "output"), ["output", "1,000", "$15.00", "$0.015"]);
    assert!(
        o.stdout
            .contains("Long-context rates apply (prompt above 200,000 tokens).")
    );
    assert_eq!(o.stderr, "");
}

#[test]
fn help_has_examples_and_colour_is_opt_in() {
    let o = cost(&["--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("Examples:"));
    let args = ["--compare", "gpt-4o,gpt-4o-mini", "--input-tokens", "10"];
    assert!(!cost(&args).stdout.contains('\x1b'));
    let mut a = args.to_vec();
    a.extend(["--color", "always"]);
    assert!(cost(&a).stdout.contains("\x1b[32mcheapest\x1b[0m"));
}
