//! Files the tool writes (`count --truncate --out`, `plan --fit --out`, `check --init`): never an
//! input, never anything but a regular file, atomic through an exclusive temporary file, modes
//! kept, no debris on a signal, `--init` exclusive.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{cmd, fixtures, run_in};

fn copy_fixture(dir: &Path, from: &str, to: &str) -> Vec<u8> {
    let bytes = std::fs::read(fixtures().join(from)).unwrap();
    std::fs::write(dir.join(to), &bytes).unwrap();
    bytes
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const FIT: [&str; 5] = ["--fit", "--context-window", "1137", "--out", "r.json"];

#[test]
fn out_refuses_to_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let request = copy_fixture(d, "plan/request.json", "r.json");
    let mut args = vec!["plan", "--request", "r.json"];
    args.extend(FIT);
    let o = run_in(d, &args, None);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (
            2,
            "",
            "error: refusing to write r.json: it is also an input; write the result to another \
             file\n"
        )
    );
    assert_eq!(std::fs::read(d.join("r.json")).unwrap(), request);

    // The same file under another name: a hard link, a symlink, `./r.json`.
    std::fs::hard_link(d.join("r.json"), d.join("hard.json")).unwrap();
    std::os::unix::fs::symlink("r.json", d.join("soft.json")).unwrap();
    for (out, input) in [
        ("hard.json", "r.json"),
        ("./r.json", "r.json"),
        ("r.json", "soft.json"),
    ] {
        let o = run_in(
            d,
            &[
                "plan",
                "--request",
                input,
                "--fit",
                "--context-window",
                "1137",
                "--out",
                out,
            ],
            None,
        );
        assert_eq!(
            (o.code, o.stderr),
            (
                2,
                format!(
                    "error: refusing to write {out}: it is also an input ({input}); write the \
                     result to another file\n"
                )
            )
        );
    }
    assert_eq!(std::fs::read(d.join("r.json")).unwrap(), request);

    // The file redirected into stdin is an input too.
    let mut c = cmd(d);
    c.args(["plan", "--request", "-"])
        .args(FIT)
        .stdin(std::fs::File::open(d.join("r.json")).unwrap());
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: refusing to write r.json: it is also an input (stdin); write the result to \
         another file\n"
    );
    assert_eq!(std::fs::read(d.join("r.json")).unwrap(), request);

    // Another output name works, and the input is untouched.
    let o = run_in(
        d,
        &[
            "plan",
            "--request",
            "r.json",
            "--fit",
            "--context-window",
            "1137",
            "--out",
            "fitted.json",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fitted: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("fitted.json")).unwrap()).unwrap();
    assert_eq!(fitted["messages"].as_array().unwrap().len(), 3);
    assert_eq!(std::fs::read(d.join("r.json")).unwrap(), request);
}

#[test]
fn count_truncate_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("l.txt"), "one two three four five six seven\n").unwrap();
    let o = run_in(
        d,
        &["count", "l.txt", "--truncate", "5", "--out", "l.txt"],
        None,
    );
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (
            2,
            "",
            "error: refusing to write l.txt: it is also an input; write the result to another \
             file\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(d.join("l.txt")).unwrap(),
        "one two three four five six seven\n"
    );
    let o = run_in(
        d,
        &["count", "l.txt", "--truncate", "5", "--out", "short.txt"],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(d.join("short.txt")).unwrap(),
        "one two three four five"
    );
    assert_eq!(names(d), ["l.txt", "short.txt"]);
}

fn is_root() -> bool {
    let o = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&o.stdout).trim() == "0"
}

#[test]
fn out_replaces_only_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("l.txt"), "one two three\n").unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::write(d.join("victim.txt"), "keep me\n").unwrap();
    std::os::unix::fs::symlink("victim.txt", d.join("link.txt")).unwrap();
    std::os::unix::fs::symlink("missing.txt", d.join("dangling.txt")).unwrap();
    let st = Command::new("mkfifo").arg(d.join("fifo")).status().unwrap();
    assert!(st.success());
    let mut cases = vec![
        ("sub", "a directory"),
        ("link.txt", "a symbolic link"),
        ("dangling.txt", "a symbolic link"),
        ("fifo", "a FIFO (named pipe)"),
    ];
    if is_root() {
        // Our own /dev/null (character device 1,3) in the temp dir.
        let st = Command::new("mknod")
            .arg(d.join("null"))
            .args(["c", "1", "3"])
            .status()
            .unwrap();
        assert!(st.success());
        cases.push(("null", "a character device"));
    } else {
        eprintln!("skipping the device-node case: creating a device node needs root");
    }
    for (out, kind) in &cases {
        let o = run_in(
            d,
            &["count", "l.txt", "--truncate", "1", "--out", out],
            None,
        );
        assert_eq!(
            (o.code, o.stderr),
            (
                2,
                format!("error: refusing to replace {out}: it is {kind}, not a regular file\n")
            ),
            "{out}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(d.join("victim.txt")).unwrap(),
        "keep me\n"
    );
    assert!(
        std::fs::symlink_metadata(d.join("link.txt"))
            .unwrap()
            .is_symlink()
    );
    if is_root() {
        use std::os::unix::fs::FileTypeExt;
        let t = std::fs::symlink_metadata(d.join("null"))
            .unwrap()
            .file_type();
        assert!(t.is_char_device());
    }
    let mut expected = vec![
        "dangling.txt",
        "fifo",
        "l.txt",
        "link.txt",
        "sub",
        "victim.txt",
    ];
    if is_root() {
        expected.push("null");
        expected.sort();
    }
    assert_eq!(names(d), expected);
}

