//! What a request or a workload costs, on one model or many: token split, limit checks,
//! per-request and projected costs, comparison rows. Shared by `cost` (and later `plan`);
//! never prints, returns plain serializable data.
//!
//! # One meaning of the token counts for every provider
//!
//! The *prompt* is the whole input of a request. Cached reads and cache writes are **parts** of
//! it, so the uncached rest is `prompt − cached − cache write` ([`split_usage`]); more cached
//! than prompt is an error. (Provider logs differ — OpenAI and Gemini report cached tokens
//! inside the prompt count, Anthropic beside `input_tokens` — and are normalised by the log
//! reader, not here.)
//!
//! # Cache writes
//!
//! A write goes to the 5-minute or the 1-hour rate ([`CacheTtl`]). A model with no cache-write
//! price at all (OpenAI, Gemini, xAI, … cache automatically and bill the first request as plain
//! input) has its writes billed at the input rate whatever the TTL, with a note; a model that
//! prices 5-minute writes but not 1-hour ones cannot price a 1-hour write (an error).

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::catalog::Model;
use crate::count::{Counted, Mode, count_document_on};
use crate::pricing::{self, CostBreakdown, Money, PricingError, Usage};
use crate::request::Options;
use crate::tokenize::Encoding;
use crate::tokenize::chat::MessageRule;

/// An exact share in `[0, 1]`: `num / den`, `den` a power of ten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    num: u64,
    den: u64,
}

impl Ratio {
    /// Parse a decimal share between 0 and 1 (`0.8`, `.25`, `1`), at most 9 decimals.
    pub fn parse(s: &str) -> Result<Ratio, String> {
        let t = s.trim();
        let bad = || format!("invalid ratio '{s}': expected a number from 0 to 1, like 0.8");
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            if t.starts_with('-') && t.len() > 1 {
                return Err(format!(
                    "invalid ratio '{s}': must be between 0 and 1 (a share of the input)"
                ));
            }
            return Err(bad());
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 9 {
            return Err(format!("invalid ratio '{s}': at most 9 decimals"));
        }
        let int = int.trim_start_matches('0');
        if int.len() > 1 {
            return Err(format!(
                "invalid ratio '{s}': must be between 0 and 1 (a share of the input)"
            ));
        }
        let den = 10u64.pow(frac.len() as u32);
        let int: u64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let f: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        let num = int * den + f;
        if num > den {
            return Err(format!(
                "invalid ratio '{s}': must be between 0 and 1 (a share of the input)"
            ));
        }
        Ok(Ratio { num, den })
    }

    /// `tokens × ratio`, rounded half-up to a whole token.
    pub fn apply(self, tokens: u64) -> u64 {
        let p = u128::from(tokens) * u128::from(self.num);
        let d = u128::from(self.den);
        ((p * 2 + d) / (2 * d)) as u64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.den.ilog10() as usize;
        let int = self.num / self.den;
        let frac = self.num % self.den;
        if frac == 0 {
            write!(f, "{int}")
        } else {
            let s = format!("{frac:0scale$}");
            write!(f, "{int}.{}", s.trim_end_matches('0'))
        }
    }
}

impl Serialize for Ratio {
    /// A JSON number (`0.8`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.num as f64 / self.den as f64)
    }
}

/// How long a cache write lives; the two are priced differently (Anthropic: 1.25× and 2× the
/// input rate).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum CacheTtl {
    #[default]
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    OneHour,
}

/// The cached part of the prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cached {
    /// A number of tokens read from the cache.
    Tokens(u64),
    /// A share of the prompt read from the cache (rounded to whole tokens per model).
    Ratio(Ratio),
}

impl Default for Cached {
    fn default() -> Cached {
        Cached::Tokens(0)
    }
}

/// What the output token count means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputBasis {
    /// `--output-tokens`: the expected output.
    #[default]
    Expected,
    /// `--max-tokens`: the worst case, every allowed output token generated.
    MaxTokens,
}

/// Everything about one request except the size of its prompt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestSpec {
    pub cached: Cached,
    pub cache_write: u64,
    pub cache_ttl: CacheTtl,
    pub output: u64,
    pub output_basis: OutputBasis,
    pub batch: bool,
}

/// The period a request count is given for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Month,
}

/// A workload: `requests` per `per` (or in total when `per` is `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Workload {
    pub requests: u64,
    pub per: Option<Period>,
    /// Days in a month for the day ↔ month conversion (30 unless told).
    pub days_per_month: u64,
}

