//! Price overrides (`--prices FILE` or `$TOKENBUDGET_PRICES`, seen by every command).
//!
//! Two formats are accepted, detected from the content:
//!
//! **tokenbudget format** — TOML (or the same shape in JSON), prices in **USD per 1M
//! tokens** (numbers or decimal strings):
//!
//! ```toml
//! [models."my-ft-model"]
//! provider = "openai"          # optional; default: the replaced model's, else "openai" when
//!                              # the name has a tiktoken encoding, else "custom"
//! mode = "chat"                # optional; default: the replaced model's, else "chat"
//! context_window = 128000      # optional
//! max_output = 16384           # optional
//! input = 2.5                  # required
//! output = 10                  # required (except mode = "embedding")
//! cached_input = 1.25          # optional, like cache_write_5m, cache_write_1h, batch_input,
//!                              # batch_output, batch_cached_input, batch_cache_write_5m,
//!                              # reasoning_output
//! tokenizer = "o200k_base"     # optional: the exact local tokenizer for a private model
//! aliases = ["my-ft"]          # optional
//! # tiers = [{ above_tokens = 200000, input = 5, output = 20 }]   # optional
//! ```
//!
//! In JSON: `{"models": {"my-ft-model": {"input": "2.5", "output": 10, ...}}}`.
//! Unknown keys in an entry are an error (a typo must not silently drop a price).
//!
//! **LiteLLM format** — a JSON object keyed by model name whose values carry LiteLLM fields
//! (`input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`,
//! `cache_creation_input_token_cost[_above_1hr]`, `…_batches`, `…_above_200k_tokens`,
//! `max_input_tokens`, `max_output_tokens`, `litellm_provider`, `mode`), prices in USD
//! **per token**. Other fields are ignored; entries whose mode is not chat, responses,
//! embedding or completion are skipped.
//!
//! # Semantics
//!
//! * An entry whose name is an existing model **id** (case-insensitive) replaces that model's
//!   prices entirely (tiers included); metadata not given (provider, mode, context window,
//!   max output, aliases) is kept.
//! * Any other name adds a new model with that id. If the name was an alias of a catalog
//!   model, the alias now points at the new entry; the old model is otherwise unchanged.
//! * An entry with no input price, or no output price (unless an embedding), is skipped with
//!   a warning — it is never priced at $0.
//! * A malformed file or entry is an error naming the file and the entry.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Catalog, Model, Prices, Rates, Tier};
use crate::money::Price;
use crate::tokenize::Encoding;
use crate::tokenize::model::encoding_for_model;

/// Loading an overrides file failed.
#[derive(Debug)]
pub enum CatalogError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML/JSON, or not in a recognised shape.
    Format { path: PathBuf, message: String },
    /// One entry is malformed.
    Entry {
        path: PathBuf,
        entry: String,
        message: String,
    },
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::Io { path, source } => {
                write!(f, "cannot read prices file {}: {source}", path.display())
            }
            CatalogError::Format { path, message } => {
                write!(f, "invalid prices file {}: {message}", path.display())
            }
            CatalogError::Entry {
                path,
                entry,
                message,
            } => write!(
                f,
                "invalid prices file {}: model '{entry}': {message}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for CatalogError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CatalogError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// One entry in tokenbudget's own format.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OwnEntry {
    provider: Option<String>,
    mode: Option<String>,
    context_window: Option<u64>,
    max_output: Option<u64>,
    input: Option<Price>,
    cached_input: Option<Price>,
    cache_write_5m: Option<Price>,
    cache_write_1h: Option<Price>,
    output: Option<Price>,
    reasoning_output: Option<Price>,
    batch_input: Option<Price>,
    batch_output: Option<Price>,
    batch_cached_input: Option<Price>,
    batch_cache_write_5m: Option<Price>,
    tokenizer: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    tiers: Vec<Tier>,
}

/// A parsed override, before merging.
struct Entry {
    name: String,
    provider: Option<String>,
    mode: Option<String>,
    context_window: Option<u64>,
    max_output: Option<u64>,
    prices: Prices,
    tokenizer: Option<Encoding>,
    aliases: Vec<String>,
}

