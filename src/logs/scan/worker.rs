//! The per-worker scanner: lines → records → aggregates.

use std::borrow::Cow;
use std::io::{self, Read};

use crate::catalog::{Catalog, Model};
use crate::logs::agg::{
    Agg, Bucket, Contribution, Event, FxMap, Loc, Outlier, Tokens, Totals, UNPRICED,
};
use crate::logs::dedupe::{Deferred, Seen};
use crate::logs::options::{GroupBy, ScanOptions};
use crate::logs::record::{
    self, CodexTurn, CodexUsage, ErrKind, FileContext, Format, Parsed, Record, id_hash,
};
use crate::logs::time::Tz;
use crate::pricing::{self, Money};

/// What the earlier lines of the work item being read said (a Codex session's model and
/// running total, a Gemini CLI session's id): reset at the start of each item. A file with
/// such lines is read whole by one worker, in order (see `input::plan`).
#[derive(Default)]
struct FileState {
    model: Option<String>,
    session: Option<String>,
    project: Option<String>,
    codex_total: Option<CodexUsage>,
}

impl FileState {
    fn learn(&mut self, c: FileContext<'_>) {
        if let Some(m) = c.model {
            self.model = Some(m.into_owned());
        }
        if let Some(s) = c.session {
            self.session = Some(s.into_owned());
        }
        if let Some(p) = c.project {
            self.project = Some(p.into_owned());
        }
    }
}

pub(crate) struct ModelInfo {
    model: Option<&'static Model>,
}

pub(crate) struct Worker<'o> {
    opts: &'o ScanOptions,
    catalog: &'static Catalog,
    seen: &'o Seen,
    pub(crate) agg: Agg,
    models: FxMap<Box<str>, ModelInfo>,
    /// The first few model names, searched linearly before the map (logs name few models).
    recent_models: Vec<(Box<str>, Option<&'static Model>)>,
    /// The day (and hour) being filled: logs are mostly in time order, so most records add to
    /// these without a map lookup; they are flushed into the maps when the period changes.
    cur_day: Option<(i64, Bucket)>,
    cur_hour: Option<(i64, Bucket)>,
    /// The UTC hour being filled, with `--blocks`.
    cur_block: Option<(i64, Bucket)>,
    key: String,
    day_cache: (i64, String),
    hour_cache: (i64, String),
    /// The week and month labels of the last day seen (keyed by day number).
    week_cache: (i64, String),
    month_cache: (i64, String),
    needs_doc: bool,
    by_user_only: bool,
    by_day: bool,
    by_hour: bool,
    /// Claude Code messages, held until every copy has been seen (see [`crate::logs::dedupe`]).
    pub(crate) deferred: Vec<Deferred>,
    file: FileState,
}

pub(crate) const NONE: &str = "-";

