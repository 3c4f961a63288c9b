//! Detectors over the merged aggregates: spike days, bursts and loops. Bursts and loops run on
//! each user's requests sorted by time (ties by prompt size, so the result does not depend on
//! the order the parts of the input were read in).

use std::collections::BTreeMap;

use serde::Serialize;

use super::agg::{Bucket, Event};
use super::record::ErrKind;
use crate::pricing::Money;

/// `N` requests (or tokens) per `window` seconds: `500/10m`, `1M/1h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub amount: u64,
    pub window: u32,
}

impl Rate {
    /// `500/10m`, `1M/1h`, `2.5k/30s`, `100/1d`.
    pub fn parse(s: &str) -> Result<Rate, String> {
        let bad = || format!("invalid rate '{s}' (expected N/DURATION, e.g. 500/10m or 1M/1h)");
        let (n, d) = s.trim().split_once('/').ok_or_else(bad)?;
        let n = n.trim();
        let (digits, mult) = match n.chars().last() {
            Some('k' | 'K') => (&n[..n.len() - 1], 1_000.0),
            Some('m' | 'M') => (&n[..n.len() - 1], 1_000_000.0),
            Some('g' | 'G' | 'b' | 'B') => (&n[..n.len() - 1], 1_000_000_000.0),
            _ => (n, 1.0),
        };
        let amount: f64 = digits.parse().map_err(|_| bad())?;
        let amount = amount * mult;
        if !amount.is_finite() || amount < 1.0 || amount.fract() != 0.0 {
            return Err(bad());
        }
        let window = parse_duration(d).ok_or_else(bad)?;
        Ok(Rate {
            amount: amount as u64,
            window,
        })
    }

    pub fn label(&self) -> String {
        format!("{}/{}", self.amount, duration_label(self.window))
    }
}

/// `30s`, `10m`, `1h`, `1d`, or plain seconds.
pub fn parse_duration(s: &str) -> Option<u32> {
    let d = s.trim();
    let (num, unit) = match d.chars().last()? {
        's' => (&d[..d.len() - 1], 1),
        'm' => (&d[..d.len() - 1], 60),
        'h' => (&d[..d.len() - 1], 3600),
        'd' => (&d[..d.len() - 1], 86_400),
        _ => (d, 1),
    };
    let n: u32 = num.trim().parse().ok()?;
    n.checked_mul(unit).filter(|&w| w > 0)
}

pub fn duration_label(secs: u32) -> String {
    if secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// A day whose tokens exceed `factor` × the average of the `days` days before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spike {
    pub day: i64,
    pub tokens: u64,
    pub trailing_average: u64,
    pub ratio: f64,
    pub requests: u64,
    pub cost: Money,
}

/// Spike days. A day is judged only once the log covers the whole trailing window before it;
/// days without requests count as zero.
pub fn spikes(days: &BTreeMap<i64, Bucket>, factor: f64, window: u32) -> Vec<Spike> {
    let Some((&first, _)) = days.iter().next() else {
        return Vec::new();
    };
    let window = i64::from(window.max(1));
    let mut out = Vec::new();
    for (&day, b) in days {
        if day - first < window {
            continue;
        }
        let sum: u64 = days
            .range(day - window..day)
            .map(|(_, b)| b.tokens)
            .fold(0u64, u64::saturating_add);
        let avg = sum as f64 / window as f64;
        if b.tokens as f64 > factor * avg {
            out.push(Spike {
                day,
                tokens: b.tokens,
                trailing_average: avg.round() as u64,
                ratio: if avg > 0.0 {
                    (b.tokens as f64 / avg * 10.0).round() / 10.0
                } else {
                    f64::INFINITY
                },
                requests: b.requests,
                cost: b.cost,
            });
        }
    }
    out
}

/// Costs and error counts of a set of requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    pub requests: u64,
    pub tokens: u64,
    pub cost: Money,
    /// Requests among these that could not be priced (their cost is not in `cost`).
    pub unpriced: u64,
    pub failed: u64,
    pub errors: BTreeMap<ErrKind, u64>,
}

impl Span {
    fn of(events: &[Event]) -> Span {
        let mut s = Span {
            start: i64::from(events.first().map_or(0, |e| e.ts)),
            end: i64::from(events.last().map_or(0, |e| e.ts)),
            ..Span::default()
        };
        for e in events {
            s.requests += 1;
            s.tokens = s.tokens.saturating_add(u64::from(e.total()));
            if e.kind() == super::agg::UNPRICED {
                s.unpriced += 1;
            } else {
                s.cost += e.cost();
            }
            if let Some(k) = e.error() {
                s.failed += 1;
                *s.errors.entry(k).or_default() += 1;
            }
        }
        s
    }
}

/// A user over a request or token rate in some sliding window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Burst {
    pub user: String,
    /// `requests` or `tokens`.
    pub by: &'static str,
    pub limit: String,
    /// The most requests (or tokens) in one window.
    pub peak: u64,
    #[serde(flatten)]
    pub span: Span,
}

