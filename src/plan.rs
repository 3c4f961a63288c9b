//! Context-window budgets: split a window across the parts of a request, and trim history
//! (then retrieved chunks) until the request fits. Shared by `tokenbudget plan`; no clap, no
//! printing, plain serialisable data.
//!
//! **Parts.** A request is a list of chat messages, each owned by one part: `system`
//! (system/developer messages, never dropped), `examples` (few-shot examples, never dropped),
//! `rag` (retrieved chunks in rank order, dropped from the lowest rank), `history` (earlier
//! turns, dropped oldest first) and `user` (the latest user message, never dropped); plus
//! `tools` (function definitions) and `overhead` (the 3 tokens that prime the reply).
//!
//! **Counting.** Each message is counted with the cookbook rule
//! ([`chat::count_message_with`]: 3 tokens + its values, +1 for a `name`) and the whole count is
//! attributed to the part owning the message. Tool definitions are counted with the cookbook's
//! `num_tokens_for_tools` ([`chat::num_tokens_for_tools`]); the reply priming is its own
//! `overhead` row. So the parts add up to exactly `num_tokens_from_messages(messages) +
//! num_tokens_for_tools(tools)` of the request (or of the fitted output). Image parts are
//! counted with the provider's published formula when their size can be read
//! ([`crate::image`]), otherwise not counted, with a note; either way the part is marked
//! approximate.
//!
//! **Fitting** ([`fit`]) drops whole history messages oldest first (an assistant tool call
//! and its tool results as one unit, never split; the last `keep_last` messages are kept),
//! then retrieved chunks from the lowest rank, until every part is within its cap and the
//! input plus the reserved output fits the window. It never drops the system prompt, the
//! examples or the latest user message: when those alone (with the reserve) do not fit, it
//! refuses and says what is too big ([`CannotFit`]).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::image;
use crate::tokenize::Tokenizer;
use crate::tokenize::chat::{self, ChatError, ROLES};

/// Room reserved for the answer when neither `--reserve-output` nor the request says.
pub const DEFAULT_RESERVE: u64 = 4096;
/// A request using more than this share of the window draws a warning.
pub const WARN_SHARE: f64 = 0.9;

/// One part of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    System,
    Examples,
    Tools,
    Rag,
    History,
    User,
    Overhead,
}

impl Part {
    /// Report order.
    pub const ALL: [Part; 7] = [
        Part::System,
        Part::Examples,
        Part::Tools,
        Part::Rag,
        Part::History,
        Part::User,
        Part::Overhead,
    ];
    /// The parts a cap may name.
    pub const CAPPABLE: [Part; 6] = [
        Part::System,
        Part::Examples,
        Part::Tools,
        Part::Rag,
        Part::History,
        Part::User,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::System => "system",
            Part::Examples => "examples",
            Part::Tools => "tools",
            Part::Rag => "rag",
            Part::History => "history",
            Part::User => "user",
            Part::Overhead => "overhead",
        }
    }

    /// Parts `--fit` may trim.
    pub fn droppable(self) -> bool {
        matches!(self, Part::Rag | Part::History)
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A cap's size: tokens, or a percentage of the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapValue {
    Tokens(u64),
    Percent(f64),
}

impl CapValue {
    /// The cap in tokens for `window` (a percentage rounds down).
    pub fn tokens(self, window: u64) -> u64 {
        match self {
            CapValue::Tokens(n) => n,
            CapValue::Percent(p) => (window as f64 * p / 100.0).floor() as u64,
        }
    }
}

/// A limit on one part (`history=30000`, `rag=40%`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cap {
    pub part: Part,
    pub value: CapValue,
}

/// Parse `PART=N` or `PART=P%` (`N` may use `_` or `,` separators; `P` may have decimals).
pub fn parse_cap(s: &str) -> Result<Cap, String> {
    let names: Vec<&str> = Part::CAPPABLE.iter().map(|p| p.name()).collect();
    let (name, value) = s.split_once('=').ok_or_else(|| {
        format!("expected PART=TOKENS or PART=PERCENT% (e.g. history=30000 or rag=40%), got '{s}'")
    })?;
    let part = Part::CAPPABLE
        .into_iter()
        .find(|p| p.name() == name.trim())
        .ok_or_else(|| {
            format!(
                "unknown part '{}' (expected one of: {})",
                name.trim(),
                names.join(", ")
            )
        })?;
    let value = value.trim();
    let bad = || format!("cap for {part} is not a number of tokens or a percentage: '{value}'");
    let value = if let Some(p) = value.strip_suffix('%') {
        let p: f64 = p.trim().parse().map_err(|_| bad())?;
        if !(0.0..=100.0).contains(&p) {
            return Err(format!(
                "cap for {part} must be between 0% and 100%, got {value}"
            ));
        }
        CapValue::Percent(p)
    } else {
        let digits: String = value.chars().filter(|c| !matches!(c, '_' | ',')).collect();
        CapValue::Tokens(digits.parse().map_err(|_| bad())?)
    };
    Ok(Cap { part, value })
}

/// Where a request came from, which decides the shape of the fitted output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Separate files (`--system`, `--history`, ...): the output is a messages array (or
    /// `{"messages", "tools"}` when tools were given).
    Parts,
    /// An OpenAI chat completions body.
    #[serde(rename = "openai")]
    OpenAi,
    /// An Anthropic messages body (`system` + `messages`).
    Anthropic,
}

/// One message of a request: its part and role, and where its JSON is. The message itself is
/// held once: a request read from its text ([`crate::request::read`]) points into that text
/// (a byte range); a message built here (Anthropic's `system` field, a part given as a file, a
/// request given as a value) is held by the [`Prompt`]. Per message only what splitting,
/// counting and fitting need is kept, so a request of a million messages costs its text plus
/// a few dozen bytes a message (see the README's memory table).
#[derive(Debug, Clone)]
pub struct Item {
    pub part: Part,
    /// Items sharing a group are kept or dropped together (a tool call and its results).
    pub group: usize,
    /// Every message is validated before it becomes an item.
    role: chat::Role,
    flags: u8,
    /// Byte offset of the message in the prompt's text, or (with `OWNED`) its place among the
    /// prompt's own messages.
    at: usize,
    /// Byte length of the message in the prompt's text, or (with `NAMED`) the place of its
    /// label among the prompt's labels (an item without a name is `messages[i]`: the `i`th
    /// message of the body, after the prompt's first items, which have names).
    len: u32,
}

const TOOL_CALL: u8 = 1;
const TOOL_RESULT: u8 = 2;
const OWNED: u8 = 4;
const NAMED: u8 = 8;

impl Item {
    pub fn role(&self) -> &'static str {
        self.role.as_str()
    }

    /// [`Item::role`], in a byte.
    pub fn role_value(&self) -> chat::Role {
        self.role
    }

    /// An assistant message calling tools.
    pub fn is_tool_call(&self) -> bool {
        self.flags & TOOL_CALL != 0
    }

    /// A tool (or function) result.
    pub fn is_tool_result(&self) -> bool {
        self.flags & TOOL_RESULT != 0
    }
}

/// A request split into parts.
#[derive(Debug, Clone)]
pub struct Prompt<'a> {
    pub shape: Shape,
    /// Every message, in the order it is sent.
    pub items: Vec<Item>,
    /// Tool definitions.
    pub tools: Vec<Value>,
    /// The original body's fields (for `--request`), kept so every field round-trips; its
    /// `messages` (a Batch line's `body.messages`) is an empty array: the messages are the
    /// items.
    pub body: Option<Value>,
    /// `body` is a Batch API request line whose `body` holds the request.
    pub batch: bool,
    /// The request's `max_completion_tokens` (or `max_tokens`).
    pub max_tokens: Option<u64>,
    /// The request's `model`.
    pub model: Option<String>,
    /// Directory local image paths are relative to.
    pub base_dir: PathBuf,
    /// The request's text, when it was read from one: items point into it.
    text: &'a str,
    /// Messages built here, in no particular order (items point into it).
    owned: Vec<Value>,
    /// Labels of the items that are not `messages[i]`.
    labels: Vec<String>,
    /// Items before the body's first message (Anthropic's `system` field).
    first: usize,
}

