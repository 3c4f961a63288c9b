//! `tokenbudget models`: the model catalog as a table or JSON.

use std::io::Write;

use anyhow::Result;
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::Serialize;

use crate::catalog::list::{self, Filter, ModelRow, SortKey};
use crate::commands::{Shared, check_providers, prices_footer};
use crate::exit::ExitStatus;
use crate::report::escape::{Shown, escape};
use crate::report::{self, Env, rate, thousands};

/// List the model catalog: context windows, max output, tokenizers and prices.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tokenbudget models                          every model, by provider and name
  tokenbudget models sonnet                   names containing `sonnet`
  tokenbudget models --provider openai --sort input
  tokenbudget models --sort window            largest context window first
  tokenbudget models --sort output --reverse  most expensive output first
  tokenbudget models gpt-4o --json
  tokenbudget models --prices my-prices.toml  with your own prices applied

Prices are USD per 1M tokens. A `*` marks a model with higher long-context rates
above some prompt size (see --json `tiers`). The last line says where the prices
come from and their date.")]
pub struct ModelsArgs {
    /// Show only models whose name or an alias contains this (case-insensitive).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,

    /// Show only these providers (comma-separated): openai, anthropic, gemini, mistral,
    /// deepseek, xai, or a provider from --prices.
    #[arg(short, long, value_name = "PROVIDER", value_delimiter = ',')]
    pub provider: Vec<String>,

    /// Sort by a price (cheapest first), the context window or max output (largest first), or
    /// name (by provider, then name). Models without the value come last.
    #[arg(long, value_enum, default_value_t = ModelSort::Name)]
    pub sort: ModelSort,

    /// Reverse the sort order.
    #[arg(long)]
    pub reverse: bool,

    /// Print only JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelSort {
    /// Provider, then model name.
    Name,
    /// Input price.
    Input,
    /// Cached-input (cache read) price.
    Cached,
    /// Cache-write price (5-minute, else 1-hour).
    CacheWrite,
    /// Output price.
    Output,
    /// Batch input price.
    Batch,
    /// Context window.
    Window,
    /// Max output tokens.
    MaxOutput,
}

impl From<ModelSort> for SortKey {
    fn from(s: ModelSort) -> SortKey {
        match s {
            ModelSort::Name => SortKey::Name,
            ModelSort::Input => SortKey::Input,
            ModelSort::Cached => SortKey::CachedInput,
            ModelSort::CacheWrite => SortKey::CacheWrite,
            ModelSort::Output => SortKey::Output,
            ModelSort::Batch => SortKey::Batch,
            ModelSort::Window => SortKey::ContextWindow,
            ModelSort::MaxOutput => SortKey::MaxOutput,
        }
    }
}

#[derive(Serialize)]
struct ModelsReport<'a> {
    source: &'a str,
    prices_date: &'a str,
    units: &'static str,
    models: Vec<ModelRow<'a>>,
}

pub fn run(
    args: ModelsArgs,
    env: &Env,
    shared: &Shared,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let catalog = shared.catalog;
    check_providers(catalog, &args.provider)?;
    let filter = Filter {
        providers: args.provider.clone(),
        contains: args.filter.clone(),
    };
    let rows = list::list(catalog, &filter, args.sort.into(), args.reverse);

    if args.json {
        let report = ModelsReport {
            source: catalog.source(),
            prices_date: catalog.prices_date(),
            units: "USD per 1M tokens",
            models: rows,
        };
        report::write_json(out, &report)?;
        return Ok(ExitStatus::Success);
    }
    if rows.is_empty() {
        writeln!(
            std::io::stderr(),
            "{} no model matches",
            env.err.dim("note:")
        )?;
        writeln!(out, "{}", env.out.dim(&prices_footer(catalog)))?;
        return Ok(ExitStatus::Success);
    }
    let mut t = report::table(&[
        "model",
        "provider",
        "window",
        "max out",
        "tokenizer",
        "input",
        "cached",
        "cache write 5m/1h",
        "output",
        "batch in/out",
    ]);
    let mut any_tiers = false;
    for r in &rows {
        let p = r.prices;
        let star = if p.tiers.is_empty() {
            ""
        } else {
            any_tiers = true;
            "*"
        };
        let opt_num = |n: Option<u64>| n.map_or_else(|| "-".to_string(), thousands);
        let pair = |a, b| match (a, b) {
            (None, None) => "-".to_string(),
            (a, None) => rate(a),
            (a, b) => format!("{} / {}", rate(a), rate(b)),
        };
        let name = if r.mode == "embedding" {
            format!("{} (embedding)", Shown(r.id))
        } else {
            escape(r.id).into_owned()
        };
        t.add_row(vec![
            Cell::new(name),
            Cell::new(escape(r.provider)),
            Cell::new(opt_num(r.context_window)),
            Cell::new(opt_num(r.max_output)),
            Cell::new(r.tokenizer.map_or("none", |e| e.name())),
            Cell::new(format!("{}{star}", rate(p.input))),
            Cell::new(rate(p.cached_input)),
            Cell::new(pair(p.cache_write_5m, p.cache_write_1h)),
            Cell::new(format!("{}{star}", rate(p.output))),
            Cell::new(pair(p.batch_input, p.batch_output)),
        ]);
    }
    report::align_right(&mut t, &[2, 3, 5, 6, 7, 8, 9]);
    crate::report::write_table(out, &t)?;
    let mut summary = format!(
        "{} model{}; prices in USD per 1M tokens; tokenizer `none`: counts for it are estimates.",
        thousands(rows.len() as u64),
        if rows.len() == 1 { "" } else { "s" }
    );
    if any_tiers {
        summary.push_str(" * higher rates above a prompt size (--json: tiers).");
    }
    writeln!(out, "{}", env.out.dim(&summary))?;
    writeln!(out, "{}", env.out.dim(&prices_footer(catalog)))?;
    Ok(ExitStatus::Success)
}
