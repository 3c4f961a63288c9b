//! The one model resolver: which tokenizer, which catalog entry and which message rule a
//! command counts with. Every command (`count`, `plan`, `cost`, `check`) and the library go
//! through [`Resolver::resolve`], so a name means the same thing everywhere.
//!
//! The rules, in order:
//! 1. The name is looked up in the catalog (the one loaded for the process, `--prices`
//!    included): its encoding is the catalog's `tokenizer`, else the one tiktoken 0.14 uses
//!    for it (`tokenize::model`, the whole `MODEL_TO_ENCODING` table, old names included).
//! 2. Not in the catalog but in tiktoken's table: counted with tiktoken's encoding. When only
//!    one of tiktoken's *prefixes* matched (`gpt-4o-mni` by `gpt-4o-`), tiktoken would count
//!    it too, but it is probably a typo: [`Resolved::warning`] says so, with the catalog's
//!    "did you mean …?", and `--exact` refuses it.
//! 3. Neither: an error ([`ResolveError::Unknown`]) with "did you mean …?" from the catalog.
//!
//! A model without an exact local tokenizer (Claude, Gemini, Llama, …) is never refused by
//! default and never counted silently: it gets a labelled **estimate** ([`Estimate`]: `~` in
//! text, `"approximate": true` and its `"basis"` in JSON), counted with `o200k_base` unless
//! `--encoding` names another basis. A calibrated estimate may carry a range
//! ([`EstimateRange`]). With `--exact` ([`Resolver::exact`]) every estimate is refused instead
//! (exit 2): an inexact model, an `--encoding` other than the model's, a prefix-only match.
//!
//! Public names (stable): [`Resolver`], [`Resolved`], [`Estimate`], [`EstimateRange`],
//! [`Matched`], [`ResolveError`], [`resolve`], [`default_model`], [`DEFAULT_MODEL`],
//! [`MODEL_ENV`], [`ESTIMATE_BASIS`].

use std::fmt;

use crate::catalog::{Catalog, Model};
use crate::tokenize::Encoding;
use crate::tokenize::chat::MessageRule;
use crate::tokenize::model::{self as table, OpenTokenizer, TableMatch, open_tokenizer_for_model};

/// The environment variable that sets the default model.
pub const MODEL_ENV: &str = "TOKENBUDGET_MODEL";
/// The model used when neither `--model` nor `TOKENBUDGET_MODEL` says otherwise.
pub const DEFAULT_MODEL: &str = "gpt-4o";
/// What a model without an exact local tokenizer is estimated with, unless `--encoding` (or a
/// calibrated estimate) says otherwise.
pub const ESTIMATE_BASIS: Encoding = Encoding::O200kBase;

/// The model a command should use: `--model`, else `TOKENBUDGET_MODEL`, else `gpt-4o`.
pub fn default_model(flag: Option<&str>) -> String {
    if let Some(m) = flag {
        return m.to_string();
    }
    match std::env::var(MODEL_ENV) {
        Ok(m) if !m.trim().is_empty() => m.trim().to_string(),
        _ => DEFAULT_MODEL.to_string(),
    }
}

/// How counts relate to the model's real tokenizer when they are not exact.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The encoding the count is made with.
    pub basis: Encoding,
    /// The likely range of the real count, as factors of the basis count, once calibrated
    /// for the model's family; `None` means a plain estimate with no known range.
    pub range: Option<EstimateRange>,
}

/// A calibrated range: the real count is expected within `low × count ..= high × count`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateRange {
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// The name of the basis, as shown in JSON (`"basis"`).
    pub fn basis_name(&self) -> &'static str {
        self.basis.name()
    }
    /// The low and high ends of the range for a basis count, when a range is known.
    pub fn bounds(&self, count: u64) -> Option<(u64, u64)> {
        self.range.map(|r| {
            (
                (count as f64 * r.low).floor() as u64,
                (count as f64 * r.high).ceil() as u64,
            )
        })
    }
}

/// How the model name was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// No model: only an encoding was asked for.
    NoModel,
    /// A catalog entry (by id, alias, date suffix, provider prefix, `ft:` base, …).
    Catalog,
    /// Not in the catalog; in tiktoken's table by its whole name.
    Tiktoken,
    /// Not in the catalog; only this tiktoken prefix matched.
    TiktokenPrefix(&'static str),
    /// Not in the catalog; an open-weight family's name (`tokenize::model`).
    OpenFamily,
}

