//! The Python extension `tokenbudget._native`: a thin layer over the tokenbudget library.
//!
//! Counting (`count`, `encode`, `decode`, `count_batch`) calls the tokenizers directly; every
//! report (`count_request`, `plan`, `fit`, `cost`, `models`, `scan_logs`) runs the CLI's own
//! command in-process (`run_cli`), so the Python objects are the CLI's `--json` documents and
//! cannot drift from them. Errors become Python exceptions; a panic never crosses the boundary.

mod arrow;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use clap::Parser;
use tokenbudget::catalog::Catalog;
use tokenbudget::estimate::{self, Rule};
use tokenbudget::cli::Cli;
use tokenbudget::report::{Env, Style};
use tokenbudget::request::Options;
use tokenbudget::resolve::{self, ResolveError};
use tokenbudget::tokenize::{Counter, Encoding, Tokenizer};

create_exception!(
    _native,
    TokenbudgetError,
    PyValueError,
    "Bad input: the CLI's exit code 2."
);
create_exception!(
    _native,
    UnknownModelError,
    TokenbudgetError,
    "The model is neither in the catalog nor an OpenAI model tiktoken knows."
);
create_exception!(
    _native,
    NoExactTokenizerError,
    TokenbudgetError,
    "The model has no exact local tokenizer; pass encoding= to approximate (labelled)."
);
create_exception!(
    _native,
    ApproximationWarning,
    pyo3::exceptions::PyUserWarning,
    "A count was made with an encoding that is not the model's own."
);

/// What a (model, encoding) pair resolves to: the encoding, why counts are approximate, and
/// the calibration of a Claude/Gemini estimate (applied to counts exactly as the CLI does).
type Resolution = (Encoding, Option<String>, Option<&'static Rule>);

/// Resolutions by (model, encoding) as asked.
type Cache = HashMap<(Option<String>, Option<String>), Resolution>;

static RESOLVED: Mutex<Option<Cache>> = Mutex::new(None);

fn resolve_error(e: ResolveError) -> PyErr {
    match e {
        ResolveError::NoTokenizer { .. } => NoExactTokenizerError::new_err(e.to_string()),
        ResolveError::Unknown(_) => UnknownModelError::new_err(e.to_string()),
        _ => TokenbudgetError::new_err(e.to_string()),
    }
}

/// The tokenizer for `model`/`encoding`, like the CLI's `--model`/`--encoding` (neither: the
/// default model, `$TOKENBUDGET_MODEL` or gpt-4o). An approximate count warns with
/// `ApproximationWarning`. Resolutions are cached: this is on every `count`'s path.
fn tokenizer(
    py: Python<'_>,
    model: Option<&str>,
    encoding: Option<&str>,
) -> PyResult<&'static Tokenizer> {
    calibrated_tokenizer(py, model, encoding).map(|(t, _)| t)
}

/// [`tokenizer`], and the calibration the CLI's `count` applies to a whole text's count
/// (Claude and Gemini models: the o200k_base count scaled by the content kind's ratio).
fn calibrated_tokenizer(
    py: Python<'_>,
    model: Option<&str>,
    encoding: Option<&str>,
) -> PyResult<(&'static Tokenizer, Option<&'static Rule>)> {
    // With neither, the default model (`$TOKENBUDGET_MODEL` is read on every call).
    let default;
    let model = match (model, encoding) {
        (None, None) => {
            default = resolve::default_model(None);
            Some(default.as_str())
        }
        _ => model,
    };
    let key = (model.map(str::to_owned), encoding.map(str::to_owned));
    let cached = RESOLVED
        .lock()
        .ok()
        .and_then(|m| m.as_ref().and_then(|m| m.get(&key).cloned()));
    let (enc, approx, rule) = match cached {
        Some(r) => r,
        None => {
            let asked = match encoding {
                None => None,
                Some(name) => Some(Encoding::from_name(name).ok_or_else(|| {
                    TokenbudgetError::new_err(format!(
                        "unknown encoding '{name}' (known: {})",
                        Encoding::ALL.map(|e| e.name()).join(", ")
                    ))
                })?),
            };
            let r = resolve::resolve(Catalog::embedded(), model, asked).map_err(resolve_error)?;
            let res = (r.encoding, r.approximate.clone(), r.calibration());
            if let Ok(mut m) = RESOLVED.lock() {
                m.get_or_insert_with(HashMap::new).insert(key, res.clone());
            }
            res
        }
    };
    if let Some(why) = approx {
        let cat = py.get_type::<ApproximationWarning>();
        PyErr::warn(
            py,
            &cat,
            &std::ffi::CString::new(why).unwrap_or_default(),
            2,
        )?;
    }
    Ok((enc.tokenizer(), rule))
}

