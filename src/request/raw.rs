//! Reading a chat request from its text without building its tree, so a request of a million
//! messages is held once: the text, plus a few dozen bytes a message.
//!
//! The top level is read into its keys and the raw text of their values; every value but the
//! messages array (a Batch line's `body.messages`) is parsed as usual, and the array is read
//! one message at a time: each message is parsed, checked and classified ([`Split::push`]),
//! and only its role, flags and byte range are kept. Counting parses it again, alone
//! ([`crate::plan::count_with`]); `--fit` copies the kept ones from the text.
//!
//! This path reads only what it reads exactly as parsing the whole text into a value and
//! [`super::parse`] would (same shape, items, errors): a messages array, a Chat Completions or
//! Anthropic body, or an OpenAI Batch line of one. For anything else — another shape, JSON
//! that is not a request, malformed JSON, a value the tree would refuse (like `1e400`),
//! nesting deeper than [`MAX_DEPTH`] — it returns `None` and the caller takes the tree path,
//! which gives the answer or the error (with its line and column in the whole text).

use std::path::Path;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Kind, detect};
use crate::plan::{At, Prompt, RawObject, Split};
use crate::tokenize::chat::ChatError;

/// Nesting deeper than this takes the tree path: parsing a whole text refuses more than 128
/// levels, and a message parsed alone would not count the levels around it.
const MAX_DEPTH: usize = 100;

/// `text` split as a request, or `None` when the tree path must read it (see the module).
pub(super) fn read<'a>(
    text: &'a str,
    base_dir: &Path,
) -> Option<Result<(Kind, Prompt<'a>), ChatError>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if deeper_than(body.as_bytes(), MAX_DEPTH) {
        return None;
    }
    let first = body
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))?;
    let (kind, top, batch, messages) = match first {
        b'[' => {
            let messages: Vec<&RawValue> = serde_json::from_str(body).ok()?;
            if messages.is_empty() {
                return None;
            }
            let mut top = Map::new();
            top.insert("messages".into(), Value::Array(Vec::new()));
            (Kind::Messages, Value::Object(top), false, messages)
        }
        b'{' => {
            let obj: RawObject = serde_json::from_str(body).ok()?;
            let (top, messages, inner) = shell(&obj, false)?;
            let top = Value::Object(top);
            let kind = detect(&top)?;
            let batch = top.get("body").is_some_and(|b| b.get("messages").is_some());
            let chat = |v: Option<&Value>| {
                v.and_then(detect)
                    .is_some_and(|k| matches!(k, Kind::ChatCompletions | Kind::Anthropic))
            };
            let raw = match kind {
                Kind::ChatCompletions | Kind::Anthropic if !batch => messages?,
                Kind::ChatCompletions | Kind::Anthropic => inner?,
                Kind::BatchOpenai if batch && chat(top.get("body")) => inner?,
                _ => return None,
            };
            let messages: Vec<&RawValue> = serde_json::from_str(raw.get()).ok()?;
            (kind, top, batch, messages)
        }
        _ => return None,
    };
    let request = if batch { top.get("body")? } else { &top };
    if batch
        && request
            .get("body")
            .is_some_and(|b| b.get("messages").is_some())
    {
        // a Batch line inside a Batch line: the tree path says what that is
        return None;
    }
    let mut split = Split::new(request.as_object()?, messages.len());
    for (i, raw) in messages.iter().enumerate() {
        let m: Value = serde_json::from_str(raw.get()).ok()?;
        if kind == Kind::Messages && !m.as_object().is_some_and(|o| o.contains_key("role")) {
            // not a messages array: not a request
            return None;
        }
        let at = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let len = u32::try_from(raw.get().len()).ok()?;
        split.push(i, &m, At::Text { at, len });
    }
    drop(messages);
    Some(
        split
            .finish(top, batch, text, Vec::new(), base_dir)
            .map(|p| (kind, p)),
    )
}

/// The fields of an object as values, but its `messages` array (an empty array in its place,
/// its raw text returned) and, at the top, the same for a `body` object's `messages`.
#[allow(clippy::type_complexity)]
fn shell<'a>(
    obj: &RawObject<'a>,
    nested: bool,
) -> Option<(
    Map<String, Value>,
    Option<&'a RawValue>,
    Option<&'a RawValue>,
)> {
    let mut map = Map::new();
    let mut messages = None;
    let mut inner = None;
    for (key, raw) in &obj.0 {
        let text = raw.get();
        let value = if key == "messages" && text.starts_with('[') {
            messages = Some(*raw);
            Value::Array(Vec::new())
        } else if !nested && key == "body" && text.starts_with('{') {
            let body: RawObject = serde_json::from_str(text).ok()?;
            let (body, body_messages, _) = shell(&body, true)?;
            inner = body_messages;
            Value::Object(body)
        } else {
            serde_json::from_str(text).ok()?
        };
        map.insert(key.clone(), value);
    }
    Some((map, messages, inner))
}

/// Whether arrays and objects nest more than `limit` deep in the JSON text `b`.
fn deeper_than(b: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &c in b {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_skips_strings() {
        assert!(!deeper_than(br#"[[["[[[[\"[["]]]"#, 3));
        assert!(deeper_than(b"[[[[]]]]", 3));
        assert!(!deeper_than(b"[[[]]][[[]]]", 3));
    }
}
