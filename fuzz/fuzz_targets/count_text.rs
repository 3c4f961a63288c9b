//! Text counting against the reference engine (tiktoken-rs): equal ids and counts, chunked
//! counting equal to whole counting, and `truncate` yielding a prefix of at most N tokens.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenbudget::tokenize::{Encoding, split_chunks};

fn reference(enc: Encoding) -> &'static tiktoken_rs::CoreBPE {
    static CELLS: [OnceLock<tiktoken_rs::CoreBPE>; 5] = [const { OnceLock::new() }; 5];
    let idx = Encoding::ALL.iter().position(|e| *e == enc).unwrap_or(0);
    CELLS[idx].get_or_init(|| {
        match enc {
            Encoding::O200kBase => tiktoken_rs::o200k_base(),
            Encoding::O200kHarmony => tiktoken_rs::o200k_harmony(),
            Encoding::Cl100kBase => tiktoken_rs::cl100k_base(),
            Encoding::P50kBase => tiktoken_rs::p50k_base(),
            Encoding::R50kBase => tiktoken_rs::r50k_base(),
            other => panic!("{other} is not an OpenAI encoding"),
        }
        .expect("the reference vocabulary loads")
    })
}

fuzz_target!(|data: &[u8]| {
    // first byte: encoding and truncation limit; the rest is the text
    let Some((&ctl, rest)) = data.split_first() else {
        return;
    };
    let enc = Encoding::OPENAI[(ctl & 7) as usize % Encoding::OPENAI.len()];
    let text = String::from_utf8_lossy(rest);
    let t = enc.tokenizer();

    let ids = t.encode(&text);
    let want = reference(enc).encode_ordinary(&text);
    assert_eq!(ids, want, "{enc}: ids differ on {text:?}");
    let n = t.count(&text);
    assert_eq!(n, want.len(), "{enc}: count");

    // the ids spell the text back
    let bytes: Vec<u8> = ids
        .iter()
        .flat_map(|&i| t.token_slice(i).iter().copied())
        .collect();
    assert_eq!(bytes, text.as_bytes(), "{enc}: decode");

    // counting independent chunks changes nothing
    let parts = 2 + (ctl >> 5) as usize;
    let chunks = split_chunks(&text, parts);
    assert_eq!(chunks.concat(), text, "{enc}: chunks concat");
    let sum: usize = chunks.iter().map(|c| t.count(c)).sum();
    assert_eq!(sum, n, "{enc}: chunk sum");
    assert_eq!(t.count_parallel(&text, parts), n, "{enc}: count_parallel");

    // truncate: a prefix, on a char boundary, of at most max tokens; all of it when it fits
    let max = match ctl >> 3 & 3 {
        0 => 0,
        1 => n / 2,
        2 => n.saturating_sub(1),
        _ => (ctl as usize >> 5) + 1,
    };
    let p = t.truncate(&text, max);
    assert!(text.starts_with(p), "{enc}: truncate is not a prefix");
    assert!(
        t.count(p) <= max,
        "{enc}: truncate({max}) counts {}",
        t.count(p)
    );
    if max >= n {
        assert_eq!(
            p.len(),
            text.len(),
            "{enc}: truncate dropped text that fits"
        );
    }
});
