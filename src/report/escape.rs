//! Untrusted text is shown, never executed.
//!
//! File names, log fields (user ids, models, features), budget names, model names in requests,
//! price-file entries and environment values reach our tables and messages. A terminal would
//! execute the escape sequences inside them (ESC, OSC — window titles, hyperlinks, the
//! clipboard — and the C1 controls), a newline would forge a table row or an `error:` line,
//! and bidi overrides would show text in another order than it is. [`escape`] is the one
//! function every human renderer and the diagnostics printer pass untrusted text through; it
//! makes those characters visible instead:
//!
//! | character | shown as |
//! |---|---|
//! | LF, CR, TAB, NUL | `\n`, `\r`, `\t`, `\0` |
//! | other C0 controls (U+0000–U+001F, ESC is `\x1b`) and DEL | `\x1b`, `\x7f` |
//! | C1 controls (U+0080–U+009F) | `\u{9b}` |
//! | invisible format characters: bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks (U+061C, U+200E, U+200F), U+2028/U+2029 line and paragraph separators, U+200B zero-width space, U+2060–U+2064, U+206A–U+206F, U+FEFF, U+FFF9–U+FFFB, tag characters (U+E0000–U+E007F) | `\u{202e}` |
//!
//! Everything else, ZWJ and ZWNJ included (emoji and many scripts need them), is shown as it
//! is. A backslash is not escaped: paths and messages stay readable, and the exact value is
//! always available in `--json` output, where serde escapes control characters itself (and
//! [`super::write_json`] also writes C1 and format characters as `\u` escapes).
//!
//! **GitHub Actions.** The Actions runner executes a log line that starts (after leading
//! whitespace) with `::` and, in the legacy syntax, any line containing `##[`. Once
//! [`set_github`] is on (`check --format github`, or `GITHUB_ACTIONS=true` in the environment),
//! [`escape`] also writes a `:` that starts untrusted text as `\x3a` and the `#` before `#[` as
//! `\x23`. Untrusted text never contains a line break after escaping, so it can only begin a
//! log line at its own start: no line of output can become a workflow command because of data.
//!
//! [`escape`] is idempotent (its output contains nothing it would escape), so a message
//! assembled from already escaped parts can be escaped again as a whole.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

static GITHUB: AtomicBool = AtomicBool::new(false);

/// Turn the GitHub Actions rules on or off for the rest of the process (decided once, at
/// start-up, like colour).
pub fn set_github(on: bool) {
    GITHUB.store(on, Ordering::Relaxed);
}

/// Whether the GitHub Actions rules are on.
pub fn github() -> bool {
    GITHUB.load(Ordering::Relaxed)
}

/// Characters that must never reach a terminal or a CI log raw from data.
pub fn is_dangerous(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// `s` with every [`is_dangerous`] character written visibly (see the module docs), and in
/// GitHub mode a leading `:` and the `#` of `##[` escaped too. Borrows when nothing changes.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, github())
}

/// [`escape`] with the GitHub rules given explicitly.
pub fn escape_with(s: &str, github: bool) -> Cow<'_, str> {
    let clean = s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(is_dangerous);
    let github_hit = github && (starts_with_colon(s) || s.contains("##["));
    if clean && !github_hit {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut leading = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if github && leading && c == ':' {
            out.push_str("\\x3a");
            leading = false;
            continue;
        }
        if !c.is_whitespace() || is_dangerous(c) {
            leading = false;
        }
        if github && c == '#' && out.ends_with('#') && chars.peek() == Some(&'[') {
            out.push_str("\\x23");
            continue;
        }
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Whether `s`, after leading whitespace, starts with `:`. Dangerous whitespace (TAB, LF, …)
/// is escaped into visible text, so only harmless spaces count as leading here.
fn starts_with_colon(s: &str) -> bool {
    s.trim_start_matches(|c: char| c.is_whitespace() && !is_dangerous(c))
        .starts_with(':')
}

fn push_escaped(out: &mut String, c: char) {
    if !is_dangerous(c) {
        out.push(c);
        return;
    }
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// A `Display` of untrusted text through [`escape`]: `format!("reading {}", Shown(name))`.
#[derive(Debug, Clone, Copy)]
pub struct Shown<T: AsRef<str>>(pub T);

impl<T: AsRef<str>> std::fmt::Display for Shown<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape(self.0.as_ref()))
    }
}

/// A path shown through [`escape`] (non-UTF-8 bytes as U+FFFD, like `Path::display`).
pub fn path(p: &std::path::Path) -> String {
    escape(&p.to_string_lossy()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown() {
        assert_eq!(escape_with("plain text", false), "plain text");
        assert!(matches!(escape_with("plain text", false), Cow::Borrowed(_)));
        assert_eq!(escape_with("héllo 👨‍👩‍👧", false), "héllo 👨‍👩‍👧");
        assert_eq!(
            escape_with("a\nb\rc\td\0e\x1b[31mf\x7f", false),
            "a\\nb\\rc\\td\\0e\\x1b[31mf\\x7f"
        );
        assert_eq!(
            escape_with("\x1b]52;c;aGk=\x07", false),
            "\\x1b]52;c;aGk=\\x07"
        );
        assert_eq!(escape_with("\u{9b}31m", false), "\\u{9b}31m");
        assert_eq!(
            escape_with("abc\u{202e}fed\u{2066}x\u{2069}", false),
            "abc\\u{202e}fed\\u{2066}x\\u{2069}"
        );
        assert_eq!(
            escape_with("a\u{2028}b\u{feff}", false),
            "a\\u{2028}b\\u{feff}"
        );
        assert_eq!(escape_with("\u{e0041}", false), "\\u{e0041}");
        assert_eq!(escape_with("back\\slash", false), "back\\slash");
    }

    #[test]
    fn github_rules() {
        assert_eq!(escape_with("::error::x", false), "::error::x");
        assert_eq!(escape_with("::error::x", true), "\\x3a:error::x");
        assert_eq!(escape_with("  ::error::x", true), "  \\x3a:error::x");
        assert_eq!(escape_with("a::b", true), "a::b");
        assert_eq!(escape_with("ft:gpt-4o:org::id", true), "ft:gpt-4o:org::id");
        assert_eq!(escape_with("x ##[error]y", true), "x #\\x23[error]y");
        assert_eq!(escape_with("###[", true), "##\\x23[");
        assert_eq!(escape_with("\n::error::x", true), "\\n::error::x");
        assert_eq!(escape_with("a\n::error::x", true), "a\\n::error::x");
    }

    #[test]
    fn idempotent() {
        for s in [
            "a\nb",
            "::x",
            "##[x",
            "\x1b\u{202e}",
            " \t::",
            "#\\x23[",
            "\\x3a:",
        ] {
            for g in [false, true] {
                let once = escape_with(s, g).into_owned();
                assert_eq!(escape_with(&once, g), once, "{s:?}");
                assert!(!once.chars().any(is_dangerous));
            }
        }
    }
}
