//! One log line → one usage [`Record`], whatever its format. The line is deserialized once into
//! [`RawLine`], a struct that names only the fields any recognised format uses (everything else,
//! prompt and response text included, is skipped by the parser without being copied), with
//! borrowed strings. Token counts and costs are validated: a string, a negative, fractional or
//! over-2⁵³ count makes the line skipped with its reason, never a silent zero.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::time::{from_epoch, parse_rfc3339};
use crate::pricing::{Money, Price, Usage};

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
    /// Token counts found only through `--field` overrides.
    Custom,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::App,
        Format::OpenaiChat,
        Format::OpenaiResponses,
        Format::OpenaiBatch,
        Format::Anthropic,
        Format::Gemini,
        Format::Litellm,
        Format::ClaudeCode,
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
            Format::Custom => "custom",
        }
    }

    /// Formats whose records always carry a time: one without is bad input (skipped).
    fn requires_time(self) -> bool {
        !matches!(
            self,
            Format::Anthropic | Format::Gemini | Format::OpenaiBatch | Format::Custom
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
}

// ---------------------------------------------------------------------------------------
// Lenient leaf types: they never fail the whole line; they remember what was wrong.

/// A token count as found: absent (or null), a valid count, or why it is invalid.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Num {
    #[default]
    Absent,
    Ok(u64),
    Bad(&'static str),
}

struct NumVisitor;

fn num_u64(v: u64) -> Num {
    if v > MAX_TOKENS {
        Num::Bad("larger than 2^53")
    } else {
        Num::Ok(v)
    }
}

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token count")
    }
    fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
        Ok(num_u64(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
        Ok(if v < 0 {
            Num::Bad("negative")
        } else {
            num_u64(v as u64)
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
        Ok(if !v.is_finite() {
            Num::Bad("not a finite number")
        } else if v < 0.0 {
            Num::Bad("negative")
        } else if v.fract() != 0.0 {
            Num::Bad("fractional")
        } else if v > MAX_TOKENS as f64 {
            Num::Bad("larger than 2^53")
        } else {
            Num::Ok(v as u64)
        })
    }
    fn visit_str<E>(self, _: &str) -> Result<Num, E> {
        Ok(Num::Bad("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Num, E> {
        Ok(Num::Bad("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Num, E> {
        Ok(Num::Absent)
    }
    fn visit_none<E>(self) -> Result<Num, E> {
        Ok(Num::Absent)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Num::Bad("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Num, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Num::Bad("an array"))
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

impl Num {
    fn from_value(v: &Value) -> Num {
        match v {
            Value::Null => Num::Absent,
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    NumVisitor
                        .visit_u64::<de::value::Error>(u)
                        .unwrap_or_default()
                } else if let Some(i) = n.as_i64() {
                    NumVisitor
                        .visit_i64::<de::value::Error>(i)
                        .unwrap_or_default()
                } else {
                    NumVisitor
                        .visit_f64::<de::value::Error>(n.as_f64().unwrap_or(f64::NAN))
                        .unwrap_or_default()
                }
            }
            Value::String(_) => Num::Bad("a string"),
            Value::Bool(_) => Num::Bad("a boolean"),
            Value::Array(_) => Num::Bad("an array"),
            Value::Object(_) => Num::Bad("an object"),
        }
    }

    fn is_present(self) -> bool {
        !matches!(self, Num::Absent)
    }
}

/// A string-ish field: strings are borrowed when unescaped; numbers and booleans become text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'a> Text<'a> {
    fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
    fn take(&mut self) -> Option<Cow<'a, str>> {
        self.0.take().filter(|s| !s.is_empty())
    }
}

/// A timestamp: RFC 3339 text or a Unix epoch number (seconds or milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum TimeVal {
    #[default]
    Absent,
    Unix(i64),
    Bad,
}

impl<'de> Deserialize<'de> for TimeVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TimeVal, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TimeVal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp")
            }
            fn visit_str<E>(self, v: &str) -> Result<TimeVal, E> {
                Ok(TimeVal::from_str(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<TimeVal, E> {
                Ok(from_epoch(v as f64).map_or(TimeVal::Bad, TimeVal::Unix))
            }
            fn visit_i64<E>(self, v: i64) -> Result<TimeVal, E> {
                Ok(from_epoch(v as f64).map_or(TimeVal::Bad, TimeVal::Unix))
            }
            fn visit_f64<E>(self, v: f64) -> Result<TimeVal, E> {
                Ok(from_epoch(v).map_or(TimeVal::Bad, TimeVal::Unix))
            }
            fn visit_unit<E>(self) -> Result<TimeVal, E> {
                Ok(TimeVal::Absent)
            }
            fn visit_bool<E>(self, _: bool) -> Result<TimeVal, E> {
                Ok(TimeVal::Bad)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TimeVal, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TimeVal::Bad)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TimeVal, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TimeVal::Bad)
            }
        }
        d.deserialize_any(V)
    }
}

impl TimeVal {
    pub(crate) fn from_str_pub(v: &str) -> TimeVal {
        TimeVal::from_str(v)
    }

    fn from_str(v: &str) -> TimeVal {
        if let Some(t) = parse_rfc3339(v) {
            return TimeVal::Unix(t);
        }
        // epoch numbers written as strings
        match v.trim().parse::<f64>() {
            Ok(x) => from_epoch(x).map_or(TimeVal::Bad, TimeVal::Unix),
            Err(_) => TimeVal::Bad,
        }
    }

    fn from_value(v: &Value) -> TimeVal {
        match v {
            Value::Null => TimeVal::Absent,
            Value::String(s) => TimeVal::from_str(s),
            Value::Number(n) => n
                .as_f64()
                .and_then(from_epoch)
                .map_or(TimeVal::Bad, TimeVal::Unix),
            _ => TimeVal::Bad,
        }
    }

    fn or(self, other: TimeVal) -> TimeVal {
        match self {
            TimeVal::Absent => other,
            _ => self,
        }
    }
}

/// A dollar amount: a JSON number or a decimal string; negative or unparseable is `Bad`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum CostVal {
    #[default]
    Absent,
    Ok(Money),
    Bad,
}

