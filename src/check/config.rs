//! Parsing and validating `tokenbudget.toml`.
//!
//! Every mistake is reported with its line and column in the file: TOML syntax errors, unknown
//! keys, values of the wrong type (by the `toml` crate, which carries spans), and the semantic
//! checks done here: a limit that is not a positive whole number, a share that is not a
//! percentage in (0%, 100%], a budget with no limit, an unknown model or encoding, a model with
//! no exact tokenizer and no `encoding` to approximate with, a glob that does not parse.
//! Syntax and type errors stop at the first; semantic errors are all collected.

use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::Catalog;
use crate::resolve::{self, ResolveError};
use crate::tokenize::Encoding;

/// The name `check` looks for in the current directory and its parents.
pub const CONFIG_FILE: &str = "tokenbudget.toml";

/// A 1-based line and column (in characters) in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `src`.
    pub fn at(src: &str, offset: usize) -> Location {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One mistake in the config file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigError {
    #[serde(flatten)]
    pub location: Location,
    pub error: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.error)
    }
}

/// A share of a model's context window, kept exact: `12.5%` is `125 / 1000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// As written, e.g. `5%`.
    pub text: String,
    numerator: u128,
    denominator: u128,
}

impl Share {
    /// Parse `"5%"`, `"12.5%"`: a positive decimal number of percent, at most 100.
    pub fn parse(s: &str) -> Result<Share, String> {
        let bad = || format!("max_share must be a percentage like \"5%\", got \"{s}\"");
        let number = s.trim().strip_suffix('%').ok_or_else(bad)?.trim();
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || int.len() + frac.len() > 12
        {
            return Err(bad());
        }
        let digits = format!("{int}{frac}");
        let numerator: u128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| bad())?
        };
        // percent → fraction: divide by 100 as well as by 10^(decimals).
        let denominator = 100 * 10u128.pow(frac.len() as u32);
        if numerator == 0 {
            return Err(format!("max_share must be above 0%, got \"{s}\""));
        }
        if numerator > denominator {
            return Err(format!("max_share cannot be above 100%, got \"{s}\""));
        }
        Ok(Share {
            text: s.trim().to_string(),
            numerator,
            denominator,
        })
    }

    /// The share as a fraction (`0.05` for `5%`).
    pub fn fraction(&self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// This share of `window` tokens, rounded down (a limit never exceeds the share).
    pub fn of(&self, window: u64) -> u64 {
        // At most 12 digits: numerator <= 10^14, so this cannot overflow.
        (window as u128 * self.numerator / self.denominator) as u64
    }
}

/// A validated config: every budget resolved to an encoding and a limit.
#[derive(Debug, Clone)]
pub struct Config {
    pub budgets: Vec<Budget>,
}

/// One `[[budget]]`.
#[derive(Debug, Clone)]
pub struct Budget {
    /// `name`, or the path pattern.
    pub name: String,
    /// The path or glob, relative to the config file's directory (`./` removed).
    pub pattern: String,
    /// Where `path` is written.
    pub location: Location,
    /// The model counted for (`model` of the budget, else of the file, else gpt-4o).
    pub model: String,
    pub encoding: Encoding,
    /// The `tokenizer` file counted with instead of `encoding`.
    pub tokenizer: Option<std::sync::Arc<crate::tokenize::Tokenizer>>,
    /// Counts are calibrated estimates with a range (Claude, Gemini).
    pub estimate: Option<&'static crate::estimate::Rule>,
    /// Why counts are approximate, when they are.
    pub approximate: Option<String>,
    /// The resolver's warning about the model name (matched only by a tiktoken prefix).
    pub warning: Option<String>,
    /// The model's chat message rule and provider, as the resolver gives them.
    pub message_rule: crate::tokenize::chat::MessageRule,
    pub provider: Option<String>,
    pub context_window: Option<u64>,
    pub max_tokens: Option<u64>,
    pub max_share: Option<Share>,
    /// The smaller of `max_tokens` and `max_share` of the window.
    pub limit: u64,
    /// The limit applies to each file (true, the default) or to the sum of all matches.
    pub each: bool,
    /// A pattern matching no file passes instead of being an error.
    pub allow_empty: bool,
    /// Also match files excluded by .gitignore/.ignore rules.
    pub include_ignored: bool,
    pub(crate) matcher: Option<globset::GlobMatcher>,
}

