//! `tokenbudget count`: exact token counts of files, directories, globs, stdin and inline text.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::Serialize;

use crate::commands::{Shared, warn_resolved};
use crate::count::{
    Counted, FieldPath, JsonlAcc, Mode, count_document_on, jsonl_lines, scale_counted,
};
use crate::estimate::{self, EstimateRange, Rule};
use crate::exit::ExitStatus;
use crate::input::{self, Loaded, Opened, Source};
use crate::report::escape::{Shown, escape};
use crate::report::{self, Env, percent, thousands};
use crate::request;
use crate::resolve::{self, Resolved};
use crate::stream;
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
  tokenbudget count train.jsonl --jsonl --field text
  tokenbudget count sft.jsonl --jsonl --field prompt --field completion
  tokenbudget count --text 'Hello, world' --model gpt-4
  tokenbudget count system.txt --max-tokens 4000  exit 1 when over
  tokenbudget count odd.txt --show-tokens --ids   see the token boundaries
  tokenbudget count long.txt --truncate 1000 --out short.txt

A model without an exact local tokenizer (Claude, Gemini, ...) is estimated with o200k_base
(or the --encoding given) and every count is marked with `~` (JSON: \"approximate\": true
and its \"basis\"); --exact refuses it instead (exit 2).")]
pub struct CountArgs {
    /// Files, directories (walked, honouring .gitignore), glob patterns, or `-` for stdin.
    /// With none, piped stdin is read.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Count this text (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub text: Vec<String>,

    /// Model whose tokenizer to use [default: the `model` a lone request file names, else
    /// $TOKENBUDGET_MODEL, else gpt-4o].
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

    /// With --jsonl, count only this field of each line (`text`, `prompt`, nested
    /// `request.prompt`, array index `messages.0.content`); repeat it to count the sum of
    /// several fields (`--field prompt --field completion`). A line without the field is an
    /// error at that line.
    #[arg(long, value_name = "PATH", requires = "jsonl", value_parser = FieldPath::parse)]
    pub field: Vec<FieldPath>,
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
    estimate: Option<EstimateRange>,
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
    estimate: Option<EstimateRange>,
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
    /// The encoding an estimate is based on (only when approximate).
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<&'a str>,
    context_window: Option<u64>,
    max_tokens: Option<u64>,
    max_total: Option<u64>,
    inputs: &'a [InputReport],
    total: Total,
    errors: Vec<Problem>,
    skipped: Vec<Problem>,
}

