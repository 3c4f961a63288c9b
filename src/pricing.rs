//! What a request costs, exactly (in [`Money`], see [`crate::money`]).
//!
//! # Request costs ([`cost`])
//!
//! Rates are chosen per component of a [`Usage`]:
//! * **Long-context tiers**: when the prompt (`input + cached_input + cache_write_5m +
//!   cache_write_1h`) is *above* a tier's `above_tokens` (e.g. 200,000 for Gemini / Claude,
//!   272,000 for GPT-5.4), the highest such tier's rates apply to the whole request; a rate
//!   the tier does not list falls back to the base rate.
//! * **Cached reads** with no cached rate are billed at the input rate (conservative).
//! * **5-minute cache writes** with no write rate are billed at the input rate (providers
//!   without explicit write pricing — OpenAI, Gemini, xAI — bill them as input).
//! * **1-hour cache writes** with no 1h rate are an error.
//! * **Batch**: input/output use the batch rates; a model with neither is an error. Cached
//!   reads use the batch cached rate, else the batch input rate; cache writes use the batch
//!   write rate, else the (higher) non-batch write rate.
//! * **Output** includes reasoning tokens, billed at the output rate (every catalog model
//!   that lists a separate reasoning rate lists it equal to the output rate).
//! * A non-zero component with no applicable rate is an error — never silently `$0`.

use std::fmt;

use crate::catalog::{Model, Rates};
pub use crate::money::{Money, Price, PriceParseError};

/// Token counts of one request, by how they are billed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Uncached input (prompt) tokens.
    pub input: u64,
    /// Input tokens read from the prompt cache.
    pub cached_input: u64,
    /// Input tokens written to a 5-minute cache (Anthropic's default).
    pub cache_write_5m: u64,
    /// Input tokens written to a 1-hour cache.
    pub cache_write_1h: u64,
    /// Output tokens, including reasoning tokens.
    pub output: u64,
}

impl Usage {
    /// All prompt-side tokens: the figure long-context tiers are judged on.
    pub fn prompt_tokens(&self) -> u64 {
        self.input
            .saturating_add(self.cached_input)
            .saturating_add(self.cache_write_5m)
            .saturating_add(self.cache_write_1h)
    }
}

/// The cost of one request, by line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CostBreakdown {
    pub input: Money,
    pub cached_input: Money,
    /// 5-minute plus 1-hour cache writes.
    pub cache_write: Money,
    pub output: Money,
    pub total: Money,
    /// The long-context tier applied (its `above_tokens`), if any.
    pub tier_above_tokens: Option<u64>,
    pub batch: bool,
}

/// Why a request could not be priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingError {
    /// A component with a non-zero token count has no applicable rate.
    MissingRate {
        model: String,
        component: &'static str,
    },
    /// Batch pricing requested for a model without batch prices.
    NoBatchPricing { model: String },
}

impl fmt::Display for PricingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PricingError::MissingRate { model, component } => {
                write!(f, "no {component} price for model '{model}'")
            }
            PricingError::NoBatchPricing { model } => {
                write!(f, "model '{model}' has no batch pricing")
            }
        }
    }
}

impl std::error::Error for PricingError {}

/// The cost of a request with `usage` on `model`; `batch` selects batch-API rates.
/// See the module docs for how rates are chosen.
pub fn cost(model: &Model, usage: &Usage, batch: bool) -> Result<CostBreakdown, PricingError> {
    cost_at(model, usage, batch, None)
}

