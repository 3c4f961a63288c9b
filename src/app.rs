//! The binary's entry point: parse, decide colour and progress once, run a command, map the
//! outcome to an exit code. Errors print once on stderr as `error: ...` with their causes.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::exit::ExitStatus;
use crate::report::{Env, Style};

/// Run the command line of this process.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let env = Env {
        out: Style::detect(cli.color, false),
        err: Style::detect(cli.color, true),
        progress: !cli.no_progress && io::stderr().is_terminal(),
        stdin_is_terminal: io::stdin().is_terminal(),
    };
    match run(cli, &env) {
        Ok(status) => ExitCode::from(status.code()),
        // Only a write to stderr can still fail this way (stdout is `PipeSafe`); the status
        // is unknown then, and nothing can be said about it anyway.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "{} {err:#}", env.err.red("error:"));
            ExitCode::from(ExitStatus::InputError.code())
        }
    }
}

fn run(cli: Cli, env: &Env) -> anyhow::Result<ExitStatus> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(PipeSafe {
        inner: stdout.lock(),
        closed: false,
    });
    let status = match cli.command {
        Command::Count(args) => commands::count::run(args, env, &mut out)?,
        Command::Plan(args) => commands::plan::run(args, env, &mut out)?,
        Command::Cost(args) => commands::cost::run(args, env, &mut out)?,
        Command::Models(args) => commands::models::run(args, env, &mut out)?,
        Command::Check(args) => commands::check::run(args, env, &mut out)?,
        Command::ScanLogs(args) => commands::scan_logs::run(args, env, &mut out)?,
    };
    out.flush()?;
    Ok(status)
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
