//! Inputs and work items: files, directories (walked for `*.jsonl*`), stdin; compression
//! sniffed from magic bytes; large plain files split at line boundaries into ranges.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::logs::options::Input;

/// An input that could not be scanned (or was skipped), and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileProblem {
    pub path: String,
    pub reason: String,
}

pub(crate) struct FileInfo {
    pub(crate) label: String,
    pub(crate) path: Option<PathBuf>,
    /// Claude Code project (the folder under `projects/`, else the parent folder).
    pub(crate) project: Option<String>,
}

pub(crate) enum Source {
    /// A byte range of a plain file (starts at a line start).
    Range {
        start: u64,
        end: u64,
    },
    /// A whole file, maybe compressed, read sequentially.
    Whole,
    /// A whole plain file holding one JSON document (a Gemini CLI `session-*.json`), read into
    /// memory (at most the line cap) and parsed at once.
    Document,
    Stdin,
}

pub(crate) struct Item {
    pub(crate) file: usize,
    pub(crate) source: Source,
    pub(crate) size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Sniff compression from magic bytes; other compressions are an error.
pub(crate) fn sniff(head: &[u8], path: &Path) -> Result<Compression, String> {
    if head.starts_with(&[0x1f, 0x8b]) {
        return Ok(Compression::Gzip);
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Ok(Compression::Zstd);
    }
    let magic: [(&[u8], &str); 6] = [
        (b"BZh", "bzip2"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0], "xz"),
        (b"PK\x03\x04", "zip"),
        (&[0x04, 0x22, 0x4d, 0x18], "lz4"),
        (b"7z\xbc\xaf", "7z"),
        (&[0x5d, 0, 0], "lzma"),
    ];
    for (m, name) in magic {
        if head.starts_with(m) {
            return Err(format!("unsupported compression ({name}); use .gz or .zst"));
        }
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "gz" | "gzip" => Err("not gzip data".into()),
        "zst" | "zstd" => Err("not zstd data".into()),
        "bz2" | "xz" | "lz4" | "zip" | "7z" | "br" | "lzma" | "z" => {
            Err(format!("unsupported compression (.{ext}); use .gz or .zst"))
        }
        _ => Ok(Compression::None),
    }
}

pub(crate) fn project_of(path: &Path) -> Option<String> {
    let comps: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    if let Some(i) = comps.iter().rposition(|c| *c == "projects")
        && i + 2 < comps.len()
    {
        return Some(comps[i + 1].to_string());
    }
    // Gemini CLI: `tmp/<project>/chats/<session>` (a subagent's one folder deeper)
    if let Some(i) = comps.iter().rposition(|c| *c == "chats")
        && i >= 1
        && i + 1 < comps.len()
    {
        return Some(comps[i - 1].to_string());
    }
    path.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .map(str::to_string)
}

/// Whether a walk takes the file at `p`: a name containing `.jsonl` (`x.jsonl`, `x.jsonl.gz`),
/// or a `.json` file in a `chats` folder (a Gemini CLI session saved as one document), except
/// the prompt histories that agents keep in their home folder (`~/.claude/history.jsonl`,
/// `~/.codex/history.jsonl`: no usage in them).
fn is_log_file(p: &Path) -> bool {
    let Some(name) = p.file_name() else {
        return false;
    };
    let name = name.as_encoded_bytes();
    let parent = |q: &Path| {
        q.parent()
            .and_then(|d| d.file_name())
            .map(|n| n.as_encoded_bytes().to_vec())
    };
    if memchr::memmem::find(name, b".jsonl").is_some() {
        let home = parent(p);
        return !(name == b"history.jsonl"
            && matches!(
                home.as_deref(),
                Some(b".claude" | b".codex" | b".gemini" | b".qwen")
            ));
    }
    name.ends_with(b".json")
        && p.ancestors()
            .skip(1)
            .take(3)
            .any(|a| a.file_name().is_some_and(|n| n == "chats"))
}

