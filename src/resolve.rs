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
//! A model without an exact local tokenizer (Claude, Gemini, Grok, …) is never refused by
//! default and never counted silently: it gets a labelled **estimate** ([`Estimate`]: `~` in
//! text, `"approximate": true` and its `"basis"` in JSON), counted with `o200k_base` unless
//! `--encoding` names another basis. Claude and Gemini estimates are calibrated
//! ([`Estimate::calibration`], the ratios in [`crate::estimate`]): the o200k_base count scaled
//! for the model's generation and the text's kind, with its range ([`EstimateRange`]), and
//! every limit compares the range's high end. With `--exact` ([`Resolver::exact`]) every estimate is refused instead
//! (exit 2): an inexact model, an `--encoding` other than the model's, a prefix-only match.
//!
//! An open-weight model whose tokenizer file exists but is not embedded (Llama, Gemma, Mistral's
//! SentencePiece models) is refused instead ([`ResolveError::NeedsFile`], saying where the file
//! comes from) unless `--encoding` asks for an approximation: the file gives the exact count.
//!
//! `--tokenizer FILE` ([`Resolver::resolve_file`]) counts exactly with the file instead: the
//! model then only picks the catalog entry (context window, prices).
//!
//! Public names (stable): [`Resolver`], [`Resolved`], [`Estimate`], [`EstimateRange`],
//! [`Matched`], [`ResolveError`], [`resolve`], [`default_model`], [`DEFAULT_MODEL`],
//! [`MODEL_ENV`], [`ESTIMATE_BASIS`].

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::catalog::{Catalog, Model};
pub use crate::estimate::EstimateRange;
use crate::estimate::{self, ContentKind, Rule};
use crate::tokenize::chat::MessageRule;
use crate::tokenize::external::{self, Split};
use crate::tokenize::model::{self as table, OpenTokenizer, TableMatch, open_tokenizer_for_model};
use crate::tokenize::{Encoding, Tokenizer};

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
    /// The calibration for the model's generation (Claude, Gemini; always on an
    /// `o200k_base` basis): counts are scaled by it and carry their range. `None` means a
    /// plain estimate, the basis count itself, with no known range.
    pub calibration: Option<&'static Rule>,
}

impl Estimate {
    /// The name of the basis, as shown in JSON (`"basis"`).
    pub fn basis_name(&self) -> &'static str {
        self.basis.name()
    }
    /// The estimate for a basis count `count` of a text of kind `kind`: the central value
    /// and its range, or `None` for a plain estimate (the count is the basis count).
    pub fn range(&self, count: u64, kind: ContentKind) -> Option<(u64, EstimateRange)> {
        self.calibration.map(|rule| rule.estimate(count, kind))
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
    /// Counted with a `--tokenizer` file; the model name, when given and in the catalog,
    /// only picks the catalog entry.
    File,
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
    /// The tokenizer file every count uses instead of `encoding` (`--tokenizer FILE`).
    pub file: Option<Arc<Tokenizer>>,
}

impl Resolved<'_> {
    /// The tokenizer every count uses: the `--tokenizer` file, else the encoding's.
    pub fn tokenizer(&self) -> &Tokenizer {
        match &self.file {
            Some(t) => t,
            None => self.encoding.tokenizer(),
        }
    }
    /// What reports name the tokenizer by: the encoding (`o200k_base`) or the file's label.
    pub fn tokenizer_name(&self) -> String {
        self.tokenizer().name()
    }
    /// The calibration of a Claude/Gemini estimate, when counts are one.
    pub fn calibration(&self) -> Option<&'static Rule> {
        self.estimate.as_ref().and_then(|e| e.calibration)
    }
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
    /// The `--tokenizer` file could not be used.
    File(external::LoadError),
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
                 exact count, pass --tokenizer FILE if you have the model's tokenizer file, or \
                 drop --exact for an estimate with {ESTIMATE_BASIS} (labelled approximate)",
                provider_name(provider)
            ),
            ResolveError::NotExact(why) => write!(f, "{why}, and --exact refuses estimates"),
            ResolveError::Unknown(e) => write!(f, "{e}"),
            ResolveError::NeedsFile { model, how } => write!(
                f,
                "{model} has no embedded tokenizer: {how}, then pass --tokenizer FILE (or \
                 `tokenizer = \"FILE\"` in tokenbudget.toml) for an exact count. Without it, pass \
                 --encoding o200k_base to approximate (every count is then labelled approximate)"
            ),
            ResolveError::File(e) => write!(f, "--tokenizer {e}"),
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
                file: None,
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
        let asked = encoding;
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
        // Claude and Gemini are calibrated against o200k_base (not against another basis
        // asked for with --encoding).
        let calibration = match (exact, asked) {
            (None, None) => {
                let provider = entry.map(|m| m.provider.as_str()).unwrap_or_default();
                estimate::rule_for(name, provider)
            }
            _ => None,
        };
        let approximate = match (calibration, approximate) {
            (Some(rule), Some(_)) => Some(format!(
                "{name} has no exact local tokenizer; estimated from {ESTIMATE_BASIS}, calibrated \
                 for {}, with its range",
                rule.generation
            )),
            (_, a) => a,
        };
        let estimate = approximate.as_ref().map(|_| Estimate {
            basis: encoding,
            calibration,
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
            file: None,
        })
    }

    /// Count with the tokenizer file `path` (`--tokenizer`, `tokenizer =` in tokenbudget.toml)
    /// instead of the model's encoding: exact, so `--exact` accepts it. The model (when given)
    /// still decides the context window and prices, and may be any model, even one with no
    /// exact local tokenizer or not in the catalog at all: the file is taken to be that
    /// model's tokenizer. Chat requests use the cookbook's per-message rule (the model's own
    /// chat template may differ; commands say so in a note).
    pub fn resolve_file(
        &self,
        model: Option<&str>,
        path: &Path,
        split: Option<Split>,
    ) -> Result<Resolved<'a>, ResolveError> {
        let tok = Tokenizer::from_file(path, split).map_err(ResolveError::File)?;
        Ok(self.with_file(model, Arc::new(tok)))
    }

    /// Like [`Resolver::resolve_file`], with a tokenizer already loaded (a config's file is
    /// read once for every budget that uses it).
    pub fn with_file(&self, model: Option<&str>, tok: Arc<Tokenizer>) -> Resolved<'a> {
        let entry = model.and_then(|m| self.catalog.lookup(m).ok());
        Resolved {
            model_name: model.map(str::to_string),
            model: entry,
            encoding: Encoding::O200kBase,
            approximate: None,
            estimate: None,
            matched: Matched::File,
            suggestions: Vec::new(),
            message_rule: MessageRule::COOKBOOK,
            file: Some(tok),
        }
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
