//! JSON text exactly as Python's `json.dumps(value, ensure_ascii=False)` writes it, which is
//! what mistral-common puts in a prompt (tool definitions, tool calls, tool results): `", "`
//! and `": "` separators, non-ASCII kept, control characters as `\u00XX`, floats as Python's
//! `repr` (`1e-07`, `1e+16`, `100000.0`, `Infinity`), integers with all their digits.
//!
//! [`reformat`] is `json.dumps(json.loads(text))` on JSON text: Python's parser (standard JSON
//! plus `NaN`, `Infinity`, `-Infinity`; a repeated key keeps its first place and its last
//! value), so integers of any size keep their digits.

use serde_json::Value;

/// Python's `json.dumps(v, ensure_ascii=False)` of a parsed value.
pub(crate) fn dumps(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, &mut out);
    out
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&float_repr(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(k, out);
                out.push_str(": ");
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// A string literal as Python's json module escapes it with `ensure_ascii=False`.
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: the shortest digits that round-trip, positional for exponents
/// -4..16 (with `.0` when integral), else `d.ddde±XX`.
pub(crate) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: "-1.5e-7"
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let s = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{s}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

/// `json.dumps(json.loads(text), ensure_ascii=False)`, or `None` when Python's parser would
/// refuse `text`. The `bool` is true when the value holds a lone surrogate escape (`"\ud800"`),
/// which is written as U+FFFD: Python keeps it, and no tokenizer here can encode it.
pub(crate) fn reformat(text: &str) -> Option<(String, bool)> {
    let mut p = Parser {
        t: text,
        s: text.as_bytes(),
        i: 0,
        lossy: false,
        depth: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len()).then(|| {
        let mut out = String::new();
        v.write(&mut out);
        (out, p.lossy)
    })
}

/// A value as Python holds it after `json.loads`: numbers keep their text form's kind.
enum Py {
    Lit(String),
    Str(String),
    Arr(Vec<Py>),
    Obj(Vec<(String, Py)>),
}

impl Py {
    fn write(&self, out: &mut String) {
        match self {
            Py::Lit(s) => out.push_str(s),
            Py::Str(s) => write_str(s, out),
            Py::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Py::Obj(entries) => {
                out.push('{');
                for (i, (k, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(k, out);
                    out.push_str(": ");
                    item.write(out);
                }
                out.push('}');
            }
        }
    }
}

struct Parser<'a> {
    t: &'a str,
    s: &'a [u8],
    i: usize,
    lossy: bool,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Py> {
        // Python's own limit is the recursion limit; deep nesting is not a prompt
        if self.depth > 512 {
            return None;
        }
        match *self.s.get(self.i)? {
            b'{' => {
                self.i += 1;
                self.depth += 1;
                let mut entries: Vec<(String, Py)> = Vec::new();
                let mut at: std::collections::HashMap<String, usize> =
                    std::collections::HashMap::new();
                self.ws();
                if !self.eat("}") {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return None;
                        }
                        let k = self.string()?;
                        self.ws();
                        if !self.eat(":") {
                            return None;
                        }
                        self.ws();
                        let v = self.value()?;
                        match at.get(&k) {
                            Some(&i) => entries[i].1 = v,
                            None => {
                                at.insert(k.clone(), entries.len());
                                entries.push((k, v));
                            }
                        }
                        self.ws();
                        if self.eat("}") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                }
                self.depth -= 1;
                Some(Py::Obj(entries))
            }
            b'[' => {
                self.i += 1;
                self.depth += 1;
                let mut items = Vec::new();
                self.ws();
                if !self.eat("]") {
                    loop {
                        self.ws();
                        items.push(self.value()?);
                        self.ws();
                        if self.eat("]") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                }
                self.depth -= 1;
                Some(Py::Arr(items))
            }
            b'"' => self.string().map(Py::Str),
            _ => {
                for (lit, out) in [
                    ("null", "null"),
                    ("true", "true"),
                    ("false", "false"),
                    ("NaN", "NaN"),
                    ("Infinity", "Infinity"),
                    ("-Infinity", "-Infinity"),
                ] {
                    if self.eat(lit) {
                        return Some(Py::Lit(out.into()));
                    }
                }
                self.number()
            }
        }
    }

    /// Python's NUMBER_RE: `(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?`; an integer part alone
    /// is an int (its digits, `-0` is `0`), anything else a float.
    fn number(&mut self) -> Option<Py> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while p.i < p.s.len() && p.s[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i - from
        };
        self.eat("-");
        let int_start = self.i;
        if digits(self) == 0 {
            return None;
        }
        if self.s[int_start] == b'0' && self.i - int_start > 1 {
            // "01": Python reads 0 then fails on the extra data
            return None;
        }
        let mut float = false;
        let save = self.i;
        if self.eat(".") {
            if digits(self) == 0 {
                self.i = save;
            } else {
                float = true;
            }
        }
        let save = self.i;
        if self.eat("e") || self.eat("E") {
            if !self.eat("-") {
                self.eat("+");
            }
            if digits(self) == 0 {
                self.i = save;
            } else {
                float = true;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if float {
            Some(Py::Lit(float_repr(text.parse::<f64>().ok()?)))
        } else {
            let neg = text.starts_with('-');
            let digits = text.trim_start_matches('-');
            Some(Py::Lit(if digits == "0" || !neg {
                digits.to_string()
            } else {
                text.to_string()
            }))
        }
    }

    /// A string (at `"`), strict like Python's: no raw control characters.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            // at a quote, a backslash or the start: a char boundary of the text
            let rest = self.t.get(self.i..)?;
            let end = rest.find(|c: char| c == '"' || c == '\\' || (c as u32) < 0x20)?;
            out.push_str(&rest[..end]);
            self.i += end;
            match self.s[self.i] {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let c = *self.s.get(self.i)?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xd800..0xdc00).contains(&hi)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                                    out.push(char::from_u32(c)?);
                                    continue;
                                }
                                self.i = save;
                            }
                            match char::from_u32(hi) {
                                Some(c) => out.push(c),
                                None => {
                                    self.lossy = true;
                                    out.push('\u{fffd}');
                                }
                            }
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        let v = u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()?;
        // from_str_radix accepts a leading '+'; Python's does not
        if h[0] == b'+' {
            return None;
        }
        self.i += 4;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected strings are Python 3.11's `json.dumps(json.loads(t), ensure_ascii=False)`.
    #[test]
    fn reformat_is_pythons_round_trip() {
        for (text, want) in [
            (r#"{"city":  "Paris"}"#, r#"{"city": "Paris"}"#),
            (" 18 ", "18"),
            ("-0", "0"),
            ("-0.0", "-0.0"),
            ("18.50", "18.5"),
            ("1e5", "100000.0"),
            ("1E400", "Infinity"),
            ("0.00001", "1e-05"),
            ("0.0001", "0.0001"),
            ("12345678901234567890123", "12345678901234567890123"),
            ("1e16", "1e+16"),
            ("123456789012345678.0", "1.2345678901234568e+17"),
            (r#"{"a":1,"b":2,"a":3}"#, r#"{"a": 3, "b": 2}"#),
            (
                r#"["\u00e9\n\u001f\/", NaN, -Infinity]"#,
                "[\"é\\n\\u001f/\", NaN, -Infinity]",
            ),
            (r#""\ud83d\ude00""#, "\"😀\""),
            ("[]", "[]"),
            ("{ }", "{}"),
        ] {
            assert_eq!(reformat(text).map(|r| r.0).as_deref(), Some(want), "{text}");
        }
        for bad in [
            "", "01", "1.", "[1,]", "{'a': 1}", "\"a\tb\"", "1 2", "+1", "nan",
        ] {
            assert_eq!(reformat(bad), None, "{bad:?}");
        }
        assert_eq!(reformat(r#""\ud800""#), Some(("\"\u{fffd}\"".into(), true)));
    }

    /// Long strings of escapes and objects of many keys round-trip (each is read in one pass:
    /// a step does not re-read the rest, a key is looked up in a map).
    #[test]
    fn long_escaped_strings_and_wide_objects_round_trip() {
        let text = format!("\"{}\"", "a\\n".repeat(200_000));
        let (out, lossy) = reformat(&text).expect("valid");
        assert_eq!(out.len(), text.len());
        assert!(!lossy);
        let keys: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\": {i}")).collect();
        let text = format!("{{{}, \"k0\": -1}}", keys.join(", "));
        let (out, _) = reformat(&text).expect("valid");
        assert!(
            out.starts_with("{\"k0\": -1, \"k1\": 1, "),
            "{}",
            &out[..40]
        );
        assert!(out.ends_with(", \"k99999\": 99999}"));
    }

    #[test]
    fn dumps_writes_python_floats_and_separators() {
        let v: Value =
            serde_json::from_str(r#"{"a": [1, 2.5, 1e-7, -3], "b": {"c": null}}"#).expect("JSON");
        assert_eq!(dumps(&v), r#"{"a": [1, 2.5, 1e-07, -3], "b": {"c": null}}"#);
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(1e22), "1e+22");
        assert_eq!(float_repr(-2.5e-5), "-2.5e-05");
        assert_eq!(float_repr(1234567890123456.0), "1234567890123456.0");
    }
}
