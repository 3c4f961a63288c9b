//! `tokenbudget plan`: split a context window across the parts of a request, check caps and
//! the reserved output, and with `--fit` trim history (then retrieved chunks) until it fits.
//! The allocation and the fitting live in [`crate::plan`]; this module reads the inputs and
//! renders the result.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use comfy_table::Cell;
use serde::Serialize;
use serde_json::Value;

use crate::commands::count::parse_encoding;
use crate::commands::{Shared, warn_resolved};
use crate::count::parse_json;
use crate::estimate::EstimateRange;
use crate::exit::ExitStatus;
use crate::input::{self, Loaded, Source};
use crate::plan::{
    self, Allocation, Budget, Cap, Counts, Dropped, Examples, FitOptions, Fitted, HistoryPolicy,
    Part, Parts, Prompt, Shape,
};
use crate::report::escape::{Shown, escape};
use crate::report::{self, Env, percent, thousands};
use crate::request::{Read, ReadError};
use crate::resolve;
use crate::tokenize::Encoding;

/// Split a context window across the parts of a request; trim history to fit.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tokenbudget plan --request body.json              the allocation of a chat request
  tokenbudget plan --request body.json --fit > fitted.json
  tokenbudget plan --system sys.txt --rag top1.txt top2.txt --history chat.json --user q.txt
  echo 'What changed?' | tokenbudget plan --system sys.txt --history chat.json
  tokenbudget plan --request body.json --cap history=30000 --cap rag=40% --fit --out f.json
  tokenbudget plan --request body.json --fit --history 20 --keep-last 4

Parts: system (never dropped), examples (never dropped), tools, rag (dropped from the lowest
rank), history (dropped oldest first; a tool call and its results together), user (the latest
user message, never dropped), overhead (3 tokens priming the reply). Their sum is the OpenAI
cookbook count of the whole request (num_tokens_from_messages + num_tokens_for_tools).

Exit codes: 0 fits (or was fitted), 1 does not fit (or cannot be made to fit), 2 usage or
input error.")]
pub struct PlanArgs {
    /// A whole request: an OpenAI chat completions body, an Anthropic messages body or a Batch
    /// API request line (`-` for stdin). System messages → system, the latest user message → user, earlier turns →
    /// history, `tools` → tools, `max_completion_tokens`/`max_tokens` → the reserve.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["system", "examples", "rag", "user", "tools"])]
    pub request: Option<PathBuf>,

    /// The system prompt (text).
    #[arg(long, value_name = "FILE")]
    pub system: Option<PathBuf>,

    /// Few-shot examples: text (sent as one system message) or a messages JSON array.
    #[arg(long, value_name = "FILE")]
    pub examples: Option<PathBuf>,

    /// Retrieved chunks (text), best first; each is sent as a system message before the
    /// user's message. Repeatable.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub rag: Vec<PathBuf>,

    /// Chat history: a messages JSON file; or, with --fit, how much of it to keep: `auto`
    /// (as many recent messages as fit the history cap and the window; the default) or N (at
    /// most the last N messages). May be given twice (a file and a policy).
    #[arg(long, value_name = "FILE|auto|N", value_parser = parse_history)]
    pub history: Vec<HistoryArg>,

    /// The user's message (text; `-` for stdin). Without it, piped stdin is read.
    #[arg(long, value_name = "FILE")]
    pub user: Option<PathBuf>,

    /// Tool (function) definitions: a JSON array, or an object with `tools`.
    #[arg(long, value_name = "FILE")]
    pub tools: Option<PathBuf>,

    /// Model: its context window, max output and tokenizer [default: the request's `model`,
    /// else $TOKENBUDGET_MODEL, else gpt-4o].
    #[arg(short, long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Encoding to count with, overriding the model's (labelled approximate when it is not
    /// the model's own).
    #[arg(short, long, value_name = "ENCODING", value_parser = parse_encoding)]
    pub encoding: Option<Encoding>,

    /// Count with this tokenizer file instead of the model's: a Hugging Face tokenizer.json,
    /// a tiktoken rank file (with --split) or a SentencePiece .model. The model still gives
    /// the context window and the max output.
    #[arg(long, value_name = "FILE", conflicts_with = "encoding")]
    pub tokenizer: Option<PathBuf>,

    /// How text is split before merging, for a tiktoken rank file given with --tokenizer:
    /// o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2's rule).
    #[arg(long, value_name = "RULE", requires = "tokenizer", value_parser = crate::commands::count::parse_split)]
    pub split: Option<crate::tokenize::external::Split>,

    /// Context window in tokens, overriding the model's.
    #[arg(long, value_name = "N", value_parser = crate::commands::cost::parse_tokens)]
    pub context_window: Option<u64>,

