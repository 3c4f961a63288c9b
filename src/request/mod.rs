//! The request core: a request body of any supported shape, recognised once and split into the
//! same parts (system, examples, tools, rag, history, user, images, overhead) for every
//! command, so `count`, `plan`, `cost` and `check` give the same total for the same file.
//!
//! Shapes, detected automatically ([`detect`]):
//! - a messages array (`[{"role", "content"}, …]`);
//! - an OpenAI Chat Completions body (`messages`, `tools`, legacy `functions`, `max_tokens` /
//!   `max_completion_tokens`, `response_format`);
//! - an OpenAI Responses body (`instructions`, `input` as a string or items including
//!   `function_call` / `function_call_output`, flat `tools`, `max_output_tokens`);
//! - an Anthropic Messages body (`system` as a string or blocks, text / image / document /
//!   tool_use / tool_result blocks, `cache_control`, `tools`, `max_tokens`);
//! - a Gemini `generateContent` body (`systemInstruction`, `contents[].parts[]`,
//!   `tools[].functionDeclarations`, `generationConfig.maxOutputTokens`);
//! - a Batch API input line: OpenAI (`{"custom_id", "body": {…}}`) or Anthropic Message
//!   Batches (`{"custom_id", "params": {…}}`).
//!
//! Responses and Gemini bodies are rewritten into the chat form once ([`normalise`]) — their
//! items become chat messages, function calls `tool_calls`, function outputs `tool` messages,
//! inline images `image_url` parts — and then split like a chat body
//! ([`crate::plan::Prompt::from_request`]). [`count`] is the one count of a request:
//! each message with the model's message rule (images by the provider's formula), the tool
//! definitions by the cookbook rule, and 3 tokens priming the reply.
//!
//! JSON of none of these shapes is not a request: `count` counts it as text and says so in a
//! `note:`, `plan` and `cost` explain the accepted shapes ([`ACCEPTED`]).

use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::plan::{self, ImageRule, Part, Prompt};
use crate::tokenize::Tokenizer;
use crate::tokenize::chat::{ChatError, MessageRule};

mod raw;

/// What `plan` and `cost` say a request may be.
pub const ACCEPTED: &str = "a messages array, or an OpenAI Chat Completions, OpenAI Responses, \
     Anthropic Messages or Gemini generateContent body, or a Batch API input line (OpenAI \
     \"body\", Anthropic \"params\")";

/// The shape a request body was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Messages,
    ChatCompletions,
    Responses,
    Anthropic,
    Gemini,
    BatchOpenai,
    BatchAnthropic,
}

/// Recognise the shape of a JSON value, or `None` when it is not a request.
pub fn detect(value: &Value) -> Option<Kind> {
    match value {
        Value::Array(items) => (!items.is_empty()
            && items
                .iter()
                .all(|m| m.as_object().is_some_and(|o| o.contains_key("role"))))
        .then_some(Kind::Messages),
        Value::Object(o) => {
            if let Some(body) = o.get("body").filter(|b| b.is_object())
                && detect(body).is_some_and(|k| k != Kind::Messages)
            {
                return Some(Kind::BatchOpenai);
            }
            if let Some(params) = o.get("params").filter(|b| b.is_object())
                && detect(params).is_some_and(|k| k != Kind::Messages)
            {
                return Some(Kind::BatchAnthropic);
            }
            if o.get("messages").is_some_and(Value::is_array) {
                let anthropic = o.contains_key("system")
                    || o.contains_key("anthropic_version")
                    || o.get("model")
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.starts_with("claude") || m.starts_with("anthropic/"));
                return Some(if anthropic {
                    Kind::Anthropic
                } else {
                    Kind::ChatCompletions
                });
            }
            if o.get("contents").is_some_and(Value::is_array) {
                return Some(Kind::Gemini);
            }
            if o.get("input")
                .is_some_and(|i| i.is_string() || i.is_array())
                || o.get("instructions").is_some_and(Value::is_string)
            {
                return Some(Kind::Responses);
            }
            None
        }
        _ => None,
    }
}