/// The outcome of resolving `--model` / `--encoding`.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    /// The model name as given.
    pub model_name: Option<String>,
    /// The catalog entry, when the model is in the catalog.
    pub model: Option<&'a Model>,
    /// The encoding every count uses.
    pub encoding: Encoding,
    /// Why counts are an approximation, when they are (shown wherever a count appears).
    pub approximate: Option<String>,
    /// Set exactly when `approximate` is: what the estimate is based on.
    pub estimate: Option<Estimate>,
    /// How the name was matched.
    pub matched: Matched,
    /// Close catalog names, for a name matched only by a tiktoken prefix.
    pub suggestions: Vec<String>,
    /// The per-message overhead of chat counts for this model.
    pub message_rule: MessageRule,
}

impl Resolved<'_> {
    pub fn context_window(&self) -> Option<u64> {
        self.model.and_then(|m| m.context_window)
    }
    pub fn is_approximate(&self) -> bool {
        self.approximate.is_some()
    }
    /// The estimate's basis name, when counts are estimates.
    pub fn basis(&self) -> Option<&'static str> {
        self.estimate.as_ref().map(Estimate::basis_name)
    }
    /// What every command shows as `warning:` about the name itself: a name matched only by
    /// a tiktoken prefix.
    pub fn warning(&self) -> Option<String> {
        let Matched::TiktokenPrefix(prefix) = self.matched else {
            return None;
        };
        let name = self.model_name.as_deref().unwrap_or_default();
        let mut msg = format!(
            "'{name}' is not in the catalog; counted with {} only because it starts with \
             tiktoken's prefix '{prefix}' (no context window or prices known)",
            self.encoding
        );
        if !self.suggestions.is_empty() {
            msg.push_str(&format!("; did you mean: {}?", self.suggestions.join(", ")));
        }
        Some(msg)
    }
}

/// Why a model could not be counted.
#[derive(Debug)]
pub enum ResolveError {
    /// With `--exact`: the model is known but has no exact local tokenizer.
    NoTokenizer { model: String, provider: String },
    /// With `--exact`: the count would be an approximation for another reason (an
    /// `--encoding` other than the model's, a name matched only by a tiktoken prefix).
    NotExact(String),
    /// Not in the catalog and not an OpenAI model tiktoken knows.
    Unknown(crate::catalog::UnknownModel),
    /// An open-weight model whose tokenizer is not embedded (Llama, Gemma, Mistral's
    /// SentencePiece models); `how` says where its tokenizer file comes from.
    NeedsFile { model: String, how: &'static str },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NoTokenizer { model, provider } if provider == "openai" => write!(
                f,
                "{model} (openai) has no known exact tokenizer: tiktoken 0.14 does not say which \
                 encoding it uses, and --exact refuses estimates (without --exact it is \
                 estimated with {ESTIMATE_BASIS}, labelled approximate)"
            ),
            ResolveError::NoTokenizer { model, provider } => write!(
                f,
                "{model} ({provider}) has no exact local tokenizer: {} does not publish one, \
                 and --exact refuses estimates. Use the provider's token-counting API for an \
                 exact count, or drop --exact for an estimate with {ESTIMATE_BASIS} (labelled \
                 approximate)",
                provider_name(provider)
            ),
            ResolveError::NotExact(why) => write!(f, "{why}, and --exact refuses estimates"),
            ResolveError::Unknown(e) => write!(f, "{e}"),
            ResolveError::NeedsFile { model, how } => write!(
                f,
                "{model} has no embedded tokenizer: {how}. Without it, pass --encoding \
                 o200k_base to approximate (every count is then labelled approximate)"
            ),
        }
    }
}

impl std::error::Error for ResolveError {}

/// Resolves model names against one catalog, the same way for every command.
#[derive(Debug, Clone, Copy)]
pub struct Resolver<'a> {
    pub catalog: &'a Catalog,
    /// Refuse estimates (`--exact`) instead of labelling them.
    pub exact: bool,
}

