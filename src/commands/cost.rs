//! `tokenbudget cost`: what a request or a workload costs, on one model or across many.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::Serialize;

use crate::catalog::{Catalog, Model};
use crate::commands::{Shared, check_providers, prices_footer};
use crate::cost::{
    CacheTtl, Cached, CostError, CostRow, Counting, OutputBasis, Period, PromptCounter, Ratio,
    RequestSpec, Workload, price_request, rank,
};
use crate::exit::ExitStatus;
use crate::input::{self, Loaded, Source};
use crate::pricing::{Money, Price};
use crate::report::escape::{Shown, escape};
use crate::report::{self, Env, thousands};
use crate::resolve;

/// What a request or a workload costs, on one model or across models.
#[derive(Debug, Args)]
#[command(
    allow_negative_numbers = true,
    after_help = "Examples:
  tokenbudget cost --input-tokens 10000 --output-tokens 10000          gpt-4o by default
  tokenbudget cost prompt.txt --output-tokens 500 --model claude-sonnet-4-5
  tokenbudget cost request.json --max-tokens 4096                      worst case
  tokenbudget cost prompt.txt --output-tokens 500 --compare gpt-4o,gpt-4o-mini,claude-haiku-4-5
  tokenbudget cost prompt.txt --output-tokens 500 --all                every model, cheapest first
  tokenbudget cost --input-tokens 3000 --output-tokens 400 --provider openai \\
      --requests 50000 --per day                                       per day and per 30-day month
  tokenbudget cost --input-tokens 10000 --cached-ratio 0.8 --output-tokens 500
  tokenbudget cost --input-tokens 10000 --cache-write-tokens 8000 --cache-ttl 1h \\
      --model claude-sonnet-4-5
  tokenbudget cost --input-tokens 10000 --output-tokens 500 --batch

--input-tokens is the whole prompt; --cached-tokens and --cache-write-tokens are parts of
it (the uncached rest is input - cached - cache write), for every provider.
A model with no exact local tokenizer (Claude, Gemini, ...) gets a prompt count estimated
with o200k_base, marked `~` (JSON: \"estimate\": true).
Exit codes: 0 ok; 1 with --strict when output exceeds the model's max output or input +
output its context window; 2 usage or input error."
)]
pub struct CostArgs {
    /// The prompt: a file, or `-` for stdin; chat JSON is counted by the cookbook rule, as
    /// `count` does, with each model's tokenizer. With no prompt, --text or --input-tokens,
    /// piped stdin is read.
    #[arg(value_name = "PROMPT", conflicts_with = "input_tokens")]
    pub prompt: Option<PathBuf>,

    /// Use this text as the prompt.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["prompt", "input_tokens"])]
    pub text: Option<String>,

    /// The whole prompt size in tokens, instead of a prompt to count (no tokenizer is loaded).
    #[arg(long, value_name = "N", value_parser = parse_tokens)]
    pub input_tokens: Option<u64>,

    /// Count the prompt with this tokenizer file instead of each model's: a Hugging Face
    /// tokenizer.json, a tiktoken rank file (with --split) or a SentencePiece .model, as
    /// `count --tokenizer` counts it.
    #[arg(long, value_name = "FILE", conflicts_with = "input_tokens")]
    pub tokenizer: Option<PathBuf>,

    /// How text is split before merging, for a tiktoken rank file given with --tokenizer:
    /// o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2's rule).
    #[arg(long, value_name = "RULE", requires = "tokenizer", value_parser = crate::commands::count::parse_split)]
    pub split: Option<crate::tokenize::external::Split>,

    /// Expected output tokens per request.
    #[arg(long, value_name = "N", value_parser = parse_tokens, conflicts_with = "max_tokens")]
    pub output_tokens: Option<u64>,

    /// The request's max_tokens: price the worst case, every allowed output token generated.
    #[arg(long, value_name = "N", value_parser = parse_tokens)]
    pub max_tokens: Option<u64>,

