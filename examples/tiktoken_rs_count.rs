//! The Rust reference for benchmarks: count a file with tiktoken-rs (`encode_ordinary`).
//! Used by `benches/compare.sh`; not part of the tool.
//!
//!     cargo run --release --example tiktoken_rs_count -- o200k_base FILE

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(encoding), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: tiktoken_rs_count ENCODING FILE");
        std::process::exit(2);
    };
    let bpe = match encoding.as_str() {
        "o200k_base" => tiktoken_rs::o200k_base(),
        "cl100k_base" => tiktoken_rs::cl100k_base(),
        "p50k_base" => tiktoken_rs::p50k_base(),
        "r50k_base" => tiktoken_rs::r50k_base(),
        other => {
            eprintln!("unknown encoding {other}");
            std::process::exit(2);
        }
    };
    let bpe = match bpe {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    println!("{}\t{path}", bpe.encode_ordinary(&text).len());
}
