//! Counting chat requests the way OpenAI's cookbook does (`num_tokens_from_messages`):
//! every message costs 3 tokens plus the tokens of each of its string values (role, content,
//! name, ...), a `name` costs 1 more, and 3 tokens prime the reply.
//!
//! Content may be a string or an array of parts; text parts (`text`, `input_text`,
//! `output_text`) are counted by their text. What the cookbook does not define is counted by a
//! documented approximation and reported as such in [`ChatCount::notes`]: assistant
//! `tool_calls` / `function_call` and Anthropic `tool_use` blocks are counted by their JSON
//! text; image parts are not counted (their cost depends on the image size).

use serde::Serialize;
use serde_json::Value;

use super::Tokenizer;

/// Tokens every message costs beyond its values.
pub const TOKENS_PER_MESSAGE: u64 = 3;
/// Extra token for a message with a `name`.
pub const TOKENS_PER_NAME: u64 = 1;
/// Tokens that prime the assistant's reply.
pub const REPLY_PRIMING: u64 = 3;

/// Roles a chat message may have.
pub const ROLES: &[&str] = &[
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];

/// The count of one message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MessageCount {
    pub index: usize,
    pub role: String,
    pub tokens: u64,
}

/// The count of a whole chat request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChatCount {
    /// Total including per-message overhead and reply priming.
    pub tokens: u64,
    pub messages: Vec<MessageCount>,
    /// Approximations made (tool calls counted as JSON, images not counted, ...).
    pub notes: Vec<String>,
}

/// Why a JSON document could not be counted as chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatError(pub String);

impl std::fmt::Display for ChatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ChatError {}

/// The messages of a chat-shaped JSON value: a messages array, an OpenAI chat request body
/// (`messages`), an Anthropic messages body (`system` + `messages`) or a Batch API request
/// line (`body.messages`). `None` when the value has none of these shapes.
pub fn extract_messages(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items)
            if !items.is_empty()
                && items
                    .iter()
                    .all(|m| m.as_object().is_some_and(|o| o.contains_key("role"))) =>
        {
            Some(items.clone())
        }
        Value::Object(obj) => {
            if let Some(body) = obj.get("body").filter(|b| b.get("messages").is_some()) {
                return extract_messages(body);
            }
            let messages = obj.get("messages")?.as_array()?;
            let mut out = Vec::with_capacity(messages.len() + 1);
            if let Some(system) = obj.get("system") {
                let mut m = serde_json::Map::new();
                m.insert("role".into(), Value::String("system".into()));
                m.insert("content".into(), system.clone());
                out.push(Value::Object(m));
            }
            out.extend(messages.iter().cloned());
            Some(out)
        }
        _ => None,
    }
}

/// Count `messages` with the cookbook rule.
pub fn count_messages(tok: &Tokenizer, messages: &[Value]) -> Result<ChatCount, ChatError> {
    let mut notes = Vec::new();
    let mut out = Vec::with_capacity(messages.len());
    let mut total = REPLY_PRIMING;
    for (index, message) in messages.iter().enumerate() {
        let tokens = count_message(tok, index, message, &mut notes)?;
        let role = message
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        total += tokens;
        out.push(MessageCount {
            index,
            role,
            tokens,
        });
    }
    notes.dedup();
    Ok(ChatCount {
        tokens: total,
        messages: out,
        notes,
    })
}

/// Counts an image part: `Ok((tokens, note))` when its size is known (the note names the
/// formula used), `Err(note)` saying why it was not counted. The `usize` is the message index.
pub type ImageCounter<'a> = &'a dyn Fn(usize, &Value) -> Result<(u64, String), String>;

/// Tokens of one message, overhead included. Image parts are not counted (a note says so).
pub fn count_message(
    tok: &Tokenizer,
    index: usize,
    message: &Value,
    notes: &mut Vec<String>,
) -> Result<u64, ChatError> {
    count_message_with(tok, index, message, notes, None)
}