    /// Tokens reserved for the answer [default: the request's max_completion_tokens or
    /// max_tokens, else 4096]. Must not exceed the model's max output.
    #[arg(long, value_name = "N", value_parser = crate::commands::cost::parse_tokens)]
    pub reserve_output: Option<u64>,

    /// Cap a part: PART=TOKENS or PART=PERCENT% of the window (parts: system, examples,
    /// tools, rag, history, user). Repeatable.
    #[arg(long, value_name = "PART=N|P%", value_parser = plan::parse_cap)]
    pub cap: Vec<Cap>,

    /// Trim until it fits: drop history messages oldest first, then retrieved chunks from
    /// the lowest rank; write the fitted request as JSON (stdout or --out) and what was
    /// dropped to stderr.
    #[arg(long)]
    pub fit: bool,

    /// With --fit, never drop the last N history messages.
    #[arg(long, value_name = "N", requires = "fit")]
    pub keep_last: Option<usize>,

    /// With --fit, write the fitted JSON to this file (atomically); stdout then gets the
    /// report.
    #[arg(long, value_name = "FILE", requires = "fit")]
    pub out: Option<PathBuf>,

    /// Print only JSON on stdout (with --fit, requires --out).
    #[arg(long)]
    pub json: bool,
}

/// Every file `plan` reads, and stdin when it is a file: `--out` must be none of them.
fn plan_inputs(args: &PlanArgs, history: Option<&Path>) -> Vec<crate::fsutil::InputFile> {
    let mut paths: Vec<&Path> = Vec::new();
    paths.extend(args.request.as_deref());
    paths.extend(args.user.as_deref());
    paths.extend(args.system.as_deref());
    paths.extend(args.examples.as_deref());
    paths.extend(args.tools.as_deref());
    paths.extend(history);
    paths.extend(args.rag.iter().map(PathBuf::as_path));
    paths.push(Path::new("-"));
    paths
        .into_iter()
        .filter_map(crate::fsutil::InputFile::named)
        .collect()
}

/// A `--history` value: a file, or (with --fit) how much history to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryArg {
    File(PathBuf),
    Policy(HistoryPolicy),
}

/// `auto` and a number are policies; anything else is a file (`./auto` for a file so named).
pub fn parse_history(s: &str) -> Result<HistoryArg, String> {
    if s == "auto" {
        return Ok(HistoryArg::Policy(HistoryPolicy::Auto));
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse()
            .map(|n| HistoryArg::Policy(HistoryPolicy::Last(n)))
            .map_err(|e| format!("{e}"));
    }
    if s.is_empty() {
        return Err("expected a file, `auto` or a number".into());
    }
    Ok(HistoryArg::File(PathBuf::from(s)))
}

/// The JSON document of `plan --json`.
#[derive(Debug, Serialize)]
struct PlanReport<'a> {
    model: &'a str,
    /// `null` when counting with a `--tokenizer` file.
    encoding: Option<Encoding>,
    /// The `--tokenizer` file, when one is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    tokenizer: Option<&'a str>,
    approximate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    approximation: Option<&'a str>,
    /// The encoding an estimate is based on (only when the model's counts are estimates).
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<&'static str>,
    source: Shape,
    max_output: Option<u64>,
    reserve_source: &'static str,
    #[serde(flatten)]
    allocation: &'a Allocation,
    /// The range of a calibrated estimate of `input_tokens` (Claude, Gemini), which is its
    /// central value.
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<&'a EstimateRange>,
    notes: &'a [String],
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    fit: Option<FitReport<'a>>,
}

#[derive(Debug, Serialize)]
struct FitReport<'a> {
    history: HistoryPolicy,
    keep_last: usize,
    /// The input before fitting.
    input_tokens_before: u64,
    total_before: u64,
    dropped: DroppedList<'a>,
    /// The file the fitted request was written to.
    #[serde(skip_serializing_if = "Option::is_none")]
    out: Option<String>,
    /// Why the request cannot be made to fit (nothing is written then).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The dropped messages, each reported with its part, label, role and tokens.
#[derive(Debug, Clone, Copy)]
struct DroppedList<'a> {
    prompt: &'a Prompt<'a>,
    counts: &'a Counts,
    dropped: &'a [Dropped],
}

impl Serialize for DroppedList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.dropped.iter().map(|d| d.row(self.prompt, self.counts)))
    }
}

