//! File names that are not UTF-8 work on the command line and in directory walks, and are
//! printed with the bytes that are not UTF-8 escaped (`caf\xe9.txt`).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::common;
use common::{cmd, fixtures};

const LATIN1: &[u8] = b"caf\xe9.txt";

fn run(dir: &Path, args: &[&OsStr]) -> common::Out {
    let o = cmd(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .output()
        .unwrap();
    common::Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
    }
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

#[test]
fn non_utf8_names_work_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = OsStr::from_bytes(LATIN1);
    std::fs::write(d.join(name), "Hello world\n").unwrap();
    std::fs::write(d.join("b.txt"), "Hello\n").unwrap();
    let o = run(d, &[os("count"), name]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "3\n", "")
    );
    let o = run(d, &[os("count"), name, os("b.txt"), os("--json")]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = common::json(&o);
    assert_eq!(j["inputs"][0]["path"], "caf\\xe9.txt");
    assert_eq!(j["inputs"][0]["tokens"], 3);
    let o = run(d, &[os("count"), name, os("b.txt")]);
    assert!(o.stdout.contains("caf\\xe9.txt"), "{}", o.stdout);
    // A missing one is named the same way.
    let missing = OsStr::from_bytes(b"gone\xff.txt");
    let o = run(d, &[os("count"), missing]);
    assert_eq!(
        (o.code, o.stderr.as_str()),
        (
            2,
            "error: reading gone\\xff.txt: No such file or directory (os error 2)\n"
        )
    );
    // cost, plan, and --out to a non-UTF-8 name.
    let o = run(
        d,
        &[os("cost"), name, os("--model"), os("gpt-4o"), os("--json")],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(common::json(&o)["prompt"]["path"], "caf\\xe9.txt");
    let req = OsStr::from_bytes(b"r\xe9q.json");
    std::fs::copy(fixtures().join("plan/request.json"), d.join(req)).unwrap();
    let out = OsStr::from_bytes(b"fit\xe9.json");
    let o = run(
        d,
        &[
            os("plan"),
            os("--request"),
            req,
            os("--fit"),
            os("--context-window"),
            os("1137"),
            os("--out"),
            out,
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fitted: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join(out)).unwrap()).unwrap();
    assert_eq!(fitted["messages"].as_array().unwrap().len(), 3);
    let o = run(
        d,
        &[
            os("plan"),
            os("--request"),
            req,
            os("--fit"),
            os("--out"),
            req,
        ],
    );
    assert_eq!(
        (o.code, o.stderr.as_str()),
        (
            2,
            "error: refusing to write r\\xe9q.json: it is also an input; write the result to \
             another file\n"
        )
    );
}

#[test]
fn non_utf8_names_are_found_by_walks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("docs")).unwrap();
    std::fs::write(
        d.join("docs").join(OsStr::from_bytes(LATIN1)),
        "Hello world\n",
    )
    .unwrap();
    std::fs::write(d.join("docs/a.txt"), "Hello\n").unwrap();
    let o = run(d, &[os("count"), os("docs"), os("--json")]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = common::json(&o);
    let paths: Vec<&str> = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["docs/a.txt", "docs/caf\\xe9.txt"]);
    assert_eq!(j["total"]["tokens"], 5);

    // scan-logs: a non-UTF-8 log name in a walk is scanned (it was silently skipped, even
    // with --strict), and named escaped.
    std::fs::create_dir(d.join("logs")).unwrap();
    let app = std::fs::read(fixtures().join("scan/app.jsonl")).unwrap();
    std::fs::write(
        d.join("logs").join(OsStr::from_bytes(b"us\xe9r.jsonl")),
        &app,
    )
    .unwrap();
    let whole = run(
        d,
        &[os("scan-logs"), os("logs"), os("--json"), os("--strict")],
    );
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    let w = common::json(&whole);
    std::fs::write(d.join("plain.jsonl"), &app).unwrap();
    let plain = run(d, &[os("scan-logs"), os("plain.jsonl"), os("--json")]);
    let p = common::json(&plain);
    assert_eq!(w["records"], p["records"]);
    assert!(w["records"].as_u64().unwrap() > 0);
    assert_eq!(w["tokens"], p["tokens"]);
    // On the command line too; a skipped one is named escaped.
    let o = run(
        d,
        &[
            os("scan-logs"),
            &d.join("logs")
                .join(OsStr::from_bytes(b"us\xe9r.jsonl"))
                .into_os_string(),
            os("--json"),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(common::json(&o)["records"], p["records"]);
    std::fs::write(
        d.join("logs").join(OsStr::from_bytes(b"z\xff.jsonl.gz")),
        b"not gzip",
    )
    .unwrap();
    let o = run(
        d,
        &[os("scan-logs"), os("logs"), os("--json"), os("--strict")],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    let j = common::json(&o);
    assert_eq!(j["files_skipped"][0]["path"], "logs/z\\xff.jsonl.gz");
}
