//! Usage-log scanning: the core of `tokenbudget scan-logs`.
//!
//! * [`record`]: one JSONL line → one usage record, for every recognised format.
//! * this module: inputs (files, `.gz`/`.zst`, directories, stdin), splitting large plain files
//!   at line boundaries into ranges read in parallel, duplicate dropping, and the report.
//! * [`agg`]: per-worker aggregates with an associative merge.
//! * [`detect`]: spike days, bursts and loops.
//! * [`time`]: timestamps and fixed-offset time zones.
//!
//! Memory: constant in the input size except for (1) one entry per distinct group, model, day
//! and user, (2) ~16 bytes per record that carries a response id (a set of 64-bit id hashes) and
//! (3) 20 bytes per timestamped record for the per-user time-ordered detectors (bursts, loops).

pub mod agg;
pub mod detect;
mod fast;
pub mod record;
pub mod summary;
pub mod time;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::catalog::{Catalog, Model};
use crate::pricing::{self, Money};
use agg::{Agg, Bucket, Contribution, Event, FxMap, Loc, Outlier, Tokens, Totals, UNPRICED};
pub use detect::{Burst, Loop, LoopRule, Rate, Spike};
pub use record::{ErrKind, FieldOverrides, Format};
use record::{Parsed, Record};
pub use time::Tz;

/// A dimension of `--by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    User,
    Feature,
    Model,
    Day,
    Hour,
    Session,
    Project,
    Format,
    /// Any other field, as a dotted path into the record's JSON.
    Field(String),
}

impl GroupBy {
    pub fn parse(s: &str) -> Result<GroupBy, String> {
        Ok(match s.trim() {
            "user" => GroupBy::User,
            "feature" => GroupBy::Feature,
            "model" => GroupBy::Model,
            "day" | "date" => GroupBy::Day,
            "hour" => GroupBy::Hour,
            "session" => GroupBy::Session,
            "project" => GroupBy::Project,
            "format" => GroupBy::Format,
            "" => return Err("empty --by field".into()),
            other => GroupBy::Field(other.to_string()),
        })
    }

    pub fn name(&self) -> &str {
        match self {
            GroupBy::User => "user",
            GroupBy::Feature => "feature",
            GroupBy::Model => "model",
            GroupBy::Day => "day",
            GroupBy::Hour => "hour",
            GroupBy::Session => "session",
            GroupBy::Project => "project",
            GroupBy::Format => "format",
            GroupBy::Field(f) => f,
        }
    }
}

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub by: Vec<GroupBy>,
    pub tz: Tz,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub fields: FieldOverrides,
    /// Outlier threshold as a share of the model's context window (0.9 = 90%).
    pub window_share: f64,
    /// Outlier threshold in tokens (prompt + output).
    pub max_tokens: Option<u64>,
    /// Rows of tables and lists kept.
    pub top: usize,
    pub spike_factor: f64,
    pub spike_days: u32,
    pub burst: Option<Rate>,
    pub burst_tokens: Option<Rate>,
    pub loops: LoopRule,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Plain files larger than this are split into ranges of about this size.
    pub chunk_bytes: u64,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            by: Vec::new(),
            tz: Tz::UTC,
            since: None,
            until: None,
            fields: FieldOverrides::default(),
            window_share: 0.9,
            max_tokens: None,
            top: 10,
            spike_factor: 2.0,
            spike_days: 7,
            burst: Some(Rate {
                amount: 500,
                window: 600,
            }),
            burst_tokens: None,
            loops: LoopRule {
                min_requests: 10,
                max_gap: 60,
                tolerance: 0.02,
            },
            threads: 0,
            chunk_bytes: 32 << 20,
        }
    }
}

/// An input to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

// ---------------------------------------------------------------------------------------
// The report.

