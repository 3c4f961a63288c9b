//! Untrusted text through `report::escape` (with and without the GitHub Actions rules) and
//! through `report::write_json`: no control, bidi or other invisible format character survives,
//! escaping is idempotent, no escaped text can start a workflow command, and the JSON still
//! parses back to the same string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenbudget::report::escape::{escape_with, is_dangerous};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for github in [false, true] {
        let shown = escape_with(&text, github);
        assert!(!shown.chars().any(is_dangerous), "{shown:?}");
        assert_eq!(escape_with(&shown, github), shown, "not idempotent");
        if github {
            assert!(!shown.trim_start().starts_with(':'), "{shown:?}");
            assert!(!shown.contains("##["), "{shown:?}");
        }
        // Only dangerous characters (and in GitHub mode a leading `:` and `##[`) change.
        if !github && !text.chars().any(is_dangerous) {
            assert_eq!(shown, text);
        }
    }
    let mut out = Vec::new();
    tokenbudget::report::write_json(&mut out, &serde_json::json!({ "k": text })).unwrap();
    let json = String::from_utf8(out).unwrap();
    assert!(
        !json.chars().any(|c| c != '\n' && is_dangerous(c)),
        "{json:?}"
    );
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(back["k"].as_str(), Some(text.as_ref()));
});
