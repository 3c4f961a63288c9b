//! Lays out the embedded vocabularies and the Unicode class table at build time, so that the
//! library needs no load step at run time (see `src/tokenize/mod.rs`).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
mod vocab_hash {
    include!("src/tokenize/vocab_hash.rs");
}
use vocab_hash::*;

const ENCODINGS: [&str; 6] = [
    "o200k_base",
    "cl100k_base",
    "p50k_base",
    "r50k_base",
    "qwen2",
    "qwen3_5",
];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/tokenize/vocab_hash.rs");
    for enc in ENCODINGS {
        let src = format!("data/vocab/{enc}.tiktoken.gz");
        println!("cargo:rerun-if-changed={src}");
        let tokens = load_tiktoken(&gunzip(Path::new(&src)));
        build_vocab(tokens, None, &out, enc);
    }
    // Mistral Tekken: tiktoken semantics (mistral-common encodes with tiktoken), ranks are the
    // first `default_vocab_size - default_num_special_tokens` entries of the vocab.
    let src = "data/vocab/mistral_tekken.tekken.json.gz";
    println!("cargo:rerun-if-changed={src}");
    build_vocab(
        load_tekken(&gunzip(Path::new(src))),
        None,
        &out,
        "mistral_tekken",
    );
    // DeepSeek V3/R1/V4: a Hugging Face byte-level BPE (merge-rank semantics, see load_hf).
    let src = "data/vocab/deepseek_v3.tokenizer.json.gz";
    println!("cargo:rerun-if-changed={src}");
    let (tokens, merges) = load_hf(&gunzip(Path::new(src)));
    build_vocab(tokens, Some(merges), &out, "deepseek_v3");
    build_classes(&out);
    build_open_classes(&out);
}

fn gunzip(src: &Path) -> String {
    let gz = fs::read(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .expect("vocabulary is gzip UTF-8");
    text
}

fn load_tiktoken(text: &str) -> Vec<(u32, Vec<u8>)> {
    let mut tokens: Vec<(u32, Vec<u8>)> = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (b64, rank) = line.split_once(' ').expect("line is 'BASE64 RANK'");
        tokens.push((rank.parse().expect("rank is a number"), b64_decode(b64)));
    }
    tokens
}

/// A `tekken.json` (mistral-common): `config.default_vocab_size - default_num_special_tokens`
/// ordinary ranks, as mistral-common's `Tekkenizer` keeps (ids are rank + num_special).
fn load_tekken(text: &str) -> Vec<(u32, Vec<u8>)> {
    let v: serde_json::Value = serde_json::from_str(text).expect("tekken.json is JSON");
    let cfg = &v["config"];
    let size = cfg["default_vocab_size"]
        .as_u64()
        .expect("default_vocab_size");
    let special = cfg["default_num_special_tokens"]
        .as_u64()
        .expect("default_num_special_tokens");
    let inner = (size - special) as usize;
    let vocab = v["vocab"].as_array().expect("vocab array");
    assert!(vocab.len() >= inner);
    vocab[..inner]
        .iter()
        .map(|t| {
            let rank = t["rank"].as_u64().expect("rank") as u32;
            (
                rank,
                b64_decode(t["token_bytes"].as_str().expect("token_bytes")),
            )
        })
        .collect()
}

/// GPT-2's byte-to-unicode map, inverted: the char a byte-level BPE vocabulary writes -> byte.
fn byte_level_decoder() -> std::collections::HashMap<char, u8> {
    let mut bs: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    bs.iter()
        .zip(&cs)
        .map(|(&b, &c)| (char::from_u32(c).expect("valid char"), b as u8))
        .collect()
}