pub fn run(args: PlanArgs, env: &Env, shared: &Shared, out: &mut dyn Write) -> Result<ExitStatus> {
    let mut history_file = None;
    let mut policy = None;
    for h in &args.history {
        match h {
            HistoryArg::File(p) if history_file.is_none() => history_file = Some(p.clone()),
            HistoryArg::Policy(p) if policy.is_none() => policy = Some(*p),
            HistoryArg::File(_) => bail!("--history: only one history file may be given"),
            HistoryArg::Policy(_) => bail!("--history: give `auto` or N only once"),
        }
    }
    if policy.is_some() && !args.fit {
        bail!("--history auto|N decides what --fit keeps: add --fit");
    }
    if args.request.is_some() && history_file.is_some() {
        bail!("--history FILE cannot be used with --request (the request holds the history)");
    }
    if args.fit && args.json && args.out.is_none() {
        bail!(
            "--fit --json needs --out FILE: stdout holds the fitted request, so the JSON report \
             needs stdout to itself"
        );
    }

    let inputs = plan_inputs(&args, history_file.as_deref());
    if let Some(path) = &args.out {
        crate::fsutil::check_output(path, &inputs)?;
    }
    let mut read_text = None;
    let (prompt, request_text) = load_prompt(&args, history_file.as_deref(), env, &mut read_text)?;
    if args.fit && prompt.shape != Shape::Parts && prompt.body.is_none() {
        bail!(
            "--fit writes the fitted request back in its own shape, which is supported for chat \
             completions and Anthropic bodies (and OpenAI batch lines); this request is planned \
             but cannot be fitted yet"
        );
    }

    let model_name = args
        .model
        .clone()
        .or_else(|| prompt.model.clone())
        .unwrap_or_else(|| resolve::default_model(None));
    let resolved = match &args.tokenizer {
        Some(path) => shared
            .resolver()
            .resolve_file(Some(&model_name), path, args.split)?,
        None => shared
            .resolver()
            .resolve(Some(&model_name), args.encoding)?,
    };
    let tok = resolved.tokenizer();
    warn_resolved(env, &resolved);
    let window = match args.context_window.or(resolved.context_window()) {
        Some(w) => w,
        None => bail!("no context window known for {model_name}: pass --context-window N"),
    };
    let max_output = resolved.model.and_then(|m| m.max_output);
    let (reserve, reserve_source) = match (args.reserve_output, prompt.max_tokens) {
        (Some(r), _) => (r, "--reserve-output"),
        (None, Some(m)) => (
            m,
            plan::OUTPUT_LIMIT_FIELDS
                .into_iter()
                .find(|f| {
                    prompt
                        .body
                        .as_ref()
                        .map(|b| if prompt.batch { &b["body"] } else { b })
                        .is_some_and(|b| b.get(*f).is_some_and(|v| !v.is_null()))
                })
                .unwrap_or("max_tokens"),
        ),
        (None, None) => (
            max_output.map_or(plan::DEFAULT_RESERVE, |m| m.min(plan::DEFAULT_RESERVE)),
            "default",
        ),
    };
    if let Some(max) = max_output
        && reserve > max
    {
        let what = match reserve_source {
            "--reserve-output" => "--reserve-output".to_string(),
            field => format!("the request's {field}"),
        };
        bail!(
            "{what} {} is above {model_name}'s maximum output of {} tokens",
            thousands(reserve),
            thousands(max)
        );
    }
    if reserve > window {
        bail!(
            "the context window ({} tokens) is smaller than the reserved output ({} tokens)",
            thousands(window),
            thousands(reserve)
        );
    }

    let rule = crate::request::image_rule(&prompt, resolved.model.map(|m| m.provider.as_str()));
    let mut counts =
        plan::count_with(&prompt, tok, resolved.message_rule, rule).map_err(|e| anyhow!("{e}"))?;
    if let Some(why) = tok.failure() {
        bail!("{}: {why}; no count is reported", Shown(&tok.name()));
    }
    if tok.file().is_some() {
        counts.notes.push(crate::count::FILE_CHAT_NOTE.to_string());
    }
    // A Claude/Gemini estimate: the counts become the calibrated central values (the whole
    // request's, as count, cost and check give it, apportioned over the parts); the exact
    // o200k_base counts are kept for the range of whatever is kept.
    let calibration = resolved.calibration().map(|rule| {
        let kind = match request_text {
            Some(t) => crate::estimate::classify(t),
            None => crate::estimate::classify(&prompt_contents(&prompt)),
        };
        let raw = counts.clone();
        counts.calibrate(rule, kind);
        Calibration { rule, kind, raw }
    });
    let budget = Budget {
        context_window: window,
        reserve_output: reserve,
        caps: args.cap.clone(),
    };
    let all_kept = vec![true; prompt.items.len()];
    let range_of = |kept: &[bool]| {
        calibration.as_ref().map(|c| {
            let raw = plan::allocate(&prompt, &c.raw, kept, &budget).input_tokens;
            c.rule.estimate(raw, c.kind).1
        })
    };
    let mut before = plan::allocate(&prompt, &counts, &all_kept, &budget);
    let before_range = range_of(&all_kept);
    let before_high = high_end_warning(&mut before, before_range.as_ref());

    let mut err = std::io::stderr().lock();
    if let Some(why) = &resolved.approximate
        && !args.json
    {
        writeln!(err, "{} {}", env.err.yellow("warning:"), Shown(why))?;
    }
    if !args.json {
        for n in &counts.notes {
            writeln!(err, "{} {}", env.err.dim("note:"), Shown(n))?;
        }
        for w in &counts.warnings {
            writeln!(err, "{} {}", env.err.yellow("warning:"), Shown(w))?;
        }
    }

    let ctx = Ctx {
        args: &args,
        env,
        model: &model_name,
        resolved_encoding: resolved.encoding,
        tokenizer_file: resolved.file.as_ref().map(|t| t.name()),
        approximation: resolved.approximate.as_deref(),
        max_output,
        reserve_source,
        counts: &counts,
        prompt: &prompt,
    };

    if !args.fit {
        let mut warnings = warnings(&before, &counts);
        warnings.extend(before_high);
        if let Some(w) = window_warning(&before)
            && !args.json
        {
            writeln!(err, "{} {}", env.err.yellow("warning:"), Shown(w))?;
        }
        drop(err);
        ctx.render(out, &before, before_range.as_ref(), &warnings, None)?;
        return Ok(if before.fits {
            ExitStatus::Success
        } else {
            ExitStatus::LimitHit
        });
    }

    let opts = FitOptions {
        history: policy.unwrap_or(HistoryPolicy::Auto),
        keep_last: args.keep_last.unwrap_or(0),
    };
    let fitted = match plan::fit(&prompt, &counts, &budget, opts) {
        Ok(f) => f,
        Err(cannot) => {
            writeln!(
                err,
                "{} {}",
                env.err.red("does not fit:"),
                Shown(&cannot.to_string())
            )?;
            drop(err);
            if args.out.is_some() {
                // stdout is the report's: show the allocation that could not be fitted.
                let fit = FitReport {
                    history: opts.history,
                    keep_last: opts.keep_last,
                    input_tokens_before: before.input_tokens,
                    total_before: before.total,
                    dropped: DroppedList {
                        prompt: &prompt,
                        counts: &counts,
                        dropped: &[],
                    },
                    out: None,
                    error: Some(cannot.reason.clone()),
                };
                let mut w = warnings(&before, &counts);
                w.extend(before_high);
                ctx.render(out, &before, before_range.as_ref(), &w, Some(fit))?;
            }
            return Ok(ExitStatus::LimitHit);
        }
    };
    let after_counts =
        plan::recount_kept(&prompt, tok, &counts, &fitted.kept).map_err(|e| anyhow!("{e}"))?;
    let mut after = plan::allocate(&prompt, &after_counts, &fitted.kept, &budget);
    let after_range = range_of(&fitted.kept);
    let after_high = high_end_warning(&mut after, after_range.as_ref());
    // Numbers and every kept value exactly as read, when there is a request text to copy from.
    let mut text = match request_text.and_then(|t| plan::fitted_text(t, &prompt, &fitted.kept)) {
        Some(t) => t,
        None => serde_json::to_string_pretty(&plan::fitted_json(&prompt, &fitted.kept))
            .context("serialising JSON")?,
    };
    text.push('\n');

    report_dropped(&mut err, env, &prompt, &counts, &fitted, &before, &after)?;
    let mut warnings = warnings(&after, &counts);
    warnings.extend(after_high);
    if let Some(w) = window_warning(&after)
        && !args.json
    {
        writeln!(err, "{} {}", env.err.yellow("warning:"), Shown(w))?;
    }
    match &args.out {
        Some(path) => {
            crate::fsutil::write_atomic(path, text.as_bytes(), &inputs)?;
            drop(err);
            let fit = FitReport {
                history: opts.history,
                keep_last: opts.keep_last,
                input_tokens_before: before.input_tokens,
                total_before: before.total,
                dropped: DroppedList {
                    prompt: &prompt,
                    counts: &counts,
                    dropped: &fitted.dropped,
                },
                out: Some(path.display().to_string()),
                error: None,
            };
            ctx.render(out, &after, after_range.as_ref(), &warnings, Some(fit))?;
        }
        None => {
            drop(err);
            out.write_all(text.as_bytes()).context("writing stdout")?;
        }
    }
    Ok(if after.fits {
        ExitStatus::Success
    } else {
        ExitStatus::LimitHit
    })
}