/// [`count_message`], with image parts counted by `images` when given.
pub fn count_message_with(
    tok: &Tokenizer,
    index: usize,
    message: &Value,
    notes: &mut Vec<String>,
    images: Option<ImageCounter>,
) -> Result<u64, ChatError> {
    let obj = message
        .as_object()
        .ok_or_else(|| ChatError(format!("message {index} is not a JSON object")))?;
    let role = obj
        .get("role")
        .ok_or_else(|| ChatError(format!("message {index} has no \"role\"")))?;
    let role = role
        .as_str()
        .ok_or_else(|| ChatError(format!("message {index}: \"role\" is not a string")))?;
    if !ROLES.contains(&role) {
        return Err(ChatError(format!(
            "message {index} has unknown role '{role}' (expected one of: {})",
            ROLES.join(", ")
        )));
    }
    let mut tokens = TOKENS_PER_MESSAGE;
    for (key, value) in obj {
        match (key.as_str(), value) {
            ("content", v) => tokens += count_content(tok, index, v, notes, images),
            ("tool_calls" | "function_call", v) if !v.is_null() => {
                tokens += tok.count(&v.to_string()) as u64;
                note(
                    notes,
                    "tool calls counted by their JSON text (approximation)",
                );
            }
            ("name", Value::String(s)) => tokens += tok.count(s) as u64 + TOKENS_PER_NAME,
            (_, Value::String(s)) => tokens += tok.count(s) as u64,
            _ => {}
        }
    }
    Ok(tokens)
}

fn count_content(
    tok: &Tokenizer,
    index: usize,
    content: &Value,
    notes: &mut Vec<String>,
    images: Option<ImageCounter>,
) -> u64 {
    match content {
        Value::String(s) => tok.count(s) as u64,
        Value::Array(parts) => parts
            .iter()
            .map(|p| count_part(tok, index, p, notes, images))
            .sum(),
        Value::Null => 0,
        other => {
            note(
                notes,
                "non-text content counted by its JSON text (approximation)",
            );
            tok.count(&other.to_string()) as u64
        }
    }
}

fn count_part(
    tok: &Tokenizer,
    index: usize,
    part: &Value,
    notes: &mut Vec<String>,
    images: Option<ImageCounter>,
) -> u64 {
    if let Value::String(s) = part {
        return tok.count(s) as u64;
    }
    let kind = part.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "text" | "input_text" | "output_text" => part
            .get("text")
            .and_then(Value::as_str)
            .map_or(0, |s| tok.count(s) as u64),
        "image_url" | "input_image" | "image" if images.is_some() => {
            match images.map(|f| f(index, part)) {
                Some(Ok((tokens, why))) => {
                    note(notes, &why);
                    tokens
                }
                Some(Err(why)) => {
                    note(notes, &why);
                    0
                }
                None => 0,
            }
        }
        "image_url" | "input_image" | "image" => {
            note(
                notes,
                &format!("image part in message {index} not counted (size-dependent)"),
            );
            0
        }
        "tool_result" => match part.get("content") {
            Some(c) => count_content(tok, index, c, notes, images),
            None => 0,
        },
        _ => {
            note(
                notes,
                "tool use and other non-text parts counted by their JSON text (approximation)",
            );
            tok.count(&part.to_string()) as u64
        }
    }
}

fn note(notes: &mut Vec<String>, text: &str) {
    if !notes.iter().any(|n| n == text) {
        notes.push(text.to_string());
    }
}

/// The per-function constants of OpenAI's cookbook `num_tokens_for_tools` (How to count tokens
/// with tiktoken, section 7): tokens added at the start of each function, at the start of its
/// properties, for each property, for a property with an enum (negative), for each enum item,
/// and once after all the functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ToolConstants {
    pub func_init: i64,
    pub prop_init: i64,
    pub prop_key: i64,
    pub enum_init: i64,
    pub enum_item: i64,
    pub func_end: i64,
}