const TEXT_MODES: &[&str] = &["chat", "responses", "embedding", "completion"];

/// The largest price file read: 32 MiB (LiteLLM's whole table is about 1.5 MB).
pub const MAX_PRICES_BYTES: u64 = 32 << 20;

/// Read a price file: a regular file (never a FIFO, device or `/proc` stream that would block
/// or never end) of at most [`MAX_PRICES_BYTES`], in UTF-8.
pub(super) fn apply(base: &Catalog, path: &Path) -> Result<(Catalog, Vec<String>), CatalogError> {
    use std::io::Read;
    let io = |source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    };
    let format_err = |message: String| CatalogError::Format {
        path: path.to_path_buf(),
        message,
    };
    let not_regular = |meta: &std::fs::Metadata| {
        format_err(format!(
            "it is {}; a price file must be a regular file",
            file_kind(&meta.file_type())
        ))
    };
    // Looked at before opening (opening a FIFO would wait for a writer), and again after.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let too_big = || {
        format_err(format!(
            "larger than {} MiB, the limit for price files",
            MAX_PRICES_BYTES >> 20
        ))
    };
    if meta.len() > MAX_PRICES_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(MAX_PRICES_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_PRICES_BYTES {
        return Err(too_big());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format_err(format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    apply_text(base, path, &text)
}

/// What a file that is not a regular file is, for messages.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        } else if t.is_char_device() {
            return "a character device";
        } else if t.is_block_device() {
            return "a block device";
        } else if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        return "a directory";
    }
    "not a regular file"
}

/// [`apply`] on text already read; `path` names it in messages and decides TOML by extension.
pub(super) fn apply_text(
    base: &Catalog,
    path: &Path,
    text: &str,
) -> Result<(Catalog, Vec<String>), CatalogError> {
    // a UTF-8 byte order mark (Windows editors) is not part of the JSON or TOML
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format_err = |message: String| CatalogError::Format {
        path: path.to_path_buf(),
        message,
    };
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let value: Value = if is_toml {
        let t: toml::Table = toml::from_str(text).map_err(|e| format_err(toml_error(text, &e)))?;
        toml_to_json(t).map_err(format_err)?
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => v,
            Err(json_err) => match toml::from_str::<toml::Table>(text) {
                Ok(t) => toml_to_json(t).map_err(format_err)?,
                Err(_) => return Err(format_err(format!("not valid JSON or TOML: {json_err}"))),
            },
        }
    };
    let Value::Object(top) = value else {
        return Err(format_err(
            "expected a table/object at the top level".into(),
        ));
    };

    let mut warnings = Vec::new();
    let entries = if let Some(models) = top.get("models") {
        let Value::Object(models) = models else {
            return Err(format_err(
                "`models` must be a table keyed by model name".into(),
            ));
        };
        parse_own(path, models, &mut warnings)?
    } else if looks_like_litellm(&top) {
        parse_litellm(path, &top, &mut warnings)?
    } else {
        return Err(format_err(
            "unrecognised format: expected a `models` table (tokenbudget format) \
             or a LiteLLM price map (`input_cost_per_token`, ...)"
                .into(),
        ));
    };

    // a whole upstream table yields hundreds of skips: keep the first few and a count
    const MAX_WARNINGS: usize = 20;
    if warnings.len() > MAX_WARNINGS {
        let more = warnings.len() - MAX_WARNINGS;
        warnings.truncate(MAX_WARNINGS);
        warnings.push(format!(
            "{}: ... and {more} more skipped entries",
            path.display()
        ));
    }

    let models = merge_all(base.models.clone(), entries);
    let source = format!("{} + overrides from {}", base.source, path.display());
    Ok((
        Catalog::new(source, base.prices_date.clone(), models),
        warnings,
    ))
}

/// A TOML parse error on one line (`TOML parse error at line 1, column 6: key with no value,
/// expected `=``): the toml crate's own rendering spans several lines and quotes the file.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("TOML parse error at line {line}, column {column}: {message}")
        }
        None => format!("TOML parse error: {message}"),
    }
}

