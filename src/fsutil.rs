//! Writing output files safely. Every file the tool writes (`count --truncate --out`,
//! `plan --fit --out`, `check --init`) goes through here, with these guarantees:
//!
//! - **An input is never an output.** The target is compared with every input by device and
//!   inode ([`FileId`]), so `plan --request r.json --fit --out r.json`, a hard link or a
//!   symlink to the input, and `--out` onto the file redirected into stdin are all refused
//!   before anything is written.
//! - **Only regular files are replaced.** A directory, device, FIFO, socket or symbolic link at
//!   the target is refused with what it is (`--out /dev/null` never replaces the device; a
//!   symlink is refused rather than replaced or followed, so a link planted at the target cannot
//!   redirect the write).
//! - **Atomic, exclusive temporary file.** The bytes go to a temporary file created with
//!   `O_CREAT|O_EXCL` (tempfile's `NamedTempFile`, which never follows a planted symlink) under an
//!   unpredictable name in the target's directory, are synced, and renamed over the target: a
//!   reader sees the old file or the new one, never half of one.
//! - **Permissions kept.** Replacing an existing file keeps its mode (0600 stays 0600); a new
//!   file gets the usual 0666 less the umask.
//! - **No debris.** The temporary file is removed on any error and on SIGINT, SIGTERM or SIGHUP
//!   (the process then dies of that signal, as it would have).
//! - **`--init` never overwrites.** [`write_new`] links the finished temporary file into place
//!   only if nothing exists there (`link(2)` fails atomically with `EEXIST`), so of several
//!   concurrent `check --init` runs exactly one writes the file.

use std::fs::{self, Metadata};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use anyhow::{Context, Result, bail};

/// The identity of a file: device and inode. Two paths with the same id are the same file
/// (hard links, symlinks, `./x` and `x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The id of the file `path` names (following symlinks); `None` when it does not exist.
    pub fn of(path: &Path) -> Option<FileId> {
        fs::metadata(path).ok().map(|m| FileId::from_meta(&m))
    }

    /// The id of what standard input reads from, when it is a regular file (`< input.txt`).
    pub fn stdin() -> Option<FileId> {
        #[cfg(unix)]
        {
            // fstat(0) without an extra dependency: /dev/stdin names fd 0 on Linux and macOS.
            let meta = fs::metadata("/dev/stdin").ok()?;
            meta.is_file().then(|| FileId::from_meta(&meta))
        }
        #[cfg(not(unix))]
        {
            None
        }
    }

    #[cfg(unix)]
    fn from_meta(m: &Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId {
            dev: m.dev(),
            ino: m.ino(),
        }
    }

    #[cfg(not(unix))]
    fn from_meta(_: &Metadata) -> FileId {
        FileId { dev: 0, ino: 0 }
    }
}

/// An input of the run, as the output checks see it: what to call it, and its identity.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub label: String,
    pub id: FileId,
}

impl InputFile {
    /// The input named `path` (`-` is standard input); `None` when it is not a file.
    pub fn named(path: &Path) -> Option<InputFile> {
        if path == Path::new("-") {
            return Some(InputFile {
                label: "stdin".into(),
                id: FileId::stdin()?,
            });
        }
        Some(InputFile {
            label: path_label(path),
            id: FileId::of(path)?,
        })
    }
}

/// A path as shown in reports and messages: as is when it is UTF-8, else with each byte that is
/// not part of a UTF-8 character written `\xNN` (`caf\xe9.txt`), so a Latin-1 file name is
/// visible, distinct from its neighbours, and safe to print.
pub fn path_label(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// What kind of thing a path names, in words, when it is not a regular file.
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Check that `path` may be written with the given inputs: it is none of them, and it is
/// either absent or a regular file (not a symlink). Returns the existing file's metadata.
///
/// Called before the work starts (so a refused `--out` costs nothing) and again just before the
/// rename. The fuzz target `out_path` depends on this name and signature.
pub fn check_output(path: &Path, inputs: &[InputFile]) -> Result<Option<Metadata>> {
    if path.as_os_str().is_empty() {
        bail!("refusing to write an empty file name");
    }
    let existing = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("writing {}", path_label(path))),
    };
    let id = fs::metadata(path).ok().map(|m| FileId::from_meta(&m));
    if let Some(id) = id
        && let Some(input) = inputs.iter().find(|i| i.id == id)
    {
        let same = if input.label == path_label(path) {
            String::new()
        } else {
            format!(" ({})", input.label)
        };
        bail!(
            "refusing to write {}: it is also an input{same}; write the result to another file",
            path_label(path)
        );
    }
    if let Some(kind) = not_regular(&existing) {
        bail!(
            "refusing to replace {}: it is {kind}, not a regular file",
            path_label(path)
        );
    }
    Ok(Some(existing))
}

