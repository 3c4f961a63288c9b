//! `tokenbudget count`: exact token counts of files, directories, globs, stdin and inline text.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::count::{Counted, Mode, count_document_on, scale_counted};
use crate::estimate::{self, Estimate, Rule};
use crate::exit::ExitStatus;
use crate::input::{self, Loaded, Source};
use crate::report::{self, Env, percent, thousands};
use crate::resolve::{self, Resolved};
use crate::tokenize::external::Split;
use crate::tokenize::{Encoding, Tokenizer};

/// Count tokens exactly as OpenAI's tiktoken does.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tokenbudget count prompt.txt                    just the number
  cat prompt.txt | tokenbudget count              piped stdin
  tokenbudget count prompts/ 'docs/**/*.md' --sort tokens
  tokenbudget count request.json --verbose        chat JSON: per-message breakdown
  tokenbudget count batch.jsonl --jsonl           per-line statistics
  tokenbudget count --text 'Hello, world' --model gpt-4
  tokenbudget count system.txt --max-tokens 4000  exit 1 when over
  tokenbudget count odd.txt --show-tokens --ids   see the token boundaries
  tokenbudget count long.txt --truncate 1000 --out short.txt

A model without an exact local tokenizer (Claude, Gemini, ...) is refused; add
--encoding o200k_base to approximate, and every count is then marked with `~`.")]
pub struct CountArgs {
    /// Files, directories (walked, honouring .gitignore), glob patterns, or `-` for stdin.
    /// With none, piped stdin is read.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,

    /// Count this text (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub text: Vec<String>,

    /// Model whose tokenizer to use [default: $TOKENBUDGET_MODEL, else gpt-4o].
    #[arg(short, long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Encoding to count with, overriding the model's.
    #[arg(short, long, value_name = "ENCODING", value_parser = parse_encoding)]
    pub encoding: Option<Encoding>,

    /// Count with this tokenizer file instead of the model's: a Hugging Face tokenizer.json,
    /// a tiktoken rank file (with --split) or a SentencePiece .model.
    #[arg(long, value_name = "FILE", conflicts_with = "encoding")]
    pub tokenizer: Option<PathBuf>,

    /// How text is split before merging, for a tiktoken rank file given with --tokenizer:
    /// o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2's rule).
    #[arg(long, value_name = "RULE", requires = "tokenizer", value_parser = parse_split)]
    pub split: Option<Split>,

    /// Read every input as chat JSON (messages array, OpenAI or Anthropic request body).
    /// Without it, JSON that has a chat shape is detected automatically.
    #[arg(long, conflicts_with = "jsonl")]
    pub messages: bool,

    /// Read every input as JSONL: each line a JSON string, a messages array, or a request
    /// (`messages` or Batch API `body.messages`); report per-line statistics.
    #[arg(long)]
    pub jsonl: bool,

    /// Print only JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Print only the total.
    #[arg(short, long, conflicts_with_all = ["json", "verbose"])]
    pub quiet: bool,

    /// Show the per-message breakdown of chat input.
    #[arg(short, long)]
    pub verbose: bool,

    /// Order of the table rows.
    #[arg(long, value_enum, default_value_t = SortBy::Input)]
    pub sort: SortBy,

    /// Exit 1 when any input has more tokens than this.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u64>,

    /// Exit 1 when all inputs together have more tokens than this.
    #[arg(long, value_name = "N")]
    pub max_total: Option<u64>,

    /// Print each token (its text, escaped) instead of counts.
    #[arg(long, conflicts_with_all = ["truncate", "messages", "jsonl"])]
    pub show_tokens: bool,

    /// With --show-tokens, also print token ids.
    #[arg(long, requires = "show_tokens")]
    pub ids: bool,

    /// Write the input cut to its first N tokens (never splitting a character).
    #[arg(long, value_name = "N", conflicts_with_all = ["messages", "jsonl"])]
    pub truncate: Option<usize>,

    /// With --truncate, write to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE", requires = "truncate")]
    pub out: Option<PathBuf>,

