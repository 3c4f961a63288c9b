//! Chat requests of the Mistral Tekken models, counted as mistral-common 1.13 renders them
//! (`InstructRequestNormalizer` then `InstructTokenizerV3`, the instruct tokenizer of the v3
//! Tekken file `mistral_tekken` embeds). Unlike ChatML, the template is not a sum of
//! messages: it moves text, so a conversation is rendered whole.
//!
//! - The system messages are joined with `"\n\n"` and put at the start of the **last** user
//!   message (`[INST]{system}\n\n{user}[/INST]`); the tool definitions go just before that
//!   message, as `[AVAILABLE_TOOLS]{json}[/AVAILABLE_TOOLS]`.
//! - Consecutive user messages are merged into one, so are consecutive assistant messages,
//!   their texts joined with `"\n\n"` (text parts of one message too); a system message
//!   between two user messages keeps them apart. When the first message is not a user
//!   message, an empty `[INST][/INST]` comes first.
//! - `<s>` starts the conversation; an assistant message is its text without trailing spaces
//!   then `</s>` (no `</s>` for a `"prefix": true` message), or `[TOOL_CALLS]` and the calls as
//!   JSON (`name`, `arguments`, `id`) then `</s>`; a tool result is
//!   `[TOOL_RESULTS]{"content": …, "call_id": …}[/TOOL_RESULTS]`.
//! - JSON is Python's `json.dumps(…, ensure_ascii=False)` ([`super::pyjson`]); arguments and
//!   tool results that parse as JSON are written parsed (`{"city":  "Paris"}` becomes
//!   `{"city": "Paris"}`), an empty one is `{}`.
//! - Nothing primes the reply: the model writes right after `[/INST]` or `[/TOOL_RESULTS]`.
//!
//! Each special token is one token and splits the text, so the count is the special tokens
//! plus the ordinary counts of the texts between them. The count of each message is its share
//! of that total: a system message the tokens of its own text; a merged message's later parts
//! theirs; the first message of a group the rest. The shares add up to the exact total.
//! Where mistral-common would refuse the request (no `tool_call_id`, content beside tool
//! calls, a non-text part), the count renders it the nearest way and says so in a note.

use serde_json::{Map, Value};

use super::Tokenizer;
use super::chat_open::note;
use super::pyjson;

/// The whole-conversation count: a share per message, the tool definitions, and the `<s>`
/// (with any `[INST][/INST]` the template adds that no message owns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub messages: Vec<u64>,
    pub tools: u64,
    pub overhead: u64,
}

pub(crate) const NO_CALL_ID_NOTE: &str = "a tool result without \"tool_call_id\" rendered with \"call_id\": null (mistral-common refuses it: approximation)";
pub(crate) const CONTENT_AND_CALLS_NOTE: &str = "an assistant message with both content and tool calls rendered as the text then the calls (mistral-common refuses it: approximation)";
pub(crate) const NON_TEXT_NOTE: &str =
    "non-text message parts counted by their text or JSON (approximation)";
pub(crate) const IMAGE_NOTE: &str =
    "image parts not counted (their tokens depend on the image size)";
pub(crate) const SURROGATE_NOTE: &str =
    "a lone surrogate escape in tool JSON counted as U+FFFD (approximation)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    System,
    User,
    Assistant,
    Tool,
}

/// One message as the template sees it.
struct Message {
    role: Role,
    text: String,
    /// `{"name", "arguments", "id"}` objects, already as JSON text each.
    calls: Vec<String>,
    call_id: Option<String>,
    prefix: bool,
}

/// A message's text: a string, or its text parts joined with `"\n\n"` (empty ones skipped),
/// as mistral-common joins a message's chunks.
fn text_of(content: Option<&Value>, notes: &mut Vec<String>) -> String {
    match content {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => {
            let mut texts: Vec<String> = Vec::new();
            for p in parts {
                let kind = p.get("type").and_then(Value::as_str).unwrap_or("");
                if matches!(kind, "image_url" | "input_image" | "image") {
                    note(notes, IMAGE_NOTE);
                    continue;
                }
                let t = match p {
                    Value::String(s) => s.clone(),
                    p => match p.get("text").and_then(Value::as_str) {
                        Some(t) => t.to_string(),
                        None => {
                            note(notes, NON_TEXT_NOTE);
                            p.to_string()
                        }
                    },
                };
                if !t.is_empty() {
                    texts.push(t);
                }
            }
            texts.join("\n\n")
        }
        Some(other) => {
            note(notes, NON_TEXT_NOTE);
            other.to_string()
        }
    }
}

