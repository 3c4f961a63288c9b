//! Cross-check the engine against tiktoken-rs (the reference implementation) for all five
//! encodings.

use std::sync::OnceLock;
use tokenbudget::tokenize::Encoding;

fn reference(enc: Encoding) -> &'static tiktoken_rs::CoreBPE {
    static CELLS: [OnceLock<tiktoken_rs::CoreBPE>; Encoding::ALL.len()] =
        [const { OnceLock::new() }; Encoding::ALL.len()];
    let idx = Encoding::ALL.iter().position(|e| *e == enc).unwrap();
    CELLS[idx].get_or_init(|| {
        match enc {
            Encoding::O200kBase => tiktoken_rs::o200k_base(),
            Encoding::O200kHarmony => tiktoken_rs::o200k_harmony(),
            Encoding::Cl100kBase => tiktoken_rs::cl100k_base(),
            Encoding::P50kBase => tiktoken_rs::p50k_base(),
            Encoding::R50kBase => tiktoken_rs::r50k_base(),
            Encoding::P50kEdit => tiktoken_rs::p50k_edit(),
            // tiktoken's gpt2 has r50k_base's ranks and pattern (tiktoken_ext/openai_public.py);
            // tiktoken-rs ships only r50k_base.
            Encoding::Gpt2 => tiktoken_rs::r50k_base(),
            other => panic!("{other} is not an OpenAI encoding"),
        }
        .unwrap()
    })
}

fn check(enc: Encoding, text: &str) {
    let want = reference(enc).encode_ordinary(text);
    let t = enc.tokenizer();
    let got = t.encode(text);
    if got != want {
        let pieces: Vec<&str> = t.pieces(text).collect();
        let shown: String = text.chars().take(200).collect();
        panic!(
            "{enc}: mismatch on {shown:?}\n got  {:?}\n want {:?}\n pieces {:?}",
            &got[..got.len().min(60)],
            &want[..want.len().min(60)],
            &pieces[..pieces.len().min(60)]
        );
    }
    assert_eq!(t.count(text), want.len(), "{enc}: count of {text:?}");
}

fn check_all(text: &str) {
    for enc in Encoding::OPENAI {
        check(enc, text);
    }
}

const CASES: &[&str] = &[
    "",
    "a",
    " ",
    "Hello, world!",
    "hello world",
    "HELLO WORLD HelloWorld helloWORLD",
    "👨‍👩‍👧‍👦 family, 🇫🇷🇯🇵 flags, 👍🏽 👋🏿 skin tones, 🏳️‍🌈",
    "日本語のテキストです。中文文本，한국어 텍스트",
    "مرحبا بالعالم. שלום עולם!",
    "e\u{301}te\u{301} cafe\u{301} \u{301}\u{302}abc a\u{301}B\u{301}C n\u{303}",
    "                                    x",
    "\t\t\tfoo\t \t bar  \t\n\n  \n\t",
    "trailing spaces   ",
    "trailing newlines\n\n\n",
    "line1\r\nline2\r\n\r\n  line3\r\n",
    "1234567890 12 345 6789 3.14159 1,000,000 ١٢٣ ½ Ⅻ",
    "fn main() {\n    println!(\"{}\", x + 1);\n}\n",
    "<html><body class=\"x\"><p>Hi</p></body></html>",
    "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}",
    "<|endoftext|> <|im_start|>user\nhi<|im_end|>",
    "I'm you're we've they'll he'd it's I'M YOU'RE WE'VE THEY'LL HE'D IT'S 'S 'LL 'Ll 'lL 'ſ 'ſs",
    "don't DON'T Don'T o'clock rock'n'roll '''s ''",
    "a/b//c\n/\n//x ;\n/ ;\r\n/",
    "\u{a0}\u{2003}\u{3000}x\u{2028}y\u{85}z\u{1680}",
    "\u{b}\u{c}\u{1c}\u{1d}x \u{b}y",
    "ǅungla ǅ Ǆ ǈ ʰʱʲ aʰb ʰA Aʰ Aʰb",
    "x\u{300}\u{300}y ABC\u{301}D \u{301}",
    "  \n  a",
    " \n\n b",
    "a \n",
    "!\n\n!",
    "'\n's",
];

#[test]
fn fixed_cases() {
    for c in CASES {
        check_all(c);
    }
}

#[test]
fn long_runs() {
    let word = "a".repeat(50_000);
    check_all(&word);
    check_all(&"ab".repeat(3000));
    check_all(&" ".repeat(10_000));
    check_all(&format!("{}x", " \t".repeat(500)));
    check_all(&"\n".repeat(1000));
    check_all(&"9".repeat(1000));
    check_all(&"!?".repeat(1000));
}