/// The body in chat form (`messages`, `tools`, `max_tokens`, `model`), for every shape.
/// A batch line keeps its wrapper: the chat split fits inside `body` (OpenAI).
pub fn normalise(value: Value) -> Result<(Kind, Value), ChatError> {
    let kind =
        detect(&value).ok_or_else(|| ChatError(format!("not a request: expected {ACCEPTED}")))?;
    let body = match kind {
        Kind::Messages => json!({ "messages": value }),
        Kind::ChatCompletions | Kind::Anthropic => value,
        Kind::Responses => from_responses(&value)?,
        Kind::Gemini => from_gemini(&value)?,
        Kind::BatchOpenai => {
            let inner = value.get("body").cloned().unwrap_or(Value::Null);
            match detect(&inner) {
                Some(Kind::ChatCompletions | Kind::Anthropic) => value,
                _ => normalise(inner)?.1,
            }
        }
        Kind::BatchAnthropic => {
            let inner = value.get("params").cloned().unwrap_or(Value::Null);
            normalise(inner)?.1
        }
    };
    Ok((kind, body))
}

/// Split a request of any shape into parts (see [`Prompt::from_request`]).
pub fn parse(value: Value, base_dir: &Path) -> Result<(Kind, Prompt<'static>), ChatError> {
    let (kind, body) = normalise(value)?;
    let prompt = Prompt::from_request(body, base_dir)?;
    Ok((kind, shaped(kind, prompt)))
}

/// What [`read`] found in a JSON text.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // returned once per document, never stored in bulk
pub enum Read<'a> {
    /// A request, split.
    Request(Kind, Prompt<'a>),
    /// Well-formed JSON of none of the accepted shapes ([`ACCEPTED`]).
    NotRequest,
}

/// Why [`read`] could not split a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Malformed JSON: the message of [`parse_json`] (line, column, why).
    Json(String),
    /// A request of a known shape that is not valid (a message without a role, …).
    Request(ChatError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Json(e) => f.write_str(e),
            ReadError::Request(e) => write!(f, "{e}"),
        }
    }
}

/// Read a JSON text as a request: the same shapes, split and errors as parsing it into a value
/// and [`parse`], but a messages array, a Chat Completions or Anthropic body, or an OpenAI
/// Batch line of one is split without building its tree ([`raw`]): its items point into
/// `text`, each message is parsed only while it is looked at, so a request of a million
/// messages is held once. Other shapes (and anything [`raw`] does not read exactly as the
/// tree would) take the tree path.
pub fn read<'a>(text: &'a str, base_dir: &Path) -> Result<Read<'a>, ReadError> {
    if let Some(read) = raw::read(text, base_dir) {
        return read
            .map(|(kind, prompt)| Read::Request(kind, shaped(kind, prompt)))
            .map_err(ReadError::Request);
    }
    let value = parse_json(text).map_err(ReadError::Json)?;
    if detect(&value).is_none() {
        return Ok(Read::NotRequest);
    }
    let (kind, prompt) = parse(value, base_dir).map_err(ReadError::Request)?;
    Ok(Read::Request(kind, prompt))
}

/// A split request with what its shape says about it.
fn shaped(kind: Kind, mut prompt: Prompt<'_>) -> Prompt<'_> {
    if matches!(kind, Kind::Anthropic | Kind::BatchAnthropic) {
        prompt.shape = plan::Shape::Anthropic;
    }
    if matches!(kind, Kind::Responses | Kind::Gemini | Kind::BatchAnthropic) {
        // the chat form was built here: there is no original body to fit in place
        prompt.body = None;
        prompt.batch = false;
    }
    prompt
}

pub use crate::tokenize::chat::PartCount;

/// What counting a request needs besides the tokenizer: the model's message rule, the folder
/// local image paths are relative to, and the provider (its image formula).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Options {
    pub rule: MessageRule,
    pub base_dir: std::path::PathBuf,
    pub provider: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rule: MessageRule::COOKBOOK,
            base_dir: std::path::PathBuf::from("."),
            provider: None,
        }
    }
}