/// The calibration of a Claude/Gemini estimate, and the exact o200k_base counts it scales.
struct Calibration {
    rule: &'static crate::estimate::Rule,
    kind: crate::estimate::ContentKind,
    raw: plan::Counts,
}

/// The text of every message of `prompt`, for classifying a prompt made of parts (a request
/// file is classified by its text, as `count` does).
fn prompt_contents(prompt: &Prompt) -> String {
    let mut s = String::new();
    for i in 0..prompt.items.len() {
        let Ok(message) = prompt.message(i) else {
            continue;
        };
        match message.get("content") {
            Some(Value::String(t)) => s.push_str(t),
            Some(Value::Null) | None => {}
            Some(v) => s.push_str(&v.to_string()),
        }
        s.push('\n');
    }
    s
}

/// An estimate fits only when the high end of its range does: when the high end plus the
/// reserved output is over the window, the allocation does not fit, and the warning says so.
fn high_end_warning(a: &mut Allocation, range: Option<&EstimateRange>) -> Option<String> {
    let r = range?;
    let high = r.high.saturating_add(a.reserve_output);
    if high <= a.context_window || !a.fits {
        return None;
    }
    a.fits = false;
    a.over_by = Some(high - a.context_window);
    Some(format!(
        "the estimate's high end ({} input + {} reserved output) is over the {}-token window by \
         {}: the real count might not fit",
        thousands(r.high),
        thousands(a.reserve_output),
        thousands(a.context_window),
        thousands(high - a.context_window)
    ))
}

