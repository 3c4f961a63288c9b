//! A benchmark reference: count a file with bpe-openai (GitHub's `bpe` crate with OpenAI's
//! vocabularies). Used by `benches/scale.sh`; not part of the tool.
//!
//!     cargo run --release --example bpe_openai_count -- o200k_base FILE

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(encoding), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bpe_openai_count ENCODING FILE");
        std::process::exit(2);
    };
    let bpe = match encoding.as_str() {
        "o200k_base" => bpe_openai::o200k_base(),
        "cl100k_base" => bpe_openai::cl100k_base(),
        other => {
            eprintln!("unknown encoding {other} (bpe-openai has o200k_base and cl100k_base)");
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
    println!("{}\t{path}", bpe.count(&text));
}
