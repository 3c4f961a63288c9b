//! Chat requests of the open-weight families, counted with each family's published chat
//! template instead of OpenAI's cookbook rule. A template's special tokens are one token each
//! and split the rendered text, so a conversation's count is the sum of its special tokens and
//! of the ordinary text between them, message by message:
//!
//! - **Qwen** (`qwen2`, `qwen3_5`), ChatML: a message is `<|im_start|>{role}\n{content}<|im_end|>\n`
//!   = 3 + count(`{role}\n{content}`); the reply is primed with `<|im_start|>assistant\n`.
//!   Qwen 2.5's template adds a default system prompt when a request has none (Qwen 3's does
//!   not): not counted, and said in a note.
//! - **DeepSeek** (`deepseek_v3`, the template of V3/R1's tokenizer_config.json):
//!   `<｜begin▁of▁sentence｜>{system}<｜User｜>{user}<｜Assistant｜>{assistant}<｜end▁of▁sentence｜>`;
//!   a user message is 1 + count(content), an assistant message 2 + count(its text after the
//!   last `</think>`), the system prompt count(content); BOS and the `<｜Assistant｜>` that primes
//!   the reply make the priming.
//!
//! Exact for text messages; tool calls and tool results are rendered the way the template
//! renders them but labelled approximate (argument JSON spacing and the grouping of
//! consecutive tool results are left open by the request), tool definitions too.

use serde_json::Value;

use super::{Encoding, Tokenizer};

/// Which chat template a tokenizer's models use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Template {
    /// OpenAI's cookbook rule.
    Cookbook,
    ChatMl,
    DeepSeek,
    /// Mistral's v3 Tekken template, rendered whole (`chat_mistral.rs`).
    Mistral,
}

impl Template {
    pub(crate) fn of(enc: Encoding) -> Template {
        match enc {
            Encoding::Qwen2 | Encoding::Qwen3_5 => Template::ChatMl,
            Encoding::DeepseekV3 => Template::DeepSeek,
            Encoding::MistralTekken => Template::Mistral,
            _ => Template::Cookbook,
        }
    }
}

/// Tokens that prime the reply (and, for DeepSeek, the BOS that starts the conversation).
pub(crate) fn reply_priming(tok: &Tokenizer) -> Option<u64> {
    match Template::of(tok.encoding()) {
        Template::ChatMl => Some(1 + tok.count("assistant\n") as u64),
        Template::DeepSeek => Some(2),
        Template::Mistral => Some(1),
        _ => None,
    }
}

pub(crate) const TOOL_CALLS_NOTE: &str = "tool calls rendered as the model's chat template renders them (argument JSON spacing may differ: approximation)";
pub(crate) const TOOL_RESULTS_NOTE: &str = "tool results rendered as the model's chat template renders them, each on its own (the template groups consecutive results: approximation)";
pub(crate) const NON_STRING_NOTE: &str =
    "non-string message content joined as text (approximation)";
pub(crate) const QWEN_DEFAULT_SYSTEM_NOTE: &str =
    "Qwen 2.5's chat template adds a default system prompt when a request has none; not counted";

/// Add `text` to `notes` unless it is there already (the notes of every template and of the
/// cookbook rule).
pub(crate) fn note(notes: &mut Vec<String>, text: &str) {
    if !notes.iter().any(|n| n == text) {
        notes.push(text.to_string());
    }
}

/// The text of a message's content: a string, or its text parts joined (noted).
fn content_text(content: Option<&Value>, notes: &mut Vec<String>) -> String {
    match content {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => {
            note(notes, NON_STRING_NOTE);
            parts
                .iter()
                .filter_map(|p| match p {
                    Value::String(s) => Some(s.clone()),
                    p => p.get("text").and_then(Value::as_str).map(String::from),
                })
                .collect()
        }
        Some(other) => {
            note(notes, NON_STRING_NOTE);
            other.to_string()
        }
    }
}