/// The cost of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Projection {
    /// With `per = day` or `month`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_day: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_month: Option<Money>,
    /// With no period: the cost of all the requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
}

impl Workload {
    /// Project a per-request cost. Per-day from a monthly count is the monthly cost divided by
    /// `days_per_month`, rounded to 10⁻¹⁵ USD.
    pub fn project(&self, per_request: Money) -> Projection {
        let all = per_request * self.requests;
        match self.per {
            None => Projection {
                per_day: None,
                per_month: None,
                total: Some(all),
            },
            Some(Period::Day) => Projection {
                per_day: Some(all),
                per_month: Some(all * self.days_per_month),
                total: None,
            },
            Some(Period::Month) => Projection {
                per_day: Some(all.div_round(self.days_per_month)),
                per_month: Some(all),
                total: None,
            },
        }
    }
}

/// Which limit a request goes over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Output tokens above the model's max output.
    MaxOutput,
    /// Prompt + output above the model's context window.
    ContextWindow,
}

/// A request that goes over one of the model's limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LimitWarning {
    pub kind: LimitKind,
    pub tokens: u64,
    pub limit: u64,
    pub over_by: u64,
}

impl fmt::Display for LimitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = crate::numfmt::thousands;
        match self.kind {
            LimitKind::MaxOutput => write!(
                f,
                "{} output tokens exceed the max output of {} by {}",
                t(self.tokens),
                t(self.limit),
                t(self.over_by)
            ),
            LimitKind::ContextWindow => write!(
                f,
                "input + output = {} tokens exceed the context window of {} by {}",
                t(self.tokens),
                t(self.limit),
                t(self.over_by)
            ),
        }
    }
}

/// The max-output and context-window checks of one request.
pub fn check_limits(model: &Model, prompt: u64, output: u64) -> Vec<LimitWarning> {
    let mut w = Vec::new();
    if let Some(limit) = model.max_output
        && output > limit
    {
        w.push(LimitWarning {
            kind: LimitKind::MaxOutput,
            tokens: output,
            limit,
            over_by: output - limit,
        });
    }
    let total = prompt.saturating_add(output);
    if let Some(limit) = model.context_window
        && total > limit
    {
        w.push(LimitWarning {
            kind: LimitKind::ContextWindow,
            tokens: total,
            limit,
            over_by: total - limit,
        });
    }
    w
}

/// Why a request could not be costed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CostError {
    /// Cached + cache-write tokens are more than the whole prompt.
    CachedExceedsPrompt {
        model: String,
        prompt: u64,
        cached: u64,
        cache_write: u64,
    },
    Pricing(PricingError),
}