/// A whole text's count as the CLI's `count` reports it: exact, or calibrated.
fn calibrated(rule: Option<&Rule>, text: &str, tokens: u64) -> u64 {
    match rule {
        Some(r) => r.estimate(tokens, estimate::classify(text)).0,
        None => tokens,
    }
}

/// Tokens of `text`, equal to tiktoken's `encode_ordinary` (special-token text is ordinary).
#[pyfunction]
#[pyo3(signature = (text, *, model=None, encoding=None))]
fn count(
    py: Python<'_>,
    text: &Bound<'_, PyString>,
    model: Option<&str>,
    encoding: Option<&str>,
) -> PyResult<usize> {
    let (tok, rule) = calibrated_tokenizer(py, model, encoding)?;
    let s = text.to_str()?;
    let n = if s.len() >= 1 << 20 {
        let threads = threads_for(None);
        py.detach(|| tok.count_parallel(s, threads))
    } else {
        tok.count(s)
    };
    Ok(calibrated(rule, s, n as u64) as usize)
}

/// Token ids of `text`, equal to tiktoken's `encode_ordinary`.
#[pyfunction]
#[pyo3(signature = (text, *, model=None, encoding=None))]
fn encode(
    py: Python<'_>,
    text: &Bound<'_, PyString>,
    model: Option<&str>,
    encoding: Option<&str>,
) -> PyResult<Vec<u32>> {
    let tok = tokenizer(py, model, encoding)?;
    let s = text.to_str()?;
    Ok(if s.len() >= 1 << 16 {
        py.detach(|| tok.encode(s))
    } else {
        tok.encode(s)
    })
}

fn decode_to_vec(tok: &Tokenizer, ids: &[u32]) -> PyResult<Vec<u8>> {
    let mut out = Vec::with_capacity(ids.len() * 4);
    for (i, &id) in ids.iter().enumerate() {
        let b = tok.token_slice(id);
        if b.is_empty() {
            return Err(TokenbudgetError::new_err(format!(
                "token {id} (at index {i}) is not an ordinary token of {}",
                tok.encoding().name()
            )));
        }
        out.extend_from_slice(b);
    }
    Ok(out)
}

/// The bytes of `ids` joined (a token may hold part of a UTF-8 character).
#[pyfunction]
#[pyo3(signature = (ids, *, model=None, encoding=None))]
fn decode_bytes<'py>(
    py: Python<'py>,
    ids: Vec<u32>,
    model: Option<&str>,
    encoding: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    let tok = tokenizer(py, model, encoding)?;
    Ok(PyBytes::new(py, &decode_to_vec(tok, &ids)?))
}

/// The text of `ids`; bytes that are not valid UTF-8 become U+FFFD (like tiktoken's `decode`).
#[pyfunction]
#[pyo3(signature = (ids, *, model=None, encoding=None))]
fn decode(
    py: Python<'_>,
    ids: Vec<u32>,
    model: Option<&str>,
    encoding: Option<&str>,
) -> PyResult<String> {
    let tok = tokenizer(py, model, encoding)?;
    Ok(String::from_utf8_lossy(&decode_to_vec(tok, &ids)?).into_owned())
}

