//! Which encoding a model name uses, resolved the way OpenAI's tiktoken 0.14 does
//! (`tiktoken/model.py`), plus provider prefixes (`openai/gpt-4o`, `azure/gpt-4o`) and one
//! extension the issue asks for: every `o4*` name maps to `o200k_base` (tiktoken only knows
//! `o4-mini`).
//!
//! Open-weight models ([`open_tokenizer_for_model`]) are recognised by name under any provider
//! prefix (`together_ai/Qwen/Qwen2.5-72B-Instruct-Turbo`, `groq/qwen-qwq-32b`,
//! `fireworks_ai/accounts/fireworks/models/deepseek-v3`, `bedrock/us.deepseek.r1-v1:0`,
//! `mistral/open-mistral-nemo`): Qwen, DeepSeek and Mistral Tekken models count exactly with the
//! embedded vocabularies; Llama, Gemma and Mistral's SentencePiece models need their tokenizer
//! file (their vocabularies are not embedded).

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
/// (that includes every non-OpenAI model: Claude, Gemini, Llama, Mistral, ...). See
/// [`open_tokenizer_for_model`] for the open-weight families.
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

/// How an open-weight model is tokenized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenTokenizer {
    /// Counted exactly with an embedded encoding.
    Exact(Encoding),
    /// Counted with an embedded encoding whose match with the model's own tokenizer file could
    /// not be checked; counts are labelled approximate with this reason.
    Approximate(Encoding, &'static str),
    /// Exact only with the model's own tokenizer file; the text says how to get it.
    NeedsFile(&'static str),
}

const LATER_TEKKEN: &str = "uses a later Tekken version (tekken.json v7 or newer) than the one \
     embedded (mistral-common's tekken_240718); its ordinary vocabulary is believed to be the same \
     but could not be checked, so counts are approximate";
const LLAMA_FILE: &str = "Meta's Llama tokenizer is under the Llama licence's extra terms, so it \
     is not embedded: download tokenizer.json from the model's Hugging Face repository (e.g. \
     meta-llama/Llama-3.3-70B-Instruct, after accepting the licence)";
const GEMMA_FILE: &str = "Google's Gemma tokenizer is under the Gemma terms, so it is not \
     embedded: download tokenizer.json (or tokenizer.model) from the model's Hugging Face \
     repository (e.g. google/gemma-3-27b-it, after accepting the terms)";
const MISTRAL_SP_FILE: &str = "this Mistral model uses a SentencePiece tokenizer, not Tekken: \
     its tokenizer.model ships in the mistral-common package (mistral_common/data/, e.g. \
     mistral_instruct_tokenizer_240323.model.v3 for Mistral Large 2407 and Codestral 2405)";

/// The name of an open-weight model without its provider path and Bedrock vendor prefix,
/// lowercase: `together_ai/Qwen/Qwen2.5-7B` → `qwen2.5-7b`, `bedrock/us.meta.llama3-1-70b` →
/// `llama3-1-70b`, `bedrock/deepseek.r1-v1:0` → `deepseek-r1-v1:0`.
fn open_name(model: &str) -> String {
    let n = model.trim().to_lowercase();
    let mut n = n.rsplit('/').next().unwrap_or(&n).to_string();
    for region in ["us.", "eu.", "apac.", "global.", "us-gov."] {
        if let Some(rest) = n.strip_prefix(region) {
            n = rest.to_string();
            break;
        }
    }
    for (vendor, keep) in [
        ("meta.", ""),
        ("mistral.", ""),
        ("qwen.", ""),
        ("google.", ""),
        ("openai.", ""),
        ("deepseek.", "deepseek-"),
    ] {
        if let Some(rest) = n.strip_prefix(vendor) {
            n = format!("{keep}{rest}");
            break;
        }
    }
    n
}

/// The tokenizer of an open-weight model by its name (any provider prefix), or `None` when it
/// is not one this table knows.
pub fn open_tokenizer_for_model(model: &str) -> Option<OpenTokenizer> {
    use OpenTokenizer::*;
    let n = open_name(model);
    let starts = |ps: &[&str]| ps.iter().any(|p| n.starts_with(p));
    if n.contains("distill") {
        // DeepSeek-R1-Distill-Qwen/Llama keep their base model's vocabulary
        if n.contains("qwen") {
            return Some(Exact(Encoding::Qwen2));
        }
        if n.contains("llama") {
            return Some(NeedsFile(LLAMA_FILE));
        }
        return None;
    }
    if starts(&[
        "qwen3.5", "qwen3.6", "qwen3-5", "qwen3-6", "qwen3_5", "qwen3_6", "qwen3p5", "qwen3p6",
    ]) {
        return Some(Exact(Encoding::Qwen3_5));
    }
    if starts(&["qwen", "qwq", "qvq"]) {
        return Some(Exact(Encoding::Qwen2));
    }
    if starts(&[
        "deepseek-v3",
        "deepseek-r1",
        "deepseek-v4",
        "deepseek-chat",
        "deepseek-reasoner",
    ]) {
        return Some(Exact(Encoding::DeepseekV3));
    }
    // Mistral: the models mistral-common itself maps to its Tekken files
    if starts(&[
        "open-mistral-nemo",
        "mistral-nemo",
        "pixtral-12b",
        "ministral-8b-2410",
        "mistral-small-2409",
    ]) {
        return Some(Exact(Encoding::MistralTekken));
    }
    // ... and the SentencePiece ones it ships the files of
    if starts(&[
        "open-mistral-7b",
        "mistral-7b",
        "mistral-tiny",
        "open-mixtral",
        "mixtral",
        "mistral-large-2402",
        "mistral-large-2407",
        "mistral-large-2411",
        "pixtral-large-2411",
        "codestral-2405",
        "codestral-22b",
        "codestral-mamba",
        "mistral-small-2312",
        "mistral-small-2402",
        "mistral-medium-2312",
    ]) {
        return Some(NeedsFile(MISTRAL_SP_FILE));
    }
    // later Tekken models (Small 3+, Medium 3, Large 3, Codestral 25.01+, Devstral, Magistral,
    // Ministral 3, Pixtral, Voxtral)
    if starts(&[
        "mistral-small-25",
        "mistral-small-26",
        "mistral-small-3",
        "mistral-small-latest",
        "mistral-medium-25",
        "mistral-medium-26",
        "mistral-medium-3",
        "mistral-medium-latest",
        "mistral-large-25",
        "mistral-large-3",
        "codestral-25",
        "codestral-latest",
        "devstral",
        "magistral",
        "ministral",
        "voxtral",
    ]) {
        return Some(Approximate(Encoding::MistralTekken, LATER_TEKKEN));
    }
    if n.contains("llama") {
        return Some(NeedsFile(LLAMA_FILE));
    }
    if n.contains("gemma") {
        return Some(NeedsFile(GEMMA_FILE));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_models_resolve_under_provider_prefixes() {
        use Encoding::*;
        use OpenTokenizer::*;
        let exact = [
            ("together_ai/Qwen/Qwen2.5-72B-Instruct-Turbo", Qwen2),
            ("groq/qwen-qwq-32b", Qwen2),
            (
                "fireworks_ai/accounts/fireworks/models/qwen3-235b-a22b",
                Qwen2,
            ),
            ("qwen3.6-27b", Qwen3_5),
            ("together_ai/Qwen/Qwen3.5-397B-A17B", Qwen3_5),
            (
                "fireworks_ai/accounts/fireworks/models/deepseek-v3",
                DeepseekV3,
            ),
            ("bedrock/us.deepseek.r1-v1:0", DeepseekV3),
            ("deepseek/deepseek-reasoner", DeepseekV3),
            (
                "together_ai/deepseek-ai/DeepSeek-R1-Distill-Qwen-14B",
                Qwen2,
            ),
            ("mistral/open-mistral-nemo", MistralTekken),
            ("pixtral-12b-2409", MistralTekken),
        ];
        for (m, e) in exact {
            assert_eq!(open_tokenizer_for_model(m), Some(Exact(e)), "{m}");
        }
        assert_eq!(
            open_tokenizer_for_model("mistral/mistral-small-2603"),
            Some(Approximate(MistralTekken, LATER_TEKKEN))
        );
        for m in [
            "bedrock/meta.llama3-1-70b-instruct-v1:0",
            "groq/llama-3.3-70b-versatile",
            "together_ai/meta-llama/Llama-4-Scout-17B-16E-Instruct",
            "groq/deepseek-r1-distill-llama-70b",
        ] {
            assert_eq!(
                open_tokenizer_for_model(m),
                Some(NeedsFile(LLAMA_FILE)),
                "{m}"
            );
        }
        assert_eq!(
            open_tokenizer_for_model("gemini/gemini-gemma-2-27b-it"),
            Some(NeedsFile(GEMMA_FILE))
        );
        assert_eq!(
            open_tokenizer_for_model("mistral/mistral-large-2407"),
            Some(NeedsFile(MISTRAL_SP_FILE))
        );
        for m in [
            "deepseek-coder",
            "gpt-4o",
            "claude-sonnet-4-5",
            "mistral-embed",
        ] {
            assert_eq!(open_tokenizer_for_model(m), None, "{m}");
        }
    }

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
