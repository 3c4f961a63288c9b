//! Deterministic generator of app-format usage logs for the `scan-logs` benchmark.
//!
//!     cargo run --release --example gen_app_logs -- BYTES [USERS] > app.jsonl
//!
//! Writes about BYTES bytes of JSONL (one request per line, time-ordered over 30 days from
//! 2026-03-01, USERS users, default 2,000), the same bytes on every run.

use std::io::{self, BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let bytes: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .expect("usage: gen_app_logs BYTES [USERS]");
    let users: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let models = [
        "gpt-4o-mini",
        "gpt-4o",
        "claude-sonnet-4-5",
        "gemini-2.5-flash",
    ];
    let features = ["chat", "search", "summarize", "extract", "agent"];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start: u64 = 1_772_323_200; // 2026-03-01T00:00:00Z
    let lines_est = bytes / 230 + 1;
    let span = 30 * 86_400_000u64; // ms
    let step = (span / lines_est).max(1);
    let out = io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    let mut written = 0u64;
    let mut i = 0u64;
    let mut line = String::with_capacity(512);
    while written < bytes {
        let ms = i * step + rng.below(step);
        let t = start * 1000 + ms;
        let secs = t / 1000;
        let days = (secs / 86_400) as i64;
        let (y, m, d) = civil(days);
        let s = secs % 86_400;
        let user = rng.below(users);
        let model = models[(rng.below(100) % 4) as usize];
        let feature = features[rng.below(5) as usize];
        let prompt = 200 + rng.below(6000);
        let completion = 20 + rng.below(800);
        let status = if rng.below(100) == 0 { 429 } else { 200 };
        line.clear();
        use std::fmt::Write as _;
        let _ = writeln!(
            line,
            "{{\"timestamp\":\"{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z\",\"request_id\":\"req_{i:010}\",\"user_id\":\"user-{user:05}\",\"feature\":\"{feature}\",\"model\":\"{model}\",\"prompt_tokens\":{prompt},\"completion_tokens\":{completion},\"total_tokens\":{},\"latency_ms\":{},\"status\":{status}}}",
            s / 3600,
            s / 60 % 60,
            s % 60,
            t % 1000,
            prompt + completion,
            100 + rng.below(3000),
        );
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
        i += 1;
    }
    w.flush()
}

fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
