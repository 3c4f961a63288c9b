//! Token budgets from a config file (`tokenbudget.toml`), checked against the files they name.
//!
//! [`config::parse`] validates the file; [`find_files`] expands each budget's path or glob
//! relative to the config file's directory; [`evaluate`] counts every matched file (chat JSON
//! with chat overhead, exactly as `count` does) and compares it with the budget's limit.
//! Never prints: the results are plain, serializable data.
//!
//! Which files a pattern matches: a glob is matched against paths relative to the config
//! file's directory (`*` stays within one directory, `**` crosses directories) and is expanded
//! by walking like ripgrep: `.gitignore`/`.ignore` rules and hidden files are honoured, so
//! `**/*.md` never wanders into `node_modules/` or `target/`. A budget with
//! `include_ignored = true` also matches ignored files (generated prompts). A literal path
//! (no glob characters) is always checked, ignored or not; a literal directory stands for every
//! file below it.
//!
//! What may be read: only regular files inside the repository ([`boundary`]: the nearest
//! ancestor of the config's directory holding `.git`, else that directory). [`confine`] turns a
//! path that leads outside once `..` and symlinks are resolved into a config error at its line;
//! walks never follow symlinks; a literal path naming a FIFO, socket or device is an error of its
//! budget, and a file is checked to be regular again just before it is read.

pub mod config;
pub mod init;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

pub use config::{Budget, CONFIG_FILE, Config, ConfigError, Location, Share};

use crate::count::{Mode, count_document_on};
use crate::estimate::{self, ContentKind, EstimateRange};
use crate::input::{self, Loaded, Source};
use crate::request::Options;
use crate::tokenize::chat::MessageRule;
use crate::tokenize::{Encoding, Tokenizer};

/// A file a budget matched: its path relative to the config directory (with `/`) and on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedFile {
    pub rel: String,
    pub path: PathBuf,
    /// Found by a walk (binary or non-UTF-8 files are then skipped, not errors).
    pub walked: bool,
}

/// The files `budget` matches below `root` (the config file's directory), sorted by path, and
/// any errors met while walking.
pub fn find_files(root: &Path, budget: &Budget) -> (Vec<MatchedFile>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let Some(matcher) = &budget.matcher else {
        let path = root.join(&budget.pattern);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => files.push(MatchedFile {
                rel: budget.pattern.clone(),
                path,
                walked: false,
            }),
            Ok(m) if m.is_dir() => walk(root, &path, budget, None, &mut files, &mut errors),
            Ok(m) => errors.push(format!(
                "{} is {}; budgets read only regular files",
                budget.pattern,
                file_kind(&m.file_type())
            )),
            // Missing: the budget matches no file (reported by `evaluate`).
            Err(_) => {}
        }
        return (files, errors);
    };
    let mut base = PathBuf::new();
    for comp in Path::new(&budget.pattern).components() {
        if config::is_glob(&comp.as_os_str().to_string_lossy()) {
            break;
        }
        base.push(comp);
    }
    let base = root.join(base);
    if base.is_dir() {
        walk(root, &base, budget, Some(matcher), &mut files, &mut errors);
    }
    (files, errors)
}

fn walk(
    root: &Path,
    base: &Path,
    budget: &Budget,
    matcher: Option<&globset::GlobMatcher>,
    files: &mut Vec<MatchedFile>,
    errors: &mut Vec<String>,
) {
    let mut builder = ignore::WalkBuilder::new(base);
    builder
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b));
    if budget.include_ignored {
        builder
            .git_ignore(false)
            .git_exclude(false)
            .git_global(false)
            .ignore(false)
            .parents(false);
    }
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(format!("walking {}: {e}", base.display()));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        let rel = relative(root, &path);
        if matcher.is_some_and(|m| !m.is_match(&rel)) {
            continue;
        }
        files.push(MatchedFile {
            rel,
            path,
            walked: true,
        });
    }
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The directory a config may read below: the repository root (the nearest ancestor of
/// `root` holding `.git`), else `root` itself, the config file's directory. `root` is
/// canonical, so this is too.
pub fn boundary(root: &Path) -> PathBuf {
    root.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(root)
        .to_path_buf()
}

/// Where `path` (absolute) leads once `..` and symlinks are resolved: the canonical form of its
/// longest existing prefix, with the rest applied lexically (what does not exist cannot be a
/// symlink; `..` pops).
fn resolved(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            let mut out = canonical;
            for comp in rest.iter().rev() {
                out.push(comp);
            }
            return lexical(&out);
        }
        match existing.file_name() {
            Some(name) => {
                rest.push(name.to_os_string());
                existing.pop();
            }
            None => {
                // Ends in `..`: its parent does not exist either, so no link can be met.
                let flat = lexical(&existing);
                if flat == existing {
                    for comp in rest.iter().rev() {
                        existing.push(comp);
                    }
                    return lexical(&existing);
                }
                existing = flat;
            }
        }
    }
}

