//! Money without float drift.
//!
//! # Units
//!
//! * [`Price`] is an exact rate in **femto-dollars per token** (10⁻¹⁵ USD), held in a `u64`.
//!   That is the same as nano-dollars per million tokens, so every price with up to nine
//!   decimal places in USD per 1M tokens (LiteLLM's are ≤ 4) is represented exactly:
//!   `$2.5/M` = `2_500_000_000` fd/token. Prices are capped at `$1000` per token.
//! * [`Money`] is an exact amount in femto-dollars, held in an `i128`. A cost is
//!   `tokens × rate` — an integer product, no division, no rounding — so sums of any number
//!   of costs are exact.
//!
//! # Display rule ([`Money::display`])
//!
//! * `|amount| ≥ $1`: rounded half-up to cents, thousands separators: `$1,234.56`.
//! * `$0.01 ≤ |amount| < $1` (after rounding): rounded half-up to **3 significant figures**,
//!   then trailing zeros beyond the second decimal trimmed: `$0.125`, `$0.025`, `$0.10`,
//!   `$0.0123`.
//! * `0 < |amount| < $0.01`: rounded half-up to 3 significant figures, trailing zeros kept
//!   so the precision shows: `$0.000150`, `$0.00250`. (A value that rounds up to `$1` prints
//!   as `$1.00`.)
//! * zero: `$0.00`; negative amounts get a leading `-`: `-$0.025`.
//!
//! For machine output use [`Money::to_decimal_string`] (full precision, trailing zeros
//! trimmed: `"0.125"`, `"0"`); `Money` serializes (serde) as that string.
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
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};

use crate::catalog::{Model, Rates};

const FEMTO_PER_DOLLAR: i128 = 1_000_000_000_000_000;
/// Upper bound on a price: $1000 per token (keeps `u64::MAX × price` inside `i128`).
const MAX_PRICE_FEMTO: u64 = 1_000_000_000_000_000_000;

/// An exact price per token, in femto-dollars (10⁻¹⁵ USD) per token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Price(u64);

/// A price string that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceParseError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for PriceParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid price '{}': {}", self.input, self.reason)
    }
}

impl std::error::Error for PriceParseError {}

impl Price {
    /// From an exact femto-dollars-per-token count (capped like the parsers: `$1000`/token).
    pub fn from_femto_per_token(femto: u64) -> Option<Price> {
        (femto <= MAX_PRICE_FEMTO).then_some(Price(femto))
    }

    pub fn femto_per_token(self) -> u64 {
        self.0
    }

    /// Parse USD per 1,000,000 tokens: `"2.5"`, `"0.075"`, `"10"`, `"1.25e-1"`.
    /// Exact up to 9 decimal places; finer digits are rounded half-up.
    pub fn parse_per_million(s: &str) -> Result<Price, PriceParseError> {
        parse_scaled(s, 9).map(Price)
    }

    /// Parse USD per token, as LiteLLM writes it: `"2.5e-06"`, `"0.0000025"`.
    /// Exact down to 10⁻¹⁵ USD; finer digits are rounded half-up.
    pub fn parse_per_token(s: &str) -> Result<Price, PriceParseError> {
        parse_scaled(s, 15).map(Price)
    }

    /// From a per-million float such as a TOML `2.5`, via its shortest round-trip decimal
    /// representation (so `0.075` is exactly 0.075, not 0.07499999…).
    pub fn from_per_million_f64(x: f64) -> Result<Price, PriceParseError> {
        Price::parse_per_million(&format_f64(x))
    }

    /// From a per-token float such as LiteLLM's `2.5e-06`, via its shortest decimal repr.
    pub fn from_per_token_f64(x: f64) -> Result<Price, PriceParseError> {
        Price::parse_per_token(&format_f64(x))
    }

    /// The cost of `tokens` tokens at this rate — exact.
    pub fn cost(self, tokens: u64) -> Money {
        // tokens ≤ 1.8e19 and price ≤ 1e18 ⇒ product < 1.8e37 < i128::MAX.
        Money(i128::from(tokens) * i128::from(self.0))
    }