/// The inputs given as separate files.
#[derive(Debug, Default)]
pub struct Parts {
    /// (label, text)
    pub system: Option<(String, String)>,
    /// (label, text or messages)
    pub examples: Option<(String, Examples)>,
    /// (label, text), in rank order.
    pub rag: Vec<(String, String)>,
    /// (label, messages)
    pub history: Option<(String, Vec<Value>)>,
    /// (label, text)
    pub user: Option<(String, String)>,
    pub tools: Vec<Value>,
}

/// Few-shot examples: plain text, or chat messages.
#[derive(Debug)]
pub enum Examples {
    Text(String),
    Messages(Vec<Value>),
}

fn text_message(role: &str, text: &str) -> Value {
    let mut m = Map::new();
    m.insert("role".into(), Value::String(role.into()));
    m.insert("content".into(), Value::String(text.into()));
    Value::Object(m)
}

/// Check that every message is an object with a known role.
pub fn validate_messages(messages: &[Value]) -> Result<(), ChatError> {
    for (i, m) in messages.iter().enumerate() {
        role_of(i, m)?;
    }
    Ok(())
}

/// The tool definitions of a tools file: an array, or an object with `tools` (or `functions`).
pub fn extract_tools(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(a) => Some(a.clone()),
        Value::Object(o) => o
            .get("tools")
            .or_else(|| o.get("functions"))
            .and_then(Value::as_array)
            .cloned(),
        _ => None,
    }
}

fn is_tool_call(m: &Value) -> bool {
    m.get("role").and_then(Value::as_str) == Some("assistant")
        && (m
            .get("tool_calls")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
            || m.get("function_call").is_some_and(|f| !f.is_null())
            || has_block(m, "tool_use"))
}

fn is_tool_result(m: &Value) -> bool {
    match m.get("role").and_then(Value::as_str) {
        Some("tool" | "function") => true,
        Some("user") => has_block(m, "tool_result"),
        _ => false,
    }
}

fn has_block(m: &Value, kind: &str) -> bool {
    m.get("content")
        .and_then(Value::as_array)
        .is_some_and(|parts| {
            parts
                .iter()
                .any(|p| p.get("type").and_then(Value::as_str) == Some(kind))
        })
}

/// The largest token count accepted anywhere (as on the command line).
const MAX_TOKENS: u64 = 1_000_000_000_000_000;

/// The fields that set a request's output limit, in the order they are used.
pub const OUTPUT_LIMIT_FIELDS: [&str; 3] =
    ["max_completion_tokens", "max_tokens", "max_output_tokens"];

/// The request's output limit: `max_completion_tokens`, else `max_tokens`, else
/// `max_output_tokens`. Each one present must be a positive whole number of tokens (at most
/// 10^15); `null` counts as absent. Anything else (`1e15`, `-1`, `1.5`, `"4096"`, `true`) is an
/// error naming the field and the value, never silently the default reserve.
fn output_limit(obj: &Map<String, Value>) -> Result<Option<u64>, ChatError> {
    let mut limit = None;
    for field in OUTPUT_LIMIT_FIELDS {
        let Some(v) = obj.get(field).filter(|v| !v.is_null()) else {
            continue;
        };
        let n = match v.as_u64() {
            Some(n) if n > MAX_TOKENS => {
                return Err(ChatError(format!(
                    "{field} is too large (max {MAX_TOKENS}), got {v}"
                )));
            }
            Some(n) if n > 0 => n,
            None if v.is_f64() => {
                return Err(ChatError(format!(
                    "{field} must be a positive whole number of tokens (no decimal point or \
                     exponent), got {v}"
                )));
            }
            _ => {
                return Err(ChatError(format!(
                    "{field} must be a positive whole number of tokens, got {v}"
                )));
            }
        };
        limit = limit.or(Some(n));
    }
    Ok(limit)
}

/// Give every item a group: its own, except that tool results join the tool call before them.
fn assign_groups(items: &mut [Item]) {
    let mut open_call = false;
    let mut group = 0;
    for i in 0..items.len() {
        let joins =
            i > 0 && open_call && items[i].part == items[i - 1].part && items[i].is_tool_result();
        if !joins {
            group += 1;
            open_call = items[i].is_tool_call();
        }
        items[i].group = group;
    }
}

/// Message `i` is an object with a known role: which one (the check [`validate_messages`]
/// makes of every message).
fn role_of(i: usize, m: &Value) -> Result<chat::Role, ChatError> {
    let obj = m
        .as_object()
        .ok_or_else(|| ChatError(format!("message {i} is not a JSON object")))?;
    let role = obj
        .get("role")
        .ok_or_else(|| ChatError(format!("message {i} has no \"role\"")))?
        .as_str()
        .ok_or_else(|| ChatError(format!("message {i}: \"role\" is not a string")))?;
    match chat::Role::of(role) {
        Some(r) => Ok(r),
        None => Err(ChatError(format!(
            "message {i} has unknown role '{role}' (expected one of: {})",
            ROLES.join(", ")
        ))),
    }
}

/// Where a message of a request body is: a byte range of the request's text, or a place
/// among the prompt's own messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum At {
    Text { at: usize, len: u32 },
    Owned(usize),
}

/// The items of a request body's messages, built one message at a time (the message's value
/// is needed only while it is looked at).
pub(crate) struct Split {
    items: Vec<Item>,
    owned: Vec<Value>,
    labels: Vec<String>,
    /// The index of the latest user message.
    last_user: Option<usize>,
    /// A message has an Anthropic-only content block.
    anthropic_blocks: bool,
    /// The first invalid message (reported after all were seen, as [`validate_messages`]).
    error: Option<ChatError>,
}

impl Split {
    /// A split of a request body `obj` (its `system` field becomes the first item).
    pub(crate) fn new(obj: &Map<String, Value>, messages: usize) -> Split {
        let mut s = Split {
            items: Vec::with_capacity(messages + 1),
            owned: Vec::new(),
            labels: Vec::new(),
            last_user: None,
            anthropic_blocks: false,
            error: None,
        };
        if let Some(system) = obj.get("system") {
            let mut m = Map::new();
            m.insert("role".into(), Value::String("system".into()));
            m.insert("content".into(), system.clone());
            s.items.push(Item {
                part: Part::System,
                group: 0,
                role: chat::Role::SYSTEM,
                flags: OWNED | NAMED,
                at: s.owned.len(),
                len: s.labels.len() as u32,
            });
            s.owned.push(Value::Object(m));
            s.labels.push("system".into());
        }
        s
    }

    /// Add message `i` of the body, whose value is `m`, found at `at`.
    pub(crate) fn push(&mut self, i: usize, m: &Value, at: At) {
        let role = match role_of(i, m) {
            Ok(r) => r,
            Err(e) => {
                self.error.get_or_insert(e);
                return;
            }
        };
        let mut flags = 0;
        if is_tool_call(m) {
            flags |= TOOL_CALL;
        }
        if is_tool_result(m) {
            flags |= TOOL_RESULT;
        }
        let (at, len) = match at {
            At::Text { at, len } => (at, len),
            At::Owned(k) => {
                flags |= OWNED;
                (k, 0)
            }
        };
        if role.as_str() == "user" {
            self.last_user = Some(i);
        }
        self.anthropic_blocks |= [
            "tool_use",
            "tool_result",
            "thinking",
            "redacted_thinking",
            "document",
        ]
        .iter()
        .any(|kind| has_block(m, kind));
        let part = match role.as_str() {
            "system" | "developer" => Part::System,
            _ => Part::History,
        };
        self.items.push(Item {
            part,
            group: 0,
            role,
            flags,
            at,
            len,
        });
    }