    /// How many of the largest JSONL lines to list.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    /// The order inputs were given (and walked).
    Input,
    /// Most tokens first.
    Tokens,
    /// By path.
    Path,
}

/// Parse a split rule name for `--split`.
pub fn parse_split(s: &str) -> Result<Split, String> {
    Split::from_name(s).ok_or_else(|| {
        format!(
            "unknown split rule '{s}' (expected one of: {})",
            Split::NAMES.join(", ")
        )
    })
}

/// Parse an encoding name for `--encoding`.
pub fn parse_encoding(s: &str) -> Result<Encoding, String> {
    Encoding::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
        format!(
            "unknown encoding '{s}' (expected one of: {})",
            names.join(", ")
        )
    })
}

/// The result for one input, as reported.
#[derive(Debug, Serialize)]
struct InputReport {
    path: String,
    #[serde(flatten)]
    counted: Option<Counted>,
    bytes: u64,
    /// The range of an estimated count (Claude, Gemini); `tokens` is its central value.
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<Estimate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window_share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    over_by: Option<u64>,
    #[serde(skip)]
    error: Option<String>,
    #[serde(skip)]
    skipped: Option<String>,
}

impl InputReport {
    fn tokens(&self) -> u64 {
        self.counted.as_ref().map_or(0, Counted::tokens)
    }
    /// What limits are compared with: the high end of an estimate, else the count.
    fn upper(&self) -> u64 {
        self.estimate.as_ref().map_or(self.tokens(), |e| e.high)
    }
}

#[derive(Debug, Serialize)]
struct Problem {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Debug, Serialize)]
struct Total {
    tokens: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<Estimate>,
    bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    window_share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    over_by: Option<u64>,
}

#[derive(Debug, Serialize)]
struct CountReport<'a> {
    model: Option<&'a str>,
    /// `null` when counting with a `--tokenizer` file.
    encoding: Option<Encoding>,
    /// The `--tokenizer` file, when one is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    tokenizer: Option<String>,
    approximate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    approximation: Option<&'a str>,
    context_window: Option<u64>,
    max_tokens: Option<u64>,
    max_total: Option<u64>,
    inputs: &'a [InputReport],
    total: Total,
    errors: Vec<Problem>,
    skipped: Vec<Problem>,
}

