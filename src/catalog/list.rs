//! Listing the catalog (`tokenbudget models`): filter by provider or substring, sort by a
//! price or a limit. Never prints.

use std::cmp::Ordering;

use serde::Serialize;

use super::{Catalog, Model, Prices};
use crate::money::Price;
use crate::tokenize::Encoding;

/// What to sort the listing by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Provider, then model name.
    Name,
    /// Cheapest first (a missing price last), for each price below.
    Input,
    CachedInput,
    CacheWrite,
    Output,
    Batch,
    /// Largest first (unknown last).
    ContextWindow,
    MaxOutput,
}

/// Which models to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Providers to keep (case-insensitive); empty keeps all.
    pub providers: Vec<String>,
    /// A case-insensitive substring of the id or an alias.
    pub contains: Option<String>,
}

impl Filter {
    pub fn matches(&self, m: &Model) -> bool {
        let provider_ok = self.providers.is_empty()
            || self
                .providers
                .iter()
                .any(|p| p.trim().eq_ignore_ascii_case(&m.provider));
        let name_ok = match &self.contains {
            None => true,
            Some(s) => {
                let s = s.to_lowercase();
                m.names().any(|n| n.to_lowercase().contains(&s))
            }
        };
        provider_ok && name_ok
    }
}

/// One row of the listing.
#[derive(Clone, Debug, Serialize)]
pub struct ModelRow<'a> {
    pub id: &'a str,
    pub provider: &'a str,
    pub mode: &'a str,
    pub context_window: Option<u64>,
    pub max_output: Option<u64>,
    /// The exact local tokenizer, or `null` when there is none.
    pub tokenizer: Option<Encoding>,
    /// USD per 1M tokens (decimal strings); absent prices are not listed.
    pub prices: &'a Prices,
    pub aliases: &'a [String],
}

impl<'a> ModelRow<'a> {
    pub fn new(m: &'a Model) -> ModelRow<'a> {
        ModelRow {
            id: &m.id,
            provider: &m.provider,
            mode: &m.mode,
            context_window: m.context_window,
            max_output: m.max_output,
            tokenizer: m.encoding(),
            prices: &m.prices,
            aliases: &m.aliases,
        }
    }
}

fn price_key(m: &Model, key: SortKey) -> Option<Price> {
    let p = &m.prices;
    match key {
        SortKey::Input => p.input,
        SortKey::CachedInput => p.cached_input,
        SortKey::CacheWrite => p.cache_write_5m.or(p.cache_write_1h),
        SortKey::Output => p.output,
        SortKey::Batch => p.batch_input.or(p.batch_output),
        _ => None,
    }
}

/// The models of `catalog` that pass `filter`, sorted by `key` (ties by provider, then name);
/// `reverse` flips the order of the known values, unknown values stay last.
pub fn list<'a>(
    catalog: &'a Catalog,
    filter: &Filter,
    key: SortKey,
    reverse: bool,
) -> Vec<ModelRow<'a>> {
    let mut models: Vec<&Model> = catalog
        .models()
        .iter()
        .filter(|m| filter.matches(m))
        .collect();
    let by_name = |a: &&Model, b: &&Model| {
        (a.provider.as_str(), a.id.as_str()).cmp(&(b.provider.as_str(), b.id.as_str()))
    };
    // None last whatever the direction
    fn opt_cmp<T: Ord>(a: Option<T>, b: Option<T>, reverse: bool) -> Ordering {
        match (a, b) {
            (Some(x), Some(y)) => {
                if reverse {
                    y.cmp(&x)
                } else {
                    x.cmp(&y)
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    models.sort_by(|a, b| {
        let primary = match key {
            SortKey::Name => {
                let o = by_name(a, b);
                return if reverse { o.reverse() } else { o };
            }
            SortKey::ContextWindow => opt_cmp(a.context_window, b.context_window, !reverse),
            SortKey::MaxOutput => opt_cmp(a.max_output, b.max_output, !reverse),
            k => opt_cmp(price_key(a, k), price_key(b, k), reverse),
        };
        primary.then_with(|| by_name(a, b))
    });
    models.into_iter().map(ModelRow::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_sorts() {
        let c = Catalog::embedded();
        let f = Filter {
            providers: vec!["Anthropic".into()],
            contains: Some("sonnet".into()),
        };
        let rows = list(c, &f, SortKey::Name, false);
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r.provider == "anthropic" && r.id.contains("sonnet"))
        );

        let f = Filter {
            providers: vec!["openai".into()],
            contains: Some("gpt-4o".into()),
        };
        let rows = list(c, &f, SortKey::Input, false);
        let inputs: Vec<Price> = rows.iter().filter_map(|r| r.prices.input).collect();
        assert!(inputs.windows(2).all(|w| w[0] <= w[1]));
        let rows = list(c, &f, SortKey::Input, true);
        let inputs: Vec<Price> = rows.iter().filter_map(|r| r.prices.input).collect();
        assert!(inputs.windows(2).all(|w| w[0] >= w[1]));

        // an alias matches: gpt-4o-2024-08-06 is gpt-4o
        let f = Filter {
            providers: vec![],
            contains: Some("gpt-4o-2024-08-06".into()),
        };
        let ids: Vec<&str> = list(c, &f, SortKey::Name, false)
            .iter()
            .map(|r| r.id)
            .collect();
        assert!(ids.contains(&"gpt-4o"), "{ids:?}");

        let rows = list(c, &Filter::default(), SortKey::ContextWindow, false);
        let windows: Vec<u64> = rows.iter().filter_map(|r| r.context_window).collect();
        assert!(windows.windows(2).all(|w| w[0] >= w[1]));
        assert_eq!(rows.len(), c.models().len());
    }
}