/// `(name, arguments)` of each tool call of an assistant message (OpenAI's shape, or a bare
/// `{name, arguments}`); arguments as the JSON text the template prints.
fn tool_calls(obj: &serde_json::Map<String, Value>) -> Vec<(String, String, String)> {
    let Some(Value::Array(calls)) = obj.get("tool_calls") else {
        return Vec::new();
    };
    calls
        .iter()
        .map(|c| {
            let kind = c.get("type").and_then(Value::as_str).unwrap_or("function");
            let f = c.get("function").unwrap_or(c);
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let args = match f.get("arguments") {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => "{}".to_string(),
            };
            (kind.to_string(), name, args)
        })
        .collect()
}

/// Tokens of one message under `template` (ChatML or DeepSeek).
pub(crate) fn message_tokens(
    tok: &Tokenizer,
    template: Template,
    index: usize,
    role: &str,
    obj: &serde_json::Map<String, Value>,
    notes: &mut Vec<String>,
) -> u64 {
    let count = |s: &str| tok.count(s) as u64;
    let content = content_text(obj.get("content"), notes);
    let calls = tool_calls(obj);
    if !calls.is_empty() {
        note(notes, TOOL_CALLS_NOTE);
    }
    match template {
        Template::ChatMl => {
            if index == 0 && role != "system" {
                note(notes, QWEN_DEFAULT_SYSTEM_NOTE);
            }
            match role {
                "tool" | "function" => {
                    note(notes, TOOL_RESULTS_NOTE);
                    // <|im_start|>user\n<tool_response>\n{content}\n</tool_response><|im_end|>\n
                    5 + count("user\n") + count(&format!("\n{content}\n")) + 1
                }
                _ if !calls.is_empty() => {
                    // <|im_start|>assistant[\n{content}] then per call
                    // \n<tool_call>\n{"name": "...", "arguments": ...}\n</tool_call>
                    let mut t = 1 + 2; // <|im_start|>, <|im_end|>, "\n"
                    let mut text = role.to_string();
                    if !content.is_empty() {
                        text.push('\n');
                        text.push_str(&content);
                    }
                    text.push('\n');
                    t += count(&text);
                    for (i, (_, name, args)) in calls.iter().enumerate() {
                        // <tool_call> and </tool_call> are one token each
                        t += 2 + count(&format!(
                            "\n{{\"name\": \"{name}\", \"arguments\": {args}}}\n"
                        ));
                        if i + 1 < calls.len() {
                            t += count("\n");
                        }
                    }
                    t
                }
                _ => 3 + count(&format!("{role}\n{content}")),
            }
        }
        Template::DeepSeek => match role {
            "system" | "developer" => count(&content),
            "user" => 1 + count(&content),
            "tool" | "function" => {
                note(notes, TOOL_RESULTS_NOTE);
                // <｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>{content}<｜tool▁output▁end｜>: the
                // template's <｜tool▁outputs▁end｜> takes the place of the next <｜Assistant｜>
                // (or of the priming); outputs_begin only precedes a conversation's first result
                3 + count(&content)
            }
            _ => {
                let text = match content.rfind("</think>") {
                    Some(i) if calls.is_empty() => &content[i + "</think>".len()..],
                    _ => &content[..],
                };
                if calls.is_empty() {
                    return 2 + count(text);
                }
                // <｜Assistant｜>{content}<｜tool▁calls▁begin｜> then per call
                // [\n]<｜tool▁call▁begin｜>{type}<｜tool▁sep｜>{name}\n```json\n{args}\n```<｜tool▁call▁end｜>
                // then <｜tool▁calls▁end｜><｜end▁of▁sentence｜>
                let mut t = 1 + count(text) + 1 + 2;
                for (i, (kind, name, args)) in calls.iter().enumerate() {
                    if i > 0 {
                        t += count("\n");
                    }
                    t += 3 + count(kind) + count(&format!("{name}\n```json\n{args}\n```"));
                }
                t
            }
        },
        _ => 0,
    }
}