/// Write `bytes` to `path` atomically (see the module docs), refusing when `path` is one of
/// `inputs` or not a regular file.
pub fn write_atomic(path: &Path, bytes: &[u8], inputs: &[InputFile]) -> Result<()> {
    let existing = check_output(path, inputs)?;
    let mut tmp = temp_beside(path, existing.as_ref())?;
    let result = (|| -> std::io::Result<()> {
        tmp.file.as_file_mut().write_all(bytes)?;
        tmp.file.as_file().sync_all()?;
        test_pause();
        Ok(())
    })();
    result.with_context(|| format!("writing {}", path_label(path)))?;
    // The target may have changed while we wrote: check again right before the rename.
    check_output(path, inputs)?;
    tmp.persist(path, false)
}

/// Write `bytes` to a new file `path`: refused when anything exists there, even if it appears
/// while we write (for `check --init`).
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::symlink_metadata(path).is_ok() {
        bail!("{} already exists", path_label(path));
    }
    let mut tmp = temp_beside(path, None)?;
    let result = (|| -> std::io::Result<()> {
        tmp.file.as_file_mut().write_all(bytes)?;
        tmp.file.as_file().sync_all()?;
        test_pause();
        Ok(())
    })();
    result.with_context(|| format!("writing {}", path_label(path)))?;
    tmp.persist(path, true)
}

/// A temporary file being written, registered for removal on a signal.
struct Temp {
    file: tempfile::NamedTempFile,
}

fn temp_beside(path: &Path, existing: Option<&Metadata>) -> Result<Temp> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("writing {}: not a file name", path_label(path)))?;
    install_signal_cleanup();
    let mut live = live();
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", name.to_string_lossy());
    builder.prefix(&prefix).suffix(".tokenbudget.tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file: 0666 less the umask, as File::create would give.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let file = builder
        .tempfile_in(dir)
        .with_context(|| format!("writing {}", path_label(path)))?;
    live.push(file.path().to_path_buf());
    drop(live);
    if let Some(meta) = existing {
        // The umask applied at creation; the existing mode is set exactly.
        file.as_file()
            .set_permissions(meta.permissions())
            .with_context(|| format!("writing {}", path_label(path)))?;
    }
    Ok(Temp { file })
}

impl Temp {
    /// Rename (or, with `no_clobber`, link) the temporary file to `path`.
    fn persist(self, path: &Path, no_clobber: bool) -> Result<()> {
        let mut live = live();
        let tmp_path = self.file.path().to_path_buf();
        let result = if no_clobber {
            self.file.persist_noclobber(path)
        } else {
            self.file.persist(path)
        };
        live.retain(|p| *p != tmp_path);
        drop(live);
        match result {
            Ok(_) => Ok(()),
            // Dropping the returned file removes the temporary file.
            Err(e) if no_clobber && e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!("{} already exists", path_label(path))
            }
            Err(e) => Err(e.error).with_context(|| format!("writing {}", path_label(path))),
        }
    }
}

/// Temporary files that exist right now; the signal thread removes them.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// On the first write, start a thread that waits for SIGINT/SIGTERM/SIGHUP, removes the live
/// temporary files, and then lets the signal end the process as it would have (signal-hook
/// re-raises it with the default action, so the exit status still says "killed by SIGINT").
fn install_signal_cleanup() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            {
                std::thread::spawn(move || {
                    if let Some(sig) = signals.forever().next() {
                        // Held until the process ends: no new temporary file can appear.
                        let live = live();
                        for p in live.iter() {
                            let _ = fs::remove_file(p);
                        }
                        let _ = signal_hook::low_level::emulate_default_handler(sig);
                        std::process::exit(128 + sig);
                    }
                });
            }
        }
    });
}

/// Test hook: with `TOKENBUDGET_TEST_PAUSE_MS=N` (at most 60,000), wait N ms after the
/// temporary file is written and before it is renamed, so the test suite can deliver a signal at
/// exactly that moment (`tests/cli_out.rs`). It changes nothing else.
fn test_pause() {
    if let Some(ms) = std::env::var("TOKENBUDGET_TEST_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
    }
}