    /// The prompt of `body` (the request object, or the Batch line around it), whose messages
    /// were pushed, and whose message texts are in `text`.
    pub(crate) fn finish<'a>(
        mut self,
        body: Value,
        batch: bool,
        text: &'a str,
        owned: Vec<Value>,
        base_dir: &Path,
    ) -> Result<Prompt<'a>, ChatError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let obj = match if batch { body.get("body") } else { Some(&body) } {
            Some(Value::Object(o)) => o,
            _ => {
                return Err(ChatError(
                    "not a chat request: expected a JSON object with \"messages\"".into(),
                ));
            }
        };
        // Anthropic: a top-level `system`, `anthropic_version`, a claude model, tools with an
        // `input_schema`, or Anthropic-only content blocks.
        let anthropic = obj.contains_key("system")
            || obj.contains_key("anthropic_version")
            || obj
                .get("model")
                .and_then(Value::as_str)
                .is_some_and(|m| m.starts_with("claude") || m.starts_with("anthropic/"))
            || obj.get("tools").and_then(Value::as_array).is_some_and(|t| {
                t.iter()
                    .any(|t| t.get("input_schema").is_some() && t.get("function").is_none())
            })
            || self.anthropic_blocks;
        if let Some(u) = self.last_user {
            // every message was pushed (an invalid one is an error above), after the named items
            let first = self.labels.len();
            if let Some(item) = self.items.get_mut(first + u) {
                item.part = Part::User;
            }
        }
        assign_groups(&mut self.items);
        let tools = obj
            .get("tools")
            .or_else(|| obj.get("functions"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let max_tokens = output_limit(obj)?;
        let model = obj.get("model").and_then(Value::as_str).map(String::from);
        // the system item's message was the first owned one
        let mut all = owned;
        let base = all.len();
        for item in &mut self.items {
            if item.flags & OWNED != 0 && item.flags & NAMED != 0 {
                item.at += base;
            }
        }
        all.append(&mut self.owned);
        Ok(Prompt {
            shape: if anthropic {
                Shape::Anthropic
            } else {
                Shape::OpenAi
            },
            items: self.items,
            tools,
            body: Some(body),
            batch,
            max_tokens,
            model,
            base_dir: base_dir.to_path_buf(),
            text,
            owned: all,
            first: self.labels.len(),
            labels: self.labels,
        })
    }
}

impl<'a> Prompt<'a> {
    /// Split an OpenAI chat completions body or an Anthropic messages body: system (and
    /// developer) messages and Anthropic's `system` → system; the latest user message → user;
    /// every other message → history; `tools` (or legacy `functions`) → tools;
    /// `max_completion_tokens` (else `max_tokens`) → the reserve.
    /// A Batch API request line (`{"custom_id", "method", "url", "body": {...}}`) is split by
    /// its `body`, and fitted inside it.
    ///
    /// A request read from its text is split the same way without building its tree
    /// ([`crate::request::read`]).
    pub fn from_request(mut body: Value, base_dir: &Path) -> Result<Prompt<'static>, ChatError> {
        if let Some(inner) = body.get_mut("body").filter(|b| b.get("messages").is_some()) {
            let mut prompt = Prompt::from_request(std::mem::take(inner), base_dir)?;
            // the inner body's fields back in place, its messages in the items
            body["body"] = prompt.body.take().unwrap_or_default();
            prompt.body = Some(body);
            prompt.batch = true;
            return Ok(prompt);
        }
        let obj = body.as_object_mut().ok_or_else(|| {
            ChatError("not a chat request: expected a JSON object with \"messages\"".into())
        })?;
        let messages = match obj.get_mut("messages") {
            Some(Value::Array(a)) => std::mem::take(a),
            _ => {
                return Err(ChatError(
                    "not a chat request: no \"messages\" array".into(),
                ));
            }
        };
        let mut split = Split::new(obj, messages.len());
        for (i, m) in messages.iter().enumerate() {
            split.push(i, m, At::Owned(i));
        }
        split.finish(body, false, "", messages, base_dir)
    }

    /// Assemble separate parts into one messages array, in this order: the system prompt (a
    /// `system` message), the examples (a `system` message when text, else the messages as
    /// given), the history, the retrieved chunks (one `system` message each, in rank order,
    /// right before the question they inform), and the user's message (a `user` message).
    /// System and developer messages inside a history file belong to the system part.
    pub fn from_parts(parts: Parts, base_dir: &Path) -> Result<Prompt<'static>, ChatError> {
        let mut items = Vec::new();
        let mut owned = Vec::new();
        let mut labels = Vec::new();
        let mut push = |part, message: Value, label: String| {
            // validated (examples, history) or built here (text parts)
            let role = message
                .get("role")
                .and_then(Value::as_str)
                .and_then(chat::Role::of)
                .unwrap_or(chat::Role::SYSTEM);
            let mut flags = OWNED | NAMED;
            if is_tool_call(&message) {
                flags |= TOOL_CALL;
            }
            if is_tool_result(&message) {
                flags |= TOOL_RESULT;
            }
            items.push(Item {
                part,
                group: 0,
                role,
                flags,
                at: owned.len(),
                len: labels.len() as u32,
            });
            owned.push(message);
            labels.push(label);
        };
        if let Some((label, text)) = &parts.system {
            push(Part::System, text_message("system", text), label.clone());
        }
        match &parts.examples {
            Some((label, Examples::Text(t))) => {
                push(Part::Examples, text_message("system", t), label.clone())
            }
            Some((label, Examples::Messages(ms))) => {
                validate_messages(ms).map_err(|e| ChatError(format!("{label}: {e}")))?;
                for (i, m) in ms.iter().enumerate() {
                    push(Part::Examples, m.clone(), format!("{label}[{i}]"));
                }
            }
            None => {}
        }
        if let Some((label, ms)) = &parts.history {
            validate_messages(ms).map_err(|e| ChatError(format!("{label}: {e}")))?;
            for (i, m) in ms.iter().enumerate() {
                let part = match m.get("role").and_then(Value::as_str) {
                    Some("system" | "developer") => Part::System,
                    _ => Part::History,
                };
                push(part, m.clone(), format!("{label}[{i}]"));
            }
        }
        for (rank, (label, text)) in parts.rag.iter().enumerate() {
            push(
                Part::Rag,
                text_message("system", text),
                format!("rag #{} ({label})", rank + 1),
            );
        }
        if let Some((label, text)) = &parts.user {
            push(Part::User, text_message("user", text), label.clone());
        }
        assign_groups(&mut items);
        Ok(Prompt {
            shape: Shape::Parts,
            items,
            tools: parts.tools,
            body: None,
            batch: false,
            max_tokens: None,
            model: None,
            base_dir: base_dir.to_path_buf(),
            text: "",
            first: labels.len(),
            owned,
            labels,
        })
    }

    /// Whether any item or the tools belong to `part`.
    pub fn has(&self, part: Part) -> bool {
        match part {
            Part::Tools => !self.tools.is_empty(),
            Part::Overhead => true,
            p => self.items.iter().any(|i| i.part == p),
        }
    }

    /// Where item `i` came from: `messages[3]`, `system`, or a file name.
    pub fn label(&self, i: usize) -> Cow<'_, str> {
        match self.items.get(i) {
            Some(item) if item.flags & NAMED != 0 => Cow::Borrowed(
                self.labels
                    .get(item.len as usize)
                    .map_or("", String::as_str),
            ),
            Some(_) => Cow::Owned(format!("messages[{}]", i - self.first)),
            None => Cow::Owned(format!("message {i}")),
        }
    }

    /// The index of item `i` in the request body's `messages` (None for Anthropic's `system`
    /// field and for separate-file parts).
    pub fn index(&self, i: usize) -> Option<usize> {
        let item = self.items.get(i)?;
        (item.flags & NAMED == 0).then(|| i - self.first)
    }

    /// The JSON text of item `i` as the request has it, when it was read from a text.
    pub fn raw(&self, i: usize) -> Option<&'a str> {
        let item = self.items.get(i).filter(|it| it.flags & OWNED == 0)?;
        self.text.get(item.at..item.at + item.len as usize)
    }

    /// The message of item `i` (parsed from the request's text when it was read from one).
    pub fn message(&self, i: usize) -> Result<Cow<'_, Value>, ChatError> {
        let item = self
            .items
            .get(i)
            .ok_or_else(|| ChatError(format!("no message {i}")))?;
        if item.flags & OWNED != 0 {
            return self
                .owned
                .get(item.at)
                .map(Cow::Borrowed)
                .ok_or_else(|| ChatError(format!("no message {i}")));
        }
        let raw = self.raw(i).unwrap_or_default();
        serde_json::from_str(raw)
            .map(Cow::Owned)
            .map_err(|e| ChatError(format!("{}: {e}", self.label(i))))
    }

    /// The request's text, when the prompt was read from one.
    pub fn text(&self) -> Option<&'a str> {
        (!self.text.is_empty()).then_some(self.text)
    }
}

