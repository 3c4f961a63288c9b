//! Calibrated estimates, with their range, for models that have no exact local tokenizer:
//! Claude (Anthropic publishes no tokenizer for Claude 3 and later) and Gemini (its tokenizer
//! is a Gemma vocabulary under Gemma's terms: exact through `--tokenizer` when you have it).
//!
//! An estimate is the exact `o200k_base` count of the same text scaled by a ratio measured
//! for the model's generation and the text's content kind (prose, code, CJK). Each ratio has a
//! low, a central and a high value; the count is shown as `~1,234 (1,150–1,330)` and in JSON
//! as `"estimate": {"low", "high", "basis"}` beside the central value. Every limit (`check`,
//! `count --max-tokens/--max-total`, `plan`'s window and caps, `cost`'s window warnings)
//! compares the **high** end with the limit, so an estimate never passes a budget that the
//! real count might break.
//!
//! The ratios and their sources (README, "Estimates for Claude and Gemini"):
//!
//! | generation | prose | code | CJK |
//! |---|---|---|---|
//! | Claude 3 … Opus 4.6 / Sonnet 4.6 / Haiku 4.5 | 1.16 (1.05–1.30) | 1.30 (1.15–1.50) | 1.35 (1.00–2.00) |
//! | Claude Opus 4.7 and later (×1.00–1.35) | 1.36 (1.05–1.76) | 1.53 (1.15–2.03) | 1.59 (1.00–2.70) |
//! | Gemini | 1.07 (0.95–1.20) | 1.10 (0.95–1.35) | 0.75 (0.50–1.10) |
//!
//! Central values are the published measurements (Claude 3.5 Sonnet against GPT-4o: English
//! +16%, Python +30%; Anthropic: Opus 4.7's tokenizer makes 1.0–1.35× the tokens of earlier
//! models, the central value is the middle); ranges are wide where measurements are thin (CJK
//! for Claude and code for Gemini have no published measurement we could find).

use serde::Serialize;

/// What kind of text an estimate is for (ratios differ by kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    Prose,
    Code,
    Cjk,
}

impl ContentKind {
    pub fn name(self) -> &'static str {
        match self {
            ContentKind::Prose => "prose",
            ContentKind::Code => "code",
            ContentKind::Cjk => "CJK",
        }
    }
}

/// Share of non-space characters that are CJK (Han, kana, Hangul, CJK punctuation and
/// full-width forms) from which a text is CJK.
pub const CJK_SHARE: f64 = 0.25;
/// Share of non-space characters that are code symbols (`{}[]()<>;=|&\$#@~^*/+%_`) from which a
/// text (not CJK) is code.
pub const CODE_SHARE: f64 = 0.08;

/// The content kind of `text`: CJK when at least 25% of its non-space characters are CJK,
/// else code when at least 8% are code symbols, else prose.
pub fn classify(text: &str) -> ContentKind {
    let (mut n, mut cjk, mut sym) = (0u64, 0u64, 0u64);
    for c in text.chars() {
        if c.is_whitespace() {
            continue;
        }
        n += 1;
        if is_cjk(c) {
            cjk += 1;
        } else if "{}[]()<>;=|&\\$#@~^*/+%_".contains(c) {
            sym += 1;
        }
    }
    if n == 0 {
        return ContentKind::Prose;
    }
    if cjk as f64 >= CJK_SHARE * n as f64 {
        ContentKind::Cjk
    } else if sym as f64 >= CODE_SHARE * n as f64 {
        ContentKind::Code
    } else {
        ContentKind::Prose
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x318F
        | 0x31A0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F
        | 0xAC00..=0xD7FF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Ratios to the o200k_base count, in thousandths: low, central, high.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratios {
    pub low: u64,
    pub point: u64,
    pub high: u64,
}

/// How a model family's counts are estimated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The generation, as shown in the basis (`Claude before Opus 4.7`).
    pub generation: &'static str,
    prose: Ratios,
    code: Ratios,
    cjk: Ratios,
}

const fn r(low: u64, point: u64, high: u64) -> Ratios {
    Ratios { low, point, high }
}

pub static CLAUDE: Rule = Rule {
    generation: "Claude 3 to 4.6",
    prose: r(1050, 1160, 1300),
    code: r(1150, 1300, 1500),
    cjk: r(1000, 1350, 2000),
};

pub static CLAUDE_4_7: Rule = Rule {
    generation: "Claude Opus 4.7 and later",
    prose: r(1050, 1363, 1755),
    code: r(1150, 1528, 2025),
    cjk: r(1000, 1586, 2700),
};

pub static GEMINI: Rule = Rule {
    generation: "Gemini",
    prose: r(950, 1070, 1200),
    code: r(950, 1100, 1350),
    cjk: r(500, 750, 1100),
};

/// The estimate rule for a model with no exact local tokenizer, or `None` when there is no
/// calibration for it (it is then refused, or approximated only when asked).
pub fn rule_for(model: &str, provider: &str) -> Option<&'static Rule> {
    let m = model.to_ascii_lowercase();
    let base = m.rsplit('/').next().unwrap_or(&m);
    let base = base
        .strip_prefix("anthropic.")
        .or_else(|| base.strip_prefix("us.anthropic."))
        .unwrap_or(base);
    if base.starts_with("claude") || provider == "anthropic" {
        return Some(if claude_version(base).is_some_and(|v| v >= (4, 7)) {
            &CLAUDE_4_7
        } else {
            &CLAUDE
        });
    }
    if base.starts_with("gemini") || (provider == "gemini" && !base.starts_with("gemma")) {
        return Some(&GEMINI);
    }
    None
}

