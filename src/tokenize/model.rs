//! Which encoding a model name uses, resolved the way OpenAI's tiktoken 0.14 does
//! (`tiktoken/model.py`), plus provider prefixes (`openai/gpt-4o`, `azure/gpt-4o`) and one
//! extension the issue asks for: every `o4*` name maps to `o200k_base` (tiktoken only knows
//! `o4-mini`).

use super::Encoding;

const PREFIXES: &[(&str, Encoding)] = &[
    ("o1-", Encoding::O200kBase),
    ("o3-", Encoding::O200kBase),
    ("o4-mini-", Encoding::O200kBase),
    ("gpt-5", Encoding::O200kBase),
    ("gpt-4.5-", Encoding::O200kBase),
    ("gpt-4.1-", Encoding::O200kBase),
    ("chatgpt-4o-", Encoding::O200kBase),
    ("gpt-4o-", Encoding::O200kBase),
    ("gpt-4-", Encoding::Cl100kBase),
    ("gpt-3.5-turbo-", Encoding::Cl100kBase),
    ("gpt-35-turbo-", Encoding::Cl100kBase),
    ("gpt-oss-", Encoding::O200kHarmony),
    ("codex-mini", Encoding::O200kBase),
    // Beyond tiktoken 0.14: every o4 model (o4, o4-pro, ...) uses o200k_base like o4-mini.
    ("o4", Encoding::O200kBase),
];

const EXACT: &[(&str, Encoding)] = &[
    ("o1", Encoding::O200kBase),
    ("o3", Encoding::O200kBase),
    ("o4-mini", Encoding::O200kBase),
    ("gpt-5", Encoding::O200kBase),
    ("gpt-4.1", Encoding::O200kBase),
    ("gpt-4o", Encoding::O200kBase),
    ("gpt-4", Encoding::Cl100kBase),
    ("gpt-3.5-turbo", Encoding::Cl100kBase),
    ("gpt-3.5", Encoding::Cl100kBase),
    ("gpt-35-turbo", Encoding::Cl100kBase),
    ("davinci-002", Encoding::Cl100kBase),
    ("babbage-002", Encoding::Cl100kBase),
    ("text-embedding-ada-002", Encoding::Cl100kBase),
    ("text-embedding-3-small", Encoding::Cl100kBase),
    ("text-embedding-3-large", Encoding::Cl100kBase),
    ("text-davinci-003", Encoding::P50kBase),
    ("text-davinci-002", Encoding::P50kBase),
    ("text-davinci-001", Encoding::R50kBase),
    ("text-curie-001", Encoding::R50kBase),
    ("text-babbage-001", Encoding::R50kBase),
    ("text-ada-001", Encoding::R50kBase),
    ("davinci", Encoding::R50kBase),
    ("curie", Encoding::R50kBase),
    ("babbage", Encoding::R50kBase),
    ("ada", Encoding::R50kBase),
    ("code-davinci-002", Encoding::P50kBase),
    ("code-davinci-001", Encoding::P50kBase),
    ("code-cushman-002", Encoding::P50kBase),
    ("code-cushman-001", Encoding::P50kBase),
    ("davinci-codex", Encoding::P50kBase),
    ("cushman-codex", Encoding::P50kBase),
    ("text-similarity-davinci-001", Encoding::R50kBase),
    ("text-similarity-curie-001", Encoding::R50kBase),
    ("text-similarity-babbage-001", Encoding::R50kBase),
    ("text-similarity-ada-001", Encoding::R50kBase),
    ("text-search-davinci-doc-001", Encoding::R50kBase),
    ("text-search-curie-doc-001", Encoding::R50kBase),
    ("text-search-babbage-doc-001", Encoding::R50kBase),
    ("text-search-ada-doc-001", Encoding::R50kBase),
    ("code-search-babbage-code-001", Encoding::R50kBase),
    ("code-search-ada-code-001", Encoding::R50kBase),
    ("text-davinci-edit-001", Encoding::P50kEdit),
    ("code-davinci-edit-001", Encoding::P50kEdit),
    ("gpt2", Encoding::Gpt2),
    ("gpt-2", Encoding::Gpt2),
];

/// Provider prefixes stripped before resolving (`openai/gpt-4o` is `gpt-4o`).
const PROVIDER_PREFIXES: &[&str] = &["openai/", "azure/", "azure_ai/", "openrouter/openai/"];

