//! Shell completions (`completions/`) and man pages (`man/`) are generated from the clap
//! definition and committed. This test regenerates them in memory and fails when the committed
//! copies differ. Rewrite them with:
//!
//!     TOKENBUDGET_REGENERATE=1 cargo test --test it generated

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;
use tokenbudget::cli::Cli;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file: (path relative to the repo, contents).
fn generate() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        let mut cmd = Cli::command();
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "tokenbudget", &mut buf);
        let name = match shell {
            Shell::Bash => "tokenbudget.bash",
            Shell::Zsh => "_tokenbudget",
            Shell::Fish => "tokenbudget.fish",
            Shell::PowerShell => "_tokenbudget.ps1",
            Shell::Elvish => "tokenbudget.elv",
            _ => unreachable!("only the shells listed above"),
        };
        files.push((Path::new("completions").join(name), buf));
    }
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .expect("rendering to memory cannot fail");
    files.push((PathBuf::from("man/tokenbudget.1"), buf));
    for sub in cmd.get_subcommands() {
        let name = format!("tokenbudget-{}", sub.get_name());
        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
        let sub = sub.clone().name(leaked);
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub)
            .render(&mut buf)
            .expect("rendering to memory cannot fail");
        files.push((PathBuf::from(format!("man/{name}.1")), buf));
    }
    files
}

#[test]
fn completions_and_man_pages_are_current() {
    let regenerate = std::env::var_os("TOKENBUDGET_REGENERATE").is_some();
    let mut stale = Vec::new();
    for (rel, contents) in generate() {
        let path = root().join(&rel);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(contents.as_slice()) {
            continue;
        }
        if regenerate {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &contents).unwrap();
        } else {
            stale.push(rel.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {}\nrun: TOKENBUDGET_REGENERATE=1 cargo test --test it generated",
        stale.join(", ")
    );
}

#[test]
fn every_subcommand_has_a_man_page() {
    let cmd = Cli::command();
    for sub in cmd.get_subcommands() {
        let page = root().join(format!("man/tokenbudget-{}.1", sub.get_name()));
        assert!(page.exists(), "missing {}", page.display());
    }
}