/// `json.dumps(json.loads(text))` when `text` is JSON, else the text as a JSON string; an
/// empty text is `{}` (mistral-common's `_normalize_json_content`).
fn json_or_string(text: &str, notes: &mut Vec<String>) -> String {
    if text.is_empty() {
        return "{}".into();
    }
    match pyjson::reformat(text) {
        Some((json, lossy)) => {
            if lossy {
                note(notes, SURROGATE_NOTE);
            }
            json
        }
        None => {
            let mut out = String::new();
            pyjson::write_str(text, &mut out);
            out
        }
    }
}

fn parse(obj: &Map<String, Value>, notes: &mut Vec<String>) -> Message {
    let role = match obj.get("role").and_then(Value::as_str) {
        Some("system" | "developer") => Role::System,
        Some("assistant") => Role::Assistant,
        Some("tool" | "function") => Role::Tool,
        _ => Role::User,
    };
    let text = text_of(obj.get("content"), notes);
    let mut calls = Vec::new();
    if let Some(Value::Array(list)) = obj.get("tool_calls") {
        for c in list {
            let f = c.get("function").unwrap_or(c);
            let mut out = String::from("{\"name\": ");
            pyjson::write_str(
                f.get("name").and_then(Value::as_str).unwrap_or(""),
                &mut out,
            );
            out.push_str(", \"arguments\": ");
            let args = match f.get("arguments") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            out.push_str(&json_or_string(&args, notes));
            match c.get("id").and_then(Value::as_str) {
                Some(id) if !id.is_empty() && id != "null" => {
                    out.push_str(", \"id\": ");
                    pyjson::write_str(id, &mut out);
                }
                _ => {}
            }
            out.push('}');
            calls.push(out);
        }
    }
    let call_id = obj
        .get("tool_call_id")
        .and_then(Value::as_str)
        .map(String::from);
    let prefix = obj.get("prefix").and_then(Value::as_bool) == Some(true);
    Message {
        role,
        text,
        calls,
        call_id,
        prefix,
    }
}

/// A run of messages the template renders as one: members are indices into the request.
struct Group {
    role: Role,
    members: Vec<usize>,
}

/// Give each of `others` (message, wanted) its wanted tokens out of `total` while any are
/// left, and `first` the rest; the shares add up to `total`.
fn share(total: u64, first: Option<usize>, others: &[(usize, u64)], out: &mut [u64]) -> u64 {
    let mut left = total;
    for &(i, want) in others {
        let t = want.min(left);
        out[i] += t;
        left -= t;
    }
    match first {
        Some(i) => {
            out[i] += left;
            0
        }
        None => left,
    }
}