/// Parse and count a request value in one step (what `count` uses for a JSONL record).
pub fn count_value(
    value: Value,
    tok: &Tokenizer,
    opts: &Options,
) -> Result<(Kind, Prompt<'static>, RequestCount), ChatError> {
    let (kind, prompt) = parse(value, &opts.base_dir)?;
    let counted = count_prompt(&prompt, tok, opts)?;
    Ok((kind, prompt, counted))
}

/// Count a split request with `opts` (its message rule and provider's image formula).
pub fn count_prompt(
    prompt: &Prompt,
    tok: &Tokenizer,
    opts: &Options,
) -> Result<RequestCount, ChatError> {
    let images = image_rule(prompt, opts.provider.as_deref());
    count(prompt, tok, opts.rule, images)
}

/// The one count of a request: per message, per part and in total.
#[derive(Debug, Clone)]
pub struct RequestCount {
    pub counts: plan::Counts,
    pub parts: Vec<PartCount>,
    pub total: u64,
}

/// The image formula for a request: Anthropic's for an Anthropic body or an Anthropic model,
/// else OpenAI's.
pub fn image_rule(prompt: &Prompt, provider: Option<&str>) -> ImageRule {
    if prompt.shape == plan::Shape::Anthropic || provider == Some("anthropic") {
        ImageRule::Anthropic
    } else {
        ImageRule::OpenAi
    }
}

