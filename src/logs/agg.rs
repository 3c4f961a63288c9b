//! Aggregation: per-worker state that one pass over any slice of the input fills, and an
//! associative merge, so scanning the parts of a file in parallel gives exactly the totals of
//! scanning it whole.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use super::record::{ErrKind, Format};
use crate::pricing::{CacheEffect, Money, Usage};

/// FxHash (rustc's hasher): fast for short keys; no HashDoS concern for local log files.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(SEED);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(SEED);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(SEED);
    }
    fn finish(&self) -> u64 {
        // murmur3's finaliser: FxHash alone leaves keys that differ only in their last bytes
        // (`user-00487`, `user-00488`) with similar low bits, which hashbrown uses for buckets
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Token sums by kind. Serialized with `prompt` too (input + cached + cache writes: what
/// OpenAI's and Google's dashboards call input tokens).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    /// Uncached input.
    pub input: u64,
    /// Input read from a prompt cache.
    pub cached_input: u64,
    /// Input written to a prompt cache (5-minute and 1-hour).
    pub cache_write: u64,
    /// Output, reasoning included.
    pub output: u64,
    /// Reasoning / thinking output (a part of `output`).
    pub reasoning: u64,
    /// input + cached_input + cache_write + output.
    pub total: u64,
}

impl Serialize for Tokens {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Tokens", 7)?;
        st.serialize_field("input", &self.input)?;
        st.serialize_field("cached_input", &self.cached_input)?;
        st.serialize_field("cache_write", &self.cache_write)?;
        st.serialize_field("prompt", &self.prompt())?;
        st.serialize_field("output", &self.output)?;
        st.serialize_field("reasoning", &self.reasoning)?;
        st.serialize_field("total", &self.total)?;
        st.end()
    }
}

impl Tokens {
    /// All prompt-side tokens: uncached input, cache reads and cache writes. OpenAI's and
    /// Gemini's usage pages show this as input (their `prompt_tokens` include cached tokens);
    /// Anthropic's console shows the three parts apart.
    pub fn prompt(&self) -> u64 {
        self.input
            .saturating_add(self.cached_input)
            .saturating_add(self.cache_write)
    }

    /// The share of prompt tokens read from a prompt cache (`None` without prompt tokens).
    pub fn cache_hit_ratio(&self) -> Option<f64> {
        let p = self.prompt();
        (p > 0).then(|| self.cached_input as f64 / p as f64)
    }

    pub fn of(u: &Usage, reasoning: u64) -> Tokens {
        let cache_write = u.cache_write_5m.saturating_add(u.cache_write_1h);
        Tokens {
            input: u.input,
            cached_input: u.cached_input,
            cache_write,
            output: u.output,
            reasoning,
            total: u
                .input
                .saturating_add(u.cached_input)
                .saturating_add(cache_write)
                .saturating_add(u.output),
        }
    }

    pub fn add(&mut self, o: &Tokens) {
        self.input = self.input.saturating_add(o.input);
        self.cached_input = self.cached_input.saturating_add(o.cached_input);
        self.cache_write = self.cache_write.saturating_add(o.cache_write);
        self.output = self.output.saturating_add(o.output);
        self.reasoning = self.reasoning.saturating_add(o.reasoning);
        self.total = self.total.saturating_add(o.total);
    }
}

/// What one counted record contributes.
#[derive(Debug, Clone, Copy)]
pub struct Contribution {
    pub tokens: Tokens,
    /// Prompt-side tokens (input + cached + cache writes).
    pub prompt: u64,
    /// `None` when the record could not be priced.
    pub cost: Option<Money>,
    /// What its prompt cache did to its cost (zero when unpriced or without cache tokens).
    pub cache: CacheEffect,
    pub error: Option<ErrKind>,
}

/// Sums over a set of records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub requests: u64,
    pub tokens: Tokens,
    /// Cost of the priced records.
    pub cost: Money,
    /// Records that could not be priced (their tokens are in `tokens`, their cost nowhere).
    pub unpriced: u64,
    pub errors: u64,
    /// The largest request (total tokens).
    pub largest: u64,
    /// What prompt caching did to the cost of the priced records.
    pub cache: CacheEffect,
}

impl Totals {
    pub fn add(&mut self, c: &Contribution) {
        self.requests += 1;
        self.tokens.add(&c.tokens);
        match c.cost {
            Some(m) => self.cost += m,
            None => self.unpriced += 1,
        }
        self.errors += u64::from(c.error.is_some());
        self.largest = self.largest.max(c.tokens.total);
        // zero without cache tokens: most records (app logs) skip the four 128-bit sums
        if c.tokens.cached_input != 0 || c.tokens.cache_write != 0 {
            self.cache.add(&c.cache);
        }
    }

