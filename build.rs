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

const ENCODINGS: [&str; 4] = ["o200k_base", "cl100k_base", "p50k_base", "r50k_base"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/tokenize/vocab_hash.rs");
    for enc in ENCODINGS {
        let src = format!("data/vocab/{enc}.tiktoken.gz");
        println!("cargo:rerun-if-changed={src}");
        build_vocab(Path::new(&src), &out, enc);
    }
    build_classes(&out);
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

fn build_vocab(src: &Path, out: &Path, enc: &str) {
    let gz = fs::read(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .expect("vocabulary is gzip UTF-8");
    let mut tokens: Vec<(u32, Vec<u8>)> = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (b64, rank) = line.split_once(' ').expect("line is 'BASE64 RANK'");
        tokens.push((rank.parse().expect("rank is a number"), b64_decode(b64)));
    }
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
