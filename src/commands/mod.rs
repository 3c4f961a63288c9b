//! One module per subcommand: turn arguments into a request, call the core, hand the result
//! to the report layer.

pub mod check;
pub mod cost;
pub mod count;
pub mod merge;
pub mod models;
pub mod plan;
pub mod scan_logs;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::catalog::Catalog;
use crate::report::Env;
use crate::report::escape::{Shown, escape};
use crate::resolve::Resolver;

/// What every command shares for the process: the one catalog (embedded, plus `--prices`)
/// and the resolver policy (`--exact`).
pub struct Shared<'a> {
    pub catalog: &'a Catalog,
    pub exact: bool,
}

impl<'a> Shared<'a> {
    /// The one model resolver, on this catalog.
    pub fn resolver(&self) -> Resolver<'a> {
        Resolver::new(self.catalog, self.exact)
    }
}

/// Print the resolver's warning about a model name (a tiktoken prefix-only match), once.
pub fn warn_resolved(env: &Env, resolved: &crate::resolve::Resolved) {
    if let Some(w) = resolved.warning() {
        let _ = writeln!(
            std::io::stderr(),
            "{} {}",
            env.err.yellow("warning:"),
            Shown(&w)
        );
    }
}

/// The environment variable naming a price file, like `--prices`.
pub const PRICES_ENV: &str = "TOKENBUDGET_PRICES";

/// The embedded catalog, or a copy with the overrides of `--prices FILE` (else
/// `$TOKENBUDGET_PRICES` when set and not empty) applied; skipped entries are reported on
/// stderr as `warning: …`.
///
/// The catalog lives as long as the process, so the parallel log scanner's workers may borrow
/// it. An overridden one is built once per price file (path, size and modification time) and
/// kept: a process that runs many commands in-process (the Python package) does not grow with
/// each call.
pub fn load_catalog(prices: Option<&Path>, env: &Env) -> Result<&'static Catalog> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    type Key = (PathBuf, u64, Option<std::time::SystemTime>);
    static LOADED: Mutex<Option<HashMap<Key, &'static Catalog>>> = Mutex::new(None);

    let base = Catalog::embedded();
    let from_env = std::env::var_os(PRICES_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let Some(path) = prices.or(from_env.as_deref()) else {
        return Ok(base);
    };
    let key = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| (path.to_path_buf(), m.len(), m.modified().ok()));
    if let Some(k) = &key
        && let Some(c) = LOADED.lock().ok().and_then(|l| l.as_ref()?.get(k).copied())
    {
        return Ok(c);
    }
    let (catalog, warnings) = base.with_overrides(path)?;
    let mut err = std::io::stderr().lock();
    for w in warnings {
        writeln!(err, "{} {}", env.err.yellow("warning:"), Shown(&w))?;
    }
    let catalog: &'static Catalog = Box::leak(Box::new(catalog));
    if let Some(k) = key
        && let Ok(mut l) = LOADED.lock()
    {
        l.get_or_insert_with(HashMap::new).insert(k, catalog);
    }
    Ok(catalog)
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
