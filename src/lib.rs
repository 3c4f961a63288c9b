//! tokenbudget: exact token counts, context-window budgets and LLM costs.
//!
//! The library is the core the `tokenbudget` binary is built on: tokenizers ([`tokenize`]),
//! the model catalog ([`catalog`]), money ([`pricing`]) and model resolution ([`resolve`]). The command layer
//! ([`cli`], [`commands`], [`report`]) is public so the generated docs (man pages,
//! completions) and tests can reach it, but other programs should use the core modules.

pub mod app;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod count;
pub mod exit;
pub mod fsutil;
pub mod input;
pub mod logs;
pub mod pricing;
pub mod report;
pub mod resolve;
pub mod tokenize;
