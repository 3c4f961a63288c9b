fn main() {
    let t = tokenbudget::tokenize::Encoding::O200kBase.tokenizer();
    println!("{}", t.count("hello world"));
}
