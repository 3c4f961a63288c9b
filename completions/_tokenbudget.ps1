
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tokenbudget' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tokenbudget'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tokenbudget' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens exactly as OpenAI''s tiktoken does')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Split a context window across the parts of a request; trim history to fit')
            [CompletionResult]::new('cost', 'cost', [CompletionResultType]::ParameterValue, 'What a request or a workload costs, on one model or across models')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the model catalog: context windows, max output, tokenizers and prices')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded')
            [CompletionResult]::new('scan-logs', 'scan-logs', [CompletionResultType]::ParameterValue, 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge partial scan-logs summaries into one report, identical to a single scan of all files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenbudget;count' {
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Count this text (repeatable)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model whose tokenizer to use [default: the `model` a lone request file names, else $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model whose tokenizer to use [default: the `model` a lone request file names, else $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Encoding to count with, overriding the model''s')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding to count with, overriding the model''s')
            [CompletionResult]::new('--tokenizer', '--tokenizer', [CompletionResultType]::ParameterName, 'Count with this tokenizer file instead of the model''s: a Hugging Face tokenizer.json, a tiktoken rank file (with --split) or a SentencePiece .model')
            [CompletionResult]::new('--split', '--split', [CompletionResultType]::ParameterName, 'How text is split before merging, for a tiktoken rank file given with --tokenizer: o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2''s rule)')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Order of the table rows')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Exit 1 when any input has more tokens than this')
            [CompletionResult]::new('--max-total', '--max-total', [CompletionResultType]::ParameterName, 'Exit 1 when all inputs together have more tokens than this')
            [CompletionResult]::new('--truncate', '--truncate', [CompletionResultType]::ParameterName, 'Write the input cut to its first N tokens (never splitting a character)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'With --truncate, write to this file (atomically) instead of stdout')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'How many of the largest JSONL lines to list')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'With --jsonl, count only this field of each line (`text`, `prompt`, nested `request.prompt`, array index `messages.0.content`); repeat it to count the sum of several fields (`--field prompt --field completion`). A line without the field is an error at that line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Read every input as chat JSON (messages array, OpenAI or Anthropic request body). Without it, JSON that has a chat shape is detected automatically')
            [CompletionResult]::new('--jsonl', '--jsonl', [CompletionResultType]::ParameterName, 'Read every input as JSONL: each line a JSON string, a messages array, or a request (`messages` or Batch API `body.messages`); report per-line statistics')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the total')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the total')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the per-message breakdown of chat input')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the per-message breakdown of chat input')
            [CompletionResult]::new('--show-tokens', '--show-tokens', [CompletionResultType]::ParameterName, 'Print each token (its text, escaped) instead of counts')
            [CompletionResult]::new('--ids', '--ids', [CompletionResultType]::ParameterName, 'With --show-tokens, also print token ids')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;plan' {
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'A whole request: an OpenAI chat completions body, an Anthropic messages body or a Batch API request line (`-` for stdin). System messages → system, the latest user message → user, earlier turns → history, `tools` → tools, `max_completion_tokens`/`max_tokens` → the reserve')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The system prompt (text)')
            [CompletionResult]::new('--examples', '--examples', [CompletionResultType]::ParameterName, 'Few-shot examples: text (sent as one system message) or a messages JSON array')
            [CompletionResult]::new('--rag', '--rag', [CompletionResultType]::ParameterName, 'Retrieved chunks (text), best first; each is sent as a system message before the user''s message. Repeatable')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'Chat history: a messages JSON file; or, with --fit, how much of it to keep: `auto` (as many recent messages as fit the history cap and the window; the default) or N (at most the last N messages). May be given twice (a file and a policy)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user''s message (text; `-` for stdin). Without it, piped stdin is read')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Tool (function) definitions: a JSON array, or an object with `tools`')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model: its context window, max output and tokenizer [default: the request''s `model`, else $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: its context window, max output and tokenizer [default: the request''s `model`, else $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Encoding to count with, overriding the model''s (labelled approximate when it is not the model''s own)')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding to count with, overriding the model''s (labelled approximate when it is not the model''s own)')
            [CompletionResult]::new('--tokenizer', '--tokenizer', [CompletionResultType]::ParameterName, 'Count with this tokenizer file instead of the model''s: a Hugging Face tokenizer.json, a tiktoken rank file (with --split) or a SentencePiece .model. The model still gives the context window and the max output')
            [CompletionResult]::new('--split', '--split', [CompletionResultType]::ParameterName, 'How text is split before merging, for a tiktoken rank file given with --tokenizer: o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2''s rule)')
            [CompletionResult]::new('--context-window', '--context-window', [CompletionResultType]::ParameterName, 'Context window in tokens, overriding the model''s')
            [CompletionResult]::new('--reserve-output', '--reserve-output', [CompletionResultType]::ParameterName, 'Tokens reserved for the answer [default: the request''s max_completion_tokens or max_tokens, else 4096]. Must not exceed the model''s max output')
            [CompletionResult]::new('--cap', '--cap', [CompletionResultType]::ParameterName, 'Cap a part: PART=TOKENS or PART=PERCENT% of the window (parts: system, examples, tools, rag, history, user). Repeatable')
            [CompletionResult]::new('--keep-last', '--keep-last', [CompletionResultType]::ParameterName, 'With --fit, never drop the last N history messages')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'With --fit, write the fitted JSON to this file (atomically); stdout then gets the report')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--fit', '--fit', [CompletionResultType]::ParameterName, 'Trim until it fits: drop history messages oldest first, then retrieved chunks from the lowest rank; write the fitted request as JSON (stdout or --out) and what was dropped to stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout (with --fit, requires --out)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;cost' {
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Use this text as the prompt')
            [CompletionResult]::new('--input-tokens', '--input-tokens', [CompletionResultType]::ParameterName, 'The whole prompt size in tokens, instead of a prompt to count (no tokenizer is loaded)')
            [CompletionResult]::new('--output-tokens', '--output-tokens', [CompletionResultType]::ParameterName, 'Expected output tokens per request')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'The request''s max_tokens: price the worst case, every allowed output token generated')
            [CompletionResult]::new('--cached-tokens', '--cached-tokens', [CompletionResultType]::ParameterName, 'Tokens of the prompt read from the provider''s prompt cache (part of the input)')
            [CompletionResult]::new('--cache-write-tokens', '--cache-write-tokens', [CompletionResultType]::ParameterName, 'Tokens of the prompt written to the cache (part of the input; Anthropic bills them above the input rate, see --cache-ttl)')
            [CompletionResult]::new('--cached-ratio', '--cached-ratio', [CompletionResultType]::ParameterName, 'Share of the prompt served from the cache, from 0 to 1 (e.g. 0.8)')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'Lifetime of cache writes: 5m or 1h (priced differently by Anthropic)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model to price [default: $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model to price [default: $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('--compare', '--compare', [CompletionResultType]::ParameterName, 'Compare these models (comma-separated), cheapest first')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Compare every model of these providers (comma-separated); models that cannot price the request (e.g. no batch prices) are skipped with a note')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Compare every model of these providers (comma-separated); models that cannot price the request (e.g. no batch prices) are skipped with a note')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Number of requests: per --per period, or in total without --per')
            [CompletionResult]::new('--per', '--per', [CompletionResultType]::ParameterName, 'The period --requests is counted over; per-day and per-month costs are shown')
            [CompletionResult]::new('--days-per-month', '--days-per-month', [CompletionResultType]::ParameterName, 'Days in a month, for per-day ↔ per-month')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Use batch-API prices (an error for a model without them)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Compare every model in the catalog; models that cannot price the request are skipped with a note')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 when a request exceeds a model''s max output or context window')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;models' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Show only these providers (comma-separated): openai, anthropic, gemini, mistral, deepseek, xai, or a provider from --prices')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Show only these providers (comma-separated): openai, anthropic, gemini, mistral, deepseek, xai, or a provider from --prices')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sort by a price (cheapest first), the context window or max output (largest first), or name (by provider, then name). Models without the value come last')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse the sort order')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;check' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: a table, JSON, or GitHub Actions annotations (followed by the table)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout (same as --format json)')
            [CompletionResult]::new('--hide-passed', '--hide-passed', [CompletionResultType]::ParameterName, 'Leave passing budgets out of the output (the summary still counts them)')
            [CompletionResult]::new('--init', '--init', [CompletionResultType]::ParameterName, 'Write a starter tokenbudget.toml from the prompt-like files found here, each limit at the current count plus 20%, rounded up. Never overwrites an existing file')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;scan-logs' {
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Group by user, feature, model, day, week, month, hour, session, project, format, or any other field (a dotted path); comma-separated or repeated to combine')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Rows of each table and list [default: 10]. With --json, every group is listed unless --top is given')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records at or after this time (2026-03-01, 2026-03-01T12:00, or RFC 3339)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only records before this time (exclusive; must be after --since)')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone for days, hours and printed times: UTC, a fixed offset such as +02:00, or an IANA zone such as Europe/Berlin (daylight saving time included)')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Read a field from another place: NAME=PATH, with NAME one of user, feature, model, time, session, project, id, input, output, cached, cost and PATH a dotted path (metadata.customer). Repeatable')
            [CompletionResult]::new('--window-share', '--window-share', [CompletionResultType]::ParameterName, 'Outlier: a request whose prompt is above this share of its model''s context window (0.9 or 90%)')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Outlier: a request of more than N tokens (prompt + output)')
            [CompletionResult]::new('--spike-factor', '--spike-factor', [CompletionResultType]::ParameterName, 'Spike: a day with more than FACTOR × the trailing average of tokens per day')
            [CompletionResult]::new('--spike-days', '--spike-days', [CompletionResultType]::ParameterName, 'Days in the trailing average for spikes')
            [CompletionResult]::new('--burst', '--burst', [CompletionResultType]::ParameterName, 'Burst: a user with at least N requests in any sliding window (N/DURATION), or `off`')
            [CompletionResult]::new('--burst-tokens', '--burst-tokens', [CompletionResultType]::ParameterName, 'Burst: a user with at least N tokens in any sliding window (e.g. 1M/1h)')
            [CompletionResult]::new('--loop-min', '--loop-min', [CompletionResultType]::ParameterName, 'Loop: at least N near-identical requests from one user back to back')
            [CompletionResult]::new('--loop-gap', '--loop-gap', [CompletionResultType]::ParameterName, 'Loop: at most this long between consecutive requests (30s, 2m, or seconds)')
            [CompletionResult]::new('--loop-tolerance', '--loop-tolerance', [CompletionResultType]::ParameterName, 'Loop: prompt sizes within this share of the run''s first request (2% or 0.02)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when any outlier, spike, burst or loop was found')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads [default: all cores]')
            [CompletionResult]::new('--emit-summary', '--emit-summary', [CompletionResultType]::ParameterName, 'Also write a partial summary of this scan to FILE (`-`: to stdout, instead of the report), for `tokenbudget merge` to combine with other parts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 2 when any line or file was skipped')
            [CompletionResult]::new('--audit', '--audit', [CompletionResultType]::ParameterName, 'Compare the cost records log themselves (cost_usd, costUSD, response_cost, spend, usage.cost) with the catalog''s price of their tokens, per model; list those more than 1% apart. (The JSON always holds the comparison, as "audit".)')
            [CompletionResult]::new('--blocks', '--blocks', [CompletionResultType]::ParameterName, 'Also sum requests into 5-hour blocks (Claude''s usage windows, as ccusage counts them): a block starts at the hour (UTC) of its first request and lasts 5 hours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;merge' {
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when any outlier, spike, burst or loop was found')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM''s model_prices_and_context_window.json, or tokenbudget''s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 2 when any line or file was skipped in any part')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout (the `scan-logs --json` document)')
            [CompletionResult]::new('--audit', '--audit', [CompletionResultType]::ParameterName, 'List the models and groups whose logged cost is more than 1% from the catalog''s (as `scan-logs --audit`)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model''s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;help' {
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens exactly as OpenAI''s tiktoken does')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Split a context window across the parts of a request; trim history to fit')
            [CompletionResult]::new('cost', 'cost', [CompletionResultType]::ParameterValue, 'What a request or a workload costs, on one model or across models')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the model catalog: context windows, max output, tokenizers and prices')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded')
            [CompletionResult]::new('scan-logs', 'scan-logs', [CompletionResultType]::ParameterValue, 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge partial scan-logs summaries into one report, identical to a single scan of all files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenbudget;help;count' {
            break
        }
        'tokenbudget;help;plan' {
            break
        }
        'tokenbudget;help;cost' {
            break
        }
        'tokenbudget;help;models' {
            break
        }
        'tokenbudget;help;check' {
            break
        }
        'tokenbudget;help;scan-logs' {
            break
        }
        'tokenbudget;help;merge' {
            break
        }
        'tokenbudget;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
