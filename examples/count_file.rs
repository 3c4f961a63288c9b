//! `cargo run --release --example count_file -- ENCODING FILE [THREADS]`: prints the token count.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(enc), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: count_file ENCODING FILE [THREADS]");
        std::process::exit(2);
    };
    let Some(enc) = tokenbudget::tokenize::Encoding::from_name(enc) else {
        eprintln!("unknown encoding {enc}");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let threads: usize = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(1);
    println!("{}\t{path}", enc.tokenizer().count_parallel(&text, threads));
}
