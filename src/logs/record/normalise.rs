//! Raw line → [`Record`]: which format a line is, and its usage in the one normalised split
//! (input excluding cached, cache reads, cache writes by duration, output including reasoning).

use std::borrow::Cow;

use serde_json::Value;

use super::fields::{FieldOverrides, lookup_path, value_text};
use super::formats::{
    CodexRawUsage, GeminiUsage, OtlpAttr, OtlpResourceSpans, OtlpValue, RawLine, RawMessage,
    RawUsage,
};
use super::types::{
    ClaudeCopy, CodexTurn, CodexUsage, ErrKind, FileContext, Format, MAX_TOKENS, Parsed, Record,
    Skip, id_hash,
};
use super::values::{CostVal, Num, Text, TimeVal, bad_cost, status_error, tok};
use crate::pricing::Usage;

/// Usage of an OpenAI `usage` object (Chat Completions or Responses): cached tokens are part
/// of the prompt count, reasoning tokens part of the completion count.
fn openai_usage(u: &RawUsage) -> Result<(Usage, u64, Format), Skip> {
    let (prompt, completion, details_in, details_out, format) =
        if u.prompt_tokens.is_present() || u.completion_tokens.is_present() {
            (
                tok(u.prompt_tokens, "usage.prompt_tokens")?,
                tok(u.completion_tokens, "usage.completion_tokens")?,
                &u.prompt_tokens_details,
                &u.completion_tokens_details,
                Format::OpenaiChat,
            )
        } else {
            (
                tok(u.input_tokens, "usage.input_tokens")?,
                tok(u.output_tokens, "usage.output_tokens")?,
                &u.input_tokens_details,
                &u.output_tokens_details,
                Format::OpenaiResponses,
            )
        };
    let cached = match &details_in.0 {
        Some(d) if d.cached_tokens.is_present() => tok(d.cached_tokens, "cached_tokens")?,
        // Mistral's older spelling
        _ => tok(u.num_cached_tokens, "usage.num_cached_tokens")?,
    };
    let reasoning = match &details_out.0 {
        Some(d) => tok(d.reasoning_tokens, "reasoning_tokens")?,
        None => 0,
    };
    if cached > prompt {
        return Err(Skip::new(
            "bad token count",
            format!("cached_tokens ({cached}) larger than the prompt ({prompt})"),
        ));
    }
    Ok((
        Usage {
            input: prompt - cached,
            cached_input: cached,
            output: completion,
            ..Usage::default()
        },
        reasoning,
        format,
    ))
}

/// Usage of an Anthropic `usage` object: cache reads and writes are in addition to
/// `input_tokens`; thinking tokens are inside `output_tokens`.
fn anthropic_usage(u: &RawUsage) -> Result<Usage, Skip> {
    let input = tok(u.input_tokens, "usage.input_tokens")?;
    let output = tok(u.output_tokens, "usage.output_tokens")?;
    let read = tok(u.cache_read_input_tokens, "usage.cache_read_input_tokens")?;
    let write = tok(
        u.cache_creation_input_tokens,
        "usage.cache_creation_input_tokens",
    )?;
    let (mut w5, w1) = match &u.cache_creation.0 {
        Some(c) => (
            tok(
                c.ephemeral_5m_input_tokens,
                "cache_creation.ephemeral_5m_input_tokens",
            )?,
            tok(
                c.ephemeral_1h_input_tokens,
                "cache_creation.ephemeral_1h_input_tokens",
            )?,
        ),
        None => (0, 0),
    };
    // the breakdown may be absent or partial: the rest of the total is a 5-minute write
    if w5 + w1 < write {
        w5 = write - w1;
    }
    Ok(Usage {
        input,
        cached_input: read,
        cache_write_5m: w5,
        cache_write_1h: w1,
        output,
    })
}

fn is_anthropic_usage(u: &RawUsage) -> bool {
    u.cache_creation_input_tokens.is_present()
        || u.cache_read_input_tokens.is_present()
        || u.cache_creation.0.is_some()
}

/// Fill `r` from a Claude Code assistant message; false for messages Claude Code writes itself
/// (`<synthetic>`, no API call).
fn claude_message<'a>(
    r: &mut Record<'a>,
    msg: &mut RawMessage<'a>,
    request_id: Option<&str>,
    sidechain: Option<bool>,
    nested: bool,
) -> Result<bool, Skip> {
    let Some(u) = &msg.usage.0 else {
        return Ok(false);
    };
    r.format = Some(Format::ClaudeCode);
    r.usage = anthropic_usage(u)?;
    let model = msg.model.take();
    if model.as_deref() == Some("<synthetic>") {
        return Ok(false);
    }
    r.model = model.or(r.model.take());
    if let Some(mid) = msg.id.get() {
        // copies of one message share its id and request id (ccusage's key; a missing request
        // id is part of the key too)
        r.dedupe = Some(match request_id {
            Some(rid) => id_hash(&["claude", mid, rid]),
            None => id_hash(&["claude", mid]),
        });
        r.claude = Some(ClaudeCopy {
            message: id_hash(&["claude-message", mid]),
            sidechain: sidechain == Some(true),
            nested,
        });
    }
    Ok(true)
}