/// Read the inputs into a [`Prompt`].
/// A request of any shape (see [`crate::request`]), read from its text (kept in `holder`: the
/// prompt points into it); other JSON is refused naming the shapes. With `--request`, its text
/// comes back too: `--fit` copies what it keeps from it.
fn load_prompt<'t>(
    args: &PlanArgs,
    history: Option<&Path>,
    env: &Env,
    holder: &'t mut Option<String>,
) -> Result<(Prompt<'t>, Option<&'t str>)> {
    if let Some(req) = &args.request {
        let (label, text) = read(req)?;
        let text: &'t str = holder.insert(text);
        let base = base_dir(req);
        let prompt = match crate::request::read(text, &base) {
            Ok(Read::Request(_, prompt)) => prompt,
            Ok(Read::NotRequest) => bail!(
                "{label}: not a request: expected {}",
                crate::request::ACCEPTED
            ),
            Err(e) => bail!("{label}: {e}"),
        };
        return Ok((prompt, Some(text)));
    }
    let mut parts = Parts::default();
    if let Some(p) = &args.system {
        parts.system = Some(read_path(p)?);
    }
    if let Some(p) = &args.examples {
        let (label, text) = read_path(p)?;
        let strict = p.extension().is_some_and(|e| e == "json");
        let messages = match parse_json(&text) {
            Ok(v) => messages_of(&v),
            Err(e) if strict => bail!("{label}: {e}"),
            Err(_) => None,
        };
        let examples = match messages {
            Some(m) => Examples::Messages(m),
            None if strict => {
                bail!("{label}: expected a messages array or an object with \"messages\"")
            }
            None => Examples::Text(text),
        };
        parts.examples = Some((label, examples));
    }
    for p in &args.rag {
        parts.rag.push(read_path(p)?);
    }
    if let Some(p) = history {
        let (label, text) = read_path(p)?;
        let value = parse_json(&text).map_err(|e| anyhow!("{label}: {e}"))?;
        let messages = messages_of(&value).ok_or_else(|| {
            anyhow!("{label}: expected a messages array or an object with \"messages\"")
        })?;
        parts.history = Some((label, messages));
    }
    if let Some(p) = &args.tools {
        let (label, text) = read_path(p)?;
        let value = parse_json(&text).map_err(|e| anyhow!("{label}: {e}"))?;
        parts.tools = plan::extract_tools(&value).ok_or_else(|| {
            anyhow!("{label}: expected an array of tool definitions or an object with \"tools\"")
        })?;
    }
    match &args.user {
        Some(u) => parts.user = Some(read(u)?),
        // Piped stdin is the optional user message; closed stdin (cron, CI) is just none.
        None if !env.stdin_is_terminal && !input::stdin_is_closed() => {
            let (label, text) = read(Path::new("-"))?;
            let alone = parts.system.is_none()
                && parts.examples.is_none()
                && parts.rag.is_empty()
                && parts.history.is_none()
                && parts.tools.is_empty();
            // JSON piped in with no other part is a request, not the user's message.
            // (Read twice when it is one: once to tell, once from where the text is kept.)
            let request = alone
                && crate::count::looks_like_json(&text)
                && match crate::request::read(&text, Path::new(".")) {
                    Ok(Read::Request(..)) => true,
                    Err(ReadError::Request(e)) => bail!("{label}: {e}"),
                    Ok(Read::NotRequest) | Err(ReadError::Json(_)) => false,
                };
            if request {
                let text: &'t str = holder.insert(text);
                return match crate::request::read(text, Path::new(".")) {
                    Ok(Read::Request(_, prompt)) => Ok((prompt, Some(text))),
                    Ok(Read::NotRequest) => bail!("{label}: not a request"),
                    Err(e) => bail!("{label}: {e}"),
                };
            }
            if !text.is_empty() {
                parts.user = Some((label, text));
            }
        }
        None => {}
    }
    let nothing = parts.system.is_none()
        && parts.examples.is_none()
        && parts.rag.is_empty()
        && parts.history.is_none()
        && parts.user.is_none()
        && parts.tools.is_empty();
    if nothing {
        bail!(
            "no input: give --request FILE, or the parts (--system, --examples, --rag, \
             --history, --user or piped stdin, --tools)"
        );
    }
    let prompt = Prompt::from_parts(parts, Path::new(".")).map_err(|e| anyhow!("{e}"))?;
    Ok((prompt, None))
}

