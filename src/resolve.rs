//! Which tokenizer (and which catalog entry) a command counts with.
//!
//! Shared by every subcommand so that `count`, `plan`, `cost` and `check` agree: a model is
//! looked up in the catalog; its encoding is the one tiktoken uses for it. A model with no exact
//! local tokenizer (Claude, Gemini, Llama, Mistral, ...) is refused unless `--encoding` names
//! an encoding to approximate with, and then every count is labelled approximate.

use std::fmt;

use crate::catalog::{Catalog, Model};
use crate::tokenize::Encoding;
use crate::tokenize::model::{OpenTokenizer, encoding_for_model, open_tokenizer_for_model};

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
}

impl Resolved<'_> {
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
                 encoding it uses, so a local count could be silently wrong. Pass --encoding \
                 o200k_base to approximate (every count is then labelled approximate)"
            ),
            ResolveError::NoTokenizer { model, provider } => write!(
                f,
                "{model} ({provider}) has no exact local tokenizer: {} does not publish \
                 one, so a local count would be silently wrong. Use the provider's token-counting \
                 API for an exact count, or pass --encoding o200k_base to approximate (every count \
                 is then labelled approximate)",
                provider_name(provider)
            ),
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
        });
    };
    let (entry, exact, open) = match catalog.lookup(name) {
        Ok(m) => (Some(m), m.encoding(), m.open_tokenizer()),
        Err(unknown) => match encoding_for_model(name) {
            Some(e) => (None, Some(e), None),
            None => match open_tokenizer_for_model(name) {
                Some(OpenTokenizer::Exact(e)) => (None, Some(e), None),
                Some(open) => (None, None, Some(open)),
                None => return Err(ResolveError::Unknown(unknown)),
            },
        },
    };
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