/// Which published formula image parts are counted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageRule {
    OpenAi,
    Anthropic,
}

/// The token count of every item and of the tools.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Per item, in [`Prompt::items`] order, overhead included.
    pub items: Vec<u64>,
    /// Whether an item's count is an approximation (tool calls, images).
    pub approximate: Vec<bool>,
    pub tools: u64,
    /// Whether `tools` is an approximation (OpenAI's cookbook rule); Mistral's template
    /// renders the definitions by a fixed rule, counted exactly.
    pub tools_approximate: bool,
    /// Tokens that prime the reply ([`chat::reply_priming`]).
    pub overhead: u64,
    /// Approximations made, once each.
    pub notes: Vec<String>,
    /// Image parts that could not be counted (remote URL, unknown format), once each.
    pub warnings: Vec<String>,
}

impl Counts {
    /// Every basis count (items, tools, reply priming) of `self`, in that order.
    fn all(&self) -> Vec<u64> {
        let mut v = self.items.clone();
        v.push(self.tools);
        v.push(self.overhead);
        v
    }

    /// Turn these exact `o200k_base` counts into a calibrated estimate (Claude, Gemini): the
    /// whole request's central value by `rule` for text of `kind`, apportioned over the items,
    /// the tools and the reply priming so that they still add up (see
    /// [`crate::estimate::apportion`]). Returns the range of the whole.
    pub fn calibrate(
        &mut self,
        rule: &crate::estimate::Rule,
        kind: crate::estimate::ContentKind,
    ) -> crate::estimate::EstimateRange {
        let mut all = self.all();
        let (point, range) = rule.estimate(all.iter().sum(), kind);
        crate::estimate::apportion(&mut all, point);
        let n = self.items.len();
        self.items.copy_from_slice(&all[..n]);
        self.tools = all[n];
        self.overhead = all[n + 1];
        range
    }

    /// The tokens of item `i` (0 for an index these counts do not cover).
    pub fn tokens_of(&self, i: usize) -> u64 {
        self.items.get(i).copied().unwrap_or(0)
    }
}

/// Count every message and the tools of `prompt` with the cookbook's message rule.
pub fn count(prompt: &Prompt, tok: &Tokenizer, rule: ImageRule) -> Result<Counts, ChatError> {
    count_with(prompt, tok, chat::MessageRule::COOKBOOK, rule)
}