/// Single pieces of every length around the short merge's lanes of 8 keys and its 128-byte
/// limit (up to it the quadratic scan, past it the heap): runs of CJK characters (3 bytes
/// each), Cyrillic words (2 bytes, with and without the leading space the pattern takes),
/// one letter repeated (equal ranks: leftmost first).
#[test]
fn pieces_around_the_short_merge_limit() {
    let cjk: Vec<char> = "日本語のテキスト中文文本한국어텍스트".chars().collect();
    let cyr: Vec<char> = "приветмирсловарьжёлтый".chars().collect();
    for chars in (1..=12).chain(40..=46) {
        let run: String = (0..chars).map(|i| cjk[i * 7 % cjk.len()]).collect();
        check_all(&run);
    }
    for chars in (2..=10).chain(60..=66) {
        let word: String = (0..chars).map(|i| cyr[i * 5 % cyr.len()]).collect();
        check_all(&word);
        check_all(&format!(" {word}"));
    }
    for len in (3..=18).chain(124..=132) {
        check_all(&"a".repeat(len));
        check_all(&"ab".repeat(len / 2));
    }
}

/// xorshift64*: a tiny deterministic PRNG.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const ALPHABETS: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    "   ",
    "\t\n\r\u{b}\u{c}",
    "'sdmtlLvVreEST",
    ".,;:!?()[]{}<>/\\\"'-_=+*&^%$#@~`|",
    "日本語中文한국어テキスト",
    "مرحباשלום",
    "\u{301}\u{302}\u{303}\u{64b}\u{5b4}",
    "😀👍🏽👨‍👩‍👧🇫🇷\u{200d}\u{fe0f}",
    "ǅǈʰʱꜰɐ",
    "١٢٣½Ⅻ²",
    "\u{a0}\u{2003}\u{3000}\u{85}\u{2028}",
    "éüßñøçÉÜ",
    "ſ",
];

fn random_text(rng: &mut Rng, max_len: usize) -> String {
    let len = rng.below(max_len) + 1;
    let mut s = String::new();
    let mut alpha = ALPHABETS[rng.below(ALPHABETS.len())];
    for _ in 0..len {
        if rng.below(4) == 0 {
            alpha = ALPHABETS[rng.below(ALPHABETS.len())];
        }
        let chars: Vec<char> = alpha.chars().collect();
        s.push(chars[rng.below(chars.len())]);
    }
    s
}

/// Characters at the edges of the split rules: whitespace kinds, apostrophes and contraction
/// letters, case and mark classes, slashes, digits.
const TRICKY: &[char] = &[
    ' ', ' ', ' ', '\n', '\r', '\t', '\'', '\'', 's', 'S', 't', 'l', 'L', 'e', 'v', 'r', 'm', 'd',
    '\u{17f}', '/', 'A', 'a', 'Z', '1', '2', '\u{301}', '\u{2b0}', '\u{1c5}', '!', '.', '\u{a0}',
    '\u{3000}', '\u{4e2d}', '\u{5d0}', '\u{660}', '\u{b}', '\u{85}', '\u{2028}', '<', '|',
];

#[test]
fn tricky_random_strings() {
    let iters: usize = env_or("TB_FUZZ_ITERS", 3000);
    let seed: u64 = env_or("TB_FUZZ_SEED", 0x005e_ed0f_7a1c_c0de);
    let mut rng = Rng(seed.rotate_left(17) | 1);
    for _ in 0..iters {
        let len = rng.below(30) + 1;
        let s: String = (0..len).map(|_| TRICKY[rng.below(TRICKY.len())]).collect();
        check_all(&s);
    }
}

/// Runs of ASCII white space (the pre-tokenizer's fast path skips spaces eight at a time):
/// every length up to 40, spaces mixed with tabs, CR, LF, VT and FF, after and before each
/// kind of char the run may meet (a letter, a digit, punctuation, a non-ASCII letter or white
/// space char that may continue the run, the end of the text).
#[test]
fn white_space_runs() {
    const KINDS: &[char] = &[' ', ' ', ' ', ' ', '\t', '\n', '\r', '\u{b}', '\u{c}'];
    const EDGES: &[&str] = &[
        "", "x", "X", "1", "!", "'s", "/", "\u{e9}", "\u{a0}x", "\u{3000}", "\u{85}", "\u{2028}",
        "\u{301}", "\u{4e2d}", " x", "\nx",
    ];
    let mut rng = Rng(0x0005_7ace_5eed_0001);
    for len in 0..=40 {
        for (k, after) in EDGES.iter().enumerate() {
            let before = EDGES[(k * 7 + len) % EDGES.len()];
            let pure = " ".repeat(len);
            let mixed: String = (0..len).map(|_| KINDS[rng.below(KINDS.len())]).collect();
            let tail: String = (0..len)
                .map(|i| {
                    if i + 1 == len {
                        KINDS[rng.below(KINDS.len())]
                    } else {
                        ' '
                    }
                })
                .collect();
            for run in [pure, mixed, tail] {
                check_all(&format!("{before}{run}{after}"));
                check_all(&format!("a{run}{after}b{run}"));
            }
        }
    }
}

