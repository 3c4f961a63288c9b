//! Running the real binary with a clean environment.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A `tokenbudget` command run in `dir` with no inherited configuration.
pub fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tokenbudget"));
    c.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("TOKENBUDGET_MODEL")
        .env_remove("TOKENBUDGET_PRICES")
        .env_remove("GITHUB_ACTIONS")
        .env("COLUMNS", "200");
    c
}

/// Run with `args` in `dir`, feeding `stdin` (or an empty pipe when `None`).
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    run_cmd(cmd(dir), args, stdin)
}

pub fn run_cmd(mut c: Command, args: &[&str], stdin: Option<&[u8]>) -> Out {
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn tokenbudget");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(bytes) = stdin {
            let _ = pipe.write_all(bytes);
        }
    }
    let out = child.wait_with_output().expect("wait");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run in the count fixtures folder.
pub fn run(args: &[&str]) -> Out {
    run_in(&fixtures().join("count"), args, None)
}

pub fn json(out: &Out) -> serde_json::Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", out.stdout))
}
