//! Which tokenizer (and which catalog entry) a command counts with.
//!
//! Shared by every subcommand so that `count`, `plan`, `cost` and `check` agree: a model is
//! looked up in the catalog; its encoding is the one tiktoken uses for it. A model with no exact
//! local tokenizer (Claude, Gemini, Llama, Mistral, ...) is refused unless `--encoding` names
//! an encoding to approximate with, and then every count is labelled approximate.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::catalog::{Catalog, Model};
use crate::estimate::{self, Rule};
use crate::tokenize::external::{self, Split};
use crate::tokenize::{Encoding, Tokenizer, model::encoding_for_model};

/// The environment variable that sets the default model.
pub const MODEL_ENV: &str = "TOKENBUDGET_MODEL";
/// The model used when neither `--model` nor `TOKENBUDGET_MODEL` says otherwise.
pub const DEFAULT_MODEL: &str = "gpt-4o";

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
    /// The tokenizer file every count uses instead of `encoding` (`--tokenizer FILE`).
    pub file: Option<Arc<Tokenizer>>,
    /// Counts are calibrated estimates with a range (Claude, Gemini): the o200k_base count
    /// scaled by this rule (see [`crate::estimate`]).
    pub estimate: Option<&'static Rule>,
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

    pub fn context_window(&self) -> Option<u64> {
        self.model.and_then(|m| m.context_window)
    }
    pub fn is_approximate(&self) -> bool {
        self.approximate.is_some()
    }
}

/// Why a model could not be counted.
#[derive(Debug)]
pub enum ResolveError {
    /// The model is known but has no exact local tokenizer and no `--encoding` was given.
    NoTokenizer { model: String, provider: String },
    /// Not in the catalog and not an OpenAI model tiktoken knows.
    Unknown(crate::catalog::UnknownModel),
    /// The `--tokenizer` file could not be used.
    File(external::LoadError),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NoTokenizer { model, provider } if provider == "openai" => write!(
                f,
                "{model} (openai) has no known exact tokenizer: tiktoken 0.14 does not say which \
                 encoding it uses, so a local count could be silently wrong. Pass --encoding \
                 o200k_base to approximate (every count is then labelled approximate)"
            ),
            ResolveError::NoTokenizer { model, provider } => {
                if let Some(hint) = external::licensed_family_hint(model) {
                    let provider = if provider.is_empty() {
                        String::new()
                    } else {
                        format!(" ({provider})")
                    };
                    return write!(
                        f,
                        "{model}{provider} has no embedded tokenizer. {hint}; or pass \
                         --encoding o200k_base to approximate (every count is then labelled \
                         approximate)"
                    );
                }
                write!(
                    f,
                    "{model} ({provider}) has no exact local tokenizer: {} does not publish \
                     one, so a local count would be silently wrong. Use the provider's \
                     token-counting API for an exact count, pass --tokenizer FILE if you have \
                     the model's tokenizer file, or pass --encoding o200k_base to approximate \
                     (every count is then labelled approximate)",
                    provider_name(provider)
                )
            }
            ResolveError::Unknown(e) => write!(f, "{e}"),
            ResolveError::File(e) => write!(f, "--tokenizer {e}"),
        }
    }
}

impl std::error::Error for ResolveError {}

/// Resolve `model` (already defaulted, or `None` when only an encoding was asked for) and an
/// optional explicit `encoding` against `catalog`.
pub fn resolve<'a>(
    catalog: &'a Catalog,
    model: Option<&str>,
    encoding: Option<Encoding>,
) -> Result<Resolved<'a>, ResolveError> {
    let Some(name) = model else {
        return Ok(Resolved {
            model_name: None,
            model: None,
            encoding: encoding.unwrap_or(Encoding::O200kBase),
            approximate: None,
            file: None,
            estimate: None,
        });
    };
    let (entry, exact) = match catalog.lookup(name) {
        Ok(m) => (Some(m), m.encoding()),
        Err(unknown) => match encoding_for_model(name) {
            Some(e) => (None, Some(e)),
            // Llama, Gemma: not in the catalog, but the user can bring the tokenizer file
            None if encoding.is_none() && external::licensed_family_hint(name).is_some() => {
                return Err(ResolveError::NoTokenizer {
                    model: name.to_string(),
                    provider: String::new(),
                });
            }
            None => return Err(ResolveError::Unknown(unknown)),
        },
    };
    let (encoding, approximate) = match (exact, encoding) {
        (Some(exact), None) => (exact, None),
        (Some(exact), Some(asked)) if asked == exact || same_ordinary(asked, exact) => {
            (asked, None)
        }
        (Some(exact), Some(asked)) => (
            asked,
            Some(format!(
                "{name} uses {exact}; counted with {asked} as asked, so counts are approximate"
            )),
        ),
        (None, Some(asked)) => (
            asked,
            Some(format!(
                "{name} has no exact local tokenizer; counted with {asked} as an approximation"
            )),
        ),
        (None, None) => {
            let provider = entry.map(|m| m.provider.clone()).unwrap_or_default();
            if let Some(rule) = estimate::rule_for(name, &provider) {
                return Ok(Resolved {
                    model_name: Some(name.to_string()),
                    model: entry,
                    encoding: Encoding::O200kBase,
                    approximate: Some(format!(
                        "{name} has no exact local tokenizer: counts are estimates from \
                         o200k_base with their range ({})",
                        rule.generation
                    )),
                    file: None,
                    estimate: Some(rule),
                });
            }
            return Err(ResolveError::NoTokenizer {
                model: name.to_string(),
                provider,
            });
        }
    };
    Ok(Resolved {
        model_name: Some(name.to_string()),
        model: entry,
        encoding,
        approximate,
        file: None,
        estimate: None,
    })
}

/// Like [`resolve`], counting with the tokenizer file `path` (`--tokenizer`) instead of the
/// model's encoding. The model (when given) still decides the context window and prices, and
/// may be any model, even one with no exact local tokenizer or not in the catalog at all: the
/// file is taken to be that model's tokenizer. `encoding` must be `None` (the flags conflict).
pub fn resolve_file<'a>(
    catalog: &'a Catalog,
    model: Option<&str>,
    path: &Path,
    split: Option<Split>,
) -> Result<Resolved<'a>, ResolveError> {
    let tok = Tokenizer::from_file(path, split).map_err(ResolveError::File)?;
    let entry = model.and_then(|m| catalog.lookup(m).ok());
    Ok(Resolved {
        model_name: model.map(str::to_string),
        model: entry,
        encoding: Encoding::O200kBase,
        approximate: None,
        file: Some(Arc::new(tok)),
        estimate: None,
    })
}

/// o200k_harmony and o200k_base give identical ordinary (non-special) counts.
fn same_ordinary(a: Encoding, b: Encoding) -> bool {
    let base = |e| match e {
        Encoding::O200kHarmony => Encoding::O200kBase,
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
