//! tokenbudget: exact token counts, context-window budgets and LLM costs.
//!
//! The library is the core the `tokenbudget` binary is built on: tokenizers ([`tokenize`]),
//! the model catalog ([`catalog`]), money ([`pricing`]), model resolution ([`resolve`]),
//! document counting ([`count`]) and context-window budgets with history fitting ([`plan`],
//! [`image`]). The command layer ([`cli`], [`commands`], [`report`]) is public so the generated
//! docs (man pages, completions) and tests can reach it, but other programs should use the core
//! modules.
//!
//! ```
//! use tokenbudget::tokenize::Encoding;
//!
//! // Exact counts, equal to tiktoken's `encode_ordinary`.
//! let tok = Encoding::O200kBase.tokenizer();
//! assert_eq!(tok.count("Hello world\n"), 3);
//! assert_eq!(tok.encode("Hello world\n"), [13225, 2375, 198]);
//! ```

pub mod app;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod commands;
pub mod cost;
pub mod count;
pub mod estimate;
pub mod exit;
pub mod fsutil;
pub mod image;
pub mod input;
pub mod logs;
pub mod money;
pub mod numfmt;
pub mod plan;
pub mod pricing;
pub mod report;
pub mod request;
pub mod resolve;
pub mod stream;
pub mod tokenize;