#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineProblem {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub count: u64,
    pub by_reason: BTreeMap<String, u64>,
    /// The first few, in input order.
    pub examples: Vec<LineProblem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimeRange {
    pub first: String,
    pub last: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnpricedModel {
    /// The model name as logged (`(none)` when the record names no model).
    pub model: String,
    pub requests: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unpriced {
    pub requests: u64,
    pub models: Vec<UnpricedModel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub key: BTreeMap<String, String>,
    /// The key values in `--by` order (for tables).
    #[serde(skip)]
    pub values: Vec<String>,
    pub requests: u64,
    pub tokens: Tokens,
    pub cost: Money,
    pub unpriced_requests: u64,
    pub failed_requests: u64,
    pub largest_request: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BucketRow {
    /// `2026-03-01`, or `2026-03-01 14:00` for hours.
    pub period: String,
    pub requests: u64,
    pub tokens: u64,
    pub cost: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlierRow {
    pub file: String,
    pub line: u64,
    pub time: Option<String>,
    pub user: Option<String>,
    pub model: Option<String>,
    pub prompt_tokens: u64,
    pub total_tokens: u64,
    pub context_window: Option<u64>,
    pub window_share: Option<f64>,
    pub cost: Option<Money>,
    pub error: Option<ErrKind>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outliers {
    pub window_share: f64,
    pub max_tokens: Option<u64>,
    pub count: u64,
    pub tokens: u64,
    pub cost: Money,
    /// The largest, at most `--top`.
    pub largest: Vec<OutlierRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpikeRow {
    pub day: String,
    pub tokens: u64,
    pub trailing_average: u64,
    pub ratio: f64,
    pub requests: u64,
    pub cost: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpanRow {
    pub user: String,
    pub start: String,
    pub end: String,
    pub requests: u64,
    pub tokens: u64,
    pub cost: Money,
    pub unpriced_requests: u64,
    pub failed: u64,
    pub errors: BTreeMap<ErrKind, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BurstRow {
    /// `requests` or `tokens`.
    pub by: &'static str,
    pub limit: String,
    /// The most requests (or tokens) in one window.
    pub peak: u64,
    #[serde(flatten)]
    pub span: SpanRow,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoopRow {
    /// Prompt size of the run's first request.
    pub prompt_tokens: u64,
    #[serde(flatten)]
    pub span: SpanRow,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub tz: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub window_share: f64,
    pub max_tokens: Option<u64>,
    pub spike_factor: f64,
    pub spike_days: u32,
    pub burst: Option<String>,
    pub burst_tokens: Option<String>,
    pub loop_min_requests: usize,
    pub loop_max_gap_seconds: u32,
    pub loop_tolerance: f64,
}

/// Everything `scan` found. Serialized as the `--json` document.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub settings: Settings,
    pub files: u64,
    pub files_skipped: Vec<FileProblem>,
    pub bytes: u64,
    pub lines: u64,
    pub records: u64,
    pub duplicates: u64,
    /// Known non-usage lines (Claude Code user messages, summaries, …).
    pub ignored: u64,
    /// Records outside `--since`/`--until` (or without a time when either is given).
    pub filtered: u64,
    /// Records without a timestamp: counted, but not in per-day reports or detectors.
    pub untimed: u64,
    /// Records whose cost came from their own cost field.
    pub own_cost: u64,
    pub skipped: Skipped,
    pub formats: BTreeMap<Format, u64>,
    pub time_range: Option<TimeRange>,
    pub tokens: Tokens,
    /// Cost of the priced records.
    pub cost: Money,
    pub unpriced: Unpriced,
    pub errors: BTreeMap<ErrKind, u64>,
    pub by: Vec<String>,
    /// Number of groups (rows are cut to `--top`).
    pub group_count: usize,
    pub groups: Vec<GroupRow>,
    pub days: Vec<BucketRow>,
    pub hours: Option<Vec<BucketRow>>,
    pub outliers: Outliers,
    pub spikes: Vec<SpikeRow>,
    pub bursts: Vec<BurstRow>,
    pub loops: Vec<LoopRow>,
    /// outliers + spikes + bursts + loops found.
    pub alerts: u64,
}

// ---------------------------------------------------------------------------------------
// Inputs and work items.

struct FileInfo {
    label: String,
    path: Option<PathBuf>,
    /// Claude Code project (the folder under `projects/`, else the parent folder).
    project: Option<String>,
}

enum Source {
    /// A byte range of a plain file (starts at a line start).
    Range {
        start: u64,
        end: u64,
    },
    /// A whole file, maybe compressed, read sequentially.
    Whole,
    Stdin,
}

struct Item {
    file: usize,
    source: Source,
    size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Sniff compression from magic bytes; other compressions are an error.
fn sniff(head: &[u8], path: &Path) -> Result<Compression, String> {
    if head.starts_with(&[0x1f, 0x8b]) {
        return Ok(Compression::Gzip);
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Ok(Compression::Zstd);
    }
    let magic: [(&[u8], &str); 6] = [
        (b"BZh", "bzip2"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0], "xz"),
        (b"PK\x03\x04", "zip"),
        (&[0x04, 0x22, 0x4d, 0x18], "lz4"),
        (b"7z\xbc\xaf", "7z"),
        (&[0x5d, 0, 0], "lzma"),
    ];
    for (m, name) in magic {
        if head.starts_with(m) {
            return Err(format!("unsupported compression ({name}); use .gz or .zst"));
        }
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "gz" | "gzip" => Err("not gzip data".into()),
        "zst" | "zstd" => Err("not zstd data".into()),
        "bz2" | "xz" | "lz4" | "zip" | "7z" | "br" | "lzma" | "z" => {
            Err(format!("unsupported compression (.{ext}); use .gz or .zst"))
        }
        _ => Ok(Compression::None),
    }
}

fn project_of(path: &Path) -> Option<String> {
    let comps: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    if let Some(i) = comps.iter().rposition(|c| *c == "projects")
        && i + 2 < comps.len()
    {
        return Some(comps[i + 1].to_string());
    }
    path.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .map(str::to_string)
}

/// Recursively list `*.jsonl*` files under `dir`, sorted; problems are reported, not fatal.
fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<FileProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(FileProblem {
                path: dir.display().to_string(),
                reason: format!("cannot read directory: {e}"),
            });
            return;
        }
    };
    let mut list: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    list.sort();
    for p in list {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, files, problems),
            Ok(_) if name.contains(".jsonl") => files.push(p),
            Ok(_) => {}
            Err(e) if name.contains(".jsonl") => problems.push(FileProblem {
                path: p.display().to_string(),
                reason: format!("cannot read: {e}"),
            }),
            Err(_) => {}
        }
    }
}

/// The first byte after the first newline at or after `pos` (or `len`).
fn next_line_start(file: &mut File, pos: u64, len: u64) -> io::Result<u64> {
    file.seek(SeekFrom::Start(pos - 1))?;
    let mut buf = vec![0u8; 64 << 10];
    let mut at = pos - 1;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(len);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok((at + i as u64 + 1).min(len));
        }
        at += n as u64;
    }
}

fn plan(
    inputs: &[Input],
    chunk: u64,
    files: &mut Vec<FileInfo>,
    items: &mut Vec<Item>,
    problems: &mut Vec<FileProblem>,
) {
    let mut paths: Vec<PathBuf> = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => {
                files.push(FileInfo {
                    label: "-".into(),
                    path: None,
                    project: None,
                });
                items.push(Item {
                    file: files.len() - 1,
                    source: Source::Stdin,
                    size: 0,
                });
            }
            Input::Path(p) => match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => {
                    let mut found = Vec::new();
                    walk(p, &mut found, problems);
                    paths.extend(found);
                }
                Ok(_) => paths.push(p.clone()),
                Err(e) => problems.push(FileProblem {
                    path: p.display().to_string(),
                    reason: format!("cannot read: {e}"),
                }),
            },
        }
    }
    for path in paths {
        let label = path.display().to_string();
        let opened = File::open(&path).and_then(|mut f| {
            let len = f.metadata()?.len();
            let mut head = [0u8; 8];
            let mut n = 0;
            while n < head.len() {
                let k = f.read(&mut head[n..])?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            Ok((f, len, head[..n].to_vec()))
        });
        let (mut f, len, head) = match opened {
            Ok(x) => x,
            Err(e) => {
                problems.push(FileProblem {
                    path: label,
                    reason: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let comp = match sniff(&head, &path) {
            Ok(c) => c,
            Err(reason) => {
                problems.push(FileProblem {
                    path: label,
                    reason,
                });
                continue;
            }
        };
        let project = project_of(&path);
        files.push(FileInfo {
            label,
            path: Some(path),
            project,
        });
        let file = files.len() - 1;
        if comp != Compression::None || len <= chunk {
            items.push(Item {
                file,
                source: Source::Whole,
                size: len,
            });
            continue;
        }
        let mut start = 0;
        while start < len {
            let nominal = start + chunk;
            let end = if nominal >= len {
                len
            } else {
                match next_line_start(&mut f, nominal, len) {
                    Ok(e) => e,
                    Err(_) => len,
                }
            };
            items.push(Item {
                file,
                source: Source::Range { start, end },
                size: end - start,
            });
            start = end;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The per-worker scanner.

/// Duplicate detection across workers: sharded sets of id hashes.
struct Seen {
    shards: Vec<Mutex<HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>>>,
}

/// The ids are already hashes: use them as they are.
#[derive(Default)]
struct IdHasher(u64);
impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Seen {
    fn new() -> Seen {
        Seen {
            shards: (0..64).map(|_| Mutex::new(HashSet::default())).collect(),
        }
    }
    fn into_ids(self) -> Vec<u64> {
        self.shards
            .into_iter()
            .flat_map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect()
    }
    /// True the first time `h` is seen.
    fn first(&self, h: u64) -> bool {
        let shard = &self.shards[(h >> 58) as usize];
        shard.lock().unwrap_or_else(|e| e.into_inner()).insert(h)
    }
}

struct ModelInfo {
    model: Option<&'static Model>,
}

struct Worker<'o> {
    opts: &'o ScanOptions,
    catalog: &'static Catalog,
    seen: &'o Seen,
    agg: Agg,
    models: FxMap<Box<str>, ModelInfo>,
    /// The first few model names, searched linearly before the map (logs name few models).
    recent_models: Vec<(Box<str>, Option<&'static Model>)>,
    /// The day (and hour) being filled: logs are mostly in time order, so most records add to
    /// these without a map lookup; they are flushed into the maps when the period changes.
    cur_day: Option<(i64, Bucket)>,
    cur_hour: Option<(i64, Bucket)>,
    key: String,
    day_cache: (i64, String),
    hour_cache: (i64, String),
    needs_doc: bool,
    by_user_only: bool,
    by_day: bool,
    by_hour: bool,
}

const NONE: &str = "-";

impl<'o> Worker<'o> {
    fn new(opts: &'o ScanOptions, catalog: &'static Catalog, seen: &'o Seen) -> Worker<'o> {
        Worker {
            opts,
            catalog,
            seen,
            agg: Agg::default(),
            models: FxMap::default(),
            recent_models: Vec::new(),
            cur_day: None,
            cur_hour: None,
            key: String::new(),
            day_cache: (i64::MIN, String::new()),
            hour_cache: (i64::MIN, String::new()),
            needs_doc: !opts.fields.is_empty()
                || opts.by.iter().any(|b| matches!(b, GroupBy::Field(_))),
            by_user_only: opts.by == [GroupBy::User],
            by_day: opts.by.contains(&GroupBy::Day),
            by_hour: opts.by.contains(&GroupBy::Hour),
        }
    }

    fn model(&mut self, name: &str) -> Option<&'static Model> {
        if let Some((_, m)) = self.recent_models.iter().find(|(n, _)| &**n == name) {
            return *m;
        }
        if let Some(m) = self.models.get(name) {
            return m.model;
        }
        let model = self.catalog.lookup(name).ok();
        if self.recent_models.len() < 8 {
            self.recent_models.push((name.into(), model));
        } else {
            self.models.insert(name.into(), ModelInfo { model });
        }
        model
    }

    /// Add to the bucket of `period`, flushing the current one into `map` when it changes.
    fn bucket(
        cur: &mut Option<(i64, Bucket)>,
        map: &mut FxMap<i64, Bucket>,
        period: i64,
        c: &Contribution,
    ) {
        match cur {
            Some((p, b)) if *p == period => b.add(c),
            _ => {
                if let Some((p, b)) = cur.take() {
                    map.entry(p).or_default().merge(&b);
                }
                let mut b = Bucket::default();
                b.add(c);
                *cur = Some((period, b));
            }
        }
    }

    /// Flush the current buckets and return the aggregates.
    fn finish(mut self) -> Agg {
        if let Some((p, b)) = self.cur_day.take() {
            self.agg.days.entry(p).or_default().merge(&b);
        }
        if let Some((p, b)) = self.cur_hour.take() {
            self.agg.hours.entry(p).or_default().merge(&b);
        }
        self.agg.trim(self.opts.top);
        self.agg
    }

    fn line(&mut self, line: &[u8], loc: Loc, project: Option<&str>, unterminated: bool) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // a byte order mark (logs written on Windows) is not part of the record
        let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let doc: Option<serde_json::Value> = if self.needs_doc {
            serde_json::from_slice(line).ok()
        } else {
            None
        };
        match record::parse_line(line, &self.opts.fields, doc.as_ref()) {
            Err(skip) => {
                if unterminated && skip.kind == "malformed JSON" {
                    self.agg.skip(
                        loc,
                        "truncated last line",
                        "truncated last line (no newline at end of file)".into(),
                    );
                } else {
                    self.agg.skip(loc, skip.kind, skip.detail);
                }
            }
            Ok(Parsed::Ignored) => self.agg.ignored += 1,
            Ok(Parsed::Record(r)) => self.record(r, loc, project, doc.as_ref()),
        }
    }

    fn record(
        &mut self,
        mut r: Record<'_>,
        loc: Loc,
        project: Option<&str>,
        doc: Option<&serde_json::Value>,
    ) {
        if let Some(h) = r.dedupe
            && !self.seen.first(h)
        {
            self.agg.duplicates += 1;
            return;
        }
        if self.opts.since.is_some() || self.opts.until.is_some() {
            let inside = r.time.is_some_and(|t| {
                self.opts.since.is_none_or(|s| t >= s) && self.opts.until.is_none_or(|u| t < u)
            });
            if !inside {
                self.agg.filtered += 1;
                return;
            }
        }
        if r.format == Some(Format::ClaudeCode) && r.project.is_none() {
            r.project = project.map(|p| Cow::Owned(p.to_string()));
        }
        let agg = &mut self.agg;
        agg.records += 1;
        if let Some(f) = r.format {
            *agg.formats.entry(f).or_default() += 1;
        }
        if let Some(e) = r.error {
            *agg.errors.entry(e).or_default() += 1;
        }
        let tokens = Tokens::of(&r.usage, r.reasoning);
        let model = r.model.as_deref().and_then(|n| self.model(n));
        let cost = if r.cost.is_some() {
            self.agg.own_cost += 1;
            r.cost
        } else if tokens.total == 0 {
            Some(Money::ZERO)
        } else {
            model.and_then(|m| pricing::cost(m, &r.usage, r.batch).ok().map(|c| c.total))
        };
        let agg = &mut self.agg;
        if cost.is_none() {
            let name = r.model.as_deref().unwrap_or("(none)");
            match agg.unpriced.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    agg.unpriced.insert(name.into(), 1);
                }
            }
        }
        let c = Contribution {
            tokens,
            prompt: r.usage.prompt_tokens(),
            cost,
            error: r.error,
        };
        agg.totals.add(&c);
        let mut grouped = false;
        match r.time {
            Some(t) => {
                agg.first = Some(agg.first.map_or(t, |f| f.min(t)));
                agg.last = Some(agg.last.map_or(t, |l| l.max(t)));
                Self::bucket(&mut self.cur_day, &mut agg.days, self.opts.tz.day(t), &c);
                if self.by_hour {
                    Self::bucket(&mut self.cur_hour, &mut agg.hours, self.opts.tz.hour(t), &c);
                }
                let user = r.user.as_deref().or(r.session.as_deref()).unwrap_or(NONE);
                let kind = match (cost, r.error) {
                    (None, _) => UNPRICED,
                    (_, Some(e)) => {
                        1 + ErrKind::ALL.iter().position(|k| *k == e).unwrap_or(6) as u8
                    }
                    _ => 0,
                };
                let ev = Event::new(
                    u32::try_from(t.max(0)).unwrap_or(u32::MAX),
                    u32::try_from(c.prompt).unwrap_or(u32::MAX),
                    tokens.total,
                    kind,
                    cost.map_or(0, |m| u64::try_from(m.femto()).unwrap_or(u64::MAX)),
                );
                // with `--by user` alone, a record with a user is grouped under that same key
                let group_here =
                    self.by_user_only && r.user.as_deref().is_some_and(|u| !u.contains('\u{1f}'));
                let entry = match agg.users.get_mut(user) {
                    Some(u) => u,
                    None => agg.users.entry(user.into()).or_default(),
                };
                // grow by half, not double: these vectors are most of the memory
                if entry.events.len() == entry.events.capacity() {
                    entry.events.reserve_exact((entry.events.len() / 2).max(8));
                }
                entry.events.push(ev);
                if group_here {
                    entry.group.add(&c);
                    grouped = true;
                }
            }
            None => agg.untimed += 1,
        }
        // outliers
        let window = model.and_then(|m| m.context_window);
        let over_window =
            window.is_some_and(|w| w > 0 && c.prompt as f64 > self.opts.window_share * w as f64);
        let over_max = self.opts.max_tokens.is_some_and(|m| tokens.total > m);
        if over_window || over_max {
            let o = Outlier {
                loc,
                time: r.time,
                user: r.user.as_deref().map(str::to_string),
                model: r.model.as_deref().map(str::to_string),
                prompt: c.prompt,
                total: tokens.total,
                context_window: window,
                cost,
                error: r.error,
            };
            self.agg.add_outlier(o, &c, self.opts.top);
        }
        // groups
        if self.opts.by.is_empty() || grouped {
            return;
        }
        self.key.clear();
        for (i, dim) in self.opts.by.iter().enumerate() {
            if i > 0 {
                self.key.push('\u{1f}');
            }
            let v: Option<Cow<'_, str>> = match dim {
                GroupBy::User => r.user.as_deref().map(Cow::Borrowed),
                GroupBy::Feature => r.feature.as_deref().map(Cow::Borrowed),
                GroupBy::Model => r.model.as_deref().map(Cow::Borrowed),
                GroupBy::Session => r.session.as_deref().map(Cow::Borrowed),
                GroupBy::Project => r.project.as_deref().map(Cow::Borrowed),
                GroupBy::Format => r.format.map(|f| Cow::Borrowed(f.name())),
                GroupBy::Day if self.by_day => r.time.map(|t| {
                    let d = self.opts.tz.day(t);
                    if self.day_cache.0 != d {
                        self.day_cache = (d, Tz::format_day(d));
                    }
                    Cow::Owned(self.day_cache.1.clone())
                }),
                GroupBy::Hour => r.time.map(|t| {
                    let h = self.opts.tz.hour(t);
                    if self.hour_cache.0 != h {
                        self.hour_cache = (h, Tz::format_hour(h));
                    }
                    Cow::Owned(self.hour_cache.1.clone())
                }),
                GroupBy::Day => None,
                GroupBy::Field(path) => doc
                    .and_then(|d| record::lookup_path(d, path))
                    .and_then(record::value_text)
                    .map(Cow::Owned),
            };
            let v = v.as_deref().unwrap_or(NONE);
            // the separator cannot appear inside a value
            if v.contains('\u{1f}') {
                self.key.push_str(&v.replace('\u{1f}', " "));
            } else {
                self.key.push_str(v);
            }
        }
        match self.agg.groups.get_mut(self.key.as_str()) {
            Some(t) => t.add(&c),
            None => {
                let mut t = Totals::default();
                t.add(&c);
                self.agg.groups.insert(self.key.as_str().into(), t);
            }
        }
    }

    /// Read lines from `r`, counting them in `item`; returns the number of lines.
    fn read(
        &mut self,
        item: u32,
        mut r: impl Read,
        project: Option<&str>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> io::Result<u64> {
        const BLOCK: usize = 1 << 20;
        let mut buf: Vec<u8> = vec![0; 4 * BLOCK];
        let mut filled = 0usize;
        let mut line_no = 0u64;
        loop {
            if buf.len() - filled < BLOCK {
                buf.resize(buf.len() * 2, 0);
            }
            let n = match r.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.agg.item_lines.insert(item, line_no);
                    return Err(e);
                }
            };
            progress(n as u64);
            if n == 0 {
                if filled > 0 {
                    line_no += 1;
                    let rest = std::mem::take(&mut buf);
                    self.line(
                        &rest[..filled],
                        Loc {
                            item,
                            line: line_no,
                        },
                        project,
                        true,
                    );
                }
                self.agg.item_lines.insert(item, line_no);
                return Ok(line_no);
            }
            let end = filled + n;
            let mut start = 0usize;
            for nl in memchr::memchr_iter(b'\n', &buf[filled..end]) {
                let pos = filled + nl;
                line_no += 1;
                self.line(
                    &buf[start..pos],
                    Loc {
                        item,
                        line: line_no,
                    },
                    project,
                    false,
                );
                start = pos + 1;
            }
            buf.copy_within(start..end, 0);
            filled = end - start;
        }
    }
}

/// Counts bytes read from the underlying (maybe compressed) file for the progress bar.
struct Counting<'p, R> {
    inner: R,
    progress: &'p (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

fn no_progress(_: u64) {}

/// The reading end of [`pipelined`]: blocks of decompressed bytes from another thread.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    cur: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(v)) => {
                    self.cur = v;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Decompress on a helper thread while `consume` parses on this one: a compressed file cannot
/// be split, but inflating and parsing can overlap.
fn pipelined<R: Read + Send, T>(r: R, consume: impl FnOnce(&mut ChannelReader) -> T) -> T {
    const BLOCK: usize = 1 << 20;
    let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(8);
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut r = r;
            loop {
                let mut v = vec![0u8; BLOCK];
                let mut n = 0;
                let mut failed = None;
                while n < BLOCK {
                    match r.read(&mut v[n..]) {
                        Ok(0) => break,
                        Ok(k) => n += k,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                v.truncate(n);
                let last = n < BLOCK;
                if n > 0 && tx.send(Ok(v)).is_err() {
                    return;
                }
                if let Some(e) = failed {
                    let _ = tx.send(Err(e));
                    return;
                }
                if last {
                    return;
                }
            }
        });
        let mut reader = ChannelReader {
            rx,
            cur: Vec::new(),
            pos: 0,
            done: false,
        };
        consume(&mut reader)
    })
}

