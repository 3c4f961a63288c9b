//! The report layer: the only code that writes to stdout. Commands hand it plain data.
//! Colour is decided once ([`Style`]); tables are comfy-table; `--json` output is serde.

pub mod escape;
pub mod github;

use std::io::{self, IsTerminal, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use serde::Serialize;

pub use crate::numfmt::thousands;

/// ANSI styling, on or off for one stream.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub enabled: bool,
}

impl Style {
    /// Colour for stdout (`stderr == false`) or stderr: `forced` on or off (`--color
    /// always|never`), or, when `None` (`auto`), on when the stream is a terminal and
    /// `NO_COLOR` is unset or empty.
    pub fn detect(forced: Option<bool>, stderr: bool) -> Style {
        let enabled = forced.unwrap_or_else(|| {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let tty = if stderr {
                io::stderr().is_terminal()
            } else {
                io::stdout().is_terminal()
            };
            tty && !no_color
        });
        Style { enabled }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    pub fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    pub fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

/// What a run needs to know about its terminal, decided once in `app`.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    pub out: Style,
    pub err: Style,
    /// Progress bars may be drawn (stderr is a terminal and `--no-progress` was not given).
    pub progress: bool,
    pub stdin_is_terminal: bool,
}

/// How many entries of a long list (dropped messages, bad JSONL lines) are shown on stderr
/// before the rest is summarised by [`and_more`].
pub const LISTED: usize = 10;

/// The line closing a list cut at [`LISTED`]: `… and 981,990 more`.
pub fn and_more(hidden: usize) -> String {
    format!("… and {} more", thousands(hidden as u64))
}

/// A share as a percentage with one decimal (`12.5%`), or two below 1% (`0.04%`).
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".to_string();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p < 1.0 && p > 0.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A price in USD per 1M tokens with at least two decimals: `$2.50`, `$0.075`, `$10.00`;
/// `-` when absent.
pub fn rate(p: Option<crate::pricing::Price>) -> String {
    let Some(p) = p else {
        return "-".to_string();
    };
    let s = p.per_million_string();
    match s.split_once('.') {
        None => format!("${s}.00"),
        Some((_, f)) if f.len() == 1 => format!("${s}0"),
        Some(_) => format!("${s}"),
    }
}

/// A table with our house style: no outer borders, header underlined.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─')))
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(Cell::new));
    t
}

/// Write a table followed by a newline, without the trailing blanks comfy-table pads the last
/// column with.
pub fn write_table(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Right-align the given columns (numbers).
pub fn align_right(t: &mut Table, columns: &[usize]) {
    for &c in columns {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Write `value` as pretty JSON followed by a newline. Strings are JSON-escaped by serde
/// (control characters below U+0020); DEL, the C1 controls and invisible format characters
/// ([`escape::is_dangerous`]) are written as `\u` escapes too, and in GitHub mode so is the
/// `#` of `##[`, so the document means exactly the same and shows nothing a terminal or the
/// Actions runner would execute.
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let formatter = SafeJson {
        inner: serde_json::ser::PrettyFormatter::new(),
        github: escape::github(),
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, formatter);
    value.serialize(&mut ser).map_err(io::Error::other)?;
    writeln!(out)
}

/// `value` as compact JSON on one line, with [`write_json`]'s escapes.
pub fn json_line<T: Serialize>(value: &T) -> String {
    let formatter = SafeJson {
        inner: serde_json::ser::CompactFormatter,
        github: escape::github(),
    };
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    if value.serialize(&mut ser).is_err() {
        return "null".to_string();
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// A serde_json formatter (pretty or compact), with [`write_json`]'s extra string escapes.
struct SafeJson<F> {
    inner: F,
    github: bool,
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        let mut chars = fragment.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let hash = self.github
                && c == '#'
                && fragment[..i].ends_with('#')
                && chars.peek().is_some_and(|&(_, n)| n == '[');
            if !hash && !escape::is_dangerous(c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(writer, "\\u{u:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(percent(1, 8), "12.5%");
        assert_eq!(percent(5, 12800), "0.04%");
        assert_eq!(percent(0, 10), "0.0%");
        assert_eq!(percent(3, 0), "-");
        let p = |s| Some(crate::pricing::Price::parse_per_million(s).unwrap());
        assert_eq!(rate(p("2.5")), "$2.50");
        assert_eq!(rate(p("10")), "$10.00");
        assert_eq!(rate(p("0.075")), "$0.075");
        assert_eq!(rate(None), "-");
    }

    #[test]
    fn json_escapes_what_a_terminal_would_execute() {
        let mut out = Vec::new();
        let v = serde_json::json!({"k": "a\u{1b}]0;x\u{7}\u{9b}\u{202e}\u{e0041}\u{7f}é"});
        write_json(&mut out, &v).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "{\n  \"k\": \"a\\u001b]0;x\\u0007\\u009b\\u202e\\udb40\\udc41\\u007fé\"\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
