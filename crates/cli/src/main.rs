//! `immunotrial`: the command line. Parses arguments, calls the library crates, renders errors.
//!
//! Each subcommand lives in its own module under `cmd/` and returns `Result<(), CliError>`;
//! `main` renders the error and maps it to the exit status (2: bad input, 1: failure).

mod cmd;
mod exit;

use clap::{Parser, Subcommand};
use exit::CliError;

/// In-silico clinical trials of immunotherapies for severe viral pneumonia.
#[derive(Parser, Debug)]
#[command(name = "immunotrial", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyse a dataset: Kaplan–Meier, log-rank, Cox; binary and ordinal endpoints.
    Analyze(cmd::analyze::AnalyzeArgs),
    /// Rebuild report.html in a results folder from its saved data (no re-simulation).
    Report(cmd::report::ReportArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result: Result<(), CliError> = match cli.command {
        Command::Analyze(args) => cmd::analyze::run(&args),
        Command::Report(args) => cmd::report::run(&args),
    };
    exit::finish(result)
}
