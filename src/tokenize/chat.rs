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
use super::chat_open::note;

/// Tokens every message costs beyond its values.
pub const TOKENS_PER_MESSAGE: u64 = 3;
/// Extra token for a message with a `name`.
pub const TOKENS_PER_NAME: u64 = 1;
/// Tokens that prime the assistant's reply.
pub const REPLY_PRIMING: u64 = 3;

/// The per-message overhead of the cookbook's `num_tokens_from_messages`, which depends on
/// the model: 3 tokens per message and +1 for a `name` ([`MessageRule::COOKBOOK`]), except
/// gpt-3.5-turbo-0301, whose messages render as `<|start|>{role/name}\n{content}<|end|>\n`:
/// 4 tokens per message and −1 for a `name` (the name replaces the role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageRule {
    pub per_message: u64,
    pub per_name: i64,
}

impl MessageRule {
    pub const COOKBOOK: MessageRule = MessageRule {
        per_message: TOKENS_PER_MESSAGE,
        per_name: TOKENS_PER_NAME as i64,
    };
    pub const GPT_35_TURBO_0301: MessageRule = MessageRule {
        per_message: 4,
        per_name: -1,
    };

    /// The rule for a model name (as given or as its catalog id).
    pub fn for_model(model: &str) -> MessageRule {
        let name = model.trim().to_ascii_lowercase();
        let name = name.rsplit('/').next().unwrap_or(&name);
        if name == "gpt-3.5-turbo-0301" || name == "gpt-35-turbo-0301" {
            MessageRule::GPT_35_TURBO_0301
        } else {
            MessageRule::COOKBOOK
        }
    }
}

/// Roles a chat message may have.
pub const ROLES: &[&str] = &[
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];

/// One of [`ROLES`], in a byte (a count of a million messages keeps one per message); it
/// reads and serialises as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Role(u8);

impl Role {
    /// `system`.
    pub const SYSTEM: Role = Role(0);

    /// The role named `name`, when it is one of [`ROLES`].
    pub fn of(name: &str) -> Option<Role> {
        ROLES.iter().position(|r| *r == name).map(|i| Role(i as u8))
    }
    pub fn as_str(self) -> &'static str {
        ROLES[usize::from(self.0)]
    }
}

impl std::ops::Deref for Role {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The count of one message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MessageCount {
    pub index: usize,
    pub role: Role,
    pub tokens: u64,
}

/// The count of one part of a request (system, tools, history, user, overhead, ...).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartCount {
    pub part: &'static str,
    pub tokens: u64,
    /// Messages (or tool definitions) in the part.
    pub items: usize,
    /// The part's count is an approximation (tool definitions, tool calls, images).
    pub approximate: bool,
}

/// The count of a whole chat request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChatCount {
    /// Total including per-message overhead, tool definitions and reply priming.
    pub tokens: u64,
    pub messages: Vec<MessageCount>,
    /// The same total split into parts (empty when counted without the request split).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartCount>,
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

/// [`extract_messages`], taking the value: the messages are moved out, not copied, so a large
/// document is held once.
pub fn into_messages(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items)
            if !items.is_empty()
                && items
                    .iter()
                    .all(|m| m.as_object().is_some_and(|o| o.contains_key("role"))) =>
        {
            Some(items)
        }
        Value::Object(mut obj) => {
            if obj.get("body").is_some_and(|b| b.get("messages").is_some()) {
                return into_messages(obj.remove("body")?);
            }
            let Value::Array(messages) = obj.remove("messages")? else {
                return None;
            };
            let mut out = Vec::with_capacity(messages.len() + 1);
            if let Some(system) = obj.remove("system") {
                let mut m = serde_json::Map::new();
                m.insert("role".into(), Value::String("system".into()));
                m.insert("content".into(), system);
                out.push(Value::Object(m));
            }
            out.extend(messages);
            Some(out)
        }
        _ => None,
    }
}

