//! `tokenbudget check`: the token budgets of `tokenbudget.toml`, checked in CI.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::Serialize;

use crate::check::{self, BudgetResult, CONFIG_FILE, CheckReport, ConfigError, Status, init};
use crate::commands::Shared;
use crate::estimate::EstimateRange;
use crate::exit::ExitStatus;
use crate::report::escape::{Shown, escape};
use crate::report::github::Annotation;
use crate::report::{self, Env, percent, thousands};
use crate::resolve;

/// Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tokenbudget check                         the table; exit 1 when a budget is exceeded
  tokenbudget check --format github         annotations on the files over budget (GitHub Actions)
  tokenbudget check --hide-passed           only what is over, empty or in error
  tokenbudget check --json                  one JSON document on stdout
  tokenbudget check --config ci/tokenbudget.toml
  tokenbudget check --init                  write a starter tokenbudget.toml

tokenbudget.toml:
  model = \"gpt-4o\"                 # default for every budget

  [[budget]]
  path = \"prompts/system/*.txt\"    # relative to this file; `**` crosses directories
  max_tokens = 4000                # per file (each = true, the default)
  max_share = \"3%\"                 # of the model's context window; the smaller limit wins

  [[budget]]
  path = \"prompts/agents/**/*.md\"
  model = \"gpt-4.1\"                # this budget's model
  max_tokens = 12000
  each = false                     # the sum of all matches

Other budget keys: name (the label shown), encoding (count with this encoding; required to
approximate a model with no exact tokenizer, such as claude-*), allow_empty (a pattern matching
no file passes instead of being an error), include_ignored (also match .gitignored files).

Exit codes: 0 every budget passes, 1 a budget is exceeded, 2 a config, usage or input error
(including a budget whose pattern matches no file).")]
pub struct CheckArgs {
    /// The config file [default: tokenbudget.toml in the current directory or its parents].
    /// With --init, the file to write.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Output format: a table, JSON, or GitHub Actions annotations (followed by the table).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Print only JSON on stdout (same as --format json).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Leave passing budgets out of the output (the summary still counts them).
    #[arg(long)]
    pub hide_passed: bool,

    /// Write a starter tokenbudget.toml from the prompt-like files found here, each limit at
    /// the current count plus 20%, rounded up. Never overwrites an existing file.
    #[arg(long, conflicts_with_all = ["format", "json", "hide_passed"])]
    pub init: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table of budgets, then the files over budget.
    Table,
    /// One JSON document.
    Json,
    /// `::error` workflow commands for GitHub Actions, then the table.
    Github,
}

/// Where the config is, and how to name it in messages.
struct ConfigFile {
    path: PathBuf,
    shown: String,
    /// Its directory, canonical: budget paths are relative to it.
    root: PathBuf,
    /// The repository root (the nearest ancestor with `.git`), for annotation paths.
    repo: Option<PathBuf>,
}

impl ConfigFile {
    fn locate(flag: Option<&Path>) -> Result<ConfigFile> {
        let (path, shown) = match flag {
            Some(p) => (p.to_path_buf(), p.display().to_string()),
            None => find_config()?,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let root = dir
            .canonicalize()
            .with_context(|| format!("reading {shown}"))?;
        let repo = root
            .ancestors()
            .find(|d| d.join(".git").exists())
            .map(Path::to_path_buf);
        Ok(ConfigFile {
            path,
            shown,
            root,
            repo,
        })
    }

    /// A path relative to the config directory, made relative to the repository root for
    /// annotations (so they land on the right file when the config is in a subdirectory).
    fn annotation_path(&self, rel: &str) -> String {
        let full = self.root.join(rel);
        let Some(repo) = &self.repo else {
            return rel.to_string();
        };
        match full.strip_prefix(repo) {
            Ok(r) => r
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => rel.to_string(),
        }
    }

    fn annotation_config_path(&self) -> String {
        let name = self
            .path
            .file_name()
            .map_or(CONFIG_FILE.into(), |n| n.to_string_lossy().into_owned());
        self.annotation_path(&name)
    }
}

/// `tokenbudget.toml` in the current directory or its nearest parent, named relative to the
/// current directory (`tokenbudget.toml`, `../tokenbudget.toml`).
fn find_config() -> Result<(PathBuf, String)> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    for (depth, dir) in cwd.ancestors().enumerate() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            let shown = format!("{}{CONFIG_FILE}", "../".repeat(depth));
            return Ok((PathBuf::from(&shown), shown));
        }
    }
    bail!(
        "no {CONFIG_FILE} in {} or its parents: write one with `tokenbudget check --init`, or \
         name one with --config",
        cwd.display()
    )
}

