
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
            cand check 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded'
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
        &'tokenbudget;check'= {
            cand -c 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write'
            cand --config 'The config file [default: tokenbudget.toml in the current directory or its parents]. With --init, the file to write'
            cand --format 'Output format: a table, JSON, or GitHub Actions annotations (followed by the table)'
            cand --color 'When to use colour: auto (a terminal and NO_COLOR unset), always or never'
            cand --json 'Print only JSON on stdout (same as --format json)'
            cand --hide-passed 'Leave passing budgets out of the output (the summary still counts them)'
            cand --init 'Write a starter tokenbudget.toml from the prompt-like files found here, each limit at the current count plus 20%, rounded up. Never overwrites an existing file'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenbudget;help'= {
            cand count 'Count tokens exactly as OpenAI''s tiktoken does'
            cand check 'Check the token budgets of tokenbudget.toml (for CI): exit 1 when one is exceeded'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tokenbudget;help;count'= {
        }
        &'tokenbudget;help;check'= {
        }
        &'tokenbudget;help;help'= {
        }
    ]
    $completions[$command]
}
