//! The price-file parser (tokenbudget TOML/JSON format and LiteLLM's JSON): any text gives a
//! catalog or an error, never a panic; prices in an accepted file cost without overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenbudget::catalog::Catalog;
use tokenbudget::pricing::{Usage, cost};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = Catalog::embedded();
    for name in ["prices.toml", "prices.json"] {
        if let Ok((catalog, _warnings)) = base.with_overrides_text(name.as_ref(), text) {
            // a large request (10^15 tokens per component is cost's own ceiling) on every model
            let big = 1_000_000_000_000_000;
            let usage = Usage {
                input: big,
                cached_input: big,
                cache_write_5m: big,
                cache_write_1h: big,
                output: big,
            };
            for m in catalog.models() {
                let _ = m.encoding();
                for batch in [false, true] {
                    if let Ok(c) = cost(m, &usage, batch) {
                        let _ = c.total.display();
                    }
                }
            }
        }
    }
});