/// Count `messages` with the cookbook rule.
pub fn count_messages(tok: &Tokenizer, messages: &[Value]) -> Result<ChatCount, ChatError> {
    count_messages_rule(tok, MessageRule::COOKBOOK, messages)
}

/// [`count_messages`] with a model's [`MessageRule`].
pub fn count_messages_rule(
    tok: &Tokenizer,
    rule: MessageRule,
    messages: &[Value],
) -> Result<ChatCount, ChatError> {
    let mut notes = Vec::new();
    let mut out = Vec::with_capacity(messages.len());
    let mut total = reply_priming(tok);
    let whole = match whole_conversation(tok, messages, &[], &mut notes) {
        Some(conv) => {
            // the checks of the per-message count still apply (roles), without counting twice
            for (index, message) in messages.iter().enumerate() {
                checked(index, message)?;
            }
            total = conv.overhead;
            Some(conv.messages)
        }
        None => None,
    };
    for (index, message) in messages.iter().enumerate() {
        let tokens = match &whole {
            Some(shares) => shares[index],
            None => count_message_rule(tok, rule, index, message, &mut notes, None)?,
        };
        // checked by the count: one of ROLES
        let role = message
            .get("role")
            .and_then(Value::as_str)
            .and_then(Role::of)
            .unwrap_or(Role::SYSTEM);
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
        parts: Vec::new(),
        notes,
    })
}

pub use super::chat_mistral::Conversation;

/// Whether `tok`'s chat template is counted whole ([`whole_conversation`]).
pub fn renders_whole(tok: &Tokenizer) -> bool {
    super::chat_open::Template::of(tok.encoding()) == super::chat_open::Template::Mistral
}

/// The count of a conversation under a template that moves text between messages (Mistral's
/// puts the system prompt and the tool definitions at the last user message): each message's
/// share, the tool definitions and the overhead, adding up to the exact total. `None` for the
/// templates counted message by message.
pub fn whole_conversation(
    tok: &Tokenizer,
    messages: &[Value],
    tools: &[Value],
    notes: &mut Vec<String>,
) -> Option<Conversation> {
    renders_whole(tok).then(|| super::chat_mistral::conversation(tok, messages, tools, notes))
}

/// Tokens that prime the reply for `tok`'s models: the cookbook's 3 for OpenAI's encodings,
/// the chat template's (see `chat_open.rs`) for the open families.
pub fn reply_priming(tok: &Tokenizer) -> u64 {
    super::chat_open::reply_priming(tok).unwrap_or(REPLY_PRIMING)
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
    count_message_rule(tok, MessageRule::COOKBOOK, index, message, notes, images)
}

/// A message's object and role, or why it is not a chat message (not an object, no role, a
/// role not in [`ROLES`]).
fn checked(
    index: usize,
    message: &Value,
) -> Result<(&serde_json::Map<String, Value>, &str), ChatError> {
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
    Ok((obj, role))
}

