
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
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded')
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
        'tokenbudget;check' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: a table, JSON, or GitHub Actions annotations (followed by the table)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and NO_COLOR unset), always or never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print only JSON on stdout (same as --format json)')
            [CompletionResult]::new('--hide-passed', '--hide-passed', [CompletionResultType]::ParameterName, 'Leave passing budgets out of the output (the summary still counts them)')
            [CompletionResult]::new('--init', '--init', [CompletionResultType]::ParameterName, 'Write a starter tokenbudget.toml from the prompt-like files found here, each limit at the current count plus 20%, rounded up. Never overwrites an existing file')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenbudget;help' {
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens exactly as OpenAI''s tiktoken does')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenbudget;help;count' {
            break
        }
        'tokenbudget;help;check' {
            break
        }
        'tokenbudget;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
