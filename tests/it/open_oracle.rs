//! An independent in-Rust oracle for the open-weight encodings: the families' split regexes run
//! by fancy-regex (the regex engine tiktoken uses; DeepSeek's three isolating splits applied in
//! sequence as Hugging Face does), and each piece merged by tiktoken-rs's own
//! `byte_pair_split` over the embedded ranks. It shares only the vocabulary data (and, for
//! Qwen, the NFC step) with the engine, so it checks the hand-written pre-tokenizers and the
//! merge loop on inputs the committed reference fixtures do not hold. DeepSeek merges by merge
//! rank in its reference; the oracle merges tiktoken's way, which for this vocabulary gives the
//! same ids (README, Open-weight models).

use std::sync::OnceLock;

use fancy_regex::Regex;
use proptest::prelude::*;
use tokenbudget::tokenize::Encoding;

const QWEN2: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const QWEN3_5: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const TEKKEN: &str = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const DEEPSEEK: [&str; 3] = [
    r"\p{N}{1,3}",
    r"[一-龥぀-ゟ゠-ヿ]+",
    r##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##,
];

struct Oracle {
    /// applied in order, each to the pieces of the one before (one regex for Qwen and Tekken,
    /// whose alternatives match every char, so isolating equals tiktoken's `find_iter`)
    splits: Vec<Regex>,
    ranks: rustc_hash::FxHashMap<Vec<u8>, u32>,
    offset: u32,
}

fn oracle(enc: Encoding) -> &'static Oracle {
    static CELLS: [OnceLock<Oracle>; 4] = [const { OnceLock::new() }; 4];
    let i = Encoding::OPEN
        .iter()
        .position(|e| *e == enc)
        .expect("open encoding");
    CELLS[i].get_or_init(|| {
        let pats: Vec<&str> = match enc {
            Encoding::Qwen2 => vec![QWEN2],
            Encoding::Qwen3_5 => vec![QWEN3_5],
            Encoding::MistralTekken => vec![TEKKEN],
            _ => DEEPSEEK.to_vec(),
        };
        let offset = if enc == Encoding::MistralTekken {
            1000
        } else {
            0
        };
        let tok = enc.tokenizer();
        let mut ranks = rustc_hash::FxHashMap::default();
        for id in offset..offset + 260_000 {
            let b = tok.token_slice(id);
            if !b.is_empty() {
                ranks.insert(b.to_vec(), id - offset);
            }
        }
        Oracle {
            splits: pats.iter().map(|p| Regex::new(p).expect("regex")).collect(),
            ranks,
            offset,
        }
    })
}

/// HF's `Split` with `Isolated` behaviour: matches and the gaps between them are pieces.
fn isolate<'a>(re: &Regex, s: &'a str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut at = 0;
    for m in re.find_iter(s) {
        let m = m.expect("regex runs");
        if m.start() > at {
            out.push(&s[at..m.start()]);
        }
        out.push(m.as_str());
        at = m.end();
    }
    if at < s.len() {
        out.push(&s[at..]);
    }
    out
}

fn oracle_ids(enc: Encoding, text: &str) -> Vec<u32> {
    let o = oracle(enc);
    let text = enc.tokenizer().normalize(text);
    let mut pieces = vec![&*text];
    for re in &o.splits {
        pieces = pieces.into_iter().flat_map(|p| isolate(re, p)).collect();
    }
    pieces
        .into_iter()
        .flat_map(|p| {
            // tiktoken's encode_ordinary: a piece that is a token is that token, else merged
            let b = p.as_bytes();
            match o.ranks.get(b) {
                Some(&r) => vec![r],
                None => tiktoken_rs::byte_pair_split(b, &o.ranks)
                    .into_iter()
                    .map(|part| o.ranks[part])
                    .collect(),
            }
        })
        .map(|r| r + o.offset)
        .collect()
}

fn check(enc: Encoding, text: &str) -> Result<(), TestCaseError> {
    let got = enc.tokenizer().encode(text);
    prop_assert_eq!(&got, &oracle_ids(enc, text), "{} on {:?}", enc, text);
    prop_assert_eq!(enc.tokenizer().count(text), got.len());
    Ok(())
}

fn text() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "a",
        "Z",
        "é",
        "e\u{301}",
        "\u{301}",
        "ß",
        "İ",
        "ǅ",
        "ʰ",
        "ſ",
        "'s",
        "'LL",
        "'",
        "0",
        "7",
        "²",
        "Ⅻ",
        "٣",
        "１",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\u{a0}",
        "\u{3000}",
        "\u{2028}",
        "!",
        ".",
        "/",
        "-",
        "(",
        "$",
        "€",
        "^",
        "`",
        "😀",
        "👍🏽",
        "\u{200d}",
        "日",
        "本",
        "語",
        "\u{9fa6}",
        "あ",
        "ア",
        "・",
        "ー",
        "゛",
        "한",
        "\u{1100}\u{1161}",
        "ا",
        "ש",
        "न",
        "\u{94d}",
        "\0",
        "\u{1}",
        "\u{7f}",
        "\u{e000}",
        "<|im_start|>",
        "[INST]",
        "<｜User｜>",
        "abc",
        "ABC",
        "Hello",
        " world",
        "123456",
    ]);
    prop::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn open_encodings_equal_the_regex_oracle(s in text()) {
        for enc in Encoding::OPEN {
            check(enc, &s)?;
        }
    }
}

/// The fixture texts (but the 50K-letter word) through the oracle.
#[test]
fn fixture_texts_equal_the_regex_oracle() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // tiktoken-rs's merge is quadratic: the 50K-letter word is left to the fixtures
        if text.len() > 20_000 {
            continue;
        }
        for enc in Encoding::OPEN {
            let got = enc.tokenizer().encode(&text);
            assert!(got == oracle_ids(enc, &text), "{enc} on {}", path.display());
            n += 1;
        }
    }
    assert!(n >= 16 * 4);
}
