
use builtin;
use str;

set edit:completion:arg-completer[tokenbudget] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tokenbudget'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tokenbudget'= {
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand count 'Count tokens exactly as OpenAI''s tiktoken does'
            cand plan 'Split a context window across the parts of a request; trim history to fit'
            cand cost 'What a request or a workload costs, on one model or across models'
            cand models 'List the model catalog: context windows, max output, tokenizers and prices'
            cand check 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded'
            cand scan-logs 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
            cand merge 'Merge partial scan-logs summaries into one report, identical to a single scan of all files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tokenbudget;count'= {
            cand --text 'Count this text (repeatable)'
            cand -m 'Model whose tokenizer to use [default: the `model` a lone request file names, else $TOKENBUDGET_MODEL, else gpt-4o]'
            cand --model 'Model whose tokenizer to use [default: the `model` a lone request file names, else $TOKENBUDGET_MODEL, else gpt-4o]'
            cand -e 'Encoding to count with, overriding the model''s'
            cand --encoding 'Encoding to count with, overriding the model''s'
            cand --tokenizer 'Count with this tokenizer file instead of the model''s: a Hugging Face tokenizer.json, a tiktoken rank file (with --split) or a SentencePiece .model'
            cand --split 'How text is split before merging, for a tiktoken rank file given with --tokenizer: o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2''s rule)'
            cand --sort 'Order of the table rows'
            cand --max-tokens 'Exit 1 when any input has more tokens than this'
            cand --max-total 'Exit 1 when all inputs together have more tokens than this'
            cand --truncate 'Write the input cut to its first N tokens (never splitting a character)'
            cand --out 'With --truncate, write to this file (atomically) instead of stdout'
            cand --top 'How many of the largest JSONL lines to list'
            cand --field 'With --jsonl, count only this field of each line (`text`, `prompt`, nested `request.prompt`, array index `messages.0.content`); repeat it to count the sum of several fields (`--field prompt --field completion`). A line without the field is an error at that line'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --messages 'Read every input as chat JSON (messages array, OpenAI or Anthropic request body). Without it, JSON that has a chat shape is detected automatically'
            cand --jsonl 'Read every input as JSONL: each line a JSON string, a messages array, or a request (`messages` or Batch API `body.messages`); report per-line statistics'
            cand --json 'Print only JSON on stdout'
            cand -q 'Print only the total'
            cand --quiet 'Print only the total'
            cand -v 'Show the per-message breakdown of chat input'
            cand --verbose 'Show the per-message breakdown of chat input'
            cand --show-tokens 'Print each token (its text, escaped) instead of counts'
            cand --ids 'With --show-tokens, also print token ids'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;plan'= {
            cand --request 'A whole request: an OpenAI chat completions body, an Anthropic messages body or a Batch API request line (`-` for stdin). System messages → system, the latest user message → user, earlier turns → history, `tools` → tools, `max_completion_tokens`/`max_tokens` → the reserve'
            cand --system 'The system prompt (text)'
            cand --examples 'Few-shot examples: text (sent as one system message) or a messages JSON array'
            cand --rag 'Retrieved chunks (text), best first; each is sent as a system message before the user''s message. Repeatable'
            cand --history 'Chat history: a messages JSON file; or, with --fit, how much of it to keep: `auto` (as many recent messages as fit the history cap and the window; the default) or N (at most the last N messages). May be given twice (a file and a policy)'
            cand --user 'The user''s message (text; `-` for stdin). Without it, piped stdin is read'
            cand --tools 'Tool (function) definitions: a JSON array, or an object with `tools`'
            cand -m 'Model: its context window, max output and tokenizer [default: the request''s `model`, else $TOKENBUDGET_MODEL, else gpt-4o]'
            cand --model 'Model: its context window, max output and tokenizer [default: the request''s `model`, else $TOKENBUDGET_MODEL, else gpt-4o]'
            cand -e 'Encoding to count with, overriding the model''s (labelled approximate when it is not the model''s own)'
            cand --encoding 'Encoding to count with, overriding the model''s (labelled approximate when it is not the model''s own)'
            cand --tokenizer 'Count with this tokenizer file instead of the model''s: a Hugging Face tokenizer.json, a tiktoken rank file (with --split) or a SentencePiece .model. The model still gives the context window and the max output'
            cand --split 'How text is split before merging, for a tiktoken rank file given with --tokenizer: o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2''s rule)'
            cand --context-window 'Context window in tokens, overriding the model''s'
            cand --reserve-output 'Tokens reserved for the answer [default: the request''s max_completion_tokens or max_tokens, else 4096]. Must not exceed the model''s max output'
            cand --cap 'Cap a part: PART=TOKENS or PART=PERCENT% of the window (parts: system, examples, tools, rag, history, user). Repeatable'
            cand --keep-last 'With --fit, never drop the last N history messages'
            cand --out 'With --fit, write the fitted JSON to this file (atomically); stdout then gets the report'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --fit 'Trim until it fits: drop history messages oldest first, then retrieved chunks from the lowest rank; write the fitted request as JSON (stdout or --out) and what was dropped to stderr'
            cand --json 'Print only JSON on stdout (with --fit, requires --out)'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;cost'= {
            cand --text 'Use this text as the prompt'
            cand --input-tokens 'The whole prompt size in tokens, instead of a prompt to count (no tokenizer is loaded)'
            cand --output-tokens 'Expected output tokens per request'
            cand --max-tokens 'The request''s max_tokens: price the worst case, every allowed output token generated'
            cand --cached-tokens 'Tokens of the prompt read from the provider''s prompt cache (part of the input)'
            cand --cache-write-tokens 'Tokens of the prompt written to the cache (part of the input; Anthropic bills them above the input rate, see --cache-ttl)'
            cand --cached-ratio 'Share of the prompt served from the cache, from 0 to 1 (e.g. 0.8)'
            cand --cache-ttl 'Lifetime of cache writes: 5m or 1h (priced differently by Anthropic)'
            cand -m 'Model to price [default: $TOKENBUDGET_MODEL, else gpt-4o]'
            cand --model 'Model to price [default: $TOKENBUDGET_MODEL, else gpt-4o]'
            cand --compare 'Compare these models (comma-separated), cheapest first'
            cand -p 'Compare every model of these providers (comma-separated); models that cannot price the request (e.g. no batch prices) are skipped with a note'
            cand --provider 'Compare every model of these providers (comma-separated); models that cannot price the request (e.g. no batch prices) are skipped with a note'
            cand --requests 'Number of requests: per --per period, or in total without --per'
            cand --per 'The period --requests is counted over; per-day and per-month costs are shown'
            cand --days-per-month 'Days in a month, for per-day ↔ per-month'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --batch 'Use batch-API prices (an error for a model without them)'
            cand --all 'Compare every model in the catalog; models that cannot price the request are skipped with a note'
            cand --strict 'Exit 1 when a request exceeds a model''s max output or context window'
            cand --json 'Print only JSON on stdout'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;models'= {
            cand -p 'Show only these providers (comma-separated): openai, anthropic, gemini, mistral, deepseek, xai, or a provider from --prices'
            cand --provider 'Show only these providers (comma-separated): openai, anthropic, gemini, mistral, deepseek, xai, or a provider from --prices'
            cand --sort 'Sort by a price (cheapest first), the context window or max output (largest first), or name (by provider, then name). Models without the value come last'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --reverse 'Reverse the sort order'
            cand --json 'Print only JSON on stdout'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;check'= {
            cand -c 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write'
            cand --config 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write'
            cand --format 'Output format: a table, JSON, or GitHub Actions annotations (followed by the table)'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --json 'Print only JSON on stdout (same as --format json)'
            cand --hide-passed 'Leave passing budgets out of the output (the summary still counts them)'
            cand --init 'Write a starter tokenbudget.toml from the prompt-like files found here, each limit at the current count plus 20%, rounded up. Never overwrites an existing file'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;scan-logs'= {
            cand --by 'Group by user, feature, model, day, week, month, hour, session, project, format, or any other field (a dotted path); comma-separated or repeated to combine'
            cand --top 'Rows of each table and list [default: 10]. With --json, every group is listed unless --top is given'
            cand --since 'Only records at or after this time (2026-03-01, 2026-03-01T12:00, or RFC 3339)'
            cand --until 'Only records before this time (exclusive; must be after --since)'
            cand --tz 'Time zone for days, hours and printed times: UTC, a fixed offset such as +02:00, or an IANA zone such as Europe/Berlin (daylight saving time included)'
            cand --field 'Read a field from another place: NAME=PATH, with NAME one of user, feature, model, time, session, project, id, input, output, cached, cost and PATH a dotted path (metadata.customer). Repeatable'
            cand --window-share 'Outlier: a request whose prompt is above this share of its model''s context window (0.9 or 90%)'
            cand --max-tokens 'Outlier: a request of more than N tokens (prompt + output)'
            cand --spike-factor 'Spike: a day with more than FACTOR × the trailing average of tokens per day'
            cand --spike-days 'Days in the trailing average for spikes'
            cand --burst 'Burst: a user with at least N requests in any sliding window (N/DURATION), or `off`'
            cand --burst-tokens 'Burst: a user with at least N tokens in any sliding window (e.g. 1M/1h)'
            cand --loop-min 'Loop: at least N near-identical requests from one user back to back'
            cand --loop-gap 'Loop: at most this long between consecutive requests (30s, 2m, or seconds)'
            cand --loop-tolerance 'Loop: prompt sizes within this share of the run''s first request (2% or 0.02)'
            cand --fail-on 'Exit 1 when any outlier, spike, burst or loop was found'
            cand --threads 'Worker threads [default: all cores]'
            cand --emit-summary 'Also write a partial summary of this scan to FILE (`-`: to stdout, instead of the report), for `tokenbudget merge` to combine with other parts'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --strict 'Exit 2 when any line or file was skipped'
            cand --audit 'Compare the cost records log themselves (cost_usd, costUSD, response_cost, spend, usage.cost) with the catalog''s price of their tokens, per model; list those more than 1% apart. (The JSON always holds the comparison, as "audit".)'
            cand --blocks 'Also sum requests into 5-hour blocks (Claude''s usage windows, as ccusage counts them): a block starts at the hour (UTC) of its first request and lasts 5 hours'
            cand --json 'Print only JSON on stdout'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;merge'= {
            cand --fail-on 'Exit 1 when any outlier, spike, burst or loop was found'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --prices 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]'
            cand --strict 'Exit 2 when any line or file was skipped in any part'
            cand --json 'Print only JSON on stdout (the `scan-logs --json` document)'
            cand --audit 'List the models and groups whose logged cost is more than 1% from the catalog''s (as `scan-logs --audit`)'
            cand --no-progress 'Never draw progress bars'
            cand --exact 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;help'= {
            cand count 'Count tokens exactly as OpenAI''s tiktoken does'
            cand plan 'Split a context window across the parts of a request; trim history to fit'
            cand cost 'What a request or a workload costs, on one model or across models'
            cand models 'List the model catalog: context windows, max output, tokenizers and prices'
            cand check 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded'
            cand scan-logs 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
            cand merge 'Merge partial scan-logs summaries into one report, identical to a single scan of all files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tokenbudget;help;count'= {
        }
        &'tokenbudget;help;plan'= {
        }
        &'tokenbudget;help;cost'= {
        }
        &'tokenbudget;help;models'= {
        }
        &'tokenbudget;help;check'= {
        }
        &'tokenbudget;help;scan-logs'= {
        }
        &'tokenbudget;help;merge'= {
        }
        &'tokenbudget;help;help'= {
        }
    ]
    $completions[$command]
}
