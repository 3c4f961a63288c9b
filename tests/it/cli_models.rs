//! `tokenbudget models`, run as a user would, against the embedded catalog (LiteLLM snapshot
//! 2026-11-28).

use crate::common;
use common::*;
use serde_json::Value;

fn models(args: &[&str]) -> Out {
    let mut all = vec!["models"];
    all.extend_from_slice(args);
    run_in(&fixtures().join("cost"), &all, None)
}

fn ids(j: &Value) -> Vec<&str> {
    j["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect()
}

#[test]
fn lists_the_catalog_with_its_source_and_date() {
    let o = models(&[]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        [
            "model",
            "provider",
            "window",
            "max",
            "out",
            "tokenizer",
            "input",
            "cached",
            "cache",
            "write",
            "5m/1h",
            "output",
            "batch",
            "in/out"
        ]
    );
    assert_eq!(
        lines.last(),
        Some(
            &"Prices: LiteLLM model_prices_and_context_window.json, MIT, BerriAI; as of 2026-11-28."
        )
    );
    let gpt = lines
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|c| c.first() == Some(&"gpt-4o"))
        .unwrap();
    assert_eq!(
        gpt,
        [
            "gpt-4o",
            "openai",
            "128,000",
            "16,384",
            "o200k_base",
            "$2.50",
            "$1.25",
            "-",
            "$10.00",
            "$1.25",
            "/",
            "$5.00"
        ]
    );
    let claude = lines
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|c| c.first() == Some(&"claude-sonnet-4-5"))
        .unwrap();
    assert_eq!(
        claude,
        [
            "claude-sonnet-4-5",
            "anthropic",
            "200,000",
            "64,000",
            "none",
            "$3.00",
            "$0.30",
            "$3.75",
            "/",
            "$6.00",
            "$15.00",
            "$1.50",
            "/",
            "$7.50"
        ]
    );

    let j = json(&models(&["--json"]));
    assert_eq!(j["prices_date"], "2026-11-28");
    assert_eq!(j["units"], "USD per 1M tokens");
    assert!(j["source"].as_str().unwrap().contains("LiteLLM"));
    assert!(j["models"].as_array().unwrap().len() > 200);
}

#[test]
fn filters_by_provider_and_substring() {
    let j = json(&models(&["sonnet", "--provider", "anthropic", "--json"]));
    let got = ids(&j);
    assert!(!got.is_empty());
    assert!(got.iter().all(|id| id.contains("sonnet")), "{got:?}");
    // an alias matches its model
    let j = json(&models(&["gpt-4o-2024-08-06", "--json"]));
    assert_eq!(ids(&j), ["ft:gpt-4o-2024-08-06", "gpt-4o"]);
    let j = json(&models(&["--provider", "deepseek,xai", "--json"]));
    assert!(
        j["models"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["provider"] == "deepseek" || m["provider"] == "xai")
    );
    let o = models(&["--provider", "opnai"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("unknown provider 'opnai' (known: anthropic")
    );
    let o = models(&["no-such-model-anywhere"]);
    assert_eq!(o.code, 0);
    assert_eq!(o.stderr, "note: no model matches\n");
}

#[test]
fn sorts_by_price_and_window() {
    let price = |m: &Value, k: &str| m["prices"][k].as_str().map(|s| s.parse::<f64>().unwrap());
    let j = json(&models(&["gpt-4o", "--sort", "input", "--json"]));
    let inputs: Vec<f64> = j["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| price(m, "input"))
        .collect();
    assert!(inputs.len() > 3);
    assert!(inputs.windows(2).all(|w| w[0] <= w[1]), "{inputs:?}");
    assert_eq!(ids(&j)[0], "gpt-4o-mini");

    let j = json(&models(&[
        "--provider",
        "openai",
        "--sort",
        "output",
        "--reverse",
        "--json",
    ]));
    let outputs: Vec<f64> = j["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| price(m, "output"))
        .collect();
    assert!(outputs.windows(2).all(|w| w[0] >= w[1]), "{outputs:?}");

    let j = json(&models(&["--sort", "window", "--json"]));
    let windows: Vec<u64> = j["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["context_window"].as_u64())
        .collect();
    assert!(windows.windows(2).all(|w| w[0] >= w[1]));

    // models without the sorted price come last
    let j = json(&models(&["--sort", "cache-write", "--json"]));
    let first = &j["models"][0];
    assert!(first["prices"]["cache_write_5m"].is_string());
    let last = j["models"].as_array().unwrap().last().unwrap();
    assert!(last["prices"]["cache_write_5m"].is_null());
}

#[test]
fn json_fields() {
    let j = json(&models(&["gpt-4o-mini", "--provider", "openai", "--json"]));
    let m = j["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "gpt-4o-mini")
        .unwrap();
    assert_eq!(m["provider"], "openai");
    assert_eq!(m["mode"], "chat");
    assert_eq!(m["context_window"], 128000);
    assert_eq!(m["max_output"], 16384);
    assert_eq!(m["tokenizer"], "o200k_base");
    assert_eq!(m["prices"]["input"], "0.15");
    assert_eq!(m["prices"]["output"], "0.6");
    assert_eq!(m["prices"]["batch_input"], "0.075");
    let j = json(&models(&["claude-sonnet-4-5", "--json"]));
    assert_eq!(j["models"][0]["tokenizer"], Value::Null);
}

#[test]
fn honours_price_files() {
    let o = models(&["acme", "--prices", "prices.toml", "--json"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stderr,
        "warning: prices.toml: skipping 'half-priced': no output price (it would otherwise be priced at $0)\n"
    );
    let j = json(&o);
    assert_eq!(ids(&j), ["acme-ft-support"]);
    assert_eq!(j["models"][0]["tokenizer"], "cl100k_base");
    assert_eq!(j["models"][0]["aliases"][0], "support-bot");
    assert!(
        j["source"]
            .as_str()
            .unwrap()
            .ends_with("+ overrides from prices.toml")
    );

    let mut c = cmd(&fixtures().join("cost"));
    c.env("TOKENBUDGET_PRICES", "litellm.json");
    let o = run_cmd(
        c,
        &[
            "models",
            "gpt-4o",
            "--provider",
            "openai",
            "--sort",
            "input",
        ],
        None,
    );
    let row: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|c| c.first() == Some(&"gpt-4o"))
        .unwrap();
    assert_eq!(&row[5..8], ["$2.00", "$1.00", "-"]);
    let o = models(&["--prices", "broken.toml"]);
    assert_eq!(o.code, 2);
}
