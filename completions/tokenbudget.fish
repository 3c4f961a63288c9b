# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tokenbudget_global_optspecs
    string join \n color= no-progress h/help V/version
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
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "count" -d 'Count tokens exactly as OpenAI\'s tiktoken does'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "scan-logs" -d 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
complete -c tokenbudget -n "__fish_tokenbudget_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l text -d 'Count this text (repeatable)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s m -l model -d 'Model whose tokenizer to use [default: $TOKENBUDGET_MODEL, else gpt-4o]' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s e -l encoding -d 'Encoding to count with, overriding the model\'s' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l sort -d 'Order of the table rows' -r -f -a "input\t'The order inputs were given (and walked)'
tokens\t'Most tokens first'
path\t'By path'"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l max-tokens -d 'Exit 1 when any input has more tokens than this' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l max-total -d 'Exit 1 when all inputs together have more tokens than this' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l truncate -d 'Write the input cut to its first N tokens (never splitting a character)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l out -d 'With --truncate, write to this file (atomically) instead of stdout' -r -F
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l top -d 'How many of the largest JSONL lines to list' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l messages -d 'Read every input as chat JSON (messages array, OpenAI or Anthropic request body). Without it, JSON that has a chat shape is detected automatically'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l jsonl -d 'Read every input as JSONL: each line a JSON string, a messages array, or a request (`messages` or Batch API `body.messages`); report per-line statistics'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l json -d 'Print only JSON on stdout'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s q -l quiet -d 'Print only the total'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s v -l verbose -d 'Show the per-message breakdown of chat input'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l show-tokens -d 'Print each token (its text, escaped) instead of counts'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l ids -d 'With --show-tokens, also print token ids'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand count" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l by -d 'Group by user, feature, model, day, hour, session, project, format, or any other field (a dotted path); comma-separated or repeated to combine' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l top -d 'Rows of each table and list' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l since -d 'Only records at or after this time (2026-03-01, 2026-03-01T12:00, or RFC 3339)' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l until -d 'Only records before this time' -r
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l tz -d 'Time zone for days, hours and printed times: UTC or a fixed offset such as +02:00' -r
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
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l color -d 'When to use colour: auto (a terminal and NO_COLOR unset), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l strict -d 'Exit 2 when any line or file was skipped'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l json -d 'Print only JSON on stdout'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -l no-progress -d 'Never draw progress bars'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand scan-logs" -s V -l version -d 'Print version'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count scan-logs help" -f -a "count" -d 'Count tokens exactly as OpenAI\'s tiktoken does'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count scan-logs help" -f -a "scan-logs" -d 'Find the outliers, spikes, runaway users and loops in LLM usage logs, and what they cost'
complete -c tokenbudget -n "__fish_tokenbudget_using_subcommand help; and not __fish_seen_subcommand_from count scan-logs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
