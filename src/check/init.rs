//! `check --init`: a starter `tokenbudget.toml` from the prompt-like files in a directory, with
//! every limit set at the current count plus headroom ([`headroom`]).
//!
//! Prompt-like files ([`is_prompt_like`]), found by a walk that honours `.gitignore` and skips
//! hidden files:
//! - `AGENTS.md`, `CLAUDE.md`, `GEMINI.md` anywhere (agent instructions);
//! - `*.prompt`, `*.prompty` and `*.prompt.*` (`summarize.prompt.md`) anywhere;
//! - `*.txt`, `*.md`, `*.j2`, `*.jinja`, `*.jinja2`, `*.tmpl` and chat-shaped `*.json` below a
//!   directory named `prompts`, `prompt`, `templates`, `system_prompts`, `system-prompts`,
//!   `instructions` or `agents`;
//! - never README, LICENSE, CHANGELOG, CONTRIBUTING, COPYING, NOTICE, CODE_OF_CONDUCT or
//!   SECURITY files, and never binary or non-UTF-8 files.
//!
//! Files are grouped by directory and extension: a group of several files becomes one per-file
//! budget on `dir/*.ext` (so a new prompt there is covered too) when that glob matches exactly
//! the group; otherwise each file gets its own budget.

use std::collections::BTreeMap;
use std::path::Path;

use crate::count::{Counted, Mode, count_document};
use crate::input::{self, Loaded, Source};
use crate::tokenize::Encoding;

/// Directory names whose files are prompts.
const PROMPT_DIRS: &[&str] = &[
    "prompts",
    "prompt",
    "templates",
    "system_prompts",
    "system-prompts",
    "instructions",
    "agents",
];
/// Extensions counted below a prompt directory.
const PROMPT_EXTENSIONS: &[&str] = &["txt", "md", "j2", "jinja", "jinja2", "tmpl", "json"];
/// Files that are prompts wherever they are.
const AGENT_FILES: &[&str] = &["agents.md", "claude.md", "gemini.md"];
/// Repository boilerplate that is never a prompt (compared with the name's first part).
const NOT_PROMPTS: &[&str] = &[
    "readme",
    "license",
    "licence",
    "changelog",
    "contributing",
    "copying",
    "notice",
    "code_of_conduct",
    "security",
];

/// Whether the file at `rel` (relative, `/`-separated) looks like a prompt by its path alone.
/// A `.json` file must also be chat-shaped, which only its content can tell.
pub fn is_prompt_like(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let Some(name) = parts.pop() else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    if NOT_PROMPTS.contains(&stem) {
        return false;
    }
    if AGENT_FILES.contains(&lower.as_str()) {
        return true;
    }
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    if matches!(ext, "prompt" | "prompty") || lower.contains(".prompt.") {
        return true;
    }
    PROMPT_EXTENSIONS.contains(&ext)
        && parts
            .iter()
            .any(|d| PROMPT_DIRS.contains(&d.to_ascii_lowercase().as_str()))
}

/// The limit `--init` writes for a file of `tokens` tokens: 20% more, rounded up to two
/// significant digits (1,234 → 1,481 → 1,500), and at least 10.
pub fn headroom(tokens: u64) -> u64 {
    let target = (tokens.saturating_mul(6)).div_ceil(5);
    let digits = target.checked_ilog10().map_or(1, |d| d + 1);
    let step = 10u64.pow(digits.saturating_sub(2));
    target.div_ceil(step).saturating_mul(step).max(10)
}

/// One budget of a starter config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarterBudget {
    /// The path or glob written.
    pub path: String,
    /// The files it covers now.
    pub files: Vec<String>,
    /// The largest of their counts.
    pub tokens: u64,
    pub max_tokens: u64,
}

/// A starter config: its text and what it holds.
#[derive(Debug, Clone)]
pub struct Starter {
    pub text: String,
    pub budgets: Vec<StarterBudget>,
}