/// Recursively list the log files under `dir` ([`is_log_file`]), sorted; problems are
/// reported, not fatal.
pub(crate) fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<FileProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(FileProblem {
                path: crate::fsutil::path_label(dir),
                reason: format!("cannot read directory: {e}"),
            });
            return;
        }
    };
    let mut list: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    list.sort();
    for p in list {
        // On bytes: a file name need not be UTF-8 (it was skipped without a word).
        let is_log = is_log_file(&p);
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, files, problems),
            Ok(_) if is_log => files.push(p),
            Ok(_) => {}
            Err(e) if is_log => problems.push(FileProblem {
                path: crate::fsutil::path_label(&p),
                reason: format!("cannot read: {e}"),
            }),
            Err(_) => {}
        }
    }
}

/// The first byte after the first newline at or after `pos` (or `len`).
pub(crate) fn next_line_start(file: &mut File, pos: u64, len: u64) -> io::Result<u64> {
    file.seek(SeekFrom::Start(pos - 1))?;
    let mut buf = vec![0u8; 64 << 10];
    let mut at = pos - 1;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(len);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok((at + i as u64 + 1).min(len));
        }
        at += n as u64;
    }
}

/// Whether a file's first lines give context to its later ones (a Codex rollout's
/// `session_meta`, a Gemini CLI session's first line): such a file is never split into ranges,
/// so one worker reads it in order.
fn has_file_context(head: &[u8], path: &Path) -> bool {
    let first = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    path.file_name()
        .is_some_and(|n| n.as_encoded_bytes().starts_with(b"rollout-"))
        || memchr::memmem::find(first, b"\"type\":\"session_meta\"").is_some()
        || memchr::memmem::find(first, b"\"projectHash\"").is_some()
}

pub(crate) fn plan(
    inputs: &[Input],
    chunk: u64,
    max_document: u64,
    files: &mut Vec<FileInfo>,
    items: &mut Vec<Item>,
    problems: &mut Vec<FileProblem>,
) {
    let mut paths: Vec<PathBuf> = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => {
                files.push(FileInfo {
                    label: "-".into(),
                    path: None,
                    project: None,
                });
                items.push(Item {
                    file: files.len() - 1,
                    source: Source::Stdin,
                    size: 0,
                });
            }
            Input::Path(p) => match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => {
                    let mut found = Vec::new();
                    walk(p, &mut found, problems);
                    paths.extend(found);
                }
                Ok(_) => paths.push(p.clone()),
                Err(e) => problems.push(FileProblem {
                    path: crate::fsutil::path_label(p),
                    reason: format!("cannot read: {e}"),
                }),
            },
        }
    }
    for path in paths {
        let label = crate::fsutil::path_label(&path);
        let opened = File::open(&path).and_then(|mut f| {
            let len = f.metadata()?.len();
            let mut head = [0u8; 4096];
            let mut n = 0;
            while n < head.len() {
                let k = f.read(&mut head[n..])?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            Ok((f, len, head[..n].to_vec()))
        });
        let (mut f, len, head) = match opened {
            Ok(x) => x,
            Err(e) => {
                problems.push(FileProblem {
                    path: label,
                    reason: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let comp = match sniff(&head, &path) {
            Ok(c) => c,
            Err(reason) => {
                problems.push(FileProblem {
                    path: label,
                    reason,
                });
                continue;
            }
        };
        let project = project_of(&path);
        let keep_whole = has_file_context(&head, &path);
        files.push(FileInfo {
            label,
            path: Some(path),
            project,
        });
        let file = files.len() - 1;
        if comp == Compression::None && crate::logs::record::is_session_document(&head) {
            if len > max_document {
                let label = files.pop().map(|f| f.label).unwrap_or_default();
                problems.push(FileProblem {
                    path: label,
                    reason: format!(
                        "a JSON document larger than {max_document} bytes (the line cap), \
                         skipped unread"
                    ),
                });
                continue;
            }
            items.push(Item {
                file,
                source: Source::Document,
                size: len,
            });
            continue;
        }
        if comp != Compression::None || len <= chunk || keep_whole {
            items.push(Item {
                file,
                source: Source::Whole,
                size: len,
            });
            continue;
        }
        let mut start = 0;
        while start < len {
            let nominal = start + chunk;
            let end = if nominal >= len {
                len
            } else {
                match next_line_start(&mut f, nominal, len) {
                    Ok(e) => e,
                    Err(_) => len,
                }
            };
            items.push(Item {
                file,
                source: Source::Range { start, end },
                size: end - start,
            });
            start = end;
        }
    }
}