impl<'a> Resolver<'a> {
    pub fn new(catalog: &'a Catalog, exact: bool) -> Resolver<'a> {
        Resolver { catalog, exact }
    }

    /// Resolve `model` (already defaulted, or `None` when only an encoding was asked for) and
    /// an optional explicit `encoding`. See the module docs for the rules.
    pub fn resolve(
        &self,
        model: Option<&str>,
        encoding: Option<Encoding>,
    ) -> Result<Resolved<'a>, ResolveError> {
        let catalog = self.catalog;
        let Some(name) = model else {
            return Ok(Resolved {
                model_name: None,
                model: None,
                encoding: encoding.unwrap_or(Encoding::O200kBase),
                approximate: None,
                estimate: None,
                matched: Matched::NoModel,
                suggestions: Vec::new(),
                message_rule: MessageRule::COOKBOOK,
            });
        };
        let mut suggestions = Vec::new();
        let mut open = None;
        let (entry, exact, matched) = match catalog.lookup(name) {
            Ok(m) => {
                open = m.open_tokenizer();
                (Some(m), m.encoding(), Matched::Catalog)
            }
            Err(unknown) => match table::lookup(name) {
                Some((e, TableMatch::Exact)) => (None, Some(e), Matched::Tiktoken),
                Some((e, TableMatch::Prefix(p))) => {
                    suggestions = unknown.suggestions;
                    (None, Some(e), Matched::TiktokenPrefix(p))
                }
                None => match open_tokenizer_for_model(name) {
                    Some(OpenTokenizer::Exact(e)) => (None, Some(e), Matched::OpenFamily),
                    Some(o) => {
                        open = Some(o);
                        (None, None, Matched::OpenFamily)
                    }
                    None => return Err(ResolveError::Unknown(unknown)),
                },
            },
        };
        if self.exact
            && let Matched::TiktokenPrefix(p) = matched
        {
            let mut why = format!(
                "'{name}' is not in the catalog and matches tiktoken's table only by its prefix \
                 '{p}'"
            );
            if !suggestions.is_empty() {
                why = format!("{why} (did you mean: {}?)", suggestions.join(", "));
            }
            return Err(ResolveError::NotExact(why));
        }
        let (encoding, approximate) = match (exact, encoding) {
            (None, None) if let Some(OpenTokenizer::Approximate(e, why)) = open => {
                (e, Some(format!("{name} {why}")))
            }
            (None, None) if let Some(OpenTokenizer::NeedsFile(how)) = open => {
                return Err(ResolveError::NeedsFile {
                    model: name.to_string(),
                    how,
                });
            }
            (Some(exact), None) => (exact, None),
            (Some(exact), Some(asked)) if asked == exact || same_ordinary(asked, exact) => {
                (asked, None)
            }
            (Some(exact), Some(asked)) => (
                asked,
                Some(format!(
                    "{name} uses {exact}; counted with {asked} as asked, so counts are \
                     approximate"
                )),
            ),
            (None, asked) => {
                if self.exact {
                    let provider = entry.map(|m| m.provider.clone()).unwrap_or_default();
                    return Err(ResolveError::NoTokenizer {
                        model: name.to_string(),
                        provider,
                    });
                }
                let why = match asked {
                    Some(asked) => format!(
                        "{name} has no exact local tokenizer; counted with {asked} as an \
                         approximation"
                    ),
                    None => format!(
                        "{name} has no exact local tokenizer; estimated with {ESTIMATE_BASIS}"
                    ),
                };
                (asked.unwrap_or(ESTIMATE_BASIS), Some(why))
            }
        };
        if self.exact
            && let Some(why) = &approximate
        {
            return Err(ResolveError::NotExact(why.clone()));
        }
        let estimate = approximate.as_ref().map(|_| Estimate {
            basis: encoding,
            range: None,
        });
        // the name as given first: the catalog resolves gpt-3.5-turbo-0301 to gpt-3.5-turbo
        let mut message_rule = MessageRule::for_model(name);
        if message_rule == MessageRule::COOKBOOK
            && let Some(m) = entry
        {
            message_rule = MessageRule::for_model(&m.id);
        }
        Ok(Resolved {
            model_name: Some(name.to_string()),
            model: entry,
            encoding,
            approximate,
            estimate,
            matched,
            suggestions,
            message_rule,
        })
    }
}

/// [`Resolver::resolve`] without `--exact` (estimates labelled, not refused).
pub fn resolve<'a>(
    catalog: &'a Catalog,
    model: Option<&str>,
    encoding: Option<Encoding>,
) -> Result<Resolved<'a>, ResolveError> {
    Resolver::new(catalog, false).resolve(model, encoding)
}

/// o200k_harmony and o200k_base give identical ordinary (non-special) counts.
fn same_ordinary(a: Encoding, b: Encoding) -> bool {
    let base = |e| match e {
        Encoding::O200kHarmony => Encoding::O200kBase,
        Encoding::P50kEdit => Encoding::P50kBase,
        Encoding::Gpt2 => Encoding::R50kBase,
        e => e,
    };
    base(a) == base(b)
}

/// A provider's name for messages (`anthropic` → `Anthropic`).
pub fn provider_name(provider: &str) -> &str {
    match provider {
        "openai" => "OpenAI",
        "anthropic" => "Anthropic",
        "gemini" | "vertex_ai" | "google" => "Google",
        "mistral" => "Mistral",
        "deepseek" => "DeepSeek",
        "xai" => "xAI",
        "" => "its provider",
        other => other,
    }
}
