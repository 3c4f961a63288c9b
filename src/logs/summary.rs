//! Partial summaries: `scan-logs --emit-summary` writes what a scan accumulated (its [`Raw`]
//! aggregates) as versioned JSON, and `tokenbudget merge` combines any number of them into the
//! report one scan of all their files gives. The aggregates merge associatively ([`Agg::merge`]),
//! so this is exact: totals, groups, days, hours, outliers, spikes, and (since each user's timed
//! requests are kept) bursts and loops whatever way the files were split.
//!
//! The format (`"summary": "tokenbudget scan-logs"`, `"version": 1`) is documented in the
//! README ("Partial summaries"). Merge refuses, naming the file: another summary format or
//! version, another tokenbudget version (prices and parsing may differ), other scan options
//! (each summary carries the options it was scanned with), and parts that share a request id
//! (duplicates are dropped within one scan, but a record counted in two parts cannot be
//! un-counted: give overlapping files to one part).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::agg::{Agg, Audit, Bucket, Event, Loc, Outlier, SkipExample, Tokens, Totals, UserEntry};
use super::record::{ErrKind, Format};
use super::report::FileProblem;
use super::scan::Raw;
use super::scan::input::{FileInfo, Item, Source};
use crate::pricing::{CacheEffect, Money};

/// The `summary` field of every partial summary.
pub const KIND: &str = "tokenbudget scan-logs";
/// The summary format's version; merge refuses any other.
pub const VERSION: u32 = 2;

/// A partial summary, as written to JSON.
#[derive(Debug, Serialize, Deserialize)]
pub struct Summary {
    pub summary: String,
    pub version: u32,
    /// The tokenbudget version that scanned (prices and parsing are this version's).
    pub tokenbudget: String,
    /// The scan options as `scan-logs` arguments (paths and output flags left out); every part
    /// of a merge must have the same.
    pub options: Vec<String>,
    /// Input labels, in scan order.
    pub files: Vec<String>,
    /// Work items (a file or a byte range of one): the index of its file.
    pub items: Vec<u32>,
    /// Named inputs that could not be read: `[path, reason]`.
    pub missing: Vec<(String, String)>,
    /// Inputs skipped while scanning: `[path, reason]`.
    pub files_skipped: Vec<(String, String)>,
    pub bytes: u64,
    /// Hashes of the request ids seen (duplicate detection), sorted.
    pub ids: Vec<u64>,
    pub agg: AggJson,
}

type Tok = [u64; 6];

fn tok(t: &Tokens) -> Tok {
    [
        t.input,
        t.cached_input,
        t.cache_write,
        t.output,
        t.reasoning,
        t.total,
    ]
}
fn untok(t: Tok) -> Tokens {
    Tokens {
        input: t[0],
        cached_input: t[1],
        cache_write: t[2],
        output: t[3],
        reasoning: t[4],
        total: t[5],
    }
}

