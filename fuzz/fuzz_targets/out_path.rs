//! The output-path checks (`--out`, `check --init`): any relative path inside a fixture
//! directory that holds an input, a hard link and a symlink to it, another regular file, a
//! symlink to that, a dangling symlink, a directory and a FIFO. An input is never written, only
//! a regular file is ever replaced, nothing but the target changes, and no temporary file is
//! left behind.
#![no_main]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenbudget::fsutil::{InputFile, check_output, write_atomic, write_new};

const INPUT: &[u8] = b"the input\n";
const OTHER: &[u8] = b"another file\n";

fn fixture() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tokenbudget-fuzz-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("in.txt"), INPUT).unwrap();
        std::fs::write(dir.join("other.txt"), OTHER).unwrap();
        std::fs::hard_link(dir.join("in.txt"), dir.join("hard.txt")).unwrap();
        std::os::unix::fs::symlink("in.txt", dir.join("soft.txt")).unwrap();
        std::os::unix::fs::symlink("other.txt", dir.join("link.txt")).unwrap();
        std::os::unix::fs::symlink("nowhere", dir.join("dangling")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .unwrap();
        assert!(fifo.success());
        dir
    })
}

/// Every name in the fixture with what it holds (links as their target).
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut v = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("sub")] {
        for e in std::fs::read_dir(&sub).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let what = if m.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().display())
            } else if m.is_file() {
                format!("{:?}", std::fs::read(&p).unwrap())
            } else {
                "special".into()
            };
            v.push((p, what));
        }
    }
    v.sort();
    v
}

fuzz_target!(|data: &[u8]| {
    if data.is_empty() || data.len() > 200 {
        return;
    }
    let (mode, name) = (data[0], &data[1..]);
    let rel = Path::new(OsStr::from_bytes(name));
    // Stay inside the fixture.
    if rel.is_absolute()
        || rel.as_os_str().is_empty()
        || rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return;
    }
    let dir = fixture();
    let target = dir.join(rel);
    let before = snapshot(dir);
    let inputs = [InputFile::named(&dir.join("in.txt")).unwrap()];
    let existed = std::fs::symlink_metadata(&target).ok();
    let checked = check_output(&target, &inputs);
    if let Ok(Some(m)) = &checked {
        assert!(m.file_type().is_file(), "{target:?}");
    }
    if let Some(m) = &existed
        && !m.file_type().is_file()
    {
        assert!(checked.is_err(), "{target:?}: a non-regular file passed");
    }
    let payload = b"written\n";
    let result = if mode & 1 == 0 {
        write_atomic(&target, payload, &inputs)
    } else {
        write_new(&target, payload)
    };
    let after = snapshot(dir);
    if result.is_ok() {
        assert!(checked.is_ok() || mode & 1 == 1, "{target:?}");
        assert_eq!(std::fs::read(&target).unwrap(), payload);
        if mode & 1 == 1 {
            assert!(existed.is_none(), "{target:?}: write_new replaced a file");
        }
        // Only the target changed: restore it.
        match &existed {
            None => std::fs::remove_file(&target).unwrap(),
            Some(_) => std::fs::write(&target, OTHER).unwrap(),
        }
        assert_eq!(snapshot(dir), before, "{target:?}");
    } else {
        assert_eq!(
            after, before,
            "{target:?}: a refused write changed something"
        );
    }
    assert_eq!(std::fs::read(dir.join("in.txt")).unwrap(), INPUT);
});