#[test]
fn random_strings() {
    // TB_FUZZ_ITERS / TB_FUZZ_SEED widen the search when run by hand (e.g. in release mode)
    let iters: usize = env_or("TB_FUZZ_ITERS", 3000);
    let seed: u64 = env_or("TB_FUZZ_SEED", 0x1234_5678_9abc_def1);
    let mut rng = Rng(seed | 1);
    for i in 0..iters {
        let s = random_text(&mut rng, if i % 10 == 0 { 400 } else { 40 });
        check_all(&s);
    }
}

fn naive_truncate(enc: Encoding, text: &str, max: usize) -> &str {
    let t = enc.tokenizer();
    let ids = t.encode(text);
    if ids.len() <= max {
        return text;
    }
    let mut end: usize = ids[..max].iter().map(|&i| t.token_bytes(i).len()).sum();
    loop {
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end == 0 || t.count(&text[..end]) <= max {
            return &text[..end];
        }
        end -= 1;
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn parallel_and_truncate() {
    let mut rng = Rng(0x0bad_cafe_f00d_0001);
    // the property behind count_parallel: counting the chunks separately changes nothing
    let mut split = 0;
    let texts: usize = env_or("TB_SPLIT_ITERS", 300);
    for i in 0..texts {
        let mut s = String::new();
        while s.len() < 3000 {
            s.push_str(&random_text(&mut rng, 200));
        }
        let chunks = tokenbudget::tokenize::split_chunks(&s, 2 + i % 5);
        assert_eq!(chunks.concat(), s);
        split += (chunks.len() > 1) as usize;
        for enc in [
            Encoding::O200kBase,
            Encoding::Cl100kBase,
            Encoding::R50kBase,
        ] {
            let t = enc.tokenizer();
            let n = t.count(&s);
            let parts: usize = chunks.iter().map(|c| t.count(c)).sum();
            assert_eq!(parts, n, "{enc}: chunks {chunks:?}");
        }
    }
    // and the threaded path itself
    for _ in 0..4 {
        let mut s = String::new();
        while s.len() < 70_000 {
            s.push_str(&random_text(&mut rng, 200));
        }
        for enc in [
            Encoding::O200kBase,
            Encoding::Cl100kBase,
            Encoding::R50kBase,
        ] {
            let t = enc.tokenizer();
            let n = t.count(&s);
            assert_eq!(t.count_parallel(&s, 2), n, "{enc}");
            assert_eq!(t.count_parallel(&s, 5), n, "{enc}");
        }
    }
    // truncate on longer texts equals the plain definition (re-count the whole prefix)
    for _ in 0..60 {
        let mut s = String::new();
        while s.len() < 2000 {
            s.push_str(&random_text(&mut rng, 200));
        }
        for enc in [
            Encoding::O200kBase,
            Encoding::Cl100kBase,
            Encoding::R50kBase,
        ] {
            let t = enc.tokenizer();
            let n = t.count(&s);
            for max in [1, n / 3, n / 2, n - 1] {
                assert_eq!(
                    t.truncate(&s, max),
                    naive_truncate(enc, &s, max),
                    "{enc} {max}"
                );
            }
        }
    }
    assert!(
        split > texts * 5 / 6,
        "the texts were split only {split} times"
    );
    for _ in 0..300 {
        let s = random_text(&mut rng, 100);
        for enc in Encoding::ALL {
            let t = enc.tokenizer();
            let n = t.count(&s);
            for max in [0, 1, 2, n / 2, n.saturating_sub(1), n, n + 1] {
                let p = t.truncate(&s, max);
                assert!(s.starts_with(p));
                assert!(t.count(p) <= max, "{enc}: truncate({s:?}, {max}) = {p:?}");
                if max >= n {
                    assert_eq!(p, s);
                }
            }
        }
    }
}

#[test]
fn corpus_slices() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench");
    for name in ["prose", "code", "multilingual"] {
        let path = dir.join(format!("{name}.txt.gz"));
        let Ok(gz) = std::fs::read(&path) else {
            println!(
                "note: {} absent, skipping corpus cross-check",
                path.display()
            );
            continue;
        };
        let text = gunzip(&gz);
        let limit: usize = env_or("TB_CORPUS_BYTES", 200_000);
        let mut end = text.len().min(limit);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        check_all(&text[..end]);
    }
}

fn gunzip(gz: &[u8]) -> String {
    use std::io::Read;
    let mut s = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut s)
        .unwrap();
    s
}