/// A Codex `TokenUsage` (`last` names `last_token_usage`, else `total_token_usage`).
fn codex_usage(u: &CodexRawUsage, last: bool) -> Result<CodexUsage, Skip> {
    let pick = |a: &'static str, b: &'static str| if last { a } else { b };
    let c = CodexUsage {
        input: tok(
            u.input_tokens,
            pick(
                "last_token_usage.input_tokens",
                "total_token_usage.input_tokens",
            ),
        )?,
        cached_input: tok(
            u.cached_input_tokens,
            pick(
                "last_token_usage.cached_input_tokens",
                "total_token_usage.cached_input_tokens",
            ),
        )?,
        output: tok(
            u.output_tokens,
            pick(
                "last_token_usage.output_tokens",
                "total_token_usage.output_tokens",
            ),
        )?,
        reasoning_output: tok(
            u.reasoning_output_tokens,
            pick(
                "last_token_usage.reasoning_output_tokens",
                "total_token_usage.reasoning_output_tokens",
            ),
        )?,
        total: tok(
            u.total_tokens,
            pick(
                "last_token_usage.total_tokens",
                "total_token_usage.total_tokens",
            ),
        )?,
    };
    if c.cached_input > c.input {
        return Err(Skip::new(
            "bad token count",
            format!(
                "cached_input_tokens ({}) larger than input_tokens ({})",
                c.cached_input, c.input
            ),
        ));
    }
    if c.reasoning_output > c.output {
        return Err(Skip::new(
            "bad token count",
            format!(
                "reasoning_output_tokens ({}) larger than output_tokens ({})",
                c.reasoning_output, c.output
            ),
        ));
    }
    Ok(c)
}

/// Gemini's split, from `usageMetadata` or a Gemini CLI / Qwen Code `TokensSummary`: cached
/// tokens are part of the prompt, tool-use prompt tokens and thoughts are in addition.
fn gemini_split(g: &GeminiUsage) -> Result<(Usage, u64), Skip> {
    let summary = g.is_summary();
    let f = |api: Num, api_name: &'static str, sum: Num, sum_name: &'static str| {
        if summary {
            tok(sum, sum_name)
        } else {
            tok(api, api_name)
        }
    };
    let prompt = f(
        g.prompt_token_count,
        "usageMetadata.promptTokenCount",
        g.summary_input,
        "tokens.input",
    )?;
    let cached = f(
        g.cached_content_token_count,
        "usageMetadata.cachedContentTokenCount",
        g.summary_cached,
        "tokens.cached",
    )?;
    let tool = f(
        g.tool_use_prompt_token_count,
        "usageMetadata.toolUsePromptTokenCount",
        g.summary_tool,
        "tokens.tool",
    )?;
    let cand = f(
        g.candidates_token_count,
        "usageMetadata.candidatesTokenCount",
        g.summary_output,
        "tokens.output",
    )?;
    let thoughts = f(
        g.thoughts_token_count,
        "usageMetadata.thoughtsTokenCount",
        g.summary_thoughts,
        "tokens.thoughts",
    )?;
    f(
        g.total_token_count,
        "usageMetadata.totalTokenCount",
        g.summary_total,
        "tokens.total",
    )?;
    if cached > prompt {
        let (c, p) = if summary {
            ("tokens.cached", "tokens.input")
        } else {
            ("cachedContentTokenCount", "promptTokenCount")
        };
        return Err(Skip::new(
            "bad token count",
            format!("{c} ({cached}) larger than {p} ({prompt})"),
        ));
    }
    Ok((
        Usage {
            input: prompt - cached + tool,
            cached_input: cached,
            output: cand + thoughts,
            ..Usage::default()
        },
        thoughts,
    ))
}

/// An OTLP attribute value as a token count: `intValue` (a decimal string in OTLP/JSON, or a
/// number), or a whole `doubleValue`.
fn otlp_count(v: &OtlpValue<'_>) -> Num {
    if let Some(t) = v.int_value.get() {
        return match t.parse::<u64>() {
            Ok(n) if n <= MAX_TOKENS => Num::Ok(n),
            Ok(_) => Num::Bad("larger than 2^53"),
            Err(_) if t.starts_with('-') => Num::Bad("negative"),
            Err(_) => Num::Bad("not a whole number"),
        };
    }
    if let Some(d) = v.double_value {
        return if d < 0.0 {
            Num::Bad("negative")
        } else if d.fract() != 0.0 {
            Num::Bad("fractional")
        } else if d > MAX_TOKENS as f64 {
            Num::Bad("larger than 2^53")
        } else {
            Num::Ok(d as u64)
        };
    }
    if v.string_value.0.is_some() {
        return Num::Bad("a string");
    }
    Num::Absent
}

