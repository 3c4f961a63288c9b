
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
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens exactly as OpenAI''s tiktoken does')
            [CompletionResult]::new('scan-logs', 'scan-logs', [CompletionResultType]::ParameterValue, 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenbudget;count' {
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Count this text (repeatable)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model whose tokenizer to use [default: $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model whose tokenizer to use [default: $TOKENBUDGET_MODEL, else gpt-4o]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Encoding to count with, overriding the model''s')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding to count with, overriding the model''s')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Order of the table rows')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Exit 1 when any input has more tokens than this')
            [CompletionResult]::new('--max-total', '--max-total', [CompletionResultType]::ParameterName, 'Exit 1 when all inputs together have more tokens than this')
            [CompletionResult]::new('--truncate', '--truncate', [CompletionResultType]::ParameterName, 'Write the input cut to its first N tokens (never splitting a character)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'With --truncate, write to this file (atomically) instead of stdout')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'How many of the largest JSONL lines to list')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
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
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;scan-logs' {
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Group by user, feature, model, day, hour, session, project, format, or any other field (a dotted path); comma-separated or repeated to combine')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Rows of each table and list')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records at or after this time (2026-03-01, 2026-03-01T12:00, or RFC 3339)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only records before this time')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone for days, hours and printed times: UTC or a fixed offset such as +02:00')
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
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 2 when any line or file was skipped')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;help' {
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens exactly as OpenAI''s tiktoken does')
            [CompletionResult]::new('scan-logs', 'scan-logs', [CompletionResultType]::ParameterValue, 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenbudget;help;count' {
            break
        }
        'tokenbudget;help;scan-logs' {
            break
        }
        'tokenbudget;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