/// [`cost`] at the prices in force at `time` (Unix seconds; [`Model::prices_at`]): a usage
/// log record is priced at the rate of its own day.
pub fn cost_at(
    model: &Model,
    usage: &Usage,
    batch: bool,
    time: Option<i64>,
) -> Result<CostBreakdown, PricingError> {
    let prices = model.prices_at(time);
    let base = prices.base_rates();
    let prompt = usage.prompt_tokens();
    let tier = prices
        .tiers
        .iter()
        .filter(|t| prompt > t.above_tokens)
        .max_by_key(|t| t.above_tokens);
    // a rate from the tier when it lists it, else the base rate
    let pick = |f: fn(&Rates) -> Option<Price>| tier.and_then(|t| f(&t.rates)).or(f(&base));
    let missing = |component| PricingError::MissingRate {
        model: model.id.clone(),
        component,
    };

    if batch && base.batch_input.is_none() && base.batch_output.is_none() {
        return Err(PricingError::NoBatchPricing {
            model: model.id.clone(),
        });
    }
    let (input_rate, output_rate, cached_rate, write5_rate, write1h_rate);
    if batch {
        input_rate = pick(|r| r.batch_input);
        output_rate = pick(|r| r.batch_output);
        cached_rate = pick(|r| r.batch_cached_input).or(input_rate);
        write5_rate = pick(|r| r.batch_cache_write_5m)
            .or(pick(|r| r.cache_write_5m))
            .or(input_rate);
        write1h_rate = pick(|r| r.cache_write_1h);
    } else {
        input_rate = pick(|r| r.input);
        output_rate = pick(|r| r.output);
        cached_rate = pick(|r| r.cached_input).or(input_rate);
        write5_rate = pick(|r| r.cache_write_5m).or(input_rate);
        write1h_rate = pick(|r| r.cache_write_1h);
    }
    let line = |tokens: u64, rate: Option<Price>, component| -> Result<Money, PricingError> {
        if tokens == 0 {
            return Ok(Money::ZERO);
        }
        rate.map(|r| r.cost(tokens))
            .ok_or_else(|| missing(component))
    };
    let (in_name, out_name) = if batch {
        ("batch input", "batch output")
    } else {
        ("input", "output")
    };
    let input = line(usage.input, input_rate, in_name)?;
    let cached_input = line(usage.cached_input, cached_rate, "cached input")?;
    let cache_write = line(usage.cache_write_5m, write5_rate, "5-minute cache write")?
        + line(usage.cache_write_1h, write1h_rate, "1-hour cache write")?;
    let output = line(usage.output, output_rate, out_name)?;
    Ok(CostBreakdown {
        input,
        cached_input,
        cache_write,
        output,
        total: input + cached_input + cache_write + output,
        tier_above_tokens: tier.map(|t| t.above_tokens),
        batch,
    })
}

/// What the prompt cache did to one request's cost, at the same rates as [`cost_at`]:
/// reads against the same tokens as uncached input, writes against the same.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheEffect {
    /// What the cache reads cost.
    pub read_cost: Money,
    /// What the cache reads would have cost as uncached input, less what they cost.
    pub read_savings: Money,
    /// What the cache writes cost (5-minute and 1-hour).
    pub write_cost: Money,
    /// What the cache writes cost above the same tokens as uncached input.
    pub write_premium: Money,
}

impl CacheEffect {
    pub fn add(&mut self, o: &CacheEffect) {
        self.read_cost += o.read_cost;
        self.read_savings += o.read_savings;
        self.write_cost += o.write_cost;
        self.write_premium += o.write_premium;
    }

    /// Read savings less the write premium: what caching saved in all (negative when the
    /// writes cost more than the reads saved).
    pub fn net_savings(&self) -> Money {
        self.read_savings - self.write_premium
    }
}

