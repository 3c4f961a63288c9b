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
    /// ISO 8601 week of the local day: `2026-W10` (weeks start on Monday; the week-based year).
    Week,
    /// `2026-03`.
    Month,
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
            "week" => GroupBy::Week,
            "month" => GroupBy::Month,
            "session" => GroupBy::Session,
            "project" => GroupBy::Project,
            "format" => GroupBy::Format,
            "" => return Err("empty --by field".into()),
            other => {
                if let Some(seg) = text_segment(other) {
                    return Err(refuse_text_path(other, seg));
                }
                GroupBy::Field(other.to_string())
            }
        })
    }

    /// A dimension of time (groups sort by it, in order, and are never cut to `--top`).
    pub fn is_time(&self) -> bool {
        matches!(
            self,
            GroupBy::Day | GroupBy::Hour | GroupBy::Week | GroupBy::Month
        )
    }

    pub fn name(&self) -> &str {
        match self {
            GroupBy::User => "user",
            GroupBy::Feature => "feature",
            GroupBy::Model => "model",
            GroupBy::Day => "day",
            GroupBy::Hour => "hour",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
            GroupBy::Session => "session",
            GroupBy::Project => "project",
            GroupBy::Format => "format",
            GroupBy::Field(f) => f,
        }
    }
}

/// Keys whose values are prompt or response text (or hold it) in the formats scan-logs reads:
/// chat `messages[].content`, `choices[].message.content`/`.text`/`.delta`, tool-call
/// `arguments`, Responses `input`/`instructions`/`output[].content[].text`/`output_text`,
/// Anthropic `system`/`content[].text`/`thinking`, Gemini `contents[].parts[].text`,
/// `candidates[]`, `systemInstruction`, LiteLLM `messages`/`response`, completions `prompt`.
const TEXT_KEYS: &[&str] = &[
    "content",
    "contents",
    "messages",
    "parts",
    "text",
    "prompt",
    "prompts",
    "completion",
    "instructions",
    "arguments",
    "refusal",
    "reasoning",
    "reasoning_content",
    "thinking",
    "output_text",
    "delta",
    "tool_calls",
    "function_call",
    "systeminstruction",
    "system_instruction",
];

/// Keys that hold text only as a whole (`choices.0.message` is the message with its content,
/// but `message.model` is a model name): refused when the path ends there.
const TEXT_CONTAINERS: &[&str] = &[
    "message",
    "choices",
    "candidates",
    "input",
    "output",
    "response",
    "system",
    "body",
    "request",
];

/// The segment of a dotted `--by`/`--field` path that leads into prompt or response text, if
/// any (case-insensitive; array indexes and `*` are skipped): `choices.0.message.content` →
/// `content`, `messages.*.content` → `messages`, `choices.0.message` → `message`. scan-logs
/// promises never to print that text, so such paths are refused. The `arg_value` fuzz target
/// checks that no accepted `--by` path has one.
pub fn text_segment(path: &str) -> Option<&str> {
    let segs: Vec<&str> = path
        .split('.')
        .filter(|s| !s.is_empty() && *s != "*" && !s.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    if let Some(seg) = segs
        .iter()
        .find(|s| TEXT_KEYS.iter().any(|k| k.eq_ignore_ascii_case(s.trim())))
    {
        return Some(seg);
    }
    segs.last().copied().filter(|s| {
        TEXT_CONTAINERS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(s.trim()))
    })
}

/// The message for a refused text path (`--by` and `--field`).
pub fn refuse_text_path(path: &str, segment: &str) -> String {
    format!(
        "'{path}' leads into prompt or response text (`{segment}`), which scan-logs never \
         prints; use a field that names the request instead (user, model, metadata.team …)"
    )
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
    /// Keep every group, not only the `top` largest (`--json` without `--top`).
    pub all_groups: bool,
    pub spike_factor: f64,
    pub spike_days: u32,
    pub burst: Option<Rate>,
    pub burst_tokens: Option<Rate>,
    pub loops: LoopRule,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Plain files larger than this are split into ranges of about this size.
    pub chunk_bytes: u64,
    /// The line cap: a longer line is skipped ("line too long") without being held in memory.
    /// [`DEFAULT_MAX_LINE_BYTES`] unless set (the hidden `TOKENBUDGET_SCAN_MAX_LINE_BYTES`
    /// environment variable sets it for the command, for tests).
    pub max_line_bytes: usize,
    /// Sum requests into 5-hour blocks (`--blocks`).
    pub blocks: bool,
}

/// The default line cap: 64 MiB, far above any real log record (a Claude Code line with a few
/// pasted screenshots is a few MB) and small enough that two workers stay well under a GB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

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
            all_groups: false,
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
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            blocks: false,
        }
    }
}

/// An input to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}
