//! `tokenbudget plan`, run as a user would. Expected counts come from OpenAI's tiktoken 0.14
//! (`../shared/bench/tiktoken-reference`) with the cookbook's `num_tokens_from_messages` and
//! `num_tokens_for_tools`.

use crate::common;
use common::*;
use serde_json::{Value, json};
use std::path::Path;

fn dir() -> std::path::PathBuf {
    fixtures().join("plan")
}

fn plan(args: &[&str]) -> Out {
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    run_in(&dir(), &all, None)
}

fn plan_in(d: &Path, args: &[&str]) -> Out {
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    run_in(d, &all, None)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fixture(name: &str) -> Value {
    read_json(&dir().join(name))
}

/// `n` tokens of text in o200k_base and cl100k_base: "hello" then " hello" n-1 times.
fn hellos(n: usize) -> String {
    let mut s = String::from("hello");
    for _ in 1..n {
        s.push_str(" hello");
    }
    s
}

/// A gpt-4o request of exactly 120,000 input tokens (cookbook count) with max_tokens 16,384:
/// a 1,000-token system message, 18 history messages of 6,000 tokens, a 10,997-token user
/// message, and 3 tokens of reply priming. A message of k hellos costs k + 4 (3 + role).
fn big_request() -> Value {
    let mut messages = vec![json!({"role": "system", "content": hellos(996)})];
    for i in 0..18 {
        let role = if i % 2 == 0 { "user" } else { "assistant" };
        messages.push(json!({"role": role, "content": hellos(5996)}));
    }
    messages.push(json!({"role": "user", "content": hellos(10993)}));
    json!({"model": "gpt-4o", "max_tokens": 16384, "messages": messages, "user": "u-1"})
}

#[test]
fn a_120k_request_with_a_16k_reserve_is_over_by_8384_and_fits_after_fit() {
    let tmp = tempfile::tempdir().unwrap();
    let req = tmp.path().join("big.json");
    let body = big_request();
    std::fs::write(&req, body.to_string()).unwrap();

    let o = plan_in(tmp.path(), &["--request", "big.json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stdout.contains(
            "over by 8,384: 136,384 tokens (120,000 input + 16,384 reserved output) in a 128,000-token window"
        ),
        "{}",
        o.stdout
    );
    let o = plan_in(tmp.path(), &["--request", "big.json", "--json"]);
    assert_eq!(o.code, 1);
    let j = json(&o);
    assert_eq!(j["input_tokens"], 120_000);
    assert_eq!(j["reserve_output"], 16_384);
    assert_eq!(j["reserve_source"], "max_tokens");
    assert_eq!(j["over_by"], 8_384);
    assert_eq!(j["headroom"], -8_384);
    assert_eq!(j["fits"], false);

    // --fit drops the two oldest history messages (6,000 each) and nothing else.
    let o = plan_in(tmp.path(), &["--request", "big.json", "--fit"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fitted: Value = serde_json::from_str(&o.stdout).unwrap();
    let mut expected = body.clone();
    let msgs = expected["messages"].as_array_mut().unwrap();
    msgs.drain(1..3);
    assert_eq!(fitted, expected);
    assert!(
        o.stderr
            .contains("dropped 2 history messages (12,000 tokens):"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("fitted: input 120,000 → 108,000 tokens"));

    // The fitted request fits, and its cookbook count equals the plan's input total.
    std::fs::write(tmp.path().join("fitted.json"), &o.stdout).unwrap();
    let o = plan_in(tmp.path(), &["--request", "fitted.json", "--json"]);
    assert_eq!(o.code, 0);
    assert_eq!(json(&o)["input_tokens"], 108_000);
    let o = run_in(tmp.path(), &["count", "fitted.json"], None);
    assert_eq!(o.stdout, "108000\n");
}

#[test]
fn the_parts_add_up_to_the_cookbook_count_of_the_request() {
    // request.json: cookbook num_tokens_from_messages 89 + num_tokens_for_tools 68 = 157.
    let o = plan(&["--request", "request.json", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    let parts: Vec<(String, u64, u64)> = j["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["part"].as_str().unwrap().to_string(),
                p["tokens"].as_u64().unwrap(),
                p["items"].as_u64().unwrap(),
            )
        })
        .collect();
    let expect = [
        ("system", 8, 1),
        ("tools", 68, 1),
        ("history", 69, 4),
        ("user", 9, 1),
        ("overhead", 3, 0),
    ];
    assert_eq!(
        parts,
        expect.map(|(p, t, i)| (p.to_string(), t, i)).to_vec()
    );
    assert_eq!(j["input_tokens"], 157);
    assert_eq!(j["total"], 1157);
    assert_eq!(j["reserve_output"], 1000);
    assert_eq!(j["context_window"], 128_000);
    assert_eq!(j["source"], "openai");
    assert_eq!(j["fits"], true);
    assert!(j["notes"].as_array().unwrap().iter().any(|n| {
        n.as_str()
            .unwrap()
            .contains("num_tokens_for_tools (approximation)")
    }));
    assert_eq!(j["parts"][1]["approximate"], true);
    assert_eq!(j["parts"][0]["approximate"], false);

    // The cookbook's own example (How to count tokens with tiktoken, section 7): 101 for gpt-4o.
    let tmp = tempfile::tempdir().unwrap();
    let body = json!({"model": "gpt-4o", "messages": [
        {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
        {"role": "user", "content": "What's the weather like in San Francisco?"}],
        "tools": fixture("tools.json")});
    std::fs::write(tmp.path().join("cb.json"), body.to_string()).unwrap();
    let o = plan_in(tmp.path(), &["--request", "cb.json", "--json"]);
    assert_eq!(json(&o)["input_tokens"], 101);

    // The human report: one row per part, reserve, total, headroom, a bar, a verdict.
    let o = plan(&["--request", "request.json"]);
    let rows: Vec<Vec<&str>> = o
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        rows.contains(&vec!["system", "8", "0.01%", "ok"]),
        "{}",
        o.stdout
    );
    assert!(rows.contains(&vec!["tools", "(1)", "~68", "0.05%", "ok"]));
    assert!(rows.contains(&vec!["history", "(4", "messages)", "~69", "0.05%", "ok"]));
    assert!(rows.contains(&vec!["overhead", "3", "0.00%", "reply", "priming"]));
    assert!(rows.contains(&vec!["reserved", "output", "1,000", "0.78%", "max_tokens"]));
    assert!(rows.contains(&vec!["total", "~1,157", "0.90%", "128,000", "fits"]));
    assert!(rows.contains(&vec!["headroom", "~126,843"]));
    assert!(o.stdout.contains("[STHUO····"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("fits: 1,157 of 128,000 tokens, 126,843 headroom")
    );
    assert!(
        o.stderr
            .contains("note: tool calls counted by their JSON text")
    );
    assert!(!o.stdout.contains('\x1b'));

    // Colour only when asked (or on a terminal).
    let o = plan(&[
        "--request",
        "request.json",
        "--context-window",
        "1100",
        "--color",
        "always",
    ]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("\x1b[31mover by 57\x1b[0m"),
        "{}",
        o.stdout
    );
}

#[test]
fn fit_drops_history_oldest_first_keeping_tool_calls_with_their_results() {
    // Window 1,137: 20 tokens over. messages[1] (11) is not enough; the tool call and its
    // result (33 + 11) go together; messages[4] stays.
    let o = plan(&[
        "--request",
        "request.json",
        "--fit",
        "--context-window",
        "1137",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fitted: Value = serde_json::from_str(&o.stdout).unwrap();
    let mut expected = fixture("request.json");
    expected["messages"].as_array_mut().unwrap().drain(1..4);
    // Every other field (cache_control, name, metadata, tools, unknown keys) is unchanged.
    assert_eq!(fitted, expected);
    let keys: Vec<&String> = fitted.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "model",
            "max_tokens",
            "temperature",
            "metadata",
            "messages",
            "tools"
        ]
    );
    assert_eq!(
        o.stderr
            .lines()
            .filter(|l| l.starts_with("  "))
            .collect::<Vec<_>>(),
        [
            "  messages[1] user 11 tokens (over the window)",
            "  messages[2] assistant 33 tokens (over the window)",
            "  messages[3] tool 11 tokens (over the window)",
        ]
    );

    // A Batch API request line is fitted inside its body.
    let tmp = tempfile::tempdir().unwrap();
    let line = json!({"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions",
                      "body": fixture("request.json")});
    std::fs::write(tmp.path().join("batch.json"), line.to_string()).unwrap();
    let o = plan_in(
        tmp.path(),
        &[
            "--request",
            "batch.json",
            "--fit",
            "--context-window",
            "1137",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut expected_line = line.clone();
    expected_line["body"] = expected.clone();
    assert_eq!(
        serde_json::from_str::<Value>(&o.stdout).unwrap(),
        expected_line
    );

    // --history N keeps at most the last N messages, never splitting a tool call from its
    // results: 3 keeps messages[2..=4], 2 keeps only messages[4].
    let o = plan(&["--request", "request.json", "--fit", "--history", "3"]);
    let f: Value = serde_json::from_str(&o.stdout).unwrap();
    let roles: Vec<&str> = f["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "assistant", "tool", "assistant", "user"]);
    let o = plan(&["--request", "request.json", "--fit", "--history", "2"]);
    let f: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(f["messages"].as_array().unwrap().len(), 3);
    assert!(o.stderr.contains("(--history limit)"), "{}", o.stderr);

    // A fitted request written with --out; stdout then holds the report.
    let out = tmp.path().join("fitted.json");
    let o = plan(&[
        "--request",
        "request.json",
        "--fit",
        "--context-window",
        "1137",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(read_json(&out), expected);
    let j = json(&o);
    assert_eq!(j["input_tokens"], 157 - 55);
    assert_eq!(j["fit"]["input_tokens_before"], 157);
    assert_eq!(j["fit"]["dropped"].as_array().unwrap().len(), 3);
    assert_eq!(j["fit"]["dropped"][1]["reason"], "window");
    assert_eq!(j["parts"][2]["dropped"], 3);
    assert_eq!(j["parts"][2]["items"], 1);
}

#[test]
fn caps_keep_last_and_rag_dropped_after_history() {
    let parts = [
        "--system",
        "system.txt",
        "--examples",
        "examples.json",
        "--rag",
        "rag1.txt",
        "rag2.txt",
        "rag3.txt",
        "--history",
        "history.json",
        "--user",
        "user.txt",
    ];
    // system 17 + examples 24 + rag 23/16/34 + history 109 + user 14 + 3 = 240.
    let mut args = parts.to_vec();
    args.extend(["--json"]);
    let j = json(&plan(&args));
    assert_eq!(j["input_tokens"], 240);
    assert_eq!(j["source"], "parts");

    // A window 7 tokens short once all history is gone: history first, then the lowest-ranked
    // chunk; the output is a messages array (system, examples, history, rag, user).
    let mut args = parts.to_vec();
    args.extend(["--fit", "--context-window", "4200"]);
    let o = plan(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let f: Value = serde_json::from_str(&o.stdout).unwrap();
    let contents: Vec<&str> = f
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents.len(), 6);
    assert!(contents[0].starts_with("You are a support assistant"));
    assert_eq!(contents[1], "Can I use it outdoors?");
    assert!(contents[3].starts_with("Factory reset"));
    assert!(contents[4].starts_with("The admin password"));
    assert!(contents[5].starts_with("How do I reset"));
    let history_at = o.stderr.find("dropped 6 history messages").unwrap();
    let rag_at = o
        .stderr
        .find("dropped 1 retrieved chunk (34 tokens)")
        .unwrap();
    assert!(history_at < rag_at, "{}", o.stderr);
    // Its cookbook count is what the plan says: 240 - 109 - 34 = 97.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("f.json"), &o.stdout).unwrap();
    let o = run_in(tmp.path(), &["count", "f.json"], None);
    assert_eq!(o.stdout, "97\n");

    // Caps: without --fit a part over its cap fails the plan; with --fit history is trimmed
    // oldest first to its cap and RAG from the lowest rank to its cap.
    let mut args = parts.to_vec();
    args.extend(["--cap", "history=80", "--cap", "rag=40"]);
    let o = plan(&args);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("over cap by 29"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("over its caps: rag over by 33, history over by 29")
    );
    args.extend(["--fit"]);
    let o = plan(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let f: Value = serde_json::from_str(&o.stdout).unwrap();
    let labels: Vec<&str> = o
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .collect();
    assert_eq!(
        labels,
        [
            "history.json[0] user 11 tokens (over its cap)",
            "history.json[1] assistant 15 tokens (over its cap)",
            "history.json[2] user 9 tokens (over its cap)",
            "rag #3 (rag3.txt) system 34 tokens (over its cap)",
        ]
    );
    assert_eq!(f.as_array().unwrap().len(), 1 + 2 + 3 + 2 + 1);

    // A share of the window: rag=0.02% of 128,000 is 25 tokens, so only rag #1 (23) stays.
    let out = tmp.path().join("capped.json");
    let mut args = parts.to_vec();
    args.extend([
        "--cap",
        "rag=0.02%",
        "--fit",
        "--out",
        out.to_str().unwrap(),
    ]);
    let o = plan(&args);
    assert!(o.stdout.contains("rag (1 chunks)"), "{}", o.stdout);

    // --keep-last: the last messages are never dropped, so a cap they exceed cannot be met.
    let mut args = parts.to_vec();
    args.extend(["--cap", "history=30", "--fit", "--keep-last", "2"]);
    let o = plan(&args);
    assert_eq!((o.code, o.stdout.as_str()), (1, ""));
    assert!(
        o.stderr.contains(
            "--keep-last 2 keeps 3 history messages (whole tool-call groups) of 74 tokens, over the history cap of 30"
        ),
        "{}",
        o.stderr
    );
    // --keep-last 1 keeps the last message; the tool call and result before it go as one.
    let mut args = parts.to_vec();
    args.extend(["--cap", "history=30", "--fit", "--keep-last", "1"]);
    let o = plan(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let f: Value = serde_json::from_str(&o.stdout).unwrap();
    let history: Vec<&Value> = f.as_array().unwrap()[3..4].iter().collect();
    assert_eq!(
        history[0]["content"],
        "Your AX3000 is on firmware 2.6, which is current."
    );
}

#[test]
fn cannot_fit_when_what_is_never_dropped_is_too_big() {
    // system 17 + user 14 + overhead 3 + reserve 4,096 = 4,130 > 4,120.
    let o = plan(&[
        "--system",
        "system.txt",
        "--history",
        "history.json",
        "--user",
        "user.txt",
        "--fit",
        "--context-window",
        "4120",
    ]);
    assert_eq!((o.code, o.stdout.as_str()), (1, ""));
    assert!(
        o.stderr.contains(
            "does not fit: what --fit never drops needs 4,130 tokens (system 17 + user 14 + overhead 3 + reserved output 4,096), 10 over the 4,120-token window. The largest is system (17 tokens)."
        ),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("never cut"));
    // A fixed part over its cap cannot be fitted either.
    let o = plan(&[
        "--system",
        "system.txt",
        "--user",
        "user.txt",
        "--cap",
        "user=5",
        "--fit",
    ]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("the user part is 14 tokens, 9 over its cap of 5"),
        "{}",
        o.stderr
    );
}

#[test]
fn anthropic_bodies_keep_tool_use_with_its_result_and_every_field() {
    // Claude has no local tokenizer: estimated (labelled), refused with --exact.
    let o = plan(&["--request", "anthropic.json", "--exact"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("--exact refuses estimates"),
        "{}",
        o.stderr
    );
    let o = plan(&["--request", "anthropic.json", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        (&json(&o)["approximate"], &json(&o)["basis"]),
        (&true.into(), &"o200k_base".into())
    );
    let o = plan(&[
        "--request",
        "anthropic.json",
        "--encoding",
        "o200k_base",
        "--json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["source"], "anthropic");
    assert_eq!(j["approximate"], true);
    assert_eq!(j["context_window"], 200_000);
    assert_eq!(j["reserve_output"], 2048);
    let history = j["parts"][2]["tokens"].as_u64().unwrap();
    let first = 16; // messages[0]: 3 + "user" 1 + 12
    let total = j["total"].as_u64().unwrap();
    // One token short after dropping messages[0]: the tool_use and its tool_result go together.
    let window = (total - first - 1).to_string();
    let o = plan(&[
        "--request",
        "anthropic.json",
        "--encoding",
        "o200k_base",
        "--fit",
        "--context-window",
        &window,
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fitted: Value = serde_json::from_str(&o.stdout).unwrap();
    // The assistant message left first is dropped too: Anthropic requests start with the user.
    let mut expected = fixture("anthropic.json");
    expected["messages"].as_array_mut().unwrap().drain(0..4);
    assert_eq!(fitted, expected);
    assert!(
        o.stderr.contains(
            "messages[3] assistant 12 tokens (Anthropic requests start with a user turn)"
        ),
        "{}",
        o.stderr
    );
    assert!(history > first);

    // The latest user message holds a tool_result: its tool_use is never dropped, and since
    // dropping the first user turn would leave that assistant message first, it cannot fit.
    let o = plan(&[
        "--request",
        "anthropic-agent.json",
        "--encoding",
        "o200k_base",
        "--fit",
        "--context-window",
        "140",
    ]);
    assert_eq!((o.code, o.stdout.as_str()), (1, ""));
    assert!(
        o.stderr.contains(
            "does not fit: trimming leaves messages[1] (assistant) first, and an Anthropic request must start with a user message"
        ),
        "{}",
        o.stderr
    );
}

#[test]
fn images_are_counted_with_the_published_formula_when_their_size_is_known() {
    // A 1024×1024 PNG: high detail 765 (4 tiles × 170 + 85), low detail 85; text 6; 3 + 1.
    let o = plan(&["--request", "image.json", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(j["parts"][0]["part"], "user");
    assert_eq!(j["parts"][0]["tokens"], 3 + 1 + 6 + 765 + 85);
    assert_eq!(j["parts"][0]["approximate"], true);
    assert_eq!(
        j["notes"][0],
        "image parts counted with OpenAI's published formula (approximation)"
    );
    // A remote image cannot be sized: not counted, with a warning.
    let o = plan(&["--request", "remote-image.json"]);
    assert_eq!(o.code, 0);
    assert!(
        o.stderr.contains(
            "warning: image in messages[0] not counted: remote URL, size unknown (nothing is fetched)"
        ),
        "{}",
        o.stderr
    );
    let o = plan(&["--request", "remote-image.json", "--json"]);
    assert_eq!(o.stderr, "");
    assert_eq!(
        json(&o)["warnings"][0],
        "image in messages[0] not counted: remote URL, size unknown (nothing is fetched)"
    );
}

#[test]
fn separate_parts_with_tools_and_stdin() {
    // The user's message from piped stdin; tools make the output an object.
    let o = run_in(
        &dir(),
        &[
            "plan",
            "--system",
            "system.txt",
            "--tools",
            "tools.json",
            "--fit",
        ],
        Some(b"How do I reset my router to factory settings?\n"),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let f: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(f["tools"], fixture("tools.json"));
    assert_eq!(f["messages"][1]["role"], "user");
    assert_eq!(
        f["messages"][1]["content"],
        "How do I reset my router to factory settings?\n"
    );
    assert!(
        o.stderr.contains("nothing dropped: 102 input tokens"),
        "{}",
        o.stderr
    );
}

#[test]
fn bad_input_is_a_usage_error() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--request", "missing.json"],
            "error: reading missing.json: No such file or directory (os error 2)\n",
        ),
        (
            &["--request", "broken.json"],
            "error: broken.json: malformed JSON at line 3, column 1: expected `,` or `}`\n",
        ),
        (
            &["--request", "badrole.json"],
            "error: badrole.json: message 1 has unknown role 'bot' (expected one of: system, developer, user, assistant, tool, function)\n",
        ),
        (
            &["--request", "request.json", "--reserve-output", "20000"],
            "error: --reserve-output 20,000 is above gpt-4o's maximum output of 16,384 tokens\n",
        ),
        (
            &["--request", "request.json", "--context-window", "500"],
            "error: the context window (500 tokens) is smaller than the reserved output (1,000 tokens)\n",
        ),
        (
            &["--request", "request.json", "--history", "3"],
            "error: --history auto|N decides what --fit keeps: add --fit\n",
        ),
        (
            &["--history", "system.txt", "--user", "user.txt"],
            "error: system.txt: malformed JSON at line 1, column 1: expected value\n",
        ),
    ];
    for (args, stderr) in cases {
        let o = plan(args);
        assert_eq!((o.code, o.stderr.as_str()), (2, *stderr), "{args:?}");
        assert_eq!(o.stdout, "");
    }
    let o = plan(&["--request", "request.json", "--cap", "history=lots"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("cap for history is not a number of tokens or a percentage: 'lots'"),
        "{}",
        o.stderr
    );
    let o = plan(&["--request", "request.json", "--cap", "output=10%"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown part 'output'"));
    let o = plan(&["--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("Examples:"));
}