impl fmt::Display for CostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = crate::numfmt::thousands;
        match self {
            CostError::CachedExceedsPrompt {
                model,
                prompt,
                cached,
                cache_write,
            } => write!(
                f,
                "{model}: cached ({}) + cache-write ({}) tokens are more than the {} input \
                 tokens; they are parts of the input, not additions to it",
                t(*cached),
                t(*cache_write),
                t(*prompt)
            ),
            CostError::Pricing(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CostError {}

impl From<PricingError> for CostError {
    fn from(e: PricingError) -> CostError {
        CostError::Pricing(e)
    }
}

/// Split a whole prompt into billed parts (see the module docs).
pub fn split_usage(model: &Model, prompt: u64, spec: &RequestSpec) -> Result<Usage, CostError> {
    let cached = match spec.cached {
        Cached::Tokens(n) => n,
        Cached::Ratio(r) => r.apply(prompt),
    };
    let parts = cached.saturating_add(spec.cache_write);
    if parts > prompt {
        return Err(CostError::CachedExceedsPrompt {
            model: model.id.clone(),
            prompt,
            cached,
            cache_write: spec.cache_write,
        });
    }
    let (w5, w1) = match spec.cache_ttl {
        CacheTtl::OneHour if has_write_prices(model) => (0, spec.cache_write),
        _ => (spec.cache_write, 0),
    };
    Ok(Usage {
        input: prompt - parts,
        cached_input: cached,
        cache_write_5m: w5,
        cache_write_1h: w1,
        output: spec.output,
    })
}

/// The model lists some cache-write price (5-minute or 1-hour, base or tiered).
fn has_write_prices(model: &Model) -> bool {
    let p = &model.prices;
    p.cache_write_5m.is_some()
        || p.cache_write_1h.is_some()
        || p.batch_cache_write_5m.is_some()
        || p.tiers
            .iter()
            .any(|t| t.rates.cache_write_5m.is_some() || t.rates.cache_write_1h.is_some())
}

/// One model's cost of one request, and its projection.
#[derive(Clone, Debug, Serialize)]
pub struct CostRow {
    pub model: String,
    pub provider: String,
    /// The encoding the prompt was counted with; `null` when token counts were given or a
    /// `--tokenizer` file counted it.
    pub tokenizer: Option<Encoding>,
    /// The `--tokenizer` file the prompt was counted with, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokenizer_file: Option<String>,
    /// The prompt count is an estimate: the model has no exact local tokenizer, so it was
    /// counted with `basis` (the resolver's rule, as in every command).
    pub estimate: bool,
    /// The same as `estimate`, under the name every command's JSON uses.
    pub approximate: bool,
    /// The encoding an estimate is based on (only when it is one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Encoding>,
    /// The whole prompt (for a calibrated Claude/Gemini estimate: its central value).
    pub input_tokens: u64,
    /// The range of a calibrated estimate of the prompt (Claude, Gemini): `input_tokens` is its
    /// central value, and the window warnings compare the high end. (`estimate` is already
    /// the flag, so the range has its own name.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_range: Option<crate::estimate::EstimateRange>,
    /// The billed split of the prompt, and the output.
    pub usage: Usage,
    pub cost: CostBreakdown,
    /// `cost.total`, repeated for convenience.
    pub per_request: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection: Option<Projection>,
    /// Marks in a comparison (both false for a single model).
    pub cheapest: bool,
    pub most_expensive: bool,
    pub warnings: Vec<LimitWarning>,
    pub notes: Vec<String>,
}

/// How a prompt was counted for a row: with which encoding, and whether it is an estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counting {
    pub encoding: Encoding,
    pub estimate: bool,
}

/// The cost of one request of `prompt` tokens on `model` (and of `workload`, if given).
pub fn price_request(
    model: &Model,
    prompt: u64,
    counting: Option<Counting>,
    spec: &RequestSpec,
    workload: Option<&Workload>,
) -> Result<CostRow, CostError> {
    let usage = split_usage(model, prompt, spec)?;
    let cost = pricing::cost(model, &usage, spec.batch)?;
    let mut notes = Vec::new();
    if spec.cache_write > 0 && !has_write_prices(model) {
        notes.push(format!(
            "{} has no cache-write price: cache writes are billed as input",
            model.id
        ));
    }
    if let Some(t) = cost.tier_above_tokens {
        notes.push(format!(
            "{}: long-context rates (prompt above {} tokens)",
            model.id,
            crate::numfmt::thousands(t)
        ));
    }
    if let Some(c) = counting
        && c.estimate
    {
        notes.push(format!(
            "{} has no exact local tokenizer: the prompt count is an estimate made with {}",
            model.id, c.encoding
        ));
    }
    Ok(CostRow {
        model: model.id.clone(),
        provider: model.provider.clone(),
        tokenizer: counting.map(|c| c.encoding),
        tokenizer_file: None,
        estimate: counting.is_some_and(|c| c.estimate),
        approximate: counting.is_some_and(|c| c.estimate),
        basis: counting.filter(|c| c.estimate).map(|c| c.encoding),
        input_tokens: prompt,
        estimate_range: None,
        usage,
        per_request: cost.total,
        projection: workload.map(|w| w.project(cost.total)),
        cost,
        cheapest: false,
        most_expensive: false,
        warnings: check_limits(model, prompt, spec.output),
        notes,
    })
}

/// Sort rows by cost per request (ties by model name) and mark the cheapest and the most
/// expensive (when there are at least two rows and they differ).
pub fn rank(rows: &mut [CostRow]) {
    rows.sort_by(|a, b| {
        a.per_request
            .cmp(&b.per_request)
            .then_with(|| a.model.cmp(&b.model))
    });
    for r in rows.iter_mut() {
        r.cheapest = false;
        r.most_expensive = false;
    }
    if rows.len() >= 2 {
        let lo = rows[0].per_request;
        let hi = rows[rows.len() - 1].per_request;
        if lo != hi {
            for r in rows.iter_mut() {
                r.cheapest = r.per_request == lo;
                r.most_expensive = r.per_request == hi;
            }
        }
    }
}

/// Counts one prompt text for many models, each distinct encoding once.
pub struct PromptCounter<'a> {
    text: &'a str,
    base_dir: std::path::PathBuf,
    cache: HashMap<(Encoding, Options), Counted>,
    /// Counts made with a `--tokenizer` file (one file per run).
    file_cache: HashMap<Options, Counted>,
}

