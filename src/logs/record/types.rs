//! The normalised record and the reasons a line is not one: the leaf types every other part of
//! `record` (and the scanner) builds on.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::pricing::{Money, Usage};

/// The largest token count accepted: 2⁵³ (the integers a JSON double holds exactly).
pub const MAX_TOKENS: u64 = 1 << 53;

/// The format a record was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `{"timestamp","user_id","feature","model","prompt_tokens","completion_tokens",…}`.
    App,
    /// OpenAI Chat Completions object (`usage.prompt_tokens`).
    OpenaiChat,
    /// OpenAI Responses API object (`usage.input_tokens` + `input_tokens_details`).
    OpenaiResponses,
    /// OpenAI Batch API output line (`response.body.usage`, or a failed line).
    OpenaiBatch,
    /// Anthropic Messages response (`usage.input_tokens` + cache fields).
    Anthropic,
    /// Google Gemini response (`usageMetadata`).
    Gemini,
    /// LiteLLM spend log / standard logging payload.
    Litellm,
    /// Claude Code transcript entry (`message.usage`, `sessionId`).
    ClaudeCode,
    /// Anthropic Message Batches result line (`custom_id` + `result`).
    AnthropicBatch,
    /// AWS Bedrock: a Converse response (`usage.inputTokens`) or a model invocation log
    /// record (`modelId`, `input.inputTokenCount`).
    Bedrock,
    /// Cohere chat response (`usage.billed_units`, v1 `meta.billed_units`).
    Cohere,
    /// OpenRouter chat completion carrying its own cost (`usage.cost`).
    Openrouter,
    /// OpenAI Codex CLI session (`~/.codex/sessions/**/rollout-*.jsonl`): `token_count` events.
    Codex,
    /// Gemini CLI chat recording (`~/.gemini/tmp/<project>/chats/`): `gemini` messages.
    GeminiCli,
    /// Qwen Code chat recording (`~/.qwen/projects/<project>/chats/`): `assistant` records.
    QwenCode,
    /// An OpenTelemetry GenAI span in an OTLP/JSON trace export (`gen_ai.usage.*`).
    Otel,
    /// Token counts found only through `--field` overrides.
    Custom,
}

impl Format {
    pub const ALL: [Format; 17] = [
        Format::App,
        Format::OpenaiChat,
        Format::OpenaiResponses,
        Format::OpenaiBatch,
        Format::Anthropic,
        Format::Gemini,
        Format::Litellm,
        Format::ClaudeCode,
        Format::AnthropicBatch,
        Format::Bedrock,
        Format::Cohere,
        Format::Openrouter,
        Format::Codex,
        Format::GeminiCli,
        Format::QwenCode,
        Format::Otel,
        Format::Custom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::App => "app",
            Format::OpenaiChat => "openai_chat",
            Format::OpenaiResponses => "openai_responses",
            Format::OpenaiBatch => "openai_batch",
            Format::Anthropic => "anthropic",
            Format::Gemini => "gemini",
            Format::Litellm => "litellm",
            Format::ClaudeCode => "claude_code",
            Format::AnthropicBatch => "anthropic_batch",
            Format::Bedrock => "bedrock",
            Format::Cohere => "cohere",
            Format::Openrouter => "openrouter",
            Format::Codex => "codex",
            Format::GeminiCli => "gemini_cli",
            Format::QwenCode => "qwen_code",
            Format::Otel => "otel",
            Format::Custom => "custom",
        }
    }

    /// Formats whose records always carry a time: one without is bad input (skipped).
    pub(crate) fn requires_time(self) -> bool {
        !matches!(
            self,
            Format::Anthropic
                | Format::Gemini
                | Format::OpenaiBatch
                | Format::AnthropicBatch
                | Format::Bedrock
                | Format::Cohere
                | Format::Custom
        )
    }
}

/// Why a request failed, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrKind {
    ContextLengthExceeded,
    RateLimited,
    BadRequest,
    Auth,
    ServerError,
    Timeout,
    Other,
}