/// The messages of a messages-JSON value: an array (possibly empty), or a request body.
fn messages_of(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(a) => Some(a.clone()),
        other => crate::tokenize::chat::extract_messages(other),
    }
}

fn base_dir(path: &Path) -> PathBuf {
    if path.as_os_str() == "-" {
        return PathBuf::from(".");
    }
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn read_path(path: &Path) -> Result<(String, String)> {
    read(path)
}

/// Read a file (or `-`, stdin) as UTF-8: (label, text). The name need not be UTF-8.
fn read(path: &Path) -> Result<(String, String)> {
    let source = if path.as_os_str() == "-" {
        Source::Stdin
    } else {
        Source::File {
            path: path.to_path_buf(),
            walked: false,
        }
    };
    match input::load(&source)? {
        Loaded::Text(t) => Ok((source.label(), t)),
        Loaded::Binary(why) => Err(anyhow!("{}: {why}", source.label())),
    }
}

/// The warning for a request using more than 90% of the window.
fn window_warning(a: &Allocation) -> Option<String> {
    if a.over_by.is_none() && a.window_share > plan::WARN_SHARE {
        Some(format!(
            "the request uses {} of the context window (input {} + reserved output {}): only {} \
             tokens of headroom",
            percent(a.total, a.context_window),
            thousands(a.input_tokens),
            thousands(a.reserve_output),
            thousands(a.headroom.max(0) as u64)
        ))
    } else {
        None
    }
}

/// Every warning of a run: images not counted, then the window warning.
fn warnings(a: &Allocation, counts: &Counts) -> Vec<String> {
    let mut w = counts.warnings.clone();
    w.extend(window_warning(a));
    w
}

/// What --fit dropped, on stderr.
fn report_dropped(
    err: &mut dyn Write,
    env: &Env,
    prompt: &Prompt,
    counts: &Counts,
    fitted: &Fitted,
    before: &Allocation,
    after: &Allocation,
) -> Result<()> {
    if fitted.dropped.is_empty() {
        writeln!(
            err,
            "nothing dropped: {} input tokens + {} reserved output fit the {}-token window",
            thousands(after.input_tokens),
            thousands(after.reserve_output),
            thousands(after.context_window)
        )?;
        return Ok(());
    }
    for part in [Part::History, Part::Rag] {
        let of_part = || {
            fitted
                .dropped
                .iter()
                .map(|d| d.row(prompt, counts))
                .filter(|d| d.part == part)
        };
        let (n, tokens) = of_part().fold((0, 0), |(n, t), d| (n + 1, t + d.tokens));
        if n == 0 {
            continue;
        }
        let what = match (part, n) {
            (Part::History, 1) => "history message".to_string(),
            (Part::History, _) => "history messages".to_string(),
            (_, 1) => "retrieved chunk".to_string(),
            (_, _) => "retrieved chunks".to_string(),
        };
        writeln!(err, "dropped {n} {what} ({} tokens):", thousands(tokens))?;
        for x in of_part().take(report::LISTED) {
            let reason = match x.reason {
                plan::DropReason::HistoryLimit => "--history limit",
                plan::DropReason::Cap => "over its cap",
                plan::DropReason::Window => "over the window",
                plan::DropReason::LeadingAssistant => "Anthropic requests start with a user turn",
            };
            writeln!(
                err,
                "  {} {} {} tokens ({reason})",
                Shown(&x.label),
                Shown(x.role),
                thousands(x.tokens)
            )?;
        }
        if n > report::LISTED {
            writeln!(
                err,
                "  {} (--json --out lists them)",
                report::and_more(n - report::LISTED)
            )?;
        }
    }
    writeln!(
        err,
        "{} input {} → {} tokens; with {} reserved output: {} of {} ({} headroom)",
        env.err.green("fitted:"),
        thousands(before.input_tokens),
        thousands(after.input_tokens),
        thousands(after.reserve_output),
        thousands(after.total),
        thousands(after.context_window),
        thousands(after.headroom.max(0) as u64)
    )?;
    Ok(())
}

/// The bar's key: the letters of the parts present, then output, free room or the window end.
fn legend(a: &Allocation) -> String {
    let mut keys: Vec<&str> = a
        .parts
        .iter()
        .filter_map(|r| match r.part {
            Part::System => Some("S system"),
            Part::Examples => Some("E examples"),
            Part::Tools => Some("T tools"),
            Part::Rag => Some("R rag"),
            Part::History => Some("H history"),
            Part::User => Some("U user"),
            Part::Overhead => None,
        })
        .collect();
    keys.push("O reserved output");
    keys.push(if a.over_by.is_some() {
        "| end of the window"
    } else {
        "· free"
    });
    keys.join("  ")
}

struct Ctx<'a> {
    args: &'a PlanArgs,
    env: &'a Env,
    model: &'a str,
    resolved_encoding: Encoding,
    /// The `--tokenizer` file's label, when counting with one.
    tokenizer_file: Option<String>,
    approximation: Option<&'a str>,
    max_output: Option<u64>,
    reserve_source: &'static str,
    counts: &'a Counts,
    prompt: &'a Prompt<'a>,
}