/// Count a split request: every message with `rule`, images by `images`, tool definitions
/// by the cookbook rule, plus the reply priming.
pub fn count(
    prompt: &Prompt,
    tok: &Tokenizer,
    rule: MessageRule,
    images: ImageRule,
) -> Result<RequestCount, ChatError> {
    let counts = plan::count_with(prompt, tok, rule, images)?;
    let mut parts: Vec<PartCount> = Vec::new();
    let mut add = |part: Part, tokens: u64, items: usize, approximate: bool| {
        if let Some(p) = parts.iter_mut().find(|p| p.part == part.name()) {
            p.tokens += tokens;
            p.items += items;
            p.approximate |= approximate;
        } else {
            parts.push(PartCount {
                part: part.name(),
                tokens,
                items,
                approximate,
            });
        }
    };
    for (i, item) in prompt.items.iter().enumerate() {
        add(
            item.part,
            counts.tokens_of(i),
            1,
            counts.approximate.get(i).copied().unwrap_or(false),
        );
    }
    if !prompt.tools.is_empty() {
        add(
            Part::Tools,
            counts.tools,
            prompt.tools.len(),
            counts.tools_approximate,
        );
    }
    add(Part::Overhead, counts.overhead, 0, false);
    let order = |name: &str| {
        Part::ALL
            .iter()
            .position(|p| p.name() == name)
            .unwrap_or(usize::MAX)
    };
    parts.sort_by_key(|p| order(p.part));
    let total = parts.iter().map(|p| p.tokens).sum();
    Ok(RequestCount {
        counts,
        parts,
        total,
    })
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn message(role: &str, content: Value) -> Value {
    let mut m = Map::new();
    m.insert("role".into(), Value::String(role.into()));
    m.insert("content".into(), content);
    Value::Object(m)
}

fn common_fields(src: &Value, out: &mut Map<String, Value>, max_key: &str) {
    if let Some(m) = src.get("model") {
        out.insert("model".into(), m.clone());
    }
    if let Some(n) = src.get(max_key) {
        out.insert("max_tokens".into(), n.clone());
    }
}

/// OpenAI Responses → chat form.
fn from_responses(v: &Value) -> Result<Value, ChatError> {
    let mut messages = Vec::new();
    if let Some(i) = v.get("instructions").filter(|i| !i.is_null()) {
        messages.push(message("developer", Value::String(text_of(i))));
    }
    match v.get("input") {
        Some(Value::String(s)) => messages.push(message("user", Value::String(s.clone()))),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let kind = item
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("message");
                match kind {
                    "message" => {
                        let role = item.get("role").and_then(Value::as_str).ok_or_else(|| {
                            ChatError(format!("input[{i}]: a message item has no \"role\""))
                        })?;
                        let content = item.get("content").cloned().unwrap_or(Value::Null);
                        messages.push(message(role, content));
                    }
                    "function_call" => {
                        let call = json!([{
                            "id": item.get("call_id").cloned().unwrap_or(Value::Null),
                            "type": "function",
                            "function": {
                                "name": item.get("name").cloned().unwrap_or(Value::Null),
                                "arguments": item.get("arguments").cloned().unwrap_or(Value::Null),
                            }
                        }]);
                        let mut m = Map::new();
                        m.insert("role".into(), "assistant".into());
                        m.insert("content".into(), Value::Null);
                        m.insert("tool_calls".into(), call);
                        messages.push(Value::Object(m));
                    }
                    "function_call_output" => {
                        let mut m = Map::new();
                        m.insert("role".into(), "tool".into());
                        if let Some(id) = item.get("call_id") {
                            m.insert("tool_call_id".into(), id.clone());
                        }
                        m.insert(
                            "content".into(),
                            Value::String(text_of(item.get("output").unwrap_or(&Value::Null))),
                        );
                        messages.push(Value::Object(m));
                    }
                    _ => {
                        // reasoning, web search calls, …: their JSON text, as the assistant's
                        messages.push(message("assistant", json!([item.clone()])));
                    }
                }
            }
        }
        Some(other) if !other.is_null() => {
            return Err(ChatError(
                "\"input\" must be a string or an array of items".into(),
            ));
        }
        _ => {}
    }
    let mut out = Map::new();
    common_fields(v, &mut out, "max_output_tokens");
    out.insert("messages".into(), Value::Array(messages));
    if let Some(t) = v.get("tools").filter(|t| t.is_array()) {
        out.insert("tools".into(), t.clone());
    }
    Ok(Value::Object(out))
}