#[test]
fn out_keeps_the_existing_mode_and_new_files_follow_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("l.txt"), "one two three\n").unwrap();
    std::fs::write(d.join("secret.txt"), "old\n").unwrap();
    std::fs::set_permissions(d.join("secret.txt"), PermissionsExt::from_mode(0o600)).unwrap();
    std::fs::write(d.join("exec.txt"), "old\n").unwrap();
    std::fs::set_permissions(d.join("exec.txt"), PermissionsExt::from_mode(0o751)).unwrap();
    let bin = env!("CARGO_BIN_EXE_tokenbudget");
    for (out, mode) in [
        ("secret.txt", 0o600),
        ("exec.txt", 0o751),
        ("new.txt", 0o640),
    ] {
        let st = Command::new("sh")
            .current_dir(d)
            .env("TB", bin)
            .env("OUT", out)
            .args([
                "-c",
                "umask 027; exec \"$TB\" count l.txt --truncate 1 --out \"$OUT\" 2>/dev/null",
            ])
            .status()
            .unwrap();
        assert!(st.success(), "{out}");
        assert_eq!(
            std::fs::read_to_string(d.join(out)).unwrap(),
            "one",
            "{out}"
        );
        let m = std::fs::metadata(d.join(out)).unwrap().permissions().mode() & 0o7777;
        assert_eq!(m, mode, "{out}: {m:o}");
    }
    assert_eq!(names(d), ["exec.txt", "l.txt", "new.txt", "secret.txt"]);
}

/// Start `count --truncate --out out.txt` paused after writing its temporary file; return the
/// child once that file exists, and the file's name.
#[allow(clippy::zombie_processes)] // the child is returned; the caller waits for it
fn paused_write(d: &Path) -> (std::process::Child, String) {
    let mut child = cmd(d)
        .env("TOKENBUDGET_TEST_PAUSE_MS", "30000")
        .args(["count", "l.txt", "--truncate", "1", "--out", "out.txt"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(tmp) = names(d).into_iter().find(|n| n.ends_with(".tmp")) {
            return (child, tmp);
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no temporary file appeared");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn temporary_files_are_unpredictable_exclusive_and_removed_on_a_signal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("l.txt"), "one two three\n").unwrap();
    let mut seen = Vec::new();
    for signal in ["TERM", "INT", "HUP"] {
        let (mut child, tmp) = paused_write(d);
        // `.out.txt.` + random + `.tokenbudget.tmp`, never the process id.
        assert!(tmp.starts_with(".out.txt."), "{tmp}");
        assert!(tmp.ends_with(".tokenbudget.tmp"), "{tmp}");
        assert!(!tmp.contains(&child.id().to_string()), "{tmp}");
        let meta = std::fs::symlink_metadata(d.join(&tmp)).unwrap();
        assert!(meta.file_type().is_file());
        seen.push(tmp);
        let st = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let status = child.wait().unwrap();
        let number = match signal {
            "TERM" => 15,
            "INT" => 2,
            _ => 1,
        };
        assert_eq!(status.signal(), Some(number), "{signal}: {status:?}");
        assert_eq!(names(d), ["l.txt"], "SIG{signal} left debris");
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "temporary names repeat: {seen:?}");

    // Without a signal the pause ends and the file is renamed into place.
    let o = common::run_cmd(
        {
            let mut c = cmd(d);
            c.env("TOKENBUDGET_TEST_PAUSE_MS", "50");
            c
        },
        &["count", "l.txt", "--truncate", "1", "--out", "out.txt"],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(names(d), ["l.txt", "out.txt"]);
}

#[test]
fn concurrent_init_writes_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("AGENTS.md"), "Agent rules here.\n").unwrap();
    // Each run pauses after writing its temporary file, so all eight are past the "already
    // exists" check before the first one links its file into place.
    let children: Vec<_> = (0..8)
        .map(|_| {
            cmd(d)
                .env("TOKENBUDGET_TEST_PAUSE_MS", "1500")
                .args(["check", "--init"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let wrote: Vec<_> = outs
        .iter()
        .filter(|o| String::from_utf8_lossy(&o.stdout).starts_with("wrote tokenbudget.toml: "))
        .collect();
    assert_eq!(wrote.len(), 1);
    assert_eq!(wrote[0].status.code(), Some(0));
    for o in outs.iter().filter(|o| o.status.code() != Some(0)) {
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            "error: tokenbudget.toml already exists; --init never overwrites: edit it, or \
             remove it to start over\n"
        );
        assert!(o.stdout.is_empty());
    }
    assert_eq!(outs.iter().filter(|o| o.status.success()).count(), 1);
    assert_eq!(names(d), ["AGENTS.md", "tokenbudget.toml"]);
    let o = run_in(d, &["check"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
}