/// [`count`] with a model's message rule (gpt-3.5-turbo-0301's differs).
pub fn count_with(
    prompt: &Prompt,
    tok: &Tokenizer,
    message_rule: chat::MessageRule,
    rule: ImageRule,
) -> Result<Counts, ChatError> {
    let uncounted = std::cell::RefCell::new(Vec::new());
    let counter = |index: usize, part: &Value| {
        image_tokens(prompt, rule, index, part).inspect_err(|why| {
            uncounted.borrow_mut().push(why.clone());
        })
    };
    let mut notes: Vec<String> = Vec::new();
    let mut items = Vec::with_capacity(prompt.items.len());
    let mut approximate = Vec::with_capacity(prompt.items.len());
    for i in 0..prompt.items.len() {
        let mut own = Vec::new();
        // one message's value at a time: a long request is never held as a tree
        let message = prompt.message(i)?;
        let tokens =
            chat::count_message_rule(tok, message_rule, i, &message, &mut own, Some(&counter))
                .map_err(|e| ChatError(format!("{}: {e}", prompt.label(i))))?;
        drop(message);
        approximate.push(!own.is_empty());
        for n in own {
            let n = n.replace(&format!("message {i}"), &prompt.label(i));
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
        items.push(tokens);
    }
    let mut tools = chat::num_tokens_for_tools(tok, &prompt.tools, &mut notes)?;
    let mut overhead = chat::reply_priming(tok);
    let whole = if chat::renders_whole(tok) {
        let messages = (0..prompt.items.len())
            .map(|i| prompt.message(i).map(Cow::into_owned))
            .collect::<Result<Vec<Value>, ChatError>>()?;
        chat::whole_conversation(tok, &messages, &prompt.tools, &mut notes)
    } else {
        None
    };
    let tools_approximate = whole.is_none();
    if let Some(conv) = whole {
        // a template that moves text (Mistral's): the messages' shares of the whole rendering
        items = conv.messages;
        tools = conv.tools;
        overhead = conv.overhead;
        notes.retain(|n| !n.contains("num_tokens_for_tools"));
    }
    // Legacy `functions`: the rule that matches the API's prompt_tokens (see
    // chat::count_with_functions); the difference from the per-message counts is the
    // functions' share, so the parts still sum to the request's total.
    let request = match &prompt.body {
        Some(b) if prompt.batch => b.get("body"),
        b => b.as_ref(),
    };
    if let Some(req) = request
        && let Some(functions) = req.get("functions").and_then(Value::as_array)
        && !functions.is_empty()
        && req.get("tools").is_none()
    {
        let messages = (0..prompt.items.len())
            .map(|i| prompt.message(i).map(Cow::into_owned))
            .collect::<Result<Vec<Value>, ChatError>>()?;
        let whole = chat::count_with_functions(tok, &messages, functions, req.get("function_call"));
        let others: u64 = items.iter().sum::<u64>() + chat::REPLY_PRIMING;
        tools = whole.saturating_sub(others);
        notes.retain(|n| !n.contains("num_tokens_for_tools"));
        notes.push(
            "legacy functions counted as the API renders them (TypeScript namespace, the \
             rule of hmarr/openai-chat-tokens; approximation)"
                .into(),
        );
    }
    // Images that could not be counted are warnings, not notes.
    let mut warnings: Vec<String> = Vec::new();
    for why in uncounted.into_inner() {
        if !warnings.contains(&why) {
            warnings.push(why);
        }
    }
    notes.retain(|n| !warnings.contains(n));
    Ok(Counts {
        items,
        approximate,
        tools,
        tools_approximate,
        overhead,
        notes,
        warnings,
    })
}

/// `counts` for the `kept` items alone: the same counts, except under a template that moves
/// text between messages (Mistral's), where dropping a message changes the others' shares
/// (the system prompt moves to the new last user message, an empty `[INST][/INST]` comes
/// first when the kept history starts with an assistant message), so the kept messages are
/// counted again as the request that is written.
pub fn recount_kept(
    prompt: &Prompt,
    tok: &Tokenizer,
    counts: &Counts,
    kept: &[bool],
) -> Result<Counts, ChatError> {
    if !chat::renders_whole(tok) {
        return Ok(counts.clone());
    }
    let index: Vec<usize> = (0..prompt.items.len()).filter(|&i| kept[i]).collect();
    let messages = index
        .iter()
        .map(|&i| prompt.message(i).map(Cow::into_owned))
        .collect::<Result<Vec<Value>, ChatError>>()?;
    let mut notes = counts.notes.clone();
    let Some(conv) = chat::whole_conversation(tok, &messages, &prompt.tools, &mut notes) else {
        return Ok(counts.clone());
    };
    let mut items = vec![0; prompt.items.len()];
    for (share, &i) in conv.messages.iter().zip(&index) {
        items[i] = *share;
    }
    Ok(Counts {
        items,
        tools: conv.tools,
        overhead: conv.overhead,
        notes,
        ..counts.clone()
    })
}

/// The tokens of one image part by `rule`, or why it could not be counted.
fn image_tokens(
    prompt: &Prompt,
    rule: ImageRule,
    index: usize,
    part: &Value,
) -> Result<(u64, String), String> {
    let label = prompt.label(index);
    let not_counted = |why: &str| format!("image in {label} not counted: {why}");
    // OpenAI chat: {"type":"image_url","image_url":{"url","detail"}}; Responses:
    // {"type":"input_image","image_url","detail"}; Anthropic: {"type":"image","source":{..}}.
    let (url, detail) = match part.get("image_url") {
        Some(Value::String(u)) => (Some(u.clone()), part.get("detail")),
        Some(obj) => (
            obj.get("url").and_then(Value::as_str).map(String::from),
            obj.get("detail"),
        ),
        None => (None, None),
    };
    let bytes = if let Some(url) = url {
        load_image(&url, &prompt.base_dir).map_err(|why| not_counted(&why))?
    } else if let Some(source) = part.get("source") {
        match source.get("type").and_then(Value::as_str) {
            Some("base64") => source
                .get("data")
                .and_then(Value::as_str)
                .and_then(image::base64_decode)
                .ok_or_else(|| not_counted("invalid base64 data"))?,
            Some("url") => {
                let url = source.get("url").and_then(Value::as_str).unwrap_or("");
                load_image(url, &prompt.base_dir).map_err(|why| not_counted(&why))?
            }
            _ => return Err(not_counted("its size is unknown (not inline data)")),
        }
    } else {
        return Err(not_counted("no image URL or data"));
    };
    let size = image::dimensions(&bytes)
        .ok_or_else(|| not_counted("not a PNG, JPEG, GIF or WebP image"))?;
    Ok(match rule {
        ImageRule::OpenAi => {
            let detail = match detail.and_then(Value::as_str) {
                Some("low") => image::Detail::Low,
                _ => image::Detail::High,
            };
            (
                image::openai_tokens(size, detail),
                "image parts counted with OpenAI's published formula (approximation)".into(),
            )
        }
        ImageRule::Anthropic => (
            image::anthropic_tokens(size),
            "image parts counted with Anthropic's published formula (approximation)".into(),
        ),
    })
}

/// The bytes of an image URL: a `data:` URL, a `file://` URL or a local path (relative to
/// `base`). Remote URLs are not fetched.
fn load_image(url: &str, base: &Path) -> Result<Vec<u8>, String> {
    if url.starts_with("data:") {
        return image::data_url_bytes(url).ok_or_else(|| "not a base64 data URL".to_string());
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        return Err("remote URL, size unknown (nothing is fetched)".into());
    }
    let path = url.strip_prefix("file://").unwrap_or(url);
    let path = base.join(path);
    std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// The window, the room reserved for the answer, and the caps.
#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    pub context_window: u64,
    pub reserve_output: u64,
    pub caps: Vec<Cap>,
}

impl Budget {
    /// The cap of `part` in tokens (the last `--cap` for a part wins).
    pub fn cap(&self, part: Part) -> Option<u64> {
        self.caps
            .iter()
            .rev()
            .find(|c| c.part == part)
            .map(|c| c.value.tokens(self.context_window))
    }
}

/// One row of the allocation.
#[derive(Debug, Clone, Serialize)]
pub struct PartRow {
    pub part: Part,
    pub tokens: u64,
    /// Messages (chunks, tool definitions) in this part.
    pub items: usize,
    /// Items `--fit` dropped from this part.
    pub dropped: usize,
    /// `tokens` / window.
    pub window_share: f64,
    pub cap: Option<u64>,
    /// Present when the part is over its cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_cap_by: Option<u64>,
    /// The count includes an approximation (tool definitions, tool calls, images).
    pub approximate: bool,
}

/// How a window is split across the parts of a request.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    pub context_window: u64,
    pub reserve_output: u64,
    pub parts: Vec<PartRow>,
    /// The input: the sum of the part rows.
    pub input_tokens: u64,
    /// Input plus reserved output.
    pub total: u64,
    /// Window minus total (negative when over).
    pub headroom: i64,
    /// `total` / window.
    pub window_share: f64,
    /// Within the window and every part within its cap.
    pub fits: bool,
    /// How far `total` exceeds the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_by: Option<u64>,
}

impl Allocation {
    pub fn row(&self, part: Part) -> Option<&PartRow> {
        self.parts.iter().find(|r| r.part == part)
    }
    /// Parts over their caps.
    pub fn over_caps(&self) -> impl Iterator<Item = &PartRow> {
        self.parts.iter().filter(|r| r.over_cap_by.is_some())
    }
}

/// The allocation of the items of `prompt` that are `kept`.
pub fn allocate(prompt: &Prompt, counts: &Counts, kept: &[bool], budget: &Budget) -> Allocation {
    let window = budget.context_window;
    let share = |t: u64| {
        if window == 0 {
            0.0
        } else {
            t as f64 / window as f64
        }
    };
    let mut parts = Vec::new();
    for part in Part::ALL {
        if !prompt.has(part) {
            continue;
        }
        let (tokens, items, dropped, approximate) = match part {
            Part::Tools => (
                counts.tools,
                prompt.tools.len(),
                0,
                counts.tools_approximate,
            ),
            Part::Overhead => (counts.overhead, 0, 0, false),
            p => {
                let mut t = 0;
                let mut n = 0;
                let mut d = 0;
                let mut approx = false;
                for (i, item) in prompt.items.iter().enumerate() {
                    if item.part != p {
                        continue;
                    }
                    if kept.get(i).copied().unwrap_or(true) {
                        t += counts.tokens_of(i);
                        n += 1;
                        approx |= counts.approximate.get(i).copied().unwrap_or(false);
                    } else {
                        d += 1;
                    }
                }
                (t, n, d, approx)
            }
        };
        let cap = budget.cap(part);
        parts.push(PartRow {
            part,
            tokens,
            items,
            dropped,
            window_share: share(tokens),
            cap,
            over_cap_by: cap.and_then(|c| tokens.checked_sub(c).filter(|d| *d > 0)),
            approximate,
        });
    }
    let input_tokens: u64 = parts.iter().map(|r| r.tokens).sum();
    let total = input_tokens.saturating_add(budget.reserve_output);
    let over_by = total.checked_sub(window).filter(|d| *d > 0);
    let fits = over_by.is_none() && parts.iter().all(|r| r.over_cap_by.is_none());
    Allocation {
        context_window: window,
        reserve_output: budget.reserve_output,
        parts,
        input_tokens,
        total,
        // a window of 2^63 tokens or more (`--context-window`) must not wrap
        headroom: i64::try_from(i128::from(window) - i128::from(total))
            .unwrap_or(if window > total { i64::MAX } else { i64::MIN }),
        window_share: share(total),
        fits,
        over_by,
    }
}

/// How many history messages `--fit` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryPolicy {
    /// As many recent messages as fit the history cap and the window: the number kept follows
    /// the size of the messages.
    Auto,
    /// At most the last N messages (fewer when they do not fit).
    Last(usize),
}