/// Gemini generateContent → chat form.
fn from_gemini(v: &Value) -> Result<Value, ChatError> {
    let parts_of = |c: &Value, at: &str| -> Result<Vec<Value>, ChatError> {
        let parts = c
            .get("parts")
            .and_then(Value::as_array)
            .ok_or_else(|| ChatError(format!("{at}: no \"parts\" array")))?;
        let mut out = Vec::new();
        for p in parts {
            if let Some(t) = p.get("text") {
                out.push(json!({"type": "text", "text": text_of(t)}));
            } else if let Some(d) = p.get("inlineData").or_else(|| p.get("inline_data")) {
                let mime = d
                    .get("mimeType")
                    .or_else(|| d.get("mime_type"))
                    .and_then(Value::as_str)
                    .unwrap_or("application/octet-stream");
                let data = d.get("data").and_then(Value::as_str).unwrap_or("");
                out.push(json!({"type": "image_url", "image_url": {"url": format!("data:{mime};base64,{data}")}}));
            } else {
                // functionCall, functionResponse, fileData, …: counted by their JSON text
                out.push(p.clone());
            }
        }
        Ok(out)
    };
    let mut messages = Vec::new();
    if let Some(si) = v
        .get("systemInstruction")
        .or_else(|| v.get("system_instruction"))
    {
        let text: Vec<String> = parts_of(si, "systemInstruction")?
            .iter()
            .map(|p| p.get("text").map_or_else(|| p.to_string(), text_of))
            .collect();
        messages.push(message("system", Value::String(text.join("\n"))));
    }
    for (i, c) in v
        .get("contents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let role = match c.get("role").and_then(Value::as_str) {
            Some("model") => "assistant",
            Some("function" | "tool") => "tool",
            _ => "user",
        };
        messages.push(message(
            role,
            Value::Array(parts_of(c, &format!("contents[{i}]"))?),
        ));
    }
    let mut out = Map::new();
    if let Some(m) = v.get("model") {
        out.insert("model".into(), m.clone());
    }
    if let Some(n) = v
        .get("generationConfig")
        .or_else(|| v.get("generation_config"))
        .and_then(|g| {
            g.get("maxOutputTokens")
                .or_else(|| g.get("max_output_tokens"))
        })
    {
        out.insert("max_tokens".into(), n.clone());
    }
    out.insert("messages".into(), Value::Array(messages));
    let tools: Vec<Value> = v
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|t| {
            t.get("functionDeclarations")
                .or_else(|| t.get("function_declarations"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    if !tools.is_empty() {
        out.insert("tools".into(), Value::Array(tools));
    }
    Ok(Value::Object(out))
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

pub(crate) fn strip_bom(text: &str) -> &str {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_every_shape() {
        let cases = [
            (
                json!([{"role": "user", "content": "hi"}]),
                Some(Kind::Messages),
            ),
            (
                json!({"model": "gpt-4o", "messages": []}),
                Some(Kind::ChatCompletions),
            ),
            (
                json!({"system": "s", "messages": []}),
                Some(Kind::Anthropic),
            ),
            (json!({"input": "hi"}), Some(Kind::Responses)),
            (
                json!({"instructions": "be brief", "input": []}),
                Some(Kind::Responses),
            ),
            (
                json!({"contents": [{"parts": [{"text": "hi"}]}]}),
                Some(Kind::Gemini),
            ),
            (
                json!({"custom_id": "1", "body": {"messages": [{"role": "user", "content": "x"}]}}),
                Some(Kind::BatchOpenai),
            ),
            (
                json!({"custom_id": "1", "params": {"model": "claude-sonnet-4-5", "messages": []}}),
                Some(Kind::BatchAnthropic),
            ),
            (json!({"name": "not a request"}), None),
            (json!([1, 2]), None),
            (json!("text"), None),
        ];
        for (v, want) in cases {
            assert_eq!(detect(&v), want, "{v}");
        }
    }

    #[test]
    fn responses_items_become_chat_messages() {
        let v = json!({
            "model": "gpt-4o", "instructions": "Be brief.", "max_output_tokens": 300,
            "input": [
                {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
                {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"},
                {"type": "function_call_output", "call_id": "c1", "output": "sunny"}
            ],
            "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}]
        });
        let (kind, body) = normalise(v).unwrap();
        assert_eq!(kind, Kind::Responses);
        assert_eq!(body["max_tokens"], 300);
        let roles: Vec<&str> = body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, ["developer", "user", "assistant", "tool"]);
        assert_eq!(
            body["messages"][2]["tool_calls"][0]["function"]["name"],
            "get_weather"
        );
        assert_eq!(body["messages"][3]["content"], "sunny");
        assert_eq!(body["tools"][0]["name"], "get_weather");
    }

    #[test]
    fn gemini_contents_become_chat_messages() {
        let v = json!({
            "systemInstruction": {"parts": [{"text": "Be brief."}]},
            "contents": [
                {"role": "user", "parts": [{"text": "Hi"}]},
                {"role": "model", "parts": [{"text": "Hello"}]}
            ],
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "object", "properties": {}}}]}],
            "generationConfig": {"maxOutputTokens": 128}
        });
        let (_, body) = normalise(v).unwrap();
        assert_eq!(body["max_tokens"], 128);
        assert_eq!(
            body["messages"][0],
            json!({"role": "system", "content": "Be brief."})
        );
        assert_eq!(body["messages"][2]["role"], "assistant");
        assert_eq!(body["tools"][0]["name"], "f");
    }
}
