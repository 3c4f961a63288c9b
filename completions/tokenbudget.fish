# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tokenbudget_global_optspecs
    string join \n color= no-progress prices= exact h/help V/version
end

function __fish_tokenbudget_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tokenbudget_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tokenbudget_using_subcommand
    set -l cmd (__fish_tokenbudget_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "count" -d 'Count tokens exactly as OpenAI\'s tiktoken does'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "plan" -d 'Split a context window across the parts of a request; trim history to fit'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "cost" -d 'What a request or a workload costs, on one model or across models'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "models" -d 'List the model catalog: context windows, max output, tokenizers and prices'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "check" -d 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "scan-logs" -d 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "merge" -d 'Merge partial scan-logs summaries into one report, identical to a single scan of all files'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l text -d 'Count this text (repeatable)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s m -l model -d 'Model whose tokenizer to use [default: the `model` a lone request file names, else $TOKENBUDGET_MODEL, else gpt-4o]' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s e -l encoding -d 'Encoding to count with, overriding the model\'s' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l tokenizer -d 'Count with this tokenizer file instead of the model\'s: a Hugging Face tokenizer.json, a tiktoken rank file (with --split) or a SentencePiece .model' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l split -d 'How text is split before merging, for a tiktoken rank file given with --tokenizer: o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2\'s rule)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l sort -d 'Order of the table rows' -r -f -a "input\t'The order inputs were given (and walked)'
tokens\t'Most tokens first'
path\t'By path'"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l max-tokens -d 'Exit 1 when any input has more tokens than this' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l max-total -d 'Exit 1 when all inputs together have more tokens than this' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l truncate -d 'Write the input cut to its first N tokens (never splitting a character)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l out -d 'With --truncate, write to this file (atomically) instead of stdout' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l top -d 'How many of the largest JSONL lines to list' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l field -d 'With --jsonl, count only this field of each line (`text`, `prompt`, nested `request.prompt`, array index `messages.0.content`); repeat it to count the sum of several fields (`--field prompt --field completion`). A line without the field is an error at that line' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l messages -d 'Read every input as chat JSON (messages array, OpenAI or Anthropic request body). Without it, JSON that has a chat shape is detected automatically'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l jsonl -d 'Read every input as JSONL: each line a JSON string, a messages array, or a request (`messages` or Batch API `body.messages`); report per-line statistics'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l json -d 'Print only JSON on stdout'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s q -l quiet -d 'Print only the total'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s v -l verbose -d 'Show the per-message breakdown of chat input'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l show-tokens -d 'Print each token (its text, escaped) instead of counts'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l ids -d 'With --show-tokens, also print token ids'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l request -d 'A whole request: an OpenAI chat completions body, an Anthropic messages body or a Batch API request line (`-` for stdin). System messages → system, the latest user message → user, earlier turns → history, `tools` → tools, `max_completion_tokens`/`max_tokens` → the reserve' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l system -d 'The system prompt (text)' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l examples -d 'Few-shot examples: text (sent as one system message) or a messages JSON array' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l rag -d 'Retrieved chunks (text), best first; each is sent as a system message before the user\'s message. Repeatable' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l history -d 'Chat history: a messages JSON file; or, with --fit, how much of it to keep: `auto` (as many recent messages as fit the history cap and the window; the default) or N (at most the last N messages). May be given twice (a file and a policy)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l user -d 'The user\'s message (text; `-` for stdin). Without it, piped stdin is read' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l tools -d 'Tool (function) definitions: a JSON array, or an object with `tools`' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -s m -l model -d 'Model: its context window, max output and tokenizer [default: the request\'s `model`, else $TOKENBUDGET_MODEL, else gpt-4o]' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -s e -l encoding -d 'Encoding to count with, overriding the model\'s (labelled approximate when it is not the model\'s own)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l tokenizer -d 'Count with this tokenizer file instead of the model\'s: a Hugging Face tokenizer.json, a tiktoken rank file (with --split) or a SentencePiece .model. The model still gives the context window and the max output' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l split -d 'How text is split before merging, for a tiktoken rank file given with --tokenizer: o200k, cl100k, p50k or r50k (p50k and r50k share GPT-2\'s rule)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l context-window -d 'Context window in tokens, overriding the model\'s' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l reserve-output -d 'Tokens reserved for the answer [default: the request\'s max_completion_tokens or max_tokens, else 4096]. Must not exceed the model\'s max output' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l cap -d 'Cap a part: PART=TOKENS or PART=PERCENT% of the window (parts: system, examples, tools, rag, history, user). Repeatable' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l keep-last -d 'With --fit, never drop the last N history messages' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l out -d 'With --fit, write the fitted JSON to this file (atomically); stdout then gets the report' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l fit -d 'Trim until it fits: drop history messages oldest first, then retrieved chunks from the lowest rank; write the fitted request as JSON (stdout or --out) and what was dropped to stderr'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l json -d 'Print only JSON on stdout (with --fit, requires --out)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -s h -l help -d 'Print help'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand plan" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l text -d 'Use this text as the prompt' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l input-tokens -d 'The whole prompt size in tokens, instead of a prompt to count (no tokenizer is loaded)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l output-tokens -d 'Expected output tokens per request' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l max-tokens -d 'The request\'s max_tokens: price the worst case, every allowed output token generated' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l cached-tokens -d 'Tokens of the prompt read from the provider\'s prompt cache (part of the input)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l cache-write-tokens -d 'Tokens of the prompt written to the cache (part of the input; Anthropic bills them above the input rate, see --cache-ttl)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l cached-ratio -d 'Share of the prompt served from the cache, from 0 to 1 (e.g. 0.8)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l cache-ttl -d 'Lifetime of cache writes: 5m or 1h (priced differently by Anthropic)' -r -f -a "5m\t'5 minutes (Anthropic\'s default)'
1h\t'1 hour'"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -s m -l model -d 'Model to price [default: $TOKENBUDGET_MODEL, else gpt-4o]' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l compare -d 'Compare these models (comma-separated), cheapest first' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -s p -l provider -d 'Compare every model of these providers (comma-separated); models that cannot price the request (e.g. no batch prices) are skipped with a note' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l requests -d 'Number of requests: per --per period, or in total without --per' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l per -d 'The period --requests is counted over; per-day and per-month costs are shown' -r -f -a "day\t''
month\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l days-per-month -d 'Days in a month, for per-day ↔ per-month' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l batch -d 'Use batch-API prices (an error for a model without them)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l all -d 'Compare every model in the catalog; models that cannot price the request are skipped with a note'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l strict -d 'Exit 1 when a request exceeds a model\'s max output or context window'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l json -d 'Print only JSON on stdout'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand cost" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -s p -l provider -d 'Show only these providers (comma-separated): openai, anthropic, gemini, mistral, deepseek, xai, or a provider from --prices' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -l sort -d 'Sort by a price (cheapest first), the context window or max output (largest first), or name (by provider, then name). Models without the value come last' -r -f -a "name\t'Provider, then model name'
input\t'Input price'
cached\t'Cached-input (cache read) price'
cache-write\t'Cache-write price (5-minute, else 1-hour)'
output\t'Output price'
batch\t'Batch input price'
window\t'Context window'
max-output\t'Max output tokens'"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -l reverse -d 'Reverse the sort order'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -l json -d 'Print only JSON on stdout'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand models" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -s c -l config -d 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l format -d 'Output format: a table, JSON, or GitHub Actions annotations (followed by the table)' -r -f -a "table\t'A table of budgets, then the files over budget'
json\t'One JSON document'
github\t'`::error` workflow commands for GitHub Actions, then the table'"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l json -d 'Print only JSON on stdout (same as --format json)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l hide-passed -d 'Leave passing budgets out of the output (the summary still counts them)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l init -d 'Write a starter tokenbudget.toml from the prompt-like files found here, each limit at the current count plus 20%, rounded up. Never overwrites an existing file'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand check" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l by -d 'Group by user, feature, model, day, week, month, hour, session, project, format, or any other field (a dotted path); comma-separated or repeated to combine' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l top -d 'Rows of each table and list [default: 10]. With --json, every group is listed unless --top is given' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l since -d 'Only records at or after this time (2026-03-01, 2026-03-01T12:00, or RFC 3339)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l until -d 'Only records before this time (exclusive; must be after --since)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l tz -d 'Time zone for days, hours and printed times: UTC, a fixed offset such as +02:00, or an IANA zone such as Europe/Berlin (daylight saving time included)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l field -d 'Read a field from another place: NAME=PATH, with NAME one of user, feature, model, time, session, project, id, input, output, cached, cost and PATH a dotted path (metadata.customer). Repeatable' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l window-share -d 'Outlier: a request whose prompt is above this share of its model\'s context window (0.9 or 90%)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l max-tokens -d 'Outlier: a request of more than N tokens (prompt + output)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l spike-factor -d 'Spike: a day with more than FACTOR × the trailing average of tokens per day' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l spike-days -d 'Days in the trailing average for spikes' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l burst -d 'Burst: a user with at least N requests in any sliding window (N/DURATION), or `off`' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l burst-tokens -d 'Burst: a user with at least N tokens in any sliding window (e.g. 1M/1h)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l loop-min -d 'Loop: at least N near-identical requests from one user back to back' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l loop-gap -d 'Loop: at most this long between consecutive requests (30s, 2m, or seconds)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l loop-tolerance -d 'Loop: prompt sizes within this share of the run\'s first request (2% or 0.02)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l fail-on -d 'Exit 1 when any outlier, spike, burst or loop was found' -r -f -a "alerts\t'Any outlier, spike, burst or loop'"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l threads -d 'Worker threads [default: all cores]' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l emit-summary -d 'Also write a partial summary of this scan to FILE (`-`: to stdout, instead of the report), for `tokenbudget merge` to combine with other parts' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l strict -d 'Exit 2 when any line or file was skipped'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l audit -d 'Compare the cost records log themselves (cost_usd, costUSD, response_cost, spend, usage.cost) with the catalog\'s price of their tokens, per model; list those more than 1% apart. (The JSON always holds the comparison, as "audit".)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l blocks -d 'Also sum requests into 5-hour blocks (Claude\'s usage windows, as ccusage counts them): a block starts at the hour (UTC) of its first request and lasts 5 hours'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l json -d 'Print only JSON on stdout'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l fail-on -d 'Exit 1 when any outlier, spike, burst or loop was found' -r -f -a "alerts\t'Any outlier, spike, burst or loop'"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l prices -d 'Price file that overrides or extends the catalog for every command (count, plan, cost, models, check, scan-logs): LiteLLM\'s model_prices_and_context_window.json, or tokenbudget\'s TOML/JSON format (see README) [default: $TOKENBUDGET_PRICES when set and not empty]' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l strict -d 'Exit 2 when any line or file was skipped in any part'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l json -d 'Print only JSON on stdout (the `scan-logs --json` document)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l audit -d 'List the models and groups whose logged cost is more than 1% from the catalog\'s (as `scan-logs --audit`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -l exact -d 'Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini, ...), an --encoding other than the model\'s, or a name matched only by a tiktoken prefix. Without it those are counted and labelled approximate (`~`)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand merge" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "count" -d 'Count tokens exactly as OpenAI\'s tiktoken does'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "plan" -d 'Split a context window across the parts of a request; trim history to fit'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "cost" -d 'What a request or a workload costs, on one model or across models'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "models" -d 'List the model catalog: context windows, max output, tokenizers and prices'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "check" -d 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "scan-logs" -d 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "merge" -d 'Merge partial scan-logs summaries into one report, identical to a single scan of all files'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count plan cost models check scan-logs merge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