    /// USD per 1M tokens as a normalised decimal string: `"2.5"`, `"0.075"`, `"0"`.
    pub fn per_million_string(self) -> String {
        decimal_string(i128::from(self.0), 9)
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Price {
    /// `$2.5/M`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}/M", self.per_million_string())
    }
}

impl serde::Serialize for Price {
    /// Serialized as the USD-per-1M decimal string (`"2.5"`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.per_million_string())
    }
}

impl<'de> serde::Deserialize<'de> for Price {
    /// Accepts USD per 1M tokens as a decimal string (`"2.5"`) or a number (`2.5`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Price;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a price in USD per 1M tokens (decimal string or number)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Price, E> {
                Price::parse_per_million(v).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Price, E> {
                Price::from_per_million_f64(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Price, E> {
                Price::parse_per_million(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Price, E> {
                Price::parse_per_million(&v.to_string()).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Shortest round-trip decimal of a float, never in exponent form except for non-finite.
fn format_f64(x: f64) -> String {
    // Rust's `Display` for f64 prints the shortest representation that round-trips,
    // without exponent notation.
    format!("{x}")
}

/// Parse a non-negative decimal (optionally with an exponent) and return
/// `round_half_up(value × 10^scale)`, capped at [`MAX_PRICE_FEMTO`].
fn parse_scaled(s: &str, scale: i32) -> Result<u64, PriceParseError> {
    let err = |reason| PriceParseError {
        input: s.to_string(),
        reason,
    };
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if let Some(rest) = t.strip_prefix('-') {
        // -0 (a float's sign bit, `-0.0` in a price file) is zero; anything else is negative
        let mant = &rest[..rest.find(['e', 'E']).unwrap_or(rest.len())];
        if mant.is_empty() || !mant.bytes().all(|b| b == b'0' || b == b'.') {
            return Err(err("negative"));
        }
        return parse_scaled(rest, scale);
    }
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = t[i + 1..].parse().map_err(|_| err("bad exponent"))?;
            (&t[..i], e)
        }
        None => (t, 0),
    };
    let (int_part, frac_part) = match mant.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mant, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(err("no digits"));
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err("not a decimal number"));
    }
    if exp.abs() > 1000 {
        return Err(err("exponent out of range"));
    }
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    // value = digits × 10^(exp − frac_len); scaled = digits × 10^shift
    let shift = exp - frac_part.len() as i32 + scale;
    let too_big = || err("price too large (max $1000 per token)");
    if digits.is_empty() {
        return Ok(0);
    }
    let value: u128 = if shift >= 0 {
        if digits.len() as i32 + shift > 20 {
            return Err(too_big());
        }
        let base: u128 = digits.parse().map_err(|_| too_big())?;
        base * 10u128.pow(shift as u32)
    } else {
        let drop = (-shift) as usize;
        if drop > digits.len() {
            // the first dropped digit is an implicit leading zero: rounds to 0
            return Ok(0);
        }
        let keep = &digits[..digits.len() - drop];
        let first_dropped = digits.as_bytes()[digits.len() - drop];
        if keep.len() > 20 {
            return Err(too_big());
        }
        let base: u128 = if keep.is_empty() {
            0
        } else {
            keep.parse().map_err(|_| too_big())?
        };
        base + u128::from(first_dropped >= b'5')
    };
    if value > u128::from(MAX_PRICE_FEMTO) {
        return Err(too_big());
    }
    Ok(value as u64)
}

/// `units / 10^scale` as a normalised decimal string (no trailing zeros, no exponent).
fn decimal_string(units: i128, scale: u32) -> String {
    let neg = units < 0;
    let v = units.unsigned_abs();
    let div = 10u128.pow(scale);
    let int = v / div;
    let frac = v % div;
    let mut s = if neg {
        String::from("-")
    } else {
        String::new()
    };
    s.push_str(&int.to_string());
    if frac != 0 {
        let f = format!("{frac:0width$}", width = scale as usize);
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// An exact amount of US dollars, in femto-dollars (10⁻¹⁵ USD).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i128);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_femto(femto: i128) -> Money {
        Money(femto)
    }

    pub fn femto(self) -> i128 {
        self.0
    }

    /// Whole cents, e.g. for tests: `Money::from_cents(125)` = $1.25.
    pub fn from_cents(cents: i64) -> Money {
        Money(i128::from(cents) * (FEMTO_PER_DOLLAR / 100))
    }

    /// Parse a decimal dollar amount (`"0.125"`, `"1234.56"`); exact to 10⁻¹⁵.
    pub fn parse(s: &str) -> Result<Money, PriceParseError> {
        let t = s.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let body = body.strip_prefix('$').unwrap_or(body).replace(',', "");
        // reuse the price parser (femto scale), but allow the full i128 range via chunks
        let femto = parse_scaled_money(&body).ok_or(PriceParseError {
            input: s.to_string(),
            reason: "not a dollar amount",
        })?;
        Ok(Money(if neg { -femto } else { femto }))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self / d`, rounded half away from zero to the femto-dollar (10⁻¹⁵ USD); `d = 0`
    /// gives zero. Used to spread a monthly cost over days.
    pub fn div_round(self, d: u64) -> Money {
        if d == 0 {
            return Money::ZERO;
        }
        let d = i128::from(d);
        let q = self.0 / d;
        let r = self.0 % d;
        let adj = if r.unsigned_abs() * 2 >= d.unsigned_abs() {
            self.0.signum()
        } else {
            0
        };
        Money(q + adj)
    }

    /// Lossy conversion for JSON numbers / charts.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / FEMTO_PER_DOLLAR as f64
    }

    /// Full precision, trailing zeros trimmed: `"0.125"`, `"1234.5"`, `"0"`, `"-0.0025"`.
    pub fn to_decimal_string(self) -> String {
        decimal_string(self.0, 15)
    }

    /// Human formatting (see the module docs): `$1,234.56`, `$0.125`, `$0.025`, `$0.10`,
    /// `$0.000150`.
    pub fn display(self) -> String {
        let neg = self.0 < 0;
        let v = self.0.unsigned_abs();
        let sign = if neg { "-" } else { "" };
        if v == 0 {
            return "$0.00".to_string();
        }
        let dollar = FEMTO_PER_DOLLAR as u128;
        if v < dollar {
            let n = num_digits(v); // 1..=15
            let (mut sig, mut n) = if n > 3 {
                let p = 10u128.pow(n - 3);
                let q = v / p;
                let r = v % p;
                (q + u128::from(r * 2 >= p), n)
            } else {
                (v * 10u128.pow(3 - n), n)
            };
            if sig == 1000 {
                sig = 100;
                n += 1;
            }
            if n <= 15 {
                // sig has 3 digits, the last at 10^(n-3) femto = 10^(n-18) dollars
                let decimals = (18 - n) as usize;
                let s = format!("{sig:0width$}", width = decimals + 1);
                let (i, f) = s.split_at(s.len() - decimals);
                // at least one cent: the trailing zeros past the cents say nothing
                let f = if decimals <= 4 {
                    let t = f.trim_end_matches('0');
                    if t.len() < 2 { &f[..2] } else { t }
                } else {
                    f
                };
                return format!("{sign}${i}.{f}");
            }
            // rounded up to exactly $1
        }
        let cents_unit = dollar / 100;
        let cents = (v + cents_unit / 2) / cents_unit;
        let dollars = cents / 100;
        let c = cents % 100;
        format!("{sign}${}.{c:02}", group_thousands(dollars))
    }
}

fn num_digits(mut v: u128) -> u32 {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

fn group_thousands(v: u128) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn parse_scaled_money(s: &str) -> Option<i128> {
    let (int_part, frac_part) = s.split_once('.').unwrap_or((s, ""));
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
        || frac_part.len() > 15
    {
        return None;
    }
    let int: i128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let frac: i128 = if frac_part.is_empty() {
        0
    } else {
        format!("{frac_part:0<15}").parse().ok()?
    };
    int.checked_mul(FEMTO_PER_DOLLAR)?.checked_add(frac)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl serde::Serialize for Money {
    /// Serialized as the full-precision decimal string ([`Money::to_decimal_string`]).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal_string())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl Mul<u64> for Money {
    type Output = Money;
    fn mul(self, rhs: u64) -> Money {
        Money(self.0.saturating_mul(i128::from(rhs)))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

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
