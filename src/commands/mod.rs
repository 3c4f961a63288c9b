//! One module per subcommand: turn arguments into a request, call the core, hand the result
//! to the report layer.

pub mod count;
pub mod scan_logs;