impl Budget {
    /// True when the pattern has no glob characters (a file or directory path).
    pub fn is_literal(&self) -> bool {
        self.matcher.is_none()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    model: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    tokenizer: Option<Spanned<String>>,
    split: Option<Spanned<String>>,
    #[serde(default)]
    budget: Vec<Spanned<RawBudget>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    path: Spanned<String>,
    name: Option<String>,
    model: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    tokenizer: Option<Spanned<String>>,
    split: Option<Spanned<String>>,
    max_tokens: Option<Spanned<toml::Value>>,
    max_share: Option<Spanned<toml::Value>>,
    each: Option<bool>,
    allow_empty: Option<bool>,
    include_ignored: Option<bool>,
}

/// True when `s` has glob syntax.
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Parse and validate the text of a config file against `catalog` (estimates allowed);
/// `tokenizer` paths are relative to the current directory.
pub fn parse(src: &str, catalog: &Catalog) -> Result<Config, Vec<ConfigError>> {
    parse_with(src, resolve::Resolver::new(catalog, false))
}

/// [`parse`] with the process's resolver (`--exact` refuses budgets that would be estimates).
pub fn parse_with(src: &str, resolver: resolve::Resolver) -> Result<Config, Vec<ConfigError>> {
    parse_in(src, resolver, std::path::Path::new("."))
}

/// [`parse_with`], with relative `tokenizer` paths resolved against `dir` (the config file's
/// directory). Each tokenizer file is read once, however many budgets use it.
pub fn parse_in(
    src: &str,
    resolver: resolve::Resolver,
    dir: &std::path::Path,
) -> Result<Config, Vec<ConfigError>> {
    let mut loaded: std::collections::HashMap<
        (std::path::PathBuf, Option<crate::tokenize::external::Split>),
        Result<std::sync::Arc<crate::tokenize::Tokenizer>, String>,
    > = std::collections::HashMap::new();
    let err_at = |span: Range<usize>, error: String| ConfigError {
        location: Location::at(src, span.start),
        error,
    };
    let raw: RawConfig = toml::from_str(src).map_err(|e| {
        let loc = e.span().map_or(Location { line: 1, column: 1 }, |s| {
            Location::at(src, s.start)
        });
        vec![ConfigError {
            location: loc,
            error: e.message().trim().to_string(),
        }]
    })?;
    let mut errors = Vec::new();
    if raw.budget.is_empty() {
        errors.push(ConfigError {
            location: Location { line: 1, column: 1 },
            error: "no [[budget]] entries: add one with a path and max_tokens or max_share"
                .to_string(),
        });
    }
    let file_encoding = raw
        .encoding
        .as_ref()
        .and_then(|e| parse_encoding(e, &err_at, &mut errors));

    let mut budgets = Vec::new();
    for spanned in &raw.budget {
        let b = spanned.get_ref();
        let start = errors.len();
        let path_span = b.path.span();

        // The pattern.
        let pattern = b.path.get_ref().trim();
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern).to_string();
        let mut matcher = None;
        if pattern.is_empty() {
            errors.push(err_at(path_span.clone(), "path is empty".into()));
        } else if pattern.starts_with('/') || pattern.starts_with('\\') {
            errors.push(err_at(
                path_span.clone(),
                format!(
                    "path \"{pattern}\" is absolute; paths are relative to the config file's \
                     directory"
                ),
            ));
        } else if is_glob(&pattern) {
            match globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
            {
                Ok(g) => matcher = Some(g.compile_matcher()),
                Err(e) => errors.push(err_at(
                    path_span.clone(),
                    format!("invalid glob \"{pattern}\": {}", e.kind()),
                )),
            }
        }

        // The model and its tokenizer.
        let model_spanned = b.model.as_ref().or(raw.model.as_ref());
        let model = model_spanned.map_or(resolve::DEFAULT_MODEL.to_string(), |m| {
            m.get_ref().trim().to_string()
        });
        let model_span = model_spanned.map_or(path_span.clone(), |m| m.span());
        let encoding = match &b.encoding {
            Some(e) => parse_encoding(e, &err_at, &mut errors),
            None => file_encoding,
        };
        let encoding_failed = b.encoding.is_some() && encoding.is_none()
            || b.encoding.is_none() && raw.encoding.is_some() && file_encoding.is_none();
        // A tokenizer file: the budget's, else the file's unless the budget sets an encoding.
        let (tok_spanned, split_spanned) = match (&b.tokenizer, &b.encoding) {
            (Some(t), _) => (Some(t), b.split.as_ref()),
            (None, None) => (
                raw.tokenizer.as_ref(),
                b.split.as_ref().or(raw.split.as_ref()),
            ),
            (None, Some(_)) => (None, None),
        };
        if let (Some(t), Some(_)) = (&b.tokenizer, &b.encoding) {
            errors.push(err_at(
                t.span(),
                "set either tokenizer or encoding on a budget, not both".to_string(),
            ));
        }
        if let (Some(sp), None) = (b.split.as_ref().or(raw.split.as_ref()), tok_spanned) {
            errors.push(err_at(
                sp.span(),
                "split applies only with a tokenizer rank file (tokenizer = \"...\")".into(),
            ));
        }
        let split = match split_spanned {
            Some(sp) => match crate::tokenize::external::Split::from_name(sp.get_ref()) {
                Some(x) => Some(x),
                None => {
                    errors.push(err_at(
                        sp.span(),
                        format!(
                            "unknown split rule \"{}\" (expected one of: {})",
                            sp.get_ref(),
                            crate::tokenize::external::Split::NAMES.join(", ")
                        ),
                    ));
                    None
                }
            },
            None => None,
        };
        let file_tok = tok_spanned.and_then(|t| {
            let path = dir.join(t.get_ref().trim());
            let r = loaded
                .entry((path.clone(), split))
                .or_insert_with(|| {
                    crate::tokenize::Tokenizer::from_file(&path, split)
                        .map(std::sync::Arc::new)
                        .map_err(|e| {
                            // name the file as the config does
                            let shown = format!("{}: ", path.display());
                            let msg = e.to_string();
                            format!(
                                "tokenizer \"{}\": {}",
                                t.get_ref().trim(),
                                msg.strip_prefix(&shown).unwrap_or(&msg)
                            )
                        })
                })
                .clone();
            r.map_err(|e| errors.push(err_at(t.span(), e))).ok()
        });
        let tokenizer_failed = tok_spanned.is_some() && file_tok.is_none();
        let resolved = if encoding_failed || tokenizer_failed {
            None
        } else if let Some(tok) = &file_tok {
            Some(resolver.with_file(Some(&model), tok.clone()))
        } else {
            match resolver.resolve(Some(&model), encoding) {
                Ok(r) => Some(r),
                Err(e) => {
                    let mut msg = e.to_string();
                    if matches!(e, ResolveError::NoTokenizer { .. }) {
                        msg.push_str(
                            "; in tokenbudget.toml, check without --exact to accept the estimate",
                        );
                    }
                    errors.push(err_at(model_span.clone(), msg));
                    None
                }
            }
        };

        // The limits.
        let max_tokens = b.max_tokens.as_ref().and_then(|v| {
            positive_tokens(v.get_ref())
                .map_err(|e| errors.push(err_at(v.span(), e)))
                .ok()
        });
        let max_share = b.max_share.as_ref().and_then(|v| {
            let parsed = match v.get_ref() {
                toml::Value::String(s) => Share::parse(s),
                other => Err(format!(
                    "max_share must be a percentage string like \"5%\", got {}",
                    toml_repr(other)
                )),
            };
            parsed.map_err(|e| errors.push(err_at(v.span(), e))).ok()
        });
        if b.max_tokens.is_none() && b.max_share.is_none() {
            errors.push(err_at(
                spanned.span(),
                format!("budget \"{pattern}\" has no limit: set max_tokens, max_share or both"),
            ));
        }
        let window = resolved.as_ref().and_then(|r| r.context_window());
        let mut share_limit = None;
        if let (Some(share), Some(_), Some(v)) = (&max_share, &resolved, &b.max_share) {
            match window {
                None => errors.push(err_at(
                    v.span(),
                    format!(
                        "max_share needs the context window of {model}, which the catalog \
                         does not know; use max_tokens"
                    ),
                )),
                Some(w) if share.of(w) == 0 => errors.push(err_at(
                    v.span(),
                    format!(
                        "max_share {} of {model}'s {w}-token window is less than one token",
                        share.text
                    ),
                )),
                Some(w) => share_limit = Some(share.of(w)),
            }
        }

        if errors.len() > start {
            continue;
        }
        let Some(resolved) = resolved else { continue };
        let limit = match (max_tokens, share_limit) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => continue,
        };
        budgets.push(Budget {
            name: b.name.clone().unwrap_or_else(|| pattern.clone()),
            location: Location::at(src, path_span.start),
            pattern,
            model,
            encoding: resolved.encoding,
            tokenizer: resolved.file.clone(),
            estimate: resolved.calibration(),
            approximate: resolved.approximate.clone(),
            warning: resolved.warning(),
            message_rule: resolved.message_rule,
            provider: resolved.model.map(|m| m.provider.clone()),
            context_window: window,
            max_tokens,
            max_share,
            limit,
            each: b.each.unwrap_or(true),
            allow_empty: b.allow_empty.unwrap_or(false),
            include_ignored: b.include_ignored.unwrap_or(false),
            matcher,
        });
    }
    if errors.is_empty() {
        return Ok(Config { budgets });
    }
    // A bad top-level model is reported once, not once per budget.
    let mut unique: Vec<ConfigError> = Vec::with_capacity(errors.len());
    for e in errors {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    Err(unique)
}

