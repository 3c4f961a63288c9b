//! Lenient leaf values: a token count, a string-ish field, a timestamp, a cost, a nested
//! object, an error. They never fail the whole line; they remember what was wrong, and the
//! normaliser turns that into the line's skip reason.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::types::{ErrKind, MAX_TOKENS, Skip};
use crate::logs::time::{from_epoch, parse_rfc3339};
use crate::pricing::{Money, Price};

/// A token count as found: absent (or null), a valid count, or why it is invalid.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Num {
    #[default]
    Absent,
    Ok(u64),
    Bad(&'static str),
}

struct NumVisitor;

fn num_u64(v: u64) -> Num {
    if v > MAX_TOKENS {
        Num::Bad("larger than 2^53")
    } else {
        Num::Ok(v)
    }
}

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token count")
    }
    fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
        Ok(num_u64(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
        Ok(if v < 0 {
            Num::Bad("negative")
        } else {
            num_u64(v as u64)
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
        Ok(if !v.is_finite() {
            Num::Bad("not a finite number")
        } else if v < 0.0 {
            Num::Bad("negative")
        } else if v.fract() != 0.0 {
            Num::Bad("fractional")
        } else if v > MAX_TOKENS as f64 {
            Num::Bad("larger than 2^53")
        } else {
            Num::Ok(v as u64)
        })
    }
    fn visit_str<E>(self, _: &str) -> Result<Num, E> {
        Ok(Num::Bad("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Num, E> {
        Ok(Num::Bad("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Num, E> {
        Ok(Num::Absent)
    }
    fn visit_none<E>(self) -> Result<Num, E> {
        Ok(Num::Absent)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Num::Bad("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Num, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Num::Bad("an array"))
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

impl Num {
    pub(crate) fn from_value(v: &Value) -> Num {
        match v {
            Value::Null => Num::Absent,
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    NumVisitor
                        .visit_u64::<de::value::Error>(u)
                        .unwrap_or_default()
                } else if let Some(i) = n.as_i64() {
                    NumVisitor
                        .visit_i64::<de::value::Error>(i)
                        .unwrap_or_default()
                } else {
                    NumVisitor
                        .visit_f64::<de::value::Error>(n.as_f64().unwrap_or(f64::NAN))
                        .unwrap_or_default()
                }
            }
            Value::String(_) => Num::Bad("a string"),
            Value::Bool(_) => Num::Bad("a boolean"),
            Value::Array(_) => Num::Bad("an array"),
            Value::Object(_) => Num::Bad("an object"),
        }
    }

    pub(crate) fn is_present(self) -> bool {
        !matches!(self, Num::Absent)
    }
}

/// A string-ish field: strings are borrowed when unescaped; numbers and booleans become text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'a> Text<'a> {
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
    pub(crate) fn take(&mut self) -> Option<Cow<'a, str>> {
        self.0.take().filter(|s| !s.is_empty())
    }
}

/// A timestamp: RFC 3339 text or a Unix epoch number (seconds or milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum TimeVal {
    #[default]
    Absent,
    Unix(i64),
    Bad,
}

impl<'de> Deserialize<'de> for TimeVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TimeVal, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TimeVal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp")
            }
            fn visit_str<E>(self, v: &str) -> Result<TimeVal, E> {
                Ok(TimeVal::from_str(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<TimeVal, E> {
                Ok(from_epoch(v as f64).map_or(TimeVal::Bad, TimeVal::Unix))
            }
            fn visit_i64<E>(self, v: i64) -> Result<TimeVal, E> {
                Ok(from_epoch(v as f64).map_or(TimeVal::Bad, TimeVal::Unix))
            }
            fn visit_f64<E>(self, v: f64) -> Result<TimeVal, E> {
                Ok(from_epoch(v).map_or(TimeVal::Bad, TimeVal::Unix))
            }
            fn visit_unit<E>(self) -> Result<TimeVal, E> {
                Ok(TimeVal::Absent)
            }
            fn visit_bool<E>(self, _: bool) -> Result<TimeVal, E> {
                Ok(TimeVal::Bad)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TimeVal, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TimeVal::Bad)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TimeVal, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TimeVal::Bad)
            }
        }
        d.deserialize_any(V)
    }
}

impl TimeVal {
    pub(crate) fn from_str_pub(v: &str) -> TimeVal {
        TimeVal::from_str(v)
    }

    pub(crate) fn from_str(v: &str) -> TimeVal {
        if let Some(t) = parse_rfc3339(v) {
            return TimeVal::Unix(t);
        }
        // epoch numbers written as strings
        match v.trim().parse::<f64>() {
            Ok(x) => from_epoch(x).map_or(TimeVal::Bad, TimeVal::Unix),
            Err(_) => TimeVal::Bad,
        }
    }

    pub(crate) fn from_value(v: &Value) -> TimeVal {
        match v {
            Value::Null => TimeVal::Absent,
            Value::String(s) => TimeVal::from_str(s),
            Value::Number(n) => n
                .as_f64()
                .and_then(from_epoch)
                .map_or(TimeVal::Bad, TimeVal::Unix),
            _ => TimeVal::Bad,
        }
    }

    pub(crate) fn or(self, other: TimeVal) -> TimeVal {
        match self {
            TimeVal::Absent => other,
            _ => self,
        }
    }
}

/// A dollar amount: a JSON number or a decimal string; negative or unparseable is `Bad`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum CostVal {
    #[default]
    Absent,
    Ok(Money),
    Bad,
}