/// Count a conversation and its tool definitions as mistral-common renders them.
pub(crate) fn conversation(
    tok: &Tokenizer,
    messages: &[Value],
    tools: &[Value],
    notes: &mut Vec<String>,
) -> Conversation {
    let count = |s: &str| tok.count(s) as u64;
    let empty = Map::new();
    let parsed: Vec<Message> = messages
        .iter()
        .map(|m| parse(m.as_object().unwrap_or(&empty), notes))
        .collect();
    let systems: Vec<usize> = (0..parsed.len())
        .filter(|&i| parsed[i].role == Role::System && !parsed[i].text.is_empty())
        .collect();
    let system = (!systems.is_empty()).then(|| {
        systems
            .iter()
            .map(|&i| parsed[i].text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    });
    // runs of one role; a system message ends a run and renders nothing itself
    let mut groups: Vec<Group> = Vec::new();
    let mut prev: Option<Role> = None;
    for (i, m) in parsed.iter().enumerate() {
        if m.role != Role::System && (prev != Some(m.role) || m.role == Role::Tool) {
            groups.push(Group {
                role: m.role,
                members: Vec::new(),
            });
        }
        if m.role != Role::System {
            groups.last_mut().expect("pushed").members.push(i);
        }
        prev = Some(m.role);
    }
    if groups.first().is_none_or(|g| g.role != Role::User) {
        groups.insert(
            0,
            Group {
                role: Role::User,
                members: Vec::new(),
            },
        );
    }
    let last_user = groups
        .iter()
        .rposition(|g| g.role == Role::User)
        .expect("a user group is always there");
    let mut out = vec![0u64; parsed.len()];
    let mut overhead = 1; // <s>
    let mut tools_tokens = 0;
    for (gi, g) in groups.iter().enumerate() {
        let joined = |ms: &[usize]| {
            ms.iter()
                .map(|&i| parsed[i].text.as_str())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        let later = |ms: &[usize]| -> Vec<(usize, u64)> {
            ms.iter()
                .skip(1)
                .map(|&i| (i, count(&parsed[i].text)))
                .collect()
        };
        match g.role {
            Role::User => {
                let mut text = joined(&g.members);
                let mut others: Vec<(usize, u64)> = Vec::new();
                if gi == last_user {
                    if !tools.is_empty() {
                        tools_tokens = 2 + count(&tools_json(tools, notes));
                    }
                    if let Some(s) = &system {
                        text = format!("{s}\n\n{text}");
                        others.extend(systems.iter().map(|&i| (i, count(&parsed[i].text))));
                    }
                }
                others.extend(later(&g.members));
                let total = 2 + count(&text); // [INST] [/INST]
                overhead += share(total, g.members.first().copied(), &others, &mut out);
            }
            Role::Assistant => {
                let text = joined(&g.members);
                let calls: Vec<&str> = g
                    .members
                    .iter()
                    .flat_map(|&i| parsed[i].calls.iter().map(String::as_str))
                    .collect();
                let prefix = g.members.iter().any(|&i| parsed[i].prefix);
                let mut total = 0;
                let others = later(&g.members);
                if !text.is_empty() {
                    total += count(text.trim_end_matches(' '));
                }
                if !calls.is_empty() {
                    if !text.is_empty() {
                        note(notes, CONTENT_AND_CALLS_NOTE);
                    }
                    // a later message's share is its text; its calls stay with the first
                    total += 1 + count(&format!("[{}]", calls.join(", ")));
                }
                if !prefix {
                    total += 1; // </s>
                }
                overhead += share(total, g.members.first().copied(), &others, &mut out);
            }
            Role::Tool => {
                let i = g.members[0];
                let m = &parsed[i];
                let mut json = String::from("{\"content\": ");
                json.push_str(&json_or_string(&m.text, notes));
                json.push_str(", \"call_id\": ");
                match &m.call_id {
                    Some(id) => pyjson::write_str(id, &mut json),
                    None => {
                        note(notes, NO_CALL_ID_NOTE);
                        json.push_str("null");
                    }
                }
                json.push('}');
                out[i] += 2 + count(&json);
            }
            Role::System => unreachable!("system messages form no group"),
        }
    }
    Conversation {
        messages: out,
        tools: tools_tokens,
        overhead,
    }
}

/// The tool definitions as `[AVAILABLE_TOOLS]` holds them: each as
/// `{"type": "function", "function": {"name", "description", "parameters"}}` (pydantic's
/// dump of mistral-common's `Tool`, `strict` left out), from OpenAI's nested or flat shape,
/// Anthropic's (`input_schema`) or Gemini's function declarations.
fn tools_json(tools: &[Value], notes: &mut Vec<String>) -> String {
    let mut out = String::from("[");
    for (i, t) in tools.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let f = t.get("function").unwrap_or(t);
        let kind = t.get("type").and_then(Value::as_str).unwrap_or("function");
        out.push_str("{\"type\": ");
        pyjson::write_str(kind, &mut out);
        out.push_str(", \"function\": {\"name\": ");
        pyjson::write_str(
            f.get("name").and_then(Value::as_str).unwrap_or(""),
            &mut out,
        );
        out.push_str(", \"description\": ");
        pyjson::write_str(
            f.get("description").and_then(Value::as_str).unwrap_or(""),
            &mut out,
        );
        out.push_str(", \"parameters\": ");
        match f.get("parameters").or_else(|| f.get("input_schema")) {
            Some(p) if !p.is_null() => out.push_str(&pyjson::dumps(p)),
            _ => {
                note(
                    notes,
                    "a tool without \"parameters\" rendered with {} (mistral-common refuses it: approximation)",
                );
                out.push_str("{}");
            }
        }
        out.push_str("}}");
    }
    out.push(']');
    out
}
