//! The report layer: the only code that writes to stdout. Commands hand it plain data.
//! Colour is decided once ([`Style`]); tables are comfy-table; `--json` output is serde.

pub mod github;

use std::io::{self, IsTerminal, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use serde::Serialize;

use crate::cli::ColorChoice;

/// ANSI styling, on or off for one stream.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub enabled: bool,
}

impl Style {
    /// Colour for stdout (`stderr == false`) or stderr: `always`, `never`, or `auto` = the
    /// stream is a terminal and `NO_COLOR` is unset or empty.
    pub fn detect(choice: ColorChoice, stderr: bool) -> Style {
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                let tty = if stderr {
                    io::stderr().is_terminal()
                } else {
                    io::stdout().is_terminal()
                };
                tty && !no_color
            }
        };
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

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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

/// Write `value` as pretty JSON followed by a newline.
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
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
}