    /// Tokens of the prompt read from the provider's prompt cache (part of the input).
    #[arg(long, value_name = "N", value_parser = parse_tokens)]
    pub cached_tokens: Option<u64>,

    /// Tokens of the prompt written to the cache (part of the input; Anthropic bills them
    /// above the input rate, see --cache-ttl).
    #[arg(long, value_name = "N", value_parser = parse_tokens)]
    pub cache_write_tokens: Option<u64>,

    /// Share of the prompt served from the cache, from 0 to 1 (e.g. 0.8).
    #[arg(long, value_name = "RATIO", value_parser = Ratio::parse,
          conflicts_with_all = ["cached_tokens", "cache_write_tokens"])]
    pub cached_ratio: Option<Ratio>,

    /// Lifetime of cache writes: 5m or 1h (priced differently by Anthropic).
    #[arg(long, value_enum, default_value_t = Ttl::FiveMinutes, value_name = "TTL")]
    pub cache_ttl: Ttl,

    /// Use batch-API prices (an error for a model without them).
    #[arg(long)]
    pub batch: bool,

    /// Model to price [default: $TOKENBUDGET_MODEL, else gpt-4o].
    #[arg(short, long, value_name = "MODEL", conflicts_with_all = ["compare", "provider", "all"])]
    pub model: Option<String>,

    /// Compare these models (comma-separated), cheapest first.
    #[arg(long, value_name = "MODELS", value_delimiter = ',', conflicts_with_all = ["provider", "all"])]
    pub compare: Vec<String>,

    /// Compare every model of these providers (comma-separated); models that cannot price
    /// the request (e.g. no batch prices) are skipped with a note.
    #[arg(
        short,
        long,
        value_name = "PROVIDER",
        value_delimiter = ',',
        conflicts_with = "all"
    )]
    pub provider: Vec<String>,

    /// Compare every model in the catalog; models that cannot price the request are skipped
    /// with a note.
    #[arg(long)]
    pub all: bool,

    /// Number of requests: per --per period, or in total without --per.
    #[arg(long, value_name = "N", value_parser = parse_tokens)]
    pub requests: Option<u64>,

    /// The period --requests is counted over; per-day and per-month costs are shown.
    #[arg(long, value_enum, value_name = "PERIOD", requires = "requests")]
    pub per: Option<Per>,

    /// Days in a month, for per-day ↔ per-month.
    #[arg(long, value_name = "DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=31), requires = "per")]
    pub days_per_month: u64,

    /// Exit 1 when a request exceeds a model's max output or context window.
    #[arg(long)]
    pub strict: bool,

    /// Print only JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ttl {
    /// 5 minutes (Anthropic's default).
    #[value(name = "5m")]
    FiveMinutes,
    /// 1 hour.
    #[value(name = "1h")]
    OneHour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Per {
    Day,
    Month,
}

/// Parse a token or request count: a whole number from 0 to 10^15 (`_` and `,` separators
/// allowed).
pub fn parse_tokens(s: &str) -> Result<u64, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    if t.starts_with('-') {
        return Err(format!("'{s}' is negative; expected a whole number ≥ 0"));
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{s}' is not a whole number"));
    }
    const MAX: u64 = 1_000_000_000_000_000;
    match t.parse::<u64>() {
        Ok(n) if n <= MAX => Ok(n),
        _ => Err(format!("'{s}' is too large (max {MAX})")),
    }
}

/// Which models were asked for, and how failures are treated.
enum Selection {
    /// One model, or an explicit list: a model that cannot price the request is an error.
    Named(Vec<String>),
    /// A provider or the whole catalog: such models are skipped with a note.
    Many(Vec<String>),
}

