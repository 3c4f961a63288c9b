//! Counting one document: plain text, chat JSON or JSONL. Shared by `count`, `cost`, `plan`
//! and `check`; never prints.

use serde::Serialize;
use serde_json::Value;

use crate::tokenize::Tokenizer;
use crate::tokenize::chat::{self, ChatCount};

/// How to read a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Chat JSON when the text parses as a chat shape, plain text otherwise.
    Auto,
    /// Plain text, always.
    Text,
    /// Chat JSON, required.
    Messages,
    /// One record per line.
    Jsonl,
}

/// What a document turned out to be, and its count.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Counted {
    Text { tokens: u64 },
    Chat(ChatCount),
    Jsonl { tokens: u64, lines: JsonlStats },
}

impl Counted {
    pub fn tokens(&self) -> u64 {
        match self {
            Counted::Text { tokens } | Counted::Jsonl { tokens, .. } => *tokens,
            Counted::Chat(chat) => chat.tokens,
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Counted::Text { .. } => "text",
            Counted::Chat(_) => "chat",
            Counted::Jsonl { .. } => "jsonl",
        }
    }
}

/// Per-line statistics of a JSONL document. Percentiles use the nearest-rank method
/// (the p-th percentile is the smallest count with at least p% of lines at or below it).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonlStats {
    /// Lines counted (blank lines are ignored).
    pub count: u64,
    pub min: u64,
    pub median: u64,
    pub p95: u64,
    pub max: u64,
    /// The largest lines, largest first (ties: earlier line first).
    pub largest: Vec<LineCount>,
    /// Lines that could not be counted, with why.
    pub errors: Vec<LineError>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineCount {
    /// 1-based line number.
    pub line: u64,
    pub tokens: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub error: String,
}

/// Parse JSON, describing a failure with its line and column.
pub fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "malformed JSON at line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        )
    })
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().as_bytes().first(), Some(b'[' | b'{'))
}

/// Count `text` in `mode`. `largest` is how many of the largest JSONL lines to keep.
pub fn count_document(
    tok: &Tokenizer,
    text: &str,
    mode: Mode,
    largest: usize,
) -> Result<Counted, String> {
    count_document_on(tok, text, mode, largest, 1)
}

/// [`count_document`] using up to `threads` threads for a large plain text (the count is the
/// same; see [`Tokenizer::count_parallel`]).
pub fn count_document_on(
    tok: &Tokenizer,
    text: &str,
    mode: Mode,
    largest: usize,
    threads: usize,
) -> Result<Counted, String> {
    match mode {
        Mode::Text => Ok(Counted::Text {
            tokens: tok.count_parallel(text, threads) as u64,
        }),
        Mode::Jsonl => Ok(count_jsonl(tok, text, largest)),
        Mode::Messages => {
            let value = parse_json(text)?;
            let messages = chat::extract_messages(&value).ok_or_else(|| {
                "not chat JSON: expected a messages array, or an object with \"messages\""
                    .to_string()
            })?;
            count_chat(tok, &messages)
        }
        Mode::Auto => {
            if looks_like_json(text)
                && let Ok(value) = serde_json::from_str::<Value>(text)
                && let Some(messages) = chat::extract_messages(&value)
            {
                return count_chat(tok, &messages);
            }
            Ok(Counted::Text {
                tokens: tok.count_parallel(text, threads) as u64,
            })
        }
    }
}

fn count_chat(tok: &Tokenizer, messages: &[Value]) -> Result<Counted, String> {
    let chat = chat::count_messages(tok, messages).map_err(|e| e.to_string())?;
    Ok(Counted::Chat(chat))
}

/// The tokens of one JSONL record: a JSON string (text), a messages array, a chat request
/// object, or a Batch API request line (`body.messages`).
pub fn count_jsonl_record(tok: &Tokenizer, line: &str) -> Result<u64, String> {
    let value = parse_json(line)?;
    if let Value::String(s) = &value {
        return Ok(tok.count(s) as u64);
    }
    let messages = chat::extract_messages(&value).ok_or_else(|| {
        "expected a JSON string, a messages array, or an object with \"messages\" or \
         \"body.messages\""
            .to_string()
    })?;
    chat::count_messages(tok, &messages)
        .map(|c| c.tokens)
        .map_err(|e| e.to_string())
}

fn count_jsonl(tok: &Tokenizer, text: &str, largest: usize) -> Counted {
    let mut counts: Vec<LineCount> = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let n = i as u64 + 1;
        match count_jsonl_record(tok, line) {
            Ok(tokens) => counts.push(LineCount { line: n, tokens }),
            Err(error) => errors.push(LineError { line: n, error }),
        }
    }
    let total = counts.iter().map(|c| c.tokens).sum();
    let mut sorted: Vec<u64> = counts.iter().map(|c| c.tokens).collect();
    sorted.sort_unstable();
    let rank = |p: u64| -> u64 {
        if sorted.is_empty() {
            return 0;
        }
        let n = sorted.len() as u64;
        let r = (p * n).div_ceil(100).max(1);
        sorted[(r - 1) as usize]
    };
    let mut top = counts.clone();
    top.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.line.cmp(&b.line)));
    top.truncate(largest);
    Counted::Jsonl {
        tokens: total,
        lines: JsonlStats {
            count: counts.len() as u64,
            min: sorted.first().copied().unwrap_or(0),
            median: rank(50),
            p95: rank(95),
            max: sorted.last().copied().unwrap_or(0),
            largest: top,
            errors,
        },
    }
}
