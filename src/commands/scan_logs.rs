//! `tokenbudget scan-logs`: totals, costs, outliers, spikes, bursts and loops in usage logs.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use comfy_table::Cell;

use crate::commands::Shared;
use crate::exit::ExitStatus;
use crate::fsutil::InputFile;
use crate::logs::{
    self, BucketRow, FieldOverrides, GroupBy, Input, LoopRule, Rate, ScanOptions, ScanReport, Tz,
};
use crate::numfmt::counted;
use crate::pricing::Money;
use crate::report::escape::{Shown, escape};
use crate::report::{self, Env, thousands};

/// Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tokenbudget scan-logs usage.jsonl                  summary, tokens per day, alerts
  tokenbudget scan-logs logs/ --by user --top 20     directories are walked for *.jsonl*
  tokenbudget scan-logs ~/.claude/projects --by project,model
  zcat old.jsonl.gz | tokenbudget scan-logs -        stdin (.gz and .zst are also read directly)
  tokenbudget scan-logs app.jsonl --by feature,week --since 2026-03-01 --tz Europe/Berlin
  tokenbudget scan-logs litellm-spend.jsonl --audit  logged costs against the catalog
  tokenbudget scan-logs ~/.claude/projects --blocks  5-hour blocks (Claude's usage windows)
  tokenbudget scan-logs app.jsonl --field user=metadata.customer --field time=ts
  tokenbudget scan-logs app.jsonl --burst 100/1m --burst-tokens 2M/1h --max-tokens 50000
  tokenbudget scan-logs logs/ --fail-on alerts --json > report.json   for cron and CI
  tokenbudget scan-logs 2026-03-*.jsonl --by user --emit-summary part1.json   (see merge)

Formats are recognised per line: app logs, OpenAI Chat Completions, Responses and Batch
output, Anthropic Messages and Message Batches results, Gemini, AWS Bedrock (Converse and
invocation logs), Cohere, OpenRouter, Mistral, LiteLLM spend logs and Claude Code transcripts.
Prompt and response text is never printed.

Exit codes: 0 ok; 1 with --fail-on alerts when an outlier, spike, burst or loop was found;
2 usage error, a named input that cannot be read, or (with --strict) any skipped line or file.")]
pub struct ScanLogsArgs {
    /// Log files (.jsonl, .gz, .zst), directories (walked for *.jsonl*), or `-` for stdin.
    /// With none, piped stdin is read.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Group by user, feature, model, day, week, month, hour, session, project, format, or any other field
    /// (a dotted path); comma-separated or repeated to combine.
    #[arg(long, value_name = "FIELD", value_delimiter = ',', value_parser = parse_by)]
    pub by: Vec<GroupBy>,

    /// Rows of each table and list [default: 10]. With --json, every group is listed unless
    /// --top is given.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Only records at or after this time (2026-03-01, 2026-03-01T12:00, or RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only records before this time (exclusive; must be after --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Time zone for days, hours and printed times: UTC, a fixed offset such as +02:00, or an
    /// IANA zone such as Europe/Berlin (daylight saving time included).
    #[arg(long, value_name = "TZ", default_value = "UTC", value_parser = parse_tz)]
    pub tz: Tz,

    /// Read a field from another place: NAME=PATH, with NAME one of user, feature, model, time,
    /// session, project, id, input, output, cached, cost and PATH a dotted path
    /// (metadata.customer). Repeatable.
    #[arg(long, value_name = "NAME=PATH")]
    pub field: Vec<String>,

    /// Outlier: a request whose prompt is above this share of its model's context window
    /// (0.9 or 90%).
    #[arg(long, value_name = "SHARE", default_value = "90%", value_parser = parse_share)]
    pub window_share: f64,

    /// Outlier: a request of more than N tokens (prompt + output).
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u64>,

    /// Spike: a day with more than FACTOR × the trailing average of tokens per day.
    #[arg(long, value_name = "FACTOR", default_value_t = 2.0)]
    pub spike_factor: f64,

    /// Days in the trailing average for spikes.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub spike_days: u32,

    /// Burst: a user with at least N requests in any sliding window (N/DURATION), or `off`.
    #[arg(long, value_name = "RATE", default_value = "500/10m", value_parser = parse_rate)]
    pub burst: Rate2,

    /// Burst: a user with at least N tokens in any sliding window (e.g. 1M/1h).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub burst_tokens: Option<Rate2>,

    /// Loop: at least N near-identical requests from one user back to back.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub loop_min: usize,

    /// Loop: at most this long between consecutive requests (30s, 2m, or seconds).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_dur)]
    pub loop_gap: u32,

    /// Loop: prompt sizes within this share of the run's first request (2% or 0.02).
    #[arg(long, value_name = "SHARE", default_value = "2%", value_parser = parse_share)]
    pub loop_tolerance: f64,

    /// Exit 1 when any outlier, spike, burst or loop was found.
    #[arg(long, value_name = "WHAT", value_enum)]
    pub fail_on: Option<FailOn>,

    /// Exit 2 when any line or file was skipped.
    #[arg(long)]
    pub strict: bool,

    /// Compare the cost records log themselves (cost_usd, costUSD, response_cost, spend,
    /// usage.cost) with the catalog's price of their tokens, per model; list those more than 1%
    /// apart. (The JSON always holds the comparison, as "audit".)
    #[arg(long)]
    pub audit: bool,

    /// Also sum requests into 5-hour blocks (Claude's usage windows, as ccusage counts them):
    /// a block starts at the hour (UTC) of its first request and lasts 5 hours.
    #[arg(long)]
    pub blocks: bool,

    /// Print only JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Also write a partial summary of this scan to FILE (`-`: to stdout, instead of the
    /// report), for `tokenbudget merge` to combine with other parts.
    #[arg(long, value_name = "FILE")]
    pub emit_summary: Option<String>,
}

/// A rate, or none (`off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate2(pub Option<Rate>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any outlier, spike, burst or loop.
    Alerts,
}