/// A Hugging Face `tokenizer.json` with a byte-level BPE model. Returns the tokens (id = rank)
/// and, per token, the byte length of the left part of the merge that makes it (0 for single
/// bytes; bit 7 set when BPE on the token's own bytes does not give the token back).
///
/// HF merges by merge rank, not by the rank of the concatenation as tiktoken does: a pair of
/// parts whose concatenation is a token, but which is not that token's merge, is never merged.
/// The engine keeps tiktoken's loop and rejects such pairs by this left length. That equals HF
/// exactly when each token has one merge and merges come in token-id order (asserted here).
fn load_hf(text: &str) -> (Vec<(u32, Vec<u8>)>, Vec<u8>) {
    use std::collections::HashMap;
    let v: serde_json::Value = serde_json::from_str(text).expect("tokenizer.json is JSON");
    let model = &v["model"];
    assert_eq!(model["type"], "BPE");
    for k in ["continuing_subword_prefix", "end_of_word_suffix", "dropout"] {
        assert!(model[k].is_null(), "{k} is not supported");
    }
    assert!(model["byte_fallback"] != true && model["ignore_merges"] != true);
    let dec = byte_level_decoder();
    let added: std::collections::HashSet<u64> = v["added_tokens"]
        .as_array()
        .expect("added_tokens")
        .iter()
        .map(|t| t["id"].as_u64().expect("id"))
        .collect();
    let mut by_str: HashMap<&str, u32> = HashMap::new();
    let mut tokens = Vec::new();
    for (s, id) in model["vocab"].as_object().expect("vocab object") {
        let id = id.as_u64().expect("id");
        let bytes: Option<Vec<u8>> = s.chars().map(|c| dec.get(&c).copied()).collect();
        match bytes {
            Some(b) => {
                by_str.insert(s.as_str(), id as u32);
                tokens.push((id as u32, b));
            }
            None => assert!(added.contains(&id), "token {id} is not byte-level"),
        }
    }
    let n = tokens.iter().map(|t| t.0).max().expect("tokens") as usize + 1;
    let mut len = vec![0usize; n];
    for (id, b) in &tokens {
        len[*id as usize] = b.len();
    }
    let mut left = vec![0u8; n];
    let mut merge_of: HashMap<(u32, u32), u32> = HashMap::new();
    let mut last = 0u32;
    for m in model["merges"].as_array().expect("merges") {
        let (a, b) = match m {
            serde_json::Value::String(s) => s.split_once(' ').expect("merge 'A B'"),
            serde_json::Value::Array(p) => (
                p[0].as_str().expect("merge part"),
                p[1].as_str().expect("merge part"),
            ),
            _ => panic!("bad merge {m}"),
        };
        let (ia, ib) = (by_str[a], by_str[b]);
        let joined = format!("{a}{b}");
        let t = by_str[joined.as_str()];
        assert!(t > last || last == 0, "merges are in token-id order");
        last = t;
        assert_eq!(left[t as usize], 0, "token {t} has one merge");
        let l = len[ia as usize];
        assert!((1..128).contains(&l), "left part of {t} is 1..=127 bytes");
        left[t as usize] = l as u8;
        merge_of.insert((ia, ib), t);
    }
    for (id, b) in &tokens {
        assert!(
            b.len() == 1 || left[*id as usize] != 0,
            "token {id} has a merge"
        );
    }
    // BPE on each token's own bytes (HF's rule: lowest merge rank = lowest id, leftmost)
    let byte_id: HashMap<u8, u32> = tokens
        .iter()
        .filter(|t| t.1.len() == 1)
        .map(|t| (t.1[0], t.0))
        .collect();
    for (id, b) in &tokens {
        if b.len() < 2 {
            continue;
        }
        let mut parts: Vec<u32> = b.iter().map(|x| byte_id[x]).collect();
        loop {
            let best = (0..parts.len() - 1)
                .filter_map(|i| merge_of.get(&(parts[i], parts[i + 1])).map(|&t| (t, i)))
                .min();
            let Some((t, i)) = best else { break };
            parts[i] = t;
            parts.remove(i + 1);
        }
        if parts != [*id] {
            left[*id as usize] |= 0x80;
        }
    }
    (tokens, left)
}

