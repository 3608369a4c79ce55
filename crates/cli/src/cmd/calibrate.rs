//! `immunotrial calibrate`: fit free model parameters to the published targets of the replicas,
//! stage by stage (usual-care mortality, then therapy effects), and write the fitted set with
//! the loss per target.

use std::path::PathBuf;
use std::time::Instant;

use validation::Overrides;
use validation::calibrate::{self, CalibrationSettings};

use crate::cmd::check_replicas::{cli_error, pool, select};
use crate::exit::CliError;

const EXAMPLES: &str = "\
EXAMPLES:
    Fit with 1000 patients per replica and write the fitted set:
        immunotrial calibrate --patients 1000 --out calibrated.toml

    Start from other values (they are also the values of parameters not fitted):
        immunotrial calibrate --set h0=0.004 --set theta_pf=1.2

STAGES (MODEL.md 8.8, in priority order):
    1. usual-care 28-day mortality by respiratory support (RECOVERY dexamethasone control arms:
       41.4% on invasive ventilation, 26.2% on oxygen, 14.0% without): h0, theta_pf
    2. therapy effects (RECOVERY dexamethasone by support, RECOVERY plasma, Libster):
       imax_dex_myeloid, phi_lung";

/// Fit free model parameters to the published targets of the replicas.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct CalibrateArgs {
    /// Folder of replica protocols.
    #[arg(default_value = "protocols/replicas", value_name = "DIR")]
    pub dir: PathBuf,
    /// Virtual patients per replica per evaluation.
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(10..=1_000_000))]
    pub patients: u32,
    /// Master seed for every replica (default: each file's `simulation.seed`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Worker threads (results do not depend on it); default: all cores.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Most loss evaluations per stage.
    #[arg(long, default_value_t = 60, value_name = "N")]
    pub max_evaluations: usize,
    /// Starting value of a parameter, NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Where to write the fitted set (TOML); default: standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// No progress lines.
    #[arg(long)]
    pub quiet: bool,
}

/// Run the calibration.
pub fn run(args: &CalibrateArgs) -> Result<(), CliError> {
    let start = Overrides::parse(&args.set).map_err(|e| cli_error(e.into()))?;
    let plan = calibrate::default_plan();
    let needed: Vec<String> = plan
        .iter()
        .flat_map(|s| s.targets.iter().map(|t| t.replica.clone()))
        .collect();
    let mut names = needed;
    names.sort();
    names.dedup();
    let replicas = select(&args.dir, &names)?;
    let settings = CalibrationSettings {
        patients: args.patients,
        seed: args.seed,
        start,
        max_evaluations: args.max_evaluations,
    };
    let pool = pool(args.threads)?;
    let started = Instant::now();
    let quiet = args.quiet;
    let mut progress = |stage: &str, k: usize, loss: f64| {
        if !quiet {
            eprintln!(
                "[{:>6.0} s] {stage}: evaluation {k}, loss {loss:.3}",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let fit = pool
        .install(|| calibrate::calibrate(&replicas, &plan, &settings, &mut progress))
        .map_err(cli_error)?;
    let text = calibrate::fit_toml(&fit);
    match &args.out {
        Some(path) => std::fs::write(path, &text).map_err(|e| {
            CliError::failure(miette::miette!("cannot write {}: {e}", path.display()))
        })?,
        None => print!("{text}"),
    }
    Ok(())
}