/// An argument value parser. The `arg_value` fuzz target (fuzz/fuzz_targets/arg_value.rs) calls
/// `parse_by`, `parse_tz`, `parse_rate`, `parse_dur` and `parse_share` by these names: keep them
/// (or update the target) when the time handling moves to a library.
pub fn parse_by(s: &str) -> Result<GroupBy, String> {
    GroupBy::parse(s)
}

/// `--tz` (see [`parse_by`] on the fuzz target).
pub fn parse_tz(s: &str) -> Result<Tz, String> {
    Tz::parse(s)
}

/// `--burst`, `--burst-tokens`: N/DURATION or `off` (see [`parse_by`] on the fuzz target).
pub fn parse_rate(s: &str) -> Result<Rate2, String> {
    if matches!(s.trim(), "off" | "none" | "0") {
        return Ok(Rate2(None));
    }
    Rate::parse(s).map(|r| Rate2(Some(r)))
}

/// `--loop-gap` (see [`parse_by`] on the fuzz target).
pub fn parse_dur(s: &str) -> Result<u32, String> {
    logs::detect::parse_duration(s)
        .ok_or_else(|| format!("invalid duration '{s}' (expected 30s, 2m, 1h or seconds)"))
}

/// `--window-share`, `--loop-tolerance` (see [`parse_by`] on the fuzz target).
pub fn parse_share(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("invalid share '{s}' (expected 0.9 or 90%)"))?;
    if !(0.0..=100.0).contains(&v) || !v.is_finite() {
        return Err(format!("invalid share '{s}'"));
    }
    Ok(v)
}

/// The scan options of `args`, and the same as `scan-logs` arguments (paths, output and exit
/// flags left out): what a partial summary records, so `merge` rebuilds the same options.
/// Rows of each human table and list when `--top` is not given.
pub const DEFAULT_TOP: usize = 10;

pub fn scan_options(args: &ScanLogsArgs) -> Result<(ScanOptions, Vec<String>)> {
    let mut argv: Vec<String> = Vec::new();
    let mut push = |flag: &str, v: String| {
        argv.push(format!("--{flag}"));
        argv.push(v);
    };
    if !args.by.is_empty() {
        let names: Vec<&str> = args.by.iter().map(GroupBy::name).collect();
        push("by", names.join(","));
    }
    if let Some(t) = args.top {
        push("top", t.to_string());
    }
    if let Some(s) = &args.since {
        push("since", s.clone());
    }
    if let Some(s) = &args.until {
        push("until", s.clone());
    }
    push("tz", args.tz.to_string());
    for f in &args.field {
        push("field", f.clone());
    }
    push("window-share", args.window_share.to_string());
    if let Some(m) = args.max_tokens {
        push("max-tokens", m.to_string());
    }
    push("spike-factor", args.spike_factor.to_string());
    push("spike-days", args.spike_days.to_string());
    let rate = |r: &Rate2| r.0.map_or_else(|| "off".to_string(), |r| r.label());
    push("burst", rate(&args.burst));
    if let Some(r) = &args.burst_tokens {
        push("burst-tokens", rate(r));
    }
    push("loop-min", args.loop_min.to_string());
    push("loop-gap", args.loop_gap.to_string());
    push("loop-tolerance", args.loop_tolerance.to_string());
    if args.blocks {
        argv.push("--blocks".into());
    }
    Ok((options(args)?, argv))
}