/// `path` with `.` removed and `..` applied, without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Budgets whose path leads outside the repository (see [`boundary`]) once `..` and
/// symlinks are resolved, as config errors at their `path`: `check` never reads there.
pub fn confine(root: &Path, config: &Config) -> Vec<ConfigError> {
    let limit = boundary(root);
    let mut errors = Vec::new();
    for b in &config.budgets {
        // A glob is walked from the directories before its first glob character, and the
        // walk never follows a symlink; a `..` after that matches nothing.
        let mut base = PathBuf::new();
        for comp in Path::new(&b.pattern).components() {
            if b.matcher.is_some() && config::is_glob(&comp.as_os_str().to_string_lossy()) {
                break;
            }
            base.push(comp);
        }
        let target = resolved(&root.join(&base));
        if !target.starts_with(&limit) {
            errors.push(ConfigError {
                location: b.location,
                error: format!(
                    "path \"{}\" leads outside the repository (to {}); budgets read only files \
                     below {}",
                    b.pattern,
                    target.display(),
                    limit.display()
                ),
            });
        }
    }
    errors
}

/// What a file that is neither a regular file nor a directory is, for messages.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        } else if t.is_char_device() {
            return "a character device";
        } else if t.is_block_device() {
            return "a block device";
        } else if t.is_socket() {
            return "a socket";
        }
    }
    let _ = t;
    "not a regular file"
}

/// Whether a budget passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every file (or the sum) is within the limit.
    Pass,
    /// A file (or the sum) is over the limit.
    Over,
    /// The pattern matched no file and `allow_empty = true`.
    Empty,
    /// The pattern matched no file, or a matched file could not be read or counted.
    Error,
}

/// One counted file of a budget.
#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    pub path: String,
    /// `text` or `chat` (chat JSON counted with the cookbook's per-message overhead).
    pub kind: &'static str,
    pub tokens: u64,
    /// Tokens over the limit (per-file budgets only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_by: Option<u64>,
    /// The range of an estimated count; `tokens` is its central value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<EstimateRange>,
    /// For a plain-text file over a per-file limit: the 1-based line holding the first token
    /// past the limit (where the budget runs out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_at_line: Option<usize>,
}

impl FileResult {
    /// What the limit is compared with: the high end of an estimate, else the count.
    pub fn upper(&self) -> u64 {
        self.estimate.as_ref().map_or(self.tokens, |e| e.high)
    }
}

/// The result of one budget.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetResult {
    pub name: String,
    pub path: String,
    /// Where the budget's `path` is written in the config file.
    pub line: usize,
    pub column: usize,
    pub model: String,
    /// `null` when the budget counts with a tokenizer file.
    pub encoding: Option<Encoding>,
    /// The tokenizer file's label, when the budget counts with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
    pub approximate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximation: Option<String>,
    /// The encoding an estimate is based on (only when approximate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
    pub context_window: Option<u64>,
    pub each: bool,
    pub max_tokens: Option<u64>,
    /// `max_share` as a fraction (0.05 for "5%").
    pub max_share: Option<f64>,
    /// The limit in force: the smaller of `max_tokens` and `max_share` of the window.
    pub limit: u64,
    /// The largest file's tokens for a per-file budget, the sum for a summed one.
    pub tokens: u64,
    /// The range of an estimated `tokens` (Claude, Gemini).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<EstimateRange>,
    /// `limit - tokens` (for an estimate, `limit - estimate.high`); negative when over.
    pub headroom: i64,
    pub status: Status,
    pub files: Vec<FileResult>,
    /// Why the budget is in error (`status: "error"`).
    pub errors: Vec<String>,
}

impl BudgetResult {
    pub fn passed(&self) -> bool {
        matches!(self.status, Status::Pass | Status::Empty)
    }
    /// Tokens over the limit, when over.
    pub fn over_by(&self) -> Option<u64> {
        (self.headroom < 0).then_some(self.headroom.unsigned_abs())
    }
}