/// A TOML table as JSON. TOML allows `inf` and `nan`, which JSON cannot hold (serde_json
/// would turn them into `null`, i.e. a missing price): they are an error naming the key.
fn toml_to_json(t: toml::Table) -> Result<Value, String> {
    fn find_nonfinite(v: &toml::Value, at: &str) -> Option<String> {
        match v {
            toml::Value::Float(x) if !x.is_finite() => Some(format!(
                "`{at}` = {x}: a price or limit must be a finite number"
            )),
            toml::Value::Table(t) => t
                .iter()
                .find_map(|(k, v)| find_nonfinite(v, &join_key(at, k))),
            toml::Value::Array(a) => a
                .iter()
                .enumerate()
                .find_map(|(i, v)| find_nonfinite(v, &format!("{at}[{i}]"))),
            _ => None,
        }
    }
    fn join_key(at: &str, k: &str) -> String {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    }
    let t = toml::Value::Table(t);
    if let Some(msg) = find_nonfinite(&t, "") {
        return Err(msg);
    }
    serde_json::to_value(t).map_err(|e| e.to_string())
}

fn looks_like_litellm(top: &Map<String, Value>) -> bool {
    top.values().any(|v| {
        v.as_object().is_some_and(|o| {
            o.keys().any(|k| {
                k == "litellm_provider"
                    || k == "max_input_tokens"
                    || k.ends_with("_cost_per_token")
                    || k.starts_with("cache_read_input_token_cost")
            })
        })
    })
}

