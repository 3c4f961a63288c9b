//! Duplicate detection: the same response logged twice is counted once.
//!
//! * Most formats: the first copy of a response id counts (sharded sets of id hashes shared by
//!   the workers).
//! * Claude Code writes a streamed message more than once, and the later copy carries the final
//!   output; subagent messages appear both in the subagent's own file and nested in the parent's
//!   `progress` lines. Of the copies of one message (same message id and request id) the most
//!   complete one is kept, whatever the read order — ccusage's rule: a main-conversation copy
//!   beats a sidechain copy (a sidechain replay of a parent message with a new request id is
//!   the same message), then more tokens (input + output + cache writes + cache reads) win.
//!   Ties, in this order: a copy that carries its own cost, a direct copy over one nested in a
//!   `progress` line, then the first in input order.

use std::collections::HashSet;

use crate::logs::agg::{FxMap, Loc};
use crate::logs::record::Record;
use std::sync::Mutex;

/// Duplicate detection across workers: sharded sets of id hashes.
pub(crate) struct Seen {
    shards: Vec<Mutex<HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>>>,
}

/// The ids are already hashes: use them as they are.
#[derive(Default)]
pub(crate) struct IdHasher(u64);
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
    pub(crate) fn new() -> Seen {
        Seen {
            shards: (0..64).map(|_| Mutex::new(HashSet::default())).collect(),
        }
    }
    /// Every hash seen.
    pub(crate) fn into_ids(self) -> Vec<u64> {
        self.shards
            .into_iter()
            .flat_map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect()
    }
    /// True the first time `h` is seen.
    pub(crate) fn first(&self, h: u64) -> bool {
        let shard = &self.shards[(h >> 58) as usize];
        shard.lock().unwrap_or_else(|e| e.into_inner()).insert(h)
    }
}

/// A Claude Code record held until all copies are read.
pub(crate) struct Deferred {
    pub(crate) record: Record<'static>,
    pub(crate) loc: Loc,
    pub(crate) project: Option<Box<str>>,
    /// The line's JSON, when `--by FIELD` or `--field` needs it.
    pub(crate) doc: Option<serde_json::Value>,
}

fn tokens(r: &Record<'_>) -> u64 {
    r.usage.input
        + r.usage.output
        + r.usage.cache_write_5m
        + r.usage.cache_write_1h
        + r.usage.cached_input
}

/// True when `cand` should replace `cur` as the copy that counts.
fn better(cand: &Deferred, cur: &Deferred) -> bool {
    let (a, b) = (&cand.record, &cur.record);
    let side = |r: &Record<'_>| r.claude.is_some_and(|c| c.sidechain);
    let nested = |r: &Record<'_>| r.claude.is_some_and(|c| c.nested);
    if side(a) != side(b) {
        return side(b);
    }
    let key = |d: &Deferred| {
        (
            tokens(&d.record),
            d.record.cost.is_some(),
            !nested(&d.record),
            std::cmp::Reverse(d.loc),
        )
    };
    key(cand) > key(cur)
}

/// Of the copies of each Claude Code message, the one that counts; returns them (in input
/// order) and the number of copies dropped.
pub(crate) fn best_copies(mut all: Vec<Deferred>) -> (Vec<Deferred>, u64) {
    all.sort_by_key(|d| d.loc);
    let mut kept: Vec<Option<Deferred>> = Vec::new();
    // exact key (message id + request id) and message id alone → indexes into `kept`
    let mut exact: FxMap<u64, usize> = FxMap::default();
    let mut by_message: FxMap<u64, Vec<usize>> = FxMap::default();
    let mut dropped = 0u64;
    for d in all {
        let (Some(key), Some(c)) = (d.record.dedupe, d.record.claude) else {
            kept.push(Some(d));
            continue;
        };
        let found = exact.get(&key).copied().or_else(|| {
            // a sidechain copy of a message under another request id is the same message
            by_message.get(&c.message).and_then(|ix| {
                ix.iter().copied().find(|&i| {
                    kept[i].as_ref().is_some_and(|k| {
                        c.sidechain || k.record.claude.is_some_and(|kc| kc.sidechain)
                    })
                })
            })
        });
        match found {
            Some(i) => {
                dropped += 1;
                let cur = kept[i].as_ref().expect("kept entries stay");
                if better(&d, cur) {
                    kept[i] = Some(d);
                }
                exact.insert(key, i);
            }
            None => {
                let i = kept.len();
                kept.push(Some(d));
                exact.insert(key, i);
                by_message.entry(c.message).or_default().push(i);
            }
        }
    }
    (kept.into_iter().flatten().collect(), dropped)
}