fn run_item(
    w: &mut Worker<'_>,
    idx: u32,
    item: &Item,
    file: &FileInfo,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), String> {
    let project = file.project.as_deref();
    let result = match &item.source {
        Source::Stdin => {
            use io::BufRead;
            let mut lock = io::BufReader::with_capacity(1 << 20, io::stdin());
            match lock.fill_buf().map(|head| sniff(head, Path::new("-"))) {
                Err(e) => Err(e),
                Ok(Err(reason)) => Err(io::Error::other(reason)),
                Ok(Ok(Compression::None)) => w.read(idx, lock, project, progress),
                Ok(Ok(Compression::Gzip)) => {
                    let dec = flate2::bufread::MultiGzDecoder::new(lock);
                    pipelined(dec, |r| w.read(idx, r, project, progress))
                }
                Ok(Ok(Compression::Zstd)) => zstd::Decoder::with_buffer(lock)
                    .and_then(|d| pipelined(d, |r| w.read(idx, r, project, progress))),
            }
        }
        Source::Range { start, end } => {
            let path = file.path.as_ref().expect("a range has a path");
            File::open(path).and_then(|mut f| {
                f.seek(SeekFrom::Start(*start))?;
                w.read(idx, f.take(end - start), project, progress)
            })
        }
        Source::Whole => {
            let path = file.path.as_ref().expect("a whole file has a path");
            File::open(path).and_then(|mut f| {
                let mut head = [0u8; 8];
                let n = f.read(&mut head)?;
                f.seek(SeekFrom::Start(0))?;
                let comp = sniff(&head[..n], path).map_err(io::Error::other)?;
                match comp {
                    Compression::None => w.read(idx, f, project, progress),
                    Compression::Gzip => {
                        let counted = io::BufReader::with_capacity(
                            256 << 10,
                            Counting { inner: f, progress },
                        );
                        let dec = flate2::bufread::MultiGzDecoder::new(counted);
                        pipelined(dec, |r| w.read(idx, r, project, &no_progress))
                    }
                    Compression::Zstd => {
                        let counted = Counting { inner: f, progress };
                        let dec = zstd::Decoder::new(counted)?;
                        pipelined(dec, |r| w.read(idx, r, project, &no_progress))
                    }
                }
            })
        }
    };
    result.map(|_| ()).map_err(|e| {
        let lines = w.agg.item_lines.get(&idx).copied().unwrap_or(0);
        if lines > 0 {
            format!("read error after line {lines}: {e}")
        } else {
            format!("cannot read: {e}")
        }
    })
}