#[derive(Debug, Serialize)]
struct Problem {
    model: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct PromptInfo {
    path: String,
    /// `text` or `chat`.
    kind: &'static str,
    bytes: u64,
}

#[derive(Debug, Serialize)]
struct CostReport<'a> {
    prices_source: &'a str,
    prices_date: &'a str,
    /// The counted prompt; `null` with --input-tokens.
    prompt: Option<PromptInfo>,
    output_tokens: u64,
    output_basis: OutputBasis,
    #[serde(skip_serializing_if = "Option::is_none")]
    cached_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cached_ratio: Option<Ratio>,
    cache_write_tokens: u64,
    cache_ttl: CacheTtl,
    batch: bool,
    workload: Option<Workload>,
    rows: &'a [CostRow],
    skipped: Vec<Problem>,
    errors: Vec<Problem>,
}

pub fn run(args: CostArgs, env: &Env, shared: &Shared, out: &mut dyn Write) -> Result<ExitStatus> {
    let catalog: &Catalog = shared.catalog;
    let mut errors: Vec<Problem> = Vec::new();

    // The prompt: given as a number (no tokenizer is loaded), or a text to count per model.
    let prompt_text = match args.input_tokens {
        Some(n) => {
            let parts = args
                .cached_tokens
                .unwrap_or(0)
                .saturating_add(args.cache_write_tokens.unwrap_or(0));
            if parts > n {
                bail!(
                    "--cached-tokens ({}) + --cache-write-tokens ({}) are more than \
                     --input-tokens ({}): cached and cache-write tokens are parts of the input",
                    thousands(args.cached_tokens.unwrap_or(0)),
                    thousands(args.cache_write_tokens.unwrap_or(0)),
                    thousands(n)
                );
            }
            None
        }
        None => Some(read_prompt(&args, env)?),
    };
    // A request body brings its model (unless -m or a list of models) and its max output
    // (unless --output-tokens / --max-tokens): the worst case, as `plan` reserves it.
    let request = prompt_text
        .as_ref()
        .filter(|(_, text)| crate::count::looks_like_json(text))
        .and_then(
            |(_, text)| match crate::request::read(text, Path::new(".")) {
                Ok(crate::request::Read::Request(_, p)) => Some((p.model, p.max_tokens)),
                _ => None,
            },
        );
    let (request_model, request_max) = request.unwrap_or((None, None));

    // Which models, before anything is counted. With --compare, an unknown name is an error
    // row (with "did you mean …?") and the other models are still priced; exit 2.
    let selection = if !args.compare.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for n in &args.compare {
            let n = n.trim();
            if n.is_empty() {
                bail!("--compare: empty model name in the list");
            }
            match catalog.lookup(n) {
                Ok(m) if !names.contains(&m.id) => names.push(m.id.clone()),
                Ok(_) => {}
                Err(e) => errors.push(Problem {
                    model: n.to_string(),
                    reason: e.to_string(),
                }),
            }
        }
        Selection::Named(names)
    } else if args.all || !args.provider.is_empty() {
        check_providers(catalog, &args.provider)?;
        let wants_output = args.output_tokens.or(args.max_tokens).unwrap_or(0) > 0;
        let ids = catalog
            .models()
            .iter()
            .filter(|m| {
                args.all
                    || args
                        .provider
                        .iter()
                        .any(|p| p.trim().eq_ignore_ascii_case(&m.provider))
            })
            // embedding models produce no output: not candidates for a request that does
            .filter(|m| !(wants_output && m.mode == "embedding"))
            .map(|m| m.id.clone())
            .collect();
        Selection::Many(ids)
    } else {
        let name = args
            .model
            .clone()
            .or_else(|| request_model.clone())
            .unwrap_or_else(|| resolve::default_model(None));
        Selection::Named(vec![catalog.lookup(&name)?.id.clone()])
    };
    let (ids, skip_unpriceable) = match &selection {
        Selection::Named(v) => (v, false),
        Selection::Many(v) => (v, true),
    };
    let models: Vec<&Model> = ids
        .iter()
        .map(|id| catalog.lookup(id))
        .collect::<Result<_, _>>()?;

    let (output, output_basis) = match (args.output_tokens, args.max_tokens, request_max) {
        (_, Some(m), _) => (m, OutputBasis::MaxTokens),
        (Some(o), None, _) => (o, OutputBasis::Expected),
        (None, None, Some(m)) => (m, OutputBasis::MaxTokens),
        (None, None, None) => (0, OutputBasis::Expected),
    };
    let spec = RequestSpec {
        cached: match args.cached_ratio {
            Some(r) => Cached::Ratio(r),
            None => Cached::Tokens(args.cached_tokens.unwrap_or(0)),
        },
        cache_write: args.cache_write_tokens.unwrap_or(0),
        cache_ttl: match args.cache_ttl {
            Ttl::FiveMinutes => CacheTtl::FiveMinutes,
            Ttl::OneHour => CacheTtl::OneHour,
        },
        output,
        output_basis,
        batch: args.batch,
    };
    let workload = args.requests.map(|requests| Workload {
        requests,
        per: args.per.map(|p| match p {
            Per::Day => Period::Day,
            Per::Month => Period::Month,
        }),
        days_per_month: args.days_per_month,
    });

    let mut counter = prompt_text.as_ref().map(|(label, text)| {
        // local images in a request are relative to the request file
        let dir = Path::new(label)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        PromptCounter::in_dir(text, dir)
    });
    let mut kind = "text";
    let mut rows: Vec<CostRow> = Vec::new();
    let mut skipped: Vec<Problem> = Vec::new();
    let resolver = shared.resolver();
    // a --tokenizer file is loaded once and counts the prompt for every model
    let file = match (&args.tokenizer, &counter) {
        (Some(path), Some(_)) => {
            let tok = crate::tokenize::Tokenizer::from_file(path, args.split)
                .map_err(|e| anyhow!("--tokenizer {e}"))?;
            Some(std::sync::Arc::new(tok))
        }
        _ => None,
    };
    for model in &models {
        let mut range = None;
        let (prompt, counting) = match (&file, &mut counter, args.input_tokens) {
            (Some(tok), Some(c), _) => {
                let resolved = resolver.with_file(Some(&model.id), tok.clone());
                let counted = c
                    .count_file(tok, resolved.message_rule, Some(model.provider.as_str()))
                    .map_err(|e| {
                        anyhow!(
                            "{}: {e}",
                            prompt_text.as_ref().map_or("-", |(l, _)| l.as_str())
                        )
                    })?;
                if let Some(why) = tok.failure() {
                    bail!("{}: {why}; no count is reported", Shown(&tok.name()));
                }
                kind = counted.kind();
                // the file's count, not an encoding's: no `tokenizer`, no estimate
                (counted.tokens(), None)
            }
            (None, Some(c), _) => {
                // The one resolver decides the encoding, the estimate and the message rule.
                let resolved = match resolver.resolve(Some(&model.id), None) {
                    Ok(r) => r,
                    Err(e) if models.len() == 1 => return Err(e.into()),
                    Err(e) => {
                        errors.push(Problem {
                            model: model.id.clone(),
                            reason: e.to_string(),
                        });
                        continue;
                    }
                };
                let want = Counting {
                    encoding: resolved.encoding,
                    estimate: resolved.is_approximate(),
                };
                let (counted, counting): (u64, Counting) = {
                    let (counted, counting) = c
                        .count_as(want, resolved.message_rule, Some(model.provider.as_str()))
                        .map_err(|e| {
                            anyhow!(
                                "{}: {e}",
                                prompt_text.as_ref().map_or("-", |(l, _)| l.as_str())
                            )
                        })?;
                    kind = counted.kind();
                    (counted.tokens(), counting)
                };
                // a Claude/Gemini estimate: the calibrated central value and its range, as
                // count and check give them for the same text
                range = resolved.calibration().map(|rule| {
                    let text = prompt_text.as_ref().map_or("", |(_, t)| t.as_str());
                    rule.estimate(counted, crate::estimate::classify(text))
                });
                (range.as_ref().map_or(counted, |(p, _)| *p), Some(counting))
            }
            (_, None, n) => (n.unwrap_or(0), None),
        };
        match price_request(model, prompt, counting, &spec, workload.as_ref()) {
            Ok(mut row) => {
                if file.is_some() {
                    // the path as given, as `count` and `plan` name it
                    row.tokenizer_file = args.tokenizer.as_ref().map(|p| p.display().to_string());
                }
                if let Some((_, r)) = range.take() {
                    // the window warnings compare the high end of the range
                    row.warnings = crate::cost::check_limits(model, r.high, spec.output);
                    row.estimate_range = Some(r);
                }
                rows.push(row)
            }
            Err(CostError::Pricing(e)) if skip_unpriceable => skipped.push(Problem {
                model: model.id.clone(),
                reason: e.to_string(),
            }),
            Err(e) if models.len() == 1 => return Err(e.into()),
            Err(e) => errors.push(Problem {
                model: model.id.clone(),
                reason: e.to_string(),
            }),
        }
    }
    if rows.len() > 1 || models.len() > 1 {
        rank(&mut rows);
    }
    // Money saturates instead of overflowing; a saturated amount is not a real cost.
    let saturated = |m: Money| m.femto() == i128::MAX;
    if let Some(r) = rows.iter().find(|r| {
        saturated(r.per_request)
            || r.projection.is_some_and(|p| {
                [p.per_day, p.per_month, p.total]
                    .into_iter()
                    .flatten()
                    .any(saturated)
            })
    }) {
        bail!(
            "{}: the cost is too large to compute exactly (over 10^23 USD); check the token \
             and request counts",
            r.model
        );
    }

    let mut status = ExitStatus::Success;
    let warned = rows.iter().any(|r| !r.warnings.is_empty());
    if warned && args.strict {
        status = ExitStatus::LimitHit;
    }
    if !errors.is_empty() || rows.is_empty() {
        status = status.max(ExitStatus::InputError);
    }

    // Problems go to stderr so stdout stays clean for --json.
    let mut err = std::io::stderr().lock();
    for e in &errors {
        writeln!(err, "{} {}", env.err.red("error:"), Shown(&e.reason))?;
    }
    let warned_rows = rows.iter().filter(|r| !r.warnings.is_empty()).count();
    if rows.len() > 1 && warned_rows > 5 {
        writeln!(
            err,
            "{} {warned_rows} of {} models cannot take this request within their max output or \
             context window (by how much: the table, or --json)",
            env.err.yellow("warning:"),
            rows.len()
        )?;
    } else {
        for r in &rows {
            for w in &r.warnings {
                writeln!(
                    err,
                    "{} {}: {}",
                    env.err.yellow("warning:"),
                    Shown(&r.model),
                    Shown(w.to_string())
                )?;
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        writeln!(
            err,
            "{} no model can price this request",
            env.err.red("error:")
        )?;
    }
    if !args.json {
        if skipped.len() <= 5 {
            for s in &skipped {
                writeln!(
                    err,
                    "{} skipped {} ({})",
                    env.err.dim("note:"),
                    Shown(&s.model),
                    Shown(&s.reason)
                )?;
            }
        } else {
            writeln!(
                err,
                "{} skipped {} models that cannot price this request (e.g. {}); --json lists them",
                env.err.dim("note:"),
                skipped.len(),
                Shown(&skipped[0].reason)
            )?;
        }
        // Per-model notes not already in the report: long-context rates are marked in the
        // table, and a comparison's legend explains `~` once.
        let single = rows.len() == 1;
        for r in &rows {
            for n in &r.notes {
                let in_report = n.contains("long-context rates")
                    || (!single && n.contains("no exact local tokenizer"));
                if !in_report {
                    writeln!(err, "{} {}", env.err.dim("note:"), Shown(n))?;
                }
            }
        }
    }
    drop(err);

    if args.json {
        let report = CostReport {
            prices_source: catalog.source(),
            prices_date: catalog.prices_date(),
            prompt: prompt_text.as_ref().map(|(label, text)| PromptInfo {
                path: label.clone(),
                kind,
                bytes: text.len() as u64,
            }),
            output_tokens: output,
            output_basis,
            cached_tokens: args.cached_tokens,
            cached_ratio: args.cached_ratio,
            cache_write_tokens: spec.cache_write,
            cache_ttl: spec.cache_ttl,
            batch: args.batch,
            workload,
            rows: &rows,
            skipped,
            errors,
        };
        report::write_json(out, &report)?;
        return Ok(status);
    }
    if rows.is_empty() {
        return Ok(status);
    }
    match &selection {
        Selection::Named(v) if v.len() == 1 => {
            render_single(&rows[0], &spec, workload.as_ref(), env, out)?
        }
        _ => render_comparison(&rows, &spec, workload.as_ref(), env, out)?,
    }
    let prompt_label = prompt_text.as_ref().map(|(l, _)| match &args.tokenizer {
        Some(f) => format!("{l}, counted with --tokenizer {}", f.display()),
        None => l.clone(),
    });
    let description = describe(&spec, workload.as_ref(), prompt_label.as_deref());
    if !description.is_empty() {
        writeln!(out, "{}", env.out.dim(&escape(&description)))?;
    }
    writeln!(out, "{}", env.out.dim(&prices_footer(catalog)))?;
    Ok(status)
}

/// The prompt's label and text: PROMPT, --text, or piped stdin.
fn read_prompt(args: &CostArgs, env: &Env) -> Result<(String, String)> {
    let source = if let Some(t) = &args.text {
        Source::Text {
            index: 1,
            text: t.clone(),
        }
    } else {
        match args.prompt.as_deref() {
            Some(p) if p.as_os_str() == "-" => Source::Stdin,
            Some(p) => Source::File {
                path: p.to_path_buf(),
                walked: false,
            },
            None if env.stdin_is_terminal => {
                bail!("no prompt: give --input-tokens N, a prompt file, `-` for stdin, or --text")
            }
            None => Source::Stdin,
        }
    };
    if let Source::File { path, .. } = &source
        && path.is_dir()
    {
        bail!(
            "{}: is a directory; cost takes one prompt",
            crate::fsutil::path_label(path)
        );
    }
    match input::load(&source)? {
        Loaded::Text(t) => Ok((source.label(), t)),
        Loaded::Binary(why) => bail!("{}: {why}", source.label()),
    }
}

/// One line: the request as priced (cache, batch, workload).
fn describe(spec: &RequestSpec, workload: Option<&Workload>, prompt: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(p) = prompt {
        parts.push(format!("Prompt: {p}"));
    }
    match spec.output_basis {
        OutputBasis::MaxTokens => parts.push(format!(
            "worst case: all {} max tokens generated",
            thousands(spec.output)
        )),
        OutputBasis::Expected if spec.output == 0 => {
            parts.push("no output tokens (give --output-tokens or --max-tokens)".into())
        }
        OutputBasis::Expected => {}
    }
    if let Cached::Ratio(r) = spec.cached {
        parts.push(format!("{r} of the input read from cache"));
    }
    if spec.cache_write > 0 {
        parts.push(format!(
            "cache writes: {}",
            match spec.cache_ttl {
                CacheTtl::FiveMinutes => "5-minute",
                CacheTtl::OneHour => "1-hour",
            }
        ));
    }
    if spec.batch {
        parts.push("batch prices".into());
    }
    if let Some(w) = workload {
        parts.push(match w.per {
            None => format!("{} requests", thousands(w.requests)),
            Some(Period::Day) => format!(
                "{} requests/day, {}-day month",
                thousands(w.requests),
                w.days_per_month
            ),
            Some(Period::Month) => format!(
                "{} requests/month, {}-day month",
                thousands(w.requests),
                w.days_per_month
            ),
        });
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}.", parts.join("; "))
    }
}