impl Ctx<'_> {
    fn render(
        &self,
        out: &mut dyn Write,
        a: &Allocation,
        range: Option<&EstimateRange>,
        warnings: &[String],
        fit: Option<FitReport>,
    ) -> Result<()> {
        if self.args.json {
            let report = PlanReport {
                estimate: range,
                model: self.model,
                encoding: self
                    .tokenizer_file
                    .is_none()
                    .then_some(self.resolved_encoding),
                tokenizer: self.tokenizer_file.as_deref(),
                approximate: self.approximation.is_some(),
                approximation: self.approximation,
                basis: self.approximation.map(|_| self.resolved_encoding.name()),
                source: self.prompt.shape,
                max_output: self.max_output,
                reserve_source: self.reserve_source,
                allocation: a,
                notes: &self.counts.notes,
                warnings,
                fit,
            };
            report::write_json(out, &report)?;
            return Ok(());
        }
        self.render_human(out, a, range, fit.is_some())
    }

    fn render_human(
        &self,
        out: &mut dyn Write,
        a: &Allocation,
        range: Option<&EstimateRange>,
        fitted: bool,
    ) -> Result<()> {
        let s = &self.env.out;
        let all_approx = self.approximation.is_some();
        let mut t = report::table(&["part", "tokens", "window", "cap", "status"]);
        for r in &a.parts {
            let mark = if all_approx || r.approximate { "~" } else { "" };
            let label = match r.part {
                Part::Rag => format!("rag ({} chunks)", r.items),
                Part::History => format!("history ({} messages)", r.items),
                Part::Tools => format!("tools ({})", r.items),
                p => p.name().to_string(),
            };
            let spec = self.args.cap.iter().rev().find(|c| c.part == r.part);
            let cap = match (r.cap, spec.map(|c| c.value)) {
                (Some(c), Some(plan::CapValue::Percent(p))) => format!("{} ({p}%)", thousands(c)),
                (Some(c), _) => thousands(c),
                (None, _) => String::new(),
            };
            let status = if let Some(over) = r.over_cap_by {
                s.red(&format!("over cap by {}", thousands(over)))
            } else if r.dropped > 0 {
                s.yellow(&format!("dropped {}", r.dropped))
            } else if r.part == Part::Overhead {
                s.dim("reply priming")
            } else if fitted && r.part.droppable() {
                s.green("kept all")
            } else {
                s.green("ok")
            };
            t.add_row(vec![
                Cell::new(label),
                Cell::new(format!("{mark}{}", thousands(r.tokens))),
                Cell::new(percent(r.tokens, a.context_window)),
                Cell::new(cap),
                Cell::new(status),
            ]);
        }
        let approx_input = all_approx || a.parts.iter().any(|r| r.approximate);
        let mark = if approx_input { "~" } else { "" };
        t.add_row(vec![
            Cell::new("reserved output"),
            Cell::new(thousands(a.reserve_output)),
            Cell::new(percent(a.reserve_output, a.context_window)),
            Cell::new(""),
            Cell::new(s.dim(self.reserve_source)),
        ]);
        t.add_row(vec![
            Cell::new(s.bold("total")),
            Cell::new(s.bold(&match range {
                // the range of the total: the input's plus the reserved output
                Some(r) => crate::estimate::display(a.total, &r.plus(a.reserve_output)),
                None => format!("{mark}{}", thousands(a.total)),
            })),
            Cell::new(percent(a.total, a.context_window)),
            Cell::new(thousands(a.context_window)),
            Cell::new(match a.over_by {
                Some(d) => s.red(&format!("over by {}", thousands(d))),
                None if a.fits => s.green("fits"),
                None => s.yellow("within window"),
            }),
        ]);
        let headroom = if a.headroom < 0 {
            format!("-{}", thousands(a.headroom.unsigned_abs()))
        } else {
            thousands(a.headroom as u64)
        };
        t.add_row(vec![
            Cell::new("headroom"),
            Cell::new(format!("{mark}{headroom}")),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
        ]);
        report::align_right(&mut t, &[1, 2, 3]);
        crate::report::write_table(out, &t)?;
        writeln!(out)?;
        writeln!(out, "{}", self.bar(a))?;
        writeln!(out, "{}", s.dim(&legend(a)))?;
        writeln!(out)?;
        let verdict = match a.over_by {
            Some(d) if a.total <= a.context_window => s.red(&format!(
                "over by {} at the estimate's high end: ~{} tokens ({} input + {} reserved \
                 output) in a {}-token window, but the real count might be up to {}",
                thousands(d),
                thousands(a.total),
                thousands(a.input_tokens),
                thousands(a.reserve_output),
                thousands(a.context_window),
                thousands(a.context_window + d)
            )),
            Some(d) => s.red(&format!(
                "over by {}: {} tokens ({} input + {} reserved output) in a {}-token window",
                thousands(d),
                thousands(a.total),
                thousands(a.input_tokens),
                thousands(a.reserve_output),
                thousands(a.context_window)
            )),
            None if !a.fits => {
                let names: Vec<String> = a
                    .over_caps()
                    .map(|r| {
                        format!(
                            "{} over by {}",
                            r.part,
                            thousands(r.over_cap_by.unwrap_or(0))
                        )
                    })
                    .collect();
                s.red(&format!(
                    "fits the window ({} headroom) but over its caps: {}",
                    thousands(a.headroom.max(0) as u64),
                    names.join(", ")
                ))
            }
            None => s.green(&format!(
                "fits: {} of {} tokens, {} headroom",
                thousands(a.total),
                thousands(a.context_window),
                thousands(a.headroom.max(0) as u64)
            )),
        };
        writeln!(out, "{verdict}")?;
        let mut footer = match &self.tokenizer_file {
            Some(f) => format!("{}, {}", self.model, Shown(f)),
            None => format!("{}, {}", self.model, self.resolved_encoding),
        };
        footer.push_str(&format!(", context window {}", thousands(a.context_window)));
        if let Some(m) = self.max_output {
            footer.push_str(&format!(", max output {}", thousands(m)));
        }
        if approx_input {
            footer.push_str("; ~ approximate");
        }
        if let Some(why) = self.approximation {
            footer.push_str(&format!(": {why}"));
        }
        writeln!(out, "{}", s.dim(&escape(&footer)))?;
        Ok(())
    }

    /// One line: a letter per part, each cell 1/64 of the window (at least one cell for a
    /// non-empty part); `|` marks the end of the window when the request overflows it. Past
    /// the edge at most one more window's worth of cells is drawn, then `…` (a request a
    /// million times its window must not draw a million-window line).
    fn bar(&self, a: &Allocation) -> String {
        const WIDTH: u64 = 64;
        let s = &self.env.out;
        let w = a.context_window.max(1);
        let cells = |t: u64| -> u64 {
            if t == 0 {
                0
            } else {
                // bounded first: every part fits in 2 × WIDTH + 1 cells of the drawing
                let c = (u128::from(t) * u128::from(WIDTH) + u128::from(w / 2)) / u128::from(w);
                c.clamp(1, u128::from(2 * WIDTH + 1)) as u64
            }
        };
        let mut seq: Vec<char> = Vec::new();
        for r in &a.parts {
            let c = match r.part {
                Part::System => 'S',
                Part::Examples => 'E',
                Part::Tools => 'T',
                Part::Rag => 'R',
                Part::History => 'H',
                Part::User => 'U',
                Part::Overhead => continue,
            };
            seq.extend(std::iter::repeat_n(c, cells(r.tokens) as usize));
        }
        seq.extend(std::iter::repeat_n('O', cells(a.reserve_output) as usize));
        let width = WIDTH as usize;
        if seq.len() <= width && a.over_by.is_none() {
            let used: String = seq.iter().collect();
            let free: String = std::iter::repeat_n('·', width - seq.len()).collect();
            format!("[{used}{}]", s.dim(&free))
        } else {
            let cut = width.min(seq.len());
            let inside: String = seq[..cut].iter().collect();
            let mut outside: String = seq[cut..].iter().take(width).collect();
            if seq.len() > cut + width {
                outside.push('…');
            }
            let outside = if outside.is_empty() {
                // Rounding hid the overflow: show at least one cell past the edge.
                "!".to_string()
            } else {
                outside
            };
            format!("[{inside}|{}", s.red(&outside))
        }
    }
}