/// Bursts in one user's time-sorted events: maximal runs of overlapping windows over the rate.
pub fn bursts(user: &str, events: &[Event], rate: Rate, by_tokens: bool) -> Vec<Burst> {
    let weight = |e: &Event| {
        if by_tokens { u64::from(e.total()) } else { 1 }
    };
    let mut out = Vec::new();
    let mut lo = 0usize;
    let mut sum = 0u64;
    // current episode: [start, end] indexes and peak
    let mut episode: Option<(usize, usize, u64)> = None;
    for (hi, e) in events.iter().enumerate() {
        sum += weight(e);
        while e.ts - events[lo].ts >= rate.window {
            sum -= weight(&events[lo]);
            lo += 1;
        }
        if sum >= rate.amount {
            episode = match episode {
                Some((s, end, peak)) if lo <= end + 1 => Some((s, hi, peak.max(sum))),
                Some((s, end, peak)) => {
                    out.push(make_burst(user, events, s, end, peak, rate, by_tokens));
                    Some((lo, hi, sum))
                }
                None => Some((lo, hi, sum)),
            };
        }
    }
    if let Some((s, end, peak)) = episode {
        out.push(make_burst(user, events, s, end, peak, rate, by_tokens));
    }
    out
}

fn make_burst(
    user: &str,
    events: &[Event],
    s: usize,
    e: usize,
    peak: u64,
    rate: Rate,
    by_tokens: bool,
) -> Burst {
    Burst {
        user: user.to_string(),
        by: if by_tokens { "tokens" } else { "requests" },
        limit: rate.label(),
        peak,
        span: Span::of(&events[s..=e]),
    }
}

/// Loop detection settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopRule {
    /// At least this many requests in a row.
    pub min_requests: usize,
    /// Each within this many seconds of the previous one.
    pub max_gap: u32,
    /// Prompt sizes within this fraction of the run's first request (0.02 = ±2%).
    pub tolerance: f64,
}

/// Back-to-back near-identical requests from one user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loop {
    pub user: String,
    /// The prompt size of the first request of the run.
    pub prompt_tokens: u64,
    #[serde(flatten)]
    pub span: Span,
}

pub fn loops(user: &str, events: &[Event], rule: LoopRule) -> Vec<Loop> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let similar = |a: &Event, b: &Event| {
        let (a, b) = (f64::from(a.prompt), f64::from(b.prompt));
        (a - b).abs() <= rule.tolerance * a
    };
    let flush = |start: usize, end: usize, out: &mut Vec<Loop>| {
        if end - start >= rule.min_requests.max(2) {
            out.push(Loop {
                user: user.to_string(),
                prompt_tokens: u64::from(events[start].prompt),
                span: Span::of(&events[start..end]),
            });
        }
    };
    for i in 1..=events.len() {
        let cont = i < events.len()
            && events[i].ts - events[i - 1].ts <= rule.max_gap
            && similar(&events[start], &events[i]);
        if !cont {
            flush(start, i, &mut out);
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: u32, prompt: u32) -> Event {
        Event::new(ts, prompt, u64::from(prompt) + 10, 0, 1_000)
    }

    #[test]
    fn rates() {
        assert_eq!(
            Rate::parse("500/10m").unwrap(),
            Rate {
                amount: 500,
                window: 600
            }
        );
        assert_eq!(Rate::parse("1M/1h").unwrap().amount, 1_000_000);
        assert_eq!(Rate::parse("2.5k/30s").unwrap().amount, 2_500);
        assert!(Rate::parse("x/1h").is_err());
        assert!(Rate::parse("5/0m").is_err());
        assert_eq!(Rate::parse("1M/1h").unwrap().label(), "1000000/1h");
    }

    #[test]
    fn burst_windows() {
        // 5 requests within 10 s, then a pause, then 2
        let evs: Vec<Event> = [0, 2, 4, 6, 8, 100, 101]
            .iter()
            .map(|&t| ev(t, 5))
            .collect();
        let b = bursts(
            "u",
            &evs,
            Rate {
                amount: 4,
                window: 10,
            },
            false,
        );
        assert_eq!(b.len(), 1);
        assert_eq!(
            (
                b[0].peak,
                b[0].span.requests,
                b[0].span.start,
                b[0].span.end
            ),
            (5, 5, 0, 8)
        );
        assert!(
            bursts(
                "u",
                &evs,
                Rate {
                    amount: 6,
                    window: 10
                },
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn loop_runs() {
        let mut evs: Vec<Event> = (0..5).map(|i| ev(i * 30, 1000 + i)).collect();
        evs.push(ev(200, 1000)); // gap too long
        evs.push(ev(210, 5000)); // different size
        let rule = LoopRule {
            min_requests: 3,
            max_gap: 60,
            tolerance: 0.02,
        };
        let l = loops("u", &evs, rule);
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].span.requests, l[0].prompt_tokens), (5, 1000));
    }
}