/// Options of [`fit`].
#[derive(Debug, Clone, Copy)]
pub struct FitOptions {
    pub history: HistoryPolicy,
    /// Never drop the last N history messages.
    pub keep_last: usize,
}

/// Why an item was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// Older than `--history N` allows.
    HistoryLimit,
    /// Its part was over its cap.
    Cap,
    /// The request did not fit the window.
    Window,
    /// An assistant message left first in an Anthropic request (which must start with the
    /// user's turn).
    LeadingAssistant,
}

/// One dropped message: the item, and why. Its part, label, role and tokens are the item's
/// ([`Dropped::row`]); only these two are kept, so fitting a million messages costs a few
/// bytes for each it drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// Its index in [`Prompt::items`] (a prompt has fewer than 2^32 items: a request's
    /// messages are read with 32-bit lengths and groups).
    pub item: u32,
    pub reason: DropReason,
}

/// A dropped message as it is reported.
#[derive(Debug, Clone, Serialize)]
pub struct DroppedRow<'p> {
    pub part: Part,
    pub label: Cow<'p, str>,
    pub role: &'static str,
    pub tokens: u64,
    pub reason: DropReason,
}

impl Dropped {
    /// The report of this drop, from the prompt and the counts it was fitted with.
    pub fn row<'p>(&self, prompt: &'p Prompt, counts: &Counts) -> DroppedRow<'p> {
        let i = self.item as usize;
        let item = &prompt.items[i];
        DroppedRow {
            part: item.part,
            label: prompt.label(i),
            role: item.role(),
            tokens: counts.tokens_of(i),
            reason: self.reason,
        }
    }
}

/// The outcome of [`fit`].
#[derive(Debug, Clone)]
pub struct Fitted {
    /// Per item: still in the request.
    pub kept: Vec<bool>,
    /// In the order they were dropped.
    pub dropped: Vec<Dropped>,
}

/// Why a request cannot be made to fit.
#[derive(Debug, Clone, Serialize)]
pub struct CannotFit {
    /// What is too big, in words.
    pub reason: String,
    /// The smallest input+reserve `--fit` could reach.
    pub minimum: u64,
}

impl std::fmt::Display for CannotFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Consecutive droppable items of one group: `start..start + len` of the prompt's items.
struct Group {
    start: u32,
    len: u32,
    part: Part,
    pinned: bool,
}

