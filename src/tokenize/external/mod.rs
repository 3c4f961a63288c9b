//! Tokenizers read from a file at run time: `--tokenizer FILE` (and `tokenizer = "path"` in
//! `tokenbudget.toml`).
//!
//! Three kinds of file, recognised by their content (not their name):
//!
//! - **A Hugging Face `tokenizer.json`** (a JSON object with a `model`). Counted by the
//!   reference implementation itself, the `tokenizers` crate, built without its C/C++ parts
//!   (`default-features = false`: no Oniguruma, no esaxx C++; its `Split` regexes run on the
//!   pure-Rust `fancy-regex`). Every normaliser, pre-tokeniser and model kind the crate knows is
//!   supported; a kind it does not know, or a `Split` regex `fancy-regex` cannot compile, is an
//!   error naming the JSON path of the part ([`hf`]).
//! - **A tiktoken rank file** (`base64-token rank` per line) with a named split rule
//!   (`--split o200k|cl100k|p50k|r50k`): the split is this crate's own exact pre-tokeniser of
//!   that family, the merge is tiktoken's ([`rank`]).
//! - **A SentencePiece `.model`** (a serialized `ModelProto`): read by a small protobuf reader
//!   and encoded by a port of SentencePiece's own normaliser and its Unigram / BPE encoders,
//!   with byte fallback ([`spm`]).
//!
//! Special-token text inside the user's text is ordinary text in all three, as in
//! `encode_ordinary`: `tokenizer.json` special added tokens are not matched
//! (`encode_special_tokens`), SentencePiece control symbols are never matched (as in
//! SentencePiece itself), a rank file has no special tokens.

pub mod hf;
pub mod rank;
pub mod spm;

use std::fmt;
use std::path::{Path, PathBuf};

use super::pretok::Family;

/// The pre-tokeniser (split rule) used with a tiktoken rank file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// o200k_base's regex (also o200k_harmony's).
    O200k,
    /// cl100k_base's regex.
    Cl100k,
    /// GPT-2's regex, used by p50k_base and r50k_base.
    Gpt2,
}

impl Split {
    /// Every name `--split` accepts.
    pub const NAMES: &'static [&'static str] = &["o200k", "cl100k", "p50k", "r50k", "gpt2"];

    pub fn from_name(name: &str) -> Option<Split> {
        let n = name.trim().to_ascii_lowercase();
        let n = n.strip_suffix("_base").unwrap_or(&n);
        match n {
            "o200k" | "o200k_harmony" => Some(Split::O200k),
            "cl100k" => Some(Split::Cl100k),
            "p50k" | "r50k" | "gpt2" => Some(Split::Gpt2),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Split::O200k => "o200k",
            Split::Cl100k => "cl100k",
            Split::Gpt2 => "gpt2",
        }
    }

    pub(crate) fn family(self) -> Family {
        match self {
            Split::O200k => Family::O200k,
            Split::Cl100k => Family::Cl100k,
            Split::Gpt2 => Family::Gpt2,
        }
    }
}

/// What kind of file a tokenizer was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A Hugging Face `tokenizer.json`.
    TokenizerJson,
    /// A tiktoken rank file.
    Tiktoken,
    /// A SentencePiece model.
    Sentencepiece,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::TokenizerJson => "tokenizer.json",
            FileKind::Tiktoken => "tiktoken",
            FileKind::Sentencepiece => "sentencepiece",
        }
    }
}

/// Why a tokenizer file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for LoadError {}

enum Engine {
    Hf(Box<hf::HfTokenizer>),
    Rank(rank::RankTokenizer),
    Spm(Box<spm::SpmTokenizer>),
}

/// A tokenizer read from a file.
pub struct FileTokenizer {
    engine: Engine,
    path: PathBuf,
    label: String,
}

impl fmt::Debug for FileTokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTokenizer")
            .field("path", &self.path)
            .field("label", &self.label)
            .finish()
    }
}

/// Largest tokenizer file read (real ones are at most a few tens of megabytes).
const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

