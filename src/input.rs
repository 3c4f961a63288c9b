//! Where text comes from: files, directories (walked honouring `.gitignore`), glob patterns,
//! `-` / piped stdin, and inline `--text`. Inputs are read as exact bytes and must be UTF-8;
//! nothing is translated, trimmed or stripped (a BOM is text like any other).

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

/// One input to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-`, or piped stdin with no path).
    Stdin,
    /// A file named on the command line or found by a walk or glob.
    File { path: PathBuf, walked: bool },
    /// Inline text from `--text` (1-based position among the `--text` flags).
    Text { index: usize, text: String },
}

impl Source {
    /// The name shown in reports and messages.
    pub fn label(&self) -> String {
        match self {
            Source::Stdin => "-".to_string(),
            Source::File { path, .. } => crate::fsutil::path_label(path),
            Source::Text { index, .. } => format!("--text #{index}"),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The result of expanding command-line paths into sources.
#[derive(Debug, Default)]
pub struct Expanded {
    pub sources: Vec<Source>,
    /// Paths that could not be expanded (missing, unreadable directory, pattern matching
    /// nothing), with the reason. The other inputs are still counted.
    pub errors: Vec<(String, anyhow::Error)>,
}

/// Expand `paths` and `texts` into sources. With neither, piped stdin is read; a terminal on
/// stdin is a usage error.
pub fn expand(paths: &[PathBuf], texts: &[String], stdin_is_terminal: bool) -> Result<Expanded> {
    let mut out = Expanded::default();
    if paths.is_empty() && texts.is_empty() {
        if stdin_is_terminal {
            bail!("no input: give a file, a directory, a glob, `-` for stdin, or --text");
        }
        if stdin_is_closed() {
            bail!(
                "no input: stdin is closed (or /dev/null) and no path was given; give a file, a \
                 directory, a glob, or --text"
            );
        }
        out.sources.push(Source::Stdin);
        return Ok(out);
    }
    for (i, text) in texts.iter().enumerate() {
        out.sources.push(Source::Text {
            index: i + 1,
            text: text.clone(),
        });
    }
    let mut stdin_used = false;
    for path in paths {
        // File names need not be UTF-8; patterns must be.
        let p = crate::fsutil::path_label(path);
        if path.as_os_str() == "-" {
            if stdin_used {
                bail!("`-` (stdin) given more than once");
            }
            stdin_used = true;
            out.sources.push(Source::Stdin);
            continue;
        }
        let path = path.as_path();
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => match walk(path, None) {
                Ok(files) => out.sources.extend(files),
                Err(e) => out.errors.push((p.clone(), e)),
            },
            Ok(_) => out.sources.push(Source::File {
                path: path.to_path_buf(),
                walked: false,
            }),
            Err(_) if path.to_str().is_some_and(is_glob) => match glob(&p) {
                Ok(files) if files.is_empty() => out
                    .errors
                    .push((p.clone(), anyhow!("pattern '{p}' matches no file"))),
                Ok(files) => out.sources.extend(files),
                Err(e) => out.errors.push((p.clone(), e)),
            },
            Err(e) => out.errors.push((
                p.clone(),
                anyhow::Error::new(e).context(format!("reading {p}")),
            )),
        }
    }
    Ok(out)
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '[', '{'])
}

/// Files below `root` (honouring `.gitignore`, `.ignore` and hidden-file rules, like ripgrep),
/// optionally filtered by a glob matched against the path relative to the current directory.
fn walk(root: &Path, filter: Option<&globset::GlobMatcher>) -> Result<Vec<Source>> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| walk_error(root, &e))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        if let Some(m) = filter {
            let rel = path.strip_prefix("./").unwrap_or(&path);
            if !m.is_match(rel) {
                continue;
            }
        }
        files.push(Source::File { path, walked: true });
    }
    Ok(files)
}

/// `reading locked: Permission denied (os error 13)` rather than ignore's nested wording.
fn walk_error(root: &Path, err: &ignore::Error) -> anyhow::Error {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            _ => None,
        }
    }
    let path = path_of(err).unwrap_or(root);
    match err.io_error() {
        Some(io) => {
            // ignore wraps walkdir's error in an io::Error; show the OS error underneath.
            let mut inner: &dyn std::error::Error = io;
            while let Some(next) = inner.source().or_else(|| {
                inner
                    .downcast_ref::<std::io::Error>()
                    .and_then(|e| e.get_ref())
                    .map(|e| e as &dyn std::error::Error)
            }) {
                inner = next;
            }
            anyhow!("reading {}: {inner}", crate::fsutil::path_label(path))
        }
        None => anyhow!("reading {}: {err}", crate::fsutil::path_label(path)),
    }
}

/// Expand a glob pattern (`prompts/**/*.txt`): walk the longest literal directory prefix and
/// keep the files the pattern matches.
pub fn glob(pattern: &str) -> Result<Vec<Source>> {
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .with_context(|| format!("invalid glob pattern '{pattern}'"))?
        .compile_matcher();
    let mut base = PathBuf::new();
    for comp in Path::new(pattern).components() {
        let s = comp.as_os_str().to_string_lossy();
        if is_glob(&s) {
            break;
        }
        base.push(comp);
    }
    if base.as_os_str().is_empty() {
        base.push(".");
    }
    if !base.is_dir() {
        return Ok(Vec::new());
    }
    walk(&base, Some(&matcher))
}

