//! Text counting against the reference engine (tiktoken-rs): equal ids and counts, chunked
//! counting equal to whole counting, and `truncate` yielding a prefix of at most N tokens.
//! The scale paths too: a counter whose piece memo is kept across texts (misses on the first
//! pass, hits on the second), streaming in small blocks (so block boundaries fall at most
//! safe split points) on two workers, and JSONL of the text's lines streamed in small blocks
//! on two workers against one pass.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenbudget::count::{JsonlAcc, Mode, count_document};
use tokenbudget::stream;
use tokenbudget::tokenize::{Encoding, split_chunks};

fn reference(enc: Encoding) -> &'static tiktoken_rs::CoreBPE {
    // one cell per OpenAI encoding (indexed by its place in Encoding::OPENAI: indexing by
    // Encoding::ALL, which holds the open-weight families too, ran past the array)
    static CELLS: [OnceLock<tiktoken_rs::CoreBPE>; Encoding::OPENAI.len()] =
        [const { OnceLock::new() }; Encoding::OPENAI.len()];
    let idx = Encoding::OPENAI
        .iter()
        .position(|e| *e == enc)
        .expect("an OpenAI encoding");
    CELLS[idx].get_or_init(|| {
        match enc {
            Encoding::O200kBase => tiktoken_rs::o200k_base(),
            Encoding::O200kHarmony => tiktoken_rs::o200k_harmony(),
            Encoding::Cl100kBase => tiktoken_rs::cl100k_base(),
            Encoding::P50kBase => tiktoken_rs::p50k_base(),
            // gpt2 is r50k_base's vocabulary and pattern under another name
            Encoding::R50kBase | Encoding::Gpt2 => tiktoken_rs::r50k_base(),
            Encoding::P50kEdit => tiktoken_rs::p50k_edit(),
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

    // the piece memo, kept across texts: misses first, hits second, same counts
    let mut counter = t.counter();
    assert_eq!(counter.count(&text), n, "{enc}: counter, first pass");
    assert_eq!(counter.count(&text), n, "{enc}: counter, second pass");

    // streaming in blocks of 1..=64 bytes on two workers, the head read apart
    let block = 1 + (ctl as usize * 37 + rest.len()) % 64;
    let b = text.as_bytes();
    let head = (ctl as usize).min(b.len());
    let (bytes, got) =
        stream::count_text(t, &mut &b[head..], b[..head].to_vec(), block, 2, &|_| {})
            .expect("reading a slice");
    assert_eq!(bytes, b.len() as u64, "{enc}: stream bytes");
    assert_eq!(got, Ok(n as u64), "{enc}: stream count (block {block})");
    // and the raw bytes (invalid UTF-8 included): the first invalid byte, or the count
    let (_, got) = stream::count_text(t, &mut &rest[..], Vec::new(), block, 2, &|_| {})
        .expect("reading a slice");
    match std::str::from_utf8(rest) {
        Ok(s) => assert_eq!(got, Ok(t.count(s) as u64), "{enc}: raw stream"),
        Err(e) => assert_eq!(got, Err(e.valid_up_to() as u64), "{enc}: raw stream offset"),
    }

    // JSONL: each line of the text as a JSON string; streamed on two workers = one pass
    let jsonl: String = text
        .split('\n')
        .map(|l| serde_json::Value::String(l.to_string()).to_string() + "\n")
        .collect();
    let whole = count_document(t, &jsonl, Mode::Jsonl, 3).expect("jsonl");
    let mut acc = JsonlAcc::new(3);
    let (_, bad) = stream::count_jsonl(
        t,
        &tokenbudget::request::Options::default(),
        &mut jsonl.as_bytes(),
        Vec::new(),
        block * 4,
        2,
        &|_| {},
        &[],
        &mut acc,
    )
    .expect("reading a slice");
    assert_eq!(bad, None);
    assert_eq!(
        serde_json::to_value(acc.finish()).ok(),
        serde_json::to_value(whole).ok(),
        "{enc}: streamed JSONL"
    );

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
