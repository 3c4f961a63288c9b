//! A fast path for the commonest shape: a flat app-log object (`{"timestamp":…,"user_id":…,
//! "model":…,"prompt_tokens":…}`) with plain values. It validates the line as strictly as
//! serde_json does and builds the same [`Record`] as the general path; anything it does not
//! handle (nested values, escapes, keys that belong to other formats, unusual numbers,
//! duplicate keys) returns `None` and the line goes through serde instead.

use std::borrow::Cow;

use super::types::{ErrKind, Format, Record};
use super::values::{TimeVal, parse_dollars_ok, status_error};
use crate::pricing::Usage;

struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }
    /// A string without escapes or control characters (the line is valid UTF-8 already).
    fn string(&mut self, s: &'a str) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let end = start + memchr::memchr2(b'"', b'\\', &self.b[start..])?;
        if self.b[end] != b'"' {
            return None;
        }
        // no control characters (branch-free, so it vectorises)
        if self.b[start..end]
            .iter()
            .fold(false, |a, &c| a | (c < 0x20))
        {
            return None;
        }
        self.i = end;
        let v = &s[start..self.i];
        self.i += 1;
        Some(v)
    }
    /// A JSON number's text.
    fn number(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        self.eat(b'-');
        match self.b.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            let d = self.i;
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == d {
                return None;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let d = self.i;
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == d {
                return None;
            }
        }
        Some(&self.b[start..self.i])
    }
    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(lit)
            .then(|| self.i += lit.len())
    }
}

enum Val<'a> {
    Str(&'a str),
    Num(&'a [u8]),
    Bool,
    Null,
}

/// A plain non-negative integer ≤ 2⁵³; anything else (the general path words the reason).
fn count(v: &Val<'_>) -> Option<Option<u64>> {
    match v {
        Val::Null => Some(None),
        Val::Num(t) if t.len() <= 15 && t.iter().all(u8::is_ascii_digit) => {
            let mut n = 0u64;
            for &c in *t {
                n = n * 10 + u64::from(c - b'0');
            }
            Some(Some(n))
        }
        _ => None,
    }
}

fn text<'a>(v: &Val<'a>) -> Option<Option<Cow<'a, str>>> {
    match v {
        Val::Str(s) => Some((!s.is_empty()).then_some(Cow::Borrowed(*s))),
        Val::Null => Some(None),
        Val::Num(t) => {
            // numbers as text, like the general path (only plain integers here)
            if t.iter().all(u8::is_ascii_digit) && t.len() < 19 {
                Some(Some(Cow::Owned(std::str::from_utf8(t).ok()?.to_string())))
            } else {
                None
            }
        }
        Val::Bool => None,
    }
}