pub fn run(args: CountArgs, env: &Env, out: &mut dyn Write) -> Result<ExitStatus> {
    let catalog = Catalog::embedded();
    let model = if args.model.is_none()
        && (args.encoding.is_some() || args.tokenizer.is_some())
        && std::env::var_os(resolve::MODEL_ENV).is_none()
    {
        None
    } else {
        Some(resolve::default_model(args.model.as_deref()))
    };
    let resolved = match &args.tokenizer {
        Some(path) => resolve::resolve_file(catalog, model.as_deref(), path, args.split)?,
        None => resolve::resolve(catalog, model.as_deref(), args.encoding)?,
    };
    let tok = resolved.tokenizer();
    if let Some(why) = &resolved.approximate
        && !args.json
    {
        let _ = writeln!(std::io::stderr(), "{} {why}", env.err.yellow("warning:"));
    }

    let expanded = input::expand(&args.paths, &args.text, env.stdin_is_terminal)?;

    if let Some(n) = args.truncate {
        return truncate(&args, &expanded, tok, n, out);
    }
    if args.show_tokens {
        return show_tokens(&args, &expanded, tok, env, out);
    }

    let mode = if args.jsonl {
        Mode::Jsonl
    } else if args.messages {
        Mode::Messages
    } else {
        Mode::Auto
    };
    let window = resolved.context_window();
    let show_progress = env.progress && !args.json && !args.quiet;
    let mut reports = count_all(
        &expanded.sources,
        tok,
        resolved.estimate,
        mode,
        args.top,
        show_progress,
    );
    if let Some(why) = tok.failure() {
        bail!("{}: {why}; no count is reported", tok.name());
    }
    for (path, err) in &expanded.errors {
        reports.push(InputReport {
            path: path.clone(),
            counted: None,
            estimate: None,
            bytes: 0,
            window_share: None,
            over_by: None,
            error: Some(format!("{err:#}")),
            skipped: None,
        });
    }
    for r in &mut reports {
        if r.counted.is_some() {
            r.window_share = window.map(|w| r.tokens() as f64 / w as f64);
            r.over_by = args
                .max_tokens
                .and_then(|m| r.upper().checked_sub(m).filter(|d| *d > 0));
        }
    }
    match args.sort {
        SortBy::Input => {}
        SortBy::Tokens => reports.sort_by_key(|r| std::cmp::Reverse(r.tokens())),
        SortBy::Path => reports.sort_by(|a, b| a.path.cmp(&b.path)),
    }

    let (ok, problems): (Vec<InputReport>, Vec<InputReport>) =
        reports.into_iter().partition(|r| r.counted.is_some());
    let total_tokens: u64 = ok.iter().map(InputReport::tokens).sum();
    let total_estimate = resolved.estimate.and_then(|_| {
        ok.iter()
            .filter_map(|r| r.estimate.clone())
            .reduce(|a, b| a.add(&b))
    });
    let total_upper = total_estimate.as_ref().map_or(total_tokens, |e| e.high);
    let total = Total {
        tokens: total_tokens,
        estimate: total_estimate,
        bytes: ok.iter().map(|r| r.bytes).sum(),
        window_share: window.map(|w| total_tokens as f64 / w as f64),
        over_by: args
            .max_total
            .and_then(|m| total_upper.checked_sub(m).filter(|d| *d > 0)),
    };
    let errors: Vec<Problem> = problems
        .iter()
        .filter_map(|r| {
            r.error.as_ref().map(|e| Problem {
                path: r.path.clone(),
                error: Some(e.clone()),
                reason: None,
            })
        })
        .collect();
    let skipped: Vec<Problem> = problems
        .iter()
        .filter_map(|r| {
            r.skipped.as_ref().map(|s| Problem {
                path: r.path.clone(),
                error: None,
                reason: Some(s.clone()),
            })
        })
        .collect();
    let jsonl_errors = ok.iter().any(
        |r| matches!(&r.counted, Some(Counted::Jsonl { lines, .. }) if !lines.errors.is_empty()),
    );

    let mut status = ExitStatus::Success;
    if ok.iter().any(|r| r.over_by.is_some()) || total.over_by.is_some() {
        status = ExitStatus::LimitHit;
    }
    if !errors.is_empty() || jsonl_errors {
        status = status.max(ExitStatus::InputError);
    }

    // Problems always go to stderr, so stdout stays clean for pipes and --json.
    let mut err = std::io::stderr().lock();
    for p in &errors {
        writeln!(
            err,
            "{} {}",
            env.err.red("error:"),
            p.error.as_deref().unwrap_or_default()
        )?;
    }
    for p in &skipped {
        writeln!(
            err,
            "{} skipped {}: {}",
            env.err.dim("note:"),
            p.path,
            p.reason.as_deref().unwrap_or_default()
        )?;
    }
    for r in &ok {
        if let Some(Counted::Jsonl { lines, .. }) = &r.counted {
            for e in &lines.errors {
                writeln!(
                    err,
                    "{} {}:{}: {}",
                    env.err.red("error:"),
                    r.path,
                    e.line,
                    e.error
                )?;
            }
        }
        if let Some(Counted::Chat(chat)) = &r.counted
            && !args.json
        {
            for n in &chat.notes {
                writeln!(err, "{} {}: {n}", env.err.dim("note:"), r.path)?;
            }
        }
    }
    for r in ok.iter().filter(|r| r.over_by.is_some()) {
        let (tokens, upper) = match &r.estimate {
            Some(e) => (estimate::display(r.tokens(), e), " (the high end)"),
            None => (thousands(r.tokens()), ""),
        };
        writeln!(
            err,
            "{} {}: {tokens} tokens, {} over --max-tokens {}{upper}",
            env.err.red("over limit:"),
            r.path,
            thousands(r.over_by.unwrap_or(0)),
            thousands(args.max_tokens.unwrap_or(0))
        )?;
    }
    if let Some(over) = total.over_by {
        let (tokens, upper) = match &total.estimate {
            Some(e) => (estimate::display(total.tokens, e), " (the high end)"),
            None => (thousands(total.tokens), ""),
        };
        writeln!(
            err,
            "{} total: {tokens} tokens, {} over --max-total {}{upper}",
            env.err.red("over limit:"),
            thousands(over),
            thousands(args.max_total.unwrap_or(0))
        )?;
    }
    drop(err);

    let approx = if resolved.is_approximate() { "~" } else { "" };
    if args.json {
        let report = CountReport {
            model: resolved.model_name.as_deref(),
            encoding: tok.encoding(),
            tokenizer: tok.file().map(|f| f.path().display().to_string()),
            approximate: resolved.is_approximate(),
            approximation: resolved.approximate.as_deref(),
            context_window: window,
            max_tokens: args.max_tokens,
            max_total: args.max_total,
            inputs: &ok,
            total,
            errors,
            skipped,
        };
        report::write_json(out, &report)?;
    } else if args.quiet
        || (ok.len() == 1
            && matches!(ok[0].counted, Some(Counted::Text { .. } | Counted::Chat(_)))
            && !(args.verbose && matches!(ok[0].counted, Some(Counted::Chat(_))))
            && args.max_tokens.is_none())
    {
        match &total.estimate {
            Some(e) => writeln!(out, "~{} ({}–{})", total.tokens, e.low, e.high)?,
            None => writeln!(out, "{approx}{}", total.tokens)?,
        }
    } else if !ok.is_empty() {
        render_human(&args, env, &resolved, &ok, &total, out)?;
    }
    Ok(status)
}

