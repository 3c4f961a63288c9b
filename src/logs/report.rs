//! The scan report (the `--json` document) and how the merged aggregates become it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::agg::{Agg, Bucket, Event, Loc, Tokens};
use super::detect;
use super::options::{GroupBy, ScanOptions};
use super::record::{ErrKind, Format};
pub use super::scan::input::FileProblem;
use super::scan::input::{FileInfo, Item};
use super::time::Tz;
use crate::pricing::{CacheEffect, Money};

/// Days with no requests are listed (as zero) between the first and the last day, unless the
/// log spans this many days or more (ten years).
pub const MAX_FILLED_DAYS: i64 = 3653;

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
    pub cache: CacheRow,
}

/// What prompt caching did, for the whole scan or one group (priced records' money).
#[derive(Debug, Clone, Serialize)]
pub struct CacheRow {
    /// Cache reads as a share of prompt tokens (`null` without prompt tokens).
    pub hit_ratio: Option<f64>,
    pub read_tokens: u64,
    pub write_tokens: u64,
    pub read_cost: Money,
    /// What the reads would have cost as uncached input, less what they cost.
    pub read_savings: Money,
    pub write_cost: Money,
    /// What the writes cost above the same tokens as uncached input.
    pub write_premium: Money,
    /// `read_savings − write_premium`: what caching saved in all (negative: it cost more).
    pub net_savings: Money,
}

impl CacheRow {
    fn of(t: &Tokens, e: &CacheEffect) -> CacheRow {
        CacheRow {
            hit_ratio: t
                .cache_hit_ratio()
                .map(|r| (r * 10_000.0).round() / 10_000.0),
            read_tokens: t.cached_input,
            write_tokens: t.cache_write,
            read_cost: e.read_cost,
            read_savings: e.read_savings,
            write_cost: e.write_cost,
            write_premium: e.write_premium,
            net_savings: e.net_savings(),
        }
    }
}

/// The scan's cache economics: the totals, and days whose cache writes jump.
#[derive(Debug, Clone, Serialize)]
pub struct CacheReport {
    #[serde(flatten)]
    pub totals: CacheRow,
    /// Days whose cache-write tokens exceed `--spike-factor` × their trailing `--spike-days`
    /// average (a cache that keeps expiring and is written again). `tokens` are cache-write
    /// tokens here; not counted as alerts.
    pub write_jumps: Vec<SpikeRow>,
}

/// A 5-hour block (`--blocks`): from the first request's hour (UTC hours, as Claude's usage
/// windows and ccusage count them) to 5 hours later; the next request after that starts a new
/// block.
#[derive(Debug, Clone, Serialize)]
pub struct BlockRow {
    pub start: String,
    pub end: String,
    /// Hours of the block with requests.
    pub active_hours: u32,
    pub requests: u64,
    pub tokens: u64,
    pub cost: Money,
}

/// 5 hours, in hours.
pub const BLOCK_HOURS: i64 = 5;

/// The 5-hour blocks of `hours` (UTC hour → sums, in any order).
fn blocks(hours: &BTreeMap<i64, Bucket>) -> Vec<(i64, u32, Bucket)> {
    let mut out: Vec<(i64, u32, Bucket)> = Vec::new();
    for (&h, b) in hours {
        match out.last_mut() {
            Some((start, active, sum)) if h < *start + BLOCK_HOURS => {
                *active += 1;
                sum.merge(b);
            }
            _ => out.push((h, 1, *b)),
        }
    }
    out
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
    /// Per model, those records' logged cost against the catalog's (see [`AuditRow`]).
    pub audit: Vec<AuditRow>,
    /// The same per `--by` group (empty without `--by`); `model` holds the group key.
    pub audit_groups: Vec<AuditGroupRow>,
    pub skipped: Skipped,
    pub formats: BTreeMap<Format, u64>,
    pub time_range: Option<TimeRange>,
    pub tokens: Tokens,
    /// Cost of the priced records.
    pub cost: Money,
    /// What prompt caching did to the cost of the priced records.
    pub cache: CacheReport,
    pub unpriced: Unpriced,
    pub errors: BTreeMap<ErrKind, u64>,
    pub by: Vec<String>,
    /// Number of groups (rows are cut to `--top`).
    pub group_count: usize,
    pub groups: Vec<GroupRow>,
    pub days: Vec<BucketRow>,
    pub hours: Option<Vec<BucketRow>>,
    /// With `--blocks`: every 5-hour block, in time order.
    pub blocks: Option<Vec<BlockRow>>,
    pub outliers: Outliers,
    pub spikes: Vec<SpikeRow>,
    pub bursts: Vec<BurstRow>,
    pub loops: Vec<LoopRow>,
    /// outliers + spikes + bursts + loops found.
    pub alerts: u64,
    /// What looks wrong with the input or the flags (nothing read, a `--by` field no record
    /// has); each names the likely cause.
    pub warnings: Vec<String>,
}