    pub fn merge(&mut self, o: &Totals) {
        self.requests += o.requests;
        self.tokens.add(&o.tokens);
        self.cost += o.cost;
        self.unpriced += o.unpriced;
        self.errors += o.errors;
        self.largest = self.largest.max(o.largest);
        self.cache.add(&o.cache);
    }
}

/// Records that carry their own cost, for one model (as logged): what they logged, and what
/// the catalog computes from their tokens (`--audit`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Audit {
    /// Records the catalog could price: what they logged, and what it computes.
    pub requests: u64,
    pub logged: Money,
    pub computed: Money,
    /// Records the catalog could not price, and what they logged.
    pub unpriced: u64,
    pub unpriced_logged: Money,
}

impl Audit {
    pub fn add(&mut self, logged: Money, computed: Option<Money>) {
        match computed {
            Some(c) => {
                self.requests += 1;
                self.logged += logged;
                self.computed += c;
            }
            None => {
                self.unpriced += 1;
                self.unpriced_logged += logged;
            }
        }
    }

    pub fn merge(&mut self, o: &Audit) {
        self.requests += o.requests;
        self.logged += o.logged;
        self.computed += o.computed;
        self.unpriced += o.unpriced;
        self.unpriced_logged += o.unpriced_logged;
    }
}

/// Where a line is: (work item, 1-based line within the item), resolved to `file:line` at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub item: u32,
    pub line: u64,
}

/// One timed request, kept per user for the time-ordered detectors (20 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
pub struct Event {
    /// Unix seconds.
    pub ts: u32,
    /// Prompt tokens (saturating at u32::MAX).
    pub prompt: u32,
    /// Total tokens (low 28 bits, saturating) and kind (high 4 bits): 0 = ok or unknown,
    /// 1 + index in [`ErrKind::ALL`] = failed, [`UNPRICED`] = not priced.
    total_kind: u32,
    /// Cost in femto-dollars (saturating at ~$18,446).
    pub cost: u64,
}

pub const UNPRICED: u8 = 15;
const TOTAL_MASK: u32 = (1 << 28) - 1;

impl Event {
    pub fn new(ts: u32, prompt: u32, total: u64, kind: u8, cost: u64) -> Event {
        let total = u32::try_from(total).unwrap_or(u32::MAX).min(TOTAL_MASK);
        Event {
            ts,
            prompt,
            total_kind: total | (u32::from(kind & 15) << 28),
            cost,
        }
    }
    pub fn total(self) -> u32 {
        self.total_kind & TOTAL_MASK
    }
    pub fn kind(self) -> u8 {
        (self.total_kind >> 28) as u8
    }
    pub fn error(self) -> Option<ErrKind> {
        match self.kind() {
            0 | UNPRICED => None,
            k => ErrKind::ALL.get(usize::from(k - 1)).copied(),
        }
    }
    pub fn cost(self) -> Money {
        Money::from_femto(i128::from(self.cost))
    }
}

/// One user's timed requests, and (with `--by user` alone) the user's group totals, kept
/// here to save a second map lookup per record; [`Agg::fold_user_groups`] moves them to
/// `groups`.
#[derive(Debug, Default)]
pub struct UserEntry {
    pub events: Vec<Event>,
    pub group: Totals,
}

/// A request over the outlier threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlier {
    pub loc: Loc,
    pub time: Option<i64>,
    pub user: Option<String>,
    pub model: Option<String>,
    pub prompt: u64,
    pub total: u64,
    pub context_window: Option<u64>,
    pub cost: Option<Money>,
    pub error: Option<ErrKind>,
}

/// A skipped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipExample {
    pub loc: Loc,
    pub reason: String,
}

/// Per-day (or per-hour) sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bucket {
    pub requests: u64,
    pub tokens: u64,
    pub cost: Money,
    /// Tokens written to a prompt cache (for the cache-write jumps).
    pub cache_write: u64,
}

impl Bucket {
    pub fn add(&mut self, c: &Contribution) {
        self.requests += 1;
        self.tokens = self.tokens.saturating_add(c.tokens.total);
        self.cost += c.cost.unwrap_or_default();
        self.cache_write = self.cache_write.saturating_add(c.tokens.cache_write);
    }
    pub fn merge(&mut self, o: &Bucket) {
        self.requests += o.requests;
        self.tokens = self.tokens.saturating_add(o.tokens);
        self.cost += o.cost;
        self.cache_write = self.cache_write.saturating_add(o.cache_write);
    }
}