impl FileTokenizer {
    /// Read `path`. `split` is required for a tiktoken rank file and refused for the others.
    pub fn open(path: &Path, split: Option<Split>) -> Result<FileTokenizer, LoadError> {
        let err = |message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read it: {e}")))?;
        if meta.is_dir() {
            return Err(err(
                "is a directory; give the tokenizer file itself (tokenizer.json, a .tiktoken \
                 rank file or a SentencePiece .model)"
                    .into(),
            ));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(err(format!(
                "is {} bytes, more than any tokenizer file (the limit is {MAX_FILE_BYTES})",
                meta.len()
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read it: {e}")))?;
        Self::from_bytes(&bytes, path, split)
    }

    /// Build from the bytes of a file; `path` is used in messages and labels only.
    pub fn from_bytes(
        bytes: &[u8],
        path: &Path,
        split: Option<Split>,
    ) -> Result<FileTokenizer, LoadError> {
        let err = |message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        let kind = sniff(bytes);
        let engine = match (kind, split) {
            (Some(FileKind::Tiktoken), Some(s)) => {
                Engine::Rank(rank::RankTokenizer::parse(bytes, s).map_err(err)?)
            }
            (Some(FileKind::Tiktoken), None) => {
                return Err(err(format!(
                    "is a tiktoken rank file, which does not say how text is split before \
                     merging: add --split {} (or `split = \"...\"` next to `tokenizer` in \
                     tokenbudget.toml)",
                    Split::NAMES.join("|")
                )));
            }
            (Some(k), Some(s)) => {
                return Err(err(format!(
                    "is a {} file, which carries its own split rule: --split {} applies only to \
                     tiktoken rank files",
                    k.name(),
                    s.name()
                )));
            }
            (Some(FileKind::TokenizerJson), None) => {
                Engine::Hf(Box::new(hf::HfTokenizer::parse(bytes).map_err(err)?))
            }
            (Some(FileKind::Sentencepiece), None) => {
                Engine::Spm(Box::new(spm::SpmTokenizer::parse(bytes).map_err(err)?))
            }
            (None, _) => {
                return Err(err(
                    "is not a tokenizer file tokenbudget reads: expected a Hugging Face \
                     tokenizer.json, a tiktoken rank file (base64 token and rank per line) or a \
                     SentencePiece .model"
                        .into(),
                ));
            }
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string())
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect::<String>();
        let label = match &engine {
            Engine::Rank(r) => format!("{name} (tiktoken, {} split)", r.split().name()),
            Engine::Hf(_) => format!("{name} (tokenizer.json)"),
            Engine::Spm(s) => format!("{name} (sentencepiece {})", s.model_type()),
        };
        Ok(FileTokenizer {
            engine,
            path: path.to_path_buf(),
            label,
        })
    }

    /// The file this tokenizer was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A short description for reports: `tokenizer.json (tokenizer.json)`,
    /// `ranks.tiktoken (tiktoken, cl100k split)`, `tok.model (sentencepiece unigram)`.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn kind(&self) -> FileKind {
        match self.engine {
            Engine::Hf(_) => FileKind::TokenizerJson,
            Engine::Rank(_) => FileKind::Tiktoken,
            Engine::Spm(_) => FileKind::Sentencepiece,
        }
    }

    /// Number of tokens of `text`.
    pub fn count(&self, text: &str) -> usize {
        match &self.engine {
            Engine::Hf(t) => t.count(text),
            Engine::Rank(t) => t.count(text),
            Engine::Spm(t) => t.count(text),
        }
    }

    /// Token ids of `text`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        match &self.engine {
            Engine::Hf(t) => t.encode(text),
            Engine::Rank(t) => t.encode(text),
            Engine::Spm(t) => t.encode(text),
        }
    }

    /// The bytes one token stands for (for `--show-tokens`). For `tokenizer.json` and
    /// SentencePiece files this is the token's text as the file spells it after undoing the
    /// byte-level and `▁` conventions; empty for an unknown id.
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        match &self.engine {
            Engine::Hf(t) => t.token_bytes(id),
            Engine::Rank(t) => t.token_bytes(id),
            Engine::Spm(t) => t.token_bytes(id),
        }
    }

    /// The first error met while encoding, if any (the `tokenizers` crate can fail on a text,
    /// e.g. when a regex gives up). Counts made after such an error are not exact, and
    /// commands check this before reporting.
    pub fn failure(&self) -> Option<String> {
        match &self.engine {
            Engine::Hf(t) => t.failure(),
            Engine::Rank(_) | Engine::Spm(_) => None,
        }
    }
}

/// Which kind of tokenizer file `bytes` is, judged by content.
fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return Some(FileKind::TokenizerJson);
    }
    if rank::looks_like_rank_file(text) {
        return Some(FileKind::Tiktoken);
    }
    // A ModelProto starts with its first `pieces` entry: field 1, length-delimited (0x0A).
    if bytes.first() == Some(&0x0A) {
        return Some(FileKind::Sentencepiece);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_names() {
        assert_eq!(Split::from_name("o200k"), Some(Split::O200k));
        assert_eq!(Split::from_name("cl100k_base"), Some(Split::Cl100k));
        assert_eq!(Split::from_name("r50k"), Some(Split::Gpt2));
        assert_eq!(Split::from_name("p50k_base"), Some(Split::Gpt2));
        assert_eq!(Split::from_name("llama3"), None);
        for n in Split::NAMES {
            assert!(Split::from_name(n).is_some(), "{n}");
        }
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"  {\"model\": {}}"), Some(FileKind::TokenizerJson));
        assert_eq!(sniff(b"IQ== 0\nIg== 1\n"), Some(FileKind::Tiktoken));
        assert_eq!(sniff(b"\x0a\x05\x0a\x03abc"), Some(FileKind::Sentencepiece));
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b""), None);
    }
}