/// A span's time: `startTimeUnixNano` (else `endTimeUnixNano`), nanoseconds as a decimal
/// string (OTLP/JSON's fixed64) or a number.
fn otlp_time(start: &Text<'_>, end: &Text<'_>) -> TimeVal {
    let t = match start.get().filter(|t| *t != "0") {
        Some(t) => t,
        None => match end.get().filter(|t| *t != "0") {
            Some(t) => t,
            None => return TimeVal::Absent,
        },
    };
    match t.parse::<u64>() {
        Ok(ns) => i64::try_from(ns / 1_000_000_000).map_or(TimeVal::Bad, TimeVal::Unix),
        Err(_) => TimeVal::Bad,
    }
}

/// The GenAI attributes of one span (and its resource) that are read.
#[derive(Default)]
struct GenAi<'a> {
    input: Num,
    output: Num,
    prompt: Num,
    completion: Num,
    cache_read: Num,
    cache_creation: Num,
    response_model: Option<Cow<'a, str>>,
    request_model: Option<Cow<'a, str>>,
    operation: Option<Cow<'a, str>>,
    conversation: Option<Cow<'a, str>>,
    response_id: Option<Cow<'a, str>>,
    error_type: Option<Cow<'a, str>>,
    user: Option<Cow<'a, str>>,
    service: Option<Cow<'a, str>>,
}