impl Group {
    fn items(&self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
    fn tokens(&self, counts: &Counts) -> u64 {
        self.items().map(|i| counts.tokens_of(i)).sum()
    }
}

/// Drop history (oldest first, whole tool-call groups) and then retrieved chunks (lowest rank
/// first) until every part is within its cap and the request fits the window.
pub fn fit(
    prompt: &Prompt,
    counts: &Counts,
    budget: &Budget,
    opts: FitOptions,
) -> Result<Fitted, CannotFit> {
    let n = prompt.items.len();
    let mut kept = vec![true; n];
    let mut dropped = Vec::new();
    let thousands = crate::numfmt::thousands;

    // Groups of droppable items, in request order.
    let mut groups: Vec<Group> = Vec::new();
    for (i, item) in prompt.items.iter().enumerate() {
        if !item.part.droppable() {
            continue;
        }
        match groups.last_mut() {
            Some(g) if prompt.items[g.start as usize].group == item.group => g.len += 1,
            _ => groups.push(Group {
                // a prompt has fewer than 2^32 items (a request's text is read in u32 lengths)
                start: i as u32,
                len: 1,
                part: item.part,
                pinned: false,
            }),
        }
    }
    // Pin the groups holding the last `keep_last` history messages, and a tool call whose
    // results are in the latest user message.
    let mut seen = 0;
    for g in groups.iter_mut().rev().filter(|g| g.part == Part::History) {
        if seen >= opts.keep_last {
            break;
        }
        g.pinned = true;
        seen += g.len as usize;
    }
    if let Some(u) = prompt.items.iter().position(|i| i.part == Part::User)
        && prompt.items[u].is_tool_result()
        && u > 0
        && let Some(g) = groups.iter_mut().find(|g| g.items().contains(&(u - 1)))
        && prompt.items[u - 1].is_tool_call()
    {
        g.pinned = true;
    }

    // Parts --fit cannot trim must be within their caps.
    let fixed = [
        Part::System,
        Part::Examples,
        Part::Tools,
        Part::User,
        Part::Overhead,
    ];
    let full = allocate(prompt, counts, &kept, budget);
    for row in &full.parts {
        if let (Some(over), false) = (row.over_cap_by, row.part.droppable()) {
            return Err(CannotFit {
                reason: format!(
                    "the {} part is {} tokens, {} over its cap of {}; --fit only drops history \
                     messages and retrieved chunks",
                    row.part,
                    thousands(row.tokens),
                    thousands(over),
                    thousands(row.cap.unwrap_or(0))
                ),
                minimum: full.total,
            });
        }
    }
    // What can never be dropped must fit with the reserve.
    let pinned: u64 = groups
        .iter()
        .filter(|g| g.pinned)
        .map(|g| g.tokens(counts))
        .sum();
    let fixed_rows: Vec<&PartRow> = full
        .parts
        .iter()
        .filter(|r| fixed.contains(&r.part) && r.tokens > 0)
        .collect();
    let fixed_tokens: u64 = fixed_rows.iter().map(|r| r.tokens).sum();
    let minimum = fixed_tokens + pinned + budget.reserve_output;
    if minimum > budget.context_window {
        let mut terms: Vec<String> = fixed_rows
            .iter()
            .filter(|r| r.part != Part::Overhead)
            .map(|r| format!("{} {}", r.part, thousands(r.tokens)))
            .collect();
        if pinned > 0 {
            terms.push(format!(
                "history (--keep-last {}) {}",
                opts.keep_last,
                thousands(pinned)
            ));
        }
        terms.push(format!("overhead {}", counts.overhead));
        terms.push(format!(
            "reserved output {}",
            thousands(budget.reserve_output)
        ));
        let biggest = fixed_rows
            .iter()
            .filter(|r| r.part != Part::Overhead)
            .max_by_key(|r| r.tokens)
            .map(|r| {
                format!(
                    " The largest is {} ({} tokens).",
                    r.part,
                    thousands(r.tokens)
                )
            })
            .unwrap_or_default();
        return Err(CannotFit {
            reason: format!(
                "what --fit never drops needs {} tokens ({}), {} over the {}-token \
                 window.{biggest} The system prompt, examples, tools and the user's message are \
                 never cut: shorten them or lower the reserved output",
                thousands(minimum),
                terms.join(" + "),
                thousands(minimum - budget.context_window),
                thousands(budget.context_window),
            ),
            minimum,
        });
    }

    // The input as items are dropped (kept in step, so fitting is linear in the messages).
    let mut input = full.input_tokens;
    let mut drop_group = |g: &Group, reason: DropReason, kept: &mut Vec<bool>| {
        for i in g.items() {
            kept[i] = false;
            dropped.push(Dropped {
                item: i as u32,
                reason,
            });
        }
        g.tokens(counts)
    };

    // --history N: keep at most the last N history messages (whole groups). Counted from the
    // newest, every group from the one that passes N on is over (reported oldest first, like
    // every other drop).
    if let HistoryPolicy::Last(limit) = opts.history {
        let mut count = 0;
        let mut first_over = None;
        for (gi, g) in groups.iter().enumerate().rev() {
            if g.part != Part::History {
                continue;
            }
            count += g.len as usize;
            if count > limit {
                first_over = Some(gi);
                break;
            }
        }
        if let Some(last) = first_over {
            for g in &groups[..=last] {
                if g.part == Part::History && !g.pinned {
                    input -= drop_group(g, DropReason::HistoryLimit, &mut kept);
                }
            }
        }
    }
    // Caps: history oldest first, rag lowest rank first.
    for part in [Part::History, Part::Rag] {
        let Some(cap) = budget.cap(part) else {
            continue;
        };
        let mut left: u64 = groups
            .iter()
            .filter(|g| g.part == part && kept[g.start as usize])
            .map(|g| g.tokens(counts))
            .sum();
        let order: Box<dyn Iterator<Item = &Group>> = match part {
            Part::History => Box::new(groups.iter()),
            _ => Box::new(groups.iter().rev()),
        };
        for g in order {
            if left <= cap {
                break;
            }
            if g.part == part && kept[g.start as usize] && !g.pinned {
                let t = drop_group(g, DropReason::Cap, &mut kept);
                left -= t;
                input -= t;
            }
        }
        if left > cap {
            let messages: usize = groups
                .iter()
                .filter(|g| g.pinned && g.part == part)
                .map(|g| g.len as usize)
                .sum();
            return Err(CannotFit {
                reason: format!(
                    "--keep-last {} keeps {messages} history messages (whole tool-call groups) of \
                     {} tokens, over the history cap of {}",
                    opts.keep_last,
                    thousands(left),
                    thousands(cap)
                ),
                minimum,
            });
        }
    }
    // The window: history oldest first, then rag lowest rank first.
    let budget_in = budget.context_window.saturating_sub(budget.reserve_output);
    let order = groups
        .iter()
        .filter(|g| g.part == Part::History)
        .chain(groups.iter().rev().filter(|g| g.part == Part::Rag));
    for g in order {
        if input <= budget_in {
            break;
        }
        if kept[g.start as usize] && !g.pinned {
            input -= drop_group(g, DropReason::Window, &mut kept);
        }
    }
    if input > budget_in {
        return Err(CannotFit {
            reason: "cannot fit even after dropping every history message and retrieved chunk"
                .into(),
            minimum,
        });
    }
    // Anthropic requires the first message to be the user's: when trimming left an assistant
    // message first, drop it too.
    if prompt.shape == Shape::Anthropic && input < full.input_tokens {
        for g in groups.iter().filter(|g| g.part == Part::History) {
            if !kept[g.start as usize] {
                continue;
            }
            if prompt.items[g.start as usize].role() == "user" {
                break;
            }
            if g.pinned {
                return Err(CannotFit {
                    reason: format!(
                        "trimming leaves {} ({}) first, and an Anthropic request must start with \
                         a user message; it cannot be dropped (kept by --keep-last, or its tool \
                         results are in the latest user message)",
                        prompt.label(g.start as usize),
                        prompt.items[g.start as usize].role()
                    ),
                    minimum,
                });
            }
            drop_group(g, DropReason::LeadingAssistant, &mut kept);
        }
    }
    Ok(Fitted { kept, dropped })
}

/// The fitted request: the original body with only the dropped messages removed (every other
/// field, and every kept message, exactly as parsed), or for separate parts the messages array
/// (`{"messages", "tools"}` when tools were given).
pub fn fitted_json(prompt: &Prompt, kept: &[bool]) -> Value {
    let kept_messages = |body_only: bool| -> Vec<Value> {
        (0..prompt.items.len())
            .filter(|&i| kept.get(i).copied().unwrap_or(true))
            .filter(|&i| !body_only || prompt.index(i).is_some())
            .filter_map(|i| prompt.message(i).ok().map(Cow::into_owned))
            .collect()
    };
    match (&prompt.body, prompt.shape) {
        (Some(body), Shape::OpenAi | Shape::Anthropic) => {
            // the body's fields, with the kept messages in its (emptied) `messages`
            let mut body = body.clone();
            let request = if prompt.batch {
                body.get_mut("body")
            } else {
                Some(&mut body)
            };
            if let Some(Value::Array(messages)) = request.and_then(|r| r.get_mut("messages")) {
                *messages = kept_messages(true);
            }
            body
        }
        _ => {
            let messages = kept_messages(false);
            if prompt.tools.is_empty() {
                Value::Array(messages)
            } else {
                let mut m = Map::new();
                m.insert("messages".into(), Value::Array(messages));
                m.insert("tools".into(), Value::Array(prompt.tools.clone()));
                Value::Object(m)
            }
        }
    }
}

/// The fitted request as JSON text, built from the request's original text: every value `--fit`
/// keeps is copied byte for byte, so numbers are written exactly as read
/// (`123456789012345678901234567890` and `1e-400` stay; through an f64 they became
/// `1.2345678901234568e+29` and `0.0`). Only the top-level object (and a Batch line's `body`)
/// and the messages array are laid out anew, two-space indented; duplicate keys resolve as
/// when parsing (the last value, at the first key's place). `None` for a prompt assembled from
/// parts (it has no original text; use [`fitted_json`]) or text that is not the request.
///
/// When the prompt was read from this very text ([`crate::request::read`]), the kept messages
/// are copied from where its items point, without parsing the messages array again.
///
/// This stays local to the fitted output on purpose: serde_json's `arbitrary_precision` would
/// do the same but change number handling (and speed) everywhere, scan-logs included.
pub fn fitted_text(original: &str, prompt: &Prompt, kept: &[bool]) -> Option<String> {
    if prompt.body.is_none() || !matches!(prompt.shape, Shape::OpenAi | Shape::Anthropic) {
        return None;
    }
    let same_text = prompt
        .text()
        .is_some_and(|t| std::ptr::eq(t.as_ptr(), original.as_ptr()) && t.len() == original.len());
    let original = original.strip_prefix('\u{feff}').unwrap_or(original);
    let top: RawObject = serde_json::from_str(original).ok()?;
    let depth = if prompt.batch { 2 } else { 1 };
    let messages_of = |obj: &RawObject| -> Option<String> {
        let raw = obj.get("messages")?;
        if same_text {
            let kept = (0..prompt.items.len())
                .filter(|&i| kept.get(i).copied().unwrap_or(true))
                .filter_map(|i| prompt.raw(i));
            return Some(raw_array(kept, depth));
        }
        let messages: Vec<&RawValue> = serde_json::from_str(raw.get()).ok()?;
        let mut keep = vec![true; messages.len()];
        for (item, k) in kept.iter().enumerate() {
            if !k && let Some(i) = prompt.index(item).filter(|i| *i < keep.len()) {
                keep[i] = false;
            }
        }
        let kept = messages
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(m, _)| m.get());
        Some(raw_array(kept, depth))
    };
    if prompt.batch {
        let body: RawObject = serde_json::from_str(top.get("body")?.get()).ok()?;
        let messages = messages_of(&body)?;
        let body = raw_object(&body, 1, "messages", &messages);
        Some(raw_object(&top, 0, "body", &body))
    } else {
        let messages = messages_of(&top)?;
        Some(raw_object(&top, 0, "messages", &messages))
    }
}

/// A JSON object as its keys and the raw text of their values, in order.
pub(crate) struct RawObject<'a>(pub(crate) Vec<(String, &'a RawValue)>);

impl<'a> RawObject<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

impl<'de> serde::Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, &'de RawValue)> = Vec::new();
                let mut at: std::collections::HashMap<String, usize> = Default::default();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    match at.get(&k) {
                        Some(&i) => entries[i].1 = v,
                        None => {
                            at.insert(k.clone(), entries.len());
                            entries.push((k, v));
                        }
                    }
                }
                Ok(RawObject(entries))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// `obj` at nesting `depth`, with the value of `key` replaced by the text `with`.
fn raw_object(obj: &RawObject, depth: usize, key: &str, with: &str) -> String {
    if obj.0.is_empty() {
        return "{}".into();
    }
    let pad = "  ".repeat(depth + 1);
    let mut s = String::from("{\n");
    for (i, (k, v)) in obj.0.iter().enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&pad);
        s.push_str(&Value::String(k.clone()).to_string());
        s.push_str(": ");
        s.push_str(if k == key { with } else { v.get() });
    }
    s.push('\n');
    s.push_str(&"  ".repeat(depth));
    s.push('}');
    s
}