impl<'a> PromptCounter<'a> {
    pub fn new(text: &'a str) -> PromptCounter<'a> {
        PromptCounter::in_dir(text, std::path::Path::new("."))
    }

    /// A counter for a prompt whose local images are relative to `base_dir`.
    pub fn in_dir(text: &'a str, base_dir: &std::path::Path) -> PromptCounter<'a> {
        PromptCounter {
            text,
            base_dir: base_dir.to_path_buf(),
            cache: HashMap::new(),
            file_cache: HashMap::new(),
        }
    }

    /// How `model`'s prompt is counted: its exact encoding, else `o200k_base` as an estimate.
    pub fn counting_for(model: &Model) -> Counting {
        match model.encoding() {
            Some(encoding) => Counting {
                encoding,
                estimate: false,
            },
            None if let Some(crate::tokenize::model::OpenTokenizer::Approximate(encoding, _)) =
                model.open_tokenizer() =>
            {
                Counting {
                    encoding,
                    estimate: true,
                }
            }
            None => Counting {
                encoding: Encoding::O200kBase,
                estimate: true,
            },
        }
    }

    /// The prompt as counted for `model` (plain text, or chat JSON by the cookbook rule).
    pub fn count(&mut self, model: &Model) -> Result<(&Counted, Counting), String> {
        let counting = Self::counting_for(model);
        self.count_as(
            counting,
            MessageRule::for_model(&model.id),
            Some(&model.provider),
        )
    }

    /// The prompt as counted with `counting`'s encoding and a model's message rule (what the
    /// resolver decided for the model).
    pub fn count_as(
        &mut self,
        counting: Counting,
        rule: MessageRule,
        provider: Option<&str>,
    ) -> Result<(&Counted, Counting), String> {
        // o200k_harmony counts ordinary text exactly like o200k_base
        let enc = match counting.encoding {
            Encoding::O200kHarmony => Encoding::O200kBase,
            e => e,
        };
        // Plain text counts the same whatever the message rule or provider: one count per
        // encoding. A request is counted per (encoding, rule, provider).
        let key = (enc, self.options(rule, provider));
        if !self.cache.contains_key(&key) {
            let counted = count_document_on(enc.tokenizer(), &key.1, self.text, Mode::Auto, 0, 1)?;
            self.cache.insert(key.clone(), counted);
        }
        match self.cache.get(&key) {
            Some(c) => Ok((c, counting)),
            None => Err("internal error: prompt count missing".to_string()),
        }
    }

    /// The prompt counted with a tokenizer file (`--tokenizer`), once per message rule and
    /// image formula, as [`PromptCounter::count_as`] counts it with an encoding.
    pub fn count_file(
        &mut self,
        tok: &crate::tokenize::Tokenizer,
        rule: MessageRule,
        provider: Option<&str>,
    ) -> Result<&Counted, String> {
        let opts = self.options(rule, provider);
        if !self.file_cache.contains_key(&opts) {
            let counted = count_document_on(tok, &opts, self.text, Mode::Auto, 0, 1)?;
            self.file_cache.insert(opts.clone(), counted);
        }
        self.file_cache
            .get(&opts)
            .ok_or_else(|| "internal error: prompt count missing".to_string())
    }

    /// The counting options for this prompt: a request's depend on the message rule and the
    /// image formula (the provider); plain text counts the same whatever they are.
    fn options(&self, rule: MessageRule, provider: Option<&str>) -> Options {
        if crate::count::looks_like_json(self.text) {
            Options {
                rule,
                base_dir: self.base_dir.clone(),
                // only the image formula depends on the provider
                provider: (provider == Some("anthropic")).then(|| "anthropic".to_string()),
            }
        } else {
            Options::default()
        }
    }

    /// How many distinct encodings have been loaded and counted with.
    pub fn encodings_counted(&self) -> usize {
        self.cache.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn ratios() {
        let r = Ratio::parse("0.8").unwrap();
        assert_eq!(r.apply(10_000), 8_000);
        assert_eq!(r.to_string(), "0.8");
        assert_eq!(Ratio::parse("1").unwrap().apply(7), 7);
        assert_eq!(Ratio::parse("1.000").unwrap().apply(7), 7);
        assert_eq!(Ratio::parse(".5").unwrap().apply(3), 2);
        assert_eq!(Ratio::parse("0").unwrap().apply(3), 0);
        assert_eq!(Ratio::parse("0.25").unwrap().to_string(), "0.25");
        for bad in ["1.5", "-0.1", "abc", "", ".", "2", "0.1234567891", "1e-1"] {
            assert!(Ratio::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&r).unwrap(), "0.8");
    }

    #[test]
    fn splits_and_prices() {
        let cat = Catalog::embedded();
        let gpt = cat.lookup("gpt-4o").unwrap();
        let spec = RequestSpec {
            cached: Cached::Ratio(Ratio::parse("0.8").unwrap()),
            output: 1_000,
            ..RequestSpec::default()
        };
        let row = price_request(gpt, 10_000, None, &spec, None).unwrap();
        assert_eq!((row.usage.input, row.usage.cached_input), (2_000, 8_000));
        assert_eq!(row.cost.input, m("0.005"));
        assert_eq!(row.cost.cached_input, m("0.01"));
        assert_eq!(row.per_request, m("0.025"));

        let spec = RequestSpec {
            cached: Cached::Tokens(9_000),
            cache_write: 2_000,
            ..RequestSpec::default()
        };
        let e = price_request(gpt, 10_000, None, &spec, None).unwrap_err();
        assert!(matches!(e, CostError::CachedExceedsPrompt { .. }), "{e}");

        // 1h writes on a model without write prices are billed as input, with a note
        let spec = RequestSpec {
            cache_write: 1_000_000,
            cache_ttl: CacheTtl::OneHour,
            ..RequestSpec::default()
        };
        let row = price_request(gpt, 1_000_000, None, &spec, None).unwrap();
        assert_eq!(row.cost.cache_write, m("2.5"));
        assert_eq!(row.notes.len(), 1);
        let claude = cat.lookup("claude-sonnet-4-5").unwrap();
        let row = price_request(claude, 1_000_000, None, &spec, None).unwrap();
        assert_eq!(row.cost.cache_write, m("6"));
        assert_eq!(row.usage.cache_write_1h, 1_000_000);
    }

    #[test]
    fn projections() {
        let w = Workload {
            requests: 50_000,
            per: Some(Period::Day),
            days_per_month: 30,
        };
        let p = w.project(m("0.125"));
        assert_eq!(p.per_day, Some(m("6250")));
        assert_eq!(p.per_month, Some(m("187500")));
        let w = Workload {
            requests: 3,
            per: Some(Period::Month),
            days_per_month: 30,
        };
        let p = w.project(m("1"));
        assert_eq!(p.per_month, Some(m("3")));
        assert_eq!(p.per_day, Some(m("0.1")));
        let w = Workload {
            requests: 3,
            per: None,
            days_per_month: 30,
        };
        assert_eq!(w.project(m("1")).total, Some(m("3")));
    }

    #[test]
    fn limits() {
        let gpt = Catalog::embedded().lookup("gpt-4o").unwrap();
        let w = check_limits(gpt, 120_000, 20_000);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].over_by, 3_616);
        assert_eq!(w[1].over_by, 12_000);
        assert_eq!(
            w[0].to_string(),
            "20,000 output tokens exceed the max output of 16,384 by 3,616"
        );
        assert!(check_limits(gpt, 100_000, 16_384).is_empty());
    }

    #[test]
    fn prompt_counter_counts_each_encoding_once() {
        let cat = Catalog::embedded();
        let mut c = PromptCounter::new("Hello world\n");
        let mut got = Vec::new();
        for name in [
            "gpt-4o",
            "gpt-4o-mini",
            "claude-sonnet-4-5",
            "gpt-oss-120b",
            "gpt-4",
            "gpt-3.5-turbo",
        ] {
            let Ok(model) = cat.lookup(name) else {
                continue;
            };
            let (counted, counting) = c.count(model).unwrap();
            got.push((name, counted.tokens(), counting.estimate));
        }
        assert_eq!(c.encodings_counted(), 2, "{got:?}");
        assert!(got.contains(&("claude-sonnet-4-5", 3, true)), "{got:?}");
        assert!(got.contains(&("gpt-4", 3, false)), "{got:?}");
    }

    #[test]
    fn ranking_marks_cheapest_and_most_expensive() {
        let cat = Catalog::embedded();
        let spec = RequestSpec {
            output: 10_000,
            ..RequestSpec::default()
        };
        let mut rows: Vec<CostRow> = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"]
            .iter()
            .map(|n| price_request(cat.lookup(n).unwrap(), 10_000, None, &spec, None).unwrap())
            .collect();
        rank(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(names, ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5"]);
        assert!(rows[0].cheapest && !rows[0].most_expensive);
        assert!(rows[2].most_expensive && !rows[1].cheapest && !rows[1].most_expensive);
    }
}
