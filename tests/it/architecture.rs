//! The architecture the README describes, held against the code:
//! - the README's `src/` tree names every source file, and every file it names exists;
//! - no source file imports one that (directly or through others) imports it back;
//! - core modules (all but `app`, `cli`, `commands` and `report`) import neither the CLI nor the
//!   report layer nor a command.
//!
//! Imports are read from `crate::…` and `super::…` paths in the code (comments and `#[cfg(test)]`
//! modules left out), resolved to the file that defines the longest matching module path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/`, as paths relative to `src/` (`tokenize/bpe.rs`).
fn source_files() -> BTreeSet<String> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).expect("read src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(base).expect("under src");
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    let src = root().join("src");
    walk(&src, &src, &mut out);
    out
}

/// The files the README's architecture tree names under `src/` (indentation is nesting).
fn readme_tree() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let start = readme
        .find("```\nsrc/\n")
        .expect("the README has a src/ tree")
        + 4;
    let end = start + readme[start..].find("```").expect("the tree block ends");
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut files = BTreeSet::new();
    for line in readme[start..end].lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        // a description continued on the next line is indented past the names
        if indent >= 20 {
            continue;
        }
        if indent == 0 {
            stack.clear();
            if name == "src/" {
                stack.push((0, String::new()));
            }
            continue;
        }
        if stack.is_empty() {
            continue; // tests/, fuzz/, … are not under src/
        }
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let prefix = stack.last().map(|(_, p)| p.clone()).unwrap_or_default();
        if let Some(dir) = name.strip_suffix('/') {
            stack.push((indent, format!("{prefix}{dir}/")));
        } else {
            files.insert(format!("{prefix}{name}"));
        }
    }
    files
}

#[test]
fn the_readme_tree_names_every_source_file_and_only_those() {
    let code = source_files();
    let readme = readme_tree();
    let missing: Vec<_> = code.difference(&readme).collect();
    let stale: Vec<_> = readme.difference(&code).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "README architecture tree: files not named {missing:?}; named but not in src/ {stale:?}"
    );
}

/// The module path of a file: `tokenize/mod.rs` → `tokenize`, `logs/scan/read.rs` →
/// `logs::scan::read`, `lib.rs` → ``.
fn module_of(file: &str) -> String {
    let m = file.trim_end_matches(".rs");
    let m = m.strip_suffix("/mod").unwrap_or(m);
    if m == "lib" || m == "main" {
        return String::new();
    }
    m.replace('/', "::")
}

/// The code of a file without comments, string literals' contents and `#[cfg(test)]` modules.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths after `crate::` / `super::` in `code`, braces expanded one level
/// (`crate::a::{b, c::d}` → `a::b`, `a::c::d`), relative to module `me`.
fn imported_paths(code: &str, me: &str) -> Vec<String> {
    let mut out = Vec::new();
    let parent = |m: &str| {
        m.rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_string())
    };
    for (marker, base) in [("crate::", String::new()), ("super::", parent(me))] {
        let mut rest = code;
        while let Some(i) = rest.find(marker) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + marker.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `foo_crate::` or the like
            }
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let head = rest[..end].trim_end_matches(':');
            let join = |p: &str| match base.is_empty() {
                true => p.to_string(),
                false => format!("{base}::{p}"),
            };
            if rest[end..].starts_with('{') && rest[..end].ends_with("::") {
                let close = rest[end..].find('}').map_or(rest.len(), |j| end + j);
                for item in rest[end + 1..close].split(',') {
                    let item = item.split_whitespace().next().unwrap_or("");
                    let item = item.trim_matches(|c: char| c == '{' || c == '}');
                    if item.is_empty() || item == "self" || item == "*" {
                        out.push(join(head));
                    } else {
                        out.push(join(&format!("{head}::{item}")));
                    }
                }
            } else {
                out.push(join(head));
            }
        }
    }
    out
}

/// file → the files it imports.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = source_files();
    let modules: BTreeMap<String, String> =
        files.iter().map(|f| (module_of(f), f.clone())).collect();
    let resolve = |path: &str| -> Option<&String> {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .find_map(|n| modules.get(&parts[..n].join("::")))
    };
    let mut graph = BTreeMap::new();
    for f in &files {
        if f == "lib.rs" || f == "main.rs" {
            continue; // module declarations and the entry point
        }
        let text = std::fs::read_to_string(root().join("src").join(f)).expect("source");
        let me = module_of(f);
        let mut to = BTreeSet::new();
        for p in imported_paths(&code_of(&text), &me) {
            if let Some(target) = resolve(&p)
                && target != f
                && target != "lib.rs"
            {
                to.insert(target.clone());
            }
        }
        graph.insert(f.clone(), to);
    }
    graph
}

#[test]
fn no_source_file_imports_one_that_imports_it_back() {
    let graph = import_graph();
    // the files each file reaches
    let mut cycles = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = graph[start].iter().collect();
        while let Some(f) = todo.pop() {
            if !seen.insert(f.clone()) {
                continue;
            }
            if let Some(next) = graph.get(f) {
                todo.extend(next.iter());
            }
        }
        if seen.contains(start) {
            cycles.push(start.clone());
        }
    }
    assert!(cycles.is_empty(), "files on an import cycle: {cycles:?}");
}

#[test]
fn core_modules_import_neither_the_cli_nor_the_report_layer() {
    let front = |f: &str| {
        f == "app.rs" || f == "cli.rs" || f.starts_with("commands/") || f.starts_with("report/")
    };
    let mut bad = Vec::new();
    for (f, to) in import_graph() {
        if front(&f) {
            continue;
        }
        for t in to.iter().filter(|t| front(t)) {
            bad.push(format!("{f} -> {t}"));
        }
    }
    assert!(
        bad.is_empty(),
        "core modules importing the front end: {bad:?}"
    );
}

#[test]
fn the_import_reader_sees_imports() {
    // the reader itself, on known text: a test that cannot fail proves nothing
    let code = "use crate::report::{self, Env, escape::Shown};\nuse super::pretok::Family;\n";
    assert_eq!(
        imported_paths(code, "tokenize::bpe"),
        vec![
            "report".to_string(),
            "report::Env".to_string(),
            "report::escape::Shown".to_string(),
            "tokenize::pretok::Family".to_string(),
        ]
    );
    let graph = import_graph();
    assert!(graph["commands/count.rs"].contains("report/mod.rs"));
    assert!(graph["tokenize/pretok.rs"].contains("tokenize/charclass.rs"));
}
