//! One log line → one usage [`Record`], whatever its format. The line is deserialized once into
//! [`formats::RawLine`] (borrowed strings, unknown fields skipped unread), then normalised.
//! Token counts and costs are validated: a string, a negative, fractional or over-2⁵³ count
//! makes the line skipped with its reason, never a silent zero.
//!
//! Layout (a DAG; `types` is the leaf): [`types`] (the record, skip reasons, format and error
//! kinds) ← [`values`] (lenient leaf values) ← [`formats`] (raw shapes) ← [`normalise`]
//! (format detection and the normalised split); [`fast`] is the hand-written path for flat app
//! lines; this module is the entry point that picks between them.

mod fast;
pub mod fields;
mod formats;
mod normalise;
pub mod types;
pub mod values;

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde_json::Value;

pub use fields::{FieldOverrides, lookup_path, value_text};
pub use types::{
    CodexTurn, CodexUsage, ErrKind, FileContext, Format, MAX_TOKENS, Parsed, Record, Skip, id_hash,
};
pub use values::{CostVal, Num, Text, TimeVal};

/// Parse one line (without its line end). `doc` is the line parsed as a generic JSON value,
/// needed only when field overrides are given.
pub fn parse_line<'a>(
    line: &'a [u8],
    overrides: &FieldOverrides,
    doc: Option<&Value>,
) -> Result<Parsed<'a>, Skip> {
    // a UTF-8 byte order mark (a log written on Windows starts with one) is not JSON
    let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    // serde would read a struct from an array too: only objects are records
    if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let e = serde_json::from_slice::<IgnoredAny>(line).err();
        return Err(match e {
            Some(e) => json_error(line, &e),
            None => json_error(
                line,
                &serde_json::Error::io(std::io::Error::other("not an object")),
            ),
        });
    }
    // validating the whole line once is faster than string by string
    let Ok(text) = std::str::from_utf8(line) else {
        return Err(Skip::new("malformed JSON", "not UTF-8 text (binary data?)"));
    };
    if overrides.is_empty()
        && let Some(r) = fast::app_line(text)
    {
        return Ok(Parsed::Record(r));
    }
    let raw: formats::RawLine<'a> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => return Err(json_error(line, &e)),
    };
    let mut parsed = normalise::normalize(raw)?;
    if let (Some(doc), false) = (doc, overrides.is_empty()) {
        parsed = match parsed {
            Parsed::Contextual(r, turn) => {
                match normalise::apply_overrides(Parsed::Record(r), overrides, doc)? {
                    Parsed::Record(r) => Parsed::Contextual(r, turn),
                    other => other,
                }
            }
            Parsed::Many(rs) => {
                let mut out = Vec::with_capacity(rs.len());
                for r in rs {
                    if let Parsed::Record(r) =
                        normalise::apply_overrides(Parsed::Record(r), overrides, doc)?
                    {
                        out.push(r);
                    }
                }
                Parsed::Many(out)
            }
            Parsed::Context(c) => Parsed::Context(c),
            other => normalise::apply_overrides(other, overrides, doc)?,
        };
    }
    if let Parsed::Record(r) | Parsed::Contextual(r, _) = &parsed {
        let Some(format) = r.format else {
            return Err(Skip::new("no token usage", "no token usage fields"));
        };
        if r.time.is_none() && format.requires_time() {
            return Err(Skip::new("missing timestamp", "missing timestamp"));
        }
    }
    Ok(parsed)
}

fn json_error(line: &[u8], e: &serde_json::Error) -> Skip {
    let first = line.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') && serde_json::from_slice::<IgnoredAny>(line).is_ok() {
        let what = match first {
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b'n') => "null",
            Some(b't' | b'f') => "a boolean",
            _ => "a number",
        };
        return Skip::new("not a JSON object", format!("not a JSON object ({what})"));
    }
    if e.is_eof() {
        return Skip::new("malformed JSON", format!("truncated JSON ({e})"));
    }
    if std::str::from_utf8(line).is_err() {
        return Skip::new("malformed JSON", "not UTF-8 text (binary data?)");
    }
    // (UTF-8 was checked above) plain words for lone surrogates, deep nesting, huge numbers
    let text = String::from_utf8_lossy(line);
    let why = crate::count::explain_json_error(&text, e);
    Skip::new(
        "malformed JSON",
        format!(
            "malformed JSON ({why} at line {} column {})",
            e.line(),
            e.column()
        ),
    )
}

/// A Gemini CLI session saved as one JSON document (`session-*.json`, before the CLI moved
/// to JSON Lines): the session id and each message's text with its byte offset in `text`.
pub struct SessionDocument<'a> {
    pub session: Option<Cow<'a, str>>,
    pub messages: Vec<(usize, &'a str)>,
}