/// [`count_message_with`] with a model's [`MessageRule`].
pub fn count_message_rule(
    tok: &Tokenizer,
    rule: MessageRule,
    index: usize,
    message: &Value,
    notes: &mut Vec<String>,
    images: Option<ImageCounter>,
) -> Result<u64, ChatError> {
    let (obj, role) = checked(index, message)?;
    use super::chat_open::{Template, message_tokens};
    match Template::of(tok.encoding()) {
        t @ (Template::ChatMl | Template::DeepSeek) => {
            return Ok(message_tokens(tok, t, index, role, obj, notes));
        }
        Template::Mistral => {
            // a message alone: what it adds to a conversation of its own
            let conv =
                super::chat_mistral::conversation(tok, std::slice::from_ref(message), &[], notes);
            return Ok(conv.messages[0]);
        }
        Template::Cookbook => {}
    }
    let mut tokens = rule.per_message;
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
            ("name", Value::String(s)) => {
                tokens = (tokens + tok.count(s) as u64).saturating_add_signed(rule.per_name)
            }
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
            super::Encoding::Cl100kBase
            | super::Encoding::P50kBase
            | super::Encoding::R50kBase
            | super::Encoding::P50kEdit
            | super::Encoding::Gpt2 => 10,
            // the open families render tools through their chat templates; this OpenAI rule
            // is only their fallback approximation
            _ => 7,
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
    let c = ToolConstants::for_encoding(tok.encoding());
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

/// Legacy `functions` as the API renders them into the prompt: a TypeScript-like namespace
/// (`namespace functions { // desc\ntype name = (_: { arg: string, }) => any; }`), as
/// hmarr/openai-chat-tokens reproduces it (`src/functions.ts`) and validates against
/// API-reported `prompt_tokens`.
pub fn format_function_definitions(functions: &[Value]) -> String {
    let mut lines: Vec<String> = vec!["namespace functions {".into(), String::new()];
    for f in functions {
        if let Some(d) = f.get("description").and_then(Value::as_str)
            && !d.is_empty()
        {
            lines.push(format!("// {d}"));
        }
        let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
        let params = f.get("parameters").unwrap_or(&Value::Null);
        let has_props = params
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if has_props {
            lines.push(format!("type {name} = (_: {{"));
            lines.push(format_object_properties(params, 0));
            lines.push("}) => any;".into());
        } else {
            lines.push(format!("type {name} = () => any;"));
        }
        lines.push(String::new());
    }
    lines.push("} // namespace functions".into());
    lines.join("\n")
}

fn format_object_properties(obj: &Value, indent: usize) -> String {
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut lines = Vec::new();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, param) in props {
            if let Some(d) = param.get("description").and_then(Value::as_str)
                && !d.is_empty()
                && indent < 2
            {
                lines.push(format!("// {d}"));
            }
            let opt = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            lines.push(format!("{name}{opt}: {},", format_type(param, indent)));
        }
    }
    let pad = " ".repeat(indent);
    lines
        .iter()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn format_type(param: &Value, indent: usize) -> String {
    if let Some(any) = param.get("anyOf").and_then(Value::as_array) {
        return any
            .iter()
            .map(|v| format_type(v, indent))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let values = |quote: bool| {
        param.get("enum").and_then(Value::as_array).map(|e| {
            e.iter()
                .map(|v| match v {
                    Value::String(s) if quote => format!("\"{s}\""),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
    };
    match param.get("type").and_then(Value::as_str) {
        Some("string") => values(true).unwrap_or_else(|| "string".into()),
        Some("number" | "integer") => values(false).unwrap_or_else(|| "number".into()),
        Some("boolean") => "boolean".into(),
        Some("null") => "null".into(),
        Some("object") => format!("{{\n{}\n}}", format_object_properties(param, indent + 2)),
        Some("array") => match param.get("items") {
            Some(items) => format!("{}[]", format_type(items, indent)),
            None => "any[]".into(),
        },
        // what the reference's template literal prints for a type it does not handle
        _ => "undefined".into(),
    }
}

/// The prompt tokens of a chat request with legacy `functions`, by the rule of
/// hmarr/openai-chat-tokens (`promptTokensEstimate`), which matches the API's
/// `prompt_tokens` on its test cases: the first system message gains a trailing newline; each
/// message costs 3 + its role, string content, name (+1) and `function_call` name and
/// arguments (+3), a `function` message 2 less; 3 prime the reply; the definitions cost
/// their namespace rendering + 9, 4 less when there is a system message; `function_call`
/// "none" costs 1 and a named call 4 + its name.
pub fn count_with_functions(
    tok: &Tokenizer,
    messages: &[Value],
    functions: &[Value],
    function_call: Option<&Value>,
) -> u64 {
    let count = |s: &str| tok.count(s) as i64;
    let mut padded = false;
    let mut total: i64 = 0;
    for m in messages {
        let role = m.get("role").and_then(Value::as_str).unwrap_or_default();
        let mut tokens = count(role);
        match m.get("content") {
            Some(Value::String(s)) if role == "system" && !functions.is_empty() && !padded => {
                padded = true;
                tokens += count(&format!("{s}\n"));
            }
            Some(Value::String(s)) => tokens += count(s),
            Some(Value::Array(_)) => {
                let mut notes = Vec::new();
                tokens += count_content(tok, 0, &m["content"], &mut notes, None) as i64;
            }
            _ => {}
        }
        let name = m
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty());
        if let Some(n) = name {
            tokens += count(n) + 1;
        }
        tokens += 3;
        if role == "function" {
            tokens -= 2;
        }
        if role == "assistant"
            && let Some(fc) = m.get("function_call").filter(|f| f.is_object())
        {
            for key in ["name", "arguments"] {
                tokens += count(fc.get(key).and_then(Value::as_str).unwrap_or_default());
            }
            tokens += 3;
        }
        total += tokens;
    }
    total += REPLY_PRIMING as i64;
    if !functions.is_empty() {
        total += count(&format_function_definitions(functions)) + 9;
        if messages
            .iter()
            .any(|m| m.get("role").and_then(Value::as_str) == Some("system"))
        {
            total -= 4;
        }
    }
    match function_call {
        Some(Value::String(s)) if s == "none" => total += 1,
        Some(Value::Object(o)) => {
            total += count(o.get("name").and_then(Value::as_str).unwrap_or_default()) + 4
        }
        _ => {}
    }
    total.max(0) as u64
}

#[cfg(test)]
mod legacy_functions_tests {
    use super::*;
    use serde_json::json;

    /// Test cases of hmarr/openai-chat-tokens (`tests/token-counts.test.ts`, commit b8e3b11),
    /// each with the `prompt_tokens` the OpenAI API reported for it (gpt-3.5/gpt-4, so
    /// cl100k_base): (messages, functions, function_call, API prompt_tokens).
    fn cases() -> Vec<(Value, Value, Option<Value>, u64)> {
        let foo = json!([{"name": "foo", "parameters": {"type": "object", "properties": {}}}]);
        let hello = json!([{"role": "user", "content": "hello"}]);
        let sys = json!([{"role": "system", "content": "Hello"}, {"role": "user", "content": "Hi there"}]);
        vec![
            (
                json!([{"role": "user", "content": "hello"}]),
                json!([]),
                None,
                8,
            ),
            (
                json!([{"role": "user", "content": "hello world"}]),
                json!([]),
                None,
                9,
            ),
            (
                json!([{"role": "system", "content": "hello:"}]),
                json!([]),
                None,
                9,
            ),
            (
                json!([{"role": "system", "content": "# Important: you're the best robot"}, {"role": "user", "content": "hello robot"}, {"role": "assistant", "content": "hello world"}]),
                json!([]),
                None,
                27,
            ),
            (hello.clone(), foo.clone(), None, 31),
            (hello.clone(), foo.clone(), Some(json!("none")), 32),
            (hello.clone(), foo.clone(), Some(json!("auto")), 31),
            (hello.clone(), foo.clone(), Some(json!({"name": "foo"})), 36),
            (
                hello.clone(),
                json!([{"name": "foo", "description": "Do a foo", "parameters": {"type": "object", "properties": {}}}]),
                None,
                36,
            ),
            (
                hello.clone(),
                json!([{"name": "bing_bong", "description": "Do a bing bong", "parameters": {"type": "object", "properties": {"foo": {"type": "string"}}}}]),
                None,
                49,
            ),
            (
                hello.clone(),
                json!([{"name": "bing_bong", "description": "Do a bing bong", "parameters": {"type": "object", "properties": {"foo": {"type": "string"}, "bar": {"type": "number", "description": "A number"}}}}]),
                None,
                57,
            ),
            (
                hello.clone(),
                json!([{"name": "bing_bong", "description": "Do a bing bong", "parameters": {"type": "object", "properties": {"foo": {"type": "object", "properties": {"bar": {"type": "string", "enum": ["a", "b", "c"]}, "baz": {"type": "boolean"}}}}}}]),
                None,
                68,
            ),
            (
                json!([{"role": "user", "content": "hello world"}, {"role": "function", "name": "do_stuff", "content": "{}"}]),
                json!([]),
                None,
                15,
            ),
            (
                json!([{"role": "user", "content": "hello world"}, {"role": "function", "name": "do_stuff", "content": "{\"foo\": \"bar\", \"baz\": 1.5}"}]),
                json!([]),
                None,
                28,
            ),
            (
                json!([{"role": "assistant", "content": "", "function_call": {"name": "do_stuff", "arguments": "{\"foo\": \"bar\", \"baz\": 1.5}"}}]),
                json!([]),
                None,
                26,
            ),
            (
                sys.clone(),
                json!([{"name": "do_stuff", "parameters": {"type": "object", "properties": {"foo": {"anyOf": [{"type": "string", "const": "a"}, {"type": "number"}]}}}}]),
                None,
                44,
            ),
            (
                sys.clone(),
                json!([{"name": "do_stuff", "parameters": {"type": "object", "properties": {}}}]),
                None,
                35,
            ),
            (
                json!([{"role": "system", "content": "Hello:"}, {"role": "system", "content": "Hello"}, {"role": "user", "content": "Hi there"}]),
                json!([{"name": "do_stuff", "parameters": {"type": "object", "properties": {}}}, {"name": "do_other_stuff", "parameters": {"type": "object", "properties": {}}}]),
                Some(json!({"name": "do_stuff"})),
                55,
            ),
            (
                json!([
                    {"role": "system", "content": "You are an AI assistant trained to foo or bar"},
                    {"role": "user", "content": "My name is suzie"},
                    {"role": "function", "name": "foo", "content": "{\"res\":{\"kind\":\"user\",\"name\":\"suzie\"}}"},
                    {"role": "user", "content": "I want to post a message with the text \"hello world\""},
                    {"role": "function", "name": "foo", "content": "{\"res\":{\"kind\":\"post\",\"text\":\"hello world\"}}"}
                ]),
                json!([{"name": "foo", "description": "Return the foo or the bar", "parameters": {"type": "object", "properties": {"res": {"anyOf": [
                    {"type": "object", "properties": {"kind": {"type": "string", "const": "post"}, "text": {"type": "string"}}, "required": ["kind", "text"], "additionalProperties": false},
                    {"type": "object", "properties": {"kind": {"type": "string", "const": "user"}, "name": {"type": "string", "enum": ["jane", "suzie", "adam"]}}, "required": ["kind", "name"], "additionalProperties": false}
                ], "description": "The foo or the bar"}}, "required": ["res"], "additionalProperties": false}}]),
                Some(json!({"name": "foo"})),
                158,
            ),
        ]
    }

    #[test]
    fn legacy_functions_match_the_api_reported_prompt_tokens() {
        let tok = crate::tokenize::Encoding::Cl100kBase.tokenizer();
        for (messages, functions, call, want) in cases() {
            let got = count_with_functions(
                tok,
                messages.as_array().unwrap(),
                functions.as_array().unwrap(),
                call.as_ref(),
            );
            assert_eq!(got, want, "{messages} {functions} {call:?}");
        }
    }

    #[test]
    fn the_namespace_rendering() {
        let f = json!([{"name": "bing_bong", "description": "Do a bing bong", "parameters": {"type": "object", "properties": {"foo": {"type": "string"}, "bar": {"type": "number", "description": "A number"}}, "required": ["foo"]}}]);
        assert_eq!(
            format_function_definitions(f.as_array().unwrap()),
            "namespace functions {\n\n// Do a bing bong\ntype bing_bong = (_: {\nfoo: string,\n// A number\nbar?: number,\n}) => any;\n\n} // namespace functions"
        );
    }
}
