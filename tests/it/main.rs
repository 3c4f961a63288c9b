//! The one integration-test crate: it runs the real binary (`common`), checks the generated
//! completions and man pages, the exact counts against the reference, the properties and the
//! bad-input corpus. Run one part with `cargo test --test it cli_count::` (a module path filter).

mod adversarial;
mod architecture;
mod bounds;
mod case_files;
mod cli_check;
mod cli_cost;
mod cli_count;
mod cli_estimates;
mod cli_exit;
mod cli_merge;
mod cli_models;
mod cli_names;
mod cli_out;
mod cli_plan;
mod cli_scan_logs;
mod cli_scan_views;
mod cli_values;
mod common;
mod count_scale;
mod crosscheck;
mod escaping;
mod exact_counts;
mod external_tokenizers;
mod generated;
mod one_answer;
mod open_exact;
mod open_oracle;
mod properties;
mod request_shapes;
mod snapshots;