impl ToolConstants {
    /// The cookbook's constants: gpt-4o / gpt-4o-mini (o200k encodings) start each function
    /// with 7 tokens, gpt-3.5-turbo / gpt-4 (cl100k_base) with 10; the rest are shared.
    pub fn for_encoding(encoding: super::Encoding) -> ToolConstants {
        let func_init = match encoding {
            super::Encoding::Cl100kBase | super::Encoding::P50kBase | super::Encoding::R50kBase => {
                10
            }
            super::Encoding::O200kBase | super::Encoding::O200kHarmony => 7,
        };
        ToolConstants {
            func_init,
            prop_init: 3,
            prop_key: 3,
            enum_init: -3,
            enum_item: 3,
            func_end: 12,
        }
    }
}

/// Tokens of the tool (function) definitions of a request, by OpenAI's cookbook rule
/// `num_tokens_for_tools`: for each function, `func_init` + tokens of `"{name}:{description}"`
/// (one trailing `.` of the description dropped); when it has properties, `prop_init`, then for
/// each property `prop_key` + tokens of `"{key}:{type}:{description}"` (same `.` rule) and, when
/// it has an enum, `enum_init` + `enum_item` + the tokens of each item; `func_end` once after
/// all functions.
///
/// Accepted shapes: OpenAI chat tools (`{"type": "function", "function": {...}}`), bare
/// functions (`{"name", "description", "parameters"}`, the legacy `functions` field) and
/// Anthropic tools (`input_schema` instead of `parameters`). Other tools (built-in tools such
/// as web search) are counted by their JSON text. The rule is reverse-engineered, so the count
/// is always an approximation; `notes` says so.
pub fn num_tokens_for_tools(
    tok: &Tokenizer,
    tools: &[Value],
    notes: &mut Vec<String>,
) -> Result<u64, ChatError> {
    if tools.is_empty() {
        return Ok(0);
    }
    // a tokenizer file has no cookbook constants: gpt-4o's are used (tools are approximate)
    let c = ToolConstants::for_encoding(tok.encoding().unwrap_or(super::Encoding::O200kBase));
    let count = |s: &str| tok.count(s) as i64;
    let strip_dot = |s: &str| s.strip_suffix('.').unwrap_or(s).to_string();
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let mut total: i64 = 0;
    for (i, tool) in tools.iter().enumerate() {
        let obj = tool
            .as_object()
            .ok_or_else(|| ChatError(format!("tool {i} is not a JSON object")))?;
        let function = match obj.get("function") {
            Some(f) if obj.get("type").and_then(Value::as_str) == Some("function") => f,
            _ if obj.contains_key("name")
                && (obj.contains_key("parameters")
                    || obj.contains_key("input_schema")
                    || obj.contains_key("description")) =>
            {
                tool
            }
            _ => {
                total += count(&tool.to_string());
                note(
                    notes,
                    "built-in (non-function) tools counted by their JSON text (approximation)",
                );
                continue;
            }
        };
        let name = function
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ChatError(format!("tool {i} has no \"name\" string")))?;
        total += c.func_init;
        let desc = strip_dot(&text(function.get("description")));
        total += count(&format!("{name}:{desc}"));
        let schema = function
            .get("parameters")
            .or_else(|| function.get("input_schema"));
        let properties = schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object);
        if let Some(props) = properties.filter(|p| !p.is_empty()) {
            total += c.prop_init;
            for (key, prop) in props {
                total += c.prop_key;
                if let Some(items) = prop.get("enum") {
                    total += c.enum_init;
                    for item in items.as_array().map(Vec::as_slice).unwrap_or_default() {
                        total += c.enum_item;
                        total += count(&text(Some(item)));
                    }
                }
                let p_type = text(prop.get("type"));
                let p_desc = strip_dot(&text(prop.get("description")));
                total += count(&format!("{key}:{p_type}:{p_desc}"));
            }
        }
    }
    total += c.func_end;
    note(
        notes,
        "tool definitions counted with the OpenAI cookbook rule num_tokens_for_tools (approximation)",
    );
    Ok(total.max(0) as u64)
}
