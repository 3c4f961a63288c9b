//! tokenbudget: exact token counts, context-window budgets and LLM costs.
//!
//! The library is the core the `tokenbudget` binary is built on: tokenizers
//! ([`tokenize`]), the model catalog ([`catalog`]) and money ([`pricing`]).

pub mod catalog;
pub mod pricing;
pub mod tokenize;