fn b64_decode(s: &str) -> Vec<u8> {
    fn val(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 char {c}"),
        }
    }
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        acc = (acc << 6) | val(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Lay out the tables of one vocabulary; `left` (HF merge semantics) per rank, see `load_hf`.
fn build_vocab(tokens: Vec<(u32, Vec<u8>)>, left: Option<Vec<u8>>, out: &Path, enc: &str) {
    let max_rank = tokens
        .iter()
        .map(|t| t.0)
        .max()
        .expect("non-empty vocabulary");
    let n = max_rank as usize + 1;
    let mut by_rank: Vec<Option<Vec<u8>>> = vec![None; n];
    for (r, b) in tokens {
        assert!(by_rank[r as usize].is_none(), "duplicate rank {r}");
        by_rank[r as usize] = Some(b);
    }
    // every single byte must be a token (BPE starts from bytes)
    let mut singles = [false; 256];
    for b in by_rank.iter().flatten() {
        if b.len() == 1 {
            singles[b[0] as usize] = true;
        }
    }
    assert!(
        singles.iter().all(|&x| x),
        "{enc}: all 256 bytes are tokens"
    );

    // blob + offsets (rank -> blob[off[r]..off[r+1]]; a missing rank has an empty range)
    let mut blob = Vec::new();
    let mut offsets: Vec<u8> = Vec::with_capacity((n + 1) * 4);
    for b in &by_rank {
        offsets.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        if let Some(b) = b {
            blob.extend_from_slice(b);
        }
    }
    offsets.extend_from_slice(&(blob.len() as u32).to_le_bytes());

    // open-addressing table, linear probing, load factor <= 0.8 (the filter below answers most
    // misses, and hits mostly stay within one cache line)
    let mut bits = 1;
    while (1usize << bits) * 4 < 5 * n {
        bits += 1;
    }
    let cap = 1usize << bits;
    let mut table = vec![0u8; cap * SLOT_BYTES];
    for s in 0..cap {
        table[s * SLOT_BYTES + 8..s * SLOT_BYTES + 12].copy_from_slice(&EMPTY_RANK.to_le_bytes());
    }
    for (r, b) in by_rank.iter().enumerate() {
        let Some(b) = b else { continue };
        let k8 = key8(b);
        let mut i = (hash_bytes(b, k8) >> (64 - bits)) as usize;
        loop {
            let slot = &mut table[i * SLOT_BYTES..(i + 1) * SLOT_BYTES];
            let rk = u32::from_le_bytes(slot[8..12].try_into().unwrap());
            if rk == EMPTY_RANK {
                slot[0..8].copy_from_slice(&k8.to_le_bytes());
                slot[8..12].copy_from_slice(&(r as u32).to_le_bytes());
                slot[12..16].copy_from_slice(&(b.len() as u32).to_le_bytes());
                break;
            }
            i = (i + 1) & (cap - 1);
        }
    }
    // direct table for all 2-byte strings (the most frequent lookup in the merge loop)
    let mut pairs = vec![0xFFu8; 65536 * 4];
    for (r, b) in by_rank.iter().enumerate() {
        if let Some([b0, b1]) = b.as_deref() {
            let i = (*b0 as usize) << 8 | *b1 as usize;
            pairs[4 * i..4 * i + 4].copy_from_slice(&(r as u32).to_le_bytes());
        }
    }
    fs::write(out.join(format!("{enc}.pairs")), &pairs).expect("write pairs");
    let mut bytes1 = vec![0u8; 256 * 4];
    for (r, b) in by_rank.iter().enumerate() {
        if let Some([b0]) = b.as_deref() {
            let i = *b0 as usize;
            bytes1[4 * i..4 * i + 4].copy_from_slice(&(r as u32).to_le_bytes());
        }
    }
    fs::write(out.join(format!("{enc}.bytes")), &bytes1).expect("write bytes");
    // membership filter: one bit per hash value, 8 bits per slot; answers most misses from a
    // table 32x smaller than the hash table
    let fbits = bits + 4;
    let mut filter = vec![0u8; 1 << (fbits - 3)];
    for b in by_rank.iter().flatten() {
        let h = hash_bytes(b, key8(b)) as usize & ((1 << fbits) - 1);
        filter[h >> 3] |= 1 << (h & 7);
    }
    fs::write(out.join(format!("{enc}.filter")), &filter).expect("write filter");
    fs::write(out.join(format!("{enc}.blob")), &blob).expect("write blob");
    fs::write(out.join(format!("{enc}.offsets")), &offsets).expect("write offsets");
    fs::write(out.join(format!("{enc}.table")), &table).expect("write table");
    fs::write(out.join(format!("{enc}.bits")), format!("{bits}")).expect("write bits");
    let mut left = left.unwrap_or_default();
    if !left.is_empty() {
        left.resize(n, 0);
    }
    fs::write(out.join(format!("{enc}.left")), &left).expect("write left");
}

fn class_ranges(pattern: &str) -> Vec<(u32, u32)> {
    let hir = regex_syntax::parse(pattern).expect("valid class pattern");
    match hir.kind() {
        regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(c)) => c
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        other => panic!("{pattern} is not a Unicode class: {other:?}"),
    }
}