impl<'o> Worker<'o> {
    pub(crate) fn new(
        opts: &'o ScanOptions,
        catalog: &'static Catalog,
        seen: &'o Seen,
    ) -> Worker<'o> {
        Worker {
            opts,
            catalog,
            seen,
            agg: Agg::default(),
            models: FxMap::default(),
            recent_models: Vec::new(),
            cur_day: None,
            cur_hour: None,
            cur_block: None,
            key: String::new(),
            day_cache: (i64::MIN, String::new()),
            hour_cache: (i64::MIN, String::new()),
            week_cache: (i64::MIN, String::new()),
            month_cache: (i64::MIN, String::new()),
            deferred: Vec::new(),
            file: FileState::default(),
            needs_doc: !opts.fields.is_empty()
                || opts.by.iter().any(|b| matches!(b, GroupBy::Field(_))),
            by_user_only: opts.by == [GroupBy::User],
            by_day: opts.by.contains(&GroupBy::Day),
            by_hour: opts.by.contains(&GroupBy::Hour),
        }
    }

    fn model(&mut self, name: &str) -> Option<&'static Model> {
        if let Some((_, m)) = self.recent_models.iter().find(|(n, _)| &**n == name) {
            return *m;
        }
        if let Some(m) = self.models.get(name) {
            return m.model;
        }
        let model = self.catalog.lookup(name).ok();
        if self.recent_models.len() < 8 {
            self.recent_models.push((name.into(), model));
        } else {
            self.models.insert(name.into(), ModelInfo { model });
        }
        model
    }

    /// Add to the bucket of `period`, flushing the current one into `map` when it changes.
    fn bucket(
        cur: &mut Option<(i64, Bucket)>,
        map: &mut FxMap<i64, Bucket>,
        period: i64,
        c: &Contribution,
    ) {
        match cur {
            Some((p, b)) if *p == period => b.add(c),
            _ => {
                if let Some((p, b)) = cur.take() {
                    map.entry(p).or_default().merge(&b);
                }
                let mut b = Bucket::default();
                b.add(c);
                *cur = Some((period, b));
            }
        }
    }

    /// Flush the current buckets; returns the aggregates and the held Claude Code records.
    pub(crate) fn finish(mut self) -> (Agg, Vec<Deferred>) {
        if let Some((p, b)) = self.cur_day.take() {
            self.agg.days.entry(p).or_default().merge(&b);
        }
        if let Some((p, b)) = self.cur_hour.take() {
            self.agg.hours.entry(p).or_default().merge(&b);
        }
        if let Some((p, b)) = self.cur_block.take() {
            self.agg.block_hours.entry(p).or_default().merge(&b);
        }
        self.agg.trim(self.opts.top);
        (self.agg, self.deferred)
    }

    pub(crate) fn line(
        &mut self,
        line: &[u8],
        loc: Loc,
        project: Option<&str>,
        unterminated: bool,
    ) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // a byte order mark (logs written on Windows) is not part of the record
        let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let doc: Option<serde_json::Value> = if self.needs_doc {
            serde_json::from_slice(line).ok()
        } else {
            None
        };
        match record::parse_line(line, &self.opts.fields, doc.as_ref()) {
            Err(skip) => {
                if unterminated && skip.kind == "malformed JSON" {
                    self.agg.skip(
                        loc,
                        "truncated last line",
                        "truncated last line (no newline at end of file)".into(),
                    );
                } else {
                    self.agg.skip(loc, skip.kind, skip.detail);
                }
            }
            Ok(Parsed::Ignored) => self.agg.ignored += 1,
            Ok(Parsed::Record(r)) => self.record(r, loc, project, doc.as_ref()),
            Ok(Parsed::Context(c)) => {
                self.agg.ignored += 1;
                self.file.learn(c);
            }
            Ok(Parsed::Contextual(r, turn)) => self.contextual(r, turn, loc, project, doc.as_ref()),
            Ok(Parsed::Many(rs)) => {
                for r in rs {
                    self.record(r, loc, project, doc.as_ref());
                }
            }
        }
    }

    /// A record completed from the earlier lines of its file: the model, session and project
    /// it lacks; for a Codex `token_count`, the turn's usage. Codex writes the same event again
    /// with an unchanged running total (a refresh, not a new call): that copy is a duplicate.
    /// Without `last_token_usage` the turn is the difference from the previous running total.
    fn contextual(
        &mut self,
        mut r: Record<'_>,
        turn: Option<CodexTurn>,
        loc: Loc,
        project: Option<&str>,
        doc: Option<&serde_json::Value>,
    ) {
        let st = &mut self.file;
        if r.model.is_none() {
            r.model = st.model.clone().map(Cow::Owned);
        }
        if r.session.is_none() {
            r.session = st.session.clone().map(Cow::Owned);
        }
        if r.project.is_none() {
            // Codex names its working directory; Gemini CLI's project is the folder under tmp/
            r.project = st
                .project
                .clone()
                .or_else(|| {
                    project
                        .filter(|_| r.format == Some(Format::GeminiCli))
                        .map(str::to_string)
                })
                .map(Cow::Owned);
        }
        if let Some(t) = turn {
            let prev = st.codex_total;
            if let Some(total) = t.total {
                st.codex_total = Some(total);
                if prev == Some(total) {
                    self.agg.duplicates += 1;
                    return;
                }
            }
            let usage = match (t.last, t.total) {
                (Some(last), _) => last,
                (None, Some(total)) => total.since(prev),
                (None, None) => CodexUsage::default(),
            };
            if usage.is_zero() {
                self.agg.ignored += 1;
                return;
            }
            let (u, reasoning) = usage.split();
            r.usage = u;
            r.reasoning = reasoning;
            // a forked session copies its parent's history (same times, same counts): the
            // copy is dropped as a duplicate wherever it is read
            let key = format!("{:?} {usage:?} {:?}", r.time, t.total);
            r.dedupe = Some(id_hash(&["codex", &key]));
        }
        self.record(r, loc, project, doc);
    }

    /// A Gemini CLI session saved as one JSON document: each message is read as a line of
    /// its own, at the file line where it starts.
    pub(crate) fn document(&mut self, item: u32, text: &[u8], project: Option<&str>) {
        self.file = FileState::default();
        let lines = memchr::memchr_iter(b'\n', text).count() as u64
            + u64::from(!text.is_empty() && !text.ends_with(b"\n"));
        self.agg.item_lines.insert(item, lines);
        match record::session_document(text) {
            Err((line, skip)) => self.agg.skip(Loc { item, line }, skip.kind, skip.detail),
            Ok(doc) => {
                self.file.session = doc.session.map(Cow::into_owned);
                let (mut at, mut line) = (0usize, 1u64);
                for (offset, msg) in doc.messages {
                    line += memchr::memchr_iter(b'\n', &text[at..offset]).count() as u64;
                    at = offset;
                    self.line(msg.as_bytes(), Loc { item, line }, project, false);
                }
            }
        }
    }

    fn record(
        &mut self,
        r: Record<'_>,
        loc: Loc,
        project: Option<&str>,
        doc: Option<&serde_json::Value>,
    ) {
        if r.claude.is_some() {
            // kept aside: which copy counts is decided once all are read
            self.deferred.push(Deferred {
                record: r.into_owned(),
                loc,
                project: project.map(Box::from),
                doc: doc.cloned(),
            });
            return;
        }
        self.count(r, loc, project, doc, true);
    }

    /// Count a record (`check_seen`: drop it if its id was seen before).
    pub(crate) fn count(
        &mut self,
        mut r: Record<'_>,
        loc: Loc,
        project: Option<&str>,
        doc: Option<&serde_json::Value>,
        check_seen: bool,
    ) {
        if check_seen
            && let Some(h) = r.dedupe
            && !self.seen.first(h)
        {
            self.agg.duplicates += 1;
            return;
        }
        if self.opts.since.is_some() || self.opts.until.is_some() {
            let inside = r.time.is_some_and(|t| {
                self.opts.since.is_none_or(|s| t >= s) && self.opts.until.is_none_or(|u| t < u)
            });
            if !inside {
                self.agg.filtered += 1;
                return;
            }
        }
        if r.format == Some(Format::ClaudeCode) && r.project.is_none() {
            r.project = project.map(|p| Cow::Owned(p.to_string()));
        }
        let agg = &mut self.agg;
        agg.records += 1;
        if let Some(f) = r.format {
            *agg.formats.entry(f).or_default() += 1;
        }
        if let Some(e) = r.error {
            *agg.errors.entry(e).or_default() += 1;
        }
        let tokens = Tokens::of(&r.usage, r.reasoning);
        let model = r.model.as_deref().and_then(|n| self.model(n));
        // the catalog's price of the tokens, and what the prompt cache did to it
        let priced = if tokens.total == 0 {
            None
        } else {
            model.and_then(|m| {
                let b = pricing::cost_at(m, &r.usage, r.batch, r.time).ok()?;
                let cache =
                    pricing::cache_effect(m, &r.usage, r.batch, r.time, &b).unwrap_or_default();
                Some((b.total, cache))
            })
        };
        // (logged, computed) for the audit of a record that carries its own cost
        let mut audited = None;
        let cost = if let Some(logged) = r.cost {
            self.agg.own_cost += 1;
            // the audit: what the catalog makes of the same tokens
            let computed = match priced {
                Some((c, _)) => Some(c),
                None if tokens.total == 0 && model.is_some() => Some(Money::ZERO),
                None => None,
            };
            let name = r.model.as_deref().unwrap_or("(none)");
            let a = match self.agg.audit.get_mut(name) {
                Some(a) => a,
                None => self.agg.audit.entry(name.into()).or_default(),
            };
            a.add(logged, computed);
            audited = Some((logged, computed));
            r.cost
        } else if tokens.total == 0 {
            Some(Money::ZERO)
        } else {
            priced.map(|(c, _)| c)
        };
        let agg = &mut self.agg;
        if cost.is_none() {
            let name = r.model.as_deref().unwrap_or("(none)");
            match agg.unpriced.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    agg.unpriced.insert(name.into(), 1);
                }
            }
        }
        let c = Contribution {
            tokens,
            prompt: r.usage.prompt_tokens(),
            cost,
            cache: priced.map(|(_, e)| e).unwrap_or_default(),
            error: r.error,
        };
        agg.totals.add(&c);
        let mut grouped = false;
        match r.time {
            Some(t) => {
                agg.first = Some(agg.first.map_or(t, |f| f.min(t)));
                agg.last = Some(agg.last.map_or(t, |l| l.max(t)));
                Self::bucket(&mut self.cur_day, &mut agg.days, self.opts.tz.day(t), &c);
                if self.by_hour {
                    Self::bucket(&mut self.cur_hour, &mut agg.hours, self.opts.tz.hour(t), &c);
                }
                if self.opts.blocks {
                    let hour = t.div_euclid(3600);
                    Self::bucket(&mut self.cur_block, &mut agg.block_hours, hour, &c);
                }
                let user = r.user.as_deref().or(r.session.as_deref()).unwrap_or(NONE);
                let kind = match (cost, r.error) {
                    (None, _) => UNPRICED,
                    (_, Some(e)) => {
                        1 + ErrKind::ALL.iter().position(|k| *k == e).unwrap_or(6) as u8
                    }
                    _ => 0,
                };
                let ev = Event::new(
                    u32::try_from(t.max(0)).unwrap_or(u32::MAX),
                    u32::try_from(c.prompt).unwrap_or(u32::MAX),
                    tokens.total,
                    kind,
                    cost.map_or(0, |m| u64::try_from(m.femto()).unwrap_or(u64::MAX)),
                );
                // with `--by user` alone, a record with a user is grouped under that same key
                let group_here =
                    self.by_user_only && r.user.as_deref().is_some_and(|u| !u.contains('\u{1f}'));
                let entry = match agg.users.get_mut(user) {
                    Some(u) => u,
                    None => agg.users.entry(user.into()).or_default(),
                };
                // grow by half, not double: these vectors are most of the memory
                if entry.events.len() == entry.events.capacity() {
                    entry.events.reserve_exact((entry.events.len() / 2).max(8));
                }
                entry.events.push(ev);
                if group_here {
                    entry.group.add(&c);
                    grouped = true;
                }
            }
            None => agg.untimed += 1,
        }
        // outliers
        let window = model.and_then(|m| m.context_window);
        let over_window =
            window.is_some_and(|w| w > 0 && c.prompt as f64 > self.opts.window_share * w as f64);
        let over_max = self.opts.max_tokens.is_some_and(|m| tokens.total > m);
        if over_window || over_max {
            let o = Outlier {
                loc,
                time: r.time,
                user: r.user.as_deref().map(str::to_string),
                model: r.model.as_deref().map(str::to_string),
                prompt: c.prompt,
                total: tokens.total,
                context_window: window,
                cost,
                error: r.error,
            };
            self.agg.add_outlier(o, &c, self.opts.top);
        }
        // groups
        if self.opts.by.is_empty() {
            return;
        }
        if grouped {
            if let (Some((logged, computed)), Some(user)) = (audited, r.user.as_deref()) {
                Self::audit_group(&mut self.agg, user, logged, computed);
            }
            return;
        }
        self.key.clear();
        for (i, dim) in self.opts.by.iter().enumerate() {
            if i > 0 {
                self.key.push('\u{1f}');
            }
            let v: Option<Cow<'_, str>> = match dim {
                GroupBy::User => r.user.as_deref().map(Cow::Borrowed),
                GroupBy::Feature => r.feature.as_deref().map(Cow::Borrowed),
                GroupBy::Model => r.model.as_deref().map(Cow::Borrowed),
                GroupBy::Session => r.session.as_deref().map(Cow::Borrowed),
                GroupBy::Project => r.project.as_deref().map(Cow::Borrowed),
                GroupBy::Format => r.format.map(|f| Cow::Borrowed(f.name())),
                GroupBy::Day if self.by_day => r.time.map(|t| {
                    cached_label(&mut self.day_cache, self.opts.tz.day(t), Tz::format_day)
                }),
                GroupBy::Hour => r.time.map(|t| {
                    cached_label(&mut self.hour_cache, self.opts.tz.hour(t), Tz::format_hour)
                }),
                GroupBy::Week => r.time.map(|t| {
                    cached_label(&mut self.week_cache, self.opts.tz.day(t), Tz::format_week)
                }),
                GroupBy::Month => r.time.map(|t| {
                    cached_label(&mut self.month_cache, self.opts.tz.day(t), Tz::format_month)
                }),
                GroupBy::Day => None,
                GroupBy::Field(path) => doc
                    .and_then(|d| record::lookup_path(d, path))
                    .and_then(record::value_text)
                    .map(Cow::Owned),
            };
            let v = v.as_deref().unwrap_or(NONE);
            // the separator cannot appear inside a value
            if v.contains('\u{1f}') {
                self.key.push_str(&v.replace('\u{1f}', " "));
            } else {
                self.key.push_str(v);
            }
        }
        match self.agg.groups.get_mut(self.key.as_str()) {
            Some(t) => t.add(&c),
            None => {
                let mut t = Totals::default();
                t.add(&c);
                self.agg.groups.insert(self.key.as_str().into(), t);
            }
        }
        if let Some((logged, computed)) = audited {
            Self::audit_group(&mut self.agg, &self.key, logged, computed);
        }
    }

    fn audit_group(agg: &mut Agg, key: &str, logged: Money, computed: Option<Money>) {
        match agg.audit_groups.get_mut(key) {
            Some(a) => a.add(logged, computed),
            None => agg
                .audit_groups
                .entry(key.into())
                .or_default()
                .add(logged, computed),
        }
    }

    /// The largest JSON document read whole: the line cap.
    pub(crate) fn max_document(&self) -> u64 {
        self.opts.max_line_bytes as u64
    }

    /// A line longer than the cap: counted and skipped, its bytes never held whole.
    fn too_long(&mut self, loc: Loc) {
        let cap = self.opts.max_line_bytes;
        self.agg.skip(
            loc,
            "line too long",
            format!("line longer than {cap} bytes (the line cap), skipped unread"),
        );
    }

    /// Read lines from `r`, counting them in `item`; returns the number of lines. A line longer
    /// than [`ScanOptions::max_line_bytes`] is skipped as it streams past: memory stays at
    /// about the cap plus one read block whatever the line's size.
    pub(crate) fn read(
        &mut self,
        item: u32,
        mut r: impl Read,
        project: Option<&str>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> io::Result<u64> {
        const BLOCK: usize = 1 << 20;
        let cap = self.opts.max_line_bytes.max(1);
        self.file = FileState::default();
        let mut buf: Vec<u8> = vec![0; 4 * BLOCK];
        let mut filled = 0usize;
        let mut line_no = 0u64;
        // inside a line already known to be over the cap: its bytes are dropped as they come
        let mut overlong = false;
        loop {
            if buf.len() - filled < BLOCK {
                buf.resize(buf.len() * 2, 0);
            }
            let n = match r.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.agg.item_lines.insert(item, line_no);
                    return Err(e);
                }
            };
            progress(n as u64);
            if n == 0 {
                if overlong {
                    line_no += 1;
                    self.too_long(Loc {
                        item,
                        line: line_no,
                    });
                } else if filled > 0 {
                    line_no += 1;
                    let rest = std::mem::take(&mut buf);
                    self.line(
                        &rest[..filled],
                        Loc {
                            item,
                            line: line_no,
                        },
                        project,
                        true,
                    );
                }
                self.agg.item_lines.insert(item, line_no);
                return Ok(line_no);
            }
            let end = filled + n;
            let mut start = 0usize;
            for nl in memchr::memchr_iter(b'\n', &buf[filled..end]) {
                let pos = filled + nl;
                line_no += 1;
                let loc = Loc {
                    item,
                    line: line_no,
                };
                if overlong || pos - start > cap {
                    overlong = false;
                    self.too_long(loc);
                } else {
                    self.line(&buf[start..pos], loc, project, false);
                }
                start = pos + 1;
            }
            if overlong || end - start > cap {
                // no line end yet and already over the cap: drop what is held
                overlong = true;
                filled = 0;
                continue;
            }
            buf.copy_within(start..end, 0);
            filled = end - start;
        }
    }
}

/// The label of time bucket `key`, formatted only when it differs from the last one asked of
/// this cache (records mostly arrive in time order).
fn cached_label(
    cache: &mut (i64, String),
    key: i64,
    format: fn(i64) -> String,
) -> Cow<'static, str> {
    if cache.0 != key {
        *cache = (key, format(key));
    }
    Cow::Owned(cache.1.clone())
}
