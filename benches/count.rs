//! Throughput benchmark: `cargo bench --bench count [-- ENCODING]`.
//!
//! Reports, for each corpus file in `../shared/bench` (gunzipped in memory first; counting is
//! what is timed), MB/s of `count` single-threaded and `count_parallel(2)`, against tiktoken-rs
//! and bpe-openai (o200k/cl100k only), plus the two cliff cases: a 1 MB run of one letter and a
//! 1 MB base64 blob. Counts are cross-checked against tiktoken-rs on the way.

use std::io::Read;
use std::time::{Duration, Instant};
use tokenbudget::tokenize::Encoding;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("runs >= 1"))
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn base64_blob(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            A[(x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 58) as usize] as char
        })
        .collect()
}

fn main() {
    let enc_name = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "o200k_base".into());
    let enc = Encoding::from_name(&enc_name).expect("unknown encoding");

    let t0 = Instant::now();
    let tok = enc.tokenizer();
    let n = tok.count("Hello, world! This is a short prompt.");
    println!(
        "{enc}: engine load + first count: {:.1} µs ({n} tokens)",
        t0.elapsed().as_secs_f64() * 1e6
    );
    let t0 = Instant::now();
    let reference = match enc {
        Encoding::O200kBase => tiktoken_rs::o200k_base(),
        Encoding::O200kHarmony => tiktoken_rs::o200k_harmony(),
        Encoding::Cl100kBase => tiktoken_rs::cl100k_base(),
        Encoding::P50kBase => tiktoken_rs::p50k_base(),
        Encoding::R50kBase => tiktoken_rs::r50k_base(),
        Encoding::P50kEdit => tiktoken_rs::p50k_edit(),
        // tiktoken's gpt2 has r50k_base's ranks and pattern
        Encoding::Gpt2 => tiktoken_rs::r50k_base(),
        other => panic!("{other} is not an OpenAI encoding"),
    }
    .expect("tiktoken-rs loads");
    println!(
        "tiktoken-rs load: {:.1} ms",
        t0.elapsed().as_secs_f64() * 1e3
    );
    let t0 = Instant::now();
    let bpe_openai = match enc {
        Encoding::O200kBase | Encoding::O200kHarmony => Some(bpe_openai::o200k_base()),
        Encoding::Cl100kBase => Some(bpe_openai::cl100k_base()),
        _ => None,
    };
    if let Some(b) = bpe_openai {
        b.count("warm up");
        println!(
            "bpe-openai load: {:.1} ms",
            t0.elapsed().as_secs_f64() * 1e3
        );
    }

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench");
    let mut inputs: Vec<(String, String)> = Vec::new();
    for name in ["prose", "code", "multilingual"] {
        let Ok(gz) = std::fs::read(dir.join(format!("{name}.txt.gz"))) else {
            println!("note: {name}.txt.gz absent in {}", dir.display());
            continue;
        };
        let mut s = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut s)
            .expect("corpus is gzip UTF-8");
        inputs.push((name.to_string(), s));
    }
    inputs.push(("letter-run-1MB".into(), "a".repeat(1_000_000)));
    inputs.push(("base64-1MB".into(), base64_blob(1_000_000)));

    println!(
        "{:<16} {:>9} {:>10} {:>10} {:>12} {:>12}  (MB/s, best of runs)",
        "input", "MB", "ours", "ours-2thr", "tiktoken-rs", "bpe-openai"
    );
    for (name, text) in &inputs {
        let runs = if text.len() > 5_000_000 { 3 } else { 5 };
        let (d1, c1) = best_of(runs, || tok.count(text));
        let (d2, c2) = best_of(runs, || tok.count_parallel(text, 2));
        let (dr, cr) = best_of(1, || reference.encode_ordinary(text).len());
        assert_eq!(c1, cr, "{name}: count differs from tiktoken-rs");
        assert_eq!(c2, cr, "{name}: count_parallel differs from tiktoken-rs");
        let bo = bpe_openai.map(|b| best_of(runs, || b.count(text)).0);
        println!(
            "{:<16} {:>9.2} {:>10.1} {:>10.1} {:>12.1} {:>12}  ours {:.1} ms, tiktoken-rs {:.1} ms, {} tokens",
            name,
            text.len() as f64 / 1e6,
            mbps(text.len(), d1),
            mbps(text.len(), d2),
            mbps(text.len(), dr),
            bo.map(|d| format!("{:.1}", mbps(text.len(), d)))
                .unwrap_or_else(|| "-".into()),
            d1.as_secs_f64() * 1e3,
            dr.as_secs_f64() * 1e3,
            c1
        );
    }
}