impl ErrKind {
    pub const ALL: [ErrKind; 7] = [
        ErrKind::ContextLengthExceeded,
        ErrKind::RateLimited,
        ErrKind::BadRequest,
        ErrKind::Auth,
        ErrKind::ServerError,
        ErrKind::Timeout,
        ErrKind::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ErrKind::ContextLengthExceeded => "context_length_exceeded",
            ErrKind::RateLimited => "rate_limited (429)",
            ErrKind::BadRequest => "bad_request (400)",
            ErrKind::Auth => "auth (401/403)",
            ErrKind::ServerError => "server_error (5xx)",
            ErrKind::Timeout => "timeout",
            ErrKind::Other => "other error",
        }
    }

    /// Classify an error code, type or message (the text is only inspected, never kept).
    pub fn classify(text: &str) -> ErrKind {
        let t = text.to_ascii_lowercase();
        if let Ok(code) = t.trim().parse::<u16>() {
            return ErrKind::from_status(code).unwrap_or(ErrKind::Other);
        }
        if t.contains("context_length")
            || t.contains("context length")
            || t.contains("context window")
            || t.contains("too long")
            || t.contains("too many tokens")
        {
            ErrKind::ContextLengthExceeded
        } else if t.contains("rate") && t.contains("limit")
            || t.contains("429")
            || t.contains("quota")
        {
            ErrKind::RateLimited
        } else if t.contains("timeout") || t.contains("timed out") {
            ErrKind::Timeout
        } else if t.contains("auth") || t.contains("permission") || t.contains("api key") {
            ErrKind::Auth
        } else if t.contains("server")
            || t.contains("overloaded")
            || t.contains("internal")
            || t.contains("unavailable")
        {
            ErrKind::ServerError
        } else if t.contains("invalid") || t.contains("bad request") || t.contains("400") {
            ErrKind::BadRequest
        } else {
            ErrKind::Other
        }
    }

    /// An HTTP status: `None` below 400.
    pub fn from_status(code: u16) -> Option<ErrKind> {
        Some(match code {
            0..=399 => return None,
            400 | 413 | 422 => ErrKind::BadRequest,
            401 | 403 => ErrKind::Auth,
            408 | 504 => ErrKind::Timeout,
            429 => ErrKind::RateLimited,
            500..=599 => ErrKind::ServerError,
            _ => ErrKind::Other,
        })
    }
}

/// One request's usage, normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record<'a> {
    pub format: Option<Format>,
    /// Unix seconds.
    pub time: Option<i64>,
    pub user: Option<Cow<'a, str>>,
    pub feature: Option<Cow<'a, str>>,
    pub model: Option<Cow<'a, str>>,
    pub session: Option<Cow<'a, str>>,
    pub project: Option<Cow<'a, str>>,
    /// Billable tokens by kind; `output` includes reasoning.
    pub usage: Usage,
    /// Reasoning / thinking tokens (a part of `usage.output`).
    pub reasoning: u64,
    /// The record's own cost field, when it has one.
    pub cost: Option<Money>,
    /// Priced at Batch API rates.
    pub batch: bool,
    pub error: Option<ErrKind>,
    /// Hash of the response id, for dropping duplicates.
    pub dedupe: Option<u64>,
    /// A Claude Code message: of its copies the most complete one is kept (see `dedupe`).
    pub claude: Option<ClaudeCopy>,
}

/// What tells the copies of one Claude Code message apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClaudeCopy {
    /// Hash of the message id alone (a sidechain replay carries a new request id).
    pub message: u64,
    /// `isSidechain: true` (a `/btw` side question or a subagent's replay).
    pub sidechain: bool,
    /// Read from a `progress` line (a subagent's message as the parent logged it).
    pub nested: bool,
}