/// Money as its exact femto-dollar count, in a string (JSON numbers are doubles for many
/// readers).
fn money(m: Money) -> String {
    m.femto().to_string()
}
fn unmoney(s: &str) -> Result<Money, String> {
    s.parse::<i128>()
        .map(Money::from_femto)
        .map_err(|_| format!("bad money value '{s}'"))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TotalsJson {
    requests: u64,
    tokens: Tok,
    cost: String,
    unpriced: u64,
    errors: u64,
    largest: u64,
    /// `[read cost, read savings, write cost, write premium]`, femto-dollars.
    cache: [String; 4],
}

impl TotalsJson {
    fn of(t: &Totals) -> TotalsJson {
        TotalsJson {
            requests: t.requests,
            tokens: tok(&t.tokens),
            cost: money(t.cost),
            unpriced: t.unpriced,
            errors: t.errors,
            largest: t.largest,
            cache: [
                money(t.cache.read_cost),
                money(t.cache.read_savings),
                money(t.cache.write_cost),
                money(t.cache.write_premium),
            ],
        }
    }
    fn totals(&self) -> Result<Totals, String> {
        Ok(Totals {
            requests: self.requests,
            tokens: untok(self.tokens),
            cost: unmoney(&self.cost)?,
            unpriced: self.unpriced,
            errors: self.errors,
            largest: self.largest,
            cache: CacheEffect {
                read_cost: unmoney(&self.cache[0])?,
                read_savings: unmoney(&self.cache[1])?,
                write_cost: unmoney(&self.cache[2])?,
                write_premium: unmoney(&self.cache[3])?,
            },
        })
    }
}

/// `[requests, tokens, cost, cache-write tokens]`.
type BucketJson = (u64, u64, String, u64);

fn bucket(b: &Bucket) -> BucketJson {
    (b.requests, b.tokens, money(b.cost), b.cache_write)
}
fn unbucket(b: &BucketJson) -> Result<Bucket, String> {
    Ok(Bucket {
        requests: b.0,
        tokens: b.1,
        cost: unmoney(&b.2)?,
        cache_write: b.3,
    })
}

/// One user's timed requests: `[unix seconds, prompt, total, kind, cost femto]` each.
#[derive(Debug, Serialize, Deserialize)]
pub struct UserJson {
    key: String,
    events: Vec<(u32, u32, u32, u8, u64)>,
    group: TotalsJson,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct OutlierJson {
    item: u32,
    line: u64,
    time: Option<i64>,
    user: Option<String>,
    model: Option<String>,
    prompt: u64,
    total: u64,
    context_window: Option<u64>,
    cost: Option<String>,
    error: Option<String>,
}

/// The JSON name of a `Format` or an `ErrKind` (as the report writes it).
fn name_of<T: Serialize>(x: T) -> String {
    match serde_json::to_value(x) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn lookup<T: Serialize + Copy>(all: &[T], name: &str, what: &str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|x| name_of(*x) == name)
        .ok_or_else(|| format!("unknown {what} '{name}'"))
}

fn problems(v: &[FileProblem]) -> Vec<(String, String)> {
    v.iter()
        .map(|p| (p.path.clone(), p.reason.clone()))
        .collect()
}

fn unproblems(v: Vec<(String, String)>) -> Vec<FileProblem> {
    v.into_iter()
        .map(|(path, reason)| FileProblem { path, reason })
        .collect()
}

/// [`Agg`], field for field.
#[derive(Debug, Serialize, Deserialize)]
pub struct AggJson {
    records: u64,
    duplicates: u64,
    ignored: u64,
    filtered: u64,
    untimed: u64,
    own_cost: u64,
    skipped: BTreeMap<String, u64>,
    /// `[item, line, reason]`.
    skip_examples: Vec<(u32, u64, String)>,
    formats: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    totals: TotalsJson,
    first: Option<i64>,
    last: Option<i64>,
    groups: Vec<(String, TotalsJson)>,
    unpriced: Vec<(String, u64)>,
    /// `[model, requests, logged, computed, unpriced, unpriced_logged]`.
    #[serde(default)]
    audit: Vec<AuditJson>,
    /// The same per group key.
    audit_groups: Vec<AuditJson>,
    days: Vec<(i64, BucketJson)>,
    hours: Vec<(i64, BucketJson)>,
    /// UTC hour → sums, with `--blocks`.
    block_hours: Vec<(i64, BucketJson)>,
    users: Vec<UserJson>,
    outliers: TotalsJson,
    outlier_list: Vec<OutlierJson>,
    item_lines: Vec<(u32, u64)>,
}

/// `[key, requests, logged, computed, unpriced, unpriced_logged]`.
type AuditJson = (String, u64, String, String, u64, String);

fn audit_json(m: &super::agg::FxMap<Box<str>, Audit>) -> Vec<AuditJson> {
    let mut v: Vec<AuditJson> = m
        .iter()
        .map(|(k, x)| {
            (
                k.to_string(),
                x.requests,
                money(x.logged),
                money(x.computed),
                x.unpriced,
                money(x.unpriced_logged),
            )
        })
        .collect();
    v.sort();
    v
}

fn sorted<K: Ord + Clone, V, W>(
    m: impl Iterator<Item = (K, V)>,
    f: impl Fn(V) -> W,
) -> Vec<(K, W)> {
    let mut v: Vec<(K, W)> = m.map(|(k, x)| (k, f(x))).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

impl AggJson {
    fn of(a: &Agg) -> AggJson {
        let mut users: Vec<UserJson> = a
            .users
            .iter()
            .map(|(k, u)| UserJson {
                key: k.to_string(),
                events: u
                    .events
                    .iter()
                    .map(|e| {
                        let e = *e;
                        (e.ts, e.prompt, e.total(), e.kind(), e.cost)
                    })
                    .collect(),
                group: TotalsJson::of(&u.group),
            })
            .collect();
        users.sort_by(|a, b| a.key.cmp(&b.key));
        AggJson {
            records: a.records,
            duplicates: a.duplicates,
            ignored: a.ignored,
            filtered: a.filtered,
            untimed: a.untimed,
            own_cost: a.own_cost,
            skipped: a.skipped.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            skip_examples: a
                .skip_examples
                .iter()
                .map(|e| (e.loc.item, e.loc.line, e.reason.clone()))
                .collect(),
            formats: a.formats.iter().map(|(k, v)| (name_of(*k), *v)).collect(),
            errors: a.errors.iter().map(|(k, v)| (name_of(*k), *v)).collect(),
            totals: TotalsJson::of(&a.totals),
            first: a.first,
            last: a.last,
            groups: sorted(
                a.groups.iter().map(|(k, v)| (k.to_string(), v)),
                TotalsJson::of,
            ),
            unpriced: sorted(a.unpriced.iter().map(|(k, v)| (k.to_string(), *v)), |v| v),
            audit: audit_json(&a.audit),
            audit_groups: audit_json(&a.audit_groups),
            days: sorted(a.days.iter().map(|(k, v)| (*k, v)), bucket),
            hours: sorted(a.hours.iter().map(|(k, v)| (*k, v)), bucket),
            block_hours: sorted(a.block_hours.iter().map(|(k, v)| (*k, v)), bucket),
            users,
            outliers: TotalsJson::of(&a.outliers),
            outlier_list: a
                .outlier_list
                .iter()
                .map(|o| OutlierJson {
                    item: o.loc.item,
                    line: o.loc.line,
                    time: o.time,
                    user: o.user.clone(),
                    model: o.model.clone(),
                    prompt: o.prompt,
                    total: o.total,
                    context_window: o.context_window,
                    cost: o.cost.map(money),
                    error: o.error.map(name_of),
                })
                .collect(),
            item_lines: a.item_lines.iter().map(|(k, v)| (*k, *v)).collect(),
        }
    }

    /// The aggregates, with work items renumbered from `item_base`.
    fn agg(self, item_base: u32) -> Result<Agg, String> {
        let mut a = Agg {
            records: self.records,
            duplicates: self.duplicates,
            ignored: self.ignored,
            filtered: self.filtered,
            untimed: self.untimed,
            own_cost: self.own_cost,
            ..Agg::default()
        };
        for (k, v) in self.skipped {
            a.skipped.insert(static_reason(k), v);
        }
        a.skip_examples = self
            .skip_examples
            .into_iter()
            .map(|(item, line, reason)| SkipExample {
                loc: Loc {
                    item: item + item_base,
                    line,
                },
                reason,
            })
            .collect();
        for (k, v) in self.formats {
            a.formats.insert(lookup(&Format::ALL, &k, "format")?, v);
        }
        for (k, v) in self.errors {
            a.errors.insert(lookup(&ErrKind::ALL, &k, "error kind")?, v);
        }
        a.totals = self.totals.totals()?;
        a.first = self.first;
        a.last = self.last;
        for (k, v) in self.groups {
            a.groups.insert(k.into(), v.totals()?);
        }
        for (k, v) in self.unpriced {
            a.unpriced.insert(k.into(), v);
        }
        for (list, map) in [
            (self.audit, &mut a.audit),
            (self.audit_groups, &mut a.audit_groups),
        ] {
            for (k, requests, logged, computed, unpriced, unpriced_logged) in list {
                map.insert(
                    k.into(),
                    Audit {
                        requests,
                        logged: unmoney(&logged)?,
                        computed: unmoney(&computed)?,
                        unpriced,
                        unpriced_logged: unmoney(&unpriced_logged)?,
                    },
                );
            }
        }
        for (k, v) in self.days {
            a.days.insert(k, unbucket(&v)?);
        }
        for (k, v) in self.hours {
            a.hours.insert(k, unbucket(&v)?);
        }
        for (k, v) in self.block_hours {
            a.block_hours.insert(k, unbucket(&v)?);
        }
        for u in self.users {
            let events = u
                .events
                .into_iter()
                .map(|(ts, prompt, total, kind, cost)| {
                    Event::new(ts, prompt, u64::from(total), kind, cost)
                })
                .collect();
            a.users.insert(
                u.key.into(),
                UserEntry {
                    events,
                    group: u.group.totals()?,
                },
            );
        }
        a.outliers = self.outliers.totals()?;
        for o in self.outlier_list {
            a.outlier_list.push(Outlier {
                loc: Loc {
                    item: o.item + item_base,
                    line: o.line,
                },
                time: o.time,
                user: o.user,
                model: o.model,
                prompt: o.prompt,
                total: o.total,
                context_window: o.context_window,
                cost: o.cost.as_deref().map(unmoney).transpose()?,
                error: o
                    .error
                    .as_deref()
                    .map(|e| lookup(&ErrKind::ALL, e, "error kind"))
                    .transpose()?,
            });
        }
        for (k, v) in self.item_lines {
            a.item_lines.insert(k + item_base, v);
        }
        Ok(a)
    }
}

/// Skip reasons are static strings in [`Agg`]; the few read back from summaries are interned.
fn static_reason(s: String) -> &'static str {
    static INTERNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut v = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(x) = v.iter().find(|x| **x == s) {
        return x;
    }
    let x: &'static str = Box::leak(s.into_boxed_str());
    v.push(x);
    x
}

impl Summary {
    /// The summary of one scan. `options` are the scan's arguments (see [`Summary::options`]),
    /// `missing` the named inputs that could not be read.
    pub fn of(raw: &Raw, options: Vec<String>, missing: Vec<FileProblem>) -> Summary {
        let mut ids = raw.ids.clone();
        ids.sort_unstable();
        Summary {
            summary: KIND.to_string(),
            version: VERSION,
            tokenbudget: env!("CARGO_PKG_VERSION").to_string(),
            options,
            files: raw.files.iter().map(|f| f.label.clone()).collect(),
            items: raw.items.iter().map(|i| i.file as u32).collect(),
            missing: problems(&missing),
            files_skipped: problems(&raw.problems),
            bytes: raw.bytes,
            ids,
            agg: AggJson::of(&raw.agg),
        }
    }

    /// Check that this summary can be read by this version (`label` names it in errors).
    pub fn check(&self, label: &str) -> Result<(), String> {
        if self.summary != KIND {
            return Err(format!(
                "{label}: not a scan-logs summary (\"summary\": {:?})",
                self.summary
            ));
        }
        if self.version != VERSION {
            return Err(format!(
                "{label}: summary format version {} (this tokenbudget reads version {VERSION})",
                self.version
            ));
        }
        let mine = env!("CARGO_PKG_VERSION");
        if self.tokenbudget != mine {
            return Err(format!(
                "{label}: written by tokenbudget {} (this is {mine}; prices and parsing may \
                 differ): re-scan with one version",
                self.tokenbudget
            ));
        }
        for i in &self.items {
            if *i as usize >= self.files.len() {
                return Err(format!(
                    "{label}: work item names file {i}, which is not listed"
                ));
            }
        }
        Ok(())
    }
}

/// Merge summaries (already [`Summary::check`]ed, with their labels) into one [`Raw`] and the
/// named inputs that could not be read. Refuses parts scanned with other options or sharing
/// request ids.
pub fn merge(parts: Vec<(String, Summary)>, top: usize) -> Result<(Raw, Vec<FileProblem>), String> {
    let Some((first_label, first)) = parts.first() else {
        return Err("no summaries to merge".into());
    };
    let options = first.options.clone();
    let first_label = first_label.clone();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let labels: Vec<String> = parts.iter().map(|(l, _)| l.clone()).collect();
    let mut raw = Raw {
        agg: Agg::default(),
        files: Vec::new(),
        items: Vec::new(),
        problems: Vec::new(),
        bytes: 0,
        ids: Vec::new(),
    };
    let mut missing = Vec::new();
    for (n, (label, s)) in parts.into_iter().enumerate() {
        if s.options != options {
            return Err(format!(
                "{label} was scanned with other options than {first_label}: `{}` against `{}`",
                shown(&s.options),
                shown(&options)
            ));
        }
        for id in &s.ids {
            if let Some(&m) = seen.get(id) {
                return Err(format!(
                    "{label} and {} share request ids (the same requests are in both): \
                     scan overlapping files in one part",
                    labels[m]
                ));
            }
            seen.insert(*id, n);
        }
        let file_base = raw.files.len();
        let item_base = u32::try_from(raw.items.len()).map_err(|_| "too many work items")?;
        for f in s.files {
            raw.files.push(FileInfo {
                label: f,
                path: None,
                project: None,
            });
        }
        for i in s.items {
            raw.items.push(Item {
                file: file_base + i as usize,
                source: Source::Whole,
                size: 0,
            });
        }
        missing.extend(unproblems(s.missing));
        raw.problems.extend(unproblems(s.files_skipped));
        raw.bytes += s.bytes;
        let agg = s.agg.agg(item_base).map_err(|e| format!("{label}: {e}"))?;
        raw.agg.merge(agg, top);
    }
    raw.ids = seen.into_keys().collect();
    Ok((raw, missing))
}

fn shown(options: &[String]) -> String {
    if options.is_empty() {
        "scan-logs (defaults)".into()
    } else {
        format!("scan-logs {}", options.join(" "))
    }
}
