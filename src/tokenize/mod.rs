//! Tokenizers: the five OpenAI encodings, counted exactly as tiktoken's `encode_ordinary`.
//!
//! TEMPORARY SHIM: backed by tiktoken-rs until the fast engine lands. The public API below is
//! the contract the rest of the crate relies on.

mod bpe;
pub mod model;
mod pretok;
mod vocab;

pub use pretok::Pieces;
use pretok::Family;
use vocab::Vocab;

use std::fmt;

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

    /// The tokenizer for this encoding. Free: the vocabulary is embedded, laid out at build time.
    pub fn tokenizer(self) -> &'static Tokenizer {
        let idx = Encoding::ALL.iter().position(|e| *e == self).unwrap_or(0);
        &TOKENIZERS[idx]
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}


/// A tokenizer for one encoding: a pre-tokenizer family plus an embedded vocabulary.
/// Obtaining one is free (no parsing, no allocation).
pub struct Tokenizer {
    encoding: Encoding,
    family: Family,
    vocab: &'static Vocab,
}

static TOKENIZERS: [Tokenizer; 5] = [
    Tokenizer {
        encoding: Encoding::O200kBase,
        family: Family::O200k,
        vocab: &vocab::O200K,
    },
    Tokenizer {
        encoding: Encoding::O200kHarmony,
        family: Family::O200k,
        vocab: &vocab::O200K,
    },
    Tokenizer {
        encoding: Encoding::Cl100kBase,
        family: Family::Cl100k,
        vocab: &vocab::CL100K,
    },
    Tokenizer {
        encoding: Encoding::P50kBase,
        family: Family::Gpt2,
        vocab: &vocab::P50K,
    },
    Tokenizer {
        encoding: Encoding::R50kBase,
        family: Family::Gpt2,
        vocab: &vocab::R50K,
    },
];

/// Below this many bytes `count_parallel` does not bother with threads.
const PARALLEL_MIN_BYTES: usize = 64 * 1024;

impl Tokenizer {
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The pre-tokenizer pieces of `text` (the regex split tiktoken does before BPE).
    pub fn pieces<'a>(&self, text: &'a str) -> Pieces<'a> {
        Pieces::new(text, self.family)
    }

    /// Number of tokens of `text`, equal to `len(tiktoken.encode_ordinary(text))`.
    pub fn count(&self, text: &str) -> usize {
        let mut sc = bpe::Scratch::default();
        self.pieces(text)
            .map(|p| bpe::count_piece(self.vocab, p.as_bytes(), &mut sc))
            .sum()
    }

    /// Token ids of `text`, equal to tiktoken's `encode_ordinary(text)`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        let mut sc = bpe::Scratch::default();
        for p in self.pieces(text) {
            bpe::encode_piece(self.vocab, p.as_bytes(), &mut sc, &mut |r| out.push(r));
        }
        out
    }

    /// The bytes of one token (a token may hold part of a UTF-8 character). Empty for an id
    /// that is not an ordinary token of this encoding (e.g. a special token).
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        self.vocab.token(id).to_vec()
    }

    /// Like [`Tokenizer::token_bytes`], without copying.
    pub fn token_slice(&self, id: u32) -> &'static [u8] {
        self.vocab.token(id)
    }

    /// Number of tokens of `text`, counted on up to `threads` threads. Always equal to
    /// [`Tokenizer::count`]: the text is only cut where the pre-tokenizer cuts anyway (see the
    /// module documentation).
    pub fn count_parallel(&self, text: &str, threads: usize) -> usize {
        if threads <= 1 || text.len() < PARALLEL_MIN_BYTES {
            return self.count(text);
        }
        let chunks = split_chunks(text, threads);
        if chunks.len() <= 1 {
            return self.count(text);
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .iter()
                .skip(1)
                .map(|c| s.spawn(move || self.count(c)))
                .collect();
            let first = self.count(chunks[0]);
            first
                + handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .sum::<usize>()
        })
    }

    /// The longest prefix of `text` that ends on a character boundary, is made of the first
    /// `max_tokens` tokens of `text` at most, and counts at most `max_tokens` tokens itself.
    pub fn truncate<'a>(&self, text: &'a str, max_tokens: usize) -> &'a str {
        let mut end = 0usize;
        let mut n = 0usize;
        let mut full = true;
        let mut sc = bpe::Scratch::default();
        let mut toks = Vec::new();
        'outer: for p in self.pieces(text) {
            toks.clear();
            bpe::encode_piece(self.vocab, p.as_bytes(), &mut sc, &mut |r| toks.push(r));
            for &t in &toks {
                if n == max_tokens {
                    full = false;
                    break 'outer;
                }
                n += 1;
                end += self.vocab.token(t).len();
            }
        }
        if full {
            return text;
        }
        let mut end = end.min(text.len());
        loop {
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            if end == 0 || self.count(&text[..end]) <= max_tokens {
                return &text[..end];
            }
            end -= 1;
        }
    }
}

/// Cut `text` into about `parts` chunks at safe split points (see the module docs).
pub fn split_chunks(text: &str, parts: usize) -> Vec<&str> {
    let b = text.as_bytes();
    let mut cuts = vec![0usize];
    for k in 1..parts.max(1) {
        let target = text.len() * k / parts;
        let from = target.max(*cuts.last().unwrap_or(&0) + 1);
        if let Some(x) = next_safe_split(b, from) {
            if x > *cuts.last().unwrap_or(&0) && x < b.len() {
                cuts.push(x);
            }
        }
    }
    cuts.push(b.len());
    cuts.dedup();
    cuts.windows(2)
        .filter_map(|w| text.get(w[0]..w[1]))
        .collect()
}

/// The first position `x >= from` where every pre-tokenizer is guaranteed to cut: the char
/// before `x` is a letter or number and `x` holds `\n`, or `x` holds a space followed by a
/// letter.
fn next_safe_split(b: &[u8], from: usize) -> Option<usize> {
    let mut x = from;
    while x < b.len() {
        let c = b[x];
        if (c == b'\n' || c == b' ') && x > 0 {
            let ok_after = c == b'\n' || has_letter_at(b, x + 1);
            if ok_after && is_letter_or_number_before(b, x) {
                return Some(x);
            }
        }
        x += 1;
    }
    None
}

fn has_letter_at(b: &[u8], i: usize) -> bool {
    let (k, _) = pretok::cls_at(b, i);
    pretok::M_L & (1 << k) != 0
}

fn is_letter_or_number_before(b: &[u8], x: usize) -> bool {
    // step back to the start of the previous char
    let mut i = x - 1;
    while i > 0 && (b[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    let (k, _) = pretok::cls_at(b, i);
    (pretok::M_L | (1 << pretok::NUM)) & (1 << k) != 0
}
