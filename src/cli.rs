//! The command-line definition. Help text, man pages and shell completions are all generated
//! from this one clap definition (see `tests/generated.rs`).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;

/// Exact token counts, context-window budgets and costs for LLM prompts and usage logs.
#[derive(Debug, Parser)]
#[command(
    name = "tokenbudget",
    version,
    about = "Exact token counts, context-window budgets and costs for LLM prompts and usage logs",
    long_about = "tokenbudget counts tokens exactly as OpenAI's tiktoken does, checks prompts against \
context windows and budgets, and prices requests and workloads from an embedded model catalog. \
Nothing is fetched from the network.",
    after_help = "Examples:\n  tokenbudget count prompt.txt\n  cat request.json | tokenbudget count --model gpt-4.1\n  tokenbudget count prompts/ --max-tokens 4000\n  tokenbudget cost prompt.txt --output-tokens 500 --compare gpt-4o,claude-sonnet-4-5\n  tokenbudget models --provider openai --sort input\n  tokenbudget scan-logs logs/ --by user --fail-on alerts\n  tokenbudget merge part1.json part2.json\n\nExit codes: 0 ok, 1 a limit, budget or alert was hit, 2 usage or input error.",
    propagate_version = true
)]
pub struct Cli {
    /// When to use colour: auto (a terminal and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Never draw progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Price file that overrides or extends the catalog for every command (count, plan, cost,
    /// models, check, scan-logs): LiteLLM's model_prices_and_context_window.json, or
    /// tokenbudget's TOML/JSON format (see README)
    /// [default: $TOKENBUDGET_PRICES when set and not empty].
    #[arg(long, value_name = "FILE", global = true)]
    pub prices: Option<PathBuf>,

    /// Refuse estimates (exit 2): a model without an exact local tokenizer (Claude, Gemini,
    /// ...), an --encoding other than the model's, or a name matched only by a tiktoken
    /// prefix. Without it those are counted and labelled approximate (`~`).
    #[arg(long, global = true)]
    pub exact: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Count(commands::count::CountArgs),
    Plan(commands::plan::PlanArgs),
    Cost(commands::cost::CostArgs),
    Models(commands::models::ModelsArgs),
    Check(commands::check::CheckArgs),
    ScanLogs(commands::scan_logs::ScanLogsArgs),
    Merge(commands::merge::MergeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour forced on or off, or `None` to detect it per stream (see `report::Style`).
    pub fn forced(self) -> Option<bool> {
        match self {
            ColorChoice::Auto => None,
            ColorChoice::Always => Some(true),
            ColorChoice::Never => Some(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
