//! One module per subcommand: turn arguments into a request, call the core, hand the result
//! to the report layer.

pub mod check;
pub mod cost;
pub mod count;
pub mod merge;
pub mod models;
pub mod plan;
pub mod scan_logs;

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::catalog::Catalog;
use crate::report::Env;
use crate::report::escape::{Shown, escape};

/// The environment variable naming a price file, like `--prices`.
pub const PRICES_ENV: &str = "TOKENBUDGET_PRICES";

/// The embedded catalog, or a copy with the overrides of `--prices FILE` (else
/// `$TOKENBUDGET_PRICES` when set and not empty) applied; skipped entries are reported on
/// stderr as `warning: …`.
pub fn load_catalog(prices: Option<&Path>, env: &Env) -> Result<Cow<'static, Catalog>> {
    let base = Catalog::embedded();
    let from_env = std::env::var_os(PRICES_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let Some(path) = prices.or(from_env.as_deref()) else {
        return Ok(Cow::Borrowed(base));
    };
    let (catalog, warnings) = base.with_overrides(path)?;
    let mut err = std::io::stderr().lock();
    for w in warnings {
        writeln!(err, "{} {}", env.err.yellow("warning:"), Shown(&w))?;
    }
    Ok(Cow::Owned(catalog))
}

/// Check `--provider` names against the catalog (an unknown one is a usage error).
pub fn check_providers(catalog: &Catalog, providers: &[String]) -> Result<()> {
    let mut known: Vec<&str> = catalog
        .models()
        .iter()
        .map(|m| m.provider.as_str())
        .collect();
    known.sort_unstable();
    known.dedup();
    for p in providers {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(p.trim())) {
            bail!("unknown provider '{p}' (known: {})", known.join(", "));
        }
    }
    Ok(())
}

/// The closing line of every human price report: where prices come from and their date (the
/// price file's name escaped for the terminal).
pub fn prices_footer(catalog: &Catalog) -> String {
    let source = escape(catalog.source());
    match source.split_once(" + overrides from ") {
        Some((base, file)) => format!(
            "Prices: {base}; as of {}; overrides from {file}.",
            catalog.prices_date()
        ),
        None => format!("Prices: {source}; as of {}.", catalog.prices_date()),
    }
}