/// What reading a closed standard input says (exit 2).
pub const STDIN_CLOSED: &str = "reading stdin: no input (stdin is closed or /dev/null)";

/// Standard input is closed (`<&-`) or `/dev/null` (what cron, CI runners and `nohup` give): there
/// is nothing to read, which is "no input" (exit 2), never an empty input of 0 tokens. (Rust
/// reopens a closed fd 0 on /dev/null before `main`, so the two cannot be told apart; an empty
/// pipe or an empty file is still an empty input.)
pub fn stdin_is_closed() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let Ok(stdin) = std::fs::metadata("/dev/stdin") else {
            return true;
        };
        let Ok(null) = std::fs::metadata("/dev/null") else {
            return false;
        };
        stdin.file_type().is_char_device() && stdin.rdev() == null.rdev()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The text of a source.
#[derive(Debug)]
pub enum Loaded {
    Text(String),
    /// A walked file that looks binary (a NUL byte in its first 8 KiB, or not UTF-8): skipped
    /// with a note rather than reported as an error.
    Binary(String),
}

/// Read a source's exact bytes as UTF-8. Invalid UTF-8 in a named file or stdin is an error
/// naming the byte offset.
pub fn load(source: &Source) -> Result<Loaded> {
    let bytes = match source {
        Source::Text { text, .. } => return Ok(Loaded::Text(text.clone())),
        Source::Stdin => {
            if stdin_is_closed() {
                bail!(STDIN_CLOSED);
            }
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("reading stdin")?;
            buf
        }
        Source::File { path, .. } => std::fs::read(path)
            .with_context(|| format!("reading {}", crate::fsutil::path_label(path)))?,
    };
    decode(source, bytes)
}

/// A source opened for reading, read up to a limit.
pub enum Opened {
    /// All of it (it held at most the limit).
    Whole(Loaded),
    /// A source longer than the limit: its first bytes, and a reader for the rest.
    Partial {
        head: Vec<u8>,
        rest: Box<dyn Read + Send>,
    },
}

/// Open a source and read up to `limit` bytes of it: the whole of it, as [`load`] would give
/// it, when it ends within the limit; otherwise the head and a reader for the rest. A walked
/// file whose first 8 KiB hold a NUL byte is binary either way.
pub fn open(source: &Source, limit: usize) -> Result<Opened> {
    let mut rest: Box<dyn Read + Send> = match source {
        Source::Text { text, .. } => return Ok(Opened::Whole(Loaded::Text(text.clone()))),
        Source::Stdin => {
            if stdin_is_closed() {
                bail!(STDIN_CLOSED);
            }
            Box::new(std::io::stdin())
        }
        Source::File { path, .. } => Box::new(
            std::fs::File::open(path)
                .with_context(|| format!("reading {}", crate::fsutil::path_label(path)))?,
        ),
    };
    let mut head = Vec::new();
    let ended =
        crate::stream::fill(&mut *rest, &mut head, limit).with_context(|| match source {
            Source::Stdin => "reading stdin".to_string(),
            _ => format!("reading {}", source.label()),
        })?;
    if ended {
        return decode(source, head).map(Opened::Whole);
    }
    if is_walked(source) && has_nul(&head) {
        return Ok(Opened::Whole(Loaded::Binary(
            "binary file (NUL byte)".into(),
        )));
    }
    Ok(Opened::Partial { head, rest })
}

/// [`open`] for a file whose bytes were already read whole (to look at them first): the same
/// result, without reading the file again (so both looks are at the same bytes).
pub fn open_read(source: &Source, bytes: Vec<u8>, limit: usize) -> Result<Opened> {
    if bytes.len() <= limit {
        return decode(source, bytes).map(Opened::Whole);
    }
    if is_walked(source) && has_nul(&bytes) {
        return Ok(Opened::Whole(Loaded::Binary(
            "binary file (NUL byte)".into(),
        )));
    }
    Ok(Opened::Partial {
        head: bytes,
        rest: Box::new(std::io::empty()),
    })
}

fn is_walked(source: &Source) -> bool {
    matches!(source, Source::File { walked: true, .. })
}

fn has_nul(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// What invalid UTF-8 at `offset` means for `source`: a walked file is skipped as binary (the
/// `Ok` reason), a named file or stdin is an error.
pub fn invalid_utf8(source: &Source, offset: u64) -> Result<String> {
    if is_walked(source) {
        return Ok(format!("not UTF-8 (invalid byte at offset {offset})"));
    }
    Err(anyhow!(
        "{}: invalid UTF-8 at byte offset {offset}",
        source.label()
    ))
}

/// A source's bytes as text (see [`load`]).
fn decode(source: &Source, bytes: Vec<u8>) -> Result<Loaded> {
    let walked = is_walked(source);
    if walked && has_nul(&bytes) {
        return Ok(Loaded::Binary("binary file (NUL byte)".into()));
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Loaded::Text(s)),
        Err(e) if walked => Ok(Loaded::Binary(format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))),
        Err(e) => Err(anyhow!(
            "{}: invalid UTF-8 at byte offset {}",
            source.label(),
            e.utf8_error().valid_up_to()
        )),
    }
}