impl<'a> GenAi<'a> {
    fn read(&mut self, attrs: &[OtlpAttr<'a>]) -> Result<(), Skip> {
        for a in attrs {
            let Some(key) = a.key.get() else { continue };
            if !(key.starts_with("gen_ai.")
                || key == "error.type"
                || key == "user.id"
                || key == "service.name")
            {
                continue;
            }
            let Some(raw) = a.value else { continue };
            let mut v: OtlpValue<'a> = serde_json::from_str(raw.get()).unwrap_or_default();
            let count = |slot: &mut Num| {
                *slot = otlp_count(&v);
                match *slot {
                    Num::Bad(why) => Err(Skip::new(
                        "bad token count",
                        format!("token count {key} is {why}"),
                    )),
                    _ => Ok(()),
                }
            };
            match key {
                "gen_ai.usage.input_tokens" => count(&mut self.input)?,
                "gen_ai.usage.output_tokens" => count(&mut self.output)?,
                "gen_ai.usage.prompt_tokens" => count(&mut self.prompt)?,
                "gen_ai.usage.completion_tokens" => count(&mut self.completion)?,
                "gen_ai.usage.cache_read.input_tokens" => count(&mut self.cache_read)?,
                "gen_ai.usage.cache_creation.input_tokens" => count(&mut self.cache_creation)?,
                "gen_ai.response.model" => self.response_model = v.string_value.take(),
                "gen_ai.request.model" => self.request_model = v.string_value.take(),
                "gen_ai.operation.name" => self.operation = v.string_value.take(),
                "gen_ai.conversation.id" => self.conversation = v.string_value.take(),
                "gen_ai.response.id" => self.response_id = v.string_value.take(),
                "error.type" => self.error_type = v.string_value.take(),
                "user.id" => self.user = v.string_value.take(),
                "service.name" => self.service = v.string_value.take(),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The records of an OTLP/JSON `ExportTraceServiceRequest`: one per GenAI inference span (a
/// span with `gen_ai.usage.*`). Agent and tool spans (`invoke_agent`, `create_agent`,
/// `execute_tool`) are not counted: an agent span's usage sums its model calls, which are
/// spans of their own.
fn otlp_records<'a>(rs: &[OtlpResourceSpans<'a>]) -> Result<Vec<Record<'a>>, Skip> {
    let mut out = Vec::new();
    let mut n = 0usize;
    for r in rs {
        let mut res = GenAi::default();
        if let Some(resource) = &r.resource.0 {
            res.read(resource.attributes.items())?;
        }
        for ss in r.scope_spans.items() {
            for span in ss.spans.items() {
                n += 1;
                let at = |s: Skip| Skip::new(s.kind, format!("span {n}: {}", s.detail));
                let mut g = GenAi::default();
                g.read(span.attributes.items()).map_err(at)?;
                let input_num = if g.input.is_present() {
                    g.input
                } else {
                    g.prompt
                };
                let output_num = if g.output.is_present() {
                    g.output
                } else {
                    g.completion
                };
                let failed = span
                    .status
                    .0
                    .as_ref()
                    .and_then(|s| s.code.get())
                    .is_some_and(|c| c == "2" || c == "STATUS_CODE_ERROR");
                let inference = matches!(
                    g.operation.as_deref(),
                    Some("chat" | "text_completion" | "generate_content" | "embeddings")
                );
                // a failed model call has no usage: counted as a failed request
                if !(input_num.is_present() || output_num.is_present() || failed && inference) {
                    continue;
                }
                if matches!(
                    g.operation.as_deref(),
                    Some("invoke_agent" | "create_agent" | "execute_tool")
                ) {
                    continue;
                }
                let input = tok(input_num, "gen_ai.usage.input_tokens").map_err(at)?;
                let output = tok(output_num, "gen_ai.usage.output_tokens").map_err(at)?;
                let read = tok(g.cache_read, "gen_ai.usage.cache_read.input_tokens").map_err(at)?;
                let write = tok(g.cache_creation, "gen_ai.usage.cache_creation.input_tokens")
                    .map_err(at)?;
                // the conventions say input includes cache reads and writes; an instrumentation
                // that passes Anthropic's `input_tokens` through gives less than their sum, and
                // then they are in addition
                let uncached = if read + write <= input {
                    input - read - write
                } else {
                    input
                };
                let mut rec = Record {
                    format: Some(Format::Otel),
                    usage: Usage {
                        input: uncached,
                        cached_input: read,
                        cache_write_5m: write,
                        output,
                        ..Usage::default()
                    },
                    model: g.response_model.take().or(g.request_model.take()),
                    session: g.conversation.take(),
                    user: g.user.take().or_else(|| res.user.clone()),
                    project: g.service.take().or_else(|| res.service.clone()),
                    ..Record::default()
                };
                match otlp_time(&span.start_time_unix_nano, &span.end_time_unix_nano) {
                    TimeVal::Unix(t) => rec.time = Some(t),
                    TimeVal::Bad => {
                        return Err(at(Skip::new(
                            "invalid timestamp",
                            "startTimeUnixNano is not a valid time",
                        )));
                    }
                    TimeVal::Absent => {
                        return Err(at(Skip::new("missing timestamp", "missing timestamp")));
                    }
                }
                if failed {
                    rec.error = Some(
                        g.error_type
                            .as_deref()
                            .map_or(ErrKind::Other, ErrKind::classify),
                    );
                }
                if let (Some(t), Some(s)) = (span.trace_id.get(), span.span_id.get()) {
                    rec.dedupe = Some(id_hash(&["otel", t, s]));
                } else if let Some(id) = g.response_id.as_deref() {
                    rec.dedupe = Some(id_hash(&["otel-response", id]));
                }
                out.push(rec);
            }
        }
    }
    Ok(out)
}

pub(super) fn normalize(mut raw: RawLine<'_>) -> Result<Parsed<'_>, Skip> {
    let mut r = Record::default();
    let time = raw
        .timestamp
        .or(raw.created)
        .or(raw.created_at)
        .or(raw.start_time)
        .or(raw.create_time);
    let mut error = raw
        .error
        .0
        .or_else(|| raw.error_str.get().map(ErrKind::classify))
        .or_else(|| status_error(raw.status.get()))
        .or_else(|| match raw.status_code {
            Num::Ok(c) => u16::try_from(c).ok().and_then(ErrKind::from_status),
            _ => None,
        });
    let mut cost = raw
        .cost_usd
        .or(raw.cost_usd_camel)
        .or(raw.response_cost)
        .or(raw.spend);
    let cost_field = match (raw.cost_usd, raw.cost_usd_camel, raw.response_cost) {
        (CostVal::Bad, _, _) => "cost_usd",
        (_, CostVal::Bad, _) => "costUSD",
        (_, _, CostVal::Bad) => "response_cost",
        _ => "spend",
    };
    r.model = raw.model.take();
    r.user = raw.user_id.take().or_else(|| raw.user.take());
    r.feature = raw.feature.take();
    r.project = raw.project.take();
    r.session = raw
        .session_id_camel
        .take()
        .or_else(|| raw.session_id.take());
    let mut time = time;
    // a record completed from its file's earlier lines (Codex, Gemini CLI)
    let mut contextual = false;
    let mut turn: Option<CodexTurn> = None;

    if let Some(rs) = raw.resource_spans.0.as_deref() {
        // OpenTelemetry: an OTLP/JSON trace export, many spans to a line
        let records = otlp_records(rs)?;
        return Ok(if records.is_empty() {
            Parsed::Ignored
        } else {
            Parsed::Many(records)
        });
    }
    if let Some(p) = raw.payload.0.as_mut().filter(|_| {
        matches!(
            raw.kind.get(),
            Some("session_meta" | "turn_context" | "event_msg" | "response_item" | "compacted")
        )
    }) {
        // an OpenAI Codex CLI rollout line
        match (raw.kind.get(), p.kind.get()) {
            (Some("session_meta"), _) => {
                return Ok(Parsed::Context(FileContext {
                    model: p.model.take(),
                    session: p.id.take(),
                    project: p.cwd.take(),
                }));
            }
            (Some("turn_context"), _) => {
                return Ok(Parsed::Context(FileContext {
                    model: p.model.take(),
                    session: None,
                    project: p.cwd.take(),
                }));
            }
            (Some("event_msg"), Some("token_count")) => {
                // `info` is null when the event carries only rate limits
                let Some(info) = p.info.0.as_mut() else {
                    return Ok(Parsed::Ignored);
                };
                let last = match info.last_token_usage.0.as_deref() {
                    Some(u) => Some(codex_usage(u, true)?),
                    None => None,
                };
                let total = match info.total_token_usage.0.as_deref() {
                    Some(u) => Some(codex_usage(u, false)?),
                    None => None,
                };
                if last.is_none() && total.is_none() {
                    return Ok(Parsed::Ignored);
                }
                r.format = Some(Format::Codex);
                r.model = info.model.take().or(r.model.take());
                turn = Some(CodexTurn { last, total });
                contextual = true;
                r.error = error;
            }
            _ => return Ok(Parsed::Ignored),
        }
    } else if raw.kind.get() == Some("gemini") {
        // a Gemini CLI chat recording message (no tokens yet: a later copy carries them)
        let Some(g) = raw.tokens.0.as_deref() else {
            return Ok(Parsed::Ignored);
        };
        let (usage, reasoning) = gemini_split(g)?;
        r.format = Some(Format::GeminiCli);
        r.usage = usage;
        r.reasoning = reasoning;
        // the same message is written again as it is updated (tool calls); its id is kept
        if let Some(id) = raw.id.get() {
            r.dedupe = Some(id_hash(&["gemini-cli", id]));
        }
        contextual = true;
        r.error = error;
    } else if raw.set.is_some() || raw.rewind_to.is_some() {
        // Gemini CLI session updates; a rewind does not undo what was billed
        return Ok(Parsed::Ignored);
    } else if raw.project_hash.get().is_some()
        && raw.usage.0.is_none()
        && raw.usage_metadata.0.is_none()
    {
        // a Gemini CLI session's first line
        return Ok(Parsed::Context(FileContext {
            model: None,
            session: r.session.take(),
            project: None,
        }));
    } else if let Some(resp) = raw
        .response
        .0
        .as_mut()
        .filter(|_| raw.custom_id.get().is_some())
    {
        // OpenAI Batch API output line
        r.format = Some(Format::OpenaiBatch);
        r.batch = true;
        let code_err = match resp.status_code {
            Num::Ok(c) => u16::try_from(c).ok().and_then(ErrKind::from_status),
            _ => None,
        };
        if let Some(body) = resp.body.0.as_mut() {
            r.model = body.model.take().or(r.model);
            time = time.or(body.created).or(body.created_at);
            if let Some(id) = body.id.get() {
                r.dedupe = Some(id_hash(&["openai", id]));
            }
            error = error.or(body.error.0);
            if let Some(u) = &body.usage.0 {
                let (usage, reasoning, _) = openai_usage(u)?;
                r.usage = usage;
                r.reasoning = reasoning;
            }
        }
        r.error = error.or(code_err);
        if r.error.is_none() && resp.body.0.as_ref().is_none_or(|b| b.usage.0.is_none()) {
            return Err(Skip::new(
                "no token usage",
                "batch line without usage or error",
            ));
        }
    } else if let Some(res) = raw
        .result
        .0
        .as_mut()
        .filter(|_| raw.custom_id.get().is_some())
    {
        // Anthropic Message Batches result line
        r.format = Some(Format::AnthropicBatch);
        r.batch = true;
        match res.kind.get() {
            Some("succeeded") => {
                let Some(msg) = res.message.0.as_mut() else {
                    return Err(Skip::new(
                        "no token usage",
                        "succeeded batch result without a message",
                    ));
                };
                let Some(u) = &msg.usage.0 else {
                    return Err(Skip::new(
                        "no token usage",
                        "batch result message without usage",
                    ));
                };
                r.usage = anthropic_usage(u)?;
                r.model = msg.model.take().or(r.model);
                if let Some(id) = msg.id.get() {
                    r.dedupe = Some(id_hash(&["anthropic", id]));
                }
                r.error = error;
            }
            Some("errored") => r.error = Some(res.error.0.or(error).unwrap_or(ErrKind::Other)),
            // not processed within the batch's 24 hours: not billed, counted as a timeout
            Some("expired") => r.error = Some(ErrKind::Timeout),
            // cancelled by the user before processing: not billed, not a failure
            Some("canceled") => return Ok(Parsed::Ignored),
            _ => {
                return Err(Skip::new(
                    "no token usage",
                    "batch result is not succeeded, errored, expired or canceled",
                ));
            }
        }
    } else if raw.response.0.is_none() && raw.custom_id.get().is_some() && error.is_some() {
        // a failed batch line: `"response": null, "error": {...}`
        r.format = Some(Format::OpenaiBatch);
        r.batch = true;
        r.error = error;
    } else if let Some(inp) = raw.input.0.as_ref().filter(|i| {
        i.input_token_count.is_present()
            && (raw.schema_type.get() == Some("ModelInvocationLog") || raw.model_id.get().is_some())
    }) {
        // AWS Bedrock model invocation log record: cache reads and writes are in addition to
        // inputTokenCount, as in the Converse API's usage
        r.format = Some(Format::Bedrock);
        let input = tok(inp.input_token_count, "input.inputTokenCount")?;
        let read = tok(
            inp.cache_read_input_token_count,
            "input.cacheReadInputTokenCount",
        )?;
        let write = tok(
            inp.cache_write_input_token_count,
            "input.cacheWriteInputTokenCount",
        )?;
        let output = match &raw.output.0 {
            Some(o) => tok(o.output_token_count, "output.outputTokenCount")?,
            None => 0,
        };
        r.usage = Usage {
            input,
            cached_input: read,
            cache_write_5m: write,
            output,
            ..Usage::default()
        };
        r.model = raw.model_id.take().or(r.model);
        if r.user.is_none() {
            r.user = raw.identity.0.as_mut().and_then(|i| i.arn.take());
        }
        if let Some(id) = raw.request_id_camel.get() {
            r.dedupe = Some(id_hash(&["bedrock", id]));
        }
        r.error = error;
    } else if let Some(b) = raw
        .usage
        .0
        .as_ref()
        .and_then(|u| u.billed_units.0.as_deref())
        .or_else(|| {
            raw.meta
                .0
                .as_ref()
                .and_then(|m| m.billed_units.0.as_deref())
        })
    {
        // Cohere chat response: what was billed (v2 `usage.billed_units`, v1 `meta.…`)
        r.format = Some(Format::Cohere);
        r.usage = Usage {
            input: tok(b.input_tokens, "billed_units.input_tokens")?,
            output: tok(b.output_tokens, "billed_units.output_tokens")?,
            ..Usage::default()
        };
        if let Some(id) = raw.id.get() {
            r.dedupe = Some(id_hash(&["cohere", id]));
        }
        r.error = error;
    } else if let Some(g) = &raw.usage_metadata.0 {
        let (usage, reasoning) = gemini_split(g)?;
        r.usage = usage;
        r.reasoning = reasoning;
        if g.is_summary() {
            // a Qwen Code chat record: Gemini CLI's `TokensSummary` under `usageMetadata`. Its
            // OpenAI-compatible providers' `completion_tokens` (reasoning included) become
            // `output` and their `reasoning_tokens` `thoughts`, so thoughts are part of output
            // there; only Gemini models (Gemini's convention) add them
            r.format = Some(Format::QwenCode);
            r.project = r.project.take().or_else(|| raw.cwd.take());
            if !r.model.as_deref().is_some_and(|m| m.starts_with("gemini")) {
                r.usage.output -= reasoning;
                r.reasoning = reasoning.min(r.usage.output);
            }
            if let Some(id) = raw.uuid.get() {
                r.dedupe = Some(id_hash(&["qwen-code", id]));
            }
        } else {
            r.format = Some(Format::Gemini);
            r.model = raw.model_version.take().or(r.model);
            if let Some(id) = raw.response_id.get() {
                r.dedupe = Some(id_hash(&["gemini", id]));
            }
        }
        r.error = error;
    } else if let Some(entry) = raw
        .data
        .0
        .as_mut()
        .and_then(|d| d.message.0.as_mut())
        .filter(|e| {
            raw.kind.get() == Some("progress")
                && e.message.0.as_ref().is_some_and(|m| m.usage.0.is_some())
        })
    {
        // a subagent's message nested in a Claude Code `progress` line
        let Some(msg) = entry.message.0.as_mut() else {
            return Ok(Parsed::Ignored);
        };
        if !claude_message(
            &mut r,
            msg,
            entry.request_id.get(),
            entry.is_sidechain,
            true,
        )? {
            return Ok(Parsed::Ignored);
        }
        time = entry.timestamp.or(time);
        cost = entry.cost_usd.or(cost);
        r.error = error;
    } else if let Some(msg) = raw.message.0.as_mut() {
        // Claude Code transcript entry
        if msg.usage.0.is_none() {
            return Ok(Parsed::Ignored);
        }
        if !claude_message(
            &mut r,
            msg,
            raw.request_id_camel.get(),
            raw.is_sidechain,
            false,
        )? {
            return Ok(Parsed::Ignored);
        }
        r.error = error;
    } else if let Some(u) = raw
        .usage
        .0
        .as_ref()
        .filter(|u| u.input_tokens_camel.is_present() || u.output_tokens_camel.is_present())
    {
        // AWS Bedrock Converse response (`TokenUsage`)
        r.format = Some(Format::Bedrock);
        let input = tok(u.input_tokens_camel, "usage.inputTokens")?;
        let output = tok(u.output_tokens_camel, "usage.outputTokens")?;
        tok(u.total_tokens_camel, "usage.totalTokens")?;
        r.usage = Usage {
            input,
            cached_input: tok(u.cache_read_camel, "usage.cacheReadInputTokens")?,
            cache_write_5m: tok(u.cache_write_camel, "usage.cacheWriteInputTokens")?,
            output,
            ..Usage::default()
        };
        r.model = r.model.or_else(|| raw.model_id.take());
        r.error = error;
    } else if let Some(u) = &raw.usage.0 {
        let openai = u.prompt_tokens.is_present()
            || u.completion_tokens.is_present()
            || u.input_tokens_details.0.is_some()
            || u.output_tokens_details.0.is_some()
            || raw.object.get() == Some("response");
        if openai && !is_anthropic_usage(u) {
            let (usage, reasoning, format) = openai_usage(u)?;
            r.format = Some(format);
            r.usage = usage;
            r.reasoning = reasoning;
            if let Some(id) = raw.id.get() {
                r.dedupe = Some(id_hash(&["openai", id]));
            }
            match u.cost {
                // OpenRouter's own bill for the call
                CostVal::Ok(_) => {
                    r.format = Some(Format::Openrouter);
                    cost = cost.or(u.cost);
                }
                CostVal::Bad => return Err(bad_cost("usage.cost")),
                CostVal::Absent => {}
            }
        } else if u.input_tokens.is_present() || u.output_tokens.is_present() {
            r.format = Some(Format::Anthropic);
            r.usage = anthropic_usage(u)?;
            if let Some(id) = raw.id.get() {
                r.dedupe = Some(id_hash(&["anthropic", id]));
            }
        } else {
            return Err(Skip::new(
                "no token usage",
                "usage object without token counts",
            ));
        }
        r.error = error;
    } else if raw.prompt_tokens.is_present()
        || raw.completion_tokens.is_present()
        || raw.input_tokens.is_present()
        || raw.output_tokens.is_present()
        || raw.total_tokens.is_present()
    {
        let meta = raw.metadata.0.as_mut();
        let litellm = meta.as_ref().is_some_and(|m| {
            m.user_api_key_user_id.get().is_some()
                || m.user_api_key_alias.get().is_some()
                || m.user_api_key_team_alias.get().is_some()
                || m.user_api_key_team_id.get().is_some()
        }) || !matches!(raw.response_cost, CostVal::Absent)
            || !matches!(raw.spend, CostVal::Absent)
            || raw.call_type.get().is_some()
            || !matches!(raw.start_time, TimeVal::Absent);
        let prompt = if raw.prompt_tokens.is_present() {
            tok(raw.prompt_tokens, "prompt_tokens")?
        } else {
            tok(raw.input_tokens, "input_tokens")?
        };
        let completion = if raw.completion_tokens.is_present() {
            tok(raw.completion_tokens, "completion_tokens")?
        } else {
            tok(raw.output_tokens, "output_tokens")?
        };
        let total = tok(raw.total_tokens, "total_tokens")?;
        let cached = tok(raw.cached_tokens, "cached_tokens")?;
        let reasoning = tok(raw.reasoning_tokens, "reasoning_tokens")?;
        let (prompt, completion) = if prompt == 0 && completion == 0 && total > 0 {
            // only a total: counted as input (the split is unknown)
            (total, 0)
        } else {
            (prompt, completion)
        };
        if cached > prompt {
            return Err(Skip::new(
                "bad token count",
                format!("cached_tokens ({cached}) larger than the prompt ({prompt})"),
            ));
        }
        r.usage = Usage {
            input: prompt - cached,
            cached_input: cached,
            output: completion,
            ..Usage::default()
        };
        r.reasoning = reasoning.min(completion);
        if litellm {
            r.format = Some(Format::Litellm);
            let end_user = raw.end_user.take();
            if let Some(m) = meta {
                r.user = end_user
                    .or_else(|| m.user_api_key_end_user_id.take())
                    .or(r.user)
                    .or_else(|| m.user_api_key_user_id.take());
                r.feature = r.feature.or_else(|| m.user_api_key_alias.take());
                r.project = r
                    .project
                    .or_else(|| m.user_api_key_team_alias.take())
                    .or_else(|| m.user_api_key_team_id.take());
            } else {
                r.user = end_user.or(r.user);
            }
            let rid = raw.request_id.get().or(raw.id.get());
            if let Some(id) = rid {
                r.dedupe = Some(id_hash(&["litellm", id]));
            }
        } else {
            r.format = Some(Format::App);
        }
        r.error = error;
    } else if raw.session_id_camel.get().is_some()
        || r.session.is_some()
        || matches!(
            raw.kind.get(),
            Some(
                "user"
                    | "summary"
                    | "system"
                    | "assistant"
                    | "progress"
                    | "file-history-snapshot"
                    | "info"
                    | "warning"
                    | "error"
            )
        )
    {
        return Ok(Parsed::Ignored);
    } else if raw.custom_id.get().is_some() || raw.response.0.is_some() {
        return Err(Skip::new("no token usage", "no token usage fields"));
    } else {
        r.error = error;
        r.format = None;
    }
    match time {
        TimeVal::Unix(t) => r.time = Some(t),
        TimeVal::Bad => {
            return Err(Skip::new(
                "invalid timestamp",
                "timestamp is not a valid time",
            ));
        }
        TimeVal::Absent => {}
    }
    if let CostVal::Bad = cost {
        return Err(bad_cost(cost_field));
    }
    if let CostVal::Ok(c) = cost {
        r.cost = Some(c);
    }
    if contextual {
        return Ok(Parsed::Contextual(r, turn));
    }
    Ok(Parsed::Record(r))
}

pub(super) fn apply_overrides<'a>(
    parsed: Parsed<'a>,
    o: &FieldOverrides,
    doc: &Value,
) -> Result<Parsed<'a>, Skip> {
    let mut r = match parsed {
        Parsed::Record(r) | Parsed::Contextual(r, _) => r,
        _ => Record::default(),
    };
    let text = |p: &Option<String>| -> Option<Cow<'a, str>> {
        p.as_deref()
            .and_then(|p| lookup_path(doc, p))
            .and_then(value_text)
            .map(Cow::Owned)
    };
    if let Some(v) = text(&o.user) {
        r.user = Some(v);
    }
    if let Some(v) = text(&o.feature) {
        r.feature = Some(v);
    }
    if let Some(v) = text(&o.model) {
        r.model = Some(v);
    }
    if let Some(v) = text(&o.session) {
        r.session = Some(v);
    }
    if let Some(v) = text(&o.project) {
        r.project = Some(v);
    }
    if let Some(id) = text(&o.id) {
        r.dedupe = Some(id_hash(&["field", &id]));
    }
    if let Some(p) = &o.time
        && let Some(v) = lookup_path(doc, p)
    {
        match TimeVal::from_value(v) {
            TimeVal::Unix(t) => r.time = Some(t),
            TimeVal::Bad => {
                return Err(Skip::new(
                    "invalid timestamp",
                    format!("{p} is not a valid time"),
                ));
            }
            TimeVal::Absent => {}
        }
    }
    let num = |p: &Option<String>| -> Result<Option<u64>, Skip> {
        let Some(p) = p else { return Ok(None) };
        let Some(v) = lookup_path(doc, p) else {
            return Ok(None);
        };
        match Num::from_value(v) {
            Num::Absent => Ok(None),
            Num::Ok(n) => Ok(Some(n)),
            Num::Bad(why) => Err(Skip::new(
                "bad token count",
                format!("token count {p} is {why}"),
            )),
        }
    };
    let input = num(&o.input)?;
    let output = num(&o.output)?;
    let cached = num(&o.cached)?;
    if input.is_some() || output.is_some() || cached.is_some() {
        // overridden counts use OpenAI semantics: cached is part of input
        let prompt = input.unwrap_or(r.usage.input + r.usage.cached_input);
        let cached = cached.unwrap_or(0);
        if cached > prompt {
            return Err(Skip::new(
                "bad token count",
                format!("cached ({cached}) larger than input ({prompt})"),
            ));
        }
        r.usage.input = prompt - cached;
        r.usage.cached_input = cached;
        if input.is_some() {
            r.usage.cache_write_5m = 0;
            r.usage.cache_write_1h = 0;
        }
        if let Some(out) = output {
            r.usage.output = out;
            r.reasoning = r.reasoning.min(out);
        }
        if r.format.is_none() {
            r.format = Some(Format::Custom);
        }
    }
    if let Some(p) = &o.cost
        && let Some(v) = lookup_path(doc, p)
    {
        match CostVal::from_value(v) {
            CostVal::Ok(c) => r.cost = Some(c),
            CostVal::Bad => return Err(bad_cost(p)),
            CostVal::Absent => {}
        }
    }
    if r.format.is_none() {
        return Err(Skip::new("no token usage", "no token usage fields"));
    }
    Ok(Parsed::Record(r))
}
