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
//! What a request costs is [`crate::pricing`]'s.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};

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