/// Count every source, in parallel on all cores.
fn count_all(
    sources: &[Source],
    tok: &Tokenizer,
    rule: Option<&'static Rule>,
    mode: Mode,
    top: usize,
    show_progress: bool,
) -> Vec<InputReport> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(sources.len().max(1));
    // Cores left over when there are fewer inputs than cores split each large text.
    let inner = (cores / threads).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<InputReport>>> =
        Mutex::new((0..sources.len()).map(|_| None).collect());
    let bar = progress_bar(sources, show_progress);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(i) else { break };
                    let r = count_one(source, tok, rule, mode, top, inner);
                    if let Some(b) = &bar {
                        b.inc(r.bytes);
                    }
                    if let Ok(mut v) = results.lock() {
                        v[i] = Some(r);
                    }
                }
            });
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn progress_bar(sources: &[Source], show: bool) -> Option<indicatif::ProgressBar> {
    const LARGE: u64 = 64 << 20;
    if !show {
        return None;
    }
    let bytes: u64 = sources
        .iter()
        .filter_map(|s| match s {
            Source::File { path, .. } => std::fs::metadata(path).ok().map(|m| m.len()),
            _ => None,
        })
        .sum();
    if bytes < LARGE {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(bytes),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} counting {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

fn count_one(
    source: &Source,
    tok: &Tokenizer,
    rule: Option<&'static Rule>,
    mode: Mode,
    top: usize,
    threads: usize,
) -> InputReport {
    let mut report = InputReport {
        path: source.label(),
        counted: None,
        estimate: None,
        bytes: 0,
        window_share: None,
        over_by: None,
        error: None,
        skipped: None,
    };
    match input::load(source) {
        Err(e) => report.error = Some(format!("{e:#}")),
        Ok(Loaded::Binary(why)) => report.skipped = Some(why),
        Ok(Loaded::Text(text)) => {
            report.bytes = text.len() as u64;
            match count_document_on(tok, &text, mode, top, threads) {
                Ok(mut c) => {
                    if let Some(rule) = rule {
                        let kind = estimate::classify(&text);
                        report.estimate = Some(scale_counted(&mut c, rule, kind));
                    }
                    report.counted = Some(c);
                }
                Err(e) => report.error = Some(format!("{}: {e}", source.label())),
            }
        }
    }
    report
}

fn render_human(
    args: &CountArgs,
    env: &Env,
    resolved: &Resolved,
    ok: &[InputReport],
    total: &Total,
    out: &mut dyn Write,
) -> Result<()> {
    let approx = resolved.is_approximate();
    let tokens_header = if approx { "tokens (approx.)" } else { "tokens" };
    let window = resolved.context_window();
    let mut header = vec!["path", tokens_header, "bytes"];
    if window.is_some() {
        header.push("window");
    }
    if args.max_tokens.is_some() {
        header.push("limit");
    }
    let mut t = report::table(&header);
    let mark = if approx { "~" } else { "" };
    for r in ok {
        let tokens = match &r.estimate {
            Some(e) => estimate::display(r.tokens(), e),
            None => format!("{mark}{}", thousands(r.tokens())),
        };
        let mut row = vec![
            Cell::new(&r.path),
            Cell::new(tokens),
            Cell::new(thousands(r.bytes)),
        ];
        if let Some(w) = window {
            row.push(Cell::new(percent(r.tokens(), w)));
        }
        if args.max_tokens.is_some() {
            row.push(Cell::new(match r.over_by {
                Some(d) => env.out.red(&format!("over by {}", thousands(d))),
                None => env.out.green("ok"),
            }));
        }
        t.add_row(row);
    }
    if ok.len() > 1 {
        let mut row = vec![
            Cell::new(env.out.bold("total")),
            Cell::new(env.out.bold(&match &total.estimate {
                Some(e) => estimate::display(total.tokens, e),
                None => format!("{mark}{}", thousands(total.tokens)),
            })),
            Cell::new(thousands(total.bytes)),
        ];
        if let Some(w) = window {
            row.push(Cell::new(percent(total.tokens, w)));
        }
        if args.max_tokens.is_some() {
            row.push(Cell::new(match total.over_by {
                Some(d) => env.out.red(&format!("over by {}", thousands(d))),
                None => String::new(),
            }));
        }
        t.add_row(row);
    }
    report::align_right(&mut t, &[1, 2, 3]);
    crate::report::write_table(out, &t)?;

    for r in ok {
        match &r.counted {
            Some(Counted::Chat(chat)) if args.verbose => {
                writeln!(out, "\n{} ({} messages)", r.path, chat.messages.len())?;
                let mut m = report::table(&["#", "role", tokens_header]);
                for msg in &chat.messages {
                    m.add_row(vec![
                        Cell::new(msg.index),
                        Cell::new(&msg.role),
                        Cell::new(format!("{mark}{}", thousands(msg.tokens))),
                    ]);
                }
                m.add_row(vec![
                    Cell::new(""),
                    Cell::new("reply priming"),
                    Cell::new(crate::tokenize::chat::REPLY_PRIMING),
                ]);
                report::align_right(&mut m, &[0, 2]);
                crate::report::write_table(out, &m)?;
            }
            Some(Counted::Jsonl { lines, .. }) => {
                writeln!(
                    out,
                    "\n{}: {} lines, min {}, median {}, p95 {}, max {}",
                    r.path,
                    thousands(lines.count),
                    thousands(lines.min),
                    thousands(lines.median),
                    thousands(lines.p95),
                    thousands(lines.max)
                )?;
                if !lines.largest.is_empty() {
                    let mut m = report::table(&["largest line", tokens_header]);
                    for l in &lines.largest {
                        m.add_row(vec![
                            Cell::new(format!("{}:{}", r.path, l.line)),
                            Cell::new(format!("{mark}{}", thousands(l.tokens))),
                        ]);
                    }
                    report::align_right(&mut m, &[1]);
                    crate::report::write_table(out, &m)?;
                }
            }
            _ => {}
        }
    }
    let model = resolved.model_name.as_deref().unwrap_or("-");
    let mut footer = format!("{model}, {}", resolved.tokenizer_name());
    if let Some(w) = window {
        footer.push_str(&format!(", context window {}", thousands(w)));
    }
    if let Some(why) = &resolved.approximate {
        footer.push_str(&format!("; approximate: {why}"));
    }
    writeln!(out, "{}", env.out.dim(&footer))?;
    Ok(())
}

/// The single source `--truncate` and `--show-tokens` work on, loaded as text.
fn single_text(expanded: &input::Expanded, flag: &str) -> Result<(String, String)> {
    if let Some((_, e)) = expanded.errors.first() {
        bail!("{e:#}");
    }
    let [source] = expanded.sources.as_slice() else {
        bail!(
            "{flag} takes exactly one input, got {}",
            expanded.sources.len()
        );
    };
    match input::load(source)? {
        Loaded::Text(t) => Ok((source.label(), t)),
        Loaded::Binary(why) => bail!("{}: {why}", source.label()),
    }
}

fn truncate(
    args: &CountArgs,
    expanded: &input::Expanded,
    tok: &Tokenizer,
    n: usize,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let (label, text) = single_text(expanded, "--truncate")?;
    let cut = tok.truncate(&text, n);
    let kept = tok.count(cut);
    let original = tok.count(&text);
    match &args.out {
        Some(path) => crate::fsutil::write_atomic(path, cut.as_bytes())?,
        None => out.write_all(cut.as_bytes()).context("writing stdout")?,
    }
    if args.json {
        // stdout holds the text unless --out was given; the summary goes where JSON may go.
        let summary = serde_json::json!({
            "path": label, "tokens": original, "kept_tokens": kept,
            "kept_bytes": cut.len(), "bytes": text.len(),
        });
        if args.out.is_some() {
            report::write_json(out, &summary)?;
        } else {
            writeln!(std::io::stderr(), "{summary}")?;
        }
    } else {
        writeln!(
            std::io::stderr(),
            "{label}: kept {} of {} tokens ({} of {} bytes)",
            thousands(kept as u64),
            thousands(original as u64),
            thousands(cut.len() as u64),
            thousands(text.len() as u64)
        )?;
    }
    Ok(ExitStatus::Success)
}

/// How a token's bytes are shown: its text Rust-escaped in quotes, or hex for a token that
/// holds only part of a UTF-8 character.
pub fn token_repr(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => format!("{s:?}"),
        Err(_) => {
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("<{}>", hex.join(" "))
        }
    }
}

fn show_tokens(
    args: &CountArgs,
    expanded: &input::Expanded,
    tok: &Tokenizer,
    env: &Env,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let (label, text) = single_text(expanded, "--show-tokens")?;
    let ids = tok.encode(&text);
    if args.json {
        #[derive(Serialize)]
        struct Tok {
            id: u32,
            bytes: Vec<u8>,
            #[serde(skip_serializing_if = "Option::is_none")]
            text: Option<String>,
        }
        let tokens: Vec<Tok> = ids
            .iter()
            .map(|&id| {
                let bytes = tok.token_bytes(id).to_vec();
                let text = String::from_utf8(bytes.clone()).ok();
                Tok { id, bytes, text }
            })
            .collect();
        report::write_json(
            out,
            &serde_json::json!({
                "path": label, "encoding": tok.name(), "count": ids.len(), "tokens": tokens,
            }),
        )?;
        return Ok(ExitStatus::Success);
    }
    for (i, &id) in ids.iter().enumerate() {
        let repr = token_repr(&tok.token_bytes(id));
        if args.ids {
            writeln!(out, "{i}\t{id}\t{repr}")?;
        } else {
            writeln!(out, "{i}\t{repr}")?;
        }
    }
    writeln!(
        std::io::stderr(),
        "{}",
        env.err
            .dim(&format!("{label}: {} tokens ({})", ids.len(), tok.name()))
    )?;
    Ok(ExitStatus::Success)
}
