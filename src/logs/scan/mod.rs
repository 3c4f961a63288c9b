//! The scan: plan the work items, run them on a pool of workers, merge, report.

pub(crate) mod input;
mod read;
mod worker;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::catalog::Catalog;
use crate::logs::agg::Agg;
use crate::logs::dedupe::{self, Deferred, Seen};
use crate::logs::options::{Input, ScanOptions};
use crate::logs::report::{FileProblem, ScanReport, finish};
use input::{plan, walk};
use read::run_item;
use worker::Worker;

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
/// ([`crate::logs::summary`]) holds.
pub struct Raw {
    pub(crate) agg: Agg,
    pub(crate) files: Vec<input::FileInfo>,
    pub(crate) items: Vec<input::Item>,
    pub(crate) problems: Vec<FileProblem>,
    pub(crate) bytes: u64,
    /// The id hashes seen (duplicate dropping), and those of the Claude Code messages counted
    /// (their message ids and message + request ids), in no order.
    pub(crate) ids: Vec<u64>,
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
        opts.max_line_bytes as u64,
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
    let aggs: Vec<(Agg, Vec<Deferred>)> = std::thread::scope(|s| {
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
    let mut deferred = Vec::new();
    let mut claude_ids = Vec::new();
    for (a, d) in aggs {
        agg.merge(a, opts.top);
        deferred.extend(d);
    }
    if !deferred.is_empty() {
        // Claude Code messages: the most complete copy of each counts
        let (best, dropped) = dedupe::best_copies(deferred);
        let mut w = Worker::new(opts, catalog, &seen);
        for d in &best {
            claude_ids.extend(d.record.dedupe);
            claude_ids.extend(d.record.claude.map(|c| c.message));
        }
        for d in best {
            w.count(d.record, d.loc, d.project.as_deref(), d.doc.as_ref(), false);
        }
        let (a, _) = w.finish();
        agg.merge(a, opts.top);
        agg.duplicates += dropped;
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
    let mut ids = seen.into_ids();
    ids.extend(claude_ids);
    Raw {
        agg,
        files,
        items,
        problems,
        bytes,
        ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::options::GroupBy;
    use std::fs::File;
    use std::io::Read;
    use std::path::Path;

    fn no_progress(_: u64) {}
    use std::io::Write;

    /// A Codex session (later lines need its earlier ones: the model, the running total) is
    /// never split into ranges: a split scan gives the sequential scan's report.
    #[test]
    fn codex_sessions_are_read_whole() {
        let mut text = String::from(
            "{\"timestamp\":\"2026-03-01T09:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"s\"}}\n\
             {\"timestamp\":\"2026-03-01T09:00:00Z\",\"type\":\"turn_context\",\"payload\":{\"model\":\"gpt-5\"}}\n",
        );
        for i in 1..=2000u64 {
            // only running totals: each turn is the difference from the previous line's
            text.push_str(&format!(
                "{{\"timestamp\":\"2026-03-01T09:{:02}:{:02}Z\",\"type\":\"event_msg\",\"payload\":{{\"type\":\"token_count\",\"info\":{{\"total_token_usage\":{{\"input_tokens\":{},\"cached_input_tokens\":0,\"output_tokens\":{},\"reasoning_output_tokens\":0,\"total_tokens\":{}}}}}}}}}\n",
                (i / 60) % 60,
                i % 60,
                1000 * i,
                10 * i,
                1010 * i
            ));
        }
        assert!(text.len() > 3 << 16);
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        let inputs = [Input::Path(f.path().to_path_buf())];
        let catalog = Catalog::embedded();
        let mut opts = ScanOptions {
            threads: 1,
            chunk_bytes: 1 << 40,
            ..ScanOptions::default()
        };
        let split = whole_equals_split(&inputs, &mut opts, catalog);
        assert_eq!(split["records"], 2000);
        assert_eq!(split["tokens"]["total"], 1010 * 2000);
        // 2000 × (1000 × $1.25 + 10 × $10) per 1M
        assert_eq!(split["cost"], "2.7");
    }

    /// Scans `inputs` in one pass (`opts` as given) and in 64 KiB ranges on two threads (`opts`
    /// left so), asserts the two reports are equal and returns the split one.
    fn whole_equals_split(
        inputs: &[Input],
        opts: &mut ScanOptions,
        catalog: &'static Catalog,
    ) -> serde_json::Value {
        let whole = serde_json::to_value(scan(inputs, opts, catalog, &no_progress)).unwrap();
        opts.threads = 2;
        opts.chunk_bytes = 1 << 16;
        let split = serde_json::to_value(scan(inputs, opts, catalog, &no_progress)).unwrap();
        assert_eq!(whole, split);
        split
    }

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
        let split = whole_equals_split(&inputs, &mut opts, catalog);
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
