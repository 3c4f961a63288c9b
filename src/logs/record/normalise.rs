//! Raw line → [`Record`]: which format a line is, and its usage in the one normalised split
//! (input excluding cached, cache reads, cache writes by duration, output including reasoning).

use std::borrow::Cow;

use serde_json::Value;

use super::fields::{FieldOverrides, lookup_path, value_text};
use super::formats::{RawLine, RawMessage, RawUsage};
use super::types::{ClaudeCopy, ErrKind, Format, Parsed, Record, Skip, id_hash};
use super::values::{CostVal, Num, TimeVal, bad_cost, status_error, tok};
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

    if let Some(resp) = raw
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
        r.format = Some(Format::Gemini);
        let prompt = tok(g.prompt_token_count, "usageMetadata.promptTokenCount")?;
        let cached = tok(
            g.cached_content_token_count,
            "usageMetadata.cachedContentTokenCount",
        )?;
        let tool = tok(
            g.tool_use_prompt_token_count,
            "usageMetadata.toolUsePromptTokenCount",
        )?;
        let cand = tok(
            g.candidates_token_count,
            "usageMetadata.candidatesTokenCount",
        )?;
        let thoughts = tok(g.thoughts_token_count, "usageMetadata.thoughtsTokenCount")?;
        tok(g.total_token_count, "usageMetadata.totalTokenCount")?;
        if cached > prompt {
            return Err(Skip::new(
                "bad token count",
                format!(
                    "cachedContentTokenCount ({cached}) larger than promptTokenCount ({prompt})"
                ),
            ));
        }
        r.usage = Usage {
            input: prompt - cached + tool,
            cached_input: cached,
            output: cand + thoughts,
            ..Usage::default()
        };
        r.reasoning = thoughts;
        r.model = raw.model_version.take().or(r.model);
        if let Some(id) = raw.response_id.get() {
            r.dedupe = Some(id_hash(&["gemini", id]));
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
                "user" | "summary" | "system" | "assistant" | "progress" | "file-history-snapshot"
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
    Ok(Parsed::Record(r))
}

pub(super) fn apply_overrides<'a>(
    parsed: Parsed<'a>,
    o: &FieldOverrides,
    doc: &Value,
) -> Result<Parsed<'a>, Skip> {
    let mut r = match parsed {
        Parsed::Record(r) => r,
        Parsed::Ignored => Record::default(),
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
