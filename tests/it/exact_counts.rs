//! Counts of the fixture texts must equal those of the offline reference, Python tiktoken 0.14
//! (`shared/bench/tiktoken-reference`), recorded in `tests/fixtures/text/expected.tsv`.
//! o200k_harmony has the same ranks and split regex as o200k_base (it only adds special tokens,
//! which ordinary encoding never produces), so it is held to the o200k_base column.

use std::path::Path;
use tokenbudget::tokenize::Encoding;

#[test]
fn fixture_counts_match_reference() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text");
    let tsv = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    assert_eq!(header[0], "file");
    let mut checked = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let text = std::fs::read_to_string(dir.join(cols[0])).expect("fixture is UTF-8");
        for (name, want) in header[1..].iter().zip(&cols[1..]) {
            let want: usize = want.parse().expect("count");
            let mut encs = vec![Encoding::from_name(name).expect("known encoding")];
            if *name == "o200k_base" {
                encs.push(Encoding::O200kHarmony);
            }
            for enc in encs {
                let got = enc.tokenizer().count(&text);
                assert_eq!(got, want, "{enc} on {}", cols[0]);
                assert_eq!(enc.tokenizer().count_parallel(&text, 3), want);
                checked += 1;
            }
        }
    }
    assert!(checked >= 17 * 5, "only {checked} checks");
}