pub fn run(args: CountArgs, env: &Env, shared: &Shared, out: &mut dyn Write) -> Result<ExitStatus> {
    let expanded = input::expand(&args.paths, &args.text, env.stdin_is_terminal)?;
    // a lone request file names its model: counted as `plan` and `cost` count it
    let request = match (
        &args.model,
        args.jsonl || args.messages || !args.field.is_empty(),
    ) {
        (None, false) if args.encoding.is_none() && args.tokenizer.is_none() => {
            request_file(&expanded.sources)
        }
        _ => None,
    };
    let (named, preloaded) = match request {
        Some(r) => (r.model, Some(r.bytes)),
        None => (None, None),
    };
    let from_request = named.is_some();
    let model = if named.is_some() {
        named
    } else if args.model.is_none()
        && (args.encoding.is_some() || args.tokenizer.is_some())
        && std::env::var_os(resolve::MODEL_ENV).is_none()
    {
        None
    } else {
        Some(resolve::default_model(args.model.as_deref()))
    };
    let resolver = shared.resolver();
    let resolved = match &args.tokenizer {
        Some(path) => resolver.resolve_file(model.as_deref(), path, args.split)?,
        None => match resolver.resolve(model.as_deref(), args.encoding) {
            Ok(r) => r,
            Err(e) if from_request => bail!(
                "{e} (the request's \"model\"; pass --model or --encoding to count it \
                 another way)"
            ),
            Err(e) => return Err(e.into()),
        },
    };
    let tok = resolved.tokenizer();
    warn_resolved(env, &resolved);
    if let Some(why) = &resolved.approximate
        && !args.json
    {
        let _ = writeln!(
            std::io::stderr(),
            "{} {}",
            env.err.yellow("warning:"),
            Shown(why)
        );
    }

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
    let opts = request::Options {
        rule: resolved.message_rule,
        base_dir: PathBuf::from("."),
        provider: resolved.model.map(|m| m.provider.clone()),
    };
    let job = Job {
        tok,
        rule: resolved.calibration(),
        opts: &opts,
        mode,
        top: args.top,
        fields: &args.field,
        preloaded: Mutex::new(preloaded),
    };
    let mut reports = count_all(&expanded.sources, &job, show_progress);
    if let Some(why) = tok.failure() {
        bail!("{}: {why}; no count is reported", Shown(&tok.name()));
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
    let total_estimate = resolved.calibration().and_then(|_| {
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
            Shown(p.error.as_deref().unwrap_or_default())
        )?;
    }
    for p in &skipped {
        writeln!(
            err,
            "{} skipped {}: {}",
            env.err.dim("note:"),
            Shown(&p.path),
            Shown(p.reason.as_deref().unwrap_or_default())
        )?;
    }
    for r in &ok {
        if let Some(Counted::Jsonl { lines, .. }) = &r.counted {
            for e in lines.errors.iter().take(report::LISTED) {
                writeln!(
                    err,
                    "{} {}:{}: {}",
                    env.err.red("error:"),
                    Shown(&r.path),
                    e.line,
                    Shown(&e.error)
                )?;
            }
            if lines.errors.len() > report::LISTED {
                writeln!(
                    err,
                    "{} {}: {} bad lines (--json lists them)",
                    env.err.red("error:"),
                    Shown(&r.path),
                    report::and_more(lines.errors.len() - report::LISTED)
                )?;
            }
        }
        if let Some(Counted::Chat(chat)) = &r.counted
            && !args.json
        {
            for n in &chat.notes {
                writeln!(
                    err,
                    "{} {}: {}",
                    env.err.dim("note:"),
                    Shown(&r.path),
                    Shown(n)
                )?;
            }
        }
        if let Some(Counted::Text { note: Some(n), .. }) = &r.counted
            && !args.json
        {
            writeln!(err, "{} {}: {n}", env.err.dim("note:"), Shown(&r.path))?;
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
            Shown(&r.path),
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
            encoding: tok.file().is_none().then(|| tok.encoding()),
            tokenizer: tok.file().map(|f| f.path().display().to_string()),
            approximate: resolved.is_approximate(),
            approximation: resolved.approximate.as_deref(),
            basis: resolved.basis(),
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

/// What to count, and how.
struct Job<'a> {
    tok: &'a Tokenizer,
    /// the calibration of a Claude/Gemini estimate: every count is scaled by it
    rule: Option<&'static Rule>,
    /// how a request is counted (message rule, provider); local images are relative to the
    /// request file
    opts: &'a request::Options,
    mode: Mode,
    top: usize,
    fields: &'a [FieldPath],
    /// The bytes of the lone input, when [`request_file`] read it whole to find its model:
    /// counted from here, so the file is read once and the model and the count come from the
    /// same bytes.
    preloaded: Mutex<Option<Vec<u8>>>,
}

/// Count every source, in parallel on all cores.
fn count_all(sources: &[Source], job: &Job<'_>, show_progress: bool) -> Vec<InputReport> {
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
                    let r = count_one(source, job, inner, bar.as_ref());
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

/// Inputs of at least this many bytes in all get a progress bar (on a terminal). Tests lower
/// it through `TOKENBUDGET_PROGRESS_MIN_BYTES` (undocumented) to see the bar drawn without
/// writing 64 MiB.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

fn progress_bar(sources: &[Source], show: bool) -> Option<indicatif::ProgressBar> {
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
    let min = std::env::var("TOKENBUDGET_PROGRESS_MIN_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(PROGRESS_MIN_BYTES);
    if bytes < min.max(1) {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(bytes),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} counting {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

fn count_one(
    source: &Source,
    job: &Job<'_>,
    threads: usize,
    bar: Option<&indicatif::ProgressBar>,
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
    // file bytes go to the bar as they are read (stdin is not in its total)
    let is_file = matches!(source, Source::File { .. });
    let tick = |n: u64| {
        if let (Some(b), true) = (bar, is_file) {
            b.inc(n);
        }
    };
    let preloaded = job.preloaded.lock().ok().and_then(|mut p| p.take());
    let opened = match preloaded {
        Some(bytes) => input::open_read(source, bytes, stream::BLOCK),
        None => input::open(source, stream::BLOCK),
    };
    let loaded = match opened {
        Err(e) => {
            report.error = Some(format!("{e:#}"));
            return report;
        }
        Ok(Opened::Whole(l)) => l,
        Ok(Opened::Partial { head, mut rest }) => {
            // A tokenizer file has its own split rules, so plain text is never cut for it (no
            // cut is known to be safe): it takes the whole-file path; its JSONL lines stream.
            // A calibrated estimate classifies the whole text (prose, code, CJK), so it takes
            // the whole-file path too.
            let whole_text = job.tok.file().is_some();
            let streamable = job.rule.is_none()
                && match job.mode {
                    Mode::Jsonl => true,
                    Mode::Text => !whole_text,
                    Mode::Auto => !whole_text && !crate::count::looks_like_json_bytes(&head),
                    Mode::Messages => false,
                };
            if streamable {
                match count_stream(source, job, head, &mut *rest, threads, &tick) {
                    Ok((bytes, Ok(c))) => {
                        report.bytes = bytes;
                        report.counted = Some(c);
                    }
                    Ok((_, Err(reason))) => report.skipped = Some(reason),
                    Err(e) => report.error = Some(format!("{e:#}")),
                }
                return report;
            }
            // a large JSON document: parsed whole
            let mut bytes = head;
            match rest.read_to_end(&mut bytes) {
                Ok(_) => {}
                Err(e) => {
                    report.error = Some(format!("reading {}: {e}", source.label()));
                    return report;
                }
            }
            match String::from_utf8(bytes) {
                Ok(t) => Loaded::Text(t),
                Err(e) => {
                    match input::invalid_utf8(source, e.utf8_error().valid_up_to() as u64) {
                        Ok(why) => report.skipped = Some(why),
                        Err(e) => report.error = Some(format!("{e:#}")),
                    }
                    return report;
                }
            }
        }
    };
    match loaded {
        Loaded::Binary(why) => report.skipped = Some(why),
        Loaded::Text(text) => {
            report.bytes = text.len() as u64;
            tick(report.bytes);
            // local images in a request are relative to the request file
            let mut opts = job.opts.clone();
            if let Source::File { path, .. } = source
                && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            {
                opts.base_dir = dir.to_path_buf();
            }
            let counted = if job.mode == Mode::Jsonl {
                let mut acc = JsonlAcc::new(job.top);
                let mut counter = job.tok.counter_for(text.len());
                for (line, r) in jsonl_lines(&mut counter, &opts, &text, 1, job.fields) {
                    acc.push(line, r);
                }
                Ok(acc.finish())
            } else {
                count_document_on(job.tok, &opts, &text, job.mode, job.top, threads)
            };
            match counted {
                Ok(mut c) => {
                    if let Some(rule) = job.rule {
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

/// Count a large input as a stream (see [`crate::stream`]): plain text, or JSONL lines, on
/// `threads` workers. `Ok((bytes, Err(reason)))` is a walked file skipped for invalid UTF-8.
fn count_stream(
    source: &Source,
    job: &Job<'_>,
    head: Vec<u8>,
    rest: &mut dyn Read,
    threads: usize,
    tick: &dyn Fn(u64),
) -> Result<(u64, Result<Counted, String>)> {
    let read_err = |e: std::io::Error| anyhow::anyhow!("reading {}: {e}", source.label());
    let (bytes, counted) = if job.mode == Mode::Jsonl {
        let mut acc = JsonlAcc::new(job.top);
        let (bytes, bad) = stream::count_jsonl(
            job.tok,
            job.opts,
            rest,
            head,
            stream::BLOCK,
            threads,
            tick,
            job.fields,
            &mut acc,
        )
        .map_err(read_err)?;
        (bytes, bad.map_or_else(|| Ok(acc.finish()), Err))
    } else {
        let (bytes, n) = stream::count_text(job.tok, rest, head, stream::BLOCK, threads, tick)
            .map_err(read_err)?;
        (bytes, n.map(|tokens| Counted::Text { tokens, note: None }))
    };
    match counted {
        Ok(c) => Ok((bytes, Ok(c))),
        Err(at) => Ok((bytes, Err(input::invalid_utf8(source, at)?))),
    }
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
            Cell::new(escape(&r.path)),
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
                writeln!(
                    out,
                    "\n{} ({} messages)",
                    Shown(&r.path),
                    chat.messages.len()
                )?;
                let mut m = report::table(&["#", "role", tokens_header]);
                for msg in &chat.messages {
                    m.add_row(vec![
                        Cell::new(msg.index),
                        Cell::new(escape(&msg.role)),
                        Cell::new(format!("{mark}{}", thousands(msg.tokens))),
                    ]);
                }
                m.add_row(vec![
                    Cell::new(""),
                    Cell::new("reply priming"),
                    Cell::new(chat.tokens - chat.messages.iter().map(|m| m.tokens).sum::<u64>()),
                ]);
                report::align_right(&mut m, &[0, 2]);
                crate::report::write_table(out, &m)?;
                if !chat.parts.is_empty() {
                    writeln!(out, "\n{} parts (as plan splits it)", Shown(&r.path))?;
                    let mut p = report::table(&["part", tokens_header]);
                    for part in &chat.parts {
                        let approx = if part.approximate || !mark.is_empty() {
                            "~"
                        } else {
                            ""
                        };
                        p.add_row(vec![
                            Cell::new(part.part),
                            Cell::new(format!("{approx}{}", thousands(part.tokens))),
                        ]);
                    }
                    report::align_right(&mut p, &[1]);
                    crate::report::write_table(out, &p)?;
                }
            }
            Some(Counted::Jsonl { lines, .. }) => {
                writeln!(
                    out,
                    "\n{}: {} lines, min {}, median {}, p95 {}, max {}",
                    Shown(&r.path),
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
                            Cell::new(format!("{}:{}", Shown(&r.path), l.line)),
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
    writeln!(out, "{}", env.out.dim(&escape(&footer)))?;
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
    let inputs = output_inputs(expanded);
    if let Some(path) = &args.out {
        // Refused before reading: `--out l.txt` for input l.txt would truncate the input.
        crate::fsutil::check_output(path, &inputs)?;
    }
    let (label, text) = single_text(expanded, "--truncate")?;
    let cut = tok.truncate(&text, n);
    let kept = tok.count(cut);
    let original = tok.count(&text);
    match &args.out {
        Some(path) => crate::fsutil::write_atomic(path, cut.as_bytes(), &inputs)?,
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
            writeln!(std::io::stderr(), "{}", report::json_line(&summary))?;
        }
    } else {
        writeln!(
            std::io::stderr(),
            "{}: kept {} of {} tokens ({} of {} bytes)",
            Shown(&label),
            thousands(kept as u64),
            thousands(original as u64),
            thousands(cut.len() as u64),
            thousands(text.len() as u64)
        )?;
    }
    Ok(ExitStatus::Success)
}

/// The files an `--out` must not be: every named or walked input, and stdin when it is a file.
fn output_inputs(expanded: &input::Expanded) -> Vec<crate::fsutil::InputFile> {
    let mut inputs: Vec<_> = expanded
        .sources
        .iter()
        .filter_map(|s| match s {
            Source::File { path, .. } => crate::fsutil::InputFile::named(path),
            _ => None,
        })
        .collect();
    inputs.extend(crate::fsutil::InputFile::named(std::path::Path::new("-")));
    inputs
}

/// How a token's bytes are shown: its text Rust-escaped in quotes, or hex for a token that
/// holds only part of a UTF-8 character.
pub fn token_repr(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => escape(&format!("{s:?}")).into_owned(),
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
        env.err.dim(&format!(
            "{}: {} tokens ({})",
            Shown(&label),
            ids.len(),
            Shown(&tok.name())
        ))
    )?;
    Ok(ExitStatus::Success)
}

/// The one input when it may be a request file, read whole: a file of at most 64 MiB whose
/// first non-blank byte is `{`.
struct RequestFile {
    /// Its `model` when it is a request (an OpenAI, Anthropic or Gemini body, or a Batch API
    /// line: OpenAI's `body.model`, Anthropic's `params.model`); `None` when it is not, or
    /// does not parse (the count reports that).
    model: Option<String>,
    /// Its bytes, which the count then takes instead of reading the file again.
    bytes: Vec<u8>,
}

/// The [`RequestFile`] of the inputs: `None` for stdin, text, several inputs and other files.
fn request_file(sources: &[input::Source]) -> Option<RequestFile> {
    let [input::Source::File { path, .. }] = sources else {
        return None;
    };
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 64 << 20 {
        return None;
    }
    // Only a file whose first non-blank byte is `{` is read whole: a large text file is not
    // read twice (before this, `count` on a 38 MB text file spent 31 ms reading it here first).
    let mut file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    loop {
        let at = bytes.len();
        if (&mut file).take(64 << 10).read_to_end(&mut bytes).ok()? == 0 {
            return None; // blank to the end
        }
        match bytes[at..].iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => break,
            Some(_) => return None,
            None => {}
        }
    }
    file.read_to_end(&mut bytes).ok()?;
    let model = model_of(&bytes);
    Some(RequestFile { model, bytes })
}

/// The `model` a request body names (see [`RequestFile::model`]).
fn model_of(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        model: Option<serde_json::Value>,
        body: Option<serde_json::Value>,
        params: Option<serde_json::Value>,
    }
    let named: Named = serde_json::from_slice(bytes).ok()?;
    let model = match named.model {
        Some(m) => m,
        None => named.body.or(named.params)?.get("model")?.clone(),
    };
    model
        .as_str()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(String::from)
}
