
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
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand count 'Count tokens exactly as OpenAI''s tiktoken does'
            cand scan-logs 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tokenbudget;count'= {
            cand --text 'Count this text (repeatable)'
            cand -m 'Model whose tokenizer to use [default: $TOKENBUDGET_MODEL, else gpt-4o]'
            cand --model 'Model whose tokenizer to use [default: $TOKENBUDGET_MODEL, else gpt-4o]'
            cand -e 'Encoding to count with, overriding the model''s'
            cand --encoding 'Encoding to count with, overriding the model''s'
            cand --sort 'Order of the table rows'
            cand --max-tokens 'Exit 1 when any input has more tokens than this'
            cand --max-total 'Exit 1 when all inputs together have more tokens than this'
            cand --truncate 'Write the input cut to its first N tokens (never splitting a character)'
            cand --out 'With --truncate, write to this file (atomically) instead of stdout'
            cand --top 'How many of the largest JSONL lines to list'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
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
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;scan-logs'= {
            cand --by 'Group by user, feature, model, day, hour, session, project, format, or any other field (a dotted path); comma-separated or repeated to combine'
            cand --top 'Rows of each table and list'
            cand --since 'Only records at or after this time (2026-03-01, 2026-03-01T12:00, or RFC 3339)'
            cand --until 'Only records before this time'
            cand --tz 'Time zone for days, hours and printed times: UTC or a fixed offset such as +02:00'
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
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --strict 'Exit 2 when any line or file was skipped'
            cand --json 'Print only JSON on stdout'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;help'= {
            cand count 'Count tokens exactly as OpenAI''s tiktoken does'
            cand scan-logs 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tokenbudget;help;count'= {
        }
        &'tokenbudget;help;scan-logs'= {
        }
        &'tokenbudget;help;help'= {
        }
    ]
    $completions[$command]
}