/// Parse a flat app-log line, or `None` to use the general path.
pub fn app_line(s: &str) -> Option<Record<'_>> {
    let b = s.as_bytes();
    let mut c = Cur { b, i: 0 };
    c.ws();
    c.eat(b'{')?;
    let mut seen = 0u32;
    let mut r = Record {
        format: Some(Format::App),
        ..Record::default()
    };
    let (mut prompt, mut completion, mut input, mut output, mut total) =
        (None, None, None, None, None);
    let mut user_id = None;
    let mut user = None;
    let mut status = None;
    let mut error = None;
    let mut time = TimeVal::Absent;
    let mut cost = None;
    c.ws();
    if c.eat(b'}').is_none() {
        loop {
            c.ws();
            let key = c.string(s)?;
            c.ws();
            c.eat(b':')?;
            c.ws();
            let val = match c.b.get(c.i)? {
                b'"' => Val::Str(c.string(s)?),
                b'-' | b'0'..=b'9' => Val::Num(c.number()?),
                b't' => c.literal(b"true").map(|_| Val::Bool)?,
                b'f' => c.literal(b"false").map(|_| Val::Bool)?,
                b'n' => c.literal(b"null").map(|_| Val::Null)?,
                _ => return None, // objects and arrays: the general path
            };
            let bit = match key {
                "timestamp" => {
                    time = match &val {
                        Val::Str(t) => TimeVal::from_str_pub(t),
                        Val::Num(_) => return None,
                        Val::Null => TimeVal::Absent,
                        Val::Bool => return None,
                    };
                    1
                }
                "user_id" => {
                    user_id = text(&val)?;
                    2
                }
                "user" => {
                    user = text(&val)?;
                    4
                }
                "feature" => {
                    r.feature = text(&val)?;
                    8
                }
                "model" => {
                    r.model = text(&val)?;
                    16
                }
                "project" => {
                    r.project = text(&val)?;
                    32
                }
                "prompt_tokens" => {
                    prompt = count(&val)?;
                    64
                }
                "completion_tokens" => {
                    completion = count(&val)?;
                    128
                }
                "input_tokens" => {
                    input = count(&val)?;
                    256
                }
                "output_tokens" => {
                    output = count(&val)?;
                    512
                }
                "total_tokens" => {
                    total = count(&val)?;
                    1024
                }
                "status" => {
                    status = match &val {
                        Val::Str(t) => status_error(Some(t)),
                        Val::Num(t) => status_error(std::str::from_utf8(t).ok()),
                        Val::Null => None,
                        Val::Bool => return None,
                    };
                    2048
                }
                "error" => {
                    error = match &val {
                        Val::Str(t) => (!t.trim().is_empty()).then(|| ErrKind::classify(t)),
                        Val::Null => None,
                        _ => return None,
                    };
                    4096
                }
                "cost_usd" => {
                    cost = match &val {
                        Val::Num(t) => Some(parse_dollars_ok(std::str::from_utf8(t).ok()?)?),
                        Val::Null => None,
                        _ => return None,
                    };
                    8192
                }
                // keys the other formats use: the general path decides
                "id" | "object" | "type" | "created" | "created_at" | "startTime"
                | "createTime" | "end_user" | "modelVersion" | "responseId" | "sessionId"
                | "session_id" | "requestId" | "call_type" | "cached_tokens"
                | "reasoning_tokens" | "costUSD" | "response_cost" | "spend" | "status_code"
                | "error_str" | "usage" | "usageMetadata" | "message" | "response"
                | "custom_id" | "metadata" => return None,
                _ => 0,
            };
            if bit != 0 {
                if seen & bit != 0 {
                    return None; // duplicate key: serde's error
                }
                seen |= bit;
            }
            c.ws();
            if c.eat(b',').is_some() {
                continue;
            }
            c.eat(b'}')?;
            break;
        }
    }
    c.ws();
    if c.i != b.len() {
        return None;
    }
    if seen & (64 | 128 | 256 | 512 | 1024) == 0 {
        return None;
    }
    let p = if seen & 64 != 0 { prompt } else { input }.unwrap_or(0);
    let o = if seen & 128 != 0 { completion } else { output }.unwrap_or(0);
    let t = total.unwrap_or(0);
    let (p, o) = if p == 0 && o == 0 && t > 0 {
        (t, 0)
    } else {
        (p, o)
    };
    r.usage = Usage {
        input: p,
        output: o,
        ..Usage::default()
    };
    r.user = user_id.or(user);
    r.error = error.or(status);
    r.time = match time {
        TimeVal::Unix(t) => Some(t),
        TimeVal::Absent => return None, // "missing timestamp": the general path words it
        TimeVal::Bad => return None,
    };
    r.cost = cost;
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::record::{Parsed, parse_general};

    /// Every line the fast path accepts gives exactly the general path's record.
    #[test]
    fn agrees_with_the_general_path() {
        let fixture = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/scan/app.jsonl"
        ))
        .unwrap();
        let mut lines: Vec<String> = fixture.lines().map(str::to_string).collect();
        lines.extend(
            [
                r#"{"timestamp":"2026-03-01T00:00:00.434Z","request_id":"req_1","user_id":"user-00487","feature":"summarize","model":"gpt-4o-mini","prompt_tokens":5677,"completion_tokens":546,"total_tokens":6223,"latency_ms":2244,"status":200}"#,
                r#" { "timestamp" : "2026-03-01T00:00:00Z" , "user" : "u" , "total_tokens" : 10 , "ok" : true , "x" : null , "f" : -1.5e3 } "#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","input_tokens":3,"output_tokens":4,"status":"error","error":"rate limit"}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3,"cost_usd":0.0001}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3,"error":null,"status":"429"}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":9007199254740992}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3,"prompt_tokens":4}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3,"user_id":"a\"b"}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3,"tags":["a"]}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3} x"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":03}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3,}"#,
                r#"{"timestamp":"bad","prompt_tokens":3}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":-3}"#,
                r#"{"timestamp":"2026-03-01T00:00:00Z","prompt_tokens":3.0}"#,
            ]
            .map(str::to_string),
        );
        let mut fast = 0;
        for line in &lines {
            let general = parse_general(line);
            if let Some(r) = app_line(line) {
                fast += 1;
                match general {
                    Ok(Parsed::Record(g)) => assert_eq!(r, g, "{line}"),
                    other => panic!("fast path accepted {line}; general: {other:?}"),
                }
            }
        }
        // not a numeric timestamp, not a 16-digit count, not the invalid ones
        assert_eq!(fast, 4 + 5);
    }
}