/// The audit of one model's records that carry their own cost (`cost_usd`, `costUSD`,
/// `response_cost`, `spend`, `usage.cost`): what they logged against what the catalog
/// computes from their tokens.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    /// The model as logged.
    pub model: String,
    /// Records the catalog prices: their logged cost, the catalog's, and the difference
    /// (logged − computed).
    pub requests: u64,
    pub logged: Money,
    pub computed: Money,
    pub difference: Money,
    /// The difference as a percentage of the computed cost (`null` when that is zero).
    pub difference_percent: Option<f64>,
    /// More than 1% apart (or a logged cost where the catalog computes none).
    pub flagged: bool,
    /// Records the catalog cannot price, and what they logged.
    pub unpriced_requests: u64,
    pub unpriced_logged: Money,
}

/// [`AuditRow`] for one `--by` group.
#[derive(Debug, Clone, Serialize)]
pub struct AuditGroupRow {
    pub key: BTreeMap<String, String>,
    /// The key values in `--by` order (for tables).
    #[serde(skip)]
    pub values: Vec<String>,
    #[serde(flatten)]
    pub audit: AuditRow,
}

/// Logged and computed costs further apart than this share of the computed cost are flagged.
pub const AUDIT_TOLERANCE_PERCENT: f64 = 1.0;

fn audit_rows(audit: &super::agg::FxMap<Box<str>, super::agg::Audit>) -> Vec<AuditRow> {
    let mut rows: Vec<AuditRow> = audit
        .iter()
        .map(|(model, a)| {
            let difference = a.logged - a.computed;
            let pct = (a.computed.femto() != 0)
                .then(|| difference.femto() as f64 / a.computed.femto() as f64 * 100.0);
            let flagged = match pct {
                Some(p) => p.abs() > AUDIT_TOLERANCE_PERCENT,
                None => a.logged.femto() != 0,
            };
            AuditRow {
                model: model.to_string(),
                requests: a.requests,
                logged: a.logged,
                computed: a.computed,
                difference,
                difference_percent: pct.map(|p| (p * 100.0).round() / 100.0),
                flagged,
                unpriced_requests: a.unpriced,
                unpriced_logged: a.unpriced_logged,
            }
        })
        .collect();
    // the largest differences first
    rows.sort_by(|a, b| {
        b.difference
            .femto()
            .unsigned_abs()
            .cmp(&a.difference.femto().unsigned_abs())
            .then_with(|| a.model.cmp(&b.model))
    });
    rows
}

/// A group key's values as one label (`alice / gpt-4o`).
fn values_label(values: &[String]) -> String {
    values.join(" / ")
}

/// Why no record was counted, in the words a user needs.
fn nothing_read(
    agg: &Agg,
    files: usize,
    lines: u64,
    skipped: &Skipped,
    files_skipped: &[FileProblem],
) -> String {
    if agg.filtered > 0 {
        return format!(
            "no records in the time range: all {} records are outside --since/--until",
            agg.filtered
        );
    }
    if lines == 0 {
        return if !files_skipped.is_empty() {
            "no records: no input could be read (see the skipped files)".to_string()
        } else if files == 0 {
            "no records: no log files found (directories are searched for *.jsonl files, \
             also .jsonl.gz and .jsonl.zst, and for chats/*.json of Gemini CLI and Qwen Code)"
                .to_string()
        } else {
            "no records: the input is empty".to_string()
        };
    }
    if skipped.count > 0 {
        let (reason, n) = skipped
            .by_reason
            .iter()
            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(r.as_str())))
            .map(|(r, n)| (r.as_str(), *n))
            .unwrap_or(("", 0));
        return format!(
            "no records: none of the {lines} lines is a usage record ({n} skipped as '{reason}'); \
             scan-logs reads JSON Lines, one JSON object per line, so a CSV file or a \
             pretty-printed JSON document gives none"
        );
    }
    format!(
        "no records: the {lines} lines hold no token usage ({} are known non-usage events, \
         e.g. Claude Code user messages)",
        agg.ignored
    )
}