/// Whether the start of a file is a pretty-printed Gemini CLI session document: its first
/// line is `{`, and `"sessionId"` and `"projectHash"` keys follow.
pub fn is_session_document(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let Some(nl) = memchr::memchr(b'\n', head) else {
        return false;
    };
    head[..nl].trim_ascii() == b"{"
        && memchr::memmem::find(&head[nl..], b"\"sessionId\"").is_some()
        && memchr::memmem::find(&head[nl..], b"\"projectHash\"").is_some()
}

/// Read a session document; a malformed one is skipped with its line and column.
pub fn session_document(text: &[u8]) -> Result<SessionDocument<'_>, (u64, Skip)> {
    #[derive(serde::Deserialize)]
    struct Doc<'a> {
        #[serde(borrow, default, rename = "sessionId")]
        session: Text<'a>,
        #[serde(borrow, default)]
        messages: Vec<&'a serde_json::value::RawValue>,
    }
    let body = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let Ok(s) = std::str::from_utf8(body) else {
        return Err((
            1,
            Skip::new("malformed JSON", "not UTF-8 text (binary data?)"),
        ));
    };
    let mut doc: Doc<'_> = serde_json::from_str(s).map_err(|e| {
        let line = e.line() as u64;
        let why = crate::count::explain_json_error(s, &e);
        let detail = if e.is_eof() {
            format!("truncated JSON document ({e})")
        } else {
            format!(
                "malformed JSON document ({why} at line {} column {})",
                e.line(),
                e.column()
            )
        };
        (line.max(1), Skip::new("malformed JSON", detail))
    })?;
    let base = text.as_ptr() as usize;
    Ok(SessionDocument {
        session: doc.session.take(),
        messages: doc
            .messages
            .iter()
            .map(|m| (m.get().as_ptr() as usize - base, m.get()))
            .collect(),
    })
}

#[cfg(test)]
pub(crate) fn parse_general(line: &str) -> Result<Parsed<'_>, Skip> {
    let raw: formats::RawLine<'_> =
        serde_json::from_str(line).map_err(|e| json_error(line.as_bytes(), &e))?;
    let p = normalise::normalize(raw)?;
    if let Parsed::Record(r) = &p
        && (r.format.is_none() || r.time.is_none())
    {
        return Err(Skip::new("no token usage", "incomplete"));
    }
    Ok(p)
}

/// Parse a line without field overrides.
pub fn parse(line: &[u8]) -> Result<Parsed<'_>, Skip> {
    parse_line(line, &FieldOverrides::default(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(line: &str) -> Record<'_> {
        match parse(line.as_bytes()) {
            Ok(Parsed::Record(r)) => r,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn skip(line: &str) -> Skip {
        parse(line.as_bytes()).expect_err(line)
    }

    #[test]
    fn app_line() {
        let r = rec(
            r#"{"timestamp":"2026-03-01T00:00:00Z","user_id":"u1","feature":"chat","model":"gpt-4o","prompt_tokens":100,"completion_tokens":20,"total_tokens":120}"#,
        );
        assert_eq!(r.format, Some(Format::App));
        assert_eq!(r.user.as_deref(), Some("u1"));
        assert_eq!(r.usage.input, 100);
        assert_eq!(r.usage.output, 20);
        assert_eq!(r.time, Some(1_772_323_200));
    }

    #[test]
    fn codex_turns_from_running_totals_never_underflow() {
        let u = |input, cached_input, output, reasoning_output| CodexUsage {
            input,
            cached_input,
            output,
            reasoning_output,
            total: input + output,
        };
        // inconsistent totals: 50 more input but 120 more cached, 5 more output but 50 reasoning
        let turn = u(150, 120, 15, 50).since(Some(u(100, 0, 10, 0)));
        let (usage, reasoning) = turn.split();
        assert_eq!((usage.input, usage.cached_input, usage.output), (0, 50, 5));
        assert_eq!(reasoning, 5);
        // a total that went down (a new count) is taken as it is
        assert_eq!(u(5, 1, 2, 0).since(Some(u(100, 0, 10, 0))), u(5, 1, 2, 0));
    }

    #[test]
    fn bad_counts() {
        let base = r#"{"timestamp":"2026-03-01T00:00:00Z","model":"gpt-4o","prompt_tokens":"#;
        for (v, why) in [
            ("\"100\"", "a string"),
            ("-1", "negative"),
            ("1.5", "fractional"),
            ("9007199254740993", "larger than 2^53"),
            ("1e300", "larger than 2^53"),
        ] {
            let line = format!("{base}{v}}}");
            let s = skip(&line);
            assert_eq!(s.kind, "bad token count");
            assert_eq!(s.detail, format!("token count prompt_tokens is {why}"));
        }
        assert_eq!(skip(&format!("{base}NaN}}")).kind, "malformed JSON");
        assert_eq!(skip("[1,2]").detail, "not a JSON object (an array)");
        assert_eq!(
            skip(r#"{"model":"gpt-4o","prompt_tokens":1}"#).kind,
            "missing timestamp"
        );
        assert_eq!(skip(r#"{"a":1"#).kind, "malformed JSON");
    }
}