/// The [`CacheEffect`] of a request with `usage` on `model` (zero without cache tokens). The
/// counterfactual moves the cache tokens to uncached input; the prompt size, and so the
/// long-context tier, is the same.
pub fn cache_effect(
    model: &Model,
    usage: &Usage,
    batch: bool,
    time: Option<i64>,
    actual: &CostBreakdown,
) -> Result<CacheEffect, PricingError> {
    let writes = usage.cache_write_5m.saturating_add(usage.cache_write_1h);
    if usage.cached_input == 0 && writes == 0 {
        return Ok(CacheEffect::default());
    }
    let reads_uncached = Usage {
        input: usage.input.saturating_add(usage.cached_input),
        cached_input: 0,
        ..*usage
    };
    let all_uncached = Usage {
        input: reads_uncached.input.saturating_add(writes),
        cache_write_5m: 0,
        cache_write_1h: 0,
        ..reads_uncached
    };
    let reads_input = cost_at(model, &reads_uncached, batch, time)?.input;
    let all_input = cost_at(model, &all_uncached, batch, time)?.input;
    let reads_at_input = reads_input - actual.input;
    let writes_at_input = all_input - reads_input;
    Ok(CacheEffect {
        read_cost: actual.cached_input,
        read_savings: reads_at_input - actual.cached_input,
        write_cost: actual.cache_write,
        write_premium: actual.cache_write - writes_at_input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn p(s: &str) -> Price {
        Price::parse_per_million(s).unwrap()
    }

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn parses_prices_exactly() {
        assert_eq!(p("2.5").femto_per_token(), 2_500_000_000);
        assert_eq!(p("0.075").femto_per_token(), 75_000_000);
        assert_eq!(p("10").femto_per_token(), 10_000_000_000);
        assert_eq!(p("0.0125").femto_per_token(), 12_500_000);
        assert_eq!(p("1.25e-1").femto_per_token(), 125_000_000);
        assert_eq!(p("0").femto_per_token(), 0);
        assert_eq!(p(" 3 ").femto_per_token(), 3_000_000_000);
        // rounding beyond 9 decimal places per million
        assert_eq!(p("0.0000000015").femto_per_token(), 2);
        assert_eq!(p("0.0000000014").femto_per_token(), 1);
        assert_eq!(
            Price::parse_per_token("2.5e-06").unwrap(),
            p("2.5"),
            "per-token parse"
        );
        assert_eq!(Price::from_per_token_f64(1.25e-7).unwrap(), p("0.125"));
        assert_eq!(Price::from_per_million_f64(0.075).unwrap(), p("0.075"));
        assert_eq!(Price::from_per_token_f64(3e-7).unwrap(), p("0.3"));
        for bad in [
            "",
            "-1",
            "abc",
            "1.2.3",
            "1e",
            ".",
            "1e999999",
            "2000000000000",
        ] {
            assert!(Price::parse_per_million(bad).is_err(), "{bad}");
        }
        assert_eq!(p("2.5").per_million_string(), "2.5");
        assert_eq!(p("0.075").to_string(), "$0.075/M");
    }

    #[test]
    fn gpt_4o_example() {
        let input = p("2.5").cost(10_000);
        let output = p("10").cost(10_000);
        assert_eq!(input, m("0.025"));
        assert_eq!(output, m("0.1"));
        assert_eq!(input + output, m("0.125"));
        assert_eq!((input + output).display(), "$0.125");
        assert_eq!((input + output).to_decimal_string(), "0.125");
    }

    #[test]
    fn sums_without_drift() {
        // a million requests of 1 token at $0.3/M (0.3e-6 $ each) is exactly $0.30
        let one = p("0.3").cost(1);
        let total: Money = std::iter::repeat_n(one, 1_000_000).sum();
        assert_eq!(total, m("0.3"));
        assert_eq!(total.to_decimal_string(), "0.3");
        assert_eq!(one * 1_000_000, total);
        // the float way drifts
        let f: f64 = std::iter::repeat_n(0.3e-6, 1_000_000).sum();
        assert_ne!(f, 0.3);
        // 0.1 + 0.2 == 0.3 exactly
        assert_eq!(m("0.1") + m("0.2"), m("0.3"));
        let v = [m("0.1"), m("0.2")];
        assert_eq!(v.iter().sum::<Money>(), m("0.3"));
    }

    #[test]
    fn display_rule() {
        let cases = [
            ("0", "$0.00"),
            ("0.00015", "$0.000150"),
            ("0.025", "$0.025"),
            ("0.0025", "$0.00250"),
            ("0.01", "$0.01"),
            ("0.0099951", "$0.01"),
            ("0.0099949", "$0.00999"),
            ("0.5", "$0.50"),
            ("0.105", "$0.105"),
            ("0.125", "$0.125"),
            ("1234.56", "$1,234.56"),
            ("1234.565", "$1,234.57"),
            ("1234567.891", "$1,234,567.89"),
            ("1", "$1.00"),
            ("0.99949", "$0.999"),
            ("0.9995", "$1.00"),
            ("0.1", "$0.10"),
            ("0.012345", "$0.0123"),
            ("0.0123456", "$0.0123"),
            ("0.00012355", "$0.000124"),
            ("0.000000000000001", "$0.00000000000000100"),
            ("999.994", "$999.99"),
            ("999.995", "$1,000.00"),
            ("-0.025", "-$0.025"),
            ("-12.5", "-$12.50"),
        ];
        for (v, want) in cases {
            assert_eq!(m(v).display(), want, "{v}");
        }
        assert_eq!(m("0.125").to_string(), "$0.125");
    }

    #[test]
    fn decimal_strings() {
        assert_eq!(Money::ZERO.to_decimal_string(), "0");
        assert_eq!(m("1234.5").to_decimal_string(), "1234.5");
        assert_eq!(
            m("0.000000000000001").to_decimal_string(),
            "0.000000000000001"
        );
        assert_eq!(m("-0.0025").to_decimal_string(), "-0.0025");
        assert_eq!(Money::from_cents(125).to_decimal_string(), "1.25");
        assert_eq!(m("0.125").as_f64(), 0.125);
        assert_eq!(serde_json::to_string(&m("0.125")).unwrap(), "\"0.125\"");
        assert!(m("0.1") < m("0.2"));
        assert!(Money::parse("1.0000000000000001").is_err());
        assert!(Money::parse("x").is_err());
        assert_eq!(m("3").div_round(30), m("0.1"));
        assert_eq!(Money::from_femto(20).div_round(3), Money::from_femto(7));
        assert_eq!(Money::from_femto(-20).div_round(3), Money::from_femto(-7));
        assert_eq!(m("1").div_round(0), Money::ZERO);
    }

    #[test]
    fn request_cost_gpt_4o() {
        let cat = Catalog::embedded();
        let model = cat.lookup("gpt-4o").unwrap();
        let usage = Usage {
            input: 10_000,
            output: 10_000,
            ..Usage::default()
        };
        let c = cost(model, &usage, false).unwrap();
        assert_eq!(c.input, m("0.025"));
        assert_eq!(c.output, m("0.1"));
        assert_eq!(c.total, m("0.125"));
        assert_eq!(c.tier_above_tokens, None);
        // batch: half price
        let c = cost(model, &usage, true).unwrap();
        assert_eq!(c.total, m("0.0625"));
        // cached reads at $1.25/M; 1h cache writes are not priced for OpenAI
        let u = Usage {
            cached_input: 1_000_000,
            ..Usage::default()
        };
        assert_eq!(cost(model, &u, false).unwrap().cached_input, m("1.25"));
        let u = Usage {
            cache_write_1h: 1,
            ..Usage::default()
        };
        assert_eq!(
            cost(model, &u, false).unwrap_err(),
            PricingError::MissingRate {
                model: "gpt-4o".into(),
                component: "1-hour cache write"
            }
        );
        // 5-minute writes without a write rate are billed as input
        let u = Usage {
            cache_write_5m: 1_000_000,
            ..Usage::default()
        };
        assert_eq!(cost(model, &u, false).unwrap().cache_write, m("2.5"));
    }

    #[test]
    fn request_cost_claude_cache() {
        let cat = Catalog::embedded();
        let model = cat.lookup("claude-sonnet-4-5").unwrap();
        let usage = Usage {
            input: 1_000_000,
            cached_input: 1_000_000,
            cache_write_5m: 1_000_000,
            cache_write_1h: 1_000_000,
            output: 1_000_000,
        };
        // prompt is 4M tokens but Sonnet 4.5 has no long-context tier in this snapshot
        let c = cost(model, &usage, false).unwrap();
        assert_eq!(c.input, m("3"));
        assert_eq!(c.cached_input, m("0.3"));
        assert_eq!(c.cache_write, m("9.75"));
        assert_eq!(c.output, m("15"));
        assert_eq!(c.total, m("28.05"));
        assert_eq!(c.total.display(), "$28.05");
    }

    #[test]
    fn long_context_tier() {
        let cat = Catalog::embedded();
        let model = cat.lookup("gemini-2.5-pro").unwrap();
        // exactly 200k: base rates
        let u = Usage {
            input: 200_000,
            output: 1_000,
            ..Usage::default()
        };
        let c = cost(model, &u, false).unwrap();
        assert_eq!(c.tier_above_tokens, None);
        assert_eq!(c.input, m("0.25"));
        assert_eq!(c.output, m("0.01"));
        // one more (cached) token: every line at the >200k rates
        let u = Usage {
            input: 200_000,
            cached_input: 1,
            output: 1_000,
            ..Usage::default()
        };
        let c = cost(model, &u, false).unwrap();
        assert_eq!(c.tier_above_tokens, Some(200_000));
        assert_eq!(c.input, m("0.5"));
        assert_eq!(c.cached_input, m("0.00000025"));
        assert_eq!(c.output, m("0.015"));
        let c = cost(model, &u, true).unwrap();
        assert_eq!(c.input, m("0.25"));
        assert_eq!(c.output, m("0.0075"));
    }

    #[test]
    fn missing_rates_are_errors() {
        let cat = Catalog::embedded();
        // an embedding model with no batch prices
        let model = cat.lookup("mistral-embed").unwrap();
        let u = Usage {
            input: 10,
            ..Usage::default()
        };
        assert!(cost(model, &u, false).is_ok());
        assert_eq!(
            cost(model, &u, true).unwrap_err(),
            PricingError::NoBatchPricing {
                model: "mistral-embed".into()
            }
        );
        // no output price listed: output tokens cannot be priced
        let u = Usage {
            output: 1,
            ..Usage::default()
        };
        let e = cost(model, &u, false).unwrap_err();
        assert_eq!(e.to_string(), "no output price for model 'mistral-embed'");
    }
}