/// `(major, minor)` of a Claude model name: `claude-opus-4-7` → (4, 7), `claude-3-5-sonnet`
/// → (3, 5), `claude-sonnet-4-20250514` → (4, 0), `claude-opus-5` → (5, 0).
fn claude_version(name: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = name.split(['-', '@', '.', ':']).collect();
    let nums: Vec<u32> = parts
        .iter()
        .skip(1)
        .filter(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|p| p.parse().ok())
        .collect();
    let major = *nums.first()?;
    Some((major, nums.get(1).copied().unwrap_or(0)))
}

/// An estimated count's range and where it comes from. The central value is the count
/// reported beside it (`tokens`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EstimateRange {
    pub low: u64,
    pub high: u64,
    /// `o200k_base × 1.16 (1.05–1.30), Claude 3 to 4.6, prose`.
    pub basis: String,
}

impl Rule {
    pub fn ratios(&self, kind: ContentKind) -> Ratios {
        match kind {
            ContentKind::Prose => self.prose,
            ContentKind::Code => self.code,
            ContentKind::Cjk => self.cjk,
        }
    }

    /// Estimate from the exact o200k_base count `o200k` of a text of kind `kind`: the central
    /// value (rounded to nearest) and the range (low rounded down, high rounded up).
    pub fn estimate(&self, o200k: u64, kind: ContentKind) -> (u64, EstimateRange) {
        let r = self.ratios(kind);
        let point = scale_round(o200k, r.point);
        let low = o200k.saturating_mul(r.low) / 1000;
        let high = o200k.saturating_mul(r.high).div_ceil(1000);
        (
            point,
            EstimateRange {
                low,
                high,
                basis: format!(
                    "o200k_base × {} ({}–{}), {}, {}",
                    ratio(r.point),
                    ratio(r.low),
                    ratio(r.high),
                    self.generation,
                    kind.name()
                ),
            },
        )
    }
}

fn scale_round(n: u64, per_mille: u64) -> u64 {
    (n.saturating_mul(per_mille) + 500) / 1000
}

/// 1160 → `1.16`, 1755 → `1.755`, 1000 → `1.00`.
fn ratio(per_mille: u64) -> String {
    let s = format!("{}.{:03}", per_mille / 1000, per_mille % 1000);
    match s.strip_suffix('0') {
        Some(t) => t.to_string(),
        None => s,
    }
}

impl EstimateRange {
    /// Sum two estimates (of parts of one request): lows and highs add.
    pub fn add(&self, other: &EstimateRange) -> EstimateRange {
        EstimateRange {
            low: self.low + other.low,
            high: self.high + other.high,
            basis: if self.basis == other.basis {
                self.basis.clone()
            } else {
                "sum of parts estimated separately".to_string()
            },
        }
    }

    /// Add an exact count (chat overhead, reserved output, ...) to both ends.
    pub fn plus(&self, exact: u64) -> EstimateRange {
        EstimateRange {
            low: self.low + exact,
            high: self.high + exact,
            basis: self.basis.clone(),
        }
    }
}

