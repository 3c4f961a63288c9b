//! Usage-log scanning: the core of `tokenbudget scan-logs`.
//!
//! Layout (a DAG, leaves last):
//! * [`scan`]: plan the inputs (files, `.gz`/`.zst`, directories, stdin; large plain files split
//!   at line boundaries into ranges read in parallel), run the workers, merge.
//! * [`report`]: the report (`--json` document) built from the merged aggregates.
//! * [`dedupe`]: the same response logged twice is counted once.
//! * [`record`]: one JSONL line → one usage record, for every recognised format.
//! * [`agg`]: per-worker aggregates with an associative merge.
//! * [`detect`]: spike days, bursts and loops.
//! * [`time`]: timestamps and time zones.
//! * [`options`]: what to scan and how.
//!
//! Memory: constant in the input size except for (1) one entry per distinct group, model, day
//! and user, (2) ~16 bytes per record that carries a response id (a set of 64-bit id hashes) and
//! (3) 20 bytes per timestamped record for the per-user time-ordered detectors (bursts, loops).

pub mod agg;
mod dedupe;
pub mod detect;
pub mod options;
pub mod record;
pub mod report;
pub mod scan;
pub mod summary;
pub mod time;

pub use detect::{Burst, Loop, LoopRule, Rate, Spike};
pub use options::{GroupBy, Input, ScanOptions, refuse_text_path, text_segment};
pub use record::{ErrKind, FieldOverrides, Format};
pub use report::*;
pub use scan::{Raw, input_size, scan, scan_raw};
pub use time::Tz;