fn parse_encoding(
    e: &Spanned<String>,
    err_at: &impl Fn(Range<usize>, String) -> ConfigError,
    errors: &mut Vec<ConfigError>,
) -> Option<Encoding> {
    let name = e.get_ref().trim();
    let found = Encoding::from_name(name);
    if found.is_none() {
        let names: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
        errors.push(err_at(
            e.span(),
            format!(
                "unknown encoding \"{name}\" (expected one of: {})",
                names.join(", ")
            ),
        ));
    }
    found
}

fn positive_tokens(v: &toml::Value) -> Result<u64, String> {
    match v {
        toml::Value::Integer(n) if *n > 0 => Ok(*n as u64),
        other => Err(format!(
            "max_tokens must be a positive whole number of tokens, got {}",
            toml_repr(other)
        )),
    }
}

fn toml_repr(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string \"{s}\""),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) => "an array".to_string(),
        toml::Value::Table(_) => "a table".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> Vec<String> {
        match parse(src, Catalog::embedded()) {
            Ok(_) => vec![],
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn shares_are_exact() {
        let s = Share::parse("5%").unwrap();
        assert_eq!(s.of(128_000), 6_400);
        assert_eq!(Share::parse("12.5%").unwrap().of(8_192), 1_024);
        assert_eq!(Share::parse("0.1%").unwrap().of(128_000), 128);
        assert_eq!(Share::parse("100%").unwrap().of(8_192), 8_192);
        assert_eq!(Share::parse("33.3333%").unwrap().of(3), 0);
        assert!(Share::parse("100.5%").is_err());
        assert!(Share::parse("0%").is_err());
        assert!(Share::parse("5").is_err());
        assert!(Share::parse("-5%").is_err());
        assert!(Share::parse("%").is_err());
        assert!(Share::parse("1e3%").is_err());
        assert!(Share::parse("0.0000000000001%").is_err());
        assert_eq!(
            Share::parse("0.00000000001%").unwrap().of(u64::MAX),
            1_844_674
        );
    }

    #[test]
    fn locations_count_lines_and_characters() {
        let src = "a\nbé = 1\n";
        assert_eq!(Location::at(src, 0), Location { line: 1, column: 1 });
        assert_eq!(Location::at(src, 2), Location { line: 2, column: 1 });
        assert_eq!(Location::at(src, 6), Location { line: 2, column: 4 });
    }

    #[test]
    fn limit_is_the_smaller_of_tokens_and_share() {
        let c = parse(
            "model = \"gpt-4\"\n[[budget]]\npath = \"a/*.txt\"\nmax_tokens = 500\nmax_share = \"5%\"\n\
             [[budget]]\npath = \"./b.txt\"\nmax_tokens = 100\nmax_share = \"50%\"\neach = false\n",
            Catalog::embedded(),
        )
        .unwrap();
        assert_eq!(c.budgets[0].limit, 409);
        assert!(!c.budgets[0].is_literal());
        assert_eq!(c.budgets[1].limit, 100);
        assert_eq!(c.budgets[1].pattern, "b.txt");
        assert!(c.budgets[1].is_literal());
        assert!(!c.budgets[1].each);
    }

    #[test]
    fn semantic_errors_are_all_reported() {
        let e = errors(
            "[[budget]]\npath = \"a.txt\"\nmax_tokens = 0\n[[budget]]\npath = \"b.txt\"\n\
             max_tokens = 3.5\n[[budget]]\npath = \"c.txt\"\n",
        );
        assert_eq!(
            e,
            [
                "3:14: max_tokens must be a positive whole number of tokens, got 0",
                "6:14: max_tokens must be a positive whole number of tokens, got 3.5",
                "7:1: budget \"c.txt\" has no limit: set max_tokens, max_share or both",
            ]
        );
    }

    #[test]
    fn a_bad_top_level_model_is_reported_once() {
        assert_eq!(
            errors(
                "model = \"nope\"\n[[budget]]\npath = \"a\"\nmax_tokens = 1\n\
                 [[budget]]\npath = \"b\"\nmax_tokens = 1\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn empty_config_is_an_error() {
        assert_eq!(
            errors("model = \"gpt-4o\"\n"),
            ["1:1: no [[budget]] entries: add one with a path and max_tokens or max_share"]
        );
    }
}
