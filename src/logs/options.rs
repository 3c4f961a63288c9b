//! What to scan and how: `--by` dimensions, the scan options, the inputs.

use std::path::PathBuf;

use super::detect::{LoopRule, Rate};
use super::record::FieldOverrides;
use super::time::Tz;

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
