//! The raw shapes of the recognised formats: [`RawLine`] names only the fields any format
//! uses (everything else, prompt and response text included, is skipped by the parser without
//! being copied), with borrowed strings.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::values::{CostVal, ErrorVal, List, Num, Obj, Text, TimeVal};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Details {
    pub(super) cached_tokens: Num,
    pub(super) reasoning_tokens: Num,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CacheCreation {
    pub(super) ephemeral_5m_input_tokens: Num,
    pub(super) ephemeral_1h_input_tokens: Num,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawUsage {
    pub(super) prompt_tokens: Num,
    pub(super) completion_tokens: Num,
    pub(super) total_tokens: Num,
    pub(super) prompt_tokens_details: Obj<Details>,
    pub(super) completion_tokens_details: Obj<Details>,
    pub(super) input_tokens: Num,
    pub(super) output_tokens: Num,
    pub(super) input_tokens_details: Obj<Details>,
    pub(super) output_tokens_details: Obj<Details>,
    pub(super) cache_creation_input_tokens: Num,
    pub(super) cache_read_input_tokens: Num,
    pub(super) cache_creation: Obj<CacheCreation>,
    /// Mistral's older spelling of the cached part of `prompt_tokens`.
    pub(super) num_cached_tokens: Num,
    /// OpenRouter: what the call cost, in USD (its own bill).
    pub(super) cost: CostVal,
    /// AWS Bedrock Converse (`TokenUsage`): cache reads and writes are in addition to
    /// `inputTokens`, as in Anthropic's API.
    #[serde(rename = "inputTokens")]
    pub(super) input_tokens_camel: Num,
    #[serde(rename = "outputTokens")]
    pub(super) output_tokens_camel: Num,
    #[serde(rename = "totalTokens")]
    pub(super) total_tokens_camel: Num,
    #[serde(rename = "cacheReadInputTokens")]
    pub(super) cache_read_camel: Num,
    #[serde(rename = "cacheWriteInputTokens")]
    pub(super) cache_write_camel: Num,
    /// Cohere v2: the tokens billed (`usage.tokens` counts tokens processed, not billed).
    pub(super) billed_units: Obj<BilledUnits>,
}

/// Cohere's `billed_units` (v2 `usage.billed_units`, v1 `meta.billed_units`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BilledUnits {
    pub(super) input_tokens: Num,
    pub(super) output_tokens: Num,
}

/// Cohere v1 `meta`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CohereMeta {
    pub(super) billed_units: Obj<BilledUnits>,
}

/// An Anthropic Message Batches result line's `result`: `succeeded` with the message,
/// `errored` with an error, or `canceled` / `expired`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AnthropicBatchResult<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: Text<'a>,
    #[serde(borrow)]
    pub(super) message: Obj<RawMessage<'a>>,
    pub(super) error: ErrorVal,
}

/// AWS Bedrock model invocation log: `input` (token counts beside the logged body).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct BedrockLogInput {
    pub(super) input_token_count: Num,
    pub(super) cache_read_input_token_count: Num,
    pub(super) cache_write_input_token_count: Num,
}

/// AWS Bedrock model invocation log: `output`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct BedrockLogOutput {
    pub(super) output_token_count: Num,
}

/// AWS Bedrock model invocation log: `identity` (the caller).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BedrockIdentity<'a> {
    #[serde(borrow)]
    pub(super) arn: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct GeminiUsage {
    pub(super) prompt_token_count: Num,
    pub(super) candidates_token_count: Num,
    pub(super) cached_content_token_count: Num,
    pub(super) thoughts_token_count: Num,
    pub(super) tool_use_prompt_token_count: Num,
    pub(super) total_token_count: Num,
    /// Gemini CLI's and Qwen Code's `TokensSummary` (the same counts, renamed): `input` is
    /// `promptTokenCount`, `output` `candidatesTokenCount`, `cached` `cachedContentTokenCount`,
    /// `thoughts` `thoughtsTokenCount`, `tool` `toolUsePromptTokenCount`.
    #[serde(rename = "input")]
    pub(super) summary_input: Num,
    #[serde(rename = "output")]
    pub(super) summary_output: Num,
    #[serde(rename = "cached")]
    pub(super) summary_cached: Num,
    #[serde(rename = "thoughts")]
    pub(super) summary_thoughts: Num,
    #[serde(rename = "tool")]
    pub(super) summary_tool: Num,
    #[serde(rename = "total")]
    pub(super) summary_total: Num,
}

impl GeminiUsage {
    /// A `TokensSummary` (Gemini CLI, Qwen Code) rather than an API `usageMetadata`.
    pub(super) fn is_summary(&self) -> bool {
        !self.prompt_token_count.is_present()
            && !self.candidates_token_count.is_present()
            && (self.summary_input.is_present() || self.summary_output.is_present())
    }
}