/// Total size in bytes of the inputs (compressed sizes), for a progress bar.
pub fn input_size(inputs: &[Input]) -> u64 {
    let mut total = 0;
    for i in inputs {
        if let Input::Path(p) = i {
            match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => {
                    let mut files = Vec::new();
                    walk(p, &mut files, &mut Vec::new());
                    total += files
                        .iter()
                        .filter_map(|f| std::fs::metadata(f).ok())
                        .map(|m| m.len())
                        .sum::<u64>();
                }
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Scan `inputs`. `progress` is called with byte counts as input is read (from any thread).
pub fn scan(
    inputs: &[Input],
    opts: &ScanOptions,
    catalog: &'static Catalog,
    progress: &(dyn Fn(u64) + Sync),
) -> ScanReport {
    scan_raw(inputs, opts, catalog, progress).finish(opts)
}

/// What a scan accumulated before the report is built: what a partial summary
/// ([`summary`]) holds.
pub struct Raw {
    agg: Agg,
    files: Vec<FileInfo>,
    items: Vec<Item>,
    problems: Vec<FileProblem>,
    bytes: u64,
    /// The id hashes seen (for duplicate dropping), in no order.
    ids: Vec<u64>,
}

impl Raw {
    /// The report of this scan.
    pub fn finish(self, opts: &ScanOptions) -> ScanReport {
        finish(
            self.agg,
            opts,
            &self.files,
            &self.items,
            self.problems,
            self.bytes,
        )
    }
}

/// Scan `inputs` into aggregates (see [`scan`]).
pub fn scan_raw(
    inputs: &[Input],
    opts: &ScanOptions,
    catalog: &'static Catalog,
    progress: &(dyn Fn(u64) + Sync),
) -> Raw {
    let mut files = Vec::new();
    let mut items = Vec::new();
    let mut problems = Vec::new();
    plan(
        inputs,
        opts.chunk_bytes.max(1 << 16),
        &mut files,
        &mut items,
        &mut problems,
    );
    let bytes: u64 = items.iter().map(|i| i.size).sum();
    // largest first, for balance
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(items[i].size));
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    }
    .clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let seen = Seen::new();
    let errors: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let aggs: Vec<Agg> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut w = Worker::new(opts, catalog, &seen);
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(k) else { break };
                        let item = &items[i];
                        if let Err(e) =
                            run_item(&mut w, i as u32, item, &files[item.file], progress)
                        {
                            errors
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push((item.file, e));
                        }
                    }
                    w.finish()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("scan worker panicked"))
            .collect()
    });
    let mut agg = Agg::default();
    for a in aggs {
        agg.merge(a, opts.top);
    }
    let mut errs = errors.into_inner().unwrap_or_else(|e| e.into_inner());
    errs.sort();
    errs.dedup_by_key(|e| e.0);
    for (f, reason) in errs {
        problems.push(FileProblem {
            path: files[f].label.clone(),
            reason,
        });
    }
    Raw {
        agg,
        files,
        items,
        problems,
        bytes,
        ids: seen.into_ids(),
    }
}

