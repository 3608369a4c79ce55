//! `immunotrial`: the command line. Parses arguments, calls the library crates, renders errors.
//!
//! Each subcommand lives in its own module under `cmd/` and returns `Result<(), CliError>`;
//! `main` renders the error and maps it to the exit status (2: bad input, 1: failure).

mod cmd;
mod exit;
mod render;

use clap::{Parser, Subcommand};
use exit::CliError;

const LONG_ABOUT: &str = "\
In-silico clinical trials of immunotherapies for severe viral pneumonia.

immunotrial reads a trial protocol written like a registry record (a TOML file, or a \
ClinicalTrials.gov API v2 record turned into one), samples virtual patients, screens them \
against the protocol's computable eligibility criteria, allocates them to arms, applies each \
arm's regimens (standard therapy, convalescent or hyperimmune plasma, mesenchymal stromal cells, \
…) to a mechanistic within-host model of COVID-19, and derives the protocol's endpoints.";

const AFTER_LONG_HELP: &str = "\
FILES:
    PROTOCOL.toml     A protocol: [study] registry fields, [eligibility] computable criteria,
                      [[arm]], [[regimen]], [[endpoint]], [analysis] and [simulation].
                      Every field is described in docs/protocol.md.
    protocols/        Bundled protocols; `run` without a file uses the seed trial
                      NCT04385043 (hyperimmune plasma), which is built into the binary.

EXIT STATUS:
    0    Success.
    1    The input was valid but the work failed (I/O error, internal error).
    2    Bad input: a protocol, record or argument that does not validate.

EXAMPLES:
    immunotrial validate protocols/*.toml
    immunotrial run --dry-run
    immunotrial import-ctgov NCT04385043.json -o nct04385043.toml";

/// In-silico clinical trials of immunotherapies for severe viral pneumonia.
#[derive(Parser, Debug)]
#[command(
    name = "immunotrial",
    version,
    about,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Validate(cmd::validate::Args),
    Run(cmd::run::Args),
    ImportCtgov(cmd::import_ctgov::Args),
    /// Analyse a dataset: Kaplan–Meier, log-rank, Cox; binary and ordinal endpoints.
    Analyze(cmd::analyze::AnalyzeArgs),
    /// Plan the convalescent-plasma supply of a protocol: donors to screen, donations, units,
    /// delivered titer per patient.
    Supply(cmd::supply::SupplyArgs),
    /// Simulate one virtual patient's course, day by day since symptom onset.
    Patient(cmd::patient::PatientArgs),
    /// Rebuild report.html in a results folder from its saved data (no re-simulation).
    Report(cmd::report::ReportArgs),
    /// Join the results folders of `run --shard i/N` runs into one.
    Merge(cmd::merge::MergeArgs),
    /// Run the replicas of published trials and compare them with the published results.
    CheckReplicas(cmd::check_replicas::CheckReplicasArgs),
    /// Fit free model parameters to the published targets of the replicas.
    Calibrate(cmd::calibrate::CalibrateArgs),
}

fn main() -> std::process::ExitCode {
    miette::set_hook(Box::new(|_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .force_graphical(true)
                .wrap_lines(false)
                .build(),
        )
    }))
    .ok();
    let cli = Cli::parse();
    let result: Result<(), CliError> = match cli.command {
        Command::Validate(args) => cmd::validate::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::ImportCtgov(args) => cmd::import_ctgov::run(args),
        Command::Analyze(args) => cmd::analyze::run(&args),
        Command::Supply(args) => cmd::supply::run(args),
        Command::Patient(args) => cmd::patient::run(&args),
        Command::Report(args) => cmd::report::run(&args),
        Command::Merge(args) => cmd::merge::run(&args),
        Command::CheckReplicas(args) => cmd::check_replicas::run(&args),
        Command::Calibrate(args) => cmd::calibrate::run(&args),
    };
    exit::finish(result)
}