/// A Codex CLI `TokenUsage` (`codex-rs` protocol).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CodexRawUsage {
    pub(super) input_tokens: Num,
    pub(super) cached_input_tokens: Num,
    pub(super) output_tokens: Num,
    pub(super) reasoning_output_tokens: Num,
    pub(super) total_tokens: Num,
}

/// A Codex `token_count` event's `info` (`TokenUsageInfo`; null when the event only carries
/// rate limits).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CodexInfo<'a> {
    pub(super) last_token_usage: Obj<CodexRawUsage>,
    pub(super) total_token_usage: Obj<CodexRawUsage>,
    #[serde(borrow)]
    pub(super) model: Text<'a>,
}

/// A Codex rollout line's `payload`: the fields of `session_meta` (`id`, `cwd`),
/// `turn_context` (`model`, `cwd`) and `event_msg` of type `token_count` (`info`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CodexPayload<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: Text<'a>,
    #[serde(borrow)]
    pub(super) id: Text<'a>,
    #[serde(borrow)]
    pub(super) model: Text<'a>,
    #[serde(borrow)]
    pub(super) cwd: Text<'a>,
    #[serde(borrow)]
    pub(super) info: Obj<CodexInfo<'a>>,
}

/// An OTLP `KeyValue`: the value is kept unparsed (prompt text may be in it) until its key is
/// one that is read.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OtlpAttr<'a> {
    #[serde(borrow)]
    pub(super) key: Text<'a>,
    #[serde(borrow)]
    pub(super) value: Option<&'a RawValue>,
}

/// An OTLP `AnyValue` of the kinds read (OTLP/JSON writes an int64 as a decimal string).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct OtlpValue<'a> {
    #[serde(borrow)]
    pub(super) string_value: Text<'a>,
    #[serde(borrow)]
    pub(super) int_value: Text<'a>,
    pub(super) double_value: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OtlpStatus<'a> {
    /// `2` (or `"STATUS_CODE_ERROR"`) is an error.
    #[serde(borrow)]
    pub(super) code: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct OtlpSpan<'a> {
    #[serde(borrow)]
    pub(super) trace_id: Text<'a>,
    #[serde(borrow)]
    pub(super) span_id: Text<'a>,
    #[serde(borrow)]
    pub(super) start_time_unix_nano: Text<'a>,
    #[serde(borrow)]
    pub(super) end_time_unix_nano: Text<'a>,
    #[serde(borrow)]
    pub(super) attributes: List<OtlpAttr<'a>>,
    #[serde(borrow)]
    pub(super) status: Obj<OtlpStatus<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OtlpScopeSpans<'a> {
    #[serde(borrow)]
    pub(super) spans: List<OtlpSpan<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OtlpResource<'a> {
    #[serde(borrow)]
    pub(super) attributes: List<OtlpAttr<'a>>,
}

/// One `ResourceSpans` of an OTLP `ExportTraceServiceRequest`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct OtlpResourceSpans<'a> {
    #[serde(borrow)]
    pub(super) resource: Obj<OtlpResource<'a>>,
    #[serde(borrow)]
    pub(super) scope_spans: List<OtlpScopeSpans<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawMessage<'a> {
    #[serde(borrow)]
    pub(super) id: Text<'a>,
    #[serde(borrow)]
    pub(super) model: Text<'a>,
    pub(super) usage: Obj<RawUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BatchBody<'a> {
    #[serde(borrow)]
    pub(super) id: Text<'a>,
    #[serde(borrow)]
    pub(super) object: Text<'a>,
    #[serde(borrow)]
    pub(super) model: Text<'a>,
    pub(super) created: TimeVal,
    pub(super) created_at: TimeVal,
    pub(super) usage: Obj<RawUsage>,
    pub(super) error: ErrorVal,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BatchResponse<'a> {
    pub(super) status_code: Num,
    #[serde(borrow)]
    pub(super) body: Obj<BatchBody<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LiteMeta<'a> {
    #[serde(borrow)]
    pub(super) user_api_key_user_id: Text<'a>,
    #[serde(borrow)]
    pub(super) user_api_key_end_user_id: Text<'a>,
    #[serde(borrow)]
    pub(super) user_api_key_alias: Text<'a>,
    #[serde(borrow)]
    pub(super) user_api_key_team_alias: Text<'a>,
    #[serde(borrow)]
    pub(super) user_api_key_team_id: Text<'a>,
}

/// The inner entry of a Claude Code `progress` line (a subagent's assistant message).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ProgressEntry<'a> {
    pub(super) timestamp: TimeVal,
    #[serde(borrow)]
    pub(super) message: Obj<RawMessage<'a>>,
    #[serde(rename = "costUSD")]
    pub(super) cost_usd: CostVal,
    #[serde(borrow, rename = "requestId")]
    pub(super) request_id: Text<'a>,
    #[serde(rename = "isSidechain")]
    pub(super) is_sidechain: Option<bool>,
}

