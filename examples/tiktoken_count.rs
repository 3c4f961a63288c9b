//! A benchmark reference: count a file with the `tiktoken` crate 4.x (crates.io `tiktoken`, the
//! fastest exact Rust engine we know of; its own piece cache and regex pre-tokenizer). Used by
//! `benches/scale.sh`; not part of the tool.
//!
//!     cargo run --release --example tiktoken_count -- o200k_base FILE

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(encoding), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: tiktoken_count ENCODING FILE");
        std::process::exit(2);
    };
    let Some(bpe) = tiktoken::get_encoding(encoding) else {
        eprintln!("unknown encoding {encoding}");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    println!("{}\t{path}", bpe.count(&text));
}