fn parse_dollars(s: &str) -> CostVal {
    let t = s.trim();
    if t.starts_with('-') {
        return CostVal::Bad;
    }
    // per-token parser: exact to 10^-15 and rounds half-up beyond (floats like 1.23e-7)
    match Price::parse_per_token(t) {
        Ok(p) => CostVal::Ok(Money::from_femto(i128::from(p.femto_per_token()))),
        Err(_) => Money::parse(t).map_or(CostVal::Bad, CostVal::Ok),
    }
}

impl<'de> Deserialize<'de> for CostVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CostVal, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CostVal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a cost")
            }
            fn visit_str<E>(self, v: &str) -> Result<CostVal, E> {
                Ok(parse_dollars(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<CostVal, E> {
                Ok(parse_dollars(&v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<CostVal, E> {
                Ok(parse_dollars(&v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<CostVal, E> {
                Ok(if v.is_finite() {
                    parse_dollars(&format!("{v}"))
                } else {
                    CostVal::Bad
                })
            }
            fn visit_unit<E>(self) -> Result<CostVal, E> {
                Ok(CostVal::Absent)
            }
            fn visit_bool<E>(self, _: bool) -> Result<CostVal, E> {
                Ok(CostVal::Bad)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CostVal, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(CostVal::Bad)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CostVal, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(CostVal::Bad)
            }
        }
        d.deserialize_any(V)
    }
}

impl CostVal {
    pub(crate) fn from_value(v: &Value) -> CostVal {
        match v {
            Value::Null => CostVal::Absent,
            Value::String(s) => parse_dollars(s),
            Value::Number(n) => parse_dollars(&n.to_string()),
            _ => CostVal::Bad,
        }
    }
    pub(crate) fn or(self, other: CostVal) -> CostVal {
        match self {
            CostVal::Absent => other,
            _ => self,
        }
    }
}

/// A nested object that is read only when it is an object (anything else is ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct Obj<T>(pub Option<Box<T>>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Obj<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| Obj(Some(Box::new(t))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_unit<E>(self) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An array read only when it is an array (`None` for anything else).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Option<Vec<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

impl<T> List<T> {
    pub(crate) fn items(&self) -> &[T] {
        self.0.as_deref().unwrap_or(&[])
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = seq.next_element()? {
                    v.push(x);
                }
                Ok(List(Some(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(List(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<List<T>, E> {
                Ok(List(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<List<T>, E> {
                Ok(List(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<List<T>, E> {
                Ok(List(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<List<T>, E> {
                Ok(List(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<List<T>, E> {
                Ok(List(None))
            }
            fn visit_unit<E>(self) -> Result<List<T>, E> {
                Ok(List(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An `error` field: a string, an object (`code`, `type`, `message`), or null.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorVal(pub Option<ErrKind>);

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrObj<'a> {
    #[serde(borrow)]
    code: Text<'a>,
    #[serde(borrow, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow)]
    message: Text<'a>,
    /// Anthropic nests the error proper: `{"type":"error","error":{"type":"…","message":"…"}}`.
    #[serde(borrow)]
    error: Obj<ErrObj<'a>>,
}

impl ErrObj<'_> {
    fn kind(&self) -> ErrKind {
        [self.code.get(), self.kind.get(), self.message.get()]
            .into_iter()
            .flatten()
            .map(ErrKind::classify)
            .chain(self.error.0.as_ref().map(|e| e.kind()))
            .find(|k| *k != ErrKind::Other)
            .unwrap_or(ErrKind::Other)
    }
}

impl<'de> Deserialize<'de> for ErrorVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ErrorVal, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ErrorVal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an error")
            }
            fn visit_str<E>(self, v: &str) -> Result<ErrorVal, E> {
                Ok(ErrorVal(
                    (!v.trim().is_empty()).then(|| ErrKind::classify(v)),
                ))
            }
            fn visit_u64<E>(self, v: u64) -> Result<ErrorVal, E> {
                Ok(ErrorVal(Some(
                    u16::try_from(v)
                        .ok()
                        .and_then(ErrKind::from_status)
                        .unwrap_or(ErrKind::Other),
                )))
            }
            fn visit_i64<E>(self, _: i64) -> Result<ErrorVal, E> {
                Ok(ErrorVal(Some(ErrKind::Other)))
            }
            fn visit_f64<E>(self, _: f64) -> Result<ErrorVal, E> {
                Ok(ErrorVal(Some(ErrKind::Other)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<ErrorVal, E> {
                Ok(ErrorVal(v.then_some(ErrKind::Other)))
            }
            fn visit_unit<E>(self) -> Result<ErrorVal, E> {
                Ok(ErrorVal(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ErrorVal, A::Error> {
                let o = ErrObj::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ErrorVal(Some(o.kind())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ErrorVal, A::Error> {
                let mut any = false;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    any = true;
                }
                Ok(ErrorVal(any.then_some(ErrKind::Other)))
            }
        }
        d.deserialize_any(V)
    }
}

pub(crate) fn tok(n: Num, field: &'static str) -> Result<u64, Skip> {
    match n {
        Num::Absent => Ok(0),
        Num::Ok(v) => Ok(v),
        Num::Bad(why) => Err(Skip::new(
            "bad token count",
            format!("token count {field} is {why}"),
        )),
    }
}

pub(crate) fn bad_cost(field: &str) -> Skip {
    Skip::new(
        "bad cost",
        format!("cost {field} is not a non-negative amount"),
    )
}

/// An error kind from a `status` field (`"error"`, `"failed"`, an HTTP code, …).
pub(crate) fn status_error(status: Option<&str>) -> Option<ErrKind> {
    let s = status?.trim();
    if let Ok(code) = s.parse::<u16>() {
        return ErrKind::from_status(code);
    }
    match s.to_ascii_lowercase().as_str() {
        "error" | "failure" | "failed" | "fail" => Some(ErrKind::Other),
        "incomplete" | "cancelled" | "canceled" => Some(ErrKind::Other),
        _ => None,
    }
}

/// A valid non-negative dollar amount, else `None`.
pub(crate) fn parse_dollars_ok(s: &str) -> Option<Money> {
    match parse_dollars(s) {
        CostVal::Ok(m) => Some(m),
        _ => None,
    }
}