fn finish(
    mut agg: Agg,
    opts: &ScanOptions,
    files: &[FileInfo],
    items: &[Item],
    files_skipped: Vec<FileProblem>,
    bytes: u64,
) -> ScanReport {
    let tz = opts.tz;
    agg.fold_user_groups();
    // item-local line numbers → file line numbers
    let mut offset = vec![0u64; items.len()];
    let mut per_file: Vec<u64> = vec![0; files.len()];
    for (i, item) in items.iter().enumerate() {
        offset[i] = per_file[item.file];
        per_file[item.file] += agg.item_lines.get(&(i as u32)).copied().unwrap_or(0);
    }
    let lines: u64 = per_file.iter().sum();
    let locate = |loc: Loc| -> (String, u64) {
        let item = &items[loc.item as usize];
        (
            files[item.file].label.clone(),
            offset[loc.item as usize] + loc.line,
        )
    };
    let examples = agg
        .skip_examples
        .iter()
        .map(|e| {
            let (file, line) = locate(e.loc);
            LineProblem {
                file,
                line,
                reason: e.reason.clone(),
            }
        })
        .collect();
    let skipped = Skipped {
        count: agg.skipped.values().sum(),
        by_reason: agg
            .skipped
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        examples,
    };
    // groups
    let mut groups: Vec<GroupRow> = agg
        .groups
        .iter()
        .map(|(k, t)| {
            let values: Vec<String> = k.split('\u{1f}').map(str::to_string).collect();
            GroupRow {
                key: opts
                    .by
                    .iter()
                    .map(|b| b.name().to_string())
                    .zip(values.iter().cloned())
                    .collect(),
                values,
                requests: t.requests,
                tokens: t.tokens,
                cost: t.cost,
                unpriced_requests: t.unpriced,
                failed_requests: t.errors,
                largest_request: t.largest,
            }
        })
        .collect();
    let time_dims = opts
        .by
        .iter()
        .all(|b| matches!(b, GroupBy::Day | GroupBy::Hour));
    if time_dims {
        groups.sort_by(|a, b| a.values.cmp(&b.values));
    } else {
        groups.sort_by(|a, b| {
            b.cost
                .cmp(&a.cost)
                .then(b.tokens.total.cmp(&a.tokens.total))
                .then(a.values.cmp(&b.values))
        });
    }
    let group_count = groups.len();
    if !time_dims {
        groups.truncate(opts.top);
    }
    let days_map: BTreeMap<i64, Bucket> = agg.days.iter().map(|(k, v)| (*k, *v)).collect();
    let days: Vec<BucketRow> = days_map
        .iter()
        .map(|(d, b)| BucketRow {
            period: Tz::format_day(*d),
            requests: b.requests,
            tokens: b.tokens,
            cost: b.cost,
        })
        .collect();
    let hours = opts.by.contains(&GroupBy::Hour).then(|| {
        let mut h: Vec<(i64, Bucket)> = agg.hours.iter().map(|(k, v)| (*k, *v)).collect();
        h.sort_by_key(|x| x.0);
        h.into_iter()
            .map(|(k, b)| BucketRow {
                period: Tz::format_hour(k),
                requests: b.requests,
                tokens: b.tokens,
                cost: b.cost,
            })
            .collect()
    });
    // outliers
    agg.outlier_list
        .sort_by(|a, b| b.total.cmp(&a.total).then(a.loc.cmp(&b.loc)));
    let largest = agg
        .outlier_list
        .iter()
        .map(|o| {
            let (file, line) = locate(o.loc);
            OutlierRow {
                file,
                line,
                time: o.time.map(|t| tz.format(t)),
                user: o.user.clone(),
                model: o.model.clone(),
                prompt_tokens: o.prompt,
                total_tokens: o.total,
                context_window: o.context_window,
                window_share: o
                    .context_window
                    .filter(|w| *w > 0)
                    .map(|w| (o.prompt as f64 / w as f64 * 1000.0).round() / 1000.0),
                cost: o.cost,
                error: o.error,
            }
        })
        .collect();
    let outliers = Outliers {
        window_share: opts.window_share,
        max_tokens: opts.max_tokens,
        count: agg.outliers.requests,
        tokens: agg.outliers.tokens.total,
        cost: agg.outliers.cost,
        largest,
    };
    let spikes: Vec<SpikeRow> = detect::spikes(&days_map, opts.spike_factor, opts.spike_days)
        .into_iter()
        .map(|s| SpikeRow {
            day: Tz::format_day(s.day),
            tokens: s.tokens,
            trailing_average: s.trailing_average,
            ratio: s.ratio,
            requests: s.requests,
            cost: s.cost,
        })
        .collect();
    // per-user detectors
    let mut users: Vec<(Box<str>, Vec<Event>)> =
        agg.users.drain().map(|(k, u)| (k, u.events)).collect();
    users.sort_by(|a, b| a.0.cmp(&b.0));
    let mut bursts = Vec::new();
    let mut loops = Vec::new();
    let span_row = |user: &str, s: &detect::Span| SpanRow {
        user: user.to_string(),
        start: tz.format(s.start),
        end: tz.format(s.end),
        requests: s.requests,
        tokens: s.tokens,
        cost: s.cost,
        unpriced_requests: s.unpriced,
        failed: s.failed,
        errors: s.errors.clone(),
    };
    for (user, mut evs) in users {
        evs.sort_unstable_by_key(|e| {
            let e = *e;
            (e.ts, e.prompt, e.total(), e.kind(), e.cost)
        });
        for (rate, by_tokens) in [(opts.burst, false), (opts.burst_tokens, true)] {
            if let Some(rate) = rate {
                for b in detect::bursts(&user, &evs, rate, by_tokens) {
                    bursts.push(BurstRow {
                        by: b.by,
                        limit: b.limit,
                        peak: b.peak,
                        span: span_row(&user, &b.span),
                    });
                }
            }
        }
        for l in detect::loops(&user, &evs, opts.loops) {
            loops.push(LoopRow {
                prompt_tokens: l.prompt_tokens,
                span: span_row(&user, &l.span),
            });
        }
    }
    bursts.sort_by(|a, b| {
        b.span
            .cost
            .cmp(&a.span.cost)
            .then(a.span.start.cmp(&b.span.start))
    });
    loops.sort_by(|a, b| {
        b.span
            .cost
            .cmp(&a.span.cost)
            .then(a.span.start.cmp(&b.span.start))
    });
    let mut unpriced_models: Vec<UnpricedModel> = agg
        .unpriced
        .iter()
        .map(|(m, n)| UnpricedModel {
            model: m.to_string(),
            requests: *n,
        })
        .collect();
    unpriced_models.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.model.cmp(&b.model)));
    let alerts = outliers.count + spikes.len() as u64 + bursts.len() as u64 + loops.len() as u64;
    let fmt_bound = |b: Option<i64>| b.map(|t| tz.format(t));
    ScanReport {
        settings: Settings {
            tz: tz.to_string(),
            since: fmt_bound(opts.since),
            until: fmt_bound(opts.until),
            window_share: opts.window_share,
            max_tokens: opts.max_tokens,
            spike_factor: opts.spike_factor,
            spike_days: opts.spike_days,
            burst: opts.burst.map(|r| r.label()),
            burst_tokens: opts.burst_tokens.map(|r| r.label()),
            loop_min_requests: opts.loops.min_requests,
            loop_max_gap_seconds: opts.loops.max_gap,
            loop_tolerance: opts.loops.tolerance,
        },
        files: files.len() as u64,
        files_skipped,
        bytes,
        lines,
        records: agg.records,
        duplicates: agg.duplicates,
        ignored: agg.ignored,
        filtered: agg.filtered,
        untimed: agg.untimed,
        own_cost: agg.own_cost,
        skipped,
        formats: agg.formats,
        time_range: agg.first.zip(agg.last).map(|(f, l)| TimeRange {
            first: tz.format(f),
            last: tz.format(l),
        }),
        tokens: agg.totals.tokens,
        cost: agg.totals.cost,
        unpriced: Unpriced {
            requests: agg.totals.unpriced,
            models: unpriced_models,
        },
        errors: agg.errors,
        by: opts.by.iter().map(|b| b.name().to_string()).collect(),
        group_count,
        groups,
        days,
        hours,
        outliers,
        spikes,
        bursts,
        loops,
        alerts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Scanning a file in many parallel ranges gives exactly the report of one sequential pass.
    #[test]
    fn split_scan_equals_whole_scan() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan");
        let gz = File::open(fixtures.join("incident.jsonl.gz")).unwrap();
        let mut data = Vec::new();
        flate2::read::MultiGzDecoder::new(gz)
            .read_to_end(&mut data)
            .unwrap();
        // duplicates far apart, so they land in different ranges
        let openai = std::fs::read(fixtures.join("openai.jsonl")).unwrap();
        let mut all = openai.clone();
        all.extend_from_slice(&data);
        all.extend_from_slice(&openai);
        all.extend_from_slice(b"{broken\n");
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&all).unwrap();
        let inputs = [Input::Path(f.path().to_path_buf())];
        let catalog = Catalog::embedded();
        let mut opts = ScanOptions {
            by: vec![GroupBy::User, GroupBy::Day],
            threads: 1,
            chunk_bytes: 1 << 40,
            ..ScanOptions::default()
        };
        let whole = serde_json::to_value(scan(&inputs, &opts, catalog, &no_progress)).unwrap();
        opts.threads = 2;
        opts.chunk_bytes = 1 << 16;
        let split = serde_json::to_value(scan(&inputs, &opts, catalog, &no_progress)).unwrap();
        assert_eq!(whole, split);
        assert_eq!(split["duplicates"], 2 + 5);
        // `--by user` alone keeps group totals with the per-user events: same rows
        opts.by = vec![GroupBy::User];
        opts.top = 100;
        let by_user = serde_json::to_value(scan(&inputs, &opts, catalog, &no_progress)).unwrap();
        opts.by = vec![GroupBy::User, GroupBy::Format];
        let by_two = serde_json::to_value(scan(&inputs, &opts, catalog, &no_progress)).unwrap();
        let rows = |v: &serde_json::Value| -> Vec<(String, String, u64)> {
            v["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| {
                    (
                        g["key"]["user"].as_str().unwrap().to_string(),
                        g["cost"].as_str().unwrap().to_string(),
                        g["tokens"]["total"].as_u64().unwrap(),
                    )
                })
                .filter(|r| r.0 != "-")
                .collect()
        };
        // each named user here has records of one format, so their rows match one for one
        assert_eq!(rows(&by_user), rows(&by_two));
        assert_eq!(by_user["groups"][22]["cost"], "0.02987");
        assert_eq!(by_user["group_count"], 23);
        assert_eq!(split["skipped"]["examples"][0]["line"], 7626 + 11);
        assert_eq!(split["records"], 7626 + 3);
    }
}