fn parse_dollars(s: &str) -> CostVal {
    let t = s.trim();
    if t.starts_with('-') {
        return CostVal::Bad;
    }
    // per-token parser: exact to 10^-15 and rounds half-up beyond (floats like 1.23e-7)
    match Price::parse_per_token(t) {
        Ok(p) => CostVal::Ok(Money::from_femto(i128::from(p.femto_per_token()))),
        Err(_) => Money::parse(t).map_or(CostVal::Bad, CostVal::Ok),
    }
}

impl<'de> Deserialize<'de> for CostVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CostVal, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CostVal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a cost")
            }
            fn visit_str<E>(self, v: &str) -> Result<CostVal, E> {
                Ok(parse_dollars(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<CostVal, E> {
                Ok(parse_dollars(&v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<CostVal, E> {
                Ok(parse_dollars(&v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<CostVal, E> {
                Ok(if v.is_finite() {
                    parse_dollars(&format!("{v}"))
                } else {
                    CostVal::Bad
                })
            }
            fn visit_unit<E>(self) -> Result<CostVal, E> {
                Ok(CostVal::Absent)
            }
            fn visit_bool<E>(self, _: bool) -> Result<CostVal, E> {
                Ok(CostVal::Bad)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CostVal, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(CostVal::Bad)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CostVal, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(CostVal::Bad)
            }
        }
        d.deserialize_any(V)
    }
}

impl CostVal {
    fn from_value(v: &Value) -> CostVal {
        match v {
            Value::Null => CostVal::Absent,
            Value::String(s) => parse_dollars(s),
            Value::Number(n) => parse_dollars(&n.to_string()),
            _ => CostVal::Bad,
        }
    }
    fn or(self, other: CostVal) -> CostVal {
        match self {
            CostVal::Absent => other,
            _ => self,
        }
    }
}

/// A nested object that is read only when it is an object (anything else is ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct Obj<T>(pub Option<Box<T>>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Obj<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| Obj(Some(Box::new(t))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_unit<E>(self) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An `error` field: a string, an object (`code`, `type`, `message`), or null.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorVal(pub Option<ErrKind>);

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrObj<'a> {
    #[serde(borrow)]
    code: Text<'a>,
    #[serde(borrow, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow)]
    message: Text<'a>,
}

impl<'de> Deserialize<'de> for ErrorVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ErrorVal, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ErrorVal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an error")
            }
            fn visit_str<E>(self, v: &str) -> Result<ErrorVal, E> {
                Ok(ErrorVal(
                    (!v.trim().is_empty()).then(|| ErrKind::classify(v)),
                ))
            }
            fn visit_u64<E>(self, v: u64) -> Result<ErrorVal, E> {
                Ok(ErrorVal(Some(
                    u16::try_from(v)
                        .ok()
                        .and_then(ErrKind::from_status)
                        .unwrap_or(ErrKind::Other),
                )))
            }
            fn visit_i64<E>(self, _: i64) -> Result<ErrorVal, E> {
                Ok(ErrorVal(Some(ErrKind::Other)))
            }
            fn visit_f64<E>(self, _: f64) -> Result<ErrorVal, E> {
                Ok(ErrorVal(Some(ErrKind::Other)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<ErrorVal, E> {
                Ok(ErrorVal(v.then_some(ErrKind::Other)))
            }
            fn visit_unit<E>(self) -> Result<ErrorVal, E> {
                Ok(ErrorVal(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ErrorVal, A::Error> {
                let o = ErrObj::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let kind = [o.code.get(), o.kind.get(), o.message.get()]
                    .into_iter()
                    .flatten()
                    .map(ErrKind::classify)
                    .find(|k| *k != ErrKind::Other)
                    .unwrap_or(ErrKind::Other);
                Ok(ErrorVal(Some(kind)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ErrorVal, A::Error> {
                let mut any = false;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    any = true;
                }
                Ok(ErrorVal(any.then_some(ErrKind::Other)))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------
// The union of the fields every recognised format uses.

#[derive(Deserialize, Default)]
#[serde(default)]
struct Details {
    cached_tokens: Num,
    reasoning_tokens: Num,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CacheCreation {
    ephemeral_5m_input_tokens: Num,
    ephemeral_1h_input_tokens: Num,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUsage {
    prompt_tokens: Num,
    completion_tokens: Num,
    total_tokens: Num,
    prompt_tokens_details: Obj<Details>,
    completion_tokens_details: Obj<Details>,
    input_tokens: Num,
    output_tokens: Num,
    input_tokens_details: Obj<Details>,
    output_tokens_details: Obj<Details>,
    cache_creation_input_tokens: Num,
    cache_read_input_tokens: Num,
    cache_creation: Obj<CacheCreation>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct GeminiUsage {
    prompt_token_count: Num,
    candidates_token_count: Num,
    cached_content_token_count: Num,
    thoughts_token_count: Num,
    tool_use_prompt_token_count: Num,
    total_token_count: Num,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMessage<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    model: Text<'a>,
    usage: Obj<RawUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BatchBody<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    object: Text<'a>,
    #[serde(borrow)]
    model: Text<'a>,
    created: TimeVal,
    created_at: TimeVal,
    usage: Obj<RawUsage>,
    error: ErrorVal,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BatchResponse<'a> {
    status_code: Num,
    #[serde(borrow)]
    body: Obj<BatchBody<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LiteMeta<'a> {
    #[serde(borrow)]
    user_api_key_user_id: Text<'a>,
    #[serde(borrow)]
    user_api_key_end_user_id: Text<'a>,
    #[serde(borrow)]
    user_api_key_alias: Text<'a>,
    #[serde(borrow)]
    user_api_key_team_alias: Text<'a>,
    #[serde(borrow)]
    user_api_key_team_id: Text<'a>,
}

/// The fields of one line that any recognised format uses.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawLine<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    object: Text<'a>,
    #[serde(borrow, rename = "type")]
    kind: Text<'a>,
    timestamp: TimeVal,
    created: TimeVal,
    created_at: TimeVal,
    #[serde(rename = "startTime")]
    start_time: TimeVal,
    #[serde(rename = "createTime")]
    create_time: TimeVal,
    #[serde(borrow)]
    user_id: Text<'a>,
    #[serde(borrow)]
    user: Text<'a>,
    #[serde(borrow)]
    end_user: Text<'a>,
    #[serde(borrow)]
    feature: Text<'a>,
    #[serde(borrow)]
    project: Text<'a>,
    #[serde(borrow)]
    model: Text<'a>,
    #[serde(borrow, rename = "modelVersion")]
    model_version: Text<'a>,
    #[serde(borrow, rename = "responseId")]
    response_id: Text<'a>,
    #[serde(borrow, rename = "sessionId")]
    session_id_camel: Text<'a>,
    #[serde(borrow)]
    session_id: Text<'a>,
    #[serde(borrow, rename = "requestId")]
    request_id_camel: Text<'a>,
    #[serde(borrow)]
    request_id: Text<'a>,
    #[serde(borrow)]
    call_type: Text<'a>,
    prompt_tokens: Num,
    completion_tokens: Num,
    total_tokens: Num,
    input_tokens: Num,
    output_tokens: Num,
    cached_tokens: Num,
    reasoning_tokens: Num,
    cost_usd: CostVal,
    #[serde(rename = "costUSD")]
    cost_usd_camel: CostVal,
    response_cost: CostVal,
    spend: CostVal,
    #[serde(borrow)]
    status: Text<'a>,
    status_code: Num,
    error: ErrorVal,
    #[serde(borrow)]
    error_str: Text<'a>,
    usage: Obj<RawUsage>,
    #[serde(rename = "usageMetadata")]
    usage_metadata: Obj<GeminiUsage>,
    #[serde(borrow)]
    message: Obj<RawMessage<'a>>,
    #[serde(borrow)]
    response: Obj<BatchResponse<'a>>,
    #[serde(borrow)]
    custom_id: Text<'a>,
    #[serde(borrow)]
    metadata: Obj<LiteMeta<'a>>,
}

/// Field overrides (`--field user=metadata.customer`): dotted paths into the line's JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldOverrides {
    pub user: Option<String>,
    pub feature: Option<String>,
    pub model: Option<String>,
    pub time: Option<String>,
    pub session: Option<String>,
    pub project: Option<String>,
    pub id: Option<String>,
    pub input: Option<String>,
    pub output: Option<String>,
    pub cached: Option<String>,
    pub cost: Option<String>,
}

impl FieldOverrides {
    /// The names `--field` accepts.
    pub const NAMES: [&'static str; 11] = [
        "user", "feature", "model", "time", "session", "project", "id", "input", "output",
        "cached", "cost",
    ];

    /// Set `name` (one of [`FieldOverrides::NAMES`]) to `path`.
    pub fn set(&mut self, name: &str, path: &str) -> Result<(), String> {
        let slot = match name {
            "user" => &mut self.user,
            "feature" => &mut self.feature,
            "model" => &mut self.model,
            "time" | "timestamp" => &mut self.time,
            "session" => &mut self.session,
            "project" => &mut self.project,
            "id" => &mut self.id,
            "input" => &mut self.input,
            "output" => &mut self.output,
            "cached" => &mut self.cached,
            "cost" => &mut self.cost,
            _ => {
                return Err(format!(
                    "unknown field '{name}' (expected one of: {})",
                    Self::NAMES.join(", ")
                ));
            }
        };
        if path.is_empty() {
            return Err(format!("empty path for field '{name}'"));
        }
        // Numbers are parsed, never printed; the other fields are shown as group keys.
        if !matches!(name, "input" | "output" | "cached" | "cost")
            && let Some(seg) = super::text_segment(path)
        {
            return Err(format!(
                "--field {name}={}",
                super::refuse_text_path(path, seg)
            ));
        }
        *slot = Some(path.to_string());
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == FieldOverrides::default()
    }
}

/// The value at a dotted path (`metadata.customer`; array indexes as numbers: `tags.0`).
pub fn lookup_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = v;
    for seg in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A JSON value as group text: strings as they are, numbers and booleans printed, others none.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The 64-bit hash of a response id, for duplicate detection.
pub fn id_hash(parts: &[&str]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

fn tok(n: Num, field: &'static str) -> Result<u64, Skip> {
    match n {
        Num::Absent => Ok(0),
        Num::Ok(v) => Ok(v),
        Num::Bad(why) => Err(Skip::new(
            "bad token count",
            format!("token count {field} is {why}"),
        )),
    }
}

fn bad_cost(field: &str) -> Skip {
    Skip::new(
        "bad cost",
        format!("cost {field} is not a non-negative amount"),
    )
}

/// Parse one line (without its line end). `doc` is the line parsed as a generic JSON value,
/// needed only when field overrides are given.
pub fn parse_line<'a>(
    line: &'a [u8],
    overrides: &FieldOverrides,
    doc: Option<&Value>,
) -> Result<Parsed<'a>, Skip> {
    // a UTF-8 byte order mark (a log written on Windows starts with one) is not JSON
    let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    // serde would read a struct from an array too: only objects are records
    if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let e = serde_json::from_slice::<IgnoredAny>(line).err();
        return Err(match e {
            Some(e) => json_error(line, &e),
            None => json_error(
                line,
                &serde_json::Error::io(std::io::Error::other("not an object")),
            ),
        });
    }
    // validating the whole line once is faster than string by string
    let Ok(text) = std::str::from_utf8(line) else {
        return Err(Skip::new("malformed JSON", "not UTF-8 text (binary data?)"));
    };
    if overrides.is_empty()
        && let Some(r) = super::fast::app_line(text)
    {
        return Ok(Parsed::Record(r));
    }
    let raw: RawLine<'a> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => return Err(json_error(line, &e)),
    };
    let mut parsed = normalize(raw)?;
    if let (Some(doc), false) = (doc, overrides.is_empty()) {
        parsed = apply_overrides(parsed, overrides, doc)?;
    }
    if let Parsed::Record(r) = &parsed {
        let Some(format) = r.format else {
            return Err(Skip::new("no token usage", "no token usage fields"));
        };
        if r.time.is_none() && format.requires_time() {
            return Err(Skip::new("missing timestamp", "missing timestamp"));
        }
    }
    Ok(parsed)
}

fn json_error(line: &[u8], e: &serde_json::Error) -> Skip {
    let first = line.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') && serde_json::from_slice::<IgnoredAny>(line).is_ok() {
        let what = match first {
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b'n') => "null",
            Some(b't' | b'f') => "a boolean",
            _ => "a number",
        };
        return Skip::new("not a JSON object", format!("not a JSON object ({what})"));
    }
    if e.is_eof() {
        return Skip::new("malformed JSON", format!("truncated JSON ({e})"));
    }
    if std::str::from_utf8(line).is_err() {
        return Skip::new("malformed JSON", "not UTF-8 text (binary data?)");
    }
    // (UTF-8 was checked above) plain words for lone surrogates, deep nesting, huge numbers
    let text = String::from_utf8_lossy(line);
    let why = crate::count::explain_json_error(&text, e);
    Skip::new(
        "malformed JSON",
        format!(
            "malformed JSON ({why} at line {} column {})",
            e.line(),
            e.column()
        ),
    )
}

pub(crate) fn status_error_pub(status: Option<&str>) -> Option<ErrKind> {
    status_error(status)
}

/// A valid non-negative dollar amount, else `None`.
pub(crate) fn parse_dollars_pub(s: &str) -> Option<crate::pricing::Money> {
    match parse_dollars(s) {
        CostVal::Ok(m) => Some(m),
        _ => None,
    }
}

fn status_error(status: Option<&str>) -> Option<ErrKind> {
    let s = status?.trim();
    if let Ok(code) = s.parse::<u16>() {
        return ErrKind::from_status(code);
    }
    match s.to_ascii_lowercase().as_str() {
        "error" | "failure" | "failed" | "fail" => Some(ErrKind::Other),
        "incomplete" | "cancelled" | "canceled" => Some(ErrKind::Other),
        _ => None,
    }
}

/// Usage of an OpenAI `usage` object (Chat Completions or Responses): cached tokens are part
/// of the prompt count, reasoning tokens part of the completion count.
fn openai_usage(u: &RawUsage) -> Result<(Usage, u64, Format), Skip> {
    let (prompt, completion, details_in, details_out, format) =
        if u.prompt_tokens.is_present() || u.completion_tokens.is_present() {
            (
                tok(u.prompt_tokens, "usage.prompt_tokens")?,
                tok(u.completion_tokens, "usage.completion_tokens")?,
                &u.prompt_tokens_details,
                &u.completion_tokens_details,
                Format::OpenaiChat,
            )
        } else {
            (
                tok(u.input_tokens, "usage.input_tokens")?,
                tok(u.output_tokens, "usage.output_tokens")?,
                &u.input_tokens_details,
                &u.output_tokens_details,
                Format::OpenaiResponses,
            )
        };
    let cached = match &details_in.0 {
        Some(d) => tok(d.cached_tokens, "cached_tokens")?,
        None => 0,
    };
    let reasoning = match &details_out.0 {
        Some(d) => tok(d.reasoning_tokens, "reasoning_tokens")?,
        None => 0,
    };
    if cached > prompt {
        return Err(Skip::new(
            "bad token count",
            format!("cached_tokens ({cached}) larger than the prompt ({prompt})"),
        ));
    }
    Ok((
        Usage {
            input: prompt - cached,
            cached_input: cached,
            output: completion,
            ..Usage::default()
        },
        reasoning,
        format,
    ))
}

/// Usage of an Anthropic `usage` object: cache reads and writes are in addition to
/// `input_tokens`; thinking tokens are inside `output_tokens`.
fn anthropic_usage(u: &RawUsage) -> Result<Usage, Skip> {
    let input = tok(u.input_tokens, "usage.input_tokens")?;
    let output = tok(u.output_tokens, "usage.output_tokens")?;
    let read = tok(u.cache_read_input_tokens, "usage.cache_read_input_tokens")?;
    let write = tok(
        u.cache_creation_input_tokens,
        "usage.cache_creation_input_tokens",
    )?;
    let (mut w5, w1) = match &u.cache_creation.0 {
        Some(c) => (
            tok(
                c.ephemeral_5m_input_tokens,
                "cache_creation.ephemeral_5m_input_tokens",
            )?,
            tok(
                c.ephemeral_1h_input_tokens,
                "cache_creation.ephemeral_1h_input_tokens",
            )?,
        ),
        None => (0, 0),
    };
    // the breakdown may be absent or partial: the rest of the total is a 5-minute write
    if w5 + w1 < write {
        w5 = write - w1;
    }
    Ok(Usage {
        input,
        cached_input: read,
        cache_write_5m: w5,
        cache_write_1h: w1,
        output,
    })
}

fn is_anthropic_usage(u: &RawUsage) -> bool {
    u.cache_creation_input_tokens.is_present()
        || u.cache_read_input_tokens.is_present()
        || u.cache_creation.0.is_some()
}

fn normalize(mut raw: RawLine<'_>) -> Result<Parsed<'_>, Skip> {
    let mut r = Record::default();
    let time = raw
        .timestamp
        .or(raw.created)
        .or(raw.created_at)
        .or(raw.start_time)
        .or(raw.create_time);
    let mut error = raw
        .error
        .0
        .or_else(|| raw.error_str.get().map(ErrKind::classify))
        .or_else(|| status_error(raw.status.get()))
        .or_else(|| match raw.status_code {
            Num::Ok(c) => u16::try_from(c).ok().and_then(ErrKind::from_status),
            _ => None,
        });
    let cost = raw
        .cost_usd
        .or(raw.cost_usd_camel)
        .or(raw.response_cost)
        .or(raw.spend);
    let cost_field = match (raw.cost_usd, raw.cost_usd_camel, raw.response_cost) {
        (CostVal::Bad, _, _) => "cost_usd",
        (_, CostVal::Bad, _) => "costUSD",
        (_, _, CostVal::Bad) => "response_cost",
        _ => "spend",
    };
    r.model = raw.model.take();
    r.user = raw.user_id.take().or_else(|| raw.user.take());
    r.feature = raw.feature.take();
    r.project = raw.project.take();
    r.session = raw
        .session_id_camel
        .take()
        .or_else(|| raw.session_id.take());
    let mut time = time;

    if let Some(resp) = raw
        .response
        .0
        .as_mut()
        .filter(|_| raw.custom_id.get().is_some())
    {
        // OpenAI Batch API output line
        r.format = Some(Format::OpenaiBatch);
        r.batch = true;
        let code_err = match resp.status_code {
            Num::Ok(c) => u16::try_from(c).ok().and_then(ErrKind::from_status),
            _ => None,
        };
        if let Some(body) = resp.body.0.as_mut() {
            r.model = body.model.take().or(r.model);
            time = time.or(body.created).or(body.created_at);
            if let Some(id) = body.id.get() {
                r.dedupe = Some(id_hash(&["openai", id]));
            }
            error = error.or(body.error.0);
            if let Some(u) = &body.usage.0 {
                let (usage, reasoning, _) = openai_usage(u)?;
                r.usage = usage;
                r.reasoning = reasoning;
            }
        }
        r.error = error.or(code_err);
        if r.error.is_none() && resp.body.0.as_ref().is_none_or(|b| b.usage.0.is_none()) {
            return Err(Skip::new(
                "no token usage",
                "batch line without usage or error",
            ));
        }
    } else if raw.response.0.is_none() && raw.custom_id.get().is_some() && error.is_some() {
        // a failed batch line: `"response": null, "error": {...}`
        r.format = Some(Format::OpenaiBatch);
        r.batch = true;
        r.error = error;
    } else if let Some(g) = &raw.usage_metadata.0 {
        r.format = Some(Format::Gemini);
        let prompt = tok(g.prompt_token_count, "usageMetadata.promptTokenCount")?;
        let cached = tok(
            g.cached_content_token_count,
            "usageMetadata.cachedContentTokenCount",
        )?;
        let tool = tok(
            g.tool_use_prompt_token_count,
            "usageMetadata.toolUsePromptTokenCount",
        )?;
        let cand = tok(
            g.candidates_token_count,
            "usageMetadata.candidatesTokenCount",
        )?;
        let thoughts = tok(g.thoughts_token_count, "usageMetadata.thoughtsTokenCount")?;
        tok(g.total_token_count, "usageMetadata.totalTokenCount")?;
        if cached > prompt {
            return Err(Skip::new(
                "bad token count",
                format!(
                    "cachedContentTokenCount ({cached}) larger than promptTokenCount ({prompt})"
                ),
            ));
        }
        r.usage = Usage {
            input: prompt - cached + tool,
            cached_input: cached,
            output: cand + thoughts,
            ..Usage::default()
        };
        r.reasoning = thoughts;
        r.model = raw.model_version.take().or(r.model);
        if let Some(id) = raw.response_id.get() {
            r.dedupe = Some(id_hash(&["gemini", id]));
        }
        r.error = error;
    } else if let Some(msg) = raw.message.0.as_mut() {
        // Claude Code transcript entry
        let Some(u) = &msg.usage.0 else {
            return Ok(Parsed::Ignored);
        };
        r.format = Some(Format::ClaudeCode);
        r.usage = anthropic_usage(u)?;
        let model = msg.model.take();
        if model.as_deref() == Some("<synthetic>") {
            // messages Claude Code writes itself (no API call)
            return Ok(Parsed::Ignored);
        }
        r.model = model.or(r.model);
        if let (Some(mid), Some(rid)) = (msg.id.get(), raw.request_id_camel.get()) {
            r.dedupe = Some(id_hash(&["claude", mid, rid]));
        }
        r.error = error;
    } else if let Some(u) = &raw.usage.0 {
        let openai = u.prompt_tokens.is_present()
            || u.completion_tokens.is_present()
            || u.input_tokens_details.0.is_some()
            || u.output_tokens_details.0.is_some()
            || raw.object.get() == Some("response");
        if openai && !is_anthropic_usage(u) {
            let (usage, reasoning, format) = openai_usage(u)?;
            r.format = Some(format);
            r.usage = usage;
            r.reasoning = reasoning;
            if let Some(id) = raw.id.get() {
                r.dedupe = Some(id_hash(&["openai", id]));
            }
        } else if u.input_tokens.is_present() || u.output_tokens.is_present() {
            r.format = Some(Format::Anthropic);
            r.usage = anthropic_usage(u)?;
            if let Some(id) = raw.id.get() {
                r.dedupe = Some(id_hash(&["anthropic", id]));
            }
        } else {
            return Err(Skip::new(
                "no token usage",
                "usage object without token counts",
            ));
        }
        r.error = error;
    } else if raw.prompt_tokens.is_present()
        || raw.completion_tokens.is_present()
        || raw.input_tokens.is_present()
        || raw.output_tokens.is_present()
        || raw.total_tokens.is_present()
    {
        let meta = raw.metadata.0.as_mut();
        let litellm = meta.as_ref().is_some_and(|m| {
            m.user_api_key_user_id.get().is_some()
                || m.user_api_key_alias.get().is_some()
                || m.user_api_key_team_alias.get().is_some()
                || m.user_api_key_team_id.get().is_some()
        }) || !matches!(raw.response_cost, CostVal::Absent)
            || !matches!(raw.spend, CostVal::Absent)
            || raw.call_type.get().is_some()
            || !matches!(raw.start_time, TimeVal::Absent);
        let prompt = if raw.prompt_tokens.is_present() {
            tok(raw.prompt_tokens, "prompt_tokens")?
        } else {
            tok(raw.input_tokens, "input_tokens")?
        };
        let completion = if raw.completion_tokens.is_present() {
            tok(raw.completion_tokens, "completion_tokens")?
        } else {
            tok(raw.output_tokens, "output_tokens")?
        };
        let total = tok(raw.total_tokens, "total_tokens")?;
        let cached = tok(raw.cached_tokens, "cached_tokens")?;
        let reasoning = tok(raw.reasoning_tokens, "reasoning_tokens")?;
        let (prompt, completion) = if prompt == 0 && completion == 0 && total > 0 {
            // only a total: counted as input (the split is unknown)
            (total, 0)
        } else {
            (prompt, completion)
        };
        if cached > prompt {
            return Err(Skip::new(
                "bad token count",
                format!("cached_tokens ({cached}) larger than the prompt ({prompt})"),
            ));
        }
        r.usage = Usage {
            input: prompt - cached,
            cached_input: cached,
            output: completion,
            ..Usage::default()
        };
        r.reasoning = reasoning.min(completion);
        if litellm {
            r.format = Some(Format::Litellm);
            let end_user = raw.end_user.take();
            if let Some(m) = meta {
                r.user = end_user
                    .or_else(|| m.user_api_key_end_user_id.take())
                    .or(r.user)
                    .or_else(|| m.user_api_key_user_id.take());
                r.feature = r.feature.or_else(|| m.user_api_key_alias.take());
                r.project = r
                    .project
                    .or_else(|| m.user_api_key_team_alias.take())
                    .or_else(|| m.user_api_key_team_id.take());
            } else {
                r.user = end_user.or(r.user);
            }
            let rid = raw.request_id.get().or(raw.id.get());
            if let Some(id) = rid {
                r.dedupe = Some(id_hash(&["litellm", id]));
            }
        } else {
            r.format = Some(Format::App);
        }
        r.error = error;
    } else if raw.session_id_camel.get().is_some()
        || r.session.is_some()
        || matches!(
            raw.kind.get(),
            Some(
                "user" | "summary" | "system" | "assistant" | "progress" | "file-history-snapshot"
            )
        )
    {
        return Ok(Parsed::Ignored);
    } else if raw.custom_id.get().is_some() || raw.response.0.is_some() {
        return Err(Skip::new("no token usage", "no token usage fields"));
    } else {
        r.error = error;
        r.format = None;
    }
    match time {
        TimeVal::Unix(t) => r.time = Some(t),
        TimeVal::Bad => {
            return Err(Skip::new(
                "invalid timestamp",
                "timestamp is not a valid time",
            ));
        }
        TimeVal::Absent => {}
    }
    if let CostVal::Bad = cost {
        return Err(bad_cost(cost_field));
    }
    if let CostVal::Ok(c) = cost {
        r.cost = Some(c);
    }
    Ok(Parsed::Record(r))
}

fn apply_overrides<'a>(
    parsed: Parsed<'a>,
    o: &FieldOverrides,
    doc: &Value,
) -> Result<Parsed<'a>, Skip> {
    let mut r = match parsed {
        Parsed::Record(r) => r,
        Parsed::Ignored => Record::default(),
    };
    let text = |p: &Option<String>| -> Option<Cow<'a, str>> {
        p.as_deref()
            .and_then(|p| lookup_path(doc, p))
            .and_then(value_text)
            .map(Cow::Owned)
    };
    if let Some(v) = text(&o.user) {
        r.user = Some(v);
    }
    if let Some(v) = text(&o.feature) {
        r.feature = Some(v);
    }
    if let Some(v) = text(&o.model) {
        r.model = Some(v);
    }
    if let Some(v) = text(&o.session) {
        r.session = Some(v);
    }
    if let Some(v) = text(&o.project) {
        r.project = Some(v);
    }
    if let Some(id) = text(&o.id) {
        r.dedupe = Some(id_hash(&["field", &id]));
    }
    if let Some(p) = &o.time
        && let Some(v) = lookup_path(doc, p)
    {
        match TimeVal::from_value(v) {
            TimeVal::Unix(t) => r.time = Some(t),
            TimeVal::Bad => {
                return Err(Skip::new(
                    "invalid timestamp",
                    format!("{p} is not a valid time"),
                ));
            }
            TimeVal::Absent => {}
        }
    }
    let num = |p: &Option<String>| -> Result<Option<u64>, Skip> {
        let Some(p) = p else { return Ok(None) };
        let Some(v) = lookup_path(doc, p) else {
            return Ok(None);
        };
        match Num::from_value(v) {
            Num::Absent => Ok(None),
            Num::Ok(n) => Ok(Some(n)),
            Num::Bad(why) => Err(Skip::new(
                "bad token count",
                format!("token count {p} is {why}"),
            )),
        }
    };
    let input = num(&o.input)?;
    let output = num(&o.output)?;
    let cached = num(&o.cached)?;
    if input.is_some() || output.is_some() || cached.is_some() {
        // overridden counts use OpenAI semantics: cached is part of input
        let prompt = input.unwrap_or(r.usage.input + r.usage.cached_input);
        let cached = cached.unwrap_or(0);
        if cached > prompt {
            return Err(Skip::new(
                "bad token count",
                format!("cached ({cached}) larger than input ({prompt})"),
            ));
        }
        r.usage.input = prompt - cached;
        r.usage.cached_input = cached;
        if input.is_some() {
            r.usage.cache_write_5m = 0;
            r.usage.cache_write_1h = 0;
        }
        if let Some(out) = output {
            r.usage.output = out;
            r.reasoning = r.reasoning.min(out);
        }
        if r.format.is_none() {
            r.format = Some(Format::Custom);
        }
    }
    if let Some(p) = &o.cost
        && let Some(v) = lookup_path(doc, p)
    {
        match CostVal::from_value(v) {
            CostVal::Ok(c) => r.cost = Some(c),
            CostVal::Bad => return Err(bad_cost(p)),
            CostVal::Absent => {}
        }
    }
    if r.format.is_none() {
        return Err(Skip::new("no token usage", "no token usage fields"));
    }
    Ok(Parsed::Record(r))
}

/// The general (serde) path only, for checking the fast path against it.
#[cfg(test)]
pub(crate) fn parse_general(line: &str) -> Result<Parsed<'_>, Skip> {
    let raw: RawLine<'_> =
        serde_json::from_str(line).map_err(|e| json_error(line.as_bytes(), &e))?;
    let p = normalize(raw)?;
    if let Parsed::Record(r) = &p
        && (r.format.is_none() || r.time.is_none())
    {
        return Err(Skip::new("no token usage", "incomplete"));
    }
    Ok(p)
}

/// Parse a line without field overrides.
pub fn parse(line: &[u8]) -> Result<Parsed<'_>, Skip> {
    parse_line(line, &FieldOverrides::default(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(line: &str) -> Record<'_> {
        match parse(line.as_bytes()) {
            Ok(Parsed::Record(r)) => r,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn skip(line: &str) -> Skip {
        parse(line.as_bytes()).expect_err(line)
    }

    #[test]
    fn app_line() {
        let r = rec(
            r#"{"timestamp":"2026-03-01T00:00:00Z","user_id":"u1","feature":"chat","model":"gpt-4o","prompt_tokens":100,"completion_tokens":20,"total_tokens":120}"#,
        );
        assert_eq!(r.format, Some(Format::App));
        assert_eq!(r.user.as_deref(), Some("u1"));
        assert_eq!(r.usage.input, 100);
        assert_eq!(r.usage.output, 20);
        assert_eq!(r.time, Some(1_772_323_200));
    }

    #[test]
    fn bad_counts() {
        let base = r#"{"timestamp":"2026-03-01T00:00:00Z","model":"gpt-4o","prompt_tokens":"#;
        for (v, why) in [
            ("\"100\"", "a string"),
            ("-1", "negative"),
            ("1.5", "fractional"),
            ("9007199254740993", "larger than 2^53"),
            ("1e300", "larger than 2^53"),
        ] {
            let line = format!("{base}{v}}}");
            let s = skip(&line);
            assert_eq!(s.kind, "bad token count");
            assert_eq!(s.detail, format!("token count prompt_tokens is {why}"));
        }
        assert_eq!(skip(&format!("{base}NaN}}")).kind, "malformed JSON");
        assert_eq!(skip("[1,2]").detail, "not a JSON object (an array)");
        assert_eq!(
            skip(r#"{"model":"gpt-4o","prompt_tokens":1}"#).kind,
            "missing timestamp"
        );
        assert_eq!(skip(r#"{"a":1"#).kind, "malformed JSON");
    }
}