/// Everything one worker accumulated. `merge` is associative and commutative on every field
/// that is reported (lists are re-sorted and cut after the merge).
#[derive(Debug, Default)]
pub struct Agg {
    pub records: u64,
    pub duplicates: u64,
    pub ignored: u64,
    pub filtered: u64,
    pub untimed: u64,
    pub own_cost: u64,
    pub skipped: BTreeMap<&'static str, u64>,
    pub skip_examples: Vec<SkipExample>,
    pub formats: BTreeMap<Format, u64>,
    pub errors: BTreeMap<ErrKind, u64>,
    pub totals: Totals,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub groups: FxMap<Box<str>, Totals>,
    /// Model name → requests that could not be priced.
    pub unpriced: FxMap<Box<str>, u64>,
    /// Model name (as logged) → records with their own cost, logged against computed.
    pub audit: FxMap<Box<str>, Audit>,
    /// Group key → the same, per `--by` group.
    pub audit_groups: FxMap<Box<str>, Audit>,
    pub days: FxMap<i64, Bucket>,
    pub hours: FxMap<i64, Bucket>,
    /// Hours since the epoch (UTC) → sums, with `--blocks` (the 5-hour blocks are made of them).
    pub block_hours: FxMap<i64, Bucket>,
    pub users: FxMap<Box<str>, UserEntry>,
    pub outliers: Totals,
    /// The largest outliers, at most `top` after [`Agg::trim`].
    pub outlier_list: Vec<Outlier>,
    /// Lines counted per work item.
    pub item_lines: BTreeMap<u32, u64>,
}

/// How many skipped-line examples are kept.
pub const SKIP_EXAMPLES: usize = 5;

fn outlier_order(a: &Outlier, b: &Outlier) -> std::cmp::Ordering {
    b.total.cmp(&a.total).then(a.loc.cmp(&b.loc))
}

impl Agg {
    pub fn skip(&mut self, loc: Loc, kind: &'static str, reason: String) {
        *self.skipped.entry(kind).or_default() += 1;
        if self.skip_examples.len() < SKIP_EXAMPLES * 4 {
            self.skip_examples.push(SkipExample { loc, reason });
        } else {
            // keep the earliest ones (items are processed in any order)
            self.skip_examples.sort_by_key(|e| e.loc);
            self.skip_examples.truncate(SKIP_EXAMPLES);
            if loc < self.skip_examples[SKIP_EXAMPLES - 1].loc {
                self.skip_examples.push(SkipExample { loc, reason });
            }
        }
    }

    pub fn add_outlier(&mut self, o: Outlier, c: &Contribution, top: usize) {
        self.outliers.add(c);
        self.outlier_list.push(o);
        if self.outlier_list.len() >= top.max(1) * 4 + 16 {
            self.trim_outliers(top);
        }
    }

    fn trim_outliers(&mut self, top: usize) {
        self.outlier_list.sort_by(outlier_order);
        self.outlier_list.truncate(top);
    }

    /// Move the group totals kept in `users` (with `--by user` alone) into `groups`.
    pub fn fold_user_groups(&mut self) {
        for (k, u) in &mut self.users {
            if u.group.requests > 0 {
                let g = std::mem::take(&mut u.group);
                match self.groups.get_mut(k) {
                    Some(t) => t.merge(&g),
                    None => {
                        self.groups.insert(k.clone(), g);
                    }
                }
            }
        }
    }

    /// Cut the lists to what is reported.
    pub fn trim(&mut self, top: usize) {
        self.trim_outliers(top);
        self.skip_examples.sort_by_key(|e| e.loc);
        self.skip_examples.truncate(SKIP_EXAMPLES);
    }

    pub fn merge(&mut self, o: Agg, top: usize) {
        self.records += o.records;
        self.duplicates += o.duplicates;
        self.ignored += o.ignored;
        self.filtered += o.filtered;
        self.untimed += o.untimed;
        self.own_cost += o.own_cost;
        for (k, v) in o.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        self.skip_examples.extend(o.skip_examples);
        for (k, v) in o.formats {
            *self.formats.entry(k).or_default() += v;
        }
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.totals.merge(&o.totals);
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, o.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for (k, v) in o.groups {
            self.groups.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.audit {
            self.audit.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.audit_groups {
            self.audit_groups.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.unpriced {
            *self.unpriced.entry(k).or_default() += v;
        }
        for (k, v) in o.days {
            self.days.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.hours {
            self.hours.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.block_hours {
            self.block_hours.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.users {
            match self.users.get_mut(&k) {
                Some(mine) => {
                    // exact growth: no slack on the largest structure
                    mine.events.reserve_exact(v.events.len());
                    mine.events.extend_from_slice(&v.events);
                    mine.group.merge(&v.group);
                }
                None => {
                    self.users.insert(k, v);
                }
            }
        }
        self.outliers.merge(&o.outliers);
        self.outlier_list.extend(o.outlier_list);
        for (k, v) in o.item_lines {
            *self.item_lines.entry(k).or_default() += v;
        }
        self.trim(top);
    }
}
