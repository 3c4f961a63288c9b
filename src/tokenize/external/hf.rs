//! A Hugging Face `tokenizer.json`, counted by the `tokenizers` crate (the reference
//! implementation, without its C/C++ dependencies).
//!
//! What is read and what is not:
//! - `normalizer`, `pre_tokenizer`, `model` and `added_tokens` decide the tokens, and are loaded
//!   by the crate. Each part is first checked on its own, so that a kind this build of the crate
//!   does not know, or a `Split`/`Replace` regex the pure-Rust engine (`fancy-regex`) cannot
//!   compile, is an error naming its JSON path (`pre_tokenizer.pretokenizers[1] (type
//!   "Split"): …`), never a silent approximation.
//! - `post_processor`, `decoder`, `truncation` and `padding` never change how many tokens a
//!   text has when no special tokens are added (they add BOS/EOS, cut, pad or turn ids back
//!   into text), so they are ignored: a file whose decoder is of a kind the crate does not know
//!   still counts exactly.
//! - Special added tokens (`"special": true`, e.g. `<|begin_of_text|>`) are not matched in the
//!   user's text (`encode_special_tokens`), so their text is ordinary text. Non-special added
//!   tokens are part of the vocabulary and are matched, exactly as the reference does.
//! - BPE dropout (`model.dropout`) makes counts random and is refused; a Unigram model
//!   without `unk_id` fails on any character outside its vocabulary and is refused.
//!
//! The reference for these counts is the Python `tokenizers` package with
//! `encode_special_tokens = True` and `add_special_tokens=False`. The crate's regexes run on
//! `fancy-regex` where the Python wheels use Oniguruma; the two agree on the patterns real
//! tokenizers use (tested on the tricky-text fixtures), but an exotic pattern could differ.

use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tokenizers::models::ModelWrapper;
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;

/// A loaded `tokenizer.json`.
pub struct HfTokenizer {
    inner: tokenizers::Tokenizer,
    /// Tokens are spelled with GPT-2's byte-to-character map (a ByteLevel pre-tokenizer).
    byte_level: bool,
    failure: Mutex<Option<String>>,
}

impl HfTokenizer {
    pub fn parse(bytes: &[u8]) -> Result<HfTokenizer, String> {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|e| {
                format!(
                    "is not UTF-8 (invalid byte at offset {}), so it is not a tokenizer.json",
                    e.valid_up_to()
                )
            })?;
        let mut json: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "is not valid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            )
        })?;
        let Some(obj) = json.as_object_mut() else {
            return Err("is not a tokenizer.json: the top level is not a JSON object".into());
        };
        let Some(model) = obj.get("model") else {
            return Err("is not a tokenizer.json: it has no \"model\"".into());
        };
        check_part::<ModelWrapper>(model, "model", "")?;
        check_model(model)?;
        if let Some(n) = obj.get("normalizer") {
            check_part::<NormalizerWrapper>(n, "normalizer", "normalizers")?;
        }
        if let Some(p) = obj.get("pre_tokenizer") {
            check_part::<PreTokenizerWrapper>(p, "pre_tokenizer", "pretokenizers")?;
        }
        let byte_level = ["pre_tokenizer", "decoder"]
            .iter()
            .any(|k| obj.get(*k).is_some_and(mentions_byte_level));
        for k in ["post_processor", "decoder", "truncation", "padding"] {
            if obj.contains_key(k) {
                obj.insert(k.to_string(), Value::Null);
            }
        }
        let mut inner: tokenizers::Tokenizer = serde_json::from_value(json)
            .map_err(|e| format!("could not be loaded as a tokenizer.json: {e}"))?;
        inner.set_encode_special_tokens(true);
        Ok(HfTokenizer {
            inner,
            byte_level,
            failure: Mutex::new(None),
        })
    }

    fn encode_ids(&self, text: &str) -> Vec<u32> {
        match self.inner.encode_fast(text, false) {
            Ok(enc) => enc.get_ids().to_vec(),
            Err(e) => {
                if let Ok(mut f) = self.failure.lock()
                    && f.is_none()
                {
                    *f = Some(format!(
                        "the tokenizers library failed to encode a text: {e}"
                    ));
                }
                Vec::new()
            }
        }
    }

    pub fn count(&self, text: &str) -> usize {
        self.encode_ids(text).len()
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.encode_ids(text)
    }

    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        let Some(tok) = self.inner.id_to_token(id) else {
            return Vec::new();
        };
        if let Some(b) = byte_fallback_piece(&tok) {
            return vec![b];
        }
        if self.byte_level {
            let mut out = Vec::with_capacity(tok.len());
            for c in tok.chars() {
                match byte_level_byte(c) {
                    Some(b) => out.push(b),
                    None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                }
            }
            return out;
        }
        tok.replace('\u{2581}', " ").into_bytes()
    }
}