impl Record<'_> {
    /// The record with its text copied out of the line.
    pub fn into_owned(self) -> Record<'static> {
        let own = |c: Option<Cow<'_, str>>| c.map(|c| Cow::Owned(c.into_owned()));
        Record {
            format: self.format,
            time: self.time,
            user: own(self.user),
            feature: own(self.feature),
            model: own(self.model),
            session: own(self.session),
            project: own(self.project),
            usage: self.usage,
            reasoning: self.reasoning,
            cost: self.cost,
            batch: self.batch,
            error: self.error,
            dedupe: self.dedupe,
            claude: self.claude,
        }
    }
}

/// Why a line was not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// A short category, for counting (`"malformed JSON"`, `"bad token count"`, …).
    pub kind: &'static str,
    /// The full reason (field names and values, never text from prompts or responses).
    pub detail: String,
}

impl Skip {
    pub fn new(kind: &'static str, detail: impl Into<String>) -> Skip {
        Skip {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

/// What one line holds.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // returned by value once per line, never stored
pub enum Parsed<'a> {
    Record(Record<'a>),
    /// A known non-usage event (a Claude Code user message, a summary line): not counted.
    Ignored,
    /// What a line says about the later lines of its file (a Codex `session_meta` or
    /// `turn_context`, a Gemini CLI session's first line): not a record.
    Context(FileContext<'a>),
    /// A record to complete from its file's earlier lines: the model, session and project it
    /// lacks, and for Codex the per-turn usage (see [`CodexTurn`]).
    Contextual(Record<'a>, Option<CodexTurn>),
    /// Several records from one line (the GenAI spans of an OTLP export request).
    Many(Vec<Record<'a>>),
}

/// What a line tells about the lines after it in the same file.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileContext<'a> {
    pub model: Option<Cow<'a, str>>,
    pub session: Option<Cow<'a, str>>,
    pub project: Option<Cow<'a, str>>,
}

/// A Codex `TokenUsage`, in OpenAI's convention: `cached_input` is part of `input`,
/// `reasoning_output` part of `output`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodexUsage {
    pub input: u64,
    pub cached_input: u64,
    pub output: u64,
    pub reasoning_output: u64,
    pub total: u64,
}

impl CodexUsage {
    /// The normalised split and the reasoning tokens: cached input is part of `input_tokens`,
    /// reasoning part of `output_tokens` (OpenAI's convention, as in `codex-rs`' `TokenUsage`).
    /// (A difference of running totals may hold more cached than input tokens, or more
    /// reasoning than output tokens, when the totals are inconsistent: the parts are capped.)
    pub fn split(self) -> (Usage, u64) {
        let cached = self.cached_input.min(self.input);
        (
            Usage {
                input: self.input - cached,
                cached_input: cached,
                output: self.output,
                ..Usage::default()
            },
            self.reasoning_output.min(self.output),
        )
    }

    pub fn is_zero(self) -> bool {
        self.input == 0 && self.output == 0 && self.total == 0
    }

    /// `self - prev`, or `self` when the running total went down (a new or compacted count).
    pub fn since(self, prev: Option<CodexUsage>) -> CodexUsage {
        let Some(p) = prev else { return self };
        if self.input < p.input
            || self.cached_input < p.cached_input
            || self.output < p.output
            || self.reasoning_output < p.reasoning_output
            || self.total < p.total
        {
            return self;
        }
        CodexUsage {
            input: self.input - p.input,
            cached_input: self.cached_input - p.cached_input,
            output: self.output - p.output,
            reasoning_output: self.reasoning_output - p.reasoning_output,
            total: self.total - p.total,
        }
    }
}

/// A Codex `token_count` event: the turn's usage (`last_token_usage`) and the session's running
/// total (`total_token_usage`), either of which may be missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodexTurn {
    pub last: Option<CodexUsage>,
    pub total: Option<CodexUsage>,
}

/// The 64-bit hash of a response id, for duplicate detection.
pub fn id_hash(parts: &[&str]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}