#[derive(Serialize)]
struct Summary {
    budgets: usize,
    passed: usize,
    over: usize,
    errors: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    config: &'a str,
    passed: bool,
    summary: Summary,
    budgets: Vec<&'a BudgetResult>,
    errors: &'a [ConfigError],
    skipped: &'a [check::Skipped],
}

pub fn run(args: CheckArgs, env: &Env, shared: &Shared, out: &mut dyn Write) -> Result<ExitStatus> {
    if args.init {
        return run_init(&args, shared, out);
    }
    let format = if args.json { Format::Json } else { args.format };
    if format == Format::Github {
        report::escape::set_github(true);
    }
    let cfg = ConfigFile::locate(args.config.as_deref())?;
    let bytes = std::fs::read(&cfg.path).with_context(|| format!("reading {}", cfg.shown))?;
    let src = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: invalid UTF-8 at byte offset {}",
            cfg.shown,
            e.utf8_error().valid_up_to()
        )
    })?;

    let config = match check::config::parse_in(&src, shared.resolver(), &cfg.root) {
        Ok(c) => c,
        Err(errors) => {
            report_config_errors(&cfg, &errors, format, env, out)?;
            return Ok(ExitStatus::InputError);
        }
    };
    // Nothing outside the repository is ever read: such a path is a config mistake.
    let outside = check::confine(&cfg.root, &config);
    if !outside.is_empty() {
        report_config_errors(&cfg, &outside, format, env, out)?;
        return Ok(ExitStatus::InputError);
    }
    for b in &config.budgets {
        if let Some(w) = &b.warning {
            let _ = writeln!(
                std::io::stderr(),
                "{} {}:{}:{}: {}",
                env.err.yellow("warning:"),
                Shown(&cfg.shown),
                b.location.line,
                b.location.column,
                Shown(w)
            );
        }
    }
    let report = check::evaluate(&cfg.root, &config);

    let mut status = ExitStatus::Success;
    if report.over() > 0 {
        status = ExitStatus::LimitHit;
    }
    if report.errors() > 0 {
        status = status.max(ExitStatus::InputError);
    }

    // Problems go to stderr in every format, so stdout stays clean for --json.
    let mut err = std::io::stderr().lock();
    for b in &report.budgets {
        for e in &b.errors {
            writeln!(
                err,
                "{} {}:{}:{}: {}",
                env.err.red("error:"),
                Shown(&cfg.shown),
                b.line,
                b.column,
                Shown(e)
            )?;
        }
    }
    for s in &report.skipped {
        writeln!(
            err,
            "{} skipped {}: {}",
            env.err.dim("note:"),
            Shown(&s.path),
            Shown(&s.reason)
        )?;
    }
    drop(err);

    let shown: Vec<&BudgetResult> = report
        .budgets
        .iter()
        .filter(|b| !(args.hide_passed && b.passed()))
        .collect();
    match format {
        Format::Json => {
            let doc = JsonReport {
                config: &cfg.shown,
                passed: status == ExitStatus::Success,
                summary: summary(&report),
                budgets: shown,
                errors: &[],
                skipped: &report.skipped,
            };
            report::write_json(out, &doc)?;
        }
        Format::Github => {
            write_annotations(&cfg, &shown, out)?;
            write_table(&report, &shown, env, out)?;
        }
        Format::Table => write_table(&report, &shown, env, out)?,
    }
    Ok(status)
}

fn summary(report: &CheckReport) -> Summary {
    Summary {
        budgets: report.budgets.len(),
        passed: report.budgets.iter().filter(|b| b.passed()).count(),
        over: report.over(),
        errors: report.errors(),
    }
}

fn report_config_errors(
    cfg: &ConfigFile,
    errors: &[ConfigError],
    format: Format,
    env: &Env,
    out: &mut dyn Write,
) -> Result<()> {
    let mut err = std::io::stderr().lock();
    for e in errors {
        writeln!(
            err,
            "{} {}:{}",
            env.err.red("error:"),
            Shown(&cfg.shown),
            Shown(e.to_string())
        )?;
    }
    drop(err);
    match format {
        Format::Json => report::write_json(
            out,
            &JsonReport {
                config: &cfg.shown,
                passed: false,
                summary: Summary {
                    budgets: 0,
                    passed: 0,
                    over: 0,
                    errors: errors.len(),
                },
                budgets: vec![],
                errors,
                skipped: &[],
            },
        )?,
        Format::Github => {
            let file = cfg.annotation_config_path();
            for e in errors {
                let a = Annotation {
                    level: "error",
                    file: &file,
                    line: Some(e.location.line),
                    column: Some(e.location.column),
                    title: "tokenbudget config",
                    message: &e.error,
                };
                writeln!(out, "{a}")?;
            }
        }
        Format::Table => {}
    }
    Ok(())
}

