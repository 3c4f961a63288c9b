//! Counting one document: plain text, chat JSON or JSONL. Shared by `count`, `cost`, `plan`
//! and `check`; never prints.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use serde::Serialize;
use serde_json::Value;

use crate::estimate::{ContentKind, EstimateRange, Rule};
use crate::plan::Prompt;
use crate::request::{self, Options, Read, ReadError};
use crate::tokenize::chat::{ChatCount, MessageCount};
use crate::tokenize::{Counter, Tokenizer};

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
    Text {
        tokens: u64,
        /// Why JSON was counted as text (it is not a request of a known shape).
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Chat(ChatCount),
    Jsonl {
        tokens: u64,
        lines: JsonlStats,
    },
}

impl Counted {
    pub fn tokens(&self) -> u64 {
        match self {
            Counted::Text { tokens, .. } | Counted::Jsonl { tokens, .. } => *tokens,
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
pub fn scale_counted(c: &mut Counted, rule: &Rule, kind: ContentKind) -> EstimateRange {
    let (point, est) = rule.estimate(c.tokens(), kind);
    let s = |n: u64| rule.estimate(n, kind).0;
    match c {
        Counted::Text { tokens, .. } => *tokens = point,
        Counted::Chat(chat) => {
            for m in &mut chat.messages {
                m.tokens = s(m.tokens);
            }
            // the parts add up to the total, as plan's do
            let mut parts: Vec<u64> = chat.parts.iter().map(|p| p.tokens).collect();
            crate::estimate::apportion(&mut parts, point);
            for (p, t) in chat.parts.iter_mut().zip(parts) {
                p.tokens = t;
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

pub(crate) use crate::request::explain_json_error;
pub use crate::request::parse_json;

pub fn looks_like_json(text: &str) -> bool {
    looks_like_json_bytes(text.as_bytes())
}

/// Whether a text starting with `head` may be chat JSON: its first char after a BOM and white
/// space is `[` or `{`.
pub fn looks_like_json_bytes(head: &[u8]) -> bool {
    let body = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'[' | b'{')
    )
}

/// Count `text` in `mode` with the cookbook's message rule. `largest` is how many of the
/// largest JSONL lines to keep.
pub fn count_document(
    tok: &Tokenizer,
    text: &str,
    mode: Mode,
    largest: usize,
) -> Result<Counted, String> {
    count_document_on(tok, &Options::default(), text, mode, largest, 1)
}

/// [`count_document`] with a model's message rule, using up to `threads` threads for a large
/// plain text (the count is the same; see [`Tokenizer::count_parallel`]).
pub fn count_document_on(
    tok: &Tokenizer,
    opts: &Options,
    text: &str,
    mode: Mode,
    largest: usize,
    threads: usize,
) -> Result<Counted, String> {
    match mode {
        Mode::Text => Ok(Counted::Text {
            tokens: tok.count_parallel(text, threads) as u64,
            note: None,
        }),
        Mode::Jsonl => Ok(count_jsonl(tok, opts, text, largest)),
        Mode::Messages => match request::read(text, &opts.base_dir) {
            Ok(Read::Request(_, prompt)) => count_request(tok, opts, prompt),
            Ok(Read::NotRequest) => Err(format!("not a request: expected {}", request::ACCEPTED)),
            Err(e) => Err(e.to_string()),
        },
        Mode::Auto => {
            if looks_like_json(text) {
                match request::read(text, &opts.base_dir) {
                    Ok(Read::Request(_, prompt)) => return count_request(tok, opts, prompt),
                    Err(ReadError::Request(e)) => return Err(e.to_string()),
                    Err(ReadError::Json(_)) => {
                        return Ok(Counted::Text {
                            tokens: tok.count_parallel(text, threads) as u64,
                            note: None,
                        });
                    }
                    Ok(Read::NotRequest) => {}
                }
                return Ok(Counted::Text {
                    tokens: tok.count_parallel(text, threads) as u64,
                    note: Some(format!(
                        "JSON that is not a request, counted as text (a request is {})",
                        request::ACCEPTED
                    )),
                });
            }
            Ok(Counted::Text {
                tokens: tok.count_parallel(text, threads) as u64,
                note: None,
            })
        }
    }
}

/// The note a chat count made with a tokenizer file carries.
pub const FILE_CHAT_NOTE: &str = "chat overhead follows OpenAI's cookbook rule (3 tokens per \
     message, 3 to prime the reply); the chat template of the model behind the --tokenizer file \
     may add a different number of tokens";

/// A request counted once, the way `plan` counts it: messages, tools, images, overhead.
fn count_request(tok: &Tokenizer, opts: &Options, prompt: Prompt) -> Result<Counted, String> {
    let counted = request::count_prompt(&prompt, tok, opts).map_err(|e| e.to_string())?;
    let messages = prompt
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| MessageCount {
            index,
            role: item.role(),
            tokens: counted.counts.tokens_of(index),
        })
        .collect();
    drop(prompt);
    let mut notes = counted.counts.notes.clone();
    if tok.file().is_some() {
        notes.push(FILE_CHAT_NOTE.to_string());
    }
    for w in &counted.counts.warnings {
        if !notes.contains(w) {
            notes.push(w.clone());
        }
    }
    Ok(Counted::Chat(ChatCount {
        tokens: counted.total,
        messages,
        parts: counted.parts,
        notes,
    }))
}

/// The tokens of one JSONL record: a JSON string (text), a messages array, a chat request
/// object, or a Batch API request line (`body.messages`).
pub fn count_jsonl_record(tok: &Tokenizer, line: &str) -> Result<u64, String> {
    count_jsonl_record_with(tok, &Options::default(), line)
}

/// [`count_jsonl_record`] with a model's request options.
pub fn count_jsonl_record_with(tok: &Tokenizer, opts: &Options, line: &str) -> Result<u64, String> {
    count_jsonl_record_in(&mut tok.counter_for(line.len()), opts, line, &[])
}

/// A path to one field of a JSONL record, as given to `--field`: keys separated by dots
/// (`text`, `request.prompt`); a segment that is a whole number indexes an array
/// (`messages.0.content`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    segments: Vec<String>,
}

impl FieldPath {
    /// Parse a `--field` value; an empty path or an empty segment (`a..b`) is an error.
    pub fn parse(s: &str) -> Result<FieldPath, String> {
        let segments: Vec<String> = s.split('.').map(str::to_string).collect();
        if segments.iter().any(String::is_empty) {
            return Err(format!(
                "invalid field path '{s}': expected keys separated by dots, like `text` or \
                 `request.prompt`"
            ));
        }
        Ok(FieldPath {
            text: s.to_string(),
            segments,
        })
    }

    fn lookup<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        self.segments.iter().try_fold(v, |v, seg| match v {
            Value::Object(m) => m.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        })
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// [`count_jsonl_record`] with a reusable counter. With `fields`, the record's tokens are the
/// sum over the fields: a string field counts as text, a field holding a request of any shape
/// (a messages array included) counts as that request; a missing field, or one of another
/// type, is an error.
pub fn count_jsonl_record_in(
    counter: &mut Counter<'_>,
    opts: &Options,
    line: &str,
    fields: &[FieldPath],
) -> Result<u64, String> {
    let value = parse_json(line)?;
    let tok = counter.tokenizer();
    if !fields.is_empty() {
        let mut total = 0u64;
        for f in fields {
            let v = f.lookup(&value).ok_or_else(|| format!("no field `{f}`"))?;
            total += match v {
                Value::String(s) => counter.count(s) as u64,
                _ if request::detect(v).is_some() => request::count_value(v.clone(), tok, opts)
                    .map(|(_, _, c)| c.total)
                    .map_err(|e| format!("field `{f}`: {e}"))?,
                _ => {
                    return Err(format!(
                        "field `{f}` is {}, not text (a string) or chat messages",
                        json_kind(v)
                    ));
                }
            };
        }
        return Ok(total);
    }
    if let Value::String(s) = &value {
        return Ok(counter.count(s) as u64);
    }
    if request::detect(&value).is_none() {
        return Err(format!(
            "expected a JSON string or a request ({})",
            request::ACCEPTED
        ));
    }
    request::count_value(value, tok, opts)
        .map(|(_, _, c)| c.total)
        .map_err(|e| e.to_string())
}

/// The per-line results of the lines of `text`, whose first line is line `first_line`.
/// Blank lines are skipped.
pub fn jsonl_lines(
    counter: &mut Counter<'_>,
    opts: &Options,
    text: &str,
    first_line: u64,
    fields: &[FieldPath],
) -> Vec<(u64, Result<u64, String>)> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        out.push((
            first_line + i as u64,
            count_jsonl_record_in(counter, opts, line, fields),
        ));
    }
    out
}

fn count_jsonl(tok: &Tokenizer, opts: &Options, text: &str, largest: usize) -> Counted {
    let mut acc = JsonlAcc::new(largest);
    let mut counter = tok.counter_for(text.len());
    for (line, r) in jsonl_lines(&mut counter, opts, text, 1, &[]) {
        acc.push(line, r);
    }
    acc.finish()
}

/// Per-line statistics built up line by line, in line order, in memory independent of the
/// number of lines (a histogram of the counts and the `largest` largest lines), apart from the
/// errors, which are all kept.
pub struct JsonlAcc {
    largest: usize,
    total: u64,
    count: u64,
    /// token count → number of lines with it
    hist: BTreeMap<u64, u64>,
    /// max-heap on (fewer tokens, later line): the worst kept line on top
    top: BinaryHeap<(Reverse<u64>, u64)>,
    errors: Vec<LineError>,
}

impl JsonlAcc {
    pub fn new(largest: usize) -> Self {
        JsonlAcc {
            largest,
            total: 0,
            count: 0,
            hist: BTreeMap::new(),
            top: BinaryHeap::new(),
            errors: Vec::new(),
        }
    }

    /// Add the result of line `line` (lines must come in ascending order).
    pub fn push(&mut self, line: u64, r: Result<u64, String>) {
        match r {
            Ok(tokens) => {
                self.total += tokens;
                self.count += 1;
                *self.hist.entry(tokens).or_insert(0) += 1;
                let key = (Reverse(tokens), line);
                if self.top.len() < self.largest {
                    self.top.push(key);
                } else if self.top.peek().is_some_and(|w| key < *w) {
                    self.top.pop();
                    self.top.push(key);
                }
            }
            Err(error) => self.errors.push(LineError { line, error }),
        }
    }

    pub fn finish(self) -> Counted {
        let n = self.count;
        // the nearest-rank percentile: the smallest count with at least p% of lines at or below
        let rank = |p: u64| -> u64 {
            if n == 0 {
                return 0;
            }
            let r = (p * n).div_ceil(100).max(1);
            let mut seen = 0;
            for (&tokens, &lines) in &self.hist {
                seen += lines;
                if seen >= r {
                    return tokens;
                }
            }
            0
        };
        let largest = self
            .top
            .clone()
            .into_sorted_vec()
            .into_iter()
            .map(|(Reverse(tokens), line)| LineCount { line, tokens })
            .collect();
        Counted::Jsonl {
            tokens: self.total,
            lines: JsonlStats {
                count: n,
                min: self.hist.keys().next().copied().unwrap_or(0),
                median: rank(50),
                p95: rank(95),
                max: self.hist.keys().next_back().copied().unwrap_or(0),
                largest,
                errors: self.errors,
            },
        }
    }
}