fn options(args: &ScanLogsArgs) -> Result<ScanOptions> {
    let mut fields = FieldOverrides::default();
    for f in &args.field {
        let Some((name, path)) = f.split_once('=') else {
            bail!("invalid --field '{f}' (expected NAME=PATH, e.g. user=metadata.customer)");
        };
        fields
            .set(name.trim(), path.trim())
            .map_err(anyhow::Error::msg)?;
    }
    let since = args
        .since
        .as_deref()
        .map(|s| args.tz.parse_bound(s))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let until = args
        .until
        .as_deref()
        .map(|s| args.tz.parse_bound(s))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if let (Some(s), Some(u)) = (since, until)
        && s >= u
    {
        // --until is exclusive: an equal or earlier end selects nothing
        bail!(
            "--since {} is not before --until {}: the range is empty (--until is exclusive)",
            args.since.as_deref().unwrap_or_default(),
            args.until.as_deref().unwrap_or_default()
        );
    }
    if !args.spike_factor.is_finite() || args.spike_factor <= 0.0 {
        bail!("--spike-factor must be a positive number");
    }
    Ok(ScanOptions {
        by: args.by.clone(),
        tz: args.tz.clone(),
        since,
        until,
        fields,
        window_share: args.window_share,
        max_tokens: args.max_tokens,
        top: args.top.unwrap_or(DEFAULT_TOP),
        all_groups: args.json && args.top.is_none(),
        spike_factor: args.spike_factor,
        spike_days: args.spike_days.max(1),
        burst: args.burst.0,
        burst_tokens: args.burst_tokens.and_then(|r| r.0),
        loops: LoopRule {
            min_requests: args.loop_min.max(2),
            max_gap: args.loop_gap,
            tolerance: args.loop_tolerance,
        },
        threads: args.threads.unwrap_or(0),
        // a hidden knob so tests can exercise the line cap with small files
        max_line_bytes: std::env::var("TOKENBUDGET_SCAN_MAX_LINE_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(logs::options::DEFAULT_MAX_LINE_BYTES),
        blocks: args.blocks,
        ..ScanOptions::default()
    })
}

pub fn run(
    args: ScanLogsArgs,
    env: &Env,
    shared: &Shared<'static>,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let (opts, option_args) = scan_options(&args)?;
    let mut inputs = Vec::new();
    let mut missing = Vec::new();
    if args.paths.is_empty() {
        if env.stdin_is_terminal {
            bail!("no input: give a log file, a directory, or `-` for stdin");
        }
        if crate::input::stdin_is_closed() {
            bail!(
                "no input: stdin is closed (or /dev/null) and no path was given; give a log \
                 file or a directory"
            );
        }
        inputs.push(Input::Stdin);
    }
    let mut stdin_used = false;
    for p in &args.paths {
        if p.as_os_str() == "-" {
            if stdin_used {
                bail!("`-` (stdin) given more than once");
            }
            stdin_used = true;
            if crate::input::stdin_is_closed() {
                bail!(crate::input::STDIN_CLOSED);
            }
            inputs.push(Input::Stdin);
        } else if std::fs::metadata(p).is_err() {
            missing.push(p.clone());
        } else {
            inputs.push(Input::Path(p.clone()));
        }
    }
    // A summary file is an output like `--out`: refused when it is one of the inputs, before
    // the scan (the files found in directories are checked again before the write).
    let summary_path = args
        .emit_summary
        .as_deref()
        .filter(|p| *p != "-")
        .map(std::path::Path::new);
    if let Some(path) = summary_path {
        let named: Vec<InputFile> = inputs.iter().filter_map(input_file).collect();
        crate::fsutil::check_output(path, &named)?;
    }
    let bar = progress_bar(&inputs, env, args.json);
    let progress = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let raw = logs::scan_raw(&inputs, &opts, shared.catalog, &progress);
    // the files read (those found in directories too), for the summary's output check
    let raw_files: Vec<std::path::PathBuf> = if summary_path.is_some() {
        raw.files.iter().filter_map(|f| f.path.clone()).collect()
    } else {
        Vec::new()
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let missing_problems: Vec<logs::FileProblem> = missing
        .iter()
        .map(|m| logs::FileProblem {
            path: crate::fsutil::path_label(m),
            reason: match std::fs::metadata(m) {
                Err(e) => format!("cannot read: {e}"),
                Ok(_) => "cannot read".into(),
            },
        })
        .collect();
    let summary = args
        .emit_summary
        .as_ref()
        .map(|_| logs::summary::Summary::of(&raw, option_args, missing_problems.clone()));
    let mut report = raw.finish(&opts);
    for p in missing_problems.into_iter().rev() {
        report.files_skipped.insert(0, p);
    }
    let summary_to_stdout = args.emit_summary.as_deref() == Some("-");
    if let (Some(path), Some(summary)) = (&args.emit_summary, &summary) {
        let mut text = serde_json::to_vec(summary).context("serialising the summary")?;
        text.push(b'\n');
        if summary_to_stdout {
            out.write_all(&text).context("writing stdout")?;
        } else {
            let mut scanned: Vec<InputFile> = inputs.iter().filter_map(input_file).collect();
            scanned.extend(
                raw_files
                    .iter()
                    .filter_map(|p| InputFile::named(p.as_path())),
            );
            crate::fsutil::write_atomic(std::path::Path::new(path), &text, &scanned)?;
        }
    }
    if !summary_to_stdout {
        show(&report, &args, env, out)?;
    }
    for m in &missing {
        eprintln!(
            "{} cannot read {}",
            env.err.red("error:"),
            Shown(crate::fsutil::path_label(m))
        );
    }
    for w in &report.warnings {
        eprintln!("{} {w}", env.err.yellow("warning:"));
    }
    Ok(status_of(&report, &args, !missing.is_empty()))
}

/// The report as JSON (`--json`) or tables.
pub fn show(
    report: &ScanReport,
    args: &ScanLogsArgs,
    env: &Env,
    out: &mut dyn Write,
) -> Result<()> {
    if args.json {
        report::write_json(out, report)?;
    } else {
        render(report, args, env, out)?;
    }
    Ok(())
}

/// The exit status of a scan: 1 for alerts with `--fail-on alerts`; 2 when a named input was
/// missing, or with `--strict` when anything was skipped.
pub fn status_of(report: &ScanReport, args: &ScanLogsArgs, missing: bool) -> ExitStatus {
    let mut status = ExitStatus::Success;
    // nothing read at all is an input error (a cron job must not pass while reading nothing);
    // records that were all outside --since/--until are only a warning
    if report.records == 0 && report.filtered == 0 {
        status = ExitStatus::InputError;
    }
    if args.fail_on.is_some() && report.alerts > 0 {
        status = ExitStatus::LimitHit;
    }
    if missing || args.strict && (report.skipped.count > 0 || !report.files_skipped.is_empty()) {
        status = status.max(ExitStatus::InputError);
    }
    status
}

fn progress_bar(inputs: &[Input], env: &Env, json: bool) -> Option<indicatif::ProgressBar> {
    const LARGE: u64 = 64 << 20;
    if !env.progress || json {
        return None;
    }
    let bytes = logs::input_size(inputs);
    if bytes < LARGE {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(bytes),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} scanning {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// `1234567` → `1.2M`, `45300` → `45.3K`.
fn compact(n: u64) -> String {
    let f = n as f64;
    if n >= 1_000_000_000 {
        format!("{:.1}B", f / 1e9)
    } else if n >= 1_000_000 {
        format!("{:.1}M", f / 1e6)
    } else if n >= 10_000 {
        format!("{:.1}K", f / 1e3)
    } else {
        thousands(n)
    }
}

fn bar(value: u64, max: u64, width: usize) -> String {
    if max == 0 {
        return String::new();
    }
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (value as f64 / max as f64 * (width * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    s.push_str(PARTS[eighths % 8]);
    if s.is_empty() && value > 0 {
        s.push('▏');
    }
    s
}

/// A bar chart of `rows`; rows whose period is in `spikes` are marked `◀ spike`.
fn chart(
    title: &str,
    rows: &[BucketRow],
    spikes: &[&str],
    env: &Env,
    out: &mut dyn Write,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", env.out.bold(title))?;
    let max = rows.iter().map(|r| r.tokens).max().unwrap_or(0);
    let label_w = rows.iter().map(|r| r.period.len()).max().unwrap_or(10);
    for r in rows {
        let b = bar(r.tokens, max, 40);
        let mark = if spikes.contains(&r.period.as_str()) {
            format!("  {}", env.out.red("◀ spike"))
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {:<label_w$} │{:<40} {:>7}  {}{mark}",
            r.period,
            b,
            compact(r.tokens),
            r.cost.display()
        )?;
    }
    Ok(())
}

/// ` (+12.5%)`, or nothing when the catalog's cost is zero.
fn percent(a: &logs::AuditRow) -> String {
    a.difference_percent
        .map_or(String::new(), |p| format!(" ({p:+.1}%)"))
}

/// The prompt as dashboards count it, and what prompt caching did to the cost (only when the
/// scan has cache reads or writes).
fn cache_summary(
    r: &ScanReport,
    args: &ScanLogsArgs,
    env: &Env,
    out: &mut dyn Write,
) -> Result<()> {
    let t = &r.tokens;
    if t.cached_input == 0 && t.cache_write == 0 {
        return Ok(());
    }
    let c = &r.cache.totals;
    writeln!(
        out,
        "{} {} prompt tokens (input + cached + cache write; OpenAI's and Gemini's dashboards \
         show this as input); {} of them read from the cache",
        env.out.bold("Prompt"),
        thousands(t.prompt()),
        c.hit_ratio
            .map_or("none".to_string(), |h| format!("{:.1}%", h * 100.0))
    )?;
    let mut parts = Vec::new();
    if c.read_tokens > 0 {
        parts.push(format!(
            "reads {} (saved {} against uncached input)",
            c.read_cost.display(),
            c.read_savings.display()
        ));
    }
    if c.write_tokens > 0 {
        parts.push(format!(
            "writes {} ({} above uncached input)",
            c.write_cost.display(),
            c.write_premium.display()
        ));
        let net = c.net_savings;
        parts.push(if net.femto() >= 0 {
            format!("net saved {}", net.display())
        } else {
            format!(
                "net cost {} more than no cache",
                Money::from_femto(-net.femto()).display()
            )
        });
    }
    writeln!(out, "{} {}", env.out.bold("Cache"), parts.join("; "))?;
    if !r.cache.write_jumps.is_empty() {
        let days: Vec<String> = r
            .cache
            .write_jumps
            .iter()
            .take(args.top.unwrap_or(DEFAULT_TOP))
            .map(|j| {
                if j.ratio.is_finite() {
                    format!("{} ({:.1}×)", j.day, j.ratio)
                } else {
                    format!("{} (from none)", j.day)
                }
            })
            .collect();
        writeln!(
            out,
            "  {} cache writes jumped above {}× their trailing {}-day average on {} \
             (a cache that keeps expiring is written again and again)",
            env.out.yellow("note:"),
            args.spike_factor,
            args.spike_days,
            days.join(", ")
        )?;
    }
    Ok(())
}

/// The `--blocks` table: the latest `--top` 5-hour blocks.
fn blocks(r: &ScanReport, args: &ScanLogsArgs, env: &Env, out: &mut dyn Write) -> Result<()> {
    let Some(blocks) = &r.blocks else {
        return Ok(());
    };
    if blocks.is_empty() {
        return Ok(());
    }
    let top = args.top.unwrap_or(DEFAULT_TOP);
    let shown = &blocks[blocks.len().saturating_sub(top)..];
    let title = if shown.len() < blocks.len() {
        format!(
            "5-hour blocks (the last {} of {})",
            shown.len(),
            blocks.len()
        )
    } else {
        format!("5-hour blocks ({})", blocks.len())
    };
    writeln!(out, "\n{}", env.out.bold(&title))?;
    let mut tab = report::table(&["start", "end", "active hours", "requests", "tokens", "cost"]);
    for b in shown {
        tab.add_row(vec![
            Cell::new(&b.start),
            Cell::new(&b.end),
            Cell::new(b.active_hours),
            Cell::new(thousands(b.requests)),
            Cell::new(thousands(b.tokens)),
            Cell::new(b.cost.display()),
        ]);
    }
    report::align_right(&mut tab, &[2, 3, 4, 5]);
    report::write_table(out, &tab)?;
    Ok(())
}

/// The `--audit` section: models whose logged cost is more than 1% from the catalog's.
fn audit(r: &ScanReport, args: &ScanLogsArgs, env: &Env, out: &mut dyn Write) -> Result<()> {
    let s = &env.out;
    if r.audit.is_empty() {
        writeln!(
            out,
            "{} no record carries its own cost (cost_usd, costUSD, response_cost, spend, \
             usage.cost): nothing to compare",
            s.bold("Audit")
        )?;
        return Ok(());
    }
    let flagged: Vec<&logs::AuditRow> = r.audit.iter().filter(|a| a.flagged).collect();
    let compared: u64 = r.audit.iter().map(|a| a.requests).sum();
    if flagged.is_empty() {
        writeln!(
            out,
            "{} logged costs agree with the catalog within 1% ({}, {})",
            s.bold("Audit"),
            counted(compared, "record", "records"),
            counted(r.audit.len() as u64, "model", "models")
        )?;
    } else {
        writeln!(
            out,
            "{} {} of {} log a cost more than 1% from the catalog's price of their tokens",
            s.yellow("Audit"),
            flagged.len(),
            counted(r.audit.len() as u64, "model", "models")
        )?;
        let mut tab = report::table(&["model", "requests", "logged", "catalog", "difference"]);
        for a in &flagged {
            tab.add_row(vec![
                Cell::new(escape(&a.model)),
                Cell::new(thousands(a.requests)),
                Cell::new(a.logged.display()),
                Cell::new(a.computed.display()),
                Cell::new(format!("{}{}", a.difference.display(), percent(a))),
            ]);
        }
        report::align_right(&mut tab, &[1, 2, 3, 4]);
        report::write_table(out, &tab)?;
    }
    let flagged_groups: Vec<&logs::AuditGroupRow> =
        r.audit_groups.iter().filter(|a| a.audit.flagged).collect();
    if !flagged_groups.is_empty() {
        writeln!(
            out,
            "  {} of {} more than 1% apart:",
            flagged_groups.len(),
            counted(
                r.audit_groups.len() as u64,
                &format!("group by {}", r.by.join(", ")),
                &format!("groups by {}", r.by.join(", "))
            )
        )?;
        let by: Vec<Cow<str>> = r.by.iter().map(|b| escape(b)).collect();
        let mut header: Vec<&str> = by.iter().map(|b| b.as_ref()).collect();
        header.extend(["requests", "logged", "catalog", "difference"]);
        let mut tab = report::table(&header);
        for g in flagged_groups.iter().take(args.top.unwrap_or(DEFAULT_TOP)) {
            let a = &g.audit;
            let mut row: Vec<Cell> = g.values.iter().map(|v| Cell::new(escape(v))).collect();
            row.extend([
                Cell::new(thousands(a.requests)),
                Cell::new(a.logged.display()),
                Cell::new(a.computed.display()),
                Cell::new(format!("{}{}", a.difference.display(), percent(a))),
            ]);
            tab.add_row(row);
        }
        let n = r.by.len();
        report::align_right(&mut tab, &[n, n + 1, n + 2, n + 3]);
        report::write_table(out, &tab)?;
    }
    let unpriced: u64 = r.audit.iter().map(|a| a.unpriced_requests).sum();
    if unpriced > 0 {
        writeln!(
            out,
            "  {} with their own cost not compared: their model is not in the catalog",
            counted(unpriced, "record", "records")
        )?;
    }
    Ok(())
}

fn errors_text(errors: &std::collections::BTreeMap<logs::ErrKind, u64>) -> String {
    errors
        .iter()
        .map(|(k, v)| format!("{} {}", thousands(*v), k.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(r: &ScanReport, args: &ScanLogsArgs, env: &Env, out: &mut dyn Write) -> Result<()> {
    let s = &env.out;
    // summary
    let formats: Vec<String> = r
        .formats
        .iter()
        .map(|(f, n)| format!("{} {}", f.name(), thousands(*n)))
        .collect();
    writeln!(
        out,
        "{} {}, {}: {}{}",
        s.bold("Scanned"),
        counted(r.files, "file", "files"),
        counted(r.lines, "line", "lines"),
        counted(r.records, "record", "records"),
        if formats.is_empty() {
            String::new()
        } else {
            format!(" ({})", formats.join(", "))
        }
    )?;
    let mut notes = Vec::new();
    if r.duplicates > 0 {
        notes.push(format!(
            "{} dropped",
            counted(r.duplicates, "duplicate", "duplicates")
        ));
    }
    if r.skipped.count > 0 {
        notes.push(format!(
            "{} skipped",
            counted(r.skipped.count, "line", "lines")
        ));
    }
    if r.ignored > 0 {
        notes.push(format!(
            "{} ignored",
            counted(r.ignored, "non-usage line", "non-usage lines")
        ));
    }
    if r.filtered > 0 {
        notes.push(format!(
            "{} outside --since/--until",
            counted(r.filtered, "record", "records")
        ));
    }
    if r.untimed > 0 {
        notes.push(format!(
            "{} without a timestamp (counted, not in daily reports or detectors)",
            counted(r.untimed, "record", "records")
        ));
    }
    if !notes.is_empty() {
        writeln!(out, "  {}", notes.join("; "))?;
    }
    if let Some(t) = &r.time_range {
        writeln!(out, "{} {} → {}", s.bold("Time"), t.first, t.last)?;
    }
    let t = &r.tokens;
    writeln!(
        out,
        "{} {} total: input {}, cached {}, cache write {}, output {} (reasoning {})",
        s.bold("Tokens"),
        thousands(t.total),
        thousands(t.input),
        thousands(t.cached_input),
        thousands(t.cache_write),
        thousands(t.output),
        thousands(t.reasoning)
    )?;
    let mut cost_line = format!("{} {}", s.bold("Cost"), r.cost.display());
    if r.own_cost > 0 {
        cost_line.push_str(&format!(
            " ({} priced by their own cost field)",
            counted(r.own_cost, "record", "records")
        ));
    }
    writeln!(out, "{cost_line}")?;
    cache_summary(r, args, env, out)?;
    if r.unpriced.requests > 0 {
        let models: Vec<String> = r
            .unpriced
            .models
            .iter()
            .map(|m| format!("{} ({})", Shown(&m.model), thousands(m.requests)))
            .collect();
        writeln!(
            out,
            "  {} {} not priced (not in the catalog, cost not included): {}",
            s.yellow("warning:"),
            counted(r.unpriced.requests, "request", "requests"),
            models.join(", ")
        )?;
        writeln!(
            out,
            "  price them with --prices FILE: a newer LiteLLM model_prices_and_context_window.json, \
             or a TOML table of your own (README: Prices)"
        )?;
    }
    if args.audit {
        audit(r, args, env, out)?;
    }
    if !r.errors.is_empty() {
        writeln!(out, "{} {}", s.bold("Failed"), errors_text(&r.errors))?;
    }
    if !r.files_skipped.is_empty() {
        writeln!(
            out,
            "\n{} ({})",
            s.yellow("Skipped files"),
            r.files_skipped.len()
        )?;
        for f in &r.files_skipped {
            writeln!(out, "  {}: {}", Shown(&f.path), Shown(&f.reason))?;
        }
    }
    if r.skipped.count > 0 {
        let reasons: Vec<String> = r
            .skipped
            .by_reason
            .iter()
            .map(|(k, v)| format!("{} {}", Shown(k), thousands(*v)))
            .collect();
        writeln!(
            out,
            "\n{} {} ({})",
            s.yellow("Skipped lines"),
            thousands(r.skipped.count),
            reasons.join(", ")
        )?;
        for e in &r.skipped.examples {
            writeln!(out, "  {}:{}: {}", Shown(&e.file), e.line, Shown(&e.reason))?;
        }
    }
    // groups
    if !r.by.is_empty() && !r.groups.is_empty() {
        let title = if r.group_count > r.groups.len() {
            format!(
                "By {} (top {} of {})",
                Shown(r.by.join(", ")),
                r.groups.len(),
                thousands(r.group_count as u64)
            )
        } else {
            format!("By {}", Shown(r.by.join(", ")))
        };
        writeln!(out, "\n{}", s.bold(&title))?;
        let by: Vec<Cow<str>> = r.by.iter().map(|b| escape(b)).collect();
        let mut header: Vec<&str> = by.iter().map(|b| b.as_ref()).collect();
        header.extend(["requests", "tokens", "prompt", "output", "cost", "largest"]);
        // the share of each group's prompt read from the cache, when the scan has cache reads
        let cached = r.tokens.cached_input > 0;
        if cached {
            header.push("cache hit");
        }
        let mut tab = report::table(&header);
        for g in &r.groups {
            let mut row: Vec<Cell> = g.values.iter().map(|v| Cell::new(escape(v))).collect();
            let cost = if g.unpriced_requests > 0 {
                format!("{} +{} unpriced", g.cost.display(), g.unpriced_requests)
            } else {
                g.cost.display()
            };
            row.extend([
                Cell::new(thousands(g.requests)),
                Cell::new(thousands(g.tokens.total)),
                Cell::new(thousands(
                    g.tokens.input + g.tokens.cached_input + g.tokens.cache_write,
                )),
                Cell::new(thousands(g.tokens.output)),
                Cell::new(cost),
                Cell::new(thousands(g.largest_request)),
            ]);
            if cached {
                row.push(Cell::new(
                    g.cache
                        .hit_ratio
                        .map_or("-".to_string(), |h| format!("{:.1}%", h * 100.0)),
                ));
            }
            tab.add_row(row);
        }
        let n = r.by.len();
        report::align_right(&mut tab, &[n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6]);
        crate::report::write_table(out, &tab)?;
    }
    let spike_days: Vec<&str> = r.spikes.iter().map(|x| x.day.as_str()).collect();
    chart("Tokens per day", &r.days, &spike_days, env, out)?;
    if let Some(h) = &r.hours {
        chart("Tokens per hour", h, &[], env, out)?;
    }
    blocks(r, args, env, out)?;
    // alerts
    let o = &r.outliers;
    if o.count > 0 {
        let what = match o.max_tokens {
            Some(m) => format!(
                "above {:.0}% of the context window or {} tokens",
                o.window_share * 100.0,
                thousands(m)
            ),
            None => format!(
                "above {:.0}% of their model's context window",
                o.window_share * 100.0
            ),
        };
        writeln!(
            out,
            "\n{} {} requests {what}: {} tokens, {}",
            s.red("Outliers"),
            thousands(o.count),
            thousands(o.tokens),
            o.cost.display()
        )?;
        let mut tab = report::table(&[
            "where", "time", "user", "model", "prompt", "window", "cost", "error",
        ]);
        for x in &o.largest {
            tab.add_row(vec![
                Cell::new(format!("{}:{}", Shown(&x.file), x.line)),
                Cell::new(escape(x.time.as_deref().unwrap_or("-"))),
                Cell::new(escape(x.user.as_deref().unwrap_or("-"))),
                Cell::new(escape(x.model.as_deref().unwrap_or("-"))),
                Cell::new(thousands(x.prompt_tokens)),
                Cell::new(
                    x.window_share
                        .map_or("-".to_string(), |w| format!("{:.0}%", w * 100.0)),
                ),
                Cell::new(x.cost.map_or("unpriced".to_string(), Money::display)),
                Cell::new(x.error.map_or("-", |e| e.name())),
            ]);
        }
        report::align_right(&mut tab, &[4, 5, 6]);
        crate::report::write_table(out, &tab)?;
    }
    if !r.spikes.is_empty() {
        writeln!(
            out,
            "\n{} {} days above {}× the trailing {}-day average",
            s.red("Spikes"),
            r.spikes.len(),
            args.spike_factor,
            args.spike_days
        )?;
        let mut tab =
            report::table(&["day", "tokens", "trailing avg", "ratio", "requests", "cost"]);
        for x in &r.spikes {
            tab.add_row(vec![
                Cell::new(&x.day),
                Cell::new(thousands(x.tokens)),
                Cell::new(thousands(x.trailing_average)),
                Cell::new(if x.ratio.is_finite() {
                    format!("{:.1}×", x.ratio)
                } else {
                    "new".into()
                }),
                Cell::new(thousands(x.requests)),
                Cell::new(x.cost.display()),
            ]);
        }
        report::align_right(&mut tab, &[1, 2, 3, 4, 5]);
        crate::report::write_table(out, &tab)?;
    }
    if !r.bursts.is_empty() {
        writeln!(out, "\n{} {}", s.red("Bursts"), r.bursts.len())?;
        let mut tab = report::table(&[
            "user", "from", "to", "limit", "peak", "requests", "tokens", "cost",
        ]);
        for x in r.bursts.iter().take(args.top.unwrap_or(DEFAULT_TOP)) {
            tab.add_row(vec![
                Cell::new(escape(&x.span.user)),
                Cell::new(&x.span.start),
                Cell::new(&x.span.end),
                Cell::new(format!("{} {}", x.limit, x.by)),
                Cell::new(thousands(x.peak)),
                Cell::new(thousands(x.span.requests)),
                Cell::new(thousands(x.span.tokens)),
                Cell::new(x.span.cost.display()),
            ]);
        }
        report::align_right(&mut tab, &[4, 5, 6, 7]);
        crate::report::write_table(out, &tab)?;
    }
    if !r.loops.is_empty() {
        writeln!(
            out,
            "\n{} {} runs of ≥{} near-identical requests (±{}%, ≤{} apart)",
            s.red("Loops"),
            r.loops.len(),
            args.loop_min.max(2),
            args.loop_tolerance * 100.0,
            logs::detect::duration_label(args.loop_gap)
        )?;
        let mut tab = report::table(&[
            "user", "from", "to", "requests", "prompt", "tokens", "cost", "failed",
        ]);
        for x in r.loops.iter().take(args.top.unwrap_or(DEFAULT_TOP)) {
            let failed = if x.span.failed > 0 {
                errors_text(&x.span.errors)
            } else {
                "0".into()
            };
            tab.add_row(vec![
                Cell::new(escape(&x.span.user)),
                Cell::new(&x.span.start),
                Cell::new(&x.span.end),
                Cell::new(thousands(x.span.requests)),
                Cell::new(thousands(x.prompt_tokens)),
                Cell::new(thousands(x.span.tokens)),
                Cell::new(x.span.cost.display()),
                Cell::new(failed),
            ]);
        }
        report::align_right(&mut tab, &[3, 4, 5, 6]);
        crate::report::write_table(out, &tab)?;
    }
    if r.alerts > 0 {
        writeln!(
            out,
            "\n{} {} (outliers {}, spikes {}, bursts {}, loops {})",
            s.red("Alerts"),
            thousands(r.alerts),
            thousands(o.count),
            r.spikes.len(),
            r.bursts.len(),
            r.loops.len()
        )?;
    } else {
        writeln!(out, "\n{} none", s.green("Alerts"))?;
    }
    Ok(())
}

/// The input as an output check sees it (`None` for one that is not a readable file).
fn input_file(input: &Input) -> Option<InputFile> {
    match input {
        Input::Stdin => InputFile::named(std::path::Path::new("-")),
        Input::Path(p) => InputFile::named(p),
    }
}
