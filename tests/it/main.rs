//! The one integration-test crate: it runs the real binary (`common`), checks the generated
//! completions and man pages, the exact counts against the reference, the properties and the
//! bad-input corpus. Run one part with `cargo test --test it cli_count::` (a module path filter).

mod adversarial;
mod case_files;
mod cli_check;
mod cli_cost;
mod cli_count;
mod cli_estimates;
mod cli_models;
mod cli_plan;
mod cli_scan_logs;
mod common;
mod crosscheck;
mod exact_counts;
mod external_tokenizers;
mod generated;
mod properties;
mod snapshots;