/// Check one part (and, for a `Sequence`, each of its members) by loading it alone.
fn check_part<T: DeserializeOwned>(v: &Value, path: &str, members: &str) -> Result<(), String> {
    if v.is_null() {
        return Ok(());
    }
    let kind = v.get("type").and_then(Value::as_str);
    if kind == Some("Sequence")
        && !members.is_empty()
        && let Some(items) = v.get(members).and_then(Value::as_array)
    {
        for (i, item) in items.iter().enumerate() {
            check_part::<T>(item, &format!("{path}.{members}[{i}]"), members)?;
        }
    }
    serde_json::from_value::<T>(v.clone())
        .map(drop)
        .map_err(|e| {
            let what = kind.map_or(String::new(), |k| format!(" (type \"{k}\")"));
            format!(
                "{path}{what} cannot be loaded by this build of the tokenizers library \
             ({TOKENIZERS_VERSION}): a kind it does not know, or settings it rejects, so the \
             file cannot be counted exactly: {e}"
            )
        })
}

/// The `tokenizers` crate version this build uses.
const TOKENIZERS_VERSION: &str = "tokenizers 0.23";

fn check_model(model: &Value) -> Result<(), String> {
    let kind = model.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "BPE"
        && let Some(d) = model.get("dropout")
        && !d.is_null()
        && d.as_f64() != Some(0.0)
    {
        return Err(format!(
            "model.dropout is {d}: BPE dropout makes every encoding random, so no count is exact \
             (set it to null to count)"
        ));
    }
    if kind == "Unigram" && model.get("unk_id").is_none_or(Value::is_null) {
        return Err(
            "model (type \"Unigram\") has no unk_id: the tokenizers library fails on any \
             character outside its vocabulary, so the file cannot count arbitrary text"
                .into(),
        );
    }
    Ok(())
}

fn mentions_byte_level(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.get("type").and_then(Value::as_str) == Some("ByteLevel")
                || o.values().any(mentions_byte_level)
        }
        Value::Array(a) => a.iter().any(mentions_byte_level),
        _ => false,
    }
}

/// `<0x41>` → 0x41 (SentencePiece-style byte fallback tokens).
pub(crate) fn byte_fallback_piece(tok: &str) -> Option<u8> {
    let hex = tok.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

/// GPT-2's byte-to-character map, inverted: the byte a ByteLevel character stands for.
fn byte_level_byte(c: char) -> Option<u8> {
    let cp = c as u32;
    let printable = |b: u32| (0x21..=0x7E).contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
    if cp < 256 && printable(cp) {
        return Some(cp as u8);
    }
    // the other bytes were mapped to 256, 257, ... in byte order
    let mut n = 256;
    for b in 0u32..256 {
        if !printable(b) {
            if n == cp {
                return Some(b as u8);
            }
            n += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_map() {
        assert_eq!(byte_level_byte('a'), Some(b'a'));
        assert_eq!(byte_level_byte('Ġ'), Some(b' '));
        assert_eq!(byte_level_byte('Ċ'), Some(b'\n'));
        assert_eq!(byte_level_byte('Ā'), Some(0));
        assert_eq!(byte_level_byte('漢'), None);
        assert_eq!(byte_fallback_piece("<0x0A>"), Some(b'\n'));
        assert_eq!(byte_fallback_piece("<0x0A"), None);
    }
}
