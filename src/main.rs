use std::process::ExitCode;

fn main() -> ExitCode {
    tokenbudget::app::main()
}