fn write_annotations(
    cfg: &ConfigFile,
    budgets: &[&BudgetResult],
    out: &mut dyn Write,
) -> Result<()> {
    let config_file = cfg.annotation_config_path();
    let at_budget = |b: &BudgetResult, title: &str, message: &str, out: &mut dyn Write| {
        let a = Annotation {
            level: "error",
            file: &config_file,
            line: Some(b.line),
            column: Some(b.column),
            title,
            message,
        };
        writeln!(out, "{a}")
    };
    for b in budgets {
        let approx = if b.approximate { "~" } else { "" };
        let model = model_label(b);
        match b.status {
            Status::Over if b.each => {
                for f in b.files.iter().filter(|f| f.over_by.is_some()) {
                    let path = cfg.annotation_path(&f.path);
                    let runs_out = match f.over_at_line {
                        Some(l) => format!("; the budget runs out at line {l}"),
                        None => String::new(),
                    };
                    let message = format!(
                        "{} tokens for {model}: {} over the {}-token budget \"{}\" \
                         ({}:{}){runs_out}",
                        shown_tokens(f.tokens, f.estimate.as_ref(), approx),
                        thousands(f.over_by.unwrap_or(0)),
                        thousands(b.limit),
                        b.name,
                        cfg.shown,
                        b.line
                    );
                    let a = Annotation {
                        level: "error",
                        file: &path,
                        line: f.over_at_line,
                        column: None,
                        title: "Token budget exceeded",
                        message: &message,
                    };
                    writeln!(out, "{a}")?;
                }
            }
            Status::Over => {
                let message = format!(
                    "budget \"{}\": {} tokens for {model} in {}, {} over the \
                     {}-token limit for their sum",
                    b.name,
                    shown_tokens(b.tokens, b.estimate.as_ref(), approx),
                    plural(b.files.len(), "file"),
                    thousands(b.over_by().unwrap_or(0)),
                    thousands(b.limit)
                );
                at_budget(b, "Token budget exceeded", &message, out)?;
            }
            Status::Error => {
                for e in &b.errors {
                    at_budget(b, "tokenbudget check", e, out)?;
                }
            }
            Status::Pass | Status::Empty => {}
        }
    }
    Ok(())
}

/// A count as shown: `~1,234 (1,150–1,330)` for an estimate, else `~1,234` / `1,234`.
fn shown_tokens(tokens: u64, estimate: Option<&EstimateRange>, approx: &str) -> String {
    match estimate {
        Some(e) => crate::estimate::display(tokens, e),
        None => format!("{approx}{}", thousands(tokens)),
    }
}

/// The model as annotations name it, with how it is counted when that is not exact.
fn model_label(b: &BudgetResult) -> String {
    match (&b.tokenizer, b.encoding) {
        (Some(t), _) => format!("{} (tokenizer {t})", b.model),
        (None, Some(_)) if b.estimate.is_some() || b.files.iter().any(|f| f.estimate.is_some()) => {
            format!("{} (estimated from o200k_base)", b.model)
        }
        (None, Some(e)) if b.approximate => format!("{} (approximated with {e})", b.model),
        _ => b.model.clone(),
    }
}

