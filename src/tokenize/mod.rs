//! Tokenizers: the five OpenAI encodings, counted exactly as tiktoken's `encode_ordinary`.
//!
//! TEMPORARY SHIM: backed by tiktoken-rs until the fast engine lands. The public API below is
//! the contract the rest of the crate relies on.

pub mod chat;
pub mod model;

use std::fmt;
use std::sync::OnceLock;

/// An OpenAI byte-pair encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    O200kBase,
    O200kHarmony,
    Cl100kBase,
    P50kBase,
    R50kBase,
}

impl Encoding {
    pub const ALL: [Encoding; 5] = [
        Encoding::O200kBase,
        Encoding::O200kHarmony,
        Encoding::Cl100kBase,
        Encoding::P50kBase,
        Encoding::R50kBase,
    ];

    /// The name tiktoken uses (`o200k_base`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::O200kHarmony => "o200k_harmony",
            Encoding::Cl100kBase => "cl100k_base",
            Encoding::P50kBase => "p50k_base",
            Encoding::R50kBase => "r50k_base",
        }
    }

    pub fn from_name(name: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The tokenizer for this encoding, loaded on first use and cached for the process.
    pub fn tokenizer(self) -> &'static Tokenizer {
        static CELLS: [OnceLock<Tokenizer>; 5] = [const { OnceLock::new() }; 5];
        let idx = Encoding::ALL.iter().position(|e| *e == self).unwrap_or(0);
        CELLS[idx].get_or_init(|| Tokenizer::load(self))
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A loaded encoding.
pub struct Tokenizer {
    encoding: Encoding,
    bpe: tiktoken_rs::CoreBPE,
}

impl Tokenizer {
    fn load(encoding: Encoding) -> Tokenizer {
        let bpe = match encoding {
            Encoding::O200kBase => tiktoken_rs::o200k_base(),
            Encoding::O200kHarmony => tiktoken_rs::o200k_harmony(),
            Encoding::Cl100kBase => tiktoken_rs::cl100k_base(),
            Encoding::P50kBase => tiktoken_rs::p50k_base(),
            Encoding::R50kBase => tiktoken_rs::r50k_base(),
        }
        .expect("embedded vocabulary is valid");
        Tokenizer { encoding, bpe }
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Number of tokens of `text`, equal to `len(tiktoken.encode_ordinary(text))`.
    pub fn count(&self, text: &str) -> usize {
        self.bpe.encode_ordinary(text).len()
    }

    /// Token ids of `text`, equal to tiktoken's `encode_ordinary(text)`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.bpe.encode_ordinary(text)
    }

    /// The bytes of one token (a token may hold part of a UTF-8 character).
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        self.bpe
            ._decode_native_and_split(vec![id])
            .next()
            .unwrap_or_default()
    }

    /// The longest prefix of `text` that ends on a character boundary, is made of the first
    /// `max_tokens` tokens of `text` at most, and counts at most `max_tokens` tokens itself.
    pub fn truncate<'a>(&self, text: &'a str, max_tokens: usize) -> &'a str {
        let ids = self.encode(text);
        if ids.len() <= max_tokens {
            return text;
        }
        let mut end: usize = ids[..max_tokens]
            .iter()
            .map(|&id| self.token_bytes(id).len())
            .sum();
        loop {
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            if self.count(&text[..end]) <= max_tokens || end == 0 {
                return &text[..end];
            }
            end -= 1;
        }
    }
}
