//! Chat and request JSON: document detection and counting (auto, messages, JSONL), and the
//! `plan` path (split a request, count it, fit it, serialise the fitted request). Nothing may
//! panic, and `--fit`'s result must fit and keep what it promises to keep.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenbudget::count::{Mode, count_document};
use tokenbudget::plan::{self, Budget, FitOptions, HistoryPolicy, ImageRule, Part, Prompt};
use tokenbudget::tokenize::Encoding;

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // every encoding, the open families' chat templates (Mistral's rendered whole) included
    let tok = Encoding::ALL[ctl as usize % Encoding::ALL.len()].tokenizer();
    for mode in [Mode::Auto, Mode::Messages, Mode::Jsonl] {
        if let Ok(c) = count_document(tok, text, mode, 5) {
            let _ = serde_json::to_string(&c);
        }
    }

    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let dir = std::path::Path::new("/nonexistent-tokenbudget-fuzz");
    let Ok(prompt) = Prompt::from_request(value, dir) else {
        return;
    };
    let rule = if ctl & 8 == 0 {
        ImageRule::OpenAi
    } else {
        ImageRule::Anthropic
    };
    let Ok(counts) = plan::count(&prompt, tok, rule) else {
        return;
    };
    let all = vec![true; prompt.items.len()];
    let total: u64 = counts.items.iter().sum::<u64>() + counts.tools;
    let budget = Budget {
        // a window somewhere below or around the request's size
        context_window: total * u64::from(ctl >> 4) / 8 + 1,
        reserve_output: u64::from(ctl >> 6),
        caps: Vec::new(),
    };
    let before = plan::allocate(&prompt, &counts, &all, &budget);
    let _ = serde_json::to_string(&before);
    let opts = FitOptions {
        history: if ctl & 16 == 0 {
            HistoryPolicy::Auto
        } else {
            HistoryPolicy::Last(usize::from(ctl >> 5))
        },
        keep_last: usize::from(ctl >> 6),
    };
    if let Ok(fitted) = plan::fit(&prompt, &counts, &budget, opts) {
        let after = plan::allocate(&prompt, &counts, &fitted.kept, &budget);
        assert!(after.fits, "--fit result does not fit");
        for (i, item) in prompt.items.iter().enumerate() {
            if matches!(item.part, Part::System | Part::User | Part::Examples) {
                assert!(fitted.kept[i], "--fit dropped a {:?} item", item.part);
            }
        }
        // what plan reports after fitting: the kept messages counted again (Mistral's template)
        let again = plan::recount_kept(&prompt, tok, &counts, &fitted.kept).expect("recount");
        assert_eq!(again.items.len(), prompt.items.len());
        let out = plan::fitted_json(&prompt, &fitted.kept);
        let _ = serde_json::to_string_pretty(&out);
    }
});