pub(crate) fn finish(
    mut agg: Agg,
    opts: &ScanOptions,
    files: &[FileInfo],
    items: &[Item],
    files_skipped: Vec<FileProblem>,
    bytes: u64,
) -> ScanReport {
    let tz = &opts.tz;
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
    let key_of = |k: &str| -> (BTreeMap<String, String>, Vec<String>) {
        let values: Vec<String> = k.split('\u{1f}').map(str::to_string).collect();
        let key = opts
            .by
            .iter()
            .map(|b| b.name().to_string())
            .zip(values.iter().cloned())
            .collect();
        (key, values)
    };
    // groups
    let mut groups: Vec<GroupRow> = agg
        .groups
        .iter()
        .map(|(k, t)| {
            let (key, values) = key_of(k);
            GroupRow {
                key,
                values,
                requests: t.requests,
                tokens: t.tokens,
                cost: t.cost,
                unpriced_requests: t.unpriced,
                failed_requests: t.errors,
                largest_request: t.largest,
                cache: CacheRow::of(&t.tokens, &t.cache),
            }
        })
        .collect();
    let audit_groups: Vec<AuditGroupRow> = audit_rows(&agg.audit_groups)
        .into_iter()
        .map(|a| {
            let (key, values) = key_of(&a.model);
            let model = values_label(&values);
            AuditGroupRow {
                key,
                values,
                audit: AuditRow { model, ..a },
            }
        })
        .collect();
    let time_dims = opts.by.iter().all(GroupBy::is_time);
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
    let mut warnings = Vec::new();
    if agg.records == 0 {
        warnings.push(nothing_read(
            &agg,
            files.len(),
            lines,
            &skipped,
            &files_skipped,
        ));
    }
    for (i, dim) in opts.by.iter().enumerate() {
        if let GroupBy::Field(path) = dim
            && !agg.groups.is_empty()
            && agg
                .groups
                .keys()
                .all(|k| k.split('\u{1f}').nth(i) == Some("-"))
        {
            warnings.push(format!(
                "--by {path}: no record has a field '{path}', so every record is in group '-' \
                 (a typo? the built-in dimensions are user, feature, model, day, hour, week, month, session, \
                 project, format; other names are dotted paths into the record's JSON)"
            ));
        }
    }
    if !time_dims && !opts.all_groups {
        groups.truncate(opts.top);
    }
    let days_map: BTreeMap<i64, Bucket> = agg.days.iter().map(|(k, v)| (*k, *v)).collect();
    // every day from the first to the last, a day without requests as zero (an outage shows),
    // unless the log spans more than MAX_FILLED_DAYS (then only days with requests)
    let span = match (days_map.keys().next(), days_map.keys().next_back()) {
        (Some(a), Some(b)) if b - a < MAX_FILLED_DAYS => Some(*a..=*b),
        _ => None,
    };
    let day_row = |d: i64, b: Option<&Bucket>| BucketRow {
        period: Tz::format_day(d),
        requests: b.map_or(0, |b| b.requests),
        tokens: b.map_or(0, |b| b.tokens),
        cost: b.map_or(Money::default(), |b| b.cost),
    };
    let days: Vec<BucketRow> = match span {
        Some(r) => r.map(|d| day_row(d, days_map.get(&d))).collect(),
        None => days_map.iter().map(|(d, b)| day_row(*d, Some(b))).collect(),
    };
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
    let spike_row = |s: detect::Spike| SpikeRow {
        day: Tz::format_day(s.day),
        tokens: s.tokens,
        trailing_average: s.trailing_average,
        ratio: s.ratio,
        requests: s.requests,
        cost: s.cost,
    };
    let spikes: Vec<SpikeRow> = detect::spikes(&days_map, opts.spike_factor, opts.spike_days)
        .into_iter()
        .map(spike_row)
        .collect();
    // cache-write jumps: the same rule on each day's cache-write tokens
    let writes: BTreeMap<i64, Bucket> = days_map
        .iter()
        .map(|(d, b)| {
            (
                *d,
                Bucket {
                    tokens: b.cache_write,
                    ..*b
                },
            )
        })
        .collect();
    let write_jumps: Vec<SpikeRow> = if writes.values().any(|b| b.tokens > 0) {
        detect::spikes(&writes, opts.spike_factor, opts.spike_days)
            .into_iter()
            .map(spike_row)
            .collect()
    } else {
        Vec::new()
    };
    let cache = CacheReport {
        totals: CacheRow::of(&agg.totals.tokens, &agg.totals.cache),
        write_jumps,
    };
    let blocks = opts.blocks.then(|| {
        let hours: BTreeMap<i64, Bucket> = agg.block_hours.iter().map(|(k, v)| (*k, *v)).collect();
        blocks(&hours)
            .into_iter()
            .map(|(start, active_hours, b)| BlockRow {
                start: tz.format(start * 3600),
                end: tz.format((start + BLOCK_HOURS) * 3600),
                active_hours,
                requests: b.requests,
                tokens: b.tokens,
                cost: b.cost,
            })
            .collect()
    });
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
        audit: audit_rows(&agg.audit),
        audit_groups,
        skipped,
        formats: agg.formats,
        time_range: agg.first.zip(agg.last).map(|(f, l)| TimeRange {
            first: tz.format(f),
            last: tz.format(l),
        }),
        tokens: agg.totals.tokens,
        cost: agg.totals.cost,
        cache,
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
        blocks,
        outliers,
        spikes,
        bursts,
        loops,
        alerts,
        warnings,
    }
}