fn write_table(
    report: &CheckReport,
    shown: &[&BudgetResult],
    env: &Env,
    out: &mut dyn Write,
) -> Result<()> {
    if !shown.is_empty() {
        let mut t = report::table(&[
            "budget", "model", "files", "tokens", "limit", "headroom", "status",
        ]);
        for b in shown {
            let approx = if b.approximate { "~" } else { "" };
            let many = b.files.len() > 1;
            let tokens = if b.each && many {
                format!(
                    "max {}",
                    shown_tokens(b.tokens, b.estimate.as_ref(), approx)
                )
            } else {
                shown_tokens(b.tokens, b.estimate.as_ref(), approx)
            };
            let limit = match (b.each, many) {
                (true, true) => format!("{} each", thousands(b.limit)),
                (false, true) => format!("{} total", thousands(b.limit)),
                _ => thousands(b.limit),
            };
            let (headroom, status) = match b.status {
                Status::Pass => (
                    format!(
                        "{} ({})",
                        thousands(b.headroom.unsigned_abs()),
                        percent(b.headroom.unsigned_abs(), b.limit)
                    ),
                    env.out.green("ok"),
                ),
                Status::Over => (
                    format!("-{}", thousands(b.headroom.unsigned_abs())),
                    env.out
                        .red(&format!("over by {}", thousands(b.headroom.unsigned_abs()))),
                ),
                Status::Empty => ("-".to_string(), env.out.dim("no files (allowed)")),
                Status::Error if b.files.is_empty() => {
                    ("-".to_string(), env.out.red("error: no files"))
                }
                Status::Error => ("-".to_string(), env.out.red("error")),
            };
            t.add_row(vec![
                Cell::new(escape(&b.name)),
                Cell::new(escape(&b.model)),
                Cell::new(b.files.len()),
                Cell::new(tokens),
                Cell::new(limit),
                Cell::new(headroom),
                Cell::new(status),
            ]);
        }
        report::align_right(&mut t, &[2, 3, 4, 5]);
        crate::report::write_table(out, &t)?;
    }

    let over_files: Vec<(&BudgetResult, &check::FileResult)> = shown
        .iter()
        .filter(|b| b.each)
        .flat_map(|b| {
            b.files
                .iter()
                .filter(|f| f.over_by.is_some())
                .map(move |f| (*b, f))
        })
        .collect();
    if !over_files.is_empty() {
        writeln!(out, "\nover budget:")?;
        for (b, f) in over_files {
            let approx = if b.approximate { "~" } else { "" };
            let at = match f.over_at_line {
                Some(l) => format!(":{l}"),
                None => String::new(),
            };
            writeln!(
                out,
                "  {}{at}: {} tokens, {} over the limit of {} (\"{}\")",
                Shown(&f.path),
                shown_tokens(f.tokens, f.estimate.as_ref(), approx),
                env.out.red(&thousands(f.over_by.unwrap_or(0))),
                thousands(b.limit),
                Shown(&b.name)
            )?;
        }
    }
    let mut approximations: Vec<&str> = shown
        .iter()
        .filter_map(|b| b.approximation.as_deref())
        .collect();
    approximations.dedup();
    for a in approximations {
        writeln!(
            out,
            "{}",
            env.out.dim(&format!("~ approximate: {}", Shown(a)))
        )?;
    }

    let s = summary(report);
    let mut parts = vec![if s.over == 0 && s.errors == 0 && s.budgets > 1 {
        "all passed".to_string()
    } else {
        format!("{} passed", s.passed)
    }];
    if s.over > 0 {
        parts.push(format!("{} over", s.over));
    }
    if s.errors > 0 {
        parts.push(format!("{} in error", s.errors));
    }
    let text = format!("{}: {}", plural(s.budgets, "budget"), parts.join(", "));
    let mut line = if s.over == 0 && s.errors == 0 {
        env.out.green(&text)
    } else {
        env.out.red(&text)
    };
    let hidden = report.budgets.len() - shown.len();
    if hidden > 0 {
        line.push_str(&format!(" ({hidden} passing hidden)"));
    }
    if !shown.is_empty() || hidden > 0 {
        if !shown.is_empty() {
            writeln!(out)?;
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    crate::numfmt::counted(n as u64, word, &format!("{word}s"))
}

fn run_init(args: &CheckArgs, shared: &Shared, out: &mut dyn Write) -> Result<ExitStatus> {
    let target = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(CONFIG_FILE));
    if target.exists() {
        bail!(
            "{} already exists; --init never overwrites: edit it, or remove it to start over",
            target.display()
        );
    }
    let root = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let resolved = shared
        .resolver()
        .resolve(Some(resolve::DEFAULT_MODEL), None)?;
    let starter = init::starter(&root, resolve::DEFAULT_MODEL, resolved.encoding)
        .map_err(anyhow::Error::msg)?;
    let Some(starter) = starter else {
        bail!(
            "found no prompt-like files below {} (*.prompt, AGENTS.md, or *.txt, *.md, *.j2, \
             *.jinja, *.tmpl and chat JSON under a prompts/, templates/, instructions/ or agents/ \
             directory); write {} by hand: see `tokenbudget check --help`",
            root.display(),
            target.display()
        );
    };
    // What we write must be a config `check` accepts.
    if let Err(errors) = check::config::parse_with(&starter.text, shared.resolver()) {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        bail!(
            "internal error: the starter config does not parse: {}",
            list.join("; ")
        );
    }
    crate::fsutil::write_new(&target, starter.text.as_bytes()).map_err(|e| {
        // Another `check --init` (or an editor) created it while we looked for prompts.
        if target.exists() {
            anyhow::anyhow!(
                "{} already exists; --init never overwrites: edit it, or remove it to start over",
                target.display()
            )
        } else {
            e
        }
    })?;
    let files: usize = starter.budgets.iter().map(|b| b.files.len()).sum();
    writeln!(
        out,
        "wrote {}: {} for {} (limits: current count + 20%, rounded up)",
        report::escape::path(&target),
        plural(starter.budgets.len(), "budget"),
        plural(files, "file"),
    )?;
    let mut t = report::table(&["path", "files", "tokens", "max_tokens"]);
    for b in &starter.budgets {
        t.add_row(vec![
            Cell::new(escape(&b.path)),
            Cell::new(b.files.len()),
            Cell::new(thousands(b.tokens)),
            Cell::new(thousands(b.max_tokens)),
        ]);
    }
    report::align_right(&mut t, &[1, 2, 3]);
    crate::report::write_table(out, &t)?;
    Ok(ExitStatus::Success)
}