fn parse_own(
    path: &Path,
    models: &Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Entry>, CatalogError> {
    let mut out = Vec::new();
    for (name, v) in models {
        let entry_err = |message: String| CatalogError::Entry {
            path: path.to_path_buf(),
            entry: name.clone(),
            message,
        };
        let e: OwnEntry = OwnEntry::deserialize(v).map_err(|e| entry_err(e.to_string()))?;
        let tokenizer = match &e.tokenizer {
            None => None,
            Some(t) => Some(Encoding::from_name(t).ok_or_else(|| {
                let known: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
                entry_err(format!(
                    "unknown tokenizer '{t}' (known: {})",
                    known.join(", ")
                ))
            })?),
        };
        let mut tiers = e.tiers;
        tiers.sort_by_key(|t| t.above_tokens);
        let prices = Prices {
            input: e.input,
            cached_input: e.cached_input,
            cache_write_5m: e.cache_write_5m,
            cache_write_1h: e.cache_write_1h,
            output: e.output,
            reasoning_output: e.reasoning_output,
            batch_input: e.batch_input,
            batch_output: e.batch_output,
            batch_cached_input: e.batch_cached_input,
            batch_cache_write_5m: e.batch_cache_write_5m,
            tiers,
        };
        push_checked(
            &mut out,
            warnings,
            path,
            Entry {
                name: name.trim().to_string(),
                provider: e.provider,
                mode: e.mode,
                context_window: e.context_window,
                max_output: e.max_output,
                prices,
                tokenizer,
                aliases: e.aliases,
            },
        );
    }
    Ok(out)
}

/// LiteLLM's per-token field names for our rates, at a given suffix.
fn litellm_rates(
    tier: &str,
    num: &dyn Fn(&str) -> Result<Option<Price>, String>,
) -> Result<Rates, String> {
    let k = |base: &str| format!("{base}{tier}");
    let kb = |base: &str| format!("{base}{tier}_batches");
    Ok(Rates {
        input: num(&k("input_cost_per_token"))?,
        cached_input: num(&k("cache_read_input_token_cost"))?,
        cache_write_5m: num(&k("cache_creation_input_token_cost"))?,
        cache_write_1h: num(&if tier.is_empty() {
            "cache_creation_input_token_cost_above_1hr".to_string()
        } else {
            format!("cache_creation_input_token_cost_above_1hr{tier}")
        })?,
        output: num(&k("output_cost_per_token"))?,
        batch_input: num(&kb("input_cost_per_token"))?,
        batch_output: num(&kb("output_cost_per_token"))?,
        batch_cached_input: num(&kb("cache_read_input_token_cost"))?,
        batch_cache_write_5m: num(&kb("cache_creation_input_token_cost"))?,
    })
}

fn parse_litellm(
    path: &Path,
    top: &Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Entry>, CatalogError> {
    let mut out = Vec::new();
    let mut other_modes = 0usize;
    for (name, v) in top {
        if name == "sample_spec" {
            continue;
        }
        let entry_err = |message: String| CatalogError::Entry {
            path: path.to_path_buf(),
            entry: name.clone(),
            message,
        };
        let Value::Object(o) = v else {
            return Err(entry_err("expected an object".into()));
        };
        let mode = match o.get("mode") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(entry_err("`mode` must be a string".into())),
        };
        if let Some(m) = &mode
            && !TEXT_MODES.contains(&m.as_str())
        {
            other_modes += 1;
            continue;
        }
        let num = |key: &str| -> Result<Option<Price>, String> {
            match o.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => {
                    let p = if let Some(u) = n.as_u64() {
                        Price::parse_per_token(&u.to_string())
                    } else if let Some(f) = n.as_f64() {
                        Price::from_per_token_f64(f)
                    } else {
                        Price::parse_per_token(&n.to_string())
                    };
                    p.map(Some).map_err(|e| format!("`{key}`: {e}"))
                }
                Some(Value::String(s)) => Price::parse_per_token(s)
                    .map(Some)
                    .map_err(|e| format!("`{key}`: {e}")),
                Some(_) => Err(format!("`{key}` must be a number")),
            }
        };
        let int = |key: &str| -> Result<Option<u64>, String> {
            match o.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => n
                    .as_u64()
                    .or_else(|| {
                        n.as_f64()
                            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e18)
                            .map(|f| f as u64)
                    })
                    .map(Some)
                    .ok_or_else(|| format!("`{key}` must be a non-negative integer")),
                Some(_) => Err(format!("`{key}` must be a non-negative integer")),
            }
        };
        let base = litellm_rates("", &num).map_err(entry_err)?;
        let mut thresholds: Vec<u64> = o
            .keys()
            .filter_map(|k| {
                let i = k.rfind("_above_")?;
                let rest = &k[i + "_above_".len()..];
                let n = rest.strip_suffix("k_tokens").or_else(|| {
                    rest.strip_suffix("k_tokens_batches")
                        .filter(|_| k.contains("cost"))
                })?;
                n.parse::<u64>().ok()
            })
            .collect();
        thresholds.sort_unstable();
        thresholds.dedup();
        let mut tiers = Vec::new();
        for t in thresholds {
            let rates = litellm_rates(&format!("_above_{t}k_tokens"), &num).map_err(entry_err)?;
            if rates.input.is_some() || rates.output.is_some() {
                tiers.push(Tier {
                    above_tokens: t * 1000,
                    rates,
                });
            }
        }
        let prices = Prices {
            input: base.input,
            cached_input: base.cached_input,
            cache_write_5m: base.cache_write_5m,
            cache_write_1h: base.cache_write_1h,
            output: base.output,
            reasoning_output: num("output_cost_per_reasoning_token").map_err(entry_err)?,
            batch_input: base.batch_input,
            batch_output: base.batch_output,
            batch_cached_input: base.batch_cached_input,
            batch_cache_write_5m: base.batch_cache_write_5m,
            tiers,
        };
        let provider = match o.get("litellm_provider") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(entry_err("`litellm_provider` must be a string".into())),
        };
        let context_window = match int("max_input_tokens").map_err(entry_err)? {
            Some(n) => Some(n),
            None => int("max_tokens").map_err(entry_err)?,
        };
        push_checked(
            &mut out,
            warnings,
            path,
            Entry {
                name: name.trim().to_string(),
                provider,
                mode,
                context_window,
                max_output: int("max_output_tokens").map_err(entry_err)?,
                prices,
                tokenizer: None,
                aliases: Vec::new(),
            },
        );
    }
    if other_modes > 0 {
        warnings.push(format!(
            "{}: skipped {other_modes} entries that are not chat/responses/embedding/completion models",
            path.display()
        ));
    }
    Ok(out)
}