/// `progress.data`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ProgressData<'a> {
    #[serde(borrow)]
    pub(super) message: Obj<ProgressEntry<'a>>,
}

/// The fields of one line that any recognised format uses.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawLine<'a> {
    #[serde(borrow)]
    pub(super) id: Text<'a>,
    #[serde(borrow)]
    pub(super) object: Text<'a>,
    #[serde(borrow, rename = "type")]
    pub(super) kind: Text<'a>,
    pub(super) timestamp: TimeVal,
    pub(super) created: TimeVal,
    pub(super) created_at: TimeVal,
    #[serde(rename = "startTime")]
    pub(super) start_time: TimeVal,
    #[serde(rename = "createTime")]
    pub(super) create_time: TimeVal,
    #[serde(borrow)]
    pub(super) user_id: Text<'a>,
    #[serde(borrow)]
    pub(super) user: Text<'a>,
    #[serde(borrow)]
    pub(super) end_user: Text<'a>,
    #[serde(borrow)]
    pub(super) feature: Text<'a>,
    #[serde(borrow)]
    pub(super) project: Text<'a>,
    #[serde(borrow)]
    pub(super) model: Text<'a>,
    #[serde(borrow, rename = "modelVersion")]
    pub(super) model_version: Text<'a>,
    #[serde(borrow, rename = "responseId")]
    pub(super) response_id: Text<'a>,
    #[serde(borrow, rename = "sessionId")]
    pub(super) session_id_camel: Text<'a>,
    #[serde(borrow)]
    pub(super) session_id: Text<'a>,
    #[serde(borrow, rename = "requestId")]
    pub(super) request_id_camel: Text<'a>,
    #[serde(borrow)]
    pub(super) request_id: Text<'a>,
    #[serde(borrow)]
    pub(super) call_type: Text<'a>,
    pub(super) prompt_tokens: Num,
    pub(super) completion_tokens: Num,
    pub(super) total_tokens: Num,
    pub(super) input_tokens: Num,
    pub(super) output_tokens: Num,
    pub(super) cached_tokens: Num,
    pub(super) reasoning_tokens: Num,
    pub(super) cost_usd: CostVal,
    #[serde(rename = "costUSD")]
    pub(super) cost_usd_camel: CostVal,
    pub(super) response_cost: CostVal,
    pub(super) spend: CostVal,
    #[serde(borrow)]
    pub(super) status: Text<'a>,
    pub(super) status_code: Num,
    pub(super) error: ErrorVal,
    #[serde(borrow)]
    pub(super) error_str: Text<'a>,
    pub(super) usage: Obj<RawUsage>,
    #[serde(rename = "usageMetadata")]
    pub(super) usage_metadata: Obj<GeminiUsage>,
    #[serde(borrow)]
    pub(super) message: Obj<RawMessage<'a>>,
    #[serde(borrow)]
    pub(super) data: Obj<ProgressData<'a>>,
    #[serde(rename = "isSidechain")]
    pub(super) is_sidechain: Option<bool>,
    #[serde(borrow)]
    pub(super) response: Obj<BatchResponse<'a>>,
    #[serde(borrow)]
    pub(super) custom_id: Text<'a>,
    #[serde(borrow)]
    pub(super) metadata: Obj<LiteMeta<'a>>,
    #[serde(borrow)]
    pub(super) result: Obj<AnthropicBatchResult<'a>>,
    #[serde(borrow, rename = "modelId")]
    pub(super) model_id: Text<'a>,
    #[serde(borrow, rename = "schemaType")]
    pub(super) schema_type: Text<'a>,
    pub(super) input: Obj<BedrockLogInput>,
    pub(super) output: Obj<BedrockLogOutput>,
    #[serde(borrow)]
    pub(super) identity: Obj<BedrockIdentity<'a>>,
    pub(super) meta: Obj<CohereMeta>,
    /// Codex CLI rollout lines: `{"timestamp", "type", "payload"}`.
    #[serde(borrow)]
    pub(super) payload: Obj<CodexPayload<'a>>,
    /// Gemini CLI: a `gemini` message's token counts; the session's first line has
    /// `projectHash`; `$set` and `$rewindTo` lines update the session.
    pub(super) tokens: Obj<GeminiUsage>,
    #[serde(borrow, rename = "projectHash")]
    pub(super) project_hash: Text<'a>,
    #[serde(rename = "$set")]
    pub(super) set: Option<IgnoredAny>,
    #[serde(rename = "$rewindTo")]
    pub(super) rewind_to: Option<IgnoredAny>,
    /// Qwen Code: each record's id, and the working directory (the project).
    #[serde(borrow)]
    pub(super) uuid: Text<'a>,
    #[serde(borrow)]
    pub(super) cwd: Text<'a>,
    /// OpenTelemetry: an OTLP/JSON `ExportTraceServiceRequest`.
    #[serde(borrow, rename = "resourceSpans")]
    pub(super) resource_spans: List<OtlpResourceSpans<'a>>,
}
