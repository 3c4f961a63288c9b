//! Counting one document: plain text, chat JSON or JSONL. Shared by `count`, `cost`, `plan`
//! and `check`; never prints.

use serde::Serialize;
use serde_json::Value;

use crate::estimate::{ContentKind, Estimate, Rule};
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

/// Turn the exact o200k_base counts of `c` into estimates by `rule` for text of `kind`: every
/// count in it (messages, line statistics) becomes its central estimate, and the range of the
/// total is returned.
pub fn scale_counted(c: &mut Counted, rule: &Rule, kind: ContentKind) -> Estimate {
    let (point, est) = rule.estimate(c.tokens(), kind);
    let s = |n: u64| rule.estimate(n, kind).0;
    match c {
        Counted::Text { tokens } => *tokens = point,
        Counted::Chat(chat) => {
            for m in &mut chat.messages {
                m.tokens = s(m.tokens);
            }
            chat.tokens = point;
        }
        Counted::Jsonl { tokens, lines } => {
            *tokens = point;
            lines.min = s(lines.min);
            lines.median = s(lines.median);
            lines.p95 = s(lines.p95);
            lines.max = s(lines.max);
            for l in &mut lines.largest {
                l.tokens = s(l.tokens);
            }
        }
    }
    est
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

/// Parse JSON, describing a failure with its line and column. A UTF-8 byte order mark before
/// the JSON is ignored (RFC 8259 lets parsers do so; editors on Windows write one).
pub fn parse_json(text: &str) -> Result<Value, String> {
    let body = strip_bom(text);
    serde_json::from_str(body).map_err(|e| {
        format!(
            "malformed JSON at line {}, column {}: {}",
            e.line(),
            e.column(),
            explain_json_error(body, &e)
        )
    })
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// serde_json's message without its position, made plain for the errors people meet in
/// hand-edited or machine-mangled JSON.
pub(crate) fn explain_json_error(text: &str, e: &serde_json::Error) -> String {
    let msg = strip_position(&e.to_string());
    if msg.contains("recursion limit exceeded") {
        return "nested more than 128 levels deep (arrays/objects inside each other)".into();
    }
    if msg.contains("number out of range") {
        return "number out of range (larger than a 64-bit float can hold, like 1e400)".into();
    }
    if (msg.contains("surrogate") || msg.contains("hex escape"))
        && let Some(esc) = lone_surrogate_before(text, e.line(), e.column())
    {
        return format!(
            "lone surrogate escape {esc}: a \\uD800-\\uDFFF escape must be half of a \
             surrogate pair (the string is not valid Unicode)"
        );
    }
    msg
}

/// The last `\uD800`..`\uDFFF` escape before (1-based) `line`:`column`, if any.
fn lone_surrogate_before(text: &str, line: usize, column: usize) -> Option<&str> {
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let end = (start + column).min(text.len());
    let head = text.get(..end)?;
    // the error is reported at the surrogate or at the escape after it
    head.rmatch_indices("\\u").take(2).find_map(|(i, _)| {
        let esc = text.get(i..i + 6)?;
        let unit = u16::from_str_radix(esc.get(2..)?, 16).ok()?;
        (0xD800..=0xDFFF).contains(&unit).then_some(esc)
    })
}
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn looks_like_json(text: &str) -> bool {
    matches!(
        strip_bom(text).trim_start().as_bytes().first(),
        Some(b'[' | b'{')
    )
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
                && let Ok(value) = serde_json::from_str::<Value>(strip_bom(text))
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

/// The note a chat count made with a tokenizer file carries.
pub const FILE_CHAT_NOTE: &str = "chat overhead follows OpenAI's cookbook rule (3 tokens per \
     message, 3 to prime the reply); the chat template of the model behind the --tokenizer file \
     may add a different number of tokens";

fn count_chat(tok: &Tokenizer, messages: &[Value]) -> Result<Counted, String> {
    let mut chat = chat::count_messages(tok, messages).map_err(|e| e.to_string())?;
    if tok.file().is_some() {
        chat.notes.push(FILE_CHAT_NOTE.to_string());
    }
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