/// Keep `e` unless it lacks the prices needed to cost a request.
fn push_checked(out: &mut Vec<Entry>, warnings: &mut Vec<String>, path: &Path, e: Entry) {
    let embedding = e.mode.as_deref() == Some("embedding");
    let missing = if e.name.is_empty() {
        Some("an empty name")
    } else if e.prices.input.is_none() {
        Some("no input price")
    } else if e.prices.output.is_none() && !embedding {
        Some("no output price")
    } else {
        None
    };
    match missing {
        Some(why) => warnings.push(format!(
            "{}: skipping '{}': {why} (it would otherwise be priced at $0)",
            path.display(),
            e.name
        )),
        None => out.push(e),
    }
}

/// The catalog's models with `entries` merged in, in order: linear in models + entries (a
/// name index and an alias index instead of a scan per entry, so a 200,000-model price file
/// takes as long as reading it).
fn merge_all(mut models: Vec<Model>, entries: Vec<Entry>) -> Vec<Model> {
    use std::collections::HashMap;
    let mut ids: HashMap<String, usize> = HashMap::with_capacity(models.len() + entries.len());
    // Which models list an alias (lowercase); a model may appear twice, which is harmless.
    let mut owners: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in models.iter().enumerate() {
        ids.entry(m.id.to_lowercase()).or_insert(i);
        for a in &m.aliases {
            owners.entry(a.to_lowercase()).or_default().push(i);
        }
    }
    for e in entries {
        let key = e.name.to_lowercase();
        if let Some(&i) = ids.get(&key) {
            let m = &mut models[i];
            if let Some(p) = e.provider {
                m.provider = p;
            }
            if let Some(mode) = e.mode {
                m.mode = mode;
            }
            if e.context_window.is_some() {
                m.context_window = e.context_window;
            }
            if e.max_output.is_some() {
                m.max_output = e.max_output;
            }
            if e.tokenizer.is_some() {
                m.tokenizer = e.tokenizer;
            }
            m.prices = e.prices;
            for a in e.aliases {
                if !m.aliases.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                    owners.entry(a.to_lowercase()).or_default().push(i);
                    m.aliases.push(a);
                }
            }
            continue;
        }
        // a new entry: it takes over the names it claims from other models' aliases
        let claimed: Vec<String> = std::iter::once(&e.name)
            .chain(e.aliases.iter())
            .map(|s| s.to_lowercase())
            .collect();
        for c in &claimed {
            for o in owners.remove(c).unwrap_or_default() {
                models[o].aliases.retain(|a| a.to_lowercase() != *c);
            }
        }
        let provider = e.provider.unwrap_or_else(|| {
            if e.tokenizer.is_some() || encoding_for_model(&e.name).is_some() {
                "openai".to_string()
            } else {
                "custom".to_string()
            }
        });
        let i = models.len();
        ids.insert(key, i);
        for a in &e.aliases {
            owners.entry(a.to_lowercase()).or_default().push(i);
        }
        models.push(Model {
            id: e.name,
            provider,
            mode: e.mode.unwrap_or_else(|| "chat".to_string()),
            context_window: e.context_window,
            max_output: e.max_output,
            prices: e.prices,
            aliases: e.aliases,
            retired: false,
            history: Vec::new(),
            tokenizer: e.tokenizer,
        });
    }
    models
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Money, Usage, cost};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn temp_file(ext: &str, content: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "tokenbudget-overrides-{}-{}.{ext}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&p, content).unwrap();
        p
    }

    fn price(s: &str) -> Option<Price> {
        Some(Price::parse_per_million(s).unwrap())
    }

    #[test]
    fn own_format_toml() {
        let p = temp_file(
            "toml",
            r#"
[models."my-ft-model"]
provider = "openai"
context_window = 128000
max_output = 16384
input = 2.5
output = 10
cached_input = 1.25
tokenizer = "o200k_base"

[models."gpt-4o"]
input = "3"
output = 12.5

[models."gpt-4o-2024-11-20"]
input = 1
output = 2

[models."no-output"]
input = 1

[models."long-ctx"]
input = 1
output = 2
tiers = [{ above_tokens = 200000, input = 2, output = 4 }]
"#,
        );
        let base = Catalog::embedded();
        let (c, warnings) = base.with_overrides(&p).unwrap();
        std::fs::remove_file(&p).ok();

        let m = c.lookup("MY-FT-MODEL").unwrap();
        assert_eq!(m.id, "my-ft-model");
        assert_eq!(m.provider, "openai");
        assert_eq!(m.context_window, Some(128_000));
        assert_eq!(m.max_output, Some(16_384));
        assert_eq!(m.prices.input, price("2.5"));
        assert_eq!(m.prices.cached_input, price("1.25"));
        assert_eq!(m.encoding(), Some(Encoding::O200kBase));
        let u = Usage {
            input: 10_000,
            output: 10_000,
            ..Usage::default()
        };
        assert_eq!(
            cost(m, &u, false).unwrap().total,
            Money::parse("0.125").unwrap()
        );

        // replaced in place: metadata and aliases kept, prices replaced entirely
        let g = c.lookup("gpt-4o").unwrap();
        assert_eq!(g.prices.input, price("3"));
        assert_eq!(g.prices.output, price("12.5"));
        assert_eq!(g.prices.cached_input, None);
        assert_eq!(g.context_window, Some(128_000));
        assert_eq!(c.lookup("gpt-4o-2024-08-06").unwrap().id, "gpt-4o");
        // an alias named in the file becomes its own entry
        assert_eq!(
            c.lookup("gpt-4o-2024-11-20").unwrap().prices.input,
            price("1")
        );
        assert_eq!(
            c.lookup("gpt-4o-2024-11-20").unwrap().id,
            "gpt-4o-2024-11-20"
        );

        let lc = c.lookup("long-ctx").unwrap();
        let u = Usage {
            input: 200_001,
            output: 1_000_000,
            ..Usage::default()
        };
        let b = cost(lc, &u, false).unwrap();
        assert_eq!(b.tier_above_tokens, Some(200_000));
        assert_eq!(b.input, Money::parse("0.400002").unwrap());
        assert_eq!(b.output, Money::parse("4").unwrap());

        assert!(c.lookup("no-output").is_err());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("no-output") && warnings[0].contains("no output price"));
        assert!(c.source().contains("overrides from"));
        // the embedded catalog is untouched
        assert_eq!(base.lookup("gpt-4o").unwrap().prices.input, price("2.5"));
    }

    #[test]
    fn own_format_json_and_errors() {
        let p = temp_file(
            "json",
            r#"{"models": {"private-llm": {"input": "0.5", "output": "1.5", "context_window": 32000}}}"#,
        );
        let (c, w) = Catalog::embedded().with_overrides(&p).unwrap();
        std::fs::remove_file(&p).ok();
        assert!(w.is_empty());
        let m = c.lookup("private-llm").unwrap();
        assert_eq!(m.provider, "custom");
        assert_eq!(m.encoding(), None);
        assert_eq!(m.prices.output, price("1.5"));

        // a typo is an error naming the file and the entry
        let p = temp_file("toml", "[models.\"typo\"]\ninptu = 1\noutput = 2\n");
        let e = Catalog::embedded()
            .with_overrides(&p)
            .unwrap_err()
            .to_string();
        std::fs::remove_file(&p).ok();
        assert!(
            e.contains("typo") && e.contains("inptu") && e.contains(".toml"),
            "{e}"
        );

        let p = temp_file("toml", "[models.x]\ninput = -1\noutput = 2\n");
        let e = Catalog::embedded()
            .with_overrides(&p)
            .unwrap_err()
            .to_string();
        std::fs::remove_file(&p).ok();
        assert!(e.contains("model 'x'") && e.contains("negative"), "{e}");

        let p = temp_file(
            "toml",
            "[models.x]\ninput = 1\noutput = 2\ntokenizer = \"bogus\"\n",
        );
        let e = Catalog::embedded()
            .with_overrides(&p)
            .unwrap_err()
            .to_string();
        std::fs::remove_file(&p).ok();
        assert!(e.contains("unknown tokenizer 'bogus'"), "{e}");

        let p = temp_file("toml", "this is = not toml [");
        assert!(matches!(
            Catalog::embedded().with_overrides(&p),
            Err(CatalogError::Format { .. })
        ));
        std::fs::remove_file(&p).ok();

        let p = temp_file("json", r#"{"foo": 1}"#);
        assert!(matches!(
            Catalog::embedded().with_overrides(&p),
            Err(CatalogError::Format { .. })
        ));
        std::fs::remove_file(&p).ok();

        let missing = std::env::temp_dir().join("tokenbudget-no-such-file.toml");
        assert!(matches!(
            Catalog::embedded().with_overrides(&missing),
            Err(CatalogError::Io { .. })
        ));
    }

    #[test]
    fn litellm_format() {
        let p = temp_file(
            "json",
            r#"{
  "sample_spec": {"input_cost_per_token": 0.0, "mode": "one of ..."},
  "my-claude": {
    "litellm_provider": "anthropic", "mode": "chat",
    "max_input_tokens": 200000, "max_output_tokens": 64000,
    "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
    "cache_read_input_token_cost": 3e-07,
    "cache_creation_input_token_cost": 3.75e-06,
    "cache_creation_input_token_cost_above_1hr": 6e-06,
    "input_cost_per_token_above_200k_tokens": 6e-06,
    "output_cost_per_token_above_200k_tokens": 2.25e-05,
    "input_cost_per_token_batches": 1.5e-06,
    "output_cost_per_token_batches": 7.5e-06,
    "supports_vision": true
  },
  "gpt-4o": {"litellm_provider": "openai", "mode": "chat",
             "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06},
  "dall-e-9": {"mode": "image_generation", "output_cost_per_image": 0.04},
  "half-priced": {"mode": "chat", "input_cost_per_token": 1e-06}
}"#,
        );
        let (c, w) = Catalog::embedded().with_overrides(&p).unwrap();
        std::fs::remove_file(&p).ok();
        let m = c.lookup("my-claude").unwrap();
        assert_eq!(m.provider, "anthropic");
        assert_eq!(m.context_window, Some(200_000));
        assert_eq!(m.max_output, Some(64_000));
        assert_eq!(m.prices.input, price("3"));
        assert_eq!(m.prices.output, price("15"));
        assert_eq!(m.prices.cached_input, price("0.3"));
        assert_eq!(m.prices.cache_write_5m, price("3.75"));
        assert_eq!(m.prices.cache_write_1h, price("6"));
        assert_eq!(m.prices.batch_input, price("1.5"));
        assert_eq!(m.prices.tiers.len(), 1);
        assert_eq!(m.prices.tiers[0].above_tokens, 200_000);
        assert_eq!(m.prices.tiers[0].rates.output, price("22.5"));
        assert_eq!(m.encoding(), None);
        assert_eq!(c.lookup("gpt-4o").unwrap().prices.input, price("2"));
        assert_eq!(
            c.lookup("gpt-4o").unwrap().encoding(),
            Some(Encoding::O200kBase)
        );
        assert!(c.lookup("half-priced").is_err());
        assert!(c.lookup("dall-e-9").is_err());
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w.iter().any(|x| x.contains("half-priced")));
        assert!(w.iter().any(|x| x.contains("skipped 1 entries")));

        let p = temp_file(
            "json",
            r#"{"bad": {"input_cost_per_token": "abc", "output_cost_per_token": 1e-6}}"#,
        );
        let e = Catalog::embedded()
            .with_overrides(&p)
            .unwrap_err()
            .to_string();
        std::fs::remove_file(&p).ok();
        assert!(
            e.contains("model 'bad'") && e.contains("input_cost_per_token"),
            "{e}"
        );
    }
}
