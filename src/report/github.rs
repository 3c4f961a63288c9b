//! GitHub Actions workflow commands (`::error file=…::message`), which the Actions runner
//! turns into annotations shown on the pull request's files.

/// One annotation, as a line to print on stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation<'a> {
    /// `error`, `warning` or `notice`.
    pub level: &'a str,
    /// The file, relative to the repository root, with `/` separators.
    pub file: &'a str,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub title: &'a str,
    pub message: &'a str,
}

impl std::fmt::Display for Annotation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "::{} file={}", self.level, escape_property(self.file))?;
        if let Some(l) = self.line {
            write!(f, ",line={l}")?;
        }
        if let Some(c) = self.column {
            write!(f, ",col={c}")?;
        }
        write!(
            f,
            ",title={}::{}",
            escape_property(self.title),
            escape_data(self.message)
        )
    }
}

/// Escape a message (`%`, CR, LF), as the Actions toolkit does, after showing every other
/// control or invisible format character visibly, with the GitHub rules ([`super::escape`]):
/// an annotation is shown in the pull request and the log, and must carry neither an escape
/// sequence nor a legacy `##[` command there.
pub fn escape_data(s: &str) -> String {
    let s = super::escape::escape_with(s, true);
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (a message's escapes, plus `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_escaped() {
        let a = Annotation {
            level: "error",
            file: "a,b:c.txt",
            line: Some(3),
            column: None,
            title: "token budget",
            message: "50% over\nlimit",
        };
        assert_eq!(
            a.to_string(),
            "::error file=a%2Cb%3Ac.txt,line=3,title=token budget::50%25 over\\nlimit"
        );
        let a = Annotation {
            level: "error",
            file: "x\u{1b}]0;t\u{7}.txt",
            line: None,
            column: None,
            title: "t\r",
            message: "budget \"\u{202e}evil\" ::error::x",
        };
        assert_eq!(
            a.to_string(),
            "::error file=x\\x1b]0;t\\x07.txt,title=t\\r::budget \"\\u{202e}evil\" ::error::x"
        );
    }
}