/// The rate a line was billed at (cost / tokens is exact: cost = tokens × rate).
fn line_rate(cost: Money, tokens: u64) -> String {
    if tokens == 0 {
        return "-".to_string();
    }
    let femto = cost.femto() / i128::from(tokens);
    let p = u64::try_from(femto)
        .ok()
        .and_then(Price::from_femto_per_token);
    report::rate(p)
}

/// Projection columns' headers.
fn projection_headers(workload: Option<&Workload>) -> Vec<String> {
    match workload {
        None => vec![],
        Some(w) if w.per.is_none() => vec![format!("× {}", thousands(w.requests))],
        Some(_) => vec!["per day".into(), "per month".into()],
    }
}

fn projected(workload: Option<&Workload>, m: Money) -> Vec<String> {
    match workload {
        None => vec![],
        Some(w) => {
            let p = w.project(m);
            [p.total, p.per_day, p.per_month]
                .into_iter()
                .flatten()
                .map(Money::display)
                .collect()
        }
    }
}

fn render_single(
    row: &CostRow,
    spec: &RequestSpec,
    workload: Option<&Workload>,
    env: &Env,
    out: &mut dyn Write,
) -> Result<()> {
    let mark = if row.estimate { "~" } else { "" };
    let mut title = format!("{} ({})", row.model, row.provider);
    if let Some(f) = &row.tokenizer_file {
        title.push_str(&format!(", tokenizer {f}"));
    }
    if let Some(e) = row.tokenizer {
        if row.estimate {
            title.push_str(&format!(
                ", tokens estimated with {e} (no exact local tokenizer)"
            ));
        } else {
            title.push_str(&format!(", {e}"));
        }
    }
    writeln!(out, "{}", env.out.bold(&escape(&title)))?;
    let mut header: Vec<String> = vec![
        "".into(),
        "tokens".into(),
        "$/1M".into(),
        "per request".into(),
    ];
    header.extend(projection_headers(workload));
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = report::table(&hdr);
    let u = &row.usage;
    let c = &row.cost;
    let write_tokens = u.cache_write_5m + u.cache_write_1h;
    let output_label = match spec.output_basis {
        OutputBasis::MaxTokens => "output (max)",
        OutputBasis::Expected => "output",
    };
    let lines: [(&str, u64, Money, bool); 4] = [
        ("input", u.input, c.input, true),
        ("cached input", u.cached_input, c.cached_input, true),
        ("cache write", write_tokens, c.cache_write, true),
        (output_label, u.output, c.output, false),
    ];
    for (label, tokens, cost, prompt_side) in lines {
        let m = if prompt_side { mark } else { "" };
        // the whole prompt is uncached input: show its range there
        let tokens_cell = match &row.estimate_range {
            Some(r) if label == "input" && tokens == row.input_tokens => {
                crate::estimate::display(tokens, r)
            }
            _ => format!("{m}{}", thousands(tokens)),
        };
        let mut cells = vec![
            Cell::new(label),
            Cell::new(tokens_cell),
            Cell::new(line_rate(cost, tokens)),
            Cell::new(cost.display()),
        ];
        cells.extend(projected(workload, cost).into_iter().map(Cell::new));
        t.add_row(cells);
    }
    let mut cells = vec![
        Cell::new(env.out.bold("total")),
        Cell::new(match &row.estimate_range {
            Some(r) => crate::estimate::display(
                row.input_tokens.saturating_add(u.output),
                &r.plus(u.output),
            ),
            None => format!(
                "{mark}{}",
                thousands(row.input_tokens.saturating_add(u.output))
            ),
        }),
        Cell::new(""),
        Cell::new(env.out.bold(&row.per_request.display())),
    ];
    cells.extend(
        projected(workload, row.per_request)
            .into_iter()
            .map(|s| Cell::new(env.out.bold(&s))),
    );
    t.add_row(cells);
    let right: Vec<usize> = (1..hdr.len()).collect();
    report::align_right(&mut t, &right);
    crate::report::write_table(out, &t)?;
    if let Some(tier) = c.tier_above_tokens {
        writeln!(
            out,
            "Long-context rates apply (prompt above {} tokens).",
            thousands(tier)
        )?;
    }
    Ok(())
}