/// Character classes, numbered as in `pretok.rs`:
/// 0 other, 1 Ll, 2 Lu|Lt, 3 Lm|Lo, 4 M, 5 N, 6 White_Space except CR LF, 7 CR LF.
fn build_classes(out: &Path) {
    const N: usize = 0x110000;
    let mut cls = vec![0u8; N];
    let set = |cls: &mut Vec<u8>, pat: &str, v: u8| {
        for (a, b) in class_ranges(pat) {
            for c in a..=b {
                cls[c as usize] = v;
            }
        }
    };
    set(&mut cls, r"\p{Ll}", 1);
    set(&mut cls, r"[\p{Lu}\p{Lt}]", 2);
    set(&mut cls, r"[\p{Lm}\p{Lo}]", 3);
    set(&mut cls, r"\p{M}", 4);
    set(&mut cls, r"\p{N}", 5);
    set(&mut cls, r"\s", 6);
    set(&mut cls, r"[\r\n]", 7);
    // sanity: \p{L} is exactly classes 1..=3
    for (a, b) in class_ranges(r"\p{L}") {
        for c in a..=b {
            assert!((1..=3).contains(&cls[c as usize]));
        }
    }
    // the case-insensitive contraction letters fold only to the ASCII pair, plus U+017F for s
    let folds = class_ranges(r"(?i:[sdmtlvre])");
    let expect: Vec<(u32, u32)> = class_ranges(r"[sdmtlvreSDMTLVRE\u{17F}]");
    assert_eq!(folds, expect, "case folds of contraction letters changed");

    // two-level table: blocks of 128 code points
    const B: usize = 128;
    let mut stage1: Vec<u16> = Vec::new();
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for chunk in cls.chunks(B) {
        let idx = match blocks.iter().position(|b| b[..] == chunk[..]) {
            Some(i) => i,
            None => {
                blocks.push(chunk.to_vec());
                blocks.len() - 1
            }
        };
        stage1.push(idx as u16);
    }
    let s1: Vec<u8> = stage1.iter().flat_map(|x| x.to_le_bytes()).collect();
    let s2: Vec<u8> = blocks.concat();
    fs::write(out.join("class_stage1"), s1).expect("write stage1");
    fs::write(out.join("class_stage2"), s2).expect("write stage2");
}

/// Character classes of DeepSeek's pre-tokenizer, numbered as in `pretok_open.rs`:
/// 0 other, 1 L, 2 M, 3 N, 4 White_Space except CR LF, 5 CR LF, 6 P|S; plus 8 for the chars of
/// its CJK split `[一-龥぀-ゟ゠-ヿ]`. Same two-level layout as `build_classes`.
fn build_open_classes(out: &Path) {
    const N: usize = 0x110000;
    let mut cls = vec![0u8; N];
    let set = |cls: &mut Vec<u8>, pat: &str, v: u8| {
        for (a, b) in class_ranges(pat) {
            for c in a..=b {
                cls[c as usize] = v;
            }
        }
    };
    set(&mut cls, r"[\p{P}\p{S}]", 6);
    set(&mut cls, r"\p{L}", 1);
    set(&mut cls, r"\p{M}", 2);
    set(&mut cls, r"\p{N}", 3);
    set(&mut cls, r"\s", 4);
    set(&mut cls, r"[\r\n]", 5);
    // the classes are disjoint: P|S never overlaps L, M, N or White_Space
    for (a, b) in class_ranges(r"[\p{P}\p{S}]") {
        for c in a..=b {
            assert_eq!(cls[c as usize], 6, "U+{c:04X} is P|S and something else");
        }
    }
    for (a, b) in [(0x4E00u32, 0x9FA5u32), (0x3040, 0x309F), (0x30A0, 0x30FF)] {
        for c in a..=b {
            cls[c as usize] |= 8;
        }
    }
    const B: usize = 128;
    let mut stage1: Vec<u16> = Vec::new();
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for chunk in cls.chunks(B) {
        let idx = match blocks.iter().position(|b| b[..] == chunk[..]) {
            Some(i) => i,
            None => {
                blocks.push(chunk.to_vec());
                blocks.len() - 1
            }
        };
        stage1.push(idx as u16);
    }
    let s1: Vec<u8> = stage1.iter().flat_map(|x| x.to_le_bytes()).collect();
    fs::write(out.join("open_class_stage1"), s1).expect("write stage1");
    fs::write(out.join("open_class_stage2"), blocks.concat()).expect("write stage2");
}
