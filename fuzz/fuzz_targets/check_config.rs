//! The `tokenbudget.toml` parser: any text gives a config or located errors, never a panic,
//! and every error location lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenbudget::catalog::Catalog;
use tokenbudget::check::config;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = config::parse(src, Catalog::embedded()) {
        assert!(!errors.is_empty(), "an error result with no error");
        let lines = src.split('\n').count();
        for e in &errors {
            assert!(e.location.line >= 1 && e.location.line <= lines, "{e:?}");
            let _ = e.to_string();
        }
    }
});
