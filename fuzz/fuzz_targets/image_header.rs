//! Image headers (PNG, GIF, JPEG, WebP) and `data:` URLs, as `plan` reads them from a request:
//! any bytes give a size or `None`, and the token formulas stay within their published bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenbudget::image::{Detail, anthropic_tokens, data_url_bytes, dimensions, openai_tokens};

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(bytes) = data_url_bytes(text)
    {
        check(&bytes);
    }
});

fn check(bytes: &[u8]) {
    if let Some(size) = dimensions(bytes) {
        assert_eq!(openai_tokens(size, Detail::Low), 85);
        // at most 2048x768 after scaling: 4x2 tiles
        let high = openai_tokens(size, Detail::High);
        assert!((85..=170 * 8 + 85).contains(&high), "{size:?}: {high}");
        assert!(anthropic_tokens(size) <= 1600, "{size:?}");
    }
}