/// An array of raw values at nesting `depth`, one per line.
fn raw_array<'s>(items: impl Iterator<Item = &'s str>, depth: usize) -> String {
    let mut items = items.peekable();
    if items.peek().is_none() {
        return "[]".into();
    }
    let pad = "  ".repeat(depth + 1);
    let mut s = String::from("[\n");
    for (i, item) in items.enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&pad);
        s.push_str(item);
    }
    s.push('\n');
    s.push_str(&"  ".repeat(depth));
    s.push(']');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_caps() {
        assert_eq!(
            parse_cap("history=30000"),
            Ok(Cap {
                part: Part::History,
                value: CapValue::Tokens(30000)
            })
        );
        assert_eq!(
            parse_cap("rag=40%").map(|c| c.value.tokens(128_000)),
            Ok(51_200)
        );
        assert_eq!(
            parse_cap("rag=12.5%").map(|c| c.value.tokens(1000)),
            Ok(125)
        );
        assert_eq!(
            parse_cap("history=30_000").map(|c| c.value.tokens(0)),
            Ok(30000)
        );
        assert!(
            parse_cap("history=lots")
                .unwrap_err()
                .contains("not a number of tokens or a percentage")
        );
        assert!(parse_cap("rag=140%").is_err());
        assert!(parse_cap("output=5").unwrap_err().contains("unknown part"));
        assert!(parse_cap("history").is_err());
    }

    fn msg(role: &str) -> Value {
        serde_json::json!({"role": role, "content": "x"})
    }

    /// A prompt from separate parts where every message costs `tokens[i]`.
    fn fixture(rag: usize) -> (Prompt<'static>, Counts) {
        let history = vec![
            msg("user"),
            msg("assistant"),
            serde_json::json!({"role": "assistant", "tool_calls": [{"id": "a"}]}),
            msg("tool"),
            msg("assistant"),
        ];
        let parts = Parts {
            system: Some(("s".into(), "x".into())),
            rag: (0..rag).map(|i| (format!("r{i}"), "x".into())).collect(),
            history: Some(("h".into(), history)),
            user: Some(("u".into(), "x".into())),
            ..Parts::default()
        };
        let p = Prompt::from_parts(parts, Path::new(".")).unwrap();
        // system 10; history 10, 20, 30 + 5 (one unit), 40; rag 7 each; user 10.
        let mut items = vec![10, 10, 20, 30, 5, 40];
        items.extend(std::iter::repeat_n(7, rag));
        items.push(10);
        let n = items.len();
        let counts = Counts {
            items,
            approximate: vec![false; n],
            tools: 0,
            tools_approximate: true,
            overhead: 3,
            notes: vec![],
            warnings: vec![],
        };
        (p, counts)
    }

    fn budget(window: u64, caps: &[&str]) -> Budget {
        Budget {
            context_window: window,
            reserve_output: 100,
            caps: caps.iter().map(|c| parse_cap(c).unwrap()).collect(),
        }
    }

    fn labels(p: &Prompt, f: &Fitted) -> Vec<String> {
        f.dropped
            .iter()
            .map(|d| p.label(d.item as usize).into_owned())
            .collect()
    }

    const AUTO: FitOptions = FitOptions {
        history: HistoryPolicy::Auto,
        keep_last: 0,
    };

    #[test]
    fn fit_drops_oldest_history_then_lowest_rag() {
        let (p, c) = fixture(2);
        // Input: 10 + 105 + 14 + 10 + 3 = 142; window 242 fits exactly.
        let all = vec![true; p.items.len()];
        assert_eq!(allocate(&p, &c, &all, &budget(242, &[])).input_tokens, 142);
        let f = fit(&p, &c, &budget(242, &[]), AUTO).unwrap();
        assert!(f.dropped.is_empty());
        // 25 over: h[0] (10), h[1] (20) go.
        let f = fit(&p, &c, &budget(217, &[]), AUTO).unwrap();
        assert_eq!(labels(&p, &f), ["h[0]", "h[1]"]);
        // 40 over: the tool call and its result go together.
        let f = fit(&p, &c, &budget(202, &[]), AUTO).unwrap();
        assert_eq!(labels(&p, &f), ["h[0]", "h[1]", "h[2]", "h[3]"]);
        // 110 over: all history, then the lowest-ranked chunk.
        let f = fit(&p, &c, &budget(132, &[]), AUTO).unwrap();
        assert_eq!(
            p.label(f.dropped.last().unwrap().item as usize),
            "rag #2 (r1)"
        );
        assert_eq!(f.dropped.len(), 6);
        let after = allocate(&p, &c, &f.kept, &budget(132, &[]));
        assert!(after.fits);
        assert_eq!(after.input_tokens, 142 - 105 - 7);
    }

    #[test]
    fn fit_honours_caps_history_limits_and_keep_last() {
        let (p, c) = fixture(3);
        // history 105 → 75 under a cap of 80; rag 21 → 7 under 10.
        let f = fit(&p, &c, &budget(100_000, &["history=80", "rag=10"]), AUTO).unwrap();
        assert_eq!(
            labels(&p, &f),
            ["h[0]", "h[1]", "rag #3 (r2)", "rag #2 (r1)"]
        );
        assert!(f.dropped.iter().all(|d| d.reason == DropReason::Cap));
        let last2 = FitOptions {
            history: HistoryPolicy::Last(2),
            keep_last: 0,
        };
        // The last two messages are h[3] and h[4]; h[3] belongs to h[2]: both go.
        let f = fit(&p, &c, &budget(100_000, &[]), last2).unwrap();
        assert_eq!(labels(&p, &f), ["h[0]", "h[1]", "h[2]", "h[3]"]);
        let keep = FitOptions {
            history: HistoryPolicy::Auto,
            keep_last: 2,
        };
        let e = fit(&p, &c, &budget(100_000, &["history=50"]), keep).unwrap_err();
        assert!(
            e.reason.contains("--keep-last 2 keeps 3 history messages"),
            "{e}"
        );
        // What is never dropped does not fit: refused, nothing trimmed.
        let e = fit(&p, &c, &budget(120, &[]), AUTO).unwrap_err();
        assert_eq!(e.minimum, 10 + 10 + 3 + 100);
        let e = fit(&p, &c, &budget(100_000, &["user=5"]), AUTO).unwrap_err();
        assert!(e.reason.starts_with("the user part is 10 tokens"), "{e}");
    }

    /// What a message costs beyond its text, whatever the request's size: an item of 24
    /// bytes, its count (8 bytes and a flag) and its row of `count`'s report (24), and for
    /// `--fit` a flag kept, a group of 12 bytes at most and a drop of 8 (the README's memory table has the measured peaks).
    #[test]
    fn per_message_records_stay_small() {
        assert_eq!(std::mem::size_of::<Item>(), 24);
        assert_eq!(std::mem::size_of::<Group>(), 12);
        assert_eq!(std::mem::size_of::<Dropped>(), 8);
        assert_eq!(std::mem::size_of::<chat::MessageCount>(), 24);
    }

    #[test]
    fn tool_results_join_their_call() {
        let body = serde_json::json!({"messages": [
            msg("system"), msg("user"),
            {"role": "assistant", "tool_calls": [{"id": "a"}]},
            msg("tool"), msg("tool"), msg("assistant"), msg("user"),
        ]});
        let p = Prompt::from_request(body, Path::new(".")).unwrap();
        let groups: Vec<usize> = p.items.iter().map(|i| i.group).collect();
        assert_eq!(groups[2], groups[3]);
        assert_eq!(groups[3], groups[4]);
        assert_ne!(groups[4], groups[5]);
        let parts: Vec<Part> = p.items.iter().map(|i| i.part).collect();
        assert_eq!(parts[0], Part::System);
        assert_eq!(parts[6], Part::User);
        assert_eq!(parts[1], Part::History);
    }
}
