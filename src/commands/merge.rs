//! `tokenbudget merge`: combine the partial summaries of `scan-logs --emit-summary` into the
//! report one scan of all their files gives (see `logs::summary`).

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser};

use crate::commands::scan_logs::{self, FailOn};
use crate::exit::ExitStatus;
use crate::logs::summary::{self, Summary};
use crate::report::Env;

/// Merge partial scan-logs summaries into one report, identical to a single scan of all files.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tokenbudget scan-logs logs/2026-03-0* --by user --emit-summary part1.json
  tokenbudget scan-logs logs/2026-03-1* --by user --emit-summary part2.json
  tokenbudget merge part1.json part2.json                the report of both scans at once
  tokenbudget merge parts/*.json --json --fail-on alerts > report.json

Every part must be scanned with the same scan-logs options and tokenbudget version, and no two
parts may hold the same request (split by file, or by user for bursts and loops); merge
refuses otherwise, naming the file. The summary format is versioned (see the README).

Exit codes: 0 ok; 1 with --fail-on alerts when an outlier, spike, burst or loop was found;
2 a summary that cannot be read or merged, a part with a missing input, or (with --strict)
any skipped line or file.")]
pub struct MergeArgs {
    /// Summary files written by `scan-logs --emit-summary` (`-` for stdin).
    #[arg(value_name = "SUMMARY", required = true)]
    pub summaries: Vec<String>,

    /// Exit 1 when any outlier, spike, burst or loop was found.
    #[arg(long, value_name = "WHAT", value_enum)]
    pub fail_on: Option<FailOn>,

    /// Exit 2 when any line or file was skipped in any part.
    #[arg(long)]
    pub strict: bool,

    /// Print only JSON on stdout (the `scan-logs --json` document).
    #[arg(long)]
    pub json: bool,

    /// List the models and groups whose logged cost is more than 1% from the catalog's (as
    /// `scan-logs --audit`).
    #[arg(long)]
    pub audit: bool,
}

/// The scan-logs arguments a summary was made with, parsed again.
#[derive(Debug, Parser)]
#[command(name = "scan-logs", no_binary_name = true)]
struct Options {
    #[command(flatten)]
    args: scan_logs::ScanLogsArgs,
}

fn read(path: &str) -> Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
            .context("reading stdin")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("reading {path}"))
}

pub fn run(args: MergeArgs, env: &Env, out: &mut dyn Write) -> Result<ExitStatus> {
    if args.summaries.iter().filter(|s| *s == "-").count() > 1 {
        bail!("`-` (stdin) given more than once");
    }
    let mut parts = Vec::with_capacity(args.summaries.len());
    for path in &args.summaries {
        let bytes = read(path)?;
        let s: Summary = serde_json::from_slice(&bytes).map_err(|e| {
            anyhow!(
                "{path}:{}:{}: not a scan-logs summary: {e}",
                e.line(),
                e.column()
            )
        })?;
        s.check(path).map_err(anyhow::Error::msg)?;
        parts.push((path.clone(), s));
    }
    let option_args = parts[0].1.options.clone();
    let parsed = Options::try_parse_from(&option_args).map_err(|e| {
        anyhow!(
            "{}: the scan options in the summary cannot be read: {}",
            parts[0].0,
            e.render()
        )
    })?;
    let mut scan_args = parsed.args;
    scan_args.json = args.json;
    scan_args.fail_on = args.fail_on;
    scan_args.strict = args.strict;
    scan_args.audit = args.audit;
    let (opts, _) = scan_logs::scan_options(&scan_args)?;
    let (raw, missing) = summary::merge(parts, opts.top).map_err(anyhow::Error::msg)?;
    let mut report = raw.finish(&opts);
    for p in missing.iter().rev() {
        report.files_skipped.insert(0, p.clone());
    }
    scan_logs::show(&report, &scan_args, env, out)?;
    for m in &missing {
        eprintln!("{} a part could not read {}", env.err.red("error:"), m.path);
    }
    for w in &report.warnings {
        eprintln!("{} {w}", env.err.yellow("warning:"));
    }
    Ok(scan_logs::status_of(
        &report,
        &scan_args,
        !missing.is_empty(),
    ))
}