fn threads_for(threads: Option<usize>) -> usize {
    threads
        .filter(|&t| t > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` of every text of `texts` on `threads` threads, each thread with its own state from
/// `make` (a `Counter`, whose caches stay warm from one text to the next). Texts are taken in
/// blocks from a shared cursor, so one long text does not hold up the others. `None` entries
/// give `Ok(0)`.
fn par_map<S, M, F>(
    texts: &[Option<&str>],
    threads: usize,
    make: M,
    f: F,
) -> Vec<Result<u64, String>>
where
    M: Fn() -> S + Sync,
    F: Fn(&mut S, &str) -> Result<u64, String> + Sync,
{
    const BLOCK: usize = 64;
    let threads = threads.min(texts.len().div_ceil(BLOCK)).max(1);
    if threads == 1 {
        let mut state = make();
        return texts
            .iter()
            .map(|t| t.map_or(Ok(0), |t| f(&mut state, t)))
            .collect();
    }
    let mut out: Vec<Result<u64, String>> = vec![Ok(0); texts.len()];
    let cursor = AtomicUsize::new(0);
    let blocks: Vec<Mutex<&mut [Result<u64, String>]>> =
        out.chunks_mut(BLOCK).map(Mutex::new).collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut state = make();
                loop {
                    let b = cursor.fetch_add(1, Ordering::Relaxed);
                    let Some(block) = blocks.get(b) else { break };
                    let Ok(mut block) = block.lock() else { break };
                    let start = b * BLOCK;
                    for (j, o) in block.iter_mut().enumerate() {
                        *o = texts[start + j].map_or(Ok(0), |t| f(&mut state, t));
                    }
                }
            });
        }
    });
    out
}

/// A counter for one thread's share of `texts` (its caches are sized for that much text).
fn counter_for(
    tok: &'static Tokenizer,
    texts: &[Option<&str>],
    threads: usize,
) -> Counter<'static> {
    let bytes: usize = texts.iter().map(|t| t.map_or(0, str::len)).sum();
    tok.counter_for(bytes / threads.max(1))
}

/// Strings from a list, any iterable of str, or an Arrow string array (read in place).
enum Texts<'py> {
    Arrow(Vec<arrow::Column>),
    Py(Vec<Bound<'py, PyAny>>),
}

fn texts<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Texts<'py>> {
    if !obj.is_instance_of::<PyList>()
        && (obj.hasattr("__arrow_c_array__")? || obj.hasattr("__arrow_c_stream__")?)
    {
        return Ok(Texts::Arrow(arrow::import(obj)?));
    }
    let items: Vec<Bound<'py, PyAny>> = if let Ok(list) = obj.cast::<PyList>() {
        list.iter().collect()
    } else {
        obj.try_iter()?.collect::<PyResult<_>>()?
    };
    for (i, item) in items.iter().enumerate() {
        if !item.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(format!(
                "{what}: item {i} is {}, not str",
                item.get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            )));
        }
    }
    Ok(Texts::Py(items))
}

/// Apply `f` to every text (in parallel, without the GIL); Arrow nulls give `None`; the first
/// error raises TokenbudgetError naming the item.
fn batch<'py, F>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    what: &str,
    tok: &'static Tokenizer,
    threads: usize,
    f: F,
) -> PyResult<Bound<'py, PyList>>
where
    F: Fn(&mut Counter<'static>, &str) -> Result<u64, String> + Sync,
{
    let mut out: Vec<Option<u64>> = Vec::new();
    let mut push = |strs: &[Option<&str>], base: usize| -> PyResult<()> {
        let n = py.detach(|| par_map(strs, threads, || counter_for(tok, strs, threads), &f));
        for (i, (s, r)) in strs.iter().zip(n).enumerate() {
            match r {
                Ok(n) => out.push(s.map(|_| n)),
                Err(e) => {
                    return Err(TokenbudgetError::new_err(format!(
                        "{what}: item {}: {e}",
                        base + i
                    )));
                }
            }
        }
        Ok(())
    };
    match texts(obj, what)? {
        Texts::Arrow(cols) => {
            let mut base = 0;
            for col in &cols {
                let strs = col.strings()?;
                push(&strs, base)?;
                base += strs.len();
            }
        }
        Texts::Py(items) => {
            let mut strs: Vec<Option<&str>> = Vec::with_capacity(items.len());
            for item in &items {
                strs.push(Some(item.cast::<PyString>()?.to_str()?));
            }
            push(&strs, 0)?;
        }
    }
    PyList::new(py, out)
}

/// Token counts of many texts on all cores: a list (or other sequence) of str, or an Arrow
/// string array (anything with `__arrow_c_array__` or `__arrow_c_stream__`, e.g. a pyarrow
/// Array or ChunkedArray), read in place without copying. Arrow nulls give `None`.
#[pyfunction]
#[pyo3(signature = (texts, *, model=None, encoding=None, threads=None))]
fn count_batch<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    model: Option<&str>,
    encoding: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyList>> {
    let (tok, rule) = calibrated_tokenizer(py, model, encoding)?;
    batch(
        py,
        texts,
        "count_batch",
        tok,
        threads_for(threads),
        |c, t| Ok(calibrated(rule, t, c.count(t) as u64)),
    )
}

/// Token counts of many JSON chat values, each counted like one line of `tokenbudget count
/// --jsonl`: a messages array, a chat request (OpenAI, Anthropic), a Batch API request line,
/// or a JSON string (plain text). Same inputs as `count_batch`.
#[pyfunction]
#[pyo3(signature = (texts, *, model=None, encoding=None, threads=None))]
fn count_messages_batch<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    model: Option<&str>,
    encoding: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyList>> {
    let tok = tokenizer(py, model, encoding)?;
    batch(
        py,
        texts,
        "count_messages_batch",
        tok,
        threads_for(threads),
        |c, t| tokenbudget::count::count_jsonl_record_in(c, &Options::default(), t, &[]),
    )
}

/// Counts a text that arrives in pieces (a streamed answer) exactly: the total after each
/// `feed` equals `count` of everything fed so far. Text before a safe split point (where every
/// pre-tokenizer cuts, see `tokenize::split_chunks`) is counted once and dropped, so each
/// `feed` costs the size of the new piece plus a short tail, not the whole text.
#[pyclass(module = "tokenbudget._native")]
struct StreamCounter {
    tok: &'static Tokenizer,
    committed: u64,
    tail: String,
}

#[pymethods]
impl StreamCounter {
    #[new]
    #[pyo3(signature = (*, model=None, encoding=None))]
    fn new(py: Python<'_>, model: Option<&str>, encoding: Option<&str>) -> PyResult<Self> {
        Ok(StreamCounter {
            tok: tokenizer(py, model, encoding)?,
            committed: 0,
            tail: String::new(),
        })
    }

    /// Add `text`; returns the tokens of everything fed so far.
    fn feed(&mut self, text: &str) -> u64 {
        self.tail.push_str(text);
        if self.tail.len() > 4096 {
            let chunks = tokenbudget::tokenize::split_chunks(&self.tail, 2);
            if chunks.len() > 1 {
                let head = chunks[0].len();
                self.committed += self.tok.count(&self.tail[..head]) as u64;
                self.tail.drain(..head);
            }
        }
        self.committed + self.tok.count(&self.tail) as u64
    }

    /// The tokens of everything fed so far.
    #[getter]
    fn tokens(&self) -> u64 {
        self.committed + self.tok.count(&self.tail) as u64
    }
}

/// The names of the embedded encodings.
#[pyfunction]
fn encodings() -> Vec<&'static str> {
    Encoding::ALL.iter().map(|e| e.name()).collect()
}

/// Run one CLI command line in-process (`argv` without the program name) and return
/// `(exit_code, stdout, error)`: the error is the message the CLI prints after `error:` (exit
/// code 2), else `None`. Colour is off, no progress, stdin is never read.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<String>) -> PyResult<(u8, Py<PyBytes>, Option<String>)> {
    let outcome = py.detach(|| {
        catch_unwind(AssertUnwindSafe(|| {
            let args = std::iter::once("tokenbudget".to_string()).chain(argv);
            let cli = match Cli::try_parse_from(args) {
                Ok(c) => c,
                Err(e) => {
                    let code = if e.use_stderr() { 2 } else { 0 };
                    let text = e.render().to_string();
                    return if code == 0 {
                        (0, text.into_bytes(), None)
                    } else {
                        (2, Vec::new(), Some(text.trim_end().to_string()))
                    };
                }
            };
            let env = Env {
                out: Style { enabled: false },
                err: Style { enabled: false },
                progress: false,
                stdin_is_terminal: true,
            };
            let mut out = Vec::new();
            match tokenbudget::app::run(cli, &env, &mut out) {
                Ok(status) => (status.code(), out, None),
                Err(e) => (2, out, Some(format!("{e:#}"))),
            }
        }))
    });
    match outcome {
        Ok((code, out, err)) => Ok((code, PyBytes::new(py, &out).unbind(), err)),
        Err(_) => Err(PyRuntimeError::new_err(
            "tokenbudget: internal error (a panic in the Rust core); please report it",
        )),
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("TokenbudgetError", py.get_type::<TokenbudgetError>())?;
    m.add("UnknownModelError", py.get_type::<UnknownModelError>())?;
    m.add(
        "NoExactTokenizerError",
        py.get_type::<NoExactTokenizerError>(),
    )?;
    m.add(
        "ApproximationWarning",
        py.get_type::<ApproximationWarning>(),
    )?;
    m.add_class::<StreamCounter>()?;
    m.add_function(wrap_pyfunction!(count, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(decode_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(count_batch, m)?)?;
    m.add_function(wrap_pyfunction!(count_messages_batch, m)?)?;
    m.add_function(wrap_pyfunction!(encodings, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    Ok(())
}