/// Scale `parts` (exact basis counts of the parts of one text) so that they add up to `point`,
/// the central estimate of their sum: each part gets its share of `point` rounded down, and the
/// tokens left over go to the largest remainders (ties: the earlier part). So the parts of an
/// estimate always add up to the estimate of the whole, in every command.
pub fn apportion(parts: &mut [u64], point: u64) {
    let sum: u128 = parts.iter().map(|&p| u128::from(p)).sum();
    if sum == 0 {
        return;
    }
    let mut rem: Vec<(u128, usize)> = Vec::with_capacity(parts.len());
    let mut given: u64 = 0;
    for (i, p) in parts.iter_mut().enumerate() {
        let exact = u128::from(*p) * u128::from(point);
        let share = u64::try_from(exact / sum).unwrap_or(u64::MAX);
        rem.push((exact % sum, i));
        given = given.saturating_add(share);
        *p = share;
    }
    rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rem.iter().take(point.saturating_sub(given) as usize) {
        parts[i] += 1;
    }
}

/// `~1,234 (1,150–1,330)`.
pub fn display(point: u64, e: &EstimateRange) -> String {
    use crate::numfmt::thousands;
    format!(
        "~{} ({}–{})",
        thousands(point),
        thousands(e.low),
        thousands(e.high)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            classify("The quick brown fox jumps over the lazy dog."),
            ContentKind::Prose
        );
        assert_eq!(
            classify("fn main() { let x = a[i] + b; }"),
            ContentKind::Code
        );
        assert_eq!(classify("東京は日本の首都です。"), ContentKind::Cjk);
        assert_eq!(classify(""), ContentKind::Prose);
        // a quarter of CJK is CJK
        assert_eq!(classify("abc漢"), ContentKind::Cjk);
        assert_eq!(classify("abcd漢"), ContentKind::Prose);
    }

    #[test]
    fn rules() {
        assert_eq!(rule_for("claude-sonnet-4-5", "anthropic"), Some(&CLAUDE));
        assert_eq!(
            rule_for("claude-3-5-sonnet-20241022", "anthropic"),
            Some(&CLAUDE)
        );
        assert_eq!(rule_for("claude-opus-4-6", "anthropic"), Some(&CLAUDE));
        assert_eq!(rule_for("claude-opus-4-7", "anthropic"), Some(&CLAUDE_4_7));
        assert_eq!(rule_for("claude-opus-5", "anthropic"), Some(&CLAUDE_4_7));
        assert_eq!(
            rule_for("bedrock/anthropic.claude-opus-4-7-v1:0", "bedrock"),
            Some(&CLAUDE_4_7)
        );
        assert_eq!(
            rule_for("claude-sonnet-4-20250514", "anthropic"),
            Some(&CLAUDE)
        );
        assert_eq!(rule_for("gemini-2.5-pro", "gemini"), Some(&GEMINI));
        assert_eq!(
            rule_for("vertex_ai/gemini-2.5-flash", "vertex_ai"),
            Some(&GEMINI)
        );
        assert_eq!(rule_for("gemma-3-27b-it", "gemini"), None);
        assert_eq!(rule_for("mistral-large-latest", "mistral"), None);
    }

    #[test]
    fn apportioned_parts_add_up_to_the_estimate() {
        let mut parts = [10, 20, 3];
        apportion(&mut parts, 38);
        // 11.52, 23.03, 3.45 → 11, 23, 3 and one more to the largest remainder (11.52)
        assert_eq!(parts, [12, 23, 3]);
        let mut zero = [0, 0];
        apportion(&mut zero, 0);
        assert_eq!(zero, [0, 0]);
        let mut one = [7];
        apportion(&mut one, 9);
        assert_eq!(one, [9]);
    }

    #[test]
    fn ranges() {
        let (p, e) = CLAUDE.estimate(1000, ContentKind::Prose);
        assert_eq!((p, e.low, e.high), (1160, 1050, 1300));
        assert_eq!(
            e.basis,
            "o200k_base × 1.16 (1.05–1.30), Claude 3 to 4.6, prose"
        );
        let (p, e) = CLAUDE.estimate(7, ContentKind::Code);
        // 9.1 → 9; low 8.05 → 8; high 10.5 → 11
        assert_eq!((p, e.low, e.high), (9, 8, 11));
        assert_eq!(
            display(
                1234,
                &EstimateRange {
                    low: 1150,
                    high: 1330,
                    basis: String::new()
                }
            ),
            "~1,234 (1,150–1,330)"
        );
        let (p, e) = GEMINI.estimate(0, ContentKind::Cjk);
        assert_eq!((p, e.low, e.high), (0, 0, 0));
    }
}