/// A matched file that was not counted because it looks binary or is not UTF-8.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// The result of checking every budget of a config.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub budgets: Vec<BudgetResult>,
    pub skipped: Vec<Skipped>,
}

impl CheckReport {
    pub fn over(&self) -> usize {
        self.count(Status::Over)
    }
    pub fn errors(&self) -> usize {
        self.count(Status::Error)
    }
    fn count(&self, s: Status) -> usize {
        self.budgets.iter().filter(|b| b.status == s).count()
    }
}

/// The tokenizer a budget counts with: its encoding, or a tokenizer file (by path).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TokKey {
    Encoding(Encoding),
    File(PathBuf),
}

/// How a file is counted for a budget: its tokenizer, the model's message rule and whether the
/// provider is Anthropic (its image formula), as `count` does for the same model.
type How = (TokKey, MessageRule, bool);
type Counts = HashMap<(PathBuf, How), Result<(&'static str, u64, ContentKind), FileProblem>>;

fn how(budget: &Budget) -> How {
    let key = match &budget.tokenizer {
        Some(t) => TokKey::File(
            t.file()
                .map_or_else(|| t.name().into(), |f| f.path().into()),
        ),
        None => TokKey::Encoding(budget.encoding),
    };
    (
        key,
        budget.message_rule,
        budget.provider.as_deref() == Some("anthropic"),
    )
}

/// The tokenizer a budget counts with.
fn budget_tokenizer(b: &Budget) -> &Tokenizer {
    match &b.tokenizer {
        Some(t) => t,
        None => b.encoding.tokenizer(),
    }
}

#[derive(Debug, Clone)]
enum FileProblem {
    Skipped(String),
    Error(String),
}

/// Check every budget of `config` against the files below `root` (the config's directory).
/// Files are counted once per encoding, in parallel.
pub fn evaluate(root: &Path, config: &Config) -> CheckReport {
    let matched: Vec<(Vec<MatchedFile>, Vec<String>)> =
        config.budgets.iter().map(|b| find_files(root, b)).collect();
    let mut jobs: Vec<(MatchedFile, How, &Tokenizer)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (budget, (files, _)) in config.budgets.iter().zip(&matched) {
        for f in files {
            if seen.insert((f.path.clone(), how(budget))) {
                jobs.push((f.clone(), how(budget), budget_tokenizer(budget)));
            }
        }
    }
    let counts = count_parallel(&jobs);

    let mut skipped: Vec<Skipped> = Vec::new();
    let mut budgets = Vec::new();
    for (budget, (files, walk_errors)) in config.budgets.iter().zip(matched) {
        let mut errors = walk_errors;
        let mut results = Vec::new();
        for f in &files {
            match counts.get(&(f.path.clone(), how(budget))) {
                Some(Ok((kind, tokens, content))) => {
                    let (tokens, estimate) = match budget.estimate {
                        Some(rule) => {
                            let (point, e) = rule.estimate(*tokens, *content);
                            (point, Some(e))
                        }
                        None => (*tokens, None),
                    };
                    results.push(FileResult {
                        path: f.rel.clone(),
                        kind,
                        tokens,
                        estimate,
                        over_by: None,
                        over_at_line: None,
                    })
                }
                Some(Err(FileProblem::Skipped(reason))) => {
                    if !skipped.iter().any(|s| s.path == f.rel) {
                        skipped.push(Skipped {
                            path: f.rel.clone(),
                            reason: reason.clone(),
                        });
                    }
                }
                Some(Err(FileProblem::Error(e))) => errors.push(e.clone()),
                None => errors.push(format!("{}: not counted", f.rel)),
            }
        }
        if files.is_empty() && !budget.allow_empty {
            errors.push(format!(
                "budget \"{}\" matches no file (a renamed or deleted prompt?); set allow_empty \
                 = true if that is expected",
                budget.pattern
            ));
        }
        // An estimate is compared with the limit by its high end.
        let (tokens, estimate) = if budget.each {
            let top = results.iter().max_by_key(|r| (r.upper(), r.tokens));
            (
                top.map_or(0, |r| r.tokens),
                top.and_then(|r| r.estimate.clone()),
            )
        } else {
            let estimate = budget.estimate.and_then(|_| {
                results
                    .iter()
                    .filter_map(|r| r.estimate.clone())
                    .reduce(|a, b| a.add(&b))
            });
            (results.iter().map(|r| r.tokens).sum(), estimate)
        };
        let upper = estimate.as_ref().map_or(tokens, |e| e.high);
        if budget.each {
            for r in &mut results {
                r.over_by = r.upper().checked_sub(budget.limit).filter(|d| *d > 0);
                if r.over_by.is_some() && r.kind == "text" && budget.estimate.is_none() {
                    r.over_at_line = files
                        .iter()
                        .find(|f| f.rel == r.path)
                        .and_then(|f| over_at_line(f, budget_tokenizer(budget), budget.limit));
                }
            }
        }
        let headroom = budget.limit as i64 - upper as i64;
        let status = if !errors.is_empty() {
            Status::Error
        } else if headroom < 0 {
            Status::Over
        } else if files.is_empty() {
            Status::Empty
        } else {
            Status::Pass
        };
        budgets.push(BudgetResult {
            name: budget.name.clone(),
            path: budget.pattern.clone(),
            line: budget.location.line,
            column: budget.location.column,
            model: budget.model.clone(),
            encoding: budget.tokenizer.is_none().then_some(budget.encoding),
            tokenizer: budget.tokenizer.as_ref().map(|t| t.name()),
            approximate: budget.approximate.is_some(),
            approximation: budget.approximate.clone(),
            basis: budget.approximate.as_ref().map(|_| budget.encoding.name()),
            context_window: budget.context_window,
            each: budget.each,
            max_tokens: budget.max_tokens,
            max_share: budget.max_share.as_ref().map(Share::fraction),
            limit: budget.limit,
            tokens,
            estimate,
            headroom,
            status,
            files: results,
            errors,
        });
    }
    CheckReport { budgets, skipped }
}

/// The line of `file` where a budget of `limit` tokens runs out: the line of the first byte
/// after the longest prefix that fits.
fn over_at_line(file: &MatchedFile, tok: &Tokenizer, limit: u64) -> Option<usize> {
    let source = Source::File {
        path: file.path.clone(),
        walked: file.walked,
    };
    let Ok(Loaded::Text(text)) = input::load(&source) else {
        return None;
    };
    let limit = usize::try_from(limit).ok()?;
    let fits = tok.truncate(&text, limit);
    Some(fits.matches('\n').count() + 1)
}

fn count_parallel(jobs: &[(MatchedFile, How, &Tokenizer)]) -> Counts {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Counts> = Mutex::new(HashMap::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((file, how, tok)) = jobs.get(i) else {
                        break;
                    };
                    let r = count_file(file, tok, how);
                    if let Ok(mut m) = results.lock() {
                        m.insert((file.path.clone(), how.clone()), r);
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

fn count_file(
    file: &MatchedFile,
    tok: &Tokenizer,
    (_, rule, anthropic): &How,
) -> Result<(&'static str, u64, ContentKind), FileProblem> {
    // Matched as a regular file; if it was replaced since (by a FIFO or a device), do not read.
    if let Ok(m) = std::fs::metadata(&file.path)
        && !m.is_file()
    {
        return Err(FileProblem::Error(format!(
            "{} is {}; budgets read only regular files",
            file.rel,
            file_kind(&m.file_type())
        )));
    }
    let source = Source::File {
        path: file.path.clone(),
        walked: file.walked,
    };
    let text = match input::load(&source) {
        Ok(Loaded::Text(t)) => t,
        Ok(Loaded::Binary(why)) => return Err(FileProblem::Skipped(why)),
        Err(e) => {
            // Name the file relative to the config, not by its absolute path.
            let msg = format!("{e:#}");
            let shown = file.path.display().to_string();
            return Err(FileProblem::Error(msg.replace(&shown, &file.rel)));
        }
    };
    let opts = Options {
        rule: *rule,
        base_dir: file
            .path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        provider: anthropic.then(|| "anthropic".to_string()),
    };
    match count_document_on(tok, &opts, &text, Mode::Auto, 0, 1) {
        Ok(_) if tok.failure().is_some() => Err(FileProblem::Error(format!(
            "{}: {}",
            file.rel,
            tok.failure().unwrap_or_default()
        ))),
        Ok(c) => Ok((c.kind(), c.tokens(), estimate::classify(&text))),
        Err(e) => Err(FileProblem::Error(format!("{}: {e}", file.rel))),
    }
}