fn render_comparison(
    rows: &[CostRow],
    spec: &RequestSpec,
    workload: Option<&Workload>,
    env: &Env,
    out: &mut dyn Write,
) -> Result<()> {
    let any_cached = rows.iter().any(|r| r.usage.cached_input > 0);
    let any_write = rows
        .iter()
        .any(|r| r.usage.cache_write_5m + r.usage.cache_write_1h > 0);
    let any_estimate = rows.iter().any(|r| r.estimate);
    let any_tier = rows.iter().any(|r| r.cost.tier_above_tokens.is_some());
    let mut header: Vec<String> = vec![
        "model".into(),
        "provider".into(),
        "input tokens".into(),
        "input".into(),
    ];
    if any_cached {
        header.push("cached input".into());
    }
    if any_write {
        header.push("cache write".into());
    }
    header.push(match spec.output_basis {
        OutputBasis::MaxTokens => "output (max)".into(),
        OutputBasis::Expected => "output".into(),
    });
    header.push("per request".into());
    header.extend(projection_headers(workload));
    header.push("".into());
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = report::table(&hdr);
    for r in rows {
        let mark = if r.estimate { "~" } else { "" };
        let star = if r.cost.tier_above_tokens.is_some() {
            "*"
        } else {
            ""
        };
        let mut cells = vec![
            Cell::new(format!("{}{star}", Shown(&r.model))),
            Cell::new(escape(&r.provider)),
            Cell::new(match &r.estimate_range {
                Some(e) => crate::estimate::display(r.input_tokens, e),
                None => format!("{mark}{}", thousands(r.input_tokens)),
            }),
            Cell::new(r.cost.input.display()),
        ];
        if any_cached {
            cells.push(Cell::new(r.cost.cached_input.display()));
        }
        if any_write {
            cells.push(Cell::new(r.cost.cache_write.display()));
        }
        cells.push(Cell::new(r.cost.output.display()));
        cells.push(Cell::new(r.per_request.display()));
        cells.extend(
            projected(workload, r.per_request)
                .into_iter()
                .map(Cell::new),
        );
        let mut notes: Vec<String> = Vec::new();
        if r.cheapest {
            notes.push(env.out.green("cheapest"));
        }
        if r.most_expensive {
            notes.push(env.out.red("most expensive"));
        }
        for w in &r.warnings {
            notes.push(env.out.yellow(&match w.kind {
                crate::cost::LimitKind::MaxOutput => {
                    format!("over max output by {}", thousands(w.over_by))
                }
                crate::cost::LimitKind::ContextWindow => {
                    format!("over context window by {}", thousands(w.over_by))
                }
            }));
        }
        cells.push(Cell::new(notes.join(", ")));
        t.add_row(cells);
    }
    let right: Vec<usize> = (2..hdr.len() - 1).collect();
    report::align_right(&mut t, &right);
    crate::report::write_table(out, &t)?;
    let mut legend = vec![format!(
        "{} models, cheapest first; output: {} tokens",
        rows.len(),
        thousands(spec.output)
    )];
    if any_estimate {
        legend.push(
            "~ estimated with o200k_base (the model has no exact local tokenizer)".to_string(),
        );
    }
    if rows.iter().any(|r| r.estimate_range.is_some()) {
        legend.push(
            "(low–high) the range of a calibrated estimate (Claude, Gemini: o200k_base × the \
             generation's ratio)"
                .to_string(),
        );
    }
    if any_tier {
        legend.push("* long-context rates".to_string());
    }
    writeln!(out, "{}", env.out.dim(&format!("{}.", legend.join("; "))))?;
    Ok(())
}