/// The encoding tiktoken would use for `model`, or `None` when tiktoken does not know it
/// (that includes every non-OpenAI model: Claude, Gemini, Llama, Mistral, ...).
pub fn encoding_for_model(model: &str) -> Option<Encoding> {
    lookup(model).map(|(e, _)| e)
}

/// How tiktoken's table matched a model name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableMatch {
    /// The name is in `MODEL_TO_ENCODING` (after provider and `ft:` prefixes are stripped).
    Exact,
    /// Only a prefix of `MODEL_PREFIX_TO_ENCODING` matched (tiktoken: "this can match on
    /// non-existent models"), e.g. `gpt-4o-mni` by `gpt-4o-`.
    Prefix(&'static str),
}

/// [`encoding_for_model`], saying whether the whole name or only a prefix matched.
pub fn lookup(model: &str) -> Option<(Encoding, TableMatch)> {
    let mut name = model.trim();
    for p in PROVIDER_PREFIXES {
        if let Some(rest) = name.strip_prefix(p) {
            name = rest;
            break;
        }
    }
    if let Some(rest) = name.strip_prefix("ft:") {
        let base = rest.split(':').next().unwrap_or(rest);
        return lookup(base);
    }
    if let Some((_, e)) = EXACT.iter().find(|(m, _)| *m == name) {
        return Some((*e, TableMatch::Exact));
    }
    PREFIXES
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map(|(p, e)| (*e, TableMatch::Prefix(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_tiktoken() {
        use Encoding::*;
        let cases = [
            ("gpt-4o", Some(O200kBase)),
            ("gpt-4o-2024-08-06", Some(O200kBase)),
            ("gpt-4o-mini", Some(O200kBase)),
            ("ft:gpt-4o-mini:org::id", Some(O200kBase)),
            ("ft:gpt-3.5-turbo:acme:2023-11-11", Some(Cl100kBase)),
            ("gpt-5", Some(O200kBase)),
            ("gpt-5.1-codex", Some(O200kBase)),
            ("gpt-4.1", Some(O200kBase)),
            ("gpt-4.1-nano", Some(O200kBase)),
            ("o1", Some(O200kBase)),
            ("o3-mini", Some(O200kBase)),
            ("o4-mini-2025-04-16", Some(O200kBase)),
            ("gpt-4", Some(Cl100kBase)),
            ("gpt-4-turbo", Some(Cl100kBase)),
            ("gpt-3.5-turbo-0125", Some(Cl100kBase)),
            ("text-embedding-3-small", Some(Cl100kBase)),
            ("gpt-oss-120b", Some(O200kHarmony)),
            ("text-davinci-003", Some(P50kBase)),
            ("davinci", Some(R50kBase)),
            ("openai/gpt-4o", Some(O200kBase)),
            ("claude-sonnet-4-5", None),
            ("gemini-2.5-pro", None),
            ("o4", Some(O200kBase)),
            ("o4-pro", Some(O200kBase)),
            ("o1-pro", Some(O200kBase)),
            ("text-davinci-edit-001", Some(P50kEdit)),
            ("code-davinci-edit-001", Some(P50kEdit)),
            ("gpt2", Some(Gpt2)),
            ("gpt-2", Some(Gpt2)),
            ("code-search-ada-code-001", Some(R50kBase)),
            ("text-similarity-babbage-001", Some(R50kBase)),
            ("gpt-3.5-turbo-0301", Some(Cl100kBase)),
        ];
        for (m, want) in cases {
            assert_eq!(encoding_for_model(m), want, "{m}");
        }
    }

    #[test]
    fn says_when_only_a_prefix_matched() {
        assert_eq!(
            lookup("gpt-4o"),
            Some((Encoding::O200kBase, TableMatch::Exact))
        );
        assert_eq!(
            lookup("gpt-4o-mni"),
            Some((Encoding::O200kBase, TableMatch::Prefix("gpt-4o-")))
        );
        assert_eq!(
            lookup("gpt-3.5-turbo-FAKE"),
            Some((Encoding::Cl100kBase, TableMatch::Prefix("gpt-3.5-turbo-")))
        );
        assert_eq!(lookup("claude-sonnet-4-5"), None);
    }
}
