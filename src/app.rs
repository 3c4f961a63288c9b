//! The binary's entry point: parse, decide colour and progress once, run a command, map the
//! outcome to an exit code. Errors print once on stderr as `error: ...` with their causes.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::exit::ExitStatus;
use crate::report::{Env, Style, escape};

/// Run the command line of this process.
pub fn main() -> ExitCode {
    // Under GitHub Actions no output may read as a workflow command (see `report::escape`).
    escape::set_github(std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            print_clap_error(&e);
            return ExitCode::from(code);
        }
    };
    let env = Env {
        out: Style::detect(cli.color.forced(), false),
        err: Style::detect(cli.color.forced(), true),
        progress: !cli.no_progress && io::stderr().is_terminal(),
        stdin_is_terminal: io::stdin().is_terminal(),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(PipeSafe {
        inner: stdout.lock(),
        closed: false,
    });
    match run(cli, &env, &mut out).and_then(|s| Ok(out.flush().map(|()| s)?)) {
        Ok(status) => ExitCode::from(status.code()),
        // Only a write to stderr can still fail this way (stdout is `PipeSafe`); the status
        // is unknown then, and nothing can be said about it anyway.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let text = format!("{err:#}");
            let _ = writeln!(
                io::stderr(),
                "{} {}",
                env.err.red("error:"),
                escape::escape(&text)
            );
            ExitCode::from(ExitStatus::InputError.code())
        }
    }
}

/// Run one parsed command line, writing its report to `out`. The Python package runs the
/// commands in-process through this, so its reports are the CLI's own.
pub fn run(cli: Cli, env: &Env, out: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    // The one catalog of the process: every command sees the same models and prices.
    let shared = commands::Shared {
        catalog: commands::load_catalog(cli.prices.as_deref(), env)?,
        exact: cli.exact,
    };
    Ok(match cli.command {
        Command::Count(args) => commands::count::run(args, env, &shared, out)?,
        Command::Plan(args) => commands::plan::run(args, env, &shared, out)?,
        Command::Cost(args) => commands::cost::run(args, env, &shared, out)?,
        Command::Models(args) => commands::models::run(args, env, &shared, out)?,
        Command::Check(args) => commands::check::run(args, env, &shared, out)?,
        Command::ScanLogs(args) => commands::scan_logs::run(args, env, &shared, out)?,
        Command::Merge(args) => commands::merge::run(args, env, out)?,
    })
}

/// clap's message (help, version or a usage error) as clap prints it, unless an argument
/// holds a control character (clap quotes the values it rejects): then the message is
/// rendered without styling and each of its lines printed escaped.
fn print_clap_error(e: &clap::Error) {
    let hostile =
        std::env::args_os().any(|a| a.to_string_lossy().chars().any(escape::is_dangerous));
    if !hostile {
        let _ = e.print();
        return;
    }
    use clap::CommandFactory;
    let plain = match Cli::command()
        .styles(clap::builder::Styles::plain())
        .try_get_matches()
    {
        Err(e) => e.render().ansi().to_string(),
        Ok(_) => e.render().to_string(),
    };
    let mut text = String::new();
    for line in plain.lines() {
        text.push_str(&escape::escape(line));
        text.push('\n');
    }
    let _ = if e.use_stderr() {
        io::stderr().write_all(text.as_bytes())
    } else {
        io::stdout().write_all(text.as_bytes())
    };
}

/// Standard output that treats a reader going away (`tokenbudget check | head -1`) as the end of
/// the output rather than an error: later writes are dropped, the command runs to its end, and
/// the run exits with the status it would have had (1 when a budget was over), printing nothing
/// about the pipe. It sits under the `BufWriter`, so the final flush is covered too.
struct PipeSafe<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Write for PipeSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            r => r,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            r => r,
        }
    }
}

/// `tokenbudget count big.txt | head` is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