/// Build a starter config for the prompt-like files below `root`, counted for `model` with
/// `encoding`. `None` when there are none. Errors are walk errors.
pub fn starter(root: &Path, model: &str, encoding: Encoding) -> Result<Option<Starter>, String> {
    let tok = encoding.tokenizer();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    // Every walked file (to tell whether a glob would match more than its group) and the
    // counted prompt-like ones.
    let mut all: Vec<String> = Vec::new();
    let mut counted: BTreeMap<String, u64> = BTreeMap::new();
    for entry in walker {
        let entry = entry.map_err(|e| format!("walking {}: {e}", root.display()))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        all.push(rel.clone());
        if !is_prompt_like(&rel) || rel == super::CONFIG_FILE {
            continue;
        }
        let source = Source::File { path, walked: true };
        let Ok(Loaded::Text(text)) = input::load(&source) else {
            continue;
        };
        let is_json = rel.to_ascii_lowercase().ends_with(".json");
        match count_document(tok, &text, Mode::Auto, 0) {
            Ok(Counted::Chat(c)) => {
                counted.insert(rel, c.tokens);
            }
            Ok(c) if !is_json => {
                counted.insert(rel, c.tokens());
            }
            _ => {}
        }
    }
    if counted.is_empty() {
        return Ok(None);
    }

    // Group by (directory, extension).
    let split = |rel: &str| -> (String, String) {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        (dir.to_string(), ext.to_string())
    };
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for rel in counted.keys() {
        groups.entry(split(rel)).or_default().push(rel.clone());
    }
    let mut budgets = Vec::new();
    for ((dir, ext), members) in groups {
        let glob_matches: Vec<&String> = all
            .iter()
            .filter(|r| {
                let (d, name) = r.rsplit_once('/').unwrap_or(("", r.as_str()));
                d == dir && name.ends_with(&format!(".{ext}"))
            })
            .collect();
        let exact_group = !ext.is_empty()
            && members.len() > 1
            && glob_matches.len() == members.len()
            && ext.chars().all(|c| c.is_ascii_alphanumeric());
        if exact_group {
            let tokens = members.iter().map(|m| counted[m]).max().unwrap_or(0);
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{}/", escape_glob(&dir))
            };
            budgets.push(StarterBudget {
                path: format!("{prefix}*.{ext}"),
                files: members,
                tokens,
                max_tokens: headroom(tokens),
            });
        } else {
            for m in members {
                let tokens = counted[&m];
                budgets.push(StarterBudget {
                    path: escape_glob(&m),
                    files: vec![m],
                    tokens,
                    max_tokens: headroom(tokens),
                });
            }
        }
    }
    budgets.sort_by(|a, b| a.path.cmp(&b.path));
    let text = render(model, &budgets);
    Ok(Some(Starter { text, budgets }))
}

/// A path whose glob characters match only themselves (`[draft].txt` → `[[]draft].txt`).
fn escape_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' | '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render(model: &str, budgets: &[StarterBudget]) -> String {
    let mut s = String::from(
        "# Token budgets, checked by `tokenbudget check` (exit 1 when a budget is exceeded).\n\
         # Written by `tokenbudget check --init`: each limit is the current count plus 20%,\n\
         # rounded up. Paths are relative to this file; `*` stays within a directory, `**`\n\
         # crosses directories. Keys: path, max_tokens, max_share (\"5%\" of the model's context\n\
         # window), model, encoding, each (per file, the default, or false for the sum), name,\n\
         # allow_empty, include_ignored.\n\n",
    );
    s.push_str(&format!("model = {}\n", toml_string(model)));
    for b in budgets {
        let what = if b.files.len() == 1 {
            format!("now {} tokens", crate::numfmt::thousands(b.tokens))
        } else {
            format!(
                "{} files, largest now {} tokens",
                b.files.len(),
                crate::numfmt::thousands(b.tokens)
            )
        };
        s.push_str(&format!(
            "\n[[budget]]\npath = {}\nmax_tokens = {}  # {what}\n",
            toml_string(&b.path),
            b.max_tokens
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headroom_is_twenty_percent_rounded_up() {
        assert_eq!(headroom(0), 10);
        assert_eq!(headroom(3), 10);
        assert_eq!(headroom(9), 11);
        assert_eq!(headroom(50), 60);
        assert_eq!(headroom(87), 110);
        assert_eq!(headroom(1234), 1500);
        assert_eq!(headroom(10_000), 12_000);
        assert_eq!(headroom(10_001), 13_000);
    }

    #[test]
    fn prompt_like_paths() {
        for yes in [
            "prompts/system.txt",
            "src/Prompts/agent/planner.md",
            "templates/chat.json",
            "app/summarize.prompt",
            "docs/summarize.prompt.md",
            "AGENTS.md",
            "svc/CLAUDE.md",
            "x.prompty",
        ] {
            assert!(is_prompt_like(yes), "{yes}");
        }
        for no in [
            "README.md",
            "prompts/README.md",
            "prompts/LICENSE.txt",
            "docs/guide.md",
            "notes.txt",
            "prompts/logo.png",
            "prompts/changelog.md",
        ] {
            assert!(!is_prompt_like(no), "{no}");
        }
    }

    #[test]
    fn glob_characters_are_escaped() {
        assert_eq!(escape_glob("a/[draft]*.txt"), "a/[[]draft][*].txt");
        assert_eq!(toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
